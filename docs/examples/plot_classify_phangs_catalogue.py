"""
Classify a PHANGS-MUSE-style nebula catalogue
=============================================

This tutorial runs every time the documentation is built, on data shipped with the
package, so what you read here is what the current code does.

We build a catalogue with the column names of the PHANGS-MUSE nebula catalogue
(``HA6562_FLUX``, ``HA6562_FLUX_ERR``, ``OIII5006_FLUX``, ``SII6716_FLUX`` ...) from the
real nebulae of the shipped benchmark (HII regions, planetary nebulae and supernova
remnants from the literature; see :mod:`nebuladapt.benchmark`), *without* their labels.
Then we fit a classifier on the shipped model grids, adapted to this catalogue (DANN),
classify every row, and look at the result with the report of ``nebuladapt report``.

To keep the documentation build quick the fit below uses **400 training steps**; the
default of ``nebuladapt fit`` is 2000, and a real catalogue deserves the default.
"""

# %%
# A PHANGS-style catalogue
# ------------------------
# One row per nebula, one ``<LINE>_FLUX`` / ``<LINE>_FLUX_ERR`` pair per line. The
# benchmark's rows from the literature keep their own normalisation (only ratios matter);
# ``DUST_CORRECTED`` says which rows were already dereddened by their authors, so that
# the reader does not deredden them twice. The labels (``class``) are left out.

import tempfile
from pathlib import Path

import numpy as np
from astropy.table import Table

from nebuladapt.benchmark import load_benchmark

PHANGS_LINES = ("HB4861", "OIII5006", "OI6300", "HA6562", "NII6583", "SII6716", "SII6730")
benchmark = load_benchmark()
catalogue = Table()
catalogue["region_ID"] = np.arange(len(benchmark))
catalogue["DUST_CORRECTED"] = benchmark["DUST_CORRECTED"]
for line in PHANGS_LINES:
    catalogue[f"{line}_FLUX"] = benchmark[f"{line}_FLUX"]
    catalogue[f"{line}_FLUX_ERR"] = benchmark[f"{line}_FLUX_ERR"]

work = Path(tempfile.mkdtemp(prefix="nebuladapt-tutorial-"))
catalogue_path = work / "nebulae.fits"
catalogue.write(catalogue_path)
print(f"{len(catalogue)} nebulae, columns: {', '.join(catalogue.colnames[:6])}, ...")

# %%
# Read it
# -------
# :func:`~nebuladapt.catalogs.read_catalog` maps the columns to lines (any alias the
# line registry knows works: ``Halpha_FLUX``, ``OIII5007_FLUX`` ...) and dereddens the
# rows not yet corrected with the Balmer decrement.

from nebuladapt.catalogs import read_catalog

nebulae = read_catalog(catalogue_path)
print("lines found:", ", ".join(nebulae.lines))

# %%
# Fit: model grids as source, this catalogue as unlabelled target
# ---------------------------------------------------------------
# The source domain is the shipped model grids (3MdB HII regions and planetary
# nebulae, MAPPINGS shocks); the target is our catalogue, whose labels we do not have.
# DANN aligns the two; the other settings are the defaults of ``nebuladapt fit``.

from nebuladapt.models import save_model
from nebuladapt.models.fitting import fit_on_catalog

model = fit_on_catalog(nebulae, method="dann", seed=0, n_steps=400)
model_dir = save_model(model, work / "model")
print(f"fitted {model.method} with noise={model.noise}, lines {', '.join(model.lines_)}")

# %%
# Classify every row
# ------------------
# Every input row comes back, with ``pred_class``, ``prob_HII``, ``prob_PN``,
# ``prob_SNR`` and ``flag`` (why a row is doubtful or unclassified).

from nebuladapt.output import write_table
from nebuladapt.predict import classify_catalog

classified = classify_catalog(nebulae, model)
classified_path = write_table(classified, work / "classified.fits")
print(classified["region_ID", "pred_class", "prob_HII", "prob_PN", "prob_SNR", "flag"][:8])

