"""An infra.yaml section resolved once per building stack, with that stack's settings.

A concern whose section depends on stack settings (the staging projects, the
shared staging registries) checks it with each building stack's settings;
the check keeps that model, one per stack, and the concern's builder takes it
from the loaded declarations rather than reading the section again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Generic, Protocol, TypeVar

from infra.core.errors import ProblemsFound
from infra.core.problems import Position, Problems
from infra.declarations.concern import CheckContext, Checked, GroupReference
from infra.declarations.estate import Estate
from infra.declarations.loaded import Declarations
from infra.declarations.stacks import StackSettings


class SectionModel(Protocol):
    """What a section's model offers: the settings it was resolved with, and the groups
    its grants name."""

    @property
    def settings(self) -> object: ...

    @property
    def group_references(self) -> tuple[tuple[str, Position], ...]: ...


S = TypeVar("S")
M = TypeVar("M", bound=SectionModel)


@dataclass(frozen=True)
class PerStack(Generic[M]):
    """A section's model for each stack that builds it, by stack name."""

    models: Mapping[str, M]


@dataclass(frozen=True)
class PerStackSection(Generic[S, M]):
    """One concern's section reader: its stack settings, its loader and its bare check."""

    component: str
    settings: Callable[[StackSettings, Problems], S | None]
    load: Callable[[Estate, S, Problems], M]
    # checks the section without stack settings (when no stack builds it)
    check_alone: Callable[[Estate, Problems], None]

    def check(self, context: CheckContext, problems: Problems) -> Checked:
        """The section, with each building stack's settings (or alone)."""
        if context.estate is None:
            return Checked()
        models: dict[str, M] = {}
        references: list[GroupReference] = []
        for stack in context.building(self.component):
            shared = self.settings(stack, problems)
            if shared is not None:
                models[stack.stack] = model = self.load(context.estate, shared, problems)
                references += (GroupReference(a, w) for a, w in model.group_references)
        if not models:
            # No stack builds it, or none has usable settings: the section is still checked.
            self.check_alone(context.estate, problems)
            return Checked(None, tuple(references))
        return Checked(PerStack(MappingProxyType(models)), tuple(references))

    def model(self, settings: StackSettings, declarations: Declarations) -> M:
        """The checked model of the stack the engine runs, with the config it hands over."""
        problems = Problems()
        shared = self.settings(settings, problems)
        if shared is None or problems.has_errors:
            raise ProblemsFound(problems.sorted())
        checked = declarations.model(self.component, PerStack)
        found = checked.models.get(settings.stack) if checked is not None else None
        if found is not None and found.settings == shared:
            return found  # type: ignore[no-any-return]
        # The engine's config differs from the stack file the declarations were checked
        # with (another checkout's, under --root): the engine's config counts.
        model = self.load(declarations.estate, shared, problems)
        if problems.has_errors:
            raise ProblemsFound(problems.sorted())
        return model
