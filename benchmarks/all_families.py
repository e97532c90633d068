"""The default of stop 22 on every held-out family so far (report only: nothing is chosen here).

Families 5-13 already hold fits of the default adopted in stop 22 (the records of the candidate
``half_gas.CANDIDATE``, counted unchanged) and of the default it replaced (refitted on this
machine in ``gas_training.py`` and ``half_gas.py``). Families 1-4 (grid slices held out of
training, another photoionisation code) were scored before stop 22: ``run`` fits them with the
default, the default it replaced (``diffuse_gas=0``) and the paper's DANN, seeds 0-2. ``report``
writes ``results/all_families.md``: per family, the family mean of balanced accuracy (tasks x
seeds), the worst task and worst seed, the largest seed std, ECE of the maximum probability,
and the same family mean for the replaced default, the paper's DANN and the classical cut.
Labels only score.

    nice -n 10 python benchmarks/all_families.py run --shard 0/2     # and 1/2, in parallel
    python benchmarks/all_families.py report                         # -> results/all_families.md
"""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _registered import (  # noqa: E402
    ALTERNATIVES,
    grouped_bootstrap,
    load,
    RESULTS,
    SEEDS,
    calibration_scores,
    choice_tasks,
    classical_scores,
    main,
    predicted,
    run_jobs,
    scores,
    seed_summary,
    seed_table,
    write_report,
)
from half_gas import FAMILY as THIRTEENTH  # noqa: E402
from half_gas import PREFIX as ADOPTION_RUN  # noqa: E402
from half_gas import RUN as ADOPTION  # noqa: E402
from half_gas import SEEN, mixed_tasks  # noqa: E402
from heldout_model_family import FAMILY as SECOND  # noqa: E402
from heldout_model_family import build_tasks as model_family_tasks  # noqa: E402
from independent_starts import FAMILY as FOURTH  # noqa: E402
from independent_starts import slice_tasks as fourth_tasks  # noqa: E402
from short_start import FAMILY as THIRD  # noqa: E402
from short_start import slice_tasks as third_tasks  # noqa: E402
from trust_suite import CONFIGS, record_config  # noqa: E402

from nebuladapt.evaluation.tasks import HELD_OUT_FAMILY, build_task_suite  # noqa: E402

PREFIX = "all_families"
#: The refits of the one choice task stop 23's case-B fix changed (``case_b.py``), which replace the records before it.
CASE_B_RUN = "case_b"
DEFAULT = ADOPTION.candidate
REPLACED = "default before stop 22 (no diffuse gas)"
PAPER_DANN = ALTERNATIVES[1]
PARAMS = {DEFAULT: CONFIGS["default"], REPLACED: {**CONFIGS["default"], "diffuse_gas": 0.0}}
#: The families scored before stop 22, in the order they were held out.
EARLY = {HELD_OUT_FAMILY: lambda: build_task_suite(seed=0, families=(HELD_OUT_FAMILY,)),
         SECOND: model_family_tasks, THIRD: third_tasks, FOURTH: fourth_tasks}  # fmt: skip
#: Families 5-13 (seen by stop 22's rules, and the thirteenth), each with its tasks.
LATER = {**{family: tasks for family, (tasks, *_) in SEEN.items()}, THIRTEENTH: mixed_tasks}


def jobs() -> list:
    return [(c, t, s) for s in SEEDS for tasks in EARLY.values() for t in tasks() for c in (DEFAULT, REPLACED, PAPER_DANN)]


def run(shard: str) -> None:
    run_jobs(jobs(), PREFIX, shard, {}, params=PARAMS)


@functools.cache
def _fit_records() -> tuple:
    """Every fit record of ``results/*.jsonl``, files in name order (read once per process)."""
    return tuple(r for path in sorted(RESULTS.glob("*.jsonl")) for r in map(json.loads, path.read_text().splitlines())
                 if r.get("kind") == "fit")  # fmt: skip


def stored(config: str, names) -> dict:
    """(task, seed) -> the record of ``config`` on the tasks ``names`` in any fit record of ``results/``."""
    return {(r["task"], r["seed"]): r for r in _fit_records()
            if r["task"] in names and r["seed"] in SEEDS and record_config(r) == config}  # fmt: skip


def _early_names() -> set:
    return {t.name for build in EARLY.values() for t in build()}


def default_records() -> dict:
    """(task, seed) -> the default's records: the adopted candidate's (``half_gas.py``), families 1-4 fitted here,
    and "no OIII5006 in all rows" refitted after the case-B fix (``case_b.py``)."""
    return {**ADOPTION.candidate_records(), **stored(DEFAULT, _early_names()), **load(f"{CASE_B_RUN}_*.jsonl", DEFAULT)}


def replaced_records() -> dict:
    """(task, seed) -> the records of the default stop 22 replaced: refitted in ``gas_training.py`` (choice tasks,
    families 5-12) and ``half_gas.py`` (family 13), families 1-4 fitted here, and the case-B refit."""
    return {**load(*ADOPTION.baseline), **load(f"{ADOPTION_RUN}_*.jsonl", "default"),
            **stored(REPLACED, _early_names()), **load(f"{CASE_B_RUN}_*.jsonl", REPLACED)}  # fmt: skip


