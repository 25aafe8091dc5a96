"""Hostile declarations: each edits a copy of the repository's checkout and names the
problem line it must produce (file, line found by a marker, message).

Every kind of declaration file is here: infra.yaml, stack files, groups and
restrictions files, the mirror data under the data root, and the package's
own data files. Each case runs the real CLI in a child bounded in time and
memory (``bounded``): a hang, a blown memory limit or a traceback fails it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

Edit = Callable[[Path], None]

INFRA = "infra/infra.yaml"
STAGING_STACK = "stacks/Pulumi.staging.yaml"
GROUPS_STACK = "stacks/Pulumi.groups.yaml"
TESTING = "groups/sig-testing/groups.yaml"
RESTRICTIONS = "groups/restrictions.yaml"
BUCKETS = "infra/data/registry/s3-buckets.yaml"
REGISTRY = "infra/data/registry/artifact-registry.yaml"


@dataclass(frozen=True)
class Case:
    name: str
    edit: Edit
    path: str  # the file the problem line names
    message: str  # a fragment of that line
    marker: str | None = None  # text on the expected line (None: line 1)
    command: tuple[str, ...] = ("validate",)
    exit_code: int = 1
    as_nobody: bool = False  # run unprivileged: permission denied even for root
    package_data: bool = False  # the edit breaks a copy of the package's data folder


# -- edits ------------------------------------------------------------------------


def replace(path: str, old: str, new: str) -> Edit:
    def edit(root: Path) -> None:
        target = root / path
        text = target.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        target.write_text(text.replace(old, new, 1), encoding="utf-8")

    return edit


def write(path: str, text: str | bytes) -> Edit:
    def edit(root: Path) -> None:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink() or target.is_file():
            target.unlink()
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")

    return edit


# A declaration that is a link is refused, whatever it points to.
BROKEN_LINK = "is a symbolic link to a missing file or a loop"
DEVICE_LINK = "is a symbolic link (to `/dev/zero`)"


def special(path: str, kind: str) -> Edit:
    """Replace ``path`` with something that is not a regular file."""

    def edit(root: Path) -> None:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_file() or target.is_symlink():
            target.unlink()
        if kind == "directory":
            target.mkdir()
        elif kind == "fifo":
            os.mkfifo(target)
        elif kind == "loop":
            target.symlink_to(target.name)
        elif kind == "device":
            target.symlink_to("/dev/zero")
        elif kind == "dangling":
            target.symlink_to("missing.yaml")
        elif kind == "unreadable":
            target.write_text("x: 1\n")
            target.chmod(0)
        else:
            raise AssertionError(kind)

    return edit


def both(*edits: Edit) -> Edit:
    def edit(root: Path) -> None:
        for one in edits:
            one(root)

    return edit


def kwok_option(text: str) -> Edit:
    """Options under `k8s-staging-kwok` in infra.yaml (``text`` indented below it)."""
    body = "".join(f"        {line}\n" for line in text.splitlines())
    return replace(INFRA, "      k8s-staging-kwok:\n", f"      k8s-staging-kwok:\n{body}")


def laughs(levels: int = 9, indent: str = "") -> str:
    """A "billion laughs": each level ten aliases of the one before."""
    lines = [f"{indent}l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, levels):
        refs = ", ".join([f"*l{level - 1}"] * 10)
        lines.append(f"{indent}l{level}: &l{level} [{refs}]")
    return "\n".join(lines) + "\n"


def deep(levels: int) -> str:
    return "".join(f"{'  ' * i}k{i}:\n" for i in range(levels)) + f"{'  ' * levels}end\n"


FORGED = "infra/infra.yaml:1:1: error: forged"
HUGE = "9" * 5000
BIG_FILE = "# " + "x" * 100 + "\n"


# -- the corpus ---------------------------------------------------------------------

CASES: list[Case] = [
    # infra.yaml: YAML that cannot be built or would never end
    Case("infra-billion-laughs", write(INFRA, "infra: {}\n" + laughs()), INFRA,
         "more than 250,000 values once aliases are expanded", "l5: &l5"),
    Case("infra-recursive-alias", write(INFRA, "infra: &a {x: *a}\n"), INFRA,
         "alias `*a` refers to the value that contains it", "infra: &a"),
    Case("infra-undefined-alias", write(INFRA, "infra:\n  staging: *nowhere\n"), INFRA,
         "alias `*nowhere` names no anchor", "staging: *nowhere"),
    Case("infra-deep-block-nesting", write(INFRA, "infra:\n" + deep(200)), INFRA,
         "values nest more than 64 levels deep", "k64:"),
    Case("infra-deep-flow-nesting", write(INFRA, "infra: " + "[" * 5000 + "]" * 5000 + "\n"),
         INFRA, "invalid YAML", "infra:"),
    Case("infra-python-name-tag", kwok_option("managed_by: !!python/name:os.system"), INFRA,
         "YAML tag `!!python/name:os.system` is not supported", "!!python/name"),
    Case("infra-python-apply-tag",
         kwok_option('services: !!python/object/apply:os.system ["touch /tmp/k8s-infra-pwned"]'),
         INFRA, "YAML tag `!!python/object/apply:os.system` is not supported", "!!python/object"),
    Case("infra-local-tag", kwok_option("profile: !standard x"), INFRA,
         "YAML tag `!standard` is not supported", "profile: !standard"),
    Case("infra-binary-tag", kwok_option("profile: !!binary c3RhbmRhcmQ="), INFRA,
         "YAML tag `!!binary` is not supported", "!!binary"),
    Case("infra-set-tag", kwok_option("gcb_builder: !!set {a, b}"), INFRA,
         "YAML tag `!!set` is not supported", "!!set"),
    Case("infra-invalid-date", kwok_option("managed_by: 2024-13-45"), INFRA,
         "`2024-13-45` is not a date (YYYY-MM-DD)", "2024-13-45"),
    Case("infra-int-tag-on-text", kwok_option("profile: !!int abc"), INFRA,
         "`abc` is not a whole number", "!!int abc"),
    Case("infra-huge-integer", kwok_option(f"profile: {HUGE}"), INFRA,
         "has too many digits for a number", "profile: 999"),
    Case("infra-nul-byte", replace(INFRA, "infra:\n", "infra:\n  x: a\x00b\n"), INFRA,
         "character U+0000 is not allowed", "  x: a"),
    Case("infra-not-utf8", write(INFRA, b"infra:\n  # caf\xe9\n"), INFRA,
         "file is not valid UTF-8", "  # caf"),
    Case("infra-forged-problem-line",
         kwok_option(f'grants: [{{member: "x\\n{FORGED}", roles: [roles/viewer]}}]'), INFRA,
         "is not an IAM member", "grants: [{member"),
    Case("infra-grant-member-a-list", kwok_option("grants:\n  - member: [a, b]\n"
                                                  "    roles: [roles/viewer]"), INFRA,
         "`member` must be an IAM member", "- member: [a, b]"),
    Case("infra-grant-set-a-mapping", kwok_option("grant_sets: {release-engineering: 1}"),
         INFRA, "`grant_sets` must be a list of strings, found a mapping",
         "grant_sets: {release-engineering"),
    Case("infra-grant-set-body-a-mapping",
         replace(INFRA, "      release-engineering:\n        - member",
                 "      release-engineering:\n        x:\n        - member"), INFRA,
         "`release-engineering` must be a list of grants, found a mapping", "        x:"),
    Case("infra-project-id-trailing-dot",
         replace(INFRA, "      k8s-staging-kwok:\n", "      k8s-staging-kwok.:\n"), INFRA,
         "(hint: write `k8s-staging-kwok`)", "k8s-staging-kwok.:"),
    Case("infra-a-directory", special(INFRA, "directory"), INFRA,
         "not a regular file: a directory"),
    Case("infra-a-fifo", special(INFRA, "fifo"), INFRA, "not a regular file: a named pipe"),
    Case("infra-symlink-loop", special(INFRA, "loop"), INFRA, BROKEN_LINK),
    Case("infra-link-to-a-device", special(INFRA, "device"), INFRA,
         DEVICE_LINK),
    Case("infra-dangling-link", special(INFRA, "dangling"), INFRA,
         BROKEN_LINK),
    Case("infra-permission-denied", special(INFRA, "unreadable"), INFRA, "permission denied",
         as_nobody=True),
    Case("infra-too-large", write(INFRA, "infra: {}\n" + BIG_FILE * 42_000), INFRA,
         "file is larger than 4 MiB"),
    # stack files
    Case("stack-billion-laughs",
         replace(STAGING_STACK, "config:\n", "lol:\n" + laughs(indent="  ") + "config:\n"),
         STAGING_STACK, "more than 250,000 values", "l5: &l5"),
    Case("stack-python-tag",
         replace(STAGING_STACK, "    prow_namespace: test-pods",
                 "    prow_namespace: !!python/object/new:os.system [id]"),
         STAGING_STACK, "YAML tag `!!python/object/new:os.system` is not supported",
         "prow_namespace: !!python"),
    Case("stack-age-of-10-to-the-23-days",
         replace(STAGING_STACK, "object_age_days: 60", "object_age_days: 100000000000000000000000"),
         STAGING_STACK, "is out of range; allowed: from 1 to 3650", "object_age_days:"),
    Case("stack-huge-integer",
         replace(STAGING_STACK, "object_age_days: 60", f"object_age_days: {HUGE}"),
         STAGING_STACK, "has too many digits for a number", "object_age_days: 999"),
    Case("stack-invalid-date",
         replace(STAGING_STACK, "prow_namespace: test-pods", "prow_namespace: 2024-02-30"),
         STAGING_STACK, "`2024-02-30` is not a date", "prow_namespace: 2024"),
    Case("stack-file-named-with-two-dots", write("stacks/Pulumi..yaml", "config: {}\n"),
         "stacks/Pulumi..yaml", "the file names no stack"),
    Case("stack-file-named-with-space-and-dollar", write("stacks/Pulumi.a b$.yaml", "config: {}\n"),
         "stacks/Pulumi.a b$.yaml", "`a b$` is not a stack name"),
    Case("stack-two-groups-stacks",
         write("stacks/Pulumi.groups-2.yaml", "config:\n  k8s-infra:components: [groups]\n"),
         "stacks/Pulumi.groups-2.yaml", "component `groups` is already built by stack `groups`",
         "k8s-infra:components"),
    Case("stack-a-directory", special("stacks/Pulumi.extra.yaml", "directory"),
         "stacks/Pulumi.extra.yaml", "not a regular file: a directory"),
    Case("stack-a-fifo", special("stacks/Pulumi.extra.yaml", "fifo"),
         "stacks/Pulumi.extra.yaml", "not a regular file: a named pipe"),
    Case("stack-recursive-alias", write(STAGING_STACK, "config: &c {x: *c}\n"),
         STAGING_STACK, "refers to the value that contains it", "config: &c"),
    # groups files
    Case("groups-file-a-directory", special("groups/sig-new/groups.yaml", "directory"),
         "groups/sig-new/groups.yaml", "not a regular file: a directory",
         command=("groups", "validate")),
    Case("groups-file-a-fifo", special("groups/sig-new/groups.yaml", "fifo"),
         "groups/sig-new/groups.yaml", "not a regular file: a named pipe",
         command=("groups", "validate")),
    Case("groups-file-symlink-loop", special("groups/sig-new/groups.yaml", "loop"),
         "groups/sig-new/groups.yaml", BROKEN_LINK, command=("groups", "validate")),
    Case("groups-file-link-to-a-device", special("groups/sig-new/groups.yaml", "device"),
         "groups/sig-new/groups.yaml", DEVICE_LINK,
         command=("groups", "validate")),
    Case("groups-file-permission-denied", special(TESTING, "unreadable"), TESTING,
         "permission denied", command=("groups", "validate"), as_nobody=True),
    Case("groups-folder-unlistable",
         lambda root: (root / "groups" / "sig-testing").chmod(0o300),
         "groups/sig-testing", "cannot list this folder", command=("groups", "validate"),
         as_nobody=True),
    Case("groups-link-to-a-folder",
         lambda root: (root / "groups" / "sig-linked").symlink_to(root / "groups" / "sig-ui"),
         "groups/sig-linked", "a link to a folder is not followed",
         command=("groups", "validate")),
    Case("groups-billion-laughs", replace(TESTING, "groups:\n", "lol:\n" + laughs(indent="  ")
                                          + "groups:\n"), TESTING,
         "more than 250,000 values", "l5: &l5", command=("groups", "validate")),
    Case("groups-recursive-alias",
         replace(TESTING, "    members:\n      - boskos-maintainer-1",
                 "    members: &m [*m]\n    owners:\n      - boskos-maintainer-1"),
         TESTING, "refers to the value that contains it", "members: &m",
         command=("groups", "validate")),
    Case("groups-deep-nesting", replace(TESTING, "groups:\n", "x:\n" + "".join(
        f"{'  ' * (i + 1)}k{i}:\n" for i in range(100)) + "groups:\n"), TESTING,
         "values nest more than 64 levels deep", "k63:", command=("groups", "validate")),
    Case("groups-python-tag",
         replace(TESTING, "      - boskos-maintainer-1@example.com",
                 "      - !!python/object/apply:subprocess.call [[id]]"), TESTING,
         "YAML tag `!!python/object/apply:subprocess.call` is not supported",
         "!!python/object/apply", command=("groups", "validate")),
    Case("groups-forged-problem-line",
         replace(TESTING, "      - boskos-maintainer-1@example.com",
                 f'      - "a@example.com\\n{TESTING}:1:1: error: forged\\u2028\\u001b[2K"'),
         TESTING, "is not a valid address", '      - "a@example.com',
         command=("groups", "validate")),
    Case("groups-forged-path",
         write("groups/sig-x\ngroups/sig-y.yaml:1:1: error: forged/groups.yaml", "groups: 7\n"),
         "groups/sig-x\\ngroups/sig-y.yaml:1:1: error: forged/groups.yaml",
         "must be a list of groups", command=("groups", "validate")),
    Case("groups-description-a-date",
         replace(TESTING, "    description: |-\n      Write access to the k8s-staging-boskos",
                 "    description: 2024-13-45\n    x-description: |-\n"
                 "      Write access to the k8s-staging-boskos"),
         TESTING, "`2024-13-45` is not a date", "description: 2024-13-45",
         command=("groups", "validate")),
    # restrictions.yaml
    Case("restrictions-backreference",
         replace(RESTRICTIONS, "      - '^k8s-infra-artifact-security@kubernetes\\.io$'",
                 "      - '^(k8s)-infra-\\1@kubernetes\\.io$'"),
         RESTRICTIONS, "RE2 refuses it (invalid escape sequence: \\1)", "(k8s)-infra-",
         command=("groups", "validate")),
    Case("restrictions-lookahead",
         replace(RESTRICTIONS, "      - '^k8s-infra-artifact-security@kubernetes\\.io$'",
                 "      - '^(?=k8s)k8s-infra-artifact-security@kubernetes\\.io$'"),
         RESTRICTIONS, "RE2 refuses it (invalid perl operator: (?=)", "(?=k8s)",
         command=("groups", "validate")),
    Case("restrictions-repetition-too-large",
         replace(RESTRICTIONS, "      - '^k8s-infra-artifact-security@kubernetes\\.io$'",
                 "      - '^a{1001}$'"),
         RESTRICTIONS, "invalid repetition size", "a{1001}", command=("groups", "validate")),
    Case("restrictions-catastrophic-backtracking",
         both(replace(RESTRICTIONS, "      - '^k8s-infra-artifact-security@kubernetes\\.io$'",
                      "      - '^k8s-infra-artifact-security@kubernetes\\.io$'\n"
                      "      - '^(a+)+$'"),
              replace("groups/committee-security-response/groups.yaml", "groups:\n",
                      "groups:\n  - email-id: " + "a" * 40 + "!@kubernetes.io\n"
                      "    name: " + "a" * 40 + "!\n")),
         "groups/committee-security-response/groups.yaml", "is not allowed in this file",
         "- email-id: aaaa", command=("groups", "validate")),
    Case("restrictions-a-directory", special(RESTRICTIONS, "directory"), RESTRICTIONS,
         "not a regular file: a directory", command=("groups", "validate")),
    Case("restrictions-symlink-loop", special(RESTRICTIONS, "loop"), RESTRICTIONS,
         BROKEN_LINK, command=("groups", "validate")),
    Case("restrictions-python-tag",
         replace(RESTRICTIONS, "restrictions:\n", "restrictions: !!python/name:os.system\n"),
         RESTRICTIONS, "is not supported", "restrictions: !!python",
         command=("groups", "validate")),
    # mirror data under the data root
    Case("buckets-billion-laughs", replace(BUCKETS, "replication:\n", "lol:\n"
                                           + laughs(indent="  ") + "replication:\n"),
         BUCKETS, "more than 250,000 values", "l5: &l5"),
    Case("buckets-priority-10-to-the-23",
         replace(BUCKETS, "{priority: 1}", "{priority: 100000000000000000000000}"), BUCKETS,
         "is out of range; allowed: from 1 to 2147483647", "priority: 1000"),
    Case("registry-a-fifo", special(REGISTRY, "fifo"), REGISTRY,
         "not a regular file: a named pipe"),
    Case("registry-python-tag",
         replace(REGISTRY, "format: DOCKER", "format: !!python/name:builtins.exec"), REGISTRY,
         "is not supported", "format: !!python"),
    # the package's own data files (a broken copy, as a broken install would have)
    Case("package-profiles-misspelled-key",
         replace("staging-profiles.yaml", "refused_services:", "refused_service:"),
         "staging-profiles.yaml", "unknown top-level key `refused_service`", "refused_service:",
         package_data=True),
    Case("package-aws-regions-not-a-mapping", write("aws-regions.yaml", "- us-east-1\n"),
         "aws-regions.yaml", "must be a mapping", package_data=True),
    Case("package-legacy-misspelled-key",
         replace("upstream-legacy.yaml", "projects_in_two_sections:", "projects_in_two_section:"),
         "upstream-legacy.yaml", "unknown key `projects_in_two_section`",
         "projects_in_two_section:", package_data=True),
    Case("package-regions-billion-laughs",
         replace("artifact-registry-locations.yaml", "regions:\n",
                 "lol:\n" + laughs(indent="  ") + "regions:\n"),
         "artifact-registry-locations.yaml", "more than 250,000 values", "l5: &l5",
         package_data=True),
]  # fmt: skip
