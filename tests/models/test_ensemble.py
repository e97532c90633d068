"""Seed ensembles: NebulaEnsemble (members kept) and the distilled ``members`` fit of NebulaClassifier."""

import json

import numpy as np
import pytest
import torch

from nebuladapt.models import NebulaClassifier
from nebuladapt.models import ensemble as ensemble_module
from nebuladapt.models.ensemble import (
    NebulaEnsemble, member_probabilities, member_seeds, source_only_weights, teacher_probabilities,
)
from nebuladapt.models.params import start_steps, steps_trained

PARAMS = {"method": "dann", "noise": "fixed", "n_steps": 30, "entropy_weight": 1.0, "members": 1}
DISTILLED = {"method": "dann", "noise": "fixed", "n_steps": 40, "members": 2}


@pytest.fixture(scope="module")
def ensemble(toy_domains):
    d = toy_domains
    return NebulaEnsemble(n_members=2, params=PARAMS, random_state=5).fit(d["X"], d["y"], sample_domain=d["sample_domain"])


@pytest.fixture(scope="module")
def distilled(toy_domains):
    d = toy_domains
    return NebulaClassifier(**DISTILLED, random_state=11).fit(d["X"], d["y"], sample_domain=d["sample_domain"])


def test_ensemble_is_the_mean_of_its_seeds(toy_domains, ensemble):
    d = toy_domains
    members = [
        NebulaClassifier(**PARAMS, random_state=s).fit(d["X"], d["y"], sample_domain=d["sample_domain"])
        for s in (5, 6)
    ]
    expected = np.mean([m.predict_proba(d["target"]) for m in members], axis=0)
    proba = ensemble.predict_proba(d["target"])
    np.testing.assert_allclose(proba, expected, rtol=1e-6)  # float32 networks
    assert not np.allclose(members[0].predict_proba(d["target"]), members[1].predict_proba(d["target"]))
    np.testing.assert_array_equal(ensemble.predict(d["target"]), ensemble.classes_[proba.argmax(axis=1)])
    softmax = np.exp(ensemble.decision_function(d["target"]))
    np.testing.assert_allclose(softmax / softmax.sum(axis=1, keepdims=True), proba, rtol=1e-9)
    assert ensemble.off_grid(d["target"]).shape == (len(d["target"]),)


def test_configurations_multiply_members(toy_domains):
    d = toy_domains
    model = NebulaEnsemble(n_members=1, params={**PARAMS, "n_steps": 5},
                           configurations=[{"domain_weight": 0.3}, {"domain_weight": 1.0}])  # fmt: skip
    model.fit(d["X"], d["y"], sample_domain=d["sample_domain"])
    assert [m.domain_weight for m in model.estimators_] == [0.3, 1.0]
    assert all(m.members == 1 for m in model.estimators_)
    with pytest.raises(ValueError, match="n_members"):
        NebulaEnsemble(n_members=0).fit(d["X"], d["y"], sample_domain=d["sample_domain"])


def test_member_seeds_are_fixed_by_the_seed_and_distinct():
    assert member_seeds(0, 3) == member_seeds(0, 3)
    seeds = member_seeds(0, 3) + member_seeds(1, 3)
    assert len(set(seeds)) == 6
    assert member_seeds(0, 2) == member_seeds(0, 3)[:2]  # a member keeps its seed when K grows
    assert all(isinstance(s, int) and 0 <= s < 2**31 for s in seeds)


def test_teacher_is_the_mean_of_single_networks_with_the_member_seeds(toy_domains):
    d = toy_domains
    params = {**NebulaClassifier(**DISTILLED, random_state=11).get_params(), "n_steps": 10}
    teacher, seeds, proportions = teacher_probabilities(params, d["X"], d["y"], d["sample_domain"])
    assert seeds == member_seeds(11, 2)
    single = [
        NebulaClassifier(**{**params, "members": 1, "calibrate": False, "random_state": s})
        .fit(d["X"], d["y"], sample_domain=d["sample_domain"]).predict_proba(d["target"])
        for s in seeds
    ]
    np.testing.assert_allclose(teacher, np.mean(single, axis=0), rtol=1e-6)
    each, each_seeds = member_probabilities(params, d["X"], d["y"], d["sample_domain"])
    assert each_seeds == seeds
    np.testing.assert_allclose(each, np.stack(single), rtol=1e-6)  # one (n_target, n_classes) array per member
    assert proportions.shape == (2, 3)
    np.testing.assert_allclose(proportions.sum(axis=1), 1.0)


def test_distilled_fit_is_one_network_of_the_usual_shape(toy_domains, distilled):
    d = toy_domains
    single = NebulaClassifier(**{**DISTILLED, "members": 1, "n_steps": 2}, random_state=11).fit(
        d["X"], d["y"], sample_domain=d["sample_domain"]
    )
    shapes = {k: tuple(v.shape) for k, v in distilled.network_.state_dict().items()}
    assert shapes == {k: tuple(v.shape) for k, v in single.network_.state_dict().items()}
    assert distilled.ensemble_["member_seeds"] == member_seeds(11, 2)
    assert single.ensemble_ is None
    assert "distillation" in distilled.history_[-1] and "distillation" not in single.history_[-1]
    # the network reproduces its teacher on the target (where the members agree, it agrees)
    teacher = distilled.teacher_proba_
    agree = np.mean(distilled.predict_proba(d["target"]).argmax(axis=1) == teacher.argmax(axis=1))
    assert agree > 0.9
    assert np.mean(distilled.predict(d["target"]) == np.asarray(d["target_labels"])) > 0.8


