"""Dask path: a LocalCluster classifies partitioned Parquet exactly as the local streamed path."""

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from nebuladapt.cli import app
from nebuladapt.models import save_model
from nebuladapt.synthetic import write_synthetic_parquet

distributed = pytest.importorskip("distributed")
runner = CliRunner()
pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword")  # inside dask, not ours


@pytest.fixture(scope="module")
def model_dir(make_toy_model, tmp_path_factory):
    return save_model(make_toy_model(100, data_seed=1), tmp_path_factory.mktemp("model") / "m")


def _bits(table: pa.Table) -> dict:
    """Column values with floats as their bit patterns (NaN == NaN, -0.0 != 0.0)."""
    out = {}
    for name in table.column_names:
        values = table.column(name).to_numpy(zero_copy_only=False)
        out[name] = values.view(np.int64).tolist() if values.dtype.kind == "f" else values.tolist()
    return out


def test_dask_path_equals_local_path_row_for_row(model_dir, tmp_path):
    catalogue = write_synthetic_parquet(tmp_path / "cat", 5000, rows_per_file=1100, seed=4)
    local = tmp_path / "local.parquet"
    result = runner.invoke(app, ["predict", str(catalogue), "--model", str(model_dir), "--out", str(local),
                                 "--chunk-size", "777"])
    assert result.exit_code == 0, result.output
    remote = tmp_path / "dask.parquet"
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        args = ["predict", str(catalogue), "--model", str(model_dir), "--out", str(remote),
                "--scheduler", cluster.scheduler_address]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert "rows in: 5,000" in result.output
        again = runner.invoke(app, args)
        assert again.exit_code == 2 and "overwrite" in again.output
    assert sorted(p.name for p in remote.iterdir()) == [f"part.{i:05d}.parquet" for i in range(5)]
    expected, got = pq.read_table(local), pq.read_table(remote)
    assert got.schema.names == expected.schema.names
    assert got.num_rows == expected.num_rows == 5000
    assert _bits(got) == _bits(expected)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cat", "dask.parquet", "local.parquet"]


def test_dask_path_prints_the_models_warning(red_only_model_dir, tmp_path):
    """``--scheduler`` says what the local path says when the model has no [OIII] ratio."""
    catalogue = write_synthetic_parquet(tmp_path / "cat", 300, rows_per_file=300, seed=4)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        result = runner.invoke(app, ["predict", str(catalogue), "--model", str(red_only_model_dir), "--out",
                                     str(tmp_path / "p.parquet"), "--scheduler", cluster.scheduler_address])
    assert result.exit_code == 0, result.output
    assert "WARNING: no ratio with [OIII]5007" in result.output
    assert pq.read_table(tmp_path / "p.parquet").num_rows == 300


def test_model_travels_as_bytes(model_dir):
    from nebuladapt.distributed import ModelPayload
    from nebuladapt.models import load_model

    payload = ModelPayload.from_dir(model_dir)
    assert set(vars(payload)) == {"card", "weights", "limit_method"}
    assert isinstance(payload.card, bytes) and isinstance(payload.weights, bytes) and payload.limit_method == ""
    X = np.array([[3.0, 1.0, 0.3, 2.86, 0.4]])
    assert np.array_equal(payload.load().predict_proba(X), load_model(model_dir).predict_proba(X))
    assert payload.load() is payload.load()  # loaded once per process


def test_catalogue_without_the_models_lines_is_refused_before_the_cluster(model_dir, tmp_path):
    catalogue = tmp_path / "cat"
    catalogue.mkdir()
    pq.write_table(pa.table({"ID": [1, 2], "HA6562_FLUX": [3.0, 2.0], "OI6300_FLUX": [0.1, 0.2]}),
                   catalogue / "part.0.parquet")
    out = tmp_path / "dask.parquet"
    # nothing listens on this address: the refusal must come before any connection
    result = runner.invoke(app, ["predict", str(catalogue), "--model", str(model_dir), "--out", str(out),
                                 "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 2
    assert "gives none of the line ratios" in result.output
    assert not out.exists()


@pytest.mark.parametrize("method", ["likelihood", "nearest"])
def test_dask_path_uses_upper_limits_as_the_local_path(model_dir, tmp_path, method):
    catalogue = tmp_path / "cat"
    catalogue.mkdir()
    table = pq.read_table(write_synthetic_parquet(tmp_path / "raw", 1200, rows_per_file=600, seed=5))
    limited = np.arange(table.num_rows) % 3 == 0  # every third row gives [SII] only as limits at 3 % of Halpha
    halpha = table.column("HA6562_FLUX").to_numpy(zero_copy_only=False)
    for line in ("SII6716", "SII6730"):
        values = np.where(limited, 0.03 * halpha, table.column(f"{line}_FLUX").to_numpy(zero_copy_only=False))
        table = table.set_column(table.schema.get_field_index(f"{line}_FLUX"), f"{line}_FLUX", pa.array(values))
        table = table.append_column(f"{line}_FLUX_UPPER", pa.array(limited))
    for k in range(2):
        pq.write_table(table.slice(600 * k, 600), catalogue / f"part{k}.parquet")
    local, remote = tmp_path / "local.parquet", tmp_path / "dask.parquet"
    base = ["predict", str(catalogue), "--model", str(model_dir), "--limits", method]
    assert runner.invoke(app, [*base, "--out", str(local)]).exit_code == 0
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        result = runner.invoke(app, [*base, "--out", str(remote), "--scheduler", cluster.scheduler_address])
    assert result.exit_code == 0, result.output
    expected, got = pq.read_table(local), pq.read_table(remote)
    assert _bits(got) == _bits(expected)
    assert sum("limit_used:SII6716_6730" in str(f) for f in got.column("flag").to_pylist()) > 0
