"""Tests of the line-ratio table reader."""

from __future__ import annotations

import numpy as np
import pytest
from astropy.table import MaskedColumn, Table

from nebuladapt.catalogs import CatalogError, read_catalog, read_ratio_table
from nebuladapt.catalogs.ratios import parse_ratio_column
from nebuladapt.lines import CASE_B_HA_HB


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("OIII5007/Hbeta", ("OIII5006", "HB4861", False)),
        ("[NII]6584/Halpha", ("NII6583", "HA6562", False)),
        ("NII6583/HA6562", ("NII6583", "HA6562", False)),
        ("log_OIII5006/HB4861", ("OIII5006", "HB4861", True)),
        ("log10(OIII5006/HB4861)", ("OIII5006", "HB4861", True)),
        ("log([SII]6717+6731/Halpha)", ("SII6716_6730", "HA6562", True)),
        ("SII/H-beta", ("SII6716_6730", "HB4861", False)),
    ],
)
def test_parse_ratio_column(name, expected):
    ratio = parse_ratio_column(name)
    assert (ratio.numerator, ratio.denominator, ratio.is_log) == expected


@pytest.mark.parametrize("name", ["r/R25", "OIII5007", "Hbeta/Hbeta", "a/b/c", "OIII/Hb_err"])
def test_non_ratio_names_are_not_parsed(name):
    assert parse_ratio_column(name) is None


def test_linear_ratios_with_balmer_link():
    table = Table(
        {
            "name": ["A", "B"],
            "OIII5007/Hbeta": [3.0, 0.5],
            "[NII]6584/Halpha": [0.5, 0.1],
            "Halpha/Hbeta": [4.0, 3.0],
        }
    )
    cat = read_ratio_table(table, dust_corrected=False)
    assert cat.meta["reference_line"] == "HB4861"
    np.testing.assert_array_equal(cat.flux["HB4861"], [1.0, 1.0])
    np.testing.assert_allclose(cat.flux["OIII5006"], [3.0, 0.5])
    np.testing.assert_allclose(cat.flux["HA6562"], [4.0, 3.0])
    np.testing.assert_allclose(cat.flux["NII6583"], [2.0, 0.3])
    assert cat.meta["assumptions"] == []
    assert not cat.dust_corrected.any()
    assert cat.table is table and cat.table.colnames[0] == "name"


def test_log_ratios_and_halpha_reference():
    table = Table({"log_NII6583/HA6562": [-0.5], "log10(SII6716_6730/HA6562)": [0.0]})
    cat = read_ratio_table(table)
    assert cat.meta["reference_line"] == "HA6562"
    assert cat.flux["NII6583"][0] == pytest.approx(10**-0.5)
    assert cat.flux["SII6716_6730"][0] == pytest.approx(1.0)
    assert cat.dust_corrected.all()


def test_two_balmer_groups_use_case_b_only_when_dereddened():
    table = Table({"OIII5007/Hbeta": [3.0], "NII6583/Halpha": [0.5]})
    cat = read_ratio_table(table, dust_corrected=True)
    assert cat.flux["HA6562"][0] == pytest.approx(CASE_B_HA_HB)
    assert cat.flux["NII6583"][0] == pytest.approx(0.5 * CASE_B_HA_HB)
    assert "case B" in cat.meta["assumptions"][0]
    with pytest.raises(CatalogError, match="Halpha/Hbeta column"):
        read_ratio_table(table, dust_corrected=False)


def test_alternative_paths_fill_missing_values():
    table = Table(
        {
            "OIII5007/Hbeta": MaskedColumn([3.0, 9.0], mask=[False, True]),
            "OIII5007/Halpha": [1.0, 2.0],
            "Halpha/Hbeta": [3.0, 3.0],
        }
    )
    cat = read_ratio_table(table)
    np.testing.assert_allclose(cat.flux["OIII5006"], [3.0, 6.0])


