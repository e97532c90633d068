"""A page to look at after ``nebuladapt predict``: where the classes lie and how sure they are.

:func:`write_catalog_report` reads a classified catalogue (the input columns
plus ``pred_class``, ``prob_HII``, ``prob_PN``, ``prob_SNR`` and ``flag``)
through :func:`nebuladapt.catalogs.read_catalog`, so every line alias the
readers know works, and writes into one folder:

* ``report.html``: a self-contained page (inline style, no scripts, no web
  fonts, images linked relatively) that opens offline;
* ``bpt.png``: BPT planes coloured by predicted class, shaded by probability,
  flagged and off-grid rows marked (:func:`nebuladapt.reports.bpt.plot_catalog_bpt`);
* ``red_plane.png`` instead, for a catalogue without [OIII]: [NII]/Halpha against
  [SII]/Halpha with the [SII]/Halpha = 0.4 line;
* ``probabilities.png``: probability histograms;
* ``sky.png``: positions coloured by class, where the table has coordinates;
* the model card (grids, lines, seed, settings) where a model directory is
  given or the table's metadata carries one; its warnings head the page.

Every input row is accounted for: the counts are classes + unclassified = rows.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nebuladapt import CLASSES, __version__
from nebuladapt.catalogs.usage import one_line_warnings
from nebuladapt.models.inference import AMBIGUOUS_BELOW
from nebuladapt.predict import NII_ONLY, OFF_GRID, OIII_ONLY
from nebuladapt.reports.pages import html_figure, html_page, html_table

__all__ = [
    "BPT_LINES",
    "REPORT_FILE",
    "ClassifiedSummary",
    "load_classified",
    "summarise_classified",
    "bpt_features",
    "write_catalog_report",
]

REPORT_FILE = "report.html"
#: Lines read for the BPT planes (canonical names of :mod:`nebuladapt.lines`).
BPT_LINES = ("OIII5006", "HB4861", "NII6583", "HA6562", "SII6716_6730", "OI6300")
_RATIOS = {
    "log_OIII5006_HB4861": ("OIII5006", "HB4861"),
    "log_NII6583_HA6562": ("NII6583", "HA6562"),
    "log_SII6716_6730_HA6562": ("SII6716_6730", "HA6562"),
    "log_OI6300_HA6562": ("OI6300", "HA6562"),
}
#: Table metadata keys where a model card embedded in a classified catalogue is looked for.
CARD_META_KEYS = ("model_card", "nebuladapt_model")
_CARD_SKIP = ("scaler", "feature_spec")


def load_classified(path):
    """Read a classified catalogue (a file, or a directory of Parquet part files).

    Parameters
    ----------
    path : str or path-like
        Output of ``nebuladapt predict``.

    Returns
    -------
    LineCatalog
        Dust-corrected as ``predict`` reads it; ``table`` holds every column.

    Raises
    ------
    nebuladapt.catalogs.CatalogError
        If the file cannot be read.
    ValueError
        If it has no ``pred_class`` column (not a classified catalogue).
    """
    from nebuladapt.catalogs import read_catalog, read_phangs_table
    from nebuladapt.dust import deredden_catalog

    path = Path(path)
    if path.is_dir():
        import pyarrow.parquet as pq
        from astropy.table import Table

        arrow = pq.read_table(path)
        table = Table({name: arrow[name].to_numpy(zero_copy_only=False) for name in arrow.column_names})
        table.meta["source"] = str(path)
        catalog = deredden_catalog(read_phangs_table(table))
    else:
        catalog = read_catalog(path)
    if "pred_class" not in catalog.table.colnames:
        raise ValueError(
            f"{path}: no pred_class column; give the output of `nebuladapt predict`, not its input"
        )
    return catalog


def _text_column(table, name: str) -> np.ndarray:
    """A text column as an array of str, ``""`` where masked, missing or NaN-like (vectorised)."""
    if name not in table.colnames:
        return np.full(len(table), "", dtype=object)
    column = table[name]
    mask = np.ma.getmaskarray(column) if hasattr(column, "mask") else np.zeros(len(column), dtype=bool)
    data = np.asarray(getattr(column, "data", column))
    if data.dtype.kind == "S":
        data = np.char.decode(data, "utf-8")
    uniques, inverse = np.unique(data.astype(str), return_inverse=True)
    uniques = uniques.astype(object)
    uniques[np.isin(uniques, ("nan", "None", "--"))] = ""
    out = uniques[inverse.ravel()]
    out[mask] = ""
    return out


@dataclass
class ClassifiedSummary:
    """What a classified catalogue holds, row by row and in counts.

    Attributes
    ----------
    n_rows : int
        Rows in the table.
    predicted : ndarray of str
        Predicted class per row (``""`` where unclassified).
    flags : ndarray of str
        Flag string per row (``""`` for a clean row).
    probability : ndarray of float
        Probability of the predicted class (NaN where unclassified).
    class_counts : dict of str to int
        Rows per predicted class, then ``unclassified``; sums to ``n_rows``.
    flag_counts : collections.Counter
        Rows carrying each flag (a row can carry several).
    n_flagged, n_off_grid : int
        Rows with any flag; rows flagged ``off_grid``.
    off_grid_rows : ndarray of bool or None
        Per row: flagged ``off_grid`` (computed on first use where None).
    """

    n_rows: int
    predicted: np.ndarray
    flags: np.ndarray
    probability: np.ndarray
    class_counts: dict
    flag_counts: Counter = field(default_factory=Counter)
    n_flagged: int = 0
    n_off_grid: int = 0
    off_grid_rows: np.ndarray | None = None

    @property
    def flagged(self) -> np.ndarray:
        """Rows with any flag."""
        return self.flags != ""

    @property
    def off_grid(self) -> np.ndarray:
        """Rows flagged ``off_grid``."""
        if self.off_grid_rows is None:
            self.off_grid_rows = np.array([OFF_GRID in f.split(";") for f in self.flags], dtype=bool)
        return self.off_grid_rows


def summarise_classified(table) -> ClassifiedSummary:
    """Counts by class and by flag of a classified table.

    Parameters
    ----------
    table : astropy.table.Table
        Output of ``nebuladapt predict``.

    Returns
    -------
    ClassifiedSummary
        Every row counted once in ``class_counts`` (a class or unclassified).
    """
    from nebuladapt.reports.catalog_figures import class_probability_columns

    predicted = _text_column(table, "pred_class")
    flags = _text_column(table, "flag")
    probs = class_probability_columns(table)
    probability = np.full(len(table), np.nan)
    for c, values in probs.items():
        probability = np.where(predicted == c, values, probability)
    classified = np.isin(predicted, CLASSES)
    others = sorted(set(predicted[~classified & (predicted != "")]))
    counts = {c: int(np.sum(predicted == c)) for c in (*CLASSES, *others)}
    counts["unclassified"] = int(np.sum(predicted == ""))
    distinct, inverse, rows = np.unique(flags.astype(str), return_inverse=True, return_counts=True)
    flag_counts: Counter = Counter()
    for text, k in zip(distinct, rows):
        for token in dict.fromkeys(text.split(";")):
            if token:
                flag_counts[token] += int(k)
    summary = ClassifiedSummary(len(table), predicted, flags, probability, counts, flag_counts)
    summary.off_grid_rows = np.array([OFF_GRID in t.split(";") for t in distinct], dtype=bool)[inverse.ravel()]
    summary.n_flagged = int(summary.flagged.sum())
    summary.n_off_grid = int(summary.off_grid.sum())
    return summary


def bpt_features(catalog) -> dict:
    """``log10`` BPT ratios of every row, for the lines the catalogue has.

    Fluxes come from :func:`nebuladapt.features.catalog_line_matrix` exactly as
    ``predict`` builds them (doublet and case-B inference included, the rows
    then flagged), after the reader's dust correction.

    Parameters
    ----------
    catalog : LineCatalog
        A catalogue read by :func:`load_classified`.

    Returns
    -------
    dict of str to ndarray
        Feature name -> ratio (NaN where a line is missing or non-positive);
        only ratios measured in at least one row.
    """
    from nebuladapt.features import catalog_line_matrix

    flux, _, _ = catalog_line_matrix(catalog, list(BPT_LINES))
    column = {line: flux[:, i] for i, line in enumerate(BPT_LINES)}
    out = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for name, (top, bottom) in _RATIOS.items():
            a, b = column[top], column[bottom]
            ratio = np.where((a > 0) & (b > 0), np.log10(a / b), np.nan)
            ratio[~np.isfinite(ratio)] = np.nan
            if np.isfinite(ratio).any():
                out[name] = ratio
    return out


def _card_rows(card: dict) -> list[list[str]]:
    rows = []
    for key, value in card.items():
        if key in _CARD_SKIP:
            continue
        if isinstance(value, dict):
            text = ", ".join(f"{k}={_short(v)}" for k, v in value.items())
        else:
            text = _short(value)
        rows.append([key, text if len(text) <= 400 else text[:397] + "..."])
    return rows


def _short(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_short(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, default=str)
    return str(value)


def _inline_code(text: str) -> str:
    """``text`` escaped for HTML, its `backtick` spans (commands, flags) set as ``<code>``."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def _card_warnings(card: dict | None) -> list[str]:
    """The card's warnings (derived from its features; none for a card without them)."""
    if not isinstance(card, dict) or "feature_spec" not in card:
        return []
    from nebuladapt.models.persistence import card_warnings

    try:
        return card_warnings(card)
    except (KeyError, TypeError, ValueError):  # an embedded card from another version
        return []


