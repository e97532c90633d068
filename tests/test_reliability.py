"""Reliability and security: every row back, bad input named, safe model files.

One section per item of the reliability issue:

1. Row accounting: every input row comes back once, in order, with a class or a flag.
2. Bad input: a one-line error naming the file, the column and the fix; exit code 2.
3. Atomic outputs: no partial output, no overwrite without ``--overwrite``.
4. Model files are data only: checksummed safetensors + JSON; pickle is never loaded.
5. Determinism: same seed, same bytes (chunk-size invariance of the streaming
   ``predict`` is tested with the streaming code).

Item 6 (fuzzing) lives in ``tests/fuzz/``. CLI tests share one model fitted once
(``nebuladapt fit --n-steps 30``) on the messy catalogue below.
"""

from __future__ import annotations

import builtins
import hashlib
import json
import pickle

import numpy as np
import pytest
from astropy import units as u
from astropy.table import Table
from typer.testing import CliRunner

from nebuladapt import CLASSES
from nebuladapt.catalogs import CatalogError, LineCatalog, read_catalog
from nebuladapt.cli import app
from nebuladapt.features import EXTRA_RATIOS, FeatureSpec, default_feature_spec
from nebuladapt.models import ModelFileError, NebulaClassifier, load_model, save_model
from nebuladapt.catalogs.usage import check_catalog_lines
from nebuladapt.models.persistence import CARD_FILE, CARD_FORMAT, WEIGHTS_FILE
from nebuladapt.output import write_table
from nebuladapt.predict import AMBIGUOUS, classify_catalog

