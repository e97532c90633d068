"""Train with diffuse gas in the source models' apertures? Exploratory, not registered.

The eleventh held-out family ("diffuse ionised gas", ``sii_alarm.py``, now seen) did not confirm the
default: a fifth of an HII region's Halpha from diffuse gas ([SII]/Halpha 0.21 -> 0.26) made the
default call 99 % of them SNR; the default HII grid has few models above [SII]/Halpha = 0.1, where real
HII regions sit at 0.2-0.3 (``hii_grids.py``). Here every source model is mixed, at each training step,
with the diffuse-gas spectrum at a share f ~ U(0, x) of its Halpha (``NebulaClassifier(diffuse_gas=x)``,
:mod:`nebuladapt.diffuse_gas`; the same spectrum as the family's, so the family is no test of it), on
the tenth and eleventh families and on choice tasks; then, after PN models blended too had cost
"NEAT HII" (HII regions called PN), with the HII and SNR models only (PN fluxes are measured with the
local background subtracted); then, after that had cost "HII only", with the HII models only. Nothing is chosen from it: a change of the default
needs a registration and a new held-out family. Labels only score.

    nice -n 10 python benchmarks/diffuse_training.py run --shard 0/2     # and 1/2, in parallel
    python benchmarks/diffuse_training.py report                         # -> results/diffuse_training.md
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
from trust_suite import CONFIGS  # noqa: E402

from nebuladapt import CLASSES  # noqa: E402
from nebuladapt.models import estimator  # noqa: E402

PREFIX = "diffuse_training"
#: The fourth blends HII models only (run under :func:`hii_only`), after the third had cost "HII only".
HII_ONLY = "default, diffuse gas up to 50% of Halpha, HII models"
#: The first two blend the models of every class (fitted before the PN models were left out: run under
#: :func:`every_class`); the third blends HII and SNR models only, as ``diffuse_gas`` does now.
PARAMS = {**{f"default, diffuse gas up to {share:.0%} of Halpha": {**CONFIGS["default"], "diffuse_gas": share}
             for share in (0.3, 0.5)},
          "default, diffuse gas up to 50% of Halpha, HII and SNR models": {**CONFIGS["default"], "diffuse_gas": 0.5},
          HII_ONLY: {**CONFIGS["default"], "diffuse_gas": 0.5}}
#: The tasks of the third configuration: where the first two fell, and the families.
SECOND = ("diffuse gas, 20 % of Halpha", "diffuse gas, 0-50 % of Halpha per object",
          "faint lines undetected, limit 10 % of Halpha", "faint lines undetected, limit 2-20 % of Halpha per object",
          "benchmark as shipped", "HII only", "NEAT HII", "PN-rich 20/60/20", "no OIII5006 in all rows")


@contextmanager
def hii_only():
    """``diffuse_gas`` blends the HII models only."""
    with mock.patch.object(estimator, "BLENDED_CLASSES", ("HII",)):
        yield [1]


@contextmanager
def every_class():
    """``diffuse_gas`` blends the models of every class (as before PN models were left out)."""
    with mock.patch.object(estimator, "BLENDED_CLASSES", CLASSES):
        yield [1]
CHOICE = ("benchmark as shipped", "HII only", "Ho 2019 HII (M101)", "NEAT HII", "PN-rich 20/60/20", "SNR only",
          "Long+19 SNR", "no OIII5006 in all rows", "no SII6716_6730 in all rows")  # fmt: skip


def tasks() -> dict:
    return {**{t.name: t for t in dig_tasks()}, **{t.name: t for t in faint_tasks()}, **choice_tasks(CHOICE)}


def run(shard: str) -> None:
    first, second = list(PARAMS)[:2], list(PARAMS)[2:]
    jobs = exploratory_jobs(first, tasks()) + exploratory_jobs(second, {n: tasks()[n] for n in SECOND})
    run_jobs(jobs, PREFIX, shard, {**{c: every_class for c in first}, HII_ONLY: hii_only}, params=PARAMS)


def report() -> None:
    stored = {**load(*STOP18_DEFAULT), **load(f"{TENTH}_*.jsonl", "default"), **load(f"{ELEVENTH}_*.jsonl", "default")}
    exploratory_report(PREFIX, "Diffuse gas in the source models' apertures", tasks(), stored,
                       "default (5 members), stored", PARAMS, recall=True)


if __name__ == "__main__":
    main(__doc__, run, report)
