"""The ``k8s-infra:mirrors`` stack setting: who may do what to the mirrors.

The mirror data files say what exists where (regions, buckets); this
setting says who administers, writes and audits them: the project's APIs and
role grants, the promoter's service accounts and their workload identity,
audit logs, the per-user request quota, and the AWS writer role with the
identities it trusts. Only the stack that builds the mirrors needs it.

    k8s-infra:mirrors:
      services: [<api>.googleapis.com, ...]
      iam: {roles/<role>: [<member>, ...]}                # authoritative per role
      audit_logs: {<api>.googleapis.com: [DATA_READ, ...]}
      workload_identity_pool: {project_number: "<n>", pool: <project>.svc.id.goog}
      service_accounts:
        <account id>:
          display_name: <text>
          project_roles: [roles/<role>, ...]               # merged into iam
          kubernetes_service_accounts: [<namespace>/<name>, ...]
      quota_overrides:
        <key>: {service: <api>, metric: <metric>, limit: /min/project/user, value: <n>}
      s3_writer:
        role: <IAM role name>
        policy: <inline policy name>
        max_session_hours: 1..12
        tags: {<key>: <value>}
        oidc_issuer: https://...
        oidc_audience: sts.amazonaws.com
        kubernetes_service_accounts: [<namespace>/<name>]
        trusted_services: [s3.amazonaws.com, ...]
        actions: [s3:..., ...]
        legacy_principals_enabled: true|false
        legacy_principals: [arn:aws:iam::<account>:root|user/<name>|role/<name>]

``project_iam``, the map's former name, is still read, with a warning.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from infra.core import iam, names
from infra.core.fields import NUMERIC_ID, FieldPath, Fields

# The authoritative map's former name, read with a deprecation warning.
OLD_IAM_MAP = "project_iam"
TOP_KEYS = frozenset(
    {
        "services",
        iam.IAM_MAP,
        OLD_IAM_MAP,
        "audit_logs",
        "workload_identity_pool",
        "service_accounts",
        "quota_overrides",
        "s3_writer",
    }
)
POOL_KEYS = frozenset({"project_number", "pool"})
ACCOUNT_KEYS = frozenset({"display_name", "project_roles", "kubernetes_service_accounts"})
QUOTA_KEYS = frozenset({"service", "metric", "limit", "value"})
WRITER_KEYS = frozenset(
    {
        "role",
        "policy",
        "max_session_hours",
        "tags",
        "oidc_issuer",
        "oidc_audience",
        "kubernetes_service_accounts",
        "trusted_services",
        "actions",
        "legacy_principals_enabled",
        "legacy_principals",
    }
)
WRITER_REQUIRED = WRITER_KEYS - {"tags", "legacy_principals", "legacy_principals_enabled"}
AUDIT_LOG_TYPES = ("ADMIN_READ", "DATA_READ", "DATA_WRITE")
MAX_SESSION_HOURS = 12  # the longest session IAM allows a role

_KSA = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?/[a-z0-9]([-.a-z0-9]*[a-z0-9])?")
_QUOTA_KEY = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_METRIC = re.compile(r"[a-z0-9.-]+\.googleapis\.com/[A-Za-z0-9_/]+")
_LIMIT = re.compile(r"(/[a-z]+)+")
_HTTPS = re.compile(r"https://[^\s/]+(/\S*)?")
_AWS_SERVICE = re.compile(r"[a-z0-9.-]+\.amazonaws\.com")
_ACTION = re.compile(r"[a-z0-9-]+:[A-Za-z*]+")
_PRINCIPAL = re.compile(r"arn:aws:iam::[0-9]{12}:(root|user/[\w+=,.@/-]+|role/[\w+=,.@/-]+)")


@dataclass(frozen=True)
class KubernetesAccount:
    namespace: str
    name: str

    @classmethod
    def parse(cls, text: str) -> KubernetesAccount:
        namespace, _, name = text.partition("/")
        return cls(namespace, name)


@dataclass(frozen=True)
class WorkloadIdentityPool:
    project_number: str
    pool: str

    def principal(self, account: KubernetesAccount) -> str:
        return names.workload_identity_principal(
            self.project_number, self.pool, account.namespace, account.name
        )


@dataclass(frozen=True)
class ServiceAccountSpec:
    account_id: str
    display_name: str
    project_roles: tuple[str, ...] = ()
    kubernetes_service_accounts: tuple[KubernetesAccount, ...] = ()


@dataclass(frozen=True)
class QuotaOverride:
    key: str
    service: str
    metric: str
    limit: str
    value: int


@dataclass(frozen=True)
class S3WriterSettings:
    role: str
    policy: str
    max_session_hours: int
    tags: Mapping[str, str]
    oidc_issuer: str
    oidc_audience: str
    kubernetes_service_accounts: tuple[KubernetesAccount, ...]
    trusted_services: tuple[str, ...]
    actions: tuple[str, ...]
    legacy_principals_enabled: bool
    legacy_principals: tuple[str, ...]

    @property
    def trusted_legacy_principals(self) -> tuple[str, ...]:
        """The legacy principals the role trusts: none once the flag is off."""
        return self.legacy_principals if self.legacy_principals_enabled else ()


@dataclass(frozen=True)
class MirrorSettings:
    services: tuple[str, ...]
    project_iam: Mapping[str, tuple[str, ...]]
    audit_logs: Mapping[str, tuple[str, ...]]
    workload_identity_pool: WorkloadIdentityPool | None
    service_accounts: Mapping[str, ServiceAccountSpec]
    quota_overrides: Mapping[str, QuotaOverride]
    s3_writer: S3WriterSettings

    def project_roles(self) -> list[str]:
        """Every role granted on the project, from `iam` and the accounts, sorted."""
        roles = set(self.project_iam)
        for account in self.service_accounts.values():
            roles.update(account.project_roles)
        return sorted(roles)

    def accounts_holding(self, role: str) -> list[str]:
        return sorted(
            a.account_id for a in self.service_accounts.values() if role in a.project_roles
        )


def _iam_map(top: Mapping[str, Any], fields: Fields) -> tuple[Any, FieldPath]:
    """The authoritative map and where it is written, under its name or its former one."""
    if OLD_IAM_MAP not in top:
        return top.get(iam.IAM_MAP, {}), (iam.IAM_MAP,)
    if iam.IAM_MAP in top:
        fields.key_error(
            (OLD_IAM_MAP,),
            f"`{OLD_IAM_MAP}` and `{iam.IAM_MAP}` are the same map, written twice",
            f"merge `{OLD_IAM_MAP}` into `{iam.IAM_MAP}`",
        )
        return top[iam.IAM_MAP], (iam.IAM_MAP,)
    fields.key_warning(
        (OLD_IAM_MAP,),
        f"`{OLD_IAM_MAP}` is deprecated: the authoritative map is named `{iam.IAM_MAP}`",
        f"rename `{OLD_IAM_MAP}` to `{iam.IAM_MAP}`; its content stays as it is",
    )
    return top[OLD_IAM_MAP], (OLD_IAM_MAP,)


def parse_mirror_settings(raw: Any, fields: Fields) -> MirrorSettings | None:
    """Check the setting's value (as YAML or as the JSON pulumi.Config decodes) and build it."""
    top = fields.mapping(raw, (), TOP_KEYS, required=("s3_writer",), what="`k8s-infra:mirrors`")
    if top is None:
        return None
    services = fields.services(top.get("services", []), ("services",))
    project_iam = _role_members(*_iam_map(top, fields), fields)
    audit_logs = _audit_logs(top.get("audit_logs", {}), ("audit_logs",), fields)
    pool = _pool(top.get("workload_identity_pool"), ("workload_identity_pool",), fields)
    accounts = _accounts(top.get("service_accounts", {}), ("service_accounts",), fields)
    for account_id, spec in accounts.items():
        if spec.kubernetes_service_accounts and pool is None:
            fields.error(
                ("service_accounts", account_id, "kubernetes_service_accounts"),
                f"service account `{account_id}` trusts Kubernetes service accounts, "
                "but no `workload_identity_pool` is set",
                "set workload_identity_pool: {project_number, pool} of the cluster's project",
            )
    quotas = _quotas(top.get("quota_overrides", {}), ("quota_overrides",), fields)
    writer = _writer(top.get("s3_writer"), ("s3_writer",), fields)
    if writer is None:
        return None
    return MirrorSettings(
        services=services,
        project_iam=MappingProxyType(project_iam),
        audit_logs=MappingProxyType(audit_logs),
        workload_identity_pool=pool,
        service_accounts=MappingProxyType(accounts),
        quota_overrides=MappingProxyType(quotas),
        s3_writer=writer,
    )


