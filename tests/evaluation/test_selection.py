"""Label-free selection plumbing: skada scorers on NebulaClassifier, configuration choice."""

import numpy as np
import pytest

from nebuladapt.evaluation.selection import (
    SCORER_NAMES,
    SkadaView,
    config_id,
    evaluate_grid,
    label_free_scores,
    scorer_oracle_agreement,
    select_configuration,
    summarise_grid,
)
from nebuladapt.models import NebulaClassifier



@pytest.fixture(scope="module")
def domains(make_toy_domains):
    """Three classes; shifted target with a few rows lacking [SII]."""
    return make_toy_domains(11, 600, 90, scatter=0.2, missing=[(4, 4)], target_domain=-1)


def _fit(d, **params):
    params = {"method": "dann", "noise": "matched", "n_steps": 120, "random_state": 0, **params}
    return NebulaClassifier(**params).fit(d["X"], d["y"], sample_domain=d["sample_domain"], X_err=d["X_err"])


@pytest.fixture(scope="module")
def trained(domains):
    return _fit(domains)


@pytest.fixture(scope="module")
def untrained(domains):
    """A DANN stopped after one step: clearly worse on the target."""
    return _fit(domains, n_steps=1)


@pytest.fixture(scope="module")
def scores_trained(domains, trained):
    d = domains
    return label_free_scores(trained, d["X"], d["y"], d["sample_domain"], n_source_per_class=100)


@pytest.fixture(scope="module")
def scores_untrained(domains, untrained):
    d = domains
    return label_free_scores(untrained, d["X"], d["y"], d["sample_domain"], n_source_per_class=100)


def test_every_scorer_returns_a_finite_float(scores_trained):
    assert set(scores_trained) == set(SCORER_NAMES)
    for name, value in scores_trained.items():
        assert isinstance(value, float) and np.isfinite(value), name


def test_scoring_leaves_the_estimator_untouched(domains, trained, scores_trained):
    # circular validation refits a copy; the scored model must still be the trained one
    assert list(trained.classes_) == ["HII", "PN", "SNR"]
    assert (trained.predict(domains["target"]) == domains["target_labels"]).mean() > 0.9


def test_view_matches_classifier(domains, trained):
    view = SkadaView(trained)
    finite = np.where(np.isfinite(domains["target"]), domains["target"], 0.0)
    np.testing.assert_array_equal(view.predict_proba(finite, sample_domain=-1), trained.predict_proba(domains["target"]))
    codes = np.searchsorted(trained.classes_, trained.predict(domains["target"]))
    np.testing.assert_array_equal(view.predict(finite), codes)
    assert view.predict_features(finite).shape == (len(finite), 64)


def test_subset_of_scorers_and_unknown_name(domains, trained):
    d = domains
    subset = label_free_scores(trained, d["X"], d["y"], d["sample_domain"], ["prediction_entropy"], 50)
    assert list(subset) == ["prediction_entropy"]
    with pytest.raises(ValueError, match="unknown scorers"):
        label_free_scores(trained, d["X"], d["y"], d["sample_domain"], ["accuracy"])
    with pytest.raises(ValueError, match="source"):
        label_free_scores(trained, d["X"][600:], d["y"][600:], d["sample_domain"][600:])


@pytest.mark.parametrize(
    "name", ["importance_weighted", "deep_embedded_validation", "circular_validation", "prediction_entropy"]
)
def test_scorer_prefers_the_trained_model(domains, trained, untrained, scores_trained, scores_untrained, name):
    """A model trained 120 steps beats one stopped after 1 step on the target; the scorer agrees."""
    d = domains
    acc = lambda m: (m.predict(d["target"]) == d["target_labels"]).mean()  # noqa: E731
    assert acc(trained) > acc(untrained) + 0.3
    candidates = [{"n_steps": 1}, {"n_steps": 120}]
    scores = {config_id(candidates[0]): scores_untrained, config_id(candidates[1]): scores_trained}
    assert select_configuration(candidates, scores, scorer=name) == "n_steps=120"


