"""Refit with the paper DANN's losses when the default calls rows below [SII]/Halpha = 0.4 SNR? Exploratory.

``sii_agreement.py`` found a label-free alarm: the share of the rows the classical rule calls not SNR
([SII]/Halpha <= 0.4) that the default calls SNR is 0.65-0.93 on the collapsed fits of the tenth
family and <= 0.07 wherever no HII region is lost. ``entropy_gate.py`` found that the default with the
paper DANN's losses (GRL 1, no entropy term, fixed noise; 5 members as the default) keeps the tenth
family's HII regions, but the entropy term cannot be dropped everywhere (PN-rich 0.972 -> 0.877). This
fits that fallback on the choice tasks where the stored default's alarm reaches 0.1 on a seed, and
reports the gate: per seed, the default where its alarm stays below 0.1, the fallback where it does
not. Nothing is chosen from it: a change of the default needs a registration and a new held-out
family. Labels only score.

    nice -n 10 python benchmarks/sii_fallback.py run --shard 0/2     # and 1/2, in parallel
    python benchmarks/sii_fallback.py report                         # -> results/sii_fallback.md
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _registered import (  # noqa: E402
    SEEDS, STOP18_DEFAULT, choice_tasks, exploratory_jobs, load, main, predicted, run_jobs, scores, seed_table,
    write_report,
)
from consistency import PREFIX as TENTH  # noqa: E402
from consistency import faint_tasks  # noqa: E402
from entropy_gate import PARAMS  # noqa: E402
from entropy_gate import PREFIX as EXPLORED  # noqa: E402
from missing_lines import _features  # noqa: E402
from usable_rows import pair_tasks  # noqa: E402

from nebuladapt.evaluation.baselines import SII_HA  # noqa: E402
from nebuladapt.evaluation.diagnostics import low_sii_snr_share  # noqa: E402

PREFIX = "sii_fallback"
FALLBACK = "default, GRL 1, no entropy, fixed noise"
ALARM = 0.1


def alarm(record, task) -> float:
    """Share of the task's rows with [SII]/Halpha <= 0.4 that ``record`` calls SNR (NaN: no such row)."""
    share = low_sii_snr_share(_features(task.catalog)[SII_HA], predicted(record, task))["share"]
    return float("nan") if share is None else share


def stored() -> tuple[dict, dict]:
    """name -> Task of the choice tasks, the sixth and the tenth family; (task, seed) -> the default's record."""
    tasks = {**choice_tasks(), **{t.name: t for t in pair_tasks()}, **{t.name: t for t in faint_tasks()}}
    return tasks, {**load(*STOP18_DEFAULT), **load(f"{TENTH}_*.jsonl", "default")}


def alarmed() -> dict:
    """name -> Task of the tasks where the stored default's alarm reaches :data:`ALARM` on a seed."""
    tasks, records = stored()
    return {name: task for name, task in tasks.items()
            if any(alarm(records[(name, s)], task) >= ALARM for s in SEEDS if (name, s) in records)}


def run(shard: str) -> None:
    explored = set(load(f"{EXPLORED}_*.jsonl", FALLBACK))
    jobs = [(c, t, s) for c, t, s in exploratory_jobs([FALLBACK], alarmed()) if (t.name, s) not in explored]
    run_jobs(jobs, PREFIX, shard, {}, params={FALLBACK: PARAMS[FALLBACK]})


def report() -> None:
    tasks, default = stored()
    fallback = {**load(f"{EXPLORED}_*.jsonl", FALLBACK), **load(f"{PREFIX}_*.jsonl", FALLBACK)}
    gate, fired = {}, {}
    for (name, seed), record in default.items():
        if name in tasks:
            fire = alarm(record, tasks[name]) >= ALARM
            fired.setdefault(name, []).append(fire)
            gate[(name, seed)] = fallback.get((name, seed)) if fire else record
    shown = {name: task for name, task in tasks.items() if any(fired.get(name, []))}
    runs = {"default (5 members), stored": scores({k: v for k, v in default.items() if k[0] in shown}, shown),
            FALLBACK: scores({k: v for k, v in fallback.items() if k[0] in shown}, shown),
            "gate: fallback where the alarm >= 0.1": scores({k: v for k, v in gate.items() if k[0] in shown and v}, shown)}
    lines = ["# The [SII] alarm as a gate to the paper DANN's losses (exploratory, not registered)", "",
             "`python benchmarks/sii_fallback.py report`. The tasks (choice, sixth and tenth family) where the stored "
             f"default's alarm reaches {ALARM} on a seed; elsewhere the gate is the default. Balanced accuracy of what "
             "`nebuladapt predict` writes, mean +- std (ddof=1) [worst seed], then recall HII / PN / SNR of seed 0. "
             "Nothing was chosen from this table.", "",
             "| task | seeds where the alarm fires | alarm of the default, per seed | alarm of the fallback, per seed |",
             "|---|---|---|---|"]
    for name, task in shown.items():
        a = [alarm(default[(name, s)], task) for s in SEEDS if (name, s) in default]
        b = [alarm(fallback[(name, s)], task) for s in SEEDS if (name, s) in fallback]
        lines.append(f"| {name} | {sum(fired[name])}/{len(fired[name])} | {' '.join(f'{v:.2f}' for v in a)} | "
                     f"{' '.join(f'{v:.2f}' for v in b)} |")
    write_report(f"{PREFIX}.md", lines + [""] + seed_table(runs, shown, recall=True))


if __name__ == "__main__":
    main(__doc__, run, report)
