"""The global external Application Load Balancer in front of every region's archeio.

One serverless endpoint group per region, one backend service holding them
all (``EXTERNAL_MANAGED``: the Envoy-based load balancer, whose
X-Forwarded-For shape archeio reads client addresses from), Cloud Armor on
the backend, an HTTPS listener with the certificate map and an HTTP one that
only redirects, on a protected IPv4 and IPv6 address each. Names and
settings follow upstream's network.tf (kubernetes/k8s.io
infra/gcp/terraform/modules/oci-proxy/network.tf at
d849ba309085a0c6dd0e05142711660188880aeb).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.proxy import naming
from infra.proxy.armor import ArmorPolicy
from infra.proxy.model import ProxySpec

TYPE = "k8s-infra:proxy:ProxyLoadBalancer"
SCHEME = "EXTERNAL_MANAGED"
LISTENERS = (("http", "80"), ("https", "443"))


@dataclass(frozen=True)
class ProxyLoadBalancerArgs:
    spec: ProxySpec
    services: Mapping[str, gcp.cloudrunv2.Service]  # by region
    certificate_map_id: pulumi.Input[str]


class ProxyLoadBalancer(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: ProxyLoadBalancerArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        spec = args.spec
        project = spec.project
        child = pulumi.ResourceOptions(parent=self)
        self.endpoint_groups = {
            region: gcp.compute.RegionNetworkEndpointGroup(
                f"{name}-{region}",
                project=project,
                name=naming.endpoint_group_name(project, region),
                region=region,
                network_endpoint_type="SERVERLESS",
                cloud_run=gcp.compute.RegionNetworkEndpointGroupCloudRunArgs(service=service.name),
                opts=child,
            )
            for region, service in args.services.items()
        }
        self.security_policy = _security_policy(f"{name}-armor", spec, self)
        # No health check: serverless endpoint groups take none.
        self.backend = gcp.compute.BackendService(
            f"{name}-backend",
            project=project,
            name=naming.load_balancer_name(project, "default-bes"),
            load_balancing_scheme=SCHEME,
            enable_cdn=False,
            security_policy=self.security_policy.self_link,
            log_config=gcp.compute.BackendServiceLogConfigArgs(enable=True, sample_rate=1.0),
            backends=[
                gcp.compute.BackendServiceBackendArgs(group=group.self_link)
                for group in self.endpoint_groups.values()
            ],
            opts=child,
        )
        self.https_url_map = gcp.compute.URLMap(
            f"{name}-https-url-map",
            project=project,
            name=naming.load_balancer_name(project, "default-url-map"),
            default_service=self.backend.self_link,
            opts=child,
        )
        self.http_url_map = gcp.compute.URLMap(
            f"{name}-http-url-map",
            project=project,
            name=naming.load_balancer_name(project, "http-to-https-redirect"),
            default_url_redirect=gcp.compute.URLMapDefaultUrlRedirectArgs(
                https_redirect=True,
                redirect_response_code="MOVED_PERMANENTLY_DEFAULT",
                strip_query=False,
            ),
            opts=child,
        )
        self.https_proxy = gcp.compute.TargetHttpsProxy(
            f"{name}-https-proxy",
            project=project,
            name=naming.load_balancer_name(project, "default-https-proxy"),
            url_map=self.https_url_map.self_link,
            certificate_map=pulumi.Output.concat(
                "//certificatemanager.googleapis.com/", args.certificate_map_id
            ),
            opts=child,
        )
        self.http_proxy = gcp.compute.TargetHttpProxy(
            f"{name}-http-proxy",
            project=project,
            name=naming.load_balancer_name(project, "http-default"),
            url_map=self.http_url_map.self_link,
            opts=child,
        )
        # The addresses DNS points at: replacing one takes the domain down
        # until DNS follows, so both are protected.
        kept = pulumi.ResourceOptions(parent=self, protect=True)
        self.addresses = {
            version: gcp.compute.GlobalAddress(
                f"{name}-ipv{version}",
                project=project,
                name=address,
                address_type="EXTERNAL",
                ip_version=f"IPV{version}",
                opts=kept,
            )
            for version, address in (
                (4, spec.live_names.ipv4_address),
                (6, spec.live_names.ipv6_address),
            )
        }
        targets = {"http": self.http_proxy.self_link, "https": self.https_proxy.self_link}
        self.forwarding_rules = {
            (version, scheme): gcp.compute.GlobalForwardingRule(
                f"{name}-ipv{version}-{scheme}",
                project=project,
                name=naming.forwarding_rule_name(project, version, scheme),
                target=targets[scheme],
                ip_address=address.address,
                port_range=port,
                load_balancing_scheme=SCHEME,
                opts=child,
            )
            for version, address in self.addresses.items()
            for scheme, port in LISTENERS
        }
        self.register_outputs(
            {
                "ipv4Address": self.addresses[4].address,
                "ipv6Address": self.addresses[6].address,
                "backend": self.backend.name,
            }
        )


def _security_policy(
    name: str, spec: ProxySpec, parent: pulumi.Resource
) -> gcp.compute.SecurityPolicy:
    """The path allow-list (404) first, then the per-address throttle (429) for the rest."""
    armor: ArmorPolicy = spec.armor
    allow, throttle = armor.allow_list, armor.throttle
    return gcp.compute.SecurityPolicy(
        name,
        project=spec.project,
        name=armor.name,
        rules=[
            gcp.compute.SecurityPolicyRuleArgs(
                action=allow.action,
                priority=allow.priority,
                description=allow.description,
                match=gcp.compute.SecurityPolicyRuleMatchArgs(
                    expr=gcp.compute.SecurityPolicyRuleMatchExprArgs(
                        expression=allow.expression(spec.allow_referrers)
                    )
                ),
            ),
            gcp.compute.SecurityPolicyRuleArgs(
                action="throttle",
                priority=throttle.priority,
                description=throttle.description,
                match=gcp.compute.SecurityPolicyRuleMatchArgs(
                    versioned_expr="SRC_IPS_V1",
                    config=gcp.compute.SecurityPolicyRuleMatchConfigArgs(src_ip_ranges=["*"]),
                ),
                rate_limit_options=gcp.compute.SecurityPolicyRuleRateLimitOptionsArgs(
                    conform_action="allow",
                    exceed_action=throttle.exceed_action,
                    enforce_on_key=throttle.enforce_on_key,
                    rate_limit_threshold=gcp.compute.SecurityPolicyRuleRateLimitOptionsRateLimitThresholdArgs(
                        count=throttle.count, interval_sec=throttle.interval_sec
                    ),
                ),
            ),
        ],
        opts=pulumi.ResourceOptions(parent=parent),
    )
