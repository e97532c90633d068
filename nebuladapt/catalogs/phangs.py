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

The line is then treated as missing for that row (NaN in ``LineCatalog.flux``)
and recorded in ``LineCatalog.upper_limits``, so that predictions flag the row
``upper_limit:<LINE>``. A negative ``_FLUX_ERR`` is *not* read as an upper
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
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from astropy import units as u
from astropy.table import Table

from nebuladapt.catalogs.errors import CatalogError
from nebuladapt.catalogs.linecatalog import LineCatalog
from nebuladapt.lines import canonical_line_name

__all__ = [
    "read_phangs_table",
    "load_table",
    "file_format_of",
    "column_to_float",
    "column_values",
    "bool_column",
    "check_not_empty",
]

#: Column suffixes, longest first so that ``_FLUX_CORR_ERR`` wins over ``_FLUX``.
_SUFFIXES = (
    ("_FLUX_CORR_ERR", "corr_err"),
    ("_FLUX_UPPER", "upper"),
    ("_FLUX_CORR", "corr"),
    ("_FLUX_ERR", "err"),
    ("_FLUX", "flux"),
)
_FILE_FORMATS = {
    ".csv": "csv",
    ".ecsv": "ecsv",
    ".txt": "ascii",
    ".tsv": "ascii",
    ".dat": "ascii",
    ".fits": "fits",
    ".fit": "fits",
    ".fts": "fits",
    ".fits.gz": "fits",
    ".fit.gz": "fits",
    ".parquet": "parquet",
    ".pq": "parquet",
}
_ASTROPY_FORMATS = {
    "csv": "ascii.csv",
    "ecsv": "ascii.ecsv",
    "ascii": "ascii",
    "fits": "fits",
    "parquet": "parquet",
}
_SPELLED_OUT_BALMER = {"HALPHA", "HBETA", "H_ALPHA", "H_BETA"}
_TRUE_STRINGS = {"true", "t", "yes", "y", "1"}
_FALSE_STRINGS = {"false", "f", "no", "n", "0"}
DUST_FLAG_COLUMN = "DUST_CORRECTED"
#: Text entries read as a missing value in a numeric column.
_MISSING_TEXT = {"", "nan", "--", "*", "null", "none", "na", "n/a"}
_LIMIT_TEXT = re.compile(r"^<\s*=?\s*(?P<value>.+)$")
#: astropy warnings that mean the file is damaged: made errors while reading.
_DAMAGED_FILE_WARNINGS = r"(?s).*(truncated|corrupt|not multiple of 2880).*"


# --------------------------------------------------------------------------- files
def file_format_of(path: str | os.PathLike) -> str | None:
    """File format implied by a path's extension.

    Parameters
    ----------
    path : str or path-like
        A file name.

    Returns
    -------
    str or None
        One of ``"csv"``, ``"ecsv"``, ``"ascii"``, ``"fits"``, ``"parquet"``,
        or None for an unknown extension.
    """
    name = Path(path).name.lower()
    for ext in sorted(_FILE_FORMATS, key=len, reverse=True):
        if name.endswith(ext):
            return _FILE_FORMATS[ext]
    return None


def _first_table_hdu(path: Path) -> int:
    """Index of the first FITS table HDU that holds data."""
    from astropy.io import fits

    with fits.open(path, memmap=False) as hdul:
        for index, hdu in enumerate(hdul):
            if isinstance(hdu, (fits.BinTableHDU, fits.TableHDU)) and hdu.data is not None:
                return index
    raise CatalogError(
        f"{path}: no FITS table extension with data (or the file is truncated); write the "
        "catalogue as a binary table HDU or pass hdu=<name or index>"
    )


def _one_line(exc: BaseException, limit: int = 200) -> str:
    """An exception as ``Type: message`` on one line, shortened to ``limit`` characters."""
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_not_empty(table: Table, source: str) -> None:
    """Raise :class:`CatalogError` if a table has no columns or no rows.

    Parameters
    ----------
    table : astropy.table.Table
    source : str
        Name of the file or table, for the message.
    """
    if not table.colnames:
        raise CatalogError(
            f"{source}: the table is empty (no columns); check that the file holds the "
            "catalogue and was fully written"
        )
    if len(table) == 0:
        raise CatalogError(
            f"{source}: the table has columns but no rows; check that the file holds the "
            "catalogue rows and was fully written"
        )


