"""Moved to ``infra.review.allowances``; kept for the modules that still import it here."""

from infra.review.allowances import (
    ALLOW_FILE,
    MEMBER,
    Allowance,
    load_allowances,
    names_resource,
)

__all__ = ["ALLOW_FILE", "MEMBER", "Allowance", "load_allowances", "names_resource"]
