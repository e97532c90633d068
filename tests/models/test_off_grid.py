import numpy as np
import pytest

from nebuladapt.models import NebulaClassifier
from nebuladapt.models.off_grid import OffGridMap


def test_off_grid_map():
    rng = np.random.default_rng(1)
    grid = rng.normal(0, 1, (20000, 3))
    grid_map = OffGridMap.fit(grid)
    rows = np.array([[0.0, 0.0, 0.0], [8.0, 0.0, 0.0], [0.0, np.nan, 0.0], [np.nan, np.nan, np.nan], [2.5, 2.5, 2.5]])
    flags = grid_map.off_grid(rows)
    assert list(flags[:4]) == [False, True, False, False]
    assert flags[4]  # inside the bounding box but in an empty corner of the occupied region


def test_estimator_flags_off_grid_rows(toy_domains):
    d = toy_domains
    model = NebulaClassifier(method="nn", n_steps=50, random_state=0, calibrate=True).fit(d["X"], d["y"], sample_domain=d["sample_domain"])
    far = d["target"][:3].copy()
    far[:, 0] *= 1e6  # [OIII]/Hbeta of a million: nothing we modelled
    assert model.off_grid(far).all()
    assert model.off_grid(d["target"]).mean() < 0.05
    assert model.target_prior_ is not None and model.target_prior_.sum() == pytest.approx(1.0)
    assert 0.05 < model.temperature_ < 20


def test_arrays_round_trip_and_incomplete_refused():
    grid = OffGridMap.fit(np.random.default_rng(0).normal(size=(500, 2)))
    again = OffGridMap.from_arrays(grid.arrays())
    probe = np.random.default_rng(1).normal(scale=3, size=(200, 2))
    assert np.array_equal(again.off_grid(probe), grid.off_grid(probe))
    with pytest.raises(ValueError, match="incomplete"):
        OffGridMap.from_arrays({"low": grid.low, "high": grid.high})
