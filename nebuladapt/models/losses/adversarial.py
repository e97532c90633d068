"""Domain-adversarial loss (DANN; Ganin et al. 2016, JMLR 17, 59).

A domain discriminator behind the network's gradient reversal layer learns to
tell source from target rows; the reversed gradient pushes the feature
extractor towards features the discriminator cannot separate. The reversal
strength follows ``weight * lambda_p`` (:func:`~nebuladapt.models.networks.grl_lambda`).
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import nn

from nebuladapt.models.losses.base import AdaptationLoss, Batch
from nebuladapt.models.networks import grl_lambda

__all__ = ["DomainAdversarialLoss", "dann"]


class DomainAdversarialLoss(AdaptationLoss):
    """Binary cross-entropy of the domain discriminator (source 0, target 1).

    Parameters
    ----------
    weight : float
        Maximum gradient-reversal strength.
    conditioning : callable, optional
        ``conditioning(embedding, logits) -> discriminator input`` (e.g.
        CDAN's :func:`~nebuladapt.models.losses.conditional.outer_product`);
        default: the embedding itself (marginal alignment).
    conditioned_width : callable, optional
        ``(n_hidden, n_classes) -> width`` of the conditioned input.

    Notes
    -----
    Source rows are weighted by ``batch.source_weight`` when an importance
    weighting sets it (IWDAN); target rows always weigh 1.
    """

    name = "domain_loss"

    def __init__(
        self,
        weight: float,
        conditioning: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
        conditioned_width: Callable[[int, int], int] | None = None,
    ) -> None:
        self.weight = weight
        self.conditioning = conditioning
        self.conditioned_width = conditioned_width
        self._bce = nn.BCEWithLogitsLoss(reduction="none")

    def domain_inputs(self, n_hidden: int, n_classes: int) -> int:
        if self.conditioned_width is None:
            return n_hidden
        return self.conditioned_width(n_hidden, n_classes)

    def __call__(self, batch: Batch) -> torch.Tensor:
        net = batch.net
        net.grl.coeff = self.weight * grl_lambda(batch.progress)
        features = batch.embedding
        if self.conditioning is not None:
            features = self.conditioning(batch.embedding, batch.logits)
        logits = net.domain_logits(features)
        n_source, n_target = batch.n_source, len(features) - batch.n_source
        domain = torch.cat([torch.zeros(n_source), torch.ones(n_target)])
        source_weight = batch.source_weight if batch.source_weight is not None else torch.ones(n_source)
        weight = torch.cat([source_weight, torch.ones(n_target)])
        loss = (self._bce(logits, domain) * weight).mean()
        batch.record.update(domain_loss=loss.item(), grl_coeff=net.grl.coeff)
        return loss


def dann(weight: float) -> list[AdaptationLoss]:
    """Marginal DANN: one domain-adversarial loss."""
    return [DomainAdversarialLoss(weight)]
