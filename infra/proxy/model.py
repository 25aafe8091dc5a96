"""The registry proxy of a stack: archeio on Cloud Run behind one global load balancer.

Two stack keys say what differs between the sandbox and production proxies;
everything else (the APIs, the load balancer's shape, the service sizing,
the Cloud Armor rules, the alert thresholds) is the same for both.

    k8s-infra:proxy:
      project: <project id>                # referenced, never created
      domain: <domain>
      owner: group:<address>               # roles/owner on the project
      service_account: <account id>        # archeio's runtime identity
      image: <repository>[:<tag>]@sha256:<digest>
      verbosity: <0..10>                   # archeio's -v
      global_aws_base_url: https://...     # optional: one URL for every region
      signature_upstream_region: <region>  # optional: the canonical signature registry
      allow_referrers: true|false          # admit the referrers API at the edge
      deletion_protection: true|false      # on the Cloud Run services
      alert_email: <address>
      notification_channel_id: "<n>"       # the channel made by hand
      live_names: {certificate, uptime_check, uptime_alert, certificate_alert,
                   ipv4_address, ipv6_address}          # the last two optional
      pii_log_sink: {name, project, dataset}            # named flag: production only
      deploy_identity: {member, roles: [...]}           # named flag: sandbox only

    k8s-infra:proxy_regions:
      <Cloud Run region>: <AWS region of a bucket>  # or ~: the global URL

Each region's upstream (its Artifact Registry mirror) and bucket endpoint
are computed from the mirror data (``infra.mirrors.model``), so the proxy can
only point at a repository or bucket that data declares.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from infra.core import iam
from infra.core.fields import FieldPath, Fields
from infra.core.problems import Problems
from infra.declarations.stacks import NAMESPACE, StackSettings
from infra.mirrors.model import ARTIFACT_REGISTRY_FILE, S3_BUCKETS_FILE, Mirrors
from infra.proxy import naming
from infra.proxy.armor import ArmorPolicy

COMPONENT = "registry-proxy"
SETTINGS_KEY = "proxy"
REGIONS_KEY = "proxy_regions"

# What the module enabled in both projects (oci-proxy/main.tf at 3ca41f50).
SERVICES = (
    "compute.googleapis.com",
    "containerregistry.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    "oslogin.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "storage-api.googleapis.com",
    "storage-component.googleapis.com",
)

SETTINGS_KEYS: Mapping[str, str] = MappingProxyType(
    {
        "project": "the project id, e.g. k8s-infra-oci-proxy",
        "domain": "the proxy's domain, e.g. registry-sandbox.k8s.io",
        "owner": "the group holding roles/owner, group:<address>",
        "service_account": "archeio's runtime account id, e.g. oci-proxy-sandbox",
        "image": "archeio's image pinned by digest, <repository>@sha256:<digest>",
        "verbosity": "archeio's log verbosity (-v), 0 to 10",
        "global_aws_base_url": "one default bucket URL for every region (a CDN)",
        "signature_upstream_region": "the mirror region serving signatures and referrers",
        "allow_referrers": "whether the edge admits the referrers API",
        "deletion_protection": "whether the Cloud Run services refuse deletion",
        "alert_email": "the address alerts are mailed to",
        "notification_channel_id": "the id of the notification channel made by hand",
        "live_names": "names of live resources that follow no pattern",
        "pii_log_sink": "the request log export with personal data: {name, project, dataset}",
        "deploy_identity": "who deploys new archeio builds: {member, roles}",
    }
)
OPTIONAL_KEYS = frozenset(
    {
        "global_aws_base_url",
        "signature_upstream_region",
        "allow_referrers",
        "pii_log_sink",
        "deploy_identity",
    }
)
LIVE_NAME_KEYS: Mapping[str, str] = MappingProxyType(
    {
        "certificate": "the managed certificate's name, e.g. registry-k8s-io-20230508",
        "uptime_check": "the uptime check's display name",
        "uptime_alert": "the uptime alert policy's display name",
        "certificate_alert": "the certificate expiry alert policy's display name",
        "ipv4_address": "the IPv4 address's name (default <project>-ipv4)",
        "ipv6_address": "the IPv6 address's name (default <project>-ipv6)",
    }
)
OPTIONAL_LIVE_NAMES = frozenset({"ipv4_address", "ipv6_address"})
PII_SINK_KEYS = frozenset({"name", "project", "dataset"})
DEPLOY_KEYS = frozenset({"member", "roles"})
MAX_VERBOSITY = 10

_DOMAIN = re.compile(r"([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}")
_HTTPS_BASE = re.compile(r"https://[a-z0-9.-]+(:[0-9]+)?(/[^\s?#]*[^\s?#/])?")
IMAGE_REFERENCE = re.compile(
    r"(?P<repository>[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)+)"
    r"(:(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(@(?P<digest>.*))?"
)
DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_SINK_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")
_DATASET = re.compile(r"[A-Za-z0-9_]{1,1024}")
_DISPLAY_NAME = re.compile(r"\S([^\n]{0,510}\S)?")
_RESOURCE_NAME = re.compile(r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?")


@dataclass(frozen=True)
class ArcheioImage:
    repository: str
    tag: str | None
    digest: str

    @property
    def reference(self) -> str:
        """What Cloud Run runs: the digest alone (a tag next to it only documents)."""
        return f"{self.repository}@{self.digest}"


@dataclass(frozen=True)
class ProxyRegion:
    """One Cloud Run region and where its archeio sends clients."""

    region: str
    upstream_endpoint: str  # the region's Artifact Registry mirror
    default_aws_base_url: str  # clients outside GCP and known AWS regions
    bucket_region: str | None  # None: the stack's global URL


@dataclass(frozen=True)
class LiveNames:
    certificate: str
    uptime_check: str
    uptime_alert: str
    certificate_alert: str
    ipv4_address: str
    ipv6_address: str


@dataclass(frozen=True)
class PiiLogSink:
    name: str
    project: str
    dataset: str

    @property
    def destination(self) -> str:
        return naming.bigquery_destination(self.project, self.dataset)


@dataclass(frozen=True)
class DeployIdentity:
    member: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class ProxySpec:
    """Everything one stack's proxy needs, checked."""

    project: str
    domain: str
    owner: str
    service_account: str
    image: ArcheioImage
    verbosity: int
    upstream_path: str  # <project>/<repository> of the mirrors
    regions: tuple[ProxyRegion, ...]
    signature_upstream: str | None
    allow_referrers: bool
    deletion_protection: bool
    alert_email: str
    notification_channel_id: str
    live_names: LiveNames
    armor: ArmorPolicy
    pii_log_sink: PiiLogSink | None = None
    deploy_identity: DeployIdentity | None = None


