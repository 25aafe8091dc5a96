"""The access model on small plans written by hand, in the shape `plan --json` prints."""

from __future__ import annotations

from typing import Any

import pytest

from infra.access.diff import diff_access
from infra.access.grant import Target
from infra.access.model import AccessModel, Holding
from infra.access.render import code, markdown_lines, text_lines

GROUP_TYPE = "pulumi-python:dynamic/groups:GoogleGroup"
REPO_MEMBER = "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember"
PROJECT_MEMBER = "gcp:projects/iAMMember:IAMMember"
PROJECT_BINDING = "gcp:projects/iAMBinding:IAMBinding"
SA_MEMBER = "gcp:serviceaccount/iAMMember:IAMMember"
WRITER = "roles/artifactregistry.writer"


def resource(type_: str, name: str, **inputs: Any) -> dict[str, Any]:
    return {"type": type_, "name": name, "urn": f"urn:pulumi:s::k8s-infra::{type_}::{name}",
            "parent": None, "custom": True, "inputs": inputs}  # fmt: skip


def group(email: str, *members: str, owners: tuple[str, ...] = ()) -> dict[str, Any]:
    return resource(GROUP_TYPE, email, email=email, members=list(members), owners=list(owners),
                    managers=[])  # fmt: skip


def repo_writer(repository: str, member: str) -> dict[str, Any]:
    return resource(REPO_MEMBER, f"{repository}-{member}", project="k8s-staging-images",
                    location="us-central1", repository=repository, role=WRITER,
                    member=member)  # fmt: skip


def model(*resources: dict[str, Any], stack: str = "staging") -> AccessModel:
    groups = [r for r in resources if r["type"] == GROUP_TYPE]
    rest = [r for r in resources if r["type"] != GROUP_TYPE]
    return AccessModel.from_plans(
        [{"stack": "groups", "resources": groups}, {"stack": stack, "resources": rest}]
    )


FOO = Target("repository", "k8s-staging-images/us-central1/foo")


def holders(m: AccessModel, target: Target, role: str) -> set[str]:
    return {h.principal for h in m.by_holding if h.target == target and h.role == role}


def test_a_group_grant_reaches_its_members_and_their_path_is_kept() -> None:
    m = model(group("foo@k.io", "alice@example.com"), repo_writer("foo", "group:foo@k.io"))
    assert holders(m, FOO, WRITER) == {"group:foo@k.io", "user:alice@example.com"}
    (alice,) = [a for a in m.of("user:alice@example.com") if a.grant.role == WRITER]
    assert alice.via == ("group:foo@k.io",)
    assert alice.path() == "user:alice@example.com → group:foo@k.io"


def test_nested_groups_reach_members_of_members_and_a_cycle_ends() -> None:
    m = model(
        group("outer@k.io", "inner@k.io"),
        group("inner@k.io", "mallory@example.com", "outer@k.io"),
        repo_writer("foo", "group:outer@k.io"),
    )
    (path,) = [a for a in m.by_holding[Holding("user:mallory@example.com", WRITER, FOO)]]
    assert path.via == ("group:inner@k.io", "group:outer@k.io")
    assert "user:inner@k.io" not in m.principals  # a declared group is a group


def test_a_member_added_to_a_writer_group_gains_writer_through_it() -> None:
    base = model(group("foo@k.io", "alice@example.com"), repo_writer("foo", "group:foo@k.io"))
    head = model(group("foo@k.io", "alice@example.com", "mallory@example.com"),
                 repo_writer("foo", "group:foo@k.io"))  # fmt: skip
    diff = diff_access(base, head)
    assert [c.principal for c in diff.changes] == ["user:mallory@example.com"]
    lines = text_lines(diff)
    # What the group gives first, then the membership that gives it.
    assert lines == [
        "+ user:mallory@example.com: roles/artifactregistry.writer on repository "
        "k8s-staging-images/us-central1/foo, through group:foo@k.io",
        "+ user:mallory@example.com: member on group foo@k.io, directly",
    ]


def test_a_member_of_two_groups_keeps_access_when_one_grant_goes() -> None:
    groups = (group("a@k.io", "bob@example.com", "carol@example.com"),
              group("b@k.io", "bob@example.com"))  # fmt: skip
    base = model(*groups, repo_writer("foo", "group:a@k.io"), repo_writer("foo", "group:b@k.io"))
    head = model(*groups, repo_writer("foo", "group:b@k.io"))
    diff = diff_access(base, head)
    assert {c.principal for c in diff.changes} == {"group:a@k.io", "user:carol@example.com"}
    (carol,) = [c for c in diff.changes if c.principal == "user:carol@example.com"]
    assert not carol.gained and [c.holding.role for c in carol.lost] == [WRITER]
    assert holders(head, FOO, WRITER) == {"group:b@k.io", "user:bob@example.com"}


