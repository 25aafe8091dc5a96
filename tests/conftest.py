"""Shared fixtures: the repository, the CLI runner and cached offline plans."""

from __future__ import annotations

import fcntl
import importlib.util
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from hypothesis import settings
from typer.testing import CliRunner, Result

from infra.declarations.stacks import stack_names
from infra.planner.cache import PLANS_DIR, PlanCache, run_cached
from infra.planner.runner import PlanFailed, PlanRequest
from tests.engines.stand_in import StandIn, install

# No test depends on the machine's speed: a property test's examples take what
# they take on a loaded machine (Hypothesis' default deadline is 200 ms each).
settings.register_profile("k8s-infra", deadline=None)
settings.load_profile("k8s-infra")

REPO = Path(__file__).resolve().parents[1]


def script(name: str) -> ModuleType:
    """``scripts/<name>.py``, loaded as a module (the scripts are no package)."""
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FIXTURES = Path(__file__).resolve().parent / "fixtures"


# Fixtures that plan whole stacks: tests using them are marked `plan`. The default
# run (`pytest`) leaves out `plan` and `e2e` tests; `scripts/dev.py test` and CI run all.
PLAN_FIXTURES = frozenset({"repo_plan", "demo_plan", "git_checkout", "small_repo", "repo_copy"})


pytest_plugins = ["tests.markers", "pytester"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if PLAN_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.plan)


@pytest.fixture(scope="session")
def plan_cache_folder(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """One plan cache for the session's workers: entries answer only for their content."""
    base = tmp_path_factory.getbasetemp()
    return (base if worker_id == "master" else base.parent) / "plan-cache"


@pytest.fixture(scope="session")
def session_plans(plan_cache_folder: Path) -> Path:
    """Where the session's commands keep their plans (K8S_INFRA_CACHE's plans folder),
    for tests that plan through the cache themselves: every worker shares it."""
    return plan_cache_folder / PLANS_DIR


@pytest.fixture(autouse=True)
def _plain_output(monkeypatch: pytest.MonkeyPatch, plan_cache_folder: Path) -> None:
    monkeypatch.setenv("K8S_INFRA_CACHE", str(plan_cache_folder))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("K8S_INFRA_ROOT", raising=False)
    monkeypatch.delenv("K8S_INFRA_GOOGLE_API_ENDPOINT", raising=False)


@pytest.fixture
def cli() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, *args: str, env: dict[str, str] | None = None) -> Result:
    """Run the CLI in-process; bugs raise instead of becoming exit code 1."""
    from infra.cli.app import app

    return runner.invoke(app, list(args), env=env, catch_exceptions=False)


