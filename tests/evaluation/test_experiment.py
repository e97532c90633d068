"""Plumbing of the experiment runner and its report, on the shipped benchmark with tiny fits."""

import json

from dataclasses import replace

import numpy as np
import pytest
import torch

from nebuladapt.benchmark import benchmark_catalog, load_benchmark
from nebuladapt.dust import deredden_catalog
from nebuladapt.evaluation.experiment import (
    ADAPTATION_METHODS, PAPER_MATRIX, PAPER_SPEC, SELECTION_CANDIDATES, ExperimentData, run_experiment,
)
from nebuladapt.features import CLASSICAL_RATIOS, default_feature_spec
from nebuladapt.models import NebulaClassifier
from nebuladapt.models.fitting import fit_on_catalog
from nebuladapt.reports.report import missing_pattern_table, summary_table, write_report


@pytest.fixture(scope="module")
def result():
    catalog = deredden_catalog(benchmark_catalog())
    labels = load_benchmark()["class"]
    methods = [m for m in PAPER_MATRIX if m.params["noise"] == "matched"]
    return run_experiment(catalog, labels, seeds=(0, 1), n_steps=30, peers=False, selection=False, methods=methods)


def test_rows_train_what_their_names_say():
    """Paper rows: one network on the paper's three ratios; nebuladapt's methods: one network each
    on the default features; the 'fit defaults' row: exactly what `nebuladapt fit` trains."""
    assert PAPER_SPEC.ratios == CLASSICAL_RATIOS != default_feature_spec().ratios
    for method in PAPER_MATRIX:
        assert method.params["members"] == 1 and method.params["feature_spec"] == PAPER_SPEC
    *single, defaults = ADAPTATION_METHODS
    assert all(m.params["members"] == 1 and "feature_spec" not in m.params for m in single)
    assert all(c["members"] == 1 for c in SELECTION_CANDIDATES)
    experiment_n_steps = 2000  # whatever the run's step count, the defaults row keeps fit's own
    assert (NebulaClassifier(**{"n_steps": experiment_n_steps, **defaults.params}).get_params()
            == NebulaClassifier().get_params())


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
    assert dann["balanced_accuracy"] == pytest.approx((np.mean(values), np.std(values, ddof=1)))
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


def _fit_everything(catalog, labels):
    """Every path that fits on the benchmark, with the given labels in the table and beside it."""
    table = catalog.table.copy()
    table["class"] = labels
    catalog = replace(catalog, table=table)
    data = ExperimentData.build(catalog, labels)
    assert set(map(str, data.y[data.sample_domain < 0])) == {"-1"}
    direct = NebulaClassifier(
        method="dann", noise="matched", alignment="iw", entropy_weight=1.0, n_steps=25, random_state=0
    ).fit(data.X, data.y, sample_domain=data.sample_domain, X_err=data.X_err)
    via_fit = fit_on_catalog(catalog, seed=1, n_steps=25)
    methods = [m for m in PAPER_MATRIX if m.params["noise"] == "matched"]
    experiment = run_experiment(catalog, labels, seeds=(0,), n_steps=25, peers=False, selection=False, methods=methods)
    return data, (direct, via_fit), experiment


def test_labels_never_reach_the_fit():
    """Permuted target labels: bit-identical weights, temperatures, priors and predictions."""
    catalog = deredden_catalog(benchmark_catalog())
    labels = np.asarray(load_benchmark()["class"]).astype(str)
    permuted = np.random.default_rng(0).permutation(labels)
    assert (permuted != labels).mean() > 0.3
    data_a, models_a, experiment_a = _fit_everything(catalog, labels)
    data_b, models_b, experiment_b = _fit_everything(catalog, permuted)
    np.testing.assert_array_equal(data_a.X, data_b.X)
    for a, b in zip(models_a, models_b):
        state_a, state_b = a.network_.state_dict(), b.network_.state_dict()
        assert list(state_a) == list(state_b)
        for key in state_a:
            assert torch.equal(state_a[key], state_b[key]), key
        assert a.temperature_ == b.temperature_
        np.testing.assert_array_equal(a.target_prior_, b.target_prior_)
        np.testing.assert_array_equal(a.predict_proba(data_a.target_X), b.predict_proba(data_b.target_X))
    fitted = [r for r in experiment_a["records"] if r.get("seed") is not None]
    assert fitted, "the experiment fitted no model"
    for ra, rb in zip(experiment_a["records"], experiment_b["records"]):
        assert ra["method"] == rb["method"]
        assert ra["predicted"] == rb["predicted"], ra["method"]  # labels only change the scores
    scored = {r["method"]: r["balanced_accuracy"] for r in experiment_b["records"]}
    assert any(scored[r["method"]] != r["balanced_accuracy"] for r in experiment_a["records"])
