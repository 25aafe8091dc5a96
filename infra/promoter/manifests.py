"""The image promoter's files for a subproject, written and checked against the estate.

A subproject adds three files to the promoter's tree (``registry.k8s.io/``
in kubernetes/k8s.io):

    manifests/k8s-staging-<name>/promoter-manifest.yaml   source and destinations
    images/k8s-staging-<name>/images.yaml                  what to promote
    images/k8s-staging-<name>/OWNERS                       who may approve promotions

The source is the subproject's staging registry; the destinations are the
Artifact Registry mirrors of every serving region, from the mirrors data
(``infra/data/registry/artifact-registry.yaml``), written by the promoter's
account. ``check_tree`` proves a tree agrees: exactly one source, declared
as a staging registry or project; each destination folder in every serving
region and nowhere else; the promoter account on each; image files that
parse, with well-formed digests and no ``latest``. Each problem names its
file and line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.core import names
from infra.core.located_yaml import YamlDocument, load_yaml
from infra.core.names import shown
from infra.core.problems import Position, Problems

MANIFESTS_DIR = "manifests"
IMAGES_DIR = "images"
MANIFEST_FILE = "promoter-manifest.yaml"
IMAGES_FILE = "images.yaml"
OWNERS_FILE = "OWNERS"
PROMOTER_ROLE = "roles/artifactregistry.repoAdmin"  # the account that writes every mirror
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
# an image's path in a registry (the distribution spec's repository name), no host
_COMPONENT = r"[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*"
_IMAGE_NAME = re.compile(rf"{_COMPONENT}(?:/{_COMPONENT})*")
IMAGE_NAME_MAX = 255
# Where each manifest folder publishes: its staging name's folder and what lies under
# it, but for these (upstream's images at the registry's root are k8s-staging-kubernetes').
PUBLISHES_ALSO: Mapping[str, tuple[str, ...]] = {"k8s-staging-kubernetes": ("",)}


@dataclass(frozen=True)
class PromoterEstate:
    """What the declarations say a promoter manifest must agree with."""

    serving: Mapping[str, str]  # serving region -> repository address (no subfolder)
    other_regions: frozenset[str]  # declared but not serving
    promoter_account: str
    sources: Mapping[str, str]  # accepted source registry -> what declares it


def staging_dir(name: str) -> str:
    return name if name.startswith(names.STAGING_PREFIX) else names.STAGING_PREFIX + name


def default_source(name: str) -> str:
    """A subproject's registry in the shared staging project."""
    return f"us-central1-docker.pkg.dev/k8s-staging-images/{names.staging_suffix(name)}"


@dataclass(frozen=True)
class Owners:
    """Who approves a subproject's promotions, and the label of its community group."""

    approvers: tuple[str, ...] = ()
    label: str | None = None  # sig/scheduling, wg/..., from the writer group's folder


def community_label(folder: str) -> str | None:
    """``sig-scheduling`` -> ``sig/scheduling`` (also wg-, ug-, committee-); None otherwise."""
    kind, _, rest = folder.partition("-")
    if kind in ("sig", "wg", "ug", "committee") and rest:
        return f"{kind}/{rest}"
    return None


def render(
    name: str,
    estate: PromoterEstate,
    source: str,
    domain: str = "kubernetes.io",
    owners: Owners | None = None,
) -> dict[str, str]:
    """The three files of a subproject, by path relative to the promoter's tree."""
    owners = owners or Owners()
    folder = staging_dir(name)
    short = names.staging_suffix(folder)
    group = names.staging_writer_group(short, domain)
    lines = [
        f"# google group for {source} is {group}",
        "registries:",
        f"  - name: {source}",
        "    src: true",
    ]
    for region in sorted(estate.serving):
        lines += [
            f"  - name: {estate.serving[region]}/{short}",
            f"    service-account: {estate.promoter_account}",
        ]
    lines.append(f'imagesPath: "../../{IMAGES_DIR}/{folder}/{IMAGES_FILE}"')
    images = [
        f"# Images of {source} to promote to registry.k8s.io/{short}/.",
        "# Each image lists digests and their tags, for example:",
        f"# - name: {short}",
        "#   dmap:",
        '#     "sha256:<64 hex digits>": ["v0.1.0"]',
        "[]",
    ]
    approvers = [f"  - {a}" for a in owners.approvers] if owners.approvers else []
    owners_lines = [
        "# See the OWNERS docs at https://go.k8s.io/owners",
        "# Who may approve promotions of this subproject's images.",
        "",
        "approvers:" if approvers else "approvers: []",
        *approvers,
        "reviewers: []",
    ]
    if owners.label:
        owners_lines += ["", "labels:", f"  - {owners.label}"]
    return {
        f"{MANIFESTS_DIR}/{folder}/{MANIFEST_FILE}": "\n".join(lines) + "\n",
        f"{IMAGES_DIR}/{folder}/{IMAGES_FILE}": "\n".join(images) + "\n",
        f"{IMAGES_DIR}/{folder}/{OWNERS_FILE}": "\n".join(owners_lines) + "\n",
    }


