"""IAM roles and members as declarations write them, checked in one place.

Every check matches the whole value: `roles/viewer\\n` is not a role.
"""

from __future__ import annotations

import re

ROLE = re.compile(
    r"(roles|projects/[a-z][a-z0-9-]*/roles|organizations/[0-9]+/roles)/[A-Za-z0-9._]+"
)
MEMBER = re.compile(
    r"(user|group|serviceAccount|domain):[^\s:]+|allUsers|allAuthenticatedUsers"
    r"|principal(Set)?://\S+"
)
MEMBER_FORMS = "group:/user:/serviceAccount:<address>, allUsers, allAuthenticatedUsers"
PUBLIC_MEMBERS = frozenset({"allUsers", "allAuthenticatedUsers"})

# How declarations write IAM: an authoritative map (each role's members are exactly
# these) is always named IAM_MAP; additive grants are a GRANTS list of
# {member, roles, on} entries, `on` naming the target.
IAM_MAP = "iam"
GRANTS = "grants"
GRANT_KEYS = ("member", "roles", "on")

# Members a declaration may name by symbol; the concern that reads it resolves each.
WRITERS = "writers"  # the project's writer group
ARTIFACT_ADMINS = "artifact-admins"  # the stack's artifact administrators
PROW_BUILDER = "prow-builder"  # the stack's prow builder account
CLOUDBUILD = "cloudbuild"  # the project's Cloud Build service account
REGISTRY_WRITERS = "registry-writers"  # every writer of the project's registries
ACCOUNT_PREFIX = "sa:"  # `sa:<account-id>`: an account the project declares


def is_member(value: object) -> bool:
    return isinstance(value, str) and MEMBER.fullmatch(value) is not None


def group_address(member: str) -> str | None:
    """The group a member names, if it names one."""
    return member.removeprefix("group:") if member.startswith("group:") else None


# The member kinds whose value is an e-mail address (or a domain), which IAM
# compares without case and returns in lowercase.
_ADDRESS_KINDS = ("user", "group", "serviceAccount", "domain")


def canonical_member(member: str) -> str:
    """``member`` as IAM stores it: the address (or domain) after its kind in lowercase.

    Other forms (``allUsers``, principal URIs) are kept as written.
    """
    kind, colon, address = member.partition(":")
    if colon and kind in _ADDRESS_KINDS:
        return f"{kind}:{address.lower()}"
    return member
