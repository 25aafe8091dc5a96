"""The ``k8s-infra`` command line: thin commands over the models and the engines."""
