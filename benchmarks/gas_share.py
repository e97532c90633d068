"""Less diffuse gas in the training models: does the fall on another code's HII regions come back? Exploratory.

The default of stop 22 blends half of the HII and SNR models with diffuse gas at up to 50 % of their
Halpha. On the second held-out family (MAPPINGS 5.1 HII models, ``heldout_model_family.py``) it keeps
fewer HII regions than the default it replaced (0.792 against 0.820 alone; the rest go mostly PN,
``results/all_families.md``). Here two smaller doses, on that family and on the tasks the diffuse gas was
adopted for or could cost: a quarter of the models at up to 50 %, and half at up to 30 %. Nothing is
chosen from it: a change of the default needs a registration and a new held-out family. Labels only score.

    nice -n 10 python benchmarks/gas_share.py run --shard 0/2     # and 1/2, in parallel
    python benchmarks/gas_share.py report                         # -> results/gas_share.md
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _registered import choice_tasks, exploratory_jobs, exploratory_report, main, run_jobs  # noqa: E402
from all_families import default_records, replaced_records  # noqa: E402
from half_gas import mixed_tasks  # noqa: E402
from heldout_model_family import build_tasks as model_family_tasks  # noqa: E402
from sii_alarm import dig_tasks  # noqa: E402
from trust_suite import CONFIGS  # noqa: E402

PREFIX = "gas_share"
QUARTER = "default, diffuse gas up to 50% of Halpha, a quarter of the HII and SNR models"
LESS = "default, diffuse gas up to 30% of Halpha, half of the HII and SNR models"
PARAMS = {QUARTER: {**CONFIGS["default"], "diffuse_gas": 0.5, "diffuse_gas_models": 0.25},
          LESS: {**CONFIGS["default"], "diffuse_gas": 0.3, "diffuse_gas_models": 0.5}}  # fmt: skip
CHOICE = ("HII only", "NEAT HII", "Ho 2019 HII (M101)", "PN-rich 20/60/20", "benchmark as shipped")


def tasks() -> dict:
    return {**{t.name: t for t in model_family_tasks()}, **choice_tasks(CHOICE),
            **{t.name: t for t in dig_tasks()}, **{t.name: t for t in mixed_tasks()}}  # fmt: skip


def run(shard: str) -> None:
    run_jobs(exploratory_jobs(list(PARAMS), tasks()), PREFIX, shard, {}, params=PARAMS)


def report() -> None:
    exploratory_report(PREFIX, "Less diffuse gas in the training models", tasks(), default_records(), "default (stop 22)",
                       list(PARAMS), recall=True, stored={"default before stop 22": replaced_records()})


if __name__ == "__main__":
    main(__doc__, run, report)
