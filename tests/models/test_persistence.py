import json
import pickle

import numpy as np
import pytest

from nebuladapt.models import ModelFileError, NebulaClassifier, load_model, save_model
from nebuladapt.models.persistence import CARD_FILE, WEIGHTS_FILE, load_predictor


@pytest.fixture(scope="module")
def fitted(toy_domains):
    d = toy_domains
    return NebulaClassifier(method="dann", n_steps=60, random_state=5).fit(
        d["X"], d["y"], sample_domain=d["sample_domain"]
    )


def test_round_trip_same_predictions(fitted, toy_domains, tmp_path):
    save_model(fitted, tmp_path / "m", extra={"target_catalogue": "toy"})
    loaded = load_model(tmp_path / "m")
    assert np.array_equal(loaded.predict_proba(toy_domains["target"]), fitted.predict_proba(toy_domains["target"]))
    card = json.loads((tmp_path / "m" / CARD_FILE).read_text())
    for key in ("feature_spec", "scaler", "classes", "seed", "versions", "weights_sha256", "lines"):
        assert key in card
    assert card["target_catalogue"] == "toy"
    np.testing.assert_allclose(loaded.target_prior_, fitted.target_prior_)
    far = toy_domains["target"][:5].copy()
    far[:2, 0] *= 1e6
    assert np.array_equal(loaded.off_grid(far), fitted.off_grid(far))
    assert loaded.off_grid(far)[:2].all()


@pytest.mark.parametrize("loader", [load_model, load_predictor])
def test_tampered_weights_refused(fitted, tmp_path, loader):
    """Both loaders refuse what the other refuses."""
    directory = save_model(fitted, tmp_path / "m")
    data = bytearray((directory / WEIGHTS_FILE).read_bytes())
    data[-1] ^= 0xFF
    (directory / WEIGHTS_FILE).write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="checksum"):
        loader(directory)


def test_pickle_file_never_loaded(fitted, tmp_path):
    directory = save_model(fitted, tmp_path / "m")

    class Boom:
        def __reduce__(self):
            return (exec, ("raise SystemExit('pickle executed')",))

    payload = pickle.dumps(Boom())
    (directory / WEIGHTS_FILE).write_bytes(payload)
    card = json.loads((directory / CARD_FILE).read_text())
    import hashlib

    card["weights_sha256"] = hashlib.sha256(payload).hexdigest()  # even with a matching checksum
    (directory / CARD_FILE).write_text(json.dumps(card))
    with pytest.raises(ModelFileError, match="safetensors"):
        load_model(directory)


def test_other_format_version_refused(fitted, tmp_path):
    directory = save_model(fitted, tmp_path / "m")
    card = json.loads((directory / CARD_FILE).read_text())
    card["format"] = 999
    (directory / CARD_FILE).write_text(json.dumps(card))
    with pytest.raises(ModelFileError, match="format"):
        load_model(directory)


def test_missing_directory(tmp_path):
    with pytest.raises(ModelFileError, match="model.json"):
        load_model(tmp_path / "nothing")


def test_card_written_before_resolved_noise_still_loads(fitted, toy_domains, tmp_path):
    directory = save_model(fitted, tmp_path / "m")
    card = json.loads((directory / CARD_FILE).read_text())
    assert card["resolved_noise"] == fitted.noise_ == "fixed"  # auto without errors
    del card["resolved_noise"]
    card["params"]["noise"] = "fixed"  # as cards of the previous version recorded it
    (directory / CARD_FILE).write_text(json.dumps(card))
    loaded = load_model(directory)
    assert loaded.noise_ == "fixed"
    assert np.array_equal(loaded.predict_proba(toy_domains["target"]), fitted.predict_proba(toy_domains["target"]))


def test_predictor_gives_the_estimators_outputs(fitted, toy_domains, tmp_path):
    directory = save_model(fitted, tmp_path / "m")
    predictor, model = load_predictor(directory), load_model(directory)
    X = toy_domains["target"].copy()
    X[:7, 2] = np.nan
    X[7:9, 0] *= 1e6  # off the grid
    X[9] = np.nan  # unusable
    rows, expected = predictor.classify_rows(X), model.classify_rows(X)
    for a, b in zip(rows.proba, expected.proba):
        assert a.tobytes() == b.tobytes()
    for name in ("class_index", "usable", "off_grid"):
        assert np.array_equal(getattr(rows, name), getattr(expected, name))
    assert rows.off_grid[7:9].all() and rows.class_index[9] == -1
    assert np.array_equal(predictor.predict_proba(X), model.predict_proba(X))
    assert predictor.lines_ == model.lines_ and list(predictor.classes_) == list(model.classes_)
    assert predictor.noise_ == model.noise_


