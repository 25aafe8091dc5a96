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

Everything is read through ``Fields`` (the profiles file too) and checked at
load, with every problem reported at once. A grant's shape is checked where
it is written; its members and targets are resolved per project.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, Literal

from infra.core import iam, names
from infra.core.fields import FieldPath, Fields
from infra.core.problems import Position, Problems, did_you_mean
from infra.declarations.estate import Estate, ProjectEntry, Section
from infra.declarations.facts import DATA_DIR, read_data_file
from infra.declarations.stacks import StackSettings

SECTION = "staging"
PROFILES_FILE = "staging-profiles.yaml"
PROFILES_PATH = DATA_DIR / PROFILES_FILE
PROFILES_DISPLAY = f"infra/data/{PROFILES_FILE}"

TargetKind = Literal[
    "project", "other_project", "repository", "bucket", "gcb_bucket", "service_account"
]
MemberKind = Literal["literal", "cloudbuild", "service_account"]

_WORKLOAD_IDENTITY = re.compile(
    r"([a-z][a-z0-9-]{4,28}[a-z0-9])\.svc\.id\.goog\[([^/\]]+)/([^\]]+)\]"
)
_WORKLOAD_IDENTITY_FORM = (
    "a workload identity (`<project>.svc.id.goog[<namespace>/<kubernetes service account>]`)"
)
# Keys this concern adds to infra.yaml: to the section, and to each of its projects.
SECTION_KEYS = frozenset({"grant_sets"})
PROJECT_KEYS = frozenset(
    {"profile", "services", "grant_sets", iam.GRANTS, "gcb_builder", "service_accounts"}
)
SERVICE_ACCOUNT_KEYS = ("display_name", "workload_identity")
GCB_BUILDER_KEYS = {
    "workload_identity_pool": "the prow build cluster's project, e.g. k8s-infra-prow-build-trusted"
}
SETTINGS_KEYS = {
    "logs_bucket": "bucket receiving the access logs of each staging bucket",
    "artifact_admins": "member of the artifact admins (`artifact-admins` in grants)",
    "prow_builder": "member of the prow trusted builder (`prow-builder` in grants)",
    "prow_namespace": "Kubernetes namespace of prow's build pods (workload identity)",
    "repository_location": "location of each project's `images` repository",
    "bucket_location": "location of the staging buckets",
    "object_age_days": "age in days after which staged objects are deleted",
}
_REQUIRED_SETTINGS = ("logs_bucket", "artifact_admins", "prow_builder")

# Members a grant names by symbol; `sa:<account-id>` names an account of the project.
MEMBER_SYMBOLS = (iam.WRITERS, iam.ARTIFACT_ADMINS, iam.PROW_BUILDER, iam.CLOUDBUILD)
# Targets (`on`) of a grant; the two with `:<id>` name another project or an account.
TARGETS = ("project", "project:<id>", "repository", "buckets", "bucket", "gcb-bucket",
           "service_account:<id>")  # fmt: skip
_PLACES: Mapping[str, tuple[TargetKind, ...]] = {
    "repository": ("repository",),
    "buckets": ("bucket", "gcb_bucket"),
    "bucket": ("bucket",),
    "gcb-bucket": ("gcb_bucket",),
}

# The profiles data file.
_FILE_KEYS = ("profiles", "managed_by_profiles", "gcb_builder", "refused_services")
_PROFILE_FLAGS = ("writer_group", "repository", "buckets")
_PROFILE_KEYS = (*_PROFILE_FLAGS, "services", "service_accounts", iam.GRANTS)
_BUILDER_KEYS = ("account_id", "display_name", iam.GRANTS)
_TEMPLATE_VALUES = frozenset({"project", "name"})  # `{project}` (the id), `{name}` (after prefix)


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
class _GrantSpec:
    """A grant as written, its shape checked; members and targets resolve per project."""

    member: str  # a symbol, `sa:<account-id>` or a literal member; "" until placed
    on: str
    roles: tuple[tuple[str, Position], ...]  # each role, with where it was written
    member_at: Position
    on_at: Position

    def placed(self, member: str, where: Position) -> _GrantSpec:
        """The grant given to ``member``, reported at ``where`` (gcb_builder's grants)."""
        roles = tuple((role, where) for role, _ in self.roles)
        return replace(self, member=member, roles=roles, member_at=where, on_at=where)


