"""`predict` with upper limits, and the seventeenth held-out family ("sensitivity by wavelength").

Registered in results/upper_limits_registration.md before the package change and before any fit of
the new family. ``run`` fits the default (as ``fit`` fits it: limits are missing lines) on the seen
families where lines go undetected, now with the limits their tasks imply (10: the share of Halpha;
16: 3 sigma, [SII] 3 sqrt(2) sigma), and on the new family, whose catalogues give a 3-sigma limit for
every undetected line; each fit's predictions are those of ``nebuladapt predict`` without and with
the limits used by candidate A (``--limits nearest``; :func:`nebuladapt.predict.predict_catalog`). ``report`` applies rules U1-U3 and the
confirmation (U4, the speed, is `bench_inference.py`'s). Labels only score.

    nice -n 10 python benchmarks/upper_limits.py run --shard 0/2     # and 1/2 (18 fits)
    python benchmarks/upper_limits.py report                        # -> results/upper_limits_result.md
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parent))
from _registered import RESULTS, SEEDS, choice_tasks, classical_scores, main, per_object, read_records  # noqa: E402
from consistency import LIMITS, faint_tasks, undetected  # noqa: E402
from members_temperature import DEPTHS, DETECTION, depth_observation  # noqa: E402
from members_temperature import depth_tasks as seen_depth_tasks  # noqa: E402
from missing_lines import LINE_COLUMNS  # noqa: E402
from trust_suite import CONFIGS, fit_task  # noqa: E402

from nebuladapt import CLASSES  # noqa: E402
from nebuladapt.benchmark import benchmark_catalog, load_benchmark  # noqa: E402
from nebuladapt.dust import deredden_catalog  # noqa: E402
from nebuladapt.evaluation.metrics import classification_scores  # noqa: E402
from nebuladapt.evaluation.tasks import Task, remove_lines  # noqa: E402
from nebuladapt.evaluation.trust import grouped_bootstrap, seed_summary  # noqa: E402
from nebuladapt.lines import CASE_B_HA_HB  # noqa: E402
from nebuladapt.models.limits import LIMIT_LINES  # noqa: E402
from nebuladapt.predict import predict_catalog  # noqa: E402

PREFIX = "upper_limits"
FAMILY = "sensitivity by wavelength"
#: Task name -> (blue weight, S/N(Halpha) range, log-uniform, task seed) (registered).
SENSITIVITY = {
    "sensitivity by wavelength: blue lines 2x noisier, S/N(Halpha) log-uniform 4-100": (2.0, (4.0, 100.0), True, 1701),
    "sensitivity by wavelength: blue lines 3x noisier, S/N(Halpha) 10-40": (3.0, (10.0, 40.0), False, 1702),
}
SPREAD = 0.01


def _with_limits(catalog, limit_flux: dict):
    """``catalog`` with ``limit_flux`` (line -> limit, NaN where none) and the matching upper-limit masks."""
    limit_flux = {line: v for line, v in limit_flux.items() if np.isfinite(v).any()}
    return replace(catalog, limit_flux=limit_flux, upper_limits={line: np.isfinite(v) for line, v in limit_flux.items()})


def faint_limit_parts(name: str) -> tuple:
    """Family 10 (``consistency.faint_task``): the benchmark catalogue (observed), each line's rows lost
    and the limit of each line of :data:`LIMIT_LINES` (the share of Halpha; Halpha = 2.86 Hbeta where
    not given)."""
    limit_range, seed = LIMITS[name]
    table = load_benchmark()
    catalog = benchmark_catalog()
    share = per_object(np.asarray(table["group_id"]).astype(str), limit_range, seed)
    halpha = np.asarray(catalog.flux["HA6562"], dtype=float)
    halpha = np.where(np.isfinite(halpha), halpha, CASE_B_HA_HB * np.asarray(catalog.flux["HB4861"], dtype=float))
    return catalog, undetected(catalog, share), {line: share * halpha for line in LIMIT_LINES}


def depth_limit_parts(name: str) -> tuple:
    """Family 16: the observed (noisy, not dereddened) catalogue, the rows where each line of
    :data:`LIMIT_LINES` went undetected (for [SII], both of its lines) and its limit (3 sigma; [SII]
    3 sqrt(2) sigma)."""
    ranges, seed = DEPTHS[name]
    observed, _, _, sigma, _, _ = depth_observation(ranges, seed)
    original = benchmark_catalog().flux
    lost, limit = {}, {}
    for line in LIMIT_LINES:
        parts = LINE_COLUMNS[line][1:] if line == "SII6716_6730" else (line,)
        had = np.any([np.isfinite(original[p]) for p in parts if p in original], axis=0)
        kept = np.any([np.isfinite(observed.flux[p]) for p in parts if p in observed.flux], axis=0)
        lost[line] = had & ~kept
        limit[line] = DETECTION * (np.sqrt(2.0) if line == "SII6716_6730" else 1.0) * sigma
    return observed, lost, limit


def faint_limit_task(task: Task) -> Task:
    """A task of family 10 (``consistency.faint_task``) whose catalogue gives its undetected lines'
    limit (the share of Halpha) for [OIII]5007, [NII]6583 and the [SII] sum."""
    catalog, lost, limit = faint_limit_parts(task.name)
    for line, rows in lost.items():
        catalog = remove_lines(catalog, line, rows, LINE_COLUMNS[line])
    limits = {line: np.where(lost[line], limit[line], np.nan) for line in LIMIT_LINES}
    return replace(task, catalog=deredden_catalog(_with_limits(catalog, limits)))


def depth_limit_task(task: Task) -> Task:
    """A task of family 16 whose catalogue gives 3-sigma limits on [OIII]5007 and [NII]6583 and
    3 sqrt(2) sigma on the [SII] sum where both of its lines went undetected (the probe's limits)."""
    observed, lost, limit = depth_limit_parts(task.name)
    limits = {line: np.where(lost[line], limit[line], np.nan) for line in LIMIT_LINES}
    return replace(task, catalog=deredden_catalog(_with_limits(observed, limits)))


def sensitivity_task(name: str) -> Task:
    """The seventeenth family: every line's noise w F(Halpha)/S (w the blue weight bluer than 5100 A),
    undetected lines below 3 sigma reported as 3-sigma upper limits (each [SII] line on its own)."""
    blue, snr, log_uniform, seed = SENSITIVITY[name]
    observed, labels, groups, _, removed, limits = depth_observation({c: snr for c in CLASSES}, seed, blue, log_uniform)
    catalog = deredden_catalog(_with_limits(observed, limits))
    return Task(name, FAMILY, catalog, labels, groups, seed,
                description=f"noise {blue:g}x in the blue, S/N(Halpha) {snr} per object; {removed} line measurements "
                            f"below {DETECTION:g} sigma given as upper limits")  # fmt: skip


def seen_tasks() -> dict:
    """Families 10 and 16 with their limits (name -> Task)."""
    tasks = [faint_limit_task(t) for t in faint_tasks()] + [depth_limit_task(t) for t in seen_depth_tasks()]
    return {t.name: t for t in tasks}


def family_tasks() -> dict:
    return {name: sensitivity_task(name) for name in SENSITIVITY}


def _outputs(predictions) -> tuple[list, list]:
    columns = predictions.columns()
    proba = np.column_stack([np.asarray(columns[f"prob_{c}"], dtype=float) for c in CLASSES])
    return [str(c) for c in columns["pred_class"]], np.round(proba, 6).tolist()


def _method(model, method: str):
    """``model``'s inference object using upper limits as ``method`` says (:mod:`nebuladapt.models.limits`)."""
    predictor = model.predictor()
    predictor.limit_method = method
    return predictor


def run(shard: str) -> None:
    torch.set_num_threads(1)
    index, count = map(int, shard.split("/"))
    out = RESULTS / f"{PREFIX}_{index}.jsonl"
    done = {(r["task"], r["seed"]) for r in read_records(f"{PREFIX}_*.jsonl")}
    tasks = {**seen_tasks(), **family_tasks()}
    jobs = [(t, s) for s in SEEDS for t in tasks.values()]
    for k, (task, seed) in enumerate(jobs):
        if k % count != index or (task.name, seed) in done:
            continue
        model, _, fit_s = fit_task(task, CONFIGS["default"], seed)
        today, proba_today = _outputs(predict_catalog(task.catalog, _method(model, "missing")))
        limits = predict_catalog(task.catalog, _method(model, "nearest"))  # the candidate of this run
        used = np.flatnonzero(np.char.find(np.asarray(limits.columns()["flag"], dtype=str), "limit_used:") >= 0)
        with_limits, proba_limits = _outputs(limits)
        record = {"task": task.name, "seed": seed, "fit_s": fit_s, "features": model.feature_spec.names,
                  "pred_today": today, "pred_limits": with_limits, "limit_rows": used.tolist(),
                  "proba_today": proba_today, "proba_limits": proba_limits}
        with out.open("a") as handle:
            handle.write(json.dumps(record) + "\n")
        print(f"{task.name} | seed {seed}: {fit_s:.1f} s, {len(used)} rows with a limit used", flush=True)


def _scores(records: dict, task: Task, key: str) -> list[float]:
    return [classification_scores(task.labels, np.asarray(records[(task.name, s)][key]))["balanced_accuracy"]
            for s in SEEDS if (task.name, s) in records]  # fmt: skip


def _recalls(records: dict, task: Task, key: str, rows=None) -> str:
    """Seed-mean recall HII / PN / SNR (on ``rows`` if given)."""
    out = []
    for c in CLASSES:
        hits = []
        for s in SEEDS:
            r = records.get((task.name, s))
            if r is None:
                continue
            mask = task.labels == c if rows is None else (task.labels == c) & rows(r)
            if mask.any():
                hits.append(np.mean(np.asarray(r[key])[mask] == c))
        out.append(f"{np.mean(hits):.2f}" if hits else "n/a")
    return " / ".join(out)


def _limit_rows(task: Task):
    def rows(record):
        mask = np.zeros(len(task.labels), dtype=bool)
        mask[record["limit_rows"]] = True
        return mask
    return rows


def task_lines(tasks: dict, records: dict) -> tuple[list[str], dict]:
    """Markdown rows per task (today, with limits) and name -> (today's, with limits') seed scores."""
    lines, values = [], {}
    for name, task in tasks.items():
        today, limits = _scores(records, task, "pred_today"), _scores(records, task, "pred_limits")
        if not today:
            continue
        values[name] = (today, limits)
        a, b = seed_summary(today), seed_summary(limits)
        n_rows = np.mean([len(records[(name, s)]["limit_rows"]) for s in SEEDS if (name, s) in records])
        lines.append(f"| {name} | {a['mean']:.3f} ± {a['std']:.3f} [{a['worst']:.3f}] | "
                     f"{b['mean']:.3f} ± {b['std']:.3f} [{b['worst']:.3f}] | {b['mean'] - a['mean']:+.3f} | "
                     f"{_recalls(records, task, 'pred_today')} -> {_recalls(records, task, 'pred_limits')} | {n_rows:.0f} | "
                     f"{_recalls(records, task, 'pred_today', _limit_rows(task))} -> "
                     f"{_recalls(records, task, 'pred_limits', _limit_rows(task))} |")
    return lines, values


HEADER = ["| task | today: mean ± std [worst] | with limits | change | recall HII / PN / SNR | rows whose limits "
          "were used (seed mean) | their recall HII / PN / SNR |", "|---|---|---|---|---|---|---|"]


def report() -> None:
    records = {(r["task"], r["seed"]): r for r in read_records(f"{PREFIX}_*.jsonl")}
    seen, family = seen_tasks(), family_tasks()
    u1 = not any(t.catalog.limit_flux for t in choice_tasks().values())
    seen_lines, seen_values = task_lines(seen, records)
    today_mean = np.mean([np.mean(v[0]) for v in seen_values.values()])
    limits_mean = np.mean([np.mean(v[1]) for v in seen_values.values()])
    falls = {n: np.mean(v[1]) - np.mean(v[0]) for n, v in seen_values.items()}
    u2 = limits_mean - today_mean >= 0.01 and all(d >= -0.01 for d in falls.values()) and len(seen_values) == len(seen)
    family_lines, family_values = task_lines(family, records)
    spread = {n: (np.std(v[0], ddof=1), np.std(v[1], ddof=1)) for n, v in {**seen_values, **family_values}.items()}
    u3 = all(b <= SPREAD for a, b in spread.values() if a <= SPREAD)
    adopted = u1 and u2 and u3
    lines = ["# `predict` with upper limits: result of the registered rules", "",
             "Rules and family: `results/upper_limits_registration.md` (committed before the package change, before the "
             "probe's full run was read and before any fit of the new family). `python benchmarks/upper_limits.py report`. "
             "The default fitted as `fit` fits it, seeds 0-2; balanced accuracy of what `nebuladapt predict` writes without "
             "(*today*) and with the limits used as candidate A does (`--limits nearest` since the run of "
             "`limit_likelihood.py`); std ddof=1.", "",
             f"* U1 (choice tasks hold no limit, so nothing changes there): {'met' if u1 else 'NOT met'}.",
             f"* U2 (families 10 and 16 with limits: mean {today_mean:.3f} -> {limits_mean:.3f}, needs +0.01; no task "
             f"down by more than 0.01: largest fall {min(falls.values()):+.3f}): {'met' if u2 else 'NOT met'}.",
             "* U3 (no task steady today, std <= 0.01, spreads more with limits): "
             + ("met" if u3 else "NOT met: " + ", ".join(f"{n} {a:.3f} -> {b:.3f}" for n, (a, b) in spread.items()
                                                        if a <= SPREAD < b)) + ".",
             "* U4 (speed without limits): `results/inference_2026-11-29_s29.txt`.", "",
             f"**Adopted as the default: {'yes (if U4 holds)' if adopted else 'no'}**"
             + ("" if adopted else "; it stays an option (`--limits nearest`)") + ".", "",
             "## Seen families with their limits (10: faint lines undetected; 16: depth set by class)", "", *HEADER,
             *seen_lines, "", f"## Held-out family 17, \"{FAMILY}\" (the confirmation)", "", *HEADER, *family_lines]
    classical = classical_scores(family)
    f_today = np.mean([np.mean(v[0]) for v in family_values.values()]) if family_values else np.nan
    f_limits = np.mean([np.mean(v[1]) for v in family_values.values()]) if family_values else np.nan
    f_classical = np.mean([v[0][0] for v in classical.values()])
    confirmed = f_limits >= f_today - 0.005 and f_limits >= f_classical
    lines += ["", f"Family mean: today {f_today:.3f}, with limits {f_limits:.3f}, classical cut {f_classical:.3f}. "
              f"**Confirmation** (with limits >= today - 0.005 and >= the classical cut): {'yes' if confirmed else 'NO'}.", "",
              "95 % bootstrap intervals by object group (1,000 resamples) of the seed-mean balanced accuracy:", ""]
    for name, task in family.items():
        for key in ("pred_today", "pred_limits"):
            runs = [np.asarray(records[(name, s)][key]) for s in SEEDS if (name, s) in records]
            if len(runs) == len(SEEDS):
                low, high = grouped_bootstrap(task.labels, runs, task.groups)
                lines.append(f"* {name}, {'today' if key == 'pred_today' else 'with limits'}: [{low:.3f}, {high:.3f}]")
    text = "\n".join(lines) + "\n"
    (RESULTS / f"{PREFIX}_result.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main(__doc__, run, report)
