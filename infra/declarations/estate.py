"""The declared estate: ``infra/infra.yaml``, upstream's schema, extended.

    infra:
      <section>:                  # open-ended, as upstream (e2e, prod, staging...)
        managed_by: <path>        # optional default for the section's projects
        projects:
          <project-id>:           # null means "no options"
            managed_by: <path>    # optional override
            also_in: <section>    # acknowledges a deliberate listing in two sections

A section a concern manages (``staging``, ``staging-images``...) accepts the
keys that concern registers in the catalog; their meaning is modelled in the
concern's package. Here every project of every section is checked: id rules,
types, unknown keys and duplicates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from infra.core import names
from infra.core.fields import Fields
from infra.core.located_yaml import YamlDocument, load_yaml
from infra.core.problems import Problems
from infra.declarations.facts import Facts
from infra.declarations.layout import estate_file

SECTION_KEYS = frozenset({"managed_by", "projects"})
PROJECT_KEYS = frozenset({"managed_by", "also_in"})


@dataclass(frozen=True)
class SectionKeys:
    """The keys a concern adds to its section, and to each project of it."""

    section: frozenset[str] = frozenset()
    project: frozenset[str] = frozenset()


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


def load_estate(
    root: Path,
    facts: Facts,
    problems: Problems,
    extensions: Mapping[str, SectionKeys] = MappingProxyType({}),
) -> Estate | None:
    """Load and check infra/infra.yaml under ``root``; None when it cannot be read at all.

    ``extensions``: section name -> the keys the concern managing it adds.
    """
    path = estate_file(root)  # ours, or upstream's infra/gcp/infra.yaml
    document = load_yaml(root / path, path, problems)
    if document is None:
        return None
    return _EstateReader(document, facts, problems, extensions).read()


class _EstateReader:
    def __init__(
        self,
        document: YamlDocument,
        facts: Facts,
        problems: Problems,
        extensions: Mapping[str, SectionKeys],
    ) -> None:
        self.doc = document
        self.fields = Fields.of(document, problems)
        self.facts = facts
        self.problems = problems
        self.extensions = extensions

    def read(self) -> Estate | None:
        top = self.fields.mapping(
            self.doc.data, (), {"infra"}, expected="a mapping with the key `infra`"
        )
        if top is None:
            return None
        infra = self.fields.mapping(
            top.get("infra"),
            ("infra",),
            hint="see the schema in docs/reference/infra-yaml.md",
            expected="a mapping of sections",
        )
        if infra is None:
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
        extension = self.extensions.get(name, SectionKeys())
        fields = self.fields
        if (
            fields.mapping(
                body,
                path,
                SECTION_KEYS | extension.section,
                what=f"section `{name}`",
                expected="a mapping with `projects`",
            )
            is None
        ):
            return None
        managed_by = fields.optional_text(body.get("managed_by"), (*path, "managed_by"))
        raw_projects = body.get("projects")
        projects: dict[str, ProjectEntry] = {}
        if raw_projects is None:
            if "projects" not in body:
                fields.problems.warning(fields.key_at(path), f"section `{name}` lists no projects")
        elif (
            fields.mapping(raw_projects, (*path, "projects"), expected="a mapping of project ids")
            is not None
        ):
            for project_id, options in raw_projects.items():
                entry = self._project(name, extension, managed_by, project_id, options)
                if entry is not None:
                    projects[project_id] = entry
        settings = {k: v for k, v in body.items() if k not in SECTION_KEYS}
        return Section(name, managed_by, MappingProxyType(projects), MappingProxyType(settings))

    def _project(
        self,
        section: str,
        extension: SectionKeys,
        default_managed_by: str | None,
        project_id: str,
        options: Any,
    ) -> ProjectEntry | None:
        path = ("infra", section, "projects", project_id)
        fields = self.fields
        fields.project_id(project_id, path, key=True)
        problem = names.staging_suffix_problem(project_id)
        if problem:
            fields.key_error(path, *problem)
        if options is None:
            return ProjectEntry(project_id, section, default_managed_by)
        if isinstance(options, str):
            # Upstream writes one project as `id: <script path>`; read it as managed_by.
            fields.warning(
                path,
                f"project `{project_id}` has a bare string where a mapping belongs; "
                "read as its `managed_by`",
                f"write `managed_by: {options}` under the project",
            )
            return ProjectEntry(project_id, section, options)
        if (
            fields.mapping(
                options,
                path,
                PROJECT_KEYS | extension.project,
                what=f"project `{project_id}`",
                expected="empty or a mapping of options",
            )
            is None
        ):
            return None
        managed_by = fields.optional_text(options.get("managed_by"), (*path, "managed_by"))
        fields.optional_text(options.get("also_in"), (*path, "also_in"))
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
            where = self.fields.key_at(("infra", last, "projects", project_id))
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
                        self.fields.at(
                            ("infra", section.name, "projects", entry.project_id, "also_in")
                        ),
                        f"`also_in: {other}` but section `{other}` does not list "
                        f"`{entry.project_id}`",
                        "name the other section that lists this project, or drop `also_in`",
                    )