runner = CliRunner()
NAN, INF = np.nan, np.inf
WRITE_FORMATS = {".csv": "ascii.csv", ".ecsv": "ascii.ecsv", ".fits": "fits",
                 ".parquet": "parquet"}


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def error_line(result) -> str:
    """The single ``error:`` line of a failed command (no traceback)."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, result.output
    return lines[0]


def assert_prediction_refused(model_dir, catalogue, out, fragments) -> None:
    """``predict`` fails with one error line holding every fragment, and writes nothing."""
    line = error_line(invoke("predict", catalogue, "--model", model_dir, "--out", out))
    for fragment in fragments:
        assert fragment in line, (fragment, line)
    assert not out.exists()


def messy_table() -> Table:
    """Seven rows with the per-row problems of real survey catalogues."""
    rows = [
        # ID, HA, HB, OIII, OIII_err, NII, NII upper, SII6716, SII6730, HB_err
        (1, 300.0, 100.0, 500.0, 10.0, 30.0, False, 20.0, 15.0, 5.0),  # clean
        (2, 286.0, 100.0, 50.0, 30.0, 100.0, False, 30.0, 20.0, 5.0),  # low S/N [OIII]
        (2, 290.0, NAN, 10.0, 1.0, 20.0, False, 10.0, 8.0, NAN),  # duplicated ID, no Hbeta
        (4, 100.0, 0.0, -1.0, 1.0, 20.0, False, 5.0, 4.0, 1.0),  # zero Hbeta, negative [OIII]
        (5, INF, 100.0, 300.0, 0.0, 20.0, True, 5.0, 4.0, -1.0),  # inf, zero/neg errors, limit
        (6, NAN, NAN, NAN, NAN, NAN, False, NAN, NAN, NAN),  # nothing measured
        (7, 300.0, 100.0, 300.0, INF, 40.0, False, -5.0, 4.0, 2.0),  # negative [SII], inf error
    ]
    cols = list(zip(*rows))
    return Table(
        {
            "ID": np.array(cols[0]),
            "row": np.arange(len(rows)),
            "HA6562_FLUX": cols[1],
            "HB4861_FLUX": cols[2],
            "HB4861_FLUX_ERR": cols[9],
            "OIII5006_FLUX": cols[3],
            "OIII5006_FLUX_ERR": cols[4],
            "NII6583_FLUX": cols[5],
            "NII6583_FLUX_UPPER": np.array(cols[6]),
            "SII6716_FLUX": cols[7],
            "SII6730_FLUX": cols[8],
            "name": ["a", "b", "c", "d", "e", "f", "g"],
        }
    )


#: Flags each messy row must carry (others may be added, e.g. ``off_grid``).
MESSY_FLAGS = [
    set(),
    {"low_snr:OIII5006"},
    {"missing:HB4861"},
    {"nonpositive:HB4861", "nonpositive:OIII5006"},
    {"missing:HA6562", "upper_limit:NII6583", "bad_err:OIII5006", "bad_err:HB4861"},
    {"unclassified:no_usable_ratio", "missing:OIII5006"},
    {"nonpositive:SII6716_6730", "bad_err:OIII5006"},
]


def write(table: Table, path):
    table.write(path, format=WRITE_FORMATS[path.suffix], overwrite=True)
    return path


@pytest.fixture(scope="module")
def messy_csv(tmp_path_factory):
    return write(messy_table(), tmp_path_factory.mktemp("messy") / "messy.csv")


@pytest.fixture(scope="module")
def model_dir(messy_csv, tmp_path_factory):
    """A cheap model, fitted once through the CLI on the messy catalogue itself."""
    out = tmp_path_factory.mktemp("model") / "m"
    result = invoke("fit", "--target", messy_csv, "--out", out, "--n-steps", 30, "--seed", 1)
    assert result.exit_code == 0, result.output
    return out


def flags_of(table: Table) -> list[set[str]]:
    return [set(filter(None, str(f).split(";"))) if not np.ma.is_masked(f) else set()
            for f in table["flag"]]


def classes_of(table: Table) -> list[str]:
    return ["" if np.ma.is_masked(c) else str(c) for c in table["pred_class"]]


def copy_model(model_dir, tmp_path):
    import shutil

    return shutil.copytree(model_dir, tmp_path / "model_copy")


# =============================================================================
# 1. Row accounting: every row back, once, in order, with a class or a flag
# =============================================================================
@pytest.mark.parametrize("suffix", [".csv", ".fits", ".parquet"])
def test_every_row_back_once_in_order_with_class_or_flag(model_dir, tmp_path, suffix):
    source = write(messy_table(), tmp_path / f"messy{suffix}")
    out = tmp_path / f"pred{suffix}"
    result = invoke("predict", source, "--model", model_dir, "--out", out)
    assert result.exit_code == 0, result.output
    pred = Table.read(out)
    assert len(pred) == 7
    assert list(pred["row"]) == list(range(7))  # in order, none lost or repeated
    assert list(pred["ID"]) == [1, 2, 2, 4, 5, 6, 7]  # duplicated IDs kept
    assert list(pred["name"]) == list("abcdefg")
    classes, flags = classes_of(pred), flags_of(pred)
    for i, (cls, row_flags, expected) in enumerate(zip(classes, flags, MESSY_FLAGS)):
        assert cls in CLASSES or (cls == "" and row_flags), (i, cls, row_flags)
        assert expected <= row_flags, (i, expected, row_flags)
    assert classes[5] == "" and all(classes[i] in CLASSES for i in (0, 1, 2, 3, 4, 6))
    # the summary: rows in, classified, flagged by reason
    assert "rows in: 7" in result.output and "classified: 6" in result.output
    for reason in ("missing", "nonpositive", "bad_err", "low_snr", "upper_limit", "unclassified"):
        assert reason in result.output


def test_upper_limits_written_as_text_are_flags(model_dir, tmp_path):
    path = tmp_path / "limits.csv"
    path.write_text(
        "ID,HA6562_FLUX,HB4861_FLUX,OIII5006_FLUX,NII6583_FLUX,SII6716_6730_FLUX\n"
        "1,300,100,500,<30,20\n"
        "2,300,100,< 5e1,60,n/a\n"
        "3,300,100,200,40,\n"
    )
    out = tmp_path / "pred.csv"
    result = invoke("predict", path, "--model", model_dir, "--out", out)
    assert result.exit_code == 0, result.output
    pred = Table.read(out)
    flags = flags_of(pred)
    assert "upper_limit:NII6583" in flags[0] and "missing:NII6583" in flags[0]
    assert "upper_limit:OIII5006" in flags[1] and "missing:SII6716_6730" in flags[1]
    assert flags[2] - {AMBIGUOUS} == {"missing:SII6716_6730"}  # its class may also be ambiguous (a tiny test model)
    assert all(c in CLASSES for c in classes_of(pred))


def test_a_line_absent_for_the_whole_catalogue_is_a_flag(model_dir, tmp_path):
    table = messy_table()[:2]
    table.remove_columns(["SII6716_FLUX", "SII6730_FLUX", "NII6583_FLUX", "NII6583_FLUX_UPPER"])
    out = tmp_path / "pred.parquet"
    result = invoke("predict", write(table, tmp_path / "no_sii.csv"), "--model", model_dir,
                    "--out", out)
    assert result.exit_code == 0, result.output
    pred = Table.read(out)
    assert all({"missing:SII6716_6730", "missing:NII6583"} <= f for f in flags_of(pred))
    assert all(c in CLASSES for c in classes_of(pred))  # from [OIII]/Hbeta alone


def test_one_row_with_nothing_measured(model_dir, tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("ID,HA6562_FLUX,HB4861_FLUX,OIII5006_FLUX,NII6583_FLUX,SII6716_FLUX,SII6730_FLUX\n9,nan,,,,,\n")
    out = tmp_path / "pred.csv"
    result = invoke("predict", path, "--model", model_dir, "--out", out)
    assert result.exit_code == 0, result.output
    pred = Table.read(out)
    assert len(pred) == 1 and classes_of(pred) == [""]
    assert "unclassified:no_usable_ratio" in flags_of(pred)[0]


# =============================================================================
# 2. Bad input: one-line error naming the file, the column and the fix
# =============================================================================
def _file(name, content: str | bytes):
    def build(tmp_path):
        path = tmp_path / name
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)
        return path
    return build


def _table(name, table):
    def build(tmp_path):
        return write(table() if callable(table) else table, tmp_path / name)
    return build


def _truncated(name):
    def build(tmp_path):
        full = write(messy_table(), tmp_path / f"full{name[name.index('.'):]}")
        data = full.read_bytes()
        path = tmp_path / name
        path.write_bytes(data[: len(data) // 2 + 7])
        return path
    return build


def _fluxes(**units):
    def table():
        columns = {"HA6562_FLUX": [300.0, 280.0], "HB4861_FLUX": [100.0, 90.0],
                   "OIII5006_FLUX": [50.0, 40.0], "HA6562_FLUX_ERR": [3.0, 3.0]}
        out = Table()
        for name, values in columns.items():
            unit = units.get(name)
            out[name] = values
            if unit is not None:
                out[name].unit = unit
        return out
    return table


def _fits_units(name, **units):
    """A FITS file whose TUNIT strings are written verbatim (as other software does)."""
    def build(tmp_path):
        from astropy.io import fits

        columns = [fits.Column(name=column, format="D", unit=unit, array=np.array([3.0, 1.0]))
                   for column, unit in units.items()]
        path = tmp_path / name
        fits.BinTableHDU.from_columns(columns).writeto(path)
        return path
    return build


FLUX = u.erg / u.s / u.cm**2
#: (case, builder, fragments the one-line message must contain: file, column, fix)
BAD_CATALOGUES = [
    ("no line columns", _file("cols.csv", "ra,dec\n1,2\n"),
     ["cols.csv", "no emission-line column", "['ra', 'dec']", "name columns"]),
    ("empty file", _file("empty.csv", ""), ["empty.csv", "empty", "check that the file"]),
    ("header only", _file("header.csv", "HA6562_FLUX,HB4861_FLUX\n"),
     ["header.csv", "no rows", "check that the file"]),
    ("empty Parquet", _table("empty.parquet", lambda: messy_table()[:0]),
     ["empty.parquet", "no rows"]),
    ("empty FITS table", _table("empty.fits", lambda: messy_table()[:0]),
     ["empty.fits", "no rows"]),
    ("ratio header only", _file("ratios.csv", "OIII5007/Hbeta,NII6583/Halpha\n"),
     ["ratios.csv", "no rows"]),
    ("truncated FITS", _truncated("cut.fits"), ["cut.fits", "corrupt or truncated", "re-export"]),
    ("truncated Parquet", _truncated("cut.parquet"),
     ["cut.parquet", "corrupt or truncated", "re-export"]),
    ("not a FITS file", _file("junk.fits", b"SIMPLE? no" * 300),
     ["junk.fits", "corrupt or truncated"]),
    ("not a Parquet file", _file("junk.parquet", b"\x00\x01PAR" * 100),
     ["junk.parquet", "corrupt or truncated"]),
    ("non-numeric flux", _file("text.csv", "HA6562_FLUX,HB4861_FLUX\n300,100\n280,~90\n"),
     ["text.csv", "'HB4861_FLUX'", "row 1", "'~90'", "fix its values"]),
    ("bool flux column", _table("bool.fits", Table({"HA6562_FLUX": [True], "HB4861_FLUX": [1.0]})),
     ["bool.fits", "'HA6562_FLUX'", "should hold numbers"]),
    ("two columns for one line", _file("dup.csv", "HA6562_FLUX,Halpha_FLUX\n1,2\n"),
     ["dup.csv", "'HA6562_FLUX'", "'Halpha_FLUX'", "rename one"]),
    ("bad upper-limit flag", _file("upper.csv", "HA6562_FLUX,NII6583_FLUX,NII6583_FLUX_UPPER\n"
                                   "1,2,maybe\n"),
     ["upper.csv", "'NII6583_FLUX_UPPER'", "'maybe'", "True/False"]),
    ("bad dust flag", _file("dust.csv", "HA6562_FLUX,HB4861_FLUX,DUST_CORRECTED\n1,2,perhaps\n"),
     ["dust.csv", "DUST_CORRECTED", "True/False"]),
    ("incompatible units", _table("units.fits", _fluxes(HA6562_FLUX=u.Jy, HB4861_FLUX=FLUX,
                                                        OIII5006_FLUX=FLUX)),
     ["units.fits", "'HA6562_FLUX'", "'Jy'", "HB4861_FLUX", "compatible units"]),
    ("log unit", _fits_units("log.fits", HA6562_FLUX="log(erg/s/cm2)",
                             HB4861_FLUX="log(erg/s/cm2)"),
     ["log.fits", "'HA6562_FLUX'", "logarithmic", "linear line fluxes"]),
    ("dex unit", _table("dex.ecsv", _fluxes(HA6562_FLUX=u.dex(FLUX), HB4861_FLUX=u.dex(FLUX),
                                            OIII5006_FLUX=u.dex(FLUX))),
     ["dex.ecsv", "'HA6562_FLUX'", "logarithmic", "linear line fluxes"]),
    ("unparsable different units", _fits_units("odd.fits", HA6562_FLUX="erg/s/cm2/spaxel",
                                               HB4861_FLUX="counts/spaxel"),
     ["odd.fits", "'HB4861_FLUX'", "'HA6562_FLUX'", "compatible units"]),
    ("flux without unit among fluxes with", _table("mixed.fits", _fluxes(HA6562_FLUX=FLUX,
                                                                         HB4861_FLUX=FLUX)),
     ["mixed.fits", "'OIII5006_FLUX' has no unit", "same unit"]),
    ("error unit not its flux's", _table("err.fits", _fluxes(
        HA6562_FLUX=FLUX, HB4861_FLUX=FLUX, OIII5006_FLUX=FLUX, HA6562_FLUX_ERR=u.km / u.s)),
     ["err.fits", "'HA6562_FLUX_ERR'", "its flux column 'HA6562_FLUX'", "compatible units"]),
    ("ratio column with a flux unit", _table("ratio_unit.fits", lambda: Table(
        {"OIII5007/Hbeta": [3.0] * u.Jy, "NII6583/Halpha": [0.3]})),
     ["ratio_unit.fits", "'OIII5007/Hbeta'", "no unit"]),
    ("missing file", lambda tmp_path: tmp_path / "nowhere.csv",
     ["nowhere.csv", "file not found", "check the path"]),
    ("unknown extension", _file("cat.xlsx", "x"), ["cat.xlsx", "extension", ".csv"]),
    ("malformed line list", _file("obj.dat", "# PN\n4861.33 100 2\n6562.8 abc\n"),
     ["obj.dat:3", "not a number", "comment it out"]),
    ("binary line list", _file("bin.dat", bytes(range(256))), ["bin.dat", "not a text line list"]),
    ("line list with no known line", _file("far.dat", "1234.5 10\n8000 3\n"),
     ["far.dat", "no data row matches a known emission line", "Angstrom"]),
    ("prediction column already there", _file("flagged.csv", "HA6562_FLUX,HB4861_FLUX,flag\n1,2,x\n"),
     ["flagged.csv", "flag", "rename or remove"]),
]


def _case_id(case):
    return (case.values if hasattr(case, "values") else case)[0]


@pytest.mark.parametrize("case,build,fragments", BAD_CATALOGUES, ids=map(_case_id, BAD_CATALOGUES))
def test_bad_catalogue_is_a_one_line_error(model_dir, tmp_path, case, build, fragments):
    assert_prediction_refused(model_dir, build(tmp_path), tmp_path / "pred.csv", fragments)


def _card_edit(edit):
    def build(model_dir, tmp_path):
        directory = copy_model(model_dir, tmp_path)
        card = json.loads((directory / CARD_FILE).read_text())
        edit(card)
        (directory / CARD_FILE).write_text(json.dumps(card))
        return directory
    return build


def _file_edit(name, content):
    def build(model_dir, tmp_path):
        directory = copy_model(model_dir, tmp_path)
        if content is None:
            (directory / name).unlink()
        else:
            (directory / name).write_bytes(content)
        return directory
    return build


def _flip_last_byte(model_dir, tmp_path):
    directory = copy_model(model_dir, tmp_path)
    data = bytearray((directory / WEIGHTS_FILE).read_bytes())
    data[-1] ^= 0x01
    (directory / WEIGHTS_FILE).write_bytes(bytes(data))
    return directory


BAD_MODELS = [
    ("not a model directory", lambda model_dir, tmp_path: tmp_path,
     ["no model.json", "nebuladapt model directory"]),
    ("another format version", _card_edit(lambda c: c.update(format=0)),
     ["model.json", "format 0", "re-run `nebuladapt fit`"]),
    ("card not JSON", _file_edit(CARD_FILE, b"{not json"), ["model.json", "not valid JSON"]),
    ("card without scaler", _card_edit(lambda c: c.pop("scaler")),
     ["model.json", "['scaler'] missing", "re-run"]),
    ("features with an unknown line", _card_edit(lambda c: c.update(
        feature_spec={"ratios": [["FEII5159", "HB4861"]]}, lines=["FEII5159", "HB4861"])),
     ["model.json", "FEII5159", "does not know"]),
    ("lines not the features'", _card_edit(lambda c: c.update(lines=c["lines"][::-1])),
     ["model.json", "do not match the features"]),
    ("scaler of other features", _card_edit(lambda c: c["scaler"].update(mean=[0.0])),
     ["model.json", "scaler"]),
    ("unknown class", _card_edit(lambda c: c.update(classes=["HII", "AGN", "SNR"])),
     ["model.json", "AGN"]),
    ("network of other size", _card_edit(lambda c: c["params"].update(hidden=[32, 32])),
     ["weights.safetensors", "do not fit the network"]),
    ("tampered weights", _flip_last_byte, ["weights.safetensors", "checksum", "refusing"]),
    ("no weights", _file_edit(WEIGHTS_FILE, None), ["no weights.safetensors"]),
]


@pytest.mark.parametrize("case,build,fragments", BAD_MODELS, ids=[c[0] for c in BAD_MODELS])
def test_bad_model_directory_is_a_one_line_error(model_dir, messy_csv, tmp_path, case, build,
                                                 fragments):
    assert_prediction_refused(build(model_dir, tmp_path), messy_csv, tmp_path / "pred.csv", fragments)


def other_lines_catalogue(tmp_path):
    return write(Table({"ID": [1, 2], "OI6300_FLUX": [3.0, 4.0], "HB4861_FLUX": [1.0, 1.0]}),
                 tmp_path / "other_lines.csv")


def test_catalogue_without_the_models_lines_is_named(model_dir, tmp_path):
    catalog = read_catalog(other_lines_catalogue(tmp_path))
    model = load_model(model_dir)
    with pytest.raises(ModelFileError) as info:
        check_catalog_lines(model, catalog, model_dir)
    message = str(info.value)
    for fragment in ("other_lines.csv", str(model_dir), "OIII5006/HB4861", "HA6562", "_FLUX"):
        assert fragment in message
    # a model with an extra ratio the catalogue lacks: rows use the ratios it has
    messy = read_catalog(write(messy_table(), tmp_path / "m.csv"))
    assert check_catalog_lines(FeatureSpec(default_feature_spec().ratios + EXTRA_RATIOS[:1]),
                               messy) == ["OI6300"]
    assert check_catalog_lines(model, messy) == []


def test_predict_refuses_catalogue_without_the_models_lines(model_dir, tmp_path):
    out = tmp_path / "pred.csv"
    line = error_line(invoke("predict", other_lines_catalogue(tmp_path), "--model", model_dir,
                             "--out", out))
    assert "other_lines.csv" in line and "missing lines" in line
    assert not out.exists()


def test_fit_refuses_catalogue_without_the_feature_lines(tmp_path):
    out = tmp_path / "m"
    line = error_line(invoke("fit", "--target", other_lines_catalogue(tmp_path), "--out", out,
                             "--n-steps", 5))
    assert "other_lines.csv" in line and "missing lines" in line and "_FLUX" in line
    assert not out.exists()


FIT_CASES = [BAD_CATALOGUES[i] for i in (0, 1, 3)]


@pytest.mark.parametrize("case,build,fragments", FIT_CASES, ids=map(_case_id, FIT_CASES))
def test_fit_bad_catalogue_is_a_one_line_error(tmp_path, case, build, fragments):
    out = tmp_path / "m"
    line = error_line(invoke("fit", "--target", build(tmp_path), "--out", out, "--n-steps", 5))
    assert all(fragment in line for fragment in fragments), line
    assert not out.exists()


def test_unknown_output_extension_is_a_one_line_error(model_dir, messy_csv, tmp_path):
    line = error_line(invoke("predict", messy_csv, "--model", model_dir,
                             "--out", tmp_path / "out.xlsx"))
    assert "out.xlsx" in line and ".csv" in line


def test_errors_are_text_not_markup(model_dir, tmp_path):
    """Brackets in messages ([bold], [NII]) are printed, not eaten by the console."""
    path = _file("brackets.csv", "a,[bold],[/]\n1,2,3\n")(tmp_path)
    line = error_line(invoke("predict", path, "--model", model_dir, "--out", tmp_path / "o.csv"))
    assert "brackets.csv" in line and "'[bold]', '[/]'" in line


def test_a_file_name_with_brackets_is_read(model_dir, tmp_path):
    path = write(messy_table(), tmp_path / "obj[1].csv")
    result = invoke("predict", path, "--model", model_dir, "--out", tmp_path / "o.csv")
    assert result.exit_code == 0, result.output


# =============================================================================
# 3. Atomic outputs: nothing partial, nothing overwritten without --overwrite
# =============================================================================
def test_predict_keeps_an_existing_output_unless_overwrite(model_dir, messy_csv, tmp_path):
    out = tmp_path / "pred.csv"
    out.write_text("keep me")
    line = error_line(invoke("predict", messy_csv, "--model", model_dir, "--out", out))
    assert "pred.csv" in line and "--overwrite" in line
    assert out.read_text() == "keep me"
    result = invoke("predict", messy_csv, "--model", model_dir, "--out", out, "--overwrite")
    assert result.exit_code == 0, result.output
    assert len(Table.read(out)) == 7
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pred.csv"]


@pytest.mark.parametrize("failure", [RuntimeError("boom"), KeyboardInterrupt()])
def test_predict_failure_midway_leaves_nothing(model_dir, messy_csv, tmp_path, monkeypatch, failure):
    from nebuladapt.models import inference

    def explode(*args, **kwargs):
        raise failure

    monkeypatch.setattr(inference, "forward_logits", explode)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    for existing in (False, True):
        out = out_dir / "pred.parquet"
        if existing:
            out.write_bytes(b"previous result")
        args = ["predict", messy_csv, "--model", model_dir, "--out", out] + (
            ["--overwrite"] if existing else [])
        assert invoke(*args).exit_code != 0  # click turns Ctrl-C into "Aborted!", exit 1
        expected = ["pred.parquet"] if existing else []
        assert sorted(p.name for p in out_dir.iterdir()) == expected  # no temporary files
        if existing:
            assert out.read_bytes() == b"previous result"


def test_bad_value_in_a_later_chunk_leaves_no_partial_output(model_dir, tmp_path):
    path = tmp_path / "late.csv"
    path.write_text("ID,HA6562_FLUX,HB4861_FLUX,OIII5006_FLUX\n"
                    + "".join(f"{i},300,100,50\n" for i in range(10)) + "10,300,abc,50\n")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    line = error_line(invoke("predict", path, "--model", model_dir, "--out", out_dir / "pred.csv",
                             "--chunk-size", 4))
    assert "late.csv" in line and "'HB4861_FLUX'" in line and "'abc'" in line
    assert list(out_dir.iterdir()) == []  # neither the output nor a temporary file


@pytest.mark.parametrize("failure", [OSError("disk full"), KeyboardInterrupt()])
def test_write_table_interrupted_leaves_no_partial_file(tmp_path, monkeypatch, failure):
    def half_write(self, path, **kwargs):
        with open(path, "w") as handle:
            handle.write("a,b\n1,")
        raise failure

    monkeypatch.setattr(Table, "write", half_write)
    out = tmp_path / "out.csv"
    with pytest.raises(type(failure)):
        write_table(Table({"a": [1]}), out)
    assert list(tmp_path.iterdir()) == []
    out.write_text("old")
    with pytest.raises(type(failure)):
        write_table(Table({"a": [1]}), out, overwrite=True)
    assert out.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_fit_keeps_an_existing_model_dir_unless_overwrite(messy_csv, tmp_path):
    out = tmp_path / "m"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    line = error_line(invoke("fit", "--target", messy_csv, "--out", out, "--n-steps", 5))
    assert str(out) in line and "--overwrite" in line
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


@pytest.mark.parametrize("failure", [RuntimeError("boom"), KeyboardInterrupt()])
def test_fit_interrupted_leaves_no_model_dir(messy_csv, tmp_path, monkeypatch, failure):
    import nebuladapt.models.fitting as fitting

    def explode(*args, **kwargs):
        raise failure

    monkeypatch.setattr(fitting, "fit_on_catalog", explode)
    out = tmp_path / "m"
    assert invoke("fit", "--target", messy_csv, "--out", out).exit_code != 0
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def toy_model(model_dir):
    return load_model(model_dir)


def test_save_model_is_atomic_and_never_clobbers(toy_model, tmp_path, monkeypatch):
    import nebuladapt.models.persistence as persistence

    target = tmp_path / "m"
    save_model(toy_model, target, extra={"run": 1})
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    with pytest.raises(FileExistsError, match="overwrite"):
        save_model(toy_model, target, extra={"run": 2})
    real_write = persistence._write_synced

    def fail_on_card(path, data):
        if path.name == CARD_FILE:
            with open(path, "wb") as handle:
                handle.write(data[:10])  # half-written card
            raise KeyboardInterrupt
        real_write(path, data)

    monkeypatch.setattr(persistence, "_write_synced", fail_on_card)
    for directory in (target, tmp_path / "fresh"):
        with pytest.raises(KeyboardInterrupt):
            save_model(toy_model, directory, extra={"run": 3}, overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]  # no staging dir, no 'fresh'
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before
    monkeypatch.setattr(persistence, "_write_synced", real_write)
    save_model(toy_model, target, extra={"run": 4}, overwrite=True)
    assert json.loads((target / CARD_FILE).read_text())["run"] == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]
    load_model(target)


# =============================================================================
# 4. Model files are data only
# =============================================================================
class _Payload:
    """Unpickling this runs code: it creates the file named in ``path``."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (builtins.open, (self.path, "w"))


