"""The SYNTHETIC catalogue generator (benchmarks only)."""

import numpy as np
import pyarrow.parquet as pq
import pytest

from nebuladapt.catalogs import read_catalog, read_phangs_table
from nebuladapt.lines import SYNTHETIC_LINES
from nebuladapt.synthetic import (
    SYNTHETIC_GRID_LINES,
    SYNTHETIC_LABEL_COLUMN,
    complete_grid_lines,
    make_synthetic_catalog,
    synthetic_columns,
    write_synthetic_parquet,
)


def test_phangs_columns_and_realistic_noise():
    table = make_synthetic_catalog(20_000, seed=3, with_labels=True)
    assert table.colnames[0] == "region_ID"
    for line in SYNTHETIC_LINES:
        flux, err = np.asarray(table[f"{line}_FLUX"]), np.asarray(table[f"{line}_FLUX_ERR"])
        assert np.all(np.isfinite(err) & (err > 0))
        assert 0 < np.isnan(flux).mean() < 0.5  # some non-detections, mostly detections
    snr = np.asarray(table["HA6562_FLUX"]) / np.asarray(table["HA6562_FLUX_ERR"])
    assert np.nanmedian(snr) > 10 and np.nanpercentile(snr, 1) < 10  # flux-dependent S/N
    ha_hb = np.asarray(table["HA6562_FLUX"]) / np.asarray(table["HB4861_FLUX"])
    assert np.nanmedian(ha_hb) > 2.86  # reddened
    labels = np.asarray(table[SYNTHETIC_LABEL_COLUMN])
    assert set(labels) == {"HII", "PN", "SNR"} and abs(np.mean(labels == "HII") - 0.8) < 0.02
    assert "SYNTHETIC" in table.meta["comments"][0]
    catalog = read_phangs_table(table)
    assert len(catalog) == len(table) and set(SYNTHETIC_LINES) <= set(catalog.flux)


def test_same_seed_same_rows():
    a, b = synthetic_columns(500, seed=7), synthetic_columns(500, seed=7)
    assert all(np.array_equal(a[k], b[k], equal_nan=True) for k in a)
    c = synthetic_columns(500, seed=8)
    assert not np.array_equal(a["HA6562_FLUX"], c["HA6562_FLUX"], equal_nan=True)


def test_partitioned_parquet(tmp_path):
    path = write_synthetic_parquet(tmp_path / "syn", 2500, rows_per_file=1000, seed=1)
    files = sorted(path.iterdir())
    assert [f.name for f in files] == ["synthetic-00000.parquet", "synthetic-00001.parquet",
                                       "synthetic-00002.parquet"]
    table = pq.read_table(path)
    assert table.num_rows == 2500
    assert table.column("region_ID").to_pylist() == list(range(2500))
    assert b"SYNTHETIC" in pq.read_schema(files[0]).metadata[b"nebuladapt_synthetic"]
    catalog = read_catalog(files[0])
    assert set(SYNTHETIC_LINES) <= set(catalog.flux)
    with pytest.raises(FileExistsError):
        write_synthetic_parquet(path, 10)
    assert [p.name for p in tmp_path.iterdir()] == ["syn"]


def test_hidden_cli_command(tmp_path):
    from typer.testing import CliRunner

    from nebuladapt.cli import app

    result = CliRunner().invoke(app, ["synthetic", str(tmp_path / "s"), "--rows", "30", "--rows-per-file", "20"])
    assert result.exit_code == 0, result.output
    assert pq.read_table(tmp_path / "s").num_rows == 30


def test_complete_grid_lines_fills_only_what_a_grid_lacks():
    nan = np.nan
    # columns SYNTHETIC_GRID_LINES: Hb, [OIII], Ha, [NII], [SII] sum, 6716, 6731, [OI]
    models = np.array([
        [1.0, 3.0, 2.86, 0.5, 0.6, 0.35, 0.25, 0.1],  # complete: nothing drawn replaces it
        [1.0, 3.0, 2.86, 0.5, 0.6, nan, nan, nan],  # sum only, no [OI]
    ])  # fmt: skip
    assert len(SYNTHETIC_GRID_LINES) == models.shape[1]
    out = complete_grid_lines(models, np.random.default_rng(0))
    assert out.shape == (2, len(SYNTHETIC_LINES))
    col = {line: out[:, SYNTHETIC_LINES.index(line)] for line in SYNTHETIC_LINES}
    np.testing.assert_array_equal(out[0], [1.0, 3.0, 2.86, 0.5, 0.35, 0.25, 0.1])
    # the split keeps the doublet sum, with 6716/6731 in [0.6, 1.4]
    assert col["SII6716"][1] + col["SII6730"][1] == pytest.approx(0.6)
    assert 0.6 <= col["SII6716"][1] / col["SII6730"][1] <= 1.4
    # [OI]/Halpha drawn as 10**N(-1.6, 0.3): positive, finite, far below Halpha
    assert np.isfinite(col["OI6300"][1]) and 0 < col["OI6300"][1] < col["HA6562"][1]
    # same generator state, same draws
    np.testing.assert_array_equal(out, complete_grid_lines(models, np.random.default_rng(0)))

