"""The training loop: the source classification loss plus whatever adaptation losses it is given.

Input encoding: each log-ratio feature is standardised with the source
statistics; a missing feature (line absent, non-positive, or randomly masked
during training) is set to 0 and its indicator in a second block of inputs is
set to 1. The network therefore sees ``[scaled features, missing mask]``.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import torch
from torch import nn

from nebuladapt import diffuse_gas
from nebuladapt.features import FeatureSpec, log_ratios, ratio_reddening
from nebuladapt.models.losses.base import AdaptationLoss, Batch, TrainingContext
from nebuladapt.models.networks import NebulaNet
from nebuladapt.noise import inject_noise

__all__ = [
    "Scaler", "encode", "random_mask", "mask_probabilities", "redden_without_hbeta", "needs_reddening",
    "REDDENING_AV_MAX", "DUST_SENSITIVE",
    "TrainingData", "TrainingConfig", "train_network",
    "source_classification_loss", "stratified_split",
]


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


def random_mask(features: torch.Tensor, prob, generator: torch.Generator) -> torch.Tensor:
    """Mask each feature with probability ``prob``, never all features of a row.

    ``prob`` is a float, or one probability per feature (a tensor of shape
    ``(n_features,)``, see :func:`mask_probabilities`). Each row's draw does
    not depend on its class.
    """
    prob = torch.as_tensor(prob, dtype=torch.float32)
    if not (prob > 0).any():
        return features
    drop = torch.rand(features.shape, generator=generator) < prob
    all_dropped = drop.all(dim=1)
    drop[all_dropped] = False
    return torch.where(drop, torch.full_like(features, float("nan")), features)


#: Largest V-band extinction (mag) of the random reddening of training models (uniform from 0).
REDDENING_AV_MAX = 3.0
_DUST_SEED_OFFSET = 7919  # the reddening draws use their own generator: the rest of the stream is kept


def redden_without_hbeta(
    features: torch.Tensor, spec: FeatureSpec, generator: torch.Generator, av_max: float = REDDENING_AV_MAX
) -> torch.Tensor:
    """Redden, at random, the rows whose Hbeta ratios are missing (masked), as a survey leaves them.

    Catalogue rows with Hbeta are dereddened by their Balmer decrement
    (:func:`nebuladapt.catalogs.read_catalog`); rows without it keep their
    dust, which shifts Hbeta-free ratios such as [OIII]/Halpha. Training
    models are intrinsic (dust-free): in each row where a ratio with Hbeta
    is missing, every remaining ratio is shifted by ``E(B-V) *``
    :func:`nebuladapt.features.ratio_reddening`, with ``A_V ~ U(0, av_max)``
    and ``E(B-V) = A_V / 3.1``, so the network learns those ratios with dust
    as a nuisance (only for specs where :func:`needs_reddening`; others are
    returned as they are). Rows with Hbeta are unchanged; with no Hbeta ratio in
    ``spec`` (e.g. :func:`nebuladapt.catalogs.usage.fit_feature_spec` left it
    out), every row is reddened.

    Parameters
    ----------
    features : Tensor, shape (n, len(spec.ratios))
        Log ratios, NaN where missing or masked.
    spec : FeatureSpec
    generator : torch.Generator
        Draws one A_V per row (always, so the stream does not depend on the data).
    av_max : float

    Returns
    -------
    Tensor like ``features``
    """
    hbeta = [k for k, r in enumerate(spec.ratios) if "HB4861" in (r.numerator, r.denominator)]
    if not needs_reddening(spec):
        return features
    av = torch.rand(features.shape[0], generator=generator, dtype=features.dtype) * av_max
    if hbeta:
        unanchored = torch.isnan(features[:, hbeta]).any(dim=1)
    else:  # no Hbeta ratio at all (left out of the fit: no row has Hbeta, so none was dereddened)
        unanchored = torch.ones(features.shape[0], dtype=torch.bool)
    shift = (av / 3.1)[:, None] * torch.from_numpy(ratio_reddening(spec)).to(features.dtype)[None, :]
    return torch.where(unanchored[:, None], features + shift, features)


#: An Hbeta-free ratio changing by more than this (dex per mag of E(B-V)) makes training redden.
DUST_SENSITIVE = 0.2


def needs_reddening(spec: FeatureSpec) -> bool:
    """True when ``spec`` holds an Hbeta-free ratio that dust shifts by more than :data:`DUST_SENSITIVE`.

    [OIII]5007/Halpha does (0.40 dex per mag of E(B-V)), so the default spec, which
    holds it, is reddened; the classical Hbeta-free ratios do not ([NII]/Halpha,
    [SII]/Halpha: <= 0.03), so a spec of the three classical ratios is not.
    """
    shift = np.abs(ratio_reddening(spec))
    return any(
        "HB4861" not in (r.numerator, r.denominator) and s > DUST_SENSITIVE for r, s in zip(spec.ratios, shift)
    )


def mask_probabilities(target_features: torch.Tensor, base: float) -> torch.Tensor:
    """Per-feature masking probability of the source rows: ``max(base, target missing share)``.

    The share is taken over the target rows that give at least one feature, so
    a line missing from 30 % of the catalogue is missing from 30 % of the
    training models too, whatever their class: the network learns to classify
    without it as often as it will have to, and a missing mask is no rarer in
    the source than in the target (which the domain discriminator would
    otherwise exploit).

    Parameters
    ----------
    target_features : Tensor, shape (n_target, n_features)
        Log ratios of the target rows, NaN where missing.
    base : float
        The ``mask_prob`` parameter.

    Returns
    -------
    Tensor of float32, shape (n_features,)
    """
    n_features = target_features.shape[1]
    base_prob = torch.full((n_features,), float(base), dtype=torch.float32)
    given = torch.isfinite(target_features)
    usable = given.any(dim=1)
    if not usable.any():
        return base_prob
    missing_share = 1.0 - given[usable].to(torch.float32).mean(dim=0)
    return torch.maximum(base_prob, missing_share)


def stratified_split(label_idx: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Row indices of a class-stratified split: (training, held out), each sorted.

    ``round(fraction * n_c)`` rows of each class ``c`` are held out (none if
    that would leave the class without training rows).
    """
    rng = np.random.default_rng(seed)
    train, held_out = [], []
    for c in np.unique(label_idx):
        rows = rng.permutation(np.flatnonzero(label_idx == c))
        n_out = int(round(fraction * len(rows)))
        if n_out >= len(rows):
            n_out = 0
        held_out.append(rows[:n_out])
        train.append(rows[n_out:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(held_out))


@dataclass(frozen=True)
class TrainingConfig:
    """Optimisation settings of one run (from the estimator's parameters).

    Attributes
    ----------
    noise : {"none", "fixed", "matched"}
        Noise injected on the source fluxes at each step.
    noise_level : float
    n_steps, batch_size : int
    lr : float
    mask_prob : float
        Least probability of masking each source feature; raised per feature to
        the target's missing share (:func:`mask_probabilities`, :func:`random_mask`).
    seed : int
    checkpoints : tuple of int
        1-based steps after which to keep a copy of the weights.
    diffuse_gas : float
        Most of a source model's Halpha given to diffuse ionised gas at each step
        (:func:`nebuladapt.diffuse_gas.blend_diffuse_gas`; 0: none).
    diffuse_gas_labels : tuple of int
        The class indices whose models are blended.
    diffuse_gas_models : float
        The probability that each of those models is blended at a step.
    """

    noise: str
    noise_level: float
    n_steps: int
    batch_size: int
    lr: float
    mask_prob: float
    seed: int
    checkpoints: tuple = ()
    diffuse_gas: float = 0.0
    diffuse_gas_labels: tuple = ()
    diffuse_gas_models: float = 1.0


@contextmanager
def _one_thread():
    # Batches of a few hundred rows through 64-unit layers are too small to gain from
    # intra-op threads, and threads contend badly with other processes: train on one.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def train_network(
    net: NebulaNet,
    spec: FeatureSpec,
    scaler: Scaler,
    data: TrainingData,
    config: TrainingConfig,
    losses: Sequence[AdaptationLoss] = (),
    callback: Callable[[int, dict], None] | None = None,
) -> tuple[list[dict], dict]:
    """Train ``net`` in place on class-balanced, noise-perturbed source batches.

    Each step draws the same number of models per class, perturbs their
    fluxes (``config.noise``), masks random features and computes the source
    cross-entropy. With adaptation ``losses`` it also draws a target batch of
    the same size, runs one forward pass over ``[source, target]`` and adds
    each loss object's term; the loop itself knows no method (see
    :mod:`nebuladapt.models.losses`).

    Returns
    -------
    history : list of dict
        Per-step losses (and whatever records the losses' hooks return).
    snapshots : dict of int to dict
        Network ``state_dict`` copies after each step in ``config.checkpoints``.
    """
    with _one_thread():
        torch.manual_seed(config.seed)
        generator = torch.Generator().manual_seed(config.seed)
        dust_generator = torch.Generator().manual_seed(config.seed + _DUST_SEED_OFFSET)
        gas_generator = torch.Generator().manual_seed(config.seed + diffuse_gas.SEED_OFFSET)
        gas_labels = torch.tensor(config.diffuse_gas_labels, dtype=torch.int64)
        n_classes = int(data.source_label.max()) + 1
        per_class = [torch.nonzero(data.source_label == c).squeeze(1) for c in range(n_classes)]
        per_batch = max(1, config.batch_size // n_classes)
        target_x = None
        target_features = log_ratios(data.target_flux, spec)
        mask_prob = mask_probabilities(target_features, config.mask_prob)
        if losses:
            # rows without any feature carry nothing to align or to make confident
            target_rows = torch.nonzero(torch.isfinite(target_features).any(dim=1)).squeeze(1)
            target_x = encode(target_features[target_rows], scaler)
            if target_x.shape[0] == 0:
                raise ValueError("adaptation needs target rows (sample_domain < 0) with at least one line ratio")
            context = TrainingContext(net, target_x, n_classes, config.n_steps, target_rows)
            for term in losses:
                term.start(context)
        optimiser = torch.optim.Adam(net.parameters(), lr=config.lr, foreach=True)
        history: list[dict] = []
        snapshots: dict[int, dict] = {}
        net.train()
        for step in range(config.n_steps):
            for term in losses:
                note = term.before_step(step)
                if note is not None:
                    history.append(note)
            idx = torch.cat(
                [rows[torch.randint(len(rows), (per_batch,), generator=generator)] for rows in per_class]
            )
            flux = data.source_flux[idx]
            if config.diffuse_gas > 0:  # the aperture's diffuse gas first, then the noise of the blend
                blended = torch.isin(data.source_label[idx], gas_labels)
                flux = diffuse_gas.blend_diffuse_gas(flux, spec.lines, config.diffuse_gas, gas_generator, blended,
                                                     config.diffuse_gas_models)
            flux = inject_noise(flux, config.noise, config.noise_level, generator, data.target_fractional_errors)
            features = random_mask(log_ratios(flux, spec), mask_prob, generator)
            x = encode(redden_without_hbeta(features, spec, dust_generator), scaler)
            if target_x is not None:
                t_idx = torch.randint(target_x.shape[0], (len(idx),), generator=generator)
                x = torch.cat([x, target_x[t_idx]])
            embedding = net.feature_extractor(x)
            batch = Batch(
                net, step, step / max(1, config.n_steps - 1), embedding, net.label_head(embedding),
                data.source_label[idx], record={"step": step}, inputs=x,
            )
            for term in losses:
                term.prepare(batch)
            loss = label_loss = source_classification_loss(batch)
            for term in losses:
                value = term(batch)
                if value is not None:
                    loss = loss + value
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            batch.record["label_loss"] = label_loss.item()
            history.append(batch.record)
            if step + 1 in config.checkpoints:
                snapshots[step + 1] = {k: v.detach().clone() for k, v in net.state_dict().items()}
            if callback is not None:
                callback(step, batch.record)
        net.eval()
    return history, snapshots


def source_classification_loss(batch: Batch) -> torch.Tensor:
    """Source cross-entropy, weighted per row when ``batch.source_weight`` is set."""
    logits = batch.logits[: batch.n_source]
    if batch.source_weight is None:
        return nn.functional.cross_entropy(logits, batch.source_label)
    per_row = nn.functional.cross_entropy(logits, batch.source_label, reduction="none")
    return (per_row * batch.source_weight).mean()
