"""Models: networks, adaptation losses, training loop, scikit-learn-style estimator, model files.

Attributes are imported on first use, so that ``nebuladapt.models.params``
can be read without loading PyTorch.
"""

from importlib import import_module

__all__ = ["NebulaClassifier", "METHODS", "save_model", "load_model", "ModelFileError"]

_HOMES = {
    "NebulaClassifier": "nebuladapt.models.estimator",
    "METHODS": "nebuladapt.models.params",
    "save_model": "nebuladapt.models.persistence",
    "load_model": "nebuladapt.models.persistence",
    "ModelFileError": "nebuladapt.models.persistence",
}


def __getattr__(name: str):
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_HOMES))
