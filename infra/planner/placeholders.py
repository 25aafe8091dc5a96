"""Placeholder values for computed outputs, as the concerns declare them.

Under mocks nothing computes a project's number or a service account's
email, and the SDK silently drops an input built from an output the mock
did not return. So the mocks return, for every declared output property of
a resource: its input when one was given, else the placeholder its concern
declares (``ResourceFacts.placeholders``), else a sentinel that the recorder
turns into ``{"$unknown": "<type>.<property>"}``.
Placeholders are deterministic (derived from the resource's inputs), so a
plan is byte-stable from run to run.
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from infra import catalog
from infra.declarations.resources import Placeholder, PlanContext

_SENTINEL = re.compile(r"\$unknown\(([^()]+)\)")
Inputs = Mapping[str, Any]


def placeholders(type_token: str) -> Mapping[str, Placeholder]:
    """Output property -> placeholder, as the concern creating the type declares them."""
    facts = catalog.resource_facts().get(type_token)
    return facts.placeholders if facts is not None else {}


def sentinel(type_token: str, prop: str) -> str:
    return f"$unknown({type_token}.{prop})"


def unknown_source(text: str) -> str | None:
    """``<type>.<property>`` when ``text`` was built from an unknown output."""
    found = _SENTINEL.search(text)
    return found.group(1) if found else None


@cache
def output_properties(type_token: str) -> tuple[str, ...]:
    """Engine names of every output a provider resource class declares (empty if unknown)."""
    package, _, rest = type_token.partition(":")
    module_path, _, class_name = rest.partition(":")
    python_package = {"gcp": "pulumi_gcp", "aws": "pulumi_aws"}.get(package)
    if python_package is None or not class_name:
        return ()
    try:
        module = importlib.import_module(f"{python_package}.{module_path.split('/')[0]}")
    except ImportError:
        return ()
    cls = getattr(module, class_name, None)
    if cls is None:
        return ()
    return tuple(
        sorted(
            name
            for _attr, member in inspect.getmembers(cls)
            if isinstance(member, property) and (name := getattr(member.fget, "_pulumi_name", None))
        )
    )


def resource_state(
    type_token: str, name: str, inputs: Inputs, context: PlanContext
) -> dict[str, Any]:
    """Inputs as outputs, plus placeholders, plus sentinels for anything else computed."""
    state = dict(inputs)
    for prop, make in placeholders(type_token).items():
        state.setdefault(prop, make(inputs, name, context))
    for prop in output_properties(type_token):
        state.setdefault(prop, sentinel(type_token, prop))
    return state
