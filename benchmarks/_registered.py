"""What every pre-registered candidate benchmark shares: fitting the jobs, scoring, the rules.

A candidate benchmark (``short_start.py``, ``independent_starts.py``) declares its candidate
(a context manager that patches the package for the candidate's fits), its held-out family and
its rule; this module fits the jobs, appends one JSON line per fit to
``results/<prefix>_<shard>.jsonl`` (a rerun skips what is there), and turns records into
balanced accuracies and the markdown of the registered rules. :class:`RegisteredRun` is the whole
registered run of stops 18-20 (rules, seen families, confirmation); :func:`exploratory_jobs` and
:func:`exploratory_report` serve the exploratory runs that propose a candidate. Labels only score.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from trust_suite import CASE_B_ALONE, CONFIGS, fit_task, record_config, record_output

from nebuladapt import CLASSES
from nebuladapt.evaluation.baselines import catalog_classical_cuts
from nebuladapt.evaluation.metrics import classification_scores
from nebuladapt.evaluation.trust import calibration_scores, grouped_bootstrap, seed_summary

RESULTS = Path(__file__).parent / "results"
SEEDS = (0, 1, 2)
#: The stored records of the current default on the choice tasks (config "default").
STORED_DEFAULT = "trust_suite_oiiiha_*.jsonl"
#: The records of the stop-17 default (3 members from their own starts), the baseline of stop 18's rules.
STOP17_DEFAULT = ("crowded_*.jsonl", "default, independent 300-step starts")
#: The records of the current default (5 members, adopted in stop 18; the package default reproduces them
#: exactly): the baseline of the next registration.
STOP18_DEFAULT = ("*members_*.jsonl", "default, 5 members")
#: The configurations the default was chosen over (``trust_suite.CONFIGS``), fitted on a held-out family only.
ALTERNATIVES = ("paper NN (no noise)", "paper DANN (GRL 1, no entropy, fixed noise)",
                "previous default (1 network, 2000 steps)")  # fmt: skip


def run_jobs(jobs, prefix: str, shard: str, patches: dict, extra=None, params: dict | None = None) -> None:
    """Fit ``jobs`` ((config, task, seed) triples) of shard ``i/n`` into ``results/<prefix>_<i>.jsonl``.

    A configuration named in ``params`` (config -> NebulaClassifier overrides) or in
    ``trust_suite.CONFIGS`` is fitted with its parameters, any other with the default's. ``patches[config]`` is a context manager factory applied around that configuration's fits (a
    configuration without one is fitted as the package stands); it yields a list of calls, checked
    non-empty, so a patch that was never used is an error. ``extra(config, model, target)`` adds fields
    (``target``: the task's target flux matrix, as the fit saw it).
    """
    torch.set_num_threads(1)
    index, count = map(int, shard.split("/"))
    out = RESULTS / f"{prefix}_{index}.jsonl"
    done = {(r["config"], r["task"], r["seed"]) for r in read_records(f"{prefix}_*.jsonl")}
    for k, (config, task, seed) in enumerate(jobs):
        if k % count != index or (config, task.name, seed) in done:
            continue
        with patches.get(config, nullcontext)() as calls:
            overrides = (params or {}).get(config) or CONFIGS.get(config, CONFIGS["default"])
            model, arrays, fit_s = fit_task(task, overrides, seed)
        if config in patches and not calls:
            raise RuntimeError(f"the patch of {config!r} was not used")
        record = {"kind": "fit", "config": config, "task": task.name, "family": task.family, "seed": seed,
                  CASE_B_ALONE: True, "fit_s": fit_s, "members": model.members, "n_steps": model.n_steps,
                  **(extra(config, model, arrays["target"]) if extra else {}),
                  "features": model.feature_spec.names, "classes": model.classes_.tolist(),
                  "proba": np.round(model.predict_proba(arrays["target"]), 6).tolist()}
        if model.members > 1:  # the members' mean, before distillation
            record["proba_members"] = np.round(model.teacher_proba_, 6).tolist()
        with out.open("a") as handle:
            handle.write(json.dumps(record) + "\n")
        print(f"{config} | {task.name} | seed {seed}: {fit_s:.1f} s", flush=True)


#: What ``nebuladapt predict`` gives each row of a task in a fit record (``""``: no usable ratio).
predicted = record_output


def scores(records, tasks) -> dict:
    """task -> list over seeds of (balanced accuracy, recalls)."""
    out = {}
    for (task_name, seed), r in sorted(records.items(), key=lambda kv: kv[0][1]):
        task = tasks[task_name]
        result = classification_scores(task.labels, predicted(r, task))
        recalls = [result["recall"].get(c, np.nan) for c in CLASSES]  # NaN: no such object in the task
        out.setdefault(task_name, []).append((result["balanced_accuracy"], recalls))
    return out


def family_mean(records: dict, tasks: dict) -> float:
    """Balanced accuracy of ``records`` ((task, seed) -> record) over every seed of every task in ``tasks``.

    NaN where none of the tasks has a record.
    """
    runs = scores({k: r for k, r in records.items() if k[0] in tasks}, tasks)
    values = [v[0] for per_seed in runs.values() for v in per_seed]
    return float(np.mean(values)) if values else float("nan")


def seen_family_lines(families: dict, candidate: dict, header: str) -> tuple[list[str], bool]:
    """Rule 6: markdown lines and whether it holds on every seen family.

    ``families`` maps a family name to (name -> Task, the baseline's records); ``candidate`` holds the
    candidate's records. Met where the candidate's family mean is at least the baseline's minus 0.005
    (not met where either has no record: NaN). ``header`` is the table's first markdown row.
    """
    lines = ["## Rule 6: the seen families", "", header, "|---|---|---|---|"]
    met = True
    for family, (named, baseline) in families.items():
        means = [family_mean(records, named) for records in (baseline, candidate)]
        ok = means[1] >= means[0] - 0.005  # False when either has no record (NaN)
        met &= ok
        lines.append(f"| {family} | {means[0]:.3f} | {means[1]:.3f} | {'yes' if ok else 'NO'} |")
    return lines, met


def seed_table(runs: dict, names, recall: bool = False) -> list[str]:
    """Markdown table, one row per task of ``names``, one column per configuration of ``runs`` (config ->
    :func:`scores`): mean +- std [worst seed]; with ``recall``, then the first seed's recall per class."""
    lines = ["| task | " + " | ".join(runs) + " |", "|---" * (len(runs) + 1) + "|"]
    for name in names:
        cells = []
        for result in runs.values():
            values = result.get(name, [])
            s = seed_summary(v[0] for v in values) if values else None
            cell = f"{s['mean']:.3f} +- {s['std']:.3f} [{s['worst']:.3f}]" if s else "not fitted"
            if s and recall:
                cell += "; " + " / ".join(f"{r:.2f}" for r in values[0][1])
            cells.append(cell)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def exploratory_jobs(configs, tasks: dict) -> list:
    """Every configuration of ``configs`` on every task of ``tasks`` (name -> Task), seeds :data:`SEEDS`."""
    return [(config, task, s) for s in SEEDS for task in tasks.values() for config in configs]


def exploratory_report(prefix: str, title: str, tasks: dict, baseline: tuple[str, str], baseline_name: str,
                       configs, recall: bool = False, columns: dict | None = None, stored: dict | None = None) -> None:
    """Write ``results/<prefix>.md``: an exploratory run's :func:`seed_table` (nothing is chosen from it).

    One row per task of ``tasks`` (name -> Task, in order); a column for the baseline's stored records
    (``baseline``: pattern and configuration, or the records as :func:`load` gives them), named ``baseline_name``, then one per entry of ``stored``
    (title -> records, as :func:`load` gives them), then one per configuration of ``configs`` (records
    ``results/<prefix>_*.jsonl``), titled by ``columns`` (config -> title; default the configuration's
    name); with ``recall``, each cell also gives seed 0's recall per class.
    """
    runs = {name: scores({k: r for k, r in records.items() if k[0] in tasks}, tasks)
            for name, records in {baseline_name: load(*baseline) if isinstance(baseline, tuple) else baseline,
                                  **(stored or {})}.items()}
    runs.update({(columns or {}).get(config, config): scores(load(f"{prefix}_*.jsonl", config), tasks)
                 for config in configs})  # fmt: skip
    shown = ("mean +- std (ddof=1) [worst seed], then recall HII / PN / SNR of seed 0" if recall
             else "mean +- std (ddof=1) [worst seed] over seeds 0-2")  # fmt: skip
    lines = [f"# {title} (exploratory, not registered)", "",
             f"`python benchmarks/{prefix}.py report`. Balanced accuracy of what `nebuladapt predict` writes; "
             f"{shown}. Nothing was chosen from this table.", ""]
    write_report(f"{prefix}.md", lines + seed_table(runs, tasks, recall=recall))


def load(pattern: str, config: str) -> dict:
    """(task, seed) -> the fit record of ``config`` in ``results/<pattern>``, seeds :data:`SEEDS`."""
    return {(r["task"], r["seed"]): r for r in read_records(pattern)
            if r["kind"] == "fit" and record_config(r) == config and r["seed"] in SEEDS}  # fmt: skip


def read_records(pattern: str):
    """Every record (one JSON object per line) of the files ``results/<pattern>``, files in name order."""
    for path in sorted(RESULTS.glob(pattern)):
        yield from map(json.loads, path.read_text().splitlines())


def task_scores(pattern: str, config: str, tasks: dict) -> dict:
    """:func:`scores` of ``config``'s records in ``pattern`` on ``tasks`` (name -> Task)."""
    return scores({k: v for k, v in load(pattern, config).items() if k[0] in tasks}, tasks)


def rule_lines(base: dict, cand: dict, names, baseline: str, candidate: str,
               improves: bool = False) -> tuple[list[str], bool]:
    """The registered rules on the choice tasks: markdown lines and whether all hold.

    Rules 1-4 (mean falls by <= 0.005, worst task does not fall, no task falls by > 0.02, seed-stable
    tasks do not fall); with ``improves`` also rule 5 (more seed-stable tasks, or the mean up >= 0.005).
    """
    common = [t for t in names if len(base.get(t, [])) == len(SEEDS) and len(cand.get(t, [])) == len(SEEDS)]
    if not common:
        return [f"## Choice tasks against {baseline}: no task has every seed for both yet", ""], False
    runs = {"default": base, "candidate": cand}
    summary = {n: {t: seed_summary(s[0] for s in d[t]) for t in common} for n, d in runs.items()}
    mean = {n: {t: v["mean"] for t, v in d.items()} for n, d in summary.items()}
    std = {n: {t: v["std"] for t, v in d.items()} for n, d in summary.items()}
    change = {t: mean["candidate"][t] - mean["default"][t] for t in common}
    worst = {n: min(common, key=lambda t: mean[n][t]) for n in mean}
    stable = {n: sum(std[n][t] <= 0.01 for t in common) for n in mean}
    average = {n: np.mean(list(mean[n].values())) for n in mean}
    checks = [
        ("mean of task means falls by <= 0.005", average["candidate"] >= average["default"] - 0.005),
        ("worst task does not fall", mean["candidate"][worst["candidate"]] >= mean["default"][worst["default"]]),
        ("no task falls by more than 0.02", min(change.values()) >= -0.02),
        ("tasks with std <= 0.01 do not fall", stable["candidate"] >= stable["default"]),
    ]
    if improves:
        checks.append(("improves: more tasks with std <= 0.01, or the mean up by >= 0.005",
                       stable["candidate"] > stable["default"] or average["candidate"] >= average["default"] + 0.005))
    lines = [f"## Choice tasks against {baseline} ({len(common)} of {len(names)} tasks with all seeds for both)", "",
             f"| | {baseline} | {candidate} |", "|---|---|---|",
             f"| mean of task means | {average['default']:.3f} | {average['candidate']:.3f} |",
             f"| worst task | {mean['default'][worst['default']]:.3f} ({worst['default']}) | "
             f"{mean['candidate'][worst['candidate']]:.3f} ({worst['candidate']}) |",
             f"| tasks with std <= 0.01 | {stable['default']}/{len(common)} | {stable['candidate']}/{len(common)} |",
             f"| largest fall / rise on one task | | {min(change.values()):+.3f} ({min(change, key=change.get)}) / "
             f"{max(change.values()):+.3f} ({max(change, key=change.get)}) |", "",
             "| rule | met |", "|---|---|"] + [f"| {text} | {'yes' if ok else 'NO'} |" for text, ok in checks]
    lines += ["", "| task | default mean +- std | candidate mean +- std | change |", "|---|---|---|---|"]
    lines += [f"| {t} | {mean['default'][t]:.3f} +- {std['default'][t]:.3f} | {mean['candidate'][t]:.3f} +- "
              f"{std['candidate'][t]:.3f} | {change[t]:+.3f} |" for t in common]
    return lines + [""], bool(common) and all(ok for _, ok in checks)


def family_rows(results: dict, names, configs) -> tuple[list[str], dict]:
    """Markdown rows (task, configuration, seeds, mean +- std, worst, recalls) and config -> all seeds' scores.

    ``results[config][task]`` is what :func:`scores` returns for that configuration.
    """
    lines, pooled = [], {}
    for name in names:
        for config in configs:
            runs = results[config].get(name, [])
            if not runs:
                continue
            bal = seed_summary(s[0] for s in runs)
            rec = np.nanmean([s[1] for s in runs], axis=0)
            pooled.setdefault(config, []).extend(s[0] for s in runs)
            lines.append(f"| {name} | {config} | {len(runs)} | {bal['mean']:.3f} +- {bal['std']:.3f} | "
                         f"{bal['worst']:.3f} | " + " / ".join(f"{v:.2f}" for v in rec) + " |")
    return lines, pooled


CLASSICAL = "classical cut (SII/Ha > 0.4 + Kewley01 PN)"

FAMILY_HEADER = ["| task | configuration | seeds | balanced acc. mean +- std | worst seed | recall HII / PN / SNR |",
                 "|---|---|---|---|---|---|"]


def choice_tasks(names=None) -> dict:
    """name -> Task of the choice tasks: every task of the suite (seed 0) but the held-out family's.

    ``names``: only these tasks, in this order (default: all of them, in the suite's order).
    """
    from nebuladapt.evaluation.tasks import HELD_OUT_FAMILY, build_task_suite

    choice = {t.name: t for t in build_task_suite(seed=0) if t.family != HELD_OUT_FAMILY}
    return choice if names is None else {name: choice[name] for name in names}


def earlier_held_out(grids, extra_masks=()) -> np.ndarray:
    """Grid rows held out by the ``synthetic shift`` tasks, or by any of ``extra_masks``."""
    from nebuladapt.evaluation.tasks import HELD_OUT_FAMILY, build_task_suite

    old = np.zeros(len(grids), dtype=bool)
    for task in build_task_suite(seed=0, families=(HELD_OUT_FAMILY,)):
        old |= ~task.source_keep
    for mask in extra_masks:
        old |= mask
    return old


def main(doc: str, run, report) -> None:
    """``run --shard i/n`` or ``report``: the command line of a candidate benchmark."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("action", choices=("run", "report"))
    parser.add_argument("--shard", default="0/1")
    args = parser.parse_args()
    if args.action == "run":
        run(args.shard)
    else:
        report()


def per_object(groups: np.ndarray, value_range: tuple[float, float], seed: int) -> np.ndarray:
    """One value per row, drawn once per object group from U(value_range) (a systematic of one observation)."""
    names, inverse = np.unique(groups, return_inverse=True)
    return np.random.default_rng(seed).uniform(*value_range, size=len(names))[inverse]


def grid_log_ratio(grids, numerator: str, denominator: str) -> np.ndarray:
    """log10 of a line ratio of every grid model (NaN where undefined)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log10(np.asarray(grids[numerator], dtype=float) / np.asarray(grids[denominator], dtype=float))


def class_tail(values: np.ndarray, labels: np.ndarray, classes, share: float, upper: bool) -> np.ndarray:
    """Rows of ``classes`` in the highest (``upper``) or lowest ``share`` of ``values``, per class."""
    out = np.zeros(len(values), dtype=bool)
    for cls in classes:
        rows = labels == cls
        if upper:
            out |= rows & (values >= np.nanquantile(values[rows], 1 - share))
        else:
            out |= rows & (values <= np.nanquantile(values[rows], share))
    return out


def classical_scores(tasks: dict) -> dict:
    """task -> [(balanced accuracy, recalls)] of the classical cut (no fit: one entry)."""
    out = {}
    for name, task in tasks.items():
        result = classification_scores(task.labels, catalog_classical_cuts(task.catalog))
        out[name] = [(result["balanced_accuracy"], [result["recall"].get(c, np.nan) for c in CLASSES])]
    return out


def family_table(pattern: str, family: dict, configs, title: str) -> tuple[list[str], dict]:
    """Every configuration's rows on a held-out family (records in ``results/<pattern>``) and the classical
    cut's, then their family means: markdown lines and config -> family mean."""
    results = {c: task_scores(pattern, c, family) for c in configs}
    results[CLASSICAL] = classical_scores(family)
    rows, pooled = family_rows(results, family, (*configs, CLASSICAL))
    means = {c: float(np.mean(v)) for c, v in pooled.items()}
    lines = ["", f"## {title}", ""] + FAMILY_HEADER + rows
    n_tasks = len(family)
    lines += ["", f"| configuration | family mean ({n_tasks} tasks x {len(SEEDS)} seeds; classical: {n_tasks} tasks) |",
              "|---|---|"] + [f"| {c} | {m:.3f} |" for c, m in means.items()]
    return lines, means


def confirmation(pattern: str, family: dict, configs, chosen: str, means: dict) -> list[str]:
    """The registered confirmation: markdown lines.

    ``chosen`` is confirmed if its family mean is at least every other configuration's minus 0.005 and at
    least the classical cut's. Then the 95 % bootstrap interval by object group of ``chosen``'s seed-mean
    balanced accuracy on each task of the family.
    """
    others = {c: m for c, m in means.items() if c != chosen}
    confirmed = chosen in means and len(others) == len(configs) and all(
        means[chosen] >= m - (0.0 if c == CLASSICAL else 0.005) for c, m in others.items())
    lines = [f"**Confirmation** (family mean of `{chosen}` >= every other configuration's - 0.005, and >= the "
              f"classical cut's): {'yes' if confirmed else 'NO'}.", "",
              f"95 % bootstrap interval by object group (1,000 resamples) of `{chosen}`'s seed-mean balanced accuracy:", ""]
    for name, task in family.items():
        records = [r for (t, s), r in load(pattern, chosen).items() if t == name]
        if len(records) == len(SEEDS):
            low, high = grouped_bootstrap(task.labels, [predicted(r, task) for r in records], task.groups)
            lines.append(f"* {name}: [{low:.3f}, {high:.3f}]")
    return lines


CALIBRATION_HEADER = ["## Calibration on the target (reported, not a rule)", "",
                      "Mean over seeds, then mean (worst task) over the tasks; max-probability ECE, NLL, Brier score, "
                      "on the rows that get probabilities.", "",
                      "| tasks | configuration | ECE | NLL | Brier |", "|---|---|---|---|---|"]


def calibration_line(tasks_name: str, config: str, records: dict, tasks: dict) -> str:
    """A markdown row: the mean (worst task) over ``tasks`` of the seed-mean ECE, NLL and Brier score of ``records``."""
    per_task = {}
    for (name, _), r in records.items():
        if name in tasks:
            given = predicted(r, tasks[name]) != ""  # rows that get probabilities (no usable ratio: none)
            c = calibration_scores(tasks[name].labels[given], np.asarray(r["proba"])[given], classes=tuple(r["classes"]))
            per_task.setdefault(name, []).append([c["ece"], c["nll"], c["brier"]])
    seed_means = np.array([np.mean(v, axis=0) for v in per_task.values()])
    return f"| {tasks_name} | {config} | " + " | ".join(f"{np.mean(v):.3f} ({np.max(v):.3f})" for v in seed_means.T) + " |"


def calibration_section(sets) -> list[str]:
    """The calibration table: one row per configuration of each (name, tasks, config -> records) of ``sets``."""
    lines = ["", *CALIBRATION_HEADER]
    for name, tasks, runs in sets:
        lines += [calibration_line(name, config, records, tasks) for config, records in runs.items()]
    return lines


def write_report(filename: str, lines: list[str]) -> None:
    """Write ``lines`` to ``results/<filename>`` and print them."""
    text = "\n".join(lines) + "\n"
    (RESULTS / filename).write_text(text)
    print(text)


@dataclass(frozen=True)
class RegisteredRun:
    """A registered candidate run of stops 18-20: the rules on the choice tasks, rule 6 on the seen families,
    then the confirmation on a new held-out family (``five_members.py``, ``complete_rows.py``,
    ``shock_density.py``).

    The candidate's records are those of its exploratory run (``results/<explored>_*.jsonl``, counted
    unchanged) and of this run (``results/<prefix>_*.jsonl``); the baseline's are ``baseline``
    (pattern, configuration), or a function returning them. ``seen`` maps each seen family to (its tasks,
    pattern and configuration of the baseline's records of them), or to (its tasks, a function returning
    those records). ``names`` gives the report's wording: ``baseline`` and
    ``seen_baseline`` (the baseline in the rules' and in rule 6's table), ``seen_candidate`` (the
    candidate in rule 6's table) and ``default`` (what ``default`` stands for).
    """

    prefix: str
    candidate: str
    patch: Callable
    explored: str
    baseline: tuple[str, str]
    seen: dict
    family: str
    family_tasks: Callable[[], list]
    names: dict

    def jobs(self) -> list:
        """The candidate on every choice and seen-family task its exploratory run did not fit, then the
        candidate, ``default`` and :data:`ALTERNATIVES` on the new family; seeds :data:`SEEDS`."""
        explored = set(load(f"{self.explored}_*.jsonl", self.candidate))
        out = [(self.candidate, t, s) for s in SEEDS for t in choice_tasks().values() if (t.name, s) not in explored]
        out += [(self.candidate, t, s) for s in SEEDS for tasks, *_ in self.seen.values() for t in tasks()
                if (t.name, s) not in explored]  # fmt: skip
        configs = ("default", self.candidate, *ALTERNATIVES)
        return out + [(c, t, s) for s in SEEDS for t in self.family_tasks() for c in configs]

    def run(self, shard: str) -> None:
        """Fit shard ``i/n`` of :meth:`jobs`, the candidate's fits under its patch."""
        run_jobs(self.jobs(), self.prefix, shard, {self.candidate: self.patch})

    def candidate_records(self) -> dict:
        return {**load(f"{self.explored}_*.jsonl", self.candidate), **load(f"{self.prefix}_*.jsonl", self.candidate)}

    def report(self, title: str, fitted_before: str) -> None:
        """Write ``results/<prefix>_result.md``: ``title``, then the rules, the adoption, the confirmation and
        calibration. ``fitted_before`` says what was fitted before the registration was committed."""
        pattern = f"{self.prefix}_*.jsonl"
        choice = choice_tasks()
        stored = self.baseline() if callable(self.baseline) else load(*self.baseline)
        base = scores({k: r for k, r in stored.items() if k[0] in choice}, choice)
        mine = self.candidate_records()
        cand = scores({k: r for k, r in mine.items() if k[0] in choice}, choice)
        lines = [f"# {title}: result of the registered rules", "",
                 f"Rules and family: `results/{self.prefix}_registration.md` (committed before any fit beyond "
                 f"{fitted_before}). `python benchmarks/{self.prefix}.py report`. Balanced accuracy of what "
                 "`nebuladapt predict` writes; std ddof=1; seeds 0-2.", ""]
        registered, rules_met = rule_lines(base, cand, list(choice), self.names["baseline"], self.candidate,
                                           improves=True)
        seen = {family: ({t.name: t for t in tasks()}, where[0]() if callable(where[0]) else load(*where))
                for family, (tasks, *where) in self.seen.items()}  # fmt: skip
        six_lines, six = seen_family_lines(
            seen, mine, f"| family | {self.names['seen_baseline']} | {self.names['seen_candidate']} | met |")
        lines += registered + six_lines
        adopted = rules_met and six
        chosen = self.candidate if adopted else "default"
        lines += ["", f"**Adopted: {'yes' if adopted else 'no'}.** The chosen configuration is `{chosen}` "
                  f"(`default` here is {self.names['default']}).", ""]
        family = {t.name: t for t in self.family_tasks()}
        configs = ("default", self.candidate, *ALTERNATIVES)
        table, means = family_table(pattern, family, configs, f"Held-out family \"{self.family}\" (the confirmation)")
        lines += table + [""] + confirmation(pattern, family, configs, chosen, means)
        lines += calibration_section(
            [("22 choice tasks", choice, {"default": stored, self.candidate: mine}),
             (self.family, family, {c: load(pattern, c) for c in ("default", self.candidate)})])
        write_report(f"{self.prefix}_result.md", lines)
