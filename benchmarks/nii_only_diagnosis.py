"""Why HII regions that keep only [NII]/Halpha come back SNR (exploratory, not registered; nothing chosen from it).

Three fits (seed 0), no label used: the class-balanced share of each class's training models per bin of
log [NII]/Halpha (before training adds diffuse gas and noise); then the class probabilities the source-only network,
the default fitted on the benchmark as shipped, and the default fitted on the shallow task of the sixteenth
family ("depth the same for every class") give to rows that hold only Halpha, Hbeta and [NII].

    python benchmarks/nii_only_diagnosis.py     # -> results/nii_only_diagnosis.md (3 fits, about 1 min)
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _registered import write_report  # noqa: E402
from all_families import choice_tasks  # noqa: E402
from members_temperature import CASE_B, depth_tasks  # noqa: E402
from trust_suite import CONFIGS, fit_task  # noqa: E402

from nebuladapt import CLASSES  # noqa: E402
from nebuladapt.evaluation.tasks import task_arrays  # noqa: E402
from nebuladapt.features import NII_HA, default_feature_spec, log_ratios  # noqa: E402

EDGES = np.round(np.arange(-1.5, 0.61, 0.15), 2)
PROBE = np.round(np.linspace(-1.2, 0.3, 11), 2)


def grid_shares(spec) -> list[str]:
    """Markdown rows: per bin of log [NII]/Halpha, each class's share of the class-balanced training models."""
    X, y, d, _, _ = task_arrays(choice_tasks()["benchmark as shipped"], spec)
    source = d > 0
    nii = log_ratios(X[source], spec)[:, spec.names.index(NII_HA.name)]
    labels = np.asarray(y[source]).astype(str)
    density = {c: np.histogram(nii[labels == c], bins=EDGES)[0] / (labels == c).sum() for c in CLASSES}
    rows = []
    for k in range(len(EDGES) - 1):
        total = sum(density[c][k] for c in CLASSES)
        rows.append(f"| {EDGES[k]:+.2f} to {EDGES[k + 1]:+.2f} | "
                    + " | ".join(f"{density[c][k] / total:.2f}" if total else "-" for c in CLASSES) + " |")
    return rows


def nii_only_rows_at(spec) -> np.ndarray:
    """Flux rows that hold only Halpha, Hbeta (case B) and [NII], at each log [NII]/Halpha of :data:`PROBE`."""
    rows = np.full((len(PROBE), len(spec.lines)), np.nan)
    index = {line: k for k, line in enumerate(spec.lines)}
    rows[:, index["HA6562"]] = 1.0
    rows[:, index["HB4861"]] = 1.0 / CASE_B
    rows[:, index[NII_HA.numerator]] = 10.0 ** PROBE
    return rows


def main() -> None:
    spec = default_feature_spec()
    shallow = {t.name: t for t in depth_tasks()}["depth the same for every class: S/N(Halpha) 5-30"]
    fits = {"source-only network (`--method nn`), benchmark as shipped": (choice_tasks()["benchmark as shipped"],
                                                                          {**CONFIGS["default"], "method": "nn", "members": 1}),
            "default, benchmark as shipped": (choice_tasks()["benchmark as shipped"], CONFIGS["default"]),
            f"default, {shallow.name}": (shallow, CONFIGS["default"])}  # fmt: skip
    probe = nii_only_rows_at(spec)
    probabilities = {name: fit_task(task, params, 0)[0].predict_proba(probe) for name, (task, params) in fits.items()}
    lines = ["# Why HII regions that keep only [NII]/Halpha come back SNR (exploratory, not registered)", "",
             "`python benchmarks/nii_only_diagnosis.py`; seed 0; no label used. Nothing was chosen from these tables.", "",
             "## The default's training grids, class-balanced", "",
             "Share of each class among the default's training models weighted by 1 / their class's number (the "
             "class-balanced batches draw each class equally), per bin of log [NII]/Halpha, before training adds "
             "diffuse gas and noise:", "",
             "| log [NII]/Halpha | " + " | ".join(CLASSES) + " |", "|---|---|---|---|", *grid_shares(spec), "",
             "## Probabilities given to rows with only Halpha, Hbeta and [NII]", "",
             "P(" + ") / P(".join(CLASSES) + ") per fit.", "",
             "| log [NII]/Halpha | " + " | ".join(fits) + " |", "|---" * (len(fits) + 1) + "|"]
    for k, value in enumerate(PROBE):
        lines.append(f"| {value:+.2f} | " + " | ".join(" / ".join(f"{p:.2f}" for p in probabilities[name][k])
                                                       for name in fits) + " |")
    write_report("nii_only_diagnosis.md", lines)


if __name__ == "__main__":
    main()
