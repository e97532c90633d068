"""Tests of the PHANGS-style table reader and of read_catalog's dispatch."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest
from astropy.io import fits
from astropy.table import MaskedColumn, Table

from nebuladapt.catalogs import CatalogError, LineCatalog, read_catalog, read_phangs_table

FORMATS = {"csv": "cat.csv", "fits": "cat.fits", "parquet": "cat.parquet"}


def phangs_table() -> Table:
    """Three PHANGS-like rows: observed and corrected fluxes, passthrough columns."""
    return Table(
        {
            "region_ID": np.array([1, 2, 3]),
            "gal_name": np.array(["NGC0628", "NGC0628", "NGC1087"]),
            "HA6562_FLUX": [572.0, 0.0, -3.0],
            "HA6562_FLUX_ERR": [5.0, 1.0, 2.0],
            "HA6562_FLUX_CORR": [1000.0, 0.0, -5.0],
            "HA6562_FLUX_CORR_ERR": [9.0, 1.0, 3.0],
            "HB4861_FLUX": MaskedColumn([200.0, 10.0, 30.0], mask=[False, True, False]),
            "HB4861_FLUX_ERR": [4.0, 1.0, 2.0],
            "HB4861_FLUX_CORR": MaskedColumn([350.0, 10.0, 40.0], mask=[False, True, False]),
            "HB4861_FLUX_CORR_ERR": [7.0, 1.0, 3.0],
            "OIII5006_flux": [100.0, 50.0, np.nan],
            "OIII5006_flux_corr": [190.0, 60.0, np.nan],
            "SII6716_6730_FLUX": [80.0, 20.0, 10.0],
            "SII6716_6730_FLUX_CORR": [120.0, 25.0, 12.0],
            "EBV": [0.4, 0.1, 0.2],
        }
    )


def write(table: Table, path) -> None:
    fmt = {"csv": "ascii.csv", "fits": "fits", "parquet": "parquet"}[path.suffix[1:]]
    table.write(path, format=fmt, overwrite=True)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_reads_corrected_columns_in_every_format(tmp_path, fmt):
    path = tmp_path / FORMATS[fmt]
    write(phangs_table(), path)
    cat = read_phangs_table(path)
    assert isinstance(cat, LineCatalog)
    assert cat.table.colnames == phangs_table().colnames  # every column back, same order
    assert len(cat) == 3
    assert set(cat.flux) == {"HA6562", "HB4861", "OIII5006", "SII6716_6730"}
    np.testing.assert_array_equal(cat.flux["HA6562"], [1000.0, 0.0, -5.0])  # rows kept
    assert np.isnan(cat.flux["HB4861"][1])  # masked -> NaN
    assert np.isnan(cat.flux["OIII5006"][2])
    np.testing.assert_array_equal(cat.flux_err["HB4861"], [7.0, 1.0, 3.0])
    assert "OIII5006" not in cat.flux_err
    assert cat.dust_corrected.all()
    assert cat.meta["used_corrected_columns"] is True
    assert cat.meta["format"] == fmt
    assert str(path) == cat.source
    assert all(v.dtype == np.float64 for v in cat.flux.values())


def test_use_corrected_false_reads_observed_flux():
    cat = read_phangs_table(phangs_table(), use_corrected=False)
    np.testing.assert_array_equal(cat.flux["HA6562"], [572.0, 0.0, -3.0])
    np.testing.assert_array_equal(cat.flux_err["HA6562"], [5.0, 1.0, 2.0])
    assert not cat.dust_corrected.any()
    assert cat.meta["columns"]["OIII5006"] == "OIII5006_flux"


def test_input_table_is_left_untouched():
    table = phangs_table()
    before = table.copy()
    cat = read_phangs_table(table)
    cat.flux["HA6562"][:] = -1
    assert table.colnames == before.colnames
    assert np.all(table["HA6562_FLUX_CORR"] == before["HA6562_FLUX_CORR"])
    assert table.meta == before.meta


def test_aliases_and_case_insensitive_suffix():
    table = Table({"Halpha_Flux": [3.0], "[NII]6584_flux_err": [0.1], "NII6584_FLUX": [1.0]})
    cat = read_phangs_table(table)
    assert cat.flux["HA6562"][0] == 3.0
    assert cat.flux["NII6583"][0] == 1.0 and cat.flux_err["NII6583"][0] == 0.1


def test_partial_corrected_columns_fall_back_to_observed():
    table = Table({"HA6562_FLUX": [3.0], "HA6562_FLUX_CORR": [4.0], "HB4861_FLUX": [1.0]})
    cat = read_phangs_table(table)
    assert cat.flux["HA6562"][0] == 3.0 and not cat.dust_corrected[0]
    assert "HB4861" in cat.meta["notes"][0]
    with pytest.raises(CatalogError, match="HB4861"):
        read_phangs_table(table, use_corrected=True)


def test_dust_corrected_column_overrides_per_row(tmp_path):
    table = Table({"HA6562_FLUX": [3.0, 4.0, 5.0], "HB4861_FLUX": [1.0, 1.0, 1.0]})
    table["DUST_CORRECTED"] = ["True", "no", ""]
    path = tmp_path / "flags.csv"
    table.write(path, format="ascii.csv")
    cat = read_phangs_table(path)
    np.testing.assert_array_equal(cat.dust_corrected, [True, False, False])
    assert cat.meta["dust_flag_column"]


def test_bad_dust_flag_value_is_reported():
    table = Table({"HA6562_FLUX": [3.0], "DUST_CORRECTED": ["maybe"]})
    with pytest.raises(CatalogError, match="DUST_CORRECTED"):
        read_phangs_table(table)


def test_no_line_column_raises_naming_file(tmp_path):
    path = tmp_path / "nolines.csv"
    Table({"ID": [1, 2], "HA": [0.1, 0.2], "FOO_FLUX": [1.0, 2.0]}).write(path)
    with pytest.raises(CatalogError, match="nolines.csv.*no emission-line column"):
        read_phangs_table(path)


def test_non_numeric_line_column_raises(tmp_path):
    path = tmp_path / "text.csv"
    path.write_text("ID,HA6562_FLUX,HB4861_FLUX\n1,3.0,~1.0\n2,2.0,1.0\n")
    with pytest.raises(CatalogError, match=r"text.csv.*'HB4861_FLUX'.*numbers"):
        read_phangs_table(path)


@pytest.mark.parametrize("fmt", ["fits", "parquet"])
def test_truncated_file_raises(tmp_path, fmt):
    big = Table({"HA6562_FLUX": np.arange(3000.0), "HB4861_FLUX": np.arange(3000.0)})
    path = tmp_path / FORMATS[fmt]
    write(big, path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CatalogError, match=rf"{FORMATS[fmt]}: cannot be read.*truncated"):
        read_phangs_table(path)


def test_missing_file_and_unknown_extension(tmp_path):
    with pytest.raises(CatalogError, match="not found"):
        read_phangs_table(tmp_path / "absent.csv")
    (tmp_path / "x.xyz").write_text("a\n1\n")
    with pytest.raises(CatalogError, match="unknown table format"):
        read_phangs_table(tmp_path / "x.xyz")


def test_fits_first_table_hdu_with_data_and_named_hdu(tmp_path):
    first = fits.table_to_hdu(Table({"HA6562_FLUX": [1.0]}))
    first.name = "FIRST"
    second = fits.table_to_hdu(Table({"HA6562_FLUX": [2.0, 3.0]}))
    second.name = "NEBULAE"
    path = tmp_path / "multi.fits.gz"
    fits.HDUList([fits.PrimaryHDU(), fits.ImageHDU(np.zeros(3)), first, second]).writeto(path)
    assert read_phangs_table(path).flux["HA6562"].tolist() == [1.0]
    assert read_phangs_table(path, hdu="NEBULAE").flux["HA6562"].tolist() == [2.0, 3.0]


def test_bare_line_columns_only_without_flux_columns():
    table = Table({"Halpha": [3.0], "OIII5007": [2.0], "HA": [1.0], "OI": [5.0]})
    cat = read_phangs_table(table)
    assert set(cat.flux) == {"HA6562", "OIII5006"}  # short aliases HA, OI not taken
    assert cat.meta["column_convention"] == "bare"
    with_flux = Table({"HB4861_FLUX": [1.0], "Halpha": [3.0]})
    assert set(read_phangs_table(with_flux).flux) == {"HB4861"}


def test_real_long2019_snr_table_bare_columns(shared_data_dir):
    path = shared_data_dir / "observed" / "ngc6946_snr_long2019_visible.csv"
    cat = read_phangs_table(path)
    assert len(cat) == 45
    assert len(cat.table.colnames) == 18
    np.testing.assert_array_equal(cat.flux["HA6562"], 300.0)
    assert set(cat.flux) == {
        "HB4861", "OIII5006", "OI6300", "HA6562", "NII6583", "SII6716", "SII6730"
    }
    assert cat.flux["HB4861"][0] == 54.0 and np.isnan(cat.flux["HB4861"][3])  # blank -> NaN
    assert not cat.dust_corrected.any()  # observed, not dereddened


# ----------------------------------------------------------------- read_catalog
def test_read_catalog_dispatches_and_dereddens(tmp_path):
    table = Table({"ID": ["a", "b"], "HA6562_FLUX": [2.86 * 10 ** (0.4 * 1.14), 3.0],
                   "HB4861_FLUX": [1.0, np.nan], "NII6583_FLUX": [1.0, 1.0]})
    for name in ("cat.csv", "cat.fits", "cat.parquet"):
        path = tmp_path / name
        write(table, path)
        raw = read_catalog(path, deredden=False)
        cat = read_catalog(path)
        assert cat.meta["reader"] == "phangs" and len(cat) == 2
        assert cat.dust_corrected.tolist() == [True, False]
        assert cat.flux["HA6562"][0] / cat.flux["HB4861"][0] == pytest.approx(2.86, rel=1e-9)
        assert cat.flux["HA6562"][1] == raw.flux["HA6562"][1] == 3.0
        assert cat.meta["ebv"][0] == pytest.approx(1.0, abs=0.01) and np.isnan(cat.meta["ebv"][1])


def test_read_catalog_line_list_uses_linelist_module(tmp_path, monkeypatch):
    calls = []

    def fake_read_line_list(path):
        calls.append(path)
        return LineCatalog(Table({"wl": [6563.0]}), {"HA6562": np.array([286.0])},
                           dust_corrected=np.array([True]))

    module = types.ModuleType("nebuladapt.catalogs.linelist")
    module.read_line_list = fake_read_line_list
    monkeypatch.setitem(sys.modules, "nebuladapt.catalogs.linelist", module)
    cat = read_catalog(tmp_path / "object.dat")
    assert calls and calls[0].name == "object.dat" and cat.flux["HA6562"][0] == 286.0


def test_read_catalog_rejects_unknown_format(tmp_path):
    with pytest.raises(CatalogError, match="unknown format"):
        read_catalog(tmp_path / "a.csv", format="xlsx")
    with pytest.raises(CatalogError, match="cannot tell"):
        read_catalog(tmp_path / "a.xyz")
