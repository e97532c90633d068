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
    SEEDS, STOP18_DEFAULT, calibration_section, choice_tasks, confirmation, family_table, load, main, rule_lines,
    per_object, run_jobs, scores, seen_family_lines, write_report,
)
from crowded import ALTERNATIVES, crowded_tasks  # noqa: E402
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
#: The seen families (rule 6) and the current default's records of them (all in STOP18_DEFAULT's files).
SEEN = {"crowded apertures": crowded_tasks, "two lines lost together": pair_tasks,
        "Halpha blended with [NII]": blend_tasks}  # fmt: skip


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


def jobs():
    explored = set(load(f"{EXPLORED}_*.jsonl", CANDIDATE))
    out = [(CANDIDATE, t, s) for s in SEEDS for t in choice_tasks().values() if (t.name, s) not in explored]
    out += [(CANDIDATE, t, s) for s in SEEDS for tasks in SEEN.values() for t in tasks()
            if (t.name, s) not in explored]
    out += [(c, t, s) for s in SEEDS for t in offset_tasks() for c in ("default", CANDIDATE, *ALTERNATIVES)]
    return out


def run(shard: str) -> None:
    run_jobs(jobs(), PREFIX, shard, {CANDIDATE: PATCHES[CANDIDATE]})


def candidate_records() -> dict:
    return {**load(f"{EXPLORED}_*.jsonl", CANDIDATE), **load(f"{PREFIX}_*.jsonl", CANDIDATE)}


def report() -> None:
    pattern = f"{PREFIX}_*.jsonl"
    choice = choice_tasks()
    stored = load(*STOP18_DEFAULT)
    base = scores({k: r for k, r in stored.items() if k[0] in choice}, choice)
    mine = candidate_records()
    cand = scores({k: r for k, r in mine.items() if k[0] in choice}, choice)
    lines = ["# Target entropy on complete rows: result of the registered rules", "",
             "Rules and family: `results/complete_rows_registration.md` (committed before any fit beyond the "
             "exploratory run). `python benchmarks/complete_rows.py report`. Balanced accuracy of what "
             "`nebuladapt predict` writes; std ddof=1; seeds 0-2.", ""]
    registered, rules_met = rule_lines(base, cand, list(choice), "the current default (5 members, stored)", CANDIDATE,
                                       improves=True)
    seen = {family: ({t.name: t for t in tasks()}, stored) for family, tasks in SEEN.items()}
    six_lines, six = seen_family_lines(seen, mine, "| family | current default (5 members) | entropy on complete rows | met |")
    lines += registered + six_lines
    adopted = rules_met and six
    chosen = CANDIDATE if adopted else "default"
    lines += ["", f"**Adopted: {'yes' if adopted else 'no'}.** The chosen configuration is `{chosen}` "
              "(`default` here is the current default, 5 members).", ""]
    family = {t.name: t for t in offset_tasks()}
    configs = ("default", CANDIDATE, *ALTERNATIVES)
    table, means = family_table(pattern, family, configs, f"Held-out family \"{FAMILY}\" (the confirmation)")
    lines += table + [""] + confirmation(pattern, family, configs, chosen, means)
    lines += calibration_section(
        [("22 choice tasks", choice, {"default": stored, CANDIDATE: mine}),
         (FAMILY, family, {c: load(pattern, c) for c in ("default", CANDIDATE)})])
    write_report(f"{PREFIX}_result.md", lines)


if __name__ == "__main__":
    main(__doc__, run, report)
