"""Reading live state: groups of the customer, and each group's settings and members.

Every list call is paged to the end (200 per page, the APIs' maximum):
upstream read one page only, so a large group or domain was seen in part.
Settings and member lists of many groups travel in batches; later member
pages of the groups that have them travel together in the next batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from infra.groups.addresses import address_key
from infra.groups.engine.apis import GoogleApis
from infra.groups.engine.batch import DEFAULT_BATCH, run_calls
from infra.groups.engine.progress import Progress, Silent
from infra.groups.engine.retry import Backoff, execute, status_of

PAGE_SIZE = 200
_GROUP_FIELDS = "id,email,name,description,aliases"
_MEMBER_FIELDS = "nextPageToken,members(id,email,role,type)"


@dataclass(frozen=True)
class LiveGroup:
    email: str
    id: str
    name: str = ""
    description: str = ""
    aliases: tuple[str, ...] = ()

    def match_keys(self) -> tuple[str, ...]:
        """Every address key the group answers to."""
        return (address_key(self.email), *(address_key(a) for a in self.aliases))


@dataclass(frozen=True)
class LiveMember:
    email: str
    role: str
    id: str = ""
    type: str = "USER"


@dataclass(frozen=True)
class GroupState:
    """A group with its settings (API name -> string value) and every member."""

    group: LiveGroup
    settings: Mapping[str, str]
    members: tuple[LiveMember, ...]


@dataclass(frozen=True)
class ReadResult:
    states: Mapping[str, GroupState]  # by address key of the group's primary address
    errors: Mapping[str, BaseException]  # groups whose state could not be read


def group_from_api(body: Mapping[str, Any]) -> LiveGroup:
    return LiveGroup(
        email=str(body.get("email", "")),
        id=str(body.get("id", "")),
        name=str(body.get("name") or ""),
        description=str(body.get("description") or ""),
        aliases=tuple(str(a) for a in body.get("aliases") or ()),
    )


def list_groups(apis: GoogleApis, customer: str, backoff: Backoff) -> tuple[LiveGroup, ...]:
    """Every group of the customer, all pages; any failure is fatal (a partial list
    would make absent groups look deletable)."""
    groups: list[LiveGroup] = []
    token: str | None = None
    while True:
        request = apis.directory.client.groups().list(
            customer=customer,
            maxResults=PAGE_SIZE,
            pageToken=token,
            fields=f"nextPageToken,groups({_GROUP_FIELDS})",
        )
        page = execute(request, backoff)
        groups.extend(group_from_api(g) for g in page.get("groups") or ())
        token = page.get("nextPageToken")
        if not token:
            return tuple(groups)


def get_group(apis: GoogleApis, address: str, backoff: Backoff) -> LiveGroup | None:
    """One group by address or alias; None when it does not exist."""
    from googleapiclient.errors import HttpError

    request = apis.directory.client.groups().get(groupKey=address, fields=_GROUP_FIELDS)
    try:
        return group_from_api(execute(request, backoff))
    except HttpError as error:
        if status_of(error) == 404:
            return None
        raise


def read_states(
    apis: GoogleApis,
    groups: Iterable[LiveGroup],
    backoff: Backoff,
    size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
) -> ReadResult:
    """Settings and all members of each group, batched; failures are per group."""
    progress = progress or Silent()
    by_key = {address_key(g.email): g for g in groups}
    errors: dict[str, BaseException] = {}
    if not by_key:
        return ReadResult({}, {})

    progress.phase("reading settings", len(by_key))
    settings: dict[str, dict[str, str]] = {}
    setting_calls = {
        key: apis.settings.client.groups().get(groupUniqueId=group.email)
        for key, group in by_key.items()
    }
    for key, outcome in run_calls(
        apis.settings, setting_calls, backoff, size, progress.advance
    ).items():
        if outcome.error is not None:
            errors[key] = outcome.error
        else:
            body = outcome.response or {}
            settings[key] = {k: v for k, v in body.items() if isinstance(v, str)}

    members: dict[str, list[LiveMember]] = {key: [] for key in by_key}
    member_calls = {key: _members_page(apis, group, None) for key, group in by_key.items()}
    page = 1
    while member_calls:
        progress.phase(
            "reading members" if page == 1 else f"reading members, page {page}",
            len(member_calls),
        )
        outcomes = run_calls(apis.directory, member_calls, backoff, size, progress.advance)
        member_calls = {}
        for key, outcome in outcomes.items():
            if outcome.error is not None:
                errors.setdefault(key, outcome.error)
                continue
            body = outcome.response or {}
            members[key].extend(_member(m) for m in body.get("members") or ())
            token = body.get("nextPageToken")
            if token:
                member_calls[key] = _members_page(apis, by_key[key], token)
        page += 1
    states = {
        key: GroupState(group, settings[key], tuple(members[key]))
        for key, group in by_key.items()
        if key not in errors
    }
    return ReadResult(states, errors)


def read_state(apis: GoogleApis, group: LiveGroup, backoff: Backoff) -> GroupState:
    """One group's state; its read error is raised."""
    result = read_states(apis, [group], backoff)
    for error in result.errors.values():
        raise error
    return result.states[address_key(group.email)]


def _members_page(apis: GoogleApis, group: LiveGroup, token: str | None) -> Any:
    return apis.directory.client.members().list(
        groupKey=group.id or group.email,
        maxResults=PAGE_SIZE,
        pageToken=token,
        fields=_MEMBER_FIELDS,
    )


def _member(body: Mapping[str, Any]) -> LiveMember:
    return LiveMember(
        email=str(body.get("email", "")),
        role=str(body.get("role") or "MEMBER"),
        id=str(body.get("id") or ""),
        type=str(body.get("type") or "USER"),
    )
