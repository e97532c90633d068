"""DeepCORAL (Sun & Saenko 2016, ECCV workshops): align second-order statistics.

The loss is the squared Frobenius distance between the covariance matrices of
the source and target embeddings, ``||C_s - C_t||_F^2 / (4 d^2)``, weighted by
``weight * lambda_p``.
"""

from __future__ import annotations

import torch

from nebuladapt.models.losses.base import AdaptationLoss, EmbeddingDistanceLoss

__all__ = ["coral_distance", "CoralLoss", "deep_coral"]


def coral_distance(source: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """``||cov(source) - cov(target)||_F^2 / (4 d^2)`` for (n, d) embeddings."""
    d = source.shape[1]
    difference = torch.cov(source.T) - torch.cov(target.T)
    return (difference * difference).sum() / (4.0 * d * d)


class CoralLoss(EmbeddingDistanceLoss):
    """The CORAL distance between the source and target embeddings of a batch."""

    name = "coral_loss"
    distance = staticmethod(coral_distance)


def deep_coral(weight: float) -> list[AdaptationLoss]:
    """DeepCORAL: one CORAL loss on the embedding."""
    return [CoralLoss(weight)]
