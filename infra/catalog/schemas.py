"""JSON Schemas (draft 2020-12) of the YAML files people edit, for editors.

``k8s-infra schema --out DIR`` writes them; the repository ships them under
``schemas/`` and each shipped YAML file names its schema in a
``# yaml-language-server: $schema=...`` first line, so an editor completes
keys and flags mistakes while typing.

The schemas are built from the readers' own tables: the keys infra.yaml
accepts (``SECTION_KEYS``, ``PROJECT_KEYS`` and what each concern registers
in the catalog), the stack keys and components (``catalog.stack_schema``),
the group keys, settings and their values (``settings_table``), the
restriction rules' keys. They describe shapes; the readers check more (a
project listed in two sections, a group's name matching its address, a
regex that compiles...). ``BEYOND_SCHEMA`` lists those checks, by the
refused fixture that shows each one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from infra.core import names
from infra.declarations.estate import PROJECT_KEYS, SECTION_KEYS, SectionKeys
from infra.declarations.stacks import (
    COMPONENTS_KEY,
    NAMESPACE,
    PROVIDER_NAMESPACES,
    ConfigKey,
    StackSchema,
)

DRAFT = "https://json-schema.org/draft/2020-12/schema"
Schema = dict[str, Any]

# file name -> what it describes; the order of the `schema` command's output
FILES: Mapping[str, str] = {
    "infra.schema.json": "infra/infra.yaml",
    "groups.schema.json": "groups/**/groups.yaml",
    "restrictions.schema.json": "groups/restrictions.yaml",
    "stack.schema.json": "stacks/Pulumi.<stack>.yaml",
}

# names.project_id_problem as a pattern: 6 to 30 lowercase letters, digits and
# hyphens, a letter first, no hyphen last.
PROJECT_ID = rf"^[a-z][a-z0-9-]{{{names.PROJECT_ID_MIN - 2},{names.PROJECT_ID_MAX - 2}}}[a-z0-9]$"
# An address as the groups readers accept it: no white space anywhere (a lookahead,
# since `$` also matches before a final newline in some regex engines), one `@`, a
# dot in the domain. Uppercase letters are accepted (the readers warn and plan the
# lowercase form, as Google stores it); the local part's finer rules are the readers'.
ADDRESS = r"^(?![\s\S]*\s)[^@]+@[^@]+\.[^@]+$"
STRINGS: Schema = {"type": "array", "items": {"type": "string"}}
ANY_MAPPING: Schema = {"type": "object"}


def _text(description: str, **more: Any) -> Schema:
    return {"type": "string", "description": description, **more}


def _closed(properties: Mapping[str, Schema], *, required: tuple[str, ...] = ()) -> Schema:
    schema: Schema = {
        "type": "object",
        "properties": dict(properties),
        "additionalProperties": False,
    }
    if required:
        schema["required"] = list(required)
    return schema


def _nullable(schema: Schema) -> Schema:
    return {"anyOf": [{"type": "null"}, schema]}


# --- infra.yaml ---------------------------------------------------------------

_GRANT = _closed(
    {
        "member": _text("a member: group:<address>, serviceAccount:<email>, or a symbolic one"),
        "roles": STRINGS,
        "on": _text("what the grant is on: project (default), repository, service_account:<id>"),
    },
    required=("member", "roles"),
)

# The keys each concern adds to infra.yaml, as its model reads them. Every key a
# concern registers in the catalog must have its schema here (``infra_schema``
# refuses a key it cannot describe).
EXTENSION_KEYS: Mapping[str, Schema] = {
    # staging (infra/staging/model.py)
    "grant_sets": {
        "description": "in a section: named lists of grants; in a project: the names it uses",
        "anyOf": [
            {"type": "object", "additionalProperties": {"type": "array", "items": _GRANT}},
            STRINGS,
        ],
    },
    "profile": _text("standard or gcb-untrusted (infra/data/staging-profiles.yaml)"),
    "services": {**STRINGS, "description": "extra APIs: <api>.googleapis.com"},
    "grants": {"type": "array", "items": _GRANT, "description": "extra additive grants"},
    "gcb_builder": _closed({"workload_identity_pool": _text("prow's build cluster project")}),
    "service_accounts": {
        "type": "object",
        "additionalProperties": _nullable(
            _closed({"display_name": {"type": "string"}, "workload_identity": STRINGS})
        ),
    },
    # staging-images (infra/staging_images/model.py)
    "folder_id": _text("numeric folder id, quoted", pattern=r"^[0-9]+$"),
    "iam": {
        "type": "object",
        "description": "authoritative: each role's members are exactly these",
        "additionalProperties": STRINGS,
    },
    "build_bucket": _closed(
        {"name": {"type": "string"}, "admins": STRINGS, "age_days": {"type": "integer"}},
        required=("name",),
    ),
    "registry_defaults": {"description": "a default for each registry option"},
    "registries": {
        "type": "object",
        "description": "registry name -> its options (location, readers, writers, cleanup...)",
    },
}

# The type of each registry option (infra/staging_images/model.py REGISTRY_DEFAULTS).
_REGISTRY_OPTIONS: Mapping[str, Schema] = {
    "location": {"type": "string"},
    "readers": STRINGS,
    "writers": STRINGS,
    "cleanup": {"type": "string"},  # its values: set below, from the model
    "cleanup_age_days": {"type": "integer", "minimum": 1},
    "build_account": {"type": "boolean"},
    "skip_gcb_builder_shim": {"type": "boolean"},
    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
    "description": {"type": ["string", "null"]},
}


def _registry_options() -> Schema:
    from infra.staging_images.model import CLEANUPS, REGISTRY_DEFAULTS

    missing = sorted(set(REGISTRY_DEFAULTS) - set(_REGISTRY_OPTIONS))
    if missing:
        raise ValueError(f"no schema for the registry options {missing}")
    options = {key: _REGISTRY_OPTIONS[key] for key in REGISTRY_DEFAULTS}
    options["cleanup"] = {"enum": list(CLEANUPS)}
    return _closed(options)


def _extension_keys() -> dict[str, Schema]:
    keys = dict(EXTENSION_KEYS)
    options = _registry_options()
    keys["registry_defaults"] = {**keys["registry_defaults"], **options}
    keys["registries"] = {**keys["registries"], "additionalProperties": _nullable(options)}
    return keys


def _extension(keys: frozenset[str], where: str) -> dict[str, Schema]:
    known = _extension_keys()
    missing = sorted(keys - set(known))
    if missing:
        raise ValueError(f"no schema for the {where} keys {missing}: add them to EXTENSION_KEYS")
    return {key: known[key] for key in sorted(keys)}


def _section(extension: SectionKeys) -> Schema:
    project = _closed(
        {
            "managed_by": _text("what manages this project (overrides the section's)"),
            "also_in": _text("the other section that lists this project on purpose"),
            **_extension(extension.project, "project"),
        }
    )
    assert set(project["properties"]) >= PROJECT_KEYS
    section = _closed(
        {
            "managed_by": _text("what manages the section's projects by default"),
            "projects": _nullable(
                {
                    "type": "object",
                    "propertyNames": {"pattern": PROJECT_ID},
                    "additionalProperties": {
                        # null: no options; a bare string: upstream's `id: <managed_by>`
                        "anyOf": [{"type": "null"}, {"type": "string"}, project],
                    },
                }
            ),
            **_extension(extension.section, "section"),
        }
    )
    assert set(section["properties"]) >= SECTION_KEYS
    return section


def infra_schema(extensions: Mapping[str, SectionKeys]) -> Schema:
    return {
        "$schema": DRAFT,
        "title": "infra/infra.yaml",
        "description": "The declared estate: every Google Cloud project, by section.",
        **_closed(
            {
                "infra": {
                    "type": "object",
                    "description": "section name -> its projects",
                    "properties": {
                        name: _section(keys) for name, keys in sorted(extensions.items())
                    },
                    "additionalProperties": _section(SectionKeys()),
                }
            },
            required=("infra",),
        ),
    }


# --- groups ---------------------------------------------------------------------


def _settings_rule(address: str, setting: str, value: str) -> Schema:
    """Groups whose address matches ``address`` must set ``setting`` to ``value``."""
    return {
        "if": {"properties": {"email-id": {"pattern": address}}},
        "then": {
            "required": ["settings"],
            "properties": {
                "settings": {"required": [setting], "properties": {setting: {"const": value}}}
            },
        },
    }


def groups_schema(settings: Mapping[str, tuple[str, ...]], max_description: int) -> Schema:
    from infra.groups.rules import (
        INFRA_GROUP_PREFIX,
        MEMBERS_CAN_VIEW,
        RBAC_GROUP_PREFIX,
        RBAC_PARENT,
    )
    from infra.groups.settings_table import RECONCILE_MEMBERS

    address: Schema = {"type": "string", "pattern": ADDRESS}
    addresses: Schema = _nullable({"type": "array", "items": address})
    group = _closed(
        {
            "email-id": _text("the group's address", pattern=ADDRESS),
            "name": _text("the address's local part"),
            "description": {"type": ["string", "null"], "maxLength": max_description},
            "settings": _nullable(
                _closed(
                    {
                        key: {"type": "string", "enum": list(allowed)}
                        for key, allowed in sorted(settings.items())
                    }
                )
            ),
            "owners": addresses,
            "managers": addresses,
            "members": addresses,
        },
        required=("email-id", "name"),
    )
    infra_group = _settings_rule(f"^{INFRA_GROUP_PREFIX}", RECONCILE_MEMBERS, "true")
    # k8s-infra* groups: no owners, and the file holds every member
    infra_group["then"]["properties"]["owners"] = _nullable({"type": "array", "maxItems": 0})
    group["allOf"] = [
        infra_group,
        # GKE's RBAC sees only groups whose members may view the membership
        _settings_rule(f"^({RBAC_GROUP_PREFIX}|{RBAC_PARENT}@)", "WhoCanViewMembership",
                       MEMBERS_CAN_VIEW),
    ]  # fmt: skip
    return {
        "$schema": DRAFT,
        "title": "groups.yaml",
        "description": "Google Groups: the upstream format, read unchanged.",
        **_closed({"groups": {"type": "array", "items": group}}, required=("groups",)),
    }


def restrictions_schema() -> Schema:
    rule = _closed(
        {
            "path": _text("a doublestar glob, relative to the groups root"),
            "allowedGroups": {
                **STRINGS,
                "description": "regexes, searched anywhere in the address; none: nothing",
            },
        },
        required=("path",),
    )
    return {
        "$schema": DRAFT,
        "title": "groups/restrictions.yaml",
        "description": "Which groups file may declare which groups: the first matching rule.",
        **_closed({"restrictions": {"type": "array", "items": rule}}, required=("restrictions",)),
    }


# --- stack files ----------------------------------------------------------------

_KINDS: Mapping[str, Schema] = {
    "string": {"type": "string"},
    # a list or mapping may also be the JSON text pulumi.Config hands over
    "list": {"anyOf": [STRINGS, {"type": "string"}]},
    "object": {"anyOf": [ANY_MAPPING, {"type": "string"}]},
    "bool": {"anyOf": [{"type": "boolean"}, {"enum": ["true", "false"]}]},
}
_KEY_PATTERNS: Mapping[str, str] = {
    "organization_id": r"^[0-9]+$",
    "billing_account": r"^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$",
}


def object_keys() -> Mapping[str, tuple[Mapping[str, str], tuple[str, ...]]]:
    """Each object-valued stack key with fixed keys -> (its keys with what each holds,
    the keys it requires), from the reader of each concern's settings."""
    from infra.groups.access import GROUPS_KEY, GROUPS_OBJECT_KEYS
    from infra.mirrors import settings as mirrors
    from infra.proxy import model as proxy
    from infra.staging import model as staging
    from infra.staging_images import model as images

    return {
        "staging": (staging.SETTINGS_KEYS, staging._REQUIRED_SETTINGS),
        "staging_images": (images.SETTINGS_KEYS, images._REQUIRED_SETTINGS),
        GROUPS_KEY: (GROUPS_OBJECT_KEYS, ()),
        "mirrors": ({key: "" for key in sorted(mirrors.TOP_KEYS)}, ("s3_writer",)),
        proxy.SETTINGS_KEY: (
            proxy.SETTINGS_KEYS,
            tuple(sorted(set(proxy.SETTINGS_KEYS) - proxy.OPTIONAL_KEYS)),
        ),
        # region -> region: no fixed keys
        proxy.REGIONS_KEY: ({}, ()),
    }


