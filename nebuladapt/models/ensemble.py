"""Ensembles of NebulaClassifiers over seeds (and optionally configurations), averaging probabilities.

A single adversarial fit depends on its seed; averaging the class probabilities
of a few fits removes most of that dependence without choosing anything by a
label-free scorer. :func:`teacher_probabilities` is what ``NebulaClassifier.fit``
uses when ``members > 1``: the members' mean target probabilities, which the
fitted network is then trained to reproduce (distillation), so one network of
the usual size is saved and prediction costs what it always did.
:class:`NebulaEnsemble` keeps the members themselves (for experiments).
Both use only :class:`~nebuladapt.models.estimator.NebulaClassifier`'s public
API (``fit``, ``predict_proba``, ``off_grid``, ``classes_``, ``get_params``).
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from nebuladapt.models.estimator import NebulaClassifier
from nebuladapt.models.params import start_steps, store_init_arguments

__all__ = ["MEMBER_OVERRIDES", "NebulaEnsemble", "class_proportions", "distillation_losses", "fit_member",
           "member_probabilities", "member_seeds", "source_only_weights", "teacher_probabilities"]


def member_seeds(random_state: int, n_members: int) -> list[int]:
    """Seeds of the ``n_members`` members of a fit seeded ``random_state``.

    Derived with :class:`numpy.random.SeedSequence` (``spawn``), so they are
    fixed by ``random_state`` and distinct from one another and from the
    seeds of neighbouring ``random_state`` values.
    """
    children = np.random.SeedSequence(int(random_state)).spawn(int(n_members))
    return [int(child.generate_state(1)[0] >> 1) for child in children]


#: What each member changes in the fit's parameters: a single network, no temperature, prior correction or checkpoints.
MEMBER_OVERRIDES = {"members": 1, "calibrate": False, "prior_correction": "none", "checkpoint_steps": ()}


def fit_member(
    params: Mapping, X, y, sample_domain, X_err, seed: int, initial_weights: dict | None = None,
    callback: Callable | None = None,
) -> np.ndarray:
    """Target probabilities (temperature 1) of one member: ``params`` with :data:`MEMBER_OVERRIDES`, seeded ``seed``.

    ``initial_weights`` and ``callback(step, record)`` as for :meth:`NebulaClassifier.fit`.
    """
    member = NebulaClassifier(**{**dict(params), **MEMBER_OVERRIDES, "random_state": seed})
    member.fit(X, y, sample_domain=sample_domain, X_err=X_err, callback=callback, initial_weights=initial_weights)
    return member.predict_proba(np.asarray(X, dtype=np.float64)[np.asarray(sample_domain) < 0])


def member_probabilities(
    params: Mapping, X, y, sample_domain, X_err=None, callback: Callable | None = None,
    initial_weights: dict | None = None, own_starts: Mapping | None = None, n_jobs: int = 1,
) -> tuple[np.ndarray, list[int]]:
    """Target probabilities of each of ``params["members"]`` single-network fits.

    Parameters
    ----------
    params : mapping
        NebulaClassifier parameters of the fit (``members`` members, each
        seeded by :func:`member_seeds` of ``random_state``); members are single
        networks without temperature, prior correction or checkpoints (:func:`fit_member`).
    X, y, sample_domain, X_err
        As for :meth:`NebulaClassifier.fit`; ``sample_domain < 0`` marks the
        target rows.
    callback : callable, optional
        ``callback(member, step, record)``, in member order; with ``own_starts`` a member's steps
        are numbered from the first step of its start.
    initial_weights : dict or callable, optional
        Weights every member starts from (:func:`source_only_weights`), or a
        function of a member's seed giving the weights that member starts from.
    own_starts : mapping, optional
        Instead of ``initial_weights``: each member starts from its own source-only network
        (:func:`source_only_weights` of these parameters, seeded like the member).
    n_jobs : int
        With ``own_starts``: processes that train the members at once (joblib; -1: one per CPU
        core). Each trains on one thread, so the probabilities are the same for every ``n_jobs``;
        ``callback`` then hears of a member's steps once it and the members before it are done.

    Returns
    -------
    probabilities : ndarray (n_members, n_target, n_classes)
        Each member's class probabilities (temperature 1) of the target rows, in order.
    seeds : list of int
    """
    seeds = member_seeds(params["random_state"], params["members"])
    if own_starts is None:
        probabilities = []
        for k, seed in enumerate(seeds):
            hook = None if callback is None else (lambda step, rec, k=k: callback(k, step, rec))
            start = initial_weights(seed) if callable(initial_weights) else initial_weights
            probabilities.append(fit_member(params, X, y, sample_domain, X_err, seed, start, hook))
        return np.stack(probabilities), seeds
    if initial_weights is not None:
        raise ValueError("give initial_weights or own_starts, not both")
    from joblib import Parallel, delayed, effective_n_jobs

    first = int(own_starts["n_steps"])
    jobs = [delayed(_member_job)(params, own_starts, X, y, sample_domain, X_err, seed) for seed in seeds]
    finished = Parallel(n_jobs=min(effective_n_jobs(int(n_jobs)), len(jobs)), return_as="generator")(jobs)
    probabilities = []
    for k, (proba, start_calls, member_calls) in enumerate(finished):  # in member order
        if callback is not None:
            for offset, calls in ((0, start_calls), (first, member_calls)):
                for step, record in calls:
                    callback(k, offset + step, record)
        probabilities.append(proba)
    return np.stack(probabilities), seeds


def teacher_probabilities(
    params: Mapping, X, y, sample_domain, X_err=None, callback: Callable | None = None,
    initial_weights: dict | None = None, own_starts: Mapping | None = None, n_jobs: int = 1,
) -> tuple[np.ndarray, list[int], np.ndarray]:
    """Mean target probabilities of ``params["members"]`` single-network fits (:func:`member_probabilities`).

    Parameters are those of :func:`member_probabilities`.

    Returns
    -------
    teacher : ndarray (n_target, n_classes)
        Mean class probabilities (temperature 1) of the target rows, in order.
    seeds : list of int
    proportions : ndarray (n_members, n_classes)
        Each member's predicted class proportions on the target (a record of
        how much the members agree).
    """
    stacked, seeds = member_probabilities(params, X, y, sample_domain, X_err, callback, initial_weights,
                                          own_starts, n_jobs)  # fmt: skip
    return stacked.mean(axis=0), seeds, class_proportions(stacked)


def class_proportions(stacked: np.ndarray) -> np.ndarray:
    """Each member's predicted class proportions on the target, from (n_members, n_target, n_classes) probabilities."""
    return np.stack([np.bincount(np.argmax(np.nan_to_num(p, nan=-1), axis=1), minlength=p.shape[1])
                     for p in stacked]) / max(1, stacked.shape[1])  # fmt: skip


