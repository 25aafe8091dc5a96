"""Reading live state: groups of the customer, and each group's settings and members.

Every list call is paged to the end (200 per page, the APIs' maximum):
upstream read one page only, so a large group or domain was seen in part.
Settings and member lists of many groups travel in batches; later member
pages of the groups that have them travel together in the next batch.

Replies are checked before they are used: a body of the wrong shape (a
string where an object belongs, members that are not a list) fails its
group with ``MalformedReply``, and a list that repeats a page token or
goes past ``MAX_PAGES`` fails with ``PagingFailed`` instead of looping.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from infra.groups.addresses import address_key
from infra.groups.engine.apis import GoogleApis
from infra.groups.engine.batch import DEFAULT_BATCH, run_calls
from infra.groups.engine.progress import Progress, Silent
from infra.groups.engine.retry import (
    Backoff,
    MalformedReply,
    PagingFailed,
    execute,
    status_of,
)
from infra.groups.model import ROLES

PAGE_SIZE = 200
MAX_PAGES = 1000  # 200,000 groups in a Workspace, or members in a group
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


def group_from_api(body: Any, what: str = "a group") -> LiveGroup:
    found = _object(body, what)
    email = found.get("email")
    if not isinstance(email, str) or not email:
        raise MalformedReply(f"{what} has no `email` string")
    aliases = found.get("aliases") or []
    if not isinstance(aliases, list):
        raise MalformedReply(f"the aliases of {email} are not a list")
    return LiveGroup(
        email=email,
        id=str(found.get("id") or ""),
        name=str(found.get("name") or ""),
        description=str(found.get("description") or ""),
        aliases=tuple(str(a) for a in aliases),
    )


def _object(body: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(body, dict):
        raise MalformedReply(f"{what}: expected a JSON object, found {_json_kind(body)}")
    return body


def _objects(body: Mapping[str, Any], key: str, what: str) -> list[Mapping[str, Any]]:
    items = body.get(key) or []
    if not isinstance(items, list):
        raise MalformedReply(f"{what}: `{key}` is {_json_kind(items)}, not a list")
    return [_object(item, f"{what}: an item of `{key}`") for item in items]


def _json_kind(value: Any) -> str:
    kinds = ((bool, "a boolean"), (str, "a string"), ((int, float), "a number"),
             (list, "a list"), (dict, "an object"))  # fmt: skip
    return next((name for kind, name in kinds if isinstance(value, kind)), "null")


class _Pages:
    """The page tokens of one list: a repeated token or too many pages fail it."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.seen: set[str] = set()

    def next_token(self, body: Mapping[str, Any]) -> str | None:
        token = body.get("nextPageToken")
        if token is None or token == "":
            return None
        if not isinstance(token, str):
            raise MalformedReply(f"{self.what}: `nextPageToken` is {_json_kind(token)}")
        if token in self.seen:
            raise PagingFailed(
                f"{self.what}: the API sent page token {token[:40]!r} twice; "
                "the list would never end"
            )
        if len(self.seen) + 1 >= MAX_PAGES:
            raise PagingFailed(f"{self.what}: more than {MAX_PAGES} pages of {PAGE_SIZE}")
        self.seen.add(token)
        return token


def list_groups(apis: GoogleApis, customer: str, backoff: Backoff) -> tuple[LiveGroup, ...]:
    """Every group of the customer, all pages; any failure is fatal (a partial list
    would make absent groups look deletable)."""
    groups: list[LiveGroup] = []
    pages = _Pages("the list of groups")
    token: str | None = None
    while True:
        request = apis.directory.client.groups().list(
            customer=customer,
            maxResults=PAGE_SIZE,
            pageToken=token,
            fields=f"nextPageToken,groups({_GROUP_FIELDS})",
        )
        page = _object(execute(request, backoff), "a page of the list of groups")
        listed = _objects(page, "groups", "a page of the list of groups")
        groups.extend(group_from_api(g, "a listed group") for g in listed)
        token = pages.next_token(page)
        if not token:
            return tuple(groups)


def get_group(apis: GoogleApis, address: str, backoff: Backoff) -> LiveGroup | None:
    """One group by address or alias; None when it does not exist."""
    from googleapiclient.errors import HttpError

    request = apis.directory.client.groups().get(groupKey=address, fields=_GROUP_FIELDS)
    try:
        return group_from_api(execute(request, backoff), f"group {address}")
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
            continue
        try:
            body = _object(outcome.response, f"the settings of {by_key[key].email}")
        except MalformedReply as error:
            errors[key] = error
            continue
        settings[key] = {k: v for k, v in body.items() if isinstance(v, str)}

    members = _read_members(apis, by_key, backoff, size, progress, errors)
    states = {
        key: GroupState(group, settings[key], tuple(members[key]))
        for key, group in by_key.items()
        if key not in errors
    }
    return ReadResult(states, errors)


def _read_members(
    apis: GoogleApis,
    by_key: Mapping[str, LiveGroup],
    backoff: Backoff,
    size: int,
    progress: Progress,
    errors: dict[str, BaseException],
) -> dict[str, list[LiveMember]]:
    """Every member of each group, a round of batched pages at a time; a group whose
    pages fail (or repeat, or never end) gets its error in ``errors``."""
    members: dict[str, list[LiveMember]] = {key: [] for key in by_key}
    pages = {key: _Pages(f"the members of {group.email}") for key, group in by_key.items()}
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
            what = f"the members of {by_key[key].email}"
            try:
                body = _object(outcome.response, what)
                members[key].extend(_member(m, what) for m in _objects(body, "members", what))
                token = pages[key].next_token(body)
            except (MalformedReply, PagingFailed) as error:
                errors.setdefault(key, error)
                continue
            if token:
                member_calls[key] = _members_page(apis, by_key[key], token)
        page += 1
    return members


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


def _member(body: Mapping[str, Any], what: str = "a member") -> LiveMember:
    """A member as the API lists it. Without an address string, or with a role
    that is none of the three, the member cannot be compared: the reply is
    malformed, and its group fails (so nothing of it is removed)."""
    email = body.get("email")
    if not isinstance(email, str) or "@" not in email:
        shown = repr(email)[:60] if email is not None else "none"
        raise MalformedReply(f"{what}: a member has no address (`email` is {shown})")
    role = body.get("role") or "MEMBER"
    if not isinstance(role, str) or role.upper() not in ROLES:
        raise MalformedReply(f"{what}: member {email} has the role {str(role)[:30]!r}")
    return LiveMember(
        email=email,
        role=role.upper(),  # the API's roles are upper case; compared whatever the case
        id=str(body.get("id") or ""),
        type=str(body.get("type") or "USER"),
    )