def test_same_seed_same_predictions_other_seed_other_members(toy_domains, distilled):
    d = toy_domains
    again = NebulaClassifier(**DISTILLED, random_state=11).fit(d["X"], d["y"], sample_domain=d["sample_domain"])
    np.testing.assert_array_equal(again.predict_proba(d["target"]), distilled.predict_proba(d["target"]))
    other = NebulaClassifier(**DISTILLED, random_state=12).fit(d["X"], d["y"], sample_domain=d["sample_domain"])
    assert not np.array_equal(other.predict_proba(d["target"]), distilled.predict_proba(d["target"]))


def test_progress_counts_start_members_then_the_distilled_network(toy_domains):
    d = toy_domains
    steps = []
    NebulaClassifier(**{**DISTILLED, "n_steps": 5}).fit(
        d["X"], d["y"], sample_domain=d["sample_domain"], callback=lambda step, rec: steps.append(step)
    )
    # a 2-step start for the distilled network, then each member's own 2-step start and 5 steps, then 5
    assert start_steps(5) == 2 and steps == list(range(2 + 2 * (2 + 5) + 5))
    assert steps_trained(2, "dann", 5) == len(steps) and steps_trained(2, "nn", 5) == steps_trained(1, "dann", 5) == 5


def test_members_start_from_the_source_only_network(toy_domains):
    d = toy_domains
    params = {**NebulaClassifier(**DISTILLED, random_state=11).get_params(), "n_steps": 10}
    start = source_only_weights(params, d["X"], d["y"], d["sample_domain"])
    nn = NebulaClassifier(**{**params, "method": "nn", "members": 1, "calibrate": False}).fit(
        d["X"], d["y"], sample_domain=d["sample_domain"]
    )
    for key, value in nn.network_.state_dict().items():
        torch.testing.assert_close(start[key], value)
    member = NebulaClassifier(**{**params, "members": 1, "n_steps": 1, "lr": 1e-12}).fit(
        d["X"], d["y"], sample_domain=d["sample_domain"], initial_weights=start
    )  # one step at a negligible learning rate: still (nearly) the start
    torch.testing.assert_close(member.network_.label_head.weight, start["label_head.weight"], atol=1e-6, rtol=0)


def test_each_member_can_start_from_its_own_weights(toy_domains):
    d = toy_domains
    params = {**NebulaClassifier(**DISTILLED, random_state=11).get_params(), "n_steps": 10}
    starts = {s: source_only_weights({**params, "random_state": s}, d["X"], d["y"], d["sample_domain"])
              for s in member_seeds(11, 2)}  # fmt: skip
    asked = []
    own, seeds, _ = teacher_probabilities(
        params, d["X"], d["y"], d["sample_domain"], initial_weights=lambda seed: asked.append(seed) or starts[seed]
    )
    assert asked == seeds == member_seeds(11, 2)
    single = [
        NebulaClassifier(**{**params, "members": 1, "calibrate": False, "random_state": s})
        .fit(d["X"], d["y"], sample_domain=d["sample_domain"], initial_weights=starts[s]).predict_proba(d["target"])
        for s in seeds
    ]
    np.testing.assert_array_equal(own, np.mean(single, axis=0))
    shared, _, _ = teacher_probabilities(params, d["X"], d["y"], d["sample_domain"], initial_weights=starts[seeds[0]])
    assert not np.array_equal(own, shared)  # member 2 started elsewhere


def test_source_only_method_trains_one_network(toy_domains):
    d = toy_domains
    model = NebulaClassifier(method="nn", n_steps=5, members=3).fit(d["X"], d["y"], sample_domain=d["sample_domain"])
    assert model.ensemble_ is None and len(model.history_) == 5


def test_distilled_model_round_trips_through_the_model_files(tmp_path, toy_domains, distilled):
    from nebuladapt.models.persistence import load_model, save_model

    d = toy_domains
    save_model(distilled, tmp_path / "m")
    card = json.loads((tmp_path / "m" / "model.json").read_text())
    assert card["params"]["members"] == 2
    assert card["ensemble"]["member_seeds"] == member_seeds(11, 2)
    loaded = load_model(tmp_path / "m")
    np.testing.assert_array_equal(loaded.predict_proba(d["target"]), distilled.predict_proba(d["target"]))


def test_ensemble_parameters_follow_sklearn_conventions(check_parameter_conventions):
    check_parameter_conventions(NebulaEnsemble())
    ensemble = NebulaEnsemble(n_members=2, params={"n_steps": 10}, random_state=5)
    check_parameter_conventions(ensemble)
    assert ensemble.set_params(n_members=4).get_params()["n_members"] == 4


