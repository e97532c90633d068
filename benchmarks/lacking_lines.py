"""Masked distillation of complete rows, masking only the lines the catalogue lacks? Exploratory, not registered.

The registered candidate of ``consistency.py`` (distillation of complete rows through whole lines
masked at random, each line with probability ``max(0.1, share of target rows without it)``) was not
adopted: it lifted "no [OIII] in 30 % random" by 0.108 but cost "no [SII] in all rows" 0.049 and
"extra noise S/N 5" 0.027, where no row lacks the masked lines. This variant masks each line with
the share of target rows without it and no floor: a catalogue that lacks no line is fitted exactly
as the default. Seeds 0-2 on the choice tasks where the candidate gained or lost most, next to the
default's stored records and the registered candidate's. Nothing is chosen from it: a change of
the default needs a registration and a new held-out family. Labels only score.

    nice -n 10 python benchmarks/lacking_lines.py run --shard 0/2     # and 1/2, in parallel
    python benchmarks/lacking_lines.py report                         # -> results/lacking_lines.md
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _registered import (  # noqa: E402
    STOP18_DEFAULT, choice_tasks, exploratory_jobs, exploratory_report, main, run_jobs,
)
from consistency import RUN as REGISTERED  # noqa: E402
from masked_distillation import masked  # noqa: E402

PREFIX = "lacking_lines"
CONFIG = "default, masked distillation of complete rows, lacking lines only"
TASKS = ("no OIII5006 in 30% random", "no SII6716_6730 in all rows", "extra noise S/N 5", "HII-dominated 90/5/5",
         "no SII6716_6730 in 30% random")  # fmt: skip


def tasks() -> dict:
    return choice_tasks(TASKS)


def run(shard: str) -> None:
    run_jobs(exploratory_jobs([CONFIG], tasks()), PREFIX, shard, {CONFIG: masked(True, base_prob=0.0)})


def report() -> None:
    """``results/lacking_lines.md``: the default's stored records, the registered candidate's, this variant's."""
    exploratory_report(PREFIX, "Masked distillation of the lines the catalogue lacks", tasks(), STOP18_DEFAULT,
                       "default (5 members), stored", [CONFIG], recall=True,
                       columns={CONFIG: "lacking lines only (no floor)"},
                       stored={"registered candidate (floor 0.1), stored": REGISTERED.candidate_records()})


if __name__ == "__main__":
    main(__doc__, run, report)
