"""The real Pulumi engine, through the Automation API, where the CLI is installed.

Only ``preview``, ``up`` and ``staging ensure`` need it; everything offline
goes through the planner. A missing or too-old CLI becomes exit code 3; a
missing login, state backend or stack exit code 4, never a traceback.

The state backend is the project's (``backend.url`` in Pulumi.yaml, which
``PULUMI_BACKEND_URL`` overrides), so a stack is never looked for in
whatever backend someone happens to be logged into, and stacks are only
ever selected here, never created: creating one is a deliberate
``pulumi stack init`` with the project's secrets provider.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.core.environment import BACKEND_ENV, PULUMI_ROOT_ENV, ROOT_ENV
from infra.core.errors import CredentialsMissing, K8sInfraError, PulumiCliMissing
from infra.core.paths import CODE_ROOT, PROJECT_FILE
from infra.core.problems import Problems
from infra.declarations.stacks import read_project

# The oldest CLI these commands are known to work with, and the major version
# the Automation API of the locked SDK speaks.
MIN_VERSION = "3.150.0"
SUPPORTED_MAJOR = 3
# How the engine treats an import whose inputs differ from the live resource.
# Before 3.174.0 the import fails, naming the properties. From 3.174.0
# (pulumi/pulumi CHANGELOG: "Overhaul of how the import option works, the
# engine can now import and then update a resource in a single deployment",
# pulumi/pulumi#19339) it imports the resource and then updates it to the
# program's inputs, two steps of one run; pulumi/docs#18114 records it.
IMPORT_THEN_UPDATE_VERSION = "3.174.0"
# 3.174.0 itself could panic while importing (3.175.0: "Fix panic when
# importing resources", pulumi/pulumi#19750).
IMPORT_PANIC_FIXED_VERSION = "3.175.0"
# The SDK this project locks: its Automation API (pulumi/automation/events.py)
# defines the engine events read here. A newer CLI may send more.
EVENTS_CHECKED_VERSION = "3.272.0"
# Pulumi.yaml attribute of this project (Pulumi ignores top-level keys it does
# not know): the secrets provider every stack is created with.
SECRETS_PROVIDER_KEY = "k8s-infra:secretsProvider"
# Engine operations that change nothing.
UNCHANGED_OPS = frozenset({"same", "read"})


@dataclass(frozen=True)
class StateBackend:
    """Where stacks live, and how a new one must be created there."""

    url: str | None
    secrets_provider: str | None
    from_environment: bool = False

    def describe(self) -> str:
        if not self.url:
            return "the backend `pulumi login` chose"
        source = BACKEND_ENV if self.from_environment else f"{PROJECT_FILE} backend.url"
        return f"{self.url} ({source})"

    def init_command(self, stack: str) -> str:
        """The exact line that creates ``stack`` in this backend."""
        words = ["pulumi", "stack", "init", stack]
        if self.secrets_provider:
            words.append(f"--secrets-provider={self.secrets_provider}")
        return " ".join(shlex.quote(word) for word in words)


def state_backend(code_root: Path = CODE_ROOT) -> StateBackend:
    """The backend and secrets provider this project names; the environment wins."""
    # Unreadable, it names no backend: the login in use and the environment decide.
    settings = read_project(code_root / PROJECT_FILE, Problems()).attributes
    backend = settings.get("backend")
    url = backend.get("url") if isinstance(backend, dict) else None
    provider = settings.get(SECRETS_PROVIDER_KEY)
    override = os.environ.get(BACKEND_ENV)
    return StateBackend(
        url=override or (url if isinstance(url, str) else None),
        secrets_provider=provider if isinstance(provider, str) else None,
        from_environment=bool(override),
    )


def pulumi_command() -> Any:
    """A checked ``PulumiCommand``; raises PulumiCliMissing when it cannot run."""
    custom_root = os.environ.get(PULUMI_ROOT_ENV)
    binary = str(Path(custom_root) / "bin" / "pulumi") if custom_root else shutil.which("pulumi")
    if not binary or not Path(binary).exists():
        raise PulumiCliMissing(
            "Pulumi CLI not found (looked for `pulumi` on PATH"
            + (f" and in {custom_root}/bin" if custom_root else "")
            + ")",
            f"install version {MIN_VERSION} or newer (https://www.pulumi.com/docs/install/), "
            "or plan offline with `k8s-infra plan STACK`",
        )
    from pulumi import automation as auto

    try:
        # The version is checked below, whatever PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK says.
        command = auto.PulumiCommand(root=custom_root, skip_version_check=True)
    except (FileNotFoundError, subprocess.CalledProcessError, OSError) as exc:
        raise PulumiCliMissing(
            f"the Pulumi CLI at `{binary}` does not run: {exc}", "reinstall the Pulumi CLI"
        ) from None
    check_version(command.version)
    return command


def check_version(version: Any) -> None:
    """Refuse a CLI older than MIN_VERSION, or of another major version."""
    from semver import VersionInfo

    minimum = VersionInfo.parse(MIN_VERSION)
    if version is None:
        raise PulumiCliMissing(
            "the Pulumi CLI did not report a version", f"install version {MIN_VERSION} or newer"
        )
    if version < minimum:
        raise PulumiCliMissing(
            f"the Pulumi CLI is too old: {version}, these commands need {MIN_VERSION} or newer",
            f"install version {MIN_VERSION} or newer",
        )
    if version.major != SUPPORTED_MAJOR:
        raise PulumiCliMissing(
            f"the Pulumi CLI {version} is of another major version than this project's "
            f"SDK ({SUPPORTED_MAJOR}.x)",
            f"install a {SUPPORTED_MAJOR}.x version, {MIN_VERSION} or newer",
        )


@dataclass(frozen=True)
class ImportBehaviour:
    """What a CLI version's engine does with an import whose inputs differ."""

    version: str
    then_update: bool  # True: import, then update; False: the import fails
    warnings: tuple[str, ...] = ()

    def describe(self) -> str:
        how = (
            "imports, then updates to the program's inputs (adopt reads each step)"
            if self.then_update
            else "fails the import, naming the properties"
        )
        return f"Pulumi CLI {self.version}: an import whose inputs differ {how}"


