"""Mask training models with the target rows' own missing-line patterns? Exploratory, not a registered candidate.

The default masks each feature of a source row on its own, with the target's missing share of that
feature (``nebuladapt.models.training.mask_probabilities``). That matches each line's share, not
which lines go missing *together*. Where lines are lost by faintness, the same rows lose [NII] and
[SII] (metal-poor HII regions, PNe): 34 of 240 rows of "faint lines undetected, 2-20 %", against
about 4 % of the training models (0.2 x 0.2). Those rows flip between PN and SNR from seed to seed
(the default's 0.772 +- 0.110 there). This variant masks each source row with the missing pattern of
a random target row (one that gives a ratio), then each feature with the base probability
``mask_prob``; where no target row lacks a ratio it draws nothing more, as the default. Nothing is
chosen from it: any change of the default needs a registration and a held-out family first.
Labels only score.

    nice -n 10 python benchmarks/joint_masks.py run --shard 0/2     # and 1/2, in parallel
    python benchmarks/joint_masks.py report                         # -> results/joint_masks.md
"""

from __future__ import annotations

import dataclasses
import sys
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parent))
import trust_suite  # noqa: E402
from _registered import choice_tasks, exploratory_jobs, exploratory_report, main, run_jobs  # noqa: E402
from all_families import default_records  # noqa: E402
from consistency import faint_tasks  # noqa: E402
from usable_rows import pair_tasks  # noqa: E402

from nebuladapt.grids import load_source_grids  # noqa: E402
from nebuladapt.models import training  # noqa: E402
from nebuladapt.models.losses.adversarial import DomainAdversarialLoss  # noqa: E402
from nebuladapt.models.networks import grl_lambda  # noqa: E402

PREFIX = "joint_masks"
_RANDOM_MASK = training.random_mask  # the default's draw (the patch replaces the module's name)
CANDIDATE = "default, training models masked with target rows' patterns"
#: The choice tasks that lose a line (the others keep the benchmark's own gaps only).
CHOICE = tuple(f"no {line} in {where}" for line in ("HB4861", "OIII5006", "SII6716_6730")
               for where in ("30% random", "all rows")) + (
    "no HB4861 in 60% of HII", "no OIII5006 in 60% of SNR", "no SII6716_6730 in 60% of PN", "benchmark as shipped", "HII only")


def pattern_mask(patterns: torch.Tensor | None):
    """``random_mask`` that first copies the missing pattern of a random row of ``patterns`` (bool, one row per
    target row that gives a ratio; None or no True: the default's draw alone)."""
    def mask(features, prob, generator):
        if patterns is None or not patterns.any():
            return _RANDOM_MASK(features, prob, generator)
        copied = patterns[torch.randint(len(patterns), (features.shape[0],), generator=generator)]
        drop = copied | (torch.rand(features.shape, generator=generator) < torch.as_tensor(prob))
        all_dropped = drop.all(dim=1)
        drop[all_dropped] = copied[all_dropped]  # a target pattern always leaves a ratio
        return torch.where(drop, torch.full_like(features, float("nan")), features)

    return mask


@contextmanager
def joint_patch():
    """Patch the training loop: base-probability masking plus a copied target pattern per source row."""
    calls: list = []
    state: dict = {}

    def probabilities(target_features, base):
        given = torch.isfinite(target_features)
        usable = given.any(dim=1)
        state["patterns"] = ~given[usable] if usable.any() else None
        calls.append(1)
        return torch.full((target_features.shape[1],), float(base), dtype=torch.float32)

    def mask(features, prob, generator):
        return pattern_mask(state.get("patterns"))(features, prob, generator)

    with mock.patch.object(training, "mask_probabilities", probabilities), \
            mock.patch.object(training, "random_mask", mask):  # fmt: skip
        yield calls


VIEW = "default, target patterns, alignment on the rows that give the common ratios"


