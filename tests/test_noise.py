import numpy as np
import pytest
import torch

from nebuladapt.noise import inject_noise, target_fractional_errors


def test_fixed_noise_level():
    g = torch.Generator().manual_seed(0)
    flux = torch.ones(20000, 2, dtype=torch.float64)
    noisy = inject_noise(flux, "fixed", 0.1, g)
    assert float(torch.nanmean(noisy)) == pytest.approx(1.0, abs=0.01)
    assert float(noisy.std()) == pytest.approx(0.1, rel=0.05)


def test_matched_noise_follows_target_errors():
    g = torch.Generator().manual_seed(0)
    frac = torch.tensor([[0.02, float("nan")], [0.02, float("nan")]], dtype=torch.float64)
    noisy = inject_noise(torch.ones(20000, 2, dtype=torch.float64), "matched", 0.3, g, frac)
    assert float(noisy[:, 0].std()) == pytest.approx(0.02, rel=0.05)
    assert float(torch.nanmean((noisy[:, 1] - 1) ** 2).sqrt()) == pytest.approx(0.3, rel=0.1)  # fallback


def test_nonpositive_become_missing():
    g = torch.Generator().manual_seed(1)
    noisy = inject_noise(torch.ones(5000, 1, dtype=torch.float64), "fixed", 1.0, g)
    assert torch.isnan(noisy).any() and (noisy[~torch.isnan(noisy)] > 0).all()


def test_none_and_errors():
    g = torch.Generator().manual_seed(0)
    flux = torch.ones(3, 2)
    assert inject_noise(flux, "none", 0.1, g) is flux
    with pytest.raises(ValueError):
        inject_noise(flux, "loud", 0.1, g)
    with pytest.raises(ValueError, match="target"):
        inject_noise(flux, "matched", 0.1, g, None)


def test_target_fractional_errors():
    frac = target_fractional_errors(np.array([[10.0, 0.0, 5.0]]), np.array([[1.0, 1.0, np.nan]]))
    np.testing.assert_allclose(frac, [[0.1, np.nan, np.nan]])
