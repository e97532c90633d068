"""Models: networks, training loop, scikit-learn-style estimator, model files."""

from nebuladapt.models.estimator import METHODS, NebulaClassifier
from nebuladapt.models.persistence import ModelFileError, load_model, save_model

__all__ = ["NebulaClassifier", "METHODS", "save_model", "load_model", "ModelFileError"]
