"""The policy config: what the guard rails know of the declarations.

``k8s-infra policy check`` and ``k8s-infra preview`` (through
``--policy-pack-config``) give the policies the same JSON document, made
here from the declarations, so the offline check and a real preview judge
alike. Its shape is the pack config Pulumi reads: policy name -> that
policy's properties. No Pulumi import: it is built before any engine runs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from infra.core.iam import MEMBER, PUBLIC_MEMBERS
from infra.core.problems import Problems
from infra.review.allowances import MEMBER as MEMBER_CHANGE
from infra.review.allowances import load_allowances

# The policies' names: the keys of the config and of every report.
PUBLIC_GRANTS = "public-grants"
PRIVILEGED_ROLES = "privileged-roles"
SERVICE_ACCOUNT_KEYS = "no-service-account-keys"
UNIFORM_ACCESS = "uniform-bucket-access"
S3_HARDENING = "s3-bucket-hardening"
PRODUCTION_DATA = "production-data-protected"
SCANNING_APIS = "no-scanning-apis"
PINNED_IMAGE = "proxy-image-pinned"
BEHIND_ARMOR = "proxy-behind-armor"
MEMBER_SOURCES = "member-sources"

PRIVILEGED = frozenset({"roles/owner", "roles/editor"})
POOL_SUFFIX = ".svc.id.goog"
_POOL_IN_TEXT = re.compile(r"([a-z][a-z0-9-]*)\.svc\.id\.goog|workloadIdentityPools/([^/]+)/")
# A workload identity as infra.yaml writes it, without the `serviceAccount:` prefix.
_BARE_IDENTITY = re.compile(r"[a-z][a-z0-9-]*\.svc\.id\.goog\[[^\]/]+/[^\]/]+\]")


def policy_config(root: Path, problems: Problems) -> dict[str, dict[str, Any]]:
    """The config of every policy, from the declarations under ``root``."""
    from infra.staging.model import refused_services
    from infra.validation import load_declarations

    declarations = load_declarations(root, problems)
    if declarations is None:
        return {}
    literal = _Literals()
    literal.walk(declarations.estate.document.data, ())
    for settings in declarations.stacks.values():
        literal.walk(dict(settings.values), ())
    groups = declarations.models.get("groups")
    addresses = sorted(g.email.lower() for g in getattr(groups, "groups", ()))
    allowances = load_allowances(root, problems)
    public = [
        {"stack": a.stack, "type": a.type, "properties": dict(a.properties), "role": a.role}
        for a in allowances
        if a.change == "public" and a.standing and a.type is not None
    ]
    people = [
        {"stack": a.stack, "resource": a.resource, "member": a.member, "role": a.role}
        for a in allowances
        if a.change == MEMBER_CHANGE and a.member is not None
    ]
    return {
        PUBLIC_GRANTS: {"declared": public},
        PRIVILEGED_ROLES: {"allowed": sorted(literal.privileged)},
        PRODUCTION_DATA: {"mirror_projects": sorted(_mirror_projects(declarations.models))},
        SCANNING_APIS: {"refused": sorted(refused_services())},
        MEMBER_SOURCES: {
            "groups": addresses,
            "projects": sorted(_built_projects(declarations)),
            "listed": sorted(literal.members),
            "pools": sorted(literal.pools),
            "people": people,
        },
    }


def write_policy_config(root: Path, target: Path, problems: Problems) -> dict[str, dict[str, Any]]:
    config = policy_config(root, problems)
    target.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return config


def _mirror_projects(models: Mapping[str, object]) -> set[str]:
    mirrors = models.get("registry-mirrors")
    registry = getattr(mirrors, "artifact_registry", None)
    project = getattr(registry, "project", None)
    return {project} if isinstance(project, str) else set()


def _built_projects(declarations: Any) -> set[str]:
    """Projects whose service accounts this program creates: staging ones, the
    shared staging registries' projects, the mirrors' and the proxy's."""
    found: set[str] = set()
    for section in ("staging", "staging-images"):
        found |= {p.project_id for p in declarations.estate.projects(section)}
    found |= _mirror_projects(declarations.models)
    for settings in declarations.stacks.values():
        proxy = settings.object("proxy")
        if isinstance(proxy.get("project"), str):
            found.add(proxy["project"])
    return found


class _Literals:
    """Members and pools written literally anywhere in the declarations."""

    def __init__(self) -> None:
        self.members: set[str] = set()
        self.pools: set[str] = set()
        self.privileged: set[str] = set()

    def walk(self, value: Any, keys: tuple[str, ...]) -> None:
        if isinstance(value, Mapping):
            self._grant(value)
            for key, item in value.items():
                self.walk(item, (*keys, str(key)))
        elif isinstance(value, list | tuple):
            for item in value:
                self.walk(item, keys)
        elif isinstance(value, str):
            self._text(value, keys)

    def _text(self, text: str, keys: tuple[str, ...]) -> None:
        member = f"serviceAccount:{text}" if _BARE_IDENTITY.fullmatch(text) else text
        if keys and keys[-1] == "workload_identity_pool":
            self.pools.add(text.removesuffix(POOL_SUFFIX))
        for match in _POOL_IN_TEXT.finditer(text):
            self.pools.add((match.group(1) or match.group(2)).removesuffix(POOL_SUFFIX))
        if not MEMBER.fullmatch(member) or member in PUBLIC_MEMBERS:
            return
        # groups come from groups/; people and domains only from an allowance naming
        # the binding, never from being written somewhere
        if not member.startswith(("group:", "user:", "domain:")):
            self.members.add(member)
        if keys and (keys[-1] in PRIVILEGED or keys[-1] == "owner"):
            self.privileged.add(member)

    def _grant(self, grant: Mapping[str, Any]) -> None:
        """``{member: ..., roles: [...]}``, the grant shape of infra.yaml and the profiles."""
        member, roles = grant.get("member"), grant.get("roles")
        if isinstance(member, str) and isinstance(roles, list) and PRIVILEGED & set(roles):
            self.privileged.add(member)
