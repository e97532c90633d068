"""Tests of the shipped tables' column layout (scripts/databuild/schema.py) and common helpers."""

import hashlib

import numpy as np
from astropy.table import Table

from databuild.common import sha256_file
from databuild.schema import BENCHMARK_LINES, GRID_LINES, add_benchmark_lines, grid_table, mask_nonpositive


def test_grid_table_has_every_column_nan_where_absent():
    columns = {"class": ["HII", "HII"], "grid": ["g", "g"], "model_id": ["g:1", "g:2"],
               "in_default": [True, False], "log_HB4861": [1.0, 2.0], "HA6562": [2.9, 3.0]}  # fmt: skip
    table = grid_table(2, columns)
    assert set(GRID_LINES) <= set(table.colnames)
    assert table["HA6562"].dtype == np.float32 and list(table["HA6562"]) == [np.float32(2.9), 3.0]
    assert np.isnan(table["OIII5006"]).all() and np.isnan(table["shock_velocity"]).all()
    assert list(table["in_default"]) == [True, False]


def test_benchmark_lines_and_nonpositive_fluxes_are_masked():
    table = Table({"object_id": ["a", "b"]})
    add_benchmark_lines(table, {"HA6562": np.array([300.0, -1.0])}, {"HA6562": np.array([3.0, 2.0])})
    assert table.colnames[1:] == [f"{n}_FLUX{s}" for n in BENCHMARK_LINES for s in ("", "_ERR")]
    masked = mask_nonpositive(table)
    assert masked == ["b HA6562_FLUX = -1"]
    assert np.isnan(table["HA6562_FLUX"][1]) and np.isnan(table["HA6562_FLUX_ERR"][1])
    assert table["HA6562_FLUX"][0] == 300.0 and np.isnan(table["OIII5006_FLUX"]).all()


def test_sha256_file(tmp_path):
    path = tmp_path / "blob"
    path.write_bytes(b"x" * (3 << 20))  # more than one 1 MiB block
    assert sha256_file(path) == hashlib.sha256(path.read_bytes()).hexdigest()
