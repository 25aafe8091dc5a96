"""The guard rails every stack's resources must pass: the generic ones, and the pack's list.

The generic policies (public grants, privileged roles, keys, uniform bucket
access, production data, member sources) judge every resource, of whatever
concern; the types they apply to come from the concerns' declarations
(``Concern.guardrails``). A concern's own policies are written in its
package. ``policies()`` lists them all, from the catalog when called, for
the offline check and for the pack alike. How a policy is written (reading
every value before reporting) is ``infra.crossguard``.

Never build a ``PolicyPack`` here: it starts a server. ``policy-pack/`` does.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pulumi_policy import (
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationPolicy,
)

from infra import catalog
from infra.core.iam import PUBLIC_MEMBERS, group_address
from infra.crossguard import (
    Judge,
    Policy,
    Violation,
    is_grant,
    members,
    resource_policy,
    stack_of,
    text,
)
from infra.guardrails import members as sources
from infra.guardrails import settings as names

if TYPE_CHECKING:
    from infra.declarations.concern import Concern
    from infra.declarations.guardrails import GuardRails

PACK_NAME = "k8s-infra-guardrails"

# Keys of a person or an account: never made, whichever concern would make them.
KEY_TYPES = frozenset({"gcp:serviceaccount/key:Key", "aws:iam/accessKey:AccessKey"})


def policies(concerns: Sequence[Concern] | None = None) -> tuple[Policy, ...]:
    """Every guard rail, resource policies first: the generic ones, told the concerns'
    types, and each concern's own, in catalog order.

    The member sources come after the concerns' resource policies, where they
    have always been: reports list verdicts in this order.
    """
    rails = [c.guardrails for c in (catalog.CONCERNS if concerns is None else concerns)]
    *generic, member_sources = _generic(rails)
    every = [*generic, *(p for r in rails for p in r.policies()), member_sources]
    return (
        *(p for p in every if isinstance(p, ResourceValidationPolicy)),
        *(p for p in every if isinstance(p, StackValidationPolicy)),
    )


def _generic(rails: Sequence[GuardRails]) -> tuple[Policy, ...]:
    """The generic policies, member sources last."""
    public_reads = frozenset(pair for r in rails for pair in r.public_reads)
    uniform = frozenset(t for r in rails for t in r.uniform_access)
    production = frozenset(t for r in rails for t in r.production)
    by_project = frozenset(t for r in rails for t in r.production_in_projects)
    return (
        resource_policy(
            names.PUBLIC_GRANTS,
            "allUsers and allAuthenticatedUsers hold only registry read, public-bucket object "
            "read and proxy invoker, on resources declared public",
            _public_grants(public_reads),
            {"declared": "array"},
        ),
        resource_policy(
            names.PRIVILEGED_ROLES,
            "no roles/owner or roles/editor for a user or service account the declarations "
            "do not name as owner",
            _privileged_roles,
            {"allowed": "array"},
        ),
        resource_policy(
            names.SERVICE_ACCOUNT_KEYS, "no service account or IAM user keys", _service_account_keys
        ),
        resource_policy(
            names.UNIFORM_ACCESS,
            "every bucket has uniform bucket-level access",
            _uniform_access(uniform),
        ),
        resource_policy(
            names.PRODUCTION_DATA,
            "projects, mirror repositories and buckets, the proxy's addresses and certificate "
            "are protected",
            _production_data(production, by_project),
            {names.PRODUCTION_PROJECTS: "array"},
        ),
        resource_policy(
            names.MEMBER_SOURCES,
            "every IAM member is of a kind the estate uses and from a known source",
            _member_sources,
            {
                "groups": "array",
                "projects": "array",
                "listed": "array",
                "pools": "array",
                "people": "array",
            },
        ),
    )


# -- the policies ---------------------------------------------------------------


def _public_grants(public_reads: frozenset[tuple[str, str]]) -> Judge:
    """Public members hold only the (grant type, role) pairs the concerns declare readable,
    and only on a resource declared public."""

    def judge(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[Violation]:
        if not is_grant(args.resource_type):
            return
        public = sorted(set(members(args.props)) & PUBLIC_MEMBERS)
        role = text(args.props.get("role"))
        for member in public:
            if (args.resource_type, role) not in public_reads:
                yield (f"grants {member} {role} on a {args.resource_type.rsplit(':', 1)[-1]}; "
                       "the public may only read registries and public buckets and invoke the "
                       "proxy", "remove the grant")  # fmt: skip
                continue
            declared = any(
                entry.get("stack") == stack_of(args.urn)
                and entry.get("role") in (None, role)
                and _has_inputs(args, entry)
                for entry in config.get("declared", ())
            )
            if not declared:
                yield (f"grants {member} {role} on a resource not declared public",
                       "declare it public: a `standing: true` `public` entry of "
                       "infra/allowed-changes.yaml naming its type and exact properties (role, "
                       "member...), reviewed with the change")  # fmt: skip

    return judge


def _has_inputs(args: ResourceValidationArgs, entry: Mapping[str, Any]) -> bool:
    """Whether the resource is of the entry's type, with exactly the entry's properties."""
    properties = entry.get("properties")
    if entry.get("type") != args.resource_type or not isinstance(properties, Mapping):
        return False
    return all(args.props.get(key) == value for key, value in properties.items())


def _privileged_roles(
    args: ResourceValidationArgs, config: Mapping[str, Any]
) -> Iterator[Violation]:
    if not is_grant(args.resource_type):
        return
    role = text(args.props.get("role"))
    if role not in names.PRIVILEGED:
        return  # the members of other grants are not this policy's to read
    for member in members(args.props):
        if group_address(member) is None and member not in config.get("allowed", ()):
            yield (f"grants {role} to {member}: only groups (and members the declarations "
                   "name as owners) may own or edit a project",
                   f"grant {role} to a declared group, or a narrower role to {member}")  # fmt: skip


def _service_account_keys(
    args: ResourceValidationArgs, _config: Mapping[str, Any]
) -> Iterator[Violation]:
    if args.resource_type in KEY_TYPES:
        yield ("creates a long-lived key for an account",
               "use workload identity or impersonation; never a key")  # fmt: skip


def _uniform_access(buckets: frozenset[str]) -> Judge:
    """The concerns' bucket types have uniform bucket-level access."""

    def judge(args: ResourceValidationArgs, _config: Mapping[str, Any]) -> Iterator[Violation]:
        if args.resource_type not in buckets:
            return
        if args.props.get("uniformBucketLevelAccess") is not True:
            yield ("the bucket does not have uniform bucket-level access: object ACLs "
                   "could grant what IAM does not show",
                   "set uniform_bucket_level_access=True")  # fmt: skip

    return judge


def _production_data(always: frozenset[str], by_project: frozenset[str]) -> Judge:
    """Production data is protected: ``always`` types wherever they are, ``by_project``
    types in a project the config lists as production."""

    def judge(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[Violation]:
        held = args.resource_type in always
        if args.resource_type in by_project:
            projects = config.get(names.PRODUCTION_PROJECTS, ())
            held = text(args.props.get("project")) in projects
        if held and not args.opts.protect:
            yield ("holds production data and is not protected: a change could delete it",
                   "create it with ResourceOptions(protect=True)")  # fmt: skip

    return judge


def _member_sources(args: ResourceValidationArgs, config: Mapping[str, Any]) -> Iterator[Violation]:
    if not is_grant(args.resource_type):
        return
    binding = (stack_of(args.urn), args.urn.rsplit("::", 1)[-1], text(args.props.get("role")))
    for member in members(args.props):
        problem = sources.source_problem(member, config, binding)
        if problem is not None:
            yield problem