def test_each_member_and_the_distilled_network_start_from_their_own_short_start(toy_domains, monkeypatch):
    d = toy_domains
    asked = []
    original = ensemble_module.source_only_weights

    def recording(params, *args, **kwargs):
        asked.append((params["random_state"], params["n_steps"]))
        return original(params, *args, **kwargs)

    monkeypatch.setattr(ensemble_module, "source_only_weights", recording)  # seen in this process only: n_jobs=1
    NebulaClassifier(**{**DISTILLED, "n_steps": 10, "n_jobs": 1}, random_state=11).fit(d["X"], d["y"], sample_domain=d["sample_domain"])
    assert asked == [(seed, start_steps(10)) for seed in [11, *member_seeds(11, 2)]] and start_steps(10) == 3


def test_members_trained_in_parallel_give_the_same_model(toy_domains, distilled):
    """Two processes train the starts and members (joblib): same network, teacher and progress calls as one."""
    d = toy_domains
    calls = {}
    models = {}
    for n_jobs in (1, 2):
        seen = calls.setdefault(n_jobs, [])
        models[n_jobs] = NebulaClassifier(**DISTILLED, random_state=11, n_jobs=n_jobs).fit(
            d["X"], d["y"], sample_domain=d["sample_domain"], callback=lambda step, rec, seen=seen: seen.append((step, rec))
        )
    np.testing.assert_array_equal(models[2].predict_proba(d["target"]), models[1].predict_proba(d["target"]))
    np.testing.assert_array_equal(models[2].teacher_proba_, models[1].teacher_proba_)
    np.testing.assert_array_equal(models[1].predict_proba(d["target"]), distilled.predict_proba(d["target"]))
    assert models[2].ensemble_ == models[1].ensemble_
    assert [s for s, _ in calls[2]] == [s for s, _ in calls[1]] == list(range(steps_trained(2, "dann", 40)))
    assert [r for _, r in calls[2]] == [r for _, r in calls[1]]


def test_n_jobs_zero_is_an_error(toy_domains):
    d = toy_domains
    with pytest.raises(ValueError, match="n_jobs must be -1"):
        NebulaClassifier(**DISTILLED, n_jobs=0).fit(d["X"], d["y"], sample_domain=d["sample_domain"])


def test_matched_temperature_brings_the_network_to_its_members_without_changing_a_class(toy_domains, distilled):
    """match_members=True: one temperature, fitted on the target rows to the members' mean (no label)."""
    from scipy.special import log_softmax

    d = toy_domains
    matched = NebulaClassifier(**DISTILLED, random_state=11, match_members=True).fit(
        d["X"], d["y"], sample_domain=d["sample_domain"])
    assert distilled.temperature_ == 1.0 and matched.temperature_ != 1.0
    np.testing.assert_array_equal(matched.predict(d["target"]), distilled.predict(d["target"]))
    teacher = distilled.teacher_proba_

    def cross_entropy(model):
        return -np.mean(np.sum(teacher * np.log(model.predict_proba(d["target"])), axis=1))

    assert cross_entropy(matched) < cross_entropy(distilled)
    logits = np.log(distilled.predict_proba(d["target"]))
    for t in (0.9, 1.1):  # a minimum: the matched temperature nudged either way fits the members worse
        nudged = -np.mean(np.sum(teacher * log_softmax(logits / (matched.temperature_ * t), axis=1), axis=1))
        assert nudged > cross_entropy(matched)
    single = NebulaClassifier(**{**DISTILLED, "members": 1, "n_steps": 5}, random_state=11, match_members=True).fit(
        d["X"], d["y"], sample_domain=d["sample_domain"])
    assert single.temperature_ == 1.0  # no members, nothing to match
    with pytest.raises(ValueError, match="choose one"):
        NebulaClassifier(**DISTILLED, calibrate=True, match_members=True).fit(d["X"], d["y"], sample_domain=d["sample_domain"])


def test_own_starts_are_the_members_own_source_only_networks(toy_domains):
    """member_probabilities(own_starts=...) in 1 or 2 processes = each member started from
    source_only_weights seeded like it, one after the other."""
    d = toy_domains
    params = {**NebulaClassifier(**DISTILLED, random_state=11).get_params(), "n_steps": 10}
    starts = {**params, "n_steps": 3}

    def own_start(seed):
        return source_only_weights({**starts, "random_state": seed}, d["X"], d["y"], d["sample_domain"])

    expected, seeds = member_probabilities(params, d["X"], d["y"], d["sample_domain"], initial_weights=own_start)
    for n_jobs in (1, 2):
        heard = []
        got, same_seeds = member_probabilities(params, d["X"], d["y"], d["sample_domain"], own_starts=starts,
                                               n_jobs=n_jobs, callback=lambda k, step, rec: heard.append((k, step)))
        np.testing.assert_array_equal(got, expected)
        assert same_seeds == seeds and heard == [(k, s) for k in range(2) for s in range(3 + 10)]
    with pytest.raises(ValueError, match="not both"):
        member_probabilities(params, d["X"], d["y"], d["sample_domain"], initial_weights=own_start, own_starts=starts)
