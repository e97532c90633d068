"""Defaults of the map options of ``nebuladapt fit`` / ``predict`` (light: no heavy imports)."""

__all__ = ["DEFAULT_SNR_MIN", "DEFAULT_MAX_SPAXELS"]

#: Halpha S/N below which a spaxel is not classified (``predict``) and not used
#: as target (``fit``). PHANGS-MUSE and Bracci et al. (2025) work at S/N >~ 5.
DEFAULT_SNR_MIN = 5.0
#: Largest number of spaxels used as the target domain of ``fit`` (seeded subsample).
DEFAULT_MAX_SPAXELS = 20_000
