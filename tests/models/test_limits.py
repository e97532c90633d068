"""Upper limits through the nearest grid models (nebuladapt.models.limits)."""

import numpy as np
import pytest

from nebuladapt.features import default_feature_spec, log_ratios
from nebuladapt.models.inference import softmax_argmax
from nebuladapt.models.limits import LIMIT_LINES, NEAREST, LimitSample, grid_sample_rows

SPEC = default_feature_spec()  # lines OIII5006, HB4861, NII6583, HA6562, SII6716_6730
W = np.array([[0.0, 2.0, -1.0], [0.0, 1.0, 1.0], [0.0, -3.0, 2.0], [0.0, 0.5, -0.5]])


def _logits(features):
    """A fixed linear 'network': NaN features count as 0."""
    return np.nan_to_num(features) @ W


def _sample(n=400, seed=1):
    rng = np.random.default_rng(seed)
    flux = np.column_stack([10 ** rng.uniform(-1.5, 1.0, n), np.ones(n), 10 ** rng.uniform(-2, 0.5, n),
                            np.full(n, 2.86), 10 ** rng.uniform(-2, 0.5, n)])  # fmt: skip
    return LimitSample(flux, SPEC, rng.integers(0, 3, n))


def _proba(flux):
    return softmax_argmax(_logits(log_ratios(flux, SPEC)))[0]


def test_grid_sample_rows_is_class_balanced_fixed_and_sorted():
    labels = np.array(["HII"] * 50 + ["PN"] * 30 + ["SNR"] * 5)
    rows = grid_sample_rows(labels, per_class=20)
    assert np.array_equal(rows, np.sort(rows)) and len(set(rows)) == len(rows)
    assert [int((labels[rows] == c).sum()) for c in ("HII", "PN", "SNR")] == [20, 20, 5]
    assert np.array_equal(rows, grid_sample_rows(labels, per_class=20))


def test_a_limited_row_is_the_mean_over_its_nearest_models_below_the_limit():
    sample = _sample()
    flux = np.array([[3.0, 1.0, 0.5, 2.86, np.nan],      # [SII] limited
                     [3.0, 1.0, 0.5, 2.86, 0.4],         # no limit: untouched
                     [3.0, 1.0, 0.5, 2.86, np.nan],      # limit below every model: untouched
                     [np.nan, 1.0, np.nan, 2.86, np.nan]])  # gives no ratio: untouched
    limits = np.full_like(flux, np.nan)
    limits[0, 4], limits[2, 4], limits[3, 4] = 0.1, 1e-6, 0.1
    features = log_ratios(flux, SPEC)
    proba = _proba(flux)
    before = [p.copy() for p in proba]
    used = sample.probabilities(proba, features, flux, limits, _logits, np.ones(4), method="nearest")
    assert used.tolist() == [[False, False, True], [False] * 3, [False] * 3, [False] * 3]
    for i in (1, 2, 3):
        assert all(p[i] == b[i] for p, b in zip(proba, before))
    # by brute force: models with [SII]/Halpha <= 0.1/2.86, nearest in the row's ratios (unit scale)
    below = np.flatnonzero(sample.to_halpha["SII6716_6730"] <= np.log10(0.1 / 2.86))
    given = np.isfinite(features[0])
    distance = ((sample.features[below][:, given] - features[0, given]) ** 2).sum(axis=1)
    nearest = below[np.lexsort((below, distance))][:NEAREST]
    rows = np.repeat(flux[:1], NEAREST, axis=0)
    rows[:, 4] = 2.86 * 10 ** sample.to_halpha["SII6716_6730"][nearest]
    expected = [p.mean() for p in _proba(rows)]
    assert np.allclose([p[0] for p in proba], expected, rtol=0, atol=1e-12)
    assert np.isclose(sum(p[0] for p in proba), 1.0)


def test_several_limits_are_completed_jointly_from_the_same_models():
    sample = _sample()
    flux = np.array([[np.nan, 1.0, 0.5, 2.86, np.nan]])
    limits = np.array([[0.3, np.nan, np.nan, np.nan, 0.2]])
    proba = _proba(flux)
    used = sample.probabilities(proba, log_ratios(flux, SPEC), flux, limits, _logits, np.ones(4), method="nearest")
    assert used.tolist() == [[True, False, True]]
    ok = (sample.to_halpha["OIII5006"] <= np.log10(0.3 / 2.86)) & (sample.to_halpha["SII6716_6730"] <= np.log10(0.2 / 2.86))
    assert ok.sum() >= NEAREST  # the test's sample has enough models below both