def _config_key(name: str, spec: ConfigKey, objects: Mapping[str, Any]) -> Schema:
    schema: Schema = {"description": spec.description, **_KINDS[spec.kind]}
    if name in _KEY_PATTERNS:
        schema["pattern"] = _KEY_PATTERNS[name]
    if spec.kind == "object":
        if name not in objects:
            raise ValueError(f"no keys for the stack key `{name}`: add it to object_keys()")
        keys, required = objects[name]
        if keys:
            # the mapping branch, closed; the JSON-text branch stays as it is
            body = _closed(
                {key: {"description": what} if what else {} for key, what in keys.items()},
                required=tuple(required),
            )
            schema["anyOf"] = [body, {"type": "string"}]
    return schema


def stack_schema(schema: StackSchema) -> Schema:
    components: Schema = {
        "description": schema.describe_components(),
        "type": "array",
        "items": {"enum": sorted(schema.components)},
        "uniqueItems": True,
    }
    keys = {f"{NAMESPACE}:{COMPONENTS_KEY}": components}
    objects = object_keys()
    keys.update(
        {f"{NAMESPACE}:{k}": _config_key(k, v, objects) for k, v in sorted(schema.keys.items())}
    )
    providers = "|".join(sorted(PROVIDER_NAMESPACES))
    return {
        "$schema": DRAFT,
        "title": "stacks/Pulumi.<stack>.yaml",
        "description": "A stack's settings: which components it builds and their keys.",
        "type": "object",
        "properties": {
            "config": _nullable(
                {
                    "type": "object",
                    "properties": keys,
                    # provider settings (gcp:project, aws:region...) are Pulumi's own
                    "patternProperties": {rf"^({providers}):.+$": {}},
                    "additionalProperties": False,
                }
            )
        },
    }


