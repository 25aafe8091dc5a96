"""`preview` and `up` through the Automation API, against a stand-in `pulumi` on PATH."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner, Result

from infra.cli import pulumi_ops
from tests.conftest import REPO, invoke
from tests.engines.stand_in import StandIn

pytestmark = pytest.mark.e2e  # starts programs: see the marker in pyproject.toml

ORDER = [
    "groups",
    "staging",
    "staging-images",
    "registry-mirrors",
    "registry-sandbox",
    "registry-prod",
]
StandInFactory = Callable[..., StandIn]


def run(cli: CliRunner, fake: StandIn, *args: str, env: dict[str, str] | None = None) -> Result:
    return invoke(cli, "--root", str(REPO), *args, env={**fake.env(), **(env or {})})


def test_preview_runs_the_stack_of_this_project_with_the_declarations_root(
    cli: CliRunner, stand_in: StandInFactory, checkout_copy: Path
) -> None:
    fake = stand_in(changes={"staging": {"update": 2, "same": 40}})
    result = invoke(cli, "--root", str(checkout_copy), "preview", "staging", env=fake.env())
    assert result.exit_code == 0, result.output
    assert "preview staging: 2 update (40 unchanged)" in result.stderr
    assert result.stdout == ""
    call = fake.last("preview", "staging")
    # the engine runs this code's project; the other checkout only lends its declarations
    assert (call["cwd"], call["root"]) == (str(REPO), str(checkout_copy))
    assert "--target" not in call["args"]


def test_preview_and_up_run_the_guard_rails_with_config_from_the_declarations(
    cli: CliRunner, stand_in: StandInFactory, checkout_copy: Path
) -> None:
    from infra.core.problems import Problems
    from infra.guardrails.settings import policy_config

    fake = stand_in(changes={"registry-prod": {"update": 1, "same": 40}})
    preview = invoke(cli, "--root", str(checkout_copy), "preview", "registry-prod", env=fake.env())
    up = invoke(cli, "--root", str(checkout_copy), "up", "groups", "--yes", env=fake.env())
    assert (preview.exit_code, up.exit_code) == (0, 0), preview.output + up.output
    expected = policy_config(checkout_copy, Problems())
    for operation, stack in (("preview", "registry-prod"), ("up", "groups")):
        call = fake.last(operation, stack)
        args = call["args"]
        assert args[args.index("--policy-pack") + 1] == str(REPO / "policy-pack")
        assert call["policy_config"] == expected
    assert expected["member-sources"]["groups"]  # made from this checkout's groups/


@pytest.mark.parametrize("version", ["3.272.0", "3.200.0"])
def test_events_reach_the_summary_over_grpc_and_the_event_log_file(
    cli: CliRunner, stand_in: StandInFactory, version: str
) -> None:
    """CLIs newer than 3.205 stream engine events over gRPC, older ones to a file."""
    fake = stand_in(version=version, changes={"groups": {"create": 1, "same": 4}})
    result = run(cli, fake, "preview", "groups", "--json")
    assert result.exit_code == 0, result.output
    assert '"changes": {\n        "create": 1,\n        "same": 4\n      }' in result.stdout


@pytest.mark.parametrize(
    ("version", "message"),
    [
        ("3.149.0", "the Pulumi CLI is too old: 3.149.0, these commands need 3.150.0 or newer"),
        ("4.0.0", "the Pulumi CLI 4.0.0 is of another major version"),
    ],
)
def test_the_cli_version_is_checked(
    cli: CliRunner, stand_in: StandInFactory, version: str, message: str
) -> None:
    fake = stand_in(version=version)
    result = run(
        cli, fake, "preview", "staging", env={"PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK": "1"}
    )
    assert result.exit_code == 3, result.output
    assert f"error: {message}" in result.stderr
    assert [c["args"][-1] for c in fake.calls()] == ["version"]


def test_a_missing_cli_is_exit_code_3(cli: CliRunner, tmp_path: Path) -> None:
    env = {"PATH": str(tmp_path), "K8S_INFRA_PULUMI_ROOT": ""}
    for command in (["preview", "all"], ["up", "staging", "--yes"]):
        result = invoke(cli, "--root", str(REPO), *command, env=env)
        assert result.exit_code == 3, result.output
        assert "error: Pulumi CLI not found" in result.stderr
        assert "install version 3.150.0 or newer" in result.stderr
        assert "Traceback" not in result.output


def test_a_cli_without_login_is_exit_code_4(cli: CliRunner, stand_in: StandInFactory) -> None:
    fake = stand_in(whoami_error="error: PULUMI_ACCESS_TOKEN must be set for login")
    result = run(cli, fake, "preview", "staging")
    assert result.exit_code == 4, result.output
    assert "error: no Pulumi state backend or credentials for gs://k8s-infra-pulumi-state" in (
        result.stderr
    )
    assert "pulumi login gs://k8s-infra-pulumi-state" in result.stderr


def test_the_backend_is_named_in_the_project_file() -> None:
    project = yaml.safe_load((REPO / "Pulumi.yaml").read_text())
    assert project["backend"]["url"].startswith("gs://")
    assert project["k8s-infra:secretsProvider"].startswith("gcpkms://")


@pytest.mark.parametrize(
    ("environment", "backend"),
    [
        ({}, "gs://k8s-infra-pulumi-state (Pulumi.yaml backend.url)"),
        ({"PULUMI_BACKEND_URL": "file:///tmp/state"}, "file:///tmp/state (PULUMI_BACKEND_URL)"),
    ],
)
def test_a_stack_missing_from_the_backend_is_refused_with_the_line_that_creates_it(
    cli: CliRunner, stand_in: StandInFactory, environment: dict[str, str], backend: str
) -> None:
    fake = stand_in(stacks=("groups",))
    result = run(cli, fake, "preview", "staging", env=environment)
    assert result.exit_code == 4, result.output
    assert f"error: stack `staging` does not exist in the state backend {backend}" in (
        result.stderr
    )
    assert (
        "pulumi stack init staging --secrets-provider=gcpkms://projects/k8s-infra-pulumi/"
        "locations/global/keyRings/pulumi/cryptoKeys/state\n"
    ) in result.stderr
    # selected, never created
    assert not any("init" in c["args"] for c in fake.calls())
    assert fake.operations() == []


def test_preview_all_runs_every_stack_in_dependency_order(
    cli: CliRunner, stand_in: StandInFactory
) -> None:
    fake = stand_in()
    result = run(cli, fake, "preview", "all")
    assert result.exit_code == 0, result.output
    assert fake.operations() == [("preview", stack) for stack in ORDER]


def test_expect_no_changes_exits_5_on_drift_with_the_summary(
    cli: CliRunner, stand_in: StandInFactory
) -> None:
    fake = stand_in(changes={"groups": {"update": 1, "same": 9}, "registry-mirrors": {"same": 5}})
    result = run(cli, fake, "preview", "all", "--expect-no-changes", "--format", "markdown")
    assert result.exit_code == 5, result.output  # drift: not a failed command (1)
    assert result.stdout.startswith("### Preview: 1 of 6 stack(s) would change\n")
    assert "| `groups` | 1 update (9 unchanged) |" in result.stdout
    assert "| `registry-mirrors` | no changes (5 unchanged) |" in result.stdout
    assert "error: changes expected to be none, but groups would change" in result.stderr


def test_expect_no_changes_passes_when_nothing_changes(
    cli: CliRunner, stand_in: StandInFactory
) -> None:
    fake = stand_in()
    result = run(cli, fake, "preview", "staging", "--expect-no-changes")
    assert result.exit_code == 0, result.output


def test_preview_all_goes_on_past_a_failing_stack_and_exits_with_its_code(
    cli: CliRunner, stand_in: StandInFactory
) -> None:
    fake = stand_in(fail={"staging": "error: googleapi: Error 403: denied"})
    result = run(cli, fake, "preview", "all", "--json")
    assert result.exit_code == 1, result.output
    assert fake.operations() == [("preview", stack) for stack in ORDER]
    assert "error: `preview staging` failed: error: googleapi: Error 403: denied" in result.stderr
    assert '"error": "`preview staging` failed' in result.stdout


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        ("error: googleapi: Error 403: The caller does not have permission", 1,
         "error: `preview staging` failed: error: googleapi: Error 403"),
        ("error: could not find default credentials", 4,
         "error: `preview staging` failed for lack of credentials"),
    ],
)  # fmt: skip
def test_a_failing_engine_is_one_line_and_an_exit_code(
    cli: CliRunner, stand_in: StandInFactory, error: str, code: int, message: str
) -> None:
    fake = stand_in(fail={"staging": error})
    result = run(cli, fake, "preview", "staging")
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_up_without_a_terminal_needs_yes(cli: CliRunner, stand_in: StandInFactory) -> None:
    fake = stand_in()
    result = run(cli, fake, "up", "registry-mirrors")
    assert result.exit_code == 2, result.output
    assert "needs a confirmation and there is no terminal" in result.stderr
    assert fake.operations() == []


def test_up_yes_applies_without_a_preview(cli: CliRunner, stand_in: StandInFactory) -> None:
    fake = stand_in(changes={"groups": {"create": 2}})
    result = run(cli, fake, "up", "groups", "--yes")
    assert result.exit_code == 0, result.output
    assert fake.operations() == [("up", "groups")]
    assert "--yes" in fake.last("up", "groups")["args"]
    assert "up groups: 2 create (0 unchanged)" in result.stderr


@pytest.mark.parametrize("stack", ["registry-prod", "all"])
def test_yes_alone_never_applies_production(
    cli: CliRunner, stand_in: StandInFactory, stack: str
) -> None:
    fake = stand_in()
    result = run(cli, fake, "up", stack, "--yes")
    assert result.exit_code == 2, result.output
    assert "`registry-prod` is a production stack: --yes alone does not apply it" in (result.stderr)
    assert fake.operations() == []  # refused before anything ran


def test_up_all_with_allow_prod_applies_every_stack_in_order(
    cli: CliRunner, stand_in: StandInFactory
) -> None:
    fake = stand_in()
    result = run(cli, fake, "up", "all", "--yes", "--allow-prod")
    assert result.exit_code == 0, result.output
    assert fake.operations() == [("up", stack) for stack in ORDER]


def test_which_stack_is_production_comes_from_its_stack_file(
    cli: CliRunner, stand_in: StandInFactory, checkout_copy: Path
) -> None:
    stacks = checkout_copy / "stacks"
    prod, sandbox = stacks / "Pulumi.registry-prod.yaml", stacks / "Pulumi.registry-sandbox.yaml"
    flag = "  k8s-infra:production: true\n"
    assert flag in prod.read_text()
    prod.write_text(prod.read_text().replace(flag, ""))
    sandbox.write_text(sandbox.read_text().replace("config:\n", "config:\n" + flag, 1))
    fake = stand_in()
    env = fake.env()

    refused = invoke(cli, "--root", str(checkout_copy), "up", "registry-sandbox", "--yes", env=env)
    assert refused.exit_code == 2, refused.output
    assert "`registry-sandbox` is a production stack" in refused.stderr
    assert fake.operations() == []

    applied = invoke(cli, "--root", str(checkout_copy), "up", "all", "--yes", "--allow-prod",
                     env=env)  # fmt: skip
    assert applied.exit_code == 0, applied.output
    # production after the rest of its rank: the sandbox now comes last
    assert fake.operations() == [("up", stack) for stack in [*ORDER[:4], ORDER[5], ORDER[4]]]


def test_up_all_stops_at_the_first_failure(cli: CliRunner, stand_in: StandInFactory) -> None:
    fake = stand_in(fail={"staging": "error: quota exceeded"})
    result = run(cli, fake, "up", "all", "--yes", "--allow-prod")
    assert result.exit_code == 1, result.output
    assert fake.operations() == [("up", "groups"), ("up", "staging")]


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A person at a terminal: the prompt is answered by the runner's input."""
    monkeypatch.setattr(pulumi_ops, "can_prompt", lambda: True)


