"""End-to-end command line: fit then predict on the benchmark's line columns (no labels)."""

import numpy as np
import pytest
from astropy.table import Table
from typer.testing import CliRunner

from nebuladapt.benchmark import write_unlabelled_benchmark_csv
from nebuladapt.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def unlabelled_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("cat") / "benchmark_lines.csv"
    write_unlabelled_benchmark_csv(path)
    return path


@pytest.fixture(scope="module")
def model_dir(unlabelled_csv, tmp_path_factory):
    out = tmp_path_factory.mktemp("model") / "m"
    result = runner.invoke(app, ["fit", "--target", str(unlabelled_csv), "--out", str(out), "--n-steps", "60", "--seed", "3"])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("suffix", [".csv", ".fits", ".parquet"])
def test_fit_then_predict_every_row(unlabelled_csv, model_dir, tmp_path, suffix):
    out = tmp_path / f"pred{suffix}"
    result = runner.invoke(app, ["predict", str(unlabelled_csv), "--model", str(model_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    source = Table.read(unlabelled_csv)
    pred = Table.read(out)
    assert len(pred) == len(source)
    for name in source.colnames:
        assert name in pred.colnames
    for name in ("pred_class", "prob_HII", "prob_PN", "prob_SNR", "flag"):
        assert name in pred.colnames
    assert list(pred["object_id"]) == list(source["object_id"])
    classified = np.array([str(c) in ("HII", "PN", "SNR") for c in pred["pred_class"]])
    assert classified.mean() > 0.95
    assert "rows in:" in result.output


def test_predict_refuses_to_overwrite(unlabelled_csv, model_dir, tmp_path):
    out = tmp_path / "pred.csv"
    out.write_text("keep me")
    result = runner.invoke(app, ["predict", str(unlabelled_csv), "--model", str(model_dir), "--out", str(out)])
    assert result.exit_code != 0
    assert "overwrite" in result.output
    assert out.read_text() == "keep me"


def test_same_seed_same_predictions(unlabelled_csv, model_dir, tmp_path):
    other = tmp_path / "m2"
    result = runner.invoke(app, ["fit", "--target", str(unlabelled_csv), "--out", str(other), "--n-steps", "60", "--seed", "3"])
    assert result.exit_code == 0, result.output
    paths = []
    for directory in (model_dir, other):
        path = tmp_path / f"{directory.name}.csv"
        assert runner.invoke(app, ["predict", str(unlabelled_csv), "--model", str(directory), "--out", str(path)]).exit_code == 0
        paths.append(path)
    assert paths[0].read_bytes() == paths[1].read_bytes()


def test_bad_catalogue_is_a_clear_error(tmp_path, model_dir):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    result = runner.invoke(app, ["predict", str(bad), "--model", str(model_dir), "--out", str(tmp_path / "o.csv")])
    assert result.exit_code == 2
    assert "bad.csv" in result.output


def test_fit_options_are_the_estimator_defaults():
    """`nebuladapt fit`'s options and defaults are generated from models/params.py."""
    import typer

    from nebuladapt.models import NebulaClassifier
    from nebuladapt.models.params import PARAMS

    command = typer.main.get_command(app).commands["fit"]
    options = {p.name: p for p in command.params}
    defaults = NebulaClassifier().get_params()
    exposed = [p for p in PARAMS if p.cli]
    assert exposed and {"method", "noise", "alignment", "n_steps"} <= {p.name for p in exposed}
    for p in exposed:
        option = options[p.name]
        default = getattr(option.default, "value", option.default)
        assert default == defaults[p.name], p.name
        assert option.help == p.help
        if p.choices is not None:
            assert tuple(e.value for e in option.type_descriptor.annotation) == p.choices
    assert options["seed"].default == defaults["random_state"]


def test_bad_option_value_is_a_one_line_error(unlabelled_csv, tmp_path):
    result = runner.invoke(app, ["fit", "--target", str(unlabelled_csv), "--out", str(tmp_path / "m"),
                                 "--n-steps", "5", "--domain-weight", "-1"])
    assert result.exit_code == 2
    assert "domain_weight" in result.output and not (tmp_path / "m").exists()


def test_version_answers_without_heavy_imports():
    import subprocess
    import sys

    code = ("import sys; from typer.testing import CliRunner; from nebuladapt.cli import app; "
            "r = CliRunner().invoke(app, ['--version']); print(r.output.strip()); "
            "print(sorted(m for m in ('torch', 'sklearn', 'skada', 'astropy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    from nebuladapt import __version__

    assert out.splitlines() == [f"nebuladapt {__version__}", "[]"]


def test_demo_rows_keep_their_own_step_counts_unless_told(monkeypatch):
    """`demo` without --n-steps must not override the paper rows' 2000 steps with fit's default."""
    import nebuladapt.evaluation.demo as demo

    calls = []

    def fake_run_demo(seeds, progress=None, **params):
        calls.append(params)
        return [{"method": "classical cuts", "seed": None, "noise": "-", "wall_time_s": 0.0,
                 "balanced_accuracy": 1.0, "accuracy": 1.0, "recall": {"HII": 1.0, "PN": 1.0, "SNR": 1.0}}]

    monkeypatch.setattr(demo, "run_demo", fake_run_demo)
    monkeypatch.setattr(demo, "summary_rows", lambda records: [])
    assert runner.invoke(app, ["demo", "--seeds", "1"]).exit_code == 0
    assert runner.invoke(app, ["demo", "--seeds", "1", "--n-steps", "7"]).exit_code == 0
    assert calls == [{}, {"n_steps": 7}]


def test_fit_and_predict_warn_when_the_fit_calls_low_sii_rows_snr(unlabelled_csv, tmp_path, monkeypatch):
    """Past the [SII] check's threshold `fit` and `predict` print the warning once, as a line of their own (not
    as a Python warning); below it, neither does. The threshold is moved so that the same fit is on either side."""
    from nebuladapt.catalogs import usage

    def fit(out):
        result = runner.invoke(app, ["fit", "--target", str(unlabelled_csv), "--out", str(out), "--n-steps", "20",
                                     "--members", "1", "--seed", "0"])
        assert result.exit_code == 0, result.output
        return result.output

    text = "WARNING: the fit calls SNR"
    monkeypatch.setattr(usage, "LOW_SII_SNR_SHARE", 1.01)  # above any share: silent
    assert text not in fit(tmp_path / "quiet")
    monkeypatch.setattr(usage, "LOW_SII_SNR_SHARE", 0.0)
    monkeypatch.setattr(usage, "LOW_SII_MIN_ROWS", 1)
    output = fit(tmp_path / "m")
    assert output.count(text) == 1 and "UserWarning" not in output
    predicted = runner.invoke(app, ["predict", str(unlabelled_csv), "--model", str(tmp_path / "m"),
                                    "--out", str(tmp_path / "p.csv")])
    assert predicted.exit_code == 0 and predicted.output.count(text) == 1, predicted.output


def test_fit_and_predict_warn_when_the_catalogue_gives_no_oiii(unlabelled_csv, model_dir, tmp_path):
    """A red-only catalogue (no [OIII]): both commands say HII and SNR are not separable, and still work."""
    table = Table.read(unlabelled_csv)
    table.remove_columns([c for c in table.colnames if "OIII" in c.upper()])
    red = tmp_path / "red_only.csv"
    table.write(red)
    model = tmp_path / "m"
    fitted = runner.invoke(app, ["fit", "--target", str(red), "--out", str(model), "--n-steps", "20",
                                 "--members", "1", "--seed", "0"])
    assert fitted.exit_code == 0, fitted.output
    warning = "WARNING: no ratio with [OIII]5007"
    assert warning in fitted.output
    predicted = runner.invoke(app, ["predict", str(red), "--model", str(model), "--out", str(tmp_path / "p.csv")])
    assert predicted.exit_code == 0, predicted.output
    assert warning in predicted.output
    out = Table.read(tmp_path / "p.csv")
    assert len(out) == len(table)
    # dust-corrected rows given relative to Hbeta without Halpha (Ho 2019): Halpha from case B, classified
    ratios_to_hbeta = np.asarray(table["DUST_CORRECTED"], bool) & np.ma.getmaskarray(table["HA6562_FLUX"]) \
        & ~np.ma.getmaskarray(table["HB4861_FLUX"]) & ~np.ma.getmaskarray(table["NII6583_FLUX"])
    assert ratios_to_hbeta.sum() >= 90
    assert all("caseB:HA6562" in str(f) for f in out["flag"][ratios_to_hbeta])
    assert not np.ma.getmaskarray(out["pred_class"])[ratios_to_hbeta].any()
    # the warning follows the model's features, not the catalogue: a model with [OIII] gives none
    full = runner.invoke(app, ["predict", str(unlabelled_csv), "--model", str(model_dir), "--out", str(tmp_path / "q.csv")])
    assert full.exit_code == 0, full.output
    assert warning not in full.output


@pytest.mark.parametrize("lost, flag, warning", [
    (("NII", "SII", "OI6300"), "oiii_only", "give only [OIII] ratios"),
    (("OIII", "SII", "OI6300"), "nii_only", "give only [NII]/Halpha"),
])
def test_predict_warns_when_many_rows_give_only_one_line(unlabelled_csv, model_dir, tmp_path, lost, flag, warning):
    """Rows that lose every other line are flagged (oiii_only: no [NII] and [SII]; nii_only: no [OIII] and [SII]);
    from 10 % of the rows with a ratio fit, predict and the report warn."""
    table = Table.read(unlabelled_csv)
    for name in table.colnames:
        if name.upper().startswith(lost):
            table[name] = np.where(np.arange(len(table)) % 4 == 0, np.nan, np.asarray(table[name], dtype=float))
    path = tmp_path / "faint.csv"
    table.write(path)
    result = runner.invoke(app, ["predict", str(path), "--model", str(model_dir), "--out", str(tmp_path / "p.csv"),
                                 "--report", str(tmp_path / "rep")])
    assert result.exit_code == 0, result.output
    out = Table.read(tmp_path / "p.csv")
    flagged = np.array([flag in str(f).split(";") for f in out["flag"]])
    stripped = np.arange(len(table)) % 4 == 0
    assert len(out) == len(table) and flagged.sum() >= 0.1 * (out["pred_class"] != "").sum()
    assert flagged[~stripped].sum() <= flagged[stripped].sum() and (out["pred_class"][flagged] != "").all()
    assert warning in result.output and flag in result.output
    assert warning in (tmp_path / "rep" / "report.html").read_text()
    clean = runner.invoke(app, ["predict", str(unlabelled_csv), "--model", str(model_dir), "--out", str(tmp_path / "q.csv")])
    assert clean.exit_code == 0 and warning not in clean.output
    fitted = runner.invoke(app, ["fit", "--target", str(path), "--out", str(tmp_path / "m"), "--n-steps", "20",
                                 "--members", "1", "--seed", "0"])
    assert fitted.exit_code == 0 and warning in fitted.output, fitted.output


def test_predict_uses_upper_limits_as_asked_and_alike_streamed_or_in_memory(unlabelled_csv, model_dir, tmp_path):
    table = Table.read(unlabelled_csv)
    limited = np.arange(len(table)) < 40
    for line in ("SII6716", "SII6730"):  # the first 40 rows give [SII] as an upper limit at 2 % of Halpha
        table[f"{line}_FLUX"] = np.where(limited, 0.02 * table["HA6562_FLUX"], table[f"{line}_FLUX"])
        table[f"{line}_FLUX_UPPER"] = limited
    table.remove_columns([c for c in table.colnames if c.startswith("SII6716_6730")])
    catalogue = tmp_path / "limits.csv"
    table.write(catalogue)
    outputs = {}
    for name, extra in (("missing", ["--limits", "missing"]), ("default", []), ("nearest", ["--limits", "nearest"]),
                        ("in_memory", ["--format", "phangs"])):  # fmt: skip
        out = tmp_path / f"{name}.csv"
        result = runner.invoke(app, ["predict", str(catalogue), "--model", str(model_dir), "--out", str(out), *extra])
        assert result.exit_code == 0, result.output
        outputs[name] = Table.read(out)
    missing, default = outputs["missing"], outputs["default"]
    assert len(default) == len(table)
    assert not any("limit_used" in str(f) for f in missing["flag"])  # --limits missing: a limit is a missing line
    used = np.array(["limit_used:SII6716_6730" in str(f) for f in default["flag"]])
    halpha = np.asarray(table["HA6562_FLUX"], dtype=float)
    assert used[~limited].sum() == 0 and used[limited].sum() > 0 and not np.any(used & ~(halpha > 0))
    snr = {name: np.asarray(t["prob_SNR"], dtype=float) for name, t in outputs.items()}
    assert np.array_equal(snr["default"][~limited], snr["missing"][~limited], equal_nan=True)
    assert snr["default"][used].mean() < snr["missing"][used].mean()  # [SII] below 0.04 of Halpha: hardly an SNR
    assert not np.allclose(snr["nearest"][used], snr["default"][used])
    for column in ("pred_class", "prob_HII", "prob_PN", "prob_SNR", "flag"):  # streamed == read in memory
        assert np.array_equal(np.asarray(default[column]), np.asarray(outputs["in_memory"][column])), column
    refused = runner.invoke(app, ["predict", str(catalogue), "--model", str(model_dir), "--out", str(tmp_path / "x.csv"),
                                  "--limits", "sometimes"])  # fmt: skip
    assert refused.exit_code == 2
