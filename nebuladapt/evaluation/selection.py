"""Label-free model selection of NebulaClassifier with skada's scorers.

skada's scorers (:mod:`skada.metrics`) estimate, without target labels, how
well a fitted model does on the target domain. Each is called as
``scorer(estimator, X, y, sample_domain=...)`` with target labels masked as
``-1``, and returns a value where **higher is better** (skada multiplies losses
by ``-1``: entropies and DEV's weighted loss come out negative).

===============================  =========================================  =====================
scorer (name here)               what it uses from the model                 raw value / sign
===============================  =========================================  =====================
``importance_weighted``          ``score`` on source rows, weighted by       IW balanced accuracy,
(``ImportanceWeightedScorer``)   ``p_target(x) / p_source(x)`` (two KDEs)    +1
``deep_embedded_validation``     ``transform`` embedding (domain             weighted source
(``DeepEmbeddedValidation``)     classifier -> weights), ``predict_proba``   cross-entropy, -1
``circular_validation``          ``predict`` target, then **refits** the     source balanced
(``CircularValidation``)         same method target -> source                accuracy, +1
``prediction_entropy``           ``predict_proba`` on target rows            mean entropy, -1
(``PredictionEntropyScorer``)
``soft_neighborhood_density``    ``predict_proba`` on target rows            SND entropy, +1
(``SoftNeighborhoodDensity``)
===============================  =========================================  =====================

NebulaClassifier does not take skada's input directly: skada validates ``X``
as finite (fluxes have NaN for unmeasured lines), wants integer labels, passes
``sample_domain``/``allow_source`` keywords to ``predict_proba``, DEV looks
for a skorch-style ``module_.layer_name`` + ``predict_features``, and the
importance-weighted scorer needs a ``score`` that accepts ``sample_weight``.
:class:`SkadaView` is the thin adapter: ``X`` = fluxes with non-finite values
set to 0 (a non-positive flux is already a missing line for
:func:`~nebuladapt.features.log_ratios`, so predictions are unchanged),
labels = indices into the classifier's ``classes_``.

Documented choices:

* The importance-weight densities are Gaussian KDEs (Scott bandwidth) in the
  classifier's own encoded feature space (standardised log ratios + mask), not
  on raw fluxes, whose normalisation differs between catalogues.
* The source rows are subsampled class-balanced (``n_source_per_class``,
  default 1,000) before scoring: NebulaClassifier trains on class-balanced
  batches, so this is the source distribution it learns; it also keeps the
  KDEs and DEV's per-row loop fast.
* Circular validation refits with the same hyperparameters, except that
  ``noise="matched"`` becomes ``"fixed"`` (same ``noise_level``) in the
  backward fit: its target is then the model grid, which has no errors. It
  costs one more training run per scored model.
* Hyperparameters to choose (GRL weight, noise level, ...) are candidate
  parameter dicts; the stopping step is chosen among training snapshots
  (``NebulaClassifier(checkpoint_steps=...)``, ``at_step``), see
  :func:`evaluate_grid`'s ``stop_steps``.
"""

from __future__ import annotations

import copy
import time
from typing import Callable, Mapping, Sequence

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin, clone
from sklearn.metrics import balanced_accuracy_score
from sklearn.neighbors import KernelDensity
from sklearn.pipeline import make_pipeline

from nebuladapt.features import log_ratios
from nebuladapt.models.estimator import NebulaClassifier
from nebuladapt.models.training import encode

__all__ = [
    "SCORER_NAMES",
    "CONSENSUS_SCORER",
    "SANITY_PASSING_SCORERS",
    "with_consensus",
    "SkadaView",
    "default_scorers",
    "label_free_scores",
    "config_id",
    "select_configuration",
    "evaluate_grid",
    "summarise_grid",
    "scorer_oracle_agreement",
]

SCORER_NAMES = (
    "importance_weighted",
    "deep_embedded_validation",
    "circular_validation",
    "prediction_entropy",
    "soft_neighborhood_density",
)

#: Scorers that ranked every degenerate predictor (constant, class-prior-only,
#: random, a 1-step model) below the trained model on the toy problem of
#: tests/evaluation/test_selection.py (importance-weighted and DEV also on the 10
#: core tasks of benchmarks/trust_suite.py; circular validation was not run
#: there). Prediction entropy prefers a constant predictor and soft
#: neighbourhood density reaches its maximum log(n-1) for any collapsed
#: predictor, so neither is used alone. Caution (docs/experiment/trust_suite.md):
#: across the suite IW and DEV barely track accuracy (within-task Spearman 0.00
#: and -0.29), so a choice by them is safe from collapse, not informative;
#: averaging (NebulaEnsemble) needs no choice.
SANITY_PASSING_SCORERS = ("importance_weighted", "deep_embedded_validation", "circular_validation")
#: Name of the mean-rank consensus of :data:`SANITY_PASSING_SCORERS` (see :func:`with_consensus`).
CONSENSUS_SCORER = "sanity_consensus"


