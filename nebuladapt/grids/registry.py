"""The grid registry: every shipped model grid under a name, with its loader and provenance.

A grid is registered once (see :mod:`nebuladapt.grids.shipped`)::

    register(GridEntry("nebulabayes_hii", ("HII",), table_loader("nebulabayes_hii.parquet")))

and is then selectable by name (``nebuladapt fit --grids nebulabayes_hii``). The entries
marked ``default`` make up the source set ``nebuladapt fit`` trains on when no grid is
named. Loading a grid gives a :class:`~nebuladapt.grids.model.Grid`, the one in-memory
form shared by shipped and user grids.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from nebuladapt import CLASSES

__all__ = [
    "GridError", "GridEntry", "register", "get_grid", "grid_names", "default_entries",
    "ensure_registered",
]  # fmt: skip


class GridError(ValueError):
    """A grid cannot be used: unknown name, unreadable or inconsistent table."""


@dataclass(frozen=True)
class GridEntry:
    """One registered model grid.

    Attributes
    ----------
    name : str
        Registry name, e.g. ``"nebulabayes_hii"``.
    classes : tuple of str
        Classes the grid labels (from :data:`nebuladapt.CLASSES`).
    loader : callable
        ``loader()`` returns the grid as a :class:`~nebuladapt.grids.model.Grid`.
    default : bool
        Part of the default source set of ``nebuladapt fit``.
    """

    name: str
    classes: tuple[str, ...]
    loader: Callable
    default: bool = False

    def __post_init__(self) -> None:
        unknown = [c for c in self.classes if c not in CLASSES]
        if unknown or not self.classes:
            raise ValueError(f"grid {self.name!r}: classes {list(self.classes)} not in {CLASSES}")

    def load(self):
        """The grid's models (cached: a shipped grid is read once per process)."""
        return _load(self)


@lru_cache(maxsize=None)
def _load(entry: GridEntry):
    return entry.loader()


_REGISTRY: dict[str, GridEntry] = {}


def register(entry: GridEntry) -> GridEntry:
    """Add a grid to the registry; a name can be registered once.

    Raises
    ------
    ValueError
        If the name is taken, or a second default grid claims a class.
    """
    if entry.name in _REGISTRY:
        raise ValueError(f"grid {entry.name!r} is already registered")
    if entry.default:
        taken = [c for e in _REGISTRY.values() if e.default for c in e.classes
                 if c in entry.classes]  # fmt: skip
        if taken:
            raise ValueError(f"grid {entry.name!r}: classes {taken} already have a default grid")
    _REGISTRY[entry.name] = entry
    return entry


def ensure_registered() -> None:
    """Import the shipped grids' registrations (idempotent)."""
    import nebuladapt.grids.shipped  # noqa: F401  (registers the shipped grids)


def grid_names() -> list[str]:
    """Names of all registered grids, in registration order."""
    ensure_registered()
    return list(_REGISTRY)


def get_grid(name: str) -> GridEntry:
    """The registered grid called ``name``.

    Raises
    ------
    GridError
        If no grid has that name (the message lists the names).
    """
    ensure_registered()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise GridError(
            f"unknown grid {name!r}; shipped grids are {', '.join(_REGISTRY)} (or pass a "
            "table of your own with --grid FILE)"
        ) from None


def default_entries() -> list[GridEntry]:
    """The default grids, in class order (:data:`nebuladapt.CLASSES`)."""
    ensure_registered()
    entries = [e for e in _REGISTRY.values() if e.default]
    return sorted(entries, key=lambda e: min(CLASSES.index(c) for c in e.classes))
