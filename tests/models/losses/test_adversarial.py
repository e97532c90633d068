import torch

from nebuladapt.models.losses.adversarial import DomainAdversarialLoss, dann
from nebuladapt.models.networks import grl_lambda


def test_reversal_strength_follows_the_schedule(batch_for):
    loss = DomainAdversarialLoss(0.3)
    net, batch = batch_for([loss], progress=0.5)
    loss(batch)
    assert net.grl.coeff == 0.3 * grl_lambda(0.5)
    assert set(batch.record) == {"domain_loss", "grl_coeff"}


def test_source_weights_scale_only_the_source_terms(batch_for):
    loss = DomainAdversarialLoss(1.0)
    _, batch = batch_for([loss])
    plain = loss(batch).item()
    batch.source_weight = torch.zeros(batch.n_source)
    target_only = loss(batch).item()
    batch.source_weight = torch.full((batch.n_source,), 2.0)
    doubled = loss(batch).item()
    assert target_only < plain < doubled
    assert abs((doubled - target_only) - 2 * (plain - target_only)) < 1e-5


def test_factory():
    (term,) = dann(0.7)
    assert isinstance(term, DomainAdversarialLoss) and term.weight == 0.7
    assert term.domain_inputs(16, 3) == 16
