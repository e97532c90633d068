"""Diffuse gas in the source models' apertures, and the twelfth held-out family ("one line per object off").

Registered in results/gas_training_registration.md before any fit beyond the exploratory run
(``diffuse_training.py``, whose records of the candidate count as its records). The current default is
refitted on this machine on every choice and seen task (the stored records come from other machines,
whose floating point differs slightly), so candidate and baseline are compared fit for fit. ``run``
fits; ``report`` applies the registered rules, then the confirmation on the new family. Labels only
score.

    nice -n 10 python benchmarks/gas_training.py run --shard 0/2     # and 1/2, in parallel
    python benchmarks/gas_training.py report                         # -> results/gas_training_result.md
"""

from __future__ import annotations

import sys
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _registered import RESULTS, SEEDS, RegisteredRun, choice_tasks, load, main, predicted, run_jobs, scores  # noqa: E402
from consistency import FAMILY as TENTH  # noqa: E402
from consistency import SEEN as CONSISTENCY_SEEN  # noqa: E402
from consistency import faint_tasks  # noqa: E402
from crowded import BLEND_LINES  # noqa: E402
from diffuse_training import PARAMS  # noqa: E402
from diffuse_training import PREFIX as EXPLORED  # noqa: E402
from sii_alarm import FAMILY as ELEVENTH  # noqa: E402
from sii_alarm import dig_tasks  # noqa: E402

from nebuladapt.benchmark import benchmark_catalog, load_benchmark  # noqa: E402
from nebuladapt.dust import deredden_catalog  # noqa: E402
from nebuladapt.evaluation.tasks import Task  # noqa: E402

PREFIX = "gas_training"
CANDIDATE = "default, diffuse gas up to 50% of Halpha, HII and SNR models"
FAMILY = "one line per object off"
#: Columns a line's offset applies to: [SII] is the sum and each of its lines (where given).
COMPONENTS = {"SII6716_6730": ("SII6716_6730", "SII6716", "SII6730")}
#: Task name -> (range of |offset| in dex, drawn per object group; task seed). The sign is drawn per object too.
OFFSETS = {"one line per object off by 0.15 dex": ((0.15, 0.15), 1201),
           "one line per object off by 0.05-0.3 dex": ((0.05, 0.3), 1202)}  # fmt: skip


def off_task(name: str, offset_range: tuple[float, float], seed: int) -> Task:
    """Each object group has one of its five lines (drawn per group) scaled by 10^(+-offset), errors unchanged.

    A sky residual, a cosmic ray or a bad pixel on one line that the errors do not show. The rows
    (as read, before dereddening) are then dereddened by their (possibly off) Balmer decrement.
    """
    table = load_benchmark()
    labels = np.asarray(table["class"]).astype(str)
    groups = np.asarray(table["group_id"]).astype(str)
    names, inverse = np.unique(groups, return_inverse=True)
    rng = np.random.default_rng(seed)
    line = rng.integers(0, len(BLEND_LINES), size=len(names))[inverse]
    size = rng.uniform(*offset_range, size=len(names))[inverse]
    sign = rng.choice([-1.0, 1.0], size=len(names))[inverse]
    catalog = benchmark_catalog()
    flux = dict(catalog.flux)
    for k, line_name in enumerate(BLEND_LINES):
        factor = np.where(line == k, 10 ** (sign * size), 1.0)
        for column in COMPONENTS.get(line_name, (line_name,)):
            flux[column] = np.asarray(flux[column], dtype=float) * factor
    description = f"one of the five lines of each object scaled by 10^(+-U{offset_range}) dex, errors unchanged"
    return Task(name, FAMILY, deredden_catalog(replace(catalog, flux=flux)), labels, groups, seed,
                description=description)


def off_tasks() -> list[Task]:
    return [off_task(name, offset_range, seed) for name, (offset_range, seed) in OFFSETS.items()]


#: The seen families (rule 6), every one refitted here with the default: (tasks, records, configuration).
SEEN = {**{family: (tasks, f"{PREFIX}_*.jsonl", "default") for family, (tasks, *_) in CONSISTENCY_SEEN.items()},
        TENTH: (faint_tasks, f"{PREFIX}_*.jsonl", "default"), ELEVENTH: (dig_tasks, f"{PREFIX}_*.jsonl", "default")}
