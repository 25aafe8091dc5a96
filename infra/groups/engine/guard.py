"""The guard that keeps sample declarations away from a real Workspace.

The shipped sample tree uses addresses under reserved example domains;
applying it to the real APIs would empty real groups of their members. So
against the real endpoint, a declaration holding such an address (as a
group or as a member) stops the whole run before any write.
"""

from __future__ import annotations

from collections.abc import Iterable

from infra.core.environment import GOOGLE_API_ENDPOINT_ENV
from infra.core.errors import K8sInfraError
from infra.core.problems import Position, Problem, Problems
from infra.groups.addresses import is_reserved
from infra.groups.model import Group


class ReservedAddresses(K8sInfraError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(
            f"{len(problems)} declared address(es) under reserved example domains; "
            "refusing to write to the real Google APIs",
            "these are sample declarations: use the real groups tree, or point "
            f"{GOOGLE_API_ENDPOINT_ENV} at a fake server",
            problems=problems,
        )


def reserved_addresses(groups: Iterable[Group]) -> list[Problem]:
    found = Problems()
    for group in groups:
        where = Position(group.file or "<declarations>", group.line)
        for address in (group.email, *(m.email for m in group.memberships())):
            if is_reserved(address):
                found.error(
                    where,
                    f"`{address}` in group `{group.email}` is under a reserved example domain",
                )
    return found.sorted()


def refuse_reserved(groups: Iterable[Group]) -> None:
    problems = reserved_addresses(groups)
    if problems:
        raise ReservedAddresses(problems)