@dataclass(frozen=True)
class _Profile:
    name: str
    writer_group: bool
    repository: bool
    buckets: bool
    services: tuple[str, ...]
    service_accounts: Mapping[str, str]  # id -> display name template
    grants: tuple[_GrantSpec, ...]


@dataclass(frozen=True)
class _GcbBuilder:
    account_id: str  # templates of `{name}` and `{project}`
    display_name: str
    grants: tuple[_GrantSpec, ...]  # without members: they go to the builder account


@dataclass(frozen=True)
class _ProfilesFile:
    profiles: Mapping[str, _Profile]
    managed_by: Mapping[str, str]
    gcb_builder: _GcbBuilder
    refused_services: frozenset[str]


# -- the profiles data file ----------------------------------------------------


@cache
def _profiles_file(file: Path | None = None) -> _ProfilesFile:
    """The profiles data file, checked. It ships with the package: a problem stops every run."""
    loaded: _ProfilesFile = read_data_file(file or PROFILES_PATH, _read_profiles_file)
    return loaded


def refused_services() -> frozenset[str]:
    """The APIs no project may enable (the profiles file's `refused_services`)."""
    return _profiles_file().refused_services


def _read_profiles_file(fields: Fields, data: Any) -> _ProfilesFile | None:
    top = fields.mapping(data, (), _FILE_KEYS, required=("profiles", "gcb_builder"))
    if top is None:
        return None
    written = fields.mapping(
        top.get("profiles", {}), ("profiles",), expected="a mapping of profiles"
    )
    profiles = {
        name: profile
        for name, body in (written or {}).items()
        if (profile := _read_profile(fields.below("profiles", name), name, body)) is not None
    }
    if written is not None and "standard" not in written:
        fields.error(
            ("profiles",),
            "the `standard` profile is missing",
            "define it: projects that name no profile get `standard`",
        )
    by_path = fields.mapping(top.get("managed_by_profiles", {}), ("managed_by_profiles",)) or {}
    managed_by = {
        path: profile
        for path, profile in by_path.items()
        if fields.choice(profile, ("managed_by_profiles", path), profiles, what="profile")
        is not None
    }
    refused = fields.services(top.get("refused_services"), ("refused_services",))
    builder = top.get("gcb_builder")
    gcb_builder = (
        None if builder is None else _read_gcb_builder(fields.below("gcb_builder"), builder)
    )
    if gcb_builder is None:
        return None
    return _ProfilesFile(profiles, managed_by, gcb_builder, frozenset(refused))


def _read_profile(fields: Fields, name: str, body: Any) -> _Profile | None:
    """One profile; ``fields`` reads below it."""
    required = (*_PROFILE_FLAGS, "services")
    spec = fields.mapping(body, (), _PROFILE_KEYS, required, what=f"profile `{name}`")
    if spec is None:
        return None
    flags = [key in spec and fields.boolean(spec[key], (key,)) is True for key in _PROFILE_FLAGS]
    accounts = fields.mapping(spec.get("service_accounts", {}), ("service_accounts",)) or {}
    return _Profile(
        name=str(name),
        writer_group=flags[0],
        repository=flags[1],
        buckets=flags[2],
        services=fields.services(spec.get("services"), ("services",)),
        service_accounts={
            account: template
            for account, body in accounts.items()
            if (template := _profile_account(fields, account, body)) is not None
        },
        grants=_grant_specs(fields, spec.get(iam.GRANTS), (iam.GRANTS,)),
    )


def _profile_account(fields: Fields, account: str, body: Any) -> str | None:
    """The display name template of an account every project of a profile gets."""
    at = ("service_accounts", account)
    valid = fields.service_account_id(account, at, key=True) is not None
    spec = fields.mapping(
        body, at, ("display_name",), ("display_name",), what=f"service account `{account}`"
    )
    if spec is None or "display_name" not in spec:
        return None
    template = _template(fields, spec["display_name"], (*at, "display_name"))
    return template if valid else None


