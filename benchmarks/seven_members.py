"""Seven members against five, both on the shock-only SNR models (report only: stored records, no fit).

Stop 24 fitted the default with the shock-only SNR models and five members (``spectrograph_arm.py``, with the
exploratory records of ``joint_masks.py``); stop 25 adopted the same grid with seven members
(``misreported_errors.py``). Both cover the 22 choice tasks and families 1-14, seeds 0-2. This compares their
seed spread task by task, to tell which half of stop 25's change moved it. The first five members of a
seven-member fit are the five-member fit's (``member_seeds`` spawns them in order). Labels only score.

    python benchmarks/seven_members.py report     # -> results/seven_members.md
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _registered import choice_tasks, load, main, scores, seed_summary, write_report  # noqa: E402
from all_families import EARLY, LATER  # noqa: E402
from misreported_errors import CANDIDATE, PREFIX  # noqa: E402
from spectrograph_arm import CANDIDATE as FIVE  # noqa: E402
from spectrograph_arm import FAMILY as FOURTEENTH  # noqa: E402
from spectrograph_arm import PREFIX as ARM_RUN  # noqa: E402
from spectrograph_arm import RUN, arm_tasks  # noqa: E402

#: Seed std (ddof=1) above which a task is not seed-stable (issue 8, item 3).
STABLE = 0.01


def run(shard: str) -> None:
    raise SystemExit("seven_members.py fits nothing: its records are spectrograph_arm.py's and misreported_errors.py's")


def report() -> None:
    five = {**RUN.candidate_records(), **load(f"{ARM_RUN}_*.jsonl", FIVE)}
    seven = load(f"{PREFIX}_*.jsonl", CANDIDATE)
    families = {"22 choice tasks": lambda: list(choice_tasks().values()), **EARLY, **LATER, FOURTEENTH: arm_tasks}
    rows, spread = [], {"five": [], "seven": []}
    for family, build in families.items():
        tasks = {t.name: t for t in build()}
        runs = [scores({k: r for k, r in records.items() if k[0] in tasks}, tasks) for records in (five, seven)]
        for name in tasks:
            five_s, seven_s = (seed_summary(v[0] for v in run[name]) for run in runs)
            spread["five"].append(five_s["std"])
            spread["seven"].append(seven_s["std"])
            if max(five_s["std"], seven_s["std"]) > STABLE:
                rows.append(f"| {family} | {name} | {five_s['mean']:.3f} +- {five_s['std']:.3f} | "
                            f"{seven_s['mean']:.3f} +- {seven_s['std']:.3f} |")
    counts = {k: (int((np.asarray(v) > STABLE).sum()), len(v), float(np.max(v)), float(np.mean(v))) for k, v in spread.items()}
    lines = ["# Seven members against five on the shock-only SNR models (stored records, no fit)", "",
             "`python benchmarks/seven_members.py report`. Balanced accuracy of what `nebuladapt predict` writes, "
             "seeds 0-2, std ddof=1; the 22 choice tasks and families 1-14. Nothing is chosen from this table.", "",
             "| | five members (stop 24's candidate) | seven members (stop 25's default) |", "|---|---|---|",
             f"| tasks with std > {STABLE} | {counts['five'][0]} of {counts['five'][1]} | "
             f"{counts['seven'][0]} of {counts['seven'][1]} |",
             f"| largest std | {counts['five'][2]:.3f} | {counts['seven'][2]:.3f} |",
             f"| mean std | {counts['five'][3]:.4f} | {counts['seven'][3]:.4f} |", "",
             f"Tasks where either spreads more than {STABLE}:", "",
             "| family | task | five members | seven members |", "|---|---|---|---|", *rows]
    write_report("seven_members.md", lines)


if __name__ == "__main__":
    main(__doc__, run, report)
