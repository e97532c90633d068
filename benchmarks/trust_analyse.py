"""Tables from benchmarks/results/trust_suite_*.jsonl (written by trust_suite.py).

    python benchmarks/trust_analyse.py          # -> results/trust_summary.{json,md}

Choices are made on every family except HELD_OUT_FAMILY, which is reported last as
confirmation. Labels are used only to score (every number here is an evaluation).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr

from nebuladapt.evaluation.metrics import classification_scores
from nebuladapt.evaluation.tasks import FAMILIES, HELD_OUT_FAMILY, build_task_suite, task_arrays
from nebuladapt.evaluation.trust import (
    applicable_classical,
    calibration_scores,
    grouped_bootstrap,
    mean_probabilities,
    seed_summary,
)
from nebuladapt.features import default_feature_spec, log_ratios

from trust_suite import THREE_RATIO_DEFAULT, record_config, record_output  # benchmarks/ is the script's directory

RESULTS = Path(__file__).parent / "results"
ENSEMBLE_SEED_SETS = ((0, 1), (2, 3), (0, 1, 2), (3, 4, 5))
PREVIOUS = "previous default (1 network, 2000 steps)"
CONFIG_ENSEMBLE = (PREVIOUS, "entropy 0.3", "GRL 1")
#: The new default's members' mean probabilities (recorded before distillation).
MEMBERS_MEAN = "default: its 3 members' mean (not distilled)"


def load_records():
    records = []
    for path in sorted(RESULTS.glob("trust_suite_*.jsonl")):
        records += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    fits = {(record_config(r), r["task"], r["seed"]): r for r in records if r["kind"] == "fit"}
    sanity = [r for r in records if r["kind"] == "sanity"]
    return fits, sanity


def method_runs(fits):
    """method -> task -> list of (replicate id, probabilities, raw probabilities, classes, a fit record).

    The record (an ensemble's first member) gives the features, so the rows a model classifies.
    """
    runs = defaultdict(lambda: defaultdict(list))
    for (config, task, seed), r in sorted(fits.items(), key=lambda kv: kv[0][2]):
        runs[config][task].append((seed, np.asarray(r["proba"]), np.asarray(r["proba_raw"]), r["classes"], r))
        if "proba_members" in r and config == "default":
            members = np.asarray(r["proba_members"])
            runs[MEMBERS_MEAN][task].append((seed, members, members, r["classes"], r))
    for seeds in ENSEMBLE_SEED_SETS:
        for task in {t for (c, t, s) in fits if c == PREVIOUS}:
            members = [fits.get((PREVIOUS, task, s)) for s in seeds]
            if all(members):
                runs[f"previous default, {len(seeds)}-seed ensemble (not distilled)"][task].append(
                    (seeds, mean_probabilities([m["proba"] for m in members]),
                     mean_probabilities([m["proba_raw"] for m in members]), members[0]["classes"], members[0])
                )  # fmt: skip
    for task in {t for (c, t, s) in fits}:
        for seed in range(10):
            members = [fits.get((c, task, seed)) for c in CONFIG_ENSEMBLE]
            if all(members):
                runs["configuration ensemble (previous default, entropy 0.3, GRL 1)"][task].append(
                    (seed, mean_probabilities([m["proba"] for m in members]),
                     mean_probabilities([m["proba_raw"] for m in members]), members[0]["classes"], members[0])
                )  # fmt: skip
    return runs


def task_rows(task, entries):
    labels, groups = task.labels, task.groups
    preds = [record_output(r, task, p) for _, p, _, _, r in entries]
    scores = [classification_scores(labels, p) for p in preds]
    summary = seed_summary([s["balanced_accuracy"] for s in scores])
    lo, hi = grouped_bootstrap(labels, np.stack(preds), groups, n_boot=400)
    recall = {c: float(np.mean([s["recall"][c] for s in scores])) for c in scores[0]["recall"]}
    calib = {}
    for kind, index in (("temperature", 1), ("none", 2)):
        # on the rows that get probabilities (``nebuladapt predict`` writes none where no ratio is usable)
        values = [calibration_scores(labels[p != ""], e[index][p != ""]) for e, p in zip(entries, preds)]
        calib[kind] = {k: float(np.mean([v[k] for v in values])) for k in ("ece", "nll", "brier")}
    return {"task": task.name, "family": task.family, **summary, "ci95": [lo, hi], "recall": recall,
            "calibration": calib}  # fmt: skip


def missing_table(tasks, runs, method="default"):
    spec = default_feature_spec()
    rows = []
    for task in tasks:
        if task.family != "missing" or task.name not in runs[method]:
            continue
        (line, removed), = task.removed.items()
        _, _, _, _, target = task_arrays(task, spec)
        features = dict(zip(spec.names, log_ratios(target, spec).T))
        classical, classes = applicable_classical(line, features)
        subset = removed & np.isin(task.labels, classes)
        preds = [record_output(r, task, p) for _, p, _, _, r in runs[method][task.name]]
        model = [classification_scores(task.labels[subset], p[subset])["balanced_accuracy"] for p in preds]
        model_all = [classification_scores(task.labels[removed], p[removed])["balanced_accuracy"] for p in preds]
        rows.append({
            "task": task.name, "line": line, "n_rows": int(removed.sum()), "classes": classes,
            "n_subset": int(subset.sum()),
            "model_bal_acc_on_classes": seed_summary(model),
            "classical_bal_acc_on_classes": classification_scores(task.labels[subset], classical[subset])["balanced_accuracy"],
            "model_bal_acc_all_classes": seed_summary(model_all),
        })  # fmt: skip
    return rows


def scorer_tables(fits, sanity, tasks_by_name):
    fooled = defaultdict(lambda: defaultdict(int))
    for r in sanity:
        for scorer, row in r["sanity"].items():
            fooled[scorer]["n_tasks"] += 1
            for name in row["fooled_by"]:
                fooled[scorer][name] += 1
    values = defaultdict(list)
    for (config, task, seed), r in fits.items():
        t = tasks_by_name[task]
        if t.family == HELD_OUT_FAMILY:
            continue
        ba = classification_scores(t.labels, record_output(r, t))["balanced_accuracy"]
        for scorer, v in r["label_free"].items():
            values[scorer].append((task, ba, v))
    corr = {}
    for scorer, triples in values.items():
        ba = np.array([b for _, b, _ in triples])
        v = np.array([x for _, _, x in triples])
        within = []
        for task in {t for t, _, _ in triples}:
            sel = np.array([t == task for t, _, _ in triples])
            if sel.sum() >= 4 and np.ptp(ba[sel]) > 0 and np.ptp(v[sel]) > 0:
                within.append(spearmanr(v[sel], ba[sel]).statistic)
        corr[scorer] = {"pooled_spearman": float(spearmanr(v, ba).statistic), "n_runs": int(len(v)),
                        "within_task_mean_spearman": float(np.mean(within)) if within else None,
                        "n_tasks_within": len(within)}  # fmt: skip
    return {k: dict(v) for k, v in fooled.items()}, corr


def calibration_table(per_method, method="default"):
    """Mean and worst (highest) ECE, NLL and Brier of ``method`` over each task set.

    ``temperature``: the distilled network with the temperature fitted on noisy
    held-out source models; ``none``: without it; ``members``: the members'
    mean probabilities (what the network was distilled from).
    """
    rows = []
    for held_out in (False, True):
        variants = {"temperature (source-fitted)": (method, "temperature"), "no temperature": (method, "none"),
                    "members' mean, no temperature": (MEMBERS_MEAN, "none")}  # fmt: skip
        for label, (name, kind) in variants.items():
            sel = [r for r in per_method.get(name, []) if (r["family"] == HELD_OUT_FAMILY) == held_out]
            if not sel:
                continue
            row = {"set": "held out (confirmation)" if held_out else "choice tasks", "probabilities": label,
                   "n_tasks": len(sel)}  # fmt: skip
            for metric in ("ece", "nll", "brier"):
                values = [r["calibration"][kind][metric] for r in sel]
                row[metric] = {"mean": float(np.mean(values)), "worst": float(np.max(values)),
                               "worst_task": sel[int(np.argmax(values))]["task"]}  # fmt: skip
            rows.append(row)
    return rows


def overview_rows(per_method):
    """Per method and task set (chosen-on vs held-out): over the tasks every method was run on."""
    rows = []
    for held_out in (False, True):
        for method, task_list in per_method.items():
            sel = [r for r in task_list if (r["family"] == HELD_OUT_FAMILY) == held_out]
            if not sel:
                continue
            stds = [r["std"] for r in sel if np.isfinite(r["std"])]
            base = {r["task"]: r["mean"] for r in per_method.get("default", []) if (r["family"] == HELD_OUT_FAMILY) == held_out}
            common = [r for r in sel if r["task"] in base]
            paired = float(np.mean([r["mean"] - base[r["task"]] for r in common])) if common else None
            worst = min(sel, key=lambda r: r["mean"])
            rows.append({
                "set": "held out (confirmation)" if held_out else "choice tasks", "method": method,
                "n_tasks": len(sel), "tasks": [r["task"] for r in sel],
                "mean_of_task_means": float(np.mean([r["mean"] for r in sel])),
                "max_seed_std": float(max(stds)) if stds else None,
                "n_tasks_std_le_0.01": int(sum(s <= 0.01 for s in stds)), "n_tasks_with_std": len(stds),
                "worst_task": worst["task"], "worst_task_mean": worst["mean"],
                "minus_default_on_same_tasks": paired, "n_common": len(common),
                "default_on_same_tasks": float(np.mean([base[r["task"]] for r in common])) if common else None,
                "worst_seed": float(min(r["worst"] for r in sel)),
                "mean_ece_T": float(np.mean([r["calibration"]["temperature"]["ece"] for r in sel])),
                "mean_ece_none": float(np.mean([r["calibration"]["none"]["ece"] for r in sel])),
            })  # fmt: skip
    return rows


def main() -> None:
    fits, sanity = load_records()
    tasks = build_task_suite(seed=0)
    by_name = {t.name: t for t in tasks}
    order = sorted(tasks, key=lambda t: (t.family == HELD_OUT_FAMILY, FAMILIES.index(t.family)))
    runs = method_runs(fits)
    first = ("default", MEMBERS_MEAN, THREE_RATIO_DEFAULT, PREVIOUS)
    runs = {m: runs[m] for m in sorted(runs, key=lambda m: first.index(m) if m in first else len(first))}
    per_method = {}
    for method, per_task in runs.items():
        per_method[method] = [task_rows(t, per_task[t.name]) for t in order if t.name in per_task]
    fooled, corr = scorer_tables(fits, sanity, by_name)
    overview = overview_rows(per_method)
    fit_times = [r["fit_s"] for (c, _, _), r in fits.items() if c == "default"]
    out = {
        "overview": overview,
        "per_method": per_method,
        "calibration": calibration_table(per_method),
        "missing_lines": missing_table(order, runs),
        "scorer_sanity": fooled,
        "scorer_rank_correlation": corr,
        "fit_time_s": {"median": float(np.median(fit_times)), "max": float(np.max(fit_times)), "n": len(fit_times)},
    }
    (RESULTS / "trust_summary.json").write_text(json.dumps(out, indent=1, default=float))
    (RESULTS / "trust_summary.md").write_text(to_markdown(out))
    print(to_markdown(out))


def _f(x, d=3):
    return "n/a" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:.{d}f}"


def to_markdown(out) -> str:
    lines = ["### Overview (each method over the tasks it was run on; compare methods on the same tasks)\n",
             "| tasks | method | n tasks | mean bal. acc. | default on the same tasks | difference | max std over seeds | tasks with std <= 0.01 | worst task | worst seed | ECE T / none |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in out["overview"]:
        lines.append(f"| {r['set']} | {r['method']} | {r['n_tasks']} | {_f(r['mean_of_task_means'])} | "
                     f"{_f(r['default_on_same_tasks'])} | {_f(r['minus_default_on_same_tasks'])} | {_f(r['max_seed_std'])} | "
                     f"{r['n_tasks_std_le_0.01']}/{r['n_tasks_with_std']} | {r['worst_task']} ({_f(r['worst_task_mean'])}) | "
                     f"{_f(r['worst_seed'])} | {_f(r['mean_ece_T'])} / {_f(r['mean_ece_none'])} |")  # fmt: skip
    for method, rows in out["per_method"].items():
        lines += [f"\n### {method}\n", "| family | task | n | bal. acc. mean ± std (ddof=1) | worst | 95% CI (by object) | "
                  "recall HII / PN / SNR | ECE T / none | NLL T / none | Brier T / none |", "|" + "---|" * 10]  # fmt: skip
        for r in rows:
            rec = " / ".join(_f(r["recall"].get(c), 2) for c in ("HII", "PN", "SNR"))
            c = r["calibration"]
            lines.append(
                f"| {r['family']} | {r['task']} | {r['n']} | {_f(r['mean'])} ± {_f(r['std'])} | {_f(r['worst'])} | "
                f"[{_f(r['ci95'][0])}, {_f(r['ci95'][1])}] | {rec} | {_f(c['temperature']['ece'])} / {_f(c['none']['ece'])} | "
                f"{_f(c['temperature']['nll'], 2)} / {_f(c['none']['nll'], 2)} | {_f(c['temperature']['brier'])} / {_f(c['none']['brier'])} |"
            )  # fmt: skip
    lines += ["\n### Calibration of the default's probabilities (mean over tasks; worst = highest, its task)\n",
              "| tasks | probabilities | n tasks | ECE mean / worst | NLL mean / worst | Brier mean / worst | worst ECE task |",
              "|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in out["calibration"]:
        lines.append(f"| {r['set']} | {r['probabilities']} | {r['n_tasks']} | " + " | ".join(
            f"{_f(r[m]['mean'])} / {_f(r[m]['worst'])}" for m in ("ece", "nll", "brier")) + f" | {r['ece']['worst_task']} |")
    lines += ["\n### Missing lines (default): rows that lost the line\n",
              "| task | rows | classes | model bal. acc. (those classes) | classical that applies | model bal. acc. (all classes) |",
              "|---|---|---|---|---|---|"]  # fmt: skip
    for r in out["missing_lines"]:
        m, a = r["model_bal_acc_on_classes"], r["model_bal_acc_all_classes"]
        lines.append(f"| {r['task']} | {r['n_rows']} | {'/'.join(r['classes'])} ({r['n_subset']}) | "
                     f"{_f(m['mean'])} ± {_f(m['std'])} | {_f(r['classical_bal_acc_on_classes'])} | {_f(a['mean'])} ± {_f(a['std'])} |")  # fmt: skip
    lines += ["\n### Scorer sanity: tasks where a degenerate predictor scored >= the trained default\n",
              "| scorer | tasks | constant | prior | random | 1-step |", "|---|---|---|---|---|---|"]
    for scorer, row in out["scorer_sanity"].items():
        lines.append(f"| {scorer} | {row.get('n_tasks', 0)} | " + " | ".join(str(row.get(k, 0)) for k in ("constant", "prior", "random", "1-step")) + " |")
    lines += ["\n### Scorer rank correlation with balanced accuracy (non-held-out tasks)\n",
              "| scorer | pooled Spearman | runs | mean within-task Spearman | tasks |", "|---|---|---|---|---|"]
    for scorer, row in out["scorer_rank_correlation"].items():
        lines.append(f"| {scorer} | {_f(row['pooled_spearman'])} | {row['n_runs']} | {_f(row['within_task_mean_spearman'])} | {row['n_tasks_within']} |")
    t = out["fit_time_s"]
    lines.append(f"\nFit wall time per default run (contended machine): median {t['median']:.0f} s, max {t['max']:.0f} s, {t['n']} runs.")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
