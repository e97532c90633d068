"""The learned state of a fitted :class:`~nebuladapt.models.estimator.NebulaClassifier`.

What :meth:`~nebuladapt.models.estimator.NebulaClassifier.get_state` returns and
:meth:`~nebuladapt.models.estimator.NebulaClassifier.set_state` takes; model files
(:mod:`nebuladapt.models.persistence`) store it as safetensors + JSON.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ModelState"]


@dataclass
class ModelState:
    """A fitted classifier's learned state: tensors, and JSON-serialisable values.

    Attributes
    ----------
    tensors : dict of str to Tensor
        Network weights and the off-grid map (``off_grid.*``).
    values : dict
        ``lines``, ``classes``, ``scaler`` ({"mean", "scale"}), ``temperature``,
        ``target_prior`` (list or None), ``resolved_noise`` and ``grids``
        (provenance of the source grids, or None).
    """

    tensors: dict
    values: dict
