"""`k8s-infra validate` refuses broken proxy declarations, each where it was written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import invoke

SANDBOX = "stacks/Pulumi.registry-sandbox.yaml"
PROD = "stacks/Pulumi.registry-prod.yaml"
ARMOR = "infra/data/registry/cloud-armor.yaml"
PATHS = "infra/data/registry/archeio-paths.yaml"
DIGEST = "sha256:f5e8d7537c0e5cac6e4ef2a5a376cb91ee85426ba8d01c3bae5f9195f31b63da"


@dataclass(frozen=True)
class Case:
    """Replace ``old`` by ``new`` in ``file``; expect ``message`` at ``marker``'s line."""

    file: str
    old: str
    new: str
    marker: str
    col: int
    message: str


CASES = {
    "region without an Artifact Registry mirror": Case(
        SANDBOX, "    us-west2: us-west-1 ", "    us-west2: us-west-1\n    asia-east9: ap-east-1 ",
        "    asia-east9:", 5,
        "error: Cloud Run region `asia-east9` has no Artifact Registry mirror (hint: add it "
        "under `serving` in infra/data/registry/artifact-registry.yaml first)",
    ),
    "region whose mirror is not serving": Case(
        SANDBOX, "    us-west2: us-west-1 ", "    us-west2: us-west-1\n    me-west1: il-central-1 ",
        "    me-west1:", 5, "error: Cloud Run region `me-west1` is listed under `non_serving`",
    ),
    "region listed twice": Case(
        PROD, "    us-west1: ~\n", "    us-west1: ~\n    us-west1: ~\n",
        "    us-west1: ~\n    us-west1:", 5,
        "error: duplicate key `us-west1` (first defined on line",
    ),
    "image without a digest": Case(
        SANDBOX, f"archeio@{DIGEST}", "archeio", "    image:", 5,
        "error: `us-central1-docker.pkg.dev/k8s-staging-images/infra-tools/archeio` is not "
        "pinned by digest: it names the `latest` tag, which can move to another build",
    ),
    "image with a tag only": Case(
        PROD, f"archeio:v20261001-v0.8.0@{DIGEST}", "archeio:v20261001-v0.8.0", "    image:", 5,
        "error: `us-central1-docker.pkg.dev/k8s-staging-images/infra-tools/archeio:"
        "v20261001-v0.8.0` is not pinned by digest: it names the tag `v20261001-v0.8.0`",
    ),
    "malformed digest": Case(
        SANDBOX, f"archeio@{DIGEST}", "archeio@sha256:F5E8", "    image:", 5,
        "error: digest `sha256:F5E8` is not `sha256:` and 64 lowercase hex digits",
    ),
    "bucket the mirror data does not declare": Case(
        SANDBOX, "    europe-west1: eu-central-1 ", "    europe-west1: eu-central-9 ",
        "    europe-west1:", 5,
        "error: region `europe-west1` sends clients to a bucket in `eu-central-9`, which "
        "infra/data/registry/s3-buckets.yaml does not declare",
    ),
    "bucket no longer replicated": Case(
        SANDBOX, "    us-west2: us-west-1 ", "    us-west2: me-south-1 ", "    us-west2:", 5,
        "error: the `me-south-1` bucket is not replicated and holds stale content",
    ),
    "region without a bucket nor a global URL": Case(
        SANDBOX, "    us-west2: us-west-1 ", "    us-west2: ~ ", "    us-west2:", 5,
        "error: region `us-west2` names no bucket and no `global_aws_base_url` is set",
    ),
    "signature upstream without a mirror": Case(
        PROD, "signature_upstream_region: us-central1", "signature_upstream_region: us-central9",
        "    signature_upstream_region:", 5,
        "error: signature upstream region `us-central9` has no Artifact Registry mirror",
    ),
    "referrers without a signature upstream": Case(
        PROD, "    signature_upstream_region: us-central1\n", "", "    allow_referrers:", 5,
        "error: referrers are allowed but no `signature_upstream_region` serves them",
    ),
    "unknown proxy setting": Case(
        PROD, "    verbosity: 1\n", "    verbosity: 1\n    verbose: 2\n", "    verbose:", 5,
        "error: unknown key `verbose` in `k8s-infra:proxy` (hint: did you mean `verbosity`?)",
    ),
    "global URL with a trailing slash": Case(
        PROD, "https://cdn.registry.k8s.io\n", "https://cdn.registry.k8s.io/\n",
        "    global_aws_base_url:", 5,
        "error: `global_aws_base_url`: `https://cdn.registry.k8s.io/` is not an https:// URL "
        "without a trailing slash",
    ),
    "allow-list refusing a path archeio serves": Case(
        ARMOR, "    - '^/token$'", "    - '^/tokens$'", "    - /token ", 7,
        "error: archeio v0.8.0 serves `/token`, but the path allow-list of "
        "infra/data/registry/cloud-armor.yaml refuses it",
    ),
    "allow-list admitting a path it must refuse": Case(
        ARMOR, "'^/privacy$'", "'^/privacy.*$'", "  - /privacy.html", 5,
        "error: `/privacy.html` must be refused, but the path allow-list of "
        "infra/data/registry/cloud-armor.yaml admits it",
    ),
    "expression not anchored": Case(
        ARMOR, "'^/privacy$'", "'^/privacy'", "    - '^/privacy'", 7,
        "error: `^/privacy` is not anchored, so it admits any path that contains it",
    ),
    "expression RE2 cannot read": Case(
        ARMOR, "'^/v2/?$'", "'^/v2(?!x)/?$'", "    - '^/v2(?!x)", 7,
        "error: `^/v2(?!x)/?$` uses syntax Cloud Armor's RE2 does not have",
    ),
    "referrers admitted with the switch off": Case(
        ARMOR, "    - '^/v2/.+/manifests/.+$'", "    - '^/v2/.+/(manifests|referrers)/.+$'",
        "    - /v2/pause/referrers/", 7,
        "error: `/v2/pause/referrers/sha256:7031c1b283388d2c2e09b57badb803c05ebed362dc88d84b480"
        "cc47f72a21097` passes the path allow-list of infra/data/registry/cloud-armor.yaml even "
        "with referrers off",
    ),
}  # fmt: skip

