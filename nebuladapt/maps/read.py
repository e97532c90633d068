"""Read emission-line MAPS files (one FITS image extension per line quantity).

A MAPS file, as PHANGS-MUSE releases one per galaxy, holds image extensions
named ``<LINE>_FLUX``, ``<LINE>_FLUX_ERR`` and optionally ``<LINE>_FLUX_CORR``,
``<LINE>_FLUX_CORR_ERR`` (dust-corrected), with ``<LINE>`` any alias of
:mod:`nebuladapt.lines` (``HA6562``, ``Halpha``, ``OIII5007`` ...). Other
extensions (velocities, dispersions, a PHANGS ``*_VEL`` ...) are ignored.
Every line extension must have the same 2-D shape and the same celestial WCS.

The file is never read whole: :meth:`LineMaps.tile` reads one block of rows
at a time through :attr:`astropy.io.fits.ImageHDU.section` (a lazy view that
reads only the requested rows from disk; unlike a memory map, whose touched
pages stay resident and count towards the process's memory until it exits,
the rows read are freed with each tile) and returns them as an
:class:`astropy.table.Table` with one row per spaxel and one column per
extension, which is exactly what the catalogue reader
:func:`nebuladapt.catalogs.read_phangs_table` understands. So maps and
catalogues share one column convention, one choice between observed and
dust-corrected fluxes, and one unit check.
"""

from __future__ import annotations

import os
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from astropy import units as u
from astropy.io import fits
from astropy.table import Table

from nebuladapt.catalogs import CatalogError
from nebuladapt.lines import DOUBLET_RATIOS, SUMMED_LINES, canonical_line_name

if TYPE_CHECKING:  # astropy.wcs (and astropy.coordinates) load only when a MAPS file is read
    from astropy.wcs import WCS

__all__ = ["MAP_SUFFIXES", "LineMaps", "MapsError", "is_maps_file", "open_maps", "lines_needed"]

#: Extension-name suffixes of line quantities (longest first), as in PHANGS-MUSE MAPS.
MAP_SUFFIXES = ("_FLUX_CORR_ERR", "_FLUX_CORR", "_FLUX_ERR", "_FLUX")
_FITS_SUFFIXES = (".fits", ".fit", ".fts", ".fits.gz", ".fit.gz")


class MapsError(CatalogError):
    """A MAPS file (or region mask) that cannot be read or does not fit."""


def _line_of(extname: str) -> str | None:
    """Canonical line of a ``<LINE>_FLUX...`` extension name, else None."""
    upper = extname.upper()
    for suffix in MAP_SUFFIXES:
        if upper.endswith(suffix) and len(upper) > len(suffix):
            return canonical_line_name(extname[: -len(suffix)])
    return None


def _has_fits_suffix(path: Path) -> bool:
    return path.name.lower().endswith(_FITS_SUFFIXES)


def is_maps_file(path: str | os.PathLike) -> bool:
    """True for a FITS file with at least one 2-D image extension named ``<LINE>_FLUX``.

    A FITS *table* (a catalogue) is not a MAPS file. Never raises: an
    unreadable file is "not a MAPS file" (the catalogue reader then reports it).
    """
    path = Path(path)
    if not path.is_file() or not _has_fits_suffix(path):
        return False
    try:
        with fits.open(path, memmap=True) as hdul:
            for hdu in hdul:
                if hdu.is_image and hdu.header.get("NAXIS") == 2:
                    name = str(hdu.name)
                    if name.upper().endswith("_FLUX") and _line_of(name):
                        return True
    except Exception:  # noqa: BLE001 - any unreadable file is simply not a map
        return False
    return False


def _celestial_wcs(header: fits.Header) -> WCS:
    from astropy.wcs import WCS, FITSFixedWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FITSFixedWarning)
        return WCS(header, naxis=2)


def _same_wcs(a: WCS, b: WCS) -> bool:
    return bool(a.wcs.compare(b.wcs, tolerance=1e-10))


def _unit(header: fits.Header):
    bunit = header.get("BUNIT")
    if not bunit:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        unit = u.Unit(str(bunit).replace("**", "^"), format="generic", parse_strict="silent")
    return None if isinstance(unit, u.UnrecognizedUnit) else unit


