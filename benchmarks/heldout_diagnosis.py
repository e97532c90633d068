"""Where the held-out synthetic-shift tasks go wrong: confusion matrices from the stored fits.

Reads the suite records (``results/trust_suite_*.jsonl``, written by ``trust_suite.py``);
fits nothing. For the two tasks of the held-out family (grid slices kept out of training:
the metal-poor slice and the high-ionisation slice), per configuration: the mean over seeds
of the confusion matrix (true class x predicted class, row-normalised: recall on the
diagonal), per-class recall mean +- std (ddof=1) and the balanced accuracy. For the
metal-poor slice it adds where the held-out shock models sit in the feature space against
the shocks left in training (medians of the log ratios), which is what the network had to
extrapolate to. Labels only score: this is an evaluation of configurations already chosen.

    python benchmarks/heldout_diagnosis.py        # -> results/heldout_diagnosis.md
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nebuladapt import CLASSES
from nebuladapt.evaluation.metrics import classification_scores
from nebuladapt.evaluation.tasks import HELD_OUT_FAMILY, build_task_suite
from nebuladapt.evaluation.trust import applicable_classical
from nebuladapt.features import catalog_line_arrays
from nebuladapt.features import default_feature_spec, log_ratios
from nebuladapt.grids import load_source_grids, source_line_fluxes

from trust_analyse import MEMBERS_MEAN, PREVIOUS, load_records, method_runs  # benchmarks/ is on the path
from trust_suite import THREE_RATIO_DEFAULT, record_output

RESULTS = Path(__file__).parent / "results"
CONFIGS = ("default", MEMBERS_MEAN, THREE_RATIO_DEFAULT, PREVIOUS, "entropy 0.3", "GRL 1",
           "paper NN (no noise)")


def confusion(labels, predicted) -> np.ndarray:
    """Row-normalised confusion matrix (rows true :data:`CLASSES`, columns predicted)."""
    counts = np.asarray(classification_scores(labels, predicted)["confusion_matrix"], dtype=float)
    with np.errstate(invalid="ignore"):
        return counts / counts.sum(axis=1, keepdims=True)  # NaN for a class the task lacks


def task_table(task, runs) -> list[str]:
    lines = [f"### {task.name}", "",
             f"{len(task.labels)} rows: " + ", ".join(f"{c} {np.sum(task.labels == c)}" for c in CLASSES), "",
             "| configuration | seeds | balanced acc. | recall HII / PN / SNR (mean +- std) | "
             "true HII -> HII/PN/SNR | true PN -> | true SNR -> |",
             "|---|---|---|---|---|---|---|"]
    for config in CONFIGS:
        entries = runs.get(config, {}).get(task.name, [])
        if not entries:
            continue
        mats, bal = [], []
        for _, proba, _, _, record in entries:
            predicted = record_output(record, task, proba)
            mats.append(confusion(task.labels, predicted))
            bal.append(classification_scores(task.labels, predicted)["balanced_accuracy"])
        mats = np.stack(mats)
        mean = mats.mean(axis=0)
        std = mats.std(axis=0, ddof=1) if len(mats) > 1 else np.full_like(mean, np.nan)
        recall = " / ".join(f"{mean[i, i]:.2f} +- {std[i, i]:.2f}" for i in range(len(CLASSES)))
        rows = [" / ".join(f"{v:.2f}" for v in mean[i]) for i in range(len(CLASSES))]
        lines.append(f"| {config} | {len(entries)} | {np.mean(bal):.3f} | {recall} | " + " | ".join(rows) + " |")
    spec = default_feature_spec()
    flux = catalog_line_arrays(task.catalog, list(spec.lines))[0]
    features = dict(zip(spec.names, log_ratios(flux, spec).T))
    rule, _ = applicable_classical("HB4861", features)  # [SII]/Halpha > 0.4: SNR, else HII
    lines += ["", "Classical [SII]/Halpha > 0.4 on the same rows (it knows only HII and SNR): "
              + ", ".join(f"true {c} called SNR {np.mean(rule[task.labels == c] == 'SNR'):.2f}" for c in CLASSES)
              + "."]
    return lines + [""]


def shock_features(task) -> list[str]:
    """Log-ratio medians of the held-out SMC/LMC shocks against the shocks kept in training."""
    spec = default_feature_spec()
    flux, labels, _ = source_line_fluxes(list(spec.lines))
    features = log_ratios(flux, spec)
    grids = load_source_grids()
    held = ~task.source_keep  # the slice kept out of training
    series = np.asarray(grids["abundance_series"]).astype(str)
    lines = ["### Shock models held out (Allen et al. 2008 SMC/LMC series P, Q) vs kept", "",
             "| models | n | " + " | ".join(spec.names) + " |", "|---|---|" + "---|" * len(spec.names)]
    groups = {"SNR held out (P, Q)": (labels == "SNR") & held,
              "SNR kept (solar, 2x solar, dwarf-novae ...)": (labels == "SNR") & ~held,
              "HII kept": (labels == "HII") & ~held, "PN kept": (labels == "PN") & ~held,
              "HII held out (lowest 15% [NII]/Ha)": (labels == "HII") & held,
              "PN held out (lowest 15% [NII]/Ha)": (labels == "PN") & held}
    for name, rows in groups.items():
        med = np.nanmedian(features[rows], axis=0)
        lines.append(f"| {name} | {rows.sum()} | " + " | ".join(f"{v:+.2f}" for v in med) + " |")
    kept = sorted(set(series[(labels == "SNR") & ~held]))
    lines += ["", f"Abundance series of the shocks kept in training: {', '.join(kept)}.", ""]
    return lines


def main() -> None:
    fits, _ = load_records()
    runs = method_runs(fits)
    tasks = [t for t in build_task_suite(seed=0, families=(HELD_OUT_FAMILY,))]
    out = ["# Held-out synthetic-shift tasks: where the errors go", "",
           "Generated by `benchmarks/heldout_diagnosis.py` from the stored suite records (no new "
           "fits). Rows: true class; cells: fraction of its rows given each class, mean over "
           "seeds. Evaluation only.", ""]
    for task in tasks:
        out += task_table(task, runs)
    out += shock_features(next(t for t in tasks if t.name == "metal-poor slice"))
    text = "\n".join(out)
    (RESULTS / "heldout_diagnosis.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
