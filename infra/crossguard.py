"""How a guard rail is written: a CrossGuard policy made from a judge.

Below the concerns, so that each writes the guard rails of its own resource
types in its package; ``infra.guardrails`` collects them with the generic
ones. A judge reads every value it needs before anything is reported:
reading a value unknown at preview time raises ``UnknownValueError``
(pulumi-policy's unknown-checking proxy), and the pack then reports the
policy as not run for that resource. Reading first means such a resource
gets no verdict at all, never a half one, offline and in a preview alike.

pulumi_policy is imported when a policy is made, not with this module: the
concerns' catalog entries name their guard rails, and validation never
imports Pulumi. Never build a ``PolicyPack`` here: it starts a server.
``policy-pack/`` does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from pulumi_policy import (
        PolicyConfigSchema,
        PolicyResource,
        ReportViolation,
        ResourceValidationArgs,
        ResourceValidationPolicy,
        StackValidationArgs,
        StackValidationPolicy,
    )

Policy: TypeAlias = "ResourceValidationPolicy | StackValidationPolicy"
Violation = tuple[str, str]  # what is wrong, and the fix
Judge: TypeAlias = "Callable[[ResourceValidationArgs, Mapping[str, Any]], Iterable[Violation]]"
StackViolation = tuple[str, str, str]  # urn, what is wrong, the fix
StackJudge: TypeAlias = (
    "Callable[[Sequence[PolicyResource], Mapping[str, Any]], Iterable[StackViolation]]"
)

_IAM_GRANT = re.compile(r"iam(member|binding)$", re.IGNORECASE)


def report_text(message: str, fix: str) -> str:
    return f"{message} (fix: {fix})"


def resource_policy(
    name: str, description: str, judge: Judge, config: Mapping[str, str] | None = None
) -> ResourceValidationPolicy:
    """A mandatory policy judging one resource at a time; ``config``: its properties' types."""
    from pulumi_policy import EnforcementLevel, ResourceValidationPolicy

    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        found = list(judge(args, args.get_config()))  # every read before any report
        for message, fix in found:
            report(report_text(message, fix), None)

    return ResourceValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=_schema(config),
    )


def stack_policy(
    name: str, description: str, judge: StackJudge, config: Mapping[str, str] | None = None
) -> StackValidationPolicy:
    """A mandatory policy judging a stack's resources together."""
    from pulumi_policy import EnforcementLevel, StackValidationPolicy

    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        found = list(judge(args.resources, args.get_config()))
        for urn, message, fix in found:
            report(report_text(message, fix), urn)

    return StackValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=_schema(config),
    )


def _schema(config: Mapping[str, str] | None) -> PolicyConfigSchema | None:
    """Each property a JSON type (`array`, `object`), as the CLI checks the config file."""
    from pulumi_policy import PolicyConfigSchema

    if not config:
        return None
    return PolicyConfigSchema({key: {"type": kind} for key, kind in config.items()})


# -- reading inputs through the proxy -----------------------------------------


def text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def items(value: Any) -> list[Any]:
    """The items of a list input (reading each, so an unknown one raises)."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [value[i] for i in range(len(value))]
    return []


def members(props: Mapping[str, Any]) -> list[str]:
    """The members an IAM grant names (``member``, or ``members`` of a binding)."""
    found = [text(props.get("member"))] + [text(m) for m in items(props.get("members"))]
    return [m for m in found if m]


def is_grant(resource_type: str) -> bool:
    """Whether the type is an IAM member or binding, of any provider's resource."""
    return _IAM_GRANT.search(resource_type.rsplit(":", 1)[-1]) is not None


def stack_of(urn: str) -> str:
    """``urn:pulumi:<stack>::<project>::...`` -> the stack."""
    return urn.split("::", 1)[0].rsplit(":", maxsplit=1)[-1]
