"""The saved network's temperature matched to its members, and the sixteenth held-out family ("depth set by class").

Registered in results/members_temperature_registration.md before the candidate was implemented or computed on
any held-out family and before any fit on the new family. The candidate changes only the temperature, so on
the 53 tasks of the suite it is computed from the default's stored records (each keeps the saved network's
probabilities and the members' mean); on the new family it is fitted with the package
(``match_members=True``), each record keeping the default's probabilities too (same seed, same network).
``run`` fits; ``report`` applies the registered rules C0-C5, the confirmation and, if adopted, the
re-chosen ``ambiguous`` threshold. Labels only score.

    nice -n 10 python benchmarks/members_temperature.py run --shard 0/2     # and 1/2, in parallel (1 + 3 x 2 x 4 fits)
    python benchmarks/members_temperature.py report                         # -> results/members_temperature_result.md
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _registered import (  # noqa: E402
    ALTERNATIVES, FAMILY_HEADER, SEEDS, classical_scores, family_rows, load, main, predicted,
    run_jobs, scores, write_report,
)
from all_families import choice_tasks  # noqa: E402
from five_seeds import seed_records  # noqa: E402
from scipy.special import softmax  # noqa: E402
from trust_suite import CONFIGS  # noqa: E402
from weight_average import default_tasks  # noqa: E402

from nebuladapt.benchmark import benchmark_catalog, load_benchmark  # noqa: E402
from nebuladapt.dust import deredden_catalog  # noqa: E402
from nebuladapt.evaluation.tasks import Task  # noqa: E402
from nebuladapt.evaluation.trust import calibration_scores, grouped_bootstrap  # noqa: E402
from nebuladapt.lines import wavelength_of  # noqa: E402
from nebuladapt.models.calibration import match_temperature  # noqa: E402

PREFIX = "members_temperature"
CANDIDATE = "default, temperature matched to the members"
#: The candidate; one process per fit here (two shards run at once; the model does not depend on n_jobs).
PARAMS = {CANDIDATE: {**CONFIGS["default"], "match_members": True, "n_jobs": 1}}
FAMILY = "depth set by class"
#: Task name -> (class -> range of the S/N of Halpha drawn per object; task seed).
DEPTHS = {"depth set by class: S/N(Halpha) 30-100 for HII regions, 5-15 for PNe and SNRs":
          ({"HII": (30.0, 100.0), "PN": (5.0, 15.0), "SNR": (5.0, 15.0)}, 1601),
          "depth the same for every class: S/N(Halpha) 5-30":
          ({"HII": (5.0, 30.0), "PN": (5.0, 30.0), "SNR": (5.0, 30.0)}, 1602)}  # fmt: skip
#: Case-B Halpha/Hbeta, the reference flux of a row without Halpha.
CASE_B = 2.86
#: A line whose noisy flux is below this many sigma is undetected (removed).
DETECTION = 3.0
#: Lines bluer than this (Angstrom) take the blue weight of :func:`depth_observation`.
BLUE_BELOW = 5100.0
#: Candidate thresholds of the ``ambiguous`` flag and the largest share of class changes above one (registered).
THRESHOLDS = (0.6, 0.7, 0.8, 0.9)
STEADY = 0.001


def depth_observation(ranges: dict, seed: int, blue_weight: float = 1.0, log_uniform: bool = False):
    """The benchmark observed at a depth drawn per object from its class's S/N range of Halpha, not yet
    dereddened: every measured line gets Gaussian noise of sigma = w F(Halpha) / S (w = ``blue_weight`` for
    lines bluer than :data:`BLUE_BELOW`, else 1; S uniform, or log-uniform, in the range), lines below
    :data:`DETECTION` sigma are removed, the kept lines' errors are sigma. Returns the catalogue, the labels,
    the object groups, sigma of Halpha per row, the number of line measurements removed and, per line,
    the upper limit (:data:`DETECTION` sigma) where it was removed (NaN elsewhere)."""
    table = load_benchmark()
    labels = np.asarray(table["class"]).astype(str)
    groups = np.asarray(table["group_id"]).astype(str)
    rng = np.random.default_rng(seed)
    names, inverse = np.unique(groups, return_inverse=True)
    u = rng.uniform(size=len(names))[inverse]
    low, high = (np.array([ranges[c][k] for c in labels]) for k in (0, 1))
    snr = np.exp(np.log(low) + u * np.log(high / low)) if log_uniform else low + u * (high - low)
    catalog = benchmark_catalog()
    ha, hb = catalog.flux["HA6562"], catalog.flux["HB4861"]
    sigma = np.where(np.isfinite(ha) & (ha > 0), ha, CASE_B * hb) / snr
    flux, flux_err, limits, removed = {}, {}, {}, 0
    for line, values in catalog.flux.items():
        line_sigma = sigma * (blue_weight if wavelength_of(line) < BLUE_BELOW else 1.0)
        noisy = values + line_sigma * rng.standard_normal(len(values))
        kept = np.isfinite(values) & (noisy >= DETECTION * line_sigma)
        removed += int((np.isfinite(values) & ~kept).sum())
        flux[line] = np.where(kept, noisy, np.nan)
        flux_err[line] = np.where(kept, line_sigma, np.nan)
        limits[line] = np.where(np.isfinite(values) & ~kept, DETECTION * line_sigma, np.nan)
    return replace(catalog, flux=flux, flux_err=flux_err), labels, groups, sigma, removed, limits


def depth_task(name: str, ranges: dict, seed: int) -> Task:
    """The task of :func:`depth_observation`, dereddened."""
    catalog, labels, groups, _, removed, _ = depth_observation(ranges, seed)
    return Task(name, FAMILY, deredden_catalog(catalog), labels, groups, seed,
                description=f"noise F(Halpha)/S per line, S per object from its class's range; {removed} line "
                            f"measurements below {DETECTION:g} sigma removed")  # fmt: skip


def depth_tasks() -> list[Task]:
    return [depth_task(name, ranges, seed) for name, (ranges, seed) in DEPTHS.items()]


def _extra(config: str, model, target) -> dict:
    """The temperature, and the probabilities at temperature 1 (the default's: same seed, same network)."""
    if config != CANDIDATE:
        return {}
    logits = model.decision_function(target) * model.temperature_
    return {"temperature": float(model.temperature_), "proba_untempered": np.round(softmax(logits, axis=1), 6).tolist()}


def jobs() -> list:
    """First the candidate on the benchmark with seed 0 (its untempered probabilities must be the stored
    default's), then the candidate and the alternatives on the new family, seeds 0-2."""
    shipped = choice_tasks()["benchmark as shipped"]
    family = depth_tasks()
    return [(CANDIDATE, shipped, 0)] + [(c, t, s) for s in SEEDS for t in family for c in (CANDIDATE, *ALTERNATIVES)]


def run(shard: str) -> None:
    run_jobs(jobs(), PREFIX, shard, {}, extra=_extra, params=PARAMS)


# ---------------------------------------------------------------------------------------------------- scoring


def tempered(record: dict, task) -> tuple[dict, float]:
    """The record with the candidate's probabilities (temperature matched to ``proba_members`` on the rows the
    record gives a class, from ``log proba``) and that temperature."""
    given = predicted(record, task) != ""
    logits = np.log(np.clip(np.asarray(record["proba"], dtype=float), 1e-12, 1.0))
    t = match_temperature(logits[given], np.asarray(record["proba_members"])[given])
    return {**record, "proba": softmax(logits / t, axis=1).tolist()}, t


def calibration(record: dict, task) -> np.ndarray:
    """ECE, NLL and Brier score of a record on the rows it gives a class."""
    given = predicted(record, task) != ""
    c = calibration_scores(task.labels[given], np.asarray(record["proba"])[given], classes=tuple(record["classes"]))
    return np.array([c["ece"], c["nll"], c["brier"]])


def suite_calibration(records: dict, tasks: dict) -> tuple[dict, dict, list]:
    """Per task the seed-mean (ECE, NLL, Brier) of the default and of the candidate, and every temperature.

    Also checks rule C0 (classes identical), raising if it fails anywhere.
    """
    default, candidate, temperatures = {}, {}, []
    for (name, seed), record in records.items():
        if name not in tasks:
            continue
        task = tasks[name]
        other, t = tempered(record, task)
        if not np.array_equal(predicted(other, task), predicted(record, task)):
            raise AssertionError(f"rule C0: classes changed on {name}, seed {seed}")
        temperatures.append(t)
        default.setdefault(name, []).append(calibration(record, task))
        candidate.setdefault(name, []).append(calibration(other, task))
    mean = lambda d: {k: np.mean(v, axis=0) for k, v in d.items()}  # noqa: E731
    return mean(default), mean(candidate), temperatures


def rules(default: dict, candidate: dict, families: dict) -> tuple[list[str], bool]:
    """Rules C1-C5 (C0 is checked while scoring): markdown lines and whether all hold."""
    choice = [t for t in default if families[t] == "choice"]
    d, c = (np.array([x[t] for t in choice]) for x in (default, candidate))
    worst_d, worst_c = int(np.argmax(d[:, 0])), int(np.argmax(c[:, 0]))
    rise = c[:, 0] - d[:, 0]
    by_family = {}
    for name, family in families.items():
        if family != "choice":
            by_family.setdefault(family, []).append(name)
    family_rise = {f: np.mean([candidate[t][0] for t in names]) - np.mean([default[t][0] for t in names])
                   for f, names in by_family.items()}  # seed-mean per task, then mean over the family's tasks
    checks = [
        ("C1: mean ECE of the 22 choice tasks falls by >= 0.005", c[:, 0].mean() <= d[:, 0].mean() - 0.005),
        ("C2: mean NLL and mean Brier do not rise", c[:, 1].mean() <= d[:, 1].mean() and c[:, 2].mean() <= d[:, 2].mean()),
        ("C3: the worst choice task's ECE does not rise", c[worst_c, 0] <= d[worst_d, 0]),
        ("C4: no choice task's ECE rises by more than 0.01", rise.max() <= 0.01),
        ("C5: no family's (1-15) mean ECE rises by more than 0.01", max(family_rise.values()) <= 0.01),
    ]
    lines = ["## Rules on the choice tasks (seeds 0-2)", "",
             "| | default | candidate |", "|---|---|---|",
             f"| mean ECE / NLL / Brier | {d[:, 0].mean():.4f} / {d[:, 1].mean():.4f} / {d[:, 2].mean():.4f} | "
             f"{c[:, 0].mean():.4f} / {c[:, 1].mean():.4f} / {c[:, 2].mean():.4f} |",
             f"| worst task's ECE | {d[worst_d, 0]:.4f} ({choice[worst_d]}) | {c[worst_c, 0]:.4f} ({choice[worst_c]}) |",
             f"| largest rise of one task's ECE | | {rise.max():+.4f} ({choice[int(np.argmax(rise))]}) |", "",
             "| rule | met |", "|---|---|", "| C0: every row-fit's class identical to the default's (53 tasks) | yes |"]
    lines += [f"| {text} | {'yes' if ok else 'NO'} |" for text, ok in checks]
    lines += ["", "| choice task | ECE default -> candidate | NLL | Brier |", "|---|---|---|---|"]
    lines += [f"| {t} | {default[t][0]:.3f} -> {candidate[t][0]:.3f} | {default[t][1]:.3f} -> {candidate[t][1]:.3f} | "
              f"{default[t][2]:.3f} -> {candidate[t][2]:.3f} |" for t in choice]
    lines += ["", "## Rule C5: families 1-15 (mean over the family's tasks of the seed-mean ECE)", "",
              "| family | tasks | ECE default | ECE candidate | rise | NLL default -> candidate |", "|---|---|---|---|---|---|"]
    for family, names in by_family.items():
        e_d, e_c = (np.mean([x[t][0] for t in names]) for x in (default, candidate))
        n_d, n_c = (np.mean([x[t][1] for t in names]) for x in (default, candidate))
        lines.append(f"| {family} | {len(names)} | {e_d:.3f} | {e_c:.3f} | {family_rise[family]:+.3f} | {n_d:.3f} -> {n_c:.3f} |")
    return lines, all(ok for _, ok in checks)


def family_section(adopted: bool) -> list[str]:
    """The new family: accuracy of the default (= the candidate's classes), the alternatives and the classical
    cut; bootstrap interval; calibration of default and candidate; the package's temperature check."""
    family = {t.name: t for t in depth_tasks()}
    cand = {k: r for k, r in load(f"{PREFIX}_*.jsonl", CANDIDATE).items() if k[0] in family}
    default = {k: {**r, "proba": r["proba_untempered"]} for k, r in cand.items()}
    results = {"default": scores(default, family), CANDIDATE: scores(cand, family)}
    results.update({c: scores({k: r for k, r in load(f"{PREFIX}_*.jsonl", c).items() if k[0] in family}, family)
                    for c in ALTERNATIVES})  # fmt: skip
    results["classical cut (SII/Ha > 0.4 + Kewley01 PN)"] = classical_scores(family)
    rows, pooled = family_rows(results, family, list(results))
    lines = ["", f"## The sixteenth held-out family, \"{FAMILY}\"", ""]
    lines += [f"* {t.name}: {t.description}" for t in family.values()] + [""] + FAMILY_HEADER + rows
    lines += ["", "| configuration | family mean |", "|---|---|"] + [f"| {c} | {np.mean(v):.3f} |" for c, v in pooled.items()]
    for name, task in family.items():
        records = [r for (t, _), r in sorted(default.items()) if t == name]
        if len(records) == len(SEEDS):
            low, high = grouped_bootstrap(task.labels, [predicted(r, task) for r in records], task.groups)
            lines.append(f"\n95 % bootstrap interval by object group of the default's seed-mean balanced accuracy on "
                         f"{name}: [{low:.3f}, {high:.3f}]")
    calib = {n: {t: np.mean([calibration(r, family[t]) for (tt, _), r in recs.items() if tt == t], axis=0)
                 for t in family} for n, recs in (("default", default), ("candidate", cand))}  # fmt: skip
    means = {n: np.mean(list(v.values()), axis=0) for n, v in calib.items()}
    confirmed = means["candidate"][0] <= means["default"][0] and means["candidate"][1] <= means["default"][1]
    lines += ["", "| | ECE | NLL | Brier |", "|---|---|---|---|"]
    lines += [f"| {n} | {m[0]:.4f} | {m[1]:.4f} | {m[2]:.4f} |" for n, m in means.items()]
    verdict = ("**Confirmation** (candidate's family-mean ECE and NLL at most the default's): "
               f"{'yes' if confirmed else 'NO'}." if adopted else "Not adopted: the family is reported.")
    checks = []
    for (name, seed), r in sorted(cand.items()):
        _, t = tempered({**r, "proba": r["proba_untempered"]}, family[name])
        checks.append(abs(t - r["temperature"]))
    lines += ["", verdict, "", f"Package check: the package's temperature against the one recomputed from the untempered "
              f"record: largest difference {max(checks):.2e} over {len(checks)} fits (registered: within 0.01)."]
    return lines


def reproduction_line() -> str:
    """The first job: the candidate's untempered probabilities on the benchmark (seed 0) against the stored default's."""
    record = load(f"{PREFIX}_*.jsonl", CANDIDATE).get(("benchmark as shipped", 0))
    if record is None:
        return "Reproduction: not fitted."
    stored = default_tasks()[0][("benchmark as shipped", 0)]
    gap = np.max(np.abs(np.asarray(record["proba_untempered"]) - np.asarray(stored["proba"])))
    return (f"Reproduction: the package with `match_members=True`, seed 0, on the benchmark as shipped: its untempered "
            f"probabilities differ from the stored default record's by at most {gap:.1e} (records round to 1e-6); "
            f"T = {record['temperature']:.4f}.")


def ambiguous_lines(tasks: dict, families: dict) -> list[str]:
    """The ``ambiguous`` threshold re-chosen on the candidate's probabilities, seeds 0-4 (registered procedure)."""
    records = seed_records()
    stats = {}
    for name, task in tasks.items():
        runs = [records.get((name, s)) for s in range(5)]
        if any(r is None for r in runs):
            continue
        tops, classes = [], []
        for r in runs:
            other, _ = tempered(r, task)
            out = predicted(other, task)
            tops.append(np.where(out != "", np.max(other["proba"], axis=1), np.nan))
            classes.append(out)
        classes = np.array(classes)
        common = np.array([Counter(col).most_common(1)[0][0] for col in classes.T])
        changed = classes != common
        kind = "choice" if families[name] == "choice" else "held-out"
        s = stats.setdefault(kind, {"top": [], "changed": []})
        s["top"].append(np.array(tops).ravel())
        s["changed"].append(changed.ravel())
    lines = ["", "## The `ambiguous` threshold on the tempered probabilities (seeds 0-4, no label)", "",
             "Share of row-fits with a class whose class differs from the row's commonest class over the five seeds, "
             "at and above each threshold (rows below it are the ones flagged).", "",
             "| threshold | choice: changes at/above | flagged | changes caught | held-out: changes at/above | flagged | changes caught |",
             "|---|---|---|---|---|---|---|"]
    chosen = None
    for t in THRESHOLDS:
        cells = []
        for kind in ("choice", "held-out"):
            top, changed = (np.concatenate(stats[kind][k]) for k in ("top", "changed"))
            given = np.isfinite(top)
            above = given & (top >= t)
            share = changed[above].mean()
            cells += [f"{share:.4f}", f"{(given & ~above).mean() / given.mean():.3f}",
                      f"{changed[given & ~above].sum()} of {changed[given].sum()}"]
            if kind == "choice" and chosen is None and share <= STEADY:
                chosen = t
        lines.append(f"| {t} | " + " | ".join(cells) + " |")
    lines += ["", f"Chosen (smallest threshold with at most {STEADY:.1%} of the choice tasks' row-fits changing at and "
              f"above it): **{chosen}**."]
    return lines


def report() -> None:
    records, every = default_tasks()
    choice = set(choice_tasks())
    families = {name: ("choice" if name in choice else task.family) for name, task in every.items()}
    default, candidate, temperatures = suite_calibration(records, every)
    lines = ["# The saved network's temperature matched to its members: result of the registered rules", "",
             "Rules and family: `results/members_temperature_registration.md` (committed before the candidate was "
             "implemented or computed on a held-out family and before any fit on the new family). "
             "`python benchmarks/members_temperature.py report`. ECE of the maximum probability (10 bins), NLL, Brier "
             "score on the rows that get a class; per task the mean over seeds 0-2 of the default's stored records "
             "(stop 25) and of the same records with the matched temperature.", "",
             f"Temperatures over the {len(temperatures)} fits of the 53 tasks: median {np.median(temperatures):.3f}, "
             f"range {min(temperatures):.3f}-{max(temperatures):.3f}.", "", reproduction_line(), ""]
    rule_text, adopted = rules(default, candidate, families)
    lines += rule_text
    lines += ["", f"**Adopted: {'yes' if adopted else 'no'}.**"]
    lines += family_section(adopted)
    five = {k: r for k, r in seed_records().items() if k[0] in every}
    d5, c5, _ = suite_calibration(five, every)
    lines += ["", "## Over seeds 0-4 (reported, not a rule)", "", "| tasks | ECE default | ECE candidate | NLL default | NLL candidate |",
              "|---|---|---|---|---|"]
    for label, names in (("22 choice tasks", [n for n in d5 if families[n] == "choice"]),
                         ("31 held-out tasks (families 1-15)", [n for n in d5 if families[n] != "choice"])):  # fmt: skip
        dm, cm = (np.mean([x[n] for n in names], axis=0) for x in (d5, c5))
        lines.append(f"| {label} | {dm[0]:.4f} | {cm[0]:.4f} | {dm[1]:.4f} | {cm[1]:.4f} |")
    if adopted:
        lines += ambiguous_lines(every, families)
    write_report(f"{PREFIX}_result.md", lines)


if __name__ == "__main__":
    main(__doc__, run, report)
