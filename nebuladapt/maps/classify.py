"""Classify a MAPS file spaxel by spaxel, one block of rows (tile) at a time.

Each tile goes through the catalogue path unchanged: the tile's line maps
become a table (one row per spaxel, :meth:`LineMaps.tile`), read by
:func:`nebuladapt.catalogs.read_phangs_table`, dust-corrected by
:func:`nebuladapt.dust.deredden_catalog` (Balmer decrement, observed
``_FLUX`` maps only) and classified by
:func:`nebuladapt.predict.predict_catalog`. The per-row flag strings of the
catalogue path become a bit mask (:data:`FLAG_BITS`), one bit per kind of flag.

Spaxels whose Halpha S/N is below ``snr_min`` (default :data:`DEFAULT_SNR_MIN`)
are not sent to the network: they are unclassified (code
:data:`UNCLASSIFIED_CODE`) with the ``BELOW_SNR_MIN`` bit. Every spaxel of
the input has a value in every output map.

Tiles are classified two at a time in threads (NumPy, PyTorch and FITS
memory-map reads release the GIL) with a single-threaded network, so the
result does not depend on the tile size or the number of workers
(:data:`nebuladapt.predict.FORWARD_BATCH`).
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from nebuladapt import CLASSES
from nebuladapt.catalogs import read_phangs_table
from nebuladapt.dust import deredden_catalog, thread_default_law
from nebuladapt.maps.options import DEFAULT_SNR_MIN
from nebuladapt.maps.read import LineMaps, MapsError, lines_needed
from nebuladapt.predict import PredictionSummary, predict_catalog
from nebuladapt.models.inference import AMBIGUOUS_BELOW, compute_threads

__all__ = [
    "DEFAULT_SNR_MIN",
    "DEFAULT_TILE_SPAXELS",
    "UNCLASSIFIED_CODE",
    "CLASS_CODES",
    "FLAG_BITS",
    "MapPrediction",
    "classify_maps",
    "halpha_snr",
    "flag_bits",
]

#: Spaxels per tile (rows are grouped so that a tile holds about this many).
DEFAULT_TILE_SPAXELS = 1 << 18
#: CLASS value of an unclassified spaxel; class ``k`` of :data:`nebuladapt.CLASSES` is ``k + 1``.
UNCLASSIFIED_CODE = 0
#: CLASS code -> name.
CLASS_CODES = {UNCLASSIFIED_CODE: "unclassified", **{k + 1: c for k, c in enumerate(CLASSES)}}
#: FLAG bit -> (name, flag kind of :mod:`nebuladapt.predict` it collects, meaning).
FLAG_BITS = {
    0: ("MISSING", "missing", "a line the model needs is missing (NaN/inf)"),
    1: ("NONPOS", "nonpositive", "a needed line has zero or negative flux"),
    2: ("BAD_ERR", "bad_err", "a needed line has a zero, negative or infinite error"),
    3: ("LOW_SNR", "low_snr", "a needed line has S/N < 3 (still classified)"),
    4: ("CASEB", "caseB", "a Balmer line was inferred from case B"),
    5: ("DOUBLET", "doublet", "a strong line was inferred from its weak doublet partner"),
    6: ("UPPER", "upper_limit", "a line is only an upper limit"),
    7: ("OFF_GRID", "off_grid", "classified, but far from every class's model grid"),
    8: ("NO_RATIO", "unclassified", "unclassified: no usable line ratio"),
    9: ("BELOW_SNR_MIN", None, "unclassified: Halpha S/N below the map's snr_min"),
    10: ("OTHER", None, "another flag of the catalogue path (see the region catalogue)"),
    11: ("OIII_ONLY", "oiii_only", "classified from [OIII] ratios alone (no [NII], [SII] or [OI]): doubtful"),
    12: ("AMBIGUOUS", "ambiguous", f"classified, highest probability below {AMBIGUOUS_BELOW}: may change with the seed"),
    13: ("NII_ONLY", "nii_only", "classified from [NII]/Halpha alone (no [OIII], [SII] or [OI]): doubtful"),
}
_KIND_BIT = {kind: bit for bit, (_, kind, _) in FLAG_BITS.items() if kind}
_BELOW = 1 << 9
_OTHER = 1 << 10


def flag_bits(flag_strings) -> np.ndarray:
    """Bit mask (int32) of each ``;``-separated flag string of the catalogue path."""
    out = np.zeros(len(flag_strings), dtype=np.int32)
    for i, text in enumerate(flag_strings):
        for reason in str(text).split(";"):
            if reason:
                bit = _KIND_BIT.get(reason.split(":")[0])
                out[i] |= (1 << bit) if bit is not None else _OTHER
    return out


@dataclass
class MapPrediction:
    """Spaxel classes of a map.

    Attributes
    ----------
    class_code : ndarray of int16, shape (ny, nx)
        :data:`CLASS_CODES`.
    proba : ndarray of float32, shape (len(CLASSES), ny, nx)
        Probabilities in :data:`nebuladapt.CLASSES` order; NaN where unclassified.
    flag : ndarray of int32, shape (ny, nx)
        :data:`FLAG_BITS`.
    summary : PredictionSummary
        Counts over the spaxels that went to the network.
    snr_min : float
    """

    class_code: np.ndarray
    proba: np.ndarray
    flag: np.ndarray
    summary: PredictionSummary = field(default_factory=PredictionSummary)
    snr_min: float = DEFAULT_SNR_MIN

    @property
    def n_spaxels(self) -> int:
        return int(self.class_code.size)

    def counts(self) -> dict[str, int]:
        """Spaxels per CLASS code name."""
        values = np.bincount(self.class_code.reshape(-1), minlength=len(CLASS_CODES))
        return {CLASS_CODES[k]: int(v) for k, v in enumerate(values)}


def _halpha_columns(maps: LineMaps, corrected: bool) -> tuple[str | None, str | None]:
    flux = err = None
    for name, line in maps.columns.items():
        if line != "HA6562":
            continue
        upper = name.upper()
        if upper.endswith("_FLUX_CORR" if corrected else "_FLUX"):
            flux = name
        elif upper.endswith("_FLUX_CORR_ERR" if corrected else "_FLUX_ERR"):
            err = name
    return flux, err


def halpha_snr(maps: LineMaps, start: int, stop: int) -> np.ndarray:
    """Halpha S/N of the spaxels of rows ``start:stop`` (flat; NaN where unknown).

    Raises
    ------
    MapsError
        If the map has no Halpha flux and error (needed for an S/N cut).
    """
    for corrected in (False, True):
        flux, err = _halpha_columns(maps, corrected)
        if flux and err:
            f = maps.read(flux, start, stop).astype(np.float64).reshape(-1)
            e = maps.read(err, start, stop).astype(np.float64).reshape(-1)
            with np.errstate(divide="ignore", invalid="ignore"):
                snr = f / e
            snr[~(np.isfinite(snr) & (e > 0))] = np.nan
            return snr
    raise MapsError(
        f"{maps.path}: an Halpha S/N cut needs HA6562_FLUX and HA6562_FLUX_ERR maps; "
        "add them or pass --snr-min 0"
    )


def _tile_rows(shape, tile_spaxels: int) -> int:
    return max(1, min(shape[0], tile_spaxels // max(1, shape[1])))


def _classify_tile(maps: LineMaps, model, names, start: int, stop: int, snr_min: float):
    width = maps.shape[1]
    n = (stop - start) * width
    code = np.full(n, UNCLASSIFIED_CODE, dtype=np.int16)
    proba = np.full((len(CLASSES), n), np.nan, dtype=np.float32)
    flag = np.zeros(n, dtype=np.int32)
    if snr_min > 0:
        snr = halpha_snr(maps, start, stop)
        with np.errstate(invalid="ignore"):
            keep = np.flatnonzero(snr >= snr_min)
        flag[:] = _BELOW
        flag[keep] = 0
    else:
        keep = None
    if keep is not None and len(keep) == 0:
        return start, code, proba, flag, None
    catalog = read_phangs_table(maps.tile(start, stop, names, rows=keep), allow_empty=True)
    predictions = predict_catalog(deredden_catalog(catalog, law=thread_default_law()), model)
    rows = slice(None) if keep is None else keep
    code[rows] = (predictions.class_index + 1).astype(np.int16)
    proba[:, rows] = predictions.proba.T.astype(np.float32)
    flag[rows] = flag_bits(predictions.flag_strings)[predictions.flag_index]
    return start, code, proba, flag, predictions


def classify_maps(
    maps: LineMaps,
    model,
    *,
    snr_min: float = DEFAULT_SNR_MIN,
    tile_spaxels: int = DEFAULT_TILE_SPAXELS,
    workers: int = 2,
    progress: Callable[[int, int, str], None] | None = None,
) -> MapPrediction:
    """Classify every spaxel of an open MAPS file.

    Parameters
    ----------
    maps : LineMaps
        From :func:`nebuladapt.maps.open_maps`.
    model : NebulaClassifier
    snr_min : float
        Halpha S/N below which a spaxel is left unclassified (``BELOW_SNR_MIN``);
        0 classifies every spaxel with a usable ratio.
    tile_spaxels : int
        About this many spaxels are read and classified at once.
    workers : int
        Tiles classified at the same time (threads).
    progress : callable, optional
        ``progress(done, total, "rows")`` in spaxels.

    Returns
    -------
    MapPrediction
    """
    from nebuladapt.catalogs.usage import check_catalog_lines

    ny, nx = maps.shape
    names = maps.select(lines_needed(model))
    check_catalog_lines(model, read_phangs_table(maps.tile(0, 1, names), allow_empty=True))
    out = MapPrediction(
        np.empty((ny, nx), dtype=np.int16), np.empty((len(CLASSES), ny, nx), dtype=np.float32),
        np.empty((ny, nx), dtype=np.int32), snr_min=snr_min,
    )
    step = _tile_rows(maps.shape, tile_spaxels)
    done = 0

    def store(result) -> None:
        nonlocal done
        start, code, proba, flag, predictions = result
        rows = len(code) // nx
        out.class_code[start : start + rows] = code.reshape(rows, nx)
        out.proba[:, start : start + rows] = proba.reshape(len(CLASSES), rows, nx)
        out.flag[start : start + rows] = flag.reshape(rows, nx)
        if predictions is not None:
            out.summary.add(predictions)
        done += len(code)
        if progress is not None:
            progress(done, ny * nx, "rows")

    with compute_threads(1), ThreadPoolExecutor(max(1, workers)) as pool:
        pending: deque = deque()
        for start in range(0, ny, step):
            stop = min(ny, start + step)
            pending.append(pool.submit(_classify_tile, maps, model, names, start, stop, snr_min))
            while len(pending) > max(1, workers):
                store(pending.popleft().result())
        while pending:
            store(pending.popleft().result())
    return out
