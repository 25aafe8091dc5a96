"""A stack's settings: the ``k8s-infra:*`` keys of ``stacks/Pulumi.<stack>.yaml``.

Stack config carries what differs between stacks (organization, billing
account, domain, which components to build). The program picks its
components from ``components``, never from the stack's name. Values reach
this model either from a stack file (``k8s-infra validate``) or from
``pulumi.Config`` (the program), as strings with structured values JSON-encoded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from infra.core.fields import NUMERIC_ID, FieldPath, Fields, yaml_type_name
from infra.core.located_yaml import YamlDocument, load_yaml
from infra.core.paths import PROJECT_FILE
from infra.core.problems import Position, Problems, did_you_mean
from infra.declarations.layout import STACKS_DIR, stack_path, stacks_root

NAMESPACE = "k8s-infra"
PROVIDER_NAMESPACES = frozenset({"gcp", "aws", "pulumi"})

Kind = Literal["string", "list", "object", "bool"]


@dataclass(frozen=True)
class ConfigKey:
    kind: Kind
    description: str
    # required by the concern declaring it (shared keys: by the concerns that need them)
    required: bool = False


# Keys every stack may set, whatever it builds.
COMPONENTS_KEY = "components"
PRODUCTION_KEY = "production"
SERVES_PRODUCTION_KEY = "serves_production"
SHARED_KEYS: Mapping[str, ConfigKey] = {
    "organization_id": ConfigKey("string", "numeric Google Cloud organization id"),
    "billing_account": ConfigKey("string", "billing account linked to created projects"),
    "domain": ConfigKey("string", "the Workspace domain of groups (kubernetes.io)"),
    PRODUCTION_KEY: ConfigKey(
        "bool", "a production stack: applied only after a person confirms (`up`, `adopt`)"
    ),
    SERVES_PRODUCTION_KEY: ConfigKey(
        "bool", "holds or serves the production images: new access to it is reviewed first"
    ),
}


@dataclass(frozen=True)
class StackSchema:
    """Which components a stack may build and which keys it may set (from the catalog)."""

    components: Mapping[str, str]  # name -> what it builds
    keys: Mapping[str, ConfigKey]  # every `k8s-infra:` key but `components`
    needs: Mapping[str, frozenset[str]]  # component -> keys it cannot do without

    def describe_components(self) -> str:
        return "which components the stack builds: " + ", ".join(sorted(self.components))


_BILLING = re.compile(r"[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}")


@dataclass(frozen=True)
class StackSettings:
    stack: str
    components: tuple[str, ...]
    values: Mapping[str, Any]
    # where each key was written (the stack file when read from one)
    positions: Mapping[str, Position] = field(default_factory=lambda: MappingProxyType({}))
    # the stack file it was read from (None when the engine's config handed it over),
    # for the provider keys (`aws:allowedAccountIds`...) some concerns check
    source: StackFile | None = field(default=None, compare=False, repr=False)

    def where(self, key: str) -> Position:
        """Where ``key`` (or ``key.nested`` in an object value) was written, else its parent."""
        parent = key.split(".", 1)[0]
        return (
            self.positions.get(key)
            or self.positions.get(parent)
            or Position(stack_path(self.stack))
        )

    def text(self, key: str) -> str:
        value = self.values.get(key)
        return value if isinstance(value, str) else ""

    def object(self, key: str) -> Mapping[str, Any]:
        value = self.values.get(key)
        return value if isinstance(value, Mapping) else MappingProxyType({})

    def fields(self, key: str, problems: Problems) -> Fields:
        """A reader of the value of ``key``: each problem where its own key was written."""

        def locate(path: FieldPath, _key: bool) -> Position:
            return self.where(".".join([key, *(str(p) for p in path[:1])]))

        return Fields(locate, problems)


def stack_file(root: Path, stack: str) -> Path:
    return stacks_root(root) / stack_path(stack)


# Pulumi's own rule for stack names (letters, digits, `-`, `_`, `.`), starting
# with a letter or digit so that `Pulumi..yaml` names no stack.
STACK_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_STACK_FILE_PREFIX, _STACK_FILE_SUFFIX = "Pulumi.", ".yaml"


def _stack_files(root: Path) -> list[str]:
    """The stack name of every ``stacks/Pulumi.<name>.yaml``, valid or not, sorted."""
    folder = stacks_root(root) / STACKS_DIR
    found = folder.glob(f"{_STACK_FILE_PREFIX}*{_STACK_FILE_SUFFIX}") if folder.is_dir() else []
    return sorted(
        p.name.removeprefix(_STACK_FILE_PREFIX).removesuffix(_STACK_FILE_SUFFIX) for p in found
    )


def stack_names(root: Path) -> list[str]:
    """Every stack with a file under ``stacks/`` whose name Pulumi accepts, sorted."""
    return [name for name in _stack_files(root) if STACK_NAME.fullmatch(name)]


def check_stack_file_names(root: Path, problems: Problems) -> None:
    """A stack file whose name Pulumi would refuse is an error, never skipped silently."""
    for name in _stack_files(root):
        if STACK_NAME.fullmatch(name):
            continue
        problems.error(
            Position(f"{STACKS_DIR}/{_STACK_FILE_PREFIX}{name}{_STACK_FILE_SUFFIX}"),
            f"`{name}` is not a stack name" if name else "the file names no stack",
            "name it `Pulumi.<stack>.yaml`, the stack of letters, digits, `-`, `_` and `.`, "
            "starting with a letter or digit",
        )


def parse_settings(
    stack: str,
    raw: Mapping[str, Any],
    where: Callable[[str], Position],
    problems: Problems,
    schema: StackSchema,
) -> StackSettings:
    """Check the ``k8s-infra`` keys (bare names) of one stack and build its settings."""
    keys = {COMPONENTS_KEY: ConfigKey("list", schema.describe_components()), **schema.keys}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        spec = keys.get(key)
        if spec is None:
            problems.error(
                where(key), f"unknown config key `{NAMESPACE}:{key}`", did_you_mean(key, keys)
            )
            continue
        decoded = _decode(value, spec.kind)
        if decoded is None:
            problems.error(
                where(key),
                f"`{NAMESPACE}:{key}` must be {_article(spec.kind)}, found {yaml_type_name(value)}",
                spec.description,
            )
            continue
        values[key] = decoded
    components = tuple(values.get(COMPONENTS_KEY) or ())
    for name in sorted({c for c in components if components.count(c) > 1}):
        problems.error(
            where(COMPONENTS_KEY),
            f"component `{name}` is listed twice",
            "list each component once",
        )
    components = tuple(dict.fromkeys(components))
    for name in components:
        if name not in schema.components:
            problems.error(
                where(COMPONENTS_KEY),
                f"unknown component `{name}`",
                did_you_mean(name, schema.components),
            )
    for key, spec in keys.items():
        needing = sorted(c for c in components if key in schema.needs.get(c, ()))
        if needing and key not in values:
            problems.error(
                where(COMPONENTS_KEY),
                f"component `{needing[0]}` needs config key `{NAMESPACE}:{key}`",
                f"set {spec.description}",
            )
    org = values.get("organization_id")
    if isinstance(org, str) and not NUMERIC_ID.fullmatch(org):
        problems.error(
            where("organization_id"),
            f"organization id `{org}` is not numeric",
            'quote the numeric id, e.g. "758905017065"',
        )
    billing = values.get("billing_account")
    if isinstance(billing, str) and not _BILLING.fullmatch(billing):
        problems.error(
            where("billing_account"),
            f"billing account `{billing}` is malformed",
            "use the XXXXXX-XXXXXX-XXXXXX form",
        )
    known = tuple(c for c in components if c in schema.components)
    positions = {key: where(key) for key in values}
    for key, value in values.items():
        if isinstance(value, dict):
            positions.update({f"{key}.{inner}": where(f"{key}.{inner}") for inner in value})
    return StackSettings(stack, known, MappingProxyType(values), MappingProxyType(positions))


@dataclass(frozen=True)
class StackFile:
    """A stack file's ``config`` mapping as written, and where each key was written."""

    document: YamlDocument
    config: Mapping[str, Any]


