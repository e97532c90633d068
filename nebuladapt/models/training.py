"""Training loop shared by the source-only NN and the DANN.

Input encoding: each log-ratio feature is standardised with the source
statistics; a missing feature (line absent, non-positive, or randomly masked
during training) is set to 0 and its indicator in a second block of inputs is
set to 1. The network therefore sees ``[scaled features, missing mask]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
from torch import nn

from nebuladapt.features import FeatureSpec, log_ratios
from nebuladapt.models.networks import NebulaNet, grl_lambda
from nebuladapt.noise import inject_noise

__all__ = ["Scaler", "encode", "TrainingData", "train_network"]


@dataclass
class Scaler:
    """Per-feature standardisation ``(x - mean) / scale`` learned on the source."""

    mean: np.ndarray
    scale: np.ndarray

    @classmethod
    def fit(cls, features: np.ndarray) -> "Scaler":
        """Fit on features with NaN for missing values."""
        mean = np.nanmean(features, axis=0)
        scale = np.nanstd(features, axis=0)
        scale = np.where(scale > 0, scale, 1.0)
        return cls(mean.astype(np.float32), scale.astype(np.float32))


def encode(features: torch.Tensor, scaler: Scaler) -> torch.Tensor:
    """``[scaled features with missing -> 0, missing mask]`` as float32."""
    features = features.to(torch.float32)
    missing = ~torch.isfinite(features)
    scaled = (features - torch.from_numpy(scaler.mean)) / torch.from_numpy(scaler.scale)
    scaled = torch.where(missing, torch.zeros_like(scaled), scaled)
    return torch.cat([scaled, missing.to(torch.float32)], dim=1)


@dataclass
class TrainingData:
    """Everything the loop needs, as tensors.

    Attributes
    ----------
    source_flux : Tensor (n_source, n_lines)
    source_label : LongTensor (n_source,)
    target_flux : Tensor (n_target, n_lines), possibly empty
    target_fractional_errors : Tensor (n_errors, n_lines), possibly empty
        Fractional errors of target rows that have at least one known error.
    """

    source_flux: torch.Tensor
    source_label: torch.Tensor
    target_flux: torch.Tensor
    target_fractional_errors: torch.Tensor


def _random_mask(features: torch.Tensor, prob: float, generator: torch.Generator) -> torch.Tensor:
    """Mask each feature with probability ``prob``, never all features of a row."""
    if prob <= 0:
        return features
    drop = torch.rand(features.shape, generator=generator) < prob
    all_dropped = drop.all(dim=1)
    drop[all_dropped] = False
    return torch.where(drop, torch.full_like(features, float("nan")), features)


def train_network(
    net: NebulaNet,
    spec: FeatureSpec,
    scaler: Scaler,
    data: TrainingData,
    *,
    adversarial: bool,
    noise: str,
    noise_level: float,
    n_steps: int,
    batch_size: int,
    lr: float,
    domain_weight: float,
    mask_prob: float,
    seed: int,
    callback: Callable[[int, dict], None] | None = None,
) -> list[dict]:
    """Train ``net`` in place; return a per-step log of the losses.

    Source batches are class-balanced (the same number of models drawn per
    class). With ``adversarial`` (DANN) each step also draws a target batch of
    the same size, and the GRL strength follows ``domain_weight * lambda_p``
    with ``lambda_p = 2 / (1 + exp(-10 p)) - 1``.
    """
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    n_classes = int(data.source_label.max()) + 1
    per_class = [torch.nonzero(data.source_label == c).squeeze(1) for c in range(n_classes)]
    per_batch = max(1, batch_size // n_classes)
    target_x = encode(log_ratios(data.target_flux, spec), scaler) if adversarial else None
    if adversarial and (target_x is None or target_x.shape[0] == 0):
        raise ValueError("DANN needs target rows (sample_domain < 0)")
    optimiser = torch.optim.Adam(net.parameters(), lr=lr)
    label_loss_fn = nn.CrossEntropyLoss()
    domain_loss_fn = nn.BCEWithLogitsLoss()
    history = []
    net.train()
    for step in range(n_steps):
        idx = torch.cat(
            [rows[torch.randint(len(rows), (per_batch,), generator=generator)] for rows in per_class]
        )
        flux = inject_noise(
            data.source_flux[idx], noise, noise_level, generator, data.target_fractional_errors
        )
        features = _random_mask(log_ratios(flux, spec), mask_prob, generator)
        x_source = encode(features, scaler)
        y_source = data.source_label[idx]
        record = {"step": step}
        if adversarial:
            progress = step / max(1, n_steps - 1)
            net.grl.coeff = domain_weight * grl_lambda(progress)
            t_idx = torch.randint(target_x.shape[0], (len(idx),), generator=generator)
            x = torch.cat([x_source, target_x[t_idx]])
            _, logits, domain_logits = net.forward_all(x)
            label_loss = label_loss_fn(logits[: len(idx)], y_source)
            domain_target = torch.cat([torch.zeros(len(idx)), torch.ones(len(idx))])
            domain_loss = domain_loss_fn(domain_logits, domain_target)
            loss = label_loss + domain_loss
            record.update(domain_loss=domain_loss.item(), grl_coeff=net.grl.coeff)
        else:
            label_loss = label_loss_fn(net(x_source), y_source)
            loss = label_loss
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        record["label_loss"] = label_loss.item()
        history.append(record)
        if callback is not None:
            callback(step, record)
    net.eval()
    return history
