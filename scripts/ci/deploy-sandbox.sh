#!/usr/bin/env bash
# Deploys a new archeio build to registry-sandbox.k8s.io: writes its digest
# into stacks/Pulumi.registry-sandbox.yaml and applies that stack. archeio's
# postsubmit runs it after each merge, with the digest of the image it pushed
# to us-central1-docker.pkg.dev/k8s-staging-images/infra-tools/archeio. It
# needs the Pulumi CLI, a login to the state backend and the credentials of
# the sandbox's deploy identity (docs/approver.md, "A new archeio version"). Production never
# changes here: its digest changes by a reviewed change of its stack file.
#
#   scripts/ci/deploy-sandbox.sh sha256:<64 lowercase hex digits>
#
# Exit codes are k8s-infra's: 2 a malformed digest (nothing is written),
# 3 no Pulumi CLI, 4 no credentials or state backend, 1 a failed update.
# Unless the update succeeds, the stack file is left as it was.
set -euo pipefail
stack=registry-sandbox
digest="${1:-}"
if [[ $# -ne 1 || ! "$digest" =~ ^sha256:[0-9a-f]{64}$ ]]; then
  echo "error: expected one digest, sha256:<64 lowercase hex digits>, got \`$*\`" \
    "(hint: \`crane digest <image>:<tag>\` prints a build's digest)" >&2
  exit 2
fi

root="${K8S_INFRA_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
file="$root/stacks/Pulumi.$stack.yaml"
# the interpreter k8s-infra is installed in
python="$(dirname "$(command -v k8s-infra)")/python"
[[ -x "$python" ]] || python=python3

kept="$(mktemp)"
cp "$file" "$kept"
status=0
K8S_INFRA_ROOT="$root" "$python" -m infra.proxy.pin "$stack" "$digest" || status=$?
if [[ $status -eq 0 ]]; then
  k8s-infra --root "$root" up "$stack" --yes || status=$?
fi
if [[ $status -ne 0 ]]; then
  cp "$kept" "$file"
fi
rm -f "$kept"
exit "$status"