def import_behaviour(version: Any) -> ImportBehaviour:
    """The import behaviour of ``version`` (a checked CLI), with what adopt warns about."""
    from semver import VersionInfo

    parsed = VersionInfo.parse(str(version))
    then_update = parsed >= VersionInfo.parse(IMPORT_THEN_UPDATE_VERSION)
    warnings: list[str] = []
    if then_update and parsed < VersionInfo.parse(IMPORT_PANIC_FIXED_VERSION):
        warnings.append(
            f"Pulumi CLI {parsed} can panic while importing (fixed in "
            f"{IMPORT_PANIC_FIXED_VERSION}): install {IMPORT_PANIC_FIXED_VERSION} or newer"
        )
    if parsed > VersionInfo.parse(EVENTS_CHECKED_VERSION):
        warnings.append(
            f"Pulumi CLI {parsed} is newer than the SDK this project locks "
            f"({EVENTS_CHECKED_VERSION}): its steps are read as that SDK defines them, and an "
            "operation adopt does not know stops it"
        )
    return ImportBehaviour(str(parsed), then_update, tuple(warnings))


def select_stack(
    root: Path, stack: str, command: Any = None, env: Mapping[str, str] | None = None
) -> Any:
    """The stack of this code's project, reading declarations from ``root``.

    As with ``plan``, ``--root`` swaps the declarations, never the code: the
    workspace is this package's project, and the program finds the data root
    through K8S_INFRA_ROOT. ``env`` adds variables for this run's program only
    (adopt's id map).
    """
    from pulumi import automation as auto

    command = command or pulumi_command()
    backend = state_backend()
    try:
        workspace = auto.LocalWorkspace(
            work_dir=str(CODE_ROOT),
            pulumi_command=command,
            env_vars={ROOT_ENV: str(root), **(env or {})},
        )
        workspace.who_am_i()
        return auto.Stack.select(stack, workspace)
    except auto.StackNotFoundError:
        raise CredentialsMissing(
            f"stack `{stack}` does not exist in the state backend {backend.describe()}",
            f"create it once, from {CODE_ROOT}: {backend.init_command(stack)}",
        ) from None
    except auto.CommandError as exc:
        first = str(exc).strip().splitlines()
        raise CredentialsMissing(
            f"no Pulumi state backend or credentials for {backend.describe()}: "
            + (first[-1] if first else "login failed"),
            f"run `pulumi login {backend.url or 'gs://<state bucket>'}` and "
            "`gcloud auth application-default login` first",
        ) from None