def test_pickle_bearing_weights_are_never_loaded(model_dir, messy_csv, tmp_path):
    directory = copy_model(model_dir, tmp_path)
    sentinel = tmp_path / "pickle_ran"
    payload = pickle.dumps(_Payload(sentinel))
    (directory / WEIGHTS_FILE).write_bytes(payload)
    card = json.loads((directory / CARD_FILE).read_text())
    card["weights_sha256"] = hashlib.sha256(payload).hexdigest()  # even with a matching checksum
    (directory / CARD_FILE).write_text(json.dumps(card))
    line = error_line(invoke("predict", messy_csv, "--model", directory, "--out",
                             tmp_path / "o.csv"))
    assert "weights.safetensors" in line and "not a safetensors file" in line
    assert not sentinel.exists()
    # and a pickle lying beside the model (the usual torch.save / joblib file) is ignored
    save = copy_model(model_dir, tmp_path / "again")
    for name in ("model.pkl", "model.pt", "weights.bin", "scaler.joblib"):
        (save / name).write_bytes(payload)
    assert invoke("predict", messy_csv, "--model", save, "--out", tmp_path / "o.csv").exit_code == 0
    assert not sentinel.exists()


def test_loading_never_calls_an_unpickler(model_dir, monkeypatch):
    import torch

    def forbidden(*args, **kwargs):
        raise AssertionError("an unpickler was called while loading a model")

    for module, name in ((pickle, "load"), (pickle, "loads"), (pickle, "Unpickler"),
                         (torch, "load"), (np, "load")):
        monkeypatch.setattr(module, name, forbidden)
    model = load_model(model_dir)
    assert model.predict(np.array([[3.0, 1.0, 0.3, 2.86, 0.3]]))[0] in CLASSES


