import torch

from nebuladapt.models.losses.base import AdaptationLoss


def test_default_hooks_do_nothing(batch_for):
    term = AdaptationLoss()
    _, batch = batch_for([term])
    assert term.domain_inputs(8, 3) is None
    assert term.before_step(0) is None
    assert term(batch) is None and batch.source_weight is None


def test_batch_slices_source_and_target(batch_for):
    _, batch = batch_for([], n=10)
    assert batch.n_source == 10
    assert torch.equal(torch.cat([batch.source_embedding, batch.target_embedding]), batch.embedding)
    assert torch.equal(batch.target_logits, batch.logits[10:])
