"""The policy config: what the guard rails know of the declarations.

``k8s-infra policy check`` and ``k8s-infra preview`` (through
``--policy-pack-config``) give the policies the same JSON document, made
here from the declarations, so the offline check and a real preview judge
alike. Its shape is the pack config Pulumi reads: policy name -> that
policy's properties. What only a concern's model knows (its projects, its
groups, its own policies' settings) that concern tells, through the
catalog (``Concern.guardrails.facts``); what is written anywhere in the
declarations (members, pools, owners) and the reviewed allowances are read
here. No Pulumi import: it is built before any engine runs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infra import catalog
from infra.core.iam import MEMBER, PUBLIC_MEMBERS
from infra.core.problems import Problems
from infra.declarations.allowances import MEMBER as MEMBER_CHANGE
from infra.declarations.allowances import load_allowances

if TYPE_CHECKING:
    from infra.declarations.concern import Concern

# The generic policies' names: the keys of the config and of every report.
PUBLIC_GRANTS = "public-grants"
PRIVILEGED_ROLES = "privileged-roles"
SERVICE_ACCOUNT_KEYS = "no-service-account-keys"
UNIFORM_ACCESS = "uniform-bucket-access"
PRODUCTION_DATA = "production-data-protected"
MEMBER_SOURCES = "member-sources"
# The production-data config's list of production projects (a stable key: tools read it).
PRODUCTION_PROJECTS = "mirror_projects"

PRIVILEGED = frozenset({"roles/owner", "roles/editor"})
POOL_SUFFIX = ".svc.id.goog"
_POOL_IN_TEXT = re.compile(r"([a-z][a-z0-9-]*)\.svc\.id\.goog|workloadIdentityPools/([^/]+)/")
# A workload identity as infra.yaml writes it, without the `serviceAccount:` prefix.
_BARE_IDENTITY = re.compile(r"[a-z][a-z0-9-]*\.svc\.id\.goog\[[^\]/]+/[^\]/]+\]")


def policy_config(
    root: Path, problems: Problems, concerns: Sequence[Concern] | None = None
) -> dict[str, dict[str, Any]]:
    """The config of every policy, from the declarations under ``root`` and what each
    concern (the catalog's, unless given) tells of its own."""
    from infra.catalog.validation import load_declarations

    declarations = load_declarations(root, problems)
    if declarations is None:
        return {}
    literal = _Literals()
    literal.walk(declarations.estate.document.data, ())
    for settings in declarations.stacks.values():
        literal.walk(dict(settings.values), ())
    told = [
        c.guardrails.facts(declarations)
        for c in (catalog.CONCERNS if concerns is None else concerns)
    ]
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
    config: dict[str, dict[str, Any]] = {
        PUBLIC_GRANTS: {"declared": public},
        PRIVILEGED_ROLES: {"allowed": sorted(literal.privileged)},
        PRODUCTION_DATA: {
            PRODUCTION_PROJECTS: sorted({p for f in told for p in f.production_projects})
        },
        MEMBER_SOURCES: {
            "groups": sorted({g for f in told for g in f.groups}),
            "projects": sorted({p for f in told for p in f.projects}),
            "listed": sorted(literal.members),
            "pools": sorted(literal.pools),
            "people": people,
        },
    }
    for facts in told:
        config.update({name: dict(settings) for name, settings in facts.own.items()})
    return config


def write_policy_config(root: Path, target: Path, problems: Problems) -> dict[str, dict[str, Any]]:
    config = policy_config(root, problems)
    target.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return config


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
