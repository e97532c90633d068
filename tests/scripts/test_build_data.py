"""Tests of the data build script (scripts/build_data.py and its grid builders)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from nebuladapt.grids import load_source_grids

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def build_script():
    spec = importlib.util.spec_from_file_location(
        "build_data", REPO_ROOT / "scripts" / "build_data.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def all_grids():
    return load_source_grids(default_only=False)


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
def test_parse_shock_filename(build_script, name, expected):
    params = build_script.parse_shock_filename(name)
    got = (params["series"], params["density"], params["magnetic_field"], params["component"])
    assert got[0] == expected[0] and got[3] == expected[3]
    assert got[1] == pytest.approx(expected[1]) and got[2] == pytest.approx(expected[2])


def test_parse_shock_filename_rejects_other_files(build_script):
    with pytest.raises(ValueError):
        build_script.parse_shock_filename("M_n1_b1_sp_abund.txt")


def test_rebuild_reproduces_shipped_3mdb(build_script, shared_data_dir, all_grids):
    rebuilt, provenance = build_script.build_3mdb(shared_data_dir)
    shipped = all_grids[np.char.startswith(np.asarray(all_grids["grid"], dtype=str), "3MdB:")]
    assert len(rebuilt) == len(shipped)
    assert list(rebuilt["model_id"]) == list(shipped["model_id"])
    for name in rebuilt.colnames:
        if rebuilt[name].dtype.kind == "f":
            np.testing.assert_array_equal(rebuilt[name], shipped[name], err_msg=name)
        else:
            assert list(rebuilt[name]) == list(shipped[name]), name
    assert provenance == {k: v for k, v in all_grids.meta["grids"].items() if k.startswith("3MdB")}


def test_nebulabayes_line_columns():
    import sys

    sys.path.insert(0, str(REPO_ROOT / "scripts"))
    from build_nebulabayes import line_columns

    mapping = line_columns(["log U", "Hbeta", "OIII5007", "SII6731", "SII6716_31", "NII5755", "OI6300"])
    # single registry lines only: summed columns and lines the registry lacks are left out
    assert mapping == {"Hbeta": "HB4861", "OIII5007": "OIII5006", "SII6731": "SII6730",
                       "OI6300": "OI6300"}  # fmt: skip
