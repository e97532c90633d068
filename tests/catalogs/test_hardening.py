"""Reader conventions for messy catalogues: upper limits, units, text numbers, empty tables."""

from __future__ import annotations

import numpy as np
import pytest
from astropy import units as u
from astropy.io import fits
from astropy.table import MaskedColumn, Table

from nebuladapt.catalogs import CatalogError, read_catalog, read_phangs_table, read_ratio_table
from nebuladapt.catalogs.linelist import parse_line_list, read_line_lists
from nebuladapt.features import catalog_line_matrix

FLUX = u.erg / u.s / u.cm**2


def test_upper_limit_column_makes_the_line_missing_and_flagged():
    table = Table({"HA6562_FLUX": [300.0, 300.0, 300.0], "NII6583_FLUX": [30.0, 10.0, 20.0],
                   "NII6583_FLUX_UPPER": MaskedColumn(["no", "yes", "1"], mask=[False, False, True])})
    cat = read_phangs_table(table)
    assert cat.meta["columns"] == {"HA6562": "HA6562_FLUX", "NII6583": "NII6583_FLUX"}
    np.testing.assert_array_equal(cat.upper_limits["NII6583"], [False, True, False])
    np.testing.assert_array_equal(cat.flux["NII6583"], [30.0, np.nan, 20.0])
    np.testing.assert_array_equal(cat.limit_flux["NII6583"], [np.nan, 10.0, np.nan])  # the limit's value
    assert list(table["NII6583_FLUX"]) == [30.0, 10.0, 20.0]  # the table keeps the limit
    _, _, notes = catalog_line_matrix(cat, ["NII6583", "HA6562"])
    assert notes == [[], ["upper_limit:NII6583"], []]


def test_upper_limits_written_as_text_and_numbers_as_text():
    table = Table({"HA6562_FLUX": np.array(["300", "2.9e2", " 310 "]),
                   "SII6716_FLUX": np.array(["<5", "n/a", "< 1e1"]),
                   "SII6730_FLUX": np.array(["4", "3", ""]),
                   "HA6562_FLUX_ERR": np.array([b"3", b"--", b"1"])})
    cat = read_phangs_table(table)
    np.testing.assert_array_equal(cat.flux["HA6562"], [300.0, 290.0, 310.0])
    np.testing.assert_array_equal(cat.flux_err["HA6562"], [3.0, np.nan, 1.0])
    np.testing.assert_array_equal(cat.upper_limits["SII6716"], [True, False, True])
    assert np.isnan(cat.flux["SII6716"]).all()
    np.testing.assert_array_equal(cat.limit_flux["SII6716"], [5.0, np.nan, 10.0])
    assert "SII6730" not in cat.limit_flux
    _, _, notes = catalog_line_matrix(cat, ["SII6716_6730", "HA6562"])
    assert notes == [["upper_limit:SII6716"], [], ["upper_limit:SII6716"]]


def test_a_negative_error_is_not_an_upper_limit():
    cat = read_phangs_table(Table({"HA6562_FLUX": [3.0], "HA6562_FLUX_ERR": [-1.0]}))
    assert cat.upper_limits == {} and cat.flux["HA6562"][0] == 3.0


def test_ratio_upper_limit_is_on_the_numerator():
    cat = read_ratio_table(Table({"OIII5007/Hbeta": np.array(["3", "<0.5"]),
                                  "NII6583/Hbeta": [1.0, 1.0]}))
    np.testing.assert_array_equal(cat.upper_limits["OIII5006"], [False, True])
    np.testing.assert_array_equal(cat.flux["OIII5006"], [3.0, np.nan])
    np.testing.assert_array_equal(cat.limit_flux["OIII5006"], [np.nan, 0.5])  # x times Hbeta (the scale's 1)


def test_ratio_upper_limit_takes_its_denominator_and_log_columns():
    cat = read_ratio_table(Table({"NII6583/Halpha": np.array(["0.3", "0.4"]),
                                  "log_SII6716_6730/HA6562": np.array(["-0.5", "<-1"]),
                                  "Halpha/Hbeta": [2.86, 3.5]}))
    np.testing.assert_allclose(cat.limit_flux["SII6716_6730"], [np.nan, 0.1 * 3.5])


