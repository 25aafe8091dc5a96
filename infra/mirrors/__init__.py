"""The regional mirrors of the production images: Artifact Registry and S3.

One component per concept: the repositories (``ArtifactRegistryMirrors``),
the settings of the project that holds them (``MirrorProject``), one S3
bucket with its companions (``S3Mirror``), every bucket plus replication
(``S3MirrorSet``), and the role that writes to them (``S3Writer``).
``build.build_registry_mirrors`` puts them together for a stack.
"""
