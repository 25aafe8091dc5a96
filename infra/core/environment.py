"""Every environment variable the project reads, named once.

The names are an interface (CI jobs, tests and operators set them); modules
import them from here rather than spelling them.
"""

from __future__ import annotations

# The data root: the checkout whose declarations are used (`--root`).
ROOT_ENV = "K8S_INFRA_ROOT"
# Where offline plans are cached (default: $XDG_CACHE_HOME/k8s-infra).
CACHE_ENV = "K8S_INFRA_CACHE"
# A root URL every Google API client uses, with anonymous credentials (a local fake).
GOOGLE_API_ENDPOINT_ENV = "K8S_INFRA_GOOGLE_API_ENDPOINT"
# adopt's id map, read by the program during adopt's own engine runs.
IMPORTS_ENV = "K8S_INFRA_IMPORTS"
# Show a failed plan's traceback.
DEBUG_ENV = "K8S_INFRA_DEBUG"
# Set by the offline planner for the program: every declaration was checked before.
DECLARATIONS_CHECKED_ENV = "K8S_INFRA_DECLARATIONS_CHECKED"
# A folder whose bin/pulumi is the Pulumi CLI to use (empty: look on PATH).
PULUMI_ROOT_ENV = "K8S_INFRA_PULUMI_ROOT"
# Pulumi's own: the state backend, over Pulumi.yaml's backend.url.
BACKEND_ENV = "PULUMI_BACKEND_URL"
