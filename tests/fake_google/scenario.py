"""A Workspace the size of the real one, for the request budget test and the benchmark.

400 groups and 3,000 memberships; three groups have more than 200 members
(one page), so reading them takes extra pages.
"""

from __future__ import annotations

from infra.groups.model import Group, GroupsTree
from infra.groups.settings_table import desired_settings
from tests.fake_google.state import Workspace

GROUPS = 400
MEMBERSHIPS = 3000
LARGE = (450, 300, 250)  # members of the groups over one page


def member_counts(groups: int = GROUPS, memberships: int = MEMBERSHIPS) -> list[int]:
    """Members per group: the large ones first, the rest spread evenly."""
    rest = memberships - sum(LARGE)
    small = groups - len(LARGE)
    return [*LARGE, *(rest // small + (1 if i < rest % small else 0) for i in range(small))]


def extra_pages(counts: list[int], page: int = 200) -> int:
    """Member-list pages beyond the first, over all groups."""
    return sum(max(0, (n - 1) // page) for n in counts)


def seed(workspace: Workspace, groups: int = GROUPS, memberships: int = MEMBERSHIPS) -> GroupsTree:
    """Live groups equal to the returned declarations: a no-op reconcile."""
    declared = []
    for index, count in enumerate(member_counts(groups, memberships)):
        email = f"group-{index:03d}@example.com"
        people = tuple(f"user-{index:03d}-{n:03d}@example.com" for n in range(count))
        owners, members = people[:1], people[1:]
        settings = {"WhoCanJoin": "CAN_REQUEST_TO_JOIN"} if index % 2 else {}
        declared.append(
            Group(
                email=email,
                name=f"group-{index:03d}",
                description=f"Group number {index}",
                settings=settings,
                reconcile_members=index % 3 == 0,
                owners=owners,
                members=members,
                file="groups/bench/groups.yaml",
                line=1 + index * 8,
            )
        )
        workspace.add_group(
            email,
            f"group-{index:03d}",
            f"Group number {index}",
            owners=owners,
            members=members,
            settings=desired_settings(settings),
        )
    return GroupsTree(tuple(declared))


def upstream_calls(counts: list[int], paged: bool = False) -> int:
    """HTTP requests of upstream's one-call-at-a-time reconcile, for a no-op run.

    Per group: the group (1), its settings (1), the member list once per role
    while adding (3) and once more while removing (1). Then one groups list
    for the deletion sweep. Upstream did not page; ``paged`` adds the pages it
    would need to see every member of the large groups.
    """
    per_group = 1 + 1 + 3 + 1
    lists_per_group = 4
    pages = extra_pages(counts) * lists_per_group if paged else 0
    return len(counts) * per_group + pages + 1
