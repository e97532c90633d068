"""Label-free model selection of NebulaClassifier: candidates, fits, scores, choice.

Each candidate configuration (a dict of NebulaClassifier parameters) is fitted
for several seeds and scored without target labels by skada's scorers
(:mod:`nebuladapt.evaluation.scorers`); the choice is the candidate with the
best seed-mean score, by default the mean rank of the scorers that pass the
degenerate-predictor sanity check (:data:`CONSENSUS_SCORER`). Target labels,
where given, feed only a separate ``oracle`` entry, for reports.

Hyperparameters to choose (GRL weight, noise level, ...) are candidate
parameter dicts; the stopping step is chosen among training snapshots
(``NebulaClassifier(checkpoint_steps=...)``, ``at_step``), see
:func:`evaluate_grid`'s ``stop_steps``.
"""

from __future__ import annotations

import time
from typing import Callable, Mapping, Sequence

import numpy as np

from nebuladapt.evaluation.scorers import SANITY_PASSING_SCORERS, label_free_scores
from nebuladapt.models.estimator import NebulaClassifier

__all__ = [
    "CONSENSUS_SCORER",
    "with_consensus",
    "config_id",
    "select_configuration",
    "evaluate_grid",
    "summarise_grid",
    "scorer_oracle_agreement",
]

#: Name of the mean-rank consensus of
#: :data:`~nebuladapt.evaluation.scorers.SANITY_PASSING_SCORERS` (see :func:`with_consensus`).
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
        Names among :data:`~nebuladapt.evaluation.scorers.SCORER_NAMES` (default all).
    target_labels : array-like of str, optional
        True classes of the target rows, in order. **Oracle only**: used solely
        for the separate ``oracle`` entry, never for the label-free scores.
    n_source_per_class : int or None
        See :func:`~nebuladapt.evaluation.scorers.label_free_scores`.
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
