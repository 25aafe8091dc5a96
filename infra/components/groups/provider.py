"""State written before the move pickled the groups provider by this module path:
it stays importable so that those resources can still be updated and deleted."""

from infra.groups.provider import GroupProvider

__all__ = ["GroupProvider"]
