"""The proxy's TLS certificate through Certificate Manager, provisioned ahead of traffic.

The DNS authorization's record is published first; the certificate turns
active through it before the domain's A and AAAA records move to the load
balancer, so a cut-over never serves a missing certificate. Every piece is
protected: replacing the authorization changes the record DNS must hold,
replacing the certificate or its map drops HTTPS until a new one is issued.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.proxy import naming
from infra.proxy.model import ProxySpec

TYPE = "k8s-infra:proxy:ProxyCertificate"


def manager_id(
    project: pulumi.Input[str], collection: str, name: pulumi.Input[str]
) -> pulumi.Output[str]:
    """``projects/<p>/locations/global/<collection>/<name>``, how Certificate Manager
    resources name each other; built from the name, so it waits for the resource."""
    return pulumi.Output.concat("projects/", project, f"/locations/global/{collection}/", name)


@dataclass(frozen=True)
class ProxyCertificateArgs:
    spec: ProxySpec


class ProxyCertificate(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: ProxyCertificateArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        spec = args.spec
        kept = pulumi.ResourceOptions(parent=self, protect=True)
        self.dns_authorization = gcp.certificatemanager.DnsAuthorization(
            f"{name}-dns-authorization",
            project=spec.project,
            name=naming.dns_authorization_name(spec.domain),
            description="The default dns auth",
            domain=spec.domain,
            opts=kept,
        )
        self.certificate = gcp.certificatemanager.Certificate(
            f"{name}-certificate",
            project=spec.project,
            name=spec.live_names.certificate,
            managed=gcp.certificatemanager.CertificateManagedArgs(
                domains=[spec.domain],
                dns_authorizations=[
                    manager_id(spec.project, "dnsAuthorizations", self.dns_authorization.name)
                ],
            ),
            opts=kept,
        )
        self.map = gcp.certificatemanager.CertificateMap(
            f"{name}-map", project=spec.project, name=naming.certificate_map_name(spec.domain),
            opts=kept,
        )  # fmt: skip
        self.map_entry = gcp.certificatemanager.CertificateMapEntry(
            f"{name}-map-entry",
            project=spec.project,
            name=naming.certificate_map_entry_name(spec.domain),
            map=self.map.name,
            certificates=[manager_id(spec.project, "certificates", self.certificate.name)],
            matcher="PRIMARY",
            opts=kept,
        )
        self.map_id = manager_id(spec.project, "certificateMaps", self.map.name)
        self.register_outputs(
            {
                "dnsAuthorizationRecords": self.dns_authorization.dns_resource_records,
                "certificate": self.certificate.name,
                "map": self.map_id,
            }
        )
