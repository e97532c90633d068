"""Errors raised by the catalogue readers."""

from __future__ import annotations

__all__ = ["CatalogError"]


class CatalogError(ValueError):
    """An observed catalogue cannot be read or understood.

    The message names the file (or ``<table>`` for an in-memory table), the
    offending column where there is one, and what to do about it.
    """
