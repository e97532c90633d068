"""Emission-line maps: classify an IFU galaxy spaxel by spaxel and nebula by nebula.

``read`` (MAPS files through memory maps) -> ``classify`` (tile by tile, the
catalogue path per tile) -> ``write`` (``CLASSES.fits``); ``regions`` (region
photometry from a nebula mask, class painted by region); ``quicklook`` (WCSAxes
PNG); ``run`` (what the command line runs, incl. Dask over a directory);
``synthetic`` (SYNTHETIC MAPS files with mask and truth, tests and benchmarks).
"""

from importlib import import_module

#: public name -> module of this package (imported on first use, so the CLI starts fast)
_EXPORTS = {
    "CLASS_CODES": "classify",
    "FLAG_BITS": "classify",
    "UNCLASSIFIED_CODE": "classify",
    "MapPrediction": "classify",
    "classify_maps": "classify",
    "DEFAULT_SNR_MIN": "options",
    "DEFAULT_MAX_SPAXELS": "options",
    "quicklook_png": "quicklook",
    "LineMaps": "read",
    "MapsError": "read",
    "is_maps_file": "read",
    "open_maps": "read",
    "classify_regions": "regions",
    "paint_regions": "regions",
    "region_photometry": "regions",
    "is_maps_input": "run",
    "maps_target_catalog": "run",
    "predict_map_file": "run",
    "predict_maps_directory": "run",
    "write_classes": "write",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(import_module(f"nebuladapt.maps.{_EXPORTS[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_EXPORTS))