# Where each problem is reported when that is not the edited file.
REPORTED_IN = {
    "allow-list refusing a path archeio serves": PATHS,
    "allow-list admitting a path it must refuse": PATHS,
    "referrers admitted with the switch off": PATHS,
}


def edit(root: Path, case: Case) -> None:
    target = root / case.file
    text = target.read_text()
    assert text.count(case.old) == 1, case.old
    target.write_text(text.replace(case.old, case.new))


def expected(root: Path, key: str) -> str:
    case = CASES[key]
    file = REPORTED_IN.get(key, case.file)
    text = (root / file).read_text()
    last = case.marker.split("\n")[-1]
    start = text.index(case.marker) + case.marker.rfind(last)
    return f"{file}:{text[:start].count(chr(10)) + 1}:{case.col}: {case.message}"


def validate(cli: CliRunner, root: Path) -> tuple[int, list[str]]:
    result = invoke(cli, "--root", str(root), "validate")
    assert "Traceback" not in result.output
    return result.exit_code, result.stderr.splitlines()


def test_the_repository_proxy_declarations_are_valid(cli: CliRunner, checkout_copy: Path) -> None:
    code, lines = validate(cli, checkout_copy)
    assert code == 0, "\n".join(lines)


@pytest.mark.parametrize("key", CASES, ids=CASES.keys())
def test_each_refusal_names_file_line_and_column(
    cli: CliRunner, checkout_copy: Path, key: str
) -> None:
    edit(checkout_copy, CASES[key])
    code, lines = validate(cli, checkout_copy)
    assert code == 1, "\n".join(lines)
    wanted = expected(checkout_copy, key)
    assert any(line.startswith(wanted) for line in lines), "\n".join([wanted, *lines])


def test_every_problem_of_both_stacks_in_one_run(cli: CliRunner, checkout_copy: Path) -> None:
    chosen = [
        "region without an Artifact Registry mirror",
        "bucket the mirror data does not declare",
        "image with a tag only",
        "unknown proxy setting",
    ]
    for key in chosen:
        edit(checkout_copy, CASES[key])
    code, lines = validate(cli, checkout_copy)
    assert code == 1
    errors = [line for line in lines if ": error: " in line]
    assert len(errors) == len(chosen), "\n".join(errors)
    for key in chosen:
        assert any(line.startswith(expected(checkout_copy, key)) for line in errors)


def test_without_a_mirrors_stack_the_proxy_reads_the_mirror_data_itself(
    cli: CliRunner, checkout_copy: Path
) -> None:
    (checkout_copy / "stacks" / "Pulumi.registry-mirrors.yaml").unlink()
    key = "region without an Artifact Registry mirror"
    edit(checkout_copy, CASES[key])
    code, lines = validate(cli, checkout_copy)
    assert code == 1
    assert any(line.startswith(expected(checkout_copy, key)) for line in lines), lines


def test_the_owner_group_must_be_declared(cli: CliRunner, checkout_copy: Path) -> None:
    stack = checkout_copy / PROD
    stack.write_text(stack.read_text().replace(
        "group:k8s-infra-oci-proxy-admins@", "group:k8s-infra-oci-proxy-owners@"))  # fmt: skip
    code, lines = validate(cli, checkout_copy)
    assert code == 1
    line = next(i for i, t in enumerate(stack.read_text().splitlines(), 1) if "owner:" in t)
    assert any(
        entry.startswith(f"{PROD}:{line}:5: error:")
        and "k8s-infra-oci-proxy-owners@kubernetes.io" in entry
        for entry in lines
    ), lines


def test_a_proxy_stack_needs_the_mirror_data(cli: CliRunner, checkout_copy: Path) -> None:
    (checkout_copy / "infra" / "data" / "registry" / "s3-buckets.yaml").unlink()
    code, lines = validate(cli, checkout_copy)
    assert code == 1
    assert any(
        line.startswith("infra/data/registry/s3-buckets.yaml:1:1: error: file not found")
        for line in lines
    ), lines


def test_a_missing_key_is_one_problem(cli: CliRunner, checkout_copy: Path) -> None:
    stack = checkout_copy / SANDBOX
    text = stack.read_text()
    stack.write_text(text[: text.index("  # Cloud Run region -> the AWS region")])
    code, lines = validate(cli, checkout_copy)
    assert code == 1
    errors = [line for line in lines if ": error: " in line]
    assert len(errors) == 1, errors
    assert "component `registry-proxy` needs config key `k8s-infra:proxy_regions`" in errors[0]
