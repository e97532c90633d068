import torch

from nebuladapt.models.losses.conditional import cdan, iwcdan, outer_product, outer_product_width
from nebuladapt.models.losses.importance import ImportanceWeighting


def test_outer_product_shape_and_values():
    z, logits = torch.randn(5, 4), torch.randn(5, 3)
    out = outer_product(z, logits)
    assert out.shape == (5, outer_product_width(4, 3))
    expected = (z[:, :, None] * torch.softmax(logits, 1)[:, None, :]).flatten(1)
    torch.testing.assert_close(out, expected)


def test_conditioning_is_detached(batch_for):
    """CDAN's adversarial gradient reaches the network through the embedding only (issue 8)."""
    losses = cdan(1.0)
    net, batch = batch_for(losses)
    losses[0](batch).backward()
    assert net.label_head.weight.grad is None or not net.label_head.weight.grad.any()
    assert net.feature_extractor[0].weight.grad.abs().max() > 0


def test_iwcdan_weights_then_conditions():
    terms = iwcdan(1.0)
    assert isinstance(terms[0], ImportanceWeighting)
    assert terms[1].domain_inputs(8, 3) == 24
