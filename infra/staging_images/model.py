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
          labels: {<key>: <value>}      # `{name}` in a value is the registry's name
          description: <text>           # none by default

Symbolic members: ``prow-builder`` (stack config) and, in ``iam``,
``registry-writers`` (every writer of the project's registries). A registry
option is taken from the registry, else ``registry_defaults``, else the
default above. Everything is read through ``Fields``; each option is checked
where it is written, and every problem of a registry is reported in one run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from infra.core import iam, names
from infra.core.fields import FieldPath, Fields
from infra.core.problems import Position, Problems
from infra.declarations.estate import Estate, ProjectEntry
from infra.declarations.loaded import Declarations
from infra.declarations.stacks import StackSettings

SECTION = "staging-images"
# Keys this concern adds to each project of its infra.yaml section.
PROJECT_KEYS = frozenset(
    {"services", "folder_id", iam.IAM_MAP, "build_bucket", "registry_defaults", "registries"}
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
    "labels": {},
    "description": None,
}
BUILD_BUCKET_KEYS = ("name", "admins", "age_days")
BUILD_BUCKET_AGE_DAYS = 90
SETTINGS_KEYS = {
    "prow_builder": "member of the prow trusted builder (`prow-builder`)",
    "workload_identity_pool": "project of prow's trusted build cluster (workload identity)",
    "workload_identity_project_number": "number of that project (its pool's principals name it)",
    "prow_namespace": "Kubernetes namespace of prow's build pods",
}
_REQUIRED_SETTINGS = ("prow_builder", "workload_identity_pool", "workload_identity_project_number")
# A registry's name is its repository id: 1 to 63 characters.
_REPOSITORY_ID = re.compile(r"[a-z]([a-z0-9.-]{0,61}[a-z0-9])?")
# Label keys and values: lowercase letters, digits, `_` and `-`; `{name}` is filled in.
_LABEL_KEY = re.compile(r"[a-z][a-z0-9_-]{0,62}")
_LABEL_VALUE = re.compile(r"([a-z0-9_-]|\{name\}){0,63}")
_LABEL_HINT = "write lowercase letters, digits, `_` and `-` (63 at most); `{name}` is the registry"
_REPOSITORY_ID_HINT = (
    "write 1 to 63 lowercase letters, digits, dots and hyphens, starting with a letter "
    "and ending with a letter or digit"
)


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
    labels: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    description: str | None = None


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
    workload_identity_project_number: str = ""

    def build_principal(self, registry: str) -> str:
        """The prow pods of a registry's build account: its Kubernetes service account."""
        return names.workload_identity_principal(
            self.workload_identity_project_number,
            f"{self.workload_identity_pool}.svc.id.goog",
            self.prow_namespace,
            registry,
        )


@dataclass(frozen=True)
class StagingImages:
    settings: StagingImagesSettings
    projects: tuple[RegistryProject, ...]
    group_references: tuple[tuple[str, Position], ...] = ()


def staging_images_settings(
    settings: StackSettings, problems: Problems
) -> StagingImagesSettings | None:
    """The staging-images facts of a stack, checked (unknown keys, types, members, ids)."""
    raw = settings.values.get("staging_images")
    if raw is None:
        return None  # missing or not a mapping: the stack's own check reported it
    own = Problems()  # whether these settings are usable, whatever else the run found
    fields = settings.fields("staging_images", own)
    what = "`k8s-infra:staging_images`"
    spec = fields.mapping(raw, (), SETTINGS_KEYS, _REQUIRED_SETTINGS, what=what) or {}
    readers: dict[str, Callable[[Any, FieldPath], Any]] = {
        "prow_builder": fields.member,
        "workload_identity_pool": fields.project_id,
        "prow_namespace": fields.text,
        "workload_identity_project_number": lambda value, path: fields.numeric_id(
            value, path, "project number"
        ),
    }
    values = {key: readers[key](value, (key,)) for key, value in spec.items() if key in readers}
    problems.extend(own)
    if own.has_errors:
        return None
    return StagingImagesSettings(
        organization_id=settings.text("organization_id"),
        billing_account=settings.text("billing_account"),
        **values,
    )


def load_staging_images(
    estate: Estate, settings: StagingImagesSettings, problems: Problems
) -> StagingImages:
    reader = _Reader(estate, settings, problems)
    projects = tuple(reader.project(entry) for entry in estate.projects(SECTION))
    return StagingImages(settings, projects, tuple(reader.group_references))


def shared_registries(declarations: Declarations) -> StagingImages | None:
    """The shared registries as the stack building them resolves them (build accounts...)."""
    for stack in declarations.stacks.values():
        if SECTION in stack.components:
            shared = staging_images_settings(stack, Problems())
            if shared is not None:
                return load_staging_images(declarations.estate, shared, Problems())
    return None


def check_staging_images_options(estate: Estate, problems: Problems) -> None:
    """Validate the section without stack settings (no stack builds it)."""
    placeholder = StagingImagesSettings("0", "", "serviceAccount:b@example.com", "pool")
    load_staging_images(estate, placeholder, problems)


class _Reader:
    def __init__(self, estate: Estate, settings: StagingImagesSettings, problems: Problems) -> None:
        self.fields = Fields.of(estate.document, problems)
        self.settings = settings
        self.problems = problems
        self.group_references: list[tuple[str, Position]] = []
        self.account_owner: dict[str, tuple[str, Position]] = {}

    def project(self, entry: ProjectEntry) -> RegistryProject:
        fields = self.fields.below("infra", SECTION, "projects", entry.project_id)
        options = entry.options
        folder = options.get("folder_id")
        defaults = self._defaults(fields, options)
        registries = self._registries(fields, entry.project_id, options, defaults)
        writers = sorted({w for r in registries for w in r.writers})
        return RegistryProject(
            project_id=entry.project_id,
            folder_id=None
            if folder is None
            else fields.numeric_id(folder, ("folder_id",), "folder id"),
            services=tuple(sorted(fields.services(options.get("services"), ("services",)))),
            iam=self._iam(fields, options, writers),
            registries=registries,
            build_bucket=self._build_bucket(fields, options),
        )

    # -- registries ----------------------------------------------------------

    def _defaults(self, fields: Fields, options: Mapping[str, Any]) -> dict[str, Any]:
        """The project's registry defaults: the written ones, each checked, over the built-in."""
        at = ("registry_defaults",)
        written = fields.mapping(
            options.get("registry_defaults", {}), at, REGISTRY_DEFAULTS, what="`registry_defaults`"
        )
        return {**REGISTRY_DEFAULTS, **self._options(fields.below(*at), written or {})}

    def _registries(
        self,
        fields: Fields,
        project_id: str,
        options: Mapping[str, Any],
        defaults: Mapping[str, Any],
    ) -> tuple[Registry, ...]:
        written = fields.mapping(
            options.get("registries", {}), ("registries",), expected="a mapping of registry names"
        )
        found = (
            self._registry(fields, project_id, name, body, defaults)
            for name, body in (written or {}).items()
        )
        return tuple(registry for registry in found if registry is not None)

    def _registry(
        self, fields: Fields, project_id: str, name: str, body: Any, defaults: Mapping[str, Any]
    ) -> Registry | None:
        """One registry; every field is checked, even when its name is not valid."""
        at = ("registries", name)
        name_ok = fields.on_keys().text(
            name, at, _REPOSITORY_ID, "a valid registry name", hint=_REPOSITORY_ID_HINT
        )
        spec = fields.mapping(
            {} if body is None else body, at, REGISTRY_DEFAULTS, what=f"registry `{name}`"
        )
        options = {**defaults, **self._options(fields.below(*at), spec or {})}
        if name_ok is None or spec is None:
            return None  # its problems are reported: no registry of that name is built
        account = None
        if options["build_account"]:
            account = names.registry_build_account(name)
            self._claim_account(account, project_id, name, fields.key_at(at))
        return Registry(
            name=name,
            location=options["location"],
            readers=tuple(options["readers"]),
            writers=tuple(options["writers"]),
            cleanup=options["cleanup"],
            cleanup_age_days=options["cleanup_age_days"],
            build_account=account,
            gcb_builder_shim=account is not None and not options["skip_gcb_builder_shim"],
            labels=MappingProxyType(
                {key: value.replace("{name}", name) for key, value in options["labels"].items()}
            ),
            description=options["description"],
        )

    def _options(self, fields: Fields, written: Mapping[str, Any]) -> dict[str, Any]:
        """The registry options in ``written`` (a registry or the defaults), each checked.

        A bad option is reported and left out; unknown keys are reported by the caller.
        """
        return {
            key: option
            for key, value in written.items()
            if key in REGISTRY_DEFAULTS and (option := self._option(fields, key, value)) is not None
        }

    def _option(self, fields: Fields, key: str, value: Any) -> Any:
        path = (key,)
        if key in ("readers", "writers"):
            return self._members(fields, value, path)
        if key == "cleanup":
            return fields.choice(value, path, CLEANUPS, what="cleanup")
        if key == "cleanup_age_days":
            return fields.days(value, path)
        if key in ("build_account", "skip_gcb_builder_shim"):
            return fields.boolean(value, path)
        if key == "labels":
            return self._labels(fields, value, path)
        return fields.text(value, path)

    def _labels(self, fields: Fields, raw: Any, path: FieldPath) -> dict[str, str] | None:
        """Labels as Google accepts them: lowercase keys and values, 63 characters at most."""
        written = fields.mapping(raw, path, expected="a mapping of label to value")
        if written is None:
            return None
        labels: dict[str, str] = {}
        for key, value in written.items():
            at = (*path, key)
            if fields.on_keys().text(key, at, _LABEL_KEY, "a label key", hint=_LABEL_HINT) is None:
                continue
            text = fields.text(value, at, _LABEL_VALUE, "a label value", hint=_LABEL_HINT)
            if text is not None:
                labels[key] = text
        return labels

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

    # -- project IAM and the build bucket --------------------------------------

    def _iam(
        self, fields: Fields, options: Mapping[str, Any], writers: list[str]
    ) -> Mapping[str, tuple[str, ...]]:
        written = fields.mapping(
            options.get(iam.IAM_MAP, {}), (iam.IAM_MAP,), expected="a mapping of role to members"
        )
        keys = fields.on_keys()
        result: dict[str, tuple[str, ...]] = {}
        for role, members in (written or {}).items():
            at = (iam.IAM_MAP, role)
            if keys.role(role, at) is None:
                continue
            resolved: list[str] = []
            for index, member in enumerate(fields.sequence(members, at, "a list of members")):
                if member == iam.REGISTRY_WRITERS:
                    resolved += writers
                    continue
                symbols = (iam.PROW_BUILDER, iam.REGISTRY_WRITERS)
                value = self._member(fields, member, (*at, index), symbols)
                if value:
                    resolved.append(value)
            result[role] = tuple(sorted(set(resolved)))
        return result

    def _build_bucket(self, fields: Fields, options: Mapping[str, Any]) -> BuildBucket | None:
        raw = options.get("build_bucket")
        if raw is None:
            return None
        at = ("build_bucket",)
        spec = fields.mapping(raw, at, BUILD_BUCKET_KEYS, ("name",), what="`build_bucket`",
                              expected="a mapping with `name`")  # fmt: skip
        if spec is None:
            return None
        name = fields.text(spec["name"], (*at, "name")) if "name" in spec else None
        age = fields.days(spec.get("age_days", BUILD_BUCKET_AGE_DAYS), (*at, "age_days"))
        admins = self._members(fields, spec.get("admins"), (*at, "admins"))
        if name is None:
            return None
        return BuildBucket(name, admins, age or BUILD_BUCKET_AGE_DAYS)

    # -- members -------------------------------------------------------------

    def _members(self, fields: Fields, raw: Any, path: FieldPath) -> tuple[str, ...]:
        """A list of members; two that would share a resource name are refused."""
        found: dict[str, str] = {}  # resource-name part -> member
        for index, member in enumerate(fields.sequence(raw, path, "a list of members")):
            value = self._member(fields, member, (*path, index))
            if not value:
                continue
            part = names.member_slug(value)
            if found.get(part, value) != value:
                fields.error(
                    (*path, index),
                    f"`{value}` and `{found[part]}` would share a resource name in `{path[-1]}`",
                    "resource names keep an address's local part only; grant one of them "
                    "through a group",
                )
                continue
            found[part] = value
        return tuple(found.values())

    def _member(
        self,
        fields: Fields,
        raw: Any,
        path: FieldPath,
        symbols: tuple[str, ...] = (iam.PROW_BUILDER,),
    ) -> str | None:
        """A member, ``prow-builder`` resolved; each group named is kept for the cross-check."""
        member = fields.member(raw, path, symbols)
        if member == iam.PROW_BUILDER:
            return self.settings.prow_builder
        group = iam.group_address(member) if member else None
        if group:
            self.group_references.append((group, fields.at(path)))
        return member
