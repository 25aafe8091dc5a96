"""How a first ``up`` takes over each live resource: imported under an id, or created.

Each resource type's rule is declared by the concern that creates it
(``ResourceFacts.adoption``, see ``infra.declarations.resources``). A
resource whose creation would fail because it exists (a project, a bucket, a
repository...) is imported, under the id its provider documents for
``pulumi import``, derived from the planned inputs: the import preview then
compares every input with the live resource. A resource whose creation is
idempotent is created: adding an IAM member that is there, enabling an
enabled service, writing an S3 bucket's sub-configuration. A type without a
rule is an error, so a new type cannot slip into an adoption unseen.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from infra import catalog
from infra.core.errors import K8sInfraError
from infra.declarations.resources import AdoptionRule, Created, Imported

Inputs = Mapping[str, Any]

# Components and providers are no cloud objects: registering them creates nothing.
LOGICAL_WHY = "a component or provider: no cloud object, nothing to import"


@dataclass(frozen=True)
class Target:
    """What an id needs beyond a resource's inputs: the stack's AWS region and account."""

    aws_region: str | None = None
    aws_account: str | None = None


def rules() -> Mapping[str, AdoptionRule]:
    """Type token -> its adoption rule, from the concerns in the catalog."""
    return {
        token: facts.adoption
        for token, facts in catalog.resource_facts().items()
        if facts.adoption is not None
    }


@dataclass(frozen=True)
class Step:
    """What the first ``up`` does with one planned resource."""

    urn: str
    type: str
    name: str
    action: Literal["import", "create"]
    id: str | None
    why: str


class AdoptionRefused(K8sInfraError):
    """The plan holds a resource adopt cannot take over (exit 1)."""


def rule_for(type_: str, known: Mapping[str, AdoptionRule] | None = None) -> AdoptionRule:
    rule = (rules() if known is None else known).get(type_)
    if rule is None:
        raise AdoptionRefused(
            f"no adoption rule for the resource type `{type_}`",
            "declare it in the resources.py of the concern that creates it: imported under "
            "its documented id, or created, with the reason its creation is idempotent",
        )
    return rule


def import_id(rule: Imported, inputs: Inputs, target: Target, live: str | None = None) -> str:
    """The id ``rule`` documents, filled from the inputs (and ``live``, the service's id)."""
    values: dict[str, str] = {**rule.defaults}
    for _, key, _, _ in string.Formatter().parse(rule.format):
        if key is None or key in values:
            continue
        values[key] = _value(key, inputs, target, live)
    formatted = rule.format.format(**values)
    region = inputs.get("region")
    if rule.regional and isinstance(region, str) and region != target.aws_region:
        formatted = f"{formatted}@{region}"
    return formatted


def _value(key: str, inputs: Inputs, target: Target, live: str | None) -> str:
    special: dict[str, Callable[[], str | None]] = {
        "live": lambda: live,
        "account": lambda: target.aws_account,
        "url": lambda: _plain(inputs.get("url")).removeprefix("https://"),
    }
    value = special[key]() if key in special else inputs.get(key)
    if not isinstance(value, str) or not value:
        raise AdoptionRefused(
            f"the input `{key}` is not known before the update ({value!r})",
            "an imported resource's id must follow from its declared inputs",
        )
    return value


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else ""


def adoption_steps(
    resources: Sequence[Mapping[str, Any]], target: Target, live_ids: Mapping[str, str]
) -> list[Step]:
    """One step per managed resource of a plan, in plan order.

    ``live_ids`` gives, by resource name, the ids services generate (alert
    policies...); every one the plan needs must be there, and none else.
    """
    steps: list[Step] = []
    missing: list[str] = []
    used: set[str] = set()
    known = rules()
    for resource in resources:
        if resource.get("mode") == "read":
            continue
        urn, type_, name = resource["urn"], resource["type"], resource["name"]
        if not resource["custom"] or type_.startswith("pulumi:providers:"):
            steps.append(Step(urn, type_, name, "create", None, LOGICAL_WHY))
            continue
        rule = rule_for(type_, known)
        if isinstance(rule, Created):
            steps.append(Step(urn, type_, name, "create", None, rule.why))
            continue
        live = live_ids.get(name)
        if rule.needs_live_id:
            if live is None:
                missing.append(f"{name}: {rule.find.format_map(_Lenient(resource['inputs']))}")
                continue
            used.add(name)
        steps.append(
            Step(
                urn,
                type_,
                name,
                "import",
                import_id(rule, resource["inputs"], target, live),
                rule.source,
            )
        )
    unused = sorted(set(live_ids) - used)
    if unused:
        raise AdoptionRefused(
            "--id names no resource whose id the service generates: " + ", ".join(unused),
            "give --id only for the resources adopt asks for, by the name it prints",
        )
    if missing:
        raise AdoptionRefused(
            f"{len(missing)} resource(s) carry an id the service generated: " + "; ".join(missing),
            "find each with the command shown and pass --id NAME=ID (the last part of its name)",
        )
    return steps


class _Lenient(dict[str, Any]):
    """Inputs for a hint: a missing key stays a placeholder."""

    def __init__(self, inputs: Inputs) -> None:
        super().__init__(inputs)

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
