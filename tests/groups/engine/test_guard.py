"""Sample declarations never reach the real APIs."""

from __future__ import annotations

import pytest
from google.auth.credentials import AnonymousCredentials

from infra.groups.engine.apis import DIRECTORY, GROUPS_SETTINGS, GoogleApis, build_api
from infra.groups.engine.guard import ReservedAddresses
from infra.groups.engine.reconcile import Options, apply_change_set, compare_all
from infra.groups.model import GroupsTree
from tests.fake_google import FakeGoogle
from tests.groups.engine.helpers import group


def as_real(fake: FakeGoogle) -> GoogleApis:
    """Clients marked as the real APIs (as without an override) that still reach the fake."""
    credentials = AnonymousCredentials()  # type: ignore[no-untyped-call]
    return GoogleApis(
        build_api(DIRECTORY, credentials, fake.url),
        build_api(GROUPS_SETTINGS, credentials, fake.url),
        real=True,
    )


def test_reserved_addresses_stop_a_run_against_the_real_apis(
    fake: FakeGoogle, options: Options
) -> None:
    apis = as_real(fake)
    fake.workspace.add_group("leads@kubernetes.io", "leads", owners=("chair@kubernetes.io",))
    tree = GroupsTree(
        (
            group(
                "leads@kubernetes.io",
                owners=("chair@kubernetes.io",),
                members=("someone@example.com",),
                reconcile=True,
            ),
        )
    )
    compared = compare_all(apis, tree, options)  # reading is harmless
    assert compared.changes
    with pytest.raises(ReservedAddresses) as raised:
        apply_change_set(apis, compared, options)
    assert raised.value.problem_lines == [
        "groups/sig-test/groups.yaml:3:1: error: `someone@example.com` in group "
        "`leads@kubernetes.io` is under a reserved example domain"
    ]
    assert all(method == "GET" for method, _ in fake.counters.log)
    assert fake.workspace.by_email("leads@kubernetes.io").roles() == {
        "chair@kubernetes.io": "OWNER"
    }


def test_the_same_declarations_apply_against_an_override(
    fake: FakeGoogle, options: Options
) -> None:
    from infra.groups.engine.apis import build_apis

    apis = build_apis()
    tree = GroupsTree((group("leads@kubernetes.io", members=("someone@example.com",)),))
    report = apply_change_set(apis, compare_all(apis, tree, options), options)
    assert report.failures == ()
    assert fake.workspace.by_email("leads@kubernetes.io").roles() == {
        "someone@example.com": "MEMBER"
    }
