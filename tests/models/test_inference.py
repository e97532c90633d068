import numpy as np
import torch
from scipy.special import softmax

from nebuladapt.models.inference import FORWARD_BATCH, forward_logits, softmax_argmax
from nebuladapt.models.networks import NebulaNet
from nebuladapt.models.training import Scaler


def test_softmax_argmax_matches_scipy_and_breaks_ties_to_the_first_class():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(500, 3)).astype(np.float32)
    logits[:5] = 0.0
    columns, index = softmax_argmax(logits)
    np.testing.assert_allclose(np.column_stack(columns), softmax(logits.astype(np.float64), axis=1))
    assert np.array_equal(index, np.argmax(logits, axis=1)) and (index[:5] == 0).all()


def test_a_row_gives_the_same_bytes_wherever_it_sits():
    torch.manual_seed(0)
    net = NebulaNet(4, 3, hidden=(8,), domain_hidden=0).eval()
    scaler = Scaler(np.zeros(2, np.float32), np.ones(2, np.float32))
    features = np.random.default_rng(1).normal(size=(FORWARD_BATCH + 10, 2))
    features[::7, 1] = np.nan
    whole = forward_logits(net, scaler, features, temperature=1.7)
    assert whole.dtype == np.float32 and whole.shape == (len(features), 3)
    for start, stop in ((0, 1), (5, 900), (FORWARD_BATCH - 3, FORWARD_BATCH + 10)):
        assert forward_logits(net, scaler, features[start:stop], 1.7).tobytes() == whole[start:stop].tobytes()
    assert forward_logits(net, scaler, features[:0]).shape == (0, 3)
