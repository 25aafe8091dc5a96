#!/usr/bin/env bash
# Periodic drift detection: changes nothing.
#
#   scripts/ci/periodic.sh
#
# Previews every stack after reading the cloud (`preview all --refresh
# --expect-no-changes`) and compares the live Google Groups with the
# declarations (`groups diff --expect-no-changes`). Exits 5 on drift, or
# with the first failure's code (1 a failed preview or group, 3 no Pulumi
# CLI, 4 no credentials), a failure taking precedence over drift.
# Writes drift.md (the Markdown summary, also printed) and groups-diff.json
# to $ARTIFACTS when set. Credentials: read access to every stack's cloud,
# the state backend, and the Workspace (as the groups jobs).
#
# Repairing drift stays a decision: the groups repair job is
# scripts/ci/periodic-groups.sh; the other stacks are applied by approvers.
set -uo pipefail
out="${ARTIFACTS:-.}"
mkdir -p "$out"

status=0
k8s-infra preview all --refresh --expect-no-changes --format markdown > "$out/drift.md"
stacks=$?
cat "$out/drift.md" >&2
k8s-infra groups diff --expect-no-changes --json > "$out/groups-diff.json"
groups=$?
for code in "$stacks" "$groups"; do
  if [ "$code" -ne 0 ] && { [ "$status" -eq 0 ] || [ "$status" -eq 5 ]; }; then
    status=$code
  fi
done
exit "$status"
