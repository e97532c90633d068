"""skada's label-free scorers on NebulaClassifier (evaluation/scorers.py)."""

import numpy as np
import pytest

from nebuladapt.evaluation.scorers import SCORER_NAMES, SkadaView, label_free_scores
from nebuladapt.evaluation.selection import config_id, select_configuration


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
