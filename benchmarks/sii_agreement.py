"""A label-free alarm for the HII -> SNR collapse? Stored records only, no fit; exploratory, nothing chosen.

For each stored fit of the current default (choice tasks, the seen families, the tenth family) and of
the paper DANN where it was fitted, the share of the rows the classical rule calls not SNR
([SII]/Halpha <= 0.4, where given) that the model calls SNR: it needs no label. Next to it, HII
recall (labels only score). An alarm is worth building only if a high share picks out the fits that
lose HII regions and stays low elsewhere; this table shows whether it does, seeds 0-2.

    python benchmarks/sii_agreement.py     # -> results/sii_agreement.md
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _registered import STOP18_DEFAULT, SEEDS, choice_tasks, load, predicted, write_report  # noqa: E402
from complete_rows import PREFIX as EIGHTH  # noqa: E402
from complete_rows import offset_tasks  # noqa: E402
from consistency import PREFIX as TENTH  # noqa: E402
from consistency import faint_tasks  # noqa: E402
from crowded import crowded_tasks  # noqa: E402
from five_members import blend_tasks  # noqa: E402
from missing_lines import _features  # noqa: E402
from shock_density import PREFIX as NINTH  # noqa: E402
from shock_density import absorption_tasks  # noqa: E402
from usable_rows import pair_tasks  # noqa: E402

from nebuladapt.evaluation.baselines import SII_HA  # noqa: E402
from nebuladapt.evaluation.diagnostics import low_sii_snr_share  # noqa: E402

PAPER_DANN = "paper DANN (GRL 1, no entropy, fixed noise)"
#: (tasks, records pattern, configuration) of every set of stored fits read.
SETS = [(lambda: list(choice_tasks().values()), *STOP18_DEFAULT),
        (crowded_tasks, *STOP18_DEFAULT), (pair_tasks, *STOP18_DEFAULT), (blend_tasks, *STOP18_DEFAULT),
        (offset_tasks, f"{EIGHTH}_*.jsonl", "default"), (absorption_tasks, f"{NINTH}_*.jsonl", "default"),
        (faint_tasks, f"{TENTH}_*.jsonl", "default"), (faint_tasks, f"{TENTH}_*.jsonl", PAPER_DANN)]  # fmt: skip


def rows() -> list[tuple]:
    out = []
    for tasks, pattern, config in SETS:
        records = load(pattern, config)
        for task in tasks():
            have = [s for s in SEEDS if (task.name, s) in records]
            if not have:
                continue
            sii = _features(task.catalog)[SII_HA]
            alarm, recall = [], []
            for s in have:
                pred = predicted(records[(task.name, s)], task)
                check = low_sii_snr_share(sii, pred)
                alarm.append(np.nan if check["share"] is None else check["share"])
                hii = task.labels == "HII"
                recall.append(float(np.mean(pred[hii] == "HII")) if hii.any() else np.nan)
            out.append((config, task.family, task.name, check["rows"], np.mean(alarm), np.mean(recall)))
    return out


def main() -> None:
    table = rows()
    lines = ["# SNR calls below [SII]/Halpha = 0.4: a label-free alarm for the HII -> SNR collapse? (exploratory)", "",
             "`python benchmarks/sii_agreement.py` (stored records, no fit). Per task: the rows with [SII]/Halpha <= 0.4, "
             "the share of them the model calls SNR (no label needed) and HII recall (labels only score), means over "
             "seeds 0-2. Nothing was chosen from this table.", "",
             "| configuration | family | task | rows below 0.4 | SNR calls among them | HII recall |",
             "|---|---|---|---|---|---|"]  # fmt: skip
    lines += [f"| {c} | {f} | {t} | {n} | {a:.2f} | {r:.2f} |" for c, f, t, n, a, r in sorted(table, key=lambda x: -np.nan_to_num(x[4], nan=-1.0))]
    write_report("sii_agreement.md", lines)


if __name__ == "__main__":
    main()
