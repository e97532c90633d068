"""Observed catalogues: readers that return a :class:`LineCatalog`.

:func:`read_catalog` picks the reader from the file extension:

* ``.csv``, ``.ecsv``, ``.txt``, ``.tsv`` (text), ``.fits``, ``.fit``, ``.fts``,
  ``.fits.gz`` (FITS), ``.parquet``, ``.pq`` (Parquet) -> :func:`read_phangs_table`,
  or :func:`read_ratio_table` when the table has no ``<LINE>_FLUX``-style column
  but has ratio columns such as ``OIII5007/Hbeta``;
* ``.dat`` (one object per file, NEAT-style line list) ->
  :func:`nebuladapt.catalogs.linelist.read_line_list`.

and then, by default, applies the Balmer-decrement correction
(:func:`nebuladapt.dust.deredden_catalog`) to rows not yet dust-corrected.
"""

from __future__ import annotations

import os
from pathlib import Path

from nebuladapt.catalogs.errors import CatalogError
from nebuladapt.catalogs.linecatalog import LineCatalog
from nebuladapt.catalogs.phangs import (
    _map_columns,
    file_format_of,
    load_table,
    read_phangs_table,
)
from nebuladapt.catalogs.ratios import ratio_columns, read_ratio_table

__all__ = [
    "CatalogError",
    "LineCatalog",
    "read_catalog",
    "read_phangs_table",
    "read_ratio_table",
]

_TABLE_FORMATS = ("csv", "ecsv", "ascii", "fits", "parquet")
_READERS = ("phangs", "ratios", "linelist")


def _looks_like_ratio_table(table, source: str) -> bool:
    """True when a table has ratio columns and no ``<LINE>_FLUX``-style column."""
    mapping, _ = _map_columns(table, source)
    return not mapping and bool(ratio_columns(table)[0])


def _read_table_file(path: Path, file_format: str) -> LineCatalog:
    table = load_table(path, format=file_format)
    table.meta.setdefault("source", str(path))
    if _looks_like_ratio_table(table, str(path)):
        catalog = read_ratio_table(table)
        catalog.meta["format"] = file_format
        return catalog
    catalog = read_phangs_table(table)
    catalog.meta["format"] = file_format
    return catalog


def _read_line_list(path: Path) -> LineCatalog:
    from nebuladapt.catalogs.linelist import read_line_list  # written separately; lazy

    return read_line_list(path)


def _dispatch(path: Path, format: str | None) -> LineCatalog:
    if format == "phangs":
        return read_phangs_table(path)
    if format == "ratios":
        return read_ratio_table(path)
    if format == "linelist" or (format is None and path.name.lower().endswith(".dat")):
        return _read_line_list(path)
    file_format = format or file_format_of(path)
    if file_format in ("csv", "ecsv", "ascii", "fits", "parquet"):
        return _read_table_file(path, file_format)
    raise CatalogError(
        f"{path}: cannot tell the catalogue format from the extension; use .csv, .ecsv, .txt, "
        f".fits, .parquet or .dat, or pass format= one of {_TABLE_FORMATS + _READERS}"
    )


def read_catalog(
    path: str | os.PathLike, *, format: str | None = None, deredden: bool = True
) -> LineCatalog:
    """Read an observed catalogue file, choosing the reader from its extension.

    Parameters
    ----------
    path : str or path-like
        The catalogue file.
    format : str, optional
        Force a file format (``"csv"``, ``"ecsv"``, ``"ascii"``, ``"fits"``,
        ``"parquet"``) or a reader (``"phangs"``, ``"ratios"``,
        ``"linelist"``). Default: from the extension (module docstring).
    deredden : bool, optional
        Apply the Balmer-decrement correction to rows that are not yet
        dust-corrected and have Halpha and Hbeta (default True).

    Returns
    -------
    LineCatalog

    Raises
    ------
    CatalogError
        If the file cannot be read or understood.
    """
    if format is not None and format not in _TABLE_FORMATS + _READERS:
        raise CatalogError(
            f"{path}: unknown format {format!r}; pass one of {_TABLE_FORMATS + _READERS}"
        )
    catalog = _dispatch(Path(path), format)
    if deredden:
        from nebuladapt.dust import deredden_catalog

        catalog = deredden_catalog(catalog)
    return catalog
