"""Tests of the classical diagnostic curves and criteria (evaluation/diagnostics.py)."""

import math

import numpy as np
import pytest

from nebuladapt.evaluation.diagnostics import (
    KEWLEY06_OI_X_MIN,
    KEWLEY06_SII_X_MIN,
    SII_HA_SNR_THRESHOLD,
    ciardullo02_log_r,
    ciardullo02_min_log_r,
    ciardullo02_pn,
    kauffmann03_nii,
    kewley01_nii,
    kewley01_oi,
    kewley01_sii,
    kewley06_oi_seyfert_liner,
    kewley06_sii_seyfert_liner,
    low_sii_snr_share,
    sii_ha_snr,
)

# ---------------------------------------------------------------- BPT curves


def test_kauffmann03_published_points():
    # eq. 1 at log([NII]/Ha) = -0.5: 0.61 / (-0.55) + 1.3 = -1.109091 + 1.3 = 0.190909
    assert kauffmann03_nii(-0.5) == pytest.approx(0.190909, abs=1e-6)
    # at -1.0: 0.61 / (-1.05) + 1.3 = 0.719048
    assert kauffmann03_nii(-1.0) == pytest.approx(0.719048, abs=1e-6)
    # undefined at and right of the asymptote log([NII]/Ha) = 0.05
    assert np.isnan(kauffmann03_nii(0.05)) and np.isnan(kauffmann03_nii(0.3))
    assert np.isnan(kauffmann03_nii(np.nan))


def test_kewley01_published_points():
    # eq. 5 at log([NII]/Ha) = -0.5: 0.61 / (-0.97) + 1.19 = 0.561134
    assert kewley01_nii(-0.5) == pytest.approx(0.561134, abs=1e-6)
    assert kewley01_nii(0.0) == pytest.approx(-0.10787, abs=1e-4)  # 0.61/(-0.47) + 1.19
    assert np.isnan(kewley01_nii(0.47)) and np.isnan(kewley01_nii(0.5))
    # eq. 6 at log([SII]/Ha) = -0.4: 0.72 / (-0.72) + 1.30 = 0.30
    assert kewley01_sii(-0.4) == pytest.approx(0.30)
    assert np.isnan(kewley01_sii(0.32))
    # eq. 7 at log([OI]/Ha) = -1.5: 0.73 / (-0.91) + 1.33 = 0.527802
    assert kewley01_oi(-1.5) == pytest.approx(0.527802, abs=1e-6)
    assert np.isnan(kewley01_oi(-0.59)) and np.isnan(kewley01_oi(0.0))


def test_kewley01_lies_above_kauffmann03():
    # The maximum-starburst line bounds the empirical one from above right of their
    # crossing: 0.61/(x-0.05) + 1.3 = 0.61/(x-0.47) + 1.19
    #   <=> 0.11 x^2 - 0.0572 x - 0.25361 = 0  ->  x = -1.280516
    x = np.linspace(-1.28, 0.0, 41)
    assert np.all(kewley01_nii(x) > kauffmann03_nii(x))
    assert kewley01_nii(-1.280516) == pytest.approx(kauffmann03_nii(-1.280516), abs=1e-5)
    assert kewley01_nii(-1.5) < kauffmann03_nii(-1.5)


