"""A mock monitor that records every registration with its inputs and options.

``Mocks.new_resource`` sees neither parents nor options; the monitor sees the
whole ``RegisterResourceRequest``, so the plan is built from it. URNs follow
the engine's rule (the full parent type chain, the root stack left out),
not the mock monitor's shortened one, so plans match real state files.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi.runtime import mocks, rpc, settings

from infra.declarations.resources import PlanContext
from infra.planner.placeholders import resource_state, unknown_source

STACK_TYPE = "pulumi:pulumi:Stack"
_SIG = rpc._special_sig_key
_SECRET_SIG = rpc._special_secret_sig
_RESOURCE_SIG = rpc._special_resource_sig
_DYNAMIC_PROVIDER_INPUT = "__provider"


class DuplicateResource(Exception):
    """Two registrations with one URN: the real engine fails the update on it."""


class PlanMocks(mocks.Mocks):
    """Every input comes back as an output, plus placeholders for computed ones."""

    def __init__(self, context: PlanContext) -> None:
        self.context = context

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if not args.custom or args.typ.startswith("pulumi:providers:"):
            return f"{args.name}-id", dict(args.inputs)
        state = resource_state(args.typ, args.name, args.inputs, self.context)
        return state.get("id") or f"{args.name}-id", state

    def call(self, args: mocks.MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None


@dataclass
class Record:
    urn: str
    type: str
    name: str
    custom: bool
    mode: str
    parent: str | None
    provider: str | None
    protect: bool | None
    retain_on_delete: bool | None
    depends_on: list[str]
    inputs: dict[str, Any]
    _effective: dict[str, bool] = field(default_factory=dict)


class RecordingMonitor(mocks.MockMonitor):
    def __init__(
        self, plan_mocks: PlanMocks, on_record: Callable[[int], None] | None = None
    ) -> None:
        super().__init__(plan_mocks)
        self.records: dict[str, Record] = {}
        self.stack_urn: str | None = None
        self.on_record = on_record  # told the count after each registration

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        qualified = type_
        if parent:
            parent_type = parent.split("::")[2]
            if parent_type != STACK_TYPE:
                qualified = f"{parent_type}${type_}"
        stack, project = settings.get_stack(), settings.get_project()
        return f"urn:pulumi:{stack}::{project}::{qualified}::{name}"

    def RegisterResource(self, request: Any) -> Any:
        urn = self.make_urn(request.parent, request.type, request.name)
        if urn in self.records:
            # The engine refuses this; a plan that silently kept one of the two would lie.
            raise DuplicateResource(f"two resources have the URN {urn}")
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type == STACK_TYPE:
            self.stack_urn = response.urn
            return response
        implied = set()
        for deps in request.propertyDependencies.values():
            implied.update(deps.urns)
        self.records[response.urn] = Record(
            urn=response.urn,
            type=request.type,
            name=request.name,
            custom=bool(request.custom),
            mode="managed",
            parent=request.parent or None,
            provider=_provider_urn(request.provider),
            protect=request.protect if request.HasField("protect") else None,
            retain_on_delete=(
                request.retainOnDelete if request.HasField("retainOnDelete") else None
            ),
            depends_on=sorted(set(request.dependencies) - implied),
            inputs=_plain_inputs(request.object),
        )
        if self.on_record is not None:
            self.on_record(len(self.records))
        return response

    def ReadResource(self, request: Any) -> Any:
        response = super().ReadResource(request)  # type: ignore[no-untyped-call]
        self.records[response.urn] = Record(
            urn=response.urn,
            type=request.type,
            name=request.name,
            custom=True,
            mode="read",
            parent=request.parent or None,
            provider=_provider_urn(request.provider),
            protect=None,
            retain_on_delete=None,
            depends_on=sorted(set(request.dependencies)),
            inputs=_plain_inputs(request.properties),
        )
        return response

    def plan_resources(self) -> list[dict[str, Any]]:
        """The recorded resources in the plan's JSON shape, sorted by URN."""
        return [self._as_json(self.records[urn]) for urn in sorted(self.records)]

    def _effective(self, urn: str | None, option: str) -> bool:
        record = self.records.get(urn) if urn else None
        if record is None:
            return False
        value: bool | None = getattr(record, option)
        if value is None:
            value = self._effective(record.parent, option)
        return value

    def _as_json(self, record: Record) -> dict[str, Any]:
        parent = record.parent if record.parent != self.stack_urn else None
        return {
            "urn": record.urn,
            "type": record.type,
            "name": record.name,
            "custom": record.custom,
            "mode": record.mode,
            "parent": parent,
            "provider": record.provider,
            "protect": self._effective(record.urn, "protect"),
            "retain_on_delete": self._effective(record.urn, "retain_on_delete"),
            "depends_on": record.depends_on,
            "inputs": record.inputs,
        }


def _provider_urn(reference: str) -> str | None:
    """``<urn>::<id>`` -> ``<urn>``; empty means the default provider."""
    return reference.rsplit("::", 1)[0] if reference else None


def _plain_inputs(struct: struct_pb2.Struct) -> dict[str, Any]:
    raw = json_format.MessageToDict(struct)
    raw.pop(_DYNAMIC_PROVIDER_INPUT, None)
    return {key: plain_value(value) for key, value in raw.items()}


def plain_value(value: Any) -> Any:
    """Protobuf-decoded values as stable JSON: sentinels for secrets and unknowns."""
    if isinstance(value, dict):
        return _plain_mapping(value)
    if isinstance(value, list):
        return [plain_value(item) for item in value]
    if isinstance(value, str):
        source = "?" if value == rpc.UNKNOWN else unknown_source(value)
        return {"$unknown": source} if source else value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


def _plain_mapping(value: dict[str, Any]) -> Any:
    signature = value.get(_SIG)
    if signature == _SECRET_SIG:
        return {"$secret": True}
    if signature == _RESOURCE_SIG:
        return {"$resource": value.get("urn")}
    return {key: plain_value(item) for key, item in value.items()}


def plain_outputs(values: Mapping[str, Any], secrets: Iterable[str]) -> dict[str, Any]:
    secret = set(secrets)
    return {
        key: ({"$secret": True} if key in secret else plain_value(value))
        for key, value in sorted(values.items())
    }
