"""DeepCORAL (Sun & Saenko 2016, ECCV workshops): align second-order statistics.

The loss is the squared Frobenius distance between the covariance matrices of
the source and target embeddings, ``||C_s - C_t||_F^2 / (4 d^2)``, weighted by
``weight * lambda_p``.
"""

from __future__ import annotations

import torch

from nebuladapt.models.losses.base import AdaptationLoss, Batch
from nebuladapt.models.networks import grl_lambda

__all__ = ["coral_distance", "CoralLoss", "deep_coral"]


def coral_distance(source: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """``||cov(source) - cov(target)||_F^2 / (4 d^2)`` for (n, d) embeddings."""
    d = source.shape[1]
    difference = torch.cov(source.T) - torch.cov(target.T)
    return (difference * difference).sum() / (4.0 * d * d)


class CoralLoss(AdaptationLoss):
    """The CORAL distance between the source and target embeddings of a batch."""

    name = "coral_loss"

    def __init__(self, weight: float) -> None:
        self.weight = weight

    def __call__(self, batch: Batch) -> torch.Tensor:
        value = coral_distance(batch.source_embedding, batch.target_embedding)
        batch.record[self.name] = value.item()
        return self.weight * grl_lambda(batch.progress) * value


def deep_coral(weight: float) -> list[AdaptationLoss]:
    """DeepCORAL: one CORAL loss on the embedding."""
    return [CoralLoss(weight)]
