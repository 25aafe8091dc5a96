"""``k8s-infra staging new NAME --dir SIG_DIR``: onboard a subproject in one command.

Three declarations, written together or not at all, each keeping its
comments and order: the registry in infra.yaml (today's model: a registry
of the shared staging project; a project of its own with ``--project``),
the writer group in ``groups/SIG_DIR/groups.yaml`` and the group's line in
``groups/restrictions.yaml``. The result is validated in a scratch copy
before anything is written.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Annotated, Any

import typer
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    LiteralScalarString,
    SingleQuotedScalarString,
)

from infra.cli.console import boundary, stderr
from infra.cli.context import cli_context
from infra.cli.staging import edits
from infra.core import names
from infra.core.errors import K8sInfraError, ProblemsFound, UsageError
from infra.core.problems import Position, Problems, did_you_mean
from infra.declarations.layout import INFRA_YAML
from infra.groups.loader import GROUPS_COMPONENT, GROUPS_FILE, groups_location, load_groups
from infra.groups.restrictions import RESTRICTIONS_FILE
from infra.promoter.estate import shared_registries
from infra.staging_images.model import StagingImages
from infra.validation import find_stack_building, load_declarations

SHARED_PROJECT = "k8s-staging-images"  # the shared staging registry project
STAGING_SECTION = "staging"
REGISTRY_SECTION = "staging-images"
_NAME = re.compile(r"[a-z]([a-z0-9-]*[a-z0-9])?")


@dataclass(frozen=True)
class Onboarding:
    """What ``staging new`` declares."""

    name: str
    sig_dir: str
    writers: tuple[str, ...]
    own_project: bool
    groups_dir: str
    domain: str

    @property
    def group(self) -> str:
        return names.staging_writer_group(self.name, self.domain)

    @property
    def project_id(self) -> str:
        return names.STAGING_PREFIX + self.name

    def description(self) -> str:
        what = (
            f"the {self.project_id} staging project"
            if self.own_project
            else f"the {self.name} staging registry"
        )
        return f"Write access to {what}"


@boundary
def new(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The subproject's staging name (`foo`).")],
    sig_dir: Annotated[
        str,
        typer.Option(
            "--dir", metavar="SIG_DIR", help="The community group's folder under groups/."
        ),
    ],
    writers: Annotated[
        list[str] | None,
        typer.Option("--writers", metavar="ADDR", help="A member of the writer group (repeat)."),
    ] = None,
    own_project: Annotated[
        bool,
        typer.Option(
            "--project",
            help="A staging project of its own (k8s-staging-NAME) instead of a registry "
            "in k8s-staging-images.",
        ),
    ] = False,
) -> None:
    """Onboard a subproject: its staging registry, its writer group and the group's restriction.

    Writes infra/infra.yaml, groups/SIG_DIR/groups.yaml and groups/restrictions.yaml
    (all three or none, comments kept), checks the result like `validate`,
    then prints the next steps.

    [b]Examples[/b]

      k8s-infra staging new kueue-viz --dir sig-scheduling --writers alice@example.com

      k8s-infra staging new widget --dir sig-apps --project
    """
    root = cli_context(ctx).root
    _check_name(name)
    problems = Problems()
    declarations = load_declarations(root, problems)
    if problems.has_errors or declarations is None:
        raise ProblemsFound(problems.sorted())
    onboarding = _onboarding(root, name, sig_dir, writers or [], own_project)
    contents = _edited(root, onboarding)
    checked = _validated(root, contents)
    try:
        edits.write_all(contents)
    except OSError as error:
        raise K8sInfraError(
            f"could not write the declarations: {error}", "nothing was changed; run it again"
        ) from None
    for path in contents:
        stderr.print(f"wrote {path.relative_to(root).as_posix()}", markup=False)
    stderr.print(next_steps(onboarding, checked), markup=False)


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise UsageError(
            f"`{name}` is not a staging name",
            "use lowercase letters, digits and hyphens, starting with a letter and not "
            "ending with a hyphen",
        )
    if len(name) > names.STAGING_SUFFIX_MAX:
        raise UsageError(
            f"`{name}` has {len(name)} characters; a staging name has at most "
            f"{names.STAGING_SUFFIX_MAX}",
            f"the project id {names.STAGING_PREFIX}<name> and the group "
            f"{names.STAGING_GROUP_PREFIX}<name> must fit their limits; shorten it "
            "(upstream renamed cluster-inventory-api to cluster-inv-api)",
        )


def _onboarding(
    root: Path, name: str, sig_dir: str, writers: list[str], own_project: bool
) -> Onboarding:
    problems = Problems()
    location = groups_location(find_stack_building(root, GROUPS_COMPONENT, problems), problems)
    if location is None or problems.has_errors:
        raise ProblemsFound(problems.sorted())
    groups_dir, domain = location
    folder = PurePosixPath(sig_dir)
    known = sorted(p.parent.name for p in (root / groups_dir).glob(f"*/{GROUPS_FILE}"))
    if len(folder.parts) != 1 or sig_dir not in known:
        raise UsageError(
            f"--dir `{sig_dir}` is not a community group folder with a {GROUPS_FILE} "
            f"under {groups_dir}/",
            did_you_mean(sig_dir, known),
        )
    onboarding = Onboarding(name, sig_dir, tuple(writers), own_project, groups_dir, domain)
    _check_free(root, onboarding)
    return onboarding


def _check_free(root: Path, onboarding: Onboarding) -> None:
    """Refuse a name some declaration already uses, each at its place."""
    taken = Problems()
    estate = edits.load((root / INFRA_YAML).read_text(encoding="utf-8"))
    sections = estate.get("infra") or {}
    for section, body in sections.items():
        projects = (body or {}).get("projects") or {}
        if onboarding.project_id in projects:
            taken.error(
                _at(INFRA_YAML, projects, onboarding.project_id),
                f"project `{onboarding.project_id}` is already declared under `{section}`",
                "pick another name",
            )
        if section != REGISTRY_SECTION or onboarding.own_project:
            continue
        for project_id, project in projects.items():
            registries = (project or {}).get("registries") or {}
            if onboarding.name in registries:
                taken.error(
                    _at(INFRA_YAML, registries, onboarding.name),
                    f"registry `{onboarding.name}` is already declared in `{project_id}`",
                    "pick another name",
                )
    tree = load_groups(root, Problems(), onboarding.groups_dir, domain=onboarding.domain)
    for group in tree.groups if tree else ():
        if group.email.lower() == onboarding.group:
            taken.error(
                Position(group.file, group.line),
                f"group `{onboarding.group}` is already declared",
                "pick another name, or declare the registry by hand for an existing group",
            )
    if taken.has_errors:
        raise K8sInfraError(
            f"the name `{onboarding.name}` is taken", "pick another name", problems=taken.sorted()
        )


def _at(path: str, mapping: Any, key: str) -> Position:
    line, col = mapping.lc.key(key)
    return Position(path, line + 1, col + 1)


def _edited(root: Path, onboarding: Onboarding) -> dict[Path, str]:
    """The new text of each of the three files."""
    groups_root = root / onboarding.groups_dir
    files = {
        "infra": root / INFRA_YAML,
        "groups": groups_root / onboarding.sig_dir / GROUPS_FILE,
        "restrictions": groups_root / RESTRICTIONS_FILE,
    }
    docs = {key: edits.load(path.read_text(encoding="utf-8")) for key, path in files.items()}
    _declare_staging(docs["infra"], onboarding)
    _declare_group(docs["groups"], onboarding)
    _allow_group(docs["restrictions"], onboarding)
    return {files[key]: edits.dump(doc) for key, doc in docs.items()}


def _declare_staging(estate: CommentedMap, onboarding: Onboarding) -> None:
    sections = estate["infra"]
    if onboarding.own_project:
        edits.insert_key(sections[STAGING_SECTION]["projects"], onboarding.project_id, None)
        return
    registries = sections[REGISTRY_SECTION]["projects"][SHARED_PROJECT]["registries"]
    edits.insert_key(
        registries, onboarding.name, edits.flow({"writers": [f"group:{onboarding.group}"]})
    )


def _declare_group(document: CommentedMap, onboarding: Onboarding) -> None:
    group = CommentedMap()
    group["email-id"] = onboarding.group
    group["name"] = onboarding.group.split("@", 1)[0]
    group["description"] = LiteralScalarString(onboarding.description())
    group["settings"] = CommentedMap(ReconcileMembers=DoubleQuotedScalarString("true"))
    if onboarding.writers:
        group["members"] = CommentedSeq(onboarding.writers)
    edits.insert_item(document["groups"], str(group["name"]), group, _group_name)


def _group_name(group: Any) -> str:
    """Groups files are in the order of their groups' names."""
    return str(group.get("email-id", "")).split("@", 1)[0]


