"""Flux units of catalogue columns (catalogs/units.py)."""

import numpy as np
import pytest
from astropy import units as u
from astropy.table import Table

from nebuladapt.catalogs.errors import CatalogError
from nebuladapt.catalogs.units import harmonise_units, is_logarithmic, unit_of

FLUX = u.erg / u.s / u.cm**2


def test_unit_of_parses_strict_and_generic_spellings():
    table = Table({"a": [1.0], "b": [1.0], "c": [1.0], "d": [1.0]})
    table["a"].unit = FLUX
    table["b"].unit = u.Unit("1e-20 erg / (s cm2)")
    table["c"].unit = u.dimensionless_unscaled
    assert unit_of(table, "a") == FLUX
    assert unit_of(table, "b").to(FLUX) == pytest.approx(1e-20)
    assert unit_of(table, "c") is None and unit_of(table, "d") is None


def test_is_logarithmic():
    assert is_logarithmic(u.dex(FLUX)) and is_logarithmic(u.mag)
    assert is_logarithmic(u.Unit("log(erg/s/cm2)", parse_strict="silent"))
    assert not is_logarithmic(FLUX) and not is_logarithmic(None)


def _table(units):
    table = Table({name: [1.0, 2.0] for name in units})
    for name, unit in units.items():
        table[name].unit = unit
    return table


def test_harmonise_units_converts_fluxes_and_errors_to_the_first_unit():
    table = _table({"HA": FLUX, "HB": 1e-20 * FLUX, "HB_ERR": 1e-20 * FLUX})
    flux = {"HA6562": np.array([1.0, 2.0]), "HB4861": np.array([1e20, 2e20])}
    err = {"HB4861": np.array([1e19, 1e19])}
    unit = harmonise_units(table, {"HA6562": "HA", "HB4861": "HB"}, {"HB4861": "HB_ERR"}, flux, err, "t")
    assert u.Unit(unit) == FLUX
    np.testing.assert_allclose(flux["HB4861"], [1.0, 2.0])
    np.testing.assert_allclose(err["HB4861"], [0.1, 0.1])


def test_harmonise_units_without_units_leaves_values():
    flux = {"HA6562": np.array([3.0, 4.0])}
    assert harmonise_units(_table({"HA": None}), {"HA6562": "HA"}, {}, flux, {}, "t") is None
    np.testing.assert_array_equal(flux["HA6562"], [3.0, 4.0])


@pytest.mark.parametrize(
    ("units", "match"),
    [
        ({"HA": u.dex(FLUX), "HB": FLUX}, "logarithmic"),
        ({"HA": FLUX, "HB": None}, "has no unit"),
        ({"HA": FLUX, "HB": u.m}, "cannot be converted"),
    ],
)
def test_harmonise_units_refuses_inconsistent_units(units, match):
    flux = {"HA6562": np.ones(2), "HB4861": np.ones(2)}
    with pytest.raises(CatalogError, match=match):
        harmonise_units(_table(units), {"HA6562": "HA", "HB4861": "HB"}, {}, flux, {}, "t")
