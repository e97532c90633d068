"""Every estimator parameter is declared once and validated at fit."""

import inspect

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from nebuladapt.models import NebulaClassifier
from nebuladapt.models.losses import alignment_names
from nebuladapt.models.params import DEFAULTS, PARAMS, param, store_init_arguments


def test_signature_is_the_declarations():
    signature = inspect.signature(NebulaClassifier.__init__).parameters
    assert [name for name in signature if name != "self"] == [p.name for p in PARAMS]
    assert NebulaClassifier().get_params() == DEFAULTS


def test_declared_defaults_are_the_fit_configuration():
    # the configuration `nebuladapt fit` trains (issues 9, 8): DANN, auto noise, marginal,
    # GRL weight 0.3, entropy weight 1; 7 members of 1000 steps distilled into one network (stop 25)
    expected = {"method": "dann", "noise": "auto", "alignment": "marginal", "domain_weight": 0.3,
                "entropy_weight": 1.0, "n_steps": 1000, "members": 7}
    assert {k: DEFAULTS[k] for k in expected} == expected


def test_alignment_choices_are_the_registry():
    assert param("alignment").choices == alignment_names()


def _bad_value(p):
    if p.choices is not None:
        return "no-such-choice"
    if p.kind is bool:
        return "yes"
    if p.kind in (int, float):
        return (p.low - 1) if p.low is not None else "x"
    if p.kind is tuple:
        return (0,)
    return "not a FeatureSpec"


@pytest.mark.parametrize("p", PARAMS, ids=[p.name for p in PARAMS])
def test_every_parameter_is_validated_at_fit(p, toy_domains):
    d = toy_domains
    model = NebulaClassifier(**{"method": "nn", "n_steps": 1, p.name: _bad_value(p)})
    with pytest.raises(ValueError, match=p.name):
        model.fit(d["X"], d["y"])


def test_upper_bounds_and_empty_hidden_are_refused(toy_domains):
    d = toy_domains
    for bad in ({"mask_prob": 1.0}, {"validation_fraction": 1.0}, {"hidden": ()}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            NebulaClassifier(method="nn", n_steps=1, **bad).fit(d["X"], d["y"])


@pytest.mark.parametrize("method", ["predict", "predict_proba", "decision_function", "off_grid",
                                    "classify_rows", "transform", "get_state"])
def test_unfitted_model_raises_not_fitted(method):
    model = NebulaClassifier()
    args = () if method == "get_state" else (np.ones((2, 5)),)
    with pytest.raises(NotFittedError):
        getattr(model, method)(*args)


def test_store_init_arguments_keeps_values_and_skips_self():
    class Holder:
        def __init__(self, a=1, b=(2, 3)):
            store_init_arguments(self, locals())
            super().__init__()  # puts __class__ in locals(): not a parameter

    held = Holder(b=[4])
    assert vars(held) == {"a": 1, "b": [4]}
