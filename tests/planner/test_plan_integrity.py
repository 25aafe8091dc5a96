"""A plan nobody can forge: every way to change what a stack reads is seen or refused.

Each case makes a change a hostile pull request could make to a committed
copy of this repository, after the base's plans are in the cache. Then both
ways a reviewer meets the plan must hold:

- ``plan --base``: the stack is replanned at the base (never "inputs
  unchanged"), and a change of what is planned shows in its diff; or the
  plan is refused with an error;
- a plain ``plan``: the plan answered (from the cache or not) is the plan a
  fresh run makes of the changed tree; or it is refused.
"""

from __future__ import annotations

import json
import os
import py_compile
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from infra.planner.cache import PlanCache, cache_folder, refusal, run_cached
from infra.planner.compare import compare
from infra.planner.keys import Trees, plan_key
from infra.planner.runner import PlanFailed, PlanRequest, run_plans
from infra.planner.worktree import checkout, resolve_commit
from tests.conftest import git, invoke, trim_staging

SCHEDULING = "groups/sig-scheduling/groups.yaml"
KUEUE = "      - kueue-maintainer-2@example.com\n"
MEMBER = "      - mallory@example.com\n"
NEW_GROUP = (
    "groups:\n  - email-id: k8s-infra-staging-mallory@kubernetes.io\n"
    "    name: k8s-infra-staging-mallory\n    description: mallory\n"
    '    settings:\n      ReconcileMembers: "true"\n    members:\n      - mallory@example.com\n'
)


def add_member(text: str) -> str:
    """The kueue group, which writes to its staging registry, gains a member."""
    assert KUEUE in text
    return text.replace(KUEUE, KUEUE + MEMBER, 1)


def rewrite(relative: str, change: Callable[[str], str]) -> Callable[[Path], None]:
    def edit(repo: Path) -> None:
        path = repo / relative
        path.write_bytes(change(path.read_text(encoding="utf-8")).encode("utf-8"))

    return edit


def link_to_changed_copy(repo: Path) -> None:
    """The groups file becomes a link to a copy elsewhere that adds a member."""
    path = repo / SCHEDULING
    elsewhere = repo.parent / "elsewhere.yaml"
    elsewhere.write_text(add_member(path.read_text()))
    path.unlink()
    path.symlink_to(elsewhere)


def file_in_folder(folder: str) -> Callable[[Path], None]:
    """A new groups file in a folder named like a tool's or hidden."""

    def edit(repo: Path) -> None:
        target = repo / "groups" / folder / "groups.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(NEW_GROUP)

    return edit


def empty_groups_file(repo: Path) -> None:
    (repo / "groups" / "sig-empty").mkdir()
    (repo / "groups" / "sig-empty" / "groups.yaml").write_text("groups: []\n")


def delete_file(repo: Path) -> None:
    (repo / SCHEDULING).unlink()


def rename_file(repo: Path) -> None:
    (repo / SCHEDULING).rename(repo / "groups/sig-scheduling/groups.yml")


def make_executable(repo: Path) -> None:
    (repo / SCHEDULING).chmod(0o755)


def crlf(repo: Path) -> None:
    path = repo / SCHEDULING
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))


def shadow_a_provider(repo: Path) -> None:
    """A top-level package named like a provider, which the program would import."""
    (repo / "pulumi_gcp").mkdir()
    (repo / "pulumi_gcp" / "__init__.py").write_text("raise SystemExit('shadowed')\n")


def forged_bytecode(repo: Path) -> None:
    """Compiled code that skips every group, beside sources that do not say so: it is
    unchecked against its source, so Python would run it if it read it."""
    source = repo / "infra" / "groups" / "build.py"
    forged = repo.parent / "forged_build.py"
    forged.write_text("def build_groups(settings, declarations):\n    return None\n")
    target = Path(os.path.join(source.parent, "__pycache__", f"build.{_cache_tag()}.pyc"))
    py_compile.compile(
        str(forged),
        cfile=str(target),
        dfile=str(source),
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )


def _cache_tag() -> str:
    import sys

    tag = sys.implementation.cache_tag
    assert tag is not None
    return tag


def native_module(repo: Path) -> None:
    """A native module beside a source, which Python's default finder would prefer."""
    import importlib.machinery

    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    (repo / "infra" / "groups" / f"build{suffix}").write_bytes(b"\x7fELF not a module")