@pytest.fixture(scope="session")
def repo_plan(
    tmp_path_factory: pytest.TempPathFactory, worker_id: str, session_plans: Path
) -> Callable[[str], dict[str, Any]]:
    """The offline plan of a stack on the repository's own declarations.

    Every stack is planned once per test session, in parallel, by the first
    worker that needs a plan; the others wait and read the same file. The plans
    go to the session's plan cache too, where a command planning a copy of the
    repository (the same content, so the same keys) finds them.
    """
    base = tmp_path_factory.getbasetemp()
    shared = base if worker_id == "master" else base.parent  # one folder per session
    cache = shared / "repo-plans.json"
    with (shared / "repo-plans.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not cache.exists():
            requests = [PlanRequest(stack, REPO) for stack in stack_names(REPO)]
            results = run_cached(requests, PlanCache(session_plans))
            failed = [r for r in results if r.plan is None]
            if failed:
                raise PlanFailed(failed[0])
            cache.write_text(json.dumps({r.request.stack: r.plan for r in results}))
    plans: dict[str, dict[str, Any]] = json.loads(cache.read_text())
    return plans.__getitem__


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return done.stdout.strip()


@pytest.fixture
def git_checkout(tmp_path: Path) -> Callable[..., Path]:
    """A committed git copy of this checkout (code and declarations), for --base plans.

    ``edit`` changes the copy before the commit, e.g. to trim a long section.
    """

    def make(edit: Callable[[Path], None] | None = None) -> Path:
        repo = tmp_path / "repo"
        shutil.copytree(
            REPO / "infra", repo / "infra", ignore=shutil.ignore_patterns("__pycache__")
        )
        shutil.copytree(REPO / "stacks", repo / "stacks")
        shutil.copytree(REPO / "groups", repo / "groups")
        shutil.copy(REPO / "Pulumi.yaml", repo / "Pulumi.yaml")
        if edit:
            edit(repo)
        git(repo, "init", "-q", "-b", "main")
        git(repo, "add", ".")
        git(repo, "commit", "-qm", "base")
        return repo

    return make


@pytest.fixture
def checkout_copy(tmp_path: Path) -> Path:
    """A copy of the repository's declarations to modify (code stays the installed one)."""
    target = tmp_path / "checkout"
    target.mkdir()
    shutil.copy(REPO / "Pulumi.yaml", target / "Pulumi.yaml")
    shutil.copytree(REPO / "stacks", target / "stacks")
    shutil.copytree(REPO / "groups", target / "groups")
    (target / "infra").mkdir()
    shutil.copy(REPO / "infra" / "infra.yaml", target / "infra" / "infra.yaml")
    shutil.copytree(REPO / "infra" / "data", target / "infra" / "data")
    return target


def trim_staging(repo: Path) -> None:
    """Keep three staging projects: the diff is the same, the plans much faster."""
    infra_yaml = repo / "infra" / "infra.yaml"
    head, _ = infra_yaml.read_text().split("    projects:\n      k8s-staging-addon-manager:", 1)
    infra_yaml.write_text(head + "    projects:\n      k8s-staging-addon-manager:\n"
                          "      k8s-staging-kwok:\n      k8s-staging-zeitgeist:\n")  # fmt: skip


def only_stacks(*names: str) -> Callable[[Path], None]:
    """Keep the stack files of ``names`` alone: a mechanism shown on a small estate
    (the proxy stacks plan 22 regions each) costs a fraction of the whole."""

    def edit(repo: Path) -> None:
        for path in (repo / "stacks").glob("Pulumi.*.yaml"):
            if path.name.removeprefix("Pulumi.").removesuffix(".yaml") not in names:
                path.unlink()
        # the allow file may name only stacks that exist
        allowed = repo / "infra" / "allowed-changes.yaml"
        if not allowed.exists():
            return
        document = yaml.safe_load(allowed.read_text(encoding="utf-8"))
        document["allowed"] = [a for a in document["allowed"] if a["stack"] in names]
        allowed.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")

    return edit


def declare_writer_group(repo: Path, name: str) -> None:
    """Onboarding starts with the writer group: declare and allow it under groups/."""
    address = f"k8s-infra-staging-{name}@kubernetes.io"
    groups = repo / "groups" / "sig-testing" / "groups.yaml"
    groups.write_text(groups.read_text() + (
        f"\n  - email-id: {address}\n    name: k8s-infra-staging-{name}\n"
        f"    settings:\n      ReconcileMembers: \"true\"\n"
        f"    members:\n      - {name}-maintainer@example.com\n"))  # fmt: skip
    restrictions = repo / "groups" / "restrictions.yaml"
    anchor = '  - path: "sig-testing/groups.yaml"\n    allowedGroups:\n'
    escaped = address.replace(".", "\\.")
    restrictions.write_text(restrictions.read_text().replace(
        anchor, f"{anchor}      - '^{escaped}$'\n"))  # fmt: skip


@pytest.fixture
def stand_in(tmp_path: Path) -> Callable[..., StandIn]:
    """``stand_in(**settings)``: a stand-in `pulumi` first on PATH (see tests/engines), for
    the commands that drive the real engine (`up`, `adopt`, `staging ensure`...)."""

    def make(**settings: Any) -> StandIn:
        return install(tmp_path, **settings)

    return make