def _allow_group(document: CommentedMap, onboarding: Onboarding) -> None:
    path = f"{onboarding.sig_dir}/{GROUPS_FILE}"
    pattern = SingleQuotedScalarString("^" + onboarding.group.replace(".", "\\.") + "$")
    rules = document["restrictions"]
    rule = next((r for r in rules if r.get("path") == path), None)
    if rule is None:
        rule = CommentedMap(path=DoubleQuotedScalarString(path))
        rule["allowedGroups"] = CommentedSeq()
        # before the catch-all globs, among the folders in order
        plain = [str(r.get("path", "")) for r in rules if "*" not in str(r.get("path", ""))]
        rules.insert(edits.sorted_index(plain, path), rule)
    allowed = rule.setdefault("allowedGroups", CommentedSeq())
    edits.insert_item(allowed, str(pattern), pattern, str)


def _validated(root: Path, contents: dict[Path, str]) -> StagingImages | None:
    """Check the edited declarations in a scratch copy; refuse to write when they fail."""
    with tempfile.TemporaryDirectory(prefix="k8s-infra-new-") as scratch:
        copy = Path(scratch)
        for part in ("Pulumi.yaml", "stacks", "groups", "infra/infra.yaml", "infra/data"):
            source = root / part
            if source.is_dir():
                shutil.copytree(source, copy / part)
            elif source.is_file():
                (copy / part).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(source, copy / part)
        for path, text in contents.items():
            (copy / path.relative_to(root)).write_text(text, encoding="utf-8")
        problems = Problems()
        declarations = load_declarations(copy, problems)
    if problems.has_errors or declarations is None:
        raise K8sInfraError(
            "the new declarations would not validate; nothing was written",
            "fix what the lines above name (a writer address, say) and run it again",
            problems=problems.sorted(),
        )
    return shared_registries(declarations)


