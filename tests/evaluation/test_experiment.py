"""Plumbing of the experiment runner and its report, on the shipped benchmark with tiny fits."""

import json

import numpy as np
import pytest

from nebuladapt.benchmark import benchmark_catalog, load_benchmark
from nebuladapt.dust import deredden_catalog
from nebuladapt.evaluation.experiment import PAPER_MATRIX, ExperimentData, run_experiment
from nebuladapt.reports.report import missing_pattern_table, summary_table, write_report


@pytest.fixture(scope="module")
def result():
    catalog = deredden_catalog(benchmark_catalog())
    labels = load_benchmark()["class"]
    methods = [m for m in PAPER_MATRIX if m.params["noise"] == "matched"]
    return run_experiment(catalog, labels, seeds=(0, 1), n_steps=30, peers=False, selection=False, methods=methods)


def test_records_cover_methods_and_seeds(result):
    records = result["records"]
    names = {r["method"] for r in records}
    assert {"NN / matched noise", "DANN / matched noise", "SII/Ha>0.4 + Kewley01 PN"} <= names
    for record in records:
        assert 0 <= record["balanced_accuracy"] <= 1
        assert np.array(record["confusion_matrix"]).shape == (3, 3)
        assert len(record["predicted"]) == 243
    dann = [r for r in records if r["method"] == "DANN / matched noise"]
    assert [r["seed"] for r in dann] == [0, 1]
    assert abs(sum(dann[0]["target_prior_estimate"].values()) - 1) < 1e-9


def test_summary_and_patterns(result):
    rows = summary_table(result["records"])
    dann = next(r for r in rows if r["method"] == "DANN / matched noise")
    assert dann["seeds"] == 2
    values = [r["balanced_accuracy"] for r in result["records"] if r["method"] == "DANN / matched noise"]
    assert dann["balanced_accuracy"] == pytest.approx((np.mean(values), np.std(values)))
    patterns = missing_pattern_table(result["records"], result["data"], ["DANN / matched noise"])
    assert sum(p["n"] for p in patterns) == 243
    assert any(p["pattern"].startswith("missing") for p in patterns)  # e.g. SNRs without [OIII]


def test_report_files(result, tmp_path):
    paths = write_report(result, tmp_path)
    saved = json.loads(paths["json"].read_text())
    assert len(saved["records"]) == len(result["records"])
    text = paths["markdown"].read_text()
    assert "DANN / matched noise" in text and "±" in text
    assert "<table>" in paths["html"].read_text()


def test_labels_never_reach_the_fit(monkeypatch):
    catalog = deredden_catalog(benchmark_catalog())
    data = ExperimentData.build(catalog, load_benchmark()["class"])
    assert set(map(str, data.y[data.sample_domain < 0])) == {"-1"}
