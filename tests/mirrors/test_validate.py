"""`k8s-infra validate` refuses broken mirror declarations, each problem where it was written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infra.catalog.validation import load_declarations
from infra.core.problems import Problems
from infra.mirrors.model import Mirrors
from tests.conftest import invoke

BUCKETS = "infra/data/registry/s3-buckets.yaml"
REGISTRY = "infra/data/registry/artifact-registry.yaml"
STACK = "stacks/Pulumi.registry-mirrors.yaml"


@dataclass(frozen=True)
class Case:
    """Replace ``old`` by ``new`` in ``file``; expect ``message`` on the line ``marker`` is on.

    The marker is looked for in ``where`` (default: the edited file).
    """

    file: str
    old: str
    new: str
    marker: str
    col: int
    message: str
    where: str = ""

    @property
    def reported_in(self) -> str:
        return self.where or self.file


CASES = {
    "bucket in a region AWS lacks": Case(
        BUCKETS, "  eu-west-3: {priority: 24}\n",
        "  eu-west-3: {priority: 24}\n  eu-west-9: {priority: 32}\n",
        "  eu-west-9:", 3, "error: AWS has no region `eu-west-9` (hint: did you mean `eu-west-",
    ),
    "bucket outside the account's partition": Case(
        BUCKETS, "  ca-west-1: {priority: 16}\n",
        "  ca-west-1: {priority: 16}\n  cn-north-1: {priority: 32}\n",
        "  cn-north-1:", 3,
        "error: region `cn-north-1` is in the `aws-cn` partition, out of the account's reach",
    ),
    "bucket region listed twice": Case(
        BUCKETS, "  us-west-2: {priority: 31}\n",
        "  us-west-2: {priority: 31}\n  us-west-2: {priority: 32}\n",
        "  us-west-2: {priority: 32}", 3, "error: duplicate key `us-west-2` (first defined on line",
    ),
    "replication source not declared": Case(
        BUCKETS, "  source: us-east-2\n", "  source: us-east-3\n",
        "  source: us-east-3", 11,
        "error: replication source `us-east-3` is not a declared bucket "
        "(hint: did you mean `us-east-2`?)",
    ),
    "replication source retired": Case(
        BUCKETS, "  source: us-east-2\n", "  source: me-south-1\n",
        "  source: me-south-1", 11,
        "error: replication source `me-south-1` is marked `replicated: false`",
    ),
    "replication source managed elsewhere": Case(
        BUCKETS, "  source: us-east-2\n", "  source: eu-west-2\n",
        "  source: eu-west-2", 11,
        "error: replication source `eu-west-2` is marked `managed: false`",
    ),
    "rule priority on a bucket managed elsewhere": Case(
        BUCKETS, "    managed: false\n", "    managed: false\n    priority: 23\n",
        "    priority: 23", 15,
        "error: bucket `eu-west-2` is not managed here but has a rule priority",
    ),
    "bucket without a rule priority": Case(
        BUCKETS, "  ap-east-1: {priority: 2}\n", "  ap-east-1: {priority: 2}\n  ap-east-2: {}\n",
        "  ap-east-2:", 3,
        "error: bucket `ap-east-2` receives copies from `us-east-2` but has no rule priority "
        "(hint: add `priority: 32` (the next free number))",
    ),
    "two rules with one priority": Case(
        BUCKETS, "  ap-east-1: {priority: 2}\n",
        "  ap-east-1: {priority: 2}\n  ap-east-2: {priority: 2}\n",
        "  ap-east-2:", 25,
        "error: priority 2 is also the priority of bucket `ap-east-1` "
        "(hint: use the next free number, 32; existing priorities never change)",
    ),
    "clients sent to the retired bucket": Case(
        BUCKETS, "  me-south-1: me-central-1\n", "  me-south-1: me-south-1\n",
        "  me-south-1: me-south-1", 15,
        "error: client region `me-south-1` is sent to `me-south-1`, which is not replicated",
    ),
    "bucket name with a dot": Case(
        BUCKETS, "    name: 767373bbdcb8270361b96548387bf2a9ad0d48758c35-eu-west-2\n",
        "    name: registry.eu-west-2\n", "    name: registry.eu-west-2", 11,
        "error: bucket name `registry.eu-west-2` has a dot",
    ),
    "repository in a region Google lacks": Case(
        REGISTRY, "    - us-west4\n", "    - us-west4\n    - europe-west99\n",
        "    - europe-west99", 7,
        "error: Artifact Registry has no region `europe-west99` (hint: did you mean `europe-west",
    ),
    "repository region listed twice": Case(
        REGISTRY, "    - us-west4\n", "    - us-west4\n    - us-east1\n",
        "    - us-west4\n    - us-east1", 7,
        "error: region `us-east1` is listed twice (first on line",
    ),
    "repository in a multi-region": Case(
        REGISTRY, "    - us-west4\n", "    - us-west4\n    - europe\n",
        "    - europe\n", 7, "error: `europe` is a multi-region, not a region",
    ),
    "account pin differs from the data": Case(
        BUCKETS, 'aws_account_id: "513428760722"', 'aws_account_id: "111122223333"',
        "  aws:allowedAccountIds", 3,
        "error: `aws:allowedAccountIds` allows 513428760722, but the buckets live in "
        "account 111122223333",
        where=STACK,
    ),
    "session longer than IAM allows": Case(
        STACK, "      max_session_hours: 12\n", "      max_session_hours: 24\n",
        "      max_session_hours: 24", 26,
        "error: `max_session_hours` is 24; allowed: from 1 to 12",
    ),
    "unknown writer setting": Case(
        STACK, "      oidc_audience: sts.amazonaws.com\n",
        "      oidc_audience: sts.amazonaws.com\n      oidc_audiences: [x]\n",
        "      oidc_audiences", 7,
        "error: unknown key `oidc_audiences` in `s3_writer` (hint: did you mean `oidc_audience`?)",
    ),
    "member without a kind": Case(
        STACK, "        - group:k8s-infra-artifact-security@kubernetes.io\n",
        "        - k8s-infra-artifact-security@kubernetes.io\n",
        "        - k8s-infra-artifact-security@kubernetes.io", 11,
        "error: `roles/viewer`: `k8s-infra-artifact-security@kubernetes.io` is not an IAM member",
    ),
    "legacy flag without principals": Case(
        STACK, "      legacy_principals:\n        - arn:aws:iam::768319786644:root\n"
        "        - arn:aws:iam::585803375430:user/registry.k8s.io-ci\n", "",
        "      legacy_principals_enabled: true", 34,
        "error: legacy principals are enabled but none is listed",
    ),
    "authoritative map under both names": Case(
        STACK, "    iam:\n", "    project_iam: {}\n    iam:\n",
        "    project_iam:", 5,
        "error: `project_iam` and `iam` are the same map, written twice",
    ),
}  # fmt: skip


def edit(root: Path, case: Case) -> None:
    target = root / case.file
    text = target.read_text()
    assert text.count(case.old) == 1, case.old
    target.write_text(text.replace(case.old, case.new))


def line_of(root: Path, case: Case) -> int:
    """The 1-based line of the marker's last line, in the file the problem is reported in."""
    text = (root / case.reported_in).read_text()
    last = case.marker.rstrip("\n").split("\n")[-1]
    start = text.index(case.marker) + case.marker.rfind(last)
    return text[:start].count("\n") + 1


