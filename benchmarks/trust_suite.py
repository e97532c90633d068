"""Fit configurations of `nebuladapt fit` on the task suite; one JSON line per (config, task, seed).

Measurement, not a test. Every fit is what `fit_on_catalog` does (shipped grids as
source, the task's catalogue as unlabelled target; a synthetic-shift task trains on
the grids minus its held-out slice), with the defaults' step count. Each record keeps
the target probabilities (with and without the source-fitted temperature) so that
seed/configuration ensembles and calibration are computed afterwards
(benchmarks/trust_analyse.py) without refitting, plus label-free scores of skada.
Records are appended to ``benchmarks/results/trust_suite_<shard>.jsonl`` as they
finish; a rerun skips what is already there, so a killed run loses one fit at most.

    nice -n 10 python benchmarks/trust_suite.py --plan default --shard 0/2
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from nebuladapt.evaluation.sanity import DegeneratePredictor, scorer_sanity
from nebuladapt.evaluation.scorers import label_free_scores
from nebuladapt.evaluation.tasks import CORE_TASKS, build_task_suite, task_arrays
from nebuladapt.catalogs.usage import fit_feature_spec
from nebuladapt.evaluation.metrics import output_classes
from nebuladapt.features import CLASSICAL_RATIOS, FeatureSpec, default_feature_spec
from nebuladapt.models.estimator import NebulaClassifier

RESULTS = Path(__file__).parent / "results"
#: Configurations measured (overrides of NebulaClassifier's defaults = `fit`'s), in priority order.
#: Every configuration but "default" is a single network of 2000 steps (the previous default's
#: size); "previous default" is `fit`'s default before members were distilled.
SINGLE = {"members": 1, "n_steps": 2000, "diffuse_gas": 0.0}  # as they were fitted before stop 22's default
#: The default before [OIII]/Halpha joined the default ratios (results/oiii_ha_choice.md).
THREE_RATIO_DEFAULT = "3-ratio default (before [OIII]/Halpha)"
CONFIGS = {
    # `fit`'s default: its features cut to the ratios the task's rows give (fit_feature_spec), as `fit` does.
    "default": {"feature_spec": default_feature_spec()},
    "previous default (1 network, 2000 steps)": SINGLE,
    "paper NN (no noise)": {**SINGLE, "method": "nn", "noise": "none", "entropy_weight": 0.0},
    "entropy 0.3": {**SINGLE, "entropy_weight": 0.3},
    "GRL 1": {**SINGLE, "domain_weight": 1.0},
    "fixed noise": {**SINGLE, "noise": "fixed"},
    "paper DANN (GRL 1, no entropy, fixed noise)": {**SINGLE, "domain_weight": 1.0, "entropy_weight": 0.0, "noise": "fixed"},
    "IWDAN (alignment iw)": {**SINGLE, "alignment": "iw"},
}
#: Records written before the members existed name the previous default "default".
LEGACY_NAMES = {"default": "previous default (1 network, 2000 steps)"}
#: Records of the candidate that became the default, and of the default it replaced.
RENAMED = {"default + [OIII]/Halpha": "default"}
#: name -> (configs, seeds, tasks), run in this order ("core": CORE_TASKS, "rest": the others).
PLANS = {
    "default-0": (["default"], range(0, 1), "all"),
    "default-core": (["default"], range(1, 3), "core"),
    "sanity": (["default"], range(0, 1), "core"),
    "default-core-seed3": (["default"], range(3, 4), "core"),
    "default-core-more": (["default"], range(4, 6), "core"),
    "alternatives": (["entropy 0.3", "GRL 1"], range(0, 2), "core"),
    "default-rest": (["default"], range(1, 3), "rest"),
    "ent03-all": (["entropy 0.3"], range(0, 3), "all"),
    "probe-worst": (["paper NN (no noise)", "entropy 0.3", "IWDAN (alignment iw)", "GRL 1",
                     "paper DANN (GRL 1, no entropy, fixed noise)"], range(0, 1),
                    ("Ho 2019 HII (M101)", "no HB4861 in all rows")),
    "more-alternatives": (["paper NN (no noise)", "paper DANN (GRL 1, no entropy, fixed noise)"], range(0, 2), "core"),
    # The distilled 3-member default: the unstable tasks and the held-out family first, then the rest.
    "members-unstable": (["default"], range(0, 3), ("HII only", "Ho 2019 HII (M101)", "NEAT HII",
                         "no SII6716_6730 in all rows", "no HB4861 in all rows", "PN-rich 20/60/20",
                         "metal-poor slice", "high-ionisation slice")),
    "members-rest": (["default"], range(0, 3), "all"),
    "oiii-ha": (["default"], range(0, 3), "all"),  # run as "default + [OIII]/Halpha" before its adoption
}
SCORERS = ["importance_weighted", "deep_embedded_validation", "prediction_entropy", "soft_neighborhood_density"]


def fit_task(task, overrides: dict, seed: int, spec=None) -> tuple[NebulaClassifier, dict, float]:
    """What ``fit_on_catalog`` does, on a task (grids minus its held-out slice, if any).

    One process per fit unless ``overrides`` says otherwise (``n_jobs``): the model does not depend on it, and
    the benchmarks' patches of package functions act in this process only.
    """
    params = {"n_jobs": 1, **overrides}  # noise "auto" is resolved by the estimator from X_err, as in `fit`
    if "feature_spec" in params:
        spec = fit_feature_spec(params.pop("feature_spec"), task.catalog).spec
    spec = spec or default_feature_spec()
    X, y, d, X_err, target = task_arrays(task, spec)
    start = time.perf_counter()
    model = NebulaClassifier(**params, feature_spec=spec, random_state=seed).fit(X, y, sample_domain=d, X_err=X_err)
    return model, {"X": X, "y": y, "d": d, "X_err": X_err, "target": target}, time.perf_counter() - start


def _probabilities(model, target) -> tuple[list, list]:
    calibrated = model.predict_proba(target)
    logits = model.decision_function(target) * model.temperature_
    logits = logits - logits.max(axis=1, keepdims=True)
    raw = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return np.round(calibrated, 6).tolist(), np.round(raw, 6).tolist()


#: Key of the fit records written since stop 23's case-B fix (``True``): case B fills the Balmer line a model's
#: features ask for from the other even when that other is not asked for.
CASE_B_ALONE = "case_b_alone"


def record_output(record: dict, task, proba=None) -> np.ndarray:
    """The class ``nebuladapt predict`` gives each row of ``task`` in a fit record: ``""`` where no ratio is usable.

    ``proba`` replaces the record's probabilities (e.g. the members' mean). A record without
    ``features`` was written before they were recorded, when every model used the three classical ratios.
    The usable rows are those of the code that wrote the record: a record without :data:`CASE_B_ALONE`
    whose features hold only one of Halpha and Hbeta was fitted, and predicted, without case B.
    """
    return output_classes(record["classes"], record["proba"] if proba is None else proba, record_usable(record, task))


def record_usable(record: dict, task) -> np.ndarray:
    """The rows of ``task`` with a usable ratio for the model of a fit record (see :func:`record_output`)."""
    names = record.get("features")
    spec = FeatureSpec.from_names(names) if names else FeatureSpec(CLASSICAL_RATIOS)
    one_balmer = sum(line in spec.lines for line in ("HA6562", "HB4861")) == 1
    return task.usable(spec, case_b=not one_balmer or bool(record.get(CASE_B_ALONE)))


def record_config(record: dict) -> str:
    """The configuration name of a record (legacy records renamed, see :data:`LEGACY_NAMES`, :data:`RENAMED`).

    A "default" record with members but no recorded features (written before features were
    recorded, i.e. before [OIII]/Halpha was adopted) is the 3-ratio default it replaced.
    """
    config = record["config"]
    if config in RENAMED:
        return RENAMED[config]
    if "members" not in record and "features" not in record:
        return LEGACY_NAMES.get(config, config)
    if config == "default" and "features" not in record:
        return THREE_RATIO_DEFAULT
    return config


def _done(paths) -> set:
    keys = set()
    for path in paths:
        if path.exists():
            for line in path.read_text().splitlines():
                r = json.loads(line)
                keys.add((r["kind"], record_config(r), r["task"], r["seed"]))
    return keys


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", nargs="+", default=list(PLANS), choices=list(PLANS))
    parser.add_argument("--shard", default="0/1", help="i/n: run every n-th job starting at i")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--name", default=None, help="output file suffix (default: the shard index)")
    parser.add_argument("--skip-scores", action="store_true", help="do not compute skada's label-free scores")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    index, count = map(int, args.shard.split("/"))
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"trust_suite_{args.name or index}.jsonl"
    done = _done(RESULTS.glob("trust_suite_*.jsonl"))
    tasks = build_task_suite(seed=0)
    jobs = []
    for plan in args.plan:
        configs, seeds, which = PLANS[plan]
        if isinstance(which, tuple):
            chosen = [t for t in tasks if t.name in which]
        else:
            chosen = [t for t in tasks if which == "all" or (t.name in CORE_TASKS) == (which == "core")]
        kind = "sanity" if plan == "sanity" else "fit"
        jobs += [(kind, c, t, s) for c in configs for s in seeds for t in chosen]
    jobs = [j for k, j in enumerate(jobs) if k % count == index]
    for kind, config, task, seed in jobs:
        if (kind, config, task.name, seed) in done:
            continue
        model, arrays, fit_s = fit_task(task, CONFIGS[config], seed)
        record = {"kind": kind, "config": config, "task": task.name, "family": task.family, "seed": seed,
                  CASE_B_ALONE: True, "fit_s": fit_s, "noise": model.noise, "temperature": float(model.temperature_),
                  "members": model.members, "n_steps": model.n_steps, "ensemble": model.ensemble_,
                  "features": model.feature_spec.names if model.feature_spec is not None else None}  # fmt: skip
        start = time.perf_counter()
        if kind == "fit" or (kind == "sanity" and ("fit", config, task.name, seed) not in done):
            record["kind"] = "fit"
            record["proba"], record["proba_raw"] = _probabilities(model, arrays["target"])
            record["classes"] = model.classes_.tolist()
            if model.members > 1:  # the members' mean, before distillation
                record["proba_members"] = np.round(model.teacher_proba_, 6).tolist()
            record["label_free"] = {} if args.skip_scores else label_free_scores(
                model, arrays["X"], arrays["y"], arrays["d"], SCORERS, 1000, random_state=0
            )
        if kind == "sanity":
            if "proba" in record:  # the same fit also gives the seed's fit record
                with out.open("a") as handle:
                    handle.write(json.dumps(record) + "\n")
                record = {k: v for k, v in record.items() if k not in ("proba", "proba_raw", "label_free")}
            record["kind"] = "sanity"
            one_step, _, _ = fit_task(task, {**CONFIGS[config], "n_steps": 1}, seed)
            degenerate = {k: DegeneratePredictor(model, k) for k in ("constant", "prior", "random")}
            degenerate["1-step"] = one_step
            sanity = scorer_sanity(model, degenerate, arrays["X"], arrays["y"], arrays["d"], SCORERS, 1000)
            record["sanity"] = sanity
            record["predicted"] = {"trained": model.predict(arrays["target"]).tolist(),
                                   **{k: m.predict(arrays["target"]).tolist() for k, m in degenerate.items()}}  # fmt: skip
        record["score_s"] = time.perf_counter() - start
        with out.open("a") as handle:
            handle.write(json.dumps(record) + "\n")
        print(f"{kind} {config} | {task.name} | seed {seed}: fit {fit_s:.1f}s score {record['score_s']:.1f}s",
              flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
