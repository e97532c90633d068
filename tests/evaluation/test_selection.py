"""Label-free configuration choice: ids, grid evaluation, consensus (evaluation/selection.py)."""

import numpy as np
import pytest

from nebuladapt.evaluation.selection import (
    CONSENSUS_SCORER,
    config_id,
    evaluate_grid,
    scorer_oracle_agreement,
    select_configuration,
    summarise_grid,
    with_consensus,
)


def test_config_id_is_canonical():
    assert config_id({"n_steps": 2000, "domain_weight": 0.3}) == "domain_weight=0.3,n_steps=2000"
    assert config_id({"noise": "fixed"}) == "noise='fixed'"


def test_select_configuration_argmax_argmin_ties_and_nan():
    candidates = [{"w": 0.1}, {"w": 0.3}, {"w": 1.0}]
    scores = {"w=0.1": {"s": 0.2}, "w=0.3": {"s": 0.9}, "w=1.0": {"s": 0.5}}
    assert select_configuration(candidates, scores, scorer="s") == "w=0.3"
    assert select_configuration(candidates, scores, scorer="s", greater_is_better=False) == "w=0.1"
    tied = {"w=0.1": {"s": 1.0}, "w=0.3": {"s": 1.0}, "w=1.0": {"s": np.nan}}
    assert select_configuration(candidates, tied, scorer="s") == "w=0.1"
    nan_best = {"w=0.1": {"s": 0.2}, "w=0.3": {"s": np.nan}, "w=1.0": {"s": 0.5}}
    assert select_configuration(candidates, nan_best, scorer="s") == "w=1.0"
    with pytest.raises(ValueError, match="finite"):
        select_configuration(candidates, {"w=0.1": {"s": np.nan}}, scorer="s")


def test_evaluate_grid_keeps_oracle_apart(domains):
    d = domains
    candidates = [{"n_steps": 1}, {"n_steps": 60}]
    records = evaluate_grid(
        candidates, d["X"], d["y"], d["sample_domain"], d["X_err"], seeds=(0,),
        base_params={"method": "nn", "noise": "fixed"}, scorers=["prediction_entropy", "importance_weighted"],
        target_labels=d["target_labels"], n_source_per_class=50,
    )  # fmt: skip
    assert [r["config_id"] for r in records] == ["n_steps=1", "n_steps=60"]
    for r in records:
        assert set(r["label_free"]) == {"prediction_entropy", "importance_weighted"}
        assert set(r["oracle"]) == {"balanced_accuracy", "accuracy", "macro_f1"}
    summary = summarise_grid(records)
    assert summary["n_steps=60"]["oracle"]["balanced_accuracy"][0] > summary["n_steps=1"]["oracle"]["balanced_accuracy"][0]
    agreement = scorer_oracle_agreement(records)
    assert agreement["prediction_entropy"]["selected"] == "n_steps=60"
    assert agreement["prediction_entropy"]["selected_oracle"] == agreement["prediction_entropy"]["best_oracle"]
    unlabelled = evaluate_grid(
        candidates[:1], d["X"], d["y"], d["sample_domain"], seeds=(0,),
        base_params={"method": "nn", "noise": "none"}, scorers=["prediction_entropy"], n_source_per_class=50,
    )  # fmt: skip
    assert unlabelled[0]["oracle"] is None
    with pytest.raises(ValueError, match="oracle"):
        scorer_oracle_agreement(unlabelled)


def test_stopping_step_snapshots_are_scored_as_configurations(domains):
    d = domains
    records = evaluate_grid(
        [{"n_steps": 80}], d["X"], d["y"], d["sample_domain"], seeds=(0,),
        base_params={"method": "nn", "noise": "none"}, scorers=["circular_validation", "prediction_entropy"],
        target_labels=d["target_labels"], n_source_per_class=50, stop_steps=(1, 80),
    )  # fmt: skip
    assert [r["config_id"] for r in records] == ["n_steps=80,stop_step=1", "n_steps=80,stop_step=80"]
    early, late = records
    assert late["oracle"]["balanced_accuracy"] > early["oracle"]["balanced_accuracy"] + 0.2
    candidates = [r["params"] for r in records]
    scores = {r["config_id"]: r["label_free"] for r in records}
    for name in ("circular_validation", "prediction_entropy"):
        assert select_configuration(candidates, scores, scorer=name) == "n_steps=80,stop_step=80"


def test_with_consensus_mean_rank_and_ties():
    scores = {"a": {"x": 1.0, "y": 3.0}, "b": {"x": 2.0, "y": 1.0}, "c": {"x": 3.0, "y": 2.0}}
    consensus = with_consensus(scores, ["x", "y"])
    # ranks (0 = worst): a = (0 + 2) / 2, b = (1 + 0) / 2, c = (2 + 1) / 2
    assert [consensus[c][CONSENSUS_SCORER] for c in "abc"] == [1.0, 0.5, 1.5]
    assert scores["a"] == {"x": 1.0, "y": 3.0}  # the input is left untouched
    tied = with_consensus({"a": {"x": 1.0}, "b": {"x": 1.0}, "c": {"x": np.nan}}, ["x"])
    assert tied["a"][CONSENSUS_SCORER] == tied["b"][CONSENSUS_SCORER] == 0.5
    assert np.isnan(tied["c"][CONSENSUS_SCORER])