def expected(root: Path, case: Case) -> str:
    return f"{case.reported_in}:{line_of(root, case)}:{case.col}: {case.message}"


def validate(cli: CliRunner, root: Path) -> tuple[int, list[str], str]:
    result = invoke(cli, "--root", str(root), "validate")
    assert "Traceback" not in result.output
    return result.exit_code, result.stderr.splitlines(), result.stdout


def test_the_repository_declarations_are_valid(cli: CliRunner, checkout_copy: Path) -> None:
    code, lines, _ = validate(cli, checkout_copy)
    assert code == 0, "\n".join(lines)
    assert not [line for line in lines if "registry" in line and "warning" in line]


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_each_refusal_names_file_line_and_column(
    cli: CliRunner, checkout_copy: Path, case: Case
) -> None:
    edit(checkout_copy, case)
    code, lines, stdout = validate(cli, checkout_copy)
    assert code == 1, "\n".join(lines)
    assert stdout == ""
    wanted = expected(checkout_copy, case)
    assert any(line.startswith(wanted) for line in lines), "\n".join([wanted, *lines])


def test_every_problem_in_one_run(cli: CliRunner, checkout_copy: Path) -> None:
    chosen = [
        "bucket in a region AWS lacks",
        "replication source not declared",
        "repository in a region Google lacks",
        "repository region listed twice",
        "session longer than IAM allows",
    ]
    for key in chosen:
        edit(checkout_copy, CASES[key])
    code, lines, _ = validate(cli, checkout_copy)
    assert code == 1
    for key in chosen:
        wanted = expected(checkout_copy, CASES[key])
        assert any(line.startswith(wanted) for line in lines), "\n".join([wanted, *lines])
    errors = [line for line in lines if ": error: " in line]
    assert len(errors) == len(chosen), "\n".join(errors)