def test_weights_of_another_model_are_refused(model_dir, tmp_path):
    import torch

    other_model = load_model(model_dir)
    with torch.no_grad():
        for tensor in other_model.network_.parameters():
            tensor.add_(0.5)  # another model of the same shape
    other = save_model(other_model, tmp_path / "other")
    directory = copy_model(model_dir, tmp_path)
    (directory / WEIGHTS_FILE).write_bytes((other / WEIGHTS_FILE).read_bytes())
    with pytest.raises(ModelFileError, match="checksum"):
        load_model(directory)


def test_card_records_features_lines_format_and_checksum(model_dir):
    card = json.loads((model_dir / CARD_FILE).read_text())
    assert card["format"] == CARD_FORMAT and card["weights_file"] == WEIGHTS_FILE
    assert card["lines"] == default_feature_spec().lines
    assert card["feature_spec"] == default_feature_spec().to_dict()
    assert card["weights_sha256"] == hashlib.sha256((model_dir / WEIGHTS_FILE).read_bytes()).hexdigest()
    assert sorted(p.name for p in model_dir.iterdir()) == sorted([WEIGHTS_FILE, CARD_FILE])


# =============================================================================
# 5. Determinism: same seed on CPU, same bytes
# =============================================================================
@pytest.mark.parametrize("suffix", [".csv", ".fits", ".parquet"])
def test_two_predict_runs_give_identical_bytes(model_dir, messy_csv, tmp_path, suffix):
    paths = [tmp_path / f"run{i}{suffix}" for i in (1, 2)]
    for path in paths:
        assert invoke("predict", messy_csv, "--model", model_dir, "--out", path).exit_code == 0
    assert paths[0].read_bytes() == paths[1].read_bytes()


