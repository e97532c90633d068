"""The same contract for every registered adaptation method (dust_extinction-style list)."""

import numpy as np
import pytest
import torch

from nebuladapt.models import NebulaClassifier, load_model, save_model
from nebuladapt.models.losses import ALIGNMENTS, alignment_names, build_alignment
from nebuladapt.models.losses.base import AdaptationLoss
from nebuladapt.models.params import param

ALL_METHODS = alignment_names()


@pytest.fixture(scope="module")
def tiny(make_toy_domains):
    return make_toy_domains(7, 300, 90)


def _fit(d, name, seed=0, **extra):
    # one network: the contract is each method's own training (members are distilled, see test_ensemble)
    model = NebulaClassifier(method="dann", alignment=name, n_steps=40, random_state=seed, **{"members": 1, **extra})
    return model.fit(d["X"], d["y"], sample_domain=d["sample_domain"])


def test_registry_is_the_estimator_choice():
    assert param("alignment").choices == ALL_METHODS
    assert set(ALIGNMENTS) == set(ALL_METHODS)
    with pytest.raises(ValueError, match="alignment"):
        build_alignment("no-such-method", 1.0)


@pytest.mark.parametrize("name", ALL_METHODS)
def test_builds_loss_objects(name):
    losses = build_alignment(name, 0.5)
    assert losses and all(isinstance(term, AdaptationLoss) for term in losses)


@pytest.mark.parametrize("name", ALL_METHODS)
def test_fits_a_tiny_problem_deterministically(name, tiny):
    a, b = _fit(tiny, name), _fit(tiny, name)
    proba = a.predict_proba(tiny["target"])
    assert proba.shape == (len(tiny["target"]), 3) and np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert proba.tobytes() == b.predict_proba(tiny["target"]).tobytes()
    assert proba.tobytes() != _fit(tiny, name, seed=1).predict_proba(tiny["target"]).tobytes()
    names = {term.name for term in build_alignment(name, 1.0)}
    assert names <= set(a.history_[-1]) | {"importance_weights"}
    assert "target_entropy" in a.history_[-1]  # the add-on joins any method (default weight 1)


@pytest.mark.parametrize("name", ALL_METHODS)
def test_alignment_gradient_reaches_the_feature_extractor(name, batch_for):
    losses = build_alignment(name, 1.0)
    net, batch = batch_for(losses)
    total = sum(value for value in (term(batch) for term in losses) if value is not None)
    assert torch.isfinite(total)
    total.backward()
    grads = torch.cat([p.grad.flatten() for p in net.feature_extractor.parameters()])
    assert torch.isfinite(grads).all() and grads.abs().max() > 0


@pytest.mark.parametrize("name", ALL_METHODS)
def test_saved_and_loaded_model_predicts_the_same(name, tiny, tmp_path):
    model = _fit(tiny, name, entropy_weight=0.0)
    loaded = load_model(save_model(model, tmp_path / name))
    assert loaded.predict_proba(tiny["target"]).tobytes() == model.predict_proba(tiny["target"]).tobytes()


def test_source_only_builds_no_adaptation(tiny):
    model = NebulaClassifier(method="nn", n_steps=5).fit(tiny["X"], tiny["y"])
    assert model.network_.domain_head is None
    assert "target_entropy" not in model.history_[-1]  # nn: no entropy term, whatever its weight
