"""Classify an observed catalogue with a fitted model: every row comes back.

Output columns added to the input table (all input columns kept as they are):

``pred_class``
    ``HII``, ``PN`` or ``SNR``; empty where the row cannot be classified.
``prob_HII``, ``prob_PN``, ``prob_SNR``
    Class probabilities (NaN where unclassified).
``flag``
    ``;``-separated reasons a row was not classified or is doubtful, empty for
    a clean row: ``missing:<LINE>``, ``nonpositive:<LINE>``, ``bad_err:<LINE>``,
    ``low_snr:<LINE>``, ``caseB:<LINE>`` (line inferred from the case-B Balmer
    ratio), ``unclassified:no_usable_ratio``.
"""

from __future__ import annotations

import numpy as np
from astropy.table import Table

from nebuladapt import CLASSES
from nebuladapt.catalogs import LineCatalog
from nebuladapt.features import catalog_line_matrix, row_line_flags

__all__ = ["PREDICTION_COLUMNS", "predict_arrays", "classify_catalog"]

PREDICTION_COLUMNS = ("pred_class", "prob_HII", "prob_PN", "prob_SNR", "flag")
UNCLASSIFIED = "unclassified:no_usable_ratio"


def predict_arrays(model, flux: np.ndarray, flux_err: np.ndarray, notes=None) -> dict:
    """Predictions and flags for a matrix of line fluxes in ``model.lines_`` order.

    Parameters
    ----------
    model : NebulaClassifier
        Fitted classifier.
    flux, flux_err : ndarray, shape (n, len(model.lines_))
    notes : list of list of str, optional
        Extra per-row flags (e.g. from :func:`catalog_line_matrix`).

    Returns
    -------
    dict of str to ndarray
        The :data:`PREDICTION_COLUMNS`, one value per input row.
    """
    n = flux.shape[0]
    flags = row_line_flags(flux, flux_err, model.lines_)
    if notes is not None:
        for row_flags, row_notes in zip(flags, notes):
            row_flags.extend(row_notes)
    proba = np.full((n, len(model.classes_)), np.nan)
    pred = np.full(n, "", dtype=object)
    usable = model.n_missing_features(flux) < len(model.spec_.ratios)
    if usable.any():
        proba[usable] = model.predict_proba(flux[usable])
        pred[usable] = model.classes_[np.argmax(proba[usable], axis=1)]
    for i in np.flatnonzero(~usable):
        flags[i].append(UNCLASSIFIED)
    out = {"pred_class": pred.astype(str)}
    for cls in CLASSES:
        hit = np.flatnonzero(model.classes_ == cls)
        out[f"prob_{cls}"] = proba[:, hit[0]] if len(hit) else np.full(n, np.nan)
    out["flag"] = np.array([";".join(f) for f in flags], dtype=str)
    return out


def classify_catalog(catalog: LineCatalog, model) -> Table:
    """Classify every row of a catalogue.

    Parameters
    ----------
    catalog : LineCatalog
        Observed catalogue (dust-corrected where wanted, see
        :func:`nebuladapt.catalogs.read_catalog`).
    model : NebulaClassifier
        Fitted classifier.

    Returns
    -------
    astropy.table.Table
        The input table with :data:`PREDICTION_COLUMNS` appended, same rows in
        the same order.

    Raises
    ------
    ValueError
        If the input table already has one of the prediction columns.
    """
    clash = [c for c in PREDICTION_COLUMNS if c in catalog.table.colnames]
    if clash:
        raise ValueError(
            f"{catalog.source or 'catalogue'}: already has column(s) {', '.join(clash)}; "
            "rename or remove them before predicting"
        )
    flux, flux_err, notes = catalog_line_matrix(catalog, model.lines_)
    columns = predict_arrays(model, flux, flux_err, notes)
    out = catalog.table.copy(copy_data=False)
    for name in PREDICTION_COLUMNS:
        out[name] = columns[name]
    return out