def source_only_weights(params: Mapping, X, y, sample_domain, X_err=None, callback: Callable | None = None) -> dict:
    """Weights of a source-only network (``method="nn"``, seed ``random_state``) to start from.

    An adapted network that starts from random weights can settle, on a
    catalogue of one class, on calling nearly every row another class (the
    target-entropy and alignment terms act before the classifier has learned
    the source); started from a network that has learned the source, it does
    not (docs/experiment/trust_suite.md). The ``n_steps``, noise and features
    of ``params``; no target row is used.
    """
    network = NebulaClassifier(**{**dict(params), **MEMBER_OVERRIDES, "method": "nn"})
    network.fit(X, y, sample_domain=sample_domain, X_err=X_err, callback=callback)
    return network.network_.state_dict()


def _recorded(function, *args, **kwargs) -> tuple:
    """``function(*args, callback=..., **kwargs)`` and the ``(step, record)`` calls its callback received, in order."""
    calls: list = []
    result = function(*args, callback=lambda step, rec: calls.append((step, rec)), **kwargs)
    return result, calls


def _member_job(params: Mapping, start_params: Mapping, X, y, sample_domain, X_err, seed: int) -> tuple:
    """One member from its own source-only start seeded like it: its target probabilities, then the
    progress calls of the start and of the member."""
    start, start_calls = _recorded(source_only_weights, {**start_params, "random_state": seed}, X, y,
                                   sample_domain, X_err)  # fmt: skip
    proba, member_calls = _recorded(fit_member, params, X, y, sample_domain, X_err, seed, start)
    return proba, start_calls, member_calls