def _read_gcb_builder(fields: Fields, body: Any) -> _GcbBuilder | None:
    """The per-project prow builder; ``fields`` reads below it."""
    spec = fields.mapping(body, (), _BUILDER_KEYS, _BUILDER_KEYS, what="`gcb_builder`")
    if spec is None or not set(_BUILDER_KEYS) <= set(spec):
        return None
    account = _template(fields, spec["account_id"], ("account_id",), frozenset({"name"}))
    display = _template(fields, spec["display_name"], ("display_name",))
    grants = _grant_specs(fields, spec[iam.GRANTS], (iam.GRANTS,), ("roles", "on"))
    if account is None or display is None:
        return None
    return _GcbBuilder(account, display, grants)


def _template(
    fields: Fields, value: Any, path: FieldPath, required: frozenset[str] = frozenset()
) -> str | None:
    """A text filled in per project: `{project}` and `{name}`, ``required`` ones present."""
    text = fields.text(value, path)
    problem = names.pattern_problem(text, _TEMPLATE_VALUES, required) if text else None
    if problem:
        fields.error(path, *problem)
        return None
    return text


def _fill(template: str, project_id: str) -> str:
    return names.fill_pattern(template, project=project_id, name=names.staging_suffix(project_id))


# -- the shape of grants (wherever written) -------------------------------------


def _grant_specs(
    fields: Fields, raw: Any, path: FieldPath, keys: Sequence[str] = iam.GRANT_KEYS
) -> tuple[_GrantSpec, ...]:
    """A list of grants, each shape checked; bad ones are reported and left out."""
    items = fields.sequence(raw, path, "a list of grants")
    specs = (_grant_spec(fields, item, (*path, index), keys) for index, item in enumerate(items))
    return tuple(spec for spec in specs if spec is not None)


def _grant_spec(
    fields: Fields, raw: Any, path: FieldPath, keys: Sequence[str]
) -> _GrantSpec | None:
    """One grant; ``keys`` lacks `member` where the member is given (gcb_builder's grants)."""
    needed = tuple(key for key in ("member", "roles") if key in keys)
    expected = "a mapping with " + " and ".join(f"`{key}`" for key in needed)
    body = fields.mapping(raw, path, keys, needed, what="a grant", expected=expected)
    if body is None:
        return None
    member = _member_spec(fields, body["member"], (*path, "member")) if "member" in body else None
    on = _target_spec(fields, body.get("on", "project"), (*path, "on"))
    roles = _roles(fields, body.get("roles"), (*path, "roles"))
    if on is None or not roles or (member is None and "member" in keys):
        return None
    return _GrantSpec(
        member or "", on, roles, fields.at((*path, "member")), fields.at((*path, "on"))
    )


def _member_spec(fields: Fields, value: Any, path: FieldPath) -> str | None:
    if isinstance(value, str) and value.startswith(iam.ACCOUNT_PREFIX):
        return value  # an account of the project: resolved against its accounts
    return fields.member(value, path, (*MEMBER_SYMBOLS, f"{iam.ACCOUNT_PREFIX}<account-id>"))


def _target_spec(fields: Fields, value: Any, path: FieldPath) -> str | None:
    on = fields.text(value, path)
    if on is None:
        return None
    kind, colon, ref = on.partition(":")
    if colon and kind == "project":
        return on if fields.project_id(ref, path) is not None else None
    if (colon and kind == "service_account") or (not colon and on in ("project", *_PLACES)):
        return on
    fields.error(path, f"unknown grant target `{on}`", did_you_mean(on, TARGETS))
    return None