def test_loading_for_prediction_imports_no_training_library(fitted, tmp_path):
    import subprocess
    import sys

    directory = save_model(fitted, tmp_path / "m")
    code = (
        "import sys, numpy as np\n"
        "heavy = ('torch', 'sklearn', 'scipy', 'skada', 'astropy', 'matplotlib', 'pandas')\n"
        "from nebuladapt.models.persistence import load_predictor\n"
        f"p = load_predictor({str(directory)!r})\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
        "p.classify_rows(np.ones((3, len(p.lines_))))\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # neither loading nor predicting imports any of them
    assert result.stdout.split("\n")[:2] == ["[]", "[]"]


def test_card_records_the_share_of_target_rows_without_oiii(toy_domains, tmp_path):
    """The card keeps each line's missing share on the fitted target; many rows without [OIII] warn."""
    from nebuladapt.catalogs.usage import EXCITATION_LINE
    from nebuladapt.models.persistence import card_warnings, read_card

    d = toy_domains
    X = np.array(d["X"], dtype=float)
    target = np.flatnonzero(np.asarray(d["sample_domain"]) < 0)
    X[target[: len(target) // 4], 0] = np.nan  # a quarter of the target lacks [OIII] (the toy's first line)
    model = NebulaClassifier(method="dann", n_steps=5, random_state=0).fit(X, d["y"], sample_domain=d["sample_domain"])
    share = (len(target) // 4) / len(target)
    assert model.target_missing_[EXCITATION_LINE] == pytest.approx(share, abs=1e-4)
    card = read_card(save_model(model, tmp_path / "m"))
    assert card["target_missing"] == model.target_missing_
    assert len(card["warnings"]) == 1 and card["warnings"][0].startswith(f"WARNING: {100 * share:.0f}% of the rows")
    assert card_warnings(card) == card["warnings"]
    assert load_model(tmp_path / "m").target_missing_ == model.target_missing_
    del card["target_missing"]  # a card written before the share was recorded: no such warning
    assert card_warnings(card) == []


def test_a_damaged_missing_share_is_refused(fitted, tmp_path):
    path = save_model(fitted, tmp_path / "m")
    card = json.loads((path / CARD_FILE).read_text())
    card["target_missing"] = {"OIII5006": 1.5}
    (path / CARD_FILE).write_text(json.dumps(card))
    with pytest.raises(ModelFileError, match="target_missing"):
        load_model(path)


def test_card_records_the_low_sii_check_and_warns_from_it(fitted, tmp_path):
    """The card keeps the fit's [SII] check; its warning is derived from it, also for a card read back."""
    from nebuladapt.models.persistence import card_warnings, read_card

    assert set(fitted.low_sii_snr_) <= {"rows", "share"}
    card = read_card(save_model(fitted, tmp_path / "m"))
    assert card["low_sii_snr"] == fitted.low_sii_snr_
    assert load_model(tmp_path / "m").low_sii_snr_ == fitted.low_sii_snr_
    card["low_sii_snr"] = {"rows": 150, "share": 0.5}
    assert any(w.startswith("WARNING: the fit calls SNR 50% of the 150 rows") for w in card_warnings(card))
    card["low_sii_snr"] = {"rows": 150, "share": 0.05}
    assert not any("[SII]/Halpha <= 0.4" in w for w in card_warnings(card))
    del card["low_sii_snr"]  # a card written before the check was recorded: no such warning
    assert not any("[SII]/Halpha <= 0.4" in w for w in card_warnings(card))


@pytest.mark.parametrize("damaged", [{"rows": 10, "share": 1.5}, {"rows": -1, "share": 0.1}, {"rows": 5, "share": None},
                                     {"rows": 5}, ["rows", 5], {"rows": True, "share": 0.1}])
def test_a_damaged_low_sii_check_is_refused(fitted, tmp_path, damaged):
    path = save_model(fitted, tmp_path / "m")
    card = json.loads((path / CARD_FILE).read_text())
    card["low_sii_snr"] = damaged
    (path / CARD_FILE).write_text(json.dumps(card))
    with pytest.raises(ModelFileError, match="low_sii_snr"):
        load_model(path)


def test_card_records_the_no_oiii_warning(fitted, red_only_model_dir, tmp_path):
    """A model without an [OIII] ratio carries the warning on its card; one with [OIII] carries none."""
    from nebuladapt.models.persistence import card_warnings, read_card

    red = read_card(red_only_model_dir)
    assert len(red["warnings"]) == 1 and "[OIII]5007" in red["warnings"][0]
    assert card_warnings(red) == red["warnings"]
    del red["warnings"]  # a card written before warnings were recorded: derived from its features
    assert card_warnings(red) == json.loads((red_only_model_dir / CARD_FILE).read_text())["warnings"]
    save_model(fitted, tmp_path / "m")
    assert read_card(tmp_path / "m")["warnings"] == [] == card_warnings(read_card(tmp_path / "m"))
