"""Every name derived from a declaration, computed in one place.

Buckets, repositories, groups, service accounts and endpoints are derived
from project and registry names with the rules below; components and
validation both call these functions, so a rule changes in one place.
"""

from __future__ import annotations

import re

STAGING_PREFIX = "k8s-staging-"
STAGING_GROUP_PREFIX = "k8s-infra-staging-"  # writer groups: <prefix><name>@<domain>
STAGING_SUFFIX_MAX = 18  # 30-character project ids minus the 12-character prefix
PROJECT_ID_MIN, PROJECT_ID_MAX = 6, 30
SERVICE_ACCOUNT_ID_MIN, SERVICE_ACCOUNT_ID_MAX = 6, 30
BUCKET_NAME_MAX = 63

_PROJECT_ID_CHARS = re.compile(r"^[a-z0-9-]+$")
_SERVICE_ACCOUNT_ID = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])$")


def project_id_problem(project_id: str) -> tuple[str, str] | None:
    """Why ``project_id`` breaks GCP's project id rules, with a fix; None when it is valid."""
    n = len(project_id)
    if not PROJECT_ID_MIN <= n <= PROJECT_ID_MAX:
        return (
            f"project id `{project_id}` has {n} characters; "
            f"GCP allows {PROJECT_ID_MIN} to {PROJECT_ID_MAX}",
            "pick a shorter or longer id; a project id can never be renamed later",
        )
    if not _PROJECT_ID_CHARS.match(project_id):
        suggestion = _suggest_id(project_id)
        return (
            f"project id `{project_id}` may hold only lowercase letters, digits and hyphens",
            f"write `{suggestion}`"
            if suggestion
            else "write lowercase letters, digits and hyphens, starting with a letter",
        )
    if not project_id[0].isalpha():
        return (
            f"project id `{project_id}` must start with a lowercase letter",
            "put a letter first",
        )
    if project_id.endswith("-"):
        return (
            f"project id `{project_id}` must not end with a hyphen",
            f"write `{project_id.rstrip('-')}`",
        )
    return None


def _suggest_id(project_id: str) -> str | None:
    """A valid id close to ``project_id`` (other characters made hyphens, none at the
    ends, a letter first); None when there is none."""
    cleaned = re.sub(r"[^a-z0-9-]", "-", project_id.lower()).strip("-").lstrip("0123456789-")
    return cleaned if cleaned and project_id_problem(cleaned) is None else None


def staging_suffix(project_id: str) -> str:
    """``k8s-staging-foo`` -> ``foo``."""
    return project_id.removeprefix(STAGING_PREFIX)


def staging_suffix_problem(project_id: str) -> tuple[str, str] | None:
    suffix = staging_suffix(project_id)
    if project_id.startswith(STAGING_PREFIX) and len(suffix) > STAGING_SUFFIX_MAX:
        return (
            f"staging name `{suffix}` has {len(suffix)} characters; at most "
            f"{STAGING_SUFFIX_MAX} fit after `{STAGING_PREFIX}` in a project id "
            "and in the writer group's address",
            "shorten the name (upstream renamed cluster-inventory-api to cluster-inv-api)",
        )
    return None


STAGING_NAME_RULE = re.compile(r"[a-z]([a-z0-9-]*[a-z0-9])?")
REGISTRY_NAME_MAX = 63  # Artifact Registry repository ids
SHOWN_MAX = 100  # a name longer than this is echoed cut, with its length


def shown(name: str) -> str:
    """``name`` as an error message may quote it: escaped, and cut when long."""
    escaped = name.encode("unicode_escape").decode("ascii")
    if len(escaped) <= SHOWN_MAX:
        return escaped
    return f"{escaped[:SHOWN_MAX]}... ({len(name)} characters)"


def staging_name(
    given: str, *, longest: int = STAGING_SUFFIX_MAX
) -> tuple[str, tuple[str, str] | None]:
    """The staging name ``given`` means (``k8s-staging-foo`` and ``foo`` are ``foo``), and
    why it breaks the one rule for names an operator types, with a fix (None: it is valid).

    The rule: lowercase letters, digits and hyphens, a letter first and no hyphen
    last (so no path separator, dot, space or control character), at most
    ``longest`` characters (the project id and the writer group's address must fit).
    """
    name = staging_suffix(given)
    if not name:
        return name, (
            f"`{shown(given)}` is not a staging name: it is empty",
            "name the subproject (`foo` or `k8s-staging-foo`)",
        )
    if len(name) > longest:
        return name, (
            f"`{shown(name)}` has {len(name)} characters; a staging name has at most {longest}",
            f"the project id {STAGING_PREFIX}<name> and the group "
            f"{STAGING_GROUP_PREFIX}<name> must fit their limits; shorten it "
            "(upstream renamed cluster-inventory-api to cluster-inv-api)",
        )
    if not STAGING_NAME_RULE.fullmatch(name):
        return name, (
            f"`{shown(name)}` is not a staging name",
            "use lowercase letters, digits and hyphens, starting with a letter and not "
            "ending with a hyphen",
        )
    return name, None


