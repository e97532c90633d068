"""Observed catalogues: readers that return a :class:`LineCatalog`.

:func:`read_catalog` picks the reader from the format of the file
(:mod:`nebuladapt.io.formats`: by extension, or ``format=``):

* ``.csv``, ``.ecsv``, ``.txt``, ``.tsv`` (text), ``.fits``, ``.fit``, ``.fts``,
  ``.fits.gz`` (FITS), ``.parquet``, ``.pq`` and directories or globs of Parquet
  part files -> :func:`read_phangs_table`, or :func:`read_ratio_table` when the
  table has no ``<LINE>_FLUX``-style column but has ratio columns such as
  ``OIII5007/Hbeta``;
* ``.dat`` (one object per file, NEAT-style line list) ->
  :func:`nebuladapt.catalogs.linelist.read_line_list`.

and then, by default, applies the Balmer-decrement correction
(:func:`nebuladapt.dust.deredden_catalog`) to rows not yet dust-corrected.

Modules: :mod:`~nebuladapt.catalogs.tables` (files and columns),
:mod:`~nebuladapt.catalogs.columns` (which column holds which line),
:mod:`~nebuladapt.catalogs.units`, :mod:`~nebuladapt.catalogs.phangs`,
:mod:`~nebuladapt.catalogs.ratios`, :mod:`~nebuladapt.catalogs.linelist`
(the readers) and :mod:`~nebuladapt.catalogs.sanity` (unit mistakes).
"""

from __future__ import annotations

import os
from pathlib import Path

from nebuladapt.catalogs.columns import map_columns
from nebuladapt.catalogs.errors import CatalogError
from nebuladapt.catalogs.linecatalog import LineCatalog
from nebuladapt.catalogs.phangs import read_phangs_table
from nebuladapt.catalogs.ratios import ratio_columns, read_ratio_table
from nebuladapt.catalogs.sanity import check_flux_units, count_usable_rows
from nebuladapt.catalogs.tables import load_table
from nebuladapt.io.formats import FORMATS, input_format

__all__ = [
    "CatalogError",
    "LineCatalog",
    "READERS",
    "check_flux_units",
    "count_usable_rows",
    "looks_like_ratio_table",
    "read_catalog",
    "read_phangs_table",
    "read_ratio_table",
]

#: Readers that can be forced with ``format=`` (besides the file formats of the registry).
READERS = ("phangs", "ratios", "linelist")


def looks_like_ratio_table(table, source: str) -> bool:
    """True when a table has ratio columns and no ``<LINE>_FLUX``-style column."""
    mapping, _ = map_columns(table, source)
    return not mapping and bool(ratio_columns(table)[0])


def _read_table_file(path: Path, file_format: str) -> LineCatalog:
    table = load_table(path, format=file_format)
    table.meta.setdefault("source", str(path))
    reader = read_ratio_table if looks_like_ratio_table(table, str(path)) else read_phangs_table
    catalog = reader(table)
    catalog.meta["format"] = file_format
    return catalog


def _dispatch(path: Path, format: str | None) -> LineCatalog:
    if format == "phangs":
        return read_phangs_table(path)
    if format == "ratios":
        return read_ratio_table(path)
    fmt = input_format(path, format)
    if fmt is not None and fmt.name == "linelist":
        from nebuladapt.catalogs.linelist import read_line_list  # written separately; lazy

        return read_line_list(path)
    if fmt is None:
        raise CatalogError(
            f"{path}: cannot tell the catalogue format from the extension; use .csv, .ecsv, "
            f".txt, .fits, .parquet or .dat, or pass --format (one of "
            f"{', '.join((*FORMATS, *READERS[:2]))})"
        )
    return _read_table_file(path, fmt.name)


def read_catalog(
    path: str | os.PathLike,
    *,
    format: str | None = None,
    deredden: bool = True,
    check_units: bool = False,
) -> LineCatalog:
    """Read an observed catalogue file, choosing the reader from its format.

    Parameters
    ----------
    path : str or path-like
        The catalogue file, or a directory (or glob) of Parquet part files.
    format : str, optional
        Force a file format (a name of :data:`nebuladapt.io.formats.FORMATS`:
        ``"csv"``, ``"ecsv"``, ``"ascii"``, ``"fits"``, ``"parquet"``,
        ``"linelist"``) or a reader (``"phangs"``, ``"ratios"``). Default: from
        the extension (module docstring).
    deredden : bool, optional
        Apply the Balmer-decrement correction to rows that are not yet
        dust-corrected and have Halpha and Hbeta (default True).
    check_units : bool, optional
        Refuse evident unit mistakes (log10 fluxes, Balmer decrement below
        case B almost everywhere; :func:`check_flux_units`), before the dust
        correction. The command line does.

    Returns
    -------
    LineCatalog

    Raises
    ------
    CatalogError
        If the file cannot be read or understood.
    """
    if format is not None and format not in (*FORMATS, *READERS):
        raise CatalogError(
            f"{path}: unknown format {format!r}; pass one of {', '.join((*FORMATS, *READERS[:2]))}"
        )
    catalog = _dispatch(Path(path), format)
    if check_units:
        check_flux_units(catalog)
    if deredden:
        from nebuladapt.dust import deredden_catalog

        catalog = deredden_catalog(catalog)
    return catalog
