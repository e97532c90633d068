"""Degenerate predictors, to test whether a label-free scorer can be fooled by collapse.

A label-free scorer is trusted only if it does not rank a degenerate predictor
above a trained model. :class:`DegeneratePredictor` wraps a fitted
:class:`~nebuladapt.models.estimator.NebulaClassifier` (for its encoding,
embedding and classes, which skada's scorers use) and replaces its
probabilities:

* ``constant``: every row gets probability 1 for one class (the first of the
  classifier's classes, HII);
* ``prior``: every row gets the same probabilities, the classifier's
  label-free EM estimate of the target class proportions (uniform if absent);
* ``random``: each row gets probabilities drawn from a flat Dirichlet (seeded,
  the same rows give the same values).

A model stopped after one training step (``NebulaClassifier(n_steps=1)``) is
the fourth degenerate predictor; it needs no wrapper. :func:`scorer_sanity`
scores a trained model and its degenerate counterparts with the same scorers.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone

from nebuladapt.evaluation.scorers import label_free_scores

__all__ = ["DEGENERATE_KINDS", "DegeneratePredictor", "scorer_sanity"]

DEGENERATE_KINDS = ("constant", "prior", "random")


class DegeneratePredictor(ClassifierMixin, BaseEstimator):
    """A fitted classifier whose probabilities are replaced by a degenerate rule.

    Parameters
    ----------
    classifier : NebulaClassifier
        Fitted (or, for ``fit``, a template that is cloned and fitted).
    kind : {"constant", "prior", "random"}
    random_state : int
        Seed of the ``random`` probabilities.
    """

    def __init__(self, classifier=None, kind: str = "constant", random_state: int = 0):
        self.classifier = classifier
        self.kind = kind
        self.random_state = random_state

    def fit(self, X, y, sample_domain=None, X_err=None, **kwargs):
        """Fit a clone of the wrapped classifier (the rule then replaces its output)."""
        if self.kind not in DEGENERATE_KINDS:
            raise ValueError(f"kind must be one of {DEGENERATE_KINDS}, got {self.kind!r}")
        model = clone(self.classifier)
        if X_err is None and model.noise == "matched":  # a refit on grids has no errors
            model.set_params(noise="fixed")
        self.classifier = model.fit(X, y, sample_domain=sample_domain, X_err=X_err, **kwargs)
        return self

    @property
    def noise(self) -> str:
        """Not a noise model: circular validation's refit must leave it alone."""
        return "degenerate"

    # what skada's scorers and SkadaView read from a NebulaClassifier
    @property
    def classes_(self):
        """The wrapped classifier's classes."""
        return self.classifier.classes_

    @property
    def spec_(self):
        """The wrapped classifier's feature spec."""
        return self.classifier.spec_

    @property
    def scaler_(self):
        """The wrapped classifier's feature scaler."""
        return self.classifier.scaler_

    def get_params(self, deep=False):  # noqa: D102 - shallow only: clone must not recurse
        return {"classifier": self.classifier, "kind": self.kind, "random_state": self.random_state}

    def predict_proba(self, X, sample_domain=None) -> np.ndarray:
        """The degenerate probabilities, shape (n_rows, n_classes)."""
        n, k = len(np.asarray(X)), len(self.classes_)
        if self.kind == "constant":
            proba = np.zeros((n, k))
            proba[:, 0] = 1.0
        elif self.kind == "prior":
            prior = getattr(self.classifier, "target_prior_", None)
            prior = np.full(k, 1.0 / k) if prior is None else np.asarray(prior, dtype=float)
            proba = np.tile(prior / prior.sum(), (n, 1))
        elif self.kind == "random":
            proba = np.random.default_rng(self.random_state).dirichlet(np.ones(k), size=n)
        else:
            raise ValueError(f"kind must be one of {DEGENERATE_KINDS}, got {self.kind!r}")
        return proba

    def predict(self, X, sample_domain=None) -> np.ndarray:
        """Class of highest degenerate probability."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def transform(self, X, sample_domain=None) -> np.ndarray:
        """The wrapped classifier's embedding (DEV needs one)."""
        return self.classifier.transform(X)


def scorer_sanity(
    trained,
    degenerate: Mapping[str, object],
    X,
    y,
    sample_domain,
    scorers: Sequence[str] | None = None,
    n_source_per_class: int | None = 1000,
    random_state: int = 0,
) -> dict[str, dict]:
    """Score a trained model and degenerate predictors alike; flag scorers that prefer collapse.

    Parameters
    ----------
    trained : NebulaClassifier
    degenerate : dict
        name -> predictor (:class:`DegeneratePredictor`, a 1-step model ...).
    X, y, sample_domain : array-like
        As given to ``trained.fit``; target labels are never read.
    scorers : sequence of str, optional
        Names of :data:`~nebuladapt.evaluation.scorers.SCORER_NAMES`.
    n_source_per_class, random_state
        See :func:`~nebuladapt.evaluation.scorers.label_free_scores`.

    Returns
    -------
    dict
        scorer -> {"trained": value, <degenerate name>: value, ...,
        "fooled_by": [names scored at least as high as the trained model]}.
    """
    names = {"trained": trained, **degenerate}
    values = {
        name: label_free_scores(model, X, y, sample_domain, scorers, n_source_per_class, random_state)
        for name, model in names.items()
    }
    out = {}
    for scorer in values["trained"]:
        row = {name: values[name][scorer] for name in names}
        row["fooled_by"] = [n for n in degenerate if row[n] >= row["trained"]]
        out[scorer] = row
    return out