def test_kewley06_seyfert_liner_lines():
    # 1.89 x + 0.76 at log([SII]/Ha) = 0 and 0.5
    assert kewley06_sii_seyfert_liner(0.0) == pytest.approx(0.76)
    assert kewley06_sii_seyfert_liner(0.5) == pytest.approx(1.705)
    # 1.18 x + 1.30 at log([OI]/Ha) = -1.0
    assert kewley06_oi_seyfert_liner(-1.0) == pytest.approx(0.12)
    # Domain starts where each meets its Kewley 2001 line. By hand, [SII]:
    # (1.89x - 0.54)(x - 0.32) = 0.72  ->  1.89x^2 - 1.1448x - 0.5472 = 0  ->  x = -0.314595
    assert KEWLEY06_SII_X_MIN == pytest.approx(-0.314595, abs=1e-5)
    # [OI]: (1.18x - 0.03)(x + 0.59) = 0.73  ->  1.18x^2 + 0.6662x - 0.7477 = 0  ->  x = -1.126877
    assert KEWLEY06_OI_X_MIN == pytest.approx(-1.126877, abs=1e-5)
    assert kewley06_sii_seyfert_liner(KEWLEY06_SII_X_MIN) == pytest.approx(
        kewley01_sii(KEWLEY06_SII_X_MIN)
    )
    assert kewley06_oi_seyfert_liner(KEWLEY06_OI_X_MIN) == pytest.approx(
        kewley01_oi(KEWLEY06_OI_X_MIN)
    )
    assert np.isnan(kewley06_sii_seyfert_liner(-0.4)) and np.isnan(kewley06_oi_seyfert_liner(-1.2))


# ---------------------------------------------------------------- SNR criteria


def test_sii_criterion():
    assert sii_ha_snr(np.log10(0.41)) and not sii_ha_snr(np.log10(0.39))
    assert not sii_ha_snr(np.nan)


def test_low_sii_snr_share_counts_snr_calls_below_the_criterion_only():
    """Rows at or below [SII]/Halpha = 0.4 with a known ratio; the share of them called SNR."""
    log_sii_ha = np.log10([0.2, 0.3, 0.4, 0.41, 0.8, np.nan])
    classes = np.array(["SNR", "HII", "SNR", "SNR", "HII", "SNR"])
    assert low_sii_snr_share(log_sii_ha, classes) == {"rows": 3, "share": round(2 / 3, 4)}
    assert low_sii_snr_share(log_sii_ha, np.array(["HII"] * 6)) == {"rows": 3, "share": 0.0}
    assert low_sii_snr_share(np.log10([0.5, np.nan]), np.array(["SNR", "SNR"])) == {"rows": 0, "share": None}


def test_sii_threshold_constant():
    assert SII_HA_SNR_THRESHOLD == 0.4
    assert math.isclose(np.log10(SII_HA_SNR_THRESHOLD), -0.39794, abs_tol=1e-5)


# ---------------------------------------------------------------- PN criteria


def test_ciardullo02_line():
    # -0.37 M - 1.16 at the PNLF cutoff M* = -4.47: 1.6539 - 1.16 = 0.4939
    assert ciardullo02_min_log_r() == pytest.approx(0.4939)
    assert ciardullo02_min_log_r(-3.47) == pytest.approx(0.1239)
    assert np.isnan(ciardullo02_min_log_r(np.nan))


def test_ciardullo02_r_and_decision():
    # [OIII]/Hb = 10, [NII]6583/Ha = 0.1, case B Ha/Hb = 2.86, [NII] doublet x (1 + 1/3.05):
    # log R = 1 - log10(2.86) - log10(1 + 0.1 * 1.327869) = 1 - 0.456366 - 0.054148 = 0.489486
    log_r = ciardullo02_log_r(1.0, -1.0)
    assert log_r == pytest.approx(0.489486, abs=1e-6)
    # [NII]6583 only: 1 - 0.456366 - log10(1.1) = 1 - 0.456366 - 0.041393 = 0.502241
    assert ciardullo02_log_r(1.0, -1.0, include_nii6548=False) == pytest.approx(0.502241, abs=1e-6)
    # an explicit Balmer decrement replaces case B: Ha/Hb = 5 -> log R = 1 - 0.69897 - 0.054148
    assert ciardullo02_log_r(1.0, -1.0, np.log10(5.0)) == pytest.approx(0.246882, abs=1e-6)
    # 0.4895 misses the cutoff line (0.4939) but passes the line of a PN at M = -4 (0.32)
    assert not ciardullo02_pn(log_r) and ciardullo02_pn(log_r, -4.0)
    assert np.isnan(ciardullo02_log_r(1.0, np.nan)) and not ciardullo02_pn(np.nan)
