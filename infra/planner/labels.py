"""How people see resources and values: short names, one-line values, key inputs.

A resource is ``component › Type name``: its parent component's name, the
class name of its type, and its own name without the component's prefix
(``k8s-staging-images › Repository kueue``); the full URN stays in JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from infra.core.iam import PUBLIC_MEMBERS

SEPARATOR = " › "
# What a reviewer checks on a new resource: names, places, who gets which role,
# public access. Every input stays in --json and in the Markdown details.
KEY_INPUTS = (
    "name", "projectId", "accountId", "repositoryId", "bucket", "email", "service", "url",
    "project", "location", "region", "orgId", "folderId", "billingAccount", "format",
    "role", "member", "members", "owners", "managers", "serviceAccountId", "repository",
    "uniformBucketLevelAccess", "publicAccessPrevention", "blockPublicAcls",
    "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets", "forceDestroy",
)  # fmt: skip
# Longest value shown on one line of a terminal or a summary line.
LONGEST = 160


def type_name(type_token: str) -> str:
    """``gcp:artifactregistry/repository:Repository`` -> ``Repository``."""
    return type_token.rsplit(":", 1)[-1]


def short_name(resource: Mapping[str, Any], by_urn: Mapping[str, Mapping[str, Any]]) -> str:
    """``component › Type name`` (``Type name`` at the top level)."""
    kind = type_name(str(resource["type"]))
    name = str(resource["name"])
    parent = by_urn.get(str(resource.get("parent") or ""))
    if parent is None:
        return f"{kind} {name}"
    component = str(parent["name"])
    own = name.removeprefix(component + "-") if name != component else ""
    return f"{component}{SEPARATOR}{kind} {own}".rstrip()


def component_of(resource: Mapping[str, Any], by_urn: Mapping[str, Mapping[str, Any]]) -> str:
    """The name of the top-level component holding a resource (its own name at the top)."""
    current: Mapping[str, Any] = resource
    while current.get("parent") and str(current["parent"]) in by_urn:
        current = by_urn[str(current["parent"])]
    return str(current["name"])


def show(value: Any, longest: int = LONGEST) -> str:
    """A value on one line: strings bare, sentinels in words, the rest as JSON."""
    text = _plain(value)
    if len(text) > longest:
        return f"{text[: longest - 1]}… ({len(text)} characters)"
    return text


def _plain(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if value.get("$secret"):
            return "[secret]"
        if "$unknown" in value:
            return "(known after apply)"
        if "$resource" in value:
            return f"(resource {value['$resource']})"
    return json.dumps(value, sort_keys=True, separators=(", ", ": "))


def key_inputs(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs a reviewer checks first, plus any that names a public member."""
    return {
        key: value for key, value in sorted(inputs.items()) if key in KEY_INPUTS or is_public(value)
    }


def is_public(value: Any) -> bool:
    """Whether a member, a list of members, or a value holding them names the public."""
    if isinstance(value, str):
        return value in PUBLIC_MEMBERS
    if isinstance(value, list):
        return any(is_public(item) for item in value)
    return False
