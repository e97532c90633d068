"""Shock models of dense gas only near HII regions? Train without them. Exploratory, not registered.

``no_oiii_diagnosis.py`` found that, in [NII]/Halpha and [SII]/Halpha alone, real HII regions sit
among as many shock models (per model of each class) as HII models. Of the Allen et al. (2008)
models within 0.1 dex of the median HII region, 44 of 66 have a pre-shock density of 100 or
1000 cm^-3 (series L and S), where [SII] is collisionally quenched. This fits the default (5
members) with the SNR grid cut to pre-shock densities <= 10 cm^-3 (series R, T, U, V, M, J, P, Q:
6,076 of 7,842 models) on three choice tasks, seeds 0-2, next to the default's stored records.
Nothing is chosen from it: any change of the default needs a registration and a held-out family.
Labels only score.

    nice -n 10 python benchmarks/dilute_shocks.py run --shard 0/2     # and 1/2, in parallel
    python benchmarks/dilute_shocks.py report                         # -> results/dilute_shocks.md
"""

from __future__ import annotations

import dataclasses
import sys
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import trust_suite  # noqa: E402
from _registered import (  # noqa: E402
    STOP18_DEFAULT, SEEDS, choice_tasks, load, main, run_jobs, scores, seed_table, write_report,
)

from nebuladapt.grids import load_source_grids  # noqa: E402

PREFIX = "dilute_shocks"
CONFIG = "default, shocks n <= 10 cm-3"
MAX_DENSITY = 10.0  # cm^-3, pre-shock
TASKS = ("no OIII5006 in all rows", "SNR only", "benchmark as shipped")


def dense_shocks() -> np.ndarray:
    """Rows of the source grids (order of ``source_line_fluxes``) that are shock models of dense gas."""
    grids = load_source_grids()
    density = np.asarray(grids["preshock_density"], dtype=float)
    return (np.asarray(grids["class"]) == "SNR") & (density > MAX_DENSITY)


@contextmanager
def dilute():
    """``task_arrays`` of the benchmark without the dense shock models (and any held-out slice)."""
    drop, calls, original = dense_shocks(), [], trust_suite.task_arrays

    def arrays(task, spec=None):
        keep = ~drop if task.source_keep is None else task.source_keep & ~drop
        calls.append(int(drop.sum()))
        return original(dataclasses.replace(task, source_keep=keep), spec)

    with mock.patch.object(trust_suite, "task_arrays", arrays):
        yield calls


def jobs():
    choice = choice_tasks()
    return [(CONFIG, choice[name], s) for s in SEEDS for name in TASKS]


def run(shard: str) -> None:
    run_jobs(jobs(), PREFIX, shard, {CONFIG: dilute})


def report() -> None:
    choice = {name: task for name, task in choice_tasks().items() if name in TASKS}
    runs = {"default (5 members), stored": scores({k: r for k, r in load(*STOP18_DEFAULT).items() if k[0] in choice},
                                                 choice),
            CONFIG: scores(load(f"{PREFIX}_*.jsonl", CONFIG), choice)}
    lines = ["# Training without the shock models of dense gas (exploratory, not registered)", "",
             "`python benchmarks/dilute_shocks.py report`. Balanced accuracy of what `nebuladapt predict` writes; "
             "mean +- std (ddof=1) [worst seed], then recall HII / PN / SNR of seed 0. Nothing was chosen from this table.",
             ""]
    lines += seed_table(runs, TASKS, recall=True)
    write_report(f"{PREFIX}.md", lines)


if __name__ == "__main__":
    main(__doc__, run, report)
