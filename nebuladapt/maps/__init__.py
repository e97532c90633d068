"""Emission-line maps: classify an IFU galaxy spaxel by spaxel and nebula by nebula.

``read`` (MAPS files through memory maps) -> ``classify`` (tile by tile, the
catalogue path per tile) -> ``write`` (``CLASSES.fits``); ``regions`` (region
photometry from a nebula mask, class painted by region); ``quicklook`` (WCSAxes
PNG); ``run`` (what the command line runs, incl. Dask over a directory);
``synthetic`` (SYNTHETIC MAPS files with mask and truth, tests and benchmarks).
"""

from nebuladapt.maps.classify import (
    CLASS_CODES,
    DEFAULT_SNR_MIN,
    FLAG_BITS,
    UNCLASSIFIED_CODE,
    MapPrediction,
    classify_maps,
)
from nebuladapt.maps.quicklook import quicklook_png
from nebuladapt.maps.read import LineMaps, MapsError, is_maps_file, open_maps
from nebuladapt.maps.regions import classify_regions, paint_regions, region_photometry
from nebuladapt.maps.run import (
    is_maps_input,
    maps_target_catalog,
    predict_map_file,
    predict_maps_directory,
)
from nebuladapt.maps.write import write_classes

__all__ = [
    "CLASS_CODES",
    "DEFAULT_SNR_MIN",
    "FLAG_BITS",
    "UNCLASSIFIED_CODE",
    "LineMaps",
    "MapPrediction",
    "MapsError",
    "classify_maps",
    "classify_regions",
    "is_maps_file",
    "is_maps_input",
    "maps_target_catalog",
    "open_maps",
    "paint_regions",
    "predict_map_file",
    "predict_maps_directory",
    "quicklook_png",
    "region_photometry",
    "write_classes",
]
