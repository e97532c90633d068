import numpy as np
import pytest
from astropy.table import Table

from nebuladapt.catalogs import LineCatalog
from nebuladapt.predict import PREDICTION_COLUMNS, classify_catalog


@pytest.fixture(scope="module")
def toy_model(make_toy_model):
    return make_toy_model(200)


def test_every_row_back_with_flags(toy_model):
    table = Table({"ID": [10, 11, 12, 13], "note": ["a", "b", "c", "d"]})
    flux = {
        "HB4861": np.array([1.0, 1.0, np.nan, 1.0]),
        "OIII5006": np.array([8.0, 0.5, np.nan, -2.0]),
        "HA6562": np.array([2.86, 2.86, np.nan, 2.86]),
        "NII6583": np.array([0.5, 0.3, np.nan, 0.3]),
        "SII6716_6730": np.array([0.1, 0.3, np.nan, 0.3]),
    }
    err = {"OIII5006": np.array([0.1, 0.5, np.nan, 0.1])}
    out = classify_catalog(LineCatalog(table, flux, err), toy_model)
    assert len(out) == 4
    assert list(out["ID"]) == [10, 11, 12, 13] and list(out["note"]) == ["a", "b", "c", "d"]
    for col in PREDICTION_COLUMNS:
        assert col in out.colnames
    assert list(out["pred_class"][:2]) == ["PN", "HII"]
    assert out["flag"][0] == ""
    assert "low_snr:OIII5006" in out["flag"][1]
    assert out["pred_class"][2] == "" and "unclassified:no_usable_ratio" in out["flag"][2]
    assert np.isnan(out["prob_HII"][2])
    assert out["pred_class"][3] != "" and "nonpositive:OIII5006" in out["flag"][3]
    probs = np.array([out[f"prob_{c}"][:2] for c in ("HII", "PN", "SNR")])
    np.testing.assert_allclose(probs.sum(axis=0), 1.0, rtol=1e-6)


def test_prediction_column_clash(toy_model):
    table = Table({"pred_class": ["x"]})
    with pytest.raises(ValueError, match="pred_class"):
        classify_catalog(LineCatalog(table, {"HB4861": np.array([1.0])}), toy_model)
