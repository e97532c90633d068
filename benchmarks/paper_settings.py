"""Which of the paper DANN's settings carries it on the grid-slice families? Exploratory.

On the held-out grid-slice families (1, 3, 4) the paper's DANN (one network, GRL weight 1, no entropy,
fixed noise) fails least of all configurations (``results/all_families.md``), and a weaker entropy term
in the default does not move the default there (``results/entropy_dose.md``). Here the default
(5 members, diffuse gas in half of the HII and SNR models, entropy 1) with the GRL weight 1 instead
of 0.3, and with fixed instead of matched noise, on those families and on the choice tasks the
single networks used to lose (HII only, NEAT HII, PN-rich, HII-dominated, Long+19 SNR + NEAT PN).
Nothing is chosen from it. Labels only score.

    nice -n 10 python benchmarks/paper_settings.py run --shard 0/2     # and 1/2, in parallel
    python benchmarks/paper_settings.py report                         # -> results/paper_settings.md
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _registered import choice_tasks, exploratory_jobs, exploratory_report, main, run_jobs  # noqa: E402
from all_families import EARLY, PAPER_DANN, default_records, stored  # noqa: E402
from trust_suite import CONFIGS  # noqa: E402

PREFIX = "paper_settings"
GRL = "default, GRL weight 1"
FIXED = "default, fixed noise"
PARAMS = {GRL: {**CONFIGS["default"], "domain_weight": 1.0}, FIXED: {**CONFIGS["default"], "noise": "fixed"}}
CHOICE = ("HII-dominated 90/5/5", "PN-rich 20/60/20", "HII only", "NEAT HII", "Long+19 SNR + NEAT PN")


def tasks() -> dict:
    return {**{t.name: t for build in EARLY.values() for t in build()}, **choice_tasks(CHOICE)}


def run(shard: str) -> None:
    run_jobs(exploratory_jobs(list(PARAMS), tasks()), PREFIX, shard, {}, params=PARAMS)


def report() -> None:
    exploratory_report(PREFIX, "The paper DANN's settings in the default", tasks(), default_records(),
                       "default (stop 22)", list(PARAMS), recall=True, stored={"paper DANN": stored(PAPER_DANN, set(tasks()))})


if __name__ == "__main__":
    main(__doc__, run, report)
