"""No target entropy on rows that give a single kind of ratio? Exploratory, not a registered candidate.

Rows whose only ratios are [NII] ones (``nii_only``) or [OIII] ones (``oiii_only``) cannot separate the classes,
and the target-entropy term turns the grids' lean there into confident calls (``nii_only_diagnosis.md``). This
fits the default with the entropy term skipping those rows, on the seen tasks that hold many of them (the
sixteenth family, [OIII] and [SII] lost together, faint lines, a lost spectrograph arm) and on three choice tasks,
seeds 0-2. Nothing is chosen from it: a change of the default needs a registration and a new held-out family.
Labels only score.

    nice -n 10 python benchmarks/single_kind_entropy.py run --shard 0/2     # and 1/2, in parallel (30 fits)
    python benchmarks/single_kind_entropy.py report                         # -> results/single_kind_entropy.md
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parent))
from _registered import choice_tasks, exploratory_jobs, exploratory_report, load, main, run_jobs  # noqa: E402
from consistency import faint_tasks  # noqa: E402
from entropy_rows import weighted_entropy  # noqa: E402
from members_temperature import CANDIDATE as MATCHED  # noqa: E402
from members_temperature import PREFIX as SIXTEENTH_RUN  # noqa: E402
from members_temperature import depth_tasks  # noqa: E402
from spectrograph_arm import arm_tasks  # noqa: E402
from weight_average import default_tasks  # noqa: E402

from nebuladapt.features import nii_only_rows, oiii_only_rows  # noqa: E402
from nebuladapt.models import estimator  # noqa: E402

PREFIX = "single_kind_entropy"
CONFIG = "default, no entropy on single-kind rows"
CHOICE = ("benchmark as shipped", "no OIII5006 in all rows", "no SII6716_6730 in all rows")
PAIR = "no OIII5006 and SII6716_6730 in 50% random"


def single_kind(given: torch.Tensor, spec) -> torch.Tensor:
    """Rows (of a given-feature mask in ``spec`` order) whose ratios are all [NII] or all [OIII] ones
    (:func:`nebuladapt.features.nii_only_rows`, :func:`~nebuladapt.features.oiii_only_rows`)."""
    features = np.where(given.numpy(), 0.0, np.nan)
    return torch.from_numpy(nii_only_rows(features, spec) | oiii_only_rows(features, spec))


#: The feature spec of the network being trained (set by the patched training loop; fits run in this process).
_SPEC: list = []


def several_kinds(batch) -> torch.Tensor:
    """1 for each target row of ``batch`` that gives more than one kind of ratio, else 0."""
    n_features = batch.inputs.shape[1] // 2
    given = batch.inputs[batch.n_source:, n_features:] < 0.5  # the inputs' second half: 1 where missing
    return (~single_kind(given, _SPEC[0])).float()


@contextmanager
def patch():
    """The estimator's entropy term, averaged over the target rows of the batch that give more than one kind of ratio
    (``entropy_rows.weighted_entropy``); the training loop records the spec of the network it trains."""
    original = estimator.train_network

    def train(net, spec, *args, **kwargs):
        _SPEC[:] = [spec]
        return original(net, spec, *args, **kwargs)

    with weighted_entropy(several_kinds)() as calls, mock.patch.object(estimator, "train_network", train):
        yield calls


def tasks() -> dict:
    from usable_rows import pair_tasks

    pair = {t.name: t for t in pair_tasks() if t.name == PAIR}
    return {**choice_tasks(CHOICE), **pair, **{t.name: t for build in (faint_tasks, arm_tasks, depth_tasks)
                                                for t in build()}}  # fmt: skip


def run(shard: str) -> None:
    run_jobs(exploratory_jobs((CONFIG,), tasks()), PREFIX, shard, {CONFIG: patch})


def report() -> None:
    named = tasks()
    stored = {k: r for k, r in default_tasks()[0].items() if k[0] in named}
    sixteenth = {k: {**r, "proba": r["proba_untempered"]} for k, r in load(f"{SIXTEENTH_RUN}_*.jsonl", MATCHED).items()
                 if k[0] in named}  # the default's probabilities of the sixteenth family (same seed, same network)
    exploratory_report(PREFIX, "No target entropy on rows that give a single kind of ratio", named,
                       {**stored, **sixteenth}, "default (stored)", (CONFIG,), recall=True)


if __name__ == "__main__":
    main(__doc__, run, report)
