"""Tests of the classical baselines: masks, decision order, table (evaluation/baselines.py)."""

import numpy as np
import pytest

from nebuladapt.evaluation import diagnostics as dg
from nebuladapt.evaluation.baselines import (
    CLASSICAL_BASELINES,
    Criterion,
    above_curve,
    catalog_classical_cuts,
    classical_cuts,
    classify_classical,
    masks_to_labels,
    nebula_masks,
)
from nebuladapt.catalogs.linecatalog import LineCatalog
from nebuladapt.evaluation.diagnostics import kewley01_nii


def test_above_curve_masks():
    y = np.array([0.0, 1.0, -5.0, np.nan, 0.0])
    x = np.array([-0.5, -0.5, 0.6, -0.5, np.nan])
    test = above_curve(y, kewley01_nii(x), x, 0.47)
    # below (0 < 0.561), above, right of the asymptote, [OIII] missing, [NII] missing
    assert test.passed.tolist() == [False, True, True, False, False]
    assert test.known.tolist() == [True, True, True, False, False]


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


def test_catalog_classical_cuts_reads_the_ratios_from_the_fluxes():
    from astropy.table import Table

    oiii = np.array([-0.5, 1.2, 0.3, 0.0, np.nan, -0.5])
    nii = np.array([-0.8, -1.0, -0.3, -0.5, -0.5, -0.8])
    sii = np.array([-0.8, -1.2, -0.1, np.nan, -0.2, -0.8])
    hb = np.array([2.0, 2.0, 2.0, 2.0, 2.0, 0.0])  # the last row: Hbeta not positive
    ha = np.full(6, 5.0)
    flux = {"HB4861": hb, "OIII5006": hb * 10**oiii, "HA6562": ha, "NII6583": ha * 10**nii,
            "SII6716_6730": ha * 10**sii}  # fmt: skip
    catalog = LineCatalog(Table({"id": np.arange(6)}), flux)
    assert list(catalog_classical_cuts(catalog)) == ["HII", "PN", "SNR", "", "SNR", ""]


def _hand_table():
    nan = np.nan
    # rows: HII region, PN, SNR, SNR without Hbeta, PN without [NII],
    #       HII without [SII], nothing measured
    return {
        dg.OIII_HB: np.array([-0.5, 1.2, 0.3, nan, 1.0, -0.5, nan]),
        dg.NII_HA: np.array([-0.5, -1.0, -0.1, -0.2, nan, -0.5, nan]),
        dg.SII_HA: np.array([-0.8, -1.2, -0.1, -0.2, -1.0, nan, nan]),
        dg.OI_HA: np.array([-2.0, -2.0, -0.8, nan, nan, -2.0, nan]),
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
    del table[dg.OI_HA]  # no [OI] column at all: every [OI] baseline is unclassified
    out = classify_classical(table, baselines=["Kopsacheili20 OI-OIII + Kewley01 PN"])
    assert list(out) == ["Kopsacheili20 OI-OIII + Kewley01 PN"]
    assert set(out["Kopsacheili20 OI-OIII + Kewley01 PN"]) == {""}
    # a fainter assumed M_5007 lowers the Ciardullo line: [OIII]/Hb = 10 becomes a PN
    table[dg.OIII_HB][1] = 1.0  # log R = 0.4895, between the lines at M = -4.47 and -4.0
    strict = classify_classical(table, baselines=["SII/Ha>0.4 + Ciardullo02 R PN"])
    loose = classify_classical(table, baselines=["SII/Ha>0.4 + Ciardullo02 R PN"], m_5007=-4.0)
    assert strict["SII/Ha>0.4 + Ciardullo02 R PN"][1] == "HII"
    assert loose["SII/Ha>0.4 + Ciardullo02 R PN"][1] == "PN"
    with pytest.raises(ValueError):
        classify_classical({dg.OIII_HB: [0.0, 1.0], dg.NII_HA: [0.0]})
