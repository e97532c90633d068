"""skada peers on a tiny synthetic two-domain problem."""

import numpy as np
import pytest
import torch
from torch import nn

pytest.importorskip("skorch")  # skada.deep needs it

from nebuladapt.evaluation.peers import (  # noqa: E402
    PEER_KINDS,
    PEERS,
    LogitDomainHead,
    SkadaPeer,
    make_skada_dann,
)
from nebuladapt.features import default_feature_spec  # noqa: E402


FAST = dict(n_source_per_class=120, max_epochs=4, batch_size=64)


@pytest.fixture(scope="module")
def two_domains(make_toy_domains):
    """Three separated classes; the target is shifted and some target rows lack [NII]."""
    return make_toy_domains(7, 600, 120, missing=[(5, 2)])


def test_registry_names():
    assert set(PEERS) == {"source_logreg", "coral", "kmm", "skada_dann"} == set(PEER_KINDS)
    assert PEERS["kmm"](random_state=3).get_params()["kind"] == "kmm"


def test_peer_parameters_follow_sklearn_conventions(check_parameter_conventions):
    check_parameter_conventions(SkadaPeer())
    peer = PEERS["skada_dann"](hidden=(8,), C=0.5, random_state=3)
    check_parameter_conventions(peer)
    assert peer.set_params(lr=0.01).lr == 0.01 and peer.get_params()["hidden"] == (8,)


@pytest.mark.parametrize("name", PEER_KINDS)
def test_peer_fits_and_predicts(two_domains, name):
    d = two_domains
    model = PEERS[name](random_state=0, **FAST).fit(d["X"], d["y"], sample_domain=d["sample_domain"])
    assert list(model.classes_) == ["HII", "PN", "SNR"]
    assert model.n_source_rows_ == 3 * FAST["n_source_per_class"]
    proba = model.predict_proba(d["target"])
    assert proba.shape == (len(d["target"]), 3)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert (model.predict(d["target"]) == d["target_labels"]).mean() > 0.9
    # the encoded features skada sees: the standardised ratios + one missing flag each
    n_ratios = len(default_feature_spec().ratios)
    encoded = model.transform(d["target"])
    assert encoded.shape == (len(d["target"]), 2 * n_ratios)
    nii_flag = n_ratios + default_feature_spec().names.index("log_NII6583_HA6562")
    assert np.array_equal(encoded[:5, nii_flag], np.ones(5)) and encoded[5:, nii_flag].sum() == 0


@pytest.mark.parametrize("name", ["coral", "kmm", "skada_dann"])
def test_seeded_runs_reproduce(two_domains, name):
    d = two_domains
    fit = lambda seed: PEERS[name](random_state=seed, noise="matched", **FAST).fit(  # noqa: E731
        d["X"], d["y"], sample_domain=d["sample_domain"], X_err=d["X_err"]
    )
    a, b, c = fit(5), fit(5), fit(6)
    assert np.array_equal(a.predict_proba(d["target"]), b.predict_proba(d["target"]))
    assert not np.array_equal(a.predict_proba(d["target"]), c.predict_proba(d["target"]))


def test_bad_inputs(two_domains):
    d = two_domains
    with pytest.raises(ValueError, match="kind"):
        SkadaPeer(kind="jdot").fit(d["X"], d["y"], sample_domain=d["sample_domain"])
    with pytest.raises(ValueError, match="X_err"):
        SkadaPeer(kind="coral", noise="matched").fit(d["X"], d["y"], sample_domain=d["sample_domain"])
    with pytest.raises(ValueError, match="target rows"):
        SkadaPeer(kind="coral").fit(d["X"][:600], d["y"][:600])
    with pytest.raises(ValueError, match="shape"):
        SkadaPeer(kind="source_logreg").fit(d["X"][:, :3], d["y"])


class _OneUnitSoftmaxHead(nn.Module):
    """Stand-in for skada's default DomainClassifier: a one-unit softmax (constant 1)."""

    def __init__(self, n_features):
        super().__init__()
        self.linear = nn.Linear(n_features, 1)

    def forward(self, x, sample_weight=None):
        return torch.softmax(self.linear(x), dim=1).squeeze(-1)


def _domain_grad(net, x, domain):
    """Gradient of skada's DANN domain loss alone w.r.t. the first feature-extractor layer."""
    module = net.module_
    module.train()
    module.zero_grad()
    _, domain_pred, _, _, _ = module(x, sample_domain=domain)
    source = domain >= 0
    loss = net.criterion_.adapt_criterion(domain_pred_s=domain_pred[source], domain_pred_t=domain_pred[~source])
    loss.backward()
    return module.base_module_.feature_extractor[0].weight.grad.clone()


def test_skada_dann_domain_gradient_reaches_feature_extractor(two_domains):
    d = two_domains
    model = SkadaPeer(kind="skada_dann", random_state=0, **FAST).fit(
        d["X"], d["y"], sample_domain=d["sample_domain"]
    )
    net = model.estimator_
    head = net.module_.domain_classifier_
    assert isinstance(head, LogitDomainHead)
    assert head.grl.coeff > 0.5  # the schedule ran: domain_weight * lambda_p near its end
    x = torch.from_numpy(model.transform(d["X"][590:650]).astype(np.float32))
    domain = torch.from_numpy(np.where(d["sample_domain"][590:650] > 0, 1, -1))
    head.grl.coeff = 1.0
    reversed_grad = _domain_grad(net, x, domain)
    assert reversed_grad.abs().sum() > 0
    head.grl.coeff = -1.0  # no reversal: the discriminator's own gradient
    plain_grad = _domain_grad(net, x, domain)
    torch.testing.assert_close(reversed_grad, -plain_grad)


def test_one_unit_softmax_head_passes_no_gradient():
    """The check above can fail: with a one-unit softmax the domain gradient is exactly zero."""
    from skada.deep import DANNLoss

    net = make_skada_dann(6, 3, max_epochs=1, batch_size=64)
    net.set_params(
        module__domain_classifier=_OneUnitSoftmaxHead(64),
        criterion__adapt_criterion=DANNLoss(domain_criterion=nn.BCELoss()),
    )
    net.initialize()
    x = torch.randn(40, 6)
    domain = torch.tensor([1] * 20 + [-1] * 20)
    assert _domain_grad(net, x, domain).abs().sum() == 0
