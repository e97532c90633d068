"""Apply the adoption rule of results/oiii_ha_choice.md to the task-suite records.

Reads ``results/trust_suite_*.jsonl`` (benchmarks/trust_suite.py), compares the candidate
"default + [OIII]/Halpha" with the 3-ratio default on the CHOICE tasks (every family but the held-out
one) over the seeds both have, prints the per-task table and the four criteria, and reports
the held-out family last. Labels only score.

    python benchmarks/oiii_ha_choice.py            # -> results/oiii_ha_choice_result.md
"""

from __future__ import annotations

import numpy as np

from trust_analyse import RESULTS, load_records  # benchmarks/ is the script's directory
from trust_suite import THREE_RATIO_DEFAULT, record_output

from nebuladapt.evaluation.tasks import HELD_OUT_FAMILY, build_task_suite
from nebuladapt.evaluation.trust import balanced_accuracy, seed_summary

#: Names after the adoption (trust_suite.record_config): the candidate's records are now "default".
BASE, CANDIDATE = THREE_RATIO_DEFAULT, "default"
STABLE = 0.01  # std over seeds counted as seed-stable (issue 8)
MAX_DROP = 0.02


def task_summaries(fits, task, config, seeds):
    values = [balanced_accuracy(task.labels, record_output(fits[(config, task.name, s)], task)) for s in seeds]
    return seed_summary(values)


def main() -> None:
    fits, _ = load_records()
    rows, held = [], []
    for task in build_task_suite(seed=0):
        seeds = [s for s in range(3) if (BASE, task.name, s) in fits and (CANDIDATE, task.name, s) in fits]
        if len(seeds) < 2:
            continue
        base, cand = (task_summaries(fits, task, c, seeds) for c in (BASE, CANDIDATE))
        row = (task.family, task.name, len(seeds), base, cand)
        (held if task.family == HELD_OUT_FAMILY else rows).append(row)
    lines = ["| family | task | seeds | default: mean ± std [worst] | + [OIII]/Halpha: mean ± std [worst] | difference |",
             "|---|---|---|---|---|---|"]  # fmt: skip
    for family, name, n, b, c in rows + held:
        tag = " (held out)" if family == HELD_OUT_FAMILY else ""
        lines.append(f"| {family}{tag} | {name} | {n} | {b['mean']:.3f} ± {b['std']:.3f} [{b['worst']:.3f}] | "
                     f"{c['mean']:.3f} ± {c['std']:.3f} [{c['worst']:.3f}] | {c['mean'] - b['mean']:+.3f} |")  # fmt: skip
    base_means = np.array([b["mean"] for *_, b, _ in rows])
    cand_means = np.array([c["mean"] for *_, c in rows])
    criteria = {
        "1. mean over choice tasks rises": (base_means.mean(), cand_means.mean(), cand_means.mean() > base_means.mean()),
        "2. worst choice task does not fall": (base_means.min(), cand_means.min(), cand_means.min() >= base_means.min()),
        f"3. no choice task falls by more than {MAX_DROP}": (
            None, float((cand_means - base_means).min()), bool((cand_means - base_means >= -MAX_DROP).all())),
        f"4. tasks with std <= {STABLE} do not fall": (
            sum(b["std"] <= STABLE for *_, b, _ in rows), sum(c["std"] <= STABLE for *_, c in rows),
            sum(c["std"] <= STABLE for *_, c in rows) >= sum(b["std"] <= STABLE for *_, b, _ in rows)),
    }
    lines += ["", f"Choice tasks: {len(rows)}.", "", "| criterion | default | candidate | met |", "|---|---|---|---|"]
    for name, (b, c, ok) in criteria.items():
        fmt = lambda x: "" if x is None else (f"{x:.3f}" if isinstance(x, float) else str(x))  # noqa: E731
        lines.append(f"| {name} | {fmt(b)} | {fmt(c)} | {'yes' if ok else 'NO'} |")
    verdict = all(ok for *_, ok in criteria.values())
    lines += ["", f"**Verdict: {'adopt' if verdict else 'do not adopt'}** (every criterion must hold)."]
    text = "\n".join(lines) + "\n"
    (RESULTS / "oiii_ha_choice_result.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
