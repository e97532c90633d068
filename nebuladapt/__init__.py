"""nebuladapt: classify ionised nebulae (HII regions, planetary nebulae, supernova
remnants) from emission-line ratios with networks trained on photoionisation and
shock model grids and adapted to the observed catalogue (DANN, Belfiore et al.
2025, A&A 694, A212).

The front door::

    import nebuladapt as na

    cat = na.read_catalog("my_nebulae.fits")   # LineCatalog (dust-corrected)
    model = na.fit(cat)                        # NebulaClassifier, adapted to cat
    table = na.classify(cat, model)            # astropy Table + pred_class, prob_*, flag
    na.save_model(model, "my_model")
    model = na.load_model("my_model")

Names are imported on first use, so ``import nebuladapt`` does not load
PyTorch, scikit-learn or astropy.
"""

from importlib import import_module

__version__ = "0.1.0"

CLASSES = ("HII", "PN", "SNR")

#: public name -> (module, attribute)
_EXPORTS = {
    "read_catalog": ("nebuladapt.catalogs", "read_catalog"),
    "fit": ("nebuladapt.models.fitting", "fit_on_catalog"),
    "classify": ("nebuladapt.predict", "classify_catalog"),
    "save_model": ("nebuladapt.models.persistence", "save_model"),
    "load_model": ("nebuladapt.models.persistence", "load_model"),
    "NebulaClassifier": ("nebuladapt.models.estimator", "NebulaClassifier"),
}

__all__ = ["__version__", "CLASSES", *_EXPORTS]


def __getattr__(name: str):
    if name in _EXPORTS:
        module, attribute = _EXPORTS[name]
        value = getattr(import_module(module), attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_EXPORTS))
