"""Grouped bootstrap, seed summaries, calibration scores, the classical fallback per missing line."""

import numpy as np
import pytest

from nebuladapt.evaluation.trust import (
    applicable_classical,
    calibration_scores,
    grouped_bootstrap,
    mean_probabilities,
    seed_summary,
)


def test_seed_summary_uses_ddof_1():
    s = seed_summary([0.9, 0.8, 1.0])
    assert s["std"] == pytest.approx(0.1) and s["worst"] == 0.8 and s["n"] == 3
    assert np.isnan(seed_summary([0.5])["std"])


def test_grouped_bootstrap_is_wider_when_rows_repeat():
    rng = np.random.default_rng(0)
    truth = np.array(["HII"] * 20 + ["SNR"] * 20)
    pred = np.where(rng.random(40) < 0.8, truth, np.where(truth == "HII", "SNR", "HII"))
    lo, hi = grouped_bootstrap(truth, pred, np.arange(40), n_boot=300)
    assert lo < 0.8 < hi
    # each object measured five times: counting rows as objects would overstate the evidence
    rows = np.repeat(np.arange(40), 5)
    lo_row, hi_row = grouped_bootstrap(truth[rows], pred[rows], np.arange(200), n_boot=300)
    lo_grp, hi_grp = grouped_bootstrap(truth[rows], pred[rows], rows, n_boot=300)
    assert hi_grp - lo_grp > 1.5 * (hi_row - lo_row)
    # several seeds: the interval is that of the seed mean
    lo2, hi2 = grouped_bootstrap(truth, np.stack([pred, truth]), np.arange(40), n_boot=300)
    assert lo2 > lo and hi2 <= 1.0


def test_calibration_scores_perfect_and_overconfident():
    truth = np.array(["HII", "PN", "SNR", "HII"])
    perfect = calibration_scores(truth, np.eye(3)[[0, 1, 2, 0]])
    assert perfect["ece"] == 0 and perfect["brier"] == 0 and perfect["nll"] == pytest.approx(0, abs=1e-9)
    wrong = np.eye(3)[[1, 1, 2, 0]] * 0.98 + 0.02 / 3
    bad = calibration_scores(truth, wrong)
    assert bad["ece"] == pytest.approx(0.25 * 0.98 + 0.02 / 3 * 0.25, abs=1e-6) or bad["ece"] > 0.2
    assert bad["nll"] > 1 and bad["accuracy"] == 0.75
    np.testing.assert_allclose(mean_probabilities([np.eye(3), np.full((3, 3), 1 / 3)]).sum(axis=1), 1)


def test_applicable_classical_fallbacks():
    features = {
        "log_SII6716_6730_HA6562": np.log10([0.2, 0.6, np.nan]),
        "log_OIII5006_HB4861": np.array([0.0, 1.2, 0.5]),
        "log_NII6583_HA6562": np.array([-0.8, 0.0, -0.5]),
    }
    labels, classes = applicable_classical("HB4861", features)
    assert list(labels) == ["HII", "SNR", ""] and classes == ("HII", "SNR")
    labels, classes = applicable_classical("SII6716_6730", features)
    assert list(labels) == ["HII", "PN", "HII"] and classes == ("HII", "PN")
    with pytest.raises(ValueError, match="fallback"):
        applicable_classical("HA6562", features)
