"""The planner only plans: review rendering lives in infra/review, which reads the
planner's plans and comparisons, never the other way round."""

from __future__ import annotations

from tests.test_layout import PACKAGE, imported_names

# Re-exports the allow file's reader for modules that import it from its old place.
SHIM = PACKAGE / "planner" / "allowances.py"


def test_no_planner_module_imports_the_review_package() -> None:
    for path in sorted((PACKAGE / "planner").rglob("*.py")):
        if path == SHIM:
            continue
        review = [name for name, _ in imported_names(path) if name.startswith("infra.review")]
        assert not review, f"{path.relative_to(PACKAGE)} imports {review}"


def test_the_review_package_holds_the_rendering() -> None:
    modules = {p.stem for p in (PACKAGE / "review").glob("*.py")}
    assert {"leaves", "escape", "report", "summary", "dangers", "allowances", "pictures",
            "graphs"} <= modules  # fmt: skip
    assert not {"report", "summary", "dangers", "pictures", "graphs"} & {
        p.stem for p in (PACKAGE / "planner").glob("*.py")
    }
