"""Where the default's seeds disagree on the choice tasks, and how sure each seed was there.

Reads stored fits only (the stop-17 default's records, 3 members, :data:`_registered.STOP17_DEFAULT`, seeds
0-2; no labels are used): per task, the rows whose class (as ``nebuladapt predict`` writes it)
changes with the seed, the largest block of them that share an object prefix (a galaxy or
survey), each seed's probability margin (top class minus the next) on those rows, and how often
the 3 members split there. A small margin means a tie the seed breaks; a large one means seeds
that are each confident of a different class. Members that each give one class nearly all the
probability make their mean a vote (1/3, 2/3): a split vote is the seed's luck in which members
it drew, which more members do not remove where the members divide about evenly.

    python benchmarks/seed_disagreement.py      # -> results/seed_disagreement.md
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _registered import STOP17_DEFAULT, RESULTS, SEEDS, choice_tasks, load, predicted  # noqa: E402

#: Margins (top probability minus the next) below which a row counts as a tie, reported.
MARGINS = (0.1, 0.2, 0.3)
#: Members' mean top probability below which the members split (3 confident members: 2/3 or 1/3).
SPLIT = 0.9


def margins(proba: np.ndarray) -> np.ndarray:
    """Top class probability minus the next, per row."""
    top = np.sort(proba, axis=1)
    return top[:, -1] - top[:, -2]


def main() -> None:
    tasks = choice_tasks()
    records = load(*STOP17_DEFAULT)
    lines = ["# Where the default's seeds disagree (choice tasks, stored fits, no labels)", "",
             "`python benchmarks/seed_disagreement.py`. Rows whose class (as `nebuladapt predict` writes it) "
             f"differs between seeds 0-2 of the stop-17 default, 3 members (`{STOP17_DEFAULT[0]}`, `{STOP17_DEFAULT[1]}`); "
             "margin = top probability minus the next, median over those rows, per seed. The block is the "
             "commonest object prefix among them (a galaxy or a survey). Members split: share of those rows and "
             f"seeds where the 3 members' mean gives no class more than {SPLIT} (the members voted differently).",
             "", "| task | rows | rows whose class changes | largest block | median margin there, seeds 0 / 1 / 2 | "
             "members split there |", "|---|---|---|---|---|---|"]
    pooled_margin, pooled_flip = [], []
    for name, task in tasks.items():
        proba = [np.asarray(records[(name, s)]["proba"]) for s in SEEDS]
        classes = np.stack([predicted(records[(name, s)], task) for s in SEEDS])
        margin = np.stack([margins(p) for p in proba])
        split = np.stack([np.asarray(records[(name, s)]["proba_members"]).max(axis=1) < SPLIT for s in SEEDS])
        flip = (classes != classes[0]).any(axis=0)
        pooled_margin.append(margin)
        pooled_flip.append(flip)
        if not flip.any():
            continue
        prefix = Counter(str(g).split("_")[0].split("-")[0] for g in np.asarray(task.groups)[flip]).most_common(1)[0]
        lines.append(f"| {name} | {len(flip)} | {flip.sum()} | {prefix[0]} ({prefix[1]}) | "
                     + " / ".join(f"{np.median(m[flip]):.2f}" for m in margin) + f" | {split[:, flip].mean():.2f} |")
    margin, flip = np.concatenate(pooled_margin, axis=1), np.concatenate(pooled_flip)
    lines += ["", f"Over the {len(tasks)} tasks: {flip.sum()} of {flip.size} rows change class with the seed.", "",
              "| margin below | rows below it (mean over seeds) | changing rows below it in every seed | in at least one |",
              "|---|---|---|---|"]
    for threshold in MARGINS:
        below = margin < threshold
        lines.append(f"| {threshold} | {below.mean():.3f} | {below[:, flip].all(axis=0).mean():.3f} | "
                     f"{below[:, flip].any(axis=0).mean():.3f} |")
    text = "\n".join(lines) + "\n"
    (RESULTS / "seed_disagreement.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
