"""What the production storage tells the guard rails: its public buckets, read by all."""

from __future__ import annotations

from infra.declarations.guardrails import GuardRails

BUCKET = "gcp:storage/bucket:Bucket"
BUCKET_READER = ("gcp:storage/bucketIAMMember:BucketIAMMember", "roles/storage.objectViewer")

GUARDRAILS = GuardRails(
    public_reads=frozenset({BUCKET_READER}),
    uniform_access=frozenset({BUCKET}),
)
