import pytest
import torch

from nebuladapt.models.losses.base import Batch, TrainingContext
from nebuladapt.models.networks import NebulaNet


def make_batch(losses, n=24, n_inputs=6, hidden=8, n_classes=3, seed=0, progress=1.0):
    """A network sized for ``losses``, their hooks started, and one forward pass over source + target."""
    torch.manual_seed(seed)
    widths = [w for w in (t.domain_inputs(hidden, n_classes) for t in losses) if w is not None]
    net = NebulaNet(n_inputs, n_classes, hidden=(hidden,), domain_hidden=4 if widths else 0,
                    domain_inputs=widths[0] if widths else None)
    x = torch.randn(2 * n, n_inputs)
    x[n:] += 1.5  # a shifted target
    context = TrainingContext(net, x[n:], n_classes, n_steps=10)
    for term in losses:
        term.start(context)
    z = net.feature_extractor(x)
    labels = torch.arange(n) % n_classes
    batch = Batch(net, 9, progress, z, net.label_head(z), labels, record={})
    for term in losses:
        term.prepare(batch)
    return net, batch


@pytest.fixture
def batch_for():
    return make_batch
