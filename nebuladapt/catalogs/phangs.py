"""Reader for PHANGS-style emission-line tables.

The PHANGS-MUSE nebular catalogue (Groves et al. 2023, MNRAS 520, 4902) writes
one column per line and quantity: ``HA6562_FLUX``, ``HA6562_FLUX_ERR`` and the
dust-corrected ``HA6562_FLUX_CORR``, ``HA6562_FLUX_CORR_ERR``. This module reads
such tables from CSV/ECSV/ASCII, FITS, Parquet or an in-memory
:class:`astropy.table.Table` into a :class:`~nebuladapt.catalogs.LineCatalog`.

Column rules
------------
* ``<LINE>_FLUX``, ``<LINE>_FLUX_ERR``, ``<LINE>_FLUX_CORR``,
  ``<LINE>_FLUX_CORR_ERR``, suffix matched case-insensitively, where ``<LINE>``
  is any alias :func:`nebuladapt.lines.canonical_line_name` knows (including
  ``SII6716_6730`` for the summed [SII] doublet).
* Bare line-name columns (``Hbeta``, ``OIII5007``, ``HA6562`` ...) are read as
  fluxes only when no ``_FLUX``-style column is present. To avoid mistaking
  e.g. an hour-angle column ``HA`` for Halpha, a bare name must contain a digit
  or spell out ``Halpha``/``Hbeta`` (``H_ALPHA``/``H_BETA``).
* An optional column ``DUST_CORRECTED`` (bool, or strings such as
  ``True``/``no``/``1``) gives the per-row dereddening status and overrides the
  status implied by the columns used; masked entries keep the implied status.

Upper limits
------------
Two ways to say that a row only has an upper limit for a line:

* a column ``<LINE>_FLUX_UPPER`` (bool, ``1``/``0``, ``yes``/``no``; masked =
  False): True where the row's ``<LINE>_FLUX`` (or ``_FLUX_CORR``) value is an
  upper limit, not a detection;
* in text tables, a value written ``<0.3`` (or ``< 1.2e-17``) in a flux column.

The line is then not a measurement for that row (NaN in ``LineCatalog.flux``):
the row is recorded in ``LineCatalog.upper_limits``, so that predictions flag it
``upper_limit:<LINE>``, and the limit's value in ``LineCatalog.limit_flux``
(in the common unit), which ``nebuladapt predict`` uses for [OIII]5007, [NII]6583
and [SII] (:mod:`nebuladapt.models.limits`). A negative ``_FLUX_ERR`` is *not* read as an upper
limit: it is a bad error (``bad_err:<LINE>``).

Numbers written as text (e.g. a Parquet string column ``"1.5e-17"``) are read;
empty, ``nan``, ``--``, ``*``, ``null``, ``none``, ``na`` and ``n/a`` entries are
missing values; any other text in a line column is an error naming the column,
the row and the value.

Units
-----
Where columns carry astropy units (FITS ``TUNIT``, ECSV, Parquet written by
astropy), all line-flux columns must have units convertible into one another
(e.g. ``erg / (s cm2)`` and ``1e-20 erg / (s cm2)``, or ``W / m2``); they are
converted to the unit of the first one. An error column is converted to its
flux column's unit (no unit: assumed the same). A flux column without a unit
beside flux columns with one, units that cannot be converted into one another,
and logarithmic units (``dex``, ``mag``) raise :class:`CatalogError`.

Rows are never dropped: NaN, inf, zero or negative fluxes stay in the arrays for
a later stage to flag, and every input column stays in ``LineCatalog.table``.
A table with no rows raises :class:`CatalogError` (unless ``allow_empty=True``).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from astropy.table import Table

from nebuladapt.catalogs.columns import DUST_FLAG_COLUMN, map_bare_columns, map_columns
from nebuladapt.catalogs.errors import CatalogError
from nebuladapt.catalogs.linecatalog import LineCatalog
from nebuladapt.catalogs.tables import (
    FALSE_STRINGS,
    TRUE_STRINGS,
    as_table,
    bool_column,
    check_not_empty,
    column_to_float,
    column_values,
    file_format_of,
)
from nebuladapt.catalogs.units import harmonise_units

__all__ = ["read_phangs_table"]


def _parse_bool(value: Any, source: str) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in TRUE_STRINGS:
        return True
    if text in FALSE_STRINGS:
        return False
    raise CatalogError(
        f"{source}: column {DUST_FLAG_COLUMN!r} holds {value!r}; use True/False (or yes/no, 1/0)"
    )


def _dust_flags(table: Table, default: bool, source: str) -> tuple[np.ndarray, bool]:
    """Per-row dust_corrected, and whether a DUST_CORRECTED column was used."""
    flags = np.full(len(table), default, dtype=bool)
    name = next((c for c in table.colnames if c.upper() == DUST_FLAG_COLUMN), None)
    if name is None:
        return flags, False
    column = table[name]
    mask = np.ma.getmaskarray(column)
    data = np.ma.getdata(column)
    for row in np.flatnonzero(~mask):
        flags[row] = _parse_bool(data[row], source)
    return flags, True


def _choose_corrected(
    mapping: dict[str, dict[str, str]], use_corrected: bool | str, source: str
) -> tuple[bool, list[str]]:
    """Whether to read the ``_FLUX_CORR`` columns, and notes about the choice."""
    if use_corrected not in ("auto", True, False):
        raise CatalogError(
            f"{source}: use_corrected={use_corrected!r}; pass 'auto', True or False"
        )
    with_corr = [line for line, kinds in mapping.items() if "corr" in kinds]
    without_corr = [
        line for line, kinds in mapping.items() if "corr" not in kinds and set(kinds) != {"upper"}
    ]
    if use_corrected is False or not with_corr:
        if use_corrected is True:
            raise CatalogError(
                f"{source}: use_corrected=True but no <LINE>_FLUX_CORR column exists; "
                "pass use_corrected='auto' or False"
            )
        return False, []
    if not without_corr:
        return True, []
    if use_corrected is True:
        raise CatalogError(
            f"{source}: use_corrected=True but lines {sorted(without_corr)} have no _FLUX_CORR "
            "column; pass use_corrected=False or add the corrected columns"
        )
    note = (
        f"_FLUX_CORR columns missing for {sorted(without_corr)}: read the observed _FLUX "
        "columns for every line so that all lines share one (uncorrected) scale"
    )
    return False, [note]


def _read_lines(
    table: Table, mapping: dict[str, dict[str, str]], corrected: bool, source: str
) -> tuple[
    dict[str, np.ndarray], dict[str, np.ndarray], dict[str, str], dict[str, np.ndarray],
    dict[str, np.ndarray], str | None,
]:
    """Flux and error arrays from the mapped columns.

    Returns flux, flux_err, line -> column used, line -> upper-limit mask (only
    lines with at least one upper limit; their flux is NaN there), line -> the
    limits' values (NaN elsewhere; in the common unit) and the common flux unit
    (None without units).
    """
    flux_kind, err_kind = ("corr", "corr_err") if corrected else ("flux", "err")
    flux: dict[str, np.ndarray] = {}
    flux_err: dict[str, np.ndarray] = {}
    used: dict[str, str] = {}
    err_used: dict[str, str] = {}
    upper_limits: dict[str, np.ndarray] = {}
    for line, kinds in mapping.items():
        if flux_kind not in kinds:
            continue  # e.g. an error column without its flux column
        values, upper = column_values(table, kinds[flux_kind], source, keep_limits=True)
        if "upper" in kinds:
            upper = upper | bool_column(table, kinds["upper"], source)
        if upper.any():
            upper_limits[line] = upper
        flux[line] = values  # limits split off below, once the units are common
        used[line] = kinds[flux_kind]
        if err_kind in kinds:
            flux_err[line] = column_to_float(table, kinds[err_kind], source)
            err_used[line] = kinds[err_kind]
    unit = harmonise_units(table, used, err_used, flux, flux_err, source)
    limit_flux = {}
    for line, upper in upper_limits.items():
        limit_flux[line] = np.where(upper, flux[line], np.nan)
        flux[line] = np.where(upper, np.nan, flux[line])
    return flux, flux_err, used, upper_limits, limit_flux, unit


# -------------------------------------------------------------------------- reader
def read_phangs_table(
    path_or_table: str | os.PathLike | Table,
    *,
    use_corrected: bool | str = "auto",
    hdu: int | str | None = None,
    format: str | None = None,
    allow_empty: bool = False,
) -> LineCatalog:
    """Read a PHANGS-style line table into a :class:`LineCatalog`.

    Parameters
    ----------
    path_or_table : str, path-like or astropy.table.Table
        A CSV/ECSV/ASCII, FITS (``.fits``, ``.fit``, ``.fits.gz``) or Parquet
        file, or a table already in memory (it is not modified).
    use_corrected : {"auto", True, False}, optional
        ``"auto"`` (default): read the dust-corrected ``<LINE>_FLUX_CORR``
        columns when every line has one, and mark all rows
        ``dust_corrected=True``; otherwise read ``<LINE>_FLUX`` (rows not
        corrected). True requires the corrected columns; False always reads
        ``<LINE>_FLUX``. A ``DUST_CORRECTED`` column overrides the row status.
    hdu : int or str, optional
        FITS only: HDU to read; default is the first table HDU with data.
    format : {"csv", "ecsv", "ascii", "fits", "parquet"}, optional
        File format when the extension does not say it.
    allow_empty : bool, optional
        Accept a table with no rows (e.g. one chunk of a larger file); by
        default an empty table is an error.

    Returns
    -------
    LineCatalog
        ``table`` is the input table (all rows, all columns); ``flux`` and
        ``flux_err`` map canonical line names to float64 arrays (NaN where
        masked or an upper limit); ``upper_limits`` the rows with an upper
        limit per line, ``limit_flux`` the limits' values. ``meta`` records the format, the columns used
        (``"columns"``), whether corrected columns were read, the common flux
        unit (``"flux_unit"``, None without units), and notes.

    Raises
    ------
    CatalogError
        If the file cannot be read, the table is empty, no line column is
        recognised, a line column is not numeric, or the units of the line
        columns do not agree (module docstring).

    Examples
    --------
    >>> from astropy.table import Table
    >>> cat = read_phangs_table(Table({"HA6562_FLUX": [3.0], "HB4861_FLUX": [1.0]}))
    >>> float(cat.flux["HA6562"][0]), bool(cat.dust_corrected[0])
    (3.0, False)
    """
    table, source = as_table(path_or_table, format=format, hdu=hdu)
    if not (allow_empty and table.colnames):
        check_not_empty(table, source)
    mapping, unrecognised = map_columns(table, source)
    convention = "phangs"
    if not any("flux" in kinds or "corr" in kinds for kinds in mapping.values()):
        mapping = map_bare_columns(table, source)
        convention = "bare"
    if not mapping:
        raise CatalogError(
            f"{source}: no emission-line column recognised in {table.colnames[:12]}; name "
            "columns <LINE>_FLUX (e.g. HA6562_FLUX, OIII5006_FLUX) or bare line names "
            "(e.g. Halpha, OIII5007)"
        )
    if convention == "bare":
        corrected, notes = _choose_corrected({}, use_corrected, source)
    else:
        corrected, notes = _choose_corrected(mapping, use_corrected, source)
    flux, flux_err, used, upper_limits, limit_flux, unit = _read_lines(table, mapping, corrected, source)
    dust_corrected, from_column = _dust_flags(table, corrected, source)
    meta = {
        "reader": "phangs",
        "format": "table" if isinstance(path_or_table, Table) else (format or file_format_of(
            path_or_table)),
        "column_convention": convention,
        "columns": used,
        "used_corrected_columns": corrected,
        "dust_flag_column": from_column,
        "unrecognised_flux_columns": unrecognised,
        "flux_unit": unit,
        "notes": notes,
    }
    return LineCatalog(
        table=table,
        flux=flux,
        flux_err=flux_err,
        dust_corrected=dust_corrected,
        source=source,
        meta=meta,
        upper_limits=upper_limits,
        limit_flux=limit_flux,
    )
