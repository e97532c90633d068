"""What ``nebuladapt fit`` and ``nebuladapt predict`` run for MAPS input.

* :func:`maps_target_catalog`: the target domain of ``fit --target MAPS.fits``:
  spaxels with Halpha S/N >= ``snr_min``, a seeded random subsample of at
  most ``max_spaxels`` of them, read and dust-corrected like a catalogue.
* :func:`predict_map_file`: ``predict MAPS.fits --out CLASSES.fits`` (and
  ``--regions MASK.fits``, ``--png``).
* :func:`predict_maps_directory`: ``predict DIR --out OUT_DIR`` for a directory
  of MAPS files (one per galaxy), locally or on a Dask cluster
  (``--scheduler``); each file is classified by the same function
  (:func:`predict_map_file`, single-threaded), so both give the same maps.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from nebuladapt.maps.classify import MapPrediction, classify_maps, halpha_snr
from nebuladapt.maps.options import DEFAULT_MAX_SPAXELS, DEFAULT_SNR_MIN
from nebuladapt.maps.read import MapsError, is_maps_file, open_maps

__all__ = [
    "DEFAULT_MAX_SPAXELS",
    "is_maps_input",
    "maps_files",
    "maps_target_catalog",
    "predict_map_file",
    "predict_maps_directory",
    "default_regions_out",
]



def maps_files(directory) -> list[Path]:
    """The MAPS files of a directory, sorted by name."""
    return sorted(p for p in Path(directory).iterdir() if is_maps_file(p))


def is_maps_input(path) -> bool:
    """True for a MAPS file, or a directory holding MAPS files."""
    path = Path(path)
    if path.is_dir():
        return bool(maps_files(path))
    return is_maps_file(path)


def maps_target_catalog(
    path, *, snr_min: float = DEFAULT_SNR_MIN, max_spaxels: int = DEFAULT_MAX_SPAXELS, seed: int = 0
):
    """The spaxels of a MAPS file used as the (unlabelled) target domain of ``fit``.

    Parameters
    ----------
    path : path-like
        MAPS file.
    snr_min : float
        Keep spaxels with Halpha S/N >= ``snr_min``.
    max_spaxels : int
        Keep at most this many (uniform random subsample, ``seed``).
    seed : int

    Returns
    -------
    LineCatalog
        Dust-corrected as :func:`nebuladapt.catalogs.read_catalog` does;
        ``meta`` records the map, the cut and the counts.

    Raises
    ------
    MapsError
        If no spaxel passes the cut.
    """
    from nebuladapt.catalogs import read_phangs_table
    from nebuladapt.dust import deredden_catalog
    from nebuladapt.maps.classify import DEFAULT_TILE_SPAXELS

    with open_maps(path) as maps:
        ny, nx = maps.shape
        step = max(1, DEFAULT_TILE_SPAXELS // nx)
        chosen = []
        for start in range(0, ny, step):
            snr = halpha_snr(maps, start, min(ny, start + step))
            with np.errstate(invalid="ignore"):
                chosen.append(start * nx + np.flatnonzero(snr >= snr_min))
        passing = np.concatenate(chosen)
        if len(passing) == 0:
            raise MapsError(f"{path}: no spaxel has Halpha S/N >= {snr_min:g}; lower --snr-min")
        rng = np.random.default_rng(seed)
        if len(passing) > max_spaxels:
            passing = np.sort(rng.choice(passing, size=max_spaxels, replace=False))
        table = maps.gather(passing)
    table["spaxel_y"], table["spaxel_x"] = np.divmod(passing, nx)
    catalog = read_phangs_table(table)
    catalog.meta.update(maps=str(path), snr_min=snr_min, n_target_spaxels=len(passing))
    return deredden_catalog(catalog)


def default_regions_out(out) -> Path:
    """``CLASSES.fits`` -> ``CLASSES_regions.fits`` (the region catalogue)."""
    out = Path(out)
    name = out.name[: -len(".fits")] if out.name.lower().endswith(".fits") else out.stem
    return out.with_name(f"{name}_regions.fits")


def predict_map_file(
    path,
    model,
    out,
    *,
    model_dir=None,
    regions=None,
    regions_out=None,
    snr_min: float = DEFAULT_SNR_MIN,
    png=None,
    overwrite: bool = False,
    workers: int = 2,
    progress: Callable[[int, int, str], None] | None = None,
) -> MapPrediction:
    """Classify one MAPS file; write ``CLASSES.fits`` (and the region catalogue, the PNG).

    Parameters
    ----------
    path : path-like
        MAPS file.
    model : NebulaClassifier
    out : path-like
        ``.fits`` output (see :mod:`nebuladapt.maps.write`).
    model_dir : path-like, optional
        Recorded in the provenance header.
    regions : path-like, optional
        Nebula mask: adds ``REGION_CLASS`` to ``out`` and writes the region catalogue.
    regions_out : path-like, optional
        Region catalogue (.fits, .csv or .parquet); default :func:`default_regions_out`.
    snr_min : float
    png : path-like, optional
        Quick-look picture (:func:`nebuladapt.maps.quicklook_png`).
    overwrite : bool
    workers : int
    progress : callable, optional

    Returns
    -------
    MapPrediction
        With ``regions`` (the classified region table, or None) set as an attribute.
    """
    from nebuladapt.maps.quicklook import quicklook_png
    from nebuladapt.maps.regions import classify_regions, paint_regions, read_region_mask
    from nebuladapt.maps.write import provenance_cards, write_classes
    from nebuladapt.output import output_format, write_table

    out = Path(out)
    targets = [out] + ([Path(png)] if png else [])
    if regions is not None:
        regions_out = Path(regions_out) if regions_out else default_regions_out(out)
        output_format(regions_out)
        targets.append(regions_out)
    for target in targets:
        if target.exists() and not overwrite:
            raise FileExistsError(f"{target}: exists; pass --overwrite to replace it")
    with open_maps(path) as maps:
        mask = read_region_mask(regions, maps) if regions is not None else None
        prediction = classify_maps(maps, model, snr_min=snr_min, workers=workers, progress=progress)
        table = painted = None
        if mask is not None:
            table = classify_regions(maps, mask, model)
            painted = paint_regions(mask, table)
        cards = provenance_cards(model, model_dir, source=path, snr_min=snr_min)
        write_classes(prediction, maps.wcs, out, provenance=cards, region_class=painted, overwrite=overwrite)
    if table is not None:
        table.meta.update({key: value for key, value, _ in cards})
        write_table(table, regions_out, overwrite=overwrite)
    if png:
        quicklook_png(out, png, title=Path(path).name)
    prediction.regions = table
    return prediction


def _classify_one(path: str, payload, out_dir: str, snr_min: float, overwrite: bool) -> dict:
    """Classify one MAPS file into ``out_dir`` (run locally or on a Dask worker)."""
    model = payload.load()
    out = Path(out_dir) / f"{Path(path).name.split('.')[0]}_classes.fits"
    prediction = predict_map_file(path, model, out, snr_min=snr_min, overwrite=overwrite, workers=1)
    return {"path": str(path), "out": str(out), **prediction.counts()}


def predict_maps_directory(
    directory,
    model_dir,
    out_dir,
    *,
    scheduler: str | None = None,
    snr_min: float = DEFAULT_SNR_MIN,
    overwrite: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[dict]:
    """Classify every MAPS file of ``directory`` into ``out_dir/<name>_classes.fits``.

    Parameters
    ----------
    directory : path-like
        Holds the MAPS files (one per galaxy).
    model_dir : path-like
        Model directory; it travels to Dask workers as bytes
        (:class:`nebuladapt.distributed.ModelPayload`).
    out_dir : path-like
        Output folder (created).
    scheduler : str, optional
        A Dask scheduler address or ``local``; None classifies here, file by file.
    snr_min : float
    overwrite : bool
    progress : callable, optional
        ``progress(done, total, "files")``.

    Returns
    -------
    list of dict
        Per file: ``path``, ``out`` and spaxels per class code name, in file order.
    """
    from nebuladapt.distributed import ModelPayload

    files = maps_files(directory)
    if not files:
        raise MapsError(f"{directory}: no MAPS file (FITS with <LINE>_FLUX image extensions) in it")
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise FileExistsError(f"{out_dir}: exists and is not a directory")
    out_dir.mkdir(parents=True, exist_ok=True)
    if not overwrite:
        for path in files:
            target = out_dir / f"{path.name.split('.')[0]}_classes.fits"
            if target.exists():
                raise FileExistsError(f"{target}: exists; pass --overwrite to replace it")
    payload = ModelPayload.from_dir(model_dir)
    args = [(str(p), payload, str(out_dir), float(snr_min), overwrite) for p in files]
    results: list[dict] = []
    if scheduler is None:
        from nebuladapt.models.inference import compute_threads

        with compute_threads(1):
            for i, arg in enumerate(args):
                results.append(_classify_one(*arg))
                if progress is not None:
                    progress(i + 1, len(args), "files")
        return results
    from distributed import as_completed

    from nebuladapt.distributed import connect

    client, cluster = connect(scheduler)
    try:
        futures = [client.submit(_classify_one, *arg, pure=False) for arg in args]
        done = 0
        for _ in as_completed(futures):
            done += 1
            if progress is not None:
                progress(done, len(args), "files")
        results = [future.result() for future in futures]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return results
