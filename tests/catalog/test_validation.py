"""One run reports every problem: a broken groups file or stack file never hides a bad
registry, and a registry's bad name never hides its other bad fields."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tests.conftest import invoke


def edit(path: Path, old: str, new: str) -> int:
    """Replace ``old`` (which must occur once) and return the 1-based line it was on."""
    text = path.read_text()
    assert text.count(old) == 1, old
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new))
    return line


def test_five_independent_errors_across_three_files_in_one_run(
    checkout_copy: Path, cli: CliRunner
) -> None:
    infra_yaml = checkout_copy / "infra" / "infra.yaml"
    registry = edit(
        infra_yaml,
        "          dns: {writers: [group:k8s-infra-staging-dns@kubernetes.io]}",
        "          DNS_: {writers: [group:k8s-infra-staging-dns@kubernetes.io], cleanup: often}",
    )
    project = edit(
        infra_yaml, "      k8s-staging-kwok:\n", "      k8s-staging-kwok:\n        proflie: x\n"
    )
    groups_file = checkout_copy / "groups" / "sig-testing" / "groups.yaml"
    group = edit(
        groups_file,
        "  - email-id: k8s-infra-staging-boskos@kubernetes.io",
        "  - email-id: k8s-infra-staging-boskos@",
    )
    stack = edit(
        checkout_copy / "stacks" / "Pulumi.staging.yaml",
        "    object_age_days: 60",
        "    object_age_day: 60",
    )
    result = invoke(cli, "--root", str(checkout_copy), "validate")
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    expected = [
        f"groups/sig-testing/groups.yaml:{group}:15: error: email-id `k8s-infra-staging-boskos@` "
        "is not a valid address: it has an invalid domain ``",
        f"infra/infra.yaml:{registry}:11: error: `DNS_` is not a valid registry name",
        f"infra/infra.yaml:{registry}:81: error: cleanup `often` is not one of `delete`, "
        "`dry-run`, `none`",
        f"infra/infra.yaml:{project + 1}:9: error: unknown key `proflie` in project "
        "`k8s-staging-kwok`",
        f"stacks/Pulumi.staging.yaml:{stack}:5: error: unknown key `object_age_day` in "
        "`k8s-infra:staging`",
    ]
    for line in expected:
        assert any(found.startswith(line + " (hint: ") for found in errors), (line, errors)