def manifest_paths(path: Path) -> tuple[Path, list[Path]]:
    """The promoter tree ``path`` is in, and the manifests to check there: every one
    when ``path`` is the tree, one when it is a manifest's folder (or the manifest)."""
    if path.is_file() and path.name == MANIFEST_FILE:
        path = path.parent
    if (path / MANIFEST_FILE).is_file() and path.parent.name == MANIFESTS_DIR:
        return path.parent.parent, [path / MANIFEST_FILE]
    return path, sorted((path / MANIFESTS_DIR).glob(f"*/{MANIFEST_FILE}"))


def check_tree(tree: Path, estate: PromoterEstate, problems: Problems) -> int:
    """Check every manifest under ``tree/manifests`` (or the one manifest folder ``tree``
    is) and the images files they name; each broken one is reported, none hides another.

    Returns how many manifests were checked. Paths in problems are relative to the tree.
    """
    tree, manifests = manifest_paths(tree)
    if not manifests:
        problems.error(
            Position(MANIFESTS_DIR),
            f"no {MANIFESTS_DIR}/<folder>/{MANIFEST_FILE} found",
            "point at the promoter's tree (registry.k8s.io/ in kubernetes/k8s.io) "
            "or at one manifest's folder",
        )
    for manifest in manifests:
        images = _check_manifest(tree, manifest, estate, problems)
        if images is not None:
            check_images(tree, images, problems)
    return len(manifests)


def _display(tree: Path, path: Path) -> str:
    return path.relative_to(tree).as_posix()


def _check_manifest(
    tree: Path, path: Path, estate: PromoterEstate, problems: Problems
) -> Path | None:
    """Check one manifest; return the images file it pairs with (None: none to check)."""
    display = _display(tree, path)
    document = load_yaml(path, display, problems)
    if document is None:
        return None
    data = document.data
    registries = data.get("registries") if isinstance(data, dict) else None
    if not isinstance(registries, list) or not registries:
        problems.error(
            document.at(), "a manifest needs a `registries` list", "see docs/subproject-lead.md"
        )
        return None
    entries = [(i, r) for i, r in enumerate(registries) if isinstance(r, dict)]
    sources = [(i, r) for i, r in entries if r.get("src") is True]
    folder = path.parent.name
    _check_source(document, sources, estate, problems)
    _check_destinations(document, [(i, r) for i, r in entries if r.get("src") is not True],
                        estate, problems, folder)  # fmt: skip
    return _images_path(tree, path, document, problems)


def _images_path(tree: Path, path: Path, document: YamlDocument, problems: Problems) -> Path | None:
    """The images file: ``imagesPath`` (a string, inside the tree), else beside the folder."""
    data = document.data
    if "imagesPath" not in data:
        return tree / IMAGES_DIR / path.parent.name / IMAGES_FILE
    images_path = data.get("imagesPath")
    if not isinstance(images_path, str) or not images_path:
        problems.error(
            document.at("imagesPath"),
            "`imagesPath` must be a path (a string)",
            f'write `imagesPath: "../../{IMAGES_DIR}/{path.parent.name}/{IMAGES_FILE}"`',
        )
        return None
    resolved = None if "\0" in images_path else (path.parent / images_path).resolve()
    if resolved is None or not resolved.is_relative_to(tree.resolve()):
        problems.error(
            document.at("imagesPath"),
            f"`imagesPath` points outside the promoter's tree: `{shown(images_path)}`",
            f'write `imagesPath: "../../{IMAGES_DIR}/{path.parent.name}/{IMAGES_FILE}"`',
        )
        return None
    return resolved


def _check_source(
    document: YamlDocument,
    sources: list[tuple[int, dict[str, Any]]],
    estate: PromoterEstate,
    problems: Problems,
) -> None:
    if len(sources) != 1:
        problems.error(
            document.key_at("registries"),
            f"a manifest needs exactly one source (`src: true`), found {len(sources)}",
            "mark the staging registry, and only it, with `src: true`",
        )
        return
    index, source = sources[0]
    name = str(source.get("name", ""))
    if name not in estate.sources:
        problems.error(
            document.at("registries", index, "name"),
            f"source `{name}` is not a declared staging registry or project",
            "promote from a registry declared in infra/infra.yaml "
            "(`us-central1-docker.pkg.dev/k8s-staging-images/<name>`)",
        )
    elif estate.sources[name].startswith("staging project") and name.startswith("gcr.io/"):
        problems.warning(
            document.at("registries", index, "name"),
            f"source `{name}` is a Container Registry address ({estate.sources[name]})",
            "Container Registry is retired; push to the subproject's Artifact Registry "
            "repository and promote from there",
        )


