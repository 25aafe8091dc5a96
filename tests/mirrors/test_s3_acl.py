"""s3/bucket.tf's `public-read` ACL is not planned; the access block blocks nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.mark.plan
def test_no_acl_and_an_access_block_that_blocks_nothing(
    repo_plan: Callable[[str], dict[str, Any]],
) -> None:
    resources = repo_plan("registry-mirrors")["resources"]
    buckets = [r for r in resources if r["type"] == "aws:s3/bucket:Bucket"]
    assert not [r for r in resources if r["type"].startswith("aws:s3/bucketAcl")]
    blocks = [
        r
        for r in resources
        if r["type"] == "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
    ]
    ownership = [r for r in resources if r["type"].startswith("aws:s3/bucketOwnershipControls")]
    assert len(blocks) == len(ownership) == len(buckets) == 32
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    assert {tuple(b["inputs"][f] for f in flags) for b in blocks} == {(False,) * 4}
    # ACLs are off: the policy alone gives public read
    assert {o["inputs"]["rule"]["objectOwnership"] for o in ownership} == {"BucketOwnerEnforced"}
