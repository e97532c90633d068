"""Tests of the Balmer-decrement dust correction."""

from __future__ import annotations

import numpy as np
import pytest
from astropy.table import Table
from dust_extinction.parameter_averages import CCM89, O94
from hypothesis import given, settings
from hypothesis import strategies as st

from nebuladapt.catalogs import LineCatalog, read_catalog
from nebuladapt.dust import balmer_decrement_ebv, deredden_catalog, extinction_k
from nebuladapt.lines import CASE_B_HA_HB


def observed_decrement(ebv, law=None):
    delta_k = extinction_k("HB4861", law) - extinction_k("HA6562", law)
    return CASE_B_HA_HB * 10 ** (0.4 * ebv * delta_k)


@pytest.mark.parametrize(
    ("law", "k_hb", "k_ha"),
    # Published k(lambda) for R_V = 3.1: CCM89 3.61/2.53; O'Donnell 1994 3.66/2.52.
    [(CCM89, 3.61, 2.53), (O94, 3.66, 2.52), (None, 3.66, 2.52)],
)
def test_extinction_k_matches_literature(law, k_hb, k_ha):
    assert extinction_k("HB4861", law) == pytest.approx(k_hb, abs=0.02)
    assert extinction_k("HA6562", law) == pytest.approx(k_ha, abs=0.02)


def test_summed_doublet_uses_first_component():
    assert extinction_k("SII6716_6730") == extinction_k("SII6716")


def test_line_outside_law_range_raises():
    law = O94(Rv=3.1)
    law.x_range = [1.2, 2.5]  # 4000-8333 A only
    assert extinction_k("HA6562", law) > 0
    with pytest.raises(ValueError, match="SIII9531.*outside the valid range"):
        extinction_k("SIII9531", law)


def test_ebv_zero_at_case_b_and_clipped_below():
    ebv = balmer_decrement_ebv([2.86, 2.0, 286.0], [1.0, 1.0, 100.0])
    np.testing.assert_array_equal(ebv, [0.0, 0.0, 0.0])


def test_ebv_nan_where_not_computable():
    ebv = balmer_decrement_ebv([np.nan, 3.0, 0.0, 3.0, -1.0], [1.0, np.nan, 1.0, 0.0, 1.0])
    assert np.isnan(ebv).all()


@pytest.mark.parametrize("law", [None, CCM89])
def test_ebv_recovers_known_value(law):
    ebv = balmer_decrement_ebv(observed_decrement(0.35, law), 1.0, law=law)
    assert float(ebv) == pytest.approx(0.35, rel=1e-10)
    # Independent arithmetic: E = 2.5/(k_Hb - k_Ha) log10(4.0/2.86) with O94 k values.
    assert float(balmer_decrement_ebv(4.0, 1.0)) == pytest.approx(
        2.5 / (3.66 - 2.52) * np.log10(4.0 / 2.86), rel=0.02
    )


@settings(max_examples=40, deadline=None)
@given(st.floats(0.0, 3.0), st.floats(1e-3, 1e6))
def test_ebv_roundtrip_property(ebv, scale):
    ha, hb = observed_decrement(ebv) * scale, scale
    assert float(balmer_decrement_ebv(ha, hb)) == pytest.approx(ebv, abs=1e-9)


def catalog() -> LineCatalog:
    decrement = observed_decrement(0.5)
    table = Table({"ID": ["obs", "done", "noHb", "low"]})
    flux = {
        "HA6562": np.array([decrement, 4.0, 3.0, 2.0]),
        "HB4861": np.array([1.0, 1.0, np.nan, 1.0]),
        "OIII5006": np.array([2.0, 2.0, 2.0, 2.0]),
        "SII6716_6730": np.array([1.0, 1.0, 1.0, 1.0]),
    }
    flux_err = {"OIII5006": np.array([0.1, 0.1, 0.1, 0.1])}
    return LineCatalog(table, flux, flux_err, dust_corrected=np.array([False, True, False, False]))


def test_deredden_catalog_corrects_only_eligible_rows():
    cat = catalog()
    out = deredden_catalog(cat)
    np.testing.assert_array_equal(out.dust_corrected, [True, True, False, True])
    assert out.meta["ebv"][0] == pytest.approx(0.5)
    assert np.isnan(out.meta["ebv"][1]) and np.isnan(out.meta["ebv"][2])
    assert out.meta["ebv"][3] == 0.0  # decrement below case B: E clipped to 0, row flagged
    assert out.flux["HA6562"][0] / out.flux["HB4861"][0] == pytest.approx(CASE_B_HA_HB)
    factor = 10 ** (0.4 * 0.5 * extinction_k("OIII5006"))
    assert out.flux["OIII5006"][0] == pytest.approx(2.0 * factor)
    assert out.flux_err["OIII5006"][0] == pytest.approx(0.1 * factor)
    for line in cat.flux:  # already corrected, not computable, E = 0: unchanged
        np.testing.assert_array_equal(out.flux[line][1:], cat.flux[line][1:])
    assert out.meta["extinction_law"] == "O94(Rv=3.1)"