def with_consensus(
    scores: Mapping[str, Mapping[str, float]], scorers: Sequence[str] = SANITY_PASSING_SCORERS
) -> dict[str, dict[str, float]]:
    """Add :data:`CONSENSUS_SCORER`: each candidate's mean rank over ``scorers``.

    Parameters
    ----------
    scores : dict
        config id -> {scorer name -> value} (skada's sign: higher is better).
    scorers : sequence of str
        Scorers to combine; those absent from every candidate are skipped.

    Returns
    -------
    dict
        A copy of ``scores`` where each entry also has ``sanity_consensus``:
        the mean over scorers of the candidate's rank (0 = worst) among the
        candidates with a finite value; NaN if no scorer ranks it.
    """
    out = {cid: dict(values) for cid, values in scores.items()}
    ranks: dict[str, list[float]] = {cid: [] for cid in out}
    for name in scorers:
        finite = {cid: v[name] for cid, v in out.items() if np.isfinite(v.get(name, np.nan))}
        if not finite:
            continue
        ordered = sorted(finite.values())
        for cid, value in finite.items():
            # ties share the mean of their ranks
            low, high = ordered.index(value), len(ordered) - 1 - ordered[::-1].index(value)
            ranks[cid].append((low + high) / 2)
    for cid in out:
        out[cid][CONSENSUS_SCORER] = float(np.mean(ranks[cid])) if ranks[cid] else float("nan")
    return out


class _EncodeFluxes(TransformerMixin, BaseEstimator):
    """Fluxes -> the classifier's encoded features (fixed spec and scaler; ``fit`` does nothing)."""

    def __init__(self, spec=None, scaler=None):
        self.spec = spec
        self.scaler = scaler

    def fit(self, X, y=None):  # noqa: D102
        return self

    def transform(self, X):  # noqa: D102
        features = log_ratios(torch.as_tensor(np.asarray(X, dtype=np.float64)), self.spec)
        return encode(features, self.scaler).numpy().astype(np.float64)


class _LayerInfo:
    """What DeepEmbeddedValidation checks on a deep model: ``module_.layer_name``."""

    layer_name = "feature_extractor"


