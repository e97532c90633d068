"""The grids in use: defaults, replacement by class, and the features they allow."""

from __future__ import annotations

import numpy as np
import pytest

import nebuladapt.features as features
from nebuladapt.features import LineRatio, default_feature_spec
from nebuladapt.grids import GridError, default_source_rows, select_grids, source_line_fluxes


def test_default_set_is_the_shipped_default_in_the_same_order():
    grids = select_grids()
    assert [(c, g.name) for c, g in grids.parts] == [
        ("HII", "3mdb_bond2"), ("PN", "3mdb_pne2021"), ("SNR", "allen08_shocks_only")]  # fmt: skip
    spec = grids.feature_spec()
    assert spec == default_feature_spec()
    assert grids.provided_lines() == features.DEFAULT_GRID_LINES
    flux, labels, _ = grids.line_fluxes(spec.lines)
    legacy_flux, legacy_labels, _ = source_line_fluxes(spec.lines)
    rows = default_source_rows()  # the shipped table's rows, without the shock+precursor models since stop 25
    np.testing.assert_array_equal(flux, legacy_flux[rows])
    np.testing.assert_array_equal(labels, legacy_labels[rows])


def test_named_grid_replaces_its_class_only():
    grids = select_grids(["nebulabayes_hii"])
    assert [(c, g.name) for c, g in grids.parts] == [
        ("HII", "nebulabayes_hii"), ("PN", "3mdb_pne2021"), ("SNR", "allen08_shocks_only")]  # fmt: skip
    card = grids.card()
    assert [e["name"] for e in card] == ["nebulabayes_hii", "3mdb_pne2021", "allen08_shocks_only"]
    assert card[0]["n_models"] == {"HII": 1286}
    assert all(len(e["sha256"]) == 64 and e["citation"] for e in card)
    # the 3MdB PN grid has no [OI] and no separate [SII]: the spec stays the classical three
    assert grids.feature_spec() == default_feature_spec()


def test_two_grids_for_one_class_are_concatenated():
    grids = select_grids(["3mdb_bond2", "nebulabayes_hii"])
    _, labels, names = grids.line_fluxes(["HB4861"])
    assert (labels == "HII").sum() == 35100 + 1286
    assert set(names[labels == "HII"]) == {"3mdb_bond2", "nebulabayes_hii"}


def test_grid_named_twice_is_an_error():
    with pytest.raises(GridError, match="named twice"):
        select_grids(["nebulabayes_hii", "nebulabayes_hii"])


def test_a_declared_ratio_is_used_when_every_grid_in_use_provides_it(monkeypatch):
    # [OII]3726/Hbeta: every default grid gives [OII]3726 -> adding the ratio to the
    # declaration is all it takes; HeI5876/Hbeta: the 3MdB export lacks HeI -> not used.
    new = LineRatio("OII3726", "HB4861")
    missing = LineRatio("HeI5876", "HB4861")
    before = default_feature_spec().names
    monkeypatch.setattr(features, "RATIOS", features.RATIOS + (new, missing))
    spec = select_grids().feature_spec()
    assert spec.names == before + [new.name]
    assert default_feature_spec() == spec  # the estimator's default follows the declaration too
