"""What the groups tell the guard rails: every declared group is a known member source."""

from __future__ import annotations

from typing import TYPE_CHECKING

from infra.declarations.guardrails import GuardRails, PolicyFacts
from infra.groups.loader import GROUPS_COMPONENT
from infra.groups.model import GroupsTree

if TYPE_CHECKING:
    from infra.declarations.loaded import Declarations


def facts(declarations: Declarations) -> PolicyFacts:
    """The declared groups' addresses: a grant to any other group is refused."""
    tree = declarations.model(GROUPS_COMPONENT, GroupsTree)
    groups = tree.groups if tree is not None else ()
    return PolicyFacts(groups=frozenset(g.email.lower() for g in groups))


GUARDRAILS = GuardRails(facts=facts)
