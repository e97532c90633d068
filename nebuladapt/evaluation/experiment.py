"""The paper's experiment and nebuladapt's methods, side by side, on one labelled catalogue.

One process, one data set (source = the shipped model grids, target = the
catalogue, unlabelled for every method), every method over the same seeds:

* the paper's matrix: {source-only NN, DANN} x {no noise, fixed noise, matched noise};
* nebuladapt's adaptations for class-prior shift: IWDAN (importance-weighted
  alignment with EM-estimated target proportions), CDAN, and IWDAN with
  target-entropy minimisation;
* the label-free selected configuration: for each seed, a candidate grid
  (GRL weight, noise, stopping step ...) is fitted and the candidate a skada
  scorer prefers is reported; the best candidate *by target labels* is
  reported beside it, marked "oracle";
* classical line-ratio cuts (no training) and skada peers (CORAL, KMM,
  skada's deep DANN with a working domain head).

The catalogue's labels are read only by :func:`score` (evaluation) and for the
oracle rows. Results: one record per (method, seed) with balanced accuracy,
accuracy, macro-F1, per-class recall, confusion matrix and wall time.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from nebuladapt import CLASSES
from nebuladapt.catalogs import LineCatalog
from nebuladapt.evaluation.baselines import classify_classical
from nebuladapt.evaluation.metrics import classification_scores, output_classes
from nebuladapt.features import CLASSICAL_RATIOS, FeatureSpec, catalog_line_matrix, default_feature_spec, log_ratios
from nebuladapt.models.estimator import NebulaClassifier
from nebuladapt.evaluation.selection import CONSENSUS_SCORER
from nebuladapt.models.fitting import domain_arrays
from nebuladapt.models.params import DEFAULTS

__all__ = [
    "Method",
    "PAPER_SPEC",
    "PAPER_DANN",
    "PAPER_MATRIX",
    "ADAPTATION_METHODS",
    "SELECTION_CANDIDATES",
    "SELECTION_STOP_STEPS",
    "SELECTION_SCORER",
    "ExperimentData",
    "run_experiment",
]


@dataclass(frozen=True)
class Method:
    """A named NebulaClassifier configuration of the experiment table."""

    name: str
    family: str
    params: dict = field(default_factory=dict)


#: The paper's features: the three classical ratios (no [OIII]/Halpha).
PAPER_SPEC = FeatureSpec(CLASSICAL_RATIOS)
#: The paper's DANN (Belfiore et al. 2025): one network, marginal alignment, GRL
#: weight 1, no entropy term, no diffuse gas in the models -- spelled out, since NebulaClassifier's
#: defaults are `fit`'s (``DEFAULTS["members"]`` members, each from its own short source-only start,
#: distilled; diffuse gas in half of the HII and SNR models).
PAPER_DANN = {"alignment": "marginal", "domain_weight": 1.0, "entropy_weight": 0.0, "members": 1, "diffuse_gas": 0.0}

PAPER_MATRIX = tuple(
    Method(f"{label} / {noise} noise", "paper matrix",
           {"method": method, "noise": noise, **PAPER_DANN, "feature_spec": PAPER_SPEC})
    for method, label in (("nn", "NN"), ("dann", "DANN"))
    for noise in ("none", "fixed", "matched")
)  # fmt: skip

#: nebuladapt's adaptations, each as one network on the default features, and
#: what ``nebuladapt fit`` trains (every NebulaClassifier default, its own step count).
ADAPTATION_METHODS = (
    Method("IWDAN / matched noise", "nebuladapt", {**PAPER_DANN, "method": "dann", "noise": "matched", "alignment": "iw"}),
    Method("CDAN / matched noise", "nebuladapt", {**PAPER_DANN, "method": "dann", "noise": "matched", "alignment": "conditional"}),
    Method("DeepCORAL / matched noise", "nebuladapt", {**PAPER_DANN, "method": "dann", "noise": "matched", "alignment": "coral"}),
    Method("MMD / matched noise", "nebuladapt", {**PAPER_DANN, "method": "dann", "noise": "matched", "alignment": "mmd"}),
    Method(
        "DANN + entropy / matched noise", "nebuladapt",
        {**PAPER_DANN, "method": "dann", "noise": "matched", "alignment": "marginal", "entropy_weight": 1.0},
    ),
    Method(
        "IWDAN + entropy / matched noise", "nebuladapt",
        {**PAPER_DANN, "method": "dann", "noise": "matched", "alignment": "iw", "entropy_weight": 1.0},
    ),
    Method(f"fit defaults ({DEFAULTS['members']} members, distilled)", "nebuladapt", {"n_steps": DEFAULTS["n_steps"]}),
)

#: Candidates among which the label-free scorer chooses (per seed): alignment,
#: GRL weight, noise and target-entropy weight (stopping step: see below).
SELECTION_CANDIDATES = tuple({**c, "members": 1, "diffuse_gas": 0.0} for c in (
    {"method": "dann", "noise": "matched", "alignment": "marginal", "domain_weight": 1.0, "entropy_weight": 0.0},
    {"method": "dann", "noise": "matched", "alignment": "marginal", "domain_weight": 1.0, "entropy_weight": 0.3},
    {"method": "dann", "noise": "matched", "alignment": "marginal", "domain_weight": 1.0, "entropy_weight": 1.0},
    {"method": "dann", "noise": "matched", "alignment": "marginal", "domain_weight": 0.3, "entropy_weight": 1.0},
    {"method": "dann", "noise": "fixed", "alignment": "marginal", "domain_weight": 1.0, "entropy_weight": 1.0},
    {"method": "dann", "noise": "matched", "alignment": "iw", "domain_weight": 1.0, "entropy_weight": 1.0},
))  # one network each (snapshots give the stopping steps)
#: Stopping steps scored for every candidate (snapshots of one run).
SELECTION_STOP_STEPS = (1000, 2000)
#: What decides the "label-free selected" row: the mean rank of the skada
#: scorers that never preferred a degenerate predictor (constant, prior-only,
#: random, 1-step) to a trained model (importance-weighted, DEV, circular; see
#: :data:`nebuladapt.evaluation.scorers.SANITY_PASSING_SCORERS`). Soft
#: neighbourhood density, used alone before, reaches its maximum for a constant
#: predictor and is only reported.
SELECTION_SCORER = CONSENSUS_SCORER


@dataclass
class ExperimentData:
    """The source/target arrays of one experiment.

    Attributes
    ----------
    X, y, sample_domain, X_err : ndarray
        skada-style stack (see :func:`nebuladapt.models.fitting.domain_arrays`).
    target_labels : ndarray of str
        True classes of the target rows, for scoring only.
    target_features : dict of str to ndarray
        Log line ratios of the target rows (for classical cuts and figures).
    has_errors : bool
        Whether the catalogue gives usable flux errors (matched noise).
    """

    X: np.ndarray
    y: np.ndarray
    sample_domain: np.ndarray
    X_err: np.ndarray
    target_labels: np.ndarray
    target_features: dict
    has_errors: bool
    spec: FeatureSpec

    @property
    def target_X(self) -> np.ndarray:
        return self.X[self.sample_domain < 0]

    @classmethod
    def build(cls, catalog: LineCatalog, labels, spec: FeatureSpec | None = None) -> "ExperimentData":
        """Stack the shipped grids and a (dust-corrected) catalogue."""
        spec = spec or default_feature_spec()
        X, y, sample_domain, X_err = domain_arrays(catalog, spec)
        target_X = X[sample_domain < 0]
        target_err = X_err[sample_domain < 0]
        with np.errstate(divide="ignore", invalid="ignore"):
            has_errors = bool(np.any(np.isfinite(target_err / target_X) & (target_err > 0)))
        features = dict(zip(spec.names, log_ratios(target_X, spec).T))
        extra_lines = ["OI6300", "HA6562", "HB4861", "OII3726_3729"]
        flux, _, _ = catalog_line_matrix(catalog, extra_lines)
        with np.errstate(divide="ignore", invalid="ignore"):
            features["log_OI6300_HA6562"] = np.log10(flux[:, 0] / flux[:, 1])
            features["log_HA6562_HB4861"] = np.log10(flux[:, 1] / flux[:, 2])
            features["log_OII3726_3729_HB4861"] = np.log10(flux[:, 3] / flux[:, 2])
        return cls(X, y, sample_domain, X_err, np.asarray(labels).astype(str), features, has_errors, spec)


def score(data: ExperimentData, predicted) -> dict:
    """Scores of target predictions against the catalogue's labels (evaluation only)."""
    return classification_scores(data.target_labels, predicted)


