import numpy as np
import pytest

from nebuladapt.models import NebulaClassifier


@pytest.mark.parametrize("method", ["nn", "dann"])
@pytest.mark.parametrize("noise", ["none", "fixed", "matched"])
def test_fit_predict_toy(toy_domains, method, noise):
    d = toy_domains
    model = NebulaClassifier(method=method, noise=noise, n_steps=150, random_state=1)
    model.fit(d["X"], d["y"], sample_domain=d["sample_domain"], X_err=d["X_err"])
    assert list(model.classes_) == ["HII", "PN", "SNR"]
    proba = model.predict_proba(d["target"])
    assert proba.shape == (len(d["target"]), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert (model.predict(d["target"]) == d["target_labels"]).mean() > 0.9


def test_same_seed_same_predictions(toy_domains):
    d = toy_domains
    kwargs = dict(method="dann", noise="matched", n_steps=100)
    a = NebulaClassifier(random_state=3, **kwargs).fit(d["X"], d["y"], sample_domain=d["sample_domain"], X_err=d["X_err"])
    b = NebulaClassifier(random_state=3, **kwargs).fit(d["X"], d["y"], sample_domain=d["sample_domain"], X_err=d["X_err"])
    c = NebulaClassifier(random_state=4, **kwargs).fit(d["X"], d["y"], sample_domain=d["sample_domain"], X_err=d["X_err"])
    assert np.array_equal(a.predict_proba(d["target"]), b.predict_proba(d["target"]))
    assert not np.array_equal(a.predict_proba(d["target"]), c.predict_proba(d["target"]))


def test_missing_lines_still_classified(toy_domains):
    d = toy_domains
    model = NebulaClassifier(method="nn", n_steps=300, mask_prob=0.2, random_state=0).fit(d["X"], d["y"])
    partial = d["target"].copy()
    partial[:, 2] = np.nan  # no [NII]
    proba = model.predict_proba(partial)
    assert np.isfinite(proba).all()
    assert (model.predict(partial) == d["target_labels"]).mean() > 0.8
    assert (model.n_missing_features(partial) == 1).all()


def test_bad_parameters_and_inputs(toy_domains):
    d = toy_domains
    with pytest.raises(ValueError, match="method"):
        NebulaClassifier(method="svm").fit(d["X"], d["y"])
    with pytest.raises(ValueError, match="shape"):
        NebulaClassifier(n_steps=1).fit(d["X"][:, :3], d["y"])
    with pytest.raises(ValueError, match="X_err"):
        NebulaClassifier(noise="matched", n_steps=1).fit(d["X"], d["y"], sample_domain=d["sample_domain"])
    with pytest.raises(ValueError, match="target"):
        NebulaClassifier(method="dann", n_steps=1).fit(d["X"][:900], d["y"][:900])


def test_sklearn_conventions():
    from sklearn.base import clone

    model = NebulaClassifier(method="nn", n_steps=7)
    cloned = clone(model)
    assert cloned.get_params() == model.get_params()
    assert not hasattr(cloned, "classes_")