def _roles(fields: Fields, raw: Any, path: FieldPath) -> tuple[tuple[str, Position], ...]:
    items = fields.sequence(raw, path, "a list of roles")
    if isinstance(raw, list) and not raw:
        fields.error(path, "a grant needs at least one role", "list roles/<service>.<role> here")
    checked = (
        (fields.role(item, (*path, i)), fields.at((*path, i))) for i, item in enumerate(items)
    )
    return tuple((role, where) for role, where in checked if role is not None)


# -- stack settings and the section --------------------------------------------


def staging_settings(settings: StackSettings, problems: Problems) -> StagingSettings | None:
    """The staging facts of a stack, checked (unknown keys, types, members, day counts)."""
    raw = settings.values.get("staging")
    if raw is None:
        return None  # missing or not a mapping: the stack's own check reported it
    own = Problems()  # whether these settings are usable, whatever else the run found
    fields = settings.fields("staging", own)
    spec = (
        fields.mapping(raw, (), SETTINGS_KEYS, _REQUIRED_SETTINGS, what="`k8s-infra:staging`") or {}
    )
    readers: dict[str, Callable[[Any, FieldPath], Any]] = {
        "logs_bucket": fields.text,
        "artifact_admins": fields.member,
        "prow_builder": fields.member,
        "prow_namespace": fields.text,
        "repository_location": fields.text,
        "bucket_location": fields.text,
        "object_age_days": fields.days,
    }
    values = {key: readers[key](value, (key,)) for key, value in spec.items() if key in readers}
    problems.extend(own)
    if own.has_errors:
        return None
    return StagingSettings(
        organization_id=settings.text("organization_id"),
        billing_account=settings.text("billing_account"),
        domain=settings.text("domain"),
        **values,
    )


def load_staging(estate: Estate, settings: StagingSettings, problems: Problems) -> Staging:
    """Resolve every project of the ``staging`` section (all of them, even with errors)."""
    reader = _StagingReader(estate, settings, problems, _profiles_file())
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


@dataclass(frozen=True)
class _Scope:
    """What the grants of one project resolve against."""

    project_id: str
    profile: _Profile
    accounts: Mapping[str, ServiceAccount]

    @property
    def name(self) -> str:
        return names.staging_suffix(self.project_id)


