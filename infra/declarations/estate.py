"""The declared estate: ``infra/infra.yaml``, upstream's schema, extended.

    infra:
      <section>:                  # open-ended, as upstream (e2e, prod, staging...)
        managed_by: <path>        # optional default for the section's projects
        projects:
          <project-id>:           # null means "no options"
            managed_by: <path>    # optional override
            also_in: <section>    # acknowledges a deliberate listing in two sections

Sections the programs manage (``staging``, ``staging-images``) accept more
keys; their meaning is modelled in ``infra.staging.model`` and
``infra.staging_images.model``. Here every project of every section is
checked: id rules, types, unknown keys and duplicates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from infra.core import names
from infra.core.fields import yaml_type_name
from infra.core.located_yaml import YamlDocument, load_yaml
from infra.core.problems import Problems, did_you_mean
from infra.declarations.facts import Facts

INFRA_YAML = "infra/infra.yaml"

SECTION_KEYS = frozenset({"managed_by", "projects"})
PROJECT_KEYS = frozenset({"managed_by", "also_in"})
# Keys that only the sections managed by a program understand.
SECTION_EXTRA_KEYS: Mapping[str, frozenset[str]] = {
    "staging": frozenset({"grant_sets"}),
}
PROJECT_EXTRA_KEYS: Mapping[str, frozenset[str]] = {
    "staging": frozenset(
        {"profile", "services", "grants", "grant_sets", "service_accounts", "gcb_builder"}
    ),
    "staging-images": frozenset(
        {"services", "folder_id", "iam", "build_bucket", "registry_defaults", "registries"}
    ),
}


@dataclass(frozen=True)
class ProjectEntry:
    """One project under one section, with its raw options for the section's model."""

    project_id: str
    section: str
    managed_by: str | None
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Section:
    name: str
    managed_by: str | None
    projects: Mapping[str, ProjectEntry]
    settings: Mapping[str, Any]


@dataclass(frozen=True)
class Estate:
    """Every section of infra.yaml, and the document for positions in messages."""

    sections: Mapping[str, Section]
    document: YamlDocument

    def section(self, name: str) -> Section | None:
        return self.sections.get(name)

    def projects(self, section: str) -> list[ProjectEntry]:
        found = self.sections.get(section)
        return list(found.projects.values()) if found else []


def load_estate(root: Path, facts: Facts, problems: Problems) -> Estate | None:
    """Load and check infra/infra.yaml under ``root``; None when it cannot be read at all."""
    document = load_yaml(root / INFRA_YAML, INFRA_YAML, problems)
    if document is None:
        return None
    return _EstateReader(document, facts, problems).read()


