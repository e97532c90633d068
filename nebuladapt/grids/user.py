"""User model grids: a table of the user's own models, read like a catalogue.

A user grid is a CSV, FITS or Parquet table (any format :func:`nebuladapt.catalogs.read_catalog`
reads) with a ``class`` column (``HII``, ``PN`` or ``SNR``, any case) and line columns
named as in catalogues: any alias the line registry knows, bare (``Halpha``,
``OIII5007``, ``HA6562``) or PHANGS style (``HA6562_FLUX``), or ratio columns such as
``OIII5007/Hbeta``. Fluxes may be absolute or relative to Hbeta: only line ratios are
used, and ratios do not depend on the scale. No dust correction is applied (model
fluxes are intrinsic). An Hbeta column is required (a column of ones for fluxes
relative to Hbeta).

A citation may be given in the table's metadata (FITS header keyword ``CITATION``,
ECSV/Parquet meta key ``citation``); it is recorded on the model card.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nebuladapt import CLASSES
from nebuladapt.features import RATIOS, feature_spec_for_lines
from nebuladapt.grids.model import Grid, file_sha256
from nebuladapt.grids.registry import GridError

__all__ = ["read_grid_table", "CLASS_COLUMN"]

#: Name of the column holding each model's class (matched case-insensitively).
CLASS_COLUMN = "class"


def _labels(table, path) -> np.ndarray:
    column = next((c for c in table.colnames if c.strip().lower() == CLASS_COLUMN), None)
    if column is None:
        raise GridError(
            f"{path}: no {CLASS_COLUMN!r} column; a grid needs one naming each model's class "
            f"({', '.join(CLASSES)})"
        )
    values = table[column]
    mask = np.ma.getmaskarray(values)
    text = np.char.strip(np.asarray(np.ma.getdata(values)).astype(str))
    by_upper = {c.upper(): c for c in CLASSES}
    labels = np.array([by_upper.get(t.upper(), "") for t in text], dtype=object)
    empty = mask | (text == "")
    if empty.any():
        raise GridError(
            f"{path}: column {column!r} is empty in {int(empty.sum())} rows (first: row "
            f"{int(np.flatnonzero(empty)[0]) + 1}); every model needs a class"
        )
    unknown = sorted({str(t) for t in text[labels == ""]})
    if unknown:
        raise GridError(
            f"{path}: unknown class names {unknown[:5]} in column {column!r}; use "
            f"{', '.join(CLASSES)}"
        )
    return labels.astype(str)


def _citation(meta: dict) -> str:
    for key, value in meta.items():
        if str(key).lower() == "citation" and str(value).strip():
            return str(value).strip()
    return "not given (user grid)"


def read_grid_table(path) -> Grid:
    """Read a user grid table.

    Parameters
    ----------
    path : str or path-like
        CSV, FITS or Parquet table (module docstring).

    Returns
    -------
    Grid
        Named after the file; provenance records the path, the file's SHA-256
        and the citation from the table's metadata (if any).

    Raises
    ------
    GridError
        If the file cannot be read, has no ``class`` column, names an unknown
        class, leaves a class empty, has no Hbeta column, or gives none of the
        line ratios nebuladapt uses (one line, naming the file).
    """
    from nebuladapt.catalogs import CatalogError, read_catalog

    path = Path(path)
    if not path.is_file():
        raise GridError(f"{path}: grid file not found")
    try:
        catalog = read_catalog(path, deredden=False)
    except CatalogError as exc:
        raise GridError(f"grid {exc}") from None
    labels = _labels(catalog.table, path)
    if "HB4861" not in catalog.flux:
        raise GridError(
            f"{path}: no Hbeta column (HB4861, Hbeta); a grid needs one - a column of ones "
            "if its fluxes are relative to Hbeta"
        )
    grid = Grid(
        path.name,
        labels,
        catalog,
        {
            "source": str(path.resolve()),
            "sha256": file_sha256(path),
            "citation": _citation(catalog.table.meta),
            "columns": dict(catalog.meta.get("columns", {})),
        },
    )
    try:
        feature_spec_for_lines(grid.provided_lines())
    except ValueError:
        ratios = ", ".join(f"{r.numerator}/{r.denominator}" for r in RATIOS)
        raise GridError(
            f"{path}: no usable line ratio - no ratio of ({ratios}) is finite and positive in "
            f"every model; lines read: {sorted(catalog.flux) or 'none'}"
        ) from None
    return grid