def read_stack_file(file: Path, display: str, problems: Problems) -> StackFile | None:
    """The one reading of a stack file: bounded, positioned; None (with problems) when
    it is not a mapping whose ``config`` is a mapping."""
    document = load_yaml(file, display, problems)
    if document is None:
        return None
    data = document.data
    if not isinstance(data, dict):
        problems.error(document.at(), "a stack file must be a mapping with `config`")
        return None
    config = data.get("config") or {}
    if not isinstance(config, dict):
        problems.error(document.at("config"), "`config` must be a mapping")
        return None
    return StackFile(document, MappingProxyType(config))


def stack_config(root: Path, stack: str) -> Mapping[str, Any]:
    """The ``config`` mapping of ``stacks/Pulumi.<stack>.yaml``, as written.

    Raises UnreadableStackFile, naming the first problem, when the file has errors.
    """
    problems = Problems()
    found = read_stack_file(stack_file(root, stack), stack_path(stack), problems)
    if found is None or problems.has_errors:
        raise UnreadableStackFile(problems.sorted()[0].message)
    return found.config


class UnreadableStackFile(ValueError):
    """A stack file that is not a YAML mapping with a ``config`` mapping."""


def load_stack_settings(
    root: Path, stack: str, problems: Problems, schema: StackSchema
) -> StackSettings | None:
    """Read ``stacks/Pulumi.<stack>.yaml`` under ``root`` and check its config."""
    found = read_stack_file(stack_file(root, stack), stack_path(stack), problems)
    if found is None:
        return None
    document = found.document
    ours: dict[str, Any] = {}
    for key, value in found.config.items():
        namespace, _, name = key.partition(":")
        if namespace == NAMESPACE and name:
            ours[name] = value
        elif not name or namespace not in PROVIDER_NAMESPACES:
            problems.error(
                document.key_at("config", key),
                f"config key `{key}` is outside the `{NAMESPACE}:` namespace",
                f"write `{NAMESPACE}:{key.split(':')[-1]}`, or a provider key "
                f"({', '.join(sorted(PROVIDER_NAMESPACES))})",
            )

    def where(name: str) -> Position:
        return document.key_at(
            "config", f"{NAMESPACE}:{name.split('.', maxsplit=1)[0]}", *name.split(".")[1:]
        )

    return replace(parse_settings(stack, ours, where, problems, schema), source=found)


