"""Rules of the mirror components, on one small model each, in this process."""

from __future__ import annotations

import json

from infra.mirrors.model import S3Bucket
from infra.mirrors.s3_mirror import S3Mirror, S3MirrorArgs
from tests.components import record

BUCKET = S3Bucket(
    "eu-west-1", "demo-eu-west-1", "https://demo-eu-west-1.s3.dualstack.eu-west-1.amazonaws.com",
    replicated=True,
)  # fmt: skip


def test_a_mirror_bucket_is_protected_public_and_tls_only() -> None:
    resources = record(lambda: S3Mirror("demo", S3MirrorArgs(BUCKET)))
    bucket = resources["demo"]
    assert bucket["protect"] is True
    assert bucket["inputs"]["forceDestroy"] is False
    assert all(r["inputs"]["region"] == "eu-west-1" for r in resources.values())
    statements = json.loads(resources["demo-policy"]["inputs"]["policy"])["Statement"]
    deny = [s for s in statements if s["Effect"] == "Deny"]
    assert len(deny) == 1
    assert deny[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deny[0]["Resource"] == ["arn:aws:s3:::demo-eu-west-1", "arn:aws:s3:::demo-eu-west-1/*"]
    allowed = {s["Action"]: s["Resource"] for s in statements if s["Effect"] == "Allow"}
    assert allowed == {
        "s3:ListBucket": "arn:aws:s3:::demo-eu-west-1",
        "s3:GetObject": "arn:aws:s3:::demo-eu-west-1/*",
    }
    assert resources["demo-ownership"]["inputs"]["rule"] == {
        "objectOwnership": "BucketOwnerEnforced"
    }
    assert resources["demo-versioning"]["inputs"]["versioningConfiguration"] == {
        "status": "Enabled"
    }
