"""Per-project staging: the ``staging`` section of infra.yaml, resolved for the component.

Each project picks a profile (``infra/data/staging-profiles.yaml``: the
resources and the IAM matrix every staging project gets) and may add
declarative options; special cases are these options, never code:

    k8s-staging-<name>:
      profile: standard | gcb-untrusted   # default: from managed_by, else standard
      services: [<api>.googleapis.com]    # extra APIs (scanning APIs refused)
      grant_sets: [<name>]                # named lists of grants under staging.grant_sets
      grants: [{member, roles, on}]       # extra additive grants (shape in the profiles file)
      gcb_builder: {workload_identity_pool: <project>}  # a per-project prow builder account
      service_accounts:
        <account-id>:
          display_name: <text>
          workload_identity: [<pool>.svc.id.goog[<namespace>/<k8s service account>]]

Everything is checked at load, with every problem reported at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from infra.core import iam, names
from infra.core.fields import yaml_type_name
from infra.core.located_yaml import YamlDocument, load_yaml
from infra.core.problems import Position, Problems, did_you_mean
from infra.declarations.estate import Estate, ProjectEntry
from infra.declarations.facts import DATA_DIR
from infra.declarations.stacks import StackSettings

SECTION = "staging"
PROFILES_FILE = "staging-profiles.yaml"

TargetKind = Literal[
    "project", "other_project", "repository", "bucket", "gcb_bucket", "service_account"
]
MemberKind = Literal["literal", "cloudbuild", "service_account"]

_SERVICE = re.compile(r"^[a-z0-9][a-z0-9.-]*\.googleapis\.com$")
_WORKLOAD_IDENTITY = re.compile(
    r"^([a-z][a-z0-9-]{4,28}[a-z0-9])\.svc\.id\.goog\[([^/\]]+)/([^\]]+)\]$"
)
# Keys this concern adds to infra.yaml: to the section, and to each of its projects.
SECTION_KEYS = frozenset({"grant_sets"})
PROJECT_KEYS = frozenset(
    {"profile", "services", "grant_sets", "grants", "gcb_builder", "service_accounts"}
)
GRANT_KEYS = ("member", "roles", "on")
SERVICE_ACCOUNT_KEYS = ("display_name", "workload_identity")
SETTINGS_KEYS = {
    "logs_bucket": "bucket receiving the access logs of each staging bucket",
    "artifact_admins": "member of the artifact admins (`artifact-admins` in grants)",
    "prow_builder": "member of the prow trusted builder (`prow-builder` in grants)",
    "prow_namespace": "Kubernetes namespace of prow's build pods (workload identity)",
    "repository_location": "location of each project's `images` repository",
    "bucket_location": "location of the staging buckets",
    "object_age_days": "age in days after which staged objects are deleted",
}


@dataclass(frozen=True)
class Target:
    kind: TargetKind
    ref: str = ""  # the other project's id, or the service account id

    @property
    def slug(self) -> str:
        return {
            "project": "project",
            "other_project": f"on-{self.ref}",
            "repository": "images",
            "bucket": "bucket",
            "gcb_bucket": "gcb-bucket",
            "service_account": f"sa-{self.ref}",
        }[self.kind]


@dataclass(frozen=True)
class Member:
    """A literal IAM member, or one only known once the project exists."""

    kind: MemberKind
    value: str  # the literal member, or the service account id

    @property
    def slug(self) -> str:
        if self.kind == "cloudbuild":
            return "cloudbuild"
        if self.kind == "service_account":
            return f"sa-{self.value}"
        return names.member_slug(self.value)


@dataclass(frozen=True)
class Grant:
    target: Target
    role: str
    member: Member

    @property
    def key(self) -> str:
        """Stable, unique child name part: reordering a file renames nothing."""
        role = self.role.rsplit("/", 1)[-1].lower().replace(".", "-")
        return f"{self.target.slug}-{role}-{self.member.slug}"


@dataclass(frozen=True)
class ServiceAccount:
    account_id: str
    display_name: str
    workload_identity: tuple[str, ...] = ()  # serviceAccount:<pool>.svc.id.goog[<ns>/<ksa>]


@dataclass(frozen=True)
class StagingSettings:
    """Stack-wide facts every staging project uses (``k8s-infra:staging`` and friends)."""

    organization_id: str
    billing_account: str
    domain: str
    logs_bucket: str
    artifact_admins: str
    prow_builder: str
    prow_namespace: str = "test-pods"
    repository_location: str = "us-central1"
    bucket_location: str = "US"
    object_age_days: int = 60


@dataclass(frozen=True)
class StagingProject:
    project_id: str
    name: str
    profile: str
    services: tuple[str, ...]
    writer_group: str | None
    has_repository: bool
    has_buckets: bool
    service_accounts: tuple[ServiceAccount, ...]
    grants: tuple[Grant, ...]

    @property
    def bucket(self) -> str:
        return names.staging_bucket(self.project_id)

    @property
    def gcb_bucket(self) -> str:
        return names.staging_gcb_bucket(self.project_id)


@dataclass(frozen=True)
class Staging:
    settings: StagingSettings
    projects: tuple[StagingProject, ...]
    # every group a grant names, with where it was declared (for the groups cross-check)
    group_references: tuple[tuple[str, Position], ...] = field(default=())


@dataclass(frozen=True)
class _Profile:
    name: str
    writer_group: bool
    repository: bool
    buckets: bool
    services: tuple[str, ...]
    service_accounts: Mapping[str, str]  # id -> display name template
    grants: tuple[Any, ...]  # raw grants, parsed per project


@dataclass(frozen=True)
class _ProfilesFile:
    document: YamlDocument
    profiles: Mapping[str, _Profile]
    managed_by: Mapping[str, str]
    gcb_builder: Mapping[str, Any]
    refused_services: frozenset[str]


@cache
def _profiles_file() -> _ProfilesFile:
    problems = Problems()
    document = load_yaml(DATA_DIR / PROFILES_FILE, f"infra/data/{PROFILES_FILE}", problems)
    if document is None or problems.has_errors:
        raise RuntimeError("; ".join(p.format() for p in problems))
    data = document.data
    profiles = {
        name: _Profile(
            name=name,
            writer_group=bool(body["writer_group"]),
            repository=bool(body["repository"]),
            buckets=bool(body["buckets"]),
            services=tuple(body["services"]),
            service_accounts={
                account: str(spec["display_name"])
                for account, spec in (body.get("service_accounts") or {}).items()
            },
            grants=tuple(body.get("grants") or ()),
        )
        for name, body in data["profiles"].items()
    }
    return _ProfilesFile(
        document,
        profiles,
        dict(data.get("managed_by_profiles") or {}),
        dict(data["gcb_builder"]),
        frozenset(data.get("refused_services") or ()),
    )


def staging_settings(settings: StackSettings, problems: Problems) -> StagingSettings | None:
    """The staging facts of a stack, checked (unknown keys, types, member shapes)."""
    raw = settings.object("staging")
    where = settings.where("staging")
    for key in raw:
        if key not in SETTINGS_KEYS:
            problems.error(
                settings.where(f"staging.{key}"),
                f"unknown key `{key}` in k8s-infra:staging",
                did_you_mean(key, SETTINGS_KEYS),
            )
    for key in ("logs_bucket", "artifact_admins", "prow_builder"):
        if not isinstance(raw.get(key), str):
            problems.error(where, f"k8s-infra:staging needs `{key}` (a string)", SETTINGS_KEYS[key])
    for key in ("artifact_admins", "prow_builder"):
        value = raw.get(key)
        if isinstance(value, str) and not iam.is_member(value):
            problems.error(
                settings.where(f"staging.{key}"),
                f"`{key}: {value}` is not an IAM member",
                "write group:<address> or serviceAccount:<address>",
            )
    age = raw.get("object_age_days", 60)
    if not isinstance(age, int) or isinstance(age, bool) or age < 1:
        problems.error(where, "`object_age_days` must be a positive number of days")
        age = 60
    if problems.has_errors:
        return None
    optional = {
        key: str(raw[key])
        for key in ("prow_namespace", "repository_location", "bucket_location")
        if key in raw
    }
    return StagingSettings(
        organization_id=settings.text("organization_id"),
        billing_account=settings.text("billing_account"),
        domain=settings.text("domain"),
        logs_bucket=str(raw["logs_bucket"]),
        artifact_admins=str(raw["artifact_admins"]),
        prow_builder=str(raw["prow_builder"]),
        object_age_days=age,
        **optional,
    )


def load_staging(estate: Estate, settings: StagingSettings, problems: Problems) -> Staging:
    """Resolve every project of the ``staging`` section (all of them, even with errors)."""
    reader = _StagingReader(estate, settings, problems)
    projects = tuple(
        project
        for entry in estate.projects(SECTION)
        if (project := reader.project(entry)) is not None
    )
    return Staging(settings, projects, tuple(reader.group_references))


def check_staging_options(estate: Estate, problems: Problems) -> None:
    """Validate the staging options without stack settings (for a bare infra.yaml)."""
    placeholder = StagingSettings("0", "", "example.com", "logs", "group:a@example.com",
                                  "serviceAccount:b@example.com")  # fmt: skip
    load_staging(estate, placeholder, problems)


class _StagingReader:
    def __init__(self, estate: Estate, settings: StagingSettings, problems: Problems) -> None:
        self.estate = estate
        self.doc = estate.document
        self.settings = settings
        self.problems = problems
        self.file = _profiles_file()
        self.group_references: list[tuple[str, Position]] = []
        section = estate.section(SECTION)
        self.grant_sets: dict[str, Any] = {}
        raw_sets = section.settings.get("grant_sets") if section else None
        if raw_sets is not None and not isinstance(raw_sets, dict):
            self._type(("infra", SECTION, "grant_sets"), "`grant_sets`", "a mapping", raw_sets)
        elif raw_sets:
            self.grant_sets = raw_sets

    # -- one project ---------------------------------------------------------

    def project(self, entry: ProjectEntry) -> StagingProject | None:
        path = ("infra", SECTION, "projects", entry.project_id)
        if not entry.project_id.startswith(names.STAGING_PREFIX):
            self.problems.error(
                self.doc.key_at(*path),
                f"staging project `{entry.project_id}` must be named "
                f"`{names.STAGING_PREFIX}<name>`",
                "staging buckets, groups and accounts are derived from that name",
            )
            return None
        options = entry.options
        chosen = self._profile(entry, path)
        # An unknown profile is reported; the other options are still checked
        # (against the standard profile) so one run shows every problem.
        profile = chosen or self.file.profiles["standard"]
        name = names.staging_suffix(entry.project_id)
        accounts = self._service_accounts(entry, profile, name, path)
        grants: list[tuple[Grant, Position]] = []
        for index, raw in enumerate(profile.grants):
            grants += self._grants(raw, entry, profile, accounts, None, (index,))
        grants += self._gcb_builder_grants(entry, profile, accounts, name, path)
        for set_index, set_name in self._strings(options, path, "grant_sets"):
            body = self.grant_sets.get(set_name)
            where = self.doc.at(*path, "grant_sets", set_index)
            if not isinstance(body, list):
                self.problems.error(
                    where,
                    f"unknown grant set `{set_name}`",
                    did_you_mean(set_name, self.grant_sets),
                )
                continue
            for index, raw in enumerate(body):
                grants += self._grants(
                    raw,
                    entry,
                    profile,
                    accounts,
                    ("infra", SECTION, "grant_sets", set_name),
                    (index,),
                )
        for index, raw in enumerate(self._list(options, path, "grants")):
            grants += self._grants(raw, entry, profile, accounts, (*path, "grants"), (index,))
        writer_group = (
            names.staging_writer_group(name, self.settings.domain) if profile.writer_group else None
        )
        services = self._services(entry, profile, path)
        unique = self._unique(grants)
        if chosen is None:
            return None
        if writer_group:
            self.group_references.append((writer_group, self.doc.key_at(*path)))
        return StagingProject(
            project_id=entry.project_id,
            name=name,
            profile=profile.name,
            services=services,
            writer_group=writer_group,
            has_repository=profile.repository,
            has_buckets=profile.buckets,
            service_accounts=tuple(accounts.values()),
            grants=unique,
        )

    def _profile(self, entry: ProjectEntry, path: tuple[str, ...]) -> _Profile | None:
        chosen = entry.options.get("profile")
        if chosen is None:
            chosen = self.file.managed_by.get(entry.managed_by or "", "standard")
        if not isinstance(chosen, str) or chosen not in self.file.profiles:
            self.problems.error(
                self.doc.at(*path, "profile"),
                f"unknown profile `{chosen}`",
                did_you_mean(str(chosen), self.file.profiles),
            )
            return None
        return self.file.profiles[chosen]

    def _services(
        self, entry: ProjectEntry, profile: _Profile, path: tuple[str, ...]
    ) -> tuple[str, ...]:
        extra = self._strings(entry.options, path, "services")
        for index, service in extra:
            where = self.doc.at(*path, "services", index)
            if service in self.file.refused_services:
                self.problems.error(
                    where,
                    f"`{service}` may not be enabled in staging projects",
                    "vulnerability scanning is paid per image; upstream disabled it everywhere",
                )
            elif not _SERVICE.match(service):
                self.problems.error(
                    where, f"`{service}` is not an API service name", "write <api>.googleapis.com"
                )
            elif service in profile.services:
                self.problems.warning(
                    where,
                    f"`{service}` is already enabled by profile `{profile.name}`",
                    "drop it from the project's services",
                )
        declared = {s for _, s in extra if _SERVICE.match(s)}
        return tuple(sorted((set(profile.services) | declared) - self.file.refused_services))

    def _service_accounts(
        self, entry: ProjectEntry, profile: _Profile, name: str, path: tuple[str, ...]
    ) -> dict[str, ServiceAccount]:
        accounts = {
            account: ServiceAccount(account, template.format(project=entry.project_id, name=name))
            for account, template in profile.service_accounts.items()
        }
        builder = entry.options.get("gcb_builder")
        if builder is not None:
            account = str(self.file.gcb_builder["account_id"]).format(name=name)
            pool = builder.get("workload_identity_pool") if isinstance(builder, dict) else None
            if not isinstance(pool, str):
                self.problems.error(
                    self.doc.at(*path, "gcb_builder"),
                    "`gcb_builder` needs `workload_identity_pool`",
                    "name the prow build cluster's project, e.g. k8s-infra-prow-build-trusted",
                )
            else:
                for key in builder:
                    if key != "workload_identity_pool":
                        self.problems.error(
                            self.doc.key_at(*path, "gcb_builder", key),
                            f"unknown key `{key}` in gcb_builder",
                            did_you_mean(key, ["workload_identity_pool"]),
                        )
                identity = f"{pool}.svc.id.goog[{self.settings.prow_namespace}/{account}]"
                display = str(self.file.gcb_builder["display_name"])
                accounts[account] = ServiceAccount(
                    account,
                    display.format(project=entry.project_id, name=name),
                    (f"serviceAccount:{identity}",),
                )
        declared = entry.options.get("service_accounts")
        if declared is None:
            return accounts
        if not isinstance(declared, dict):
            self._type((*path, "service_accounts"), "`service_accounts`", "a mapping", declared)
            return accounts
        for account, body in declared.items():
            at = (*path, "service_accounts", account)
            problem = names.service_account_id_problem(account)
            if problem:
                self.problems.error(self.doc.key_at(*at), problem, "pick a valid account id")
                continue
            if account in accounts:
                self.problems.error(
                    self.doc.key_at(*at),
                    f"service account `{account}` is declared twice",
                    "the profile or gcb_builder already creates it",
                )
                continue
            spec = body or {}
            if not isinstance(spec, dict):
                self._type(at, f"service account `{account}`", "a mapping", spec)
                continue
            for key in spec:
                if key not in SERVICE_ACCOUNT_KEYS:
                    self.problems.error(
                        self.doc.key_at(*at, key),
                        f"unknown key `{key}` in service account `{account}`",
                        did_you_mean(key, SERVICE_ACCOUNT_KEYS),
                    )
            identities = []
            for index, identity in self._strings(spec, at, "workload_identity"):
                if not _WORKLOAD_IDENTITY.match(identity):
                    self.problems.error(
                        self.doc.at(*at, "workload_identity", index),
                        f"`{identity}` is not a workload identity",
                        "write <project>.svc.id.goog[<namespace>/<kubernetes service account>]",
                    )
                else:
                    identities.append(f"serviceAccount:{identity}")
            display_name: Any = spec.get("display_name", account)
            if not isinstance(display_name, str):
                self._type((*at, "display_name"), "`display_name`", "a string", display_name)
                display_name = account
            accounts[account] = ServiceAccount(account, display_name, tuple(identities))
        return accounts

    def _gcb_builder_grants(
        self,
        entry: ProjectEntry,
        profile: _Profile,
        accounts: Mapping[str, ServiceAccount],
        name: str,
        path: tuple[str, ...],
    ) -> list[tuple[Grant, Position]]:
        account = str(self.file.gcb_builder["account_id"]).format(name=name)
        if account not in accounts or "gcb_builder" not in entry.options:
            return []
        found: list[tuple[Grant, Position]] = []
        for raw in self.file.gcb_builder["grants"]:
            body = {**raw, "member": f"sa:{account}"}
            found += self._grants(body, entry, profile, accounts, (*path, "gcb_builder"), ())
        return found

    # -- grants --------------------------------------------------------------

    def _grants(
        self,
        raw: Any,
        entry: ProjectEntry,
        profile: _Profile,
        accounts: Mapping[str, ServiceAccount],
        base: tuple[str, ...] | None,
        index: tuple[int, ...],
    ) -> list[tuple[Grant, Position]]:
        """Parse one grant; ``base`` None means it comes from the profiles file."""
        doc = self.doc if base is not None else self.file.document
        at: tuple[str | int, ...] = (*base, *index) if base is not None else ()
        where = doc.at(*at) if base is not None else Position(doc.path)
        if not isinstance(raw, dict):
            self.problems.error(where, "a grant must be a mapping with `member` and `roles`")
            return []
        for key in raw:
            if key not in GRANT_KEYS:
                self.problems.error(
                    doc.key_at(*at, key),
                    f"unknown key `{key}` in a grant",
                    did_you_mean(key, GRANT_KEYS),
                )
        member = self._member(raw.get("member"), entry, profile, accounts, doc.at(*at, "member"))
        targets = self._targets(raw.get("on", "project"), profile, accounts, doc.at(*at, "on"))
        roles = raw.get("roles")
        if not isinstance(roles, list) or not roles:
            self.problems.error(where, "a grant needs `roles`, a list of roles")
            return []
        found = []
        for role_index, role in enumerate(roles):
            role_where = doc.at(*at, "roles", role_index)
            problem = iam.role_problem(role)
            if problem:
                self.problems.error(role_where, *problem)
                continue
            if member is not None:
                found += [(Grant(target, role, member), role_where) for target in targets]
        return found

    def _member(
        self,
        raw: Any,
        entry: ProjectEntry,
        profile: _Profile,
        accounts: Mapping[str, ServiceAccount],
        where: Position,
    ) -> Member | None:
        symbolic = {
            "artifact-admins": self.settings.artifact_admins,
            "prow-builder": self.settings.prow_builder,
        }
        if raw == "writers":
            if not profile.writer_group:
                self.problems.error(
                    where,
                    f"profile `{profile.name}` has no writer group",
                    "name a literal member instead",
                )
                return None
            group = names.staging_writer_group(
                names.staging_suffix(entry.project_id), self.settings.domain
            )
            return Member("literal", f"group:{group}")
        if raw in symbolic:
            return Member("literal", symbolic[raw])
        if raw == "cloudbuild":
            return Member("cloudbuild", "")
        if isinstance(raw, str) and raw.startswith("sa:"):
            account = raw.removeprefix("sa:")
            if account not in accounts:
                self.problems.error(
                    where,
                    f"service account `{account}` is not declared for this project",
                    did_you_mean(account, accounts) or "declare it under service_accounts",
                )
                return None
            return Member("service_account", account)
        if not iam.is_member(raw):
            self.problems.error(
                where,
                f"`{raw}` is not an IAM member",
                "write writers, artifact-admins, prow-builder, cloudbuild, sa:<account-id>, "
                f"or {iam.MEMBER_FORMS}",
            )
            return None
        named_group = iam.group_address(raw)
        if named_group:
            self.group_references.append((named_group, where))
        return Member("literal", raw)

    def _targets(
        self,
        raw: Any,
        profile: _Profile,
        accounts: Mapping[str, ServiceAccount],
        where: Position,
    ) -> list[Target]:
        allowed = ("project", "project:<id>", "repository", "buckets", "bucket", "gcb-bucket",
                   "service_account:<id>")  # fmt: skip
        if not isinstance(raw, str):
            self.problems.error(where, f"`on` must be a string, found {yaml_type_name(raw)}")
            return []
        kind, _, ref = raw.partition(":")
        if kind == "project" and not ref:
            return [Target("project")]
        if kind == "project":
            problem = names.project_id_problem(ref)
            if problem:
                self.problems.error(where, *problem)
                return []
            return [Target("other_project", ref)]
        if kind == "service_account":
            if ref not in accounts:
                self.problems.error(
                    where,
                    f"service account `{ref}` is not declared for this project",
                    did_you_mean(ref, accounts) or "declare it under service_accounts",
                )
                return []
            return [Target("service_account", ref)]
        buckets = {"buckets": ["bucket", "gcb_bucket"], "bucket": ["bucket"],
                   "gcb-bucket": ["gcb_bucket"]}  # fmt: skip
        if raw in buckets or raw == "repository":
            present = profile.repository if raw == "repository" else profile.buckets
            if not present:
                self.problems.error(
                    where,
                    f"profile `{profile.name}` has no {raw.replace('-', ' ')}",
                    "grant on the project or a service account instead",
                )
                return []
            kinds: list[TargetKind] = (
                ["repository"] if raw == "repository" else buckets[raw]  # type: ignore[assignment]
            )
            return [Target(k) for k in kinds]
        self.problems.error(where, f"unknown grant target `{raw}`", did_you_mean(raw, allowed))
        return []

    def _unique(self, grants: Iterable[tuple[Grant, Position]]) -> tuple[Grant, ...]:
        seen: dict[Grant, Position] = {}
        keys: dict[str, Grant] = {}
        for grant, where in grants:
            other = keys.get(grant.key)
            if other is not None and other != grant:
                self.problems.error(
                    where,
                    f"`{grant.member.value}` and `{other.member.value}` would share the resource "
                    f"name `{grant.key}`",
                    "resource names keep an address's local part only; grant one of them "
                    "through a group",
                )
                continue
            keys[grant.key] = grant
            if grant in seen:
                self.problems.warning(
                    where,
                    f"`{grant.role}` for `{grant.member.value or grant.member.kind}` on "
                    f"{grant.target.slug} is granted twice",
                    "drop the repeated grant",
                )
                continue
            seen[grant] = where
        return tuple(sorted(seen, key=lambda g: g.key))

    # -- helpers -------------------------------------------------------------

    def _list(self, options: Mapping[str, Any], path: Sequence[str | int], key: str) -> list[Any]:
        """A list option (``[]`` when absent or not a list, which is reported)."""
        value = options.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self._type((*path, key), f"`{key}`", "a list", value)
            return []
        return value

    def _strings(
        self, options: Mapping[str, Any], path: Sequence[str | int], key: str
    ) -> list[tuple[int, str]]:
        """The string items of a list option with their positions in it; others reported."""
        found = []
        for index, item in enumerate(self._list(options, path, key)):
            if isinstance(item, str):
                found.append((index, item))
            else:
                self._type((*path, key, index), f"an item of `{key}`", "a string", item)
        return found

    def _type(self, path: Sequence[str | int], what: str, expected: str, value: Any) -> None:
        self.problems.error(
            self.doc.at(*path),
            f"{what} must be {expected}, found {yaml_type_name(value)}",
            "fix the value's type",
        )
