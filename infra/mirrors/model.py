"""The regional mirrors of the production images: Artifact Registry and S3.

Declared in two data files under the data root:

    infra/data/registry/artifact-registry.yaml
      project: <project id>           # referenced, never created
      repository_id: <id>             # the same in every region
      format: DOCKER
      url_pattern: "{region}-docker.pkg.dev/{project}/{repository}"
      repository_admins: [<member>]   # optional: roles/artifactregistry.admin on each
      regions: {serving: [<region>, ...], non_serving: [<region>, ...]}

    infra/data/registry/s3-buckets.yaml
      aws_account_id: "<12 digits>"
      name_pattern: "...{region}"
      endpoint_pattern: "https://{bucket}...{region}..."
      replication: {source: <region>, rule_id_pattern: "...{source}...{region}"}
      buckets:
        <region>: {name: <exception>, priority: <n>, replicated: false, managed: false}
      client_regions: {<client region>: <bucket region>}

Regions are checked against what AWS and Google offer (``infra.mirrors.regions``).
The addresses other stacks need (each bucket's endpoint, each repository's
URL, which bucket serves which client region) are computed here from the
same data, so no stack reads another's state.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from infra.core import iam, names
from infra.core.fields import Fields, locate_in
from infra.core.located_yaml import YamlDocument, load_yaml
from infra.core.problems import Position, Problems, did_you_mean
from infra.declarations.layout import declaration_file
from infra.declarations.stacks import NAMESPACE, StackSettings
from infra.mirrors.regions import (
    ARTIFACT_REGISTRY_FACTS,
    AWS_PARTITION,
    AWS_REGIONS_FACTS,
    RegionFacts,
    load_region_facts,
)
from infra.mirrors.settings import MirrorSettings, parse_mirror_settings

COMPONENT = "registry-mirrors"
ARTIFACT_REGISTRY_FILE = "infra/data/registry/artifact-registry.yaml"
S3_BUCKETS_FILE = "infra/data/registry/s3-buckets.yaml"
SETTINGS_KEY = f"{NAMESPACE}:mirrors"
ALLOWED_ACCOUNTS_KEY = "aws:allowedAccountIds"

AR_KEYS = frozenset(
    {"project", "repository_id", "format", "url_pattern", "regions", "repository_admins"}
)
AR_REQUIRED = sorted(AR_KEYS - {"repository_admins"})
AR_REGION_GROUPS = ("serving", "non_serving")
S3_KEYS = frozenset(
    {
        "aws_account_id",
        "name_pattern",
        "endpoint_pattern",
        "replication",
        "buckets",
        "client_regions",
    }
)
REPLICATION_KEYS = frozenset({"source", "rule_id_pattern"})
BUCKET_KEYS = frozenset({"name", "priority", "replicated", "managed"})
FORMATS = ("DOCKER",)

# S3 replication rule priorities are 32-bit integers.
MAX_RULE_PRIORITY = 2**31 - 1
_ACCOUNT = re.compile(r"[0-9]{12}")
_REPOSITORY_ID = re.compile(r"[a-z]([a-z0-9-]*[a-z0-9])?")


@dataclass(frozen=True)
class ArtifactRegistryMirror:
    """One regional repository."""

    region: str
    project: str
    repository_id: str
    serving: bool
    url: str  # docker reference: <host>/<project>/<repository>

    @property
    def host(self) -> str:
        return self.url.split("/", 1)[0]


@dataclass(frozen=True)
class ArtifactRegistryMirrors:
    project: str
    repository_id: str
    format: str
    repositories: Mapping[str, ArtifactRegistryMirror]  # region -> repository, sorted
    admins: tuple[str, ...] = ()  # roles/artifactregistry.admin on each repository

    def serving_regions(self) -> list[str]:
        return [r for r, repo in self.repositories.items() if repo.serving]


@dataclass(frozen=True)
class S3Bucket:
    region: str
    name: str
    endpoint: str
    replicated: bool  # receives copies (or is the source): its content is current
    is_source: bool = False
    priority: int | None = None  # of the replication rule that fills it
    # False: clients are sent there, but the bucket is neither created nor
    # replicated to here (it exists outside the Terraform this replaces)
    managed: bool = True

    @property
    def arn(self) -> str:
        return names.s3_bucket_arn(self.name)


@dataclass(frozen=True)
class ReplicationRule:
    rule_id: str
    priority: int
    destination: S3Bucket


@dataclass(frozen=True)
class S3Mirrors:
    account_id: str
    buckets: Mapping[str, S3Bucket]  # region -> bucket, sorted
    source: S3Bucket
    rules: tuple[ReplicationRule, ...]  # one per bucket that receives copies, by priority
    client_regions: Mapping[str, str]  # client region -> bucket region

    def bucket_for_client(self, client_region: str) -> S3Bucket | None:
        target = self.client_regions.get(client_region)
        return self.buckets[target] if target else None


@dataclass(frozen=True)
class Mirrors:
    artifact_registry: ArtifactRegistryMirrors
    s3: S3Mirrors
    # stack -> its checked `k8s-infra:mirrors` setting, for stacks that build the mirrors
    settings: Mapping[str, MirrorSettings] = field(default_factory=lambda: MappingProxyType({}))


def builds_mirrors(stacks: Mapping[str, StackSettings]) -> bool:
    return any(COMPONENT in s.components for s in stacks.values())


def load_mirror_declarations(
    root: Path, stacks: Mapping[str, StackSettings], problems: Problems
) -> Mirrors | None:
    """The mirror data files and the settings of every stack that builds the mirrors.

    Nothing is read when no stack builds the mirrors, so a checkout without
    them (upstream's, for one) still validates.
    """
    if not builds_mirrors(stacks):
        return None
    facts = load_region_facts()
    registry = load_artifact_registry(root, facts, problems)
    s3 = load_s3_mirrors(root, facts, problems)
    settings = {
        stack: found
        for stack, spec in sorted(stacks.items())
        if COMPONENT in spec.components and (found := _check_stack(spec, s3, problems)) is not None
    }
    if registry is None or s3 is None:
        return None
    return Mirrors(registry, s3, MappingProxyType(settings))


def mirror_data(
    root: Path,
    stacks: Mapping[str, StackSettings],
    earlier: Mapping[str, object],
    problems: Problems,
) -> Mirrors | None:
    """The mirrors' model for another concern: the one checked earlier when a stack builds
    the mirrors (its problems already reported), else the data files alone.

    A checkout without a mirrors stack still has what depends on the mirrors
    checked against the regions and buckets that exist.
    """
    if builds_mirrors(stacks):
        found = earlier.get(COMPONENT)
        return found if isinstance(found, Mirrors) else None
    facts = load_region_facts()
    registry = load_artifact_registry(root, facts, problems)
    buckets = load_s3_mirrors(root, facts, problems)
    return Mirrors(registry, buckets) if registry and buckets else None


def load_artifact_registry(
    root: Path, facts: RegionFacts, problems: Problems
) -> ArtifactRegistryMirrors | None:
    document = load_yaml(
        declaration_file(root, ARTIFACT_REGISTRY_FILE), ARTIFACT_REGISTRY_FILE, problems
    )
    if document is None:
        return None
    fields = Fields(locate_in(document), problems)
    top = fields.mapping(document.data, (), AR_KEYS, required=AR_REQUIRED, what="the file")
    if top is None or not set(top) >= set(AR_REQUIRED):
        return None
    project = fields.text(top["project"], ("project",))
    if project is not None and (problem := names.project_id_problem(project)):
        fields.error(("project",), *problem)
        project = None
    repository_id = fields.text(
        top["repository_id"], ("repository_id",), _REPOSITORY_ID, "a lowercase repository id"
    )
    repo_format = fields.text(top["format"], ("format",))
    if repo_format is not None and repo_format not in FORMATS:
        fields.error(
            ("format",),
            f"format `{repo_format}` is not a mirror's format",
            did_you_mean(repo_format, FORMATS),
        )
    url_pattern = _pattern(
        fields,
        top["url_pattern"],
        ("url_pattern",),
        {"region", "project", "repository"},
        {"region"},
    )
    regions = _registry_regions(fields, top["regions"], facts)
    admins = fields.texts(
        top.get("repository_admins", []),
        ("repository_admins",),
        iam.MEMBER,
        f"an IAM member ({iam.MEMBER_FORMS})",
    )
    if project is None or repository_id is None or repo_format is None or url_pattern is None:
        return None
    repositories = {
        region: ArtifactRegistryMirror(
            region=region,
            project=project,
            repository_id=repository_id,
            serving=serving,
            url=names.fill_pattern(
                url_pattern, region=region, project=project, repository=repository_id
            ),
        )
        for region, serving in sorted(regions.items())
    }
    return ArtifactRegistryMirrors(
        project, repository_id, repo_format, MappingProxyType(repositories), admins
    )


def _registry_regions(fields: Fields, raw: Any, facts: RegionFacts) -> dict[str, bool]:
    """region -> serving; every region checked against Google's list, each listed once."""
    groups = fields.mapping(raw, ("regions",), AR_REGION_GROUPS, what="`regions`")
    found: dict[str, bool] = {}
    first: dict[str, tuple[str | int, ...]] = {}
    for group in AR_REGION_GROUPS:
        path = ("regions", group)
        items = (groups or {}).get(group, [])
        if not isinstance(items, list):
            fields.type_error(path, items, "a list of regions")
            continue
        for index, region in enumerate(items):
            where = (*path, index)
            if fields.text(region, where) is None:
                continue
            if region in first:
                line = fields.at(first[region]).line
                fields.error(
                    where,
                    f"region `{region}` is listed twice (first on line {line})",
                    "each region has one repository; remove one of the two lines",
                )
                continue
            first[region] = where
            if region in facts.artifact_registry_multi_regions:
                fields.error(
                    where,
                    f"`{region}` is a multi-region, not a region",
                    "a mirror serves one region; name a region such as `us-central1`",
                )
                continue
            if region not in facts.artifact_registry:
                fields.error(
                    where,
                    f"Artifact Registry has no region `{region}`",
                    _region_hint(region, facts.artifact_registry, ARTIFACT_REGISTRY_FACTS),
                )
                continue
            found[region] = group == "serving"
    return found


def load_s3_mirrors(root: Path, facts: RegionFacts, problems: Problems) -> S3Mirrors | None:
    document = load_yaml(declaration_file(root, S3_BUCKETS_FILE), S3_BUCKETS_FILE, problems)
    if document is None:
        return None
    fields = Fields(locate_in(document), problems)
    required = sorted(S3_KEYS)
    top = fields.mapping(document.data, (), S3_KEYS, required=required, what="the file")
    if top is None or not set(top) >= S3_KEYS:
        return None
    account = fields.text(
        top["aws_account_id"], ("aws_account_id",), _ACCOUNT, "a quoted 12-digit account id"
    )
    name_pattern = _pattern(fields, top["name_pattern"], ("name_pattern",), {"region"}, {"region"})
    endpoint_pattern = _pattern(
        fields, top["endpoint_pattern"], ("endpoint_pattern",), {"bucket", "region"}, {"bucket"}
    )
    replication = fields.mapping(
        top["replication"], ("replication",), REPLICATION_KEYS, required=sorted(REPLICATION_KEYS)
    )
    rule_pattern = None
    if replication and "rule_id_pattern" in replication:
        rule_pattern = _pattern(
            fields,
            replication["rule_id_pattern"],
            ("replication", "rule_id_pattern"),
            {"source", "region"},
            {"region"},
        )
    # Keep checking with stand-in patterns, so one run reports every problem.
    buckets, with_priority = _buckets(
        fields, top["buckets"], facts, name_pattern or "{region}", endpoint_pattern or "{bucket}"
    )
    source = _source(fields, replication, buckets)
    rules: tuple[ReplicationRule, ...] = ()
    if source is not None:
        source = buckets[source.region] = replace(source, is_source=True)
        rules = _rules(fields, buckets, with_priority, source, rule_pattern or "{region}")
    clients = _client_regions(fields, top["client_regions"], facts, buckets)
    if account is None or source is None or None in (name_pattern, endpoint_pattern, rule_pattern):
        return None
    return S3Mirrors(
        account_id=account,
        buckets=MappingProxyType({region: buckets[region] for region in sorted(buckets)}),
        source=source,
        rules=rules,
        client_regions=MappingProxyType(dict(sorted(clients.items()))),
    )


def _buckets(
    fields: Fields, raw: Any, facts: RegionFacts, name_pattern: str, endpoint_pattern: str
) -> tuple[dict[str, S3Bucket], set[str]]:
    """region -> bucket, and the regions whose entry writes a priority (valid or not)."""
    entries = fields.mapping(raw, ("buckets",), what="`buckets`")
    buckets: dict[str, S3Bucket] = {}
    with_priority: set[str] = set()
    named: dict[str, str] = {}
    for region, body in (entries or {}).items():
        path = ("buckets", region)
        partition = facts.aws.get(region)
        if partition is None:
            fields.problems.error(
                fields.key_at(path),
                f"AWS has no region `{region}`",
                _region_hint(region, facts.aws_partition_regions(), AWS_REGIONS_FACTS),
            )
            continue
        if partition != AWS_PARTITION:
            fields.problems.error(
                fields.key_at(path),
                f"region `{region}` is in the `{partition}` partition, out of the account's reach",
                "buckets live in the `aws` partition; map its clients to a nearby bucket "
                "under `client_regions` instead",
            )
            continue
        spec = fields.mapping(
            {} if body is None else body, path, BUCKET_KEYS, what=f"bucket `{region}`"
        )
        if spec is None:
            continue
        name = names.fill_pattern(name_pattern, region=region)
        if "name" in spec:
            name = fields.text(spec["name"], (*path, "name")) or name
        where = (*path, "name") if "name" in spec else path
        problem = names.s3_bucket_name_problem(name)
        if problem:
            fields.error(where, *problem)
            continue
        if name in named:
            fields.error(
                where,
                f"bucket name `{name}` is also the name of the `{named[name]}` bucket",
                "bucket names are global; give each region its own",
            )
            continue
        named[name] = region
        replicated = True
        if "replicated" in spec:
            replicated = fields.boolean(spec["replicated"], (*path, "replicated")) is not False
        managed = True
        if "managed" in spec:
            managed = fields.boolean(spec["managed"], (*path, "managed")) is not False
        priority = None
        if "priority" in spec:
            with_priority.add(region)
            priority = fields.integer(
                spec["priority"], (*path, "priority"), low=1, high=MAX_RULE_PRIORITY
            )
        buckets[region] = S3Bucket(
            region=region,
            name=name,
            endpoint=names.fill_pattern(endpoint_pattern, bucket=name, region=region),
            replicated=replicated,
            priority=priority,
            managed=managed,
        )
    return buckets, with_priority


def _source(
    fields: Fields, replication: dict[str, Any] | None, buckets: dict[str, S3Bucket]
) -> S3Bucket | None:
    if not replication or "source" not in replication:
        return None
    path = ("replication", "source")
    region = fields.text(replication["source"], path)
    if region is None:
        return None
    bucket = buckets.get(region)
    if bucket is None:
        fields.error(
            path,
            f"replication source `{region}` is not a declared bucket",
            did_you_mean(region, buckets),
        )
        return None
    if not bucket.replicated or not bucket.managed:
        mark = "replicated: false" if not bucket.replicated else "managed: false"
        fields.error(
            path,
            f"replication source `{region}` is marked `{mark}`",
            "the source must be a bucket in service that this stack manages",
        )
        return None
    return bucket


def _rules(
    fields: Fields,
    buckets: dict[str, S3Bucket],
    with_priority: set[str],
    source: S3Bucket,
    rule_pattern: str,
) -> tuple[ReplicationRule, ...]:
    """One rule per bucket that receives copies, each with its own priority from the data."""
    taken: dict[int, str] = {}
    rules: list[ReplicationRule] = []
    for region, bucket in buckets.items():
        path = ("buckets", region)
        if bucket.is_source or not bucket.replicated or not bucket.managed:
            if region in with_priority:
                what = (
                    "the replication source"
                    if bucket.is_source
                    else "not managed here"
                    if not bucket.managed
                    else "not replicated"
                )
                fields.error(
                    (*path, "priority"),
                    f"bucket `{region}` is {what} but has a rule priority",
                    "remove `priority`: only buckets that receive copies have a rule",
                )
            continue
        if bucket.priority is None:
            if region not in with_priority:  # a written but invalid one is reported already
                fields.problems.error(
                    fields.key_at(path),
                    f"bucket `{region}` receives copies from `{source.region}` "
                    "but has no rule priority",
                    f"add `priority: {_next_priority(buckets)}` (the next free number)",
                )
            continue
        if bucket.priority in taken:
            fields.error(
                (*path, "priority"),
                f"priority {bucket.priority} is also the priority of bucket "
                f"`{taken[bucket.priority]}`",
                f"use the next free number, {_next_priority(buckets)}; "
                "existing priorities never change",
            )
            continue
        taken[bucket.priority] = region
        rule_id = names.fill_pattern(rule_pattern, source=source.region, region=region)
        rules.append(ReplicationRule(rule_id, bucket.priority, bucket))
    return tuple(sorted(rules, key=lambda rule: rule.priority))


def _next_priority(buckets: Mapping[str, S3Bucket]) -> int:
    return max((b.priority for b in buckets.values() if b.priority is not None), default=0) + 1


def _client_regions(
    fields: Fields, raw: Any, facts: RegionFacts, buckets: dict[str, S3Bucket]
) -> dict[str, str]:
    entries = fields.mapping(raw, ("client_regions",), what="`client_regions`")
    result: dict[str, str] = {}
    for client, target in (entries or {}).items():
        path = ("client_regions", client)
        if client not in facts.aws:
            fields.problems.error(
                fields.key_at(path),
                f"AWS has no region `{client}`",
                _region_hint(client, facts.aws, AWS_REGIONS_FACTS),
            )
            continue
        region = fields.text(target, path)
        if region is None:
            continue
        bucket = buckets.get(region)
        if bucket is None:
            fields.error(
                path,
                f"client region `{client}` is sent to `{region}`, which has no declared bucket",
                did_you_mean(region, buckets),
            )
            continue
        if not bucket.replicated:
            fields.error(
                path,
                f"client region `{client}` is sent to `{region}`, which is not replicated "
                "and holds stale content",
                "send these clients to a bucket in service nearby",
            )
            continue
        result[client] = region
    return result


def _region_hint(region: str, known: Iterable[str], facts_file: str) -> str:
    """The closest region's name, or where the known regions are listed (too many to name)."""
    hint = did_you_mean(region, known)
    if hint is None or not hint.startswith("did you mean"):
        return f"the regions it has are listed in infra/data/{facts_file}"
    return hint


def _pattern(
    fields: Fields, raw: Any, path: tuple[str, ...], allowed: set[str], required: set[str]
) -> str | None:
    pattern = fields.text(raw, path)
    if pattern is None:
        return None
    problem = names.pattern_problem(pattern, frozenset(allowed), frozenset(required))
    if problem:
        fields.error(path, *problem)
        return None
    return pattern


def _check_stack(
    settings: StackSettings, s3: S3Mirrors | None, problems: Problems
) -> MirrorSettings | None:
    """A stack that builds the mirrors: its setting, and its AWS account pin."""
    if settings.source is None:
        return None  # not read from a file: nothing to pin against
    document, config = settings.source.document, settings.source.config
    if s3 is not None:
        check_account_pin(
            s3.account_id,
            config.get(ALLOWED_ACCOUNTS_KEY),
            _key_position(document, config, ALLOWED_ACCOUNTS_KEY),
            problems,
        )
    if SETTINGS_KEY not in config:
        return None  # reported by the stack settings' own check (a required key)
    return parse_mirror_settings(
        config[SETTINGS_KEY], Fields(locate_in(document, "config", SETTINGS_KEY), problems)
    )


def _key_position(document: YamlDocument, config: Mapping[str, Any], key: str) -> Position:
    return document.key_at("config", key) if key in config else document.key_at("config")


def check_account_pin(account_id: str, allowed: Any, where: Position, problems: Problems) -> None:
    """The stack may touch only the account the bucket data names, and must say so."""
    pinned = allowed if isinstance(allowed, list) else None
    if pinned is None:
        problems.error(
            where,
            f"`{ALLOWED_ACCOUNTS_KEY}` must pin the mirrors' AWS account",
            f'set `{ALLOWED_ACCOUNTS_KEY}: ["{account_id}"]` so no other account '
            "can ever be changed",
        )
    elif [str(a) for a in pinned] != [account_id]:
        found = ", ".join(str(a) for a in pinned) or "nothing"
        problems.error(
            where,
            f"`{ALLOWED_ACCOUNTS_KEY}` allows {found}, but the buckets live in "
            f"account {account_id} ({S3_BUCKETS_FILE})",
            f'allow exactly ["{account_id}"], or correct `aws_account_id` in the data file',
        )
