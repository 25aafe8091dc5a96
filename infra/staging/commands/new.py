"""``k8s-infra staging new NAME --dir SIG_DIR``: onboard a subproject in one command.

Three declarations, written together or not at all, each keeping its
comments and order: the registry in infra.yaml (today's model: a registry
of the shared staging project; a project of its own with ``--project``),
the writer group in ``groups/SIG_DIR/groups.yaml`` and the group's line in
``groups/restrictions.yaml``. The result is validated in a scratch copy
before anything is written.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Annotated, Any

import typer
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    LiteralScalarString,
    SingleQuotedScalarString,
)

from infra.console.output import boundary, stderr
from infra.core import names, safe_write
from infra.core.errors import K8sInfraError, ProblemsFound, UsageError
from infra.core.problems import Position, Problems, did_you_mean
from infra.declarations.application import cli_context
from infra.declarations.layout import estate_file
from infra.groups.loader import GROUPS_COMPONENT, GROUPS_FILE, groups_location, load_groups
from infra.groups.restrictions import RESTRICTIONS_FILE
from infra.staging.commands import edits
from infra.staging_images.model import StagingImages, shared_registries

if TYPE_CHECKING:
    from infra.declarations.application import DeclarationsReader

SHARED_PROJECT = "k8s-staging-images"  # the shared staging registry project
STAGING_SECTION = "staging"
REGISTRY_SECTION = "staging-images"


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
    name: Annotated[
        str, typer.Argument(help="The subproject's staging name (`foo` or `k8s-staging-foo`).")
    ],
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
    root, reader = cli_context(ctx).root, cli_context(ctx).declarations
    name = check_name(name)
    with safe_write.editing(root, waiting=_waiting) as edit:
        problems = Problems()
        declarations = reader.load(root, problems)
        if problems.has_errors or declarations is None:
            raise ProblemsFound(problems.sorted())
        onboarding = _onboarding(root, reader, name, sig_dir, writers or [], own_project)
        contents = _edited(root, onboarding)
        checked = _validated(root, reader, contents)
        written = edit.commit(contents)
    for path in written:
        stderr.print(f"wrote {edit.display(path)}", markup=False)
    stderr.print(next_steps(onboarding, checked), markup=False)


def _waiting(line: str) -> None:
    stderr.print(line, markup=False)


def check_name(given: str) -> str:
    """The staging name ``given`` means; a usage error when it breaks the name rule."""
    name, problem = names.staging_name(given)
    if problem is not None:
        raise UsageError(*problem)
    return name


def _onboarding(
    root: Path,
    reader: DeclarationsReader,
    name: str,
    sig_dir: str,
    writers: list[str],
    own_project: bool,
) -> Onboarding:
    problems = Problems()
    stack = reader.stack_building(root, GROUPS_COMPONENT, problems)
    location = groups_location(stack, problems)
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
    infra_yaml = estate_file(root)
    estate = edits.load((root / infra_yaml).read_text(encoding="utf-8"))
    sections = estate.get("infra") if isinstance(estate, dict) else None
    for section, body in (sections or {}).items():
        projects = (body or {}).get("projects") or {}
        if onboarding.project_id in projects:
            taken.error(
                _at(infra_yaml, projects, onboarding.project_id),
                f"project `{onboarding.project_id}` is already declared under `{section}`",
                "pick another name",
            )
        if section != REGISTRY_SECTION or onboarding.own_project:
            continue
        for project_id, project in projects.items():
            registries = (project or {}).get("registries") or {}
            if onboarding.name in registries:
                taken.error(
                    _at(infra_yaml, registries, onboarding.name),
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
        "infra": root / estate_file(root),
        "groups": groups_root / onboarding.sig_dir / GROUPS_FILE,
        "restrictions": groups_root / RESTRICTIONS_FILE,
    }
    docs = {key: _document(root, path) for key, path in files.items()}
    _declare_staging(docs["infra"], onboarding, estate_file(root))
    _declare_group(docs["groups"], onboarding)
    _allow_group(docs["restrictions"], onboarding)
    return {files[key]: edits.dump(doc) for key, doc in docs.items()}


def _document(root: Path, path: Path) -> CommentedMap:
    if not path.is_file():
        raise K8sInfraError(
            f"{path.relative_to(root).as_posix()} is missing; nothing was changed",
            "add it (see docs/subproject-lead.md), then run this again",
        )
    document = edits.load(path.read_text(encoding="utf-8"))
    if document is None:
        return CommentedMap()
    if not isinstance(document, CommentedMap):
        raise K8sInfraError(
            f"{path.relative_to(root).as_posix()} is not a mapping; nothing was changed",
            "fix it so that `k8s-infra validate` passes",
        )
    return document


def _declare_staging(estate: Any, onboarding: Onboarding, infra_yaml: str) -> None:
    if onboarding.own_project:
        projects = _section_projects(estate, STAGING_SECTION, infra_yaml)
        edits.insert_key(projects, onboarding.project_id, None)
        return
    projects = _section_projects(estate, REGISTRY_SECTION, infra_yaml)
    shared = projects.get(SHARED_PROJECT) if SHARED_PROJECT in projects else None
    if not isinstance(shared, CommentedMap):
        raise K8sInfraError(
            f"{infra_yaml} declares no shared staging project `{SHARED_PROJECT}` under "
            f"`{REGISTRY_SECTION}`, so there is no registry to add; nothing was changed",
            "give the subproject a staging project of its own with --project",
        )
    registries = shared.get("registries")
    if registries is None:
        registries = shared["registries"] = CommentedMap()
    if not isinstance(registries, CommentedMap):
        raise K8sInfraError(
            f"`registries` of `{SHARED_PROJECT}` in {infra_yaml} is not a mapping; "
            "nothing was changed",
            "write it as `registries: {}` or fix it",
        )
    edits.insert_key(
        registries, onboarding.name, edits.flow({"writers": [f"group:{onboarding.group}"]})
    )


def _section_projects(estate: Any, section: str, infra_yaml: str) -> CommentedMap:
    """The ``projects`` mapping of ``infra.<section>``, which must exist."""
    sections = estate.get("infra") if isinstance(estate, CommentedMap) else None
    body = sections.get(section) if isinstance(sections, CommentedMap) else None
    projects = body.get("projects") if isinstance(body, CommentedMap) else None
    if projects is None and isinstance(body, CommentedMap):
        projects = body["projects"] = CommentedMap()
    if not isinstance(projects, CommentedMap):
        other = "without --project" if section == STAGING_SECTION else "with --project"
        raise K8sInfraError(
            f"{infra_yaml} has no `infra.{section}.projects` section to add to; "
            "nothing was changed",
            f"declare the section first, or run it {other}",
        )
    return projects


def _declare_group(document: CommentedMap, onboarding: Onboarding) -> None:
    group = CommentedMap()
    group["email-id"] = onboarding.group
    group["name"] = onboarding.group.split("@", 1)[0]
    group["description"] = LiteralScalarString(onboarding.description())
    group["settings"] = CommentedMap(ReconcileMembers=DoubleQuotedScalarString("true"))
    if onboarding.writers:
        group["members"] = CommentedSeq(onboarding.writers)
    if not isinstance(document.get("groups"), CommentedSeq):
        document["groups"] = CommentedSeq()
    edits.insert_item(document["groups"], str(group["name"]), group, _group_name)


def _group_name(group: Any) -> str:
    """Groups files are in the order of their groups' names."""
    return str(group.get("email-id", "")).split("@", 1)[0]