@pytest.mark.usefixtures("terminal")
@pytest.mark.parametrize(
    ("answer", "applied"), [("registry-prod\n", True), ("y\n", False), ("\n", False)]
)
def test_production_needs_its_name_typed(
    cli: CliRunner, stand_in: StandInFactory, answer: str, applied: bool
) -> None:
    fake = stand_in(changes={"registry-prod": {"update": 1, "same": 3}})
    result = cli.invoke(
        __import__("infra.cli.app", fromlist=["app"]).app,
        ["--root", str(REPO), "up", "registry-prod"],
        input=answer,
        env=fake.env(),
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "Type its name to apply these changes" in result.stderr
    expected = [("preview", "registry-prod")] + ([("up", "registry-prod")] if applied else [])
    assert fake.operations() == expected


@pytest.mark.usefixtures("terminal")
def test_nothing_to_apply_asks_nothing(cli: CliRunner, stand_in: StandInFactory) -> None:
    fake = stand_in()
    result = run(cli, fake, "up", "staging")
    assert result.exit_code == 0, result.output
    assert "nothing to apply to stack staging" in result.stderr
    assert fake.operations() == [("preview", "staging")]


@pytest.mark.parametrize(
    ("stack", "error", "hint", "not_hint"),
    [("registry-mirrors",
      "error: configuring Terraform AWS Provider: no valid credential sources for Terraform AWS "
      "Provider found.", "AWS: run `aws sso login`", "gcloud"),
     ("registry-mirrors",
      "error: InvalidClientTokenId: The security token included in the request is invalid",
      "AWS_PROFILE", "gcloud"),
     ("staging", "error: google: could not find default credentials.",
      "gcloud auth application-default login", "AWS")],
)  # fmt: skip
def test_missing_credentials_hint_names_the_provider(
    cli: CliRunner, stand_in: StandInFactory, stack: str, error: str, hint: str, not_hint: str
) -> None:
    fake = stand_in(fail={stack: error})
    result = run(cli, fake, "preview", stack)
    assert result.exit_code == 4, result.output
    hint_line = next(line for line in result.stderr.splitlines() if line.startswith("hint: "))
    assert hint in hint_line
    assert not_hint not in hint_line
