"""Fixed noise in the default, on every other choice task and the seen families. Exploratory.

``paper_settings.py`` found one of the paper DANN's settings with gains when put into the default:
fixed 10 % noise instead of noise matched to the catalogue's errors (metal-rich slice 0.362 -> 0.620,
another code's HII regions 0.903 -> 0.918, NEAT HII 0.968 -> 0.976; low-ionisation slice 0.399 ->
0.350). Here the same configuration on the choice tasks that run did not fit and on held-out
families 5-13, so that a registration can be written knowing where it costs. The records of both runs
together are the configuration's records. Nothing is chosen from it. Labels only score.

    nice -n 10 python benchmarks/fixed_noise.py run --shard 0/2     # and 1/2, in parallel
    python benchmarks/fixed_noise.py report                         # -> results/fixed_noise.md
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _registered import choice_tasks, exploratory_jobs, exploratory_report, load, main, run_jobs  # noqa: E402
from all_families import LATER, default_records  # noqa: E402
from paper_settings import CHOICE as FITTED  # noqa: E402
from paper_settings import FIXED, PARAMS  # noqa: E402
from paper_settings import PREFIX as EXPLORED  # noqa: E402

PREFIX = "fixed_noise"


def tasks() -> dict:
    out = {name: t for name, t in choice_tasks().items() if name not in FITTED}
    for build in LATER.values():
        out.update({t.name: t for t in build()})
    return out


def run(shard: str) -> None:
    run_jobs(exploratory_jobs([FIXED], tasks()), PREFIX, shard, {}, params={FIXED: PARAMS[FIXED]})


def report() -> None:
    everything = {**choice_tasks(), **tasks()}
    exploratory_report(PREFIX, "Fixed noise in the default", everything, default_records(), "default (stop 22)", [],
                       recall=True, stored={FIXED: {**load(f"{EXPLORED}_*.jsonl", FIXED), **load(f"{PREFIX}_*.jsonl", FIXED)}})


if __name__ == "__main__":
    main(__doc__, run, report)