def test_an_authoritative_binding_replaces_additive_members_of_its_role() -> None:
    binding = resource(PROJECT_BINDING, "b", project="p", role="roles/viewer",
                       members=["group:a@k.io"])  # fmt: skip
    member = resource(PROJECT_MEMBER, "m", project="p", role="roles/viewer",
                      member="user:eve@example.com")  # fmt: skip
    other = resource(PROJECT_MEMBER, "o", project="p", role="roles/editor",
                     member="user:eve@example.com")  # fmt: skip
    m = model(binding, member, other)
    project = Target("project", "p")
    assert holders(m, project, "roles/viewer") == {"group:a@k.io"}
    assert holders(m, project, "roles/editor") == {"user:eve@example.com"}
    assert [g.principal for g in m.overridden] == ["user:eve@example.com"]
    # Changing the binding's members replaces the holders: one loses, one gains.
    after = model(resource(PROJECT_BINDING, "b", project="p", role="roles/viewer",
                           members=["group:c@k.io"]), other)  # fmt: skip
    diff = diff_access(m, after)
    assert [(c.principal, bool(c.gained), bool(c.lost)) for c in diff.changes] == [
        ("group:a@k.io", False, True), ("group:c@k.io", True, False)]  # fmt: skip


def test_public_principals_are_marked_and_listed_first() -> None:
    base = model(repo_writer("foo", "group:foo@k.io"))
    head = model(repo_writer("foo", "group:foo@k.io"),
                 resource(REPO_MEMBER, "pub", project="k8s-staging-images", location="us-central1",
                          repository="foo", role="roles/artifactregistry.reader",
                          member="allUsers"),
                 resource(PROJECT_MEMBER, "d", project="p", role="roles/viewer",
                          member="domain:example.com"))  # fmt: skip
    diff = diff_access(base, head)
    assert [(c.principal, c.public) for c in diff.changes] == [
        ("allUsers", True), ("domain:example.com", True)]  # fmt: skip
    markdown = markdown_lines(diff)
    assert markdown[0] == "### Who gains what"
    assert markdown[2].startswith("- :warning: `allUsers` gains `roles/artifactregistry.reader`")


def test_roles_given_the_same_way_share_one_line() -> None:
    project = resource(PROJECT_MEMBER, "v", project="k8s-staging-images", role="roles/viewer",
                       member="group:foo@k.io")  # fmt: skip
    grants = (repo_writer("foo", "group:foo@k.io"), repo_writer("bar", "group:foo@k.io"), project)
    base = model(group("foo@k.io"), *grants)
    head = model(group("foo@k.io", "eve@example.com"), *grants)
    first = text_lines(diff_access(base, head))[0]
    assert first == (
        "+ user:eve@example.com: roles/artifactregistry.writer on 2 repositories: bar, foo; "
        "roles/viewer on project k8s-staging-images, through group:foo@k.io"
    )


def test_a_federated_workload_identity_names_its_kubernetes_service_account() -> None:
    member = ("principal://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/"
              "pool.svc.id.goog/subject/ns/test-pods/sa/kind")  # fmt: skip
    account = "projects/p/serviceAccounts/kind@p.iam.gserviceaccount.com"
    wi = resource(SA_MEMBER, "wi", role="roles/iam.workloadIdentityUser", member=member,
                  serviceAccountId=account)  # fmt: skip
    (access,) = model(wi).of(member)
    assert access.grant.note == "Kubernetes service account test-pods/kind (pool)"


def test_workload_identity_names_the_kubernetes_service_account() -> None:
    wi = resource(SA_MEMBER, "wi", role="roles/iam.workloadIdentityUser",
                  serviceAccountId="projects/p/serviceAccounts/pusher@p.iam.gserviceaccount.com",
                  member="serviceAccount:p.svc.id.goog[ns/pusher]")  # fmt: skip
    diff = diff_access(model(), model(wi))
    assert text_lines(diff) == [
        "+ serviceAccount:p.svc.id.goog[ns/pusher]: roles/iam.workloadIdentityUser on service "
        "account pusher@p.iam.gserviceaccount.com, directly (Kubernetes service account "
        "ns/pusher (p))"
    ]


def test_alike_changes_collapse_into_one_line() -> None:
    writers = [repo_writer(name, "user:dan@example.com") for name in ("foo", "bar", "baz")]
    diff = diff_access(model(), model(*writers))
    assert text_lines(diff) == [
        "+ user:dan@example.com: roles/artifactregistry.writer on 3 repositories: bar, baz, "
        "foo, directly"
    ]