def family_summary(records: dict, tasks: dict) -> dict | None:
    """Family mean, worst task, worst seed, largest std, mean and worst ECE of ``records``; None unless every task
    has every seed."""
    runs = scores(records, tasks)
    if any(len(runs.get(name, [])) != len(SEEDS) for name in tasks):
        return None
    summary = {name: seed_summary(v[0] for v in runs[name]) for name in tasks}
    ece = {}
    for (name, _), r in records.items():
        given = predicted(r, tasks[name]) != ""
        c = calibration_scores(tasks[name].labels[given], np.asarray(r["proba"])[given], classes=tuple(r["classes"]))
        ece.setdefault(name, []).append(c["ece"])
    worst = min(summary, key=lambda name: summary[name]["mean"])
    return {"mean": float(np.mean([v[0] for name in tasks for v in runs[name]])), "worst_task": worst,
            "worst_task_mean": summary[worst]["mean"], "worst_seed": min(s["worst"] for s in summary.values()),
            "max_std": max(s["std"] for s in summary.values()),
            "stable": sum(s["std"] <= 0.01 for s in summary.values()),
            "ece": float(np.mean([np.mean(v) for v in ece.values()])),
            "ece_worst": float(max(np.mean(v) for v in ece.values()))}  # fmt: skip


def report() -> None:
    own = {c: stored(c, _early_names()) for c in (DEFAULT, REPLACED, PAPER_DANN)}
    intro = ("`python benchmarks/all_families.py report`. Balanced accuracy of what `nebuladapt predict` writes, seeds "
             "0-2; family mean over tasks x seeds; std ddof=1; ECE of the maximum probability on the rows that get "
             "one, seed mean, then mean (worst task) over the tasks. Families 1-4 fitted here; the others are the "
             "stored records (default: the adopted candidate of `half_gas.py`; replaced default: refitted in "
             "`gas_training.py` / `half_gas.py`, and on \"no OIII5006 in all rows\" both refitted after stop 23's case-B fix "
             "in `case_b.py`; paper DANN: the fits of each family's registered run). Nothing is "
             "chosen from this table: every family but the thirteenth was seen before the default was adopted.")
    families_report(f"{PREFIX}.md", "The default on every held-out family (report only)", intro,
                    (default_records(), replaced_records(), own), {**EARLY, **LATER})


def families_report(filename: str, title: str, intro: str, records: tuple, families: dict) -> None:
    """Write ``results/<filename>``: the default on the choice tasks and on every family of ``families`` (name ->
    task builder), next to the replaced default, the paper's DANN and the classical cut.

    ``records`` is (the default's, the replaced default's, ``own``): ``own`` maps the default, the replaced default
    and the paper's DANN (by their names here) to their records of families 1-4; the paper's DANN on the later
    families is whatever stored fit record names it."""
    default, replaced_all, own = records
    families = {"22 choice tasks": lambda: list(choice_tasks().values()), **families}
    lines = [f"# {title}", "", intro, "",
             "| # | family | tasks | default: mean | worst task (mean) | worst seed | tasks with std <= 0.01 | "
             "ECE (worst) | replaced default | paper DANN | classical cut |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    counts = {"replaced default": 0, "paper DANN": 0, "classical cut": 0}
    intervals = ["## The default per task, with 95 % intervals", "",
                 "Seed-mean balanced accuracy and its 95 % bootstrap interval by object group (1,000 resamples).", "",
                 "| # | task | default | 95 % interval |", "|---|---|---|---|"]
    for k, (family, build) in enumerate(families.items()):
        early = family in EARLY
        tasks = {t.name: t for t in build()}
        mine = {key: r for key, r in default.items() if key[0] in tasks}
        s = family_summary(mine, tasks)
        for name, task in tasks.items():
            runs_of_task = [mine[(name, seed)] for seed in SEEDS if (name, seed) in mine]
            if len(runs_of_task) == len(SEEDS):
                low, high = grouped_bootstrap(task.labels, [predicted(r, task) for r in runs_of_task], task.groups)
                mean = np.mean([v[0] for v in scores({(name, x): mine[(name, x)] for x in SEEDS}, tasks)[name]])
                intervals.append(f"| {k or ''} | {name} | {mean:.3f} | [{low:.3f}, {high:.3f}] |")
        replaced = {key: r for key, r in replaced_all.items() if key[0] in tasks}
        paper = {key: r for key, r in (own[PAPER_DANN] if early else stored(PAPER_DANN, set(tasks))).items() if key[0] in tasks}
        others = [family_summary(replaced, tasks), family_summary(paper, tasks)]
        classical = float(np.mean([v[0][0] for v in classical_scores(tasks).values()]))
        cells = [f"{o['mean']:.3f}" if o else "not fitted" for o in others] + [f"{classical:.3f}"]
        if s is None:
            lines.append(f"| {k or ''} | {family} | {len(tasks)} | not fitted | | | | | " + " | ".join(cells) + " |")
            continue
        for name, other in zip(counts, [o["mean"] if o else None for o in others] + [classical]):
            counts[name] += other is not None and s["mean"] >= other - 0.005
        lines.append(f"| {k or ''} | {family} | {len(tasks)} | **{s['mean']:.3f}** | {s['worst_task']} "
                     f"({s['worst_task_mean']:.3f}) | {s['worst_seed']:.3f} | {s['stable']}/{len(tasks)} | "
                     f"{s['ece']:.3f} ({s['ece_worst']:.3f}) | " + " | ".join(cells) + " |")
    lines += ["", "Rows where the default's mean is at least the other's minus 0.005 (of the rows where both were fitted): "
              + ", ".join(f"{name} {n}" for name, n in counts.items()) + ".", "",
              *intervals, "", "## Families 1-4, per task (fitted here)", "",
              "Mean +- std (ddof=1) [worst seed] over seeds 0-2, then recall HII / PN / SNR of seed 0.", ""]
    early_tasks = {t.name: t for tasks in EARLY.values() for t in tasks()}
    runs = {c: scores(records, early_tasks) for c, records in own.items()}
    runs["classical cut"] = classical_scores(early_tasks)
    lines += seed_table(runs, early_tasks, recall=True)
    write_report(filename, lines)


if __name__ == "__main__":
    main(__doc__, run, report)
