"""Streamed prediction: same result as the in-memory path, chunk-size independent, atomic."""

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from astropy.table import MaskedColumn, Table
from typer.testing import CliRunner

from nebuladapt.catalogs import CatalogError, read_catalog
from nebuladapt.cli import app
from nebuladapt.models import save_model
from nebuladapt.predict import PREDICTION_COLUMNS, classify_catalog
from nebuladapt.streaming import StreamingUnsupported, classify_file, parquet_files
from nebuladapt.synthetic import make_synthetic_catalog

runner = CliRunner()
FORMATS = (".parquet", ".csv", ".fits")


@pytest.fixture(scope="module")
def model(make_toy_model):
    return make_toy_model(100)


@pytest.fixture(scope="module")
def model_dir(model, tmp_path_factory):
    return save_model(model, tmp_path_factory.mktemp("model") / "m")


def _catalogue(n=2500, seed=5, mixed_units=True):
    """Synthetic rows plus the awkward cases: missing, negative, zero errors, case B, text."""
    table = make_synthetic_catalog(n, seed=seed)
    table["name"] = [f"n{i}" for i in range(n)]
    table["HB4861_FLUX"][:3] = np.nan  # missing Hbeta: case B where dust-corrected
    table["OIII5006_FLUX"][3] = -1.0
    table["NII6583_FLUX_ERR"][4] = 0.0
    table["HA6562_FLUX"][5:8] = np.nan
    table["DUST_CORRECTED"] = np.arange(n) % 7 == 0
    table["quality"] = MaskedColumn(np.arange(n) % 5, mask=np.arange(n) % 11 == 0)
    for column in table.colnames:
        if "_FLUX" in column:
            table[column].unit = "1e-20 erg / (s cm2)"
    for column in ("HA6562_FLUX", "HA6562_FLUX_ERR"):  # another, convertible unit
        if mixed_units:  # not in CSV, which drops units (then Ha/Hb would be 1000x off)
            table[column] = table[column].data / 1000
            table[column].unit = "1e-17 erg / (s cm2)"
    return table


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inputs")
    paths = {}
    for suffix in FORMATS:
        paths[suffix] = folder / f"cat{suffix}"
        _catalogue(mixed_units=suffix != ".csv").write(paths[suffix])
    return paths


def _as_values(column):
    data, mask = np.ma.getdata(column), np.ma.getmaskarray(column)
    if data.dtype.kind in "SU":
        text = np.char.decode(data) if data.dtype.kind == "S" else data
        return np.where(mask, "", text).astype(str)
    values = np.array(data, dtype=float)
    values[mask] = np.nan
    return values


def _assert_same(a, b, names):
    for name in names:
        x, y = _as_values(a[name]), _as_values(b[name])
        if x.dtype.kind == "U":
            assert list(x) == list(y), name
        else:
            np.testing.assert_array_equal(x, y, err_msg=name)


@pytest.mark.parametrize("suffix", FORMATS)
def test_streamed_equals_in_memory(inputs, model, tmp_path, suffix):
    path = inputs[suffix]
    expected = classify_catalog(read_catalog(path), model)
    out = tmp_path / f"out{suffix}"
    summary = classify_file(path, model, out, chunk_rows=700)
    got = Table.read(out)
    assert summary.n_rows == len(expected) == len(got)
    assert got.colnames == expected.colnames
    _assert_same(got, expected, expected.colnames)
    assert summary.n_classified == int(np.sum(_as_values(got["pred_class"]) != ""))
    assert any("caseB:HB4861" in flag.split(";") for flag in _as_values(got["flag"]))


@pytest.mark.parametrize("out_suffix", FORMATS)
def test_output_bytes_do_not_depend_on_chunk_size(inputs, model, tmp_path, out_suffix):
    outputs = []
    for chunk_rows in (333, 2048, 100_000):
        out = tmp_path / f"c{chunk_rows}{out_suffix}"
        classify_file(inputs[".parquet"], model, out, chunk_rows=chunk_rows)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]


