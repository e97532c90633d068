"""Property tests of the feature builder and of prediction (reliability issue, item 6).

Random catalogues -- any subset of lines, NaN/inf/negative/zero/huge/tiny fluxes and
errors, upper limits, dust flags, empty and one-row tables -- through
``catalog_line_matrix``, ``log_ratios``, ``row_line_flags``, the Balmer-decrement
correction and ``classify_catalog`` on a tiny fitted model. Properties: no
exception, every row back in order, and a class or a flag naming the reason for
every row.
"""

from __future__ import annotations

import os
import re

import numpy as np
import pytest
import torch
from astropy.table import Table
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nebuladapt import CLASSES
from nebuladapt.catalogs import LineCatalog
from nebuladapt.dust import deredden_catalog
from nebuladapt.features import (
    EXTRA_RATIOS,
    FeatureSpec,
    catalog_line_matrix,
    default_feature_spec,
    log_ratios,
    row_line_flags,
)
from nebuladapt.lines import LINES, SUMMED_LINES
from nebuladapt.models import NebulaClassifier
from nebuladapt.models.inference import AMBIGUOUS_BELOW
from nebuladapt.predict import PREDICTION_COLUMNS, classify_catalog

SCALE = float(os.environ.get("NEBULADAPT_FUZZ_SCALE", "1"))
FUZZ = settings(max_examples=int(60 * SCALE), deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

ALL_LINES = sorted(LINES) + sorted(SUMMED_LINES)
SPECIAL = [0.0, -0.0, -1.0, 1e-300, 1e300, -1e300, np.nan, np.inf, -np.inf, 5e-324, 2.86, 100.0]
numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(SPECIAL),
                    st.floats(1e-3, 1e3))
SPECS = [default_feature_spec(), FeatureSpec(default_feature_spec().ratios + EXTRA_RATIOS)]
FLAG = re.compile(r"^(missing|nonpositive|bad_err|low_snr|caseB|doublet|upper_limit|unclassified"
                  r"|off_grid|oiii_only|nii_only|ambiguous|limit_used)(:[A-Za-z0-9_]+)?$")


def arrays(n):
    return st.lists(numbers, min_size=n, max_size=n).map(lambda v: np.array(v, dtype=float))


@st.composite
def catalogs(draw, min_rows=0, max_rows=6):
    n = draw(st.integers(min_rows, max_rows))
    lines = draw(st.lists(st.sampled_from(ALL_LINES), max_size=9, unique=True))
    flux = {line: draw(arrays(n)) for line in lines}
    err_lines = draw(st.lists(st.sampled_from(lines), unique=True)) if lines else []
    flux_err = {line: draw(arrays(n)) for line in err_lines}
    limit_lines = draw(st.lists(st.sampled_from(lines), max_size=2, unique=True)) if lines else []
    upper_limits = {}
    for line in limit_lines:
        mask = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
        flux[line][mask] = np.nan  # as the readers do
        upper_limits[line] = mask
    dust = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    table = Table({"row": np.arange(n), "ID": np.zeros(n, dtype=int)})  # duplicated IDs
    return LineCatalog(table, flux, flux_err, dust, source="<fuzz>", upper_limits=upper_limits)


@FUZZ
@given(catalogs(), st.sampled_from(SPECS), st.booleans())
def test_line_matrix_ratios_and_flags(catalog, spec, case_b):
    n, lines = len(catalog), spec.lines
    flux, flux_err, notes = catalog_line_matrix(catalog, lines, case_b=case_b)
    assert flux.shape == flux_err.shape == (n, len(lines)) and len(notes) == n
    features = log_ratios(flux, spec)
    assert features.shape == (n, len(spec.ratios))
    assert not np.isinf(features).any()  # finite or NaN (missing)
    num, den = spec.index()
    usable = (np.isfinite(flux[:, num]) & (flux[:, num] > 0) & np.isfinite(flux[:, den])
              & (flux[:, den] > 0))
    assert not np.isfinite(features[~usable]).any()
    with torch.no_grad():
        tensor = log_ratios(torch.from_numpy(flux), spec).numpy()
    np.testing.assert_array_equal(np.isnan(tensor), np.isnan(features))
    np.testing.assert_allclose(tensor[~np.isnan(tensor)], features[~np.isnan(features)],
                               rtol=1e-12, atol=1e-12)
    flags = row_line_flags(flux, flux_err, lines)
    assert len(flags) == n
    for row, (row_flags, row_notes) in enumerate(zip(flags, notes)):
        for flag in row_flags + row_notes:
            assert FLAG.match(flag), flag
        for j, line in enumerate(lines):
            assert (f"missing:{line}" in row_flags) == (not np.isfinite(flux[row, j]))
            assert (f"nonpositive:{line}" in row_flags) == bool(-np.inf < flux[row, j] <= 0)
    for line, mask in catalog.upper_limits.items():
        used = line in lines or any(line in SUMMED_LINES.get(name, ()) for name in lines)
        for row in np.flatnonzero(mask):
            assert (f"upper_limit:{line}" in notes[row]) == used