RUN = RegisteredRun(PREFIX, CANDIDATE, nullcontext, EXPLORED, (f"{PREFIX}_*.jsonl", "default"), SEEN, FAMILY,
                    off_tasks,
                    {"baseline": "the current default (refitted here)", "seen_baseline": "current default (refitted)",
                     "seen_candidate": "diffuse gas", "default": "the current default, 5 members, refitted here"})


def jobs() -> list:
    """The default on every choice and seen task, then the registered run's jobs (candidate, new family)."""
    tasks = [*choice_tasks().values(), *(t for tasks, *_ in SEEN.values() for t in tasks())]
    return [("default", t, s) for s in SEEDS for t in tasks] + RUN.jobs()


def run(shard: str) -> None:
    run_jobs(jobs(), PREFIX, shard, {}, params={CANDIDATE: PARAMS[CANDIDATE]})


def warned_lines() -> list[str]:
    """Where the refitted default's [SII] warning fires: the default against the candidate (reported, not a rule)."""
    from sii_alarm import fit_check

    tasks = {**choice_tasks(), **{t.name: t for tasks, *_ in SEEN.values() for t in tasks()}}
    runs = {c: load(f"{PREFIX}_*.jsonl", c) for c in ("default",)}
    runs[CANDIDATE] = RUN.candidate_records()
    lines = ["", "## Where the default's [SII] warning fires (reported, not a rule)", "",
             "Choice and seen tasks where the refitted default's warning fires on a seed; balanced accuracy mean over "
             "seeds 0-2 and on how many seeds each configuration's own fit warns.", "",
             "| task | default | warns | diffuse gas | warns |", "|---|---|---|---|---|"]
    for name, task in tasks.items():
        checks = {c: [fit_check(predicted(r[(name, s)], task), task)[2] for s in SEEDS if (name, s) in r]
                  for c, r in runs.items()}
        if not any(checks["default"]):
            continue
        accuracy = {c: np.mean([s[0] for s in scores({k: v for k, v in r.items() if k[0] == name}, tasks)[name]])
                    for c, r in runs.items()}
        lines.append(f"| {name} | {accuracy['default']:.3f} | {sum(checks['default'])}/3 | {accuracy[CANDIDATE]:.3f} | "
                     f"{sum(checks[CANDIDATE])}/3 |")
    return lines


def machine_lines() -> list[str]:
    """How far the default refitted here is from its stored records (other machines), per fit (reported)."""
    from consistency import PREFIX as TENTH_RECORDS
    from sii_alarm import PREFIX as ELEVENTH_RECORDS

    from _registered import STOP18_DEFAULT

    tasks = {**choice_tasks(), **{t.name: t for tasks, *_ in SEEN.values() for t in tasks()}}
    stored = {**load(*STOP18_DEFAULT), **load(*CONSISTENCY_SEEN["Balmer absorption left in"][1:]),
              **load(f"{TENTH_RECORDS}_*.jsonl", "default"), **load(f"{ELEVENTH_RECORDS}_*.jsonl", "default")}
    for family, (family_tasks, pattern, config) in CONSISTENCY_SEEN.items():
        stored.update({k: v for k, v in load(pattern, config).items() if k not in stored})
    here = load(f"{PREFIX}_*.jsonl", "default")
    common = [k for k in here if k in stored and k[0] in tasks]
    gaps = [float(np.nanmax(np.abs(np.asarray(here[k]["proba"], float) - np.asarray(stored[k]["proba"], float))))
            for k in common]
    changed = [int(np.sum(predicted(here[k], tasks[k[0]]) != predicted(stored[k], tasks[k[0]]))) for k in common]
    return ["", "## The default refitted here against its stored records (other machines; reported, not a rule)", "",
            f"{len(common)} fits (task, seed) in both. Largest difference of a class probability: median "
            f"{np.median(gaps):.4f}, max {max(gaps):.4f}; fits identical to 1e-6: {sum(g <= 1e-6 for g in gaps)}; "
            f"rows given another class: {sum(changed)} in {sum(c > 0 for c in changed)} fits."]


def report() -> None:
    RUN.report("Diffuse gas in the source models' apertures", "the exploratory run")
    extra = warned_lines() + machine_lines()
    path = RESULTS / f"{PREFIX}_result.md"
    path.write_text(path.read_text() + "\n".join(extra) + "\n")
    print("\n".join(extra))


if __name__ == "__main__":
    main(__doc__, run, report)
