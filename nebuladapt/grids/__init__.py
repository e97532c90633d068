"""Labelled model grids: the source domain.

* :mod:`~nebuladapt.grids.registry` -- every shipped grid under a name
  (:func:`grid_names`, :func:`get_grid`, :func:`register`).
* :mod:`~nebuladapt.grids.shipped` -- the shipped tables and their registration
  (``3mdb_bond2``, ``3mdb_pne2021``, ``allen08_shocks_only`` by default;
  ``allen08_shocks`` and ``nebulabayes_hii`` on request).
* :mod:`~nebuladapt.grids.user` -- the user's own grid tables (:func:`read_grid_table`).
* :mod:`~nebuladapt.grids.selection` -- the grids in use (:func:`select_grids`,
  :class:`GridSet`): chosen grids replace the default grid of their classes.
"""

from nebuladapt.grids.model import Grid
from nebuladapt.grids.registry import GridEntry, GridError, get_grid, grid_names, register
from nebuladapt.grids.selection import GridSet, default_grid_set, default_source_rows, describe_registry, select_grids
from nebuladapt.grids.shipped import (
    DEFAULT_FEATURE_LINES,
    GRID_CLASSES,
    GRID_LINES,
    load_source_grids,
    source_line_fluxes,
    table_loader,
)
from nebuladapt.grids.user import read_grid_table

__all__ = [
    "DEFAULT_FEATURE_LINES",
    "GRID_CLASSES",
    "GRID_LINES",
    "Grid",
    "GridEntry",
    "GridError",
    "GridSet",
    "default_grid_set",
    "default_source_rows",
    "describe_registry",
    "get_grid",
    "grid_names",
    "load_source_grids",
    "read_grid_table",
    "register",
    "select_grids",
    "source_line_fluxes",
    "table_loader",
]
