"""Where the default fails the tenth held-out family ("faint lines undetected"): stored records, no fit.

For each task of the family and each configuration fitted on it (``consistency_*.jsonl``), the
classes given to the HII regions and PNe, split by the line each row lost (a row can lose more than
one) and for the rows that lost none, summed over seeds 0-2. Labels only score.

    python benchmarks/faint_lines_diagnosis.py     # -> results/faint_lines_diagnosis.md
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _registered import SEEDS, load, write_report  # noqa: E402
from consistency import PREFIX, faint_tasks  # noqa: E402
from trust_suite import record_output  # noqa: E402

CONFIGS = ("default", "paper DANN (GRL 1, no entropy, fixed noise)")
OUTPUTS = ("HII", "PN", "SNR", "")


def rows_table(task, records: dict) -> list[str]:
    lost = task.removed
    none = ~np.any(list(lost.values()), axis=0)
    preds = [record_output(records[(task.name, s)], task) for s in SEEDS]
    lines = []
    for cls in ("HII", "PN"):
        for what, rows in [("lost no line", none), *((f"lost {line}", v) for line, v in lost.items())]:
            rows = rows & (task.labels == cls)
            if rows.any():
                counts = [sum(int((p[rows] == k).sum()) for p in preds) for k in OUTPUTS]
                lines.append(f"| {cls} | {what} | {int(rows.sum())} x {len(SEEDS)} | " + " / ".join(map(str, counts)) + " |")
    return lines


def main() -> None:
    out = ["# Faint lines undetected: which rows the default gets wrong (stored records, no fit)", "",
           "`python benchmarks/faint_lines_diagnosis.py`. Rows of each true class by the line they lost (a row can "
           "lose more than one); the classes given, HII / PN / SNR / unclassified, summed over seeds 0-2.", ""]  # fmt: skip
    for task in faint_tasks():
        for config in CONFIGS:
            records = load(f"{PREFIX}_*.jsonl", config)
            out += [f"## {task.name}: {config}", "", "| true class | lost | rows x seeds | given HII / PN / SNR / none |",
                    "|---|---|---|---|", *rows_table(task, records), ""]  # fmt: skip
    write_report("faint_lines_diagnosis.md", out)


if __name__ == "__main__":
    main()
