import numpy as np
import pytest

from nebuladapt.benchmark import benchmark_catalog
from nebuladapt.features import default_feature_spec
from nebuladapt.models.fitting import domain_arrays, fit_on_catalog
from nebuladapt.models.params import DEFAULTS


@pytest.fixture(scope="module")
def catalog():
    return benchmark_catalog()


def test_domain_arrays_stack_source_then_target(catalog):
    X, y, domain, X_err = domain_arrays(catalog, default_feature_spec())
    n_target = len(catalog)
    assert X.shape == X_err.shape and len(X) == len(y) == len(domain)
    assert (domain[-n_target:] < 0).all() and (domain[:-n_target] > 0).all()
    assert all(v == -1 for v in y[-n_target:]) and set(y[:-n_target]) == {"HII", "PN", "SNR"}
    assert np.isnan(X_err[:-n_target]).all()


def test_fit_uses_the_declared_defaults_and_resolves_auto_noise(catalog):
    model = fit_on_catalog(catalog, seed=2, n_steps=3)
    params = model.get_params()
    params.pop("feature_spec")
    assert params == {**{k: v for k, v in DEFAULTS.items() if k != "feature_spec"},
                      "n_steps": 3, "random_state": 2}
    assert model.noise_ == "matched"  # the benchmark gives errors
    no_errors = type(catalog)(catalog.table, catalog.flux, {}, catalog.dust_corrected, source="x")
    assert fit_on_catalog(no_errors, n_steps=3, method="nn").noise_ == "fixed"
