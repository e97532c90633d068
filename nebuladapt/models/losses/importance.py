"""Importance weighting for class-prior shift (IWDAN; Tachet des Combes et al. 2020, NeurIPS).

Model grids are class-balanced, real catalogues are not. Source rows of class
``c`` are weighted by ``w_c = pi_t(c) / pi_s(c)`` in *both* the source
classification loss and the domain loss, so that the network learns on, and
the discriminator compares the target with, the source re-weighted to the
target's class proportions. ``pi_t`` is re-estimated ``updates`` times after a
warm-up fraction ``warmup`` of the steps, by EM on the network's own target
posteriors (:func:`~nebuladapt.models.label_shift.em_target_prior`); ``pi_s``
is uniform (balanced batches). Target labels are never used.
"""

from __future__ import annotations

import numpy as np
import torch

from nebuladapt.models.label_shift import em_target_prior
from nebuladapt.models.losses.adversarial import DomainAdversarialLoss
from nebuladapt.models.losses.base import AdaptationLoss, Batch, TrainingContext

__all__ = ["ImportanceWeighting", "iwdan"]


class ImportanceWeighting(AdaptationLoss):
    """Sets ``batch.source_weight`` to ``pi_t(y) / pi_s(y)``; adds no term itself.

    Parameters
    ----------
    warmup : float
        Fraction of the steps before the first estimate (weights 1 until then).
    updates : int
        Number of estimates, evenly spaced from the warm-up to the last step.
    clip : float
        Lower bound of the weights (the upper bound is the number of classes).
    """

    name = "importance_weights"

    def __init__(self, warmup: float = 0.2, updates: int = 20, clip: float = 0.05) -> None:
        self.warmup = warmup
        self.updates = updates
        self.clip = clip

    def start(self, context: TrainingContext) -> None:
        self.context = context
        self.class_weights = torch.ones(context.n_classes)
        steps = np.linspace(int(self.warmup * context.n_steps), context.n_steps - 1, self.updates)
        self.update_steps = set(steps.astype(int).tolist())

    def before_step(self, step: int) -> dict | None:
        if step not in self.update_steps:
            return None
        net, k = self.context.net, self.context.n_classes
        was_training = net.training
        net.eval()
        with torch.no_grad():
            proba = torch.softmax(net(self.context.target_x), dim=1).double().numpy()
        net.train(was_training)
        prior = em_target_prior(proba)
        self.class_weights = torch.from_numpy(np.clip(prior * k, self.clip, k)).float()
        return {"step": step, "target_prior": (self.class_weights / k).tolist()}

    def prepare(self, batch: Batch) -> None:
        batch.source_weight = self.class_weights[batch.source_label]


def iwdan(weight: float) -> list[AdaptationLoss]:
    """IWDAN: importance weights, then the domain-adversarial loss."""
    return [ImportanceWeighting(), DomainAdversarialLoss(weight)]
