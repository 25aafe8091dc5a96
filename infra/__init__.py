"""k8s-infra: the registry.k8s.io estate as Pulumi programs, with a CLI.

One package per concern (``staging``, ``staging_images``, ``groups``,
``mirrors``), each with its model, components, builder and catalog entry;
``catalog`` registers them once. Data flows one way: declarations (YAML) ->
models -> components -> ``program`` -> ``planner`` / ``engines`` -> ``cli``.
"""

__version__ = "0.1.0"