# %%
# The report
# ----------
# ``nebuladapt report classified.fits --out report --model model`` writes a page with
# counts, BPT planes, probability histograms and the model card; here is the same
# call from Python, and its counts.

from nebuladapt.reports.catalog_report import summarise_classified, write_catalog_report

written = write_catalog_report(classified_path, work / "report", model_dir)
summary = summarise_classified(classified)
for name, count in summary.class_counts.items():
    print(f"{name:>13}: {count}")
print(f"{'all rows':>13}: {summary.n_rows}; flagged: {summary.n_flagged}; off grid: {summary.n_off_grid}")

# %%
# The report's BPT figure: colour is the predicted class, paler points are less
# probable, black edges mark flagged rows and crosses ``off_grid`` rows.

import matplotlib.pyplot as plt

image = plt.imread(written["bpt"])
fig, ax = plt.subplots(figsize=(12, 12 * image.shape[0] / image.shape[1]))
ax.imshow(image)
ax.set_axis_off()
fig.tight_layout(pad=0)

# %%
# Undetected lines given as upper limits
# --------------------------------------
# Survey catalogues often give an upper limit where a line is not detected: a column
# ``<LINE>_FLUX_UPPER`` (True where ``<LINE>_FLUX`` is a limit) or text values like ``<0.3``.
# Here we make a shallower copy of the catalogue: every [OIII], [NII] and [SII] line fainter
# than 10 % of Halpha becomes a limit at 10 % of Halpha. ``predict`` uses such limits by default
# (``--limits likelihood``: the network's probabilities weighed by how many of each class's
# nearest grid models lie below the limits, :mod:`nebuladapt.models.limits`) and flags the rows
# ``limit_used:<LINE>``; ``--limits missing`` (here ``load_predictor(..., limit_method="missing")``)
# treats the limits as missing lines.

from nebuladapt.models.persistence import load_predictor

shallow = catalogue.copy()
halpha = np.asarray(shallow["HA6562_FLUX"], dtype=float)
for line in ("OIII5006", "NII6583", "SII6716", "SII6730"):
    flux = np.asarray(shallow[f"{line}_FLUX"], dtype=float)
    faint = np.isfinite(flux) & (flux < 0.1 * halpha)
    shallow[f"{line}_FLUX"] = np.where(faint, 0.1 * halpha, flux)
    shallow[f"{line}_FLUX_UPPER"] = faint
shallow_path = work / "shallow.fits"
shallow.write(shallow_path)
shallow_nebulae = read_catalog(shallow_path)
with_limits = classify_catalog(shallow_nebulae, model)
ignoring_limits = classify_catalog(shallow_nebulae, load_predictor(model_dir, limit_method="missing"))
used = np.char.find(np.asarray(with_limits["flag"], dtype=str), "limit_used") >= 0
changed = np.asarray(with_limits["pred_class"] != ignoring_limits["pred_class"])
print(f"{used.sum()} rows classified with a limit; {changed[used].sum()} of them change class when the "
      "limits are ignored")

# %%
# How good is it? (evaluation only)
# ---------------------------------
# The benchmark *has* labels; we look at them only now, to score, never to fit or to
# choose anything. Unclassified rows count as wrong. With 400 steps this is a quick
# fit, not the measured result of the experiment (see the README).

from nebuladapt.evaluation.metrics import classification_scores

scores = classification_scores(benchmark["class"], summary.predicted.astype(str))
print(f"balanced accuracy {scores['balanced_accuracy']:.3f}; recall "
      + ", ".join(f"{c} {r:.3f}" for c, r in scores["recall"].items()))
for name, table in (("shallow copy, limits used", with_limits), ("shallow copy, limits ignored", ignoring_limits)):
    shallow_scores = classification_scores(benchmark["class"], np.asarray(table["pred_class"]).astype(str))
    print(f"{name}: balanced accuracy {shallow_scores['balanced_accuracy']:.3f}")
