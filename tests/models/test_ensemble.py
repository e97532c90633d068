"""NebulaEnsemble: mean probabilities of seed/configuration members."""

import numpy as np
import pytest

from nebuladapt.models import NebulaClassifier
from nebuladapt.models.ensemble import NebulaEnsemble

PARAMS = {"method": "dann", "noise": "fixed", "n_steps": 30, "entropy_weight": 1.0}


@pytest.fixture(scope="module")
def ensemble(toy_domains):
    d = toy_domains
    return NebulaEnsemble(n_members=2, params=PARAMS, random_state=5).fit(d["X"], d["y"], sample_domain=d["sample_domain"])


def test_ensemble_is_the_mean_of_its_seeds(toy_domains, ensemble):
    d = toy_domains
    members = [
        NebulaClassifier(**PARAMS, random_state=s).fit(d["X"], d["y"], sample_domain=d["sample_domain"])
        for s in (5, 6)
    ]
    expected = np.mean([m.predict_proba(d["target"]) for m in members], axis=0)
    proba = ensemble.predict_proba(d["target"])
    np.testing.assert_allclose(proba, expected, rtol=1e-6)  # float32 networks
    assert not np.allclose(members[0].predict_proba(d["target"]), members[1].predict_proba(d["target"]))
    np.testing.assert_array_equal(ensemble.predict(d["target"]), ensemble.classes_[proba.argmax(axis=1)])
    softmax = np.exp(ensemble.decision_function(d["target"]))
    np.testing.assert_allclose(softmax / softmax.sum(axis=1, keepdims=True), proba, rtol=1e-9)
    assert ensemble.off_grid(d["target"]).shape == (len(d["target"]),)


def test_configurations_multiply_members(toy_domains):
    d = toy_domains
    model = NebulaEnsemble(n_members=1, params={**PARAMS, "n_steps": 5},
                           configurations=[{"domain_weight": 0.3}, {"domain_weight": 1.0}])  # fmt: skip
    model.fit(d["X"], d["y"], sample_domain=d["sample_domain"])
    assert [m.domain_weight for m in model.estimators_] == [0.3, 1.0]
    with pytest.raises(ValueError, match="n_members"):
        NebulaEnsemble(n_members=0).fit(d["X"], d["y"], sample_domain=d["sample_domain"])