def _fit(data: ExperimentData, params: dict, seed: int, n_steps: int, **extra) -> NebulaClassifier:
    """A method's fit: ``n_steps`` and the data's features unless its ``params`` say otherwise."""
    model = NebulaClassifier(
        **{"n_steps": n_steps, "feature_spec": data.spec, **params, **extra}, random_state=seed
    )
    return model.fit(data.X, data.y, sample_domain=data.sample_domain, X_err=data.X_err)


def _model_record(data, method: Method, seed, model, wall) -> dict:
    target = data.target_X
    rows = model.classify_rows(target)  # the path of `nebuladapt predict`: no class where no ratio is usable
    predicted = output_classes(model.classes_, np.column_stack(rows.proba), rows.usable)
    record = {
        "method": method.name, "family": method.family, "seed": seed,
        "params": {k: v.names if isinstance(v, FeatureSpec) else v for k, v in method.params.items()},
        "wall_time_s": wall, **score(data, predicted),
        "temperature": model.temperature_,
        "target_prior_estimate": dict(zip(model.classes_.tolist(), model.target_prior_.tolist())),
        "n_off_grid": int(rows.off_grid.sum()),  # classify_rows' flag: rows without a ratio are never off grid
        "predicted": predicted.tolist(),
    }  # fmt: skip
    return record