def _role_members(raw: Any, path: FieldPath, fields: Fields) -> dict[str, tuple[str, ...]]:
    grants = fields.mapping(raw, path)
    result: dict[str, tuple[str, ...]] = {}
    for role, members in (grants or {}).items():
        if fields.role(role, (*path, role)) is None:
            continue
        found = fields.texts(
            members, (*path, role), iam.MEMBER, f"an IAM member ({iam.MEMBER_FORMS})"
        )
        if found:
            result[role] = found
        elif isinstance(members, list):
            fields.error(
                (*path, role),
                f"role `{role}` has no members",
                "an authoritative grant with no members would strip the role from everyone; "
                "remove the role instead",
            )
    return result


def _audit_logs(raw: Any, path: FieldPath, fields: Fields) -> dict[str, tuple[str, ...]]:
    configs = fields.mapping(raw, path)
    result: dict[str, tuple[str, ...]] = {}
    log_type = re.compile("|".join(AUDIT_LOG_TYPES))
    for service, types in (configs or {}).items():
        if fields.service(service, (*path, service)) is None:
            continue
        found = fields.texts(types, (*path, service), log_type, " or ".join(AUDIT_LOG_TYPES))
        if found:
            result[service] = found
    return result


def _pool(raw: Any, path: FieldPath, fields: Fields) -> WorkloadIdentityPool | None:
    if raw is None:
        return None
    pool = fields.mapping(raw, path, POOL_KEYS, required=POOL_KEYS)
    if pool is None:
        return None
    number = fields.text(
        pool.get("project_number"), (*path, "project_number"), NUMERIC_ID, "a quoted project number"
    )
    name = fields.text(pool.get("pool"), (*path, "pool"))
    if number is None or name is None:
        return None
    return WorkloadIdentityPool(number, name)


