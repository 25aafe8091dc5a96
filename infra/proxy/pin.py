"""Pins a stack's archeio image to a new digest, in its stack file, comments kept.

    python -m infra.proxy.pin STACK sha256:<64 hex digits>

``scripts/ci/deploy-sandbox.sh`` runs this before ``k8s-infra up``. Only the
image's value changes, on its own line; a tag beside the old digest is
dropped, since it would no longer describe the build. Exit codes as
k8s-infra's: 2 for a malformed digest, 1 when the stack file has no proxy
image to change.
"""

from __future__ import annotations

import sys
from pathlib import Path

from infra.core import safe_write
from infra.core.errors import K8sInfraError
from infra.core.paths import data_root
from infra.core.problems import Position, Problems
from infra.declarations.layout import stack_path
from infra.declarations.stacks import NAMESPACE, read_stack_file, stack_file
from infra.proxy.model import DIGEST, IMAGE_REFERENCE, SETTINGS_KEY

USAGE = 2
PROBLEMS = 1


def pin_digest(root: Path, stack: str, digest: str, problems: Problems) -> str | None:
    """Write ``digest`` into the stack's proxy image; the new reference, or None.

    The stack file is written as every declaration is (``infra.core.safe_write``):
    under the data root's lock, whole or not at all, its mode and line endings kept.
    """
    with safe_write.editing(root) as edit:
        pinned = _pin(root, stack, digest, problems)
        if pinned is None:
            return None
        file, text, reference = pinned
        edit.commit({file: text})
    return reference


def _pin(root: Path, stack: str, digest: str, problems: Problems) -> tuple[Path, str, str] | None:
    display = stack_path(stack)
    file = stack_file(root, stack)
    found_file = read_stack_file(file, display, problems)
    if found_file is None:
        return None
    document = found_file.document
    path = ("config", f"{NAMESPACE}:{SETTINGS_KEY}", "image")
    proxy = found_file.config.get(path[1])
    current = proxy.get("image") if isinstance(proxy, dict) else None
    found = IMAGE_REFERENCE.fullmatch(current) if isinstance(current, str) else None
    if current is None or found is None:
        problems.error(
            document.at(*path) if current is not None else Position(display),
            f"no archeio image reference to pin in `{NAMESPACE}:{SETTINGS_KEY}.image`",
            "write `image: <repository>@sha256:<digest>` under it first",
        )
        return None
    pinned = f"{found.group('repository')}@{digest}"
    lines = file.read_text(encoding="utf-8").splitlines(keepends=True)
    where = document.at(*path)
    line = lines[where.line - 1]
    if current not in line:  # a value folded over several lines
        problems.error(where, "the image reference must be written on one line")
        return None
    lines[where.line - 1] = line.replace(current, pinned, 1)
    return file, "".join(lines), pinned


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not DIGEST.fullmatch(argv[1]):
        shown = argv[1] if len(argv) == 2 else " ".join(argv)
        print(
            f"error: expected STACK sha256:<64 lowercase hex digits>, got `{shown}` "
            "(hint: `crane digest <image>:<tag>` prints a build's digest)",
            file=sys.stderr,
        )
        return USAGE
    stack, digest = argv
    problems = Problems()
    try:
        pinned = pin_digest(data_root(), stack, digest, problems)
    except K8sInfraError as error:
        print(f"error: {error.message} (hint: {error.hint})", file=sys.stderr)
        return error.exit_code
    for problem in problems:
        print(problem.format(), file=sys.stderr)
    if pinned is None:
        return PROBLEMS
    print(f"{stack}: archeio image pinned to {pinned}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
