"""Each step of an import preview, as the engine sends it, and what adopt makes of it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from infra.adoption.accepted import Acceptance, judge, read_accepted
from infra.adoption.steps import classify, covers, property_path, report_lines
from infra.core.problems import Problems
from infra.engines import EngineStep, import_behaviour, step_from_metadata

PREFIX = "urn:pulumi:registry-prod::k8s-infra::"
SERVICE = PREFIX + "gcp:cloudrunv2/service:Service::registry-proxy-us-central1"
BUCKET = PREFIX + "gcp:storage/bucket:Bucket::logs"
MEMBER = PREFIX + "gcp:storage/bucketIAMMember:BucketIAMMember::logs-viewer"
COMPONENT = PREFIX + "k8s-infra:proxy:RegistryProxy::registry-proxy"


def step(op: str, urn: str, **fields: Any) -> EngineStep:
    type_ = urn.split("::")[2].rsplit("$", 1)[-1]
    return EngineStep(op, urn, type_, custom=fields.pop("custom", True), **fields)


def test_imports_idempotent_creates_and_same_are_fine() -> None:
    verdicts = classify(
        [
            step("import", SERVICE),
            step("create", MEMBER),
            step("create", COMPONENT, custom=False),
            step("same", BUCKET),
        ]
    )
    assert [v.verdict for v in verdicts] == ["fine"] * 4


def test_an_import_followed_by_an_update_is_a_difference_input_by_input() -> None:
    live = {"template": {"containers": [{"image": "gcr.io/x:v1"}]}, "labels": {"a": "1"}}
    program = {"template": {"containers": [{"image": "registry.k8s.io/x:v1"}]}}
    (verdict,) = classify(
        [
            step("import", SERVICE, new_inputs=live),
            step(
                "update",
                SERVICE,
                old_inputs=live,
                new_inputs=program,
                diffs=("template", "labels"),
                detailed_diff={"template.containers[0].image": "update", "labels": "delete"},
            ),
        ]
    )
    assert verdict.verdict == "difference"
    assert verdict.ops == ("import", "update")
    assert [c.line() for c in verdict.changes] == [
        'labels: {"a": "1"} → (absent) (delete)',
        'template.containers[0].image: "gcr.io/x:v1" → "registry.k8s.io/x:v1" (update)',
    ]


@pytest.mark.parametrize(
    ("ops", "why"),
    [
        (["create-replacement", "replace", "delete-replaced"], "replaced"),
        (["delete"], "deleted"),
        (["create"], "the adoption table imports this type"),
        (["discard"], "deleted"),
        (["refresh-unknown"], "an operation adopt does not know"),
    ],
)
def test_replacements_deletions_and_creates_of_imported_types_are_refused(
    ops: list[str], why: str
) -> None:
    (verdict,) = classify([step(op, BUCKET, keys=("location",)) for op in ops])
    assert verdict.verdict == "refused"
    assert why in verdict.why


def test_paths_as_the_engine_writes_them() -> None:
    assert property_path('a.b[0]["c.d"].e') == ("a", "b", 0, "c.d", "e")
    assert covers("template", "template.containers[0].image")
    assert covers("template.containers", "template.containers[1]")
    assert not covers("templates", "template.containers")
    assert not covers("template.containers[0]", "template.containers[1].image")


def test_the_sdk_metadata_becomes_a_plain_step() -> None:
    from pulumi.automation.events import StepEventMetadata

    metadata = StepEventMetadata.from_json(
        {
            "op": "update",
            "urn": SERVICE,
            "type": "gcp:cloudrunv2/service:Service",
            "provider": "",
            "old": {"type": "t", "urn": SERVICE, "inputs": {"a": 1}, "outputs": {"a": 1}},
            "new": {"type": "t", "urn": SERVICE, "inputs": {"a": 2}, "custom": True},
            "diffs": ["a"],
            "detailedDiff": {"a": {"diffKind": "update", "inputDiff": False}},
        }
    )
    plain = step_from_metadata(metadata)
    assert (plain.op, plain.old_inputs, plain.new_inputs) == ("update", {"a": 1}, {"a": 2})
    assert plain.detailed_diff == {"a": "update"}
    assert plain.custom is True


def test_accepted_differences_must_cover_every_path_and_say_what_did_not_occur() -> None:
    verdicts = classify(
        [
            step("import", SERVICE),
            step("update", SERVICE, detailed_diff={"template.containers[0].image": "update"}),
            step("import", BUCKET),
            step("update", BUCKET, detailed_diff={"labels.x": "add"}),
        ]
    )
    entries = [
        Acceptance(SERVICE, ("template.containers", "template.scaling"), "archeio from AR"),
        Acceptance(BUCKET, ("labels",), "labels"),
        Acceptance(PREFIX.replace("registry-prod", "staging") + "t::n", ("x",), "other stack"),
    ]
    judged = judge("registry-prod", verdicts, entries)
    assert judged.may_proceed
    assert judged.not_occurred == ((SERVICE, "template.scaling"),)
    partial = judge("registry-prod", verdicts, entries[:1])
    assert not partial.may_proceed
    assert [v.urn for v in partial.unaccepted] == [BUCKET]
    # a replacement is never accepted, whatever the file says
    replaced = classify([step("replace", BUCKET, detailed_diff={"labels.x": "update-replace"})])
    assert not judge("registry-prod", replaced, entries).may_proceed
    assert report_lines(partial.unaccepted)[0] == f"  {BUCKET}"


def test_the_accepted_file_is_checked_like_every_declaration(tmp_path: Path) -> None:
    path = tmp_path / "accepted-differences.yaml"
    path.write_text(
        "accepted:\n"
        f"  - urn: {SERVICE}\n    properties: [template]\n    reason: archeio from AR\n"
        "  - urn: not-a-urn\n    properties: []\n"
        "  - urn: not-a-urn\n    properties: []\n    reason: r\n"
    )
    problems = Problems()
    found = read_accepted(path, "stacks/accepted-differences.yaml", problems)
    assert found == [Acceptance(SERVICE, ("template",), "archeio from AR")]
    lines = [p.format() for p in problems.sorted()]
    assert lines == [
        "stacks/accepted-differences.yaml:5:5: error: accepted entry 2 needs the key `reason` "
        "(hint: set `reason`: why the live value may change: the review's reason)",
        "stacks/accepted-differences.yaml:7:10: error: `urn`: `not-a-urn` is not a Pulumi URN "
        "(hint: write a Pulumi URN)",
        "stacks/accepted-differences.yaml:8:17: error: name at least one property",
    ]
    assert read_accepted(tmp_path / "absent.yaml", "x", Problems()) == []


@pytest.mark.parametrize(
    ("version", "then_update", "warned"),
    [
        ("3.150.0", False, ""),
        ("3.173.0", False, ""),
        ("3.174.0", True, "can panic while importing"),
        ("3.175.0", True, ""),
        ("3.272.0", True, ""),
        ("3.300.1", True, "newer than the SDK this project locks"),
    ],
)
def test_each_cli_version_has_its_import_behaviour(
    version: str, then_update: bool, warned: str
) -> None:
    behaviour = import_behaviour(version)
    assert behaviour.then_update is then_update
    assert (warned in " ".join(behaviour.warnings)) if warned else not behaviour.warnings


def test_validate_checks_the_accepted_file(tmp_path: Path) -> None:
    import shutil

    from infra.adoption.accepted import check_accepted

    root = tmp_path / "root"
    shutil.copytree(Path(__file__).parents[2] / "stacks", root / "stacks")
    (root / "stacks" / "accepted-differences.yaml").write_text(
        "accepted:\n"
        f"  - urn: {SERVICE}\n    properties: [template]\n    reason: archeio from AR\n"
        "  - urn: urn:pulumi:nowhere::k8s-infra::t::n\n    properties: [x]\n    reason: r\n"
    )
    problems = Problems()
    check_accepted(root, ["registry-prod", "staging"], problems)
    assert [p.format() for p in problems.sorted()] == [
        "stacks/accepted-differences.yaml:5:10: error: `urn:pulumi:nowhere::k8s-infra::t::n` "
        "names the stack `nowhere`, which does not exist (hint: known stacks: registry-prod, "
        "staging)"
    ]
