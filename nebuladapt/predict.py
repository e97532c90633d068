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
    ratio), ``doublet:<LINE>`` (strong line inferred from its weak partner),
    ``off_grid`` (far from every class's models), ``oiii_only`` (classified from
    [OIII] ratios alone, no [NII], [SII] or [OI] ratio: doubtful, see
    :func:`nebuladapt.features.oiii_only_rows`), ``nii_only`` (classified from
    [NII]/Halpha alone, no [OIII], [SII] or [OI] ratio: doubtful, see
    :func:`nebuladapt.features.nii_only_rows`), ``ambiguous`` (highest probability
    below :data:`~nebuladapt.models.inference.AMBIGUOUS_BELOW`: the class may change
    when the model is refitted with another seed), ``unclassified:no_usable_ratio``.

Probabilities, classes and the off-grid flag come from the model's inference
object (:meth:`Predictor.classify_rows <nebuladapt.models.inference.Predictor.classify_rows>`),
which the estimator uses too: the package's one inference path. It runs the
network on fixed-size padded blocks of :data:`FORWARD_BATCH` rows so that
output bytes do not depend on how a catalogue is cut into chunks. This module
turns its results into table columns and flags, vectorised so that millions of
rows cost no per-row Python: flags are bit masks per row, and each distinct
mask pattern is spelled out once (and remembered across chunks). The streaming reader (:mod:`nebuladapt.streaming`) and the Dask
path call :func:`predict_catalog`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from astropy.table import Table

from nebuladapt import CLASSES
from nebuladapt.catalogs import LineCatalog
from nebuladapt.features import LINE_FLAG_KINDS, catalog_limit_matrix, catalog_line_arrays, line_flag_masks
from nebuladapt.models.inference import FORWARD_BATCH
from nebuladapt.models.limits import LIMIT_LINES

__all__ = [
    "PREDICTION_COLUMNS",
    "FORWARD_BATCH",
    "Predictions",
    "predict_line_arrays",
    "predict_catalog",
    "classify_catalog",
    "check_no_prediction_columns",
    "PredictionSummary",
    "predict_summary",
]

#: Columns appended to a classified table: the class, one probability per class, the flags.
PREDICTION_COLUMNS = ("pred_class", *(f"prob_{cls}" for cls in CLASSES), "flag")
UNCLASSIFIED = "unclassified:no_usable_ratio"
#: Flag of a classified row that lies far from every class's model grid.
OFF_GRID = "off_grid"
#: Flag of a classified row whose only ratios are [OIII] ones (:func:`nebuladapt.features.oiii_only_rows`).
OIII_ONLY = "oiii_only"
#: Flag of a classified row whose only ratios are [NII] ones (:func:`nebuladapt.features.nii_only_rows`).
NII_ONLY = "nii_only"
#: Flag of a classified row whose highest probability is below :data:`~nebuladapt.models.inference.AMBIGUOUS_BELOW`.
AMBIGUOUS = "ambiguous"
#: Flag (``limit_used:<LINE>``) of a row whose upper limit on the line was used (:mod:`nebuladapt.models.limits`).
LIMIT_USED = "limit_used"


