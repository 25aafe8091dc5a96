#!/usr/bin/env bash
# Postsubmit on changes under groups/ (or stacks/Pulumi.groups.yaml): apply
# the merged group declarations. Runs with the job's ambient Google
# credentials (keyless delegation, see docs/setup.md "Credentials for CI") and a Pulumi
# login to the state backend.
#
#   scripts/ci/postsubmit-groups.sh [--estate-checks]
set -euo pipefail
k8s-infra groups validate "$@"
k8s-infra up groups --yes
