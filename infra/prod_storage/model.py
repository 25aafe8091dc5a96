"""The production artifact storage: what ``ensure-prod-storage.sh`` made besides the mirrors.

Declared in one data file under the data root:

    infra/data/prod-storage.yaml
      project: <project id>              # referenced, never created (the mirrors' project)
      location: US                        # of every bucket
      retention_seconds: <n>              # objects kept at least this long
      logs_bucket: <bucket>               # access logs, prefixed with the bucket's name
      admins: [<member>]                  # object admin and legacy bucket owner on every bucket
      buckets:
        <name>:
          writers: [<member>]             # object admin and legacy bucket writer
          main_page_suffix: index.html    # served as a website's index
      service_accounts:
        <account id>:
          display_name: <text>
          bucket_writer: true             # object admin and legacy bucket writer on every bucket
          workload_identity: [<member>]   # may act as the account (workloadIdentityUser)
          users: [<member>]               # may act as the account (serviceAccountUser)
          project_roles: [roles/<role>]   # granted additively on the project
      grants:                             # additive: other grants of these roles stay
        - member: <member>
          roles: [roles/<role>]
          on: project                     # default; or bucket:<bucket not created here>

Every grant is additive, as the script's were: roles the mirrors stack binds
authoritatively (``k8s-infra:mirrors`` ``iam``) may not appear here. The
former ``project_grants: [{member, roles}]`` and ``bucket_grants: {<bucket>:
[{member, roles}]}`` are still read, with a warning.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from infra.core import iam, names
from infra.core.fields import FieldPath, Fields, locate_in
from infra.core.located_yaml import load_yaml
from infra.core.problems import Position, Problems
from infra.declarations.layout import declaration_file
from infra.declarations.stacks import StackSettings

COMPONENT = "prod-storage"
DATA_FILE = "infra/data/prod-storage.yaml"
# The grant lists' former names, read with a deprecation warning.
OLD_PROJECT_GRANTS = "project_grants"
OLD_BUCKET_GRANTS = "bucket_grants"
TOP_KEYS = frozenset(
    {
        "project",
        "location",
        "retention_seconds",
        "logs_bucket",
        "admins",
        "buckets",
        "service_accounts",
        iam.GRANTS,
        OLD_PROJECT_GRANTS,
        OLD_BUCKET_GRANTS,
    }
)
REQUIRED = ("project", "location", "buckets")
BUCKET_KEYS = frozenset({"writers", "main_page_suffix"})
ACCOUNT_KEYS = frozenset(
    {"display_name", "bucket_writer", "workload_identity", "users", "project_roles"}
)
OLD_GRANT_KEYS = frozenset({"member", "roles"})
PROJECT_TARGET = "project"
BUCKET_TARGET = "bucket:"
# Google Cloud Storage bucket names without dots: 3 to 63 characters.
_BUCKET = re.compile(r"[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]")
_BUCKET_HINT = "write 3 to 63 lowercase letters, digits, `-` and `_`, no dots"
_LOCATION = re.compile(r"[A-Z0-9-]+")


@dataclass(frozen=True)
class Grant:
    member: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class ProdBucket:
    name: str
    writers: tuple[str, ...] = ()
    main_page_suffix: str | None = None


@dataclass(frozen=True)
class ProdAccount:
    account_id: str
    display_name: str
    bucket_writer: bool = False
    workload_identity: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    project_roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProdStorage:
    project: str
    location: str
    retention_seconds: int | None
    logs_bucket: str | None
    admins: tuple[str, ...]
    buckets: tuple[ProdBucket, ...]
    accounts: tuple[ProdAccount, ...]
    project_grants: tuple[Grant, ...]
    bucket_grants: Mapping[str, tuple[Grant, ...]]
    group_references: tuple[tuple[str, Position], ...] = ()

    def bucket_writers(self) -> list[str]:
        """The accounts that write to every bucket, as members."""
        return [
            f"serviceAccount:{names.service_account_email(a.account_id, self.project)}"
            for a in self.accounts
            if a.bucket_writer
        ]


def builds_prod_storage(stacks: Mapping[str, StackSettings]) -> bool:
    return any(COMPONENT in s.components for s in stacks.values())


def load_prod_storage(root: Path, problems: Problems) -> ProdStorage | None:
    # an upstream checkout has no such file: the code's checkout provides it
    document = load_yaml(declaration_file(root, DATA_FILE), DATA_FILE, problems)
    if document is None:
        return None
    reader = _Reader(Fields(locate_in(document), problems))
    return reader.storage(document.data)


class _Reader:
    def __init__(self, fields: Fields) -> None:
        self.fields = fields
        self.groups: list[tuple[str, Position]] = []

    def storage(self, data: Any) -> ProdStorage | None:
        fields = self.fields
        top = fields.mapping(data, (), TOP_KEYS, required=REQUIRED, what="the file")
        if top is None or not set(top) >= set(REQUIRED):
            return None
        project = fields.project_id(top["project"], ("project",))
        location = fields.text(top["location"], ("location",), _LOCATION, "an uppercase location")
        retention = None
        if "retention_seconds" in top:
            retention = fields.integer(top["retention_seconds"], ("retention_seconds",), low=1)
        logs = None
        if "logs_bucket" in top:
            logs = self._bucket_name(top["logs_bucket"], ("logs_bucket",))
        admins = self._members(top.get("admins", []), ("admins",))
        buckets = self._buckets(top["buckets"])
        accounts = self._accounts(top.get("service_accounts", {}))
        grants, bucket_grants = self._all_grants(top, {b.name for b in buckets})
        if project is None or location is None:
            return None
        return ProdStorage(
            project=project,
            location=location,
            retention_seconds=retention,
            logs_bucket=logs,
            admins=admins,
            buckets=buckets,
            accounts=accounts,
            project_grants=grants,
            bucket_grants=MappingProxyType(bucket_grants),
            group_references=tuple(self.groups),
        )

    def _bucket_name(self, value: Any, path: FieldPath, *, key: bool = False) -> str | None:
        fields = self.fields.on_keys() if key else self.fields
        return fields.text(value, path, _BUCKET, "a bucket name", hint=_BUCKET_HINT)

    def _buckets(self, raw: Any) -> tuple[ProdBucket, ...]:
        fields = self.fields
        entries = fields.mapping(raw, ("buckets",), expected="a mapping of bucket names")
        found: list[ProdBucket] = []
        for name, body in (entries or {}).items():
            path = ("buckets", name)
            spec = fields.mapping({} if body is None else body, path, BUCKET_KEYS,
                                  what=f"bucket `{name}`")  # fmt: skip
            if self._bucket_name(name, path, key=True) is None or spec is None:
                continue
            suffix = None
            if "main_page_suffix" in spec:
                suffix = fields.text(spec["main_page_suffix"], (*path, "main_page_suffix"))
            writers = self._members(spec.get("writers", []), (*path, "writers"))
            found.append(ProdBucket(name, writers, suffix))
        return tuple(found)

    def _accounts(self, raw: Any) -> tuple[ProdAccount, ...]:
        fields = self.fields
        entries = fields.mapping(raw, ("service_accounts",), expected="a mapping of account ids")
        found: list[ProdAccount] = []
        for account_id, body in (entries or {}).items():
            path = ("service_accounts", account_id)
            problem = names.service_account_id_problem(account_id)
            if problem:
                fields.problems.error(fields.key_at(path), problem, "pick another account id")
                continue
            spec = fields.mapping(body, path, ACCOUNT_KEYS, required=("display_name",),
                                  what=f"account `{account_id}`")  # fmt: skip
            if spec is None or "display_name" not in spec:
                continue
            display = fields.text(spec["display_name"], (*path, "display_name"))
            writer = fields.boolean(spec.get("bucket_writer", False), (*path, "bucket_writer"))
            roles = fields.texts(
                spec.get("project_roles", []), (*path, "project_roles"), iam.ROLE, "an IAM role"
            )
            found.append(
                ProdAccount(
                    account_id=account_id,
                    display_name=display or account_id,
                    bucket_writer=bool(writer),
                    workload_identity=self._members(
                        spec.get("workload_identity", []), (*path, "workload_identity")
                    ),
                    users=self._members(spec.get("users", []), (*path, "users")),
                    project_roles=roles,
                )
            )
        return tuple(found)

    def _all_grants(
        self, top: Mapping[str, Any], created: set[str]
    ) -> tuple[tuple[Grant, ...], dict[str, tuple[Grant, ...]]]:
        """The project's grants and each bucket's, from ``grants`` and the former lists."""
        project: list[Grant] = []
        buckets: dict[str, list[Grant]] = {}
        path: FieldPath = (iam.GRANTS,)
        listed = self.fields.sequence(top.get(iam.GRANTS, []), path, "a list of grants")
        for index, entry in enumerate(listed):
            grant = self._grant(entry, (*path, index), iam.GRANT_KEYS)
            if grant is None:
                continue
            target, at = entry.get("on", PROJECT_TARGET), (*path, index, "on")
            if target == PROJECT_TARGET:
                project.append(grant)
            elif (bucket := self._granted_bucket(target, at, created)) is not None:
                buckets.setdefault(bucket, []).append(grant)
        if OLD_PROJECT_GRANTS in top:
            self._deprecated(OLD_PROJECT_GRANTS, f"`on: {PROJECT_TARGET}` (the default)")
            project += self._old_grants(top[OLD_PROJECT_GRANTS], (OLD_PROJECT_GRANTS,))
        if OLD_BUCKET_GRANTS in top:
            self._deprecated(OLD_BUCKET_GRANTS, f"`on: {BUCKET_TARGET}<bucket>`")
            for name, grants in self._old_bucket_grants(top[OLD_BUCKET_GRANTS], created).items():
                buckets.setdefault(name, []).extend(grants)
        return tuple(project), {name: tuple(grants) for name, grants in buckets.items()}

    def _deprecated(self, key: str, instead: str) -> None:
        self.fields.key_warning(
            (key,),
            f"`{key}` is deprecated: additive grants are listed under `{iam.GRANTS}`",
            f"move each entry under `{iam.GRANTS}` with {instead}",
        )

    def _granted_bucket(self, target: Any, at: FieldPath, created: set[str]) -> str | None:
        """The bucket ``on: bucket:<name>`` names, when it is one this file does not create."""
        if not isinstance(target, str) or not target.startswith(BUCKET_TARGET):
            self.fields.error(
                at,
                f"`on` must be `{PROJECT_TARGET}` or `{BUCKET_TARGET}<bucket>`",
                "a grant on a bucket created here goes under `buckets`",
            )
            return None
        name = self._bucket_name(target.removeprefix(BUCKET_TARGET), at)
        if name is not None and name in created:
            self.fields.error(
                at,
                f"bucket `{name}` is created here: grant on it under `buckets`",
                f"`{BUCKET_TARGET}` grants are for buckets this stack does not create",
            )
            return None
        return name

    def _old_bucket_grants(self, raw: Any, created: set[str]) -> dict[str, tuple[Grant, ...]]:
        fields = self.fields
        entries = fields.mapping(raw, (OLD_BUCKET_GRANTS,), expected="a mapping of bucket names")
        result: dict[str, tuple[Grant, ...]] = {}
        for name, grants in (entries or {}).items():
            path = (OLD_BUCKET_GRANTS, name)
            if self._bucket_name(name, path, key=True) is None:
                continue
            if name in created:
                fields.key_error(
                    path,
                    f"bucket `{name}` is created here: grant on it under `buckets`",
                    f"`{OLD_BUCKET_GRANTS}` is for buckets this stack does not create",
                )
                continue
            result[name] = self._old_grants(grants, path)
        return result

    def _old_grants(self, raw: Any, path: FieldPath) -> tuple[Grant, ...]:
        found = (
            self._grant(entry, (*path, index), OLD_GRANT_KEYS)
            for index, entry in enumerate(self.fields.sequence(raw, path, "a list of grants"))
        )
        return tuple(grant for grant in found if grant is not None)

    def _grant(self, entry: Any, at: FieldPath, keys: Collection[str]) -> Grant | None:
        """One ``{member, roles}`` entry (``on`` is read by the caller)."""
        fields = self.fields
        required = ("member", "roles")
        spec = fields.mapping(entry, at, frozenset(keys), required=required, what="grant")
        if spec is None or not set(spec) >= set(required):
            return None
        member = self._member(spec["member"], (*at, "member"))
        roles = fields.texts(spec["roles"], (*at, "roles"), iam.ROLE, "an IAM role")
        return Grant(member, roles) if member is not None and roles else None

    def _members(self, raw: Any, path: FieldPath) -> tuple[str, ...]:
        found = (
            self._member(value, (*path, index))
            for index, value in enumerate(self.fields.sequence(raw, path, "a list of members"))
        )
        return tuple(member for member in found if member is not None)

    def _member(self, raw: Any, path: FieldPath) -> str | None:
        member = self.fields.member(raw, path)
        group = iam.group_address(member) if member else None
        if group:
            self.groups.append((group, self.fields.at(path)))
        return member
