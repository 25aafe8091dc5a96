"""The guard rails of the registry proxy: what the generic ones need, and its own.

The public invokes the proxy; its addresses and certificate cannot be made
again with the same values, so they must be protected. Its own rails: every
Cloud Run service runs an image pinned to a digest, and is served only
through a backend service holding the stack's Cloud Armor policy.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from infra.crossguard import (
    Policy,
    StackViolation,
    Violation,
    items,
    resource_policy,
    stack_policy,
    text,
)
from infra.declarations.guardrails import GuardRails, PolicyFacts
from infra.proxy.declarations import ProxyDeclarations
from infra.proxy.model import COMPONENT

if TYPE_CHECKING:
    from pulumi_policy import PolicyResource, ResourceValidationArgs

    from infra.declarations.loaded import Declarations

CLOUD_RUN = "gcp:cloudrunv2/service:Service"
NEG = "gcp:compute/regionNetworkEndpointGroup:RegionNetworkEndpointGroup"
BACKEND = "gcp:compute/backendService:BackendService"
ARMOR = "gcp:compute/securityPolicy:SecurityPolicy"
ADDRESS = "gcp:compute/globalAddress:GlobalAddress"
CERTIFICATE = "gcp:certificatemanager/certificate:Certificate"
INVOKER = ("gcp:cloudrunv2/serviceIamMember:ServiceIamMember", "roles/run.invoker")

PINNED_IMAGE = "proxy-image-pinned"
BEHIND_ARMOR = "proxy-behind-armor"
_DIGEST = re.compile(r"@sha256:[0-9a-f]{64}")


def _pinned_image(args: ResourceValidationArgs, _config: Mapping[str, Any]) -> Iterator[Violation]:
    if args.resource_type != CLOUD_RUN:
        return
    template = args.props.get("template")
    containers = items(template.get("containers")) if isinstance(template, Mapping) else []
    images = [text(c.get("image")) or "" for c in containers if isinstance(c, Mapping)]
    for image in images or [""]:
        if not _DIGEST.search(image):
            yield (f"runs `{image}`, not pinned to a digest: a pushed tag would change "
                   "what serves", "write `image: <repository>@sha256:<digest>` in the stack "
                   "config (python -m infra.proxy.pin)")  # fmt: skip


def _behind_armor(
    resources: Sequence[PolicyResource], _config: Mapping[str, Any]
) -> Iterator[StackViolation]:
    services = [(r.urn, text(r.props.get("name")), text(r.props.get("location")))
                for r in resources if r.resource_type == CLOUD_RUN]  # fmt: skip
    if not services:
        return
    endpoint_groups = []
    for r in resources:
        if r.resource_type == NEG:
            cloud_run = r.props.get("cloudRun")
            target = text(cloud_run.get("service")) if isinstance(cloud_run, Mapping) else None
            where = (text(r.props.get("region")), text(r.props.get("name")))
            endpoint_groups.append((target, *where))
    armors = {text(r.props.get("name")) for r in resources if r.resource_type == ARMOR}
    armored: list[str] = []  # backend groups of backend services that use a managed policy
    for r in resources:
        if r.resource_type != BACKEND:
            continue
        policy = text(r.props.get("securityPolicy")) or ""
        groups = [text(b.get("group")) or "" for b in items(r.props.get("backends"))
                  if isinstance(b, Mapping)]  # fmt: skip
        if policy.rsplit("/", 1)[-1] in armors:
            armored += groups
    for urn, name, location in services:
        fronted = any(
            target == name
            and region == location
            and any(g.endswith(f"/regions/{region}/networkEndpointGroups/{neg}") for g in armored)
            for target, region, neg in endpoint_groups
        )
        if not fronted:
            yield (urn, f"Cloud Run service {name} is not behind the Cloud Armor policy",
                   "serve it through the load balancer's backend service, whose "
                   "security_policy names the stack's Cloud Armor policy")  # fmt: skip


def policies() -> Sequence[Policy]:
    return (
        resource_policy(
            PINNED_IMAGE,
            "every Cloud Run service runs an image pinned to a digest",
            _pinned_image,
        ),
        stack_policy(
            BEHIND_ARMOR,
            "every Cloud Run service is served through a backend service with the Cloud Armor "
            "policy",
            _behind_armor,
        ),
    )


def facts(declarations: Declarations) -> PolicyFacts:
    """Each stack's proxy project: the program creates archeio's account there."""
    checked = declarations.model(COMPONENT, ProxyDeclarations)
    proxies = checked.proxies.values() if checked is not None else ()
    return PolicyFacts(projects=frozenset(spec.project for spec in proxies))


GUARDRAILS = GuardRails(
    policies=policies,
    facts=facts,
    public_reads=frozenset({INVOKER}),
    production=frozenset({ADDRESS, CERTIFICATE}),
)
