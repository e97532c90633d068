import numpy as np
import pytest
import torch

from nebuladapt.diffuse_gas import DIG_SPECTRUM, blend_diffuse_gas, dig_spectrum, lines_without_gas
from nebuladapt.lines import CASE_B_HA_HB, DOUBLET_RATIOS

LINES = ["HB4861", "OIII5006", "HA6562", "NII6583", "SII6716_6730"]


def test_the_spectrum_is_case_b_and_keeps_the_doublet_ratios():
    assert DIG_SPECTRUM["HA6562"] / DIG_SPECTRUM["HB4861"] == pytest.approx(CASE_B_HA_HB)
    assert DIG_SPECTRUM["SII6716"] + DIG_SPECTRUM["SII6730"] == pytest.approx(DIG_SPECTRUM["SII6716_6730"])
    for (strong, weak), ratio in DOUBLET_RATIOS.items():
        assert DIG_SPECTRUM[strong] / DIG_SPECTRUM[weak] == pytest.approx(ratio)


def test_blending_keeps_halpha_and_moves_ratios_toward_the_gas_by_the_drawn_share():
    flux = torch.tensor([[1.0, 3.0, 2.86, 0.86, 0.6], [1.0, 0.5, 2.86, 1.2, np.nan]], dtype=torch.float64)
    generator = torch.Generator().manual_seed(3)
    blended = blend_diffuse_gas(flux, LINES, 0.5, generator)
    share = torch.rand((2, 1), generator=torch.Generator().manual_seed(3), dtype=torch.float64) * 0.5
    assert torch.equal(blended[:, 2], flux[:, 2])  # Halpha unchanged
    assert torch.isnan(blended[1, 4])  # a line the row lacks stays missing
    expected = (1 - share[0]) * flux[0, 3] / 2.86 + share[0] * 0.5  # [NII]/Halpha
    assert float(blended[0, 3] / blended[0, 2]) == pytest.approx(float(expected))
    assert torch.allclose(blend_diffuse_gas(flux, LINES, 0.0, generator), flux, equal_nan=True)


def test_only_the_rows_asked_for_are_blended_and_the_draws_do_not_depend_on_them():
    flux = torch.tensor([[1.0, 3.0, 2.86, 0.86, 0.6]] * 3, dtype=torch.float64)
    every = blend_diffuse_gas(flux, LINES, 0.5, torch.Generator().manual_seed(1))
    some = blend_diffuse_gas(flux, LINES, 0.5, torch.Generator().manual_seed(1), torch.tensor([True, False, True]))
    assert torch.equal(some[[0, 2]], every[[0, 2]]) and torch.equal(some[1], flux[1])


def test_lines_without_a_gas_value_or_without_halpha_are_refused():
    with pytest.raises(ValueError, match="OI6300"):
        dig_spectrum(["HA6562", "OI6300"])
    with pytest.raises(ValueError, match="HA6562"):
        dig_spectrum(["HB4861", "OIII5006"])
    assert lines_without_gas(["HB4861", "OIII5006", "HA6562", "NII6583", "SII6716_6730"]) == []


def test_the_estimator_trains_unblended_with_a_warning_where_a_line_has_no_gas_value(make_toy_domains):
    """A spec with a line the DIG spectrum lacks (e.g. a user's grid with [OI]): a warning, and the fit is the
    one without diffuse gas."""
    from nebuladapt.features import FeatureSpec, LineRatio
    from nebuladapt.models.estimator import NebulaClassifier

    d = make_toy_domains(0, 60, 30)
    spec = FeatureSpec((LineRatio("OI6300", "HA6562"),))
    X = np.abs(np.random.default_rng(0).normal(1, 0.1, size=(len(d["y"]), 2)))
    with pytest.warns(UserWarning, match="no diffuse-gas value for OI6300"):
        gas = NebulaClassifier(feature_spec=spec, diffuse_gas=0.5, n_steps=3, members=1).fit(
            X, d["y"], sample_domain=d["sample_domain"])
    plain = NebulaClassifier(feature_spec=spec, diffuse_gas=0.0, n_steps=3, members=1).fit(
        X, d["y"], sample_domain=d["sample_domain"])
    assert np.array_equal(gas.predict_proba(X), plain.predict_proba(X), equal_nan=True)


def test_a_probability_below_one_leaves_some_rows_as_modelled_and_one_keeps_the_stream():
    flux = torch.tensor([[1.0, 3.0, 2.86, 0.86, 0.6]] * 200, dtype=torch.float64)
    half = blend_diffuse_gas(flux, LINES, 0.5, torch.Generator().manual_seed(2), probability=0.5)
    untouched = (half == flux).all(dim=1)
    assert 60 < int(untouched.sum()) < 140  # about half, drawn per row
    assert torch.equal(half, blend_diffuse_gas(flux, LINES, 0.5, torch.Generator().manual_seed(2), probability=0.5))
    every = blend_diffuse_gas(flux, LINES, 0.5, torch.Generator().manual_seed(2))
    assert torch.equal(every, blend_diffuse_gas(flux, LINES, 0.5, torch.Generator().manual_seed(2), probability=1.0))
