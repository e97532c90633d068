"""Five members, and the seventh held-out family ("Halpha blended with [NII]").

Registered in results/five_members_registration.md before any fit (beyond the three exploratory
tasks of ``more_members.py``, whose records count as the candidate's). ``run`` fits; ``report``
applies the registered rules (choice tasks and the two seen families against the current
default's stored records), then the confirmation rule on the new family. Labels only score.

    nice -n 10 python benchmarks/five_members.py run --shard 0/2     # and 1/2, in parallel
    python benchmarks/five_members.py report                         # -> results/five_members_result.md
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _registered import STOP17_DEFAULT, RegisteredRun, main  # noqa: E402
from crowded import crowded_tasks  # noqa: E402
from more_members import CONFIG as CANDIDATE  # noqa: E402
from more_members import PREFIX as EXPLORED  # noqa: E402
from more_members import five_members  # noqa: E402
from usable_rows import pair_tasks  # noqa: E402

from nebuladapt.benchmark import benchmark_catalog, load_benchmark  # noqa: E402
from nebuladapt.dust import deredden_catalog  # noqa: E402
from nebuladapt.evaluation.tasks import Task  # noqa: E402
from nebuladapt.lines import DOUBLET_RATIOS  # noqa: E402

FAMILY = "Halpha blended with [NII]"
PREFIX = "five_members"
#: Task name -> (range of the blended share s of [NII], task seed).
BLENDS = {"[NII] fully blended into Halpha": ((1.0, 1.0), 501),
          "[NII] partly blended into Halpha": ((0.0, 1.0), 502)}  # fmt: skip
#: The seen families (rule 6) and where the current default's records of them are.
SEEN = {"crowded apertures": (crowded_tasks, *STOP17_DEFAULT),
        "two lines lost together": (pair_tasks, "usable_rows_*.jsonl", "default")}  # fmt: skip


def blend_task(name: str, share_range: tuple[float, float], seed: int) -> Task:
    """The benchmark with a share s of [NII]6548+6583 added to every measured Halpha, then dereddened."""
    table = load_benchmark()
    labels = np.asarray(table["class"]).astype(str)
    catalog = benchmark_catalog()
    weak = DOUBLET_RATIOS[("NII6583", "NII6548")]
    strong = np.where(np.isfinite(catalog.flux["NII6583"]), catalog.flux["NII6583"], weak * catalog.flux["NII6548"])
    share = np.random.default_rng(seed).uniform(*share_range, size=len(labels))
    added = np.where(np.isfinite(strong), share * (1 + 1 / weak) * strong, 0.0)
    flux = {**catalog.flux, "HA6562": catalog.flux["HA6562"] + added}  # NaN Halpha (case B later) stays NaN
    return Task(name, FAMILY, deredden_catalog(replace(catalog, flux=flux)), labels,
                np.asarray(table["group_id"]).astype(str), seed, description=f"Halpha + s [NII], s ~ U{share_range}")


def blend_tasks() -> list[Task]:
    return [blend_task(name, share_range, seed) for name, (share_range, seed) in BLENDS.items()]


RUN = RegisteredRun(PREFIX, CANDIDATE, five_members, EXPLORED, STOP17_DEFAULT, SEEN, FAMILY, blend_tasks,
                    {"baseline": "3 members (the stop-17 default, stored)",
                     "seen_baseline": "3 members (stop-17 default)", "seen_candidate": "five members",
                     "default": "the stop-17 default, 3 members"})  # fmt: skip


def report() -> None:
    RUN.report("Five members", "the three exploratory tasks")


if __name__ == "__main__":
    main(__doc__, RUN.run, report)