def load_table(
    path: str | os.PathLike, *, format: str | None = None, hdu: int | str | None = None
) -> Table:
    """Read a table file (CSV/ECSV/ASCII, FITS or Parquet) with astropy.

    Parameters
    ----------
    path : str or path-like
        The file.
    format : {"csv", "ecsv", "ascii", "fits", "parquet"}, optional
        File format; by default inferred from the extension.
    hdu : int or str, optional
        FITS only: the HDU to read; by default the first table HDU with data.

    Returns
    -------
    astropy.table.Table

    Raises
    ------
    CatalogError
        If the file is missing, of unknown format, or cannot be parsed
        (e.g. corrupt or truncated).
    """
    path = Path(path)
    file_format = format or file_format_of(path)
    if file_format not in _ASTROPY_FORMATS:
        raise CatalogError(
            f"{path}: unknown table format {file_format!r}; use a .csv, .ecsv, .txt, .fits "
            "or .parquet file, or pass format='csv'|'ecsv'|'ascii'|'fits'|'parquet'"
        )
    if not path.is_file():
        raise CatalogError(f"{path}: file not found; check the path")
    try:
        with warnings.catch_warnings():
            # astropy only *warns* about truncated FITS files; make that an error.
            warnings.filterwarnings("error", message=_DAMAGED_FILE_WARNINGS)
            if file_format == "fits":
                index = hdu if hdu is not None else _first_table_hdu(path)
                return Table.read(path, format="fits", hdu=index, memmap=False)
            return Table.read(path, format=_ASTROPY_FORMATS[file_format])
    except CatalogError:
        raise
    except Exception as exc:  # astropy/pyarrow raise many types for bad files
        raise CatalogError(
            f"{path}: cannot be read as {file_format} ({_one_line(exc)}); "
            "the file may be corrupt or truncated - re-export it"
        ) from exc


def _as_table(
    path_or_table: Any, *, format: str | None = None, hdu: int | str | None = None
) -> tuple[Table, str]:
    """The input as a Table, and a name for it in messages."""
    if isinstance(path_or_table, Table):
        return path_or_table, str(path_or_table.meta.get("source", "<table>"))
    if isinstance(path_or_table, (str, os.PathLike)):
        return load_table(path_or_table, format=format, hdu=hdu), str(path_or_table)
    raise CatalogError(
        f"{type(path_or_table).__name__}: expected a file path or an astropy Table; "
        "convert the input with astropy.table.Table(...)"
    )


# ------------------------------------------------------------------------- columns
def _data_and_mask(table: Table, name: str) -> tuple[np.ndarray, np.ndarray]:
    column = table[name]
    if isinstance(column, u.Quantity):
        column = column.value
    if hasattr(column, "unmasked") and hasattr(column, "mask"):  # astropy Masked
        data, mask = np.asarray(column.unmasked), np.asarray(column.mask)
    else:
        data, mask = np.ma.getdata(column), np.ma.getmaskarray(column)
    data = np.asarray(data)
    return data, np.broadcast_to(np.asarray(mask, dtype=bool), data.shape)


def _not_numeric(name: str, source: str, detail: str) -> CatalogError:
    return CatalogError(
        f"{source}: column {name!r} should hold numbers but {detail}; fix its values "
        "(e.g. remove '~' or text, leave missing values empty) or rename the column"
    )


def _parse_text_values(
    data: np.ndarray, mask: np.ndarray, name: str, source: str
) -> tuple[np.ndarray, np.ndarray]:
    """Numbers written as text; ``<x`` entries are upper limits (value NaN)."""
    values = np.full(len(data), np.nan)
    upper = np.zeros(len(data), dtype=bool)
    for row, item in enumerate(data):
        if mask[row] or item is None:
            continue
        if isinstance(item, (bytes, np.bytes_)):
            item = item.decode("utf-8", "replace")
        if isinstance(item, (float, int, np.floating, np.integer)) and not isinstance(
            item, (bool, np.bool_)
        ):
            values[row] = float(item)
            continue
        text = str(item).strip()
        if text.lower() in _MISSING_TEXT:
            continue
        limit = _LIMIT_TEXT.match(text)
        if limit:
            text = limit.group("value").strip()
        try:
            number = float(text)
        except (ValueError, OverflowError):
            raise _not_numeric(name, source, f"row {row} holds {str(item)[:40]!r}") from None
        if limit:
            upper[row] = True
        else:
            values[row] = number
    return values, upper


def column_values(table: Table, name: str, source: str) -> tuple[np.ndarray, np.ndarray]:
    """A numeric column as float64 (NaN where masked), and its upper-limit mask.

    Text columns are parsed (see the module docstring): numbers written as
    text are read, ``<x`` entries are upper limits (True in the mask, NaN in
    the values).

    Parameters
    ----------
    table : astropy.table.Table
        The table (left untouched).
    name : str
        Column name.
    source : str
        Name of the file or table, for error messages.

    Returns
    -------
    values : ndarray of float64
    upper : ndarray of bool

    Raises
    ------
    CatalogError
        If the column is not numeric (or numbers as text) or not one-dimensional.
    """
    data, mask = _data_and_mask(table, name)
    if data.ndim != 1:
        raise _not_numeric(name, source, f"has shape {data.shape} (one value per row needed)")
    if data.dtype.kind in "iuf":
        values = data.astype(np.float64)
        values[mask] = np.nan
        return values, np.zeros(len(values), dtype=bool)
    if data.dtype.kind in "USO":
        return _parse_text_values(data, mask, name, source)
    raise _not_numeric(name, source, f"has dtype {data.dtype}")


