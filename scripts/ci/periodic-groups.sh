#!/usr/bin/env bash
# Periodic safety net: apply the groups again after reading the live state,
# so a missed postsubmit or a change made by hand in the Admin console is
# repaired. Same credentials as the postsubmit.
set -euo pipefail
k8s-infra groups validate
k8s-infra up groups --refresh --yes
