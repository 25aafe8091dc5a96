"""Entry point the Pulumi language host runs (``main: infra/`` in Pulumi.yaml).

The host puts this folder itself on sys.path, so every import here and in
the package is absolute (``from infra.x import y``) and resolves to the
installed ``infra`` package.
"""

from infra.program import main

main()
