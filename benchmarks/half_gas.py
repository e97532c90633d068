"""Diffuse gas in half of the HII and SNR models, and the thirteenth held-out family ("mixed excitation").

Registered in results/half_gas_registration.md before any fit beyond the exploratory run
(``diffuse_half.py``, whose records of the candidate count as its records). The baseline is the current
default as refitted on this machine in ``gas_training.py`` (its records, unchanged). ``run`` fits;
``report`` applies the registered rules, then the confirmation on the new family. Labels only score.

    nice -n 10 python benchmarks/half_gas.py run --shard 0/2     # and 1/2, in parallel
    python benchmarks/half_gas.py report                         # -> results/half_gas_result.md
"""

from __future__ import annotations

import sys
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _registered import RegisteredRun, main, run_jobs  # noqa: E402
from crowded import BLEND_LINES, dereddened_lines  # noqa: E402
from diffuse_half import CONFIG as CANDIDATE  # noqa: E402
from diffuse_half import PREFIX as EXPLORED  # noqa: E402
from gas_training import FAMILY as TWELFTH  # noqa: E402
from gas_training import PREFIX as BASELINE_RUN  # noqa: E402
from gas_training import SEEN as GAS_SEEN  # noqa: E402
from gas_training import off_tasks  # noqa: E402
from trust_suite import CONFIGS  # noqa: E402

from nebuladapt.dust import deredden_catalog  # noqa: E402
from nebuladapt.evaluation.tasks import Task, subset_catalog  # noqa: E402

PREFIX = "half_gas"
FAMILY = "mixed excitation"
PARAMS = {CANDIDATE: {**CONFIGS["default"], "diffuse_gas": 0.5, "diffuse_gas_models": 0.5}}
#: Task name -> (range of the other component's share f of Halpha, drawn per object group; task seed).
MIXES = {"mixed excitation, 15 % of Halpha": ((0.15, 0.15), 1301),
         "mixed excitation, 0-30 % of Halpha per object": ((0.0, 0.3), 1302)}  # fmt: skip
#: Each class -> the class of the spectrum blended into it (PNe are left as they are).
PARTNER = {"HII": "SNR", "SNR": "HII"}


def mixed_task(name: str, share_range: tuple[float, float], seed: int) -> Task:
    """HII regions blended with a real SNR spectrum, SNRs with a real HII spectrum (another object), at a share f
    of Halpha; PNe unchanged; labels kept (the larger part of the light)."""
    labels, groups, dereddened, flux, err = dereddened_lines()
    ha = flux[:, BLEND_LINES.index("HA6562")]
    rng = np.random.default_rng(seed)
    names, inverse = np.unique(groups, return_inverse=True)
    f = rng.uniform(*share_range, size=len(names))[inverse]
    partner = np.arange(len(labels))
    for cls, other in PARTNER.items():
        pool = np.flatnonzero((labels == other) & np.isfinite(ha))
        for i in np.flatnonzero(labels == cls):
            partner[i] = rng.choice(pool[groups[pool] != groups[i]])
    f = np.where(np.isin(labels, list(PARTNER)), f, 0.0)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        main_part, other = (1 - f) / ha[:, None], f / ha[partner][:, None]
        blend = main_part * flux + np.where(f > 0, other * flux[partner], 0.0)
        blend_err = np.hypot(main_part * err, np.where(f > 0, other * err[partner], 0.0))
    base = subset_catalog(dereddened, np.arange(len(labels)))
    catalog = replace(base, flux={line: blend[:, k] for k, line in enumerate(BLEND_LINES)},
                      flux_err={line: blend_err[:, k] for k, line in enumerate(BLEND_LINES)},
                      dust_corrected=dereddened.dust_corrected & dereddened.dust_corrected[partner], upper_limits={})
    description = f"HII + SNR spectra (and SNR + HII), the other giving f ~ U{share_range} of Halpha per object"
    return Task(name, FAMILY, deredden_catalog(catalog), labels, groups, seed, description=description)


def mixed_tasks() -> list[Task]:
    return [mixed_task(name, share_range, seed) for name, (share_range, seed) in MIXES.items()]


#: The seen families (rule 6): those of gas_training (their default records refitted there) and the twelfth.
SEEN = {**GAS_SEEN, TWELFTH: (off_tasks, f"{BASELINE_RUN}_*.jsonl", "default")}
RUN = RegisteredRun(PREFIX, CANDIDATE, nullcontext, EXPLORED, (f"{BASELINE_RUN}_*.jsonl", "default"), SEEN, FAMILY,
                    mixed_tasks,
                    {"baseline": "the current default (refitted in gas_training)", "seen_baseline": "current default",
                     "seen_candidate": "diffuse gas, half the models", "default": "the current default, 5 members"})


def run(shard: str) -> None:
    run_jobs(RUN.jobs(), PREFIX, shard, {}, params=PARAMS)


def report() -> None:
    RUN.report("Diffuse gas in half of the HII and SNR models", "the exploratory run")


if __name__ == "__main__":
    main(__doc__, run, report)
