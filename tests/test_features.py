import numpy as np
import pytest
import torch
from astropy.table import Table

from nebuladapt.catalogs import LineCatalog
from nebuladapt.features import (
    DEFAULT_RATIOS,
    RATIOS,
    FeatureSpec,
    LineRatio,
    catalog_line_matrix,
    default_feature_spec,
    feature_spec_for_grids,
    feature_spec_for_lines,
    log_ratios,
    oiii_only_rows,
    nii_only_rows,
    NII_HA,
    row_line_flags,
    usable_rows,
)
from nebuladapt.lines import derivable_lines


def test_default_spec_lines_and_names():
    spec = default_feature_spec()
    assert spec.names == ["log_OIII5006_HB4861", "log_NII6583_HA6562", "log_SII6716_6730_HA6562", "log_OIII5006_HA6562"]
    assert spec.lines == ["OIII5006", "HB4861", "NII6583", "HA6562", "SII6716_6730"]
    assert FeatureSpec.from_dict(spec.to_dict()) == spec


def test_log_ratios_numpy_and_torch_agree():
    spec = default_feature_spec()
    flux = np.array([[3.0, 1.0, 0.3, 2.86, 0.5], [np.nan, 1.0, -1.0, 2.86, 0.0]])
    expected = np.array([[np.log10(3), np.log10(0.3 / 2.86), np.log10(0.5 / 2.86), np.log10(3 / 2.86)], [np.nan] * 4])
    np.testing.assert_allclose(log_ratios(flux, spec), expected)
    np.testing.assert_allclose(log_ratios(torch.from_numpy(flux), spec).numpy(), expected)


def _catalog(flux, err=None, corrected=None):
    n = len(next(iter(flux.values())))
    return LineCatalog(Table({"id": np.arange(n)}), flux, err or {}, corrected)


def test_summed_sii_and_case_b():
    cat = _catalog(
        {
            "HB4861": np.array([1.0, 1.0, 1.0]),
            "OIII5006": np.array([2.0, 2.0, 2.0]),
            "SII6716": np.array([0.1, np.nan, 0.1]),
            "SII6730": np.array([0.2, 0.1, 0.2]),
            "SII6716_6730": np.array([np.nan, 0.5, np.nan]),
            "NII6583": np.array([0.3, 0.3, 0.3]),
        },
        corrected=np.array([True, True, False]),
    )
    spec = default_feature_spec()
    flux, err, notes = catalog_line_matrix(cat, spec.lines)
    np.testing.assert_allclose(flux[:, spec.lines.index("SII6716_6730")], [0.3, 0.5, 0.3])
    ha = flux[:, spec.lines.index("HA6562")]
    np.testing.assert_allclose(ha[:2], [2.86, 2.86])
    assert np.isnan(ha[2])  # not dust corrected: no case-B inference
    assert notes == [["caseB:HA6562"], ["caseB:HA6562"], []]



def test_case_b_fills_the_balmer_line_asked_for_from_the_other_not_asked_for():
    """Features without Hbeta (no [OIII] ratio) on a table of ratios to Hbeta: Halpha still comes from case B."""
    cat = _catalog(
        {
            "HB4861": np.array([1.0, 1.0, np.nan]),
            "NII6583": np.array([0.3, 0.3, 0.3]),
            "SII6716_6730": np.array([0.5, 0.5, 0.5]),
        },
        err={"HB4861": np.array([0.1, 0.1, np.nan])},
        corrected=np.array([True, False, True]),
    )
    lines = ["NII6583", "HA6562", "SII6716_6730"]
    flux, err, notes = catalog_line_matrix(cat, lines)
    np.testing.assert_allclose(flux[0], [0.3, 2.86, 0.5])
    np.testing.assert_allclose(err[0, 1], 0.286)
    assert np.isnan(flux[1:, 1]).all()  # not dust corrected; no Hbeta either
    assert notes == [["caseB:HA6562"], [], []]  # nothing about Hbeta, which is not asked for
    full, _, full_notes = catalog_line_matrix(cat, [*lines, "HB4861"])
    np.testing.assert_array_equal(flux, full[:, :-1])
    assert full_notes == notes

def test_row_flags():
    flux = np.array([[1.0, np.nan, 0.0, 5.0]])
    err = np.array([[0.5, np.nan, 0.1, -1.0]])
    flags = row_line_flags(flux, err, ["A", "B", "C", "D"])
    assert sorted(flags[0]) == ["bad_err:D", "low_snr:A", "missing:B", "nonpositive:C"]


