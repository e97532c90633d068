import subprocess
import sys

import numpy as np
import pytest
import torch
from scipy.special import softmax

from nebuladapt.models import inference
from nebuladapt.models.inference import (
    FORWARD_BATCH, block_products_are_row_exact, compute_threads, encode_features, forward_logits,
    network_layers, softmax_argmax,
)
from nebuladapt.models.networks import NebulaNet
from nebuladapt.models.training import Scaler, encode


def test_softmax_argmax_matches_scipy_and_breaks_ties_to_the_first_class():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(500, 3)).astype(np.float32)
    logits[:5] = 0.0
    columns, index = softmax_argmax(logits)
    np.testing.assert_allclose(np.column_stack(columns), softmax(logits.astype(np.float64), axis=1))
    assert np.array_equal(index, np.argmax(logits, axis=1)) and (index[:5] == 0).all()


def _net_and_features(n_rows=FORWARD_BATCH + 10, n_features=2, hidden=(8,)):
    torch.manual_seed(0)
    net = NebulaNet(2 * n_features, 3, hidden=hidden, domain_hidden=16).eval()
    scaler = Scaler(np.full(n_features, 0.3, np.float32), np.full(n_features, 1.7, np.float32))
    features = np.random.default_rng(1).normal(size=(n_rows, n_features))
    features[::7, 1] = np.nan
    return net, scaler, features


def test_forward_equals_the_torch_network_to_float32_round_off():
    net, scaler, features = _net_and_features(3000, 3, hidden=(64, 64))  # the default sizes
    with torch.no_grad():
        expected = (net(encode(torch.from_numpy(features), scaler)) / 1.3).numpy()
    layers = network_layers(net.state_dict())
    assert len(layers) == 3  # two hidden layers and the label head; the domain head is ignored
    assert layers[0][0].shape == (64, 6)
    got = forward_logits(layers, scaler.mean, scaler.scale, features, temperature=1.3)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    assert np.array_equal(encode_features(features, scaler.mean, scaler.scale),
                          encode(torch.from_numpy(features), scaler).numpy())


def test_a_row_gives_the_same_bytes_wherever_it_sits():
    net, scaler, features = _net_and_features()
    layers = network_layers(net.state_dict())
    whole = forward_logits(layers, scaler.mean, scaler.scale, features, temperature=1.7)
    assert whole.shape == (len(features), 3)
    for start, stop in ((0, 1), (5, 900), (FORWARD_BATCH - 3, FORWARD_BATCH + 10)):
        part = forward_logits(layers, scaler.mean, scaler.scale, features[start:stop], 1.7)
        assert part.tobytes() == whole[start:stop].tobytes()
    for n_threads in (1, 2):
        with compute_threads(n_threads):
            again = forward_logits(layers, scaler.mean, scaler.scale, features, temperature=1.7)
        assert again.tobytes() == whole.tobytes()
    # a row alone, or after other rows, in any block position: the same bytes
    for row in (0, 6, 11, FORWARD_BATCH - 1, FORWARD_BATCH + 3):
        alone = forward_logits(layers, scaler.mean, scaler.scale, features[row : row + 1], 1.7)
        shifted = forward_logits(layers, scaler.mean, scaler.scale, features[row - 5 if row >= 5 else 0 : row + 1], 1.7)
        assert alone.tobytes() == whole[row : row + 1].tobytes() == shifted[-1:].tobytes()
    assert forward_logits(layers, scaler.mean, scaler.scale, features[:0]).shape == (0, 3)


@pytest.mark.parametrize("row_exact_blas", [True, False], ids=["block products", "row by row"])
def test_default_sized_network_is_row_exact_on_either_path(monkeypatch, row_exact_blas):
    """The default 64-64 network: every shift of the rows gives the same bytes, on both paths."""
    net, scaler, features = _net_and_features(FORWARD_BATCH + 200, 4, hidden=(64, 64))
    layers = network_layers(net.state_dict())
    reference = forward_logits(layers, scaler.mean, scaler.scale, features)
    if not row_exact_blas:
        monkeypatch.setattr(inference, "block_products_are_row_exact", lambda n_in, n_out: False)
    whole = forward_logits(layers, scaler.mean, scaler.scale, features)
    np.testing.assert_allclose(whole, reference, rtol=1e-5, atol=1e-5)  # the two paths agree
    for shift in range(0, 30):
        part = forward_logits(layers, scaler.mean, scaler.scale, features[shift : shift + 500])
        assert part.tobytes() == whole[shift : shift + 500].tobytes(), shift


def test_row_exactness_check_fails_for_a_position_dependent_product(monkeypatch):
    assert isinstance(block_products_are_row_exact(8, 64), bool)

    def rounding_by_position(h, parts, out):  # what a BLAS with position-dependent rounding does
        out[:] = h @ np.concatenate(parts, axis=1)
        out[1::24] = np.nextafter(out[1::24], np.float32(np.inf))
        return out

    monkeypatch.setattr(inference, "_ROW_EXACT", {})
    monkeypatch.setattr(inference, "_block_product", rounding_by_position)
    assert block_products_are_row_exact(8, 64) is False


def test_network_layers_refuses_broken_weights():
    state = NebulaNet(4, 3, hidden=(8,), domain_hidden=0).state_dict()
    with pytest.raises(ValueError, match="label head"):
        network_layers({k: v for k, v in state.items() if not k.startswith("label_head")})
    with pytest.raises(ValueError, match="bias missing"):
        network_layers({k: v for k, v in state.items() if k != "feature_extractor.0.bias"})
    with pytest.raises(ValueError, match="chain"):
        network_layers({**state, "label_head.weight": torch.zeros(3, 5)})


def test_compute_threads_restores_the_blas_setting():
    from threadpoolctl import threadpool_info

    before = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
    with compute_threads(1):
        with compute_threads(1):
            assert all(p["num_threads"] == 1 for p in threadpool_info() if p["user_api"] == "blas")
    assert [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"] == before