def test_upper_limit_values_take_the_common_unit():
    table = Table({"HA6562_FLUX": [3.0e-17, 3.0e-17] * FLUX,
                   "SII6716_6730_FLUX": [1.0e-18, 5.0e-22] * u.W / u.m**2,
                   "SII6716_6730_FLUX_UPPER": [False, True]})
    cat = read_phangs_table(table)
    assert np.isnan(cat.flux["SII6716_6730"][1]) and np.isnan(cat.limit_flux["SII6716_6730"][0])
    np.testing.assert_allclose(cat.limit_flux["SII6716_6730"][1] / cat.flux["HA6562"][1], 5.0e-19 / 3.0e-17)


def test_units_are_converted_to_a_common_unit(tmp_path):
    table = Table({"HA6562_FLUX": [3.0e-17] * FLUX, "HB4861_FLUX": [1.0e-20] * u.W / u.m**2,
                   "HB4861_FLUX_ERR": [1.0e-22] * u.W / u.m**2,
                   "HA6562_FLUX_ERR": [1.0]})  # an error without a unit takes its flux's
    cat = read_phangs_table(table)
    np.testing.assert_allclose(cat.flux["HB4861"], [1.0e-17])
    np.testing.assert_allclose(cat.flux_err["HB4861"], [1.0e-19])
    assert cat.flux_err["HA6562"][0] == 1.0 and cat.meta["flux_unit"] == "erg / (s cm2)"


def test_fits_units_the_fits_parser_rejects_are_still_understood(tmp_path):
    path = tmp_path / "phangs.fits"
    columns = [fits.Column(name="HA6562_FLUX", format="D", unit="1e-20 erg/s/cm2",
                           array=np.array([3000.0])),
               fits.Column(name="HB4861_FLUX", format="D", unit="erg/s/cm^2",
                           array=np.array([1.0e-17]))]
    fits.BinTableHDU.from_columns(columns).writeto(path)
    cat = read_catalog(path, deredden=False)
    np.testing.assert_allclose(cat.flux["HA6562"] / cat.flux["HB4861"], [3.0e-17 / 1.0e-17])


def test_same_unrecognised_unit_everywhere_is_accepted(tmp_path):
    table = Table({"HA6562_FLUX": [3.0], "HB4861_FLUX": [1.0]})
    for name in table.colnames:
        table[name].unit = u.Unit("adu/spaxel", parse_strict="silent")
    assert read_phangs_table(table).flux["HA6562"][0] == 3.0


@pytest.mark.parametrize("unit,match", [(u.mag, "logarithmic"), (u.Jy, "cannot be converted")])
def test_unit_errors(unit, match):
    table = Table({"HA6562_FLUX": [3.0] * unit, "HB4861_FLUX": [1.0] * FLUX})
    with pytest.raises(CatalogError, match=match):
        read_phangs_table(table)


def test_empty_tables():
    with pytest.raises(CatalogError, match="no rows"):
        read_phangs_table(Table({"HA6562_FLUX": np.array([], float)}))
    with pytest.raises(CatalogError, match="no columns"):
        read_phangs_table(Table())
    cat = read_phangs_table(Table({"HA6562_FLUX": np.array([], float)}), allow_empty=True)
    assert len(cat) == 0 and cat.flux["HA6562"].shape == (0,)
    assert len(read_ratio_table(Table({"OIII5007/Hbeta": np.array([], float)}),
                                allow_empty=True)) == 0


def test_duplicated_ids_are_kept():
    cat = read_phangs_table(Table({"ID": [1, 1, 1], "HA6562_FLUX": [1.0, 2.0, 3.0]}))
    assert list(cat.table["ID"]) == [1, 1, 1] and list(cat.flux["HA6562"]) == [1.0, 2.0, 3.0]


def test_line_list_errors_are_catalog_errors(tmp_path):
    (tmp_path / "bad.dat").write_bytes(b"\xff\xfe4861 100\n")
    with pytest.raises(CatalogError, match="not a text line list"):
        parse_line_list(tmp_path / "bad.dat")
    with pytest.raises(CatalogError, match="file not found"):
        parse_line_list(tmp_path / "none.dat")
    (tmp_path / "far.dat").write_text("1000 3\n")
    (tmp_path / "near.dat").write_text("4861.33 100\n")
    with pytest.raises(CatalogError, match="no data row matches"):
        read_line_lists([tmp_path / "far.dat"])
    both = read_line_lists([tmp_path / "far.dat", tmp_path / "near.dat"])
    assert len(both) == 2 and np.isnan(both.flux["HB4861"][0])  # a row per file, always
