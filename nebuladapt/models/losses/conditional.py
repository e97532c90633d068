"""Conditional adversarial alignment (CDAN; Long et al. 2018, NeurIPS).

The discriminator sees the outer product of the embedding and the class
probabilities, so it aligns class-conditional rather than marginal
distributions. As in the reference implementation, the probabilities are
*detached*: the conditioning selects which part of the embedding is aligned,
and the adversarial gradient reaches the network only through the embedding.
"""

from __future__ import annotations

import torch

from nebuladapt.models.losses.adversarial import DomainAdversarialLoss
from nebuladapt.models.losses.base import AdaptationLoss
from nebuladapt.models.losses.importance import ImportanceWeighting

__all__ = ["outer_product", "outer_product_width", "cdan", "iwcdan"]


def outer_product(embedding: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
    """Row-wise ``embedding (x) softmax(logits).detach()``, flattened."""
    proba = torch.softmax(logits, dim=1).detach()
    return torch.bmm(embedding.unsqueeze(2), proba.unsqueeze(1)).flatten(1)


def outer_product_width(n_hidden: int, n_classes: int) -> int:
    """Width of :func:`outer_product`'s output."""
    return n_hidden * n_classes


def cdan(weight: float) -> list[AdaptationLoss]:
    """CDAN: a domain-adversarial loss on the conditioned embedding."""
    return [DomainAdversarialLoss(weight, outer_product, outer_product_width)]


def iwcdan(weight: float) -> list[AdaptationLoss]:
    """IWCDAN: CDAN with importance-weighted source rows."""
    return [ImportanceWeighting(), *cdan(weight)]
