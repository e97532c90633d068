"""Reader for wavelength-keyed emission-line lists (NEAT format).

A line list holds one nebula: ``#`` comment lines, then one emission line per
row keyed by its rest wavelength in Angstrom. This is the input format of NEAT
(Wesson, Stock & Scicluna 2012, MNRAS 422, 3516; github.com/rwesson/NEAT),
whose example files follow it. Rows may have

* 2 columns: rest wavelength, flux;
* 3 columns: rest wavelength, flux, uncertainty;
* 4 columns: observed wavelength, rest wavelength, flux, uncertainty.

Each row is read by its own number of columns, so a file may mix them. A ``*``
stands for a missing value. Rows whose wavelength is not within ``tolerance``
of a line of :mod:`nebuladapt.lines` are ignored (NEAT lists carry hundreds of
weak recombination lines, and some infrared lines in micron).

Matching rules
--------------
* A row goes to the registry line closest in wavelength, if within
  ``tolerance`` (see :func:`nebuladapt.lines.line_from_wavelength`).
* A row within ``BLEND_HALF_WIDTH`` of the midpoint of a summed doublet of
  :data:`nebuladapt.lines.SUMMED_LINES` is the unresolved blend: e.g. the
  ``3727.00`` of Bresolin et al. (2005) lists is [OII]3726+3729 and goes to
  ``OII3726_3729``, not to ``OII3726``.
* Where several rows match one line (a nearby weak line, or a duplicate), the
  row closest in wavelength to the registry wavelength wins; ties keep the first
  row. E.g. the NGC 7009 list of Fang & Liu (2011) has Hbeta at 4861.33
  (flux 100) and a weak line at 4861.27 (flux 0.082): Hbeta = 100.
* Rows whose flux is ``*`` are dropped before matching, so a placeholder never
  hides a measured neighbour.

A file that cannot be read as text, a malformed data row, and a file (or set of
files) in which no row matches a known line raise
:class:`~nebuladapt.catalogs.CatalogError` naming the file (and line number).
Negative, zero, NaN or infinite fluxes and errors are kept for a later stage to
flag.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import numpy as np
from astropy.table import Table

from nebuladapt.catalogs.errors import CatalogError
from nebuladapt.catalogs.linecatalog import LineCatalog
from nebuladapt.lines import LINES, SUMMED_LINES, line_from_wavelength

__all__ = [
    "BLEND_HALF_WIDTH",
    "LineListEntry",
    "parse_line_list",
    "match_wavelengths",
    "read_line_list",
    "read_line_lists",
]

#: Half width (Angstrom) around a doublet midpoint that marks an unresolved blend.
#: [OII]3726/3729 are 2.79 A apart, so 0.7 A keeps the blend window clear of
#: both components (1.4 A from the midpoint).
BLEND_HALF_WIDTH: float = 0.7

_MISSING = "*"
_REFERENCE_PATTERN = re.compile(r"\bfrom\b", re.IGNORECASE)


@dataclass(frozen=True)
class LineListEntry:
    """One data row of a line list.

    Attributes
    ----------
    wavelength : float
        Rest wavelength in Angstrom.
    flux : float
        Flux in the file's normalisation (NaN for ``*``).
    flux_err : float
        Uncertainty (NaN when absent or ``*``).
    """

    wavelength: float
    flux: float
    flux_err: float


def _to_float(token: str) -> float:
    return np.nan if token == _MISSING else float(token)


def _parse_row(tokens: list[str]) -> LineListEntry | None:
    """Read one row of 2, 3 or 4 columns; None for any other width."""
    if len(tokens) == 2:
        rest, flux, err = tokens[0], tokens[1], _MISSING
    elif len(tokens) == 3:
        rest, flux, err = tokens
    elif len(tokens) == 4:
        _, rest, flux, err = tokens
    else:
        return None
    return LineListEntry(float(rest), _to_float(flux), _to_float(err))


def parse_line_list(path: str | PathLike) -> tuple[list[str], list[LineListEntry]]:
    """Read the comment header and the data rows of a line-list file.

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    header : list of str
        The ``#`` lines before the first data row, without the ``#``.
    entries : list of LineListEntry
        Every data row, in file order (``*`` values as NaN).

    Raises
    ------
    CatalogError
        If the file is missing or not text, or a data row does not have 2, 3
        or 4 columns, or is not numeric. (A subclass of ValueError.)
    """
    header: list[str] = []
    entries: list[LineListEntry] = []
    path = Path(path)
    if not path.is_file():
        raise CatalogError(f"{path}: file not found; check the path")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CatalogError(
            f"{path}: not a text line list (byte {exc.start} is not UTF-8); give a plain-text "
            "file of rest wavelength, flux[, error] rows"
        ) from None
    except OSError as exc:
        raise CatalogError(f"{path}: cannot be read ({exc.strerror}); check the file") from None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if not entries:
                header.append(line.lstrip("#").strip())
            continue
        try:
            entry = _parse_row(line.split())
        except (ValueError, OverflowError) as exc:
            raise CatalogError(
                f"{path}:{number}: not a number in {line[:60]!r}; fix the row or comment it "
                "out with #"
            ) from exc
        if entry is None:
            raise CatalogError(
                f"{path}:{number}: expected 2, 3 or 4 columns, got {line[:60]!r}; fix the row "
                "or comment it out with #"
            )
        entries.append(entry)
    return header, entries


def _blend_name(wavelength: float) -> str | None:
    """Summed doublet whose midpoint is within BLEND_HALF_WIDTH, else None."""
    for name, components in SUMMED_LINES.items():
        midpoint = np.mean([LINES[c].wavelength for c in components])
        if abs(wavelength - midpoint) < BLEND_HALF_WIDTH:
            return name
    return None


def _reference_wavelength(name: str) -> float:
    if name in SUMMED_LINES:
        return float(np.mean([LINES[c].wavelength for c in SUMMED_LINES[name]]))
    return LINES[name].wavelength


def match_wavelengths(wavelengths: Iterable[float], tolerance: float = 1.5) -> dict[str, int]:
    """Assign rows of a wavelength-keyed list to canonical line names.

    Parameters
    ----------
    wavelengths : iterable of float
        Rest wavelengths (Angstrom) of the rows, in order.
    tolerance : float, optional
        Largest wavelength difference (Angstrom) accepted for a single line.

    Returns
    -------
    dict of str to int
        Canonical line name -> index of the row chosen for it (the closest
        row in wavelength; first row on ties). Blends of summed doublets map
        to the summed name (e.g. ``OII3726_3729``). Lines with no row within
        tolerance are absent.

    Examples
    --------
    >>> match_wavelengths([3727.0, 4861.27, 4861.33, 6583.5])
    {'OII3726_3729': 0, 'HB4861': 2, 'NII6583': 3}
    """
    best: dict[str, tuple[float, int]] = {}
    for index, wavelength in enumerate(wavelengths):
        name = _blend_name(wavelength) or line_from_wavelength(wavelength, tolerance)
        if name is None:
            continue
        distance = abs(wavelength - _reference_wavelength(name))
        if name not in best or distance < best[name][0]:
            best[name] = (distance, index)
    return {name: index for name, (_, index) in best.items()}


def _header_fields(header: Sequence[str]) -> tuple[str, str]:
    """(class line, reference line) of a NEAT header; '' where absent."""
    header_class = header[0] if header else ""
    rest = list(header[1:])
    reference = next((h for h in rest if _REFERENCE_PATTERN.search(h)), rest[0] if rest else "")
    return header_class, reference


def _read_one(path: Path, tolerance: float) -> dict:
    """One file as a flat record: header fields, fluxes, errors, matched wavelengths."""
    header, entries = parse_line_list(path)
    measured = [e for e in entries if np.isfinite(e.flux)]
    matches = match_wavelengths([e.wavelength for e in measured], tolerance)
    header_class, header_reference = _header_fields(header)
    return {
        "object_id": path.stem,
        "file": path.name,
        "header_class": header_class,
        "header_reference": header_reference,
        "flux": {name: measured[i].flux for name, i in matches.items()},
        "flux_err": {name: measured[i].flux_err for name, i in matches.items()},
        "wavelength": {name: measured[i].wavelength for name, i in matches.items()},
    }


def _line_order(names: Iterable[str]) -> list[str]:
    """Sort canonical names by wavelength (summed doublets after components)."""
    return sorted(set(names), key=lambda n: (_reference_wavelength(n), n in SUMMED_LINES))


def read_line_lists(
    paths: Iterable[str | PathLike],
    tolerance: float = 1.5,
    dust_corrected: bool | Sequence[bool] = False,
) -> LineCatalog:
    """Read many line-list files into one catalogue, one row per file.

    Parameters
    ----------
    paths : iterable of str or path-like
        The files (one nebula each).
    tolerance : float, optional
        Wavelength tolerance in Angstrom for matching rows to registry lines
        (default 1.5).
    dust_corrected : bool or sequence of bool, optional
        Whether each file's fluxes are already dereddened. The files do not
        say so themselves; the caller must know the source (default False).

    Returns
    -------
    LineCatalog
        ``table`` has columns ``object_id`` (file stem), ``file``,
        ``header_class`` and ``header_reference`` (the first ``#`` line, and
        the first later ``#`` line containing "from" -- else the second), then
        ``<LINE>_FLUX`` and ``<LINE>_FLUX_ERR`` (float64, NaN where absent) for
        every line found in at least one file. ``flux``/``flux_err`` hold the
        same arrays. ``meta['matched_wavelengths']`` maps each file to the
        file wavelength used for each line.

    Raises
    ------
    CatalogError
        If no path is given, a file cannot be read or has a malformed data
        row, or no row of any file matches a known line. (A subclass of
        ValueError.)
    """
    paths = [Path(p) for p in paths]
    if not paths:
        raise CatalogError("read_line_lists needs at least one file; pass the .dat paths")
    records = [_read_one(p, tolerance) for p in paths]
    names = _line_order(n for r in records for n in r["flux"])
    if not names:
        where = str(paths[0]) if len(paths) == 1 else f"{len(paths)} line lists"
        raise CatalogError(
            f"{where}: no data row matches a known emission line within {tolerance} A; give "
            "rest wavelengths in Angstrom (e.g. 4861.33 for Hbeta) with a measured flux"
        )
    table = Table()
    for key in ("object_id", "file", "header_class", "header_reference"):
        table[key] = [r[key] for r in records]
    flux, flux_err = {}, {}
    for name in names:
        flux[name] = np.array([r["flux"].get(name, np.nan) for r in records], dtype=float)
        flux_err[name] = np.array([r["flux_err"].get(name, np.nan) for r in records], dtype=float)
        table[f"{name}_FLUX"] = flux[name]
        table[f"{name}_FLUX_ERR"] = flux_err[name]
    dust = np.broadcast_to(np.asarray(dust_corrected, dtype=bool), (len(records),)).copy()
    meta = {
        "format": "wavelength-keyed line list (NEAT)",
        "tolerance_angstrom": tolerance,
        "matched_wavelengths": {r["file"]: r["wavelength"] for r in records},
    }
    return LineCatalog(
        table=table,
        flux=flux,
        flux_err=flux_err,
        dust_corrected=dust,
        source=", ".join(str(p) for p in paths) if len(paths) < 4 else f"{len(paths)} line lists",
        meta=meta,
    )


def read_line_list(
    path: str | PathLike, tolerance: float = 1.5, dust_corrected: bool = False
) -> LineCatalog:
    """Read one line-list file (one nebula) into a one-row catalogue.

    Parameters
    ----------
    path : str or path-like
        A file of 2-, 3- or 4-column rows (see the module docstring).
    tolerance : float, optional
        Wavelength tolerance in Angstrom for matching rows to registry lines
        (default 1.5).
    dust_corrected : bool, optional
        Whether the fluxes are already dereddened (default False).

    Returns
    -------
    LineCatalog
        One row; see :func:`read_line_lists` for the columns.

    Examples
    --------
    >>> cat = read_line_list("ngc1232_02.dat")  # doctest: +SKIP
    >>> cat.flux["HA6562"][0], cat.flux["HB4861"][0]  # doctest: +SKIP
    (286.0, 100.0)
    """
    return read_line_lists([path], tolerance=tolerance, dust_corrected=dust_corrected)
