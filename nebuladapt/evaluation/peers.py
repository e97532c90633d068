"""Other domain-adaptation methods, through skada, as peers of nebuladapt's DANN.

Every peer sees the *same data* as :class:`~nebuladapt.models.NebulaClassifier`:
one array ``X`` of line fluxes in the order of ``feature_spec.lines`` stacking
the labelled source (shipped model grids) and the unlabelled target
(an observed catalogue), ``sample_domain`` > 0 for source and < 0 for target,
target labels ``-1`` (skada's convention; build them with
:func:`nebuladapt.models.fitting.domain_arrays`). Peers are fitted and
predict on the same fluxes.

What a peer does with them, identically for every kind (documented choices):

1. **Source subsample.** ``n_source_per_class`` model rows are drawn per class
   (without replacement; with replacement only for a class that has fewer),
   seeded by ``random_state``. Class-balanced, like nebuladapt's batches; small
   enough for kernel methods (KMM solves an ``n_source``-square QP, so its
   default is 1,000 per class) and for skada's deep data loader, which visits
   every row in Python when it is built.
2. **Augmentation, once.** The subsampled source fluxes get one draw of
   nebuladapt's noise (:func:`nebuladapt.noise.inject_noise`, ``none``,
   ``fixed`` or ``matched`` to the target's ``X_err``) and of its random
   feature masking (``mask_prob``), so that, as for NebulaClassifier, source
   rows with missing ratios exist. NebulaClassifier redraws both at every
   step; a peer draws them once (a static augmented training set).
3. **Encoding.** The log line ratios (:func:`nebuladapt.features.log_ratios`)
   are encoded exactly as nebuladapt's networks see them,
   :func:`nebuladapt.models.training.encode`: standardised with the clean
   source statistics, missing -> 0, plus one missing-mask column per ratio.
   skada then works on this finite ``2 * n_ratios``-column matrix.

Peers (:data:`PEERS`):

* ``source_logreg``: :class:`~sklearn.linear_model.LogisticRegression` on the
  source rows only (no adaptation), the reference for the two shallow peers.
* ``coral``: :func:`skada.CORAL` (correlation alignment of the source to the
  target covariance) + the same logistic regression.
* ``kmm``: :func:`skada.KMMReweight` (kernel mean matching importance weights,
  RBF kernel) + the same logistic regression fitted with the weights.
* ``skada_dann``: :func:`skada.deep.DANN` (skorch) with nebuladapt's 64-64 ReLU
  feature extractor and linear label head, and a domain head of our own
  (:class:`LogitDomainHead`): gradient reversal, 64 ReLU units, **one logit**,
  trained with ``BCEWithLogitsLoss`` (a sigmoid). skada's default
  ``DomainClassifier`` ends in a one-unit softmax, which is identically 1 and
  passes no adversarial gradient. The reversal strength follows nebuladapt's
  schedule ``domain_weight * lambda_p`` (:func:`nebuladapt.models.networks.grl_lambda`),
  updated every batch.

Importing this module imports skada, which switches scikit-learn's metadata
routing on for the whole process (``sklearn.set_config(enable_metadata_routing=True)``).
"""

from __future__ import annotations

import time
from functools import partial
from typing import Callable

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from torch import nn

from nebuladapt.features import FeatureSpec, default_feature_spec, log_ratios
from nebuladapt.models.networks import GradientReversal, NebulaNet, grl_lambda
from nebuladapt.models.params import store_init_arguments
from nebuladapt.models.training import Scaler, random_mask, encode
from nebuladapt.noise import NOISE_KINDS, inject_noise, target_fractional_errors

__all__ = [
    "PEER_KINDS",
    "PEERS",
    "DEFAULT_SOURCE_PER_CLASS",
    "SkadaPeer",
    "LogitDomainHead",
    "make_skada_dann",
    "run_peers",
]

PEER_KINDS = ("source_logreg", "coral", "kmm", "skada_dann")

#: Source rows drawn per class when ``n_source_per_class`` is None.
DEFAULT_SOURCE_PER_CLASS = {"source_logreg": 3000, "coral": 3000, "kmm": 1000, "skada_dann": 3000}


class _SkadaBaseModule(NebulaNet):
    """NebulaNet without its own domain head; accepts skada's ``sample_weight`` keyword."""

    def __init__(self, n_inputs: int, n_classes: int, hidden=(64, 64)) -> None:
        super().__init__(n_inputs, n_classes, hidden=tuple(hidden), domain_hidden=0)

    def forward(self, x: torch.Tensor, sample_weight=None) -> torch.Tensor:  # noqa: D102
        return super().forward(x)


