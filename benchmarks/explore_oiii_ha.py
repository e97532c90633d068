"""Exploratory, not a choice of defaults: the distilled default with the Hbeta-free [OIII]/Halpha ratio added.

Fits NebulaClassifier() (the `fit` defaults) with log([OIII]/Halpha) beside the default ratios
(models reddened at random where that ratio is used, see nebuladapt.models.training), on
named tasks of the task suite and of benchmarks/missing_lines.py (two tasks there share a name
with suite tasks: both are run, suite first), seeds 0 and 1; prints one JSON line per fit:
balanced accuracy on the whole task and on the rows that lost a line (labels only score).

    python benchmarks/explore_oiii_ha.py "Ho 2019 HII (M101)" "HII only" "PN-rich 20/60/20" \
        "benchmark as shipped" "no HB4861 in 60% of HII" "no HB4861 in all rows" \
        > benchmarks/results/explore_oiii_ha.jsonl
"""
import json
import sys
import time
from pathlib import Path
import numpy as np, torch
sys.path.insert(0, str(Path(__file__).parent))
import missing_lines as ml
from nebuladapt.catalogs.usage import fit_feature_spec
from nebuladapt.evaluation.tasks import build_task_suite, task_arrays
from nebuladapt.features import FeatureSpec, OIII_HA, default_feature_spec
from nebuladapt.models.estimator import NebulaClassifier
torch.set_num_threads(1)
names = sys.argv[1:]
tasks = [t for t in build_task_suite(seed=0) + ml.pattern_tasks() if t.name in names]
base = default_feature_spec()
for seed in (0, 1):
    for task in tasks:
        ratios = base.ratios if OIII_HA in base.ratios else (*base.ratios, OIII_HA)  # a default ratio since its adoption
        spec = fit_feature_spec(FeatureSpec(ratios=ratios), task.catalog).spec
        X, y, d, X_err, target = task_arrays(task, spec)
        t0 = time.perf_counter()
        m = NebulaClassifier(feature_spec=spec, random_state=seed).fit(X, y, sample_domain=d, X_err=X_err)
        P = m.predict_proba(target); cls = m.classes_
        ok = np.isfinite(P).all(1)
        pred = np.where(ok, cls[np.nan_to_num(P).argmax(1)], "none")
        lab = np.asarray(task.labels).astype(str)
        rows = np.ones(len(lab), bool)
        if task.removed:
            line, r = next(iter(task.removed.items()))
            rows = np.zeros(len(lab), bool); rows[r] = True
        present = [c for c in cls if (lab[rows] == c).any()]
        ba_rows = np.mean([np.mean(pred[rows][lab[rows] == c] == c) for c in present])
        present_all = [c for c in cls if (lab == c).any()]
        ba = np.mean([np.mean(pred[lab == c] == c) for c in present_all])
        print(json.dumps({"task": task.name, "seed": seed, "features": spec.names, "bal_acc_task": round(ba, 3),
                          "bal_acc_rows_that_lost_line": round(ba_rows, 3), "fit_s": round(time.perf_counter() - t0, 1)}), flush=True)
