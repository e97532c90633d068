"""Reader for tables of emission-line ratios.

Many papers publish ratios rather than fluxes: columns named like
``OIII5007/Hbeta``, ``[NII]6584/Halpha``, ``NII6583/HA6562``, or logarithmic
``log_OIII5006/HB4861``, ``log10(OIII5006/HB4861)``, ``log([SII]/Halpha)``.
:func:`read_ratio_table` turns them into relative fluxes on one scale.

Scale rule
----------
The reference line is Hbeta if it is a denominator of some ratio, else Halpha
if it is, else the most frequent denominator; it is set to 1 in every row.
Every other line is reached through the ratios (``num = ratio * den`` or
``den = num / ratio``), several paths filling each other's missing values.

Linking rule for two Balmer denominators
----------------------------------------
If some ratios are over Hbeta and others over Halpha and no ratio links the two
groups (e.g. no ``Halpha/Hbeta`` column):

* ``dust_corrected=True``: Halpha is set to the case-B value
  ``CASE_B_HA_HB`` (2.86) times Hbeta, which is exact for dereddened data at
  T = 10^4 K; the assumption is recorded in ``meta['assumptions']``.
* ``dust_corrected=False``: the observed decrement is unknown, so the ratios
  cannot be put on one scale and :class:`CatalogError` is raised (add a
  ``Halpha/Hbeta`` column, or pass ``dust_corrected=True`` if the ratios are
  dereddened).

Any other group of ratios that cannot be linked to the reference also raises
:class:`CatalogError` naming its columns. Rows are never dropped and every
input column stays in ``LineCatalog.table``; a table with no rows raises
:class:`CatalogError` (unless ``allow_empty=True``).

Upper limits and units
----------------------
A ratio written ``<x`` in a text table is an upper limit on its numerator: the
numerator is not a measurement in that row: it is recorded in
``LineCatalog.upper_limits`` (predictions flag it ``upper_limit:<LINE>``) and
its limit, ``x`` times the denominator, in ``LineCatalog.limit_flux``.
Ratio columns must carry no unit (or a dimensionless one; ``dex`` for log
columns): a column with any other unit raises :class:`CatalogError`.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
from astropy import units as u
from astropy.table import Table

from nebuladapt.catalogs.errors import CatalogError
from nebuladapt.catalogs.linecatalog import LineCatalog
from nebuladapt.catalogs.tables import as_table, check_not_empty, column_values, file_format_of
from nebuladapt.catalogs.units import is_logarithmic
from nebuladapt.lines import CASE_B_HA_HB, canonical_line_name

__all__ = ["read_ratio_table", "parse_ratio_column", "RatioColumn", "ratio_columns"]

_HB, _HA = "HB4861", "HA6562"
_LOG_PARENS = re.compile(r"^log(?:10)?\s*\((?P<body>.+)\)$", re.IGNORECASE)
_LOG_PREFIX = re.compile(r"^log(?:10)?(?:_|\s+)(?P<body>.+)$", re.IGNORECASE)


@dataclass(frozen=True)
class RatioColumn:
    """A table column recognised as a line ratio.

    Attributes
    ----------
    column : str
        Column name in the input table.
    numerator, denominator : str
        Canonical line names.
    is_log : bool
        True if the column holds log10 of the ratio.
    """

    column: str
    numerator: str
    denominator: str
    is_log: bool


def _line_of(text: str) -> str | None:
    text = text.strip().strip("()").strip()
    return canonical_line_name(text) or canonical_line_name(text.replace("+", "_"))


def parse_ratio_column(name: str) -> RatioColumn | None:
    """Recognise a ratio column name.

    Parameters
    ----------
    name : str
        Column name such as ``"OIII5007/Hbeta"``, ``"[NII]6584/Halpha"``,
        ``"log_OIII5006/HB4861"`` or ``"log10(SII/Halpha)"``.

    Returns
    -------
    RatioColumn or None
        None if the name is not ``<line>/<line>`` (optionally log) with both
        lines known to :func:`nebuladapt.lines.canonical_line_name`.

    Examples
    --------
    >>> parse_ratio_column("log10([OIII]5007/Hbeta)").numerator
    'OIII5006'
    """
    text = name.strip()
    is_log = False
    match = _LOG_PARENS.match(text) or _LOG_PREFIX.match(text)
    if match:
        text, is_log = match.group("body"), True
    parts = text.split("/")
    if len(parts) != 2:
        return None
    numerator, denominator = _line_of(parts[0]), _line_of(parts[1])
    if numerator is None or denominator is None or numerator == denominator:
        return None
    return RatioColumn(name, numerator, denominator, is_log)


def ratio_columns(table: Table) -> tuple[list[RatioColumn], list[str]]:
    """Recognised ratio columns of a table, and other columns containing ``/``.

    Parameters
    ----------
    table : astropy.table.Table

    Returns
    -------
    ratios : list of RatioColumn
    unrecognised : list of str
        Column names that look like ratios (contain ``/``) but are not parsed.
    """
    ratios, unrecognised = [], []
    for name in table.colnames:
        parsed = parse_ratio_column(name)
        if parsed is not None:
            ratios.append(parsed)
        elif "/" in name:
            unrecognised.append(name)
    return ratios, unrecognised


def _check_ratio_unit(table: Table, ratio: RatioColumn, source: str) -> None:
    unit = getattr(table[ratio.column], "unit", None)
    if unit is None:
        return
    unit = u.Unit(str(unit), parse_strict="silent") if not isinstance(
        unit, (u.UnitBase, u.FunctionUnitBase)) else unit
    if ratio.is_log and is_logarithmic(unit):
        return
    if not is_logarithmic(unit) and unit.physical_type == "dimensionless":
        return
    hint = "rename it log_<LINE>/<LINE>" if is_logarithmic(unit) else "remove the unit"
    raise CatalogError(
        f"{source}: ratio column {ratio.column!r} is in {unit.to_string()!r}; a line ratio has "
        f"no unit ({hint}, or give the ratio itself rather than a flux)"
    )


def _ratio_values(table: Table, ratio: RatioColumn, source: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Linear ratio values (NaN where missing or an upper limit), the upper-limit mask and the limits'
    linear values (NaN elsewhere)."""
    _check_ratio_unit(table, ratio, source)
    values, upper = column_values(table, ratio.column, source, keep_limits=True)
    if ratio.is_log:
        with np.errstate(over="ignore"):
            values = 10.0**values
    return np.where(upper, np.nan, values), upper, np.where(upper, values, np.nan)