def run_paper_and_adaptation(data, methods, seeds, n_steps, progress=None, keep=None) -> list[dict]:
    """Fit and score each NebulaClassifier method for each seed.

    ``keep``, a dict, receives the first seed's fitted model of each method
    (for figures).
    """
    records = []
    for method in methods:
        if method.params.get("noise") == "matched" and not data.has_errors:
            continue
        for seed in seeds:
            if progress:
                progress(f"{method.name}, seed {seed}")
            start = time.perf_counter()
            model = _fit(data, method.params, seed, n_steps)
            records.append(_model_record(data, method, seed, model, time.perf_counter() - start))
            if keep is not None and seed == seeds[0]:
                keep[method.name] = model
    return records


def run_classical(data: ExperimentData) -> list[dict]:
    """Score every classical baseline (deterministic: one record each, seed None)."""
    records = []
    for name, predicted in classify_classical(data.target_features).items():
        records.append(
            {"method": name, "family": "classical cuts", "params": {}, "seed": None,
             "wall_time_s": 0.0, **score(data, predicted), "predicted": list(map(str, predicted))}
        )  # fmt: skip
    return records


def run_peers(data: ExperimentData, seeds, progress=None) -> list[dict]:
    """Fit and score each skada peer for each seed (same X, same target)."""
    from nebuladapt.evaluation.peers import PEERS

    noise = "matched" if data.has_errors else "fixed"
    records = []
    for name, factory in PEERS.items():
        for seed in seeds:
            if progress:
                progress(f"peer {name}, seed {seed}")
            start = time.perf_counter()
            model = factory(random_state=seed, noise=noise, feature_spec=data.spec)
            model.fit(data.X, data.y, sample_domain=data.sample_domain, X_err=data.X_err)
            predicted = model.predict(data.target_X)
            records.append(
                {"method": f"skada: {name}", "family": "skada peers", "params": {"noise": noise},
                 "seed": seed, "wall_time_s": time.perf_counter() - start,
                 **score(data, predicted), "predicted": list(map(str, predicted))}
            )  # fmt: skip
    return records


