"""The front door: import nebuladapt as na; read, fit, classify, save, load."""

import subprocess
import sys

import numpy as np

import nebuladapt as na
from nebuladapt.benchmark import write_unlabelled_benchmark_csv


def test_import_is_light():
    code = ("import sys, nebuladapt; "
            "print(sorted(m for m in ('torch', 'sklearn', 'skada', 'astropy', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_public_names():
    assert set(na.__all__) == {"__version__", "CLASSES", "read_catalog", "fit", "classify",
                               "save_model", "load_model", "NebulaClassifier"}
    assert na.CLASSES == ("HII", "PN", "SNR")


def test_read_fit_classify_save_load(tmp_path):
    path = tmp_path / "cat.csv"
    write_unlabelled_benchmark_csv(path)
    cat = na.read_catalog(path)
    model = na.fit(cat, n_steps=20, seed=1)
    assert isinstance(model, na.NebulaClassifier)
    table = na.classify(cat, model)
    assert len(table) == len(cat.table)
    assert {"pred_class", "prob_HII", "prob_PN", "prob_SNR", "flag"} <= set(table.colnames)
    na.save_model(model, tmp_path / "m")
    again = na.classify(cat, na.load_model(tmp_path / "m"))
    assert np.array_equal(np.asarray(again["prob_HII"]), np.asarray(table["prob_HII"]), equal_nan=True)
    assert list(again["pred_class"]) == list(table["pred_class"])
