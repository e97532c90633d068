"""Distillation through masked lines, and the tenth held-out family ("faint lines undetected").

Registered in results/consistency_registration.md before any fit beyond the exploratory run
(``masked_distillation.py``, whose records of the candidate count as its records). ``run`` fits;
``report`` applies the registered rules (choice tasks and the seen families against the current
default's stored records), then the confirmation rule on the new family. Labels only score.

    nice -n 10 python benchmarks/consistency.py run --shard 0/2     # and 1/2, in parallel
    python benchmarks/consistency.py report                         # -> results/consistency_result.md
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _registered import STOP18_DEFAULT, RegisteredRun, main, per_object  # noqa: E402
from masked_distillation import COMPLETE as CANDIDATE  # noqa: E402
from masked_distillation import CONFIGS, masked  # noqa: E402
from masked_distillation import PREFIX as EXPLORED  # noqa: E402
from missing_lines import LINE_COLUMNS  # noqa: E402
from shock_density import PREFIX as NINTH  # noqa: E402
from shock_density import SEEN as SHOCK_DENSITY_SEEN  # noqa: E402
from shock_density import absorption_tasks  # noqa: E402

from nebuladapt.benchmark import benchmark_catalog, load_benchmark  # noqa: E402
from nebuladapt.dust import deredden_catalog  # noqa: E402
from nebuladapt.evaluation.tasks import Task, remove_lines  # noqa: E402
from nebuladapt.lines import CASE_B_HA_HB  # noqa: E402

FAMILY = "faint lines undetected"
PREFIX = "consistency"
#: Task name -> (range of the detection limit as a share of Halpha, drawn per object group; task seed).
LIMITS = {"faint lines undetected, limit 10 % of Halpha": ((0.1, 0.1), 711),
          "faint lines undetected, limit 2-20 % of Halpha per object": ((0.02, 0.2), 712)}  # fmt: skip
#: The seen families (rule 6): their tasks, and the pattern and configuration of the current default's records.
SEEN = {**SHOCK_DENSITY_SEEN, "Balmer absorption left in": (absorption_tasks, f"{NINTH}_*.jsonl", "default")}


def _total(flux: dict, line: str) -> np.ndarray:
    """Flux of ``line``; [SII] as its sum where only the two lines are given."""
    value = np.asarray(flux[line], dtype=float)
    if line == "SII6716_6730":
        pair = np.nansum([flux["SII6716"], flux["SII6730"]], axis=0)
        value = np.where(np.isfinite(value), value, np.where(pair > 0, pair, np.nan))
    return value


def undetected(catalog, limit: np.ndarray) -> dict:
    """line -> rows where it is fainter than ``limit`` x Halpha (Halpha = 2.86 Hbeta where not given)."""
    halpha = np.asarray(catalog.flux["HA6562"], dtype=float)
    halpha = np.where(np.isfinite(halpha), halpha, CASE_B_HA_HB * np.asarray(catalog.flux["HB4861"], dtype=float))
    return {line: _total(catalog.flux, line) < limit * halpha for line in LINE_COLUMNS}


def faint_task(name: str, limit_range: tuple[float, float], seed: int) -> Task:
    """The benchmark without the lines fainter than a detection limit (share of Halpha), then dereddened."""
    table = load_benchmark()
    labels = np.asarray(table["class"]).astype(str)
    groups = np.asarray(table["group_id"]).astype(str)
    catalog = benchmark_catalog()
    lost = undetected(catalog, per_object(groups, limit_range, seed))
    for line, rows in lost.items():
        catalog = remove_lines(catalog, line, rows, LINE_COLUMNS[line])
    counts = ", ".join(f"{line} {int(rows.sum())}" for line, rows in lost.items())
    return Task(name, FAMILY, deredden_catalog(catalog), labels, groups, seed, removed=lost,
                description=f"lines below U{limit_range} x Halpha (per object group) removed: {counts}")


def faint_tasks() -> list[Task]:
    return [faint_task(name, limit_range, seed) for name, (limit_range, seed) in LIMITS.items()]


RUN = RegisteredRun(PREFIX, CANDIDATE, masked(CONFIGS[CANDIDATE]), EXPLORED, STOP18_DEFAULT, SEEN, FAMILY,
                    faint_tasks,
                    {"baseline": "the current default (5 members, stored)",
                     "seen_baseline": "current default (5 members)", "seen_candidate": "masked distillation",
                     "default": "the current default, 5 members"})  # fmt: skip


def report() -> None:
    RUN.report("Distillation through masked lines", "the exploratory run")


if __name__ == "__main__":
    main(__doc__, RUN.run, report)
