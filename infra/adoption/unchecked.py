"""Planned values that must equal the live ones and that no offline check can confirm.

Display names, descriptions, labels and the certificate's dated name (one
of the ``live_inputs`` its concern declares) come from stack config and
declarations, copied from the live estate; the Cloud Build accounts the
staging special cases name carry project numbers written by hand. On an
imported resource the import preview compares each with the live value and
stops on a difference; on a created IAM member nothing does, so a wrong
number grants a stranger's account (or fails): those are the ones a person
checks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from infra import catalog
from infra.adoption.ids import Step

# Inputs of imported resources that follow from no declaration's pattern (and, per
# type, the ``live_inputs`` its concern declares).
LIVE_KEYS = ("displayName", "description", "labels", "userLabels")
CLOUDBUILD_DOMAIN = "@cloudbuild.gserviceaccount.com"


@dataclass(frozen=True)
class Unchecked:
    urn: str
    name: str
    key: str
    value: Any
    compared: bool  # the import preview compares it with the live value

    def line(self) -> str:
        how = "compared by the import preview" if self.compared else "NOT compared: check by hand"
        return f"{self.name} {self.key} = {_short(self.value)} ({how})"


def unchecked_values(
    resources: Sequence[Mapping[str, Any]], steps: Sequence[Step]
) -> list[Unchecked]:
    by_urn = {r["urn"]: r for r in resources}
    known = catalog.resource_facts()
    found: list[Unchecked] = []
    for step in steps:
        inputs = by_urn[step.urn].get("inputs") or {}
        imported = step.action == "import"
        if imported:
            found.extend(
                Unchecked(step.urn, step.name, key, inputs[key], True)
                for key in LIVE_KEYS
                if inputs.get(key) not in (None, "", {}, [])
            )
            facts = known.get(step.type)
            found.extend(
                Unchecked(step.urn, step.name, key, inputs.get(key), True)
                for key in (facts.live_inputs if facts is not None else ())
            )
        for key in ("member", "members"):
            members = inputs.get(key)
            listed = members if isinstance(members, list) else [members]
            numbered = [m for m in listed if isinstance(m, str) and CLOUDBUILD_DOMAIN in m]
            if numbered:
                value = numbered if isinstance(members, list) else numbered[0]
                found.append(Unchecked(step.urn, step.name, key, value, imported))
    return found


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
