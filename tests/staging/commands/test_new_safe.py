"""`staging new` edits all three files or none, one run at a time, keeping each file's form.

The child processes run the real CLI; `stop_at.py` stops one at a step of
its edit, the test sends it a real signal and lets it go on.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import invoke

HERE = Path(__file__).parent
FILES = ("infra/infra.yaml", "groups/sig-testing/groups.yaml", "groups/restrictions.yaml")
ARGS = ("staging", "new", "widget", "--dir", "sig-testing", "--writers", "dev@example.com")


def snapshot(repo: Path) -> dict[str, bytes]:
    return {p.relative_to(repo).as_posix(): p.read_bytes() for p in sorted(repo.rglob("*"))
            if p.is_file()}  # fmt: skip


def child(repo: Path, label: str, log: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(HERE / "stop_at.py"), label, str(log), "--", "--root", str(repo),
         *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "COLUMNS": "400"},
    )  # fmt: skip


def steps(repo: Path, tmp_path: Path) -> list[str]:
    """Every step a run passes, from a run that stops nowhere (on a copy)."""
    copy = tmp_path / "steps"
    shutil.copytree(repo, copy)
    log = tmp_path / "steps.log"
    done = child(copy, "-", log, *ARGS)
    _, err = done.communicate(timeout=120)
    assert done.returncode == 0, err
    return log.read_text().splitlines()


@pytest.mark.e2e
def test_every_step_a_signal_can_land_on_leaves_all_three_files_or_none(
    checkout_copy: Path, tmp_path: Path
) -> None:
    labels = steps(checkout_copy, tmp_path)
    assert labels == [
        "locked",
        *(f"staged {name}" for name in FILES),
        *(f"renamed {name}" for name in FILES),
        "committed",
    ]
    before = snapshot(checkout_copy)
    after: dict[str, bytes] | None = None
    kinds = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
    cases = [(label, kinds[i % 3]) for i, label in enumerate(labels)]
    cases += [("staged groups/sig-testing/groups.yaml", s) for s in kinds]
    for label, signum in cases:
        repo = tmp_path / "run"
        shutil.rmtree(repo, ignore_errors=True)
        shutil.copytree(checkout_copy, repo)
        log = tmp_path / "run.log"
        log.unlink(missing_ok=True)
        running = child(repo, label, log, *ARGS)
        _, status = os.waitpid(running.pid, os.WUNTRACED)
        assert os.WIFSTOPPED(status), (label, running.communicate())
        os.kill(running.pid, signum)
        os.kill(running.pid, signal.SIGCONT)
        _, err = running.communicate(timeout=120)
        name = signal.Signals(signum).name
        assert running.returncode == 128 + signum, (label, name, err)
        assert "Traceback" not in err
        state = {k: v for k, v in snapshot(repo).items()}
        if label.startswith(("renamed", "committed")):
            # the renames hold the signal back: it lands after the last one
            assert f"error: interrupted by {name}; changed " + ", ".join(FILES) in err, err
            after = after or state
            assert state == after
            assert state != before
        else:
            assert f"error: interrupted by {name}; nothing was changed" in err, (label, err)
            assert state == before, (label, name)  # no file changed, no temporary left
    assert after is not None


@pytest.mark.e2e
def test_two_runs_at_once_both_onboard(checkout_copy: Path, tmp_path: Path) -> None:
    """The second run waits for the first one's lock, then reads what it wrote."""
    first = child(checkout_copy, "locked", tmp_path / "first.log", *ARGS)
    _, status = os.waitpid(first.pid, os.WUNTRACED)
    assert os.WIFSTOPPED(status)
    second = child(checkout_copy, "-", tmp_path / "second.log", "staging", "new",
                   "gadget", "--dir", "sig-testing")  # fmt: skip
    same = child(checkout_copy, "-", tmp_path / "same.log", *ARGS)
    deadline = 200
    while deadline and not (tmp_path / "second.log").exists():
        deadline -= 1
        try:
            second.wait(timeout=0.05)
            break
        except subprocess.TimeoutExpired:
            pass
    # the first holds the lock: the others wait, saying so, before any step
    assert not (tmp_path / "second.log").exists()
    os.kill(first.pid, signal.SIGCONT)
    results = [p.communicate(timeout=120) for p in (first, second, same)]
    assert first.returncode == 0, results[0][1]
    assert second.returncode == 0, results[1][1]
    assert "waiting for another k8s-infra command editing" in results[1][1]
    assert same.returncode == 1, results[2][1]  # read after the first wrote: taken
    assert "the name `widget` is taken" in results[2][1]
    text = (checkout_copy / "infra/infra.yaml").read_text()
    assert "widget: {writers: [group:k8s-infra-staging-widget@kubernetes.io]}" in text
    assert "gadget: {writers: [group:k8s-infra-staging-gadget@kubernetes.io]}" in text
    assert not list(checkout_copy.rglob("*.k8s-infra-edit"))


@pytest.mark.e2e
def test_the_lock_gives_up_with_nothing_changed(checkout_copy: Path, tmp_path: Path) -> None:
    from infra.core import safe_write

    holder = child(checkout_copy, "locked", tmp_path / "holder.log", *ARGS)
    _, status = os.waitpid(holder.pid, os.WUNTRACED)
    assert os.WIFSTOPPED(status)
    try:
        with (
            pytest.raises(safe_write.EditFailed, match="nothing was changed"),
            safe_write.editing(checkout_copy, wait=0.3),
        ):
            pytest.fail("entered while another command held the lock")
    finally:
        os.kill(holder.pid, signal.SIGCONT)
        holder.communicate(timeout=120)
    assert holder.returncode == 0


