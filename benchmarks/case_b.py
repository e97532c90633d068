"""The one choice task the case-B fix of stop 23 changes, refitted (a bug fix measured, not a choice).

Before stop 23, case B filled a dust-corrected row's missing Halpha from its Hbeta only when the
features asked for both lines. Fitted without [OIII] (features [NII]/Halpha and [SII]/Halpha), the
91 Ho (2019) rows of the suite's "no OIII5006 in all rows", given relative to Hbeta without
Halpha, came back unclassified and were scored wrong. On every other choice, held-out-family and
missing-line task the fit's line matrices are unchanged (checked by comparing
``catalog_line_arrays`` before and after, stop 23 note). ``run`` refits that task, seeds 0-2: the
default, the default stop 22 replaced and the paper's NN and DANN; ``report`` sets them beside
the stored records, fitted before the fix. Labels only score.

    nice -n 10 python benchmarks/case_b.py run --shard 0/2     # and 1/2, in parallel
    python benchmarks/case_b.py report                         # -> results/case_b.md
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _registered import ALTERNATIVES, SEEDS, choice_tasks, grouped_bootstrap, load, main, predicted, run_jobs  # noqa: E402
from _registered import scores, seed_summary, write_report  # noqa: E402
from all_families import DEFAULT, PARAMS, REPLACED, stored  # noqa: E402
from half_gas import RUN as ADOPTION  # noqa: E402

from nebuladapt.catalogs.usage import low_sii_warning  # noqa: E402
from nebuladapt.evaluation.diagnostics import low_sii_snr_share  # noqa: E402
from nebuladapt.features import FeatureSpec, catalog_line_matrix, log_ratios  # noqa: E402

PREFIX = "case_b"
TASK = "no OIII5006 in all rows"
CONFIGS = (DEFAULT, REPLACED, *ALTERNATIVES[:2])


def jobs() -> list:
    task = choice_tasks([TASK])[TASK]
    return [(c, task, s) for s in SEEDS for c in CONFIGS]


def run(shard: str) -> None:
    run_jobs(jobs(), PREFIX, shard, {}, params=PARAMS)


def _sii_warned(record, task) -> bool:
    """Whether the fit's [SII] warning fires (as ``nebuladapt fit`` computes it) on ``task``."""
    spec = FeatureSpec.from_names(record["features"])
    if "log_SII6716_6730_HA6562" not in spec.names:
        return False
    sii = log_ratios(catalog_line_matrix(task.catalog, spec.lines)[0], spec)[:, spec.names.index("log_SII6716_6730_HA6562")]
    return low_sii_warning(low_sii_snr_share(sii, predicted(record, task))) is not None


def report() -> None:
    tasks = choice_tasks([TASK])
    task = tasks[TASK]
    before = {DEFAULT: ADOPTION.candidate_records(), REPLACED: load(*ADOPTION.baseline),
              **{c: stored(c, {TASK}) for c in ALTERNATIVES[:2]}}
    rows = []
    for config in CONFIGS:
        for when, records in (("before the fix", before[config]), ("after", load(f"{PREFIX}_*.jsonl", config))):
            records = {k: r for k, r in records.items() if k[0] == TASK}
            if len(records) != len(SEEDS):
                continue
            per_seed = scores(records, tasks)[TASK]
            bal = seed_summary(v[0] for v in per_seed)
            recall = " / ".join(f"{np.mean([v[1][k] for v in per_seed]):.2f}" for k in range(3))
            ordered = [records[(TASK, s)] for s in SEEDS]
            low, high = grouped_bootstrap(task.labels, [predicted(r, task) for r in ordered], task.groups)
            unclassified = sum((predicted(r, task) == "").sum() for r in ordered) / len(SEEDS)
            warned = sum(_sii_warned(r, task) for r in ordered)
            rows.append(f"| {config} | {when} | {bal['mean']:.3f} +- {bal['std']:.3f} [{bal['worst']:.3f}] | "
                        f"[{low:.3f}, {high:.3f}] | {recall} | {unclassified:.0f} | {warned}/{len(SEEDS)} |")
    lines = ["# The case-B fix on \"no OIII5006 in all rows\" (stop 23)", "",
             "`python benchmarks/case_b.py report`. Balanced accuracy of what `nebuladapt predict` writes (unclassified "
             "rows count as wrong), seeds 0-2, mean +- std (ddof=1) [worst seed]; 95 % interval of the seed-mean by "
             "object group; recall is the seed mean. \"before the fix\": the stored records (the default: "
             "`half_gas.py`'s candidate; the replaced default: `gas_training.py`; the paper's networks: as stored).", "",
             "| configuration | fitted | balanced accuracy | 95 % interval | recall HII / PN / SNR | rows unclassified "
             "(seed mean) | [SII] warning |", "|---|---|---|---|---|---|---|", *rows]
    write_report(f"{PREFIX}.md", lines)


if __name__ == "__main__":
    main(__doc__, run, report)
