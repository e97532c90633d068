"""Scores against known labels (evaluation only: labels never train a model)."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, recall_score

from nebuladapt import CLASSES

__all__ = ["classification_scores", "output_classes", "summarise", "summarise_records"]


def classification_scores(y_true, y_pred, classes=CLASSES) -> dict:
    """Balanced accuracy, accuracy, macro-F1, per-class recall and confusion matrix.

    Rows the model left unclassified (``y_pred == ""``) count as wrong.

    Parameters
    ----------
    y_true, y_pred : array-like of str
    classes : sequence of str

    Returns
    -------
    dict
    """
    y_true = np.asarray(y_true).astype(str)
    y_pred = np.asarray(y_pred).astype(str)
    labels = list(classes)
    recalls = recall_score(y_true, y_pred, labels=labels, average=None, zero_division=0)
    present = [c in set(y_true) for c in labels]
    return {
        "balanced_accuracy": float(np.mean(recalls[present])),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, labels=[c for c, p in zip(labels, present) if p], average="macro", zero_division=0)),
        "recall": {c: float(r) for c, r, p in zip(labels, recalls, present) if p},
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        "n": int(len(y_true)),
    }


def output_classes(classes, proba, usable) -> np.ndarray:
    """The class ``nebuladapt predict`` gives each row: the most probable, ``""`` where no ratio is usable.

    Scoring these, rather than the most probable class of every row, scores what a user gets: a
    row with no computable feature is written ``unclassified:no_usable_ratio``, and
    :func:`classification_scores` counts it as wrong.

    Parameters
    ----------
    classes : sequence of str
        Column order of ``proba``.
    proba : array-like, shape (n, n_classes)
    usable : array-like of bool, shape (n,)
        Rows with at least one computable feature (:func:`nebuladapt.features.usable_rows`).

    Returns
    -------
    ndarray of str, shape (n,)
    """
    best = np.asarray(classes).astype(str)[np.argmax(np.asarray(proba), axis=1)]
    return np.where(np.asarray(usable, dtype=bool), best, "")


def summarise(values) -> tuple[float, float]:
    """Mean and sample standard deviation (``ddof=1``; 0 for a single value) of a list of numbers."""
    values = np.asarray(list(values), dtype=float)
    std = float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
    return float(np.mean(values)), std


def summarise_records(records: list[dict], carry: tuple[str, ...] = ()) -> list[dict]:
    """Mean and std over seeds of each method's scores, methods in first-seen order.

    Parameters
    ----------
    records : list of dict
        One per (method, seed), with the keys of :func:`classification_scores`
        plus ``method`` and ``wall_time_s``.
    carry : tuple of str
        Record keys copied from each method's first record (e.g. ``noise``).

    Returns
    -------
    list of dict
        ``method``, the carried keys, ``seeds`` and ``(mean, std)`` pairs of
        balanced accuracy, accuracy, macro-F1, ``recall_<class>`` and wall time.
    """
    rows = []
    for method in dict.fromkeys(r["method"] for r in records):
        group = [r for r in records if r["method"] == method]
        row = {"method": method, **{key: group[0][key] for key in carry}, "seeds": len(group)}
        for key in ("balanced_accuracy", "accuracy", "macro_f1"):
            row[key] = summarise(r[key] for r in group)
        for cls in CLASSES:
            row[f"recall_{cls}"] = summarise(r["recall"].get(cls, np.nan) for r in group)
        row["wall_time_s"] = summarise(r["wall_time_s"] for r in group)
        rows.append(row)
    return rows
