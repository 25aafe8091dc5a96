"""What the project knows about a Pulumi resource type, declared by the concern that creates it.

Each concern lists, in its catalog entry (``Concern.resources``), one
``ResourceFacts`` per type token it creates: how a first ``up`` takes over a
live one (``infra.adoption``), which property changes make the provider
replace it (``infra.planner.diff``), the placeholders the offline plan gives
its computed outputs (``infra.planner.placeholders``), how IAM resources
name it (``infra.review.grants``), which grants its inputs state
(``infra.access``), whether replacing one loses data (``infra.review.dangers``)
and which of its inputs were copied from the live estate
(``infra.adoption.unchecked``). Types several concerns create are declared
once, in ``infra.declarations.google_resources``. The central modules only
collect these facts through the catalog; a type nobody declares gets their
cautious default (adoption refuses it, a change to it is unchecked...).

No Pulumi import here: validation and the adoption table read these facts
without loading a provider.

Replacement properties are the engine's names (camelCase, as in plans and
state files); ``a.b`` is a property inside an object. Each entry's ``source``
names the provider files it was checked against: the Terraform schema's
``ForceNew: true`` (the bridged providers' behaviour) and, for generated
Google resources, the Magic Modules definition's ``immutable: true``.

Versions read:
  google-beta    hashicorp/terraform-provider-google-beta at 93c65b2d
                 (7.45.0 and the unreleased 7.46.0 changes): pulumi-gcp
                 bridges the beta provider, so its schema is the one that
                 applies (pulumi-gcp 10.2.0 is installed here)
  magic-modules  GoogleCloudPlatform/magic-modules at d5778440
  aws            hashicorp/terraform-provider-aws as stored in the public
                 file index (v4 to v6 versions; the fields listed are
                 ForceNew in every version read); since v6 every regional
                 resource is also replaced when its `region` changes
                 (internal/provider/sdkv2/region.go, forceNewIfRegionChanges)

Every Google resource of a project is replaced when `project` changes (the
provider adds `project` as ForceNew to each). IAM members and bindings are
replaced when their role, member or condition changes
(google-beta/tpgiamresource/resource_iam_member.go, resource_iam_binding.go;
a binding's `members` are updated in place).

Import ids: where a docstring of the installed provider has no "## Import"
section, the rule cites the Terraform provider's documentation of the same
resource (the Pulumi providers are bridged from it and take the same ids):
https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/<name>#import.
AWS resources outside the stack's region carry the region after an ``@``,
the form of the AWS provider's enhanced region support (provider 6 and
later; https://registry.terraform.io/providers/hashicorp/aws/latest/docs/guides/enhanced-region-support);
IAM is global and never qualified.
"""

from __future__ import annotations

import hashlib
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType
from typing import Any

Inputs = Mapping[str, Any]
Key = tuple[str, ...]

GOOGLE_DOCS = "https://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/"
DOCSTRING = "the class docstring's Import section"


def google_docs(page: str) -> str:
    """The Terraform provider's import documentation of a Google resource."""
    return GOOGLE_DOCS + page + "#import"


# --- Adoption: imported under an id, or created ---------------------------------

_KEY_PATTERNS = {
    "role": r"roles/[A-Za-z0-9_.]+",
    "serviceAccountId": r"projects/[^/ ]+/serviceAccounts/[^/ @]+@[^/ ]+",
    "live": r"[A-Za-z0-9_-]+",
    "url": r"[^ @]+",
    "account": r"[0-9]{12}",
}


@dataclass(frozen=True)
class Imported:
    """Imported under ``format`` filled from the inputs (``{live}``: the service's own id)."""

    format: str
    source: str
    defaults: Mapping[str, str] = field(default_factory=dict)
    regional: bool = False  # AWS: qualified with @region outside the stack's region
    find: str = ""  # for a `{live}` id: how a person finds it

    @property
    def needs_live_id(self) -> bool:
        return "{live}" in self.format

    @property
    def pattern(self) -> re.Pattern[str]:
        """The documented format as a pattern, for tests and for ids given by hand."""
        parts = []
        for literal, key, _, _ in string.Formatter().parse(self.format):
            parts.append(re.escape(literal))
            if key is not None:
                parts.append(_KEY_PATTERNS.get(key, r"[^/ @]+"))
        suffix = r"(@[a-z]{2}(-[a-z]+)+-[0-9])?" if self.regional else ""
        return re.compile("".join(parts) + suffix)


@dataclass(frozen=True)
class Created:
    """Created: the call that creates it succeeds, and changes nothing, when it exists."""

    why: str


AdoptionRule = Imported | Created


# --- Replacement: the properties whose change deletes and re-creates ---------------


