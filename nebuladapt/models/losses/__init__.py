"""Adaptation losses: small objects that the training loop sums.

Each adaptation method is a list of :class:`~nebuladapt.models.losses.base.AdaptationLoss`
objects built by a factory registered here by name (the value of the
estimator's ``alignment`` parameter). The loop in
:mod:`nebuladapt.models.training` knows nothing about any method: it calls the
hooks of whatever objects it is given (in the spirit of skada's ``BaseDALoss``
and pytorch-adapt's hooks). The target-entropy term is an add-on
(:class:`~nebuladapt.models.losses.entropy.TargetEntropy`) appended by the
estimator when ``entropy_weight > 0``.

This module imports no PyTorch: the registry holds ``"module:factory"``
paths, imported when a method is built, so the command line can list the
methods without loading the deep-learning stack.

Adding a method is one new file in this package plus one line in
:data:`ALIGNMENTS`.
"""

from __future__ import annotations

from importlib import import_module

__all__ = ["ALIGNMENTS", "alignment_names", "build_alignment"]

#: name -> ("module:factory", one-line description). A factory takes the
#: alignment weight (the estimator's ``domain_weight``) and returns a list of
#: AdaptationLoss objects.
ALIGNMENTS: dict[str, tuple[str, str]] = {
    "marginal": ("adversarial:dann", "DANN, marginal alignment (Ganin et al. 2016)"),
    "iw": ("importance:iwdan", "IWDAN, importance-weighted (Tachet des Combes et al. 2020)"),
    "conditional": ("conditional:cdan", "CDAN, class-conditional (Long et al. 2018)"),
    "iw_conditional": ("conditional:iwcdan", "IWCDAN: CDAN with importance weights"),
    "coral": ("coral:deep_coral", "DeepCORAL, second-order statistics (Sun & Saenko 2016)"),
    "mmd": ("mmd:gaussian_mmd", "MMD with Gaussian kernels (Long et al. 2015)"),
}


def alignment_names() -> tuple[str, ...]:
    """Registered alignment names, in registration order."""
    return tuple(ALIGNMENTS)


def build_alignment(name: str, weight: float) -> list:
    """The loss objects of the alignment method ``name``.

    Parameters
    ----------
    name : str
        A key of :data:`ALIGNMENTS`.
    weight : float
        Maximum weight of the alignment term (``domain_weight``).

    Returns
    -------
    list of AdaptationLoss
    """
    if name not in ALIGNMENTS:
        raise ValueError(f"alignment must be one of {alignment_names()}, got {name!r}")
    module, factory = ALIGNMENTS[name][0].split(":")
    return list(getattr(import_module(f"{__name__}.{module}"), factory)(weight))