def _check_destinations(
    document: YamlDocument,
    destinations: list[tuple[int, dict[str, Any]]],
    estate: PromoterEstate,
    problems: Problems,
    manifest_folder: str,
) -> None:
    own = names.staging_suffix(manifest_folder)
    also = PUBLISHES_ALSO.get(manifest_folder, ())
    by_folder: dict[str, set[str]] = {}
    for index, entry in destinations:
        name = str(entry.get("name", ""))
        where = document.at("registries", index, "name")
        placed = _destination(name, estate)
        if placed is None:
            problems.error(
                where,
                f"destination `{name}` is not a production mirror",
                "destinations are `<region>-docker.pkg.dev/k8s-artifacts-prod/images[/<folder>]` "
                "of the serving regions",
            )
            continue
        region, folder = placed
        if not (folder == own or folder.startswith(own + "/") or folder in also):
            problems.error(
                where,
                f"destination `{shown(name)}` publishes into "
                f"`{folder or '(the root folder)'}`, not into `{own}`, the folder of "
                f"{manifest_folder}",
                f"a manifest publishes only under registry.k8s.io/{own}/",
            )
            continue
        if region not in estate.serving:
            problems.error(
                where,
                f"destination `{name}` is in `{region}`, not a serving region",
                "promote to the serving regions of infra/data/registry/artifact-registry.yaml",
            )
        by_folder.setdefault(folder, set()).add(region)
        account = entry.get("service-account")
        if account != estate.promoter_account:
            problems.error(
                document.at("registries", index, "service-account")
                if "service-account" in entry
                else where,
                f"destination `{name}` must be written by the promoter account, found `{account}`",
                f"write `service-account: {estate.promoter_account}`",
            )
    for folder, regions in sorted(by_folder.items()):
        missing = sorted(set(estate.serving) - regions)
        if missing:
            problems.error(
                document.key_at("registries"),
                f"destinations of `{folder or '(root)'}` lack {len(missing)} serving "
                f"region(s): {', '.join(missing)}",
                "add one destination per serving region; every manifest gains a new region",
            )


def _destination(name: str, estate: PromoterEstate) -> tuple[str, str] | None:
    """(region, folder under the repository) of a mirror address, or None."""
    known = {**estate.serving, **{r: "" for r in estate.other_regions}}
    host = name.split("/", 1)[0]
    region = host.removesuffix("-docker.pkg.dev")
    if region == host or region not in known:
        return None
    url = estate.serving.get(region) or _address_like(estate, region)
    if name == url:
        return region, ""
    if name.startswith(url + "/"):
        return region, name[len(url) + 1 :]
    return None


def _address_like(estate: PromoterEstate, region: str) -> str:
    """The address a non-serving region's repository has (same pattern as a serving one)."""
    some_region, some_url = next(iter(estate.serving.items()))
    return some_url.replace(some_region, region, 1)


def check_images(tree: Path, path: Path, problems: Problems) -> None:
    """An images file: a list of {name, dmap: {sha256 digest: [tags]}}, no `latest`."""
    try:
        display = path.relative_to(tree.resolve()).as_posix()
    except ValueError:
        display = path.as_posix()
    if not path.is_file():
        problems.error(Position(display), f"the images file `{display}` is missing",
                       "add it (an empty list `[]` until the first image)")  # fmt: skip
        return
    document = load_yaml(path, display, problems)
    if document is None:
        return
    images = document.data
    if images is None:
        images = []
    if not isinstance(images, list):
        problems.error(
            document.at(), "an images file is a list of images", "see docs/subproject-lead.md"
        )
        return
    for index, image in enumerate(images):
        _check_image(document, index, image, problems)


def _check_image(document: YamlDocument, index: int, image: Any, problems: Problems) -> None:
    if not isinstance(image, dict) or not isinstance(image.get("name"), str):
        problems.error(document.at(index), "an image needs a `name`", "write `- name: <image>`")
        return
    name = image["name"]
    if len(name) > IMAGE_NAME_MAX or not _IMAGE_NAME.fullmatch(name):
        problems.error(
            document.at(index, "name"),
            f"`{shown(name)}` is not an image name",
            "lowercase letters and digits, parts joined by `.`, `_`, `__` or `-`, "
            "folders by `/`; no `..`",
        )
        return
    dmap = image.get("dmap")
    if not isinstance(dmap, dict):
        problems.error(document.at(index), f"image `{name}` needs a `dmap`",
                       'write `dmap: {"sha256:<digest>": ["<tag>"]}`')  # fmt: skip
        return
    tagged: dict[str, str] = {}
    for digest, tags in dmap.items():
        where = document.key_at(index, "dmap", digest)
        if not _DIGEST.fullmatch(str(digest)):
            problems.error(where, f"`{shown(str(digest))}` is not a digest",
                           "write `sha256:` and 64 lowercase hex digits")  # fmt: skip
        for tag in tags if isinstance(tags, list) else [tags]:
            if tag == "latest":
                problems.error(where, f"image `{name}` tags `latest`",
                               "promote versions: a tag here is forever")  # fmt: skip
            elif not isinstance(tag, str) or not _TAG.fullmatch(tag):
                problems.error(where, f"`{shown(str(tag))}` is not a tag",
                               "tags are up to 128 of [A-Za-z0-9_.-]")  # fmt: skip
            elif tag in tagged and tagged[tag] != digest:
                problems.error(
                    where,
                    f"image `{name}` tags `{tag}` on two digests ({tagged[tag]} and {digest})",
                    "a tag names one digest; give the new build a new tag",
                )
            else:
                tagged[tag] = str(digest)
