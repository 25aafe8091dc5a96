"""``RegistryProxy``: one stack's whole proxy, from its checked model."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from infra.proxy.certificate import ProxyCertificate, ProxyCertificateArgs
from infra.proxy.load_balancer import ProxyLoadBalancer, ProxyLoadBalancerArgs
from infra.proxy.log_sinks import ProxyLogSinks, ProxyLogSinksArgs
from infra.proxy.model import ProxySpec
from infra.proxy.monitoring import ProxyMonitoring, ProxyMonitoringArgs
from infra.proxy.project import ProxyProject, ProxyProjectArgs
from infra.proxy.services import ArcheioServices, ArcheioServicesArgs

TYPE = "k8s-infra:proxy:RegistryProxy"


@dataclass(frozen=True)
class RegistryProxyArgs:
    spec: ProxySpec


class RegistryProxy(pulumi.ComponentResource):
    """The project's setup, archeio per region, the load balancer and its
    certificate, monitoring and log exports."""

    def __init__(
        self, name: str, args: RegistryProxyArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        spec = args.spec
        child = pulumi.ResourceOptions(parent=self)
        self.project = ProxyProject(f"{name}-project", ProxyProjectArgs(spec), child)
        self.archeio = ArcheioServices(
            f"{name}-archeio",
            ArcheioServicesArgs(spec, self.project.runtime_account.email, self.project.services),
            child,
        )
        self.certificate = ProxyCertificate(
            f"{name}-certificate", ProxyCertificateArgs(spec), child
        )
        self.load_balancer = ProxyLoadBalancer(
            f"{name}-lb",
            ProxyLoadBalancerArgs(spec, self.archeio.services, self.certificate.map_id),
            child,
        )
        self.monitoring = ProxyMonitoring(f"{name}-monitoring", ProxyMonitoringArgs(spec), child)
        self.log_sinks = ProxyLogSinks(f"{name}-logs", ProxyLogSinksArgs(spec), child)
        self.register_outputs(
            {
                "ipv4Address": self.load_balancer.addresses[4].address,
                "ipv6Address": self.load_balancer.addresses[6].address,
                "dnsAuthorizationRecords": self.certificate.dns_authorization.dns_resource_records,
            }
        )