@dataclass
class Predictions:
    """Predictions for a block of rows, in compact (vectorised) form.

    Attributes
    ----------
    classes : ndarray of str
        The model's classes.
    class_index : ndarray of int, shape (n,)
        Index into ``classes`` of the predicted class; -1 where unclassified.
    proba : ndarray of float64, shape (n, len(CLASSES))
        Probabilities in :data:`nebuladapt.CLASSES` order (NaN where
        unclassified or where the model lacks the class).
    flag_index : ndarray of int32, shape (n,)
        Index into ``flag_strings`` of each row's flag.
    flag_strings : ndarray of object
        The distinct flag strings of this block.
    """

    classes: np.ndarray
    class_index: np.ndarray
    proba: np.ndarray
    flag_index: np.ndarray
    flag_strings: np.ndarray

    def __len__(self) -> int:
        return len(self.class_index)

    def _class_labels(self) -> np.ndarray:
        return np.append(np.asarray(self.classes, dtype=object), "")

    def pred_class(self) -> np.ndarray:
        """``pred_class`` as an array of str (``""`` where unclassified)."""
        return self._class_labels()[self.class_index].astype(str)

    def columns(self) -> dict:
        """The :data:`PREDICTION_COLUMNS` as NumPy arrays."""
        out = {"pred_class": self.pred_class()}
        for k, cls in enumerate(CLASSES):
            out[f"prob_{cls}"] = self.proba[:, k]
        flags = np.asarray(self.flag_strings, dtype=str)
        out["flag"] = flags[self.flag_index] if len(flags) else np.zeros(0, dtype=str)
        return out

    def arrow_columns(self, dictionary: bool = False) -> dict:
        """The :data:`PREDICTION_COLUMNS` as pyarrow arrays.

        ``pred_class`` and ``flag`` are ``string`` arrays, or with ``dictionary=True``
        dictionary-encoded ones (int32 indices into the distinct values: no
        per-row strings are built at all); the probabilities are ``double``.
        """
        import pyarrow as pa

        from nebuladapt.io.sources import numpy_to_arrow, strings_to_arrow

        def strings(index: np.ndarray, values) -> "pa.Array":
            words = strings_to_arrow(values)
            indices = numpy_to_arrow(index.astype(np.int32, copy=False))
            encoded = pa.DictionaryArray.from_arrays(indices, words)
            return encoded if dictionary else encoded.cast(pa.string())

        labels = self._class_labels()
        index = np.where(self.class_index < 0, len(labels) - 1, self.class_index)
        out = {"pred_class": strings(index, labels)}
        for k, cls in enumerate(CLASSES):
            out[f"prob_{cls}"] = numpy_to_arrow(self.proba[:, k].astype(np.float64, copy=False))
        out["flag"] = strings(self.flag_index, self.flag_strings)
        return out

    def counts(self) -> tuple[Counter, Counter]:
        """Rows per predicted class, and rows per flag reason (``missing``, ``low_snr`` ...)."""
        classes = Counter()
        per_class = np.bincount(self.class_index + 1, minlength=len(self.classes) + 1)
        for cls, count in zip(self.classes, per_class[1:]):
            if count:
                classes[str(cls)] += int(count)
        reasons = Counter()
        per_flag = np.bincount(self.flag_index, minlength=len(self.flag_strings))
        for flag, count in zip(self.flag_strings, per_flag):
            for reason in str(flag).split(";"):
                if reason and count:
                    reasons[reason.split(":")[0]] += int(count)
        return classes, reasons


@dataclass
class PredictionSummary:
    """Counts over classified rows: rows, rows per class, rows per flag reason."""

    n_rows: int = 0
    classes: Counter = field(default_factory=Counter)
    reasons: Counter = field(default_factory=Counter)

    def add(self, predictions: Predictions) -> None:
        """Add the counts of a block of predictions."""
        classes, reasons = predictions.counts()
        self.n_rows += len(predictions)
        self.classes.update(classes)
        self.reasons.update(reasons)

    @property
    def n_classified(self) -> int:
        return sum(self.classes.values())


def predict_summary(table) -> PredictionSummary:
    """Counts of a classified table (the output of :func:`classify_catalog`)."""
    summary = PredictionSummary(n_rows=len(table))
    for cls in table["pred_class"]:
        if cls:
            summary.classes[str(cls)] += 1
    for flags in table["flag"]:
        for reason in str(flags).split(";"):
            if reason:
                summary.reasons[reason.split(":")[0]] += 1
    return summary


#: Flag strings already spelled out, per list of flag names: chunks of one
#: catalogue share most of their patterns (dict reads and writes are atomic, so
#: worker threads share it).
_FLAG_STRINGS: dict = {}