def test_same_seed_same_weights_and_predictions():
    rng = np.random.default_rng(3)
    X = np.abs(rng.normal(1.0, 0.5, (200, 5)))
    y = np.array(["HII", "PN", "SNR"])[rng.integers(0, 3, 200)]
    fits = [NebulaClassifier(method="dann", n_steps=4, batch_size=32, random_state=7).fit(
        np.vstack([X, X[:50] * 1.1]), np.concatenate([y, np.full(50, -1, dtype=object)]),
        sample_domain=np.r_[np.ones(200, int), -np.ones(50, int)]) for _ in range(2)]
    states = [{k: v.numpy().tobytes() for k, v in f.network_.state_dict().items()} for f in fits]
    assert states[0] == states[1]
    assert fits[0].predict_proba(X).tobytes() == fits[1].predict_proba(X).tobytes()


def test_predictions_do_not_depend_on_which_rows_come_together(model_dir):
    """A row's prediction is the same alone, in a chunk, or in the whole table."""
    toy_model = load_model(model_dir)
    rng = np.random.default_rng(5)
    n = 41
    flux = {line: np.abs(rng.normal(1.0, 0.6, n)) for line in toy_model.lines_}
    flux["HB4861"][::7] = np.nan
    catalog = LineCatalog(Table({"i": np.arange(n)}), flux)
    whole = classify_catalog(catalog, toy_model)
    for size in (1, 8, 32):
        for start in range(0, min(n, 8 * size), size):
            rows = slice(start, start + size)
            part = LineCatalog(catalog.table[rows], {k: v[rows] for k, v in flux.items()})
            chunk = classify_catalog(part, toy_model)
            for column in ("pred_class", "flag"):
                assert list(chunk[column]) == list(whole[column][rows])
            for cls in CLASSES:
                assert chunk[f"prob_{cls}"].data.tobytes() == whole[f"prob_{cls}"][rows].data.tobytes()


def test_reader_errors_are_catalog_errors(tmp_path):
    """Library callers get CatalogError (a ValueError) for every bad catalogue above."""
    for entry in BAD_CATALOGUES:
        case, build, _ = entry.values if hasattr(entry, "values") else entry
        if case == "prediction column already there":
            continue
        with pytest.raises(CatalogError):
            read_catalog(build(tmp_path))