def service_account_id_problem(account_id: str) -> str | None:
    n = len(account_id)
    if not SERVICE_ACCOUNT_ID_MIN <= n <= SERVICE_ACCOUNT_ID_MAX:
        return (
            f"service account id `{account_id}` has {n} characters; "
            f"GCP allows {SERVICE_ACCOUNT_ID_MIN} to {SERVICE_ACCOUNT_ID_MAX}"
        )
    if not _SERVICE_ACCOUNT_ID.match(account_id):
        return (
            f"service account id `{account_id}` must start with a lowercase letter and hold "
            "only lowercase letters, digits and hyphens, not ending with a hyphen"
        )
    return None


# Registry mirrors: S3 buckets, their endpoints and replication rules,
# Artifact Registry addresses and the identities that write to both.
# Patterns come from the mirror data files; these functions fill them in.

S3_BUCKET_MIN = 3
IAM_ROLE_NAME_MAX = 64
_S3_BUCKET = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")
_IAM_NAME = re.compile(r"^[\w+=,.@-]+$")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def pattern_problem(
    pattern: str, allowed: frozenset[str], required: frozenset[str]
) -> tuple[str, str] | None:
    """Why a name pattern with ``{placeholders}`` cannot be filled in, with a fix."""
    used = set(_PLACEHOLDER.findall(pattern))
    unknown = sorted(used - allowed)
    if unknown:
        return (
            f"pattern `{pattern}` has the unknown placeholder `{{{unknown[0]}}}`",
            "placeholders here: " + ", ".join(f"`{{{a}}}`" for a in sorted(allowed)),
        )
    missing = sorted(required - used)
    if missing:
        return (
            f"pattern `{pattern}` lacks `{{{missing[0]}}}`",
            f"every name must differ by its `{{{missing[0]}}}`",
        )
    return None


def fill_pattern(pattern: str, **values: str) -> str:
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], pattern)


def s3_bucket_name_problem(name: str) -> tuple[str, str] | None:
    """Why ``name`` cannot be a public mirror bucket's name, with a fix."""
    n = len(name)
    if not S3_BUCKET_MIN <= n <= BUCKET_NAME_MAX:
        return (
            f"bucket name `{name}` has {n} characters; S3 allows {S3_BUCKET_MIN} "
            f"to {BUCKET_NAME_MAX}",
            "shorten the name or the name pattern",
        )
    if "." in name:
        return (
            f"bucket name `{name}` has a dot",
            "clients reach buckets by HTTPS virtual-host names, whose certificate "
            "does not cover dotted names; use hyphens",
        )
    if not _S3_BUCKET.match(name):
        return (
            f"bucket name `{name}` may hold only lowercase letters, digits and hyphens, "
            "starting and ending with a letter or digit",
            f"write `{re.sub(r'[^a-z0-9-]', '-', name.lower()).strip('-')}`",
        )
    return None


def s3_bucket_arn(name: str) -> str:
    return f"arn:aws:s3:::{name}"


def iam_name_problem(name: str, what: str) -> tuple[str, str] | None:
    """Why ``name`` cannot name an IAM role or policy, with a fix."""
    if not 1 <= len(name) <= IAM_ROLE_NAME_MAX or not _IAM_NAME.match(name):
        return (
            f"{what} `{name}` is not a valid IAM name",
            f"use up to {IAM_ROLE_NAME_MAX} letters, digits and `+=,.@_-`",
        )
    return None


def service_account_email(account_id: str, project: str) -> str:
    return f"{account_id}@{project}.iam.gserviceaccount.com"


def workload_identity_principal(
    project_number: str, pool: str, namespace: str, kubernetes_account: str
) -> str:
    """The IAM principal of a Kubernetes service account in a GKE workload identity pool."""
    return (
        f"principal://iam.googleapis.com/projects/{project_number}/locations/global/"
        f"workloadIdentityPools/{pool}/subject/ns/{namespace}/sa/{kubernetes_account}"
    )


def kubernetes_token_subject(namespace: str, kubernetes_account: str) -> str:
    """The ``sub`` claim of a Kubernetes service account's token."""
    return f"system:serviceaccount:{namespace}:{kubernetes_account}"


def oidc_provider_host(issuer_url: str) -> str:
    """The issuer without its scheme: how IAM names the provider and its claim keys."""
    return issuer_url.removeprefix("https://")


def staging_bucket(project_id: str) -> str:
    """The staging project's bucket for manual artifacts: ``gs://k8s-staging-<name>``."""
    return project_id


def staging_gcb_bucket(project_id: str) -> str:
    """The bucket Cloud Build stages sources and logs in."""
    return f"{project_id}-gcb"


def staging_writer_group(name: str, domain: str) -> str:
    """Writers of a staging project or registry: ``k8s-infra-staging-<name>@<domain>``."""
    return f"{STAGING_GROUP_PREFIX}{name}@{domain}"


def slug(text: str) -> str:
    """A resource-name part: lowercase letters, digits and single hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def member_slug(member: str) -> str:
    """``group:k8s-infra-foo@kubernetes.io`` -> ``group-k8s-infra-foo`` (the domain dropped)."""
    return slug(member.split("@", maxsplit=1)[0])


def registry_build_account(registry: str) -> str:
    """The build account of a shared staging registry: ``<name[:27]>-sa``."""
    return f"{registry[:27]}-sa"


def cloudbuild_member(project_number: str) -> str:
    """A project's Cloud Build service account, derived from its number."""
    return f"serviceAccount:{project_number}@cloudbuild.gserviceaccount.com"