@dataclass
class LineMaps:
    """An open MAPS file: line extensions as memory maps, one shape, one WCS.

    Attributes
    ----------
    path : Path
    shape : tuple of int
        ``(ny, nx)``.
    wcs : astropy.wcs.WCS
        The celestial WCS shared by every line extension.
    columns : dict of str to str
        Extension name -> canonical line (every recognised line extension).
    units : dict of str to astropy unit or None
        Extension name -> ``BUNIT`` (None if absent or not understood).
    """

    path: Path
    shape: tuple[int, int]
    wcs: WCS
    columns: dict[str, str]
    units: dict[str, object]
    _hdul: fits.HDUList = field(repr=False, default=None)
    _lock: threading.Lock = field(repr=False, default_factory=threading.Lock)

    @property
    def n_spaxels(self) -> int:
        return int(self.shape[0] * self.shape[1])

    @property
    def lines(self) -> list[str]:
        """Canonical lines with a map, in file order."""
        return list(dict.fromkeys(self.columns.values()))

    def data(self, extname: str):
        """One extension's image, read lazily: slice it (``data(name)[a:b]``) to read rows.

        An :attr:`astropy.io.fits.ImageHDU.section`: only the rows asked for are
        read from the file, into memory that is freed with the slice.
        """
        return self._hdul[extname].section

    def read(self, extname: str, start: int, stop: int) -> np.ndarray:
        """Rows ``start:stop`` of one extension (thread-safe: one file handle, one reader at a time)."""
        with self._lock:
            return np.asarray(self._hdul[extname].section[start:stop])

    def select(self, lines) -> list[str]:
        """Extension names of the given canonical lines (all when ``lines`` is None)."""
        return [name for name, line in self.columns.items() if lines is None or line in lines]

    def tile(self, start: int, stop: int, names=None, rows: np.ndarray | None = None) -> Table:
        """Rows ``start:stop`` of the map as a table, one row per spaxel (row-major).

        Parameters
        ----------
        start, stop : int
            Image rows (y) to read.
        names : list of str, optional
            Extensions to read; default all line extensions.
        rows : ndarray of int, optional
            Flat indices (within the tile) of the spaxels to keep; default all.
        """
        names = list(self.columns) if names is None else names
        table = Table(meta={"source": str(self.path)})
        for name in names:
            values = self.read(name, start, stop).reshape(-1)
            if rows is not None:
                values = values[rows]
            table[name] = values
            unit = self.units.get(name)
            if unit is not None:
                table[name].unit = unit
        return table

    def gather(self, flat_index: np.ndarray, names=None, tile_rows: int = 256) -> Table:
        """The spaxels at sorted flat (row-major) indices as a table (read tile by tile)."""
        from astropy.table import vstack

        names = list(self.columns) if names is None else names
        flat_index = np.asarray(flat_index, dtype=np.int64)
        ny, nx = self.shape
        parts = []
        for start in range(0, ny, tile_rows):
            stop = min(ny, start + tile_rows)
            lo, hi = np.searchsorted(flat_index, [start * nx, stop * nx])
            if hi > lo:
                parts.append(self.tile(start, stop, names, rows=flat_index[lo:hi] - start * nx))
        if not parts:
            return self.tile(0, 0, names)
        return vstack(parts, metadata_conflicts="silent") if len(parts) > 1 else parts[0]

    def close(self) -> None:
        if self._hdul is not None:
            self._hdul.close()

    def __enter__(self) -> "LineMaps":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_maps(path: str | os.PathLike) -> LineMaps:
    """Open a MAPS file (headers only; images are read by row blocks) and check it.

    Raises
    ------
    MapsError
        No line extension, extensions of different shapes or WCS, or an
        unreadable file (one line naming the file and the fix).
    """
    path = Path(path)
    if not path.is_file():
        raise MapsError(f"{path}: no such file")
    try:
        hdul = fits.open(path, memmap=False, lazy_load_hdus=True)
    except Exception as exc:  # noqa: BLE001
        raise MapsError(f"{path}: not a readable FITS file ({' '.join(str(exc).split())[:120]})") from None
    try:
        columns: dict[str, str] = {}
        units: dict[str, object] = {}
        shape = wcs = first = None
        for hdu in hdul:
            line = _line_of(str(hdu.name)) if hdu.is_image else None
            if line is None or hdu.header.get("NAXIS", 0) == 0:
                continue
            name = str(hdu.name)
            hdu_shape = tuple(int(hdu.header[f"NAXIS{k}"]) for k in (2, 1))
            if hdu.header["NAXIS"] != 2:
                raise MapsError(f"{path}: extension {name} is {hdu.header['NAXIS']}-D; line maps are 2-D images")
            hdu_wcs = _celestial_wcs(hdu.header)
            if shape is None:
                shape, wcs, first = hdu_shape, hdu_wcs, name
            elif hdu_shape != shape:
                raise MapsError(f"{path}: extension {name} has shape {hdu_shape}, {first} has {shape}; all line maps must share one shape")
            elif not _same_wcs(hdu_wcs, wcs):
                raise MapsError(f"{path}: extension {name} has a different WCS from {first}; all line maps must share one WCS")
            columns[name] = line
            units[name] = _unit(hdu.header)
        if not columns:
            raise MapsError(
                f"{path}: no line map found; name image extensions <LINE>_FLUX (e.g. HA6562_FLUX, "
                "OIII5006_FLUX) and optionally <LINE>_FLUX_ERR"
            )
        if len({str(unit) for unit in units.values()}) > 1 and any(v is None for v in units.values()):
            units = dict.fromkeys(units)  # mixed or missing BUNIT: compare ratios unit-free
    except BaseException:
        hdul.close()
        raise
    return LineMaps(path, shape, wcs, columns, units, hdul)


def lines_needed(model) -> set[str]:
    """Canonical lines a model's prediction reads (Balmer lines, doublet parts and partners)."""
    lines = set(model.lines_) | {"HA6562", "HB4861"}
    for line in list(lines):
        lines |= set(SUMMED_LINES.get(line, ()))
    lines |= {weak for (strong, weak) in DOUBLET_RATIOS if strong in lines}
    return lines
