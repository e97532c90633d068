"""Upper limits instead of missing lines: what the default would gain (exploratory probe, not registered).

Where a catalogue reports a line as undetected it usually gives an upper limit, which today's
``predict`` treats as a missing line. A limit is information: an undetected [SII] at less than 0.15 of
Halpha says "not a remnant" as plainly as the classical [SII]/Halpha > 0.4 does. This probe asks how
much the default would gain if the classifier used the limits, on the two held-out families where
lines go undetected (10: faint lines below a share of Halpha; 16: depth set per object, lines below 3
sigma), seeds 0-2: the default is fitted as ``fit`` fits it (the limit lines missing), then each row
with a limit on [OIII]5007, [NII]6583 or [SII]6716+6731 (and Halpha given) is classified by the mean
probability over :data:`DRAWS` values of the line's ratio to Halpha below its limit, drawn from the
class-balanced distribution of that ratio in the training grids (law of total probability,
P(c | x, r <= L) = E[P(c | x, r) | r <= L], with the grids standing in for the distribution of r).
Labels only score; nothing is chosen from it. (The tasks' limits now come from ``upper_limits``'
helpers; they differ from those of the recorded run by at most 2.3e-16 relative, a product's order.)

    nice -n 10 python benchmarks/limits_probe.py run --shard 0/2     # and 1/2 (12 fits)
    python benchmarks/limits_probe.py report                         # -> results/limits_probe.md
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parent))
from _registered import RESULTS, SEEDS, main, read_records  # noqa: E402
from consistency import LIMITS, faint_tasks  # noqa: E402
from members_temperature import depth_tasks  # noqa: E402
from missing_lines import LINE_COLUMNS  # noqa: E402
from trust_suite import CONFIGS, fit_task, record_output  # noqa: E402
from upper_limits import depth_limit_parts, faint_limit_parts  # noqa: E402

from nebuladapt.dust import deredden_catalog  # noqa: E402
from nebuladapt.evaluation.metrics import classification_scores  # noqa: E402
from nebuladapt.evaluation.tasks import remove_lines  # noqa: E402
from nebuladapt.features import catalog_line_matrix, default_feature_spec, log_ratios, nii_only_rows  # noqa: E402
from nebuladapt.models.inference import softmax_argmax  # noqa: E402

PREFIX = "limits_probe"
#: Lines whose limit is used (each the numerator of a ratio to Halpha); Balmer-line limits stay missing.
LIMIT_LINES = ("OIII5006", "NII6583", "SII6716_6730")
DRAWS = 32
#: Quantiles per class of each ratio in the grids (the class-balanced distribution the draws come from).
LEVELS = 1000
#: Grid models per class searched for the nearest models below the limits.
PER_CLASS = 20000


def _filled(catalog, lost: dict, limit: dict):
    """``catalog`` without the ``lost`` lines (as the task), then each lost line of :data:`LIMIT_LINES` at
    its ``limit`` flux in those rows; dereddened as the task is."""
    for line, rows in lost.items():
        catalog = remove_lines(catalog, line, rows, LINE_COLUMNS[line])
    flux = dict(catalog.flux)
    for line in LIMIT_LINES:
        rows = lost[line]
        base = np.asarray(flux.get(line, np.full(len(rows), np.nan)), dtype=float)
        flux[line] = np.where(rows, limit[line], base)
    return deredden_catalog(replace(catalog, flux=flux))


def faint_limits(name: str):
    """Family 10: the catalogue with each undetected line of :data:`LIMIT_LINES` at its limit (the share of
    Halpha), dereddened."""
    catalog, lost, limit = faint_limit_parts(name)
    return _filled(catalog, lost, limit)


def depth_limits(name: str):
    """Family 16: the catalogue with each undetected line of :data:`LIMIT_LINES` at its 3-sigma limit
    ([SII] at 3 sqrt(2) sigma where both lines of the doublet went undetected), dereddened."""
    observed, lost, limit = depth_limit_parts(name)
    return _filled(observed, {**lost, "HB4861": np.zeros(len(observed), bool)}, limit)


def limit_matrix(task, spec) -> np.ndarray:
    """Upper-limit fluxes in ``spec.lines`` order: where the task lacks a line of :data:`LIMIT_LINES` that
    the filled catalogue has; NaN elsewhere."""
    filled = faint_limits(task.name) if task.name in LIMITS else depth_limits(task.name)
    have = catalog_line_matrix(task.catalog, spec.lines)[0]
    limits = catalog_line_matrix(filled, spec.lines)[0]
    cols = [spec.lines.index(line) for line in LIMIT_LINES]
    out = np.full_like(have, np.nan)
    out[:, cols] = np.where(np.isnan(have[:, cols]), limits[:, cols], np.nan)
    return out


def grid_quantiles(X: np.ndarray, y: np.ndarray, d: np.ndarray, spec) -> dict:
    """line -> sorted class-balanced sample (:data:`LEVELS` quantiles per class) of log10(line / Halpha) in the grids."""
    ha = spec.lines.index("HA6562")
    source, labels = X[d >= 0], y[d >= 0]
    levels = (np.arange(LEVELS) + 0.5) / LEVELS
    out = {}
    for line in LIMIT_LINES:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.log10(source[:, spec.lines.index(line)] / source[:, ha])
        out[line] = np.sort(np.concatenate([np.quantile(ratio[(labels == c) & np.isfinite(ratio)], levels)
                                            for c in np.unique(labels)]))  # fmt: skip
    return out


def limit_probabilities(predictor, target: np.ndarray, limits: np.ndarray, quantiles: dict, spec) -> tuple:
    """Probabilities with the limits used (rows without a usable limit: as predicted), and the rows changed."""
    proba = np.column_stack(softmax_argmax(predictor.logits(predictor.features(target)))[0])
    ha = spec.lines.index("HA6562")
    rng = np.random.default_rng(0)
    levels = {line: rng.permutation((np.arange(DRAWS) + 0.5) / DRAWS) for line in LIMIT_LINES}  # Latin hypercube
    used = np.zeros(len(target), bool)
    for i in range(len(target)):
        lines = [line for line in LIMIT_LINES if np.isfinite(limits[i, spec.lines.index(line)])]
        if not lines or not (np.isfinite(target[i, ha]) and target[i, ha] > 0):
            continue
        rows = np.repeat(target[i:i + 1], DRAWS, axis=0)
        for line in lines:
            bound = np.log10(limits[i, spec.lines.index(line)] / target[i, ha])
            below = quantiles[line][quantiles[line] <= bound]
            values = np.quantile(below, levels[line]) if len(below) else np.full(DRAWS, bound)
            rows[:, spec.lines.index(line)] = target[i, ha] * 10.0 ** values
        p = np.column_stack(softmax_argmax(predictor.logits(predictor.features(rows)))[0])
        proba[i], used[i] = p.mean(axis=0), True
    return proba, used


def grid_sample(X: np.ndarray, y: np.ndarray, d: np.ndarray, spec, per_class: int = PER_CLASS) -> tuple:
    """A class-balanced sample of the grids (``per_class`` models per class, fixed seed): their features
    and their log10(line / Halpha) for :data:`LIMIT_LINES`."""
    source, labels = X[d >= 0], y[d >= 0]
    rng = np.random.default_rng(0)
    idx = np.concatenate([rng.choice(np.flatnonzero(labels == c), min(per_class, int((labels == c).sum())),
                                     replace=False) for c in np.unique(labels)])  # fmt: skip
    ha = source[idx, spec.lines.index("HA6562")]
    with np.errstate(divide="ignore", invalid="ignore"):
        to_ha = {line: np.log10(source[idx, spec.lines.index(line)] / ha) for line in LIMIT_LINES}
    return log_ratios(source[idx], spec), to_ha


def neighbour_probabilities(predictor, target: np.ndarray, limits: np.ndarray, sample: tuple, spec) -> np.ndarray:
    """Probabilities with the limits used through the grids' conditional: a row with limits takes, jointly, the
    censored lines' ratios to Halpha of the :data:`DRAWS` grid models nearest to it in the ratios it gives
    (standardised as the network's inputs) among those below every limit, and the mean probability over them.
    Rows without a usable limit, or giving no other ratio: as predicted."""
    features = predictor.features(target)
    proba = np.column_stack(softmax_argmax(predictor.logits(features))[0])
    grid_features, to_ha = sample
    ha = spec.lines.index("HA6562")
    for i in range(len(target)):
        lines = [line for line in LIMIT_LINES if np.isfinite(limits[i, spec.lines.index(line)])]
        given = np.isfinite(features[i])
        if not lines or not given.any() or not (np.isfinite(target[i, ha]) and target[i, ha] > 0):
            continue
        ok = np.all(np.isfinite(grid_features[:, given]), axis=1)
        for line in lines:
            ok &= to_ha[line] <= np.log10(limits[i, spec.lines.index(line)] / target[i, ha])
        if not ok.any():
            continue
        candidates = np.flatnonzero(ok)
        distance = (((grid_features[np.ix_(candidates, given)] - features[i, given]) / predictor.scale[given]) ** 2).sum(1)
        nearest = candidates[np.argsort(distance, kind="stable")[:DRAWS]]
        rows = np.repeat(target[i:i + 1], len(nearest), axis=0)
        for line in lines:
            rows[:, spec.lines.index(line)] = target[i, ha] * 10.0 ** to_ha[line][nearest]
        proba[i] = np.column_stack(softmax_argmax(predictor.logits(predictor.features(rows)))[0]).mean(axis=0)
    return proba


def tasks() -> dict:
    return {t.name: t for t in [*faint_tasks(), *depth_tasks()]}


def run(shard: str) -> None:
    torch.set_num_threads(1)
    index, count = map(int, shard.split("/"))
    out = RESULTS / f"{PREFIX}_{index}.jsonl"
    done = {(r["task"], r["seed"]) for r in read_records(f"{PREFIX}_*.jsonl")}
    spec = default_feature_spec()
    jobs = [(t, s) for s in SEEDS for t in tasks().values()]
    for k, (task, seed) in enumerate(jobs):
        if k % count != index or (task.name, seed) in done:
            continue
        model, arrays, fit_s = fit_task(task, CONFIGS["default"], seed)
        limits = limit_matrix(task, spec)
        quantiles = grid_quantiles(arrays["X"], arrays["y"], arrays["d"], spec)
        proba, used = limit_probabilities(model.predictor(), arrays["target"], limits, quantiles, spec)
        record = {"task": task.name, "seed": seed, "fit_s": fit_s, "features": model.feature_spec.names,
                  "classes": model.classes_.tolist(), "limit_rows": np.flatnonzero(used).tolist(),
                  "proba": np.round(model.predict_proba(arrays["target"]), 6).tolist(),
                  "proba_limits": np.round(proba, 6).tolist(),
                  "proba_neighbours": np.round(neighbour_probabilities(
                      model.predictor(), arrays["target"], limits,
                      grid_sample(arrays["X"], arrays["y"], arrays["d"], spec), spec), 6).tolist()}
        with out.open("a") as handle:
            handle.write(json.dumps(record) + "\n")
        print(f"{task.name} | seed {seed}: {fit_s:.1f} s, {int(used.sum())} rows with a limit", flush=True)


def report() -> None:
    every, spec = tasks(), default_feature_spec()
    variants = (("as today", "proba"), ("marginal draws", "proba_limits"), ("nearest models", "proba_neighbours"))
    lines = ["# Upper limits instead of missing lines (exploratory probe, not registered)", "",
             "`python benchmarks/limits_probe.py report`. The default fitted as `fit` fits it, seeds 0-2; *as today*: "
             "what `predict` writes (limit lines missing); *marginal draws*: rows with a limit on [OIII], [NII] or [SII] "
             f"classified by the mean probability over {DRAWS} draws of the line below its limit from the grids' "
             "class-balanced distribution; *nearest models*: over the limited lines of the "
             f"{DRAWS} grid models (class-balanced sample, {PER_CLASS} per class) nearest to the row below its limits "
             "(the candidate registered in `upper_limits_registration.md`). Balanced accuracy, mean +- std (ddof=1); "
             "then the share right of the rows with a limit and of the `nii_only` rows. Nothing is chosen from this "
             "table.", "",
             "| task | rows with a limit (HII / PN / SNR) | " + " | ".join(v for v, _ in variants)
             + " | limit rows right | `nii_only` rows right |", "|---|---|---|---|---|---|---|"]
    records = {(r["task"], r["seed"]): r for r in read_records(f"{PREFIX}_*.jsonl")}
    for name, task in every.items():
        runs = [records[(name, s)] for s in SEEDS if (name, s) in records]
        if not runs:
            continue
        acc = {key: [] for _, key in variants}
        right = {key: ([], []) for _, key in variants}
        nii = nii_only_rows(log_ratios(catalog_line_matrix(task.catalog, spec.lines)[0], spec), spec)
        for r in runs:
            limit_rows = np.zeros(len(task.labels), bool)
            limit_rows[r["limit_rows"]] = True
            for _, key in variants:
                pred = record_output(r, task, r[key])
                acc[key].append(classification_scores(task.labels, pred)["balanced_accuracy"])
                right[key][0].append(np.mean(pred[limit_rows] == task.labels[limit_rows]))
                right[key][1].append(np.mean(pred[nii] == task.labels[nii]) if nii.any() else np.nan)
        counts = " / ".join(str(int((limit_rows & (task.labels == c)).sum())) for c in ("HII", "PN", "SNR"))
        cells = [f"{np.mean(acc[k]):.3f} +- {np.std(acc[k], ddof=1) if len(acc[k]) > 1 else np.nan:.3f}" for _, k in variants]
        lines.append(f"| {name} | {int(limit_rows.sum())} ({counts}) | " + " | ".join(cells) + " | "
                     + " -> ".join(f"{np.mean(right[k][0]):.2f}" for _, k in variants) + " | "
                     + " -> ".join(f"{np.nanmean(right[k][1]):.2f}" for _, k in variants) + f" ({int(nii.sum())} rows) |")
    (RESULTS / f"{PREFIX}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main(__doc__, run, report)