def test_bad_values_stay_in_rows():
    table = Table({"OIII5007/Hbeta": [np.nan, 0.0, -1.0], "Halpha/Hbeta": [2.86, 0.0, 3.0]})
    cat = read_ratio_table(table)
    assert len(cat) == 3
    assert np.isnan(cat.flux["OIII5006"][0]) and cat.flux["OIII5006"][2] == -1.0


def test_passthrough_and_unrecognised_ratio_columns():
    table = Table({"ID": [7], "OIII5007/Hbeta": [2.0], "OII/H-beta": [1.0], "r/R25": [0.3]})
    cat = read_ratio_table(table)
    assert cat.table.colnames == ["ID", "OIII5007/Hbeta", "OII/H-beta", "r/R25"]
    assert cat.meta["unrecognised_ratio_columns"] == ["OII/H-beta", "r/R25"]


def test_errors():
    with pytest.raises(CatalogError, match="no line-ratio column"):
        read_ratio_table(Table({"ID": [1]}))
    with pytest.raises(CatalogError, match="both give OIII5006/HB4861"):
        read_ratio_table(Table({"OIII5007/Hbeta": [1.0], "log_OIII5006/HB4861": [0.0]}))
    with pytest.raises(CatalogError, match="'OIII5007/Hbeta'.*numbers"):
        read_ratio_table(Table({"OIII5007/Hbeta": ["~1"]}))
    with pytest.raises(CatalogError, match="share no line"):
        read_ratio_table(Table({"OIII5007/Hbeta": [1.0], "SII6716/SII6731": [1.4]}))


@pytest.mark.parametrize("suffix", [".csv", ".fits", ".parquet"])
def test_ratio_files_in_every_format(tmp_path, suffix):
    table = Table({"ID": [1, 2], "log10(OIII5007/Hbeta)": [0.5, -0.2],
                   "NII6583/HB4861": [1.0, 0.2]})
    path = tmp_path / f"ratios{suffix}"
    table.write(path)
    cat = read_ratio_table(path)
    np.testing.assert_allclose(cat.flux["OIII5006"], [10**0.5, 10**-0.2])
    assert cat.source == str(path) and cat.table.colnames == table.colnames


def test_read_catalog_picks_ratio_reader_for_csv(tmp_path):
    path = tmp_path / "ratios.csv"
    Table({"OIII5007/Hbeta": [3.0], "NII6583/Halpha": [0.5]}).write(path)
    cat = read_catalog(path)
    assert cat.meta["reader"] == "ratios" and cat.meta["format"] == "csv"
    assert cat.flux["HA6562"][0] == pytest.approx(CASE_B_HA_HB)
    assert np.isnan(cat.meta["ebv"][0])  # already dereddened: nothing applied


def _read_ho2019(path) -> Table:
    """Whitespace table with a commented header; last column (source) holds spaces."""
    lines = path.read_text().splitlines()
    header = [h.strip() for h in lines[1].lstrip("#").split(",")]
    rows = [line.split(None, 5) for line in lines if line.strip() and not line.startswith("#")]
    columns = {name: [float(r[i]) for r in rows] for i, name in enumerate(header[:5])}
    columns[header[5]] = [r[5].strip() for r in rows]
    return Table(columns)


def test_real_ho2019_ratio_table(shared_data_dir):
    table = _read_ho2019(shared_data_dir / "observed" / "ho2019_hii_regions_ratios.txt")
    cat = read_ratio_table(table)
    assert len(cat) == 90  # 90 data rows in the file (its README says 91)
    assert cat.meta["reference_line"] == "HB4861"
    assert set(cat.flux) == {"HB4861", "OIII5006", "NII6583", "SII6716_6730"}
    assert cat.flux["OIII5006"][0] == pytest.approx(0.069)
    assert cat.flux["SII6716_6730"][0] == pytest.approx(0.680)
    assert "OII/H-beta" in cat.meta["unrecognised_ratio_columns"]  # bare OII is ambiguous
    assert cat.table.colnames == table.colnames and cat.dust_corrected.all()