def test_the_former_name_of_the_authoritative_map_is_read_with_a_warning(
    cli: CliRunner, checkout_copy: Path
) -> None:
    before = _project_iam(checkout_copy)
    renamed = Case(STACK, "    iam:\n", "    project_iam:\n", "    project_iam:", 5, "")
    edit(checkout_copy, renamed)
    code, lines, _ = validate(cli, checkout_copy)
    assert code == 0, "\n".join(lines)
    wanted = (
        f"{expected(checkout_copy, renamed)}warning: `project_iam` is deprecated: "
        "the authoritative map is named `iam`"
    )
    assert any(line.startswith(wanted) for line in lines), "\n".join([wanted, *lines])
    assert _project_iam(checkout_copy) == before
    assert before  # the repository's stack grants roles authoritatively


def _project_iam(root: Path) -> dict[str, tuple[str, ...]]:
    problems = Problems()
    declarations = load_declarations(root, problems)
    assert declarations is not None
    mirrors = declarations.model("registry-mirrors", Mirrors)
    assert mirrors is not None, problems.sorted()
    return dict(mirrors.settings["registry-mirrors"].project_iam)


def test_a_missing_data_file_is_one_problem(cli: CliRunner, checkout_copy: Path) -> None:
    (checkout_copy / BUCKETS).unlink()
    code, lines, _ = validate(cli, checkout_copy)
    assert code == 1
    assert f"{BUCKETS}:1:1: error: file not found" in "\n".join(lines)


def test_without_a_mirrors_stack_the_data_is_not_needed(
    cli: CliRunner, checkout_copy: Path
) -> None:
    """Another checkout's declarations (upstream's) have no mirror data and no stack using it."""
    for proxy in ("registry-prod", "registry-sandbox"):  # their regions are checked against it
        (checkout_copy / "stacks" / f"Pulumi.{proxy}.yaml").unlink()
    stack = checkout_copy / STACK
    stack.write_text(
        stack.read_text().replace(
            "k8s-infra:components: [registry-mirrors, prod-storage]", "k8s-infra:components: []"
        )
    )
    (checkout_copy / BUCKETS).unlink()
    (checkout_copy / REGISTRY).unlink()
    (checkout_copy / "infra" / "data" / "prod-storage.yaml").unlink()
    code, lines, _ = validate(cli, checkout_copy)
    assert code == 0, "\n".join(lines)
