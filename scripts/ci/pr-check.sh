#!/usr/bin/env bash
# PR check: every declaration valid, the guard rails (policy check) on every
# stack, and the offline plan of every stack against the PR's base. Needs no
# credentials and no Pulumi CLI.
#
#   scripts/ci/pr-check.sh [BASE_REF]     (default: $PULL_BASE_SHA, else origin/main)
#
# Writes to $ARTIFACTS (default: the current folder):
#   summary.md      the summary for reviewers, to post as a comment: the base and
#                   head commits, the counts, one list of dangers (guard-rail
#                   violations, deletions, replacements, public grants...), a
#                   picture and as many details as fit in 65,536 characters
#   summary-2.md... the rest of the details, a comment each, when they do not fit
#   plan-diff.json  every change with its values, per stack
#   guardrails.json the guard rails' verdicts (policy check all --json)
# With $POST_COMMENT set (a command that takes a file, such as
# `gh pr comment 123 --body-file`), each summary file is posted with it, in order.
# Fails (exit 1) when a resource violates a guard rail, or a change deletes
# or replaces a protected resource, replaces one that holds data or identity,
# removes protection or grants the public something new, unless
# infra/allowed-changes.yaml allows it; the files are written first.
# Exit codes are k8s-infra's: 1 problems, 2 usage, others see docs/reference/flags.md.
# Plans are kept in $K8S_INFRA_CACHE (default ~/.cache/k8s-infra), by content:
# a CI cache of that folder, saved by runs on the main branch, makes reruns fast.
set -euo pipefail
base="${1:-${PULL_BASE_SHA:-origin/main}}"
out="${ARTIFACTS:-.}"
mkdir -p "$out"
pages="$(mktemp -d)"

# each file is written whole or not at all: a failed step leaves none behind
trap 'rm -rf "$pages"; rm -f "$out/guardrails.json.partial" "$out/plan-diff.json.partial"' EXIT

k8s-infra validate
# the guard rails first (their plans are cached for the steps below); their
# violations head the summary's list of dangers
policy=0
k8s-infra policy check all --json > "$out/guardrails.json.partial" || policy=$?
if [ "$policy" -gt 1 ]; then
  exit "$policy"
fi
mv "$out/guardrails.json.partial" "$out/guardrails.json"
k8s-infra plan all --base "$base" --format markdown --guardrails "$out/guardrails.json" \
  --out "$pages"
rm -f "$out/summary.md" "$out"/summary-*.md
mv "$pages"/summary*.md "$out/"
# the same plans again, from the cache, as data and through the strict check
status=0
k8s-infra plan all --base "$base" --json --strict > "$out/plan-diff.json.partial" || status=$?
if [ -s "$out/plan-diff.json.partial" ]; then
  mv "$out/plan-diff.json.partial" "$out/plan-diff.json"
else
  rm -f "$out/plan-diff.json.partial"
fi
if [ -n "${POST_COMMENT:-}" ]; then
  post() { $POST_COMMENT "$1"; }
  post "$out/summary.md"
  number=2
  while [ -f "$out/summary-$number.md" ]; do
    post "$out/summary-$number.md"
    number=$((number + 1))
  done
fi
if [ "$status" -ne 0 ]; then
  exit "$status"
fi
exit "$policy"
