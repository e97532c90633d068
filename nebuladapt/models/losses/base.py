"""The interface every adaptation loss implements, and the batch it reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import torch

__all__ = ["Batch", "TrainingContext", "AdaptationLoss", "EmbeddingDistanceLoss"]


@dataclass
class TrainingContext:
    """What a loss may need to know about a training run (set once).

    Attributes
    ----------
    net : NebulaNet
    target_x : Tensor (n_target, n_inputs)
        Encoded target rows used in training: every target row that gives at
        least one line ratio.
    n_classes : int
    n_steps : int
    target_rows : Tensor of int64 or None
        Index of each ``target_x`` row among all the training data's target
        rows (None: all of them, in order).
    """

    net: torch.nn.Module
    target_x: torch.Tensor
    n_classes: int
    n_steps: int
    target_rows: torch.Tensor | None = None


@dataclass
class Batch:
    """One training step's forward pass over ``[source rows, target rows]``.

    Attributes
    ----------
    net : NebulaNet
    step : int
    progress : float
        ``step / (n_steps - 1)``, in [0, 1].
    embedding, logits : Tensor
        Feature-extractor output and class logits of the stacked rows.
    source_label : LongTensor (n_source,)
    source_weight : Tensor (n_source,) or None
        Per-row weights of the source terms (None: uniform). Set by
        importance weighting before any loss is computed; read by the
        classification loss and by the domain losses.
    inputs : Tensor or None
        The encoded network input of the stacked rows (``[scaled features,
        missing mask]``), for terms that depend on which ratios a row gives.
    """

    net: torch.nn.Module
    step: int
    progress: float
    embedding: torch.Tensor
    logits: torch.Tensor
    source_label: torch.Tensor
    source_weight: torch.Tensor | None = None
    record: dict = field(default_factory=dict)
    inputs: torch.Tensor | None = None

    @property
    def n_source(self) -> int:
        return len(self.source_label)

    @property
    def source_embedding(self) -> torch.Tensor:
        return self.embedding[: self.n_source]

    @property
    def target_embedding(self) -> torch.Tensor:
        return self.embedding[self.n_source :]

    @property
    def target_logits(self) -> torch.Tensor:
        return self.logits[self.n_source :]


class AdaptationLoss:
    """One term of the training objective beside the source classification loss.

    Subclasses override :meth:`__call__` (the term, or None) and, where they
    need to, the hooks: :meth:`domain_inputs` (width of what a domain
    discriminator sees, None if the term uses none), :meth:`start` (once,
    before training), :meth:`before_step` (every step, before sampling;
    may return a history record) and :meth:`prepare` (every step, after the
    forward pass and before any loss is computed).
    """

    #: Key of the term in each step's history record.
    name = "adaptation_loss"

    def domain_inputs(self, n_hidden: int, n_classes: int) -> int | None:
        """Input width of the domain discriminator this term trains (None: no discriminator)."""
        return None

    def start(self, context: TrainingContext) -> None:
        """Called once before the first step."""

    def before_step(self, step: int) -> dict | None:
        """Called at the start of every step; may return a record for the history."""
        return None

    def prepare(self, batch: Batch) -> None:
        """Called after the forward pass, before the losses are computed."""

    def __call__(self, batch: Batch) -> torch.Tensor | None:
        """The term to add to the loss (None: nothing to add)."""
        return None


class EmbeddingDistanceLoss(AdaptationLoss):
    """``weight * lambda_p * distance(source embedding, target embedding)``.

    Subclasses set :attr:`name` and :attr:`distance` (a function of two
    ``(n, d)`` tensors returning a scalar tensor); the value is recorded in the
    step's history under :attr:`name`.

    Parameters
    ----------
    weight : float
        Maximum weight (it multiplies the ``lambda_p`` schedule).
    """

    distance: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]

    def __init__(self, weight: float) -> None:
        self.weight = weight

    def __call__(self, batch: Batch) -> torch.Tensor:
        from nebuladapt.models.networks import grl_lambda

        value = type(self).distance(batch.source_embedding, batch.target_embedding)
        batch.record[self.name] = value.item()
        return self.weight * grl_lambda(batch.progress) * value