def _encode_flags(groups: list[np.ndarray], names: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Per-row flag strings from groups of boolean columns, as (index, distinct strings).

    ``groups[g]`` has shape (n, len(names[g])). A row's string joins, with
    ``;``, the names of its true entries, group by group, column by column.
    Each group is packed into whole bytes, each row's bytes into one key, and
    each distinct key is spelled out once.
    """
    n = groups[0].shape[0] if groups else 0
    if n == 0:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=object)
    positions = []
    bytes_needed = sum(-(-len(group_names) // 8) for group_names in names)
    width = -(-bytes_needed // 8) * 8
    keys = np.zeros((n, width), dtype=np.uint8)
    acc = np.empty(n, dtype=np.uint8)
    shifted = np.empty(n, dtype=np.uint8)
    byte = 0
    for group, group_names in zip(groups, names):
        for first in range(0, len(group_names), 8):
            acc[:] = 0
            for j in range(first, min(first + 8, len(group_names))):
                np.left_shift(group[:, j].view(np.uint8), j - first, out=shifted)
                np.bitwise_or(acc, shifted, out=acc)
                positions.append((8 * byte + j - first, group_names[j]))
            keys[:, byte] = acc
            byte += 1
    if width == 8:
        import pyarrow.compute as pc

        from nebuladapt.io.sources import arrow_values, numpy_to_arrow

        encoded = pc.dictionary_encode(numpy_to_arrow(keys.view(np.uint64)[:, 0]))
        index = arrow_values(encoded.indices).astype(np.int32, copy=False)
        patterns = arrow_values(encoded.dictionary).astype(np.uint64)
        patterns = patterns.view(np.uint8).reshape(-1, 8)
    else:
        patterns, index = np.unique(keys, axis=0, return_inverse=True)
        index = index.reshape(-1).astype(np.int32)
    known = _FLAG_STRINGS.setdefault(tuple(positions), {})
    if len(known) > 1 << 16:  # bounded: a pathological input cannot grow it without end
        known.clear()
    strings = np.empty(len(patterns), dtype=object)
    for k, pattern in enumerate(patterns):
        key = pattern.tobytes()
        text = known.get(key)
        if text is None:
            row = np.unpackbits(pattern, bitorder="little")
            text = known[key] = ";".join(name for bit, name in positions if row[bit])
        strings[k] = text
    return index, strings


def predict_line_arrays(
    model,
    flux: np.ndarray,
    flux_err: np.ndarray,
    note_names=(),
    note_masks: np.ndarray | None = None,
    limits: np.ndarray | None = None,
) -> Predictions:
    """Vectorised predictions and flags for a matrix of line fluxes.

    Parameters
    ----------
    model : Predictor or NebulaClassifier
        Fitted classifier (its ``classify_rows``, ``lines_`` and ``classes_``).
    flux, flux_err : ndarray, shape (n, n_lines)
        Line fluxes and errors in ``model.lines_`` order (``n_lines`` of them).
    note_names : sequence of str
        Extra flags (e.g. from :func:`nebuladapt.features.catalog_line_arrays`).
    note_masks : ndarray of bool, shape (n, len(note_names)), optional
        True where a row carries the note.
    limits : ndarray, shape (n, n_lines), optional
        Upper-limit fluxes in ``model.lines_`` order, NaN where none
        (:func:`nebuladapt.features.catalog_limit_matrix`).

    Returns
    -------
    Predictions
    """
    n = flux.shape[0]
    lines = list(model.lines_)
    rows = model.classify_rows(flux, limits)
    unusable = ~rows.usable
    out_proba = np.full((n, len(CLASSES)), np.nan, order="F")  # contiguous columns
    for k, cls in enumerate(CLASSES):
        hit = np.flatnonzero(model.classes_ == cls)
        if len(hit):
            out_proba[:, k] = rows.proba[hit[0]]
            np.copyto(out_proba[:, k], np.nan, where=unusable)
    masks = line_flag_masks(flux, flux_err)
    if note_masks is None:
        note_masks = np.zeros((n, 0), dtype=bool)
    groups = [masks[kind] for kind in LINE_FLAG_KINDS]
    groups += [note_masks.reshape(n, len(note_names)),
               np.column_stack([rows.limits_used, rows.off_grid, rows.oiii_only, rows.nii_only, rows.ambiguous, unusable])]
    names = [[f"{kind}:{line}" for line in lines] for kind in LINE_FLAG_KINDS]
    names += [list(note_names),  # one byte of the packed key:
              [*(f"{LIMIT_USED}:{line}" for line in LIMIT_LINES), OFF_GRID, OIII_ONLY, NII_ONLY, AMBIGUOUS, UNCLASSIFIED]]
    flag_index, flag_strings = _encode_flags(groups, names)
    return Predictions(np.asarray(model.classes_), rows.class_index, out_proba, flag_index, flag_strings)


def predict_catalog(catalog: LineCatalog, model) -> Predictions:
    """Vectorised predictions for every row of a catalogue (see :func:`classify_catalog`).

    The catalogue's upper limits on [OIII], [NII] and [SII] are used as the model's
    ``limit_method`` says (:mod:`nebuladapt.models.limits`; by default ``"likelihood"``).
    """
    flux, flux_err, note_names, note_masks = catalog_line_arrays(catalog, list(model.lines_))
    limits = catalog_limit_matrix(catalog, list(model.lines_), flux) if catalog.limit_flux else None
    return predict_line_arrays(model, flux, flux_err, note_names, note_masks, limits)


def check_no_prediction_columns(colnames, source: str = "") -> None:
    """Raise ValueError if a table already has one of the :data:`PREDICTION_COLUMNS`."""
    clash = [c for c in PREDICTION_COLUMNS if c in colnames]
    if clash:
        raise ValueError(
            f"{source or 'catalogue'}: already has column(s) {', '.join(clash)}; "
            "rename or remove them before predicting"
        )


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
    check_no_prediction_columns(catalog.table.colnames, catalog.source)
    columns = predict_catalog(catalog, model).columns()
    out = catalog.table.copy(copy_data=False)
    for name in PREDICTION_COLUMNS:
        out[name] = columns[name]
    return out
