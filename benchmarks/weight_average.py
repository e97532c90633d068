"""Average each network's weights over the end of its training? Exploratory, not a registered candidate.

Stop 25's default spreads more than 0.01 over seeds on 11 of 53 tasks (``default_families.md``), and
the members' undistilled mean spreads as much as the distilled network (12 of 53): the spread is in
the members, not in the distillation. Each network (the source-only starts, the members, the distilled
network) here ends with the uniform average of its weights after every step of the second half (or
of the last fifth) of its training (stochastic weight averaging at constant learning rate, Izmailov et
al. 2018, with ``torch.optim.swa_utils.AveragedModel``), which smooths where a single adversarial run
happens to stop. Result (stop 26, 54 fits): both steady the spread tasks, but at about the worst seed of
the default: "[NII] fully blended" 0.892 -> 0.878 / 0.873, "blue or red arm lost" 0.825 -> 0.810 /
0.815, [OIII] and [SII] lost together 0.713 -> 0.701 / 0.706; not a candidate.
Tasks: the choice tasks the change could hurt and the seen tasks that spread most. Nothing is chosen
from it: a change of the default needs a registration and a new held-out family first. Labels only score.

    nice -n 10 python benchmarks/weight_average.py run --shard 0/2     # and 1/2, in parallel
    python benchmarks/weight_average.py report                         # -> results/weight_average.md
"""

from __future__ import annotations

import functools
import sys
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import numpy as np
import torch
from torch.optim.swa_utils import AveragedModel

sys.path.insert(0, str(Path(__file__).parent))
from _registered import RESULTS, SEEDS, choice_tasks, exploratory_jobs, exploratory_report, load, main, run_jobs, scores  # noqa: E402
from all_families import EARLY, LATER  # noqa: E402
from misreported_errors import error_tasks  # noqa: E402
from misreported_errors import CANDIDATE as DEFAULT  # noqa: E402 (stop 25's default, the records it was adopted on)
from misreported_errors import PREFIX as DEFAULT_RUN  # noqa: E402
from spectrograph_arm import arm_tasks  # noqa: E402

from nebuladapt.models import estimator  # noqa: E402

PREFIX = "weight_average"
#: The number of the held-out family of ``misreported_errors.py`` (the last family of the spread table).
FIFTEENTH_NUMBER = 15
AVERAGED = "default, weights averaged over the second half of each network's steps"
LATE = "default, weights averaged over the last fifth of each network's steps"
#: Fraction of a network's steps after which its weights are averaged, per configuration.
START = {AVERAGED: 0.5, LATE: 0.8}
CHOICE = ("NEAT HII", "benchmark as shipped", "no SII6716_6730 in all rows", "no HB4861 in all rows")
SPREAD = ("faint lines undetected, limit 10 % of Halpha", "blue or red arm lost, 20 % of objects each",
          "[NII] fully blended into Halpha", "no OIII5006 and SII6716_6730 in 50% random",
          "mixed excitation, 15 % of Halpha")  # fmt: skip


@contextmanager
def averaged_patch(start: float):
    """Every ``train_network`` call of the estimator ends with its weights averaged after ``start`` of its steps."""
    calls, original = [], estimator.train_network

    def train(net, spec, scaler, data, config, losses=(), callback=None):
        average, first = AveragedModel(net, use_buffers=True), int(start * config.n_steps)

        def hook(step, record):
            if step >= first:
                average.update_parameters(net)
            if callback is not None:
                callback(step, record)

        history, snapshots = original(net, spec, scaler, data, config, losses, hook)
        with torch.no_grad():
            net.load_state_dict(average.module.state_dict())
        calls.append(config.n_steps)
        return history, snapshots

    with mock.patch.object(estimator, "train_network", train):
        yield calls


def probe_tasks(choice, seen) -> dict:
    """Name -> Task: the choice tasks ``choice``, then the tasks ``seen`` of families 5-14, in order."""
    every = {t.name: t for build in (*LATER.values(), arm_tasks) for t in build()}
    return {**choice_tasks(choice), **{name: every[name] for name in seen}}


def tasks() -> dict:
    return probe_tasks(CHOICE, SPREAD)


def run(shard: str) -> None:
    patches = {config: (lambda start=start: averaged_patch(start)) for config, start in START.items()}
    jobs = [job for config in START for job in exploratory_jobs((config,), tasks())]  # each config split evenly
    run_jobs(jobs, PREFIX, shard, patches)


@functools.cache
def default_tasks() -> tuple[dict, dict]:
    """The stop-25 default's stored records ((task, seed) -> record, seeds 0-2) and every task they cover in
    full (name -> Task, in order: the 22 choice tasks, families 1-15). Built once per process: callers only read."""
    records = load(f"{DEFAULT_RUN}_*.jsonl", DEFAULT)
    builders = [lambda: list(choice_tasks().values()), *EARLY.values(), *LATER.values(), arm_tasks, error_tasks]
    every = {t.name: t for build in builders for t in build()}
    return records, {name: t for name, t in every.items() if all((name, s) in records for s in SEEDS)}


def spread_lines() -> list[str]:
    """Markdown: over every task of the default's records, how many spread > 0.01 over seeds, distilled and not."""
    records, every = default_tasks()
    teacher = {key: {**r, "proba": r["proba_members"]} for key, r in records.items() if key[0] in every}
    std = {label: np.array([np.std([v[0] for v in runs[name]], ddof=1) for name in every])
           for label, runs in (("distilled", scores({k: r for k, r in records.items() if k[0] in every}, every)),
                               ("members' mean", scores(teacher, every)))}  # fmt: skip
    return ["", f"## Where the spread is: the distilled network against its members' mean (stored records, "
            f"{len(every)} tasks: the 22 choice tasks and families 1-{FIFTEENTH_NUMBER})", "",
            "| default of stop 25 | tasks with std > 0.01 | mean std | largest std |", "|---|---|---|---|",
            *[f"| {label} | {int((v > 0.01).sum())} of {len(v)} | {v.mean():.4f} | {v.max():.3f} |"
              for label, v in std.items()]]  # fmt: skip


def report() -> None:
    exploratory_report(PREFIX, "Weights averaged over the second half of each network's training", tasks(),
                       load(f"{DEFAULT_RUN}_*.jsonl", DEFAULT), "default of stop 25 (stored)", tuple(START),
                       recall=True)
    path = RESULTS / f"{PREFIX}.md"
    path.write_text(path.read_text().rstrip("\n") + "\n" + "\n".join(spread_lines()) + "\n")


if __name__ == "__main__":
    main(__doc__, run, report)