def load_proxy(
    settings: StackSettings, mirrors: Mirrors, armor: ArmorPolicy, problems: Problems
) -> ProxySpec | None:
    """One stack's proxy settings, each problem at its key in the stack file."""
    own = Problems()  # whether these settings are usable, whatever else the run found
    if SETTINGS_KEY not in settings.values or REGIONS_KEY not in settings.values:
        return None  # a required key: the stack settings reported it missing
    spec = _read_settings(settings.fields(SETTINGS_KEY, own), settings.values.get(SETTINGS_KEY))
    regions = _read_regions(
        settings.fields(REGIONS_KEY, own),
        settings.values.get(REGIONS_KEY),
        mirrors,
        project=spec.get("project"),
        global_url=spec.get("global_aws_base_url"),
    )
    signature = _signature_upstream(settings.fields(SETTINGS_KEY, own), spec, mirrors)
    problems.extend(own)
    if own.has_errors:  # every value left out was reported
        return None
    project = spec["project"]
    names = spec["live_names"]
    return ProxySpec(
        project=project,
        domain=spec["domain"],
        owner=spec["owner"],
        service_account=spec["service_account"],
        image=spec["image"],
        verbosity=spec["verbosity"],
        upstream_path=_upstream_path(mirrors),
        regions=regions,
        signature_upstream=signature,
        allow_referrers=spec.get("allow_referrers", False),
        deletion_protection=spec["deletion_protection"],
        alert_email=spec["alert_email"],
        notification_channel_id=spec["notification_channel_id"],
        live_names=LiveNames(
            certificate=names["certificate"],
            uptime_check=names["uptime_check"],
            uptime_alert=names["uptime_alert"],
            certificate_alert=names["certificate_alert"],
            ipv4_address=names.get("ipv4_address") or naming.address_name(project, 4),
            ipv6_address=names.get("ipv6_address") or naming.address_name(project, 6),
        ),
        armor=armor,
        pii_log_sink=spec.get("pii_log_sink"),
        deploy_identity=spec.get("deploy_identity"),
    )


def owner_group(settings: StackSettings) -> str | None:
    """The group the stack makes owner, when it names one."""
    owner = settings.object(SETTINGS_KEY).get("owner")
    return iam.group_address(owner) if isinstance(owner, str) else None


# -- k8s-infra:proxy ------------------------------------------------------------