def _model_card(table, model_dir) -> tuple[dict | None, str]:
    if model_dir is not None:
        from nebuladapt.models.persistence import read_card

        return read_card(model_dir), f"model directory {model_dir}"
    for key in CARD_META_KEYS:
        card = table.meta.get(key)
        if isinstance(card, str):
            try:
                card = json.loads(card)
            except json.JSONDecodeError:
                card = None
        if isinstance(card, dict):
            return card, f"the catalogue's metadata ({key})"
    return None, ""


def _counts_tables(summary: ClassifiedSummary) -> str:
    n = max(summary.n_rows, 1)
    class_rows = [[c, f"{k:,}", f"{100 * k / n:.1f}%"] for c, k in summary.class_counts.items()]
    class_rows.append(["all rows", f"{summary.n_rows:,}", "100%"])
    flag_rows = [["no flag", f"{summary.n_rows - summary.n_flagged:,}"], ["any flag", f"{summary.n_flagged:,}"]]
    flag_rows += [[f"  {token}", f"{k:,}"] for token, k in summary.flag_counts.most_common()]
    return (
        "<div class='tables'><div><h3>By predicted class</h3>"
        + html_table(["class", "rows", "share"], class_rows, numeric=(1, 2))
        + "</div><div><h3>By flag</h3>"
        + html_table(["flag", "rows"], flag_rows, numeric=(1,))
        + "<p class='lead'>A row can carry several flags. <code>off_grid</code>: classified, but far "
        "from every class's model grid. <code>oiii_only</code>: classified from [OIII] ratios alone (no "
        "[NII], [SII] or [OI] ratio), a doubtful class. <code>nii_only</code>: classified from [NII]/Halpha alone "
        "(no [OIII], [SII] or [OI] ratio), a doubtful class: HII regions and SNRs overlap there. <code>ambiguous</code>: classified, but no class has a "
        f"probability of {AMBIGUOUS_BELOW} or more; refitting with another seed may change it. "
        "<code>upper_limit:…</code>: the catalogue gives only an upper limit for the line; "
        "<code>limit_used:…</code>: that limit was used (<code>predict --limits</code>, default "
        "<code>likelihood</code>); with <code>--limits missing</code> the line counts as missing. <code>unclassified:…</code>: no usable ratio.</p></div></div>"
    )


