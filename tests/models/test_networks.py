import math

import pytest
import torch

from nebuladapt.models.networks import GradientReversal, NebulaNet, grl_lambda


def _feature_grads(net):
    return torch.cat([p.grad.flatten() for p in net.feature_extractor.parameters()])


def test_domain_gradient_reaches_feature_extractor_reversed():
    torch.manual_seed(0)
    net = NebulaNet(6, 3, hidden=(16, 16), domain_hidden=8)
    x = torch.randn(32, 6)
    domain = torch.cat([torch.zeros(16), torch.ones(16)])
    loss_fn = torch.nn.BCEWithLogitsLoss()

    net.grl.coeff = 0.7
    loss_fn(net.domain_logits(net.feature_extractor(x)), domain).backward()
    reversed_grads = _feature_grads(net).clone()

    net.zero_grad()
    z = net.feature_extractor(x)
    loss_fn(net.domain_head(z).squeeze(-1), domain).backward()
    plain_grads = _feature_grads(net)

    assert plain_grads.abs().max() > 1e-6, "domain head must pass a gradient (not a constant output)"
    torch.testing.assert_close(reversed_grads, -0.7 * plain_grads)


def test_domain_head_does_not_touch_label_gradient_sign():
    net = NebulaNet(6, 3, hidden=(8,), domain_hidden=4)
    net.grl.coeff = 1.0
    x = torch.randn(10, 6)
    z = net.feature_extractor(x)
    net.domain_logits(z)  # a domain pass must not change the label path
    torch.nn.functional.cross_entropy(net.label_head(z), torch.zeros(10, dtype=torch.long)).backward()
    label_grads = _feature_grads(net).clone()
    net.zero_grad()
    torch.nn.functional.cross_entropy(net(x), torch.zeros(10, dtype=torch.long)).backward()
    torch.testing.assert_close(label_grads, _feature_grads(net))


def test_gradient_reversal_is_identity_forward():
    x = torch.randn(5, 3, requires_grad=True)
    y = GradientReversal(2.0)(x)
    assert torch.equal(y, x)
    y.sum().backward()
    assert torch.equal(x.grad, torch.full_like(x, -2.0))


@pytest.mark.parametrize("p, expected", [(0.0, 0.0), (1.0, 2 / (1 + math.exp(-10)) - 1), (0.5, 2 / (1 + math.exp(-5)) - 1)])
def test_grl_schedule(p, expected):
    assert grl_lambda(p) == pytest.approx(expected)
    assert 0.0 <= grl_lambda(p) < 1.0


def test_domain_head_width_and_absence():
    net = NebulaNet(6, 3, hidden=(8,), domain_hidden=4, domain_inputs=24)
    assert net.domain_logits(torch.randn(5, 24)).shape == (5,)
    with pytest.raises(ValueError, match="no domain head"):
        NebulaNet(6, 3, hidden=(8,), domain_hidden=0).domain_logits(torch.randn(5, 8))
