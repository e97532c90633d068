"""Target-entropy minimisation, an add-on to any adaptation method.

Conditional-entropy minimisation (Grandvalet & Bengio 2005; as in VADA, Shu et
al. 2018, ICLR): the mean entropy of the target posteriors, ramped with the
``lambda_p`` schedule, moves decision boundaries away from dense regions of the
*target* (the cluster assumption).
"""

from __future__ import annotations

import torch

from nebuladapt.models.losses.base import AdaptationLoss, Batch
from nebuladapt.models.networks import grl_lambda

__all__ = ["TargetEntropy"]


class TargetEntropy(AdaptationLoss):
    """``weight * lambda_p * mean_i H(p(. | x_i))`` over the target rows of the batch.

    Parameters
    ----------
    weight : float
    """

    name = "target_entropy"

    def __init__(self, weight: float) -> None:
        self.weight = weight

    def __call__(self, batch: Batch) -> torch.Tensor:
        log_p = torch.log_softmax(batch.target_logits, dim=1)
        entropy = -(log_p.exp() * log_p).sum(dim=1).mean()
        batch.record[self.name] = entropy.item()
        return self.weight * grl_lambda(batch.progress) * entropy
