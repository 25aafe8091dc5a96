"""Who is granted which role on which resource, read from a plan's IAM resources.

An IAM member or binding names its target by inputs (a repository by
project, location and id; a bucket by name; a service account by its
``projects/P/serviceAccounts/EMAIL`` id). The target is the planned resource
with those values, or, when the plan does not create it (a project managed
elsewhere), a label such as ``project k8s-artifacts-prod``. Which types
grant, on what, and how targets are keyed is declared by the concerns
(``ResourceFacts.grants_on`` and ``ResourceFacts.key``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from infra import catalog
from infra.declarations.resources import Key

Resource = Mapping[str, Any]


@dataclass(frozen=True)
class Grant:
    iam_urn: str  # the IAM member or binding resource
    member: str
    role: str
    target_urn: str | None  # the planned resource it is granted on
    target_label: str  # what it is granted on, when not planned (or for people)


def is_grant(resource: Resource) -> bool:
    facts = catalog.resource_facts().get(str(resource.get("type")))
    return facts is not None and facts.grants_on is not None


Targets = Mapping[tuple[str, Key], str]  # (type, key) -> URN of a resource grants can name


def target_index(resources: Iterable[Resource]) -> Targets:
    """The resources of a plan that grants can be on, by type and key."""
    known = catalog.resource_facts()
    found = {}
    for resource in resources:
        facts = known.get(str(resource["type"]))
        if facts is not None and facts.key is not None:
            found[(facts.token, facts.key(resource["inputs"]))] = str(resource["urn"])
    return found


def grants(resources: list[Resource]) -> Iterator[Grant]:
    """Every (member, role, target) the plan's IAM resources grant."""
    targets = target_index(resources)
    for resource in resources:
        yield from grants_of(resource, targets)


def grants_of(resource: Resource, targets: Targets) -> Iterator[Grant]:
    facts = catalog.resource_facts().get(str(resource["type"]))
    if facts is None or facts.grants_on is None:
        return
    on = facts.grants_on
    inputs = resource["inputs"]
    key = on.key(inputs)
    target = targets.get((on.target, key))
    label = f"{on.label} {'/'.join(k for k in key if k)}"
    members = inputs.get("members") if "members" in inputs else [inputs.get("member")]
    role = str(inputs.get("role", ""))
    for member in members or []:
        if isinstance(member, str):
            yield Grant(str(resource["urn"]), member, role, target, label)
