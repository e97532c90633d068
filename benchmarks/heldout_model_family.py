"""The second confirmation family, "model-family shift" (results/heldout_registration.md).

Measurement, not a test, and never a choice: the family was registered before anything was
scored on it. HII regions come from another photoionisation code than the training grid
(NebulaBayes MAPPINGS 5.1 HII models, reddened and noisy, then dereddened by the Balmer
decrement); training is `fit`'s, on the default shipped grids. Two tasks:

* "MAPPINGS 5.1 HII only": 300 models (task seed 0); score = HII recall;
* "MAPPINGS 5.1 HII + real PN and SNR": 180 models (task seed 1) with the benchmark's 24 NEAT
  PNe and 45 Long+19 SNRs; score = balanced accuracy.

    nice -n 10 python benchmarks/heldout_model_family.py run --config default --seeds 0 1 2
    python benchmarks/heldout_model_family.py report
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch
from astropy.table import Table

sys.path.insert(0, str(Path(__file__).parent))
from trust_suite import CASE_B_ALONE, CONFIGS, fit_task, record_config, record_output  # noqa: E402

from nebuladapt.benchmark import benchmark_catalog, load_benchmark  # noqa: E402
from nebuladapt.catalogs import LineCatalog  # noqa: E402
from nebuladapt.dust import deredden_catalog, extinction_k  # noqa: E402
from nebuladapt.evaluation.tasks import Task, subset_catalog  # noqa: E402
from nebuladapt.evaluation.trust import balanced_accuracy, grouped_bootstrap, seed_summary  # noqa: E402
from nebuladapt.grids import get_grid  # noqa: E402

RESULTS = Path(__file__).parent / "results"
OUT = RESULTS / "heldout_model_family.jsonl"
FAMILY = "model-family shift"
LINES = ["HB4861", "OIII5006", "HA6562", "NII6583", "SII6716_6730"]


def _mappings_hii(n: int, rng) -> tuple[dict, dict]:
    """Reddened, noisy MAPPINGS 5.1 HII models: (flux, flux_err) per line, and the model rows drawn."""
    flux = get_grid("nebulabayes_hii").load().line_fluxes(LINES)
    complete = np.flatnonzero(np.all(np.isfinite(flux) & (flux > 0), axis=1))
    rows = rng.choice(complete, n, replace=True)
    ebv = rng.exponential(0.3, n)
    k = np.array([extinction_k(line) for line in LINES])
    reddened = flux[rows] * 10.0 ** (-0.4 * ebv[:, None] * k[None, :])
    snr = rng.uniform(5, 20, (n, 1)) * np.sqrt(reddened / reddened[:, [2]])  # S/N of Halpha 5-20
    err = reddened / np.maximum(snr, 1.0)
    observed = reddened + err * rng.standard_normal(reddened.shape)
    return dict(zip(LINES, observed.T.copy())), dict(zip(LINES, err.T.copy())), rows


def build_tasks() -> list[Task]:
    """The two registered tasks (deterministic)."""
    tasks = []
    flux, err, rows = _mappings_hii(300, np.random.default_rng(0))
    raw = LineCatalog(table=Table({"object_id": [f"mappings_{r}" for r in rows]}), flux=flux, flux_err=err,
                      source="SYNTHETIC MAPPINGS 5.1 HII")  # fmt: skip
    tasks.append(Task("MAPPINGS 5.1 HII only", FAMILY, deredden_catalog(raw), np.full(300, "HII"),
                      np.array([f"model_{r}" for r in rows]), 0, description="another code's HII models"))  # fmt: skip

    flux, err, rows = _mappings_hii(180, np.random.default_rng(1))
    table = load_benchmark()
    labels = np.asarray(table["class"]).astype(str)
    catalogue = np.asarray(table["catalogue"]).astype(str)
    real = np.flatnonzero((catalogue == "long2019") | ((catalogue == "neat") & (labels == "PN")))
    observed = subset_catalog(benchmark_catalog(), real)
    names = list(dict.fromkeys([*LINES, *observed.flux]))  # the real rows keep every line they give

    def stack(models: dict, real_rows: dict) -> dict:
        return {n: np.concatenate([models.get(n, np.full(180, np.nan)), real_rows.get(n, np.full(len(real), np.nan))])
                for n in names}  # fmt: skip

    combined = LineCatalog(
        table=Table({"object_id": [f"mappings_{r}" for r in rows] + [str(g) for g in table["group_id"][real]]}),
        flux=stack(flux, observed.flux),
        flux_err=stack(err, observed.flux_err),
        dust_corrected=np.concatenate([np.zeros(180, bool), observed.dust_corrected]),
        source="SYNTHETIC MAPPINGS 5.1 HII + benchmark PN/SNR",
    )
    groups = np.concatenate([[f"model_{r}" for r in rows], np.asarray(table["group_id"][real]).astype(str)])
    tasks.append(Task("MAPPINGS 5.1 HII + real PN and SNR", FAMILY, deredden_catalog(combined),
                      np.concatenate([np.full(180, "HII"), labels[real]]), groups, 1,
                      description="another code's HII models with real PNe and SNRs"))  # fmt: skip
    return tasks


def run(args) -> None:
    torch.set_num_threads(1)
    done = set()
    if OUT.exists():
        done = {(record_config(r), r["task"], r["seed"]) for r in map(json.loads, OUT.read_text().splitlines())}
    for seed in args.seeds:
        for task in build_tasks():
            if (args.config, task.name, seed) in done:
                continue
            model, arrays, fit_s = fit_task(task, CONFIGS[args.config], seed)
            proba = model.predict_proba(arrays["target"])
            record = {"config": args.config, "task": task.name, "seed": seed, CASE_B_ALONE: True, "fit_s": round(fit_s, 1),
                      "features": model.feature_spec.names if model.feature_spec else None,
                      "classes": model.classes_.tolist(), "proba": np.round(proba, 5).tolist()}  # fmt: skip
            with OUT.open("a") as handle:
                handle.write(json.dumps(record) + "\n")
            print(f"{args.config} | {task.name} | seed {seed}: {fit_s:.1f} s", flush=True)


def report(_args) -> None:
    records = [{**r, "config": record_config(r)} for r in map(json.loads, OUT.read_text().splitlines())]
    lines = ["| task | configuration | seeds | bal. acc. mean ± std (ddof=1) | worst seed | 95% CI (by object) | recall HII / PN / SNR |",
             "|---|---|---|---|---|---|---|"]  # fmt: skip
    for task in build_tasks():
        configs = dict.fromkeys(r["config"] for r in records if r["task"] == task.name)
        for config in configs:
            runs = sorted((r for r in records if r["task"] == task.name and r["config"] == config), key=lambda r: r["seed"])
            preds = np.array([record_output(r, task) for r in runs])
            s = seed_summary([balanced_accuracy(task.labels, p) for p in preds])
            lo, hi = grouped_bootstrap(task.labels, preds, task.groups)
            recall = " / ".join(
                f"{np.mean([np.mean(p[task.labels == c] == c) for p in preds]):.2f}" if (task.labels == c).any() else "n/a"
                for c in ("HII", "PN", "SNR")
            )  # fmt: skip
            std = "n/a" if not np.isfinite(s["std"]) else f"{s['std']:.3f}"
            lines.append(f"| {task.name} | {config} | {s['n']} | {s['mean']:.3f} ± {std} | {s['worst']:.3f} | "
                         f"[{lo:.3f}, {hi:.3f}] | {recall} |")  # fmt: skip
    text = "\n".join(lines) + "\n"
    (RESULTS / "heldout_model_family.md").write_text(text)
    print(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("--config", required=True, choices=list(CONFIGS))
    r.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    sub.add_parser("report")
    args = parser.parse_args()
    run(args) if args.command == "run" else report(args)


if __name__ == "__main__":
    main()
