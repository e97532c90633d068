"""Tests of the Allen et al. 2008 shock-library builder (scripts/databuild/shocks.py)."""

from __future__ import annotations

import numpy as np
import pytest

from databuild.shocks import parse_shock_filename, read_shock_file


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("M_n1_b0_5_sp_lines.txt", ("M", 1.0, 0.5, "sp")),
        ("T_n0_01_b0_001_s_lines.txt", ("T", 0.01, 0.001, "s")),
        ("U_n0_1_b1_26_p_lines.txt", ("U", 0.1, 1.26, "p")),
        ("M_n1_be_s_lines.txt", ("M", 1.0, 3.23, "s")),
        ("L_n100_be_sp_lines.txt", ("L", 100.0, 32.3, "sp")),
        ("J_n1_b0_p_lines.txt", ("J", 1.0, 1e-4, "p")),
        ("S_n1000_b1000_s_lines.txt", ("S", 1000.0, 1000.0, "s")),
    ],
)
def test_parse_shock_filename(name, expected):
    params = parse_shock_filename(name)
    got = (params["series"], params["density"], params["magnetic_field"], params["component"])
    assert got[0] == expected[0] and got[3] == expected[3]
    assert got[1] == pytest.approx(expected[1]) and got[2] == pytest.approx(expected[2])


def test_parse_shock_filename_rejects_other_files():
    with pytest.raises(ValueError):
        parse_shock_filename("M_n1_b1_sp_abund.txt")


# Two velocities; rows: label, ion, stage, wavelength (Angstrom), one value per velocity.
_SHOCK_TEXT = """\
# SHOCK
# a b c d 200 300
log(Hb) H 1 4861.33 -4.5 -3.9
Hb H 1 4861.33 1.0 1.0
[OIII] O 3 5006.84 2.5 3.5
[NII] N 2 6583.45 0.8 0.6
Unknown X 9 5555.00 7.0 7.0
"""


def test_read_shock_file_matches_lines_by_wavelength():
    velocities, fluxes, log_hb = read_shock_file(_SHOCK_TEXT)
    np.testing.assert_array_equal(velocities, [200.0, 300.0])
    np.testing.assert_array_equal(log_hb, [-4.5, -3.9])
    assert set(fluxes) == {"HB4861", "OIII5006", "NII6583"}  # 5555 A is no registry line
    np.testing.assert_array_equal(fluxes["OIII5006"], [2.5, 3.5])


def test_read_shock_file_rejects_ragged_rows_and_missing_hbeta():
    with pytest.raises(ValueError, match="values for 2"):
        read_shock_file(_SHOCK_TEXT + "[OI] O 1 6300.30 0.1\n")
    with pytest.raises(ValueError, match="log\\(Hb\\)"):
        read_shock_file(_SHOCK_TEXT.replace("log(Hb)", "Hb_abs"))
