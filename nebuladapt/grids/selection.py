"""The grids in use: the default source set, with the user's choices replacing parts of it.

:func:`select_grids` resolves shipped grids named by the user (``--grids NAME``) and
user grid tables (``--grid FILE``) into a :class:`GridSet`: for each class, the grids
chosen that hold it (all of them, concatenated in the order given) replace the
default grid of that class; classes no chosen grid holds keep their default grid.
With nothing chosen the set is exactly the default source set, in the order
``nebuladapt`` has always stacked it (HII, PN, SNR).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nebuladapt import CLASSES
from nebuladapt.features import FeatureSpec, feature_spec_for_lines
from nebuladapt.grids.model import Grid
from nebuladapt.grids.registry import GridError, ensure_registered, default_entries, get_grid

__all__ = ["GridSet", "select_grids", "default_grid_set", "default_source_rows", "describe_registry"]


@dataclass(frozen=True)
class GridSet:
    """The labelled source grids of one fit, one part per (class, grid).

    Attributes
    ----------
    parts : tuple of (str, Grid)
        ``(class, grid restricted to that class)`` in class order.
    """

    parts: tuple[tuple[str, Grid], ...]

    @property
    def grids(self) -> list[Grid]:
        """The distinct grids, in order of first use."""
        seen: dict[str, Grid] = {}
        for _, grid in self.parts:
            seen.setdefault(grid.name, grid)
        return list(seen.values())

    def provided_lines(self) -> set[str]:
        """Lines every grid in use gives for every one of its models."""
        lines = None
        for _, grid in self.parts:
            provided = grid.provided_lines()
            lines = provided if lines is None else lines & provided
        return lines or set()

    def feature_spec(self) -> FeatureSpec:
        """The declared ratios (:data:`nebuladapt.features.RATIOS`) every grid in use provides.

        Raises
        ------
        GridError
            If the grids in use share no declared ratio.
        """
        try:
            return feature_spec_for_lines(self.provided_lines())
        except ValueError as exc:
            names = ", ".join(f"{g.name} ({'/'.join(g.classes)})" for g in self.grids)
            raise GridError(f"grids {names}: {exc}") from None

    def line_fluxes(self, lines) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Fluxes, class labels and grid names of every model in use.

        Parameters
        ----------
        lines : sequence of str
            Canonical line names (e.g. :attr:`FeatureSpec.lines`).

        Returns
        -------
        fluxes : ndarray of float64, shape (n_models, len(lines))
            NaN where a model lacks a line.
        labels, grids : ndarray of str, shape (n_models,)
        """
        lines = list(lines)
        fluxes = [grid.line_fluxes(lines) for _, grid in self.parts]
        labels = [grid.labels for _, grid in self.parts]
        names = [np.full(len(grid.labels), grid.name) for _, grid in self.parts]
        if not fluxes:
            return np.empty((0, len(lines))), np.empty(0, dtype=str), np.empty(0, dtype=str)
        return np.vstack(fluxes), np.concatenate(labels), np.concatenate(names)

    def describe(self) -> str:
        """One line: each grid in use and its models per class."""
        return "grids: " + "; ".join(
            f"{e['name']} ({', '.join(f'{c} {n}' for c, n in e['n_models'].items())})"
            for e in self.card()
        )

    def card(self) -> list[dict]:
        """Every grid in use, for the model card: name, source, sha256, citation,
        models per class used."""
        entries = []
        for grid in self.grids:
            classes = [cls for cls, g in self.parts if g.name == grid.name]
            entries.append({**grid.card(), "classes": classes,
                            "n_models": {cls: int(len(g.labels)) for cls, g in self.parts
                                         if g.name == grid.name}})  # fmt: skip
        return entries


def _chosen(names, files) -> list[Grid]:
    from nebuladapt.grids.user import read_grid_table

    chosen: list[Grid] = []
    for name in names:
        if any(g.name == name for g in chosen):
            raise GridError(f"grid {name!r} is named twice")
        chosen.append(get_grid(name).load())
    seen_files: set[Path] = set()
    for path in files:
        resolved = Path(path).resolve()
        if resolved in seen_files:
            raise GridError(f"{path}: grid file given twice")
        seen_files.add(resolved)
        chosen.append(read_grid_table(path))
    return chosen


def select_grids(names=(), files=()) -> GridSet:
    """The grids in use: the defaults, with each chosen grid replacing its classes' default.

    Parameters
    ----------
    names : sequence of str
        Registered grids (:func:`nebuladapt.grids.grid_names`), e.g.
        ``["nebulabayes_hii"]``.
    files : sequence of path-like
        User grid tables (:func:`nebuladapt.grids.read_grid_table`).

    Returns
    -------
    GridSet

    Raises
    ------
    GridError
        Unknown grid name, unreadable or invalid grid table, a grid given twice.

    Examples
    --------
    >>> grids = select_grids(["nebulabayes_hii"])
    >>> [(cls, grid.name) for cls, grid in grids.parts]
    [('HII', 'nebulabayes_hii'), ('PN', '3mdb_pne2021'), ('SNR', 'allen08_shocks_only')]
    """
    ensure_registered()
    chosen = _chosen(list(names), list(files))
    defaults = {cls: entry for entry in default_entries() for cls in entry.classes}
    parts = []
    for cls in CLASSES:
        holders = [grid for grid in chosen if cls in grid.classes]
        if not holders:
            if cls not in defaults:
                raise GridError(f"no grid gives class {cls}; pass a grid with {cls} models")
            holders = [defaults[cls].load()]
        parts.extend((cls, grid.select([cls])) for grid in holders)
    return GridSet(tuple(parts))


def default_grid_set() -> GridSet:
    """The default source set of ``nebuladapt fit`` (:func:`select_grids` with no choice)."""
    return select_grids()


def default_source_rows() -> np.ndarray:
    """Which rows of :func:`~nebuladapt.grids.load_source_grids` (and of
    :func:`~nebuladapt.grids.source_line_fluxes`) the default source set trains on.

    Since stop 25 the default SNR grid is ``allen08_shocks_only``, so the Allen et al. (2008)
    shock+precursor rows of the shipped table are not among them.

    Returns
    -------
    ndarray of bool, shape (n_models,)
    """
    from nebuladapt.grids.shipped import load_source_grids

    table = load_source_grids()
    used = set()
    for _, grid in default_grid_set().parts:
        rows = grid.catalog.table
        used.update(zip(np.asarray(rows["grid"], dtype=str), np.asarray(rows["model_id"]).astype(str)))
    keys = zip(np.asarray(table["grid"], dtype=str), np.asarray(table["model_id"]).astype(str))
    return np.fromiter((key in used for key in keys), dtype=bool, count=len(table))


def describe_registry() -> str:
    """The registered grids, one per line: name, classes, default or not, models, citation."""
    from nebuladapt.grids.registry import grid_names

    rows = []
    for name in grid_names():
        entry = get_grid(name)
        grid = entry.load()
        counts = ", ".join(f"{c} {n}" for c, n in grid.counts().items())
        flag = "default" if entry.default else "on request (--grids " + name + ")"
        rows.append(f"{name}: {counts}; {flag}; {grid.provenance.get('citation', '')}")
    return "\n".join(rows)
