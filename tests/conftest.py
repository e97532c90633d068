"""Shared test fixtures.

Tests may read the project's ``../shared/data`` folder (the published inputs of the
build script); they skip cleanly where it is absent. ``NEBULADAPT_SHARED_DATA``
overrides its location.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def _shared_data_dir() -> Path:
    env = os.environ.get("NEBULADAPT_SHARED_DATA")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data_dir() -> Path:
    """The ``shared/data`` folder beside the clone; skip the test if absent."""
    path = _shared_data_dir()
    if not (path / "README.md").is_file():
        pytest.skip(f"shared data not found at {path}")
    return path


#: Line fluxes (OIII5006, HB4861, NII6583, HA6562, SII6716_6730) at the centre of each toy class.
TOY_CENTRES = {"HII": (0.5, 1.0, 0.3, 2.86, 0.3), "PN": (8.0, 1.0, 0.5, 2.86, 0.1), "SNR": (1.5, 1.0, 2.0, 2.86, 2.0)}


def _toy_domains(seed, n_source, n_target, scatter=0.15, missing=(), target_domain=-2):
    """Three separated synthetic classes in the 5 default lines; the target is shifted.

    Lines (default spec order): OIII5006, HB4861, NII6583, HA6562, SII6716_6730.
    ``missing`` lists (n_rows, line index) pairs: the first ``n_rows`` target
    rows lose that line.
    """
    import numpy as np

    rng = np.random.default_rng(seed)

    def draw(n, shift):
        labels = np.array(list(TOY_CENTRES))[rng.integers(0, 3, n)]
        flux = np.array([TOY_CENTRES[c] for c in labels]) * rng.lognormal(shift, scatter, (n, 5))
        flux[:, 1] = 1.0
        flux[:, 3] = 2.86
        return flux, labels

    source, source_labels = draw(n_source, 0.0)
    target, target_labels = draw(n_target, 0.1)
    for n_rows, line in missing:
        target[:n_rows, line] = np.nan
    X = np.vstack([source, target])
    y = np.concatenate([source_labels.astype(object), np.full(len(target), -1, dtype=object)])
    domain = np.concatenate([np.ones(len(source), int), target_domain * np.ones(len(target), int)])
    err = np.vstack([np.full_like(source, np.nan), 0.05 * target])
    return {"X": X, "y": y, "sample_domain": domain, "X_err": err, "target": target, "target_labels": target_labels}


@pytest.fixture(scope="session")
def make_toy_domains():
    """Factory of small synthetic two-domain problems (see :func:`_toy_domains`)."""
    return _toy_domains


def _toy_model(n_steps: int, data_seed: int = 0):
    """A source-only NebulaClassifier fitted on 600 toy rows (10% scatter)."""
    import numpy as np

    from nebuladapt.models import NebulaClassifier

    rng = np.random.default_rng(data_seed)
    labels = np.array(list(TOY_CENTRES))[rng.integers(0, 3, 600)]
    X = np.array([TOY_CENTRES[c] for c in labels]) * rng.lognormal(0, 0.1, (600, 5))
    return NebulaClassifier(method="nn", n_steps=n_steps, random_state=0).fit(X, labels)


@pytest.fixture(scope="session")
def red_only_model_dir(tmp_path_factory):
    """A saved toy model whose features have no [OIII]5007 ratio ([NII]/Halpha, [SII]/Halpha)."""
    import numpy as np

    from nebuladapt.features import FeatureSpec
    from nebuladapt.models import NebulaClassifier, save_model

    spec = FeatureSpec.from_names(["log_NII6583_HA6562", "log_SII6716_6730_HA6562"])
    rng = np.random.default_rng(5)
    labels = np.array(list(TOY_CENTRES))[rng.integers(0, 3, 300)]
    centres = {c: dict(zip(("OIII5006", "HB4861", "NII6583", "HA6562", "SII6716_6730"), v))
               for c, v in TOY_CENTRES.items()}  # fmt: skip
    X = np.array([[centres[c][line] for line in spec.lines] for c in labels]) * rng.lognormal(0, 0.1, (300, len(spec.lines)))
    model = NebulaClassifier(method="nn", n_steps=20, feature_spec=spec, random_state=0).fit(X, labels)
    return save_model(model, tmp_path_factory.mktemp("red_only") / "m")


@pytest.fixture(scope="session")
def make_toy_model():
    """Factory of small fitted source-only models (see :func:`_toy_model`)."""
    return _toy_model


def _check_parameter_conventions(estimator) -> None:
    """scikit-learn's parameter checks on an unfitted estimator, plus clone / get / set_params."""
    from sklearn.base import clone
    from sklearn.utils.estimator_checks import (
        check_get_params_invariance,
        check_no_attributes_set_in_init,
        check_parameters_default_constructible,
    )

    name = type(estimator).__name__
    for check in (check_no_attributes_set_in_init, check_parameters_default_constructible,
                  check_get_params_invariance):
        check(name, clone(estimator))
    params = estimator.get_params(deep=False)
    assert clone(estimator).get_params(deep=False) == params
    first = next(iter(params))
    assert clone(estimator).set_params(**{first: params[first]}).get_params(deep=False) == params


@pytest.fixture(scope="session")
def check_parameter_conventions():
    """Checker of an estimator's parameter conventions (see :func:`_check_parameter_conventions`)."""
    return _check_parameter_conventions