@dataclass(frozen=True)
class Replacement:
    replace: tuple[str, ...]  # engine property names; `a.b` inside an object
    source: tuple[str, ...]  # the provider files the entry was checked against


def replaced_by(*properties: str, source: tuple[str, ...] | str) -> Replacement:
    return Replacement(properties, (source,) if isinstance(source, str) else source)


# --- Placeholders: what the offline plan shows for computed outputs ----------------


@dataclass(frozen=True)
class PlanContext:
    """What placeholders may depend on besides the resource's own inputs."""

    aws_account_id: str = "123456789012"


# (inputs, resource name, context) -> the output's value
Placeholder = Callable[[Inputs, str, PlanContext], Any]


def stable_number(*parts: str, digits: int = 12) -> str:
    """A deterministic number that looks like a GCP project number."""
    digest = hashlib.sha256("/".join(parts).encode()).hexdigest()
    value = int(digest[:15], 16) % (9 * 10 ** (digits - 1))
    return str(10 ** (digits - 1) + value)


# --- Grants: what IAM resources and policy documents grant on ----------------------

KeyOf = Callable[[Inputs], Key]
NameOf = Callable[[Inputs], str]


def values(*names: str) -> KeyOf:
    """A key made of these inputs, in order."""
    return lambda inputs: tuple(str(inputs.get(n, "")) for n in names)


def shown(value: object) -> str:
    """An input as a name: ``(unknown)`` for a value the plan cannot know."""
    if isinstance(value, dict) and "$unknown" in value:
        return "(unknown)"
    return "" if value is None else str(value)


def joined(*names: str) -> NameOf:
    """A target's name: these inputs joined by ``/`` (empty ones left out)."""

    def name_of(inputs: Inputs) -> str:
        found = [shown(inputs.get(n)) for n in names]
        return "/".join([part for part in found if part])

    return name_of


@dataclass(frozen=True)
class GrantsOn:
    """A Google IAM member (``member``) or binding (``members``): what it grants on.

    The review pairs it with the planned target (``target`` type, ``key`` from
    the IAM inputs, ``label`` for a target not in the plan); the access report
    names the target ``kind`` and ``name_of`` its inputs.
    """

    target: str
    key: KeyOf
    label: str
    kind: str
    name_of: NameOf
    authoritative: bool = False  # a binding: the role's whole member list


class GrantDocument(Enum):
    """A resource whose inputs state grants in a policy document or a member list;
    ``infra.access`` has one reader for each."""

    S3_BUCKET_POLICY = "an S3 bucket policy: who may do what on the bucket"
    AWS_ROLE_TRUST = "an AWS role's trust policy: who may assume it"
    AWS_ROLE_POLICY = "an AWS role's inline policy: what the role may do"
    GROUP_MEMBERS = "a Google Group's owners, managers and members"


# A change's settings that open a resource to people outside it: (key, value) pairs.
Opener = Callable[[Inputs, Inputs], list[tuple[str, str]]]


# --- One type's facts --------------------------------------------------------------


@dataclass(frozen=True)
class ResourceFacts:
    """Every fact about one resource type; a fact left out keeps the central default."""

    token: str  # the Pulumi type token, e.g. ``gcp:storage/bucket:Bucket``
    adoption: AdoptionRule | None = None
    replacement: Replacement | None = None
    placeholders: Mapping[str, Placeholder] = field(default_factory=lambda: MappingProxyType({}))
    grants_on: GrantsOn | None = None  # when it is an IAM member or binding
    key: KeyOf | None = None  # when grants can be on it: its key, as ``GrantsOn.key`` gives it
    grant_document: GrantDocument | None = None  # when its inputs state grants otherwise
    # it holds data or identity: replacing one destroys or orphans it (a danger in review)
    stateful: bool = False
    # inputs copied from the live resource by hand (beyond display names, descriptions
    # and labels): an adoption lists them for a person to read
    live_inputs: tuple[str, ...] = ()
    # (inputs before, inputs after) -> the settings that change sets which open it to
    # people outside it, as (key, value) (a danger in review; before is {} on creation)
    opened_by: Opener | None = None


def facts_by_type(*groups: tuple[ResourceFacts, ...]) -> Mapping[str, ResourceFacts]:
    """Type token -> facts, over several concerns' declarations.

    A type declared twice must be declared by the same object (a shared
    module), so that two concerns can never disagree about it.
    """
    found: dict[str, ResourceFacts] = {}
    for group in groups:
        for facts in group:
            known = found.setdefault(facts.token, facts)
            if known is not facts:
                raise ValueError(
                    f"`{facts.token}` is declared twice with different facts: declare it once, "
                    "in a module the concerns creating it share"
                )
    return MappingProxyType(found)
