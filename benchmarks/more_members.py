"""Would more members steady the seed-dependent tasks? Exploratory, not a registered candidate.

``seed_disagreement.py`` found the members' mean to be a vote of 3 confident members on the rows
whose class changes with the seed. If each member fit picks a class with probability p, more
members steady the vote where p is far from 1/2 and not where p is near it. This fits the default
with 5 members on the three choice tasks still above std 0.01 (seeds 0-2) and reports them next to
the current default's records. Nothing is chosen from it: any change of the default needs a
registration and a held-out family first. Labels only score.

    nice -n 10 python benchmarks/more_members.py run --shard 0/2     # and 1/2, in parallel
    python benchmarks/more_members.py report                         # -> results/more_members.md
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).parent))
from _registered import (  # noqa: E402
    STOP17_DEFAULT, choice_tasks, exploratory_jobs, exploratory_report, main, run_jobs,
)
from trust_suite import CONFIGS  # noqa: E402

PREFIX = "more_members"
CONFIG = "default, 5 members"
MEMBERS = 5
TASKS = ("no HB4861 in all rows", "no OIII5006 in all rows", "no SII6716_6730 in 30% random")


@contextmanager
def five_members():
    """The default's parameters with ``members=5`` for this configuration's fits."""
    with mock.patch.dict(CONFIGS, {CONFIG: {**CONFIGS["default"], "members": MEMBERS}}):
        yield [MEMBERS]


def tasks() -> dict:
    return choice_tasks(TASKS)


def run(shard: str) -> None:
    run_jobs(exploratory_jobs([CONFIG], tasks()), PREFIX, shard, {CONFIG: five_members})


def report() -> None:
    exploratory_report(PREFIX, "Five members instead of three on the seed-dependent tasks", tasks(), STOP17_DEFAULT,
                       "current default (3 members)", [CONFIG], columns={CONFIG: "5 members"})


if __name__ == "__main__":
    main(__doc__, run, report)
