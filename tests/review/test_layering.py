"""The planner only plans: review rendering lives in infra/review, which reads the
planner's plans and comparisons, never the other way round."""

from __future__ import annotations

from tests.test_layout import PACKAGE, imported_names


def test_no_planner_module_imports_the_review_package() -> None:
    for path in sorted((PACKAGE / "planner").rglob("*.py")):
        review = [name for name, _ in imported_names(path) if name.startswith("infra.review")]
        assert not review, f"{path.relative_to(PACKAGE)} imports {review}"


def test_the_review_package_holds_the_rendering() -> None:
    modules = {p.stem for p in (PACKAGE / "review").glob("*.py")}
    assert {"leaves", "escape", "report", "summary", "dangers", "pictures", "graphs"} <= modules
    assert not {"report", "summary", "dangers", "pictures", "graphs"} & {
        p.stem for p in (PACKAGE / "planner").glob("*.py")
    }


def test_the_allow_file_is_read_below_the_review_and_the_guard_rails() -> None:
    """The allow file is a declaration: review and guard rails both read it from
    infra/declarations, so the guard rails need nothing of the review."""
    assert (PACKAGE / "declarations" / "allowances.py").is_file()
    assert not (PACKAGE / "review" / "allowances.py").exists()
    for path in sorted((PACKAGE / "guardrails").rglob("*.py")):
        review = [name for name, _ in imported_names(path) if name.startswith("infra.review")]
        assert not review, f"{path.relative_to(PACKAGE)} imports {review}"