def next_steps(onboarding: Onboarding, registries: StagingImages | None) -> str:
    """What the subproject does after this command, in order."""
    steps = [
        "open a pull request with these three files; its check "
        f"(`k8s-infra plan {_stack(onboarding)} --base origin/main`) shows exactly the new "
        + ("project" if onboarding.own_project else "registry"),
        f"after the merge, the postsubmit creates the group {onboarding.group} "
        f"(`k8s-infra up groups`) and only then applies "
        f"`k8s-infra staging ensure {onboarding.name}`: the grants name the group, "
        "which must exist first",
    ]
    account = _build_account(onboarding, registries)
    if account is not None:
        steps.append(account)
    steps.append(
        "add the promoter's files to kubernetes/k8s.io: "
        f"`k8s-infra promoter new {onboarding.name} --out <k8s.io checkout>/registry.k8s.io`"
        + (f" --source {_source(onboarding)}" if onboarding.own_project else "")
    )
    steps.append(
        f"push images to {_source(onboarding)} from a prow job, then promote them with "
        "a pull request adding their digests to images.yaml"
    )
    lines = ["next steps:"] + [f"  {i}. {step}" for i, step in enumerate(steps, 1)]
    return "\n".join(lines)


def _stack(onboarding: Onboarding) -> str:
    return STAGING_SECTION if onboarding.own_project else REGISTRY_SECTION


def _source(onboarding: Onboarding) -> str:
    if onboarding.own_project:
        return f"us-central1-docker.pkg.dev/{onboarding.project_id}/images"
    return f"us-central1-docker.pkg.dev/{SHARED_PROJECT}/{onboarding.name}"


def _build_account(onboarding: Onboarding, registries: StagingImages | None) -> str | None:
    """The Kubernetes service account a registry's build account trusts, when it has one."""
    if onboarding.own_project or registries is None:
        return None
    for project in registries.projects:
        for registry in project.registries:
            if registry.name == onboarding.name and registry.build_account:
                settings = registries.settings
                email = names.service_account_email(registry.build_account, project.project_id)
                return (
                    f"create the Kubernetes service account {settings.prow_namespace}/"
                    f"{registry.name} in prow's build cluster "
                    f"({settings.workload_identity_pool}); its pods may act as {email} "
                    "through the pool's principal, and no other pod may"
                )
    return None
