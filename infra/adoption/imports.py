"""The program's side of an adoption: the id map, read for one run, applied by URN.

``k8s-infra adopt`` writes ``stacks/imports/<stack>.json`` (URN -> id) and
names it in K8S_INFRA_IMPORTS for the import preview and the update only;
any other run of the program never reads a map. A stack transformation sets
Pulumi's ``import`` option on each resource whose URN the map names, and
leaves every other option (``protect`` above all) as the component set it.
A URN of the map that no resource of the program has fails the run: the
map and the program disagree, and adopting half a stack is worse than none.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from infra.core.errors import K8sInfraError

IMPORTS_DIR = Path("stacks") / "imports"
STACK_TYPE = "pulumi:pulumi:Stack"


def map_path(root: Path, stack: str) -> Path:
    """Beside the stack files (this code's, for an upstream checkout as the data root)."""
    from infra.declarations.layout import stacks_root

    return stacks_root(root) / IMPORTS_DIR / f"{stack}.json"


def read_map(path: Path) -> dict[str, str]:
    """The map adopt wrote: a JSON object of URN -> id."""
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise K8sInfraError(
            f"the id map {path} cannot be read: {exc}", "run `k8s-infra adopt STACK` again"
        ) from None
    if not isinstance(loaded, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in loaded.items()
    ):
        raise K8sInfraError(
            f"the id map {path} is not an object of URN -> id", "run `k8s-infra adopt` again"
        )
    return loaded


def write_map(path: Path, ids: Mapping[str, str]) -> bool:
    """Write the map as a new file; True when its folder was made for it.

    Never through a symbolic link: the map is written to a new file beside
    it and renamed over the name, which replaces a link instead of following
    it; a folder that is a link is refused.
    """
    folder = path.parent
    if folder.is_symlink():
        raise K8sInfraError(
            f"{folder} is a symbolic link: adopt writes its id map only into a real folder",
            f"remove the link {folder}",
        )
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(dict(sorted(ids.items())), indent=2) + "\n"
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return created


def remove_map(path: Path, created_folder: bool) -> None:
    """Remove the map, and its folder when adopt made it and nothing else is in it."""
    path.unlink(missing_ok=True)
    if created_folder:
        with contextlib.suppress(OSError):  # something else is in it: leave it
            path.parent.rmdir()


class ImportOptions:
    """A stack transformation that sets ``import`` on the resources the map names."""

    def __init__(self, ids: Mapping[str, str], stack: str, project: str) -> None:
        self.ids = dict(ids)
        self.prefix = f"urn:pulumi:{stack}::{project}::"
        self.applied: set[str] = set()
        # the qualified type (the parent chain, the engine's URN rule) of each
        # resource seen, by object; objects are kept so their ids stay unique
        self._qualified: dict[int, tuple[Any, str]] = {}

    def qualified_type(self, parent: Any, type_: str) -> str:
        if parent is None or getattr(parent, "_type", None) == STACK_TYPE:
            return type_
        known = self._qualified.get(id(parent))
        parent_type = known[1] if known else str(parent._type)
        return f"{parent_type}${type_}"

    def __call__(self, args: Any) -> Any:
        import pulumi

        qualified = self.qualified_type(args.opts.parent, args.type_)
        self._qualified[id(args.resource)] = (args.resource, qualified)
        urn = f"{self.prefix}{qualified}::{args.name}"
        live_id = self.ids.get(urn)
        if live_id is None:
            return None
        self.applied.add(urn)
        opts = pulumi.ResourceOptions.merge(args.opts, pulumi.ResourceOptions(import_=live_id))
        return pulumi.ResourceTransformationResult(args.props, opts)

    def check_all_applied(self) -> None:
        missing = sorted(set(self.ids) - self.applied)
        if missing:
            raise K8sInfraError(
                f"{len(missing)} URN(s) of the id map name no resource of the program, "
                f"first {missing[0]}",
                "the declarations changed since the map was written: run `k8s-infra adopt` again",
            )


def register_from_environment(path: str, stack: str, project: str) -> ImportOptions:
    """Read the map at ``path`` and register its transformation for this run."""
    import pulumi

    options = ImportOptions(read_map(Path(path)), stack, project)
    pulumi.runtime.register_stack_transformation(options)
    return options
