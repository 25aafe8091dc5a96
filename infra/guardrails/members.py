"""Where an IAM member may come from: the estate's kinds of member, each from a known source.

Pure functions over the member-sources config (see ``settings``): a group
declared under groups/, a service account of a project this program builds,
a Cloud Build account or log-sink writer Google derives from a project
number, a workload identity of a declared Prow pool, or a member the
declarations list literally (cross-project accounts and principals).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from infra.core.iam import PUBLIC_MEMBERS

_CREATED_ACCOUNT = re.compile(r"[a-z][a-z0-9-]*@([a-z][a-z0-9-]*)\.iam\.gserviceaccount\.com")
# Identities Google derives from a project's number, which no declaration can
# name: the Cloud Build account, and the writer identity of a log sink.
_DERIVED = (
    re.compile(r"[0-9]+@cloudbuild\.gserviceaccount\.com"),
    re.compile(r"service-[0-9]+@gcp-sa-logging\.iam\.gserviceaccount\.com"),
)
_IDENTITY = re.compile(r"([a-z][a-z0-9-]*)\.svc\.id\.goog\[[^\]/]+/[^\]/]+\]")
_PRINCIPAL = re.compile(
    r"principal://iam\.googleapis\.com/projects/[0-9]+/locations/global/"
    r"workloadIdentityPools/([a-z][a-z0-9-]*)\.svc\.id\.goog/subject/ns/[^/]+/sa/[^/]+"
)
# The container analysis service agent: upstream removed its binding from every
# staging project; no scanning runs here, so nothing may grant it anything.
SCANNING_AGENT = re.compile(r"service-[0-9]+@container-analysis\.iam\.gserviceaccount\.com")


Binding = tuple[str, str, str | None]  # stack, resource name, role


def source_problem(
    member: str, config: Mapping[str, Any], binding: Binding | None = None
) -> tuple[str, str] | None:
    """Why ``member`` comes from no known source, with a fix; None when it does.

    A person or a domain (``user:``, ``domain:``) is refused wherever it is
    written, unless a ``member`` allowance names this very binding.
    """
    kind, _, value = member.partition(":")
    if kind in ("user", "domain"):
        return _person_problem(member, config, binding)
    if member in PUBLIC_MEMBERS or member in config.get("listed", ()):
        return None
    if kind == "group":
        return _group_problem(value, config)
    if kind == "serviceAccount":
        return _account_problem(value, config)
    if kind == "principal":
        return _principal_problem(member, config)
    return (f"`{member}` is not a kind of member the estate uses",
            "grant a declared group or a service account this program creates")  # fmt: skip


def _person_problem(
    member: str, config: Mapping[str, Any], binding: Binding | None
) -> tuple[str, str] | None:
    if binding is not None:
        stack, resource, role = binding
        for entry in config.get("people", ()):
            if (entry.get("stack"), entry.get("resource"), entry.get("member"),
                    entry.get("role")) == (stack, resource, member, role):  # fmt: skip
                return None
    what = "a whole domain" if member.startswith("domain:") else "people"
    return (f"`{member}`: {what} get access through groups, not one by one",
            "add the person to a group declared under groups/ and grant the group; only a "
            "`member` entry of infra/allowed-changes.yaml naming this binding (stack, "
            "resource, member, role) and its reason lets it through")  # fmt: skip


def _principal_problem(member: str, config: Mapping[str, Any]) -> tuple[str, str] | None:
    found = _PRINCIPAL.fullmatch(member)
    if found and found.group(1) in config.get("pools", ()):
        return None
    return (f"principal `{member}` is no workload identity of a declared Prow pool",
            "list it in the stack config that grants it")  # fmt: skip


def _group_problem(address: str, config: Mapping[str, Any]) -> tuple[str, str] | None:
    if address.lower() in config.get("groups", ()):
        return None
    return (f"group `{address}` is declared in no groups.yaml under groups/",
            "declare the group under groups/, or grant a declared one")  # fmt: skip


def _account_problem(email: str, config: Mapping[str, Any]) -> tuple[str, str] | None:
    if SCANNING_AGENT.fullmatch(email):
        return (f"`{email}` is the container analysis service agent; scanning is refused",
                "remove the grant (upstream removed it from staging projects)")  # fmt: skip
    created = _CREATED_ACCOUNT.fullmatch(email)
    if created and created.group(1) in config.get("projects", ()):
        return None
    if any(pattern.fullmatch(email) for pattern in _DERIVED):
        return None
    identity = _IDENTITY.fullmatch(email)
    if identity and identity.group(1) in config.get("pools", ()):
        return None
    return (f"service account `{email}` is neither created by this program nor listed "
            "in the declarations",
            "create it in the stack, or name it in the stack config (cross-project)")  # fmt: skip
