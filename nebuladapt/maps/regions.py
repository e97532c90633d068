"""Region photometry from a nebula mask, and region classes painted back on the map.

A PHANGS-style nebula mask is an integer image of region IDs (background -1
or NaN) on the pixel grid of the MAPS file. :func:`region_photometry` sums
each region's line fluxes (errors in quadrature: spaxels taken as
independent) with :func:`numpy.bincount` over the memory-mapped maps, tile by
tile. Spaxels with a non-finite flux are left out of that line's sum; a line
with no finite spaxel in a region is NaN there.

The result is a PHANGS-style catalogue (``region_ID``, ``n_spaxels``,
``<LINE>_FLUX``, ``<LINE>_FLUX_ERR`` ... named like the map extensions) that
the catalogue path reads, dust-corrects and classifies like any other
(:func:`classify_regions`); :func:`paint_regions` turns the per-region classes
back into an image.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
from astropy.io import fits
from astropy.table import Table
from astropy.wcs import WCS, FITSFixedWarning

from nebuladapt import CLASSES
from nebuladapt.maps.classify import DEFAULT_TILE_SPAXELS, UNCLASSIFIED_CODE
from nebuladapt.maps.read import LineMaps, MapsError

__all__ = ["read_region_mask", "region_ids", "region_photometry", "classify_regions", "paint_regions"]


def read_region_mask(path: str | os.PathLike, maps: LineMaps) -> np.ndarray:
    """The region mask (memory-mapped 2-D image) checked against the maps.

    The first HDU holding a 2-D image is used (PHANGS: the primary HDU).

    Raises
    ------
    MapsError
        Unreadable file, no 2-D image, non-integer IDs, a shape or WCS that
        differs from the maps'.
    """
    path = Path(path)
    if not path.is_file():
        raise MapsError(f"{path}: no such region mask file")
    try:
        hdul = fits.open(path, memmap=True)
    except Exception as exc:  # noqa: BLE001
        raise MapsError(f"{path}: not a readable FITS file ({' '.join(str(exc).split())[:120]})") from None
    hdu = next((h for h in hdul if h.is_image and h.header.get("NAXIS") == 2), None)
    if hdu is None:
        raise MapsError(f"{path}: no 2-D image; a region mask is an image of integer region IDs")
    shape = (int(hdu.header["NAXIS2"]), int(hdu.header["NAXIS1"]))
    if shape != tuple(maps.shape):
        raise MapsError(f"{path}: mask shape {shape} differs from the maps' {tuple(maps.shape)}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FITSFixedWarning)
        wcs = WCS(hdu.header, naxis=2)
    if wcs.has_celestial and maps.wcs.has_celestial and not wcs.wcs.compare(maps.wcs.wcs, tolerance=1e-8):
        raise MapsError(f"{path}: mask WCS differs from the maps' WCS; reproject the mask onto the maps")
    data = hdu.data
    if data.dtype.kind == "f":
        sample = np.asarray(data[: max(1, min(shape[0], 64))])
        finite = sample[np.isfinite(sample)]
        if finite.size and not np.all(finite == np.round(finite)):
            raise MapsError(f"{path}: region IDs must be integers (background -1 or NaN)")
    elif data.dtype.kind not in "iu":
        raise MapsError(f"{path}: region IDs must be integers, got {data.dtype}")
    return data


def _as_ids(block: np.ndarray) -> np.ndarray:
    """Integer IDs of a mask block, -1 for background (negative or NaN)."""
    if block.dtype.kind == "f":
        ids = np.where(np.isfinite(block), block, -1).astype(np.int64)
    else:
        ids = block.astype(np.int64)
    ids[ids < 0] = -1
    return ids


def _row_blocks(shape, tile_spaxels: int):
    step = max(1, tile_spaxels // max(1, shape[1]))
    for start in range(0, shape[0], step):
        yield start, min(shape[0], start + step)


def region_ids(mask: np.ndarray, tile_spaxels: int = DEFAULT_TILE_SPAXELS) -> np.ndarray:
    """Sorted distinct region IDs (background excluded)."""
    found = [np.unique(_as_ids(np.asarray(mask[a:b]))) for a, b in _row_blocks(mask.shape, tile_spaxels)]
    ids = np.unique(np.concatenate(found)) if found else np.zeros(0, np.int64)
    return ids[ids >= 0]


def _err_name(maps: LineMaps, flux_name: str) -> str | None:
    want = flux_name.upper() + "_ERR"
    return next((n for n in maps.columns if n.upper() == want), None)


def region_photometry(maps: LineMaps, mask: np.ndarray, tile_spaxels: int = DEFAULT_TILE_SPAXELS) -> Table:
    """Sum each region's line fluxes (errors in quadrature) over the mask.

    Returns
    -------
    astropy.table.Table
        ``region_ID``, ``n_spaxels``, then for every flux extension of the
        maps a column of the same name (sum) and, where the maps have one,
        its ``_ERR`` column (quadrature sum over the spaxels with a finite flux).
    """
    ids = region_ids(mask, tile_spaxels)
    n = len(ids)
    flux_names = [name for name in maps.columns if not name.upper().endswith("_ERR")]
    sums = {name: np.zeros(n) for name in flux_names}
    good = {name: np.zeros(n) for name in flux_names}
    errs = {name: np.zeros(n) for name in flux_names if _err_name(maps, name)}
    count = np.zeros(n, dtype=np.int64)
    for a, b in _row_blocks(maps.shape, tile_spaxels):
        block = _as_ids(np.asarray(mask[a:b])).reshape(-1)
        inside = np.flatnonzero(block >= 0)
        if not len(inside):
            continue
        index = np.searchsorted(ids, block[inside])
        count += np.bincount(index, minlength=n)
        for name in flux_names:
            values = maps.read(name, a, b).astype(np.float64).reshape(-1)[inside]
            ok = np.isfinite(values)
            sums[name] += np.bincount(index[ok], weights=values[ok], minlength=n)
            good[name] += np.bincount(index[ok], minlength=n)
            if name in errs:
                err = maps.read(_err_name(maps, name), a, b).astype(np.float64).reshape(-1)[inside]
                ok_err = ok & np.isfinite(err)
                errs[name] += np.bincount(index[ok_err], weights=err[ok_err] ** 2, minlength=n)
    table = Table({"region_ID": ids, "n_spaxels": count}, meta={"source": f"{maps.path} (regions)"})
    for name in flux_names:
        table[name] = np.where(good[name] > 0, sums[name], np.nan)
        if maps.units.get(name) is not None:
            table[name].unit = maps.units[name]
        if name in errs:
            err_name = _err_name(maps, name)
            table[err_name] = np.where(good[name] > 0, np.sqrt(errs[name]), np.nan)
            if maps.units.get(err_name) is not None:
                table[err_name].unit = maps.units[err_name]
    return table


def classify_regions(maps: LineMaps, mask: np.ndarray, model, tile_spaxels: int = DEFAULT_TILE_SPAXELS) -> Table:
    """Region photometry, dust correction and classification of every region.

    Returns
    -------
    astropy.table.Table
        :func:`region_photometry`'s table with the prediction columns
        (``pred_class``, ``prob_HII``, ``prob_PN``, ``prob_SNR``, ``flag``).
    """
    from nebuladapt.catalogs import read_phangs_table
    from nebuladapt.dust import deredden_catalog
    from nebuladapt.predict import classify_catalog

    table = region_photometry(maps, mask, tile_spaxels)
    if len(table) == 0:
        raise MapsError(f"{maps.path}: the region mask holds no region (every spaxel is background)")
    catalog = deredden_catalog(read_phangs_table(table))
    return classify_catalog(catalog, model)


def paint_regions(mask: np.ndarray, regions: Table, tile_spaxels: int = DEFAULT_TILE_SPAXELS) -> np.ndarray:
    """Image of class codes: each region's ``pred_class`` over its spaxels (int16).

    Codes as the ``CLASS`` map: 0 unclassified (and outside regions), ``k + 1``
    for ``CLASSES[k]``.
    """
    ids = np.asarray(regions["region_ID"], dtype=np.int64)
    order = np.argsort(ids)
    ids = ids[order]
    names = np.asarray(regions["pred_class"]).astype(str)[order]
    codes = np.full(len(ids) + 1, UNCLASSIFIED_CODE, dtype=np.int16)
    for k, cls in enumerate(CLASSES):
        codes[:-1][names == cls] = k + 1
    out = np.full(mask.shape, UNCLASSIFIED_CODE, dtype=np.int16)
    for a, b in _row_blocks(mask.shape, tile_spaxels):
        block = _as_ids(np.asarray(mask[a:b]))
        index = np.searchsorted(ids, block).clip(max=len(ids))
        found = (index < len(ids)) & (block >= 0)
        found[found] &= ids[index[found]] == block[found]
        out[a:b] = np.where(found, codes[np.where(found, index, len(ids))], UNCLASSIFIED_CODE)
    return out