def write_catalog_report(
    classified,
    out_dir,
    model_dir=None,
    *,
    overwrite: bool = False,
    extra_figures: dict | None = None,
    max_points: int = 50_000,
) -> dict:
    """Write ``report.html`` and its PNG figures for a classified catalogue.

    Parameters
    ----------
    classified : str or path-like
        Output of ``nebuladapt predict`` (CSV, FITS, Parquet file or a
        directory of Parquet part files).
    out_dir : str or path-like
        Folder to write (created with its parents).
    model_dir : str or path-like, optional
        The model directory used to classify; its card is shown. Without it
        a card embedded in the table's metadata (:data:`CARD_META_KEYS`) is
        shown if present.
    overwrite : bool, optional
        Replace an existing ``report.html`` in ``out_dir`` (default False).
    extra_figures : dict of str to path-like, optional
        Caption -> PNG file to copy beside the page and show (e.g. a
        quick-look class map).
    max_points : int, optional
        At most this many rows are drawn per BPT panel (counts use every row).

    Returns
    -------
    dict of str to Path
        ``html`` and one entry per figure written.

    Raises
    ------
    FileExistsError
        If ``out_dir`` already holds a report and ``overwrite`` is False.
    ValueError
        If the table is not a classified catalogue, or its coordinates are unusable.
    """
    from nebuladapt.reports.bpt import RED_PLANE, plot_catalog_bpt
    from nebuladapt.reports.catalog_figures import (
        class_probability_columns,
        find_sky_columns,
        plot_probability_histograms,
        plot_sky_map,
        sky_coordinates,
    )

    out = Path(out_dir)
    page_path = out / REPORT_FILE
    if page_path.exists() and not overwrite:
        raise FileExistsError(f"{page_path}: exists; pass --overwrite to replace it")
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out}: exists and is not a directory; choose another report folder")
    catalog = load_classified(classified)
    table = catalog.table
    card, card_source = _model_card(table, model_dir)
    summary = summarise_classified(table)
    out.mkdir(parents=True, exist_ok=True)
    written: dict = {}
    body = [
        f"<h1>Classified nebulae: {html.escape(Path(classified).name)}</h1>",
        f"<p class='lead'>{summary.n_rows:,} rows from <code>{html.escape(str(classified))}</code>; "
        f"{summary.n_rows - summary.class_counts['unclassified']:,} classified, "
        f"{summary.class_counts['unclassified']:,} unclassified, {summary.n_flagged:,} flagged "
        f"({summary.n_off_grid:,} off grid). nebuladapt {html.escape(__version__)}.</p>",
    ]
    n_classified = summary.n_rows - summary.class_counts["unclassified"]
    warnings = [*_card_warnings(card), *one_line_warnings(summary.flag_counts.get(OIII_ONLY, 0),
                                                          summary.flag_counts.get(NII_ONLY, 0), n_classified)]
    body += [f"<p><strong>{_inline_code(w)}</strong></p>" for w in warnings if w]
    body += ["<h2>Counts</h2>", _counts_tables(summary)]
    features = bpt_features(catalog)
    body.append("<h2>BPT diagrams</h2>")
    if "log_OIII5006_HB4861" in features and len(features) > 1:
        plot_catalog_bpt(features, summary.predicted, summary.probability, summary.flagged, summary.off_grid,
                         title="Predicted classes on the BPT planes", max_points=max_points,
                         path=out / "bpt.png")  # fmt: skip
        written["bpt"] = out / "bpt.png"
        body.append(html_figure("bpt.png", (
            "Colour: predicted class; paler points have a lower probability of that class (from 1/3 to 1); "
            "grey: unclassified. Black edge: the row has a flag; cross: off_grid. Ratios of fluxes "
            "dereddened with the Balmer decrement (O'Donnell 1994, R_V = 3.1) where the catalogue does not "
            "mark them dust-corrected, as predict reads them. Curves: Kewley et al. 2001 maximum starburst, "
            "Kauffmann et al. 2003; dotted: [SII]/Hα = 0.4 (SNR criterion). Rows lacking a panel's ratio "
            "are counted in its corner.")))  # fmt: skip
    elif {RED_PLANE[0], *(panel[0] for panel in RED_PLANE[2])} <= set(features):
        plot_catalog_bpt(features, summary.predicted, summary.probability, summary.flagged, summary.off_grid,
                         title="Predicted classes without [OIII]: the red plane", max_points=max_points,
                         path=out / "red_plane.png", y_feature=RED_PLANE[0])  # fmt: skip
        written["red_plane"] = out / "red_plane.png"
        body.append("<p>The catalogue gives no [OIII]5007/Hβ, so no BPT plane can be drawn. HII regions and "
                    "SNRs are then told apart by [NII]/Hα and [SII]/Hα alone; compare the classes with the "
                    "classical SNR criterion, [SII]/Hα &gt; 0.4 (dotted).</p>")  # fmt: skip
        body.append(html_figure("red_plane.png", (
            "Colour: predicted class; paler points have a lower probability of that class (from 1/3 to 1); "
            "grey: unclassified. Black edge: the row has a flag; cross: off_grid. Ratios as predict reads "
            "them. Dotted: [SII]/Hα = 0.4. Rows lacking a ratio are counted in the corner.")))  # fmt: skip
    else:
        body.append("<p>The catalogue lacks [OIII]5007/Hβ or every x-axis ratio ([NII], [SII], [OI] to Hα): "
                    "no BPT plane can be drawn.</p>")  # fmt: skip
    probs = class_probability_columns(table)
    if probs:
        plot_probability_histograms(probs, summary.predicted, path=out / "probabilities.png")
        written["probabilities"] = out / "probabilities.png"
        body += ["<h2>Probabilities</h2>", html_figure("probabilities.png", (
            "Distribution of each class probability over the classified rows, stacked by predicted class. "
            "Probabilities are the model's (temperature-scaled on model grids only if fitted with "
            "calibrate), not calibrated on labelled nebulae of this catalogue."))]  # fmt: skip
    sky = find_sky_columns(table.colnames)
    if sky is not None:
        coords = sky_coordinates(table, sky)
        plot_sky_map(coords, summary.predicted, title=f"Predicted classes on the sky ({sky[0]}, {sky[1]})",
                     path=out / "sky.png")  # fmt: skip
        written["sky"] = out / "sky.png"
        body += ["<h2>Sky map</h2>", html_figure("sky.png", "Positions coloured by predicted class; east left.")]
    for i, (caption, source) in enumerate((extra_figures or {}).items()):
        name = f"extra_{i}{Path(source).suffix or '.png'}"
        shutil.copyfile(source, out / name)
        written[f"extra_{i}"] = out / name
        body.append(html_figure(name, caption))
    body.append("<h2>Model</h2>")
    if card is None:
        body.append("<p>No model card: pass <code>--model MODEL_DIR</code> to show the model's grids, lines, "
                    "seed and settings.</p>")  # fmt: skip
    else:
        body.append(f"<p class='lead'>Model card from {html.escape(card_source)}.</p>")
        body.append(html_table(["field", "value"], _card_rows(card)))
    page_path.write_text(html_page(f"nebuladapt report: {Path(classified).name}", "".join(body)), encoding="utf-8")
    written["html"] = page_path
    return written
