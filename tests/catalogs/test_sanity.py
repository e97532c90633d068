"""Whole-catalogue unit checks: log10 fluxes, negative fluxes, Balmer decrement, usable rows."""

import numpy as np
import pytest
from astropy.table import Table

from nebuladapt.catalogs import CatalogError, check_flux_units, count_usable_rows, read_phangs_table
from nebuladapt.features import default_feature_spec


def _catalog(ha, hb, **other):
    columns = {"HA6562_FLUX": ha, "HB4861_FLUX": hb, **{f"{k}_FLUX": v for k, v in other.items()}}
    table = Table(columns)
    table.meta["source"] = "cat.csv"
    return read_phangs_table(table)


def _linear(n=20, seed=0):
    rng = np.random.default_rng(seed)
    hb = rng.uniform(50, 5000, n)
    return hb * rng.uniform(2.9, 6, n), hb, rng.uniform(0.1, 3, n) * hb


def test_linear_fluxes_pass():
    ha, hb, oiii = _linear()
    check_flux_units(_catalog(ha, hb, OIII5006=oiii))


def test_log10_fluxes_in_1e20_units_are_refused():
    ha, hb, oiii = _linear()
    with pytest.raises(CatalogError, match=r"cat.csv: Halpha/Hbeta \(HA6562_FLUX, HB4861_FLUX\) "
                       r"is below 2 in 20 of 20 rows.*look like log10 fluxes"):
        check_flux_units(_catalog(np.log10(ha), np.log10(hb), OIII5006=np.log10(oiii)))


def test_log10_cgs_and_negative_fluxes_are_refused():
    ha, hb, oiii = _linear()
    for transform in (lambda v: np.log10(v * 1e-20), lambda v: -v):
        with pytest.raises(CatalogError, match="every line flux is zero or negative"):
            check_flux_units(_catalog(transform(ha), transform(hb), OIII5006=transform(oiii)))


def test_swapped_balmer_lines_are_refused_but_a_few_low_rows_are_not():
    ha, hb, _ = _linear()
    with pytest.raises(CatalogError, match="swapped"):
        check_flux_units(_catalog(hb * 1e3, ha * 1e3))  # not log-like: the other hint
    low = ha.copy()
    low[:5] = hb[:5] * 1.5  # a quarter of the rows: per-row business, not a unit mistake
    check_flux_units(_catalog(low, hb))
    check_flux_units(_catalog(hb[:4], ha[:4]))  # too few rows to judge


def test_dust_corrected_rows_are_not_judged_by_the_decrement():
    ha, hb, _ = _linear()
    table = Table({"HA6562_FLUX_CORR": hb, "HB4861_FLUX_CORR": ha})
    check_flux_units(read_phangs_table(table))


def test_count_usable_rows():
    spec = default_feature_spec()
    nan = np.full(3, np.nan)
    # ratios of the default spec: OIII/Hb, NII/Ha, SII/Ha
    assert count_usable_rows(_catalog(nan, np.array([1.0, 1.0, -1.0]),
                                      OIII5006=np.array([3.0, np.nan, 3.0])), spec) == 1
    assert count_usable_rows(_catalog(np.array([3.0, np.nan, np.nan]), nan,
                                      OIII5006=np.array([np.nan, 1.0, np.nan])), spec) == 0