class _EstateReader:
    def __init__(self, document: YamlDocument, facts: Facts, problems: Problems) -> None:
        self.doc = document
        self.facts = facts
        self.problems = problems

    def read(self) -> Estate | None:
        data = self.doc.data
        if not isinstance(data, dict):
            self._type_error((), "the file", "a mapping with the key `infra`")
            return None
        for key in data:
            if key != "infra":
                self.problems.error(
                    self.doc.key_at(key),
                    f"unknown top-level key `{key}`",
                    did_you_mean(key, ["infra"]),
                )
        infra = data.get("infra")
        if not isinstance(infra, dict):
            where = self.doc.at("infra") if "infra" in data else self.doc.at()
            self.problems.error(
                where, "`infra` must be a mapping of sections", "see the schema in the README"
            )
            return None
        sections = {
            name: section
            for name, body in infra.items()
            if (section := self._section(name, body)) is not None
        }
        self._check_listed_once(sections)
        return Estate(MappingProxyType(sections), self.doc)

    def _section(self, name: str, body: Any) -> Section | None:
        path = ("infra", name)
        if not isinstance(body, dict):
            self._type_error(path, f"section `{name}`", "a mapping with `projects`")
            return None
        allowed = SECTION_KEYS | SECTION_EXTRA_KEYS.get(name, frozenset())
        for key in body:
            if key not in allowed:
                self._unknown_key((*path, key), key, allowed, f"section `{name}`")
        managed_by = self._optional_str((*path, "managed_by"), body.get("managed_by"))
        raw_projects = body.get("projects")
        projects: dict[str, ProjectEntry] = {}
        if raw_projects is None:
            if "projects" not in body:
                self.problems.warning(self.doc.key_at(*path), f"section `{name}` lists no projects")
        elif not isinstance(raw_projects, dict):
            self._type_error((*path, "projects"), "`projects`", "a mapping of project ids")
        else:
            for project_id, options in raw_projects.items():
                entry = self._project(name, managed_by, project_id, options)
                if entry is not None:
                    projects[project_id] = entry
        settings = {k: v for k, v in body.items() if k not in SECTION_KEYS}
        return Section(name, managed_by, MappingProxyType(projects), MappingProxyType(settings))

    def _project(
        self, section: str, default_managed_by: str | None, project_id: str, options: Any
    ) -> ProjectEntry | None:
        path = ("infra", section, "projects", project_id)
        where = self.doc.key_at(*path)
        for problem in (
            names.project_id_problem(project_id),
            names.staging_suffix_problem(project_id),
        ):
            if problem:
                self.problems.error(where, *problem)
        if options is None:
            return ProjectEntry(project_id, section, default_managed_by)
        if isinstance(options, str):
            # Upstream writes one project as `id: <script path>`; read it as managed_by.
            self.problems.warning(
                self.doc.at(*path),
                f"project `{project_id}` has a bare string where a mapping belongs; "
                "read as its `managed_by`",
                f"write `managed_by: {options}` under the project",
            )
            return ProjectEntry(project_id, section, options)
        if not isinstance(options, dict):
            self._type_error(path, f"project `{project_id}`", "empty or a mapping of options")
            return None
        allowed = PROJECT_KEYS | PROJECT_EXTRA_KEYS.get(section, frozenset())
        for key in options:
            if key not in allowed:
                self._unknown_key((*path, key), key, allowed, f"project `{project_id}`")
        managed_by = self._optional_str((*path, "managed_by"), options.get("managed_by"))
        self._optional_str((*path, "also_in"), options.get("also_in"))
        return ProjectEntry(
            project_id,
            section,
            managed_by or default_managed_by,
            MappingProxyType(dict(options)),
        )

    def _check_listed_once(self, sections: Mapping[str, Section]) -> None:
        """A project belongs to one section, unless both listings acknowledge each other."""
        listed: dict[str, list[str]] = {}
        for section in sections.values():
            for project_id in section.projects:
                listed.setdefault(project_id, []).append(section.name)
        for project_id, where_listed in listed.items():
            if len(where_listed) < 2:
                continue
            acknowledged = all(
                sections[s].projects[project_id].options.get("also_in") in where_listed
                and sections[s].projects[project_id].options.get("also_in") != s
                for s in where_listed
            )
            if acknowledged and len(where_listed) == 2:
                continue
            last = where_listed[-1]
            where = self.doc.key_at("infra", last, "projects", project_id)
            others = ", ".join(f"`{s}`" for s in where_listed)
            if sorted(where_listed) in self.facts.legacy_duplicates.get(project_id, []):
                self.problems.warning(
                    where,
                    f"project `{project_id}` is listed in sections {others} (upstream legacy)",
                    "keep one listing, or mark both with `also_in: <other section>`",
                )
            else:
                self.problems.error(
                    where,
                    f"project `{project_id}` is listed in sections {others}",
                    "a project belongs to one section; remove one listing, or mark both "
                    "with `also_in: <other section>` if it truly belongs to both",
                )
        for section in sections.values():
            for entry in section.projects.values():
                other = entry.options.get("also_in")
                if isinstance(other, str) and other not in listed.get(entry.project_id, []):
                    self.problems.error(
                        self.doc.at("infra", section.name, "projects", entry.project_id, "also_in"),
                        f"`also_in: {other}` but section `{other}` does not list "
                        f"`{entry.project_id}`",
                        "name the other section that lists this project, or drop `also_in`",
                    )

    def _optional_str(self, path: tuple[str, ...], value: Any) -> str | None:
        if value is None or isinstance(value, str):
            return value
        self._type_error(path, f"`{path[-1]}`", "a string")
        return None

    def _type_error(self, path: tuple[str, ...], what: str, expected: str) -> None:
        found = _yaml_type(self.doc.data, path)
        self.problems.error(
            self.doc.at(*path), f"{what} must be {expected}, found {found}", "fix the value's type"
        )

    def _unknown_key(
        self, path: tuple[str, ...], key: str, allowed: frozenset[str], where: str
    ) -> None:
        self.problems.error(
            self.doc.key_at(*path), f"unknown key `{key}` in {where}", did_you_mean(key, allowed)
        )


def _yaml_type(data: Any, path: tuple[str, ...]) -> str:
    value = data
    for key in path:
        if not isinstance(value, dict):
            break
        value = value.get(key)
    return yaml_type_name(value)
