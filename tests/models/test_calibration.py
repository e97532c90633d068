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
