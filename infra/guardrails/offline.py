"""The guard rails over an offline plan: the pack's own calls, without its server.

Each resource of the planner's inventory becomes the arguments the policy
analyzer would build in ``pulumi preview`` (inputs behind pulumi-policy's
unknown-checking proxy, options, provider), and each policy's ``validate``
runs on them as the pack runs it. A value the plan cannot know (``$unknown``,
and a secret, whose value a plan never holds) is the preview's unknown: the
policy is then "not evaluated: unknown" for that resource, never passed or
failed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from infra.crossguard import Policy
from infra.guardrails.checks import policies as every_policy


@dataclass(frozen=True)
class Verdict:
    """One policy's finding on one resource: a violation, or "not evaluated: unknown"."""

    stack: str
    urn: str
    name: str
    policy: str
    message: str
    unknown: bool = False

    def line(self) -> str:
        """``<stack>: <resource>: [policy] message (fix: ...)``."""
        if self.unknown:
            return (
                f"{self.stack}: {self.name}: [{self.policy}] not evaluated: unknown: {self.message}"
            )
        return f"{self.stack}: {self.name}: [{self.policy}] {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "urn": self.urn,
            "name": self.name,
            "policy": self.policy,
            "message": self.message,
            "unknown": self.unknown,
        }


def check_plan(
    plan: Mapping[str, Any],
    config: Mapping[str, Mapping[str, Any]],
    policies: Sequence[Policy] | None = None,
) -> list[Verdict]:
    """Every verdict of ``policies`` (every guard rail, unless given) on one stack's plan
    (``plan STACK --json``)."""
    if policies is None:
        policies = every_policy()
    stack = str(plan["stack"])
    resources = list(plan["resources"])
    by_urn = {r["urn"]: r for r in resources}
    found: list[Verdict] = []
    for policy in policies:
        settings = dict(config.get(policy.name) or {})
        if isinstance(policy, ResourceValidationPolicy):
            for resource in resources:
                one = resource_args(resource, by_urn, settings)
                found += _run(policy, one, stack, {resource["urn"]: resource["name"]}, resource)
        else:
            every = stack_args(resources, settings)
            found += _run(policy, every, stack, {r["urn"]: r["name"] for r in resources}, None)
    return found


def _run(
    policy: Policy,
    args: Any,
    stack: str,
    names: Mapping[str, str],
    resource: Mapping[str, Any] | None,
) -> list[Verdict]:
    reported: list[tuple[str, str | None]] = []

    def report(message: str, urn: str | None = None) -> None:
        reported.append((message, urn))

    try:
        policy.validate(args, report)
    except UnknownValueError as unknown:
        if resource is None:  # a stack policy: no verdict for the whole stack
            return [Verdict(stack, "", "(stack)", policy.name, unknown.message, unknown=True)]
        return [Verdict(stack, resource["urn"], resource["name"], policy.name, unknown.message,
                        unknown=True)]  # fmt: skip
    verdicts = []
    for message, urn in reported:
        target = urn or (resource["urn"] if resource else "")
        verdicts.append(Verdict(stack, target, names.get(target, target), policy.name, message))
    return verdicts


def resource_args(
    resource: Mapping[str, Any], by_urn: Mapping[str, Mapping[str, Any]], config: Mapping[str, Any]
) -> ResourceValidationArgs:
    """What the analyzer hands a resource policy in a preview."""
    return ResourceValidationArgs(
        resource["type"],
        unknown_checking_proxy(as_engine_values(resource["inputs"])),
        resource["urn"],
        resource["name"],
        _options(resource),
        _provider(resource.get("provider"), by_urn),
        config,
    )


def stack_args(
    resources: Sequence[Mapping[str, Any]], config: Mapping[str, Any]
) -> StackValidationArgs:
    """What the analyzer hands a stack policy: every resource, parents and dependencies wired."""
    built = {
        r["urn"]: PolicyResource(
            r["type"],
            unknown_checking_proxy(as_engine_values(r["inputs"])),
            r["urn"],
            r["name"],
            _options(r),
            None,
            None,
            [],
            {},
        )
        for r in resources
    }
    for r in resources:
        policy_resource = built[r["urn"]]
        policy_resource.parent = built.get(r.get("parent") or "")
        policy_resource.dependencies = [built[u] for u in r.get("depends_on", ()) if u in built]
    return StackValidationArgs(list(built.values()), config)


def _options(resource: Mapping[str, Any]) -> PolicyResourceOptions:
    # The analyzer sees protect but not retain_on_delete: neither does a policy here.
    return PolicyResourceOptions(
        bool(resource.get("protect")), [], None, [], PolicyCustomTimeouts(0, 0, 0), [],
        resource.get("parent"),
    )  # fmt: skip


def _provider(
    urn: str | None, by_urn: Mapping[str, Mapping[str, Any]]
) -> PolicyProviderResource | None:
    provider = by_urn.get(urn or "")
    if provider is None:
        return None
    props = unknown_checking_proxy(as_engine_values(provider["inputs"]))
    return PolicyProviderResource(provider["type"], props, provider["urn"], provider["name"])


def as_engine_values(value: Any) -> Any:
    """Plan JSON -> the values a preview gives policies: ``$unknown`` and ``$secret`` unknown."""
    if isinstance(value, dict):
        if set(value) in ({"$unknown"}, {"$secret"}):
            return UNKNOWN_STRING_VALUE
        return {key: as_engine_values(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_engine_values(item) for item in value]
    return value
