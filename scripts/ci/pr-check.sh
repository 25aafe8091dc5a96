#!/usr/bin/env bash
# PR check: every declaration valid, the guard rails (policy check) on every
# stack, and the offline plan of every stack against the PR's base. Needs no
# credentials and no Pulumi CLI.
#
#   scripts/ci/pr-check.sh [BASE_REF]     (default: $PULL_BASE_SHA, else origin/main)
#
# Writes to $ARTIFACTS (default: the current folder):
#   summary.md      the summary for reviewers (guard-rail violations first, then
#                   counts, dangerous changes, a picture, every change with its
#                   values), to post as a comment
#   plan-diff.json  every change with its values, per stack
# Fails (exit 1) when a resource violates a guard rail, or a change deletes
# or replaces a protected resource, removes protection or grants the public
# something new, unless infra/allowed-changes.yaml allows it; the files are
# written first.
# Exit codes are k8s-infra's: 1 problems, 2 usage, others see README.
# Plans are kept in $K8S_INFRA_CACHE (default ~/.cache/k8s-infra), by content:
# a CI cache of that folder, saved by runs on the main branch, makes reruns fast.
set -euo pipefail
base="${1:-${PULL_BASE_SHA:-origin/main}}"
out="${ARTIFACTS:-.}"
mkdir -p "$out"

# each file is written whole or not at all: a failed step leaves none behind
trap 'rm -f "$out/guardrails.md.partial" "$out/summary.md.partial" "$out/plan-diff.json.partial"' EXIT

k8s-infra validate
# the guard rails first (their plans are cached for the steps below); their
# violations head the summary
policy=0
k8s-infra policy check all --format markdown > "$out/guardrails.md.partial" || policy=$?
if [ "$policy" -gt 1 ]; then
  exit "$policy"
fi
k8s-infra plan all --base "$base" --format markdown > "$out/summary.md.partial"
cat "$out/guardrails.md.partial" "$out/summary.md.partial" > "$out/summary.md"
# the same plans again, from the cache, as data and through the strict check
status=0
k8s-infra plan all --base "$base" --json --strict > "$out/plan-diff.json.partial" || status=$?
if [ -s "$out/plan-diff.json.partial" ]; then
  mv "$out/plan-diff.json.partial" "$out/plan-diff.json"
else
  rm -f "$out/plan-diff.json.partial"
fi
if [ "$status" -ne 0 ]; then
  exit "$status"
fi
exit "$policy"
