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
    STOP18_DEFAULT, choice_tasks, exploratory_jobs, exploratory_report, main, run_jobs,
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


def tasks() -> dict:
    return choice_tasks(TASKS)


def run(shard: str) -> None:
    run_jobs(exploratory_jobs([CONFIG], tasks()), PREFIX, shard, {CONFIG: dilute})


def report() -> None:
    exploratory_report(PREFIX, "Training without the shock models of dense gas", tasks(), STOP18_DEFAULT,
                       "default (5 members), stored", [CONFIG], recall=True)


if __name__ == "__main__":
    main(__doc__, run, report)
