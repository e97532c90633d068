"""Does the HII grid put real HII regions next to the shock models? Exploratory, not registered.

The eleventh held-out family ("diffuse ionised gas", ``sii_alarm.py``) did not confirm the default:
with a fifth of their Halpha from diffuse gas ([SII]/Halpha of the HII regions 0.2 -> 0.26), the
default called 99 % of the HII regions SNR, and already a source-only network 56-78 %. The default HII
grid (3MdB BOND_2) reaches few models above [SII]/Halpha = 0.1 (percentiles 50 / 75 / 95: 0.03 / 0.10 /
0.31) where real HII regions lie at 0.2-0.3, and 14 % of the shock models lie below 0.3. The shipped
MAPPINGS 5.1 HII grid of NebulaBayes (Thomas et al. 2018) reaches higher (0.09 / 0.22 / 0.50). This fits
the default with that grid in place of BOND_2 (``--grids nebulabayes_hii``) and with both grids for
the HII class, on the tenth and eleventh families (seen) and on choice tasks. Nothing is chosen from
it: a change of the default needs a registration and a new held-out family. Labels only score.

    nice -n 10 python benchmarks/hii_grids.py run --shard 0/2     # and 1/2, in parallel
    python benchmarks/hii_grids.py report                         # -> results/hii_grids.md
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).parent))
from _registered import (  # noqa: E402
    STOP18_DEFAULT, choice_tasks, exploratory_jobs, exploratory_report, load, main, run_jobs,
)
from consistency import PREFIX as TENTH  # noqa: E402
from consistency import faint_tasks  # noqa: E402
from sii_alarm import PREFIX as ELEVENTH  # noqa: E402
from sii_alarm import dig_tasks  # noqa: E402

from nebuladapt.evaluation import tasks as task_module  # noqa: E402
from nebuladapt.grids import select_grids  # noqa: E402

PREFIX = "hii_grids"
#: Configuration -> the grids chosen (``nebuladapt fit --grids``; a class's chosen grids replace its default).
GRIDS = {"default, HII grid MAPPINGS 5.1 (NebulaBayes)": ("nebulabayes_hii",),
         "default, HII grids BOND_2 + MAPPINGS 5.1": ("3mdb_bond2", "nebulabayes_hii")}  # fmt: skip
CHOICE = ("benchmark as shipped", "HII only", "Ho 2019 HII (M101)", "NEAT HII", "PN-rich 20/60/20",
          "SNR only", "no OIII5006 in all rows")  # fmt: skip


def with_grids(names: tuple[str, ...]):
    """A context manager: tasks train on ``select_grids(names=names)`` instead of the default grids."""

    @contextmanager
    def patch():
        calls: list = []
        grid_set = select_grids(names=names)

        def fluxes(lines, default_only=True, classes=None):
            calls.append(1)
            return grid_set.line_fluxes(lines)

        with mock.patch.object(task_module, "source_line_fluxes", fluxes):
            yield calls

    return patch


PATCHES = {config: with_grids(names) for config, names in GRIDS.items()}


def tasks() -> dict:
    return {**{t.name: t for t in dig_tasks()}, **{t.name: t for t in faint_tasks()}, **choice_tasks(CHOICE)}


def run(shard: str) -> None:
    run_jobs(exploratory_jobs(PATCHES, tasks()), PREFIX, shard, PATCHES)


def report() -> None:
    stored = {**load(*STOP18_DEFAULT), **load(f"{TENTH}_*.jsonl", "default"), **load(f"{ELEVENTH}_*.jsonl", "default")}
    exploratory_report(PREFIX, "HII grids that reach real HII regions' [SII]/Halpha", tasks(), stored,
                       "default (5 members), stored", PATCHES, recall=True)


if __name__ == "__main__":
    main(__doc__, run, report)
