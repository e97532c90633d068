"""Keep the slower shock+precursor SNR models? Exploratory, not a registered candidate.

Stop 24's registered candidate (``spectrograph_arm.py``) trained the SNR class on the 3,921 shock-only
Allen et al. (2008) models; it made the faint-line rows seed-stable and failed rule 4 on one row of
"NEAT HII". The shock+precursor (``sp``) models that put SNR mass where the PNe are (log
[OIII]/Hbeta > 0.75) are the fast ones: 89-90 % of the ``sp`` models at 450 km/s and above, 0-21 %
below (counted from the grid, no label). This variant keeps the ``sp`` models below 450 km/s (1,485 of
3,921) and drops the faster ones. Nothing is chosen from it: a change of the default needs a
registration and a held-out family first. Labels only score.

    nice -n 10 python benchmarks/slow_precursor.py run --shard 0/2     # and 1/2, in parallel
    python benchmarks/slow_precursor.py report                         # -> results/slow_precursor.md
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _registered import choice_tasks, exploratory_jobs, exploratory_report, load, main, run_jobs  # noqa: E402
from all_families import default_records  # noqa: E402
from consistency import faint_tasks  # noqa: E402
from joint_masks import drop_patch  # noqa: E402

from nebuladapt.grids import load_source_grids  # noqa: E402

PREFIX = "slow_precursor"
SLOW_PRECURSOR = "default, SNR models: shock-only + shock+precursor below 450 km/s"
#: Slowest dropped shock+precursor velocity [km/s].
FAST = 450.0
TASKS = ("NEAT HII", "no SII6716_6730 in all rows", "benchmark as shipped", "no HB4861 in all rows")


def fast_precursor_models() -> np.ndarray:
    """Rows of the source grids that are shock+precursor models of at least :data:`FAST` km/s."""
    grids = load_source_grids()
    velocity = np.asarray(grids["shock_velocity"], dtype=float)
    return ((np.asarray(grids["class"]) == "SNR") & (np.asarray(grids["shock_component"]) == "sp")
            & (velocity >= FAST))  # fmt: skip


def slow_precursor_patch():
    """``task_arrays`` without the fast shock+precursor models (and any held-out slice)."""
    return drop_patch(fast_precursor_models())


def tasks() -> dict:
    return {**choice_tasks(TASKS), **{t.name: t for t in faint_tasks()}}


def run(shard: str) -> None:
    run_jobs(exploratory_jobs((SLOW_PRECURSOR,), tasks()), PREFIX, shard, {SLOW_PRECURSOR: slow_precursor_patch})


def report() -> None:
    from joint_masks import SHOCK_ONLY  # the stop-24 shock-only records, for comparison

    exploratory_report(PREFIX, "SNR models: shock-only plus the slower shock+precursor ones", tasks(),
                       default_records(), "default (stored)", (SLOW_PRECURSOR,), recall=True,
                       stored={"shock-only SNR models (stored)": {**load("spectrograph_arm_*.jsonl", SHOCK_ONLY),
                                                                 **load("joint_masks_*.jsonl", SHOCK_ONLY)}})


if __name__ == "__main__":
    main(__doc__, run, report)
