"""Table files and table columns: the shared utilities of every catalogue reader.

:func:`load_table` reads CSV/ECSV/ASCII, FITS (first table HDU with data) or
Parquet (one file, or a directory/glob of part files) with astropy, the format
chosen by :mod:`nebuladapt.io.formats`. Column helpers read numbers (also
numbers written as text, and ``<x`` upper limits), flags and report bad values
with one line naming the file, the column and the row.
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
from nebuladapt.io.formats import FORMATS, input_format

__all__ = [
    "MISSING_TEXT",
    "as_table",
    "bool_column",
    "check_not_empty",
    "column_to_float",
    "column_values",
    "file_format_of",
    "load_table",
    "one_line",
]

TRUE_STRINGS = {"true", "t", "yes", "y", "1"}
FALSE_STRINGS = {"false", "f", "no", "n", "0"}
#: Text entries read as a missing value in a numeric column.
MISSING_TEXT = {"", "nan", "--", "*", "null", "none", "na", "n/a"}
_LIMIT_TEXT = re.compile(r"^<\s*=?\s*(?P<value>.+)$")
#: astropy warnings that mean the file is damaged: made errors while reading.
_DAMAGED_FILE_WARNINGS = r"(?s).*(truncated|corrupt|not multiple of 2880).*"
#: astropy's complaint about a unit string the FITS standard does not know, such as
#: ``1e-20 erg/s/cm2``; the unit is parsed again with the generic parser
#: (:func:`nebuladapt.catalogs.units.unit_of`), so the warning is noise.
UNPARSED_UNIT_WARNING = r"(?s).*did not parse as (fits|cds|vounit) unit.*"


def file_format_of(path: str | os.PathLike) -> str | None:
    """Table format implied by a path (:func:`nebuladapt.io.formats.input_format`).

    Parameters
    ----------
    path : str or path-like
        A file name, a directory or a glob (both read as Parquet part files).

    Returns
    -------
    str or None
        One of ``"csv"``, ``"ecsv"``, ``"ascii"``, ``"fits"``, ``"parquet"``,
        or None for an unknown extension. A ``.dat`` file read as a table is
        ``"ascii"``.
    """
    fmt = input_format(path)
    if fmt is None:
        return None
    return "ascii" if fmt.astropy is None else fmt.name


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


def one_line(exc: BaseException, limit: int = 200) -> str:
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
    table_formats = [name for name, fmt in FORMATS.items() if fmt.astropy]
    if file_format not in table_formats:
        raise CatalogError(
            f"{path}: unknown table format {file_format!r}; use a .csv, .ecsv, .txt, .fits "
            f"or .parquet file, a directory of .parquet files, or pass --format (one of "
            f"{', '.join(table_formats)})"
        )
    if file_format == "parquet" and not path.is_file():
        return _load_parquet_parts(path)
    if not path.is_file():
        raise CatalogError(f"{path}: file not found; check the path")
    try:
        with warnings.catch_warnings():
            # astropy only *warns* about truncated FITS files; make that an error.
            warnings.filterwarnings("error", message=_DAMAGED_FILE_WARNINGS)
            warnings.filterwarnings("ignore", message=UNPARSED_UNIT_WARNING)
            if file_format == "fits":
                index = hdu if hdu is not None else _first_table_hdu(path)
                return Table.read(path, format="fits", hdu=index, memmap=False)
            return Table.read(path, format=FORMATS[file_format].astropy)
    except CatalogError:
        raise
    except Exception as exc:  # astropy/pyarrow raise many types for bad files
        raise CatalogError(
            f"{path}: cannot be read as {file_format} ({one_line(exc)}); "
            "the file may be corrupt or truncated - re-export it"
        ) from exc


def _load_parquet_parts(path: Path) -> Table:
    """A directory or glob of Parquet part files as one table (earlier outputs skipped)."""
    from astropy.table import vstack

    from nebuladapt.io.sources import parquet_files

    skipped: list[str] = []
    files = parquet_files(path, skipped)
    parts = [load_table(name, format="parquet") for name in files]
    names = parts[0].colnames
    for name, part in zip(files[1:], parts[1:]):
        if part.colnames != names:
            raise CatalogError(
                f"{name}: its columns differ from those of {files[0]}; give every part file "
                "of the catalogue the same columns"
            )
    table = parts[0] if len(parts) == 1 else vstack(parts, join_type="exact", metadata_conflicts="silent")
    table.meta["source"] = str(path)
    table.meta["parts"] = len(files)
    if skipped:
        table.meta["skipped_outputs"] = skipped
    return table


def as_table(
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
    data: np.ndarray, mask: np.ndarray, name: str, source: str, keep_limits: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Numbers written as text; ``<x`` entries are upper limits (value NaN, or ``x`` with ``keep_limits``)."""
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
        if text.lower() in MISSING_TEXT:
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
        if keep_limits or not limit:
            values[row] = number
    return values, upper


def column_values(
    table: Table, name: str, source: str, keep_limits: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """A numeric column as float64 (NaN where masked), and its upper-limit mask.

    Text columns are parsed (see the module docstring): numbers written as
    text are read, ``<x`` entries are upper limits (True in the mask; NaN in
    the values, or ``x`` with ``keep_limits``).

    Parameters
    ----------
    table : astropy.table.Table
        The table (left untouched).
    name : str
        Column name.
    source : str
        Name of the file or table, for error messages.
    keep_limits : bool
        Give the value of each ``<x`` entry (``x``) instead of NaN.

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
        return _parse_text_values(data, mask, name, source, keep_limits)
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
        if text in TRUE_STRINGS:
            flags[row] = True
        elif text not in FALSE_STRINGS and text not in MISSING_TEXT:
            raise CatalogError(
                f"{source}: column {name!r} row {row} holds {str(item)[:40]!r}; use "
                "True/False (or yes/no, 1/0)"
            )
    return flags