def code_comment(repo: Path) -> None:
    path = repo / "infra" / "groups" / "build.py"
    path.write_text(path.read_text() + "\n# a change in code\n")


def data_comment(repo: Path) -> None:
    path = repo / "infra" / "data" / "registry" / "s3-buckets.yaml"
    path.write_text(path.read_text() + "\n# a change in a data file\n")


def delete_staging_project(repo: Path) -> None:
    """infra.yaml loses a protected staging project."""
    path = repo / "infra" / "infra.yaml"
    text = path.read_text()
    assert "      k8s-staging-kwok:\n" in text
    path.write_text(text.replace("      k8s-staging-kwok:\n", "", 1))


@dataclass(frozen=True)
class Case:
    edit: Callable[[Path], None]
    stack: str
    # "change": the diff is not empty; "replanned": planned at the base again;
    # "refused": the plan fails, naming `names`; "same plan": nothing it runs changed
    shows: str
    names: str = ""


CASES = {
    "edit: a member added": Case(rewrite(SCHEDULING, add_member), "groups", "change"),
    "add: a new groups file": Case(
        file_in_folder("sig-mallory"), "groups", "refused", "groups/sig-mallory/groups.yaml"
    ),
    "add: an empty groups file": Case(empty_groups_file, "groups", "replanned"),
    "delete: a groups file": Case(delete_file, "groups", "change"),
    "rename: groups.yaml to groups.yml": Case(rename_file, "groups", "change"),
    "mode: groups.yaml made executable": Case(make_executable, "groups", "replanned"),
    "line endings only": Case(crlf, "groups", "replanned"),
    "symlink to a changed copy": Case(link_to_changed_copy, "groups", "refused", SCHEDULING),
    # restrictions.yaml lets no other file declare a group: each is read, and refused
    "a file under node_modules": Case(
        file_in_folder("node_modules/x"), "groups", "refused", "groups/node_modules/x/groups.yaml"
    ),
    "a file under .cache": Case(
        file_in_folder(".cache"), "groups", "refused", "groups/.cache/groups.yaml"
    ),
    "a file under a hidden folder": Case(
        file_in_folder(".hidden"), "groups", "refused", "groups/.hidden/groups.yaml"
    ),
    "a file under .venv": Case(
        file_in_folder(".venv/lib"), "groups", "refused", "groups/.venv/lib/groups.yaml"
    ),
    "a change in code": Case(code_comment, "groups", "replanned"),
    "a change in a data file under infra/": Case(data_comment, "registry-mirrors", "replanned"),
    "a protected project deleted": Case(delete_staging_project, "staging", "change"),
    # only the `infra` package is imported from a checkout: nothing else there runs
    "a package shadowing a provider": Case(shadow_a_provider, "groups", "same plan"),
    "compiled code beside its source": Case(forged_bytecode, "groups", "same plan"),
    "a native module beside its source": Case(native_module, "groups", "same plan"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_change_to_what_a_stack_reads_is_seen_or_refused(
    git_checkout: Callable[..., Path], session_plans: Path, name: str
) -> None:
    case = CASES[name]
    repo = git_checkout(trim_staging)
    requests = [PlanRequest(case.stack, repo, repo)]
    (before,) = run_cached(requests, PlanCache(session_plans))  # the base's plan, kept
    assert before.plan is not None
    case.edit(repo)

    # a plain plan: the plan of the changed tree, or a refusal (one the cache answered
    # is checked against a fresh run of the same tree)
    (plain,) = run_cached(requests, PlanCache(session_plans))
    (fresh,) = run_plans(requests) if plain.cached else (plain,)
    if case.shows == "refused":
        assert plain.plan is None and fresh.plan is None
        assert case.names in json.dumps(plain.error)
    else:
        assert plain.plan == fresh.plan
        if case.shows == "same plan":
            assert fresh.plan == before.plan
        else:
            assert not plain.cached or plain.key != before.key

    # against the base commit
    sha = resolve_commit(repo, "HEAD")
    with checkout(repo, sha) as tree:
        if case.shows == "refused":
            with pytest.raises(PlanFailed):
                compare(requests, tree, sha, PlanCache(session_plans))
            return
        (compared,) = compare(requests, tree, sha, PlanCache(session_plans))
    if case.shows == "same plan":
        assert compared.diff.empty
        return
    assert not compared.diff.inputs_unchanged, "the stack was not replanned at the base"
    assert compared.base is not None
    if case.shows == "change":
        assert not compared.diff.empty


def test_a_base_is_read_from_git_not_from_the_work_tree(
    git_checkout: Callable[..., Path], tmp_path: Path
) -> None:
    """Attributes cannot make the base's files differ from its blobs, and the
    repository gets no worktree."""
    repo = git_checkout(trim_staging)
    (repo / ".gitattributes").write_text("*.yaml eol=crlf\ngroups/** export-ignore\n")
    git(repo, "add", ".gitattributes")
    git(repo, "commit", "-qm", "attributes")
    sha = resolve_commit(repo, "HEAD")
    with checkout(repo, sha) as tree:
        written = (tree / SCHEDULING).read_bytes()
        blob = git(repo, "cat-file", "blob", f"{sha}:{SCHEDULING}").encode() + b"\n"
        assert written == blob and b"\r\n" not in written
        assert plan_key("groups", Trees(tree, tree, tree)) == plan_key(
            "groups", Trees(tree.resolve(), tree.resolve(), tree.resolve())
        )
    assert git(repo, "worktree", "list").count("\n") == 0


def test_a_link_in_the_base_commit_is_written_as_a_link(
    git_checkout: Callable[..., Path],
) -> None:
    repo = git_checkout(trim_staging)
    link = repo / "groups" / "sig-scheduling" / "linked.yaml"
    link.symlink_to("/etc/hostname")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "a link")
    with checkout(repo, resolve_commit(repo, "HEAD")) as tree:
        written = tree / "groups" / "sig-scheduling" / "linked.yaml"
        assert written.is_symlink() and os.readlink(written) == "/etc/hostname"


def test_a_cache_inside_the_checkout_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "checkout"
    (root / ".cache").mkdir(parents=True)
    assert refusal(root / ".cache" / "k8s-infra", root) is not None
    assert refusal(tmp_path / "elsewhere", root) is None


def test_a_cache_tracked_by_git_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other"
    (other / "cache").mkdir(parents=True)
    git(other, "init", "-q")
    (other / "cache" / "entry.json").write_text("{}")
    git(other, "add", ".")
    assert refusal(other / "cache", tmp_path / "checkout") is not None


def test_the_cache_folder_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("K8S_INFRA_CACHE", str(tmp_path / "mine"))
    assert cache_folder() == (tmp_path / "mine").resolve()
    monkeypatch.delenv("K8S_INFRA_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_folder() == (tmp_path / "xdg" / "k8s-infra").resolve()


def test_a_forged_or_damaged_entry_is_a_miss(
    git_checkout: Callable[..., Path], tmp_path: Path
) -> None:
    """An entry answers only for its own key, and only when its hash verifies."""
    repo = git_checkout(trim_staging)
    folder = tmp_path / "cache"
    request = PlanRequest("groups", repo, repo)
    (first,) = run_cached([request], PlanCache(folder))
    assert first.key is not None
    (entry,) = [p for p in folder.glob("groups/*.json") if p.name != "resources.json"]
    old = json.loads(entry.read_text())

    # the old plan copied under the key of changed content: its own key says otherwise
    rewrite(SCHEDULING, add_member)(repo)
    new_key = plan_key("groups", request.trees)
    shutil.copy(entry, folder / "groups" / f"{new_key}.json")
    (result,) = run_cached([request], PlanCache(folder))
    assert not result.cached and "mallory@example.com" in json.dumps(result.plan)

    # the key rewritten too: the hash binds the key to the plan
    forged = dict(old, key=new_key)
    (folder / "groups" / f"{new_key}.json").write_text(json.dumps(forged))
    (result,) = run_cached([request], PlanCache(folder))
    assert not result.cached and "mallory@example.com" in json.dumps(result.plan)

    # a plan altered in place, or cut short
    (repo / SCHEDULING).write_text((repo / SCHEDULING).read_text())  # same content
    stored = folder / "groups" / f"{new_key}.json"
    tampered = json.loads(stored.read_text())
    tampered["payload"]["resources"] = tampered["payload"]["resources"][:1]
    stored.write_text(json.dumps(tampered))
    (result,) = run_cached([request], PlanCache(folder))
    assert not result.cached and len(result.resources) > 1
    stored.write_text(stored.read_text()[:100])
    (result,) = run_cached([request], PlanCache(folder))
    assert not result.cached and result.plan is not None


def test_the_program_reading_an_undeclared_file_is_refused(
    git_checkout: Callable[..., Path],
) -> None:
    """The key holds what the concerns declare; a read outside it fails the plan."""

    def read_the_readme(repo: Path) -> None:
        (repo / "NOTES.md").write_text("not an input\n")
        program = repo / "infra" / "program.py"
        program.write_text(
            program.read_text() + "\n\n_unused = (data_root() / 'NOTES.md').read_text()\n"
        )

    repo = git_checkout(read_the_readme)
    (result,) = run_plans([PlanRequest("groups", repo, repo)])
    assert result.plan is None and result.error is not None
    assert "the program read NOTES.md" in result.error["message"]


def test_the_check_of_every_declaration_reads_only_what_its_key_holds() -> None:
    """The check kept in the cache is keyed by every concern's inputs and every stack
    file: checking the repository reads nothing else."""
    from infra.catalog.validation import load_declarations
    from infra.core.problems import Problems
    from infra.planner.checked import check_key, undeclared_by_check
    from infra.planner.reads import ReadRecorder
    from tests.conftest import REPO

    _key, allowed = check_key(REPO)
    recorder = ReadRecorder()
    with recorder.recording():
        load_declarations(REPO, Problems())
    assert undeclared_by_check(recorder.stop(), REPO, allowed) == []


@pytest.mark.plan
def test_a_cache_in_the_checkout_is_refused_with_a_warning(
    cli: CliRunner, checkout_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("K8S_INFRA_CACHE", str(checkout_copy / ".cache" / "k8s-infra"))
    result = invoke(cli, "--root", str(checkout_copy), "plan", "groups")
    assert result.exit_code == 0, result.output
    assert "is inside the checkout" in result.output
    assert "plans are not cached" in result.output
    assert not (checkout_copy / ".cache").exists()


def _linked_base(repo: Path) -> None:
    """A base whose groups file is a link to a file in the same tree."""
    path = repo / SCHEDULING
    (repo / "shared").mkdir()
    (repo / "shared" / "scheduling.yaml").write_text(path.read_text())
    path.unlink()
    path.symlink_to("../../shared/scheduling.yaml")


@pytest.mark.parametrize("change", ["retarget", "remove"])
def test_a_link_retargeted_or_removed_is_refused(
    git_checkout: Callable[..., Path], tmp_path: Path, change: str
) -> None:
    """Neither side of a change that involves a link is planned: it cannot pass as
    "no changes" whichever tree holds the link."""
    repo = git_checkout(_linked_base)
    path = repo / SCHEDULING
    if change == "retarget":
        (repo / "shared" / "other.yaml").write_text(add_member(path.read_text()))
        path.unlink()
        path.symlink_to("../../shared/other.yaml")
    else:
        text = path.read_text()
        path.unlink()
        path.write_text(add_member(text))
    requests = [PlanRequest("groups", repo, repo)]
    sha = resolve_commit(repo, "HEAD")
    with checkout(repo, sha) as tree, pytest.raises(PlanFailed) as failed:
        compare(requests, tree, sha, PlanCache(tmp_path / "cache"))
    assert "is a symbolic link" in json.dumps(failed.value.result.error)


@pytest.mark.parametrize("pattern", ["", "/etc/passwd", "../groups/**", "groups/../x", "**"])
def test_a_concern_declaring_a_path_outside_the_root_is_a_bug(pattern: str) -> None:
    from infra.declarations.inputs import check_pattern

    with pytest.raises(ValueError, match="input pattern"):
        check_pattern(pattern)


def test_an_id_map_in_the_environment_does_not_steer_an_offline_plan(
    repo_plan: Callable[[str], dict[str, Any]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """adopt's id map is for its own engine runs: a plan follows its files alone."""
    from tests.conftest import REPO

    monkeypatch.setenv("K8S_INFRA_IMPORTS", str(tmp_path / "no-such-map.json"))
    (result,) = run_plans([PlanRequest("groups", REPO)])
    assert result.plan == repo_plan("groups")
