"""What a concern registers in the catalog, and what its check and builder receive.

A concern (staging, the groups, the mirrors...) is one package under
``infra/``. It tells the catalog, once: its component name, the stack config
keys it reads, the infra.yaml section it extends, the files its loaders read,
how its declarations are checked, how its Pulumi components are built, and
what the guard rails need of its resource types. Stack settings, the
infra.yaml reader, validation, the program, the plan's key and the guard
rails take their lists from there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from infra.declarations.guardrails import GuardRails
from infra.declarations.loaded import Declarations
from infra.declarations.stacks import ConfigKey, StackSettings

if TYPE_CHECKING:
    import typer

    from infra.core.problems import Position, Problems
    from infra.declarations.estate import Estate
    from infra.declarations.resources import ResourceFacts


@dataclass(frozen=True)
class GroupReference:
    """A group some declaration grants to, and where: it must be declared under groups/."""

    address: str
    where: Position


@dataclass(frozen=True)
class Checked:
    """What a concern's check found: its model (None when nothing to build from) and
    the groups its declarations name."""

    model: object | None = None
    group_references: tuple[GroupReference, ...] = ()


@dataclass(frozen=True)
class CheckContext:
    """Everything a check may read: the data root, infra.yaml and every stack's settings."""

    root: Path
    estate: Estate | None  # None when infra.yaml cannot be read (already reported)
    stacks: Mapping[str, StackSettings]
    # models of the concerns checked before this one, by concern name
    earlier: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))

    def building(self, component: str) -> list[StackSettings]:
        """The stacks whose ``components`` include ``component``, by stack name."""
        return [s for _, s in sorted(self.stacks.items()) if component in s.components]


Check = Callable[[CheckContext, "Problems"], Checked]
# The paths a concern's loaders read under the data root, for one building stack
# (None when its file cannot be read: then where they would be by default).
# See ``infra.declarations.inputs`` for the patterns and their rules.
Inputs = Callable[[StackSettings | None], Sequence[str]]
Build = Callable[[StackSettings, Declarations], None]
ReferenceCheck = Callable[[object, Sequence[GroupReference], "Problems"], None]
# A command group of `k8s-infra`: its name and its Typer sub-app, imported only
# when called, so that validation and the program never import Typer apps.
Commands = Callable[[], "tuple[str, typer.Typer]"]


@dataclass(frozen=True)
class Picked:
    """The parts of one stack that names point at, read from its offline plan, and what a
    run over them targets (``dependents``: what depends on them too)."""

    urns: tuple[str, ...]
    dependents: bool
    described: str  # the parts, on one line
    unknown: tuple[str, ...]  # the names no part answers to
    hint: str  # what a name may be


# The parts (projects, registries...) of a stack that names point at, from its plan:
# what `adopt STACK NAME...` targets.
Picks = Callable[[str, Mapping[str, Any], Sequence[str]], Picked]


@dataclass(frozen=True)
class Concern:
    """One catalog entry.

    ``build`` imports the concern's Pulumi code when it is called, so that
    validation never imports Pulumi and a stack pays only for the providers
    it uses.
    """

    name: str  # as written in `k8s-infra:components`
    summary: str
    check: Check
    build: Build
    config_keys: Mapping[str, ConfigKey] = field(default_factory=lambda: MappingProxyType({}))
    # shared stack keys (organization_id, billing_account, domain) it cannot do without
    needs: frozenset[str] = frozenset()
    # the infra.yaml section it reads, and the keys it adds there
    section: str | None = None
    section_keys: frozenset[str] = frozenset()
    project_keys: frozenset[str] = frozenset()
    # checks every group the other concerns' declarations name (the groups concern)
    check_group_references: ReferenceCheck | None = None
    # at most one stack may build it (the groups: two stacks would fight over each group)
    single_instance: bool = False
    # what its loaders read under the data root (beyond infra.yaml and the stack file)
    inputs: Inputs = field(default=lambda _settings: ())
    # what the guard rails need of its resource types, and its own guard rails
    guardrails: GuardRails = field(default_factory=GuardRails)
    # the facts of each resource type it creates (``infra.declarations.resources``)
    resources: tuple[ResourceFacts, ...] = ()
    # its commands (`k8s-infra <name> ...`), a Typer sub-app in its package
    commands: Commands | None = None
    # how names pick parts of a stack's plan for a targeted run (as its commands pick them)
    picks: Picks | None = None