def column_to_float(table: Table, name: str, source: str) -> np.ndarray:
    """A numeric table column as a float64 array with NaN where masked.

    Parameters
    ----------
    table : astropy.table.Table
        The table (left untouched).
    name : str
        Column name.
    source : str
        Name of the file or table, for error messages.

    Returns
    -------
    ndarray of float64
        NaN where masked, missing, or an upper limit (``<x``; see
        :func:`column_values` for the mask).

    Raises
    ------
    CatalogError
        If the column is not numeric or not one-dimensional.
    """
    return column_values(table, name, source)[0]


def bool_column(table: Table, name: str, source: str) -> np.ndarray:
    """A flag column (bool, 0/1, yes/no, true/false ...) as bool; masked -> False.

    Raises
    ------
    CatalogError
        For any other value.
    """
    data, mask = _data_and_mask(table, name)
    if data.ndim != 1:
        raise CatalogError(
            f"{source}: column {name!r} should hold one True/False per row but has shape "
            f"{data.shape}; fix or rename it"
        )
    if data.dtype.kind == "b":
        return data & ~mask
    if data.dtype.kind in "iuf" and np.isin(data[~mask], (0, 1)).all():
        return (data == 1) & ~mask
    flags = np.zeros(len(data), dtype=bool)
    for row in np.flatnonzero(~mask):
        item = data[row]
        if isinstance(item, (bytes, np.bytes_)):
            item = item.decode("utf-8", "replace")
        text = str(item).strip().lower()
        if text in _TRUE_STRINGS:
            flags[row] = True
        elif text not in _FALSE_STRINGS and text not in _MISSING_TEXT:
            raise CatalogError(
                f"{source}: column {name!r} row {row} holds {str(item)[:40]!r}; use "
                "True/False (or yes/no, 1/0)"
            )
    return flags


# --------------------------------------------------------------------------- units
def _unit_of(table: Table, name: str) -> u.UnitBase | None:
    """A column's astropy unit; None when it has none or is dimensionless."""
    unit = getattr(table[name], "unit", None)
    if unit is None:
        return None
    if not isinstance(unit, (u.UnitBase, u.FunctionUnitBase)):
        unit = u.Unit(str(unit), parse_strict="silent")
    if isinstance(unit, u.UnrecognizedUnit):
        # The FITS unit parser is strict ("1e-20 erg/s/cm2" fails); try the generic one.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            unit = u.Unit(unit.name, format="generic", parse_strict="silent")
    if unit == u.dimensionless_unscaled:
        return None
    return unit


_LOG_UNIT_NAME = re.compile(r"^\s*(log|lg|dex|mag)\b", re.IGNORECASE)


def _is_logarithmic(unit) -> bool:
    """True for dex, mag and their function units (e.g. ``dex(erg / (s cm2))``),
    and for unparsed units spelled ``log(...)``, ``dex(...)``."""
    if isinstance(unit, u.UnrecognizedUnit):
        return bool(_LOG_UNIT_NAME.match(unit.name))
    return isinstance(unit, u.FunctionUnitBase) or type(unit).__module__.startswith(
        "astropy.units.function"
    )


def _conversion(
    unit: u.UnitBase, to: u.UnitBase, name: str, to_name: str, source: str, what: str
) -> float:
    """Factor from ``unit`` to ``to``; CatalogError naming both columns if impossible."""
    if unit == to:
        return 1.0
    try:
        return float(unit.to(to))
    except (u.UnitsError, ValueError, TypeError):
        raise CatalogError(
            f"{source}: column {name!r} is in {unit.to_string()!r} but {what} {to_name!r} is "
            f"in {to.to_string()!r}, which cannot be converted into each other; give them "
            "compatible units (e.g. all erg / (s cm2))"
        ) from None


