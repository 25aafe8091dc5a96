"""Values copied from the live estate are listed for a person after an adoption plan."""

from __future__ import annotations

from typing import Any

from infra.adoption.ids import Target, adoption_steps
from infra.adoption.unchecked import unchecked_values

P = "k8s-infra-oci-proxy"


def _resource(type_: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    return {
        "urn": f"urn:pulumi:s::k8s-infra::{type_}::{name}",
        "type": type_,
        "name": name,
        "custom": True,
        "mode": "managed",
        "inputs": inputs,
    }


def test_the_certificates_dated_name_is_listed_as_its_concern_declares() -> None:
    certificate = _resource(
        "gcp:certificatemanager/certificate:Certificate",
        "cert",
        {"project": P, "name": "registry-k8s-io-20230508", "description": "the edge"},
    )
    bucket = _resource("gcp:storage/bucket:Bucket", "b", {"project": P, "name": "b"})
    resources = [certificate, bucket]
    found = unchecked_values(resources, adoption_steps(resources, Target(), {}))
    assert [(u.name, u.key, u.value, u.compared) for u in found] == [
        ("cert", "description", "the edge", True),
        ("cert", "name", "registry-k8s-io-20230508", True),
    ]
