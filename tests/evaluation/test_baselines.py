"""Classical baselines against hand-checked points of the published formulas."""

import math

import numpy as np
import pytest

from nebuladapt.evaluation import baselines as bl
from nebuladapt.evaluation.baselines import (
    CLASSICAL_BASELINES,
    KEWLEY06_OI_X_MIN,
    KEWLEY06_SII_X_MIN,
    KOPSACHEILI20_2D,
    KOPSACHEILI20_3D,
    Criterion,
    above_curve,
    ciardullo02_log_r,
    ciardullo02_min_log_r,
    ciardullo02_pn,
    classical_cuts,
    classify_classical,
    kauffmann03_nii,
    kewley01_nii,
    kewley01_oi,
    kewley01_sii,
    kewley06_oi_seyfert_liner,
    kewley06_sii_seyfert_liner,
    kopsacheili20_2d,
    kopsacheili20_3d,
    masks_to_labels,
    nebula_masks,
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


def test_above_curve_masks():
    y = np.array([0.0, 1.0, -5.0, np.nan, 0.0])
    x = np.array([-0.5, -0.5, 0.6, -0.5, np.nan])
    test = above_curve(y, kewley01_nii(x), x, 0.47)
    # below (0 < 0.561), above, right of the asymptote, [OIII] missing, [NII] missing
    assert test.passed.tolist() == [False, True, True, False, False]
    assert test.known.tolist() == [True, True, True, False, False]


# ---------------------------------------------------------------- SNR criteria


def test_sii_criterion():
    assert sii_ha_snr(np.log10(0.41)) and not sii_ha_snr(np.log10(0.39))
    assert not sii_ha_snr(np.nan)


def test_kopsacheili20_2d_hand_points():
    # SII-NII at the origin ([SII] = [NII] = Halpha, shock-like): f = a00 = 2.763 > 0
    assert kopsacheili20_2d("SII-NII", 0.0, 0.0) == pytest.approx(2.763)
    # SII-NII at x = y = -1 ([SII]/Ha = [NII]/Ha = 0.1, HII-like):
    # -a30 - a21 + a20 - a12 + a11 - a10 - a03 + a02 - a01 + a00
    # = 0.043 - 0.175 - 0.257 - 0.029 - 2.452 - 2.244 + 0.217 + 1.388 - 1.116 + 2.763 = -1.862
    assert kopsacheili20_2d("SII-NII", -1.0, -1.0) == pytest.approx(-1.862)
    # NII-OIII is linear, 0.939 x + y + 0.469: at (-0.5, 0) = -0.0005, just on the HII side
    assert kopsacheili20_2d("NII-OIII", -0.5, 0.0) == pytest.approx(-0.0005)
    # OI-OIII at (log [OI]/Ha, log [OIII]/Hb) = (-0.8, 0.3):
    # -0.23808 - 0.04704 - 0.27648 - 0.076824 + 0.21288 + 0.5608 + 0.001323 - 0.1449
    # + 0.6288 + 2.71 = 3.330479
    assert kopsacheili20_2d("OI-OIII", -0.8, 0.3) == pytest.approx(3.330479, abs=1e-6)
    assert np.isnan(kopsacheili20_2d("SII-NII", np.nan, -1.0))


# The authors' worked example (github.com/mariakop21/Diagnostics, example.ipynb):
# fluxes of two sources and the decision values their notebook prints.
_EXAMPLE = dict(
    ha=np.array([7.1e-15, 6e-15]), oi=np.array([2e-15, 5e-16]),
    oii=np.array([3e-15, 1e-16]), oiii=np.array([2.3e-14, 2e-17]), hb=np.array([3.3e-15, 2e-15]),
    sii=np.array([5e-15, 2e-16]),
)  # fmt: skip


def test_kopsacheili20_matches_authors_example():
    e = _EXAMPLE
    # In that notebook every 2-D lambda reads the coefficients defined last, so only
    # f_SII_OII is evaluated with its own: 2.1246044374357282 and -2.7110792317184185.
    f = kopsacheili20_2d("SII-OII", np.log10(e["sii"] / e["ha"]), np.log10(e["oii"] / e["hb"]))
    assert f == pytest.approx([2.1246044374357282, -2.7110792317184185], rel=1e-9)
    # Likewise f_OI_OII_OIII among the 3-D ones (2.8418538942912916, 1.3826491354561643),
    # computed there with a020 * x * y^2 in place of the a020 * y^2 that we use.
    x, y, z = (np.log10(e["oi"] / e["ha"]), np.log10(e["oii"] / e["hb"]),
               np.log10(e["oiii"] / e["hb"]))  # fmt: skip
    a020 = KOPSACHEILI20_3D["OI-OII-OIII"][1][(0, 2, 0)]
    f3 = kopsacheili20_3d("OI-OII-OIII", x, y, z) - a020 * y**2 + a020 * x * y**2
    assert f3 == pytest.approx([2.8418538942912916, 1.3826491354561643], rel=1e-9)


def test_kopsacheili20_coefficient_tables():
    cubic_2d = {(i, j) for i in range(4) for j in range(4) if i + j <= 3}
    cubic_3d = {(i, j, k) for i in range(4) for j in range(4) for k in range(4) if i + j + k <= 3}
    assert len(KOPSACHEILI20_2D) == 10 and len(KOPSACHEILI20_3D) == 10
    for axes, coefficients in KOPSACHEILI20_2D.values():
        assert set(coefficients) == cubic_2d and len(axes) == 2
    for axes, coefficients in KOPSACHEILI20_3D.values():
        assert set(coefficients) == cubic_3d and len(set(axes)) == 3
    # one spot check per table against the authors' factors files
    assert KOPSACHEILI20_3D["NII-SII-OI"][1][(0, 1, 0)] == -1.822  # a010
    assert KOPSACHEILI20_2D["NII-OI"][1][(1, 0)] == -0.0007  # a10


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


# ---------------------------------------------------------------- masks and table


def test_masks_are_named_disjoint_and_cover():
    snr = Criterion(np.array([True, False, False, False, False]),
                    np.array([True, True, True, False, True]))  # fmt: skip
    pn = Criterion(np.array([False, True, False, True, False]),
                   np.array([True, True, True, True, False]))  # fmt: skip
    masks = nebula_masks(snr, pn)
    assert set(masks) == {"SNR", "PN", "HII", "unclassified"}
    stacked = np.stack(list(masks.values()))
    assert np.all(stacked.sum(axis=0) == 1)
    assert masks_to_labels(masks).tolist() == ["SNR", "PN", "HII", "", ""]


def test_criterion_otherwise():
    first = Criterion(np.array([True, False, False]), np.array([True, True, False]))
    fallback = Criterion(np.array([False, False, True]), np.array([True, True, True]))
    combined = first.otherwise(fallback)
    assert combined.passed.tolist() == [True, False, True]
    assert combined.known.tolist() == [True, True, True]


def test_classical_cuts():
    oiii = np.array([-0.5, 1.2, 0.3, 0.0, np.nan])
    nii = np.array([-0.8, -1.0, -0.3, -0.5, -0.5])
    sii = np.array([-0.8, -1.2, -0.1, np.nan, -0.2])
    assert list(classical_cuts(oiii, nii, sii)) == ["HII", "PN", "SNR", "", "SNR"]


def _hand_table():
    nan = np.nan
    # rows: HII region, PN, SNR, SNR without Hbeta, PN without [NII],
    #       HII without [SII], nothing measured
    return {
        bl.OIII_HB: np.array([-0.5, 1.2, 0.3, nan, 1.0, -0.5, nan]),
        bl.NII_HA: np.array([-0.5, -1.0, -0.1, -0.2, nan, -0.5, nan]),
        bl.SII_HA: np.array([-0.8, -1.2, -0.1, -0.2, -1.0, nan, nan]),
        bl.OI_HA: np.array([-2.0, -2.0, -0.8, nan, nan, -2.0, nan]),
    }


def test_classify_classical_hand_table():
    out = classify_classical(_hand_table())
    assert set(out) == set(CLASSICAL_BASELINES)
    # [SII]/Ha > 0.4 (log > -0.398) for rows 2, 3; Kewley 2001 [NII] line at -0.5 is 0.561
    # (row 0 below), at -1.0 is 0.775 (row 1 above); row 4 has no [NII]: Kewley [SII]
    # line at -1.0 is 0.72/(-1.32) + 1.30 = 0.7545 < 1.0 -> PN; row 5 has no [SII].
    assert out["SII/Ha>0.4 + Kewley01 PN"].tolist() == ["HII", "PN", "SNR", "SNR", "PN", "", ""]
    # log R of row 1: 1.2 - log10(2.86) - log10(1.132787) = 0.689486 > 0.4939 -> PN
    assert out["SII/Ha>0.4 + Ciardullo02 R PN"].tolist() == [
        "HII", "PN", "SNR", "SNR", "PN", "", ""]  # fmt: skip
    # f_SII_NII: row 0 (-0.8, -0.5) = -0.401139; row 1 (-1.2, -1.0) = -2.965776;
    # row 2 (-0.1, -0.1) = 2.413846; row 3 (-0.2, -0.2) = 2.038608; row 4 lacks [NII]
    assert out["Kopsacheili20 SII-NII + Kewley01 PN"].tolist() == [
        "HII", "PN", "SNR", "SNR", "", "", ""]  # fmt: skip
    # f_OI_OIII: row 0 (-2.0, -0.5) = -3.723125; row 1 (-2.0, 1.2) = -3.174688;
    # row 2 = 3.330479; rows 3, 4 lack [OI] or Hbeta; row 5 needs no [SII]: HII
    assert out["Kopsacheili20 OI-OIII + Kewley01 PN"].tolist() == [
        "HII", "PN", "SNR", "", "", "HII", ""]  # fmt: skip
    # the 3-D [NII]-[SII]-[OI] surface needs all three ratios
    three_d = out["Kopsacheili20 NII-SII-OI (3D) + Kewley01 PN"]
    assert three_d[[3, 4, 5, 6]].tolist() == ["", "", "", ""]


def test_classify_classical_missing_keys_and_subset():
    table = _hand_table()
    del table[bl.OI_HA]  # no [OI] column at all: every [OI] baseline is unclassified
    out = classify_classical(table, baselines=["Kopsacheili20 OI-OIII + Kewley01 PN"])
    assert list(out) == ["Kopsacheili20 OI-OIII + Kewley01 PN"]
    assert set(out["Kopsacheili20 OI-OIII + Kewley01 PN"]) == {""}
    # a fainter assumed M_5007 lowers the Ciardullo line: [OIII]/Hb = 10 becomes a PN
    table[bl.OIII_HB][1] = 1.0  # log R = 0.4895, between the lines at M = -4.47 and -4.0
    strict = classify_classical(table, baselines=["SII/Ha>0.4 + Ciardullo02 R PN"])
    loose = classify_classical(table, baselines=["SII/Ha>0.4 + Ciardullo02 R PN"], m_5007=-4.0)
    assert strict["SII/Ha>0.4 + Ciardullo02 R PN"][1] == "HII"
    assert loose["SII/Ha>0.4 + Ciardullo02 R PN"][1] == "PN"
    with pytest.raises(ValueError):
        classify_classical({bl.OIII_HB: [0.0, 1.0], bl.NII_HA: [0.0]})


def test_sii_threshold_constant():
    assert bl.SII_HA_SNR_THRESHOLD == 0.4
    assert math.isclose(np.log10(bl.SII_HA_SNR_THRESHOLD), -0.39794, abs_tol=1e-5)
