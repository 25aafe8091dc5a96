"""What the promoter commands share: the estate their files must agree with."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from infra.core.errors import ProblemsFound
from infra.core.problems import Problems
from infra.promoter.manifests import PromoterEstate

if TYPE_CHECKING:
    from infra.declarations.application import DeclarationsReader


def load_estate(root: Path, reader: DeclarationsReader) -> tuple[PromoterEstate, str]:
    """The promoter's estate and the groups' domain; invalid declarations stop here."""
    from infra.groups.loader import DEFAULT_DOMAIN
    from infra.promoter.estate import promoter_estate

    problems = Problems()
    declarations = reader.load(root, problems)
    if problems.has_errors or declarations is None:
        raise ProblemsFound(problems.sorted())
    domain = DEFAULT_DOMAIN
    for settings in declarations.stacks.values():
        domain = settings.text("domain") or domain
    return promoter_estate(declarations), domain