# The guard rails' policy pack (infra.guardrails), run by every preview and update.
POLICY_PACK_DIR = CODE_ROOT / "policy-pack"


@dataclass(frozen=True)
class PolicyPack:
    """The pack folder and the policy config file made from the declarations."""

    folder: Path
    config: Path

    def options(self) -> dict[str, list[str]]:
        return {"policy_packs": [str(self.folder)], "policy_pack_configs": [str(self.config)]}


@dataclass(frozen=True)
class Targets:
    """A targeted run: these URNs only (and, with ``dependents``, what depends on them)."""

    urns: tuple[str, ...]
    dependents: bool = False


@dataclass(frozen=True)
class EngineStep:
    """One step of a preview or update, from the engine's ``resourcePreEvent``.

    The shape of the Automation API's ``StepEventMetadata``
    (``pulumi/automation/events.py``): the operation, the resource, its old
    state (for an update after an import: the inputs read from the live
    resource) and its new state (the program's inputs), the keys that differ
    (``diffs``), each property path with its kind (``detailedDiff``) and the
    keys that force a replacement (``keys``). Plain data: no SDK object.
    """

    op: str
    urn: str
    type: str
    old_inputs: Mapping[str, Any] | None = None
    new_inputs: Mapping[str, Any] | None = None
    old_outputs: Mapping[str, Any] | None = None
    diffs: tuple[str, ...] = ()
    detailed_diff: Mapping[str, str] = field(default_factory=dict)
    keys: tuple[str, ...] = ()
    custom: bool | None = None

    @property
    def name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]


def step_from_metadata(metadata: Any) -> EngineStep:
    """An ``EngineStep`` from the SDK's ``StepEventMetadata``."""
    old, new = metadata.old, metadata.new
    return EngineStep(
        op=str(getattr(metadata.op, "value", metadata.op)),
        urn=metadata.urn,
        type=metadata.type,
        old_inputs=dict(old.inputs or {}) if old is not None else None,
        new_inputs=dict(new.inputs or {}) if new is not None else None,
        old_outputs=dict(old.outputs or {}) if old is not None else None,
        diffs=tuple(metadata.diffs or ()),
        detailed_diff={
            path: str(getattr(d.diff_kind, "value", d.diff_kind))
            for path, d in (metadata.detailed_diff or {}).items()
        },
        keys=tuple(metadata.keys or ()),
        custom=(new or old).custom if (new or old) is not None else None,
    )


@dataclass(frozen=True)
class EngineRun:
    """What one preview or update of one stack did: the summary's counts and each step."""

    stack: str
    operation: str
    changes: Mapping[str, int] = field(default_factory=dict)
    steps: tuple[EngineStep, ...] = ()

    @property
    def changed(self) -> int:
        """How many resources would change (or changed): every operation but same and read."""
        return sum(n for op, n in self.changes.items() if op not in UNCHANGED_OPS)

    def summary(self) -> str:
        """``preview staging: 2 update, 1 create (40 unchanged)``."""
        changed = ", ".join(
            f"{n} {op}" for op, n in sorted(self.changes.items()) if n and op not in UNCHANGED_OPS
        )
        unchanged = sum(n for op, n in self.changes.items() if op in UNCHANGED_OPS)
        return f"{self.operation} {self.stack}: {changed or 'no changes'} ({unchanged} unchanged)"

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "operation": self.operation,
            "changes": dict(sorted(self.changes.items())),
            "changed": self.changed,
        }