def _choose_reference(ratios: list[RatioColumn]) -> str:
    denominators = [r.denominator for r in ratios]
    for preferred in (_HB, _HA):
        if preferred in denominators:
            return preferred
    return Counter(denominators).most_common(1)[0][0]


def _fill(flux: dict[str, np.ndarray], line: str, values: np.ndarray) -> bool:
    """Set ``flux[line]`` or fill its NaNs from ``values``; True if anything changed."""
    if line not in flux:
        flux[line] = values
        return True
    gaps = np.isnan(flux[line]) & ~np.isnan(values)
    flux[line][gaps] = values[gaps]
    return bool(gaps.any())


def _propagate(flux: dict[str, np.ndarray], edges: list[tuple[RatioColumn, np.ndarray]]) -> None:
    """Derive every line reachable from those already in ``flux`` through the ratios."""
    changed = True
    while changed:
        changed = False
        for ratio, values in edges:
            if ratio.denominator in flux:
                changed |= _fill(flux, ratio.numerator, values * flux[ratio.denominator])
            if ratio.numerator in flux:
                with np.errstate(divide="ignore", invalid="ignore"):
                    inverse = np.where(values > 0, flux[ratio.numerator] / values, np.nan)
                changed |= _fill(flux, ratio.denominator, inverse)


def _unlinked(flux: dict[str, np.ndarray], ratios: list[RatioColumn]) -> list[RatioColumn]:
    return [r for r in ratios if r.numerator not in flux or r.denominator not in flux]


def _link_balmer(
    flux: dict[str, np.ndarray],
    unlinked: list[RatioColumn],
    reference: str,
    dust_corrected: bool,
    source: str,
) -> str | None:
    """Link an unlinked Halpha (or Hbeta) group by case B; return the assumption text."""
    other = _HA if reference == _HB else _HB if reference == _HA else None
    lines_unlinked = {r.numerator for r in unlinked} | {r.denominator for r in unlinked}
    if other is None or other not in lines_unlinked:
        return None
    columns = [r.column for r in unlinked]
    if not dust_corrected:
        raise CatalogError(
            f"{source}: ratios {columns} are over a different Balmer line than the others and "
            "no Halpha/Hbeta column links them; add a Halpha/Hbeta column, or pass "
            "dust_corrected=True if the ratios are dereddened (case B 2.86 is then assumed)"
        )
    n = len(flux[reference])
    scale = CASE_B_HA_HB if other == _HA else 1.0 / CASE_B_HA_HB
    flux[other] = flux[reference] * scale * np.ones(n)
    return (
        f"Halpha/Hbeta = {CASE_B_HA_HB} (case B, Osterbrock & Ferland 2006) assumed to link "
        f"ratio columns {columns} to the {reference} scale"
    )


