"""Tests of the wavelength-keyed line-list reader (nebuladapt.catalogs.linelist)."""

from __future__ import annotations

import numpy as np
import pytest

from nebuladapt.catalogs import LineCatalog
from nebuladapt.catalogs.linelist import (
    match_wavelengths,
    parse_line_list,
    read_line_list,
    read_line_lists,
)

TWO_COLUMNS = """#Extragalactic HII region
#from Somebody et al., 2000, A&A, 1, 1
3727.00 391.0
4861.33 100.0
5006.84 130.0
6562.77 286.0
6583.50  47.0
4101.74  26.0
"""

THREE_COLUMNS = """#Galactic planetary nebula
#some comment
#from Somebody et al., 2001, MNRAS, 2, 2
# a comment line inside the header
4861.33 100.0 2.0
4958.91  44.0 3.0
6716.44  26.0 3.0
6730.82  19.0 2.0
6731.04     *   *
3726.03  15.0 0.8
3728.82   7.7 0.4
"""

FOUR_COLUMNS = """#Galactic planetary nebula
#from Somebody, 2004
#four column files: observed wavelength, rest wavelength, flux, uncertainty
4860.10 4861.33 100.0 5.0
#a comment between data rows
6561.50 6562.77 303.2 15.2
6582.00 6583.45  32.0  1.6
5005.00 5006.84     *    *
"""

DUPLICATES = """#Galactic planetary nebula
#from Somebody
4858.82   2.967 0.374
4861.27   0.082 0.016
4861.33 100.000 0.000
6560.10   3.819 0.300
6562.80 301.357 0.060
6582.88   0.265 0.174
6583.46  17.717 0.500
"""


@pytest.fixture()
def write(tmp_path):
    def _write(name: str, text: str):
        path = tmp_path / name
        path.write_text(text)
        return path

    return _write


def test_two_columns(write):
    cat = read_line_list(write("two.dat", TWO_COLUMNS))
    assert isinstance(cat, LineCatalog)
    assert len(cat) == 1
    assert cat.flux["HB4861"][0] == 100.0
    assert cat.flux["HA6562"][0] == 286.0
    assert cat.flux["NII6583"][0] == 47.0
    assert np.isnan(cat.flux_err["HA6562"][0])
    # 3727.00 is the unresolved [OII] doublet, not [OII]3726
    assert cat.flux["OII3726_3729"][0] == 391.0
    assert "OII3726" not in cat.flux
    # Hdelta 4101 is not in the registry: ignored
    assert set(cat.flux) == {"OII3726_3729", "HB4861", "OIII5006", "HA6562", "NII6583"}
    assert cat.table["object_id"][0] == "two"
    assert cat.table["HA6562_FLUX"][0] == 286.0
    assert "HA6562_FLUX_ERR" in cat.table.colnames


def test_three_columns_placeholders_and_header(write):
    cat = read_line_list(write("three.dat", THREE_COLUMNS))
    assert cat.flux_err["HB4861"][0] == 2.0
    # the '*' row at 6731.04 does not hide the measured 6730.82
    assert cat.flux["SII6730"][0] == 19.0
    assert cat.flux_err["SII6730"][0] == 2.0
    assert cat.flux["OII3726"][0] == 15.0
    assert cat.flux["OII3729"][0] == 7.7
    assert cat.table["header_class"][0] == "Galactic planetary nebula"
    assert cat.table["header_reference"][0] == "from Somebody et al., 2001, MNRAS, 2, 2"


def test_four_columns_use_rest_wavelength(write):
    cat = read_line_list(write("four.dat", FOUR_COLUMNS))
    assert cat.flux["HB4861"][0] == 100.0
    assert cat.flux["HA6562"][0] == 303.2
    assert cat.flux["NII6583"][0] == 32.0
    assert cat.flux_err["NII6583"][0] == 1.6
    assert "OIII5006" not in cat.flux  # only a '*' placeholder
    assert cat.meta["matched_wavelengths"]["four.dat"]["HA6562"] == 6562.77


