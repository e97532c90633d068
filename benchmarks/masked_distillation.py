"""Distil the members' target probabilities through masked lines? Exploratory, not registered.

The default's last network learns the members' mean probabilities of the target rows
(``TargetDistillation``). A row that lost a line is classified from what the grids say about rows
without it, class-balanced; ``no_oiii_diagnosis.py`` showed HII regions without [OIII] then come back
SNR, while the same catalogue's HII regions that kept [OIII] are classified well. Here the distilled
network sees each target row with whole lines masked at random (each line with probability
``max(mask_prob, the target's share of rows without it)``, never every ratio of a row) and is asked
for the members' probabilities of the row as measured: consistency under masking, with no label.

* ``masked``: every target row, masked at random;
* ``masked, complete rows``: only the rows that give every ratio of the fit are distilled (masked at
  random); the members' probabilities of rows that lost a line are not used. Falls back to every row
  where fewer than a tenth of the rows are complete.

Nothing is chosen from it: any change of the default needs a registration and a held-out family.
Labels only score.

    nice -n 10 python benchmarks/masked_distillation.py run --shard 0/2     # and 1/2, in parallel
    python benchmarks/masked_distillation.py report                         # -> results/masked_distillation.md
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import torch

sys.path.insert(0, str(Path(__file__).parent))
from _registered import (  # noqa: E402
    STOP18_DEFAULT, choice_tasks, exploratory_jobs, exploratory_report, main, run_jobs,
)

from nebuladapt.models import ensemble  # noqa: E402
from nebuladapt.models.losses.distillation import TargetDistillation  # noqa: E402

PREFIX = "masked_distillation"
COMPLETE = "default, masked distillation of complete rows"
CONFIGS = {"default, masked distillation": False, COMPLETE: True}
TASKS = ("no OIII5006 in 30% random", "no HB4861 in 60% of HII", "no SII6716_6730 in 30% random",
         "benchmark as shipped")  # fmt: skip
#: Least share of complete rows for ``complete rows`` to distil only them.
LEAST_COMPLETE = 0.1


class MaskedDistillation(TargetDistillation):
    """:class:`TargetDistillation` of target rows with whole lines masked at random."""

    def __init__(self, teacher, weight, batch_size, seed, spec, base_prob: float, complete_only: bool):
        super().__init__(teacher, weight, batch_size, seed)
        self.groups = [[k for k, r in enumerate(spec.ratios) if line in (r.numerator, r.denominator)]
                       for line in spec.lines]  # fmt: skip
        self.base_prob, self.complete_only = base_prob, complete_only

    def start(self, context) -> None:
        super().start(context)
        n = self.target_x.shape[1] // 2
        missing = self.target_x[:, n:] > 0.5
        self.prob = torch.tensor([max(self.base_prob, float(missing[:, g].all(dim=1).float().mean()))
                                  for g in self.groups])  # fmt: skip
        complete = ~missing.any(dim=1)
        keep = complete[self.rows]
        if self.complete_only and float(keep.float().mean()) >= LEAST_COMPLETE:
            self.rows = self.rows[keep]

    def __call__(self, batch):
        if len(self.rows) == 0:
            return None
        rows = self.rows[torch.randint(len(self.rows), (self.batch_size,), generator=self.generator)]
        x = self.target_x[rows].clone()
        n = x.shape[1] // 2
        drop_line = torch.rand((len(rows), len(self.groups)), generator=self.generator) < self.prob
        drop = torch.zeros((len(rows), n), dtype=torch.bool)
        for j, g in enumerate(self.groups):
            drop[:, g] |= drop_line[:, j : j + 1]
        given = x[:, n:] < 0.5
        drop &= given
        drop[(given & ~drop).sum(dim=1) == 0] = False  # never every ratio a row gives
        x[:, :n] = torch.where(drop, torch.zeros_like(x[:, :n]), x[:, :n])
        x[:, n:] = torch.where(drop, torch.ones_like(x[:, n:]), x[:, n:])
        log_p = torch.log_softmax(self.net(x), dim=1)
        value = -(self.teacher[rows] * log_p).sum(dim=1).mean()
        batch.record[self.name] = value.item()
        return self.weight * value


def masked(complete_only: bool, base_prob: float | None = None):
    """The default with :class:`MaskedDistillation` in place of its distillation term.

    ``base_prob``: least masking probability of a line (None: the model's ``mask_prob``).
    """

    @contextmanager
    def patch():
        calls, original = [], ensemble.distillation_losses

        def losses(model, *args, **kwargs):
            (term,), callback, start = original(model, *args, **kwargs)
            calls.append(1)
            new = MaskedDistillation(term.teacher.numpy(), term.weight, term.batch_size, term.seed,
                                     model.spec_, model.mask_prob if base_prob is None else base_prob,
                                     complete_only)  # fmt: skip
            return [new], callback, start

        with mock.patch.object(ensemble, "distillation_losses", losses):
            yield calls

    return patch


def tasks() -> dict:
    return choice_tasks(TASKS)


def run(shard: str) -> None:
    run_jobs(exploratory_jobs(list(CONFIGS), tasks()), PREFIX, shard, {c: masked(v) for c, v in CONFIGS.items()})


def report() -> None:
    exploratory_report(PREFIX, "Distillation through masked lines", tasks(), STOP18_DEFAULT,
                       "default (5 members), stored", list(CONFIGS), recall=True)


if __name__ == "__main__":
    main(__doc__, run, report)