def test_config_id_is_canonical():
    assert config_id({"n_steps": 2000, "domain_weight": 0.3}) == "domain_weight=0.3,n_steps=2000"
    assert config_id({"noise": "fixed"}) == "noise='fixed'"


def test_select_configuration_argmax_argmin_ties_and_nan():
    candidates = [{"w": 0.1}, {"w": 0.3}, {"w": 1.0}]
    scores = {"w=0.1": {"s": 0.2}, "w=0.3": {"s": 0.9}, "w=1.0": {"s": 0.5}}
    assert select_configuration(candidates, scores, scorer="s") == "w=0.3"
    assert select_configuration(candidates, scores, scorer="s", greater_is_better=False) == "w=0.1"
    tied = {"w=0.1": {"s": 1.0}, "w=0.3": {"s": 1.0}, "w=1.0": {"s": np.nan}}
    assert select_configuration(candidates, tied, scorer="s") == "w=0.1"
    nan_best = {"w=0.1": {"s": 0.2}, "w=0.3": {"s": np.nan}, "w=1.0": {"s": 0.5}}
    assert select_configuration(candidates, nan_best, scorer="s") == "w=1.0"
    with pytest.raises(ValueError, match="finite"):
        select_configuration(candidates, {"w=0.1": {"s": np.nan}}, scorer="s")


def test_evaluate_grid_keeps_oracle_apart(domains):
    d = domains
    candidates = [{"n_steps": 1}, {"n_steps": 60}]
    records = evaluate_grid(
        candidates, d["X"], d["y"], d["sample_domain"], d["X_err"], seeds=(0,),
        base_params={"method": "nn", "noise": "fixed"}, scorers=["prediction_entropy", "importance_weighted"],
        target_labels=d["target_labels"], n_source_per_class=50,
    )  # fmt: skip
    assert [r["config_id"] for r in records] == ["n_steps=1", "n_steps=60"]
    for r in records:
        assert set(r["label_free"]) == {"prediction_entropy", "importance_weighted"}
        assert set(r["oracle"]) == {"balanced_accuracy", "accuracy", "macro_f1"}
    summary = summarise_grid(records)
    assert summary["n_steps=60"]["oracle"]["balanced_accuracy"][0] > summary["n_steps=1"]["oracle"]["balanced_accuracy"][0]
    agreement = scorer_oracle_agreement(records)
    assert agreement["prediction_entropy"]["selected"] == "n_steps=60"
    assert agreement["prediction_entropy"]["selected_oracle"] == agreement["prediction_entropy"]["best_oracle"]
    unlabelled = evaluate_grid(
        candidates[:1], d["X"], d["y"], d["sample_domain"], seeds=(0,),
        base_params={"method": "nn", "noise": "none"}, scorers=["prediction_entropy"], n_source_per_class=50,
    )  # fmt: skip
    assert unlabelled[0]["oracle"] is None
    with pytest.raises(ValueError, match="oracle"):
        scorer_oracle_agreement(unlabelled)


def test_stopping_step_snapshots_are_scored_as_configurations(domains):
    d = domains
    records = evaluate_grid(
        [{"n_steps": 80}], d["X"], d["y"], d["sample_domain"], seeds=(0,),
        base_params={"method": "nn", "noise": "none"}, scorers=["circular_validation", "prediction_entropy"],
        target_labels=d["target_labels"], n_source_per_class=50, stop_steps=(1, 80),
    )  # fmt: skip
    assert [r["config_id"] for r in records] == ["n_steps=80,stop_step=1", "n_steps=80,stop_step=80"]
    early, late = records
    assert late["oracle"]["balanced_accuracy"] > early["oracle"]["balanced_accuracy"] + 0.2
    candidates = [r["params"] for r in records]
    scores = {r["config_id"]: r["label_free"] for r in records}
    for name in ("circular_validation", "prediction_entropy"):
        assert select_configuration(candidates, scores, scorer=name) == "n_steps=80,stop_step=80"