def run(
    root: Path,
    stack: str,
    operation: str,
    on_output: Callable[[str], None],
    *,
    refresh: bool = False,
    targets: Targets | None = None,
    command: Any = None,
    policy_pack: PolicyPack | None = None,
    env: Mapping[str, str] | None = None,
) -> EngineRun:
    """Run ``preview`` or ``up`` on a stack, streaming the engine's output.

    ``refresh`` reads the cloud first, so changes made by hand show as drift;
    ``targets`` limits the run to those resources (Pulumi's ``--target``);
    ``policy_pack`` runs the guard rails on every resource (a mandatory
    violation fails the run).
    """
    from pulumi import automation as auto

    selected = select_stack(root, stack, command, env)
    steps: list[EngineStep] = []

    def on_event(event: Any) -> None:
        if event.resource_pre_event is not None:
            steps.append(step_from_metadata(event.resource_pre_event.metadata))

    options: dict[str, Any] = {
        "on_output": on_output, "on_event": on_event, "diff": True, "refresh": refresh,
    }  # fmt: skip
    if targets is not None:
        options["target"] = list(targets.urns)
        options["target_dependents"] = targets.dependents or None
    if policy_pack is not None:
        options.update(policy_pack.options())
    try:
        if operation == "preview":
            previewed = selected.preview(**options)
            return EngineRun(stack, operation, _counts(previewed.change_summary), tuple(steps))
        updated = selected.up(**options)
        return EngineRun(stack, operation, _counts(updated.summary.resource_changes), tuple(steps))
    except (auto.CommandError, RuntimeError) as exc:
        raise _engine_failure(stack, operation, exc) from None


def _counts(summary: Mapping[Any, int] | None) -> dict[str, int]:
    """Operation -> count, keyed by the operation's plain name."""
    return {str(getattr(op, "value", op)): int(n) for op, n in (summary or {}).items()}


# What each provider (and the backend) prints when it has no credentials, and the hint for it.
_CREDENTIAL_SIGNS: dict[str, tuple[tuple[str, ...], str]] = {
    "aws": (
        (
            "no valid credential sources",
            "nocredentialproviders",
            "invalidclienttokenid",
            "expiredtoken",
            "security token included in the request is invalid",
            "failed to refresh cached credentials",
            "sso session",
            "unable to locate credentials",
        ),
        "AWS: run `aws sso login` (or set AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY), or give the job its role",
    ),
    "google": (
        (
            "could not find default credentials",
            "application default credentials",
            "invalid_grant",
            "unauthenticated",
            "reauthentication",
            "no credentials",
        ),
        "Google Cloud: run `gcloud auth application-default login` (or give the job its identity)",
    ),
    "backend": (
        ("pulumi login",),
        "the state backend: run `pulumi login <backend>` (Pulumi.yaml's `backend.url`)",
    ),
}


def _engine_failure(stack: str, operation: str, exc: Exception) -> K8sInfraError:
    """One line from what the engine printed last; exit 4 when credentials are the cause,
    with a hint for each provider whose credentials are missing."""
    lines = [
        re.sub(r"^(code|stdout|stderr):\s*", "", line.strip())
        for line in str(exc).splitlines()
        if line.strip()
    ]
    errors = [line for line in lines if "error" in line.lower()]
    last = (errors or lines or ["the engine failed"])[-1]
    text = str(exc).lower()
    hints = [hint for signs, hint in _CREDENTIAL_SIGNS.values() if any(s in text for s in signs)]
    if hints:
        return CredentialsMissing(
            f"`{operation} {stack}` failed for lack of credentials: {last}", "; ".join(hints)
        )
    return K8sInfraError(
        f"`{operation} {stack}` failed: {last}",
        "the engine's output above shows the resource and the provider's error",
    )


def target_flags(targets: Targets) -> Sequence[str]:
    """The CLI flags of a targeted run, for people to rerun it by hand."""
    flags = [f"--target={urn}" for urn in targets.urns]
    return [*flags, "--target-dependents"] if targets.dependents else flags
