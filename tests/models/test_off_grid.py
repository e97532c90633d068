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


def test_lookup_equals_the_projection_of_each_presence_pattern():
    rng = np.random.default_rng(3)
    grid_map = OffGridMap.fit(rng.normal(0, 1, (5000, 3)))
    rows = rng.normal(0, 1.6, (4000, 3))
    rows[rng.random(rows.shape) < 0.3] = np.nan
    rows[:40] = grid_map.low - 1e-12  # just outside the map
    rows[40:80] = grid_map.high  # on its upper edge: the last cell
    expected = np.zeros(len(rows), dtype=bool)
    n_bins = grid_map.n_bins
    for r, row in enumerate(rows):
        here = np.isfinite(row)
        if not here.any():
            continue
        if ((row[here] < grid_map.low[here]) | (row[here] > grid_map.high[here])).any():
            expected[r] = True
            continue
        absent = tuple(np.flatnonzero(~here))
        projection = grid_map.occupancy.any(axis=absent) if absent else grid_map.occupancy
        scaled = (row[here] - grid_map.low[here]) / (grid_map.high[here] - grid_map.low[here]) * n_bins
        cell = np.clip(np.floor(scaled), 0, n_bins - 1).astype(int)
        expected[r] = not projection[tuple(cell)]
    got = grid_map.off_grid(rows)
    assert np.array_equal(got, expected)
    assert got[:40].all() and got.any() and not got.all()
