"""Every name derived from a declaration, computed in one place.

Buckets, repositories, groups, service accounts and endpoints are derived
from project and registry names with the rules below; components and
validation both call these functions, so a rule changes in one place.
"""

from __future__ import annotations

import re

STAGING_PREFIX = "k8s-staging-"
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
        return (
            f"project id `{project_id}` may hold only lowercase letters, digits and hyphens",
            f"write `{_suggest_id(project_id)}`",
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


def _suggest_id(project_id: str) -> str:
    return re.sub(r"[^a-z0-9-]", "-", project_id.lower())


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