class SkadaView(ClassifierMixin, BaseEstimator):
    """A fitted :class:`NebulaClassifier` as skada's scorers expect it.

    Parameters
    ----------
    classifier : NebulaClassifier
        Fitted (or, for a refit, an unfitted template).
    step : int or None
        The classifier is the snapshot after ``step`` training steps
        (``NebulaClassifier.at_step``); a refit then stops at the same step.

    Notes
    -----
    ``X`` rows are line fluxes in ``classifier.lines_`` order with missing
    values as 0; labels are integer codes (indices into the original
    ``classifier.classes_``), ``-1`` for target rows. ``fit`` (used by
    circular validation) refits a clone of the classifier on these codes,
    with the same parameters except ``noise="matched"`` -> ``"fixed"``.
    """

    __metadata_request__score = {"sample_weight": True}
    module_ = _LayerInfo()

    def __init__(self, classifier=None, step=None):
        self.classifier = classifier
        self.step = step

    @property
    def classes_(self) -> np.ndarray:
        """Integer codes of the classifier's classes."""
        inner = self.classifier.classes_
        if getattr(self, "_refit", False):
            return np.asarray([int(c) for c in inner])
        return np.arange(len(inner))

    def fit(self, X, y, sample_domain=None, **_):
        """Refit a clone of the classifier (same parameters) on integer-coded labels."""
        model = clone(self.classifier)
        if model.noise == "matched":
            model.set_params(noise="fixed")
        if "checkpoint_steps" in model.get_params():
            model.set_params(checkpoint_steps=() if self.step is None else (self.step,))
        y = np.asarray(y).astype(np.int64).astype(object)
        model.fit(np.asarray(X, dtype=np.float64), y, sample_domain=sample_domain)
        self.classifier = model if self.step is None else model.at_step(self.step)
        self._refit = True
        return self

    def predict_proba(self, X, sample_domain=None, allow_source=None, **_) -> np.ndarray:
        """Class probabilities (skada's keywords are accepted and ignored)."""
        return self.classifier.predict_proba(np.asarray(X, dtype=np.float64))

    def predict(self, X, sample_domain=None, allow_source=None, **_) -> np.ndarray:
        """Integer class codes."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def predict_features(self, X) -> np.ndarray:
        """Embedding of the feature extractor (for DeepEmbeddedValidation)."""
        return self.classifier.transform(np.asarray(X, dtype=np.float64))

    transform = predict_features

    def score(self, X, y, sample_weight=None, **_) -> float:
        """Balanced accuracy, weighted by ``sample_weight`` (importance weights)."""
        return float(balanced_accuracy_score(y, self.predict(X), sample_weight=sample_weight))


def default_scorers(classifier: NebulaClassifier, random_state: int = 0) -> dict:
    """The five skada scorers, configured for ``classifier``'s feature encoding.

    Parameters
    ----------
    classifier : NebulaClassifier
        Fitted; its spec and scaler define the importance-weight feature space.
    random_state : int
        DEV's source train/validation split.

    Returns
    -------
    dict
        name (:data:`SCORER_NAMES`) -> skada scorer.
    """
    from skada.metrics import (
        CircularValidation,
        DeepEmbeddedValidation,
        ImportanceWeightedScorer,
        PredictionEntropyScorer,
        SoftNeighborhoodDensity,
    )

    kde = make_pipeline(
        _EncodeFluxes(classifier.spec_, classifier.scaler_), KernelDensity(bandwidth="scott")
    )
    return {
        "importance_weighted": ImportanceWeightedScorer(weight_estimator=kde),
        "deep_embedded_validation": DeepEmbeddedValidation(random_state=random_state),
        "circular_validation": CircularValidation(),
        "prediction_entropy": PredictionEntropyScorer(),
        "soft_neighborhood_density": SoftNeighborhoodDensity(),
    }


def _scoring_arrays(classifier, X, y, sample_domain, n_source_per_class, random_state):
    """Finite fluxes, integer labels and domains, source subsampled class-balanced."""
    X = np.asarray(X, dtype=np.float64)
    X = np.where(np.isfinite(X), X, 0.0)
    sample_domain = np.asarray(sample_domain)
    is_source = sample_domain > 0
    if not is_source.any() or is_source.all():
        raise ValueError("label-free scoring needs source (> 0) and target (< 0) rows")
    y = np.asarray(y, dtype=object)
    codes = np.full(len(y), -1, dtype=np.int64)
    labels = y[is_source].astype(str)
    unknown = set(labels) - set(classifier.classes_)
    if unknown:
        raise ValueError(f"source labels {sorted(unknown)} are not among the classifier's classes")
    codes[is_source] = np.searchsorted(classifier.classes_, labels)
    keep = ~is_source
    if n_source_per_class is not None:
        rng = np.random.default_rng(random_state)
        for c in range(len(classifier.classes_)):
            members = np.flatnonzero(is_source & (codes == c))
            take = min(len(members), n_source_per_class)
            keep[rng.choice(members, take, replace=False)] = True
    else:
        keep[:] = True
    return X[keep], codes[keep], sample_domain[keep]


def label_free_scores(
    estimator: NebulaClassifier,
    X,
    y,
    sample_domain,
    scorers: Mapping | Sequence[str] | None = None,
    n_source_per_class: int | None = 1000,
    random_state: int = 0,
    step: int | None = None,
) -> dict[str, float]:
    """Apply skada's label-free scorers to a fitted NebulaClassifier.

    Parameters
    ----------
    estimator : NebulaClassifier
        Fitted; never modified (circular validation refits a copy).
    X, y, sample_domain : array-like
        As given to ``estimator.fit`` (fluxes, source labels with ``-1`` for
        target rows, skada domains). Target labels are never read.
    scorers : dict, sequence of str or None
        name -> skada scorer, or names among :data:`SCORER_NAMES`
        (None: all of :func:`default_scorers`).
    n_source_per_class : int or None
        Source rows per class used for scoring (None: all).
    random_state : int
        Subsample and DEV split.
    step : int, optional
        ``estimator`` is the snapshot ``at_step(step)`` of a longer run; circular
        validation's refit then stops at the same step.

    Returns
    -------
    dict
        name -> float, skada's sign convention: higher is better.
    """
    available = default_scorers(estimator, random_state)
    if scorers is None:
        scorers = available
    elif not isinstance(scorers, Mapping):
        missing = [name for name in scorers if name not in available]
        if missing:
            raise ValueError(f"unknown scorers {missing}; known: {SCORER_NAMES}")
        scorers = {name: available[name] for name in scorers}
    Xs, ys, ds = _scoring_arrays(estimator, X, y, sample_domain, n_source_per_class, random_state)
    view = SkadaView(copy.deepcopy(estimator), step=step)
    results = {}
    for name, scorer in scorers.items():
        torch.manual_seed(random_state)
        results[name] = float(scorer(view, Xs, ys, sample_domain=ds))
    return results


def config_id(params: Mapping) -> str:
    """Canonical id of a parameter dict, e.g. ``domain_weight=0.3,n_steps=2000``."""
    parts = []
    for key in sorted(params):
        value = params[key]
        parts.append(f"{key}={value!r}" if isinstance(value, str) else f"{key}={value}")
    return ",".join(parts)


def select_configuration(
    candidates: Sequence[Mapping],
    scores: Mapping[str, Mapping[str, float]],
    scorer: str = CONSENSUS_SCORER,
    greater_is_better: bool = True,
) -> str:
    """Id of the candidate with the best score.

    Parameters
    ----------
    candidates : sequence of dict
        Parameter dicts; their ids are :func:`config_id`.
    scores : dict
        config id -> {scorer name -> value} (e.g. the means of
        :func:`summarise_grid`).
    scorer : str
        Which score decides. Default :data:`CONSENSUS_SCORER`, the mean rank
        of the scorers that are not fooled by degenerate predictors (computed
        here by :func:`with_consensus` when absent). Soft neighbourhood
        density alone prefers a constant predictor to any trained model.
    greater_is_better : bool
        True for skada's signed scores (and for accuracies); False for a raw loss.

    Returns
    -------
    str
        The best config id; ties go to the earliest candidate. Candidates with
        a missing or non-finite score are skipped.
    """
    if scorer == CONSENSUS_SCORER and not any(CONSENSUS_SCORER in v for v in scores.values()):
        scores = with_consensus(scores)
    best_id, best_value = None, None
    for params in candidates:
        cid = config_id(params)
        value = scores.get(cid, {}).get(scorer, np.nan)
        if not np.isfinite(value):
            continue
        signed = value if greater_is_better else -value
        if best_value is None or signed > best_value:
            best_id, best_value = cid, signed
    if best_id is None:
        raise ValueError(f"no candidate has a finite {scorer!r} score")
    return best_id


def evaluate_grid(
    candidates: Sequence[Mapping],
    X,
    y,
    sample_domain,
    X_err=None,
    *,
    seeds=(0, 1, 2),
    base_params: Mapping | None = None,
    scorers: Sequence[str] | None = None,
    target_labels=None,
    n_source_per_class: int | None = 1000,
    scoring_random_state: int | None = None,
    stop_steps: Sequence[int] = (),
    progress: Callable[[str], None] | None = None,
) -> list[dict]:
    """Fit NebulaClassifier for each candidate and seed; score label-free (and oracle).

    Parameters
    ----------
    candidates : sequence of dict
        NebulaClassifier parameters to vary (e.g. ``{"domain_weight": 0.3}``).
    X, y, sample_domain, X_err : array-like
        As for ``NebulaClassifier.fit`` (e.g. from
        :func:`~nebuladapt.models.fitting.domain_arrays`).
    seeds : sequence of int
    base_params : dict, optional
        Parameters shared by all candidates (candidates override them).
    scorers : sequence of str, optional
        Names among :data:`SCORER_NAMES` (default all).
    target_labels : array-like of str, optional
        True classes of the target rows, in order. **Oracle only**: used solely
        for the separate ``oracle`` entry, never for the label-free scores.
    n_source_per_class : int or None
        See :func:`label_free_scores`.
    scoring_random_state : int or None
        Seed of the scoring subsample and DEV split; None: the fit seed. An
        int scores every candidate on the same rows (paired comparison).
    stop_steps : sequence of int
        Stopping steps to choose among: each fit keeps snapshots at these
        steps (``checkpoint_steps``) and every snapshot is scored as its own
        configuration, ``{**candidate, "stop_step": step}`` (the schedule still
        runs over ``n_steps``; the full run is not scored unless its
        ``n_steps`` is listed).
    progress : callable, optional

    Returns
    -------
    list of dict
        One record per (configuration, seed): ``config_id``, ``params``,
        ``seed``, ``label_free`` ({scorer: value}), ``oracle``
        ({"balanced_accuracy", "accuracy", "macro_f1"} or None),
        ``fit_time_s`` (of the whole run), ``score_time_s``.
    """
    from nebuladapt.evaluation.metrics import classification_scores

    sample_domain = np.asarray(sample_domain)
    is_target = sample_domain < 0
    records = []
    for params in candidates:
        cid = config_id(params)
        for seed in seeds:
            if progress:
                progress(f"{cid} seed {seed}")
            fit_params = {**(base_params or {}), **params, "random_state": seed}
            if stop_steps:
                fit_params["checkpoint_steps"] = tuple(stop_steps)
            model = NebulaClassifier(**fit_params)
            start = time.perf_counter()
            model.fit(X, y, sample_domain=sample_domain, X_err=X_err)
            fit_time = time.perf_counter() - start
            variants = [(dict(params), model, None)]
            if stop_steps:
                variants = [({**params, "stop_step": s}, model.at_step(s), s) for s in stop_steps]
            for variant_params, variant, step in variants:
                start = time.perf_counter()
                label_free = label_free_scores(
                    variant, X, y, sample_domain, scorers, n_source_per_class,
                    random_state=seed if scoring_random_state is None else scoring_random_state,
                    step=step,
                )  # fmt: skip
                score_time = time.perf_counter() - start
                oracle = None
                if target_labels is not None:
                    predicted = variant.predict(np.asarray(X)[is_target])
                    full = classification_scores(target_labels, predicted)
                    oracle = {k: full[k] for k in ("balanced_accuracy", "accuracy", "macro_f1")}
                records.append(
                    {
                        "config_id": config_id(variant_params),
                        "params": variant_params,
                        "seed": seed,
                        "label_free": label_free,
                        "oracle": oracle,
                        "fit_time_s": fit_time,
                        "score_time_s": score_time,
                    }
                )
    return records


def summarise_grid(records: Sequence[dict]) -> dict[str, dict]:
    """Per config id: mean and std over seeds of each label-free score and, apart, of the oracle.

    Returns
    -------
    dict
        config id -> {"label_free": {scorer: (mean, std)},
        "oracle": {metric: (mean, std)} or None, "n_seeds": int}.
    """
    out: dict[str, dict] = {}
    for cid in dict.fromkeys(r["config_id"] for r in records):
        group = [r for r in records if r["config_id"] == cid]
        entry = {"n_seeds": len(group), "label_free": {}, "oracle": None}
        for name in group[0]["label_free"]:
            values = np.array([r["label_free"][name] for r in group])
            entry["label_free"][name] = (float(values.mean()), float(values.std()))
        if all(r["oracle"] is not None for r in group):
            entry["oracle"] = {}
            for k in group[0]["oracle"]:
                values = np.array([r["oracle"][k] for r in group])
                entry["oracle"][k] = (float(values.mean()), float(values.std()))
        out[cid] = entry
    return out


def scorer_oracle_agreement(records: Sequence[dict], metric: str = "balanced_accuracy") -> dict[str, dict]:
    """How well each label-free score tracks the oracle metric (report only).

    Returns
    -------
    dict
        scorer -> {"spearman": rank correlation over all (config, seed) runs,
        "selected": config id chosen by the scorer's seed-mean,
        "selected_oracle": that config's mean oracle metric,
        "best_oracle": the best mean oracle metric of any config}.
    """
    from scipy.stats import spearmanr

    if any(r["oracle"] is None for r in records):
        raise ValueError("every record needs an oracle score")
    summary = summarise_grid(records)
    candidates = [dict(r["params"]) for r in records]
    candidates = [c for i, c in enumerate(candidates) if c not in candidates[:i]]
    oracle = {cid: {metric: s["oracle"][metric][0]} for cid, s in summary.items()}
    truth = np.array([r["oracle"][metric] for r in records])
    out = {}
    for name in records[0]["label_free"]:
        values = np.array([r["label_free"][name] for r in records])
        means = {cid: {name: s["label_free"][name][0]} for cid, s in summary.items()}
        chosen = select_configuration(candidates, means, scorer=name)
        rho = spearmanr(values, truth).statistic if np.ptp(values) > 0 and np.ptp(truth) > 0 else np.nan
        out[name] = {
            "spearman": float(rho),
            "selected": chosen,
            "selected_oracle": oracle[chosen][metric],
            "best_oracle": max(v[metric] for v in oracle.values()),
        }
    return out
