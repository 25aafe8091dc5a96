"""`scripts/ci/deploy-sandbox.sh DIGEST`: pins the digest in the sandbox stack, then applies it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.e2e  # starts programs: see the marker in pyproject.toml

SCRIPT = REPO / "scripts" / "ci" / "deploy-sandbox.sh"
STACK = Path("stacks") / "Pulumi.registry-sandbox.yaml"
NEW = "sha256:" + "0123456789abcdef" * 4
IMAGE = "us-central1-docker.pkg.dev/k8s-staging-images/infra-tools/archeio"


def run(
    root: Path, *args: str, pulumi_root: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """The script as a CI job runs it: k8s-infra on PATH, and (or not) a Pulumi CLI."""
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "HOME": str(root),
        "K8S_INFRA_ROOT": str(root),
        "K8S_INFRA_PULUMI_ROOT": str(pulumi_root or ""),
        "NO_COLOR": "1",
        "CI": "1",
    }
    if pulumi_root:
        env["PULUMI_HOME"] = str(pulumi_root / "home")
    return subprocess.run([str(SCRIPT), *args], env=env, capture_output=True, text=True,
                          check=False, timeout=300)  # fmt: skip


def stand_in_pulumi(folder: Path) -> Path:
    """A `pulumi` that answers what the Automation API asks on `up`, noting every call."""
    script = folder / "bin" / "pulumi"
    script.parent.mkdir(parents=True)
    history = [{"kind": "update", "startTime": "2026-01-01T00:00:00.000Z", "message": "",
                "environment": {}, "config": {}, "result": "succeeded"}]  # fmt: skip
    (folder / "bin" / "history.json").write_text(json.dumps(history))
    script.write_text(
        "#!/bin/sh\n"
        'here="$(dirname "$0")"\n'
        'echo "$*" >> "$here/calls"\n'
        # the Automation API reads the event log until the cancel event a real CLI writes
        'prev=\'\'; for a in "$@"; do [ "$prev" = --event-log ] && '
        'echo \'{"sequence": 1, "timestamp": 0, "cancelEvent": {}}\' > "$a"; '
        'prev="$a"; done\n'
        'case "$*" in\n'
        "  *version*) echo v3.200.0 ;;\n"
        '  *whoami*) echo \'{"user": "ci"}\' ;;\n'
        "  *'stack output'*) echo '{}' ;;\n"
        "  *'stack history'*) cat \"$here/history.json\" ;;\n"
        "  *) exit 0 ;;\n"
        "esac\n"
    )
    script.chmod(0o755)
    return folder


@pytest.mark.parametrize("digest", ["", "latest", "sha256:abc", "sha256:" + "A" * 64,
                                    NEW + "\n", f"{NEW} --yes"])  # fmt: skip
def test_a_bad_digest_is_refused_before_anything_is_written(
    checkout_copy: Path, digest: str
) -> None:
    before = (checkout_copy / STACK).read_text()
    done = run(checkout_copy, *digest.split(" "))
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: expected one digest, sha256:<64 lowercase hex digits>")
    assert (checkout_copy / STACK).read_text() == before


def test_without_the_pulumi_cli_it_fails_cleanly_and_leaves_the_stack_file(
    checkout_copy: Path,
) -> None:
    before = (checkout_copy / STACK).read_text()
    done = run(checkout_copy, NEW)
    assert done.returncode == 3, done.stderr
    assert "error: Pulumi CLI not found" in done.stderr
    assert "Traceback" not in done.stderr
    assert (checkout_copy / STACK).read_text() == before


def test_it_pins_the_digest_and_applies_the_sandbox(checkout_copy: Path, tmp_path: Path) -> None:
    before = (checkout_copy / STACK).read_text()
    pulumi = stand_in_pulumi(tmp_path / "pulumi")
    done = run(checkout_copy, NEW, pulumi_root=pulumi)
    assert done.returncode == 0, done.stderr
    after = (checkout_copy / STACK).read_text()
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True)
               if a != b]  # fmt: skip
    assert changed == [(changed[0][0], f"    image: {IMAGE}@{NEW}")]
    calls = (pulumi / "bin" / "calls").read_text().splitlines()
    assert any(c.startswith("--non-interactive up --yes") and "--stack registry-sandbox" in c
               for c in calls), calls  # fmt: skip
    assert not any("registry-prod" in c for c in calls)
    assert f"registry-sandbox: archeio image pinned to {IMAGE}@{NEW}" in done.stderr


def test_the_pinned_stack_still_validates_and_plans_the_new_image(checkout_copy: Path) -> None:
    from infra.core.problems import Problems
    from infra.proxy.pin import pin_digest

    problems = Problems()
    pinned = pin_digest(checkout_copy, "registry-sandbox", NEW, problems)
    assert pinned == f"{IMAGE}@{NEW}" and not problems.has_errors
    done = subprocess.run(
        [str(Path(sys.executable).parent / "k8s-infra"), "--root", str(checkout_copy), "validate"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
