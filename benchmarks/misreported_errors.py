"""Shock-only SNR models with seven members, and the fifteenth held-out family ("flux errors misreported").

Registered in results/misreported_errors_registration.md before any fit of the candidate or on the new
family. The baseline is the current default's stored records (``all_families.default_records``); the seen
families are 5-14. ``run`` fits; ``report`` applies the registered rules, then the confirmation on the new
family. Labels only score.

    nice -n 10 python benchmarks/misreported_errors.py run --shard 0/2     # and 1/2, in parallel (159 fits, then
                                                                           # 24 on families 1-4, added after the rules)
    python benchmarks/misreported_errors.py report                         # -> results/misreported_errors_result.md
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _registered import RegisteredRun, load, main, run_jobs  # noqa: E402
from all_families import LATER, default_records  # noqa: E402
from joint_masks import shock_only_patch  # noqa: E402
from spectrograph_arm import FAMILY as FOURTEENTH  # noqa: E402
from spectrograph_arm import PREFIX as ARM_RUN  # noqa: E402
from spectrograph_arm import append_early_families, arm_tasks, early_jobs  # noqa: E402
from trust_suite import CONFIGS  # noqa: E402

from nebuladapt.benchmark import benchmark_catalog, load_benchmark  # noqa: E402
from nebuladapt.dust import deredden_catalog  # noqa: E402
from nebuladapt.evaluation.tasks import Task  # noqa: E402

PREFIX = "misreported_errors"
CANDIDATE = "default, shock-only SNR models, 7 members"
#: The candidate's NebulaClassifier overrides (its SNR models: ``shock_only_patch``).
PARAMS = {CANDIDATE: {**CONFIGS["default"], "members": 7}}
FAMILY = "flux errors misreported"
#: Task name -> (S/N of the Gaussian noise added to every line, reported error / added noise; task seed).
ERRORS = {"noise at S/N 8, errors reported 3 times too small": ((8.0, 1 / 3), 1501),
          "noise at S/N 20, errors reported 3 times too large": ((20.0, 3.0), 1502)}  # fmt: skip


def error_task(name: str, snr: float, factor: float, seed: int) -> Task:
    """The benchmark with Gaussian noise (sigma = flux / ``snr``) added to every measured line of every row,
    and every measured line's error replaced by ``factor`` x sigma (rows that had no errors get them), then
    dereddened: the catalogue's errors no longer describe its noise."""
    table = load_benchmark()
    catalog = benchmark_catalog()
    rng = np.random.default_rng(seed)
    flux, flux_err = {}, {}
    for line, values in catalog.flux.items():
        sigma = np.abs(values) / snr
        flux[line] = values + sigma * rng.standard_normal(len(values))
        flux_err[line] = factor * sigma
    catalog = replace(catalog, flux=flux, flux_err=flux_err)
    return Task(name, FAMILY, deredden_catalog(catalog), np.asarray(table["class"]).astype(str),
                np.asarray(table["group_id"]).astype(str), seed,
                description=f"noise flux/{snr:g} on every line; reported errors {factor:.3g} x that noise")


def error_tasks() -> list[Task]:
    return [error_task(name, snr, factor, seed) for name, ((snr, factor), seed) in ERRORS.items()]


def _fourteenth_default() -> dict:
    return load(f"{ARM_RUN}_*.jsonl", "default")


#: The seen families (rule 6): families 5-13 with the default's stored records, and the fourteenth.
SEEN = {**{family: (tasks, default_records) for family, tasks in LATER.items()},
        FOURTEENTH: (arm_tasks, _fourteenth_default)}
RUN = RegisteredRun(PREFIX, CANDIDATE, shock_only_patch, PREFIX, default_records, SEEN, FAMILY, error_tasks,
                    {"baseline": "the current default (stored records)", "seen_baseline": "current default",
                     "seen_candidate": "shock-only SNR models, 7 members", "default": "the current default, 5 members"})


def run(shard: str) -> None:
    """The registered jobs, then (added after the rules were applied) the candidate on families 1-4."""
    run_jobs(RUN.jobs() + early_jobs(CANDIDATE), PREFIX, shard, {CANDIDATE: shock_only_patch}, params=PARAMS)


def report() -> None:
    RUN.report("Shock-only SNR models with seven members", "none")
    append_early_families(PREFIX, "Families 1-4 (reported, not a rule; fitted after the rules were applied)",
                          ("default (5 members)", "shock-only SNR models, 7 members"),
                          (default_records(), load(f"{PREFIX}_*.jsonl", CANDIDATE)))


if __name__ == "__main__":
    main(__doc__, run, report)
