"""Tests of the NebulaBayes grid builder (scripts/build_nebulabayes.py)."""

from build_nebulabayes import line_columns


def test_nebulabayes_line_columns():
    mapping = line_columns(["log U", "Hbeta", "OIII5007", "SII6731", "SII6716_31", "NII5755", "OI6300"])
    # single registry lines only: summed columns and lines the registry lacks are left out
    assert mapping == {"Hbeta": "HB4861", "OIII5007": "OIII5006", "SII6731": "SII6730",
                       "OI6300": "OI6300"}  # fmt: skip
