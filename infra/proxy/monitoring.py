"""The proxy watched from outside: an uptime check on the domain and two alerts.

Checks and thresholds are upstream's (kubernetes/k8s.io
infra/gcp/terraform/modules/monitoring/uptime-alert/main.tf at
0af1bd5ea212706bbe2a11ad514b494187f1dd43, oci-proxy/monitoring.tf at
e10ab5f95c9786e66745737e865fd6f593358eae). Both alerts select the check by
the id Google gives it: upstream's uptime alert selected it by the domain,
which is not the id Google generates for a check, so that alert would not fire.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.proxy import naming
from infra.proxy.model import ProxySpec

TYPE = "k8s-infra:proxy:ProxyMonitoring"

CHECK_PERIOD = "60s"
CHECK_TIMEOUT = "10s"
# Down: the check failed for two minutes.
DOWN_AFTER = "120s"
DOWN_ALIGNMENT = "300s"
# The certificate renews itself; fewer than 15 days left means renewal failed.
CERTIFICATE_DAYS_LEFT = 15
CERTIFICATE_FOR = "600s"
CERTIFICATE_ALIGNMENT = "1200s"


@dataclass(frozen=True)
class ProxyMonitoringArgs:
    spec: ProxySpec


class ProxyMonitoring(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: ProxyMonitoringArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        spec = args.spec
        child = pulumi.ResourceOptions(parent=self)
        self.email = gcp.monitoring.NotificationChannel(
            f"{name}-email",
            project=spec.project,
            display_name=spec.alert_email,
            type="email",
            labels={"email_address": spec.alert_email},
            opts=child,
        )
        # The other channel was made by hand: it is named, never managed.
        channels = [
            naming.notification_channel(spec.project, spec.notification_channel_id),
            self.email.name,
        ]
        self.uptime_check = gcp.monitoring.UptimeCheckConfig(
            f"{name}-uptime-check",
            project=spec.project,
            display_name=spec.live_names.uptime_check,
            http_check=gcp.monitoring.UptimeCheckConfigHttpCheckArgs(
                path="/",
                port=443,
                request_method="GET",
                use_ssl=True,
                validate_ssl=True,
                mask_headers=False,
            ),
            monitored_resource=gcp.monitoring.UptimeCheckConfigMonitoredResourceArgs(
                type="uptime_url", labels={"host": spec.domain, "project_id": spec.project}
            ),
            period=CHECK_PERIOD,
            timeout=CHECK_TIMEOUT,
            opts=child,
        )
        check_id = self.uptime_check.uptime_check_id
        self.uptime_alert = gcp.monitoring.AlertPolicy(
            f"{name}-uptime-alert",
            project=spec.project,
            display_name=spec.live_names.uptime_alert,
            combiner="OR",
            conditions=[_down_condition(spec.domain, check_id)],
            documentation=gcp.monitoring.AlertPolicyDocumentationArgs(
                content=f"{spec.domain} is down"
            ),
            notification_channels=channels,
            enabled=True,
            opts=child,
        )
        self.certificate_alert = gcp.monitoring.AlertPolicy(
            f"{name}-certificate-alert",
            project=spec.project,
            display_name=spec.live_names.certificate_alert,
            combiner="OR",
            conditions=[_certificate_condition(spec.domain, check_id)],
            documentation=gcp.monitoring.AlertPolicyDocumentationArgs(
                content=f"The SSL/TLS certificate for {spec.domain} is expiring in fewer "
                f"than {CERTIFICATE_DAYS_LEFT} days"
            ),
            notification_channels=channels,
            enabled=True,
            opts=child,
        )
        self.register_outputs({"uptimeCheckId": check_id, "emailChannel": self.email.name})


def _metric_filter(metric: str, check_id: pulumi.Output[str]) -> pulumi.Output[str]:
    return pulumi.Output.concat(
        f'metric.type="monitoring.googleapis.com/uptime_check/{metric}" '
        'AND resource.type="uptime_url" AND metric.label.check_id="',
        check_id,
        '"',
    )


def _down_condition(
    domain: str, check_id: pulumi.Output[str]
) -> gcp.monitoring.AlertPolicyConditionArgs:
    """More than one failing checker region, sustained: the domain is down."""
    return gcp.monitoring.AlertPolicyConditionArgs(
        display_name=f"Failure of uptime check on {domain}",
        condition_threshold=gcp.monitoring.AlertPolicyConditionConditionThresholdArgs(
            filter=_metric_filter("check_passed", check_id),
            comparison="COMPARISON_GT",
            threshold_value=1,
            duration=DOWN_AFTER,
            aggregations=[
                gcp.monitoring.AlertPolicyConditionConditionThresholdAggregationArgs(
                    alignment_period=DOWN_ALIGNMENT,
                    per_series_aligner="ALIGN_NEXT_OLDER",
                    cross_series_reducer="REDUCE_COUNT_FALSE",
                    group_by_fields=["resource.*"],
                )
            ],
            trigger=gcp.monitoring.AlertPolicyConditionConditionThresholdTriggerArgs(count=1),
        ),
    )


def _certificate_condition(
    domain: str, check_id: pulumi.Output[str]
) -> gcp.monitoring.AlertPolicyConditionArgs:
    return gcp.monitoring.AlertPolicyConditionArgs(
        display_name=f"SSL Certificate for {domain} expiring soon",
        condition_threshold=gcp.monitoring.AlertPolicyConditionConditionThresholdArgs(
            filter=_metric_filter("time_until_ssl_cert_expires", check_id),
            comparison="COMPARISON_LT",
            threshold_value=CERTIFICATE_DAYS_LEFT,
            duration=CERTIFICATE_FOR,
            aggregations=[
                gcp.monitoring.AlertPolicyConditionConditionThresholdAggregationArgs(
                    alignment_period=CERTIFICATE_ALIGNMENT,
                    per_series_aligner="ALIGN_NEXT_OLDER",
                    cross_series_reducer="REDUCE_MEAN",
                    group_by_fields=["resource.label.*"],
                )
            ],
            trigger=gcp.monitoring.AlertPolicyConditionConditionThresholdTriggerArgs(count=1),
        ),
    )