# --- scorer sanity: degenerate predictors (constant, prior-only, random, 1 step) vs a trained model ---

from nebuladapt.evaluation.sanity import DEGENERATE_KINDS, DegeneratePredictor, scorer_sanity  # noqa: E402


@pytest.fixture(scope="module")
def sanity(domains, trained, untrained):
    d = domains
    degenerate = {kind: DegeneratePredictor(trained, kind) for kind in DEGENERATE_KINDS}
    degenerate["1-step"] = untrained
    return scorer_sanity(trained, degenerate, d["X"], d["y"], d["sample_domain"], n_source_per_class=100)


def test_degenerate_predictors_are_degenerate(domains, trained):
    target = domains["target"]
    constant = DegeneratePredictor(trained, "constant").predict_proba(target)
    assert np.all(constant[:, 0] == 1)
    prior = DegeneratePredictor(trained, "prior").predict_proba(target)
    np.testing.assert_allclose(prior, np.tile(trained.target_prior_, (len(target), 1)))
    random = DegeneratePredictor(trained, "random", random_state=3).predict_proba(target)
    np.testing.assert_allclose(random.sum(axis=1), 1)
    np.testing.assert_array_equal(random, DegeneratePredictor(trained, "random", random_state=3).predict_proba(target))
    with pytest.raises(ValueError, match="kind"):
        DegeneratePredictor(trained, "oracle").predict_proba(target)


def test_soft_neighborhood_density_prefers_collapse(domains, trained, sanity):
    """SND reaches its maximum for a constant predictor: it must never choose alone."""
    snd = sanity["soft_neighborhood_density"]
    assert (trained.predict(domains["target"]) == domains["target_labels"]).mean() > 0.9
    assert snd["constant"] > snd["trained"]
    assert "constant" in snd["fooled_by"]


def test_entropy_prefers_the_constant_predictor(sanity):
    """Prediction entropy is 0 (its best) for a one-hot constant predictor."""
    assert sanity["prediction_entropy"]["constant"] == pytest.approx(0.0, abs=1e-6)  # skada clips log(0)
    assert "constant" in sanity["prediction_entropy"]["fooled_by"]


@pytest.mark.parametrize("name", ["importance_weighted", "deep_embedded_validation", "circular_validation"])
def test_source_based_scorers_are_not_fooled(sanity, name):
    """Scorers that look at source labels rank every degenerate predictor below the trained model."""
    assert sanity[name]["fooled_by"] == [], sanity[name]


def test_consensus_never_selects_a_degenerate_predictor(sanity):
    """Candidates = the trained model and its degenerate counterparts: SND alone picks a degenerate
    one, the mean rank of the sanity-passing scorers picks the trained model."""
    from nebuladapt.evaluation.selection import CONSENSUS_SCORER, SANITY_PASSING_SCORERS, with_consensus

    names = ["trained", *DEGENERATE_KINDS, "1-step"]
    candidates = [{"model": n} for n in names]
    scores = {config_id(c): {s: sanity[s][c["model"]] for s in sanity} for c in candidates}
    assert select_configuration(candidates, scores, scorer="soft_neighborhood_density") != "model='trained'"
    assert select_configuration(candidates, scores) == "model='trained'"  # default: the consensus
    consensus = with_consensus(scores)
    assert consensus["model='trained'"][CONSENSUS_SCORER] == len(names) - 1  # first by every scorer
    assert set(SANITY_PASSING_SCORERS) <= set(sanity)
    tied = with_consensus({"a": {"x": 1.0}, "b": {"x": 1.0}, "c": {"x": np.nan}}, ["x"])
    assert tied["a"][CONSENSUS_SCORER] == tied["b"][CONSENSUS_SCORER] == 0.5
    assert np.isnan(tied["c"][CONSENSUS_SCORER])