def test_extra_ratios_only_when_every_class_has_them():
    table = Table(
        {
            "class": ["HII", "SNR"],
            "HB4861": [1.0, 1.0],
            "OIII5006": [3.0, 1.0],
            "NII6583": [0.3, 1.0],
            "OI6300": [np.nan, 0.2],
            "HA6562": [2.9, 3.0],
            "SII6716": [0.1, 0.2],
            "SII6730": [0.1, 0.15],
        }
    )
    spec = feature_spec_for_grids(table)
    # the [SII] sum comes from its components (derivable_lines); [OI] only from SNR rows
    assert [r.name for r in spec.ratios] == [r.name for r in DEFAULT_RATIOS] + ["log_SII6716_SII6730"]
    table["OI6300"][0] = 0.01
    assert feature_spec_for_grids(table).ratios == RATIOS
    table.remove_column("NII6583")
    assert "log_NII6583_HA6562" not in feature_spec_for_grids(table).names


def test_derivable_lines_rules():
    assert derivable_lines({"SII6716"}) == {"SII6716"}
    assert derivable_lines({"SII6716", "SII6730"}) == {"SII6716", "SII6730", "SII6716_6730"}
    assert derivable_lines({"OIII4958", "NII6548"}) == {"OIII4958", "OIII5006", "NII6548", "NII6583"}
    assert derivable_lines({"HA6562"}) == {"HA6562"}
    assert derivable_lines({"HA6562"}, case_b=True) == {"HA6562", "HB4861"}
    assert derivable_lines(set()) == set()


def test_feature_spec_for_lines_follows_the_declaration(monkeypatch):
    import nebuladapt.features as features

    lines = {"HB4861", "OIII5006", "HA6562", "NII6583", "SII6716_6730", "HeI5876"}
    assert feature_spec_for_lines(lines) == default_feature_spec()
    monkeypatch.setattr(features, "RATIOS", RATIOS + (LineRatio("HeI5876", "HB4861"),))
    assert feature_spec_for_lines(lines).names == default_feature_spec().names + ["log_HeI5876_HB4861"]
    assert feature_spec_for_lines(lines - {"HeI5876"}) == default_feature_spec()
    with pytest.raises(ValueError, match="no line ratio"):
        feature_spec_for_lines({"HB4861"})


def test_strong_doublet_line_from_weak_partner():
    cat = _catalog(
        {
            "HB4861": np.array([1.0, 1.0]),
            "OIII4958": np.array([1.0, 1.0]),
            "OIII5006": np.array([np.nan, 2.0]),
            "NII6548": np.array([0.1, np.nan]),
        },
        {"OIII4958": np.array([0.1, 0.1])},
    )
    flux, err, notes = catalog_line_matrix(cat, ["OIII5006", "NII6583"])
    np.testing.assert_allclose(flux[:, 0], [2.98, 2.0])
    np.testing.assert_allclose(flux[:, 1], [0.305, np.nan])
    assert err[0, 0] == pytest.approx(0.298)
    assert notes == [["doublet:OIII5006", "doublet:NII6583"], []]


def test_usable_rows_are_those_with_any_computable_ratio():
    spec = default_feature_spec()
    # [OIII]5007, Hbeta, [NII]6583, Halpha, [SII]: a full row, a row of lines with no Balmer line, an empty row
    flux = np.array([[3.0, 1.0, 0.9, 2.86, 0.6], [0.069, np.nan, 1.083, np.nan, 0.68], [np.nan] * 5])
    np.testing.assert_array_equal(usable_rows(log_ratios(flux, spec)), [True, False, False])
    flux[1, 3] = 2.86  # with Halpha back, [NII]/Halpha and [SII]/Halpha are computable
    np.testing.assert_array_equal(usable_rows(log_ratios(flux, spec)), [True, True, False])


def test_oiii_only_rows_give_no_low_ionisation_ratio():
    spec = default_feature_spec()
    assert spec.lines == ["OIII5006", "HB4861", "NII6583", "HA6562", "SII6716_6730"]
    nan = np.nan
    flux = np.array([
        [3.0, 1.0, 0.9, 2.86, 0.6],  # every ratio
        [3.0, 1.0, nan, 2.86, nan],  # [NII] and [SII] undetected: [OIII]/Hbeta and [OIII]/Halpha only
        [3.0, 1.0, nan, nan, nan],  # red arm lost: [OIII]/Hbeta only
        [nan, 1.0, nan, 2.86, 0.6],  # [SII]/Halpha only
        [nan, 1.0, nan, 2.86, nan],  # no ratio at all: unusable, not flagged
    ])
    np.testing.assert_array_equal(oiii_only_rows(log_ratios(flux, spec), spec), [False, True, True, False, False])
    # a spec without [OIII] ratios flags nothing; one of [OIII] ratios only flags every usable row
    nii = FeatureSpec((LineRatio("NII6583", "HA6562"),))
    assert not oiii_only_rows(log_ratios(flux[:, [2, 3]], nii), nii).any()
    oiii = FeatureSpec((LineRatio("OIII5006", "HB4861"),))
    np.testing.assert_array_equal(oiii_only_rows(log_ratios(flux[:, [0, 1]], oiii), oiii), [True] * 3 + [False] * 2)


