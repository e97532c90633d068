"""Tests of the shipped source grids (nebuladapt.grids.shipped)."""

from __future__ import annotations

import numpy as np
import pytest

from nebuladapt.grids import (
    DEFAULT_FEATURE_LINES,
    GRID_CLASSES,
    GRID_LINES,
    load_source_grids,
    source_line_fluxes,
)

#: Published sizes: 3MdB export (Rhea et al. 2023), 35,100 BOND_2 and 44,245 PNe_2021
#: models; Allen et al. (2008) library, 107 parameter sets x 3 components, 3,921 models
#: per component.
EXPECTED_ROWS = {"HII": 35100, "PN": 44245, "SNR": 2 * 3921}


@pytest.fixture(scope="module")
def grids():
    return load_source_grids()


@pytest.fixture(scope="module")
def all_grids():
    return load_source_grids(default_only=False)


def test_row_counts_per_class(grids, all_grids):
    for cls, expected in EXPECTED_ROWS.items():
        assert int((grids["class"] == cls).sum()) == expected, cls
    assert set(grids["class"]) == set(GRID_CLASSES)
    snr = all_grids[all_grids["class"] == "SNR"]
    assert len(snr) == 3 * 3921
    for component in ("s", "p", "sp"):
        assert int((snr["shock_component"] == component).sum()) == 3921
    assert len(set(snr["grid"])) == 107


def test_default_set_excludes_precursor_only(grids, all_grids):
    assert set(grids[grids["class"] == "SNR"]["shock_component"]) == {"s", "sp"}
    precursor = all_grids[all_grids["shock_component"] == "p"]
    assert not precursor["in_default"].any()
    assert all_grids[all_grids["class"] != "SNR"]["in_default"].all()


def test_model_ids_unique(all_grids):
    assert len(np.unique(all_grids["model_id"])) == len(all_grids)


def test_fluxes_relative_to_hbeta(all_grids):
    np.testing.assert_array_equal(all_grids["HB4861"], 1.0)
    ha = np.asarray(all_grids["HA6562"])
    # Balmer decrement of dust-free gas: 2.64-3.92 over all grids (collisional
    # excitation raises it in shocks and precursors)
    assert np.all((ha > 2.6) & (ha < 4.0))
    for line in GRID_LINES:
        assert all_grids[line].dtype == np.float32
        values = np.asarray(all_grids[line])
        assert np.all(values[np.isfinite(values)] >= 0), line


def test_no_nan_in_default_feature_lines(grids):
    for line in DEFAULT_FEATURE_LINES:
        assert np.isfinite(grids[line]).all(), line


def test_sii_sum_filled_for_shocks(all_grids):
    snr = all_grids[all_grids["class"] == "SNR"]
    np.testing.assert_allclose(snr["SII6716_6730"], snr["SII6716"] + snr["SII6730"], rtol=1e-6)
    mdb = all_grids[all_grids["class"] != "SNR"]
    assert np.isnan(mdb["SII6716"]).all() and np.isnan(mdb["OI6300"]).all()


def test_shock_parameters(all_grids):
    snr = all_grids[all_grids["class"] == "SNR"]
    assert np.nanmin(snr["shock_velocity"]) == 100 and np.nanmax(snr["shock_velocity"]) == 1000
    densities = np.unique(np.asarray(snr["preshock_density"], dtype=float))
    np.testing.assert_allclose(densities, [0.01, 0.1, 1, 10, 100, 1000], rtol=1e-6)
    assert set(snr["abundance_series"]) == set("MRJPQTUVLS")
    equipartition = snr[snr["grid"] == "Allen08:L_n100_be"]
    assert np.allclose(equipartition["magnetic_field"], 32.3)
    assert np.isnan(all_grids[all_grids["class"] == "HII"]["shock_velocity"]).all()


def test_provenance_in_meta(grids):
    meta = grids.meta
    assert set(meta["grids"]) == {"3MdB:BOND_2", "3MdB:PNe_2021", "Allen08"}
    citations = " ".join(meta["citations"].values())
    for needle in ("RMxAA, 51, 103", "MNRAS, 460, 1739", "MNRAS, 440, 536",
                   "MNRAS, 449, 1797", "ApJS, 178, 20", "arXiv:2306.11545"):  # fmt: skip
        assert needle in citations, needle
    assert meta["grids"]["3MdB:BOND_2"]["n_models"] == EXPECTED_ROWS["HII"]
    assert meta["grids"]["3MdB:PNe_2021"]["n_dropped_nonpositive_balmer"] == 0
    assert meta["grids"]["Allen08"]["n_default"] == EXPECTED_ROWS["SNR"]
    for info in meta["grids"].values():
        assert info["default"] and info["paper"] and info["file"]


def test_load_filters_and_copies():
    snr = load_source_grids(classes="SNR")
    assert set(snr["class"]) == {"SNR"}
    snr["HA6562"][0] = -1.0
    assert load_source_grids(classes="SNR")["HA6562"][0] != -1.0
    with pytest.raises(ValueError, match="unknown classes"):
        load_source_grids(classes=["AGN"])


def test_source_line_fluxes():
    lines = ["Hbeta", "OIII5007", "HA6562", "NII6583", "SII6716_6730"]
    fluxes, labels, grid_names = source_line_fluxes(lines)
    n = sum(EXPECTED_ROWS.values())
    assert fluxes.shape == (n, 5) and fluxes.dtype == np.float64
    assert labels.shape == grid_names.shape == (n,)
    assert np.isfinite(fluxes).all()
    assert {c: int((labels == c).sum()) for c in GRID_CLASSES} == EXPECTED_ROWS
    assert set(grid_names[labels == "HII"]) == {"3MdB:BOND_2"}
    assert all(g.startswith("Allen08:") for g in set(grid_names[labels == "SNR"]))
    np.testing.assert_array_equal(fluxes[:, 0], 1.0)


def test_source_line_fluxes_nan_where_grid_lacks_line():
    fluxes, labels, _ = source_line_fluxes(["OI6300"], classes=["HII", "SNR"])
    assert np.isnan(fluxes[labels == "HII"]).all()
    assert np.isfinite(fluxes[labels == "SNR"]).all()


def test_source_line_fluxes_rejects_unknown_line():
    with pytest.raises(ValueError, match="not in the source grids"):
        source_line_fluxes(["SIII9069"])
    with pytest.raises(ValueError):
        source_line_fluxes(["nonsense"])