def _harmonise_units(
    table: Table,
    used: dict[str, str],
    err_used: dict[str, str],
    flux: dict[str, np.ndarray],
    flux_err: dict[str, np.ndarray],
    source: str,
) -> str | None:
    """Convert flux and error arrays in place to one unit; return the unit (or None)."""
    units = {line: _unit_of(table, column) for line, column in used.items()}
    for line, unit in units.items():
        if _is_logarithmic(unit):
            raise CatalogError(
                f"{source}: column {used[line]!r} is in {unit.to_string()!r}, a logarithmic "
                "unit; give linear line fluxes (e.g. erg / (s cm2))"
            )
    with_unit = [line for line, unit in units.items() if unit is not None]
    if not with_unit:
        return None
    without = [line for line, unit in units.items() if unit is None]
    if without:
        raise CatalogError(
            f"{source}: column {used[without[0]]!r} has no unit but column "
            f"{used[with_unit[0]]!r} is in {units[with_unit[0]].to_string()!r}; give every "
            "line-flux column the same unit (or none)"
        )
    reference = with_unit[0]
    target = units[reference]
    for line in used:
        factor = _conversion(
            units[line], target, used[line], used[reference], source, "column"
        )
        flux[line] = flux[line] * factor
        if line in err_used:
            err_unit = _unit_of(table, err_used[line])
            err_factor = 1.0
            if err_unit is not None:
                err_factor = _conversion(
                    err_unit, units[line], err_used[line], used[line], source,
                    "its flux column",
                )
            flux_err[line] = flux_err[line] * err_factor * factor
    return target.to_string()


def _split_flux_column(name: str) -> tuple[str, str] | None:
    """``(canonical line, kind)`` for a ``<LINE>_FLUX...`` column, else None."""
    upper = name.upper()
    for suffix, kind in _SUFFIXES:
        if upper.endswith(suffix) and len(name) > len(suffix):
            line = canonical_line_name(name[: -len(suffix)])
            return (line, kind) if line else None
    return None


def _has_flux_suffix(name: str) -> bool:
    upper = name.upper()
    return any(upper.endswith(suffix) for suffix, _ in _SUFFIXES)


def _bare_line(name: str) -> str | None:
    """Canonical line for a bare line-name column, guarding against short aliases."""
    line = canonical_line_name(name)
    if line is None:
        return None
    normalised = name.strip().upper().replace("-", "_")
    if re.search(r"\d", name) or normalised in _SPELLED_OUT_BALMER:
        return line
    return None


def _map_columns(table: Table, source: str) -> tuple[dict[str, dict[str, str]], list[str]]:
    """Map ``line -> {kind: column}``; second value lists unrecognised _FLUX columns."""
    mapping: dict[str, dict[str, str]] = {}
    unrecognised: list[str] = []
    for name in table.colnames:
        parsed = _split_flux_column(name)
        if parsed is None:
            if _has_flux_suffix(name):
                unrecognised.append(name)
            continue
        line, kind = parsed
        previous = mapping.setdefault(line, {}).get(kind)
        if previous is not None:
            raise CatalogError(
                f"{source}: columns {previous!r} and {name!r} both give {line} ({kind}); "
                "remove or rename one of them"
            )
        mapping[line][kind] = name
    return mapping, unrecognised


def _map_bare_columns(table: Table, source: str) -> dict[str, dict[str, str]]:
    mapping: dict[str, dict[str, str]] = {}
    for name in table.colnames:
        line = _bare_line(name)
        if line is None:
            continue
        if line in mapping:
            raise CatalogError(
                f"{source}: columns {mapping[line]['flux']!r} and {name!r} both give {line}; "
                "remove or rename one of them"
            )
        mapping[line] = {"flux": name}
    return mapping


def _parse_bool(value: Any, source: str) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE_STRINGS:
        return True
    if text in _FALSE_STRINGS:
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
    str | None,
]:
    """Flux and error arrays from the mapped columns.

    Returns flux, flux_err, line -> column used, line -> upper-limit mask (only
    lines with at least one upper limit; their flux is NaN there) and the
    common flux unit (None without units).
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
        values, upper = column_values(table, kinds[flux_kind], source)
        if "upper" in kinds:
            upper = upper | bool_column(table, kinds["upper"], source)
        if upper.any():
            values[upper] = np.nan
            upper_limits[line] = upper
        flux[line] = values
        used[line] = kinds[flux_kind]
        if err_kind in kinds:
            flux_err[line] = column_to_float(table, kinds[err_kind], source)
            err_used[line] = kinds[err_kind]
    unit = _harmonise_units(table, used, err_used, flux, flux_err, source)
    return flux, flux_err, used, upper_limits, unit


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
        limit per line. ``meta`` records the format, the columns used
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
    table, source = _as_table(path_or_table, format=format, hdu=hdu)
    if not (allow_empty and table.colnames):
        check_not_empty(table, source)
    mapping, unrecognised = _map_columns(table, source)
    convention = "phangs"
    if not any("flux" in kinds or "corr" in kinds for kinds in mapping.values()):
        mapping = _map_bare_columns(table, source)
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
    flux, flux_err, used, upper_limits, unit = _read_lines(table, mapping, corrected, source)
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
    )