def test_markdown_values_cannot_break_out_of_their_span() -> None:
    assert code("a`b") == "``a`b``"
    assert code("x|y\nz") == "`x\\|y z`"
    evil = resource(PROJECT_MEMBER, "e", project="p</details>`", role="roles/viewer",
                    member="user:<b>x@example.com")  # fmt: skip
    (line,) = markdown_lines(diff_access(model(), model(evil)))[2:3]
    assert "</details>`" in line and line.count("``") == 2
    assert "<b>" not in line.replace("`user:<b>x@example.com`", "")


def test_a_new_concern_contributes_its_grants_through_its_catalog_entry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Registering a concern whose resource facts say what its IAM type grants on is all
    it takes."""
    from infra import catalog
    from infra.declarations.concern import Checked, Concern
    from infra.declarations.resources import GrantsOn, ResourceFacts, joined, values

    token = "gcp:pubsub/topicIAMMember:TopicIAMMember"
    topic = resource(token, "t", project="p", topic="events", role="roles/pubsub.publisher",
                     member="group:foo@k.io")  # fmt: skip
    plans = [{"stack": "groups", "resources": [group("foo@k.io", "ann@example.com")]},
             {"stack": "events", "resources": [topic]}]  # fmt: skip
    assert AccessModel.from_plans(plans).of("user:ann@example.com")[0].grant.target.kind == "group"
    on_topic = GrantsOn("gcp:pubsub/topic:Topic", values("project", "topic"), "topic", "topic",
                        joined("project", "topic"))  # fmt: skip
    entry = Concern(name="events", summary="topics", check=lambda _c, _p: Checked(),
                    build=lambda _s, _d: None,
                    resources=(ResourceFacts(token, grants_on=on_topic),))  # fmt: skip
    monkeypatch.setattr(catalog, "CONCERNS", (*catalog.CONCERNS, entry))
    held = {(a.grant.role, str(a.grant.target)) for a in
            AccessModel.from_plans(plans).of("user:ann@example.com")}  # fmt: skip
    assert ("roles/pubsub.publisher", "topic p/events") in held


def test_of_and_on_answer_by_address_and_follow_workload_identity() -> None:
    from infra.access.queries import acting_as, holders_on, holdings_of

    account = "pusher@p.iam.gserviceaccount.com"
    ksa = "serviceAccount:p.svc.id.goog[ns/pusher]"
    m = model(
        group("foo@k.io", "Alice@Example.com"),
        repo_writer("foo", "group:foo@k.io"),
        repo_writer("bar", f"serviceAccount:{account}"),
        resource(SA_MEMBER, "wi", role="roles/iam.workloadIdentityUser", member=ksa,
                 serviceAccountId=f"projects/p/serviceAccounts/{account}"),
    )  # fmt: skip
    alice = holdings_of(m, "alice@example.com")
    assert {(a.grant.role, a.grant.target.short) for a in alice} == {
        (WRITER, "foo"), ("member", "foo@k.io")}  # fmt: skip
    assert {a.principal for a in holders_on(m, "foo")} == {
        "group:foo@k.io",
        "user:alice@example.com",
    }
    assert {a.grant.target.short for a in holders_on(m, "k8s-staging-images")} == {"foo", "bar"}
    ((identity, held),) = acting_as(m, holdings_of(m, ksa))
    assert identity == f"serviceAccount:{account}"
    assert [(a.grant.role, a.grant.target.short) for a in held] == [(WRITER, "bar")]


def test_new_access_in_a_production_stack_is_a_danger_listed_first() -> None:
    grant = resource(PROJECT_MEMBER, "o", project="prod", role="roles/owner",
                     member="user:zed@example.com")  # fmt: skip
    staging = resource(PROJECT_MEMBER, "v", project="p", role="roles/viewer",
                       member="user:amy@example.com")  # fmt: skip
    diff = diff_access(model(), AccessModel.from_plans([
        {"stack": "registry-prod", "resources": [grant]},
        {"stack": "staging", "resources": [staging]}]))  # fmt: skip
    plain = markdown_lines(diff)
    assert [line.split("`")[1] for line in plain[2:4]] == ["user:amy@example.com",
                                                           "user:zed@example.com"]  # fmt: skip
    marked = markdown_lines(diff, production=frozenset({"registry-prod"}))
    assert marked[2].startswith("- :warning: `user:zed@example.com` gains `roles/owner`")
    assert not marked[3].startswith("- :warning:")


def test_a_long_section_stays_within_its_limit_and_counts_what_it_leaves_out() -> None:
    writers = [repo_writer(f"r{i}", f"user:u{i}@example.com") for i in range(200)]
    lines = markdown_lines(diff_access(model(), model(*writers)), limit=2000)
    assert len("\n".join(lines)) <= 2000
    assert lines[-2].startswith("- _") and "more change" in lines[-2]
