"""The `k8s-infra:groups` object of a stack: checked by `k8s-infra validate`."""

from __future__ import annotations

from pathlib import Path

from infra.catalog.validation import load_stack
from infra.core.fields import Fields, locate_file
from infra.core.problems import Problems
from infra.groups.access import GroupsAccess, groups_access, parse_groups_object, stack_fields

SA = "gsuite-groups-manager@k8s-gsuite.iam.gserviceaccount.com"


def test_a_complete_object_is_accepted() -> None:
    problems = Problems()
    value = {"root": "groups", "service_account": SA, "admin_subject": "bot@kubernetes.io"}
    access = parse_groups_object(value, Fields(locate_file("k8s-infra:groups"), problems)).access
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
    parse_groups_object(settings.object("groups"), stack_fields(settings, problems))
    assert [p.format() for p in problems] == [
        "stacks/Pulumi.groups.yaml:5:5: error: unknown key `service_acount` in "
        "`k8s-infra:groups` (hint: did you mean `service_account`?)",
        "stacks/Pulumi.groups.yaml:6:5: error: `k8s-infra:groups` admin_subject must be a "
        "non-empty string, found a list (hint: fix the value's type)",
        "stacks/Pulumi.groups.yaml:7:5: error: `k8s-infra:groups` customer: `someone` is not a "
        "Workspace customer (my_customer or the customer id C0xxxxxxx) "
        "(hint: the Workspace customer (default: my_customer))",
    ]


def test_values_match_whole() -> None:
    """A trailing newline is not part of an address (a `$` anchor let it through)."""
    problems = Problems()
    value = {"admin_subject": "bot@kubernetes.io\n", "customer": "my_customer\n"}
    access = parse_groups_object(value, Fields(locate_file("k8s-infra:groups"), problems)).access
    assert access == GroupsAccess()
    found = sorted(p.message for p in problems)
    assert len(found) == 2
    assert found[0].startswith("`k8s-infra:groups` admin_subject: `bot@kubernetes.io")
    assert found[1].startswith("`k8s-infra:groups` customer: `my_customer")


def test_validate_reports_a_bad_groups_object_at_its_key(checkout_copy: Path) -> None:
    from typer.testing import CliRunner

    from tests.conftest import invoke
    from tests.groups.tree import problem_lines

    stack = checkout_copy / "stacks" / "Pulumi.groups.yaml"
    text = stack.read_text()
    line = text.splitlines().index("    customer: my_customer") + 1
    stack.write_text(text.replace("customer: my_customer", "custmer: my_customer"))
    result = invoke(CliRunner(), "--root", str(checkout_copy), "validate")
    assert result.exit_code == 1
    assert problem_lines(result.stderr) == [
        f"stacks/Pulumi.groups.yaml:{line}:5: error: unknown key `custmer` in `k8s-infra:groups` "
        "(hint: did you mean `customer`?)"
    ]
    stack.write_text(text.replace("customer: my_customer", "customer: someone"))
    result = invoke(CliRunner(), "--root", str(checkout_copy), "validate")
    assert result.exit_code == 1
    assert problem_lines(result.stderr) == [
        f"stacks/Pulumi.groups.yaml:{line}:5: error: `k8s-infra:groups` customer: `someone` is "
        "not a Workspace customer (my_customer or the customer id C0xxxxxxx) "
        "(hint: the Workspace customer (default: my_customer))"
    ]