@FUZZ
@given(catalogs())
def test_balmer_decrement_correction_never_fails(catalog):
    with np.errstate(all="ignore"):
        corrected = deredden_catalog(catalog)
    assert len(corrected) == len(catalog)
    assert set(corrected.flux) == set(catalog.flux)
    assert corrected.upper_limits.keys() == catalog.upper_limits.keys()
    applied = np.isfinite(corrected.meta["ebv"])
    for line, values in corrected.flux.items():
        assert values.shape == (len(catalog),)
        # rows not dereddened are untouched (a dereddened row with an absurd Balmer
        # decrement, e.g. Halpha/Hbeta = 1e92, may overflow to inf/NaN: flagged later)
        np.testing.assert_array_equal(values[~applied], catalog.flux[line][~applied])


@pytest.fixture(scope="module")
def tiny_model():
    rng = np.random.default_rng(0)
    centres = {"HII": (0.5, 1.0, 0.3, 2.86, 0.3), "PN": (8.0, 1.0, 0.5, 2.86, 0.1),
               "SNR": (1.5, 1.0, 2.0, 2.86, 2.0)}
    labels = np.array(list(centres))[rng.integers(0, 3, 90)]
    X = np.array([centres[c] for c in labels]) * rng.lognormal(0, 0.1, (90, 5))
    return NebulaClassifier(method="nn", n_steps=5, batch_size=32, random_state=0).fit(X, labels)


def test_zero_row_catalogue_predicts_zero_rows(tiny_model):
    catalog = LineCatalog(Table({"row": np.arange(0)}), {"HA6562": np.array([])}, source="<0>")
    out = classify_catalog(catalog, tiny_model)
    assert len(out) == 0 and set(PREDICTION_COLUMNS) <= set(out.colnames)


@FUZZ
@given(catalogs(max_rows=8))
def test_every_row_classified_or_flagged(tiny_model, catalog):
    n = len(catalog)
    with np.errstate(all="ignore"):
        out = classify_catalog(catalog, tiny_model)
    assert len(out) == n
    assert list(out["row"]) == list(range(n))  # every row, once, in order
    for name in PREDICTION_COLUMNS:
        assert name in out.colnames
    probs = np.array([np.asarray(out[f"prob_{c}"], dtype=float) for c in CLASSES]).T.reshape(n, 3)
    for i in range(n):
        cls, flag = str(out["pred_class"][i]), str(out["flag"][i])
        reasons = [r for r in flag.split(";") if r]
        assert all(FLAG.match(r) for r in reasons), flag
        if "oiii_only" in reasons:  # a doubt about a class given, never about an unclassified row
            assert cls and not ({"missing:OIII5006", "nonpositive:OIII5006"} & set(reasons)), flag
        if "nii_only" in reasons:  # a class given from [NII] alone: [OIII] and [SII] are not both usable
            assert cls and "oiii_only" not in reasons and not ({"missing:NII6583", "nonpositive:NII6583"} & set(reasons)), flag
        if "ambiguous" in reasons:  # a class given, with no probability of AMBIGUOUS_BELOW or more
            assert cls and probs[i].max() < AMBIGUOUS_BELOW, flag
        elif cls:
            assert probs[i].max() >= AMBIGUOUS_BELOW, flag
        if cls:
            assert cls in CLASSES
            assert np.isfinite(probs[i]).all() and abs(probs[i].sum() - 1) < 1e-5
        else:
            assert "unclassified:no_usable_ratio" in reasons
            assert np.isnan(probs[i]).all()
