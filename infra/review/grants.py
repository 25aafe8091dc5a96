"""Who is granted which role on which resource, read from a plan's IAM resources.

An IAM member or binding names its target by inputs (a repository by
project, location and id; a bucket by name; a service account by its
``projects/P/serviceAccounts/EMAIL`` id). The target is the planned resource
with those values, or, when the plan does not create it (a project managed
elsewhere), a label such as ``project k8s-artifacts-prod``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

Resource = Mapping[str, Any]
Key = tuple[str, ...]

_REPOSITORY = "gcp:artifactregistry/repository:Repository"
_BUCKET = "gcp:storage/bucket:Bucket"
_PROJECT = "gcp:organizations/project:Project"
_ACCOUNT = "gcp:serviceaccount/account:Account"
_RUN_SERVICE = "gcp:cloudrunv2/service:Service"
_DATASET = "gcp:bigquery/dataset:Dataset"


def _values(*names: str) -> Callable[[Mapping[str, Any]], Key]:
    return lambda inputs: tuple(str(inputs.get(n, "")) for n in names)


def _account_of(inputs: Mapping[str, Any]) -> Key:
    """``projects/P/serviceAccounts/NAME@...`` -> (P, NAME)."""
    parts = str(inputs.get("serviceAccountId", "")).split("/")
    if len(parts) == 4 and parts[0] == "projects":
        return (parts[1], parts[3].split("@")[0])
    return ("", "")


# IAM type -> (target type, the target's key from the IAM inputs, label of a target
# not in the plan)
_IAM: dict[str, tuple[str, Callable[[Mapping[str, Any]], Key], str]] = {
    "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember":
        (_REPOSITORY, _values("project", "location", "repository"), "repository"),
    "gcp:storage/bucketIAMMember:BucketIAMMember": (_BUCKET, _values("bucket"), "bucket"),
    "gcp:projects/iAMMember:IAMMember": (_PROJECT, _values("project"), "project"),
    "gcp:projects/iAMBinding:IAMBinding": (_PROJECT, _values("project"), "project"),
    "gcp:serviceaccount/iAMMember:IAMMember": (_ACCOUNT, _account_of, "service account"),
    "gcp:serviceaccount/iAMBinding:IAMBinding": (_ACCOUNT, _account_of, "service account"),
    "gcp:cloudrunv2/serviceIamMember:ServiceIamMember":
        (_RUN_SERVICE, _values("project", "location", "name"), "service"),
    "gcp:bigquery/datasetIamMember:DatasetIamMember":
        (_DATASET, _values("project", "datasetId"), "dataset"),
}  # fmt: skip
# How a target resource is keyed, the same way.
_TARGET_KEYS: dict[str, Callable[[Mapping[str, Any]], Key]] = {
    _REPOSITORY: _values("project", "location", "repositoryId"),
    _BUCKET: _values("name"),
    _PROJECT: _values("projectId"),
    _ACCOUNT: _values("project", "accountId"),
    _RUN_SERVICE: _values("project", "location", "name"),
    _DATASET: _values("project", "datasetId"),
}


@dataclass(frozen=True)
class Grant:
    iam_urn: str  # the IAM member or binding resource
    member: str
    role: str
    target_urn: str | None  # the planned resource it is granted on
    target_label: str  # what it is granted on, when not planned (or for people)


def is_grant(resource: Resource) -> bool:
    return str(resource.get("type")) in _IAM


Targets = Mapping[tuple[str, Key], str]  # (type, key) -> URN of a resource grants can name


def target_index(resources: Iterable[Resource]) -> Targets:
    """The resources of a plan that grants can be on, by type and key."""
    found = {}
    for resource in resources:
        keyed = _TARGET_KEYS.get(str(resource["type"]))
        if keyed is not None:
            found[(str(resource["type"]), keyed(resource["inputs"]))] = str(resource["urn"])
    return found


def grants(resources: list[Resource]) -> Iterator[Grant]:
    """Every (member, role, target) the plan's IAM resources grant."""
    targets = target_index(resources)
    for resource in resources:
        yield from grants_of(resource, targets)


def grants_of(resource: Resource, targets: Targets) -> Iterator[Grant]:
    entry = _IAM.get(str(resource["type"]))
    if entry is None:
        return
    target_type, key_of, kind = entry
    inputs = resource["inputs"]
    key = key_of(inputs)
    target = targets.get((target_type, key))
    label = f"{kind} {'/'.join(k for k in key if k)}"
    members = inputs.get("members") if "members" in inputs else [inputs.get("member")]
    role = str(inputs.get("role", ""))
    for member in members or []:
        if isinstance(member, str):
            yield Grant(str(resource["urn"]), member, role, target, label)