def run_selection(data, seeds, n_steps, scorer=SELECTION_SCORER, progress=None):
    """Label-free choice among :data:`SELECTION_CANDIDATES` x stop steps, per seed.

    Returns
    -------
    records : list of dict
        For each seed: the label-free selected configuration's scores
        (family "label-free selected") and the oracle best (family "oracle").
    grid : list of dict
        Every (candidate, stop step, seed) with its label-free scores and its
        oracle scores, for the report.
    """
    from nebuladapt.evaluation.selection import config_id, evaluate_grid, select_configuration

    candidates = [c for c in SELECTION_CANDIDATES if c["noise"] != "matched" or data.has_errors]
    steps = tuple(s for s in SELECTION_STOP_STEPS if s <= n_steps) or (n_steps,)
    with warnings.catch_warnings():
        # skada's DEV fits an unscaled logistic-regression domain classifier that
        # warns about convergence on every call; the warning says nothing new here.
        warnings.simplefilter("ignore", ConvergenceWarning)
        grid = evaluate_grid(
            candidates, data.X, data.y, data.sample_domain, data.X_err, seeds=seeds,
            base_params={"n_steps": n_steps, "feature_spec": data.spec},
            target_labels=data.target_labels, stop_steps=steps, scoring_random_state=0,
            progress=progress,
        )  # fmt: skip
    records = []
    for seed in seeds:
        rows = [r for r in grid if r["seed"] == seed]
        scores = {r["config_id"]: r["label_free"] for r in rows}
        chosen = select_configuration([r["params"] for r in rows], scores, scorer=scorer)
        oracle = max(rows, key=lambda r: r["oracle"]["balanced_accuracy"])
        for family, row in (("label-free selected", _row(rows, chosen)), ("oracle", oracle)):
            params = dict(row["params"])
            stop = params.get("stop_step", n_steps)
            model = _fit(data, {k: v for k, v in params.items() if k != "stop_step"}, seed, n_steps,
                         checkpoint_steps=(stop,)).at_step(stop)  # fmt: skip
            label = f"selected by {scorer}" if family == "label-free selected" else "oracle: best by target labels"
            record = _model_record(data, Method(label, family, params), seed, model, row["fit_time_s"])
            record["config_id"] = config_id(params)
            records.append(record)
    return records, grid


def _row(rows, cid):
    return next(r for r in rows if r["config_id"] == cid)


def run_experiment(
    catalog: LineCatalog,
    labels,
    *,
    seeds=(0, 1, 2, 3, 4),
    n_steps: int = 2000,
    peers: bool = True,
    selection: bool = True,
    methods=None,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Run the whole comparison on one labelled catalogue.

    Parameters
    ----------
    catalog : LineCatalog
        Dust-corrected target catalogue (unlabelled for every method).
    labels : array-like of str
        Its true classes: scoring (and the oracle rows) only.
    seeds : sequence of int
    n_steps : int
        Training steps of every NebulaClassifier.
    peers, selection : bool
        Include the skada peers / the label-free selection.
    methods : sequence of Method, optional
        NebulaClassifier methods (default :data:`PAPER_MATRIX` +
        :data:`ADAPTATION_METHODS`).
    progress : callable, optional

    Returns
    -------
    dict
        ``records`` (one per method x seed), ``selection_grid``, ``data``
        (the :class:`ExperimentData`), ``models`` (first seed's fitted model per
        method, for figures), ``seeds``, ``n_steps``, ``wall_time_s``.
    """
    start = time.perf_counter()
    data = ExperimentData.build(catalog, labels)
    records = run_classical(data)
    models: dict = {}
    methods = PAPER_MATRIX + ADAPTATION_METHODS if methods is None else tuple(methods)
    records += run_paper_and_adaptation(data, methods, seeds, n_steps, progress, keep=models)
    grid = []
    if selection:
        selected, grid = run_selection(data, seeds, n_steps, progress=progress)
        records += selected
    if peers:
        records += run_peers(data, seeds, progress)
    return {
        "records": records, "selection_grid": grid, "data": data, "models": models, "seeds": list(seeds),
        "n_steps": n_steps, "wall_time_s": time.perf_counter() - start, "classes": list(CLASSES),
    }
