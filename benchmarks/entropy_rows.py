"""Should the target-entropy term skip rows that lost ratios? Exploratory, not a registered candidate.

The sixth family ("two lines lost together", ``usable_rows.py``) did not confirm the default: the
paper's DANN without the entropy term beat it, most where [SII] is lost with Hbeta. Entropy
minimisation pushes every target row to a confident class, also rows whose remaining ratios cannot
separate the classes. This fits two variants of the default (5 members) on that seen family and on
the two choice tasks with a line lost from every row: the entropy term only on target rows that give
every ratio of the model's features ("complete rows"), and the entropy of each row weighted by the
share of those ratios it gives ("given share"). Nothing is chosen from it: any change of the default
needs a registration and a held-out family first. Labels only score.

    nice -n 10 python benchmarks/entropy_rows.py run --shard 0/2     # and 1/2, in parallel
    python benchmarks/entropy_rows.py report                         # -> results/entropy_rows.md
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
from usable_rows import pair_tasks  # noqa: E402

from nebuladapt.models.losses.entropy import TargetEntropy  # noqa: E402
from nebuladapt.models.networks import grl_lambda  # noqa: E402

PREFIX = "entropy_rows"
COMPLETE = "default, entropy on complete rows"
SHARE = "default, entropy weighted by given share"
CHOICE = ("no HB4861 in all rows", "no OIII5006 in all rows")


def row_weights(batch, kind: str) -> torch.Tensor:
    """Per target row of ``batch``: 1/0 for a complete row, or the share of the features it gives."""
    n_features = batch.inputs.shape[1] // 2
    given = 1.0 - batch.inputs[batch.n_source :, n_features:]
    return given.min(dim=1).values if kind == "complete" else given.mean(dim=1)


def weighted_entropy(kind):
    """A context manager: the estimator's entropy term weighted per row by :func:`row_weights` of ``kind``, or by
    ``kind(batch)`` where ``kind`` is a function (one weight per target row of the batch)."""

    @contextmanager
    def patch():
        calls: list = []

        class Weighted(TargetEntropy):
            def __call__(self, batch):
                calls.append(1)
                log_p = torch.log_softmax(batch.target_logits, dim=1)
                per_row = -(log_p.exp() * log_p).sum(dim=1)
                w = kind(batch) if callable(kind) else row_weights(batch, kind)
                entropy = (w * per_row).sum() / w.sum().clamp(min=1.0)
                batch.record[self.name] = entropy.item()
                return self.weight * grl_lambda(batch.progress) * entropy

        with mock.patch("nebuladapt.models.estimator.TargetEntropy", Weighted):
            yield calls

    return patch


PATCHES = {COMPLETE: weighted_entropy("complete"), SHARE: weighted_entropy("share")}


def tasks() -> dict:
    return {**choice_tasks(CHOICE), **{t.name: t for t in pair_tasks()}}


def run(shard: str) -> None:
    run_jobs(exploratory_jobs(PATCHES, tasks()), PREFIX, shard, PATCHES)


def report() -> None:
    exploratory_report(PREFIX, "Target entropy on rows that lost ratios", tasks(), STOP18_DEFAULT,
                       "default (5 members), stored", PATCHES)


if __name__ == "__main__":
    main(__doc__, run, report)
