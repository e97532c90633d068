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


def test_entropy_and_alignment_variants_run(toy_domains):
    d = toy_domains
    for alignment in ("iw", "conditional", "iw_conditional"):
        # importance weights also scale the classification loss: a prior estimated after
        # a very short warm-up can starve a class, so these runs are long enough to learn
        model = NebulaClassifier(method="dann", alignment=alignment, entropy_weight=0.5, n_steps=300,
                                 checkpoint_steps=(40, 300), random_state=0, members=1)
        model.fit(d["X"], d["y"], sample_domain=d["sample_domain"])
        assert (model.predict(d["target"]) == d["target_labels"]).mean() > 0.8
        early = model.at_step(40)
        assert not np.array_equal(early.predict_proba(d["target"]), model.predict_proba(d["target"]))
        assert any("target_prior" in h for h in model.history_) == alignment.startswith("iw")


def test_prior_correction_follows_an_imbalanced_target(toy_domains):
    d = toy_domains
    # a target dominated by HII regions, as real catalogues are
    keep = np.flatnonzero(d["target_labels"] == "HII").tolist() + np.flatnonzero(d["target_labels"] != "HII")[:10].tolist()
    target = d["target"][keep]
    n_source = int((d["sample_domain"] > 0).sum())
    X = np.vstack([d["X"][:n_source], target])
    y = np.concatenate([d["y"][:n_source], np.full(len(target), -1, dtype=object)])
    domain = np.concatenate([np.ones(n_source, int), -np.ones(len(target), int)])
    kwargs = dict(method="nn", n_steps=100, random_state=0)
    plain = NebulaClassifier(**kwargs).fit(X, y, sample_domain=domain)
    corrected = NebulaClassifier(prior_correction="em", **kwargs).fit(X, y, sample_domain=domain)
    hii = list(plain.classes_).index("HII")
    true_share = np.mean(d["target_labels"][keep] == "HII")
    assert corrected.target_prior_[hii] == pytest.approx(true_share, abs=0.05)
    before, after = plain.predict_proba(target)[:, hii], corrected.predict_proba(target)[:, hii]
    assert (after >= before - 1e-12).all() and (after > before).any()
    with pytest.raises(ValueError, match="prior_correction"):
        NebulaClassifier(prior_correction="magic").fit(d["X"], d["y"])


def test_rows_without_a_ratio_do_not_enter_the_target_proportions(toy_domains):
    d = toy_domains
    n_source = int((d["sample_domain"] > 0).sum())
    empty = np.full((60, d["X"].shape[1]), np.nan)  # target rows whose every line is missing
    X = np.vstack([d["X"], empty])
    y = np.concatenate([d["y"], np.full(len(empty), -1, dtype=object)])
    domain = np.concatenate([d["sample_domain"], -np.ones(len(empty), int)])
    kwargs = dict(method="nn", noise="fixed", n_steps=60, random_state=0)  # source-only: the fit ignores the target
    plain = NebulaClassifier(**kwargs).fit(d["X"], d["y"], sample_domain=d["sample_domain"])
    padded = NebulaClassifier(**kwargs).fit(X, y, sample_domain=domain)
    assert n_source < len(d["X"])
    np.testing.assert_array_equal(plain.predict_proba(d["target"]), padded.predict_proba(d["target"]))
    # the 60 rows would get the network's answer to an all-missing input; they get no class, so no share
    np.testing.assert_allclose(padded.target_prior_, plain.target_prior_, atol=1e-12)


def test_state_pair_restores_the_fitted_model(toy_domains):
    from nebuladapt.models.estimator import ModelState

    d = toy_domains
    model = NebulaClassifier(method="dann", alignment="conditional", n_steps=30, random_state=2)
    model.fit(d["X"], d["y"], sample_domain=d["sample_domain"])
    state = model.get_state()
    fresh = NebulaClassifier(**model.get_params()).set_state(ModelState(dict(state.tensors), dict(state.values)))
    for method in ("predict_proba", "decision_function", "off_grid"):
        assert getattr(fresh, method)(d["target"]).tobytes() == getattr(model, method)(d["target"]).tobytes()
    broken = dict(state.tensors)
    broken.pop("off_grid.low")
    with pytest.raises(ValueError, match="off-grid"):
        NebulaClassifier(**model.get_params()).set_state(ModelState(broken, state.values))
    with pytest.raises(ValueError, match="do not fit"):
        NebulaClassifier(**{**model.get_params(), "alignment": "marginal"}).set_state(state)


def test_auto_noise_follows_the_target_errors(toy_domains):
    d = toy_domains
    kwargs = dict(method="nn", n_steps=2)
    with_errors = NebulaClassifier(**kwargs).fit(d["X"], d["y"], sample_domain=d["sample_domain"], X_err=d["X_err"])
    assert with_errors.noise == "auto" and with_errors.noise_ == "matched"
    without = NebulaClassifier(**kwargs).fit(d["X"], d["y"], sample_domain=d["sample_domain"])
    assert without.noise_ == "fixed" and len(without.fractional_errors_) == 0


def test_predictor_is_cached_and_follows_fit_state_and_params(toy_domains):
    d = toy_domains
    fit_args = (d["X"], d["y"])
    fit_kwargs = dict(sample_domain=d["sample_domain"])
    model = NebulaClassifier(method="nn", n_steps=40, random_state=3).fit(*fit_args, **fit_kwargs)
    cached = model.predictor()
    model.predict_proba(d["target"])
    assert model.predictor() is cached  # not rebuilt per prediction call

    # fit again (other seed): the new weights are used, not the cached ones
    other = NebulaClassifier(method="nn", n_steps=40, random_state=4).fit(*fit_args, **fit_kwargs)
    assert not np.array_equal(model.predict_proba(d["target"]), other.predict_proba(d["target"]))
    model.random_state = 4
    model.fit(*fit_args, **fit_kwargs)
    np.testing.assert_array_equal(model.target_prior_, other.target_prior_)  # estimated with the new weights
    assert model.predictor().off_grid_map_ is model.off_grid_map_
    assert model.predict_proba(d["target"]).tobytes() == other.predict_proba(d["target"]).tobytes()

    # set_state replaces the cached predictor
    first = NebulaClassifier(method="nn", n_steps=40, random_state=3).fit(*fit_args, **fit_kwargs)
    model.set_state(first.get_state())
    assert model.predict_proba(d["target"]).tobytes() == first.predict_proba(d["target"]).tobytes()
    assert model.predictor().off_grid_map_ is model.off_grid_map_

    # set_params drops it: a changed prior correction applies at once
    plain = model.predict_proba(d["target"])
    model.set_params(prior_correction="em")
    corrected = model.predict_proba(d["target"])
    expected = NebulaClassifier(**model.get_params()).set_state(model.get_state())
    assert corrected.tobytes() == expected.predict_proba(d["target"]).tobytes()
    assert not np.array_equal(corrected, plain)


def test_at_step_copy_predicts_with_its_own_weights(toy_domains):
    d = toy_domains
    model = NebulaClassifier(method="nn", n_steps=40, checkpoint_steps=(5,), prior_correction="em", random_state=3)
    model.fit(d["X"], d["y"], sample_domain=d["sample_domain"])
    final = model.predict_proba(d["target"])
    early = model.at_step(5)
    expected = NebulaClassifier(**early.get_params()).set_state(early.get_state())
    assert early.predict_proba(d["target"]).tobytes() == expected.predict_proba(d["target"]).tobytes()
    assert not np.array_equal(early.predict_proba(d["target"]), final)
    assert model.predict_proba(d["target"]).tobytes() == final.tobytes()
