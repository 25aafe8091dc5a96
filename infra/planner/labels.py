"""How people name resources: short names and the components that hold them.

A resource is ``component › Type name``: its parent component's name, the
class name of its type, and its own name without the component's prefix
(``k8s-staging-images › Repository kueue``); the full URN stays in JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SEPARATOR = " › "


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