def distillation_losses(model, X, y, is_source, X_err=None, callback: Callable | None = None):
    """What ``model.fit`` trains with when ``model.members > 1``.

    Trains a source-only network of :func:`~nebuladapt.models.params.start_steps` steps seeded
    ``random_state`` (:func:`source_only_weights`; the distilled network starts from it), then each
    member (:func:`teacher_probabilities` of ``model.get_params()``) from its own source-only network
    of as many steps, seeded like the member. Short, independent starts leave the members less of one
    start's luck to share (``benchmarks/results/crowded_result.md``). The members are independent of
    one another: ``model.n_jobs`` processes train them at once (joblib), each on one thread, so the
    result is the same for every ``n_jobs``. Records the members' seeds and target class proportions
    in ``model.ensemble_`` (their mean target probabilities in ``model.teacher_proba_``, not saved)
    and returns the loss list of the distilled network (the source classification loss is the
    training loop's own) and the progress callback renumbered to follow all the steps before it
    (:func:`~nebuladapt.models.params.steps_trained`; every step is reported, in the same order for
    every ``n_jobs``, a member's once it and the members before it are done).

    Returns
    -------
    losses : list of AdaptationLoss
        One :class:`~nebuladapt.models.losses.distillation.TargetDistillation`.
    callback : callable or None
    initial_weights : dict
        The weights the distilled network starts from.
    """
    from nebuladapt.models.losses.distillation import TargetDistillation

    n_steps, params = model.n_steps, model.get_params()
    first = start_steps(n_steps)
    start_params = {**params, "n_steps": first}

    def member_offset(k):  # the distilled network's start, then per member: its start, the member
        return first + k * (first + n_steps)

    def at(offset):
        return None if callback is None else (lambda step, rec: callback(offset + step, rec))

    domain = np.where(np.asarray(is_source), 1, -2)
    start = source_only_weights(start_params, X, y, domain, X_err, at(0))
    member_hook = None if callback is None else (lambda k, step, rec: callback(member_offset(k) + step, rec))
    teacher, seeds, proportions = teacher_probabilities(
        params, X, y, domain, X_err=X_err, callback=member_hook, own_starts=start_params, n_jobs=model.n_jobs,
    )
    model.ensemble_ = {"member_seeds": seeds, "member_target_proportions": proportions.round(4).tolist(),
                       "start": f"each member from its own source-only network of {first} "
                                "steps (the member's seed); the distilled network from one seeded random_state"}  # fmt: skip
    model.teacher_proba_ = teacher
    last = at(member_offset(model.members))  # the distilled network comes last
    return [TargetDistillation(teacher, 1.0, model.batch_size, model.random_state)], last, start


class NebulaEnsemble(ClassifierMixin, BaseEstimator):
    """Mean class probabilities of NebulaClassifiers fitted with different seeds/configurations.

    Parameters
    ----------
    n_members : int
        Fits per configuration; member ``i`` uses seed ``random_state + i``.
    params : dict, optional
        NebulaClassifier parameters shared by every member (``members``
        defaults to 1 here: each member is a single network).
    configurations : sequence of dict, optional
        Overrides of ``params``, one set of ``n_members`` fits each (default:
        one configuration, ``params`` itself).
    random_state : int

    Attributes
    ----------
    estimators_ : list of NebulaClassifier
    classes_ : ndarray of str
    """

    def __init__(
        self,
        n_members: int = 3,
        params: Mapping | None = None,
        configurations: Sequence[Mapping] | None = None,
        random_state: int = 0,
    ) -> None:
        store_init_arguments(self, locals())

    def fit(self, X, y, sample_domain=None, X_err=None, callback: Callable | None = None):
        """Fit every member on the same arrays (see :meth:`NebulaClassifier.fit`).

        ``callback(member, step, record)`` receives the member index first.
        """
        if int(self.n_members) < 1:
            raise ValueError(f"n_members must be >= 1, got {self.n_members}")
        configurations = list(self.configurations or [{}])
        self.estimators_ = []
        for config in configurations:
            for i in range(int(self.n_members)):
                index = len(self.estimators_)
                member = NebulaClassifier(
                    **{"members": 1, **dict(self.params or {}), **dict(config), "random_state": self.random_state + i}
                )
                hook = None if callback is None else (lambda step, rec, k=index: callback(k, step, rec))
                self.estimators_.append(member.fit(X, y, sample_domain=sample_domain, X_err=X_err, callback=hook))
        self.classes_ = self.estimators_[0].classes_
        return self

    def predict_proba(self, X, sample_domain=None) -> np.ndarray:
        """Mean of the members' probabilities, shape (n_rows, n_classes)."""
        mean = np.mean([m.predict_proba(X) for m in self.estimators_], axis=0)
        return mean / mean.sum(axis=1, keepdims=True)

    def decision_function(self, X) -> np.ndarray:
        """Log of the mean probabilities (a softmax of it gives :meth:`predict_proba`)."""
        return np.log(np.clip(self.predict_proba(X), 1e-300, None))

    def predict(self, X, sample_domain=None) -> np.ndarray:
        """Class of highest mean probability."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def off_grid(self, X) -> np.ndarray:
        """True where any member flags the row as off its source grids."""
        return np.any([m.off_grid(X) for m in self.estimators_], axis=0)
