"""Distillation of target probabilities into the trained network (knowledge distillation).

The student sees the teacher's (an ensemble's) class probabilities on the
target rows and minimises the cross-entropy ``-sum_k q_k log p_k`` between
them and its own posteriors (Hinton et al. 2015), beside the source
classification loss of the training loop. No target label is involved: the
teacher's probabilities come from networks trained on the source labels and
adapted to the unlabelled target.
"""

from __future__ import annotations

import numpy as np
import torch

from nebuladapt.models.losses.base import AdaptationLoss, Batch, TrainingContext

__all__ = ["TargetDistillation"]


class TargetDistillation(AdaptationLoss):
    """``weight * mean_i H(q_i, p_i)`` over a seeded random batch of target rows.

    Parameters
    ----------
    teacher : ndarray (n_target, n_classes)
        Teacher probabilities of the target rows, in the order of the
        training data's target rows; rows with a non-finite value are skipped.
    weight : float
    batch_size : int
        Target rows per step.
    seed : int
        Seed of the row sampling (the same seed draws the same rows).
    """

    name = "distillation"

    def __init__(self, teacher: np.ndarray, weight: float = 1.0, batch_size: int = 256, seed: int = 0) -> None:
        self.teacher = torch.from_numpy(np.asarray(teacher, dtype=np.float32))  # NaN kept until start()
        self.weight = weight
        self.batch_size = batch_size
        self.seed = seed

    def start(self, context: TrainingContext) -> None:
        teacher = self.teacher
        if context.target_rows is not None:
            # training keeps only the target rows with a line ratio: follow its selection
            if len(context.target_rows) and int(context.target_rows.max()) >= len(teacher):
                raise ValueError(f"teacher has {len(teacher)} rows, fewer than the training data's target rows")
            teacher = teacher[context.target_rows]
        if len(teacher) != len(context.target_x):
            raise ValueError(f"teacher has {len(self.teacher)} rows, the target {len(context.target_x)}")
        self.rows = torch.nonzero(torch.isfinite(teacher).all(dim=1)).squeeze(1)
        self.teacher = torch.nan_to_num(teacher)
        self.net = context.net
        self.target_x = context.target_x
        self.generator = torch.Generator().manual_seed(self.seed)

    def __call__(self, batch: Batch) -> torch.Tensor | None:
        if len(self.rows) == 0:
            return None
        rows = self.rows[torch.randint(len(self.rows), (self.batch_size,), generator=self.generator)]
        log_p = torch.log_softmax(self.net(self.target_x[rows]), dim=1)
        value = -(self.teacher[rows] * log_p).sum(dim=1).mean()
        batch.record[self.name] = value.item()
        return self.weight * value
