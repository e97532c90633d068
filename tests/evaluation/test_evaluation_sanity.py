"""Scorer sanity: degenerate predictors against a trained model (evaluation/sanity.py)."""

import numpy as np
import pytest

from nebuladapt.evaluation.sanity import DEGENERATE_KINDS, DegeneratePredictor, scorer_sanity
from nebuladapt.evaluation.scorers import SANITY_PASSING_SCORERS
from nebuladapt.evaluation.selection import (
    CONSENSUS_SCORER,
    config_id,
    select_configuration,
    with_consensus,
)


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
    names = ["trained", *DEGENERATE_KINDS, "1-step"]
    candidates = [{"model": n} for n in names]
    scores = {config_id(c): {s: sanity[s][c["model"]] for s in sanity} for c in candidates}
    assert select_configuration(candidates, scores, scorer="soft_neighborhood_density") != "model='trained'"
    assert select_configuration(candidates, scores) == "model='trained'"  # default: the consensus
    consensus = with_consensus(scores)
    assert consensus["model='trained'"][CONSENSUS_SCORER] == len(names) - 1  # first by every scorer
    assert set(SANITY_PASSING_SCORERS) <= set(sanity)