class LogitDomainHead(nn.Module):
    """Domain discriminator for skada's DANN: GRL, hidden ReLU layer, one logit.

    Returns the *logit* (pair it with ``BCEWithLogitsLoss``, as
    :func:`make_skada_dann` does), never a one-unit softmax.

    Parameters
    ----------
    n_features : int
        Width of the feature extractor's output.
    hidden : int
        Hidden units.
    coeff : float
        Initial gradient-reversal strength (:attr:`grl` ``.coeff``).
    """

    def __init__(self, n_features: int, hidden: int = 64, coeff: float = 1.0) -> None:
        super().__init__()
        self.grl = GradientReversal(coeff)
        self.classifier = nn.Sequential(nn.Linear(n_features, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, x: torch.Tensor, sample_weight=None) -> torch.Tensor:  # noqa: D102
        return self.classifier(self.grl(x)).squeeze(-1)


def _grl_schedule_callback(domain_weight: float, total_steps: int):
    """skorch callback setting the domain head's ``grl.coeff = domain_weight * lambda_p`` per batch."""
    from skorch.callbacks import Callback

    class GRLSchedule(Callback):
        def initialize(self):
            self.step_ = 0
            return self

        def on_batch_begin(self, net, batch=None, training=False, **kwargs):
            if training:
                progress = min(1.0, self.step_ / max(1, total_steps - 1))
                net.module_.domain_classifier_.grl.coeff = domain_weight * grl_lambda(progress)
                self.step_ += 1

    return GRLSchedule()


def make_skada_dann(
    n_inputs: int,
    n_classes: int,
    *,
    hidden=(64, 64),
    domain_hidden: int = 64,
    domain_weight: float = 1.0,
    total_steps: int = 1000,
    batch_size: int = 128,
    max_epochs: int = 10,
    lr: float = 1e-3,
):
    """skada ``DANN`` (a skorch ``DomainAwareNet``) with nebuladapt's network and a logit domain head.

    Parameters
    ----------
    n_inputs, n_classes : int
    hidden : tuple of int
        Feature-extractor sizes (the hook reads layer ``feature_extractor``).
    domain_hidden : int
    domain_weight : float
        Maximum reversal strength; the schedule runs over ``total_steps`` batches.
    total_steps : int
        Number of training batches (for the schedule).
    batch_size : int
        Source rows per batch (skada adds as many target rows).
    max_epochs : int
    lr : float
        Adam learning rate.

    Returns
    -------
    skada.deep.base.DomainAwareNet
        Unfitted; its ``criterion__adapt_criterion`` is skada's ``DANNLoss``
        with ``BCEWithLogitsLoss``.
    """
    from skada.deep import DANN

    head = LogitDomainHead(hidden[-1], domain_hidden, coeff=0.0)
    return DANN(
        _SkadaBaseModule(n_inputs, n_classes, hidden),
        layer_name="feature_extractor",
        reg=1.0,
        domain_classifier=head,
        domain_criterion=nn.BCEWithLogitsLoss(),
        batch_size=batch_size,
        max_epochs=max_epochs,
        lr=lr,
        optimizer=torch.optim.Adam,
        train_split=None,
        verbose=0,
        callbacks=[("grl_schedule", _grl_schedule_callback(domain_weight, total_steps))],
    )


class SkadaPeer(ClassifierMixin, BaseEstimator):
    """A skada adaptation method on nebuladapt's data and features.

    Parameters
    ----------
    kind : {"source_logreg", "coral", "kmm", "skada_dann"}
    noise : {"none", "fixed", "matched"}
        Noise drawn once on the subsampled source fluxes (``matched`` needs ``X_err``).
    noise_level : float
        Fractional noise for ``fixed`` (and the fallback of ``matched``).
    mask_prob : float
        Probability of masking each source feature (drawn once).
    n_source_per_class : int or None
        Source rows per class (None: :data:`DEFAULT_SOURCE_PER_CLASS`).
    hidden : tuple of int
        ``skada_dann`` feature-extractor sizes.
    domain_weight : float
        ``skada_dann`` maximum gradient-reversal strength.
    max_epochs, batch_size, lr : int, int, float
        ``skada_dann`` optimisation (an epoch is ``n_source / batch_size`` batches
        of ``batch_size`` source + ``batch_size`` target rows).
    C : float
        Inverse regularisation of the logistic regressions.
    feature_spec : FeatureSpec or None
    random_state : int
        Seeds the subsample, the augmentation and torch.

    Attributes
    ----------
    classes_ : ndarray of str
    lines_ : list of str
    scaler_ : Scaler
    estimator_ : fitted sklearn/skada estimator working on encoded features
    n_source_rows_ : int
    """

    def __init__(
        self,
        kind: str = "coral",
        noise: str = "fixed",
        noise_level: float = 0.1,
        mask_prob: float = 0.1,
        n_source_per_class: int | None = None,
        hidden: tuple = (64, 64),
        domain_weight: float = 1.0,
        max_epochs: int = 30,
        batch_size: int = 128,
        lr: float = 1e-3,
        C: float = 1.0,
        feature_spec: FeatureSpec | None = None,
        random_state: int = 0,
    ) -> None:
        store_init_arguments(self, locals())

    @property
    def spec_(self) -> FeatureSpec:
        """The feature spec in use."""
        return self.feature_spec or default_feature_spec()

    def _flux(self, X, name: str = "X") -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        n_lines = len(self.spec_.lines)
        if X.ndim != 2 or X.shape[1] != n_lines:
            raise ValueError(f"{name} must have shape (n_rows, {n_lines}), got {X.shape}")
        return X

    def _encode(self, flux) -> np.ndarray:
        features = log_ratios(torch.as_tensor(flux, dtype=torch.float64), self.spec_)
        return encode(features, self.scaler_).numpy().astype(np.float64)

    def transform(self, X) -> np.ndarray:
        """The encoded features skada works on: ``[scaled ratios (0 if missing), missing mask]``."""
        return self._encode(self._flux(X))

    def fit(self, X, y, sample_domain=None, X_err=None):
        """Fit on labelled source rows and unlabelled target rows.

        Parameters
        ----------
        X : array-like, shape (n_rows, n_lines)
            Line fluxes (NaN = unmeasured), source and target stacked.
        y : array-like
            Source class labels, ``-1`` for target rows.
        sample_domain : array-like of int, optional
            > 0 source, < 0 target. Default: target where ``y == -1``.
        X_err : array-like like ``X``, optional
            Flux errors; needed on target rows for ``noise="matched"``.

        Returns
        -------
        self
        """
        if self.kind not in PEER_KINDS:
            raise ValueError(f"kind must be one of {PEER_KINDS}, got {self.kind!r}")
        if self.noise not in NOISE_KINDS:
            raise ValueError(f"noise must be one of {NOISE_KINDS}, got {self.noise!r}")
        spec = self.spec_
        self.lines_ = spec.lines
        X = self._flux(X)
        y = np.asarray(y, dtype=object)
        if len(y) != len(X):
            raise ValueError(f"y has {len(y)} rows, X has {len(X)}")
        if sample_domain is None:
            is_source = np.array([str(v) != "-1" for v in y])
        else:
            is_source = np.asarray(sample_domain) > 0
        if not is_source.any():
            raise ValueError("no source rows (sample_domain > 0) to learn from")
        if self.kind != "source_logreg" and is_source.all():
            raise ValueError(f"{self.kind} needs target rows (sample_domain < 0)")
        labels = y[is_source].astype(str)
        self.classes_ = np.unique(labels)
        label_idx = np.searchsorted(self.classes_, labels)
        source_flux, target_flux = X[is_source], X[~is_source]
        self.scaler_ = Scaler.fit(log_ratios(source_flux, spec))

        rng = np.random.default_rng(self.random_state)
        per_class = self.n_source_per_class or DEFAULT_SOURCE_PER_CLASS[self.kind]
        rows = []
        for c in range(len(self.classes_)):
            members = np.flatnonzero(label_idx == c)
            rows.append(rng.choice(members, per_class, replace=len(members) < per_class))
        rows = np.concatenate(rows)
        self.n_source_rows_ = len(rows)

        torch.manual_seed(self.random_state)
        generator = torch.Generator().manual_seed(self.random_state)
        fractional = torch.empty((0, len(self.lines_)), dtype=torch.float64)
        if self.noise == "matched":
            if X_err is None:
                raise ValueError("noise='matched' needs X_err (target flux errors)")
            err = self._flux(X_err, "X_err")[~is_source]
            frac = target_fractional_errors(target_flux, err)
            frac = frac[np.isfinite(frac).any(axis=1)]
            if len(frac) == 0:
                raise ValueError("noise='matched' but no target row has a usable error")
            fractional = torch.from_numpy(frac)
        flux = inject_noise(
            torch.from_numpy(source_flux[rows]), self.noise, self.noise_level, generator, fractional
        )
        features = random_mask(log_ratios(flux, spec), self.mask_prob, generator)
        Z_source = encode(features, self.scaler_).numpy().astype(np.float64)
        y_source = label_idx[rows]
        Z_target = self._encode(target_flux)
        Z = np.vstack([Z_source, Z_target])
        y_all = np.concatenate([y_source, np.full(len(Z_target), -1)]).astype(np.int64)
        domain = np.concatenate([np.ones(len(Z_source), int), -np.ones(len(Z_target), int)])
        self.estimator_ = self._fit_estimator(Z, y_all, domain)
        self.n_features_in_ = len(self.lines_)
        return self

    def _logreg(self, weighted: bool = False) -> LogisticRegression:
        model = LogisticRegression(C=self.C, max_iter=2000)
        return model.set_fit_request(sample_weight=True) if weighted else model

    def _fit_estimator(self, Z, y, domain):
        is_source = domain > 0
        if self.kind == "source_logreg":
            return self._logreg().fit(Z[is_source], y[is_source])
        if self.kind == "coral":
            from skada import CORAL

            return CORAL(base_estimator=self._logreg()).fit(Z, y, sample_domain=domain)
        if self.kind == "kmm":
            from skada import KMMReweight

            return KMMReweight(base_estimator=self._logreg(weighted=True)).fit(Z, y, sample_domain=domain)
        n_source, n_target = int(is_source.sum()), int((~is_source).sum())
        bs = self.batch_size
        per_epoch = max(n_source - n_source % bs, n_target - n_target % bs) // bs
        net = make_skada_dann(
            Z.shape[1],
            len(self.classes_),
            hidden=tuple(self.hidden),
            domain_weight=self.domain_weight,
            total_steps=max(1, per_epoch * self.max_epochs),
            batch_size=bs,
            max_epochs=self.max_epochs,
            lr=self.lr,
        )
        return net.fit(Z.astype(np.float32), y, sample_domain=domain)

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, columns in the order of :attr:`classes_`."""
        Z = self.transform(X)
        if self.kind == "skada_dann":
            proba = self.estimator_.predict_proba(
                Z.astype(np.float32), sample_domain=-np.ones(len(Z), int), allow_source=True
            )
        elif self.kind == "source_logreg":
            proba = self.estimator_.predict_proba(Z)
        else:
            proba = self.estimator_.predict_proba(Z, sample_domain=-np.ones(len(Z), int))
        return np.asarray(proba, dtype=np.float64)

    def predict(self, X) -> np.ndarray:
        """Most probable class per row."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


#: name -> factory; ``PEERS[name](random_state=0, **params)`` gives an unfitted peer.
PEERS: dict[str, Callable[..., SkadaPeer]] = {kind: partial(SkadaPeer, kind=kind) for kind in PEER_KINDS}


def run_peers(
    seeds=(0, 1, 2),
    peers=tuple(PEERS),
    noise: str = "matched",
    progress: Callable[[str], None] | None = None,
    **params,
) -> list[dict]:
    """Fit each peer per seed on the shipped grids + benchmark, score on the benchmark labels.

    The target is ``deredden_catalog(benchmark_catalog())`` with ``X`` from
    :func:`~nebuladapt.models.fitting.domain_arrays`; the benchmark labels are
    read only to score. Records have the keys of
    :func:`nebuladapt.evaluation.demo.run_demo` (``method``, ``seed``,
    ``noise``, ``wall_time_s`` and :func:`classification_scores`), so
    :func:`~nebuladapt.evaluation.demo.summary_rows` summarises them.
    ``wall_time_s`` covers fit and predict.
    """
    from nebuladapt.benchmark import benchmark_catalog, load_benchmark
    from nebuladapt.dust import deredden_catalog
    from nebuladapt.evaluation.metrics import classification_scores
    from nebuladapt.models.fitting import domain_arrays

    catalog = deredden_catalog(benchmark_catalog())
    labels = np.asarray(load_benchmark()["class"]).astype(str)
    spec = params.pop("feature_spec", None) or default_feature_spec()
    X, y, sample_domain, X_err = domain_arrays(catalog, spec)
    records = []
    for name in peers:
        for seed in seeds:
            if progress:
                progress(f"{name} seed {seed}")
            start = time.perf_counter()
            model = PEERS[name](random_state=seed, noise=noise, feature_spec=spec, **params)
            model.fit(X, y, sample_domain=sample_domain, X_err=X_err)
            predictions = model.predict(X[sample_domain < 0])
            records.append(
                {
                    "method": name,
                    "seed": seed,
                    "noise": noise,
                    "wall_time_s": time.perf_counter() - start,
                    **classification_scores(labels, predictions),
                }
            )
    return records
