"""The estate checks' expectations: the groups stack's `estate_checks`, nothing by default."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from infra.catalog.validation import load_stack
from infra.core.problems import Problems
from infra.groups.access import estate_expectations
from infra.groups.estate_checks import EstateExpectations
from tests.conftest import REPO, invoke
from tests.groups.tree import (
    UPSTREAM_ESTATE,
    UPSTREAM_ESTATE_YAML,
    problem_lines,
    write_groups_stack,
)


def test_the_stack_s_estate_checks_are_the_expectations(tmp_path: Path) -> None:
    write_groups_stack(tmp_path, "root: groups\n" + UPSTREAM_ESTATE_YAML)
    problems = Problems()
    found = estate_expectations(load_stack(tmp_path, "groups", problems), problems)
    assert [p.format() for p in problems] == []
    assert found == UPSTREAM_ESTATE


def test_nothing_is_expected_by_default(tmp_path: Path) -> None:
    write_groups_stack(tmp_path)
    problems = Problems()
    assert estate_expectations(load_stack(tmp_path, "groups", problems), problems) is None
    assert estate_expectations(None, problems) is None
    assert not EstateExpectations().configured
    assert list(problems) == []


def test_malformed_expectations_are_reported_at_the_key(tmp_path: Path) -> None:
    write_groups_stack(
        tmp_path,
        "estate_checks:\n"
        "  required_names: community\n"
        "  pinned_member: {}\n"
        "  pinned_members:\n"
        "    Leads@kubernetes.io: [a@example.com]\n"
        "    admins@kubernetes.io: [a@example.com, not-an-address, 7]\n"
        "  required_settings:\n"
        "    leads@kubernetes.io: {AllowWebPosting: true, WhoCanJion: x}\n",
    )
    problems = Problems()
    found = estate_expectations(load_stack(tmp_path, "groups", problems), problems)
    at = "stacks/Pulumi.groups.yaml:4:5: error: "
    assert [p.format() for p in problems] == [
        at + "`required_names` must be a list of strings, found a string ('community') "
        "(hint: fix the value's type)",
        at + "address `not-an-address` is not a valid address: it has no `@` "
        "(hint: write one full address, local-part@domain)",
        at + "an entry of `admins@kubernetes.io` must be a non-empty string, found a number (7) "
        "(hint: fix the value's type)",
        at + 'setting `AllowWebPosting` is the YAML boolean true; the API takes the string "true" '
        '(hint: quote it: `AllowWebPosting: "true"`)',
        at + "unknown key `WhoCanJion` in `leads@kubernetes.io` (hint: did you mean `WhoCanJoin`?)",
        at
        + "unknown key `pinned_member` in `estate_checks` (hint: did you mean `pinned_members`?)",
        "stacks/Pulumi.groups.yaml:4:5: warning: group `Leads@kubernetes.io` has uppercase "
        "letters; it is planned as `leads@kubernetes.io` (hint: write `leads@kubernetes.io`: "
        "Google compares addresses case-insensitively and stores them in lowercase)",
    ]
    assert found == EstateExpectations(
        pinned_members={
            "leads@kubernetes.io": frozenset({"a@example.com"}),
            "admins@kubernetes.io": frozenset({"a@example.com"}),
        },
        required_settings={"leads@kubernetes.io": {}},
    )


def test_estate_checks_without_expectations_are_a_usage_error(
    cli: CliRunner, checkout_copy: Path
) -> None:
    """The repository's sample tree configures none: asked for, they say so (exit 2)."""
    for root in (REPO, checkout_copy):
        result = invoke(cli, "--root", str(root), "groups", "validate", "--estate-checks")
        assert result.exit_code == 2, result.output
        assert problem_lines(result.stderr) == []
        assert "no `estate_checks` expectation is configured in `k8s-infra:groups` " in (
            " ".join(result.stderr.split())
        )
        assert "(stacks/Pulumi.groups.yaml)" in result.stderr
        stack = checkout_copy / "stacks" / "Pulumi.groups.yaml"
        stack.write_text(stack.read_text() + "    estate_checks: {}\n")
    (checkout_copy / "stacks" / "Pulumi.groups.yaml").unlink()
    result = invoke(cli, "--root", str(checkout_copy), "groups", "validate", "--estate-checks")
    assert result.exit_code == 2, result.output
    assert "no stack builds groups" in result.stderr
    # without the option, nothing changes
    assert invoke(cli, "--root", str(REPO), "groups", "validate").exit_code == 0