def test_several_rows_for_one_line_take_the_closest(write):
    cat = read_line_list(write("dup.dat", DUPLICATES))
    assert cat.flux["HB4861"][0] == 100.0  # 4861.33, not the 0.082 line at 4861.27
    assert cat.flux["HA6562"][0] == 301.357  # not HeII 6560.10
    assert cat.flux["NII6583"][0] == 17.717


def test_match_wavelengths_rules():
    assert match_wavelengths([3727.0, 4861.27, 4861.33, 6583.5]) == {
        "OII3726_3729": 0,
        "HB4861": 2,
        "NII6583": 3,
    }
    assert match_wavelengths([3726.03, 3728.73]) == {"OII3726": 0, "OII3729": 1}
    assert match_wavelengths([6584.5], tolerance=0.5) == {}


def test_read_line_lists_stacks_files(write):
    paths = [write("a.dat", TWO_COLUMNS), write("b.dat", FOUR_COLUMNS)]
    cat = read_line_lists(paths, dust_corrected=[True, False])
    assert len(cat) == 2
    assert list(cat.table["object_id"]) == ["a", "b"]
    assert list(cat.table["file"]) == ["a.dat", "b.dat"]
    assert list(cat.dust_corrected) == [True, False]
    np.testing.assert_array_equal(cat.flux["HA6562"], [286.0, 303.2])
    assert np.isnan(cat.flux["OII3726_3729"][1])
    assert cat.table["HA6562_FLUX"].dtype == np.float64


def test_malformed_rows_raise(write):
    with pytest.raises(ValueError, match="columns"):
        parse_line_list(write("bad.dat", "#x\n4861.33 100 2 3 4\n"))
    with pytest.raises(ValueError, match="number"):
        parse_line_list(write("bad2.dat", "#x\n4861.33 abc\n"))
    with pytest.raises(ValueError):
        read_line_lists([])


# ---- the real NEAT example files ------------------------------------------------------


@pytest.fixture(scope="module")
def neat_dir(shared_data_dir):
    return shared_data_dir / "observed" / "neat_examples"


def test_neat_bresolin_file(neat_dir):
    cat = read_line_list(neat_dir / "ngc1232_02.dat")
    assert cat.flux["HA6562"][0] == 286.0
    assert cat.flux["HB4861"][0] == 100.0
    assert cat.flux_err["HB4861"][0] == 2.0
    assert cat.flux["SII6716"][0] == 26.0
    assert cat.flux["SII6730"][0] == 19.0
    assert cat.flux["OII3726_3729"][0] == 391.0
    assert cat.table["header_reference"][0] == "from Bresolin et al., 2005, A&A, 441, 981"


def test_neat_ngc6543_formats_agree(neat_dir):
    names = ["ngc6543_2cols.dat", "ngc6543_3cols.dat", "ngc6543_4cols.dat"]
    cat = read_line_lists([neat_dir / n for n in names])
    for line, values in cat.flux.items():
        np.testing.assert_array_equal(values, values[1], err_msg=line)
    assert np.isnan(cat.flux_err["HA6562"][0])  # 2-column file: no errors
    assert cat.flux_err["HA6562"][1] == cat.flux_err["HA6562"][2]


def test_neat_ngc7009_hbeta_is_100(neat_dir):
    cat = read_line_list(neat_dir / "ngc7009_all.dat")
    assert cat.flux["HB4861"][0] == 100.0
    assert cat.flux["HA6562"][0] == pytest.approx(301.357)
    assert cat.table["header_reference"][0].startswith("from Fang & Liu, 2011")


def test_neat_micron_lines_ignored(neat_dir):
    # ngc2022.dat lists infrared lines in micron (4.05, 10.5 ...): none may match
    cat = read_line_list(neat_dir / "ngc2022.dat")
    assert cat.flux["HA6562"][0] == 300.0
    assert all(w > 3000 for w in cat.meta["matched_wavelengths"]["ngc2022.dat"].values())
