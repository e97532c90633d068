"""Why the default fails without [OIII]: where real HII regions sit among the grids' models. No fits.

On the choice task "no [OIII] in all rows" the fit keeps two ratios, [NII]/Halpha and [SII]/Halpha.
This reads the current default's stored records (seeds 0-2) and counts what it gives each class,
next to the classical [SII]/Halpha > 0.4 rule on the same rows; then, for each target row, the
training models within 0.1 dex in both ratios, by class, raw and per model of each class (the
network trains on class-balanced batches, so the per-class density is what it learns); then the
rows where the seeds disagree. Labels only score and group the rows.

    python benchmarks/no_oiii_diagnosis.py          # -> results/no_oiii_diagnosis.md
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _registered import SEEDS, STOP18_DEFAULT, choice_tasks, load, record_output, write_report  # noqa: E402

from nebuladapt import CLASSES  # noqa: E402
from nebuladapt.evaluation.tasks import task_arrays  # noqa: E402
from nebuladapt.features import FeatureSpec, log_ratios  # noqa: E402

TASK = "no OIII5006 in all rows"
RADIUS = 0.1  # dex, in each ratio
SII_HA = "log_SII6716_6730_HA6562"


def main() -> None:
    task = choice_tasks()[TASK]
    records = load(*STOP18_DEFAULT)
    outputs = [record_output(records[(TASK, s)], task) for s in SEEDS]
    spec = FeatureSpec.from_names(records[(TASK, SEEDS[0])]["features"])
    X, y, d, _, target = task_arrays(task, spec)
    source = log_ratios(X[d > 0], spec)
    source_class = np.asarray(y)[d > 0]
    rows = log_ratios(target, spec)
    usable = np.isfinite(rows).all(axis=1)
    sii = rows[:, spec.names.index(SII_HA)]
    lines = ["# Without [OIII]: where real HII regions sit among the models (no fits)", "",
             f"`python benchmarks/no_oiii_diagnosis.py`. Task \"{TASK}\"; features of the fit: "
             f"{', '.join(spec.names)}; the current default's stored records (`{STOP18_DEFAULT[0]}`, seeds "
             f"{', '.join(map(str, SEEDS))}). Rows that give no ratio (the Ho 2019 rows) are left out here.", "",
             "| true class | rows with both ratios | default gives HII / PN / SNR (mean over seeds) | "
             "[SII]/Halpha > 0.4 calls SNR | median log [NII]/Halpha, log [SII]/Halpha |", "|---|---|---|---|---|"]
    for cls in CLASSES:
        m = usable & (task.labels == cls)
        given = [np.mean([np.mean(out[m] == c) for out in outputs]) for c in CLASSES]
        medians = np.median(rows[m], axis=0)
        lines.append(f"| {cls} | {m.sum()} | " + " / ".join(f"{g:.2f}" for g in given)
                     + f" | {np.mean(sii[m] > np.log10(0.4)):.2f} | {medians[0]:.2f}, {medians[1]:.2f} |")
    counts = {c: int(np.sum(source_class == c)) for c in CLASSES}
    lines += ["", f"Training models within {RADIUS} dex of each target row in both ratios "
              f"(grids: {', '.join(f'{c} {n:,}' for c, n in counts.items())} models); mean over the rows of a class:", "",
              "| true class | models near a row | share HII / PN / SNR (raw) | share HII / PN / SNR per model of each class |",
              "|---|---|---|---|"]
    for cls in CLASSES:
        near_counts = []
        for row in rows[usable & (task.labels == cls)]:
            near = np.all(np.abs(source - row) < RADIUS, axis=1)
            near_counts.append([np.sum(near & (source_class == c)) for c in CLASSES])
        n = np.asarray(near_counts, dtype=float)
        raw = n / np.maximum(n.sum(axis=1, keepdims=True), 1)
        balanced = n / np.array([counts[c] for c in CLASSES])
        balanced = balanced / np.where(balanced.sum(axis=1, keepdims=True) > 0, balanced.sum(axis=1, keepdims=True), 1)
        lines.append(f"| {cls} | {np.median(n.sum(axis=1)):.0f} (median) | "
                     + " / ".join(f"{v:.2f}" for v in raw.mean(axis=0)) + " | "
                     + " / ".join(f"{v:.2f}" for v in balanced.mean(axis=0)) + " |")
    probabilities = [np.asarray(records[(TASK, s)]["proba"]) for s in SEEDS]
    differ = np.flatnonzero(np.any([out != outputs[0] for out in outputs[1:]], axis=0))
    classes = records[(TASK, SEEDS[0])]["classes"]
    lines += ["", f"Rows where the seeds' classes differ ({len(differ)} of {len(task.labels)}: the whole seed spread "
              "of the task); probabilities " + " / ".join(classes) + " per seed:", "",
              "| row (object) | true class | class per seed | probabilities per seed |", "|---|---|---|---|"]
    for i in differ:
        lines.append(f"| {i} ({task.groups[i]}) | {task.labels[i]} | {', '.join(out[i] or 'unclassified' for out in outputs)} | "
                     + "; ".join(" / ".join(f"{v:.2f}" for v in p[i]) for p in probabilities) + " |")
    write_report("no_oiii_diagnosis.md", lines)


if __name__ == "__main__":
    main()
