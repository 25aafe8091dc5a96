#!/usr/bin/env bash
# Postsubmit on every merge to main, one job so that order holds: a new
# writer group exists before the grants that name it.
#
#   scripts/ci/postsubmit.sh [--estate-checks]
#
# PREVIOUS_MAIN names the main before the merge (default: HEAD^1, the first
# parent); arguments go to `groups validate`, as for postsubmit-groups.sh.
#
# 1. every declaration valid, the groups with their own checks;
# 2. the Google Groups applied (`up groups --yes`);
# 3. the staging projects and registries the merge changed ensured
#    (`staging ensure --yes`, targeted), from the offline plan of the merge
#    against the previous main; both staging stacks whole when code changed.
#
# Credentials: the job's Google identity (groups and staging projects) and
# the state backend Pulumi.yaml names. Writes postsubmit-diff.json to
# $ARTIFACTS when set. Production stacks are never applied here.
set -euo pipefail
base="$(git rev-parse --verify "${PREVIOUS_MAIN:-HEAD^1}^{commit}")"
out="${ARTIFACTS:-.}"
mkdir -p "$out"

k8s-infra validate
k8s-infra groups validate "$@"
k8s-infra up groups --yes

# Code (not declarations) decides what every resource looks like.
if ! git diff --quiet "$base" HEAD -- infra Pulumi.yaml pyproject.toml requirements \
    ':(exclude)infra/infra.yaml' ':(exclude)infra/data'; then
  echo "code changed since ${base:0:12}: ensuring the whole staging stacks" >&2
  k8s-infra staging ensure --yes
  exit 0
fi
k8s-infra plan all --base "$base" --json > "$out/postsubmit-diff.json.partial"
mv "$out/postsubmit-diff.json.partial" "$out/postsubmit-diff.json"
k8s-infra staging ensure --from-diff "$out/postsubmit-diff.json" --yes