def _read_settings(fields: Fields, raw: Any) -> dict[str, Any]:
    """The checked values by key, None where a value was refused (and reported)."""
    required = sorted(set(SETTINGS_KEYS) - OPTIONAL_KEYS)
    top = fields.mapping(raw, (), SETTINGS_KEYS, required, what=f"`{NAMESPACE}:{SETTINGS_KEY}`")
    if top is None:
        return {}
    readers: dict[str, Callable[[Any, FieldPath], Any]] = {
        "project": fields.project_id,
        "domain": lambda v, p: fields.text(v, p, _DOMAIN, "a domain name"),
        "owner": fields.member,
        "service_account": fields.service_account_id,
        "image": lambda v, p: _image(fields, v, p),
        "verbosity": lambda v, p: fields.integer(v, p, 0, MAX_VERBOSITY),
        "global_aws_base_url": lambda v, p: fields.text(
            v, p, _HTTPS_BASE, "an https:// URL without a trailing slash"
        ),
        "signature_upstream_region": fields.text,
        "allow_referrers": fields.boolean,
        "deletion_protection": fields.boolean,
        "alert_email": lambda v, p: fields.text(v, p, _EMAIL, "an e-mail address"),
        "notification_channel_id": lambda v, p: fields.numeric_id(v, p, "notification channel id"),
        "live_names": lambda v, p: _live_names(fields, v, p),
        "pii_log_sink": lambda v, p: _pii_log_sink(fields, v, p),
        "deploy_identity": lambda v, p: _deploy_identity(fields, v, p),
    }
    return {key: read(top[key], (key,)) for key, read in readers.items() if key in top}


def _image(fields: Fields, value: Any, path: FieldPath) -> ArcheioImage | None:
    text = fields.text(value, path)
    if text is None:
        return None
    found = IMAGE_REFERENCE.fullmatch(text)
    if found is None:
        fields.error(
            path, f"`{text}` is not an image reference", "write <registry>/<path>@sha256:<digest>"
        )
        return None
    repository, tag, digest = found.group("repository", "tag", "digest")
    if digest is None:
        moves = f"the tag `{tag}`" if tag else "the `latest` tag"
        fields.error(
            path,
            f"`{text}` is not pinned by digest: it names {moves}, which can move to another build",
            f"append @sha256:<digest>; `crane digest {text}` prints it",
        )
        return None
    if not DIGEST.fullmatch(digest):
        fields.error(path, f"digest `{digest}` is not `sha256:` and 64 lowercase hex digits")
        return None
    return ArcheioImage(repository, tag, digest)


def _live_names(fields: Fields, value: Any, path: FieldPath) -> dict[str, str] | None:
    required = sorted(set(LIVE_NAME_KEYS) - OPTIONAL_LIVE_NAMES)
    spec = fields.mapping(value, path, LIVE_NAME_KEYS, required, what="`live_names`")
    if spec is None:
        return None
    found: dict[str, str] = {}
    for key, raw in spec.items():
        if key not in LIVE_NAME_KEYS:
            continue
        display = key in ("uptime_check", "uptime_alert", "certificate_alert")
        pattern, expected = (
            (_DISPLAY_NAME, "a display name on one line")
            if display
            else (_RESOURCE_NAME, "a resource name (lowercase letters, digits, hyphens)")
        )
        text = fields.text(raw, (*path, key), pattern, expected)
        if text is not None:
            found[key] = text
    complete = set(found) == set(spec) & set(LIVE_NAME_KEYS) and set(found) >= set(required)
    return found if complete else None


def _pii_log_sink(fields: Fields, value: Any, path: FieldPath) -> PiiLogSink | None:
    spec = fields.mapping(value, path, PII_SINK_KEYS, sorted(PII_SINK_KEYS), what="`pii_log_sink`")
    if spec is None or not set(spec) >= PII_SINK_KEYS:
        return None
    name = fields.text(spec["name"], (*path, "name"), _SINK_NAME, "a log sink name")
    project = fields.project_id(spec["project"], (*path, "project"))
    dataset = fields.text(spec["dataset"], (*path, "dataset"), _DATASET, "a BigQuery dataset id")
    if name is None or project is None or dataset is None:
        return None
    return PiiLogSink(name, project, dataset)