def _accounts(raw: Any, path: FieldPath, fields: Fields) -> dict[str, ServiceAccountSpec]:
    accounts = fields.mapping(raw, path)
    result: dict[str, ServiceAccountSpec] = {}
    for account_id, body in (accounts or {}).items():
        where = (*path, account_id)
        problem = names.service_account_id_problem(account_id)
        if problem:
            fields.problems.error(fields.key_at(where), problem, "pick another account id")
            continue
        spec = fields.mapping(
            {} if body is None else body, where, ACCOUNT_KEYS, what=f"account `{account_id}`"
        )
        if spec is None:
            continue
        display = spec.get("display_name", account_id)
        result[account_id] = ServiceAccountSpec(
            account_id=account_id,
            display_name=fields.text(display, (*where, "display_name")) or account_id,
            project_roles=fields.texts(
                spec.get("project_roles", []), (*where, "project_roles"), iam.ROLE, "an IAM role"
            ),
            kubernetes_service_accounts=tuple(
                KubernetesAccount.parse(t)
                for t in fields.texts(
                    spec.get("kubernetes_service_accounts", []),
                    (*where, "kubernetes_service_accounts"),
                    _KSA,
                    "`<namespace>/<service account>`",
                )
            ),
        )
    return result


def _quotas(raw: Any, path: FieldPath, fields: Fields) -> dict[str, QuotaOverride]:
    overrides = fields.mapping(raw, path)
    result: dict[str, QuotaOverride] = {}
    for key, body in (overrides or {}).items():
        where = (*path, key)
        if fields.text(key, where, _QUOTA_KEY, "a lowercase key with hyphens") is None:
            continue
        spec = fields.mapping(body, where, QUOTA_KEYS, required=QUOTA_KEYS, what=f"`{key}`")
        if spec is None:
            continue
        service = fields.service(spec.get("service"), (*where, "service"))
        metric = fields.text(
            spec.get("metric"), (*where, "metric"), _METRIC, "`<api>.googleapis.com/<metric>`"
        )
        limit = fields.text(
            spec.get("limit"),
            (*where, "limit"),
            _LIMIT,
            "a limit id such as `/min/project/user` (no `1/` and no braces)",
        )
        value = fields.integer(spec.get("value"), (*where, "value"), low=-1)
        if service and metric and not metric.startswith(service + "/"):
            fields.error(
                (*where, "metric"),
                f"metric `{metric}` does not belong to service `{service}`",
                f"write `{service}/<metric>`",
            )
            continue
        if service and metric and limit and value is not None:
            result[key] = QuotaOverride(key, service, metric, limit, value)
    return result


