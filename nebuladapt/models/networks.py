"""PyTorch modules: feature extractor, label head, domain head, gradient reversal.

The architecture follows Ganin et al. 2016 (JMLR 17, 59) as used for nebulae by
Belfiore et al. 2025 (A&A 694, A212): a feature extractor feeds a label
classifier and, through a gradient reversal layer (GRL), a domain
discriminator. The domain head ends in a single logit trained with
``BCEWithLogitsLoss`` (a sigmoid), so the adversarial gradient is never
constant-zero (unlike a one-unit softmax).
"""

from __future__ import annotations

import math

import torch
from torch import nn

__all__ = ["GradientReversal", "grl_lambda", "mlp", "NebulaNet"]


class _ReverseGrad(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor, coeff: float) -> torch.Tensor:
        ctx.coeff = coeff
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        return -ctx.coeff * grad_output, None


class GradientReversal(nn.Module):
    """Identity in the forward pass; multiplies gradients by ``-coeff`` backwards.

    Parameters
    ----------
    coeff : float
        Reversal strength lambda; set :attr:`coeff` during training to follow a
        schedule such as :func:`grl_lambda`.
    """

    def __init__(self, coeff: float = 1.0) -> None:
        super().__init__()
        self.coeff = coeff

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _ReverseGrad.apply(x, self.coeff)


def grl_lambda(progress: float, gamma: float = 10.0) -> float:
    """Ganin et al. (2016) schedule ``lambda_p = 2 / (1 + exp(-gamma p)) - 1``.

    Parameters
    ----------
    progress : float
        Training progress ``p`` in [0, 1].
    gamma : float
        Steepness (10 in Ganin et al.).
    """
    return 2.0 / (1.0 + math.exp(-gamma * progress)) - 1.0


def mlp(sizes: list[int], final_activation: bool = True) -> nn.Sequential:
    """Fully connected ReLU network with the given layer sizes."""
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out))
        if final_activation or i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class NebulaNet(nn.Module):
    """Feature extractor + label head (+ domain head behind a GRL).

    Parameters
    ----------
    n_inputs : int
        Input width (scaled features and their missing-line mask).
    n_classes : int
    hidden : tuple of int
        Feature-extractor layer sizes.
    domain_hidden : int
        Hidden width of the domain discriminator (0: no domain head).
    domain_inputs : int, optional
        Input width of the domain discriminator (default ``hidden[-1]``, the
        embedding; wider for a conditioned input such as CDAN's).
    """

    def __init__(
        self,
        n_inputs: int,
        n_classes: int,
        hidden=(64, 64),
        domain_hidden: int = 64,
        domain_inputs: int | None = None,
    ) -> None:
        super().__init__()
        self.feature_extractor = mlp([n_inputs, *hidden])
        self.label_head = nn.Linear(hidden[-1], n_classes)
        self.grl = GradientReversal(0.0)
        domain_in = hidden[-1] if domain_inputs is None else domain_inputs
        self.domain_head = (
            nn.Sequential(nn.Linear(domain_in, domain_hidden), nn.ReLU(), nn.Linear(domain_hidden, 1))
            if domain_hidden
            else None
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class logits."""
        return self.label_head(self.feature_extractor(x))

    def domain_logits(self, features: torch.Tensor) -> torch.Tensor:
        """Domain logits of (embedding-derived) ``features``, through the gradient reversal."""
        if self.domain_head is None:
            raise ValueError("this network has no domain head")
        return self.domain_head(self.grl(features)).squeeze(-1)
