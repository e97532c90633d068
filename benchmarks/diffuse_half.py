"""Diffuse gas in half of the HII and SNR models only? Exploratory, not registered.

The registered candidate (``gas_training.py``: every HII and SNR model blended with diffuse gas at a
share U(0, 0.5) of its Halpha) was not adopted: "HII only" fell 0.978 -> 0.950. The regions it lost
went PN (7-8 per seed) and are metal-poor, high-excitation HII regions ([SII]/Halpha ~ 0.04, [NII]/Halpha
~ 0.1, [OIII]/Hbeta 2-3.5): with every HII model blended, few training HII models stay in that corner,
which the unblended PN models keep. Here each HII and SNR model is blended with probability 0.5 per step
(the others stay as modelled), on the tasks that lost or gained most. Nothing is chosen from it: a
change of the default needs a registration and a new held-out family. Labels only score.

    nice -n 10 python benchmarks/diffuse_half.py run --shard 0/2     # and 1/2, in parallel
    python benchmarks/diffuse_half.py report                         # -> results/diffuse_half.md
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import torch

sys.path.insert(0, str(Path(__file__).parent))
from _registered import choice_tasks, exploratory_jobs, exploratory_report, main, run_jobs  # noqa: E402
from consistency import faint_tasks  # noqa: E402
from gas_training import CANDIDATE as REGISTERED  # noqa: E402
from gas_training import PREFIX as REGISTERED_RUN  # noqa: E402
from gas_training import RUN  # noqa: E402
from sii_alarm import dig_tasks  # noqa: E402
from trust_suite import CONFIGS  # noqa: E402

from nebuladapt import diffuse_gas  # noqa: E402

PREFIX = "diffuse_half"
CONFIG = "default, diffuse gas up to 50% of Halpha, half of the HII and SNR models"
PARAMS = {CONFIG: {**CONFIGS["default"], "diffuse_gas": 0.5}}
CHOICE = ("HII only", "NEAT HII", "benchmark as shipped", "no OIII5006 in all rows")


@contextmanager
def half():
    """``blend_diffuse_gas`` blends each asked-for row with probability 0.5 (drawn from the same generator)."""
    calls, original = [], diffuse_gas.blend_diffuse_gas

    def blend(flux, lines, max_share, generator, rows=None):
        calls.append(1)
        coin = torch.rand(flux.shape[0], generator=generator) < 0.5
        return original(flux, lines, max_share, generator, coin if rows is None else rows & coin)

    with mock.patch.object(diffuse_gas, "blend_diffuse_gas", blend):
        yield calls


def tasks() -> dict:
    return {**choice_tasks(CHOICE), **{t.name: t for t in faint_tasks()}, **{t.name: t for t in dig_tasks()}}


def run(shard: str) -> None:
    run_jobs(exploratory_jobs([CONFIG], tasks()), PREFIX, shard, {CONFIG: half}, params=PARAMS)


def report() -> None:
    exploratory_report(PREFIX, "Diffuse gas in half of the HII and SNR models", tasks(),
                       (f"{REGISTERED_RUN}_*.jsonl", "default"), "default, refitted (gas_training)", [CONFIG],
                       recall=True, stored={f"{REGISTERED} (registered, not adopted)": RUN.candidate_records()})


if __name__ == "__main__":
    main(__doc__, run, report)
