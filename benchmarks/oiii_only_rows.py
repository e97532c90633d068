"""Rows that keep only [OIII] ratios: how often they come back right, and how often the seed changes them.

Stored records only, no fit. For each task of the two families whose rows lose [NII] and [SII] together
("faint lines undetected", "one spectrograph arm lost"), the default's and the shock-only candidate's
records and those of the default of stop 25 (seeds 0-2), split into the rows :func:`nebuladapt.features.oiii_only_rows` flags and the other
classified rows: the share of rows x seeds given their true class, and the share of rows whose class is
not the same in all three seeds. Labels only score. Evidence for the ``oiii_only`` flag of
``nebuladapt predict``.

    python benchmarks/oiii_only_rows.py     # -> results/oiii_only_rows.md
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _registered import SEEDS, load, predicted, write_report  # noqa: E402
from all_families import default_records  # noqa: E402
from consistency import faint_tasks  # noqa: E402
from misreported_errors import CANDIDATE as ADOPTED  # noqa: E402
from misreported_errors import PREFIX as ADOPTION_RUN  # noqa: E402
from spectrograph_arm import CANDIDATE, PREFIX, RUN, arm_tasks  # noqa: E402

from nebuladapt.features import catalog_line_matrix, default_feature_spec, log_ratios, oiii_only_rows  # noqa: E402


def records() -> dict:
    """configuration -> (task, seed) -> record: the default's of stop 22, stop 24's shock-only candidate's and the
    default's of stop 25 (the adopted candidate of ``misreported_errors.py``), every task here."""
    fourteenth = {c: load(f"{PREFIX}_*.jsonl", c) for c in ("default", CANDIDATE)}
    return {"default": {**default_records(), **fourteenth["default"]},
            CANDIDATE: {**RUN.candidate_records(), **fourteenth[CANDIDATE]},
            "default of stop 25 (shock-only SNR models, 7 members)": load(f"{ADOPTION_RUN}_*.jsonl", ADOPTED)}


def main() -> None:
    spec = default_feature_spec()
    lines = ["# Rows that keep only [OIII] ratios (stored records, no fit)", "",
             "`python benchmarks/oiii_only_rows.py`. Rows flagged `oiii_only` (a usable row whose ratios all have "
             "[OIII]5007 as numerator) against the other classified rows; seeds 0-2. *Right*: share of rows x seeds "
             "given their true class. *Changed*: share of rows whose class is not the same in all three seeds.", "",
             "| task | configuration | rows `oiii_only` (HII / PN / SNR) | right | changed | other rows | right | changed |",
             "|---|---|---|---|---|---|---|---|"]
    stored_records = records()
    for task in (*faint_tasks(), *arm_tasks()):
        flux, _, _ = catalog_line_matrix(task.catalog, spec.lines)
        features = log_ratios(flux, spec)
        flagged = oiii_only_rows(features, spec)
        other = np.isfinite(features).any(axis=1) & ~flagged
        for config, stored in stored_records.items():
            given = np.array([predicted(stored[(task.name, s)], task) for s in SEEDS])
            right, changed = given == task.labels, (given != given[0]).any(axis=0)
            counts = " / ".join(str(int((task.labels[flagged] == c).sum())) for c in ("HII", "PN", "SNR"))
            lines.append(f"| {task.name} | {config} | {int(flagged.sum())} ({counts}) | {right[:, flagged].mean():.2f} | "
                         f"{changed[flagged].mean():.2f} | {int(other.sum())} | {right[:, other].mean():.2f} | "
                         f"{changed[other].mean():.2f} |")
    write_report("oiii_only_rows.md", lines)


if __name__ == "__main__":
    main()
