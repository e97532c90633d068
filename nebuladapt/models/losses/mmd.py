"""Maximum mean discrepancy with Gaussian kernels (as in DAN; Long et al. 2015, ICML).

The squared MMD between source and target embeddings (biased estimate) under a
sum of Gaussian kernels whose bandwidths are the mean squared pairwise
distance of the batch times ``multiplier ** k`` for ``k`` in
``-(n_kernels // 2) .. n_kernels // 2``; weighted by ``weight * lambda_p``.
"""

from __future__ import annotations

import torch

from nebuladapt.models.losses.base import AdaptationLoss, EmbeddingDistanceLoss

__all__ = ["gaussian_mmd2", "MMDLoss", "gaussian_mmd"]


def gaussian_mmd2(
    source: torch.Tensor, target: torch.Tensor, n_kernels: int = 5, multiplier: float = 2.0
) -> torch.Tensor:
    """Squared MMD (biased) of two samples of shape (n, d) and (m, d)."""
    x = torch.cat([source, target])
    sq = (x * x).sum(dim=1)
    d2 = (sq[:, None] + sq[None, :] - 2.0 * x @ x.T).clamp_min(0.0)
    n = len(x)
    bandwidth = d2.detach().sum() / max(n * n - n, 1)
    bandwidth = torch.clamp(bandwidth, min=1e-12)
    kernel = sum(
        torch.exp(-d2 / (bandwidth * multiplier ** (k - n_kernels // 2))) for k in range(n_kernels)
    )
    s = len(source)
    return kernel[:s, :s].mean() + kernel[s:, s:].mean() - 2.0 * kernel[:s, s:].mean()


class MMDLoss(EmbeddingDistanceLoss):
    """Gaussian-kernel MMD between the source and target embeddings of a batch."""

    name = "mmd_loss"
    distance = staticmethod(gaussian_mmd2)


def gaussian_mmd(weight: float) -> list[AdaptationLoss]:
    """MMD alignment: one Gaussian-kernel MMD loss on the embedding."""
    return [MMDLoss(weight)]
