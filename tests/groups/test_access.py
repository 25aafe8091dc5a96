"""The `k8s-infra:groups` object of a stack: checked by `k8s-infra validate`."""

from __future__ import annotations

from pathlib import Path

from infra.core.problems import Position, Problems
from infra.groups.access import GroupsAccess, groups_access, parse_groups_object
from infra.validation import load_stack

SA = "gsuite-groups-manager@k8s-gsuite.iam.gserviceaccount.com"


def test_a_complete_object_is_accepted() -> None:
    problems = Problems()
    value = {"root": "groups", "service_account": SA, "admin_subject": "bot@kubernetes.io"}
    access = parse_groups_object(value, Position("stacks/Pulumi.groups.yaml"), problems)
    assert list(problems) == []
    assert access == GroupsAccess(SA, "bot@kubernetes.io", "my_customer")


def test_the_repository_stack_names_its_delegation() -> None:
    root = Path(__file__).resolve().parents[2]
    problems = Problems()
    access = groups_access(load_stack(root, "groups", problems), problems)
    assert list(problems) == []
    assert access.service_account.endswith(".iam.gserviceaccount.com")
    assert access.admin_subject.endswith("@kubernetes.io")


def test_bad_keys_and_values_are_reported_at_the_key(tmp_path: Path) -> None:
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.groups.yaml").write_text(
        "config:\n"
        "  k8s-infra:components: [groups]\n"
        "  k8s-infra:domain: kubernetes.io\n"
        "  k8s-infra:groups:\n"
        "    service_acount: x\n"
        "    admin_subject: [bot]\n"
        "    customer: someone\n"
    )
    problems = Problems()
    settings = load_stack(tmp_path, "groups", problems)
    assert settings is not None
    parse_groups_object(settings.object("groups"), settings.where("groups"), problems)
    assert [p.format() for p in problems] == [
        "stacks/Pulumi.groups.yaml:4:3: error: `k8s-infra:groups` admin_subject a list is not "
        "valid (hint: the Workspace admin the service account acts as, e.g. admin@kubernetes.io)",
        "stacks/Pulumi.groups.yaml:4:3: error: `k8s-infra:groups` customer `someone` is not "
        "valid (hint: the Workspace customer (default: my_customer), e.g. my_customer or the "
        "customer id C0xxxxxxx)",
        "stacks/Pulumi.groups.yaml:4:3: error: unknown key `service_acount` in "
        "`k8s-infra:groups` (hint: did you mean `service_account`?)",
    ]


def test_validate_reports_a_bad_groups_object(checkout_copy: Path) -> None:
    from typer.testing import CliRunner

    from tests.conftest import invoke

    stack = checkout_copy / "stacks" / "Pulumi.groups.yaml"
    stack.write_text(stack.read_text().replace("customer: my_customer", "customer: someone"))
    result = invoke(CliRunner(), "--root", str(checkout_copy), "validate")
    assert result.exit_code == 1
    assert "error: `k8s-infra:groups` customer `someone` is not valid" in result.stderr
