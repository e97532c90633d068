"""The embedded default run on the shipped grids, scored on the shipped real
benchmark (its labels used only to score).

Rows are named for what they are (:data:`DEMO_CONFIGS`): the paper's
source-only NN (no noise), the paper's DANN (Belfiore et al. 2025: GRL weight
1, no entropy term, fixed noise) and nebuladapt's ``fit`` defaults (the
defaults of :class:`~nebuladapt.models.estimator.NebulaClassifier`, declared in
:data:`nebuladapt.models.params.PARAMS`), which are not the paper's DANN.
"""

from __future__ import annotations

import time
from typing import Callable

import numpy as np

from nebuladapt.benchmark import benchmark_catalog, load_benchmark
from nebuladapt.dust import deredden_catalog
from nebuladapt.evaluation.baselines import catalog_classical_cuts
from nebuladapt.evaluation.metrics import classification_scores, summarise_records
from nebuladapt.evaluation.experiment import PAPER_DANN, PAPER_SPEC
from nebuladapt.features import default_feature_spec
from nebuladapt.catalogs.usage import low_sii_warning
from nebuladapt.models.fitting import fit_on_catalog
from nebuladapt.predict import classify_catalog

__all__ = ["DEMO_CONFIGS", "DEMO_METHODS", "run_demo", "summary_rows"]

#: Row name -> :func:`fit_on_catalog` arguments.
DEMO_CONFIGS = {
    "paper NN (no noise)": {"method": "nn", "noise": "none", "members": 1, "n_steps": 2000, "diffuse_gas": 0.0,
                            "spec": PAPER_SPEC},
    "paper DANN (GRL weight 1, no entropy, fixed noise)": {
        **PAPER_DANN, "method": "dann", "noise": "fixed", "n_steps": 2000, "spec": PAPER_SPEC,
    },
    "nebuladapt default (fit defaults)": {},  # NebulaClassifier's declared defaults
}  # fmt: skip
DEMO_METHODS = tuple(DEMO_CONFIGS)


def run_demo(
    seeds=(0, 1, 2),
    methods=DEMO_METHODS,
    noise: str | None = None,
    progress: Callable[[str], None] | None = None,
    **params,
) -> list[dict]:
    """Fit each method for each seed and score it on the benchmark.

    Parameters
    ----------
    seeds : sequence of int
    methods : sequence of str
        Names of :data:`DEMO_CONFIGS` (default all).
    noise : str or None
        Overrides every configuration's noise setting (None: each its own).
    progress : callable, optional
        Called with a short message before each fit.
    **params
        Further :class:`NebulaClassifier` parameters.

    Returns
    -------
    list of dict
        One record per (method, seed) with scores and wall time, plus one
        record for the classical cuts.
    """
    catalog = deredden_catalog(benchmark_catalog())
    labels = np.asarray(load_benchmark()["class"]).astype(str)
    spec = default_feature_spec()
    records = [
        {
            "method": "classical cuts",
            "seed": None,
            "noise": "-",
            "wall_time_s": 0.0,
            **classification_scores(labels, catalog_classical_cuts(catalog)),
        }
    ]
    for method in methods:
        for seed in seeds:
            if progress:
                progress(f"{method} seed {seed}")
            start = time.perf_counter()
            config = {"spec": spec, **DEMO_CONFIGS[method], **params, **({"noise": noise} if noise else {})}
            model = fit_on_catalog(catalog, seed=seed, warn=False, **config)  # the record counts it (sii_warning)
            predictions = classify_catalog(catalog, model)["pred_class"]
            records.append(
                {
                    "method": method,
                    "seed": seed,
                    "noise": model.noise_,
                    "sii_warning": low_sii_warning(model.low_sii_snr_) is not None,
                    "wall_time_s": time.perf_counter() - start,
                    **classification_scores(labels, predictions),
                }
            )
    return records


def summary_rows(records: list[dict]) -> list[dict]:
    """Mean and std over seeds of each method's scores (see :func:`summarise_records`)."""
    return summarise_records(records, carry=("noise",))
