"""Does the off-grid flag warn where the default fails on the held-out families?

For each held-out task (the `synthetic shift`, `parameter slices` and `abundance and [SII]
slices` families), seeds 0-2: the default's stored predictions (no refit) and the `off_grid` flag
of a model fitted with the same seed, features and noise (the flag's map is built from the
source models alone, so a source-only fit of 1000 steps gives the default's map; checked on one task
against a default refit below). Reported: the share of rows flagged, and of the misclassified rows
flagged. Labels only score.

    python benchmarks/heldout_off_grid.py      # ~2 min -> results/heldout_off_grid.md
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).parent))
from _registered import RESULTS, SEEDS, STORED_DEFAULT, load, predicted  # noqa: E402
from independent_starts import slice_tasks as fourth_family_tasks  # noqa: E402
from short_start import slice_tasks as third_family_tasks  # noqa: E402
from trust_suite import CONFIGS, fit_task  # noqa: E402

from nebuladapt.evaluation.tasks import HELD_OUT_FAMILY, build_task_suite  # noqa: E402

#: Where the default's stored fits of each family are.
FAMILIES = (
    (lambda: build_task_suite(seed=0, families=(HELD_OUT_FAMILY,)), STORED_DEFAULT),
    (third_family_tasks, "short_start_*.jsonl"),
    (fourth_family_tasks, "independent_starts_*.jsonl"),
)


def main() -> None:
    torch.set_num_threads(1)
    lines = ["# The off-grid flag on the held-out families (stored default predictions)", "",
             "`python benchmarks/heldout_off_grid.py`. Mean over seeds 0-2. The flag's map is built from "
             "the source models only; it comes from a source-only fit with the default's seed, features and "
             "noise (the check row compares it with the default's own flag).", "",
             "| family | task | rows flagged off-grid | misclassified rows | of those, flagged |", "|---|---|---|---|---|"]
    check = None
    for tasks, pattern in FAMILIES:
        records = load(pattern, "default")
        for task in tasks():
            flagged, wrong, wrong_flagged = [], [], []
            for seed in SEEDS:
                model, arrays, _ = fit_task(task, {**CONFIGS["default"], "method": "nn"}, seed)
                off = model.off_grid(arrays["target"])
                r = records[(task.name, seed)]
                miss = predicted(r, task) != task.labels
                flagged.append(off.mean())
                wrong.append(miss.mean())
                wrong_flagged.append(off[miss].mean() if miss.any() else np.nan)
                if check is None:
                    default, arrays, _ = fit_task(task, CONFIGS["default"], seed)
                    check = (task.name, seed, bool(np.array_equal(default.off_grid(arrays["target"]), off)))
            lines.append(f"| {task.family} | {task.name} | {np.mean(flagged):.2f} | {np.mean(wrong):.2f} | "
                         f"{np.nanmean(wrong_flagged):.2f} |")
    lines += ["", f"Check: on {check[0]}, seed {check[1]}, the default refitted flags the same rows as the "
              f"source-only fit: {'yes' if check[2] else 'NO'}."]
    text = "\n".join(lines) + "\n"
    (RESULTS / "heldout_off_grid.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
