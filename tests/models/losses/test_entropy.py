import math

import torch

from nebuladapt.models.losses.entropy import TargetEntropy
from nebuladapt.models.networks import grl_lambda


def test_uniform_posteriors_have_log_k_entropy(batch_for):
    term = TargetEntropy(2.0)
    _, batch = batch_for([term], progress=0.3)
    batch.logits = torch.zeros_like(batch.logits)
    value = term(batch)
    assert math.isclose(batch.record["target_entropy"], math.log(3), rel_tol=1e-6)
    assert math.isclose(value.item(), 2.0 * grl_lambda(0.3) * math.log(3), rel_tol=1e-6)


def test_confident_posteriors_have_no_entropy(batch_for):
    term = TargetEntropy(1.0)
    _, batch = batch_for([term])
    batch.logits = torch.zeros_like(batch.logits)
    batch.logits[:, 0] = 50.0
    assert term(batch).item() < 1e-12
    assert term.domain_inputs(8, 3) is None
