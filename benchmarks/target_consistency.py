"""Members that answer alike with and without a line? Exploratory, not registered.

In the tenth family ("faint lines undetected") the HII regions that lost their faint [OIII] sit apart,
in the inputs without [OIII], from those that kept it; the kept ones alone lie next to the SNRs, and the
target-entropy and alignment terms merge them into SNR (``entropy_gate.py``: already a source-only
network calls 34 of those 84 regions SNR). Here each member also learns, on the target rows of its
batches, to give a row with whole lines masked at random (each line with probability
``max(mask_prob, the target's share of rows without it)``, never every ratio a row gives) the class
probabilities it gives the row as measured: a KL term, ramped like the entropy term, weight 1. Two
variants: the row as measured is the fixed teacher (its probabilities detached), or both sides learn.
The distilled network is unchanged. No label is used; nothing is chosen from this run. Both variants
were fitted on the tenth family first; both called nearly every row SNR there (HII recall 0.00 on
4 of 6 fits), so the run was stopped before the choice tasks.

    nice -n 10 python benchmarks/target_consistency.py run --shard 0/2     # and 1/2, in parallel
    python benchmarks/target_consistency.py report                         # -> results/target_consistency.md
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import torch

sys.path.insert(0, str(Path(__file__).parent))
from _registered import (  # noqa: E402
    exploratory_jobs, exploratory_report, main, run_jobs,
)
from consistency import PREFIX as TENTH  # noqa: E402
from consistency import faint_tasks  # noqa: E402

from nebuladapt.models.estimator import NebulaClassifier  # noqa: E402
from nebuladapt.models.losses.base import AdaptationLoss  # noqa: E402
from nebuladapt.models.networks import grl_lambda  # noqa: E402

PREFIX = "target_consistency"
DETACHED = "default, members consistent under masking (teacher detached)"
BOTH = "default, members consistent under masking (both sides learn)"


def mask_lines(x: torch.Tensor, groups: list, prob: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Encoded rows ``x`` (``[features, missing mask]``) with whole lines masked at random, never every ratio."""
    n = x.shape[1] // 2
    drop_line = torch.rand((len(x), len(groups)), generator=generator) < prob
    drop = torch.zeros((len(x), n), dtype=torch.bool)
    for j, g in enumerate(groups):
        drop[:, g] |= drop_line[:, j : j + 1]
    given = x[:, n:] < 0.5
    drop &= given
    drop[(given & ~drop).sum(dim=1) == 0] = False
    out = x.clone()
    out[:, :n] = torch.where(drop, torch.zeros_like(x[:, :n]), x[:, :n])
    out[:, n:] = torch.where(drop, torch.ones_like(x[:, n:]), x[:, n:])
    return out


class TargetConsistency(AdaptationLoss):
    """``weight * lambda_p * mean_i KL(p(. | x_i) || p(. | masked x_i))`` over the batch's target rows."""

    name = "target_consistency"

    def __init__(self, weight: float, spec, base_prob: float, seed: int, detach: bool) -> None:
        self.weight, self.base_prob, self.detach = weight, base_prob, detach
        self.groups = [[k for k, r in enumerate(spec.ratios) if line in (r.numerator, r.denominator)]
                       for line in spec.lines]  # fmt: skip
        self.generator = torch.Generator().manual_seed(int(seed) + 7919)

    def start(self, context) -> None:
        n = context.target_x.shape[1] // 2
        missing = context.target_x[:, n:] > 0.5
        self.prob = torch.tensor([max(self.base_prob, float(missing[:, g].all(dim=1).float().mean()))
                                  for g in self.groups])  # fmt: skip

    def __call__(self, batch):
        x = batch.inputs[batch.n_source :]
        log_q = torch.log_softmax(batch.net(mask_lines(x, self.groups, self.prob, self.generator)), dim=1)
        log_p = torch.log_softmax(batch.target_logits, dim=1)
        if self.detach:
            log_p = log_p.detach()
        value = (log_p.exp() * (log_p - log_q)).sum(dim=1).mean()
        batch.record[self.name] = value.item()
        return self.weight * grl_lambda(batch.progress) * value


def consistent(detach: bool):
    """A context manager: every adapting fit (the members) also trains :class:`TargetConsistency`."""

    @contextmanager
    def patch():
        calls, original = [], NebulaClassifier._adaptation_losses

        def losses(self):
            out = original(self)
            if out:
                calls.append(1)
                out.append(TargetConsistency(1.0, self.spec_, self.mask_prob, self.random_state, detach))
            return out

        with mock.patch.object(NebulaClassifier, "_adaptation_losses", losses):
            yield calls

    return patch


PATCHES = {DETACHED: consistent(True), BOTH: consistent(False)}


def tasks() -> dict:
    return {t.name: t for t in faint_tasks()}


def run(shard: str) -> None:
    run_jobs(exploratory_jobs(PATCHES, tasks()), PREFIX, shard, PATCHES)


def report() -> None:
    exploratory_report(PREFIX, "Members consistent under masked lines", tasks(), (f"{TENTH}_*.jsonl", "default"),
                       "default (5 members), stored", PATCHES, recall=True)


if __name__ == "__main__":
    main(__doc__, run, report)
