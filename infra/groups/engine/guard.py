"""The guard that keeps sample declarations away from a real Workspace.

The shipped sample tree uses addresses under reserved example domains;
applying it to the real APIs would empty real groups of their members. So
against the real endpoint, a declaration holding such an address (as a
group or as a member) stops the whole run before any write.
"""

from __future__ import annotations

from collections.abc import Iterable

from infra.core.errors import K8sInfraError
from infra.groups.addresses import is_reserved
from infra.groups.model import Group


class ReservedAddresses(K8sInfraError):
    def __init__(self, lines: list[str]) -> None:
        super().__init__(
            f"{len(lines)} declared address(es) under reserved example domains; "
            "refusing to write to the real Google APIs",
            "these are sample declarations: point --root at the real groups tree, or set "
            "K8S_INFRA_GOOGLE_API_ENDPOINT to a fake server",
        )
        # The error boundary prints these lines before the message.
        self.problem_lines = lines


def reserved_lines(groups: Iterable[Group]) -> list[str]:
    lines = []
    for group in groups:
        where = f"{group.file or '<declarations>'}:{group.line}:1"
        for address in (group.email, *(m.email for m in group.memberships())):
            if is_reserved(address):
                lines.append(
                    f"{where}: error: `{address}` in group `{group.email}` is under a "
                    "reserved example domain"
                )
    return sorted(lines)


def refuse_reserved(groups: Iterable[Group]) -> None:
    lines = reserved_lines(groups)
    if lines:
        raise ReservedAddresses(lines)
