"""nebuladapt: classify ionised nebulae (HII regions, planetary nebulae, supernova
remnants) from emission-line ratios with networks trained on photoionisation and
shock model grids and adapted to the observed catalogue (DANN, Belfiore et al.
2025, A&A 694, A212)."""

__version__ = "0.1.0"

CLASSES = ("HII", "PN", "SNR")
