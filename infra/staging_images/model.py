"""The shared staging registries: the ``staging-images`` section of infra.yaml.

    k8s-staging-images:
      folder_id: "<id>"                 # optional: created in a folder, not the organization
      services: [<api>.googleapis.com]
      iam: {<role>: [<member>]}         # authoritative: each role's members are exactly these
      build_bucket: {name, admins: [<member>], age_days: 90}
      registry_defaults: {<registry option>: <value>}
      registries:
        <name>:
          location: us-central1         # default
          readers: [allUsers]           # default
          writers: [<member>]
          cleanup: delete | dry-run | none   # default delete, after cleanup_age_days (90)
          build_account: false          # a <name[:27]>-sa account trusted by prow's pods
          skip_gcb_builder_shim: false  # true: the shared builder may not act as that account

Symbolic members: ``prow-builder`` (stack config) and, in ``iam``,
``registry-writers`` (every writer of the project's registries). A registry
option is taken from the registry, else ``registry_defaults``, else the
default above.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from infra.core import iam, names
from infra.core.fields import yaml_type_name
from infra.core.problems import Position, Problems, did_you_mean
from infra.declarations.estate import Estate, ProjectEntry
from infra.declarations.stacks import StackSettings

SECTION = "staging-images"
# Keys this concern adds to each project of its infra.yaml section.
PROJECT_KEYS = frozenset(
    {"services", "folder_id", "iam", "build_bucket", "registry_defaults", "registries"}
)
Cleanup = Literal["delete", "dry-run", "none"]
CLEANUPS: tuple[Cleanup, ...] = ("delete", "dry-run", "none")

REGISTRY_DEFAULTS: Mapping[str, Any] = {
    "location": "us-central1",
    "readers": ["allUsers"],
    "writers": [],
    "cleanup": "delete",
    "cleanup_age_days": 90,
    "build_account": False,
    "skip_gcb_builder_shim": False,
}
BUILD_BUCKET_KEYS = ("name", "admins", "age_days")
SETTINGS_KEYS = {
    "prow_builder": "member of the prow trusted builder (`prow-builder`)",
    "workload_identity_pool": "project of prow's trusted build cluster (workload identity)",
    "prow_namespace": "Kubernetes namespace of prow's build pods",
}
_REPOSITORY_ID = re.compile(r"^[a-z]([a-z0-9.-]*[a-z0-9])?$")
_SERVICE = re.compile(r"^[a-z0-9][a-z0-9.-]*\.googleapis\.com$")


@dataclass(frozen=True)
class Registry:
    name: str
    location: str
    readers: tuple[str, ...]
    writers: tuple[str, ...]
    cleanup: Cleanup
    cleanup_age_days: int
    build_account: str | None  # account id of the registry's build account
    gcb_builder_shim: bool


@dataclass(frozen=True)
class BuildBucket:
    name: str
    admins: tuple[str, ...]
    age_days: int


@dataclass(frozen=True)
class RegistryProject:
    project_id: str
    folder_id: str | None
    services: tuple[str, ...]
    iam: Mapping[str, tuple[str, ...]]
    registries: tuple[Registry, ...]
    build_bucket: BuildBucket | None


@dataclass(frozen=True)
class StagingImagesSettings:
    organization_id: str
    billing_account: str
    prow_builder: str
    workload_identity_pool: str
    prow_namespace: str = "test-pods"


@dataclass(frozen=True)
class StagingImages:
    settings: StagingImagesSettings
    projects: tuple[RegistryProject, ...]
    group_references: tuple[tuple[str, Position], ...] = ()


def staging_images_settings(
    settings: StackSettings, problems: Problems
) -> StagingImagesSettings | None:
    raw = settings.object("staging_images")
    for key in raw:
        if key not in SETTINGS_KEYS:
            problems.error(
                settings.where(f"staging_images.{key}"),
                f"unknown key `{key}` in k8s-infra:staging_images",
                did_you_mean(key, SETTINGS_KEYS),
            )
    for key in ("prow_builder", "workload_identity_pool"):
        if not isinstance(raw.get(key), str):
            problems.error(
                settings.where("staging_images"),
                f"k8s-infra:staging_images needs `{key}` (a string)",
                SETTINGS_KEYS[key],
            )
    if not iam.is_member(raw.get("prow_builder", "")):
        problems.error(
            settings.where("staging_images.prow_builder"),
            "`prow_builder` must be an IAM member",
            "write serviceAccount:<address>",
        )
    if problems.has_errors:
        return None
    return StagingImagesSettings(
        organization_id=settings.text("organization_id"),
        billing_account=settings.text("billing_account"),
        prow_builder=str(raw["prow_builder"]),
        workload_identity_pool=str(raw["workload_identity_pool"]),
        prow_namespace=str(raw.get("prow_namespace", "test-pods")),
    )


def load_staging_images(
    estate: Estate, settings: StagingImagesSettings, problems: Problems
) -> StagingImages:
    reader = _Reader(estate, settings, problems)
    projects = tuple(
        project
        for entry in estate.projects(SECTION)
        if (project := reader.project(entry)) is not None
    )
    return StagingImages(settings, projects, tuple(reader.group_references))


def check_staging_images_options(estate: Estate, problems: Problems) -> None:
    """Validate the section without stack settings (no stack builds it)."""
    placeholder = StagingImagesSettings("0", "", "serviceAccount:b@example.com", "pool")
    load_staging_images(estate, placeholder, problems)


class _Reader:
    def __init__(self, estate: Estate, settings: StagingImagesSettings, problems: Problems) -> None:
        self.doc = estate.document
        self.settings = settings
        self.problems = problems
        self.group_references: list[tuple[str, Position]] = []
        self.account_owner: dict[str, tuple[str, Position]] = {}

    def project(self, entry: ProjectEntry) -> RegistryProject | None:
        path = ("infra", SECTION, "projects", entry.project_id)
        options = entry.options
        folder = options.get("folder_id")
        if folder is not None and not (isinstance(folder, str) and folder.isdigit()):
            self.problems.error(
                self.doc.at(*path, "folder_id"),
                f"`folder_id` must be a quoted numeric folder id, found {yaml_type_name(folder)}",
                'write folder_id: "713040427754"',
            )
        services = self._strings(options, path, "services")
        for index, service in enumerate(services):
            if not _SERVICE.match(service):
                self.problems.error(
                    self.doc.at(*path, "services", index),
                    f"`{service}` is not an API service name",
                    "write <api>.googleapis.com",
                )
        defaults = self._defaults(options, path)
        registries = self._registries(entry.project_id, options, path, defaults)
        writers = sorted({w for r in registries for w in r.writers})
        return RegistryProject(
            project_id=entry.project_id,
            folder_id=folder if isinstance(folder, str) else None,
            services=tuple(sorted(set(services))),
            iam=self._iam(options, path, writers),
            registries=registries,
            build_bucket=self._build_bucket(options, path),
        )

    def _defaults(self, options: Mapping[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
        raw = options.get("registry_defaults") or {}
        if not isinstance(raw, dict):
            self._type((*path, "registry_defaults"), "`registry_defaults`", "a mapping", raw)
            return dict(REGISTRY_DEFAULTS)
        self._unknown_keys(
            raw, (*path, "registry_defaults"), REGISTRY_DEFAULTS, "registry_defaults"
        )
        return {**REGISTRY_DEFAULTS, **raw}

    def _registries(
        self,
        project_id: str,
        options: Mapping[str, Any],
        path: tuple[str, ...],
        defaults: Mapping[str, Any],
    ) -> tuple[Registry, ...]:
        raw = options.get("registries") or {}
        if not isinstance(raw, dict):
            self._type((*path, "registries"), "`registries`", "a mapping", raw)
            return ()
        found = []
        for name, written in raw.items():
            at = (*path, "registries", name)
            if not _REPOSITORY_ID.match(name) or len(name) > 63:
                self.problems.error(
                    self.doc.key_at(*at),
                    f"registry name `{name}` is not a valid repository id",
                    "use lowercase letters, digits and hyphens, starting with a letter",
                )
                continue
            body = written or {}
            if not isinstance(body, dict):
                self._type(at, f"registry `{name}`", "a mapping", body)
                continue
            self._unknown_keys(body, at, REGISTRY_DEFAULTS, f"registry `{name}`")
            merged = {**defaults, **body}
            readers = self._members(merged.get("readers"), at, "readers")
            writers = self._members(merged.get("writers"), at, "writers")
            cleanup = merged.get("cleanup")
            if cleanup not in CLEANUPS:
                self.problems.error(
                    self.doc.at(*at, "cleanup"),
                    f"cleanup `{cleanup}` is not one of {', '.join(CLEANUPS)}",
                    "delete removes images older than cleanup_age_days; dry-run only reports",
                )
                continue
            age = merged.get("cleanup_age_days")
            if not isinstance(age, int) or isinstance(age, bool) or age < 1:
                self.problems.error(
                    self.doc.at(*at, "cleanup_age_days"),
                    "`cleanup_age_days` must be a positive number of days",
                )
                continue
            account = None
            if merged.get("build_account") is True:
                account = names.registry_build_account(name)
                self._claim_account(account, project_id, name, self.doc.key_at(*at))
            found.append(
                Registry(
                    name=name,
                    location=str(merged.get("location")),
                    readers=readers,
                    writers=writers,
                    cleanup=cleanup,
                    cleanup_age_days=age,
                    build_account=account,
                    gcb_builder_shim=account is not None
                    and merged.get("skip_gcb_builder_shim") is not True,
                )
            )
        return tuple(found)

    def _claim_account(self, account: str, project_id: str, registry: str, where: Position) -> None:
        problem = names.service_account_id_problem(account)
        if problem:
            self.problems.error(
                where,
                f"registry `{registry}` would get the build account `{account}`: {problem}",
                "rename the registry, or set build_account: false",
            )
            return
        key = f"{project_id}/{account}"
        if key in self.account_owner:
            other, first = self.account_owner[key]
            self.problems.error(
                where,
                f"registries `{other}` and `{registry}` would share the build account `{account}` "
                f"(first on line {first.line})",
                "the account id keeps only the first 27 characters; rename one registry",
            )
            return
        self.account_owner[key] = (registry, where)

    def _iam(
        self, options: Mapping[str, Any], path: tuple[str, ...], writers: list[str]
    ) -> Mapping[str, tuple[str, ...]]:
        raw = options.get("iam") or {}
        if not isinstance(raw, dict):
            self._type((*path, "iam"), "`iam`", "a mapping of role to members", raw)
            return {}
        result: dict[str, tuple[str, ...]] = {}
        for role, members in raw.items():
            problem = iam.role_problem(role)
            if problem:
                self.problems.error(self.doc.key_at(*path, "iam", role), *problem)
                continue
            resolved: list[str] = []
            for index, member in enumerate(members if isinstance(members, list) else [members]):
                if member == "registry-writers":
                    resolved += writers
                    continue
                value = self._member(member, self.doc.at(*path, "iam", role, index))
                if value:
                    resolved.append(value)
            result[role] = tuple(sorted(set(resolved)))
        return result

    def _build_bucket(
        self, options: Mapping[str, Any], path: tuple[str, ...]
    ) -> BuildBucket | None:
        raw = options.get("build_bucket")
        if raw is None:
            return None
        at = (*path, "build_bucket")
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            self.problems.error(self.doc.at(*at), "`build_bucket` needs a `name`")
            return None
        self._unknown_keys(raw, at, BUILD_BUCKET_KEYS, "build_bucket")
        age = raw.get("age_days", 90)
        if not isinstance(age, int) or isinstance(age, bool) or age < 1:
            self.problems.error(
                self.doc.at(*at, "age_days"), "`age_days` must be a positive number"
            )
            age = 90
        return BuildBucket(str(raw["name"]), self._members(raw.get("admins"), at, "admins"), age)

    def _members(self, raw: Any, at: tuple[str, ...], key: str) -> tuple[str, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list):
            self._type((*at, key), f"`{key}`", "a list of members", raw)
            return ()
        found: dict[str, str] = {}  # resource-name part -> member
        for index, member in enumerate(raw):
            where = self.doc.at(*at, key, index)
            value = self._member(member, where)
            if not value:
                continue
            part = names.member_slug(value)
            if part in found and found[part] != value:
                self.problems.error(
                    where,
                    f"`{value}` and `{found[part]}` would share a resource name in `{key}`",
                    "resource names keep an address's local part only; grant one of them "
                    "through a group",
                )
                continue
            found[part] = value
        return tuple(found.values())

    def _member(self, raw: Any, where: Position) -> str | None:
        if raw == "prow-builder":
            return self.settings.prow_builder
        if not iam.is_member(raw):
            self.problems.error(
                where, f"`{raw}` is not an IAM member", f"write prow-builder or {iam.MEMBER_FORMS}"
            )
            return None
        group = iam.group_address(raw)
        if group:
            self.group_references.append((group, where))
        return str(raw)

    def _strings(self, options: Mapping[str, Any], path: tuple[str, ...], key: str) -> list[str]:
        value = options.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self._type((*path, key), f"`{key}`", "a list of strings", value)
            return []
        return value

    def _unknown_keys(
        self, body: Mapping[str, Any], at: tuple[str, ...], allowed: Any, where: str
    ) -> None:
        for key in body:
            if key not in allowed:
                self.problems.error(
                    self.doc.key_at(*at, key),
                    f"unknown key `{key}` in {where}",
                    did_you_mean(key, allowed),
                )

    def _type(self, path: tuple[str, ...], what: str, expected: str, value: Any) -> None:
        self.problems.error(
            self.doc.at(*path),
            f"{what} must be {expected}, found {yaml_type_name(value)}",
            "fix the value's type",
        )
