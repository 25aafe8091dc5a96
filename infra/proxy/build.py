"""Instantiates the registry proxy of a stack and exports what DNS operators publish."""

from __future__ import annotations

import pulumi

from infra.core.errors import ProblemsFound
from infra.core.problems import Position, Problems
from infra.declarations.loaded import Declarations
from infra.declarations.stacks import StackSettings
from infra.proxy.armor import ARMOR_FILE
from infra.proxy.component import RegistryProxy, RegistryProxyArgs
from infra.proxy.declarations import ProxyDeclarations
from infra.proxy.model import COMPONENT, load_proxy


def build_registry_proxy(settings: StackSettings, declarations: Declarations) -> None:
    problems = Problems()
    data = declarations.model(COMPONENT, ProxyDeclarations)
    if data is None:
        problems.error(
            Position(ARMOR_FILE),
            "the proxy's data files were not loaded",
            "run `k8s-infra validate`",
        )
        raise ProblemsFound(problems.sorted())
    # The config the engine hands over is what counts, not the file on disk.
    spec = load_proxy(settings, data.mirrors, data.edge.armor, problems)
    if spec is None:  # its problems are in `problems`
        raise ProblemsFound(problems.sorted())

    proxy = RegistryProxy(COMPONENT, RegistryProxyArgs(spec))
    # What the DNS operator publishes, in this order: the authorization
    # record, then (once the certificate is active) the A and AAAA records.
    pulumi.export(
        "dnsAuthorizationRecords", proxy.certificate.dns_authorization.dns_resource_records
    )
    pulumi.export("ipv4Address", proxy.load_balancer.addresses[4].address)
    pulumi.export("ipv6Address", proxy.load_balancer.addresses[6].address)
    if proxy.log_sinks.pii_sink is not None:
        # Granted write access on the dataset by its own project's owners.
        pulumi.export("piiLogSinkWriterIdentity", proxy.log_sinks.pii_sink.writer_identity)