def test_the_likelihood_weighs_the_network_by_each_class_share_of_near_models_below_the_limit():
    sample = _sample()
    flux = np.array([[3.0, 1.0, 0.5, 2.86, np.nan], [3.0, 1.0, 0.5, 2.86, np.nan]])
    limits = np.full_like(flux, np.nan)
    limits[:, 4] = (0.1, 1e3)  # a tight limit; one that every model satisfies
    features = log_ratios(flux, SPEC)
    proba = _proba(flux)
    before = np.column_stack(proba)
    used = sample.probabilities(proba, features, flux, limits, _logits, np.ones(4), method="likelihood")
    assert used[:, 2].all()
    given = np.isfinite(features[0])
    distance = ((sample.features[:, given] - features[0, given]) ** 2).sum(axis=1)
    below = sample.to_halpha["SII6716_6730"] <= np.log10(0.1 / 2.86)
    shares = []
    for k in range(3):
        mine = np.flatnonzero(sample.classes == k)
        nearest = mine[np.lexsort((mine, distance[mine]))][:NEAREST]
        shares.append((below[nearest].sum() + 0.5) / (NEAREST + 1))
    expected = before[0] * shares / (before[0] * shares).sum()
    assert np.allclose(np.column_stack(proba)[0], expected, rtol=0, atol=1e-12)
    assert np.allclose(np.column_stack(proba)[1], before[1], rtol=0, atol=1e-12)  # a limit that excludes nothing
    with pytest.raises(ValueError, match="method"):
        sample.probabilities(proba, features, flux, limits, _logits, np.ones(4), method="other")


def test_without_halpha_in_the_features_limits_are_not_used():
    from nebuladapt.features import FeatureSpec

    spec = FeatureSpec.from_names(["log_OIII5006_HB4861"])
    sample = LimitSample(np.ones((10, len(spec.lines))), spec, np.zeros(10, int))
    assert sample.lines == []


def test_limit_lines_are_ratios_to_halpha_of_the_default_features():
    assert all(f"log_{line}_HA6562" in SPEC.names for line in LIMIT_LINES)


@pytest.fixture(scope="module")
def fitted(make_toy_model):
    return make_toy_model(30)


def test_a_fitted_model_keeps_and_saves_its_grid_sample(fitted, tmp_path):
    from nebuladapt.models import load_model, save_model
    from nebuladapt.models.persistence import load_predictor

    assert fitted.limit_sample_.flux.shape == (600, 5)  # 3 toy classes of about 200 < PER_CLASS
    directory = save_model(fitted, tmp_path / "m")
    assert np.array_equal(load_model(directory).limit_sample_.flux, fitted.limit_sample_.flux)
    assert np.array_equal(load_model(directory).limit_sample_.classes, fitted.limit_sample_.classes)
    assert set(fitted.classes_[fitted.limit_sample_.classes]) == {"HII", "PN", "SNR"}
    predictor = load_predictor(directory, limit_method="nearest")
    assert predictor.limit_method == "nearest" and np.array_equal(predictor.limit_sample_.flux, fitted.limit_sample_.flux)
    assert load_predictor(directory).limit_method == "likelihood"  # the default (limits.METHOD)
    with pytest.raises(ValueError, match="limit_method"):
        load_predictor(directory, limit_method="other")


def test_a_model_without_a_grid_sample_ignores_limits(fitted):
    from nebuladapt.models import NebulaClassifier

    state = fitted.get_state()
    tensors = {k: v for k, v in state.tensors.items() if not k.startswith("limit_sample")}
    older = NebulaClassifier(**fitted.get_params()).set_state(type(state)(tensors, state.values))
    assert older.limit_sample_ is None
    flux = np.array([[3.0, 1.0, 0.5, 2.86, np.nan]])
    limits = np.array([[np.nan, np.nan, np.nan, np.nan, 0.3]])  # toy [SII]/Halpha spans about 0.03-0.9
    rows = older.classify_rows(flux, limits)
    assert not rows.limits_used.any()
    assert np.array_equal(np.column_stack(rows.proba), np.column_stack(older.classify_rows(flux).proba))
    assert fitted.classify_rows(flux, limits).limits_used[0, 2]