@dataclass(frozen=True)
class Project:
    """``Pulumi.yaml``: the project's name, program folder, stack folder and defaults."""

    name: str
    main: str
    stack_config_dir: str
    defaults: Mapping[str, Any]
    # every top-level key as written (the backend, this project's own attributes)
    attributes: Mapping[str, Any]


def read_project(file: Path, problems: Problems) -> Project:
    """The project file, through the same bounded reader as the stack files.

    Its problems go to ``problems``; what cannot be read takes Pulumi's defaults.
    """
    document = load_yaml(file, PROJECT_FILE, problems)
    data = document.data if document is not None else None
    if document is not None and not isinstance(data, dict):
        problems.error(document.at(), "the project file must be a mapping")
    attributes: dict[str, Any] = data if isinstance(data, dict) else {}
    defaults = {}
    config = attributes.get("config")
    for key, spec in (config if isinstance(config, dict) else {}).items():
        if isinstance(spec, dict):
            if "value" in spec:
                defaults[key] = spec["value"]
            elif "default" in spec:
                defaults[key] = spec["default"]
        else:
            defaults[key] = spec
    return Project(
        name=str(attributes.get("name", "project")),
        main=str(attributes.get("main") or "."),
        stack_config_dir=str(attributes.get("stackConfigDir") or "."),
        defaults=MappingProxyType(defaults),
        attributes=MappingProxyType(attributes),
    )


def _decode(value: Any, kind: Kind) -> Any:
    """Accept native YAML values or the JSON strings pulumi.Config hands over."""
    if isinstance(value, str) and kind in ("list", "object"):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if isinstance(value, str) and kind == "bool" and value in ("true", "false"):
        return value == "true"
    expected: dict[Kind, type | tuple[type, ...]] = {
        "string": str,
        "list": list,
        "object": dict,
        "bool": bool,
    }
    if not isinstance(value, expected[kind]):
        return None
    if isinstance(value, list) and not all(isinstance(v, str) for v in value):
        return None
    return value


def _article(kind: Kind) -> str:
    return {
        "string": "a string",
        "list": "a list of strings",
        "object": "a mapping",
        "bool": "true or false",
    }[kind]
