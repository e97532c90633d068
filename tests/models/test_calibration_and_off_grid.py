import numpy as np
import pytest

from nebuladapt.models import NebulaClassifier
from nebuladapt.models.calibration import expected_calibration_error, fit_temperature
from nebuladapt.models.off_grid import OffGridMap


def test_temperature_undoes_overconfidence():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 5000)
    true_logits = rng.normal(0, 1, (5000, 3))
    true_logits[np.arange(5000), labels] += 1.5
    # sample labels from softmax(true_logits) so that T = 1 is calibrated for true_logits
    p = np.exp(true_logits) / np.exp(true_logits).sum(1, keepdims=True)
    sampled = np.array([rng.choice(3, p=row) for row in p])
    t = fit_temperature(3.0 * true_logits, sampled)  # logits three times too sharp
    assert t == pytest.approx(3.0, rel=0.15)
    scaled = 3.0 * true_logits / t
    sharp = np.exp(3 * true_logits) / np.exp(3 * true_logits).sum(1, keepdims=True)
    calibrated = np.exp(scaled) / np.exp(scaled).sum(1, keepdims=True)
    assert expected_calibration_error(calibrated, sampled) < expected_calibration_error(sharp, sampled)


def test_off_grid_map():
    rng = np.random.default_rng(1)
    grid = rng.normal(0, 1, (20000, 3))
    grid_map = OffGridMap.fit(grid)
    rows = np.array([[0.0, 0.0, 0.0], [8.0, 0.0, 0.0], [0.0, np.nan, 0.0], [np.nan, np.nan, np.nan], [2.5, 2.5, 2.5]])
    flags = grid_map.off_grid(rows)
    assert list(flags[:4]) == [False, True, False, False]
    assert flags[4]  # inside the bounding box but in an empty corner of the occupied region


def test_estimator_flags_off_grid_rows(toy_domains):
    d = toy_domains
    model = NebulaClassifier(method="nn", n_steps=50, random_state=0).fit(d["X"], d["y"], sample_domain=d["sample_domain"])
    far = d["target"][:3].copy()
    far[:, 0] *= 1e6  # [OIII]/Hbeta of a million: nothing we modelled
    assert model.off_grid(far).all()
    assert model.off_grid(d["target"]).mean() < 0.05
    assert model.target_prior_ is not None and model.target_prior_.sum() == pytest.approx(1.0)
    assert 0.05 < model.temperature_ < 20


def test_entropy_and_alignment_variants_run(toy_domains):
    d = toy_domains
    for alignment in ("iw", "conditional", "iw_conditional"):
        # importance weights also scale the classification loss: a prior estimated after
        # a very short warm-up can starve a class, so these runs are long enough to learn
        model = NebulaClassifier(method="dann", alignment=alignment, entropy_weight=0.5, n_steps=300,
                                 checkpoint_steps=(40, 300), random_state=0)
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
