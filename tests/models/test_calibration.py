import numpy as np
import pytest

from nebuladapt.models.calibration import expected_calibration_error, fit_temperature


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


def test_matched_temperature_recovers_the_one_that_made_the_probabilities():
    from scipy.special import softmax

    from nebuladapt.models.calibration import match_temperature

    logits = np.random.default_rng(1).normal(0, 2, (400, 3))
    for t in (0.5, 0.72, 2.0):
        assert match_temperature(logits, softmax(logits / t, axis=1)) == pytest.approx(t, rel=1e-3)


def test_labels_are_one_hot_probabilities_to_the_matched_temperature():
    from nebuladapt.models.calibration import match_temperature

    rng = np.random.default_rng(2)
    logits, labels = rng.normal(0, 1.5, (300, 3)), rng.integers(0, 3, 300)
    assert fit_temperature(logits, labels) == pytest.approx(match_temperature(logits, np.eye(3)[labels]), rel=1e-9)
