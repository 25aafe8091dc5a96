"""Which changes the providers carry out as delete-and-create.

Each concern declares, for the types it creates, the properties that force
a replacement and the provider files they were read from
(``ResourceFacts.replacement``); this module collects them through the
catalog.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from infra import catalog
from infra.declarations.resources import Replacement

# A resource moved to another explicit provider is replaced by the engine itself.
PROVIDER_OPTION = "option:provider"
_MISSING = object()


def rules() -> Mapping[str, Replacement]:
    """Type token -> its replacement rule, from the concerns in the catalog."""
    return {
        token: facts.replacement
        for token, facts in catalog.resource_facts().items()
        if facts.replacement is not None
    }


def is_covered(type_token: str) -> bool:
    return type_token in rules()


def forcing(
    type_token: str, before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[str] | None:
    """The properties whose change makes the provider replace the resource.

    None when no concern declares the type (then nobody can tell; the change
    is shown as an update and marked unchecked).
    """
    rule = rules().get(type_token)
    if rule is None:
        return None
    return [path for path in rule.replace if _at(before, path) != _at(after, path)]


def _at(inputs: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path, or a marker when any step is missing."""
    value: Any = inputs
    for step in path.split("."):
        if not isinstance(value, Mapping) or step not in value:
            return _MISSING
        value = value[step]
    return value