def test_nii_only_rows_give_neither_an_oiii_nor_an_sii_ratio():
    spec = default_feature_spec()
    nan = np.nan
    flux = np.array([
        [3.0, 1.0, 0.9, 2.86, 0.6],  # every ratio
        [nan, 1.0, 0.9, 2.86, nan],  # [OIII] and [SII] undetected: [NII]/Halpha only
        [nan, nan, 0.9, 2.86, nan],  # blue arm lost and [SII] undetected: [NII]/Halpha only
        [nan, 1.0, 0.9, 2.86, 0.6],  # [NII]/Halpha and [SII]/Halpha: the [SII] test applies
        [3.0, 1.0, 0.9, 2.86, nan],  # [OIII] and [NII] ratios
        [nan, 1.0, nan, 2.86, nan],  # no ratio at all: unusable, not flagged
    ])
    features = log_ratios(flux, spec)
    np.testing.assert_array_equal(nii_only_rows(features, spec), [False, True, True, False, False, False])
    assert not (nii_only_rows(features, spec) & oiii_only_rows(features, spec)).any()
    # a spec without an [NII] ratio flags nothing; one of [NII]/Halpha alone flags every usable row
    sii = FeatureSpec((LineRatio("SII6716_6730", "HA6562"),))
    assert not nii_only_rows(log_ratios(flux[:, [4, 3]], sii), sii).any()
    nii = FeatureSpec((NII_HA,))
    np.testing.assert_array_equal(nii_only_rows(log_ratios(flux[:, [2, 3]], nii), nii), [True] * 5 + [False])


def test_feature_spec_from_names_round_trips_and_refuses_unknown_names():
    spec = default_feature_spec()
    assert FeatureSpec.from_names(spec.names) == spec
    assert FeatureSpec.from_names(spec.names[::-1]).ratios == spec.ratios[::-1]
    with pytest.raises(ValueError, match="log_HA6562_NII6583"):
        FeatureSpec.from_names(["log_NII6583_HA6562", "log_HA6562_NII6583"])


def test_missing_line_share_counts_rows_without_any_ratio_holding_the_line():
    from nebuladapt.features import missing_line_share

    spec = default_feature_spec()  # OIII/Hbeta, NII/Halpha, SII/Halpha, OIII/Halpha
    assert dict(zip(spec.lines, spec.line_groups())) == {
        "OIII5006": [0, 3], "HB4861": [0], "NII6583": [1], "HA6562": [1, 2, 3], "SII6716_6730": [2]}
    nan = np.nan
    features = np.array([
        [0.1, 0.2, 0.3, 0.4],
        [nan, 0.2, 0.3, 0.4],  # no Hbeta: [OIII] kept through [OIII]/Halpha
        [nan, 0.2, nan, nan],  # no [OIII], no [SII]
        [nan, nan, nan, nan],  # no ratio: not counted
    ])
    share = missing_line_share(features, spec)
    assert share == {"OIII5006": pytest.approx(1 / 3, abs=1e-4), "HB4861": pytest.approx(2 / 3, abs=1e-4),
                     "NII6583": 0.0, "HA6562": 0.0, "SII6716_6730": pytest.approx(1 / 3, abs=1e-4)}
    assert missing_line_share(features[3:], spec) == {}


def test_catalog_limit_matrix_takes_limits_sums_and_doublet_partners():
    from nebuladapt.features import catalog_limit_matrix, catalog_line_arrays

    n = 4
    nan = np.nan
    catalog = LineCatalog(
        Table({"id": np.arange(n)}),
        flux={"HA6562": np.full(n, 3.0), "SII6716": np.array([nan, 0.2, nan, 0.3]),
              "SII6730": np.array([nan, nan, nan, 0.2]), "OIII5006": np.array([nan, nan, 1.0, nan])},
        limit_flux={"SII6716": np.array([0.1, nan, nan, nan]), "SII6730": np.array([0.1, 0.05, nan, nan]),
                    "OIII4958": np.array([0.1, nan, 0.1, nan]), "NII6583": np.array([nan, nan, -1.0, nan])},
    )
    lines = ["OIII5006", "HA6562", "NII6583", "SII6716_6730"]
    flux = catalog_line_arrays(catalog, lines)[0]
    limits = catalog_limit_matrix(catalog, lines, flux)
    np.testing.assert_allclose(limits[:, 3], [0.2, 0.25, nan, nan])  # both limits; measured + limit; none; measured
    np.testing.assert_allclose(limits[:, 0], [0.298, nan, nan, nan])  # 2.98 x [OIII]4959's limit; row 2 measured
    assert np.isnan(limits[:, 1:3]).all()  # Halpha measured; a non-positive limit is no limit
    assert np.isnan(catalog_limit_matrix(LineCatalog(Table({"id": [1]}), flux={"HA6562": [1.0]}), lines,
                                         np.ones((1, 4)))).all()
