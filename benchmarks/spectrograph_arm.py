"""Shock-only SNR models (no shock+precursor), and the fourteenth held-out family ("one spectrograph arm lost").

Registered in results/spectrograph_arm_registration.md before any fit beyond the exploratory run
(``joint_masks.py``, whose records of the candidate count as its records). The baseline is the current
default's stored records (``all_families.default_records``: the adopted candidate of ``half_gas.py`` and the
case-B refit). ``run`` fits; ``report`` applies the registered rules, then the confirmation on the new
family. Labels only score.

    nice -n 10 python benchmarks/spectrograph_arm.py run --shard 0/2     # and 1/2, in parallel
    python benchmarks/spectrograph_arm.py report                         # -> results/spectrograph_arm_result.md
"""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _registered import RESULTS, SEEDS, RegisteredRun, family_mean, load, main, per_object, run_jobs  # noqa: E402
from all_families import EARLY, LATER, default_records  # noqa: E402
from joint_masks import PREFIX as EXPLORED  # noqa: E402
from joint_masks import SHOCK_ONLY as CANDIDATE  # noqa: E402
from joint_masks import shock_only_patch  # noqa: E402

from nebuladapt.benchmark import benchmark_catalog, load_benchmark  # noqa: E402
from nebuladapt.dust import deredden_catalog  # noqa: E402
from nebuladapt.evaluation.tasks import Task, remove_lines  # noqa: E402

PREFIX = "spectrograph_arm"
FAMILY = "one spectrograph arm lost"
#: Wavelength (Angstrom) of the dichroic that splits a dual-arm spectrograph's blue and red arms.
DICHROIC = 5500.0
#: Task name -> (share of object groups that lose the blue arm, share that lose the red arm; task seed).
ARMS = {"red arm lost for 20 % of objects": ((0.0, 0.2), 1401),
        "blue or red arm lost, 20 % of objects each": ((0.2, 0.2), 1402)}  # fmt: skip


def wavelength(line: str) -> float:
    """Rest wavelength of a canonical line name (the first number in it, e.g. ``SII6716_6730`` -> 6716)."""
    return float(re.search(r"\d{4}", line).group())


def arm_task(name: str, shares: tuple[float, float], seed: int) -> Task:
    """The benchmark with every line of one arm removed from a random share of its object groups, then
    dereddened. A row without its red arm (Halpha) cannot have been dereddened, so it loses its
    ``dust_corrected`` flag (no case-B Halpha is inferred for it)."""
    table = load_benchmark()
    labels = np.asarray(table["class"]).astype(str)
    groups = np.asarray(table["group_id"]).astype(str)
    u = per_object(groups, (0.0, 1.0), seed)
    blue, red = u < shares[0], (u >= shares[0]) & (u < shares[0] + shares[1])
    catalog = benchmark_catalog()
    for line in catalog.flux:
        catalog = remove_lines(catalog, line, blue if wavelength(line) < DICHROIC else red, (line,))
    catalog = replace(catalog, dust_corrected=catalog.dust_corrected & ~red)
    description = (f"every line bluer than {DICHROIC:.0f} A removed from {blue.sum()} rows, every line redder from "
                   f"{red.sum()} rows (whole object groups)")
    return Task(name, FAMILY, deredden_catalog(catalog), labels, groups, seed,
                removed={"blue arm": blue, "red arm": red}, description=description)


def arm_tasks() -> list[Task]:
    return [arm_task(name, shares, seed) for name, (shares, seed) in ARMS.items()]


#: The seen families (rule 6): families 5-13, with the default's stored records (``all_families.default_records``).
SEEN = {family: (tasks, default_records) for family, tasks in LATER.items()}
RUN = RegisteredRun(PREFIX, CANDIDATE, shock_only_patch, EXPLORED, default_records, SEEN, FAMILY, arm_tasks,
                    {"baseline": "the current default (stored records)", "seen_baseline": "current default",
                     "seen_candidate": "shock-only SNR models", "default": "the current default, 5 members"})


def early_jobs(candidate: str = CANDIDATE) -> list:
    """``candidate`` on families 1-4 (grid slices held out, another code's HII models): reported, not a rule."""
    return [(candidate, t, s) for s in SEEDS for tasks in EARLY.values() for t in tasks()]


def run(shard: str) -> None:
    run_jobs(RUN.jobs() + early_jobs(), PREFIX, shard, {CANDIDATE: shock_only_patch})


def append_early_families(prefix: str, heading: str, columns: tuple[str, str], records: tuple[dict, dict]) -> None:
    """Append to ``results/<prefix>_result.md`` the family means of two configurations' ``records`` on families 1-4
    (``columns``: their names; a family where either lacks a task or seed is left out)."""
    lines = ["", f"## {heading}", "",
             "Grid slices held out of training and another code's HII models; family mean over tasks x seeds.", "",
             f"| family | {columns[0]} | {columns[1]} |", "|---|---|---|"]
    for family, tasks in EARLY.items():
        named = {t.name: t for t in tasks()}
        if all((name, s) in r for r in records for name in named for s in SEEDS):
            lines.append(f"| {family} | " + " | ".join(f"{family_mean(r, named):.3f}" for r in records) + " |")
    path = RESULTS / f"{prefix}_result.md"
    path.write_text(path.read_text() + "\n".join(lines) + "\n")


def report() -> None:
    RUN.report("Shock-only SNR models", "the exploratory run (`joint_masks.py`)")
    append_early_families(PREFIX, "Families 1-4 (reported, not a rule)", ("default", "shock-only SNR models"),
                          (default_records(), load(f"{PREFIX}_*.jsonl", CANDIDATE)))


if __name__ == "__main__":
    main(__doc__, run, report)
