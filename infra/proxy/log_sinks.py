"""Log exports to BigQuery: archeio's pull events in every stack, and the request
log with personal data where the stack names that sink.

The analytics export is upstream's analysis.tf (kubernetes/k8s.io
infra/gcp/terraform/modules/oci-proxy/analysis.tf at
fd832e30c8cc3aec8b7ef61f8fb35ac7ed6f9dc8): archeio logs one JSON `image_pull`
event per pull at verbosity 1 and above. The personal-data export is the
production root module's sink; its dataset lives in another project, whose
owners grant the writer identity exported here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from infra.components.projects import enable_services
from infra.proxy import naming
from infra.proxy.model import PiiLogSink, ProxySpec

TYPE = "k8s-infra:proxy:ProxyLogSinks"
ANALYTICS = "analytics"  # the sink's and the dataset's name
ANALYTICS_FILTER = "jsonPayload.message = image_pull"
DATASET_LOCATION = "US"
WRITER_ROLE = "roles/bigquery.dataEditor"
BIGQUERY_API = "bigquery.googleapis.com"


@dataclass(frozen=True)
class ProxyLogSinksArgs:
    spec: ProxySpec


class ProxyLogSinks(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: ProxyLogSinksArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        spec = args.spec
        child = pulumi.ResourceOptions(parent=self)
        # The dataset needs BigQuery in the project, as upstream's module enabled it.
        self.bigquery = enable_services(name, spec.project, [BIGQUERY_API], self)[BIGQUERY_API]
        self.analytics_dataset = gcp.bigquery.Dataset(
            f"{name}-analytics-dataset",
            project=spec.project,
            dataset_id=ANALYTICS,
            location=DATASET_LOCATION,
            description="Log export dataset",
            delete_contents_on_destroy=False,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.bigquery]),
        )
        # Upstream's analysis.tf passes bigquery_options to the log-export
        # module (~> 11.1), whose unique_writer_identity defaults to false.
        # The Google provider refuses that pair ("unique_writer_identity must
        # be true when bigquery_options is supplied", its project sink's
        # CustomizeDiff) and reads the value back as true whenever the live
        # writer is not cloud-logs@system.gserviceaccount.com: true is the
        # only value that plans with the options. Deliberate (docs/design/
        # differences.md): if the live sink still writes as
        # cloud-logs@, the import preview shows false → true and adopt stops.
        self.analytics_sink = gcp.logging.ProjectSink(
            f"{name}-analytics",
            project=spec.project,
            name=ANALYTICS,
            destination=naming.bigquery_destination(spec.project, ANALYTICS),
            filter=ANALYTICS_FILTER,
            unique_writer_identity=True,
            bigquery_options=gcp.logging.ProjectSinkBigqueryOptionsArgs(
                use_partitioned_tables=False
            ),
            opts=child,
        )
        self.analytics_writer = gcp.bigquery.DatasetIamMember(
            f"{name}-analytics-writer",
            project=spec.project,
            dataset_id=self.analytics_dataset.dataset_id,
            role=WRITER_ROLE,
            member=self.analytics_sink.writer_identity,
            opts=child,
        )
        pii = spec.pii_log_sink
        self.pii_sink = _pii_sink(f"{name}-pii", spec.project, pii, self) if pii else None
        self.register_outputs(
            {
                "analyticsWriter": self.analytics_sink.writer_identity,
                "piiWriter": self.pii_sink.writer_identity if self.pii_sink else None,
            }
        )


def _pii_sink(
    name: str, project: str, sink: PiiLogSink, parent: pulumi.Resource
) -> gcp.logging.ProjectSink:
    """Every Cloud Run request log line, client addresses included, to the restricted dataset."""
    requests_log = f"projects/{project}/logs/run.googleapis.com%2Frequests"
    return gcp.logging.ProjectSink(
        name,
        project=project,
        name=sink.name,
        destination=sink.destination,
        filter=f'resource.type = "cloud_run_revision" AND log_name= "{requests_log}"',
        unique_writer_identity=True,
        bigquery_options=gcp.logging.ProjectSinkBigqueryOptionsArgs(use_partitioned_tables=False),
        opts=pulumi.ResourceOptions(parent=parent),
    )