def test_formats_carry_the_same_predictions(inputs, model, tmp_path):
    tables = []
    for suffix in (".parquet", ".fits"):  # CSV has no units: its HA6562 columns read 1000x off
        out = tmp_path / f"o{suffix}"
        classify_file(inputs[suffix], model, out, chunk_rows=1000)
        tables.append(Table.read(out))
    for other in tables[1:]:
        _assert_same(tables[0], other, PREDICTION_COLUMNS)


def test_directory_of_parts_in_natural_order(model, tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    table = make_synthetic_catalog(900, seed=2)
    for i, start in zip((2, 10, 1), (300, 600, 0)):  # part-10 after part-2
        pq.write_table(pa.table({n: np.asarray(table[n][start : start + 300]) for n in table.colnames}),
                       folder / f"part-{i}.parquet")
    (folder / "_metadata").write_bytes(b"ignored")
    assert [p.rsplit("/", 1)[-1] for p in parquet_files(folder)] == [
        "part-1.parquet", "part-2.parquet", "part-10.parquet"]
    out = tmp_path / "out.parquet"
    classify_file(folder, model, out, chunk_rows=128)
    got = pq.read_table(out)
    assert got.column("region_ID").to_pylist() == list(range(900))


def test_failure_midway_leaves_nothing(inputs, model, tmp_path, monkeypatch):
    import nebuladapt.streaming as streaming

    real = streaming.classify_arrow
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk on fire")
        return real(*args, **kwargs)

    monkeypatch.setattr(streaming, "classify_arrow", flaky)
    for suffix in FORMATS:
        calls.clear()
        out = tmp_path / f"new{suffix}"
        with pytest.raises(RuntimeError, match="disk on fire"):
            classify_file(inputs[".parquet"], model, out, chunk_rows=300)
        assert list(tmp_path.iterdir()) == []
    kept = tmp_path / "kept.csv"
    kept.write_text("keep me")
    calls.clear()
    with pytest.raises(RuntimeError):
        classify_file(inputs[".parquet"], model, kept, chunk_rows=300, overwrite=True)
    assert kept.read_text() == "keep me"
    assert [p.name for p in tmp_path.iterdir()] == ["kept.csv"]


def test_never_overwrites_without_permission(inputs, model, tmp_path):
    out = tmp_path / "o.parquet"
    out.write_text("keep me")
    with pytest.raises(FileExistsError, match="overwrite"):
        classify_file(inputs[".parquet"], model, out)
    assert out.read_text() == "keep me"
    classify_file(inputs[".parquet"], model, out, overwrite=True)
    assert pq.read_table(out).num_rows == 2500


def test_unstreamable_inputs_are_refused_before_writing(model, tmp_path):
    ratios = tmp_path / "ratios.csv"
    Table({"OIII5007/Hbeta": [3.0, 1.0], "NII6583/Halpha": [0.3, 0.5]}).write(ratios)
    with pytest.raises(StreamingUnsupported):
        classify_file(ratios, model, tmp_path / "o.csv")
    with pytest.raises(StreamingUnsupported):
        classify_file(tmp_path / "x.ecsv", model, tmp_path / "o.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ratios.csv"]


def test_bad_inputs_are_catalog_errors(model, tmp_path):
    empty = tmp_path / "empty.parquet"
    pq.write_table(pa.table({"HA6562_FLUX": pa.array([], pa.float64())}), empty)
    with pytest.raises(CatalogError, match="no rows"):
        classify_file(empty, model, tmp_path / "o.parquet")
    nolines = tmp_path / "nolines.parquet"
    pq.write_table(pa.table({"a": [1.0]}), nolines)
    with pytest.raises(CatalogError, match="nolines.parquet"):
        classify_file(nolines, model, tmp_path / "o.parquet")
    clash = tmp_path / "clash.parquet"
    pq.write_table(pa.table({"HA6562_FLUX": [1.0], "flag": ["x"]}), clash)
    with pytest.raises(ValueError, match="flag"):
        classify_file(clash, model, tmp_path / "o.parquet")
    assert not (tmp_path / "o.parquet").exists()


def test_cli_streams_and_reports(inputs, model_dir, tmp_path):
    out = tmp_path / "cli.parquet"
    result = runner.invoke(app, ["predict", str(inputs[".fits"]), "--model", str(model_dir), "--out", str(out),
                                 "--chunk-size", "999"])
    assert result.exit_code == 0, result.output
    assert "rows in: 2,500" in result.output and "rows/s" in result.output
    assert "lines used: " in result.output and "[OI]6300 (not a feature of this model)" in result.output
    assert Table.read(out).colnames[-5:] == list(PREDICTION_COLUMNS)
    again = runner.invoke(app, ["predict", str(inputs[".fits"]), "--model", str(model_dir), "--out", str(out)])
    assert again.exit_code == 2 and "overwrite" in again.output
    ratios = tmp_path / "ratios.csv"  # not streamable: classified in memory
    Table({"OIII5007/Hbeta": [3.0, 1.0], "NII6583/Halpha": [0.3, 0.5], "SII/Halpha": [0.2, 0.3]}).write(ratios)
    fallback = runner.invoke(app, ["predict", str(ratios), "--model", str(model_dir), "--out", str(tmp_path / "r.csv")])
    assert fallback.exit_code == 0, fallback.output
    assert len(Table.read(tmp_path / "r.csv")) == 2


def test_csv_types_changing_midway_fall_back_cleanly(model, model_dir, tmp_path, monkeypatch):
    from nebuladapt.io import sources

    monkeypatch.setattr(sources, "CSV_BLOCK_BYTES", 1 << 10)  # many small blocks
    table = make_synthetic_catalog(400, seed=9)
    table["note"] = np.array([str(i) for i in range(399)] + ["not a number"])  # int, then text
    path = tmp_path / "drift.csv"
    table.write(path)
    out = tmp_path / "o.csv"
    with pytest.raises(StreamingUnsupported):
        classify_file(path, model, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["drift.csv"]
    result = runner.invoke(app, ["predict", str(path), "--model", str(model_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert list(Table.read(out)["note"])[-1] == "not a number"


def test_predict_command_imports_no_training_library(model_dir, tmp_path):
    """`nebuladapt predict` on Parquet: the start-up must not pay for the training stack."""
    import subprocess
    import sys

    source = tmp_path / "cat.parquet"
    _catalogue(200).write(source)
    code = (
        "import sys\n"
        "from nebuladapt.cli import app\n"
        f"app(['predict', {str(source)!r}, '--model', {str(model_dir)!r}, '--out', "
        f"{str(tmp_path / 'out.parquet')!r}], standalone_mode=False)\n"
        "heavy = ('torch', 'sklearn', 'scipy', 'skada', 'dust_extinction', 'matplotlib')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stdout + result.stderr
    assert len(pq.read_table(tmp_path / "out.parquet")) == 200


def test_predict_on_plain_parquet_imports_no_pandas_nor_astropy_yaml(model_dir, tmp_path):
    """A plain Parquet file (no astropy header): no pandas, no astropy YAML writer, no header made up.

    The input's zero-row template must not be changed by the line-column check
    (it used to gain ``meta['source']``, which made the writer add an astropy
    header naming the input path, importing ``astropy.coordinates`` on the way).
    """
    import subprocess
    import sys

    from nebuladapt.synthetic import write_synthetic_parquet

    folder = tmp_path / "plain"
    write_synthetic_parquet(folder, 300, rows_per_file=300, seed=0)
    source = parquet_files(folder)[0]
    table = pq.read_table(source)
    assert b"table_meta_yaml" not in (table.schema.metadata or {})
    code = (
        "import sys\n"
        "from nebuladapt.cli import app\n"
        f"app(['predict', {str(source)!r}, '--model', {str(model_dir)!r}, '--out', "
        f"{str(tmp_path / 'out.parquet')!r}], standalone_mode=False)\n"
        "print(sorted(m for m in ('pandas', 'astropy.io.misc.yaml') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stdout + result.stderr
    out = pq.read_table(tmp_path / "out.parquet")
    assert out.num_rows == 300 and out.column_names[: table.num_columns] == table.column_names
    assert b"table_meta_yaml" not in (out.schema.metadata or {})
