"""Does the target-entropy term cause the collapse of the tenth family? Exploratory, not registered.

The tenth held-out family ("faint lines undetected", ``consistency.py``) did not confirm the default:
at a 10 % limit it called every HII region that kept all its lines SNR, where the paper's DANN
(no entropy term) kept most of them (``results/faint_lines_diagnosis.md``). The sixth family, also
of rows without lines, favoured the paper's DANN too. This fits the default (5 members) with the
entropy term off, and with the entropy term only on rows that give every ratio (stop 19's variant),
on the tenth family (now seen) and on choice tasks where 10 % or more of the rows lack a line. Nothing
is chosen from it: a change of the default needs a registration and a new held-out family. Labels
only score.

    nice -n 10 python benchmarks/entropy_gate.py run --shard 0/2     # and 1/2, in parallel
    python benchmarks/entropy_gate.py report                         # -> results/entropy_gate.md
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import torch

sys.path.insert(0, str(Path(__file__).parent))
from _registered import (  # noqa: E402
    STOP18_DEFAULT, choice_tasks, exploratory_jobs, exploratory_report, load, main, run_jobs,
)
from consistency import PREFIX as TENTH  # noqa: E402
from trust_suite import CONFIGS  # noqa: E402
from consistency import faint_tasks  # noqa: E402
from entropy_rows import weighted_entropy  # noqa: E402

from nebuladapt.models.losses.entropy import TargetEntropy  # noqa: E402

PREFIX = "entropy_gate"
OFF = "default, no entropy term"
COMPLETE = "default, entropy on complete rows"
#: Second stage: the default with one or all of the paper DANN's settings (its members, starts, steps kept).
PARTS = {"default, fixed noise": {"noise": "fixed"}, "default, GRL 1": {"domain_weight": 1.0},
         "default, GRL 1, no entropy, fixed noise": {"domain_weight": 1.0, "entropy_weight": 0.0, "noise": "fixed"}}
PARAMS = {name: {**CONFIGS["default"], **change} for name, change in PARTS.items()}
CHOICE = ("no OIII5006 in 30% random", "SNR only", "PN-rich 20/60/20", "Long+19 SNR + NEAT PN")


@contextmanager
def no_entropy():
    """The estimator's entropy term contributes nothing (as ``entropy_weight=0``; members inherit it)."""
    calls: list = []

    class Off(TargetEntropy):
        def __call__(self, batch):
            calls.append(1)
            return torch.zeros((), dtype=batch.target_logits.dtype)

    with mock.patch("nebuladapt.models.estimator.TargetEntropy", Off):
        yield calls


PATCHES = {OFF: no_entropy, COMPLETE: weighted_entropy("complete")}


def tasks() -> dict:
    return {**{t.name: t for t in faint_tasks()}, **choice_tasks(CHOICE)}


def jobs() -> list:
    """Both variants on the tenth family first, then the entropy-off variant on the choice tasks, then
    the second stage (:data:`PARTS`) on the tenth family."""
    family = {t.name: t for t in faint_tasks()}
    return (exploratory_jobs(PATCHES, family) + exploratory_jobs([OFF], choice_tasks(CHOICE))
            + exploratory_jobs(PARAMS, family))


def run(shard: str) -> None:
    run_jobs(jobs(), PREFIX, shard, PATCHES, params=PARAMS)


def report() -> None:
    stored = {**load(*STOP18_DEFAULT), **load(f"{TENTH}_*.jsonl", "default")}
    exploratory_report(PREFIX, "The target-entropy term and the collapse of the tenth family", tasks(),
                       stored, "default (5 members), stored", [*PATCHES, *PARAMS], recall=True)


if __name__ == "__main__":
    main(__doc__, run, report)
