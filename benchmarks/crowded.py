"""Independent 300-step starts, and the fifth held-out family ("crowded apertures").

Registered in results/crowded_registration.md before any fit. ``run`` fits; ``report`` applies
the registered rules (choice tasks against the stored default records), then the confirmation
rule on the new family: real benchmark spectra blended with a neighbouring HII region. Labels
only score.

    nice -n 10 python benchmarks/crowded.py run --shard 0/2     # and 1/2, in parallel
    python benchmarks/crowded.py report                         # -> results/crowded_result.md
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _registered import (  # noqa: E402
    ALTERNATIVES, SEEDS, STORED_DEFAULT, calibration_section, choice_tasks, confirmation, family_mean, family_table, load, main,
    rule_lines, run_jobs, task_scores, write_report,
)
from independent_starts import independent_starts  # noqa: E402
from short_start import short_start  # noqa: E402

from nebuladapt.benchmark import benchmark_catalog, load_benchmark  # noqa: E402
from nebuladapt.dust import deredden_catalog  # noqa: E402
from nebuladapt.evaluation.tasks import Task, subset_catalog  # noqa: E402
from nebuladapt.features import catalog_line_matrix  # noqa: E402

FAMILY = "crowded apertures"
CANDIDATE = "default, independent 300-step starts"
PREFIX = "crowded"
#: Lines blended (the default ratios' lines), and the task name -> (range of f, task seed).
BLEND_LINES = ["HB4861", "OIII5006", "HA6562", "NII6583", "SII6716_6730"]
CROWDING = {"light crowding: 10-30 % of Halpha from a neighbouring HII region": ((0.1, 0.3), 301),
            "heavy crowding: 30-50 % of Halpha from a neighbouring HII region": ((0.3, 0.5), 302)}  # fmt: skip


@contextmanager
def candidate():
    """Every source-only start 300 steps, and member k from its own start (member k's seed)."""
    with short_start() as shorter, independent_starts() as own:
        calls: list = []
        yield calls
        calls.extend(shorter if own else [])


def dereddened_lines() -> tuple[np.ndarray, np.ndarray, object, np.ndarray, np.ndarray]:
    """The benchmark's labels and object groups, its dereddened catalogue, and that catalogue's fluxes and
    errors of :data:`BLEND_LINES` (what a blended task starts from)."""
    table = load_benchmark()
    dereddened = deredden_catalog(benchmark_catalog())
    flux, err, _ = catalog_line_matrix(dereddened, BLEND_LINES)
    return (np.asarray(table["class"]).astype(str), np.asarray(table["group_id"]).astype(str), dereddened,
            flux, err)


def crowded_task(name: str, f_range: tuple[float, float], seed: int) -> Task:
    """Every benchmark row blended with another object's HII spectrum giving a fraction f of Halpha."""
    labels, groups, dereddened, flux, err = dereddened_lines()
    ha = flux[:, BLEND_LINES.index("HA6562")]
    rng = np.random.default_rng(seed)
    usable_hii = np.flatnonzero((labels == "HII") & np.isfinite(ha))
    neighbour = np.array([rng.choice(usable_hii[groups[usable_hii] != groups[i]]) for i in range(len(labels))])
    f = rng.uniform(*f_range, size=len(labels))[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        main_part, other = (1 - f) / ha[:, None], f / ha[neighbour][:, None]
        blend = main_part * flux + other * flux[neighbour]
        blend_err = np.hypot(main_part * err, other * err[neighbour])
    rows = np.arange(len(labels))
    base = subset_catalog(dereddened, rows)
    catalog = replace(
        base, flux={line: blend[:, k] for k, line in enumerate(BLEND_LINES)},
        flux_err={line: blend_err[:, k] for k, line in enumerate(BLEND_LINES)},
        dust_corrected=dereddened.dust_corrected & dereddened.dust_corrected[neighbour], upper_limits={},
    )
    description = f"benchmark rows blended with another HII region, f ~ U{f_range} of Halpha"
    return Task(name, FAMILY, deredden_catalog(catalog), labels, groups, seed, description=description)


def crowded_tasks() -> list[Task]:
    return [crowded_task(name, f_range, seed) for name, (f_range, seed) in CROWDING.items()]


def jobs():
    choice = list(choice_tasks().values())
    family = crowded_tasks()
    out = [(CANDIDATE, t, s) for s in SEEDS for t in choice]
    out += [(c, t, s) for s in SEEDS for t in family for c in ("default", CANDIDATE, *ALTERNATIVES)]
    return out


def run(shard: str) -> None:
    run_jobs(jobs(), PREFIX, shard, {CANDIDATE: candidate})


def report() -> None:
    pattern = f"{PREFIX}_*.jsonl"
    choice = choice_tasks()
    base = task_scores(STORED_DEFAULT, "default", choice)
    cand = task_scores(pattern, CANDIDATE, choice)
    lines = ["# Independent 300-step starts and the crowded-apertures family: result of the registered rules", "",
             "Rules and family: `results/crowded_registration.md` (committed before any fit). "
             "`python benchmarks/crowded.py report`. Balanced accuracy; std ddof=1; seeds 0-2.", ""]
    registered, rules_met = rule_lines(base, cand, list(choice), "the stored default (registered)", CANDIDATE,
                                       improves=True)
    lines += registered
    family = {t.name: t for t in crowded_tasks()}
    configs = ("default", CANDIDATE, *ALTERNATIVES)
    before, after = (family_mean(load(pattern, c), family) for c in ("default", CANDIDATE))
    six = after >= before - 0.005  # False when either has no record (NaN)
    chosen = CANDIDATE if rules_met and six else "default"
    table, means = family_table(pattern, family, configs, f"Held-out family \"{FAMILY}\" (rule 6 and the confirmation)")
    lines += table + ["", f"Rule 6 (family mean does not fall by more than 0.005): {'yes' if six else 'NO'} "
                      f"({means.get('default', np.nan):.3f} -> {means.get(CANDIDATE, np.nan):.3f})", "",
                      f"**Adopted: {'yes' if chosen == CANDIDATE else 'no'}.** The chosen configuration is `{chosen}`.", ""]
    lines += confirmation(pattern, family, configs, chosen, means)
    lines += calibration_section(
        [("22 choice tasks", choice, {"default": load(STORED_DEFAULT, "default"), CANDIDATE: load(pattern, CANDIDATE)}),
         (FAMILY, family, {c: load(pattern, c) for c in ("default", CANDIDATE)})])
    write_report(f"{PREFIX}_result.md", lines)

if __name__ == "__main__":
    main(__doc__, run, report)
