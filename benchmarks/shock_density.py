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
from _registered import (  # noqa: E402
    SEEDS, STOP18_DEFAULT, calibration_section, choice_tasks, confirmation, family_table, load, main, per_object,
    rule_lines, run_jobs, scores, seen_family_lines, write_report,
)
from complete_rows import PREFIX as EIGHTH  # noqa: E402
from complete_rows import offset_tasks  # noqa: E402
from crowded import ALTERNATIVES, crowded_tasks  # noqa: E402
from dilute_shocks import CONFIG as CANDIDATE  # noqa: E402
from dilute_shocks import PREFIX as EXPLORED  # noqa: E402
from dilute_shocks import dilute  # noqa: E402
from five_members import blend_tasks  # noqa: E402
from usable_rows import pair_tasks  # noqa: E402

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
SEEN = {"crowded apertures": (crowded_tasks, *STOP18_DEFAULT),
        "two lines lost together": (pair_tasks, *STOP18_DEFAULT),
        "Halpha blended with [NII]": (blend_tasks, *STOP18_DEFAULT),
        "blue and red lines calibrated apart": (offset_tasks, f"{EIGHTH}_*.jsonl", "default")}  # fmt: skip


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


def jobs():
    explored = set(load(f"{EXPLORED}_*.jsonl", CANDIDATE))
    out = [(CANDIDATE, t, s) for s in SEEDS for t in choice_tasks().values() if (t.name, s) not in explored]
    out += [(CANDIDATE, t, s) for s in SEEDS for tasks, *_ in SEEN.values() for t in tasks()]
    out += [(c, t, s) for s in SEEDS for t in absorption_tasks() for c in ("default", CANDIDATE, *ALTERNATIVES)]
    return out


def run(shard: str) -> None:
    run_jobs(jobs(), PREFIX, shard, {CANDIDATE: dilute})


def candidate_records() -> dict:
    return {**load(f"{EXPLORED}_*.jsonl", CANDIDATE), **load(f"{PREFIX}_*.jsonl", CANDIDATE)}


def report() -> None:
    pattern = f"{PREFIX}_*.jsonl"
    choice = choice_tasks()
    stored = load(*STOP18_DEFAULT)
    base = scores({k: r for k, r in stored.items() if k[0] in choice}, choice)
    mine = candidate_records()
    cand = scores({k: r for k, r in mine.items() if k[0] in choice}, choice)
    lines = ["# Shock models of dense gas out of the SNR grid: result of the registered rules", "",
             "Rules and family: `results/shock_density_registration.md` (committed before any fit beyond the "
             "exploratory run). `python benchmarks/shock_density.py report`. Balanced accuracy of what "
             "`nebuladapt predict` writes; std ddof=1; seeds 0-2.", ""]
    registered, rules_met = rule_lines(base, cand, list(choice), "the current default (5 members, stored)", CANDIDATE,
                                       improves=True)
    seen = {family: ({t.name: t for t in tasks()}, load(records, config))
            for family, (tasks, records, config) in SEEN.items()}  # fmt: skip
    six_lines, six = seen_family_lines(seen, mine, "| family | current default (5 members) | shocks n <= 10 cm-3 | met |")
    lines += registered + six_lines
    adopted = rules_met and six
    chosen = CANDIDATE if adopted else "default"
    lines += ["", f"**Adopted: {'yes' if adopted else 'no'}.** The chosen configuration is `{chosen}` "
              "(`default` here is the current default, 5 members).", ""]
    family = {t.name: t for t in absorption_tasks()}
    configs = ("default", CANDIDATE, *ALTERNATIVES)
    table, means = family_table(pattern, family, configs, f"Held-out family \"{FAMILY}\" (the confirmation)")
    lines += table + [""] + confirmation(pattern, family, configs, chosen, means)
    lines += calibration_section(
        [("22 choice tasks", choice, {"default": stored, CANDIDATE: mine}),
         (FAMILY, family, {c: load(pattern, c) for c in ("default", CANDIDATE)})])
    write_report(f"{PREFIX}_result.md", lines)


if __name__ == "__main__":
    main(__doc__, run, report)