def test_deredden_catalog_leaves_input_alone():
    cat = catalog()
    before = {k: v.copy() for k, v in cat.flux.items()}
    out = deredden_catalog(cat, law=CCM89)
    assert out is not cat and out.table.colnames == cat.table.colnames
    for line, values in before.items():
        np.testing.assert_array_equal(cat.flux[line], values)
    assert not cat.dust_corrected[0] and "ebv" not in cat.meta
    assert out.meta["extinction_law"] == "CCM89(Rv=3.1)"


def test_deredden_without_hbeta_changes_nothing():
    cat = LineCatalog(Table({"x": [1, 2]}), {"HA6562": np.array([3.0, 4.0])})
    out = deredden_catalog(cat)
    np.testing.assert_array_equal(out.flux["HA6562"], [3.0, 4.0])
    assert not out.dust_corrected.any() and np.isnan(out.meta["ebv"]).all()


def test_real_long2019_snrs_dereddened(shared_data_dir):
    path = shared_data_dir / "observed" / "ngc6946_snr_long2019_visible.csv"
    cat = read_catalog(path)
    has_hb = np.isfinite(cat.table["Hbeta"].filled(np.nan))
    assert len(cat) == 45
    np.testing.assert_array_equal(cat.dust_corrected, has_hb)
    assert has_hb.sum() == cat.meta["n_dereddened"] == 34
    assert (cat.meta["ebv"][has_hb] > 0).all()  # every observed Halpha/Hbeta exceeds 2.86
    decrement = cat.flux["HA6562"][has_hb] / cat.flux["HB4861"][has_hb]
    np.testing.assert_allclose(decrement, CASE_B_HA_HB, rtol=1e-9)
    np.testing.assert_array_equal(cat.flux["HA6562"][~has_hb], 300.0)  # no Hbeta: untouched


def test_tabulated_default_law_is_the_law_itself():
    from nebuladapt.dust import DEFAULT_LAW_K, TabulatedDefaultLaw, default_law, extinction_k, thread_default_law
    from nebuladapt.lines import LINES, SUMMED_LINES

    law = default_law()
    assert set(DEFAULT_LAW_K) == set(LINES) | set(SUMMED_LINES)
    for line, k in DEFAULT_LAW_K.items():
        assert k == extinction_k(line, law), line
    assert isinstance(thread_default_law(), TabulatedDefaultLaw)
    assert thread_default_law() is thread_default_law()


def test_dereddening_with_the_table_equals_the_law():
    from nebuladapt.catalogs import LineCatalog
    from nebuladapt.dust import deredden_catalog, default_law, thread_default_law

    rng = np.random.default_rng(2)
    n = 500
    flux = {"HA6562": rng.lognormal(1.3, 0.3, n), "HB4861": np.ones(n), "OIII5006": rng.lognormal(0, 1, n)}
    flux["HB4861"][:5] = np.nan
    catalog = LineCatalog(table=Table({"ID": np.arange(n)}), flux=flux,
                          flux_err={k: 0.1 * v for k, v in flux.items()})
    by_law, by_table = deredden_catalog(catalog, law=default_law()), deredden_catalog(catalog, law=thread_default_law())
    for line in flux:
        assert by_law.flux[line].tobytes() == by_table.flux[line].tobytes()
        assert by_law.flux_err[line].tobytes() == by_table.flux_err[line].tobytes()
    assert by_law.meta["extinction_law"] == by_table.meta["extinction_law"] == "O94(Rv=3.1)"


def test_upper_limits_are_dereddened_as_their_line_would_be():
    table = Table({"id": [0, 1]})
    flux = {"HA6562": np.array([4.0, 4.0]), "HB4861": np.array([1.0, 1.0]), "SII6716_6730": np.array([np.nan, 0.5])}
    catalog = LineCatalog(table, flux, limit_flux={"SII6716_6730": np.array([0.5, np.nan])})
    out = deredden_catalog(catalog)
    assert np.isclose(out.limit_flux["SII6716_6730"][0], out.flux["SII6716_6730"][1])  # same row factor
    assert np.isnan(out.limit_flux["SII6716_6730"][1])
