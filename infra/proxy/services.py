"""archeio on Cloud Run: one service per serving region, public, through the v2 API.

Sizing and probe are upstream's (kubernetes/k8s.io
infra/gcp/terraform/modules/oci-proxy/main.tf at
3ca41f506262aed659a3a76877db17f1232618ba), the same in every region and stack.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.components.projects import waits_for
from infra.proxy import naming
from infra.proxy.model import ProxyRegion, ProxySpec

TYPE = "k8s-infra:proxy:ArcheioServices"
INVOKER_ROLE = "roles/run.invoker"
EVERYONE = "allUsers"

CPU_MILLIS = 1000  # one CPU
MEMORY = "512Mi"  # the least the second generation runs with
# About 1,000 redirects a second fit on one CPU; 800 leaves headroom before
# Cloud Run starts another instance.
CONCURRENCY = 800
TIMEOUT = "60s"  # archeio only answers redirects: a long time for one
MAX_INSTANCES = 10  # per region: a cost cap
PORT = 8080  # archeio listens on $PORT, which Cloud Run sets to this
# archeio starts in well under a second; one TCP connect within four minutes
# is all the startup check asks.
PROBE_PERIOD_SECONDS = 240
PROBE_TIMEOUT_SECONDS = 240
PROBE_FAILURE_THRESHOLD = 1


def archeio_environment(spec: ProxySpec, region: ProxyRegion) -> dict[str, str]:
    """What archeio reads from its environment in ``region`` (cmd/archeio/main.go)."""
    env = {
        "DEFAULT_AWS_BASE_URL": region.default_aws_base_url,
        "UPSTREAM_REGISTRY_ENDPOINT": region.upstream_endpoint,
        "UPSTREAM_REGISTRY_PATH": spec.upstream_path,
        # Go would size its scheduler to the host's cores, not the CPU limit.
        "GOMAXPROCS": str(CPU_MILLIS // 1000),
    }
    if spec.signature_upstream:
        env["SIGNATURE_UPSTREAM_ENDPOINT"] = spec.signature_upstream
    return env


@dataclass(frozen=True)
class ArcheioServicesArgs:
    spec: ProxySpec
    service_account: pulumi.Input[str]  # the runtime account's e-mail
    apis: Mapping[str, gcp.projects.Service]


class ArcheioServices(pulumi.ComponentResource):
    """``services`` and ``invokers`` by region."""

    def __init__(
        self, name: str, args: ArcheioServicesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        spec = args.spec
        after_api = pulumi.ResourceOptions(parent=self, depends_on=waits_for(args.apis, "run"))
        self.services = {
            region.region: gcp.cloudrunv2.Service(
                f"{name}-{region.region}",
                project=spec.project,
                location=region.region,
                name=naming.service_name(spec.project, region.region),
                deletion_protection=spec.deletion_protection,
                template=_template(spec, region, args.service_account),
                traffics=[
                    gcp.cloudrunv2.ServiceTrafficArgs(
                        type="TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", percent=100
                    )
                ],
                opts=after_api,
            )
            for region in spec.regions
        }
        # Anyone may pull: the service answers unauthenticated requests.
        self.invokers = {
            region: gcp.cloudrunv2.ServiceIamMember(
                f"{name}-{region}-invoker",
                project=spec.project,
                location=region,
                name=service.name,
                role=INVOKER_ROLE,
                member=EVERYONE,
                opts=pulumi.ResourceOptions(parent=self),
            )
            for region, service in self.services.items()
        }
        self.register_outputs({"services": {region: s.name for region, s in self.services.items()}})


def _template(
    spec: ProxySpec, region: ProxyRegion, service_account: pulumi.Input[str]
) -> gcp.cloudrunv2.ServiceTemplateArgs:
    container = gcp.cloudrunv2.ServiceTemplateContainerArgs(
        image=spec.image.reference,
        args=[f"-v={spec.verbosity}"],
        envs=[
            gcp.cloudrunv2.ServiceTemplateContainerEnvArgs(name=key, value=value)
            for key, value in archeio_environment(spec, region).items()
        ],
        resources=gcp.cloudrunv2.ServiceTemplateContainerResourcesArgs(
            limits={"cpu": f"{CPU_MILLIS}m", "memory": MEMORY}
        ),
        startup_probe=gcp.cloudrunv2.ServiceTemplateContainerStartupProbeArgs(
            tcp_socket=gcp.cloudrunv2.ServiceTemplateContainerStartupProbeTcpSocketArgs(port=PORT),
            initial_delay_seconds=0,
            period_seconds=PROBE_PERIOD_SECONDS,
            timeout_seconds=PROBE_TIMEOUT_SECONDS,
            failure_threshold=PROBE_FAILURE_THRESHOLD,
        ),
    )
    return gcp.cloudrunv2.ServiceTemplateArgs(
        service_account=service_account,
        containers=[container],
        max_instance_request_concurrency=CONCURRENCY,
        timeout=TIMEOUT,
        scaling=gcp.cloudrunv2.ServiceTemplateScalingArgs(max_instance_count=MAX_INSTANCES),
    )