# --- all of them ----------------------------------------------------------------


def schemas() -> dict[str, Schema]:
    """File name -> schema, from the readers' tables and the catalog."""
    from infra import catalog
    from infra.groups.rules import ACCEPTED_SETTINGS, DESCRIPTION_MAX

    return {
        "infra.schema.json": infra_schema(catalog.section_extensions()),
        "groups.schema.json": groups_schema(ACCEPTED_SETTINGS, DESCRIPTION_MAX),
        "restrictions.schema.json": restrictions_schema(),
        "stack.schema.json": stack_schema(catalog.stack_schema()),
    }


def render(schema: Schema) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schemas(out: Path) -> list[Path]:
    """Write every schema into ``out`` (created); the paths written, in FILES order."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in schemas().items():
        path = out / name
        path.write_text(render(schema), encoding="utf-8")
        written.append(path)
    return written


# --- what the readers check beyond the schemas ------------------------------------

# Refused fixture (tests/fixtures/<corpus>/<name>.yaml) -> the reader's check that
# no schema expresses. Every other refused fixture fails its schema too (tested).
_YAML = "the YAML reader: "
_DOMAIN = "the groups stack's domain (k8s-infra:domain): "
BEYOND_SCHEMA: Mapping[str, str] = {
    "infra-yaml/bad-indentation": _YAML + "syntax, at its line and column",
    "infra-yaml/duplicate-section": _YAML + "a duplicate key (YAML would keep the last)",
    "infra-yaml/empty": _YAML + "an empty file",
    "infra-yaml/only-comments": _YAML + "a file of comments only",
    "infra-yaml/merge-key": _YAML + "merge keys (`<<`) are refused",
    "infra-yaml/not-utf8": _YAML + "the file must be UTF-8",
    "infra-yaml/two-documents": _YAML + "one document per file",
    "infra-yaml/duplicate-project": "a staging project's writer group must be declared "
    "under groups/ (the groups tree, another file)",
    "infra-yaml/project-in-two-sections": "a project belongs to one section, unless both "
    "listings name each other with `also_in`",
    "infra-yaml/also-in-wrong-section": "`also_in` names a section that lists the project",
    "groups-malformed/bad-indentation": _YAML + "syntax, at its line and column",
    "groups-malformed/duplicate-key": _YAML + "a duplicate key (YAML would keep the last)",
    "groups-malformed/empty": _YAML + "an empty file",
    "groups-malformed/duplicate-member-across-roles": "an address holds one role in a group",
    "groups-malformed/duplicate-member-dots": "a Gmail address is listed once, whatever its dots",
    "groups-malformed/duplicate-member-case": "an address holds one role in a group, whatever "
    "its case (Google compares addresses case-insensitively)",
    "groups-malformed/duplicate-group-in-one-file": "a group is declared once in the tree, "
    "whatever the case of its address",
    "groups-malformed/name-mismatch": "a group's name is its address's local part "
    "(with the listed exceptions)",
    "groups-malformed/outside-the-domain": _DOMAIN + "groups are created in it",
    "groups-malformed/staging-suffix-too-long": _DOMAIN + "a staging writer group's suffix "
    "also names a project, so it has at most 18 characters",
    "groups-restrictions-malformed/catch-all-allows-nothing": "a group is declared only in a "
    "file whose first matching rule allows its address (the groups tree, other files)",
    "groups-restrictions-malformed/group-not-listed": "a group is declared only in a file "
    "whose first matching rule allows its address (the groups tree, other files)",
    "groups-restrictions-malformed/invalid-glob": "a rule's path is a valid doublestar glob",
}
