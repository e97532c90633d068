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
from nebuladapt.models.label_shift import em_target_prior
from nebuladapt.models.networks import NebulaNet, grl_lambda
from nebuladapt.noise import inject_noise

__all__ = ["Scaler", "encode", "random_mask", "TrainingData", "train_network", "ALIGNMENTS"]

#: Adversarial alignment variants: marginal (DANN, Ganin et al. 2016),
#: importance-weighted (IWDAN, Tachet des Combes et al. 2020), conditional
#: (CDAN, Long et al. 2018) and both (IWCDAN).
ALIGNMENTS = ("marginal", "iw", "conditional", "iw_conditional")


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


def random_mask(features: torch.Tensor, prob: float, generator: torch.Generator) -> torch.Tensor:
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
    alignment: str = "marginal",
    prior_warmup: float = 0.2,
    prior_updates: int = 20,
    checkpoints: tuple[int, ...] = (),
    entropy_weight: float = 0.0,
    callback: Callable[[int, dict], None] | None = None,
) -> tuple[list[dict], dict]:
    """Train ``net`` in place.

    Source batches are class-balanced (the same number of models drawn per
    class). With ``adversarial`` (DANN) each step also draws a target batch of
    the same size, and the GRL strength follows ``domain_weight * lambda_p``
    with ``lambda_p = 2 / (1 + exp(-10 p)) - 1``.

    With importance-weighted alignment (``alignment`` "iw" or
    "iw_conditional"), the source terms of the domain loss are weighted by
    ``w_c = pi_t(c) / pi_s(c)`` so that the discriminator compares the target
    with the source *re-weighted to the target's class proportions* (IWDAN,
    Tachet des Combes et al. 2020, NeurIPS). ``pi_t`` is re-estimated
    ``prior_updates`` times after a warm-up fraction ``prior_warmup`` of the
    steps, by EM on the network's own target posteriors
    (:func:`~nebuladapt.models.label_shift.em_target_prior`); ``pi_s`` is
    uniform (balanced batches). Target labels are never used.

    ``entropy_weight`` > 0 adds the mean entropy of the target posteriors to
    the loss (conditional-entropy minimisation, Grandvalet & Bengio 2005; as in
    VADA, Shu et al. 2018, ICLR), ramped with the same ``lambda_p`` schedule:
    it moves decision boundaries away from dense regions of the *target*
    (the cluster assumption).

    Returns
    -------
    history : list of dict
        Per-step losses (and prior estimates when they change).
    snapshots : dict of int to dict
        Network ``state_dict`` copies after each step in ``checkpoints``
        (1-based step counts), for label-free choice of the stopping step.
    """
    if alignment not in ALIGNMENTS:
        raise ValueError(f"alignment must be one of {ALIGNMENTS}, got {alignment!r}")
    # Batches of a few hundred rows through 64-unit layers are too small to gain from
    # intra-op threads, and threads contend badly with other processes: train on one.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _train(
            net, spec, scaler, data, adversarial=adversarial, noise=noise, noise_level=noise_level,
            n_steps=n_steps, batch_size=batch_size, lr=lr, domain_weight=domain_weight,
            mask_prob=mask_prob, seed=seed, alignment=alignment, prior_warmup=prior_warmup,
            prior_updates=prior_updates, checkpoints=checkpoints, entropy_weight=entropy_weight,
            callback=callback,
        )
    finally:
        torch.set_num_threads(threads)


def _train(
    net, spec, scaler, data, *, adversarial, noise, noise_level, n_steps, batch_size, lr,
    domain_weight, mask_prob, seed, alignment, prior_warmup, prior_updates, checkpoints,
    entropy_weight, callback,
):
    """The loop of :func:`train_network` (arguments as there)."""
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
    domain_loss_fn = nn.BCEWithLogitsLoss(reduction="none")
    history = []
    snapshots: dict[int, dict] = {}
    weighted = adversarial and alignment.startswith("iw")
    class_weights = torch.ones(n_classes)
    update_steps = set(
        np.linspace(int(prior_warmup * n_steps), n_steps - 1, prior_updates).astype(int).tolist()
    ) if weighted else set()
    net.train()
    for step in range(n_steps):
        if step in update_steps:
            class_weights = _importance_weights(net, target_x, n_classes)
            history.append({"step": step, "target_prior": (class_weights / n_classes).tolist()})
        idx = torch.cat(
            [rows[torch.randint(len(rows), (per_batch,), generator=generator)] for rows in per_class]
        )
        flux = inject_noise(
            data.source_flux[idx], noise, noise_level, generator, data.target_fractional_errors
        )
        features = random_mask(log_ratios(flux, spec), mask_prob, generator)
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
            sample_weight = torch.cat([class_weights[y_source], torch.ones(len(idx))])
            domain_loss = (domain_loss_fn(domain_logits, domain_target) * sample_weight).mean()
            loss = label_loss + domain_loss
            record.update(domain_loss=domain_loss.item(), grl_coeff=net.grl.coeff)
            if entropy_weight > 0:
                log_p = torch.log_softmax(logits[len(idx):], dim=1)
                entropy = -(log_p.exp() * log_p).sum(dim=1).mean()
                loss = loss + entropy_weight * grl_lambda(progress) * entropy
                record["target_entropy"] = entropy.item()
        else:
            label_loss = label_loss_fn(net(x_source), y_source)
            loss = label_loss
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        record["label_loss"] = label_loss.item()
        history.append(record)
        if step + 1 in checkpoints:
            snapshots[step + 1] = {k: v.detach().clone() for k, v in net.state_dict().items()}
        if callback is not None:
            callback(step, record)
    net.eval()
    return history, snapshots


def _importance_weights(net: NebulaNet, target_x: torch.Tensor, n_classes: int) -> torch.Tensor:
    """``pi_t / pi_s`` with ``pi_t`` from EM on the target posteriors, ``pi_s`` uniform."""
    was_training = net.training
    net.eval()
    with torch.no_grad():
        proba = torch.softmax(net(target_x), dim=1).double().numpy()
    net.train(was_training)
    prior = em_target_prior(proba)
    return torch.from_numpy(np.clip(prior * n_classes, 0.05, n_classes)).float()