class _StagingReader:
    def __init__(
        self, estate: Estate, settings: StagingSettings, problems: Problems, file: _ProfilesFile
    ) -> None:
        self.fields = Fields.of(estate.document, problems)
        self.problems = problems
        self.settings = settings
        self.file = file
        self.group_references: list[tuple[str, Position]] = []
        self.grant_sets = self._grant_sets(estate.section(SECTION))

    def _grant_sets(self, section: Section | None) -> dict[str, tuple[_GrantSpec, ...]] | None:
        """The section's named lists of grants, each grant's shape checked once.

        None when `grant_sets` itself is malformed (reported here, not once per use).
        """
        path = ("infra", SECTION, "grant_sets")
        written = section.settings.get("grant_sets", {}) if section else {}
        sets = self.fields.mapping(written, path, expected="a mapping of named lists of grants")
        if sets is None:
            return None
        return {name: _grant_specs(self.fields, body, (*path, name)) for name, body in sets.items()}

    # -- one project ---------------------------------------------------------

    def project(self, entry: ProjectEntry) -> StagingProject | None:
        fields = self.fields.below("infra", SECTION, "projects", entry.project_id)
        if not entry.project_id.startswith(names.STAGING_PREFIX):
            fields.key_error(
                (),
                f"staging project `{entry.project_id}` must be named "
                f"`{names.STAGING_PREFIX}<name>`",
                "staging buckets, groups and accounts are derived from that name",
            )
            return None
        chosen = self._profile(fields, entry)
        # An unknown profile is reported; the other options are still checked
        # (against the standard profile) so one run shows every problem.
        profile = chosen or self.file.profiles["standard"]
        accounts = self._service_accounts(fields, entry, profile)
        scope = _Scope(entry.project_id, profile, accounts)
        specs = self._project_grants(fields, entry.options, scope)
        grants = self._unique(grant for spec in specs for grant in self._resolve(spec, scope))
        services = self._services(fields, entry.options, profile)
        if chosen is None:
            return None
        writer_group = (
            names.staging_writer_group(scope.name, self.settings.domain)
            if profile.writer_group
            else None
        )
        if writer_group:
            self.group_references.append((writer_group, fields.key_at(())))
        return StagingProject(
            project_id=entry.project_id,
            name=scope.name,
            profile=profile.name,
            services=services,
            writer_group=writer_group,
            has_repository=profile.repository,
            has_buckets=profile.buckets,
            service_accounts=tuple(accounts.values()),
            grants=grants,
        )

    def _profile(self, fields: Fields, entry: ProjectEntry) -> _Profile | None:
        written = entry.options.get("profile")
        chosen = (
            self.file.managed_by.get(entry.managed_by or "", "standard")
            if written is None
            else written
        )
        name = fields.choice(chosen, ("profile",), self.file.profiles, what="profile")
        return None if name is None else self.file.profiles[name]

    def _services(
        self, fields: Fields, options: Mapping[str, Any], profile: _Profile
    ) -> tuple[str, ...]:
        written: Any = options.get("services")
        declared = fields.services(written, ("services",))
        for service in declared:
            at = ("services", written.index(service))
            if service in self.file.refused_services:
                fields.error(
                    at,
                    f"`{service}` may not be enabled in staging projects",
                    "remove it: vulnerability scanning is paid per image, and upstream "
                    "disabled it everywhere",
                )
            elif service in profile.services:
                fields.warning(
                    at,
                    f"`{service}` is already enabled by profile `{profile.name}`",
                    "drop it from the project's services",
                )
        return tuple(sorted((set(profile.services) | set(declared)) - self.file.refused_services))

    # -- service accounts ----------------------------------------------------

    def _service_accounts(
        self, fields: Fields, entry: ProjectEntry, profile: _Profile
    ) -> dict[str, ServiceAccount]:
        project = entry.project_id
        accounts = {
            account: ServiceAccount(account, _fill(template, project))
            for account, template in profile.service_accounts.items()
        }
        builder = self._gcb_builder(fields, entry.options.get("gcb_builder"), project)
        if builder is not None:
            accounts[builder.account_id] = builder
        declared = fields.mapping(entry.options.get("service_accounts", {}), ("service_accounts",))
        for account, body in (declared or {}).items():
            found = self._declared_account(fields, account, body, accounts)
            if found is not None:
                accounts[account] = found
        return accounts

    def _gcb_builder(self, fields: Fields, raw: Any, project: str) -> ServiceAccount | None:
        """The project's own prow builder account, trusted by the build cluster's pool."""
        if raw is None:
            return None
        at = ("gcb_builder",)
        spec = fields.mapping(raw, at, GCB_BUILDER_KEYS, GCB_BUILDER_KEYS, what="`gcb_builder`",
                              expected="a mapping with `workload_identity_pool`")  # fmt: skip
        if spec is None or "workload_identity_pool" not in spec:
            return None
        pool = fields.project_id(spec["workload_identity_pool"], (*at, "workload_identity_pool"))
        if pool is None:
            return None
        builder = self.file.gcb_builder
        account = _fill(builder.account_id, project)
        identity = f"{pool}.svc.id.goog[{self.settings.prow_namespace}/{account}]"
        display = _fill(builder.display_name, project)
        return ServiceAccount(account, display, (f"serviceAccount:{identity}",))

    def _declared_account(
        self, fields: Fields, account: str, body: Any, accounts: Mapping[str, ServiceAccount]
    ) -> ServiceAccount | None:
        at = ("service_accounts", account)
        if fields.service_account_id(account, at, key=True) is None:
            return None
        if account in accounts:
            fields.key_error(
                at,
                f"service account `{account}` is declared twice",
                "the profile or gcb_builder already creates it; drop this declaration",
            )
            return None
        spec = fields.mapping(
            {} if body is None else body,
            at,
            SERVICE_ACCOUNT_KEYS,
            what=f"service account `{account}`",
        )
        if spec is None:
            return None
        identities = fields.texts(
            spec.get("workload_identity"),
            (*at, "workload_identity"),
            _WORKLOAD_IDENTITY,
            _WORKLOAD_IDENTITY_FORM,
        )
        display = fields.optional_text(spec.get("display_name"), (*at, "display_name"))
        return ServiceAccount(
            account, display or account, tuple(f"serviceAccount:{i}" for i in identities)
        )

    # -- grants --------------------------------------------------------------

    def _project_grants(
        self, fields: Fields, options: Mapping[str, Any], scope: _Scope
    ) -> list[_GrantSpec]:
        """Every grant of a project, in order: profile, gcb_builder, grant sets, its own."""
        specs = list(scope.profile.grants)
        builder = _fill(self.file.gcb_builder.account_id, scope.project_id)
        if "gcb_builder" in options and builder in scope.accounts:
            where = fields.at(("gcb_builder",))
            member = f"{iam.ACCOUNT_PREFIX}{builder}"
            specs += [spec.placed(member, where) for spec in self.file.gcb_builder.grants]
        written: Any = options.get("grant_sets")
        for name in fields.texts(written, ("grant_sets",)):
            if self.grant_sets is None:
                continue  # the section's grant_sets are malformed: reported once
            if name in self.grant_sets:
                specs += self.grant_sets[name]
                continue
            fields.error(
                ("grant_sets", written.index(name)),
                f"unknown grant set `{name}`",
                did_you_mean(name, self.grant_sets) or "define it under the section's grant_sets",
            )
        return specs + list(_grant_specs(fields, options.get(iam.GRANTS), (iam.GRANTS,)))

    def _resolve(self, spec: _GrantSpec, scope: _Scope) -> list[tuple[Grant, Position]]:
        """A grant's member and targets for one project; each (role, target) a Grant."""
        member = self._member(spec, scope)
        targets = self._targets(spec, scope)
        if member is None:
            return []
        return [(Grant(t, role, member), where) for role, where in spec.roles for t in targets]

    def _member(self, spec: _GrantSpec, scope: _Scope) -> Member | None:
        value, where = spec.member, spec.member_at
        if value == iam.WRITERS:
            if scope.profile.writer_group:
                writers = names.staging_writer_group(scope.name, self.settings.domain)
                return Member("literal", f"group:{writers}")
            self.problems.error(
                where,
                f"profile `{scope.profile.name}` has no writer group",
                "name a literal member instead",
            )
            return None
        if value.startswith(iam.ACCOUNT_PREFIX):
            account = value.removeprefix(iam.ACCOUNT_PREFIX)
            return (
                Member("service_account", account)
                if self._declared(account, scope, where)
                else None
            )
        if value == iam.CLOUDBUILD:
            return Member("cloudbuild", "")
        symbolic = {
            iam.ARTIFACT_ADMINS: self.settings.artifact_admins,
            iam.PROW_BUILDER: self.settings.prow_builder,
        }
        if value in symbolic:
            return Member("literal", symbolic[value])
        group = iam.group_address(value)
        if group:
            self.group_references.append((group, where))
        return Member("literal", value)

    def _targets(self, spec: _GrantSpec, scope: _Scope) -> list[Target]:
        kind, _, ref = spec.on.partition(":")
        if kind == "project":
            return [Target("other_project", ref)] if ref else [Target("project")]
        if kind == "service_account":
            return (
                [Target("service_account", ref)] if self._declared(ref, scope, spec.on_at) else []
            )
        profile = scope.profile
        if profile.repository if spec.on == "repository" else profile.buckets:
            return [Target(place) for place in _PLACES[spec.on]]
        self.problems.error(
            spec.on_at,
            f"profile `{profile.name}` has no {spec.on.replace('-', ' ')}",
            "grant on the project or a service account instead",
        )
        return []

    def _declared(self, account: str, scope: _Scope, where: Position) -> bool:
        if account in scope.accounts:
            return True
        self.problems.error(
            where,
            f"service account `{account}` is not declared for this project",
            did_you_mean(account, scope.accounts) or "declare it under service_accounts",
        )
        return False

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