class CommonViewDANN(DomainAdversarialLoss):
    """Marginal DANN on the rows (source and target) that give every ratio most target rows give (the
    "common" ratios), the others blanked: the discriminator never sees which rarer ratios a row lacks.
    Where no ratio is given by half the target rows it is the default's term."""

    def start(self, context):
        n = context.target_x.shape[1] // 2
        self.common = (1.0 - context.target_x[:, n:]).mean(dim=0) >= 0.5

    def __call__(self, batch):
        if not self.common.any():
            return super().__call__(batch)
        n = batch.inputs.shape[1] // 2
        keep = (batch.inputs[:, n:][:, self.common] < 0.5).all(dim=1)
        x = batch.inputs[keep].clone()
        rare = torch.nonzero(~self.common).squeeze(1)
        x[:, rare], x[:, n + rare] = 0.0, 1.0
        domain = (torch.arange(len(batch.inputs)) >= batch.n_source)[keep].to(torch.float32)
        if domain.min() == domain.max():  # one domain only: nothing to align this step
            return None
        batch.net.grl.coeff = self.weight * grl_lambda(batch.progress)
        logits = batch.net.domain_logits(batch.net.feature_extractor(x))
        loss = self._bce(logits, domain).mean()
        batch.record.update(domain_loss=loss.item(), grl_coeff=batch.net.grl.coeff)
        return loss


@contextmanager
def view_patch():
    """:func:`joint_patch` and :class:`CommonViewDANN` in place of the marginal DANN."""
    with joint_patch() as calls, mock.patch("nebuladapt.models.estimator.build_alignment",
                                            lambda name, weight: [CommonViewDANN(weight)]):  # fmt: skip
        yield calls


SHOCK_ONLY = "default, shock-only SNR models"
JOINT_SHOCK_ONLY = "default, target patterns, shock-only SNR models"


def precursor_models() -> np.ndarray:
    """Rows of the source grids (order of ``source_line_fluxes``) that are shock+precursor models."""
    grids = load_source_grids()
    return (np.asarray(grids["class"]) == "SNR") & (np.asarray(grids["shock_component"]) == "sp")


@contextmanager
def shock_only_patch():
    """``task_arrays`` without the Allen et al. (2008) shock+precursor models (and any held-out slice)."""
    with drop_patch(precursor_models()) as calls:
        yield calls


@contextmanager
def drop_patch(drop: np.ndarray):
    """``task_arrays`` without the source rows ``drop`` (rows of ``load_source_grids``; and any held-out slice)."""
    calls, original = [], trust_suite.task_arrays

    def arrays(task, spec=None):
        calls.append(int(drop.sum()))
        keep = ~drop if task.source_keep is None else task.source_keep & ~drop
        return original(dataclasses.replace(task, source_keep=keep), spec)

    with mock.patch.object(trust_suite, "task_arrays", arrays):
        yield calls


@contextmanager
def joint_shock_only_patch():
    with joint_patch(), shock_only_patch() as calls:
        yield calls


PATCHES = {CANDIDATE: joint_patch, VIEW: view_patch, SHOCK_ONLY: shock_only_patch,
           JOINT_SHOCK_ONLY: joint_shock_only_patch}
#: The tasks of the shock-only variants (fewer: the question is the [OIII]-only rows and the SNRs).
SHOCK_TASKS = ("no SII6716_6730 in 30% random", "no SII6716_6730 in all rows", "benchmark as shipped", "HII only",
               "Long+19 SNR", "SNR only")


def tasks() -> dict:
    return {**choice_tasks(CHOICE), **{t.name: t for t in (*pair_tasks(), *faint_tasks())}}


def shock_tasks() -> dict:
    return {**choice_tasks(SHOCK_TASKS), **{t.name: t for t in (*pair_tasks(), *faint_tasks())}}


def run(shard: str) -> None:
    jobs = exploratory_jobs((CANDIDATE, VIEW), tasks()) + exploratory_jobs((SHOCK_ONLY, JOINT_SHOCK_ONLY), shock_tasks())
    run_jobs(jobs, PREFIX, shard, PATCHES)


def report() -> None:
    exploratory_report(PREFIX, "Training models masked with the target rows' missing patterns", {**tasks(), **shock_tasks()},
                       default_records(), "default (stored)", PATCHES, recall=True)


if __name__ == "__main__":
    main(__doc__, run, report)
