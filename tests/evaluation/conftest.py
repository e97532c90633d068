import pytest
import torch

from nebuladapt.models import NebulaClassifier


@pytest.fixture(scope="module", autouse=True)
def _one_torch_thread():
    """Tiny networks: one intra-op thread is faster, and much faster on a busy machine."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


# --- a toy domain shift and two DANNs on it, shared by the scorer, sanity and selection tests ---


@pytest.fixture(scope="module")
def domains(make_toy_domains):
    """Three classes; shifted target with a few rows lacking [SII]."""
    return make_toy_domains(11, 600, 90, scatter=0.2, missing=[(4, 4)], target_domain=-1)


def _fit(d, **params):
    params = {"method": "dann", "noise": "matched", "n_steps": 120, "random_state": 0, **params}
    return NebulaClassifier(**params).fit(d["X"], d["y"], sample_domain=d["sample_domain"], X_err=d["X_err"])


@pytest.fixture(scope="module")
def trained(domains):
    return _fit(domains)


@pytest.fixture(scope="module")
def untrained(domains):
    """A single DANN stopped after one step: clearly worse on the target."""
    return _fit(domains, n_steps=1, members=1)
