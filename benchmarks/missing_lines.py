"""Missing-line patterns: the model against the classical diagnostic that still applies (issue 8, item 5).

Measurement, not a test. Each pattern removes one line (with its doublet partner or
components, so it cannot be re-inferred) from the shipped benchmark's observed fluxes,
then dereddens by the Balmer decrement where Hbeta is left (as a survey would deliver
the rows), and fits `nebuladapt fit`'s model on it as the unlabelled target:

* lines: Hbeta, [OIII]5007, [NII]6583, [SII]6716+6731;
* patterns: 30 % of rows at random, every row, 60 % of one class and every row of
  that class (class-correlated: the rows losing the line say something about the class).

Scores (labels only score): on the rows that lost the line, the model's balanced
accuracy over the classes the applicable classical rule separates, next to that rule
on the same rows (and the model over all classes); seeds as given, mean ± std
(ddof=1), worst seed, 95 % intervals bootstrapped by object (``group_id``) and a paired
interval of model minus classical. ``--suite`` also fits full-line tasks of the task
suite (nebuladapt.evaluation.tasks) to check the change costs nothing there.

    nice -n 10 python benchmarks/missing_lines.py run --label after --seeds 0 1 2
    nice -n 10 python benchmarks/missing_lines.py run --label after --suite "benchmark as shipped"
    python benchmarks/missing_lines.py report --label before after "trust_suite default"
    # -> results/missing_lines.{md,json}; "trust_suite default" = the suite's records of the default
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from nebuladapt.benchmark import benchmark_catalog, load_benchmark
from nebuladapt.dust import deredden_catalog
from nebuladapt.evaluation.baselines import (
    NII_HA,
    OIII_HB,
    SII_HA,
    ciardullo02_log_r,
    ciardullo02_pn,
    classify_classical,
    kewley01_nii,
    kopsacheili20_2d,
    sii_ha_snr,
)  # fmt: skip
from nebuladapt.evaluation.tasks import (
    HELD_OUT_FAMILY,
    Task,
    build_task_suite,
    remove_lines,
    subset_catalog,
    task_arrays,
)
from nebuladapt.evaluation.trust import balanced_accuracy, seed_summary
from nebuladapt.features import OIII_HA, FeatureSpec, catalog_line_matrix, default_feature_spec
from nebuladapt.models.estimator import NebulaClassifier

from trust_suite import CASE_B_ALONE, record_config, record_output  # benchmarks/ is the script's directory

RESULTS = Path(__file__).parent / "results"
#: Catalogue columns removed together for each line.
LINE_COLUMNS = {
    "HB4861": ("HB4861",),
    "OIII5006": ("OIII5006", "OIII4958"),
    "NII6583": ("NII6583", "NII6548"),
    "SII6716_6730": ("SII6716_6730", "SII6716", "SII6730"),
}
#: Class that loses the line in the class-correlated patterns (dusty HII regions lose Hbeta,
#: faint SNRs [OIII], metal-poor HII regions [NII], high-excitation PNe [SII]).
CORRELATED_CLASS = {"HB4861": "HII", "OIII5006": "SNR", "NII6583": "HII", "SII6716_6730": "PN"}
PATTERNS = ("30% random", "all rows", "60% of {cls}", "all {cls}")
CLASSES = ("HII", "PN", "SNR")


# ----------------------------------------------------------------------------- tasks
def remove_line(catalog, line: str, rows: np.ndarray):
    """The catalogue without ``line`` (and its :data:`LINE_COLUMNS`) in ``rows``."""
    return remove_lines(catalog, line, rows, LINE_COLUMNS[line])


def pattern_tasks(seed: int = 0) -> list[Task]:
    """One task per (line, pattern), deterministic for a seed."""
    table = load_benchmark()
    raw = benchmark_catalog()
    labels = np.asarray(table["class"]).astype(str)
    groups = np.asarray(table["group_id"]).astype(str)
    rng = np.random.default_rng(seed)
    every = np.arange(len(labels))
    tasks = []
    for line, cls in CORRELATED_CLASS.items():
        masks = {
            "30% random": rng.random(len(labels)) < 0.3,
            "all rows": np.ones(len(labels), dtype=bool),
            f"60% of {cls}": (labels == cls) & (rng.random(len(labels)) < 0.6),
            f"all {cls}": labels == cls,
        }
        for pattern, rows in masks.items():
            catalog = deredden_catalog(subset_catalog(remove_line(raw, line, rows), every))
            tasks.append(Task(f"no {line} in {pattern}", "missing", catalog, labels, groups, seed,
                              removed={line: rows}, description=f"{line} removed from {rows.sum()} rows"))  # fmt: skip
    return tasks


# ----------------------------------------------------------------------------- classical
def _features(catalog) -> dict:
    lines = ["HB4861", "OIII5006", "HA6562", "NII6583", "SII6716_6730"]
    flux = catalog_line_matrix(catalog, lines)[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        log = {n: np.log10(np.where(flux[:, i] > 0, flux[:, i], np.nan)) for i, n in enumerate(lines)}
    return {OIII_HB: log["OIII5006"] - log["HB4861"], NII_HA: log["NII6583"] - log["HA6562"],
            SII_HA: log["SII6716_6730"] - log["HA6562"], "log_OIII5006_HA6562": log["OIII5006"] - log["HA6562"]}  # fmt: skip


def _labels(snr, pn, known) -> np.ndarray:
    out = np.where(snr, "SNR", np.where(pn, "PN", "HII")).astype(object)
    out[~known] = ""
    return out.astype(str)


def classical_rules(line: str, f: dict) -> list[tuple[str, tuple[str, ...], np.ndarray]]:
    """The classical diagnostics that still apply without ``line``: (name, classes separated, labels)."""
    with np.errstate(invalid="ignore"):
        sii, nii, oiii = f[SII_HA], f[NII_HA], f[OIII_HB]
        sii_rule = _labels(sii_ha_snr(sii), False, np.isfinite(sii))
        if line in ("HB4861", "OIII5006"):
            rules = [("[SII]/Ha > 0.4", ("HII", "SNR"), sii_rule)]
            if line == "HB4861":  # Ciardullo+02 R = [OIII]/(Ha+[NII]) needs no Hbeta
                log_r = ciardullo02_log_r(f["log_OIII5006_HA6562"], nii, log_ha_hb=0.0)
                snr = sii_ha_snr(sii)
                rules.append(("[SII]/Ha > 0.4, then Ciardullo+02 R (PN)", CLASSES,
                              _labels(snr, ciardullo02_pn(log_r), np.isfinite(sii) & (snr | np.isfinite(log_r)))))  # fmt: skip
            return rules
        if line == "NII6583":  # Kewley+01 [SII] BPT line for the PNe
            labels = classify_classical({OIII_HB: oiii, NII_HA: nii, SII_HA: sii}, ["SII/Ha>0.4 + Kewley01 PN"])
            return [("[SII]/Ha > 0.4, then Kewley+01 [SII] line (PN)", CLASSES, next(iter(labels.values())))]
        if line == "SII6716_6730":
            curve = kewley01_nii(nii)
            above = np.where(np.isfinite(curve), oiii > curve, nii >= 0.47)
            known = np.isfinite(oiii) & np.isfinite(nii)
            return [("Kewley+01 [NII] line", ("HII", "PN"), _labels(False, above, known)),
                    ("Kopsacheili+20 [NII]-[OIII]", ("HII", "SNR"), _labels(kopsacheili20_2d("NII-OIII", nii, oiii) > 0, False, known))]  # fmt: skip
    raise ValueError(line)


# ----------------------------------------------------------------------------- fitting
def fit_spec(task, rule: str):
    """Features of the fit: the default spec (``default``) or what ``fit`` chooses for the catalogue."""
    if rule == "default":
        return default_feature_spec()
    from nebuladapt.catalogs.usage import fit_feature_spec

    base = default_feature_spec()
    if rule == "fit-oiii-ha" and OIII_HA not in base.ratios:  # the candidate of results/oiii_ha_choice.md
        base = FeatureSpec((*base.ratios, OIII_HA))
    return fit_feature_spec(base, task.catalog).spec


def run(args) -> None:
    torch.set_num_threads(1)
    out = RESULTS / f"missing_lines_{args.label}.jsonl"
    done = set()
    if out.exists():
        done = {(r["task"], r["seed"]) for r in map(json.loads, out.read_text().splitlines())}
    tasks = [] if args.only_suite else pattern_tasks()
    if args.suite:
        tasks += [t for t in build_task_suite(seed=0) if t.name in args.suite]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    for seed in args.seeds:
        for task in tasks:
            if (task.name, seed) in done:
                continue
            spec = fit_spec(task, args.spec)
            if args.shock_only:  # the SNR grid without its shock+precursor models (results/spectrograph_arm_*)
                from joint_masks import precursor_models

                keep = ~precursor_models() if task.source_keep is None else task.source_keep & ~precursor_models()
                task = replace(task, source_keep=keep)
            X, y, d, X_err, target = task_arrays(task, spec)
            start = time.perf_counter()
            model = NebulaClassifier(feature_spec=spec, random_state=seed).fit(X, y, sample_domain=d, X_err=X_err)
            fit_s = time.perf_counter() - start
            record = {"label": args.label, "commit": commit, "task": task.name, "family": task.family, "seed": seed,
                      CASE_B_ALONE: True, **({"shock_only": True} if args.shock_only else {}),
                      "features": spec.names, "fit_s": fit_s, "classes": model.classes_.tolist(),
                      "proba": np.round(model.predict_proba(target), 5).tolist()}  # fmt: skip
            with out.open("a") as handle:
                handle.write(json.dumps(record) + "\n")
            print(f"{args.label} | {task.name} | seed {seed} | {len(spec.names)} features | {fit_s:.1f} s", flush=True)


# ----------------------------------------------------------------------------- report
#: Label under which the report shows the task suite's own records of the default
#: (benchmarks/trust_suite.py, config "default"), the "before" of the full-line tasks.
TRUST_SUITE_LABEL = "trust_suite default"


def _load(label: str) -> dict:
    """task -> seed -> record, from ``missing_lines_<label>.jsonl`` and its ``_s<seed>`` shards."""
    runs: dict = {}
    if label == TRUST_SUITE_LABEL:
        paths = sorted(RESULTS.glob("trust_suite_*.jsonl"))
        keep = lambda r: r.get("kind") == "fit" and record_config(r) == "default"  # noqa: E731
    else:
        paths = [RESULTS / f"missing_lines_{label}.jsonl", *sorted(RESULTS.glob(f"missing_lines_{label}_s*.jsonl"))]
        keep = lambda r: True  # noqa: E731
    for path in paths:
        if path.exists():
            for r in map(json.loads, path.read_text().splitlines()):
                if keep(r):
                    runs.setdefault(r["task"], {})[r["seed"]] = r
    return runs


def _predictions(records: dict, seeds, task) -> np.ndarray:
    return np.stack([record_output(records[s], task) for s in seeds])


def _paired_bootstrap(y, model_preds, classical, groups, n_boot=400, seed=0):
    """95 % intervals of the model (seed mean), the classical rule and their difference, resampling objects."""
    _, codes = np.unique(groups, return_inverse=True)
    members = [np.flatnonzero(codes == g) for g in range(codes.max() + 1)]
    rng = np.random.default_rng(seed)
    values = np.empty((n_boot, 3))
    for b in range(n_boot):
        rows = np.concatenate([members[g] for g in rng.integers(0, len(members), len(members))])
        m = np.mean([balanced_accuracy(y[rows], p[rows]) for p in model_preds])
        c = balanced_accuracy(y[rows], classical[rows])
        values[b] = m, c, m - c
    lo, hi = np.quantile(values, [0.025, 0.975], axis=0)
    return [[float(a), float(b)] for a, b in zip(lo, hi)]


def pattern_rows(label: str, seeds) -> list[dict]:
    runs = _load(label)
    rows = []
    for task in pattern_tasks():
        have = [s for s in seeds if s in runs.get(task.name, {})]  # the requested seeds measured
        if not have:
            continue
        (line, removed), = task.removed.items()
        preds = _predictions(runs[task.name], have, task)
        features = runs[task.name][have[0]]["features"]
        all_classes = seed_summary([balanced_accuracy(task.labels[removed], p[removed]) for p in preds])
        whole = seed_summary([balanced_accuracy(task.labels, p) for p in preds])
        features_all = _features(task.catalog)
        usable = np.any([np.isfinite(v) for v in features_all.values()], axis=0)  # rows with any ratio left
        for rule, classes, classical in classical_rules(line, features_all):
            sub = removed & usable & np.isin(task.labels, classes)
            if not sub.any():
                continue
            unclassified = int((classical[sub] == "").sum())
            y, g = task.labels[sub], task.groups[sub]
            model = seed_summary([balanced_accuracy(y, p[sub]) for p in preds])
            recall = {c: float(np.mean([np.mean(p[sub][y == c] == c) for p in preds])) for c in classes if (y == c).any()}
            ci_model, ci_classical, ci_diff = _paired_bootstrap(y, preds[:, sub], classical[sub], g)
            errors = {"model": confusions(y, preds[:, sub]), "classical": confusions(y, classical[sub][None])}
            rows.append({"label": label, "task": task.name, "line": line, "rule": rule, "classes": classes,
                         "n_rows": int(sub.sum()), "n_unclassified": unclassified, "features": features,
                         "model": model, "model_ci": ci_model, "recall": recall,
                         "classical": balanced_accuracy(y, classical[sub]), "classical_ci": ci_classical,
                         "difference_ci": ci_diff, "model_all_classes": all_classes, "model_whole_task": whole,
                         "errors": errors})  # fmt: skip
    return rows


def confusions(y: np.ndarray, preds: np.ndarray) -> dict[str, float]:
    """Misclassified rows by (true -> given) class, mean over the rows of ``preds`` (seeds); ``-`` is no class."""
    counts: dict[str, float] = {}
    for p in preds:
        for true, given in zip(y[p != y], p[p != y]):
            key = f"{true}->{given or '-'}"
            counts[key] = counts.get(key, 0.0) + 1.0 / len(preds)
    return dict(sorted(counts.items()))


def _errors(counts: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.3g}" for k, v in counts.items()) or "none"


def suite_rows(label: str, seeds) -> list[dict]:
    runs = _load(label)
    rows = []
    for task in build_task_suite(seed=0):
        have = [s for s in seeds if s in runs.get(task.name, {})]
        if task.family == "missing" or not have:  # the suite's missing tasks share the patterns' names
            continue
        preds = _predictions(runs[task.name], have, task)
        summary = seed_summary([balanced_accuracy(task.labels, p) for p in preds])
        rows.append({"label": label, "task": task.name, "family": task.family, **summary})
    return sorted(rows, key=lambda r: r["family"] == HELD_OUT_FAMILY)


def _f(x, d=3):
    return "n/a" if x is None or not np.isfinite(x) else f"{x:.{d}f}"


def to_markdown(patterns: list[dict], suite: list[dict]) -> str:
    lines = ["| label | task | classical rule (classes) | rows | features | model bal. acc. mean ± std [worst] | 95% CI | classical | 95% CI | model - classical 95% CI | model, all classes | model, whole task | errors of the model (seed mean) | errors of the classical rule |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in patterns:
        m, a, w = r["model"], r["model_all_classes"], r["model_whole_task"]
        feats = ", ".join(n.removeprefix("log_") for n in r["features"])
        lines.append(
            f"| {r['label']} | {r['task']} | {r['rule']} ({'/'.join(r['classes'])}) | {r['n_rows']} | {feats} | "
            f"{_f(m['mean'])} ± {_f(m['std'])} [{_f(m['worst'])}] | [{_f(r['model_ci'][0])}, {_f(r['model_ci'][1])}] | "
            f"{_f(r['classical'])} | [{_f(r['classical_ci'][0])}, {_f(r['classical_ci'][1])}] | "
            f"[{_f(r['difference_ci'][0])}, {_f(r['difference_ci'][1])}] | {_f(a['mean'])} ± {_f(a['std'])} | {_f(w['mean'])} ± {_f(w['std'])} | "
            f"{_errors(r['errors']['model'])} | {_errors(r['errors']['classical'])} |"
        )  # fmt: skip
    labels = list(dict.fromkeys(r["label"] for r in suite))
    by_task: dict = {}
    for r in suite:
        by_task.setdefault((r["family"], r["task"]), {})[r["label"]] = r
    if by_task:
        lines += ["", "| family | task | " + " | ".join(f"{lab}: mean ± std (ddof=1) [worst seed]" for lab in labels) + " |",
                  "|---|---|" + "---|" * len(labels)]  # fmt: skip
        for (family, task), cells in by_task.items():
            if len(cells) < 2 and len(labels) > 1:
                continue  # only tasks measured under more than one label
            row = [f"{_f(c['mean'])} ± {_f(c['std'])} [{_f(c['worst'])}]" if (c := cells.get(lab)) else "" for lab in labels]
            lines.append(f"| {family} | {task} | " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def report(args) -> None:
    patterns, suite = [], []
    for label in args.label:
        if label != TRUST_SUITE_LABEL:
            patterns += pattern_rows(label, args.seeds)
        suite += suite_rows(label, args.seeds)
    patterns.sort(key=lambda r: (r["task"], r["rule"], args.label.index(r["label"])))
    suite.sort(key=lambda r: (r["family"] == HELD_OUT_FAMILY, r["task"], args.label.index(r["label"])))
    name = args.out or "missing_lines"
    (RESULTS / f"{name}.json").write_text(json.dumps({"patterns": patterns, "suite": suite}, indent=1))
    text = to_markdown(patterns, suite)
    (RESULTS / f"{name}.md").write_text(text)
    print(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run")
    p.add_argument("--label", required=True)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--shock-only", action="store_true",
                   help="train on the shock-only SNR models (no shock+precursor; spectrograph_arm_registration.md). "
                        "Since stop 25 the default SNR grid is shock-only, so this changes nothing")
    p.add_argument("--spec", choices=("default", "fit", "fit-oiii-ha"), default="fit",
                   help="default: the default features; fit: what `fit` chooses for the catalogue")
    p.add_argument("--suite", nargs="*", default=[], help="task-suite tasks to fit as well (by name)")
    p.add_argument("--only-suite", action="store_true")
    r = sub.add_parser("report")
    r.add_argument("--label", nargs="+", required=True)
    r.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    r.add_argument("--out", default=None)
    args = parser.parse_args()
    run(args) if args.command == "run" else report(args)


if __name__ == "__main__":
    main()
