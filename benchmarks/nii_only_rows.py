"""Rows that keep only [NII]/Halpha: how often they come back right, how confidently, and how often the seed changes them.

Stored records only, no fit. For every task of the suite (the 22 choice tasks and families 1-15: the default's
records of stop 25, seeds 0-2) and of the sixteenth family ("depth set by class": ``members_temperature.py``'s
records, at temperature 1, which are the default's), split into the rows :func:`nebuladapt.features.nii_only_rows`
flags and the other classified rows: the share of rows x seeds given their true class, the share given a class
with probability >= 0.9, and the share of rows whose class is not the same in all three seeds. Labels only score.
Evidence for the ``nii_only`` flag of ``nebuladapt predict``.

    python benchmarks/nii_only_rows.py     # -> results/nii_only_rows.md
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _registered import SEEDS, load, predicted, write_report  # noqa: E402
from all_families import choice_tasks  # noqa: E402
from members_temperature import CANDIDATE, PREFIX, depth_tasks  # noqa: E402
from weight_average import default_tasks  # noqa: E402

from nebuladapt.features import FeatureSpec, catalog_line_matrix, log_ratios, nii_only_rows  # noqa: E402

CONFIDENT = 0.9


def records_and_tasks() -> tuple[dict, dict]:
    """(task, seed) -> the default's record, and name -> Task: the suite's 53 tasks and the sixteenth family."""
    records, every = default_tasks()
    family = {t.name: t for t in depth_tasks()}
    sixteenth = {k: {**r, "proba": r["proba_untempered"]} for k, r in load(f"{PREFIX}_*.jsonl", CANDIDATE).items()
                 if k[0] in family}  # fmt: skip
    return {**records, **sixteenth}, {**every, **family}


def main() -> None:
    records, tasks = records_and_tasks()
    choice = set(choice_tasks())
    lines = ["# Rows that keep only [NII]/Halpha (stored records, no fit)", "",
             "`python benchmarks/nii_only_rows.py`. Rows flagged `nii_only` (a usable row whose ratios all have "
             "[NII]6583 as numerator) against the other classified rows; the default, seeds 0-2. *Right*: share of "
             "rows x seeds given their true class. *Sure*: share given a class with probability >= "
             f"{CONFIDENT}. *Changed*: share of rows whose class is not the same in all three seeds. Only tasks "
             "with such rows.", "",
             "| task | kind | rows `nii_only` (HII / PN / SNR) | called HII / PN / SNR | right | sure | changed | "
             "other rows | right | changed |", "|---|---|---|---|---|---|---|---|---|---|"]
    totals = {}
    for name, task in tasks.items():
        runs = [records[(name, s)] for s in SEEDS]
        spec = FeatureSpec.from_names(runs[0]["features"])
        flux, _, _ = catalog_line_matrix(task.catalog, spec.lines)
        features = log_ratios(flux, spec)
        flagged = nii_only_rows(features, spec)
        if not flagged.any():
            continue
        other = np.isfinite(features).any(axis=1) & ~flagged
        given = np.array([predicted(r, task) for r in runs])
        sure = np.array([np.max(r["proba"], axis=1) >= CONFIDENT for r in runs])
        right, changed = given == task.labels, (given != given[0]).any(axis=0)
        kind = "choice" if name in choice else ("new family" if task.family == "depth set by class" else "held out")
        t = totals.setdefault(kind, np.zeros(4))
        t += [right[:, flagged].sum(), flagged.sum() * len(SEEDS), (sure & (given != ""))[:, flagged].sum(), 0]
        counts = " / ".join(str(int((task.labels[flagged] == c).sum())) for c in ("HII", "PN", "SNR"))
        called = " / ".join(str(int((given[:, flagged] == c).sum())) for c in ("HII", "PN", "SNR"))
        lines.append(f"| {name} | {kind} | {int(flagged.sum())} ({counts}) | {called} | {right[:, flagged].mean():.2f} | "
                     f"{sure[:, flagged].mean():.2f} | {changed[flagged].mean():.2f} | {int(other.sum())} | "
                     f"{right[:, other].mean():.2f} | {changed[other].mean():.2f} |")
    lines += ["", "| tasks | row-fits `nii_only` | right | sure |", "|---|---|---|---|"]
    lines += [f"| {kind} | {int(t[1])} | {t[0] / t[1]:.2f} | {t[2] / t[1]:.2f} |" for kind, t in totals.items()]
    write_report("nii_only_rows.md", lines)


if __name__ == "__main__":
    main()
