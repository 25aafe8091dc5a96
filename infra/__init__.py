"""k8s-infra: the registry.k8s.io estate as Pulumi programs, with a CLI.

Layers, each importing only from the ones above it:
declarations (YAML files) -> ``infra.models`` -> ``infra.components`` ->
``infra.program`` -> ``infra.planner`` / ``infra.engines`` -> ``infra.cli``.
"""

__version__ = "0.1.0"
