"""Shock models of dense gas out of the SNR grid, and the ninth held-out family ("Balmer absorption left in").

Registered in results/shock_density_registration.md before any fit beyond the exploratory run
(``dilute_shocks.py``, whose records count unchanged). ``run`` fits; ``report`` applies the
registered rules (choice tasks and seen families against the current default's stored records),
then the confirmation rule on the new family. Labels only score.

    nice -n 10 python benchmarks/shock_density.py run --shard 0/2     # and 1/2, in parallel
    python benchmarks/shock_density.py report                         # -> results/shock_density_result.md
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _registered import STOP18_DEFAULT, RegisteredRun, main, per_object  # noqa: E402
from complete_rows import PREFIX as EIGHTH  # noqa: E402
from complete_rows import SEEN as COMPLETE_ROWS_SEEN  # noqa: E402
from complete_rows import offset_tasks  # noqa: E402
from dilute_shocks import CONFIG as CANDIDATE  # noqa: E402
from dilute_shocks import PREFIX as EXPLORED  # noqa: E402
from dilute_shocks import dilute  # noqa: E402

from nebuladapt.benchmark import benchmark_catalog, load_benchmark  # noqa: E402
from nebuladapt.dust import deredden_catalog  # noqa: E402
from nebuladapt.evaluation.tasks import Task  # noqa: E402

FAMILY = "Balmer absorption left in"
PREFIX = "shock_density"
#: Task name -> (range of f, the share of Hbeta lost, drawn per object group; task seed).
ABSORPTION = {"Balmer absorption, 10 % of Hbeta": ((0.1, 0.1), 701),
              "Balmer absorption, up to 30 % of Hbeta per object": ((0.0, 0.3), 702)}  # fmt: skip
#: Halpha loses this share of what Hbeta loses (equal absorption EW, a larger emission EW at Halpha).
HALPHA_SHARE = 1.0 / 3.0
#: The seen families (rule 6): their tasks, and the pattern and configuration of the current default's records.
SEEN = {**COMPLETE_ROWS_SEEN, "blue and red lines calibrated apart": (offset_tasks, f"{EIGHTH}_*.jsonl", "default")}


def absorption_task(name: str, f_range: tuple[float, float], seed: int) -> Task:
    """The benchmark with Hbeta x (1 - f), Halpha x (1 - f/3), f ~ U(f_range) per object group, then dereddened."""
    table = load_benchmark()
    labels = np.asarray(table["class"]).astype(str)
    groups = np.asarray(table["group_id"]).astype(str)
    catalog = benchmark_catalog()
    f = per_object(groups, f_range, seed)
    keep = {"HB4861": 1.0 - f, "HA6562": 1.0 - HALPHA_SHARE * f}
    flux = {line: v * keep[line] if line in keep else v for line, v in catalog.flux.items()}
    return Task(name, FAMILY, deredden_catalog(replace(catalog, flux=flux)), labels, groups, seed,
                description=f"Hbeta x (1 - f), Halpha x (1 - f/3), f ~ U{f_range} per object group")


def absorption_tasks() -> list[Task]:
    return [absorption_task(name, f_range, seed) for name, (f_range, seed) in ABSORPTION.items()]


RUN = RegisteredRun(PREFIX, CANDIDATE, dilute, EXPLORED, STOP18_DEFAULT, SEEN, FAMILY, absorption_tasks,
                    {"baseline": "the current default (5 members, stored)",
                     "seen_baseline": "current default (5 members)", "seen_candidate": "shocks n <= 10 cm-3",
                     "default": "the current default, 5 members"})  # fmt: skip


def report() -> None:
    RUN.report("Shock models of dense gas out of the SNR grid", "the exploratory run")


if __name__ == "__main__":
    main(__doc__, RUN.run, report)
