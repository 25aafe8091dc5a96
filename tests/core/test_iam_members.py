"""IAM members as declarations write them: addresses planned as IAM stores them."""

from __future__ import annotations

import pytest

from infra.core.fields import Fields, locate_file
from infra.core.iam import canonical_member
from infra.core.problems import Problems


@pytest.mark.parametrize(
    ("written", "planned"),
    [
        ("group:K8S-Infra-Staging-X@Kubernetes.io", "group:k8s-infra-staging-x@kubernetes.io"),
        ("user:Jane.Doe@Example.com", "user:jane.doe@example.com"),
        (
            "serviceAccount:Builder@P.iam.gserviceaccount.com",
            "serviceAccount:builder@p.iam.gserviceaccount.com",
        ),
        ("domain:Kubernetes.io", "domain:kubernetes.io"),
        ("allUsers", "allUsers"),
        ("principalSet://iam.googleapis.com/X/Y", "principalSet://iam.googleapis.com/X/Y"),
    ],
)
def test_addresses_are_lowercased_and_other_forms_kept(written: str, planned: str) -> None:
    assert canonical_member(written) == planned


def test_a_mixed_case_member_is_a_warning_with_the_lowercase_form() -> None:
    problems = Problems()
    fields = Fields(locate_file("infra/infra.yaml"), problems)
    assert fields.member("group:Sig-X@kubernetes.io", ("grants", 0)) == "group:sig-x@kubernetes.io"
    assert fields.member("group:sig-x@kubernetes.io", ("grants", 1)) == "group:sig-x@kubernetes.io"
    assert [p.format() for p in problems] == [
        "infra/infra.yaml:1:1: warning: member `group:Sig-X@kubernetes.io` has uppercase letters; "
        "it is planned as `group:sig-x@kubernetes.io` (hint: write `group:sig-x@kubernetes.io`: "
        "Google compares addresses case-insensitively and stores them in lowercase)"
    ]
