"""Target entropy on complete rows only, and the eighth held-out family ("blue and red lines calibrated apart").

Registered in results/complete_rows_registration.md before any fit (beyond the exploratory run of
``entropy_rows.py``, whose records of the candidate count as its records). ``run`` fits; ``report``
applies the registered rules (choice tasks and the three seen families against the current
default's stored records), then the confirmation rule on the new family. Labels only score.

    nice -n 10 python benchmarks/complete_rows.py run --shard 0/2     # and 1/2, in parallel
    python benchmarks/complete_rows.py report                         # -> results/complete_rows_result.md
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _registered import (  # noqa: E402
    STOP18_DEFAULT, RegisteredRun, main, per_object,
)
from crowded import crowded_tasks  # noqa: E402
from entropy_rows import COMPLETE as CANDIDATE  # noqa: E402
from entropy_rows import PATCHES  # noqa: E402
from entropy_rows import PREFIX as EXPLORED  # noqa: E402
from five_members import blend_tasks  # noqa: E402
from usable_rows import pair_tasks  # noqa: E402

from nebuladapt.benchmark import benchmark_catalog, load_benchmark  # noqa: E402
from nebuladapt.dust import deredden_catalog  # noqa: E402
from nebuladapt.evaluation.tasks import Task  # noqa: E402
from nebuladapt.lines import LINES  # noqa: E402

FAMILY = "blue and red lines calibrated apart"
PREFIX = "complete_rows"
#: Lines on the blue side of the spectrum (below 5500 A: Hbeta, [OIII], HeII, [OII]).
BLUE_EDGE = 5500.0
#: Task name -> (range of log10 k, drawn per object group; task seed).
OFFSETS = {"blue lines 0.1 dex too bright": ((0.1, 0.1), 601),
           "blue lines off by up to 0.15 dex per object": ((-0.15, 0.15), 602)}  # fmt: skip
#: The seen families (rule 6): their tasks, and the pattern and configuration of the current default's records.
SEEN = {"crowded apertures": (crowded_tasks, *STOP18_DEFAULT), "two lines lost together": (pair_tasks, *STOP18_DEFAULT),
        "Halpha blended with [NII]": (blend_tasks, *STOP18_DEFAULT)}  # fmt: skip


def _blue(line: str) -> bool:
    """Is ``line`` (a line or a ``A_B`` blend of lines) on the blue side of :data:`BLUE_EDGE`?"""
    return all(LINES[part].wavelength < BLUE_EDGE for part in _parts(line))


def _parts(line: str) -> list[str]:
    if line in LINES:
        return [line]
    species, *waves = line.split("_")  # e.g. SII6716_6730 -> SII6716, SII6730
    head = species.rstrip("0123456789")
    return [species, *(head + w for w in waves)]


def offset_task(name: str, log_range: tuple[float, float], seed: int) -> Task:
    """The benchmark with every blue line (and error) times 10^u, u ~ U(log_range) per object group, then dereddened."""
    table = load_benchmark()
    labels = np.asarray(table["class"]).astype(str)
    groups = np.asarray(table["group_id"]).astype(str)
    catalog = benchmark_catalog()
    k = 10.0 ** per_object(groups, log_range, seed)
    flux = {line: v * k if _blue(line) else v for line, v in catalog.flux.items()}
    flux_err = {line: v * k if _blue(line) else v for line, v in catalog.flux_err.items()}
    return Task(name, FAMILY, deredden_catalog(replace(catalog, flux=flux, flux_err=flux_err)), labels, groups, seed,
                description=f"blue lines x 10^u, u ~ U{log_range} per object group")


def offset_tasks() -> list[Task]:
    return [offset_task(name, log_range, seed) for name, (log_range, seed) in OFFSETS.items()]


RUN = RegisteredRun(PREFIX, CANDIDATE, PATCHES[CANDIDATE], EXPLORED, STOP18_DEFAULT, SEEN, FAMILY, offset_tasks,
                    {"baseline": "the current default (5 members, stored)",
                     "seen_baseline": "current default (5 members)", "seen_candidate": "entropy on complete rows",
                     "default": "the current default, 5 members"})  # fmt: skip


def report() -> None:
    RUN.report("Target entropy on complete rows", "the exploratory run")


if __name__ == "__main__":
    main(__doc__, RUN.run, report)