def _writer(raw: Any, path: FieldPath, fields: Fields) -> S3WriterSettings | None:
    spec = fields.mapping(raw, path, WRITER_KEYS, required=sorted(WRITER_REQUIRED))
    if spec is None or not set(spec) >= WRITER_REQUIRED:
        return None
    role = fields.text(spec["role"], (*path, "role"))
    policy = fields.text(spec["policy"], (*path, "policy"))
    for key, name in (("role", role), ("policy", policy)):
        problem = names.iam_name_problem(name, f"{key} name") if name else None
        if problem:
            fields.error((*path, key), *problem)
    hours = fields.integer(
        spec["max_session_hours"], (*path, "max_session_hours"), 1, MAX_SESSION_HOURS
    )
    tags = fields.mapping(spec.get("tags", {}), (*path, "tags")) or {}
    for key, value in tags.items():
        fields.text(value, (*path, "tags", key))
    issuer = fields.text(spec["oidc_issuer"], (*path, "oidc_issuer"), _HTTPS, "an https:// URL")
    audience = fields.text(spec["oidc_audience"], (*path, "oidc_audience"))
    subjects = fields.texts(
        spec["kubernetes_service_accounts"],
        (*path, "kubernetes_service_accounts"),
        _KSA,
        "`<namespace>/<service account>`",
    )
    services = fields.texts(
        spec["trusted_services"], (*path, "trusted_services"), _AWS_SERVICE, "an AWS service"
    )
    actions = fields.texts(spec["actions"], (*path, "actions"), _ACTION, "an action (`s3:...`)")
    enabled = fields.boolean(
        spec.get("legacy_principals_enabled", False), (*path, "legacy_principals_enabled")
    )
    legacy = fields.texts(
        spec.get("legacy_principals", []),
        (*path, "legacy_principals"),
        _PRINCIPAL,
        "an IAM principal ARN (`arn:aws:iam::<account>:root|user/...|role/...`)",
    )
    if enabled and not legacy:
        fields.error(
            (*path, "legacy_principals_enabled"),
            "legacy principals are enabled but none is listed",
            "list them under `legacy_principals`, or set the flag to false",
        )
    if (
        role is None
        or policy is None
        or hours is None
        or issuer is None
        or audience is None
        or enabled is None
    ):
        return None
    return S3WriterSettings(
        role=role,
        policy=policy,
        max_session_hours=hours,
        tags=MappingProxyType({str(k): str(v) for k, v in tags.items()}),
        oidc_issuer=issuer,
        oidc_audience=audience,
        kubernetes_service_accounts=tuple(KubernetesAccount.parse(s) for s in subjects),
        trusted_services=services,
        actions=actions,
        legacy_principals_enabled=enabled,
        legacy_principals=legacy,
    )