def _deploy_identity(fields: Fields, value: Any, path: FieldPath) -> DeployIdentity | None:
    spec = fields.mapping(value, path, DEPLOY_KEYS, sorted(DEPLOY_KEYS), what="`deploy_identity`")
    if spec is None or not set(spec) >= DEPLOY_KEYS:
        return None
    member = fields.member(spec["member"], (*path, "member"))
    roles = fields.texts(spec["roles"], (*path, "roles"), iam.ROLE, "an IAM role")
    if not roles:
        fields.error(
            (*path, "roles"),
            "the deploy identity is granted no role",
            "list its roles, or remove `deploy_identity`",
        )
        return None
    return DeployIdentity(member, roles) if member else None


def _signature_upstream(fields: Fields, spec: Mapping[str, Any], mirrors: Mirrors) -> str | None:
    """The signature upstream's endpoint, from a mirror region; referrers need one."""
    region = spec.get("signature_upstream_region")
    path: FieldPath = ("signature_upstream_region",)
    repositories = mirrors.artifact_registry.repositories
    if region is not None and region not in repositories:
        fields.error(
            path,
            f"signature upstream region `{region}` has no Artifact Registry mirror",
            f"name a region of {ARTIFACT_REGISTRY_FILE}",
        )
        return None
    if spec.get("allow_referrers") and region is None:
        fields.error(
            ("allow_referrers",),
            "referrers are allowed but no `signature_upstream_region` serves them: archeio "
            "would send them to the regional mirrors, which do not serve the referrers API",
            "set `signature_upstream_region`, or `allow_referrers: false`",
        )
    return "https://" + repositories[region].host if region else None


# -- k8s-infra:proxy_regions --------------------------------------------------------


def _read_regions(
    fields: Fields, raw: Any, mirrors: Mirrors, project: str | None, global_url: str | None
) -> tuple[ProxyRegion, ...]:
    entries = fields.mapping(raw, (), what=f"`{NAMESPACE}:{REGIONS_KEY}`")
    if entries is not None and not entries:
        fields.error((), "the proxy serves no region", "list its Cloud Run regions")
    found = []
    for region, bucket in sorted((entries or {}).items()):
        checked = _region(fields.on_keys(), region, bucket, mirrors, project, global_url)
        if checked is not None:
            found.append(checked)
    return tuple(found)


def _region(
    fields: Fields,
    region: str,
    bucket: Any,
    mirrors: Mirrors,
    project: str | None,
    global_url: str | None,
) -> ProxyRegion | None:
    path = (region,)
    mirror = mirrors.artifact_registry.repositories.get(region)
    if mirror is None:
        fields.error(
            path,
            f"Cloud Run region `{region}` has no Artifact Registry mirror",
            f"add it under `serving` in {ARTIFACT_REGISTRY_FILE} first",
        )
        return None
    if not mirror.serving:
        fields.error(
            path,
            f"Cloud Run region `{region}` is listed under `non_serving`",
            f"move it to `serving` in {ARTIFACT_REGISTRY_FILE}",
        )
        return None
    if project and len(naming.service_name(project, region)) > naming.MAX_SERVICE_NAME:
        fields.error(
            path,
            f"service name `{naming.service_name(project, region)}` is longer "
            f"than Cloud Run's {naming.MAX_SERVICE_NAME} characters",
        )
        return None
    base_url = _base_url(fields, region, bucket, mirrors, global_url)
    if base_url is None:
        return None
    return ProxyRegion(region, "https://" + mirror.host, base_url, bucket)


def _base_url(
    fields: Fields, region: str, bucket: Any, mirrors: Mirrors, global_url: str | None
) -> str | None:
    """The bucket endpoint the data declares for ``bucket``, or the global URL."""
    path = (region,)
    if bucket is None:
        if global_url is None:
            fields.error(
                path,
                f"region `{region}` names no bucket and no `global_aws_base_url` is set",
                "name the AWS region of a bucket in " + S3_BUCKETS_FILE,
            )
        return global_url
    if not isinstance(bucket, str):
        fields.type_error(path, bucket, "the AWS region of a bucket, or ~ for the global URL")
        return None
    declared = mirrors.s3.buckets.get(bucket)
    if declared is None:
        fields.error(
            path,
            f"region `{region}` sends clients to a bucket in `{bucket}`, which "
            f"{S3_BUCKETS_FILE} does not declare",
            "name a declared bucket's AWS region",
        )
        return None
    if not declared.replicated:
        fields.error(
            path,
            f"the `{bucket}` bucket is not replicated and holds stale content",
            "send the region's clients to a bucket in service",
        )
        return None
    return declared.endpoint


def _upstream_path(mirrors: Mirrors) -> str:
    """``<project>/<repository>``: where archeio finds images in every mirror."""
    registry = mirrors.artifact_registry
    return f"{registry.project}/{registry.repository_id}"
