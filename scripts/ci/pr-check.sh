#!/usr/bin/env bash
# PR check: every declaration valid, and the offline plan of every stack
# against the PR's base. Needs no credentials and no Pulumi CLI.
#
#   scripts/ci/pr-check.sh [BASE_REF]     (default: $PULL_BASE_SHA, else origin/main)
#
# Writes plan-diff.json (create/update/delete per stack) to $ARTIFACTS when
# set. Exit codes are k8s-infra's: 1 problems, 2 usage, others see README.
set -euo pipefail
base="${1:-${PULL_BASE_SHA:-origin/main}}"
out="${ARTIFACTS:-.}"
mkdir -p "$out"

k8s-infra validate
# written whole or not at all: a failed plan leaves no empty file behind
k8s-infra plan all --base "$base" --json > "$out/plan-diff.json.partial"
mv "$out/plan-diff.json.partial" "$out/plan-diff.json"