def _allow_group(document: CommentedMap, onboarding: Onboarding) -> None:
    path = f"{onboarding.sig_dir}/{GROUPS_FILE}"
    pattern = SingleQuotedScalarString("^" + onboarding.group.replace(".", "\\.") + "$")
    if not isinstance(document.get("restrictions"), CommentedSeq):
        document["restrictions"] = CommentedSeq()
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


def _validated(
    root: Path, reader: DeclarationsReader, contents: dict[Path, str]
) -> StagingImages | None:
    """Check the edited declarations in a scratch copy; refuse to write when they fail."""
    with tempfile.TemporaryDirectory(prefix="k8s-infra-new-") as scratch:
        copy = Path(scratch)
        parts = ("Pulumi.yaml", "stacks", "groups", estate_file(root), "infra/data")
        for part in dict.fromkeys(parts):
            source = root / part
            if source.is_dir():
                shutil.copytree(source, copy / part)
            elif source.is_file():
                (copy / part).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(source, copy / part)
        for path, text in contents.items():
            (copy / path.relative_to(root)).write_text(text, encoding="utf-8")
        problems = Problems()
        declarations = reader.load(copy, problems)
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
        f"`k8s-infra promoter new {onboarding.name} --out <k8s.io checkout>/registry.k8s.io"
        + (f" --source {_source(onboarding)}" if onboarding.own_project else "")
        + " --approvers <GitHub handle>...` (OWNERS' approvers; without it, the writers)"
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
