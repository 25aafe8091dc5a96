"""What a concern tells the guard rails about its resource types.

The generic guard rails (``infra.guardrails``: public grants, production
data, uniform bucket access, member sources...) judge every stack's
resources, but the types they apply to and what the declarations say about
them come from the concerns, through the catalog. A concern's own guard
rails (a rule about its resources only) are policies it writes in its
package (with ``infra.crossguard``) and lists here.

No Pulumi import at module level: validation reads the catalog too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from infra.crossguard import Policy
    from infra.declarations.loaded import Declarations

# A policy's config: property -> value, as the pack's `--policy-pack-config` holds it.
PolicySettings = Mapping[str, Any]


@dataclass(frozen=True)
class PolicyFacts:
    """What a concern's checked declarations tell the policies: its part of the config."""

    # projects whose service accounts it creates (member sources)
    projects: frozenset[str] = frozenset()
    # the group addresses it declares, lower case (member sources)
    groups: frozenset[str] = frozenset()
    # projects whose ``production_in_projects`` resources hold production data
    production_projects: frozenset[str] = frozenset()
    # the config of its own policies: policy name -> that policy's properties
    own: Mapping[str, PolicySettings] = field(default_factory=lambda: MappingProxyType({}))


def _no_policies() -> Sequence[Policy]:
    return ()


def _no_facts(_declarations: Declarations) -> PolicyFacts:
    return PolicyFacts()


@dataclass(frozen=True)
class GuardRails:
    """One concern's entry for the guard rails."""

    # its own policies, made when called (pulumi_policy is imported then, not by validation)
    policies: Callable[[], Sequence[Policy]] = _no_policies
    # what its checked declarations tell the policies (read from its own model)
    facts: Callable[[Declarations], PolicyFacts] = _no_facts
    # (grant type, role) the public may hold on its resources, where declared public
    public_reads: frozenset[tuple[str, str]] = frozenset()
    # types holding data that cannot be made again: they must be protected
    production: frozenset[str] = frozenset()
    # types holding production data when they are in one of its production projects
    production_in_projects: frozenset[str] = frozenset()
    # bucket types whose `uniformBucketLevelAccess` must be on
    uniform_access: frozenset[str] = frozenset()
