"""The image promoter's manifests: written for a subproject, checked against the estate."""