def test_modes_and_line_endings_are_kept(cli: CliRunner, checkout_copy: Path) -> None:
    """Declarations are regular files (a link is refused by every reader), so only
    their modes and line endings have something to keep."""
    infra_yaml = checkout_copy / "infra/infra.yaml"
    crlf = infra_yaml.read_bytes().replace(b"\n", b"\r\n")
    infra_yaml.write_bytes(crlf)
    infra_yaml.chmod(0o664)
    restrictions = checkout_copy / "groups/restrictions.yaml"
    restrictions.chmod(0o640)
    groups = checkout_copy / "groups/sig-testing/groups.yaml"
    old_groups = groups.read_text()
    old_restrictions = restrictions.read_text()

    result = invoke(cli, "--root", str(checkout_copy), *ARGS)
    assert result.exit_code == 0, result.output

    assert stat.S_IMODE(infra_yaml.stat().st_mode) == 0o664
    assert stat.S_IMODE(restrictions.stat().st_mode) == 0o640
    new = infra_yaml.read_bytes()
    assert new.count(b"\n") == new.count(b"\r\n")  # every line still ends in CRLF
    old_lines, new_lines = crlf.split(b"\r\n"), new.split(b"\r\n")
    assert [line for line in new_lines if line not in old_lines] == [
        b"          widget: {writers: [group:k8s-infra-staging-widget@kubernetes.io]}"
    ]
    assert len(new_lines) == len(old_lines) + 1
    for old, path in ((old_groups, groups), (old_restrictions, restrictions)):
        lines = path.read_text().splitlines()
        kept = iter(lines)
        assert all(line in kept for line in old.splitlines())  # only lines added, in order
    assert invoke(cli, "--root", str(checkout_copy), "validate").exit_code == 0


def test_with_or_without_the_prefix_the_same_files(cli: CliRunner, checkout_copy: Path,
                                                   tmp_path: Path) -> None:  # fmt: skip
    other = tmp_path / "other"
    shutil.copytree(checkout_copy, other)
    assert invoke(cli, "--root", str(checkout_copy), *ARGS).exit_code == 0
    prefixed = ("staging", "new", "k8s-staging-widget", *ARGS[3:])
    assert invoke(cli, "--root", str(other), *prefixed).exit_code == 0
    assert snapshot(other) == snapshot(checkout_copy)
    assert b"k8s-infra-staging-widget@kubernetes.io" in (other / FILES[1]).read_bytes()


def test_a_tree_without_shared_registries_says_so(cli: CliRunner, checkout_copy: Path) -> None:
    infra_yaml = checkout_copy / "infra/infra.yaml"
    text = infra_yaml.read_text()
    head, rest = text.split("  staging-images:\n", 1)
    infra_yaml.write_text(head + "  staging:\n" + rest.split("\n  staging:\n", 1)[1])
    stack = checkout_copy / "stacks/Pulumi.staging-images.yaml"
    stack.unlink()
    assert invoke(cli, "--root", str(checkout_copy), "validate").exit_code == 0
    before = snapshot(checkout_copy)
    result = invoke(cli, "--root", str(checkout_copy), *ARGS)
    assert result.exit_code == 1, result.output
    assert "has no `infra.staging-images.projects` section" in result.stderr
    assert "nothing was changed" in result.stderr
    assert "--project" in result.stderr
    assert snapshot(checkout_copy) == before
    own = invoke(cli, "--root", str(checkout_copy), *ARGS, "--project")
    assert own.exit_code == 0, own.output
    assert "\n      k8s-staging-widget:\n" in infra_yaml.read_text()


def test_upstream_layout(cli: CliRunner, checkout_copy: Path) -> None:
    """A kubernetes/k8s.io checkout: infra/gcp/infra.yaml, groups/, no stack files."""
    upstream = checkout_copy
    (upstream / "infra/gcp").mkdir()
    shutil.move(upstream / "infra/infra.yaml", upstream / "infra/gcp/infra.yaml")
    shutil.rmtree(upstream / "stacks")
    shutil.rmtree(upstream / "infra/data")
    (upstream / "Pulumi.yaml").unlink()
    before = snapshot(upstream)
    result = invoke(cli, "--root", str(upstream), *ARGS)
    assert result.exit_code == 0, result.output
    assert "wrote infra/gcp/infra.yaml" in result.stderr
    after = snapshot(upstream)
    assert set(after) == set(before)  # no infra/infra.yaml appears
    changed = sorted(k for k in after if after[k] != before[k])
    assert changed == sorted(["infra/gcp/infra.yaml", *FILES[1:]])
    assert invoke(cli, "--root", str(upstream), "validate").exit_code == 0


@pytest.mark.e2e
def test_a_run_killed_outright_changes_nothing_and_the_next_one_cleans_up(
    checkout_copy: Path, tmp_path: Path
) -> None:
    before = snapshot(checkout_copy)
    running = child(checkout_copy, "staged groups/sig-testing/groups.yaml", tmp_path / "k.log",
                    *ARGS)  # fmt: skip
    _, status = os.waitpid(running.pid, os.WUNTRACED)
    assert os.WIFSTOPPED(status)
    os.kill(running.pid, signal.SIGKILL)
    running.communicate(timeout=60)
    assert running.returncode == -signal.SIGKILL
    left = {k: v for k, v in snapshot(checkout_copy).items() if k not in before}
    assert left and all(k.endswith(".k8s-infra-edit") for k in left)  # its temporaries
    assert {k: v for k, v in snapshot(checkout_copy).items() if k in before} == before
    again = child(checkout_copy, "-", tmp_path / "again.log", *ARGS)
    _, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert not list(checkout_copy.rglob("*.k8s-infra-edit"))