def read_ratio_table(
    path_or_table: str | os.PathLike | Table,
    *,
    dust_corrected: bool = True,
    format: str | None = None,
    allow_empty: bool = False,
) -> LineCatalog:
    """Read a table of line ratios into relative fluxes.

    Parameters
    ----------
    path_or_table : str, path-like or astropy.table.Table
        A CSV/ECSV/ASCII, FITS or Parquet file, or a table in memory (left
        untouched).
    dust_corrected : bool, optional
        Whether the ratios are already dereddened (default True, as most
        published ratio tables are). Sets ``LineCatalog.dust_corrected`` for
        every row and decides the Balmer linking rule (module docstring).
    format : {"csv", "ecsv", "ascii", "fits", "parquet"}, optional
        File format when the extension does not say it.
    allow_empty : bool, optional
        Accept a table with no rows; by default an empty table is an error.

    Returns
    -------
    LineCatalog
        ``flux`` holds relative fluxes (reference line = 1, see ``meta
        ['reference_line']``); ``flux_err`` is empty. ``meta['assumptions']``
        lists any assumption made; ``meta['columns']`` the ratio columns used;
        ``meta['unrecognised_ratio_columns']`` columns with ``/`` not parsed.

    Raises
    ------
    CatalogError
        If the table is empty, no ratio column is recognised, a ratio column
        is not numeric or has a unit, two columns give the same ratio, or some
        ratios cannot be linked to the reference line.

    Examples
    --------
    >>> from astropy.table import Table
    >>> cat = read_ratio_table(Table({"OIII5007/Hbeta": [3.0], "log_NII6583/HB4861": [0.0]}))
    >>> float(cat.flux["OIII5006"][0]), float(cat.flux["NII6583"][0])
    (3.0, 1.0)
    """
    if not isinstance(dust_corrected, (bool, np.bool_)):
        raise CatalogError(f"dust_corrected={dust_corrected!r}; pass True or False")
    table, source = as_table(path_or_table, format=format)
    if not (allow_empty and table.colnames):
        check_not_empty(table, source)
    ratios, unrecognised = ratio_columns(table)
    if not ratios:
        raise CatalogError(
            f"{source}: no line-ratio column recognised in {table.colnames[:12]}; name columns "
            "like OIII5007/Hbeta, [NII]6584/Halpha or log10(OIII5006/HB4861)"
        )
    _check_duplicates(ratios, source)
    edges, limits = [], []
    for ratio in ratios:
        values, upper, limit = _ratio_values(table, ratio, source)
        edges.append((ratio, values))
        limits.append((ratio, upper, limit))
    reference = _choose_reference(ratios)
    flux = {reference: np.ones(len(table))}
    _propagate(flux, edges)
    assumptions = []
    unlinked = _unlinked(flux, ratios)
    if unlinked:
        assumption = _link_balmer(flux, unlinked, reference, bool(dust_corrected), source)
        if assumption:
            assumptions.append(assumption)
            _propagate(flux, edges)
            unlinked = _unlinked(flux, ratios)
    if unlinked:
        raise CatalogError(
            f"{source}: ratio columns {[r.column for r in unlinked]} share no line with the "
            f"{reference} scale; add a ratio linking them or remove them from the table"
        )
    upper_limits, limit_flux = _upper_limits(flux, limits, reference)
    meta = {
        "reader": "ratios",
        "format": "table" if isinstance(path_or_table, Table) else (format or file_format_of(
            path_or_table)),
        "reference_line": reference,
        "columns": {r.column: (r.numerator, r.denominator, "log10" if r.is_log else "linear")
                    for r in ratios},
        "assumptions": assumptions,
        "unrecognised_ratio_columns": unrecognised,
    }
    return LineCatalog(
        table=table,
        flux=flux,
        flux_err={},
        dust_corrected=np.full(len(table), bool(dust_corrected)),
        source=source,
        meta=meta,
        upper_limits=upper_limits,
        limit_flux=limit_flux,
    )


def _upper_limits(
    flux: dict[str, np.ndarray], limits: list[tuple[RatioColumn, np.ndarray, np.ndarray]], reference: str
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Mark numerators of ``<x`` ratios as upper limits (NaN flux, in place); their limit fluxes
    (``x`` times the denominator's flux, the tightest where several ratios limit a line; NaN where the
    denominator is unknown)."""
    upper_limits: dict[str, np.ndarray] = {}
    limit_flux: dict[str, np.ndarray] = {}
    for ratio, upper, limit in limits:
        if not upper.any() or ratio.numerator == reference:
            continue
        mask = upper_limits.setdefault(ratio.numerator, np.zeros(len(upper), dtype=bool))
        mask |= upper
        denominator = flux.get(ratio.denominator, np.full(len(upper), np.nan))
        value = limit_flux.setdefault(ratio.numerator, np.full(len(upper), np.nan))
        value[:] = np.fmin(value, np.where(upper, limit * denominator, np.nan))
    for line, mask in upper_limits.items():
        flux[line][mask] = np.nan
    return upper_limits, limit_flux


def _check_duplicates(ratios: list[RatioColumn], source: str) -> None:
    seen: dict[tuple[str, str], str] = {}
    for ratio in ratios:
        key = (ratio.numerator, ratio.denominator)
        if key in seen:
            raise CatalogError(
                f"{source}: columns {seen[key]!r} and {ratio.column!r} both give "
                f"{key[0]}/{key[1]}; remove or rename one of them"
            )
        seen[key] = ratio.column
