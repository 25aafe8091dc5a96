"""Kept for state compatibility only (see ``provider``)."""
