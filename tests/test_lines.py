"""Tests of the line registry (nebuladapt.lines)."""

from __future__ import annotations

import pytest

from nebuladapt.lines import (
    CASE_B_HA_HB,
    DOUBLET_RATIOS,
    LINES,
    SUMMED_LINES,
    canonical_line_name,
    line_from_wavelength,
    wavelength_of,
)

PHANGS_NAMES = ["HB4861", "OIII5006", "HA6562", "NII6583", "SII6716", "SII6730", "OI6300"]


@pytest.mark.parametrize("name", PHANGS_NAMES)
def test_phangs_names_are_canonical(name):
    assert canonical_line_name(name) == name
    assert canonical_line_name(name.lower()) == name


@pytest.mark.parametrize(
    ("alias", "expected"),
    [
        # NebulaBayes grid column names
        ("Hbeta", "HB4861"),
        ("OIII5007", "OIII5006"),
        ("Halpha", "HA6562"),
        ("NII6583", "NII6583"),
        ("SII6716", "SII6716"),
        ("SII6731", "SII6730"),
        ("OI6300", "OI6300"),
        ("HeII4686", "HeII4686"),
        ("HeI5876", "HeI5876"),
        # bracketed / catalogue spellings
        ("[OIII]5007", "OIII5006"),
        ("[NII]6584", "NII6583"),
        ("Ha", "HA6562"),
        ("HBETA", "HB4861"),
    ],
)
def test_aliases(alias, expected):
    assert canonical_line_name(alias) == expected


def test_summed_doublet_aliases():
    assert canonical_line_name("SII") == "SII6716_6730"
    assert canonical_line_name("[SII]6716+6731") == "SII6716_6730"
    assert canonical_line_name("SII6716_6730") == "SII6716_6730"
    assert canonical_line_name("OII3726_3729") == "OII3726_3729"


def test_unknown_alias_is_none():
    assert canonical_line_name("FeII5159") is None
    assert canonical_line_name("") is None


#: "OII3727" is listed as an alias of OII3726 but also spells the summed doublet
#: "[OII]3727", which wins: the blend meaning is the usual one (see next test).
KNOWN_ALIAS_CONFLICTS = {"OII3727"}


def test_every_alias_maps_back_to_its_line():
    for line in LINES.values():
        for alias in (line.name, *line.aliases):
            if alias in KNOWN_ALIAS_CONFLICTS:
                continue
            assert canonical_line_name(alias) == line.name, alias


def test_oii3727_means_the_blend():
    assert canonical_line_name("[OII]3727") == "OII3726_3729"
    assert canonical_line_name("OII3727") == "OII3726_3729"


@pytest.mark.parametrize(
    ("wavelength", "expected"),
    [
        (6583.45, "NII6583"),
        (6584.0, "NII6583"),  # NEAT/Bresolin style 6583.50 or Long+19's 6584
        (6562.77, "HA6562"),
        (4861.33, "HB4861"),
        (5006.77, "OIII5006"),  # MAPPINGS wavelength
        (3726.03, "OII3726"),
        (3728.82, "OII3729"),
        (6730.68, "SII6730"),
    ],
)
def test_line_from_wavelength(wavelength, expected):
    assert line_from_wavelength(wavelength) == expected


def test_line_from_wavelength_outside_tolerance():
    assert line_from_wavelength(5000.0) is None
    assert line_from_wavelength(4859.32) is None  # HeII 4859, 2 A from Hbeta
    assert line_from_wavelength(6585.0, tolerance=1.0) is None
    assert line_from_wavelength(6585.0, tolerance=2.0) == "NII6583"


def test_wavelength_of():
    assert wavelength_of("HA6562") == pytest.approx(6562.80)
    assert wavelength_of("SII6716_6730") == wavelength_of("SII6716")
    with pytest.raises(KeyError):
        wavelength_of("XX1234")


def test_summed_lines_components_are_registry_lines():
    for components in SUMMED_LINES.values():
        assert all(c in LINES for c in components)


def test_doublet_ratios_and_case_b():
    assert DOUBLET_RATIOS[("OIII5006", "OIII4958")] == pytest.approx(2.98)
    assert DOUBLET_RATIOS[("NII6583", "NII6548")] == pytest.approx(3.05)
    for strong, weak in DOUBLET_RATIOS:
        assert LINES[strong].wavelength > LINES[weak].wavelength
    assert CASE_B_HA_HB == pytest.approx(2.86)


# --------------------------------------------------------- short names, error columns, availability
import pytest  # noqa: E402

from nebuladapt.lines import (  # noqa: E402
    SHORT_NAMES,
    bare_line_name,
    derivable_lines,
    error_column_line,
    input_lines_for,
)


@pytest.mark.parametrize("name, line", [
    ("Ha", "HA6562"), ("Hb", "HB4861"), ("Halpha", "HA6562"), ("Hbeta", "HB4861"),
    ("OIII", "OIII5006"), ("NII", "NII6583"), ("SII", "SII6716_6730"), ("[OIII]5007", "OIII5006"),
])
def test_short_line_names(name, line):
    assert bare_line_name(name) == line


@pytest.mark.parametrize("name", ["HA", "HB", "RA", "ID", "OI", "e_ID", "name"])
def test_names_that_are_not_bare_lines(name):
    assert bare_line_name(name) is None


@pytest.mark.parametrize("name", ["e_Halpha", "Halpha_err", "err_Halpha", "Halpha_ERR", "eHalpha",
                                  "e_Ha", "Ha_error"])
def test_error_column_aliases(name):
    assert error_column_line(name) == "HA6562"


def test_error_aliases_never_take_a_flux_column():
    assert all(error_column_line(name) is None for name in SHORT_NAMES)
    assert error_column_line("HA6562_FLUX_ERR") is None  # the PHANGS convention reads that one


def test_derivable_and_input_lines_are_inverse_rules():
    have = derivable_lines({"SII6716", "SII6730", "OIII4958", "HA6562"}, case_b=True)
    assert {"SII6716_6730", "OIII5006", "HB4861"} <= have
    assert "HB4861" not in derivable_lines({"HA6562"})
    needed = input_lines_for(["SII6716_6730", "OIII5006"])
    assert {"SII6716", "SII6730", "OIII4958", "HA6562", "HB4861"} <= needed
