"""The real Pulumi engine, through the Automation API, where the CLI is installed.

Only ``preview`` and ``up`` need it; everything offline goes through the
planner. A missing or too-old CLI becomes exit code 3, a missing login or
state backend exit code 4, never a traceback.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from infra.core.errors import CredentialsMissing, K8sInfraError, PulumiCliMissing
from infra.core.paths import CODE_ROOT, ROOT_ENV

CLI_ROOT_ENV = "K8S_INFRA_PULUMI_ROOT"
MIN_VERSION = "3.150.0"


def pulumi_command() -> Any:
    """A checked ``PulumiCommand``; raises PulumiCliMissing when it cannot run."""
    custom_root = os.environ.get(CLI_ROOT_ENV)
    binary = str(Path(custom_root) / "bin" / "pulumi") if custom_root else shutil.which("pulumi")
    if not binary or not Path(binary).exists():
        raise PulumiCliMissing(
            "Pulumi CLI not found (looked for `pulumi` on PATH"
            + (f" and in {custom_root}/bin" if custom_root else "")
            + ")",
            "install it (https://www.pulumi.com/docs/install/), or plan offline "
            "with `k8s-infra plan STACK`",
        )
    from pulumi import automation as auto
    from semver import VersionInfo

    try:
        return auto.PulumiCommand(root=custom_root, version=VersionInfo.parse(MIN_VERSION))
    except auto.InvalidVersionError as exc:
        raise PulumiCliMissing(
            f"the Pulumi CLI is too old: {exc}", f"install version {MIN_VERSION} or newer"
        ) from None
    except (FileNotFoundError, subprocess.CalledProcessError, OSError) as exc:
        raise PulumiCliMissing(
            f"the Pulumi CLI at `{binary}` does not run: {exc}", "reinstall the Pulumi CLI"
        ) from None


def select_stack(root: Path, stack: str) -> Any:
    """The stack of this code's project, reading declarations from ``root``.

    As with ``plan``, ``--root`` swaps the declarations, never the code: the
    workspace is this package's project, and the program finds the data root
    through K8S_INFRA_ROOT.
    """
    from pulumi import automation as auto

    command = pulumi_command()
    try:
        workspace = auto.LocalWorkspace(
            work_dir=str(CODE_ROOT),
            pulumi_command=command,
            env_vars={ROOT_ENV: str(root)},
        )
        workspace.who_am_i()
        return auto.Stack.select(stack, workspace)
    except auto.StackNotFoundError:
        raise CredentialsMissing(
            f"stack `{stack}` does not exist in the state backend",
            f"check `pulumi login`, then `pulumi stack init {stack}` once",
        ) from None
    except auto.CommandError as exc:
        first = str(exc).strip().splitlines()
        raise CredentialsMissing(
            "no Pulumi state backend or credentials: " + (first[-1] if first else "login failed"),
            "run `pulumi login gs://<state bucket>` and "
            "`gcloud auth application-default login` first",
        ) from None


def run(
    root: Path,
    stack: str,
    operation: str,
    on_output: Callable[[str], None],
    *,
    refresh: bool = False,
) -> Any:
    """Run ``preview`` or ``up`` on a stack, streaming the engine's output.

    ``refresh`` reads the cloud first, so changes made by hand show as drift.
    """
    from pulumi import automation as auto

    selected = select_stack(root, stack)
    try:
        if operation == "preview":
            return selected.preview(on_output=on_output, diff=True, refresh=refresh)
        return selected.up(on_output=on_output, diff=True, refresh=refresh)
    except (auto.CommandError, RuntimeError) as exc:
        raise _engine_failure(stack, operation, exc) from None


_CREDENTIAL_SIGNS = (
    "could not find default credentials",
    "application default credentials",
    "invalid_grant",
    "unauthenticated",
    "pulumi login",
    "no credentials",
)


def _engine_failure(stack: str, operation: str, exc: Exception) -> K8sInfraError:
    """One line from what the engine printed last; exit 4 when credentials are the cause."""
    lines = [
        re.sub(r"^(code|stdout|stderr):\s*", "", line.strip())
        for line in str(exc).splitlines()
        if line.strip()
    ]
    errors = [line for line in lines if "error" in line.lower()]
    last = (errors or lines or ["the engine failed"])[-1]
    if any(sign in str(exc).lower() for sign in _CREDENTIAL_SIGNS):
        return CredentialsMissing(
            f"`{operation} {stack}` failed for lack of credentials: {last}",
            "run `gcloud auth application-default login` (or give the job its identity)",
        )
    return K8sInfraError(
        f"`{operation} {stack}` failed: {last}",
        "the engine's output above shows the resource and the provider's error",
    )
