"""The vectorised prediction core: same flags as the per-row definition, chunk-independent."""

import numpy as np
import pytest
import torch

from nebuladapt.features import LOW_SNR, default_feature_spec, line_flag_masks, log_ratios, row_line_flags
from nebuladapt.predict import FORWARD_BATCH, predict_line_arrays
from nebuladapt.models.inference import AMBIGUOUS_BELOW

SPECIAL = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, -1.0, 1e-300, 0.5, 1.0, 2.0, 10.0, 1e300])


@pytest.fixture(scope="module")
def model(make_toy_model):
    return make_toy_model(50)


def _special(shape, seed):
    rng = np.random.default_rng(seed)
    return rng.choice(SPECIAL, size=shape) * rng.lognormal(0, 1, shape)


def test_flag_masks_match_their_definition():
    flux, err = _special((5000, 5), 1), _special((5000, 5), 2)
    with np.errstate(all="ignore"):
        missing = ~np.isfinite(flux)
        nonpositive = np.isfinite(flux) & (flux <= 0)
        known = ~np.isnan(err)
        bad = known & (~np.isfinite(err) | (err <= 0))
        low = known & ~bad & ~missing & ~nonpositive & (flux / err < LOW_SNR)
    masks = line_flag_masks(flux, err)
    for expected, got in zip((missing, nonpositive, bad, low), masks.values()):
        np.testing.assert_array_equal(got, expected)


def test_log_ratios_match_their_definition():
    spec = default_feature_spec()
    with np.errstate(over="ignore"):
        single = _special((3000, 5), 4).astype(np.float32)
    for flux in (_special((3000, 5), 3), single):
        num, den = spec.index()
        top, bottom = flux[:, num], flux[:, den]
        with np.errstate(all="ignore"):
            valid = (top > 0) & (bottom > 0)
            expected = np.where(valid, np.log10(np.where(valid, top / bottom, 1.0)), np.nan)
            expected[~np.isfinite(expected)] = np.nan
            got = log_ratios(flux, spec)
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected)


def _expected_flags(model, flux, err, note_names=(), note_masks=None):
    """Per-row flag strings by their definition: line flags, notes, off-grid, [OIII] only, ambiguous, unclassified."""
    per_row = row_line_flags(flux, err, model.lines_)
    given = np.isfinite(log_ratios(flux, model.spec_))
    usable = given.any(axis=1)
    off_grid = model.off_grid(flux) & usable
    not_oiii = [not name.startswith("log_OIII5006_") for name in model.spec_.names]
    oiii_only = usable & ~given[:, not_oiii].any(axis=1)
    not_nii = [not name.startswith("log_NII6583_") for name in model.spec_.names]
    nii_only = usable & ~given[:, not_nii].any(axis=1)
    ambiguous = np.zeros(len(flux), dtype=bool)
    ambiguous[usable] = model.predict_proba(flux[usable]).max(axis=1) < AMBIGUOUS_BELOW
    notes = np.zeros((len(flux), 0), dtype=bool) if note_masks is None else note_masks
    return [
        ";".join(
            flags + [name for name, bit in zip(note_names, notes[i]) if bit]
            + (["off_grid"] if off_grid[i] else []) + (["oiii_only"] if oiii_only[i] else [])
            + (["nii_only"] if nii_only[i] else [])
            + (["ambiguous"] if ambiguous[i] else []) + ([] if usable[i] else ["unclassified:no_usable_ratio"])
        )
        for i, flags in enumerate(per_row)
    ], usable, off_grid, oiii_only, nii_only, ambiguous


# 11 notes: every flag fits one 8-byte key; 20 notes: keys of more than 8 bytes
@pytest.mark.parametrize("n_notes", [11, 20])
def test_flag_strings_join_bits_in_order(model, n_notes):
    rng = np.random.default_rng(5)
    flux, err = _special((3000, 5), 9), _special((3000, 5), 10)
    names = [f"note:{i}" for i in range(n_notes)]
    masks = rng.random((3000, n_notes)) < 0.1
    out = predict_line_arrays(model, flux, err, names, masks).columns()
    expected, *_ = _expected_flags(model, flux, err, names, masks)
    assert list(out["flag"]) == expected


def test_flags_and_predictions_match_per_row_path(model):
    flux, err = _special((3000, 5), 6), _special((3000, 5), 7)
    flux[:1500] = np.abs(flux[:1500]) + 0.1  # mostly classifiable rows too
    out = predict_line_arrays(model, flux, err).columns()
    expected, usable, off_grid, oiii_only, nii_only, ambiguous = _expected_flags(model, flux, err)
    assert off_grid.any() and not off_grid.all()  # the random rows exercise both cases
    assert oiii_only.any() and not oiii_only[usable].all() and nii_only.any() and not nii_only[usable].all()
    assert ambiguous.any() and not ambiguous[usable].all()
    assert list(out["flag"]) == expected
    proba = model.predict_proba(flux[usable])
    # one inference path: the table's probabilities are the estimator's, to the bit
    np.testing.assert_array_equal(np.column_stack([out["prob_HII"], out["prob_PN"], out["prob_SNR"]])[usable], proba)
    assert np.array_equal(out["pred_class"][usable], model.classes_[np.argmax(proba, axis=1)])
    assert np.all(out["pred_class"][~usable] == "") and np.all(np.isnan(out["prob_HII"][~usable]))


def test_each_row_independent_of_chunking_and_threads(model):
    rng = np.random.default_rng(8)
    n = 2 * FORWARD_BATCH + 123
    flux = np.abs(rng.normal(1.0, 0.7, (n, 5))) * [3.0, 1.0, 0.4, 2.9, 0.3]
    err = 0.1 * flux
    whole = predict_line_arrays(model, flux, err)
    threads = torch.get_num_threads()
    try:
        for n_threads, cuts in ((1, [0, 1, 7, FORWARD_BATCH + 5, n]), (2, [0, 3000, 3001, n])):
            torch.set_num_threads(n_threads)
            parts = [predict_line_arrays(model, flux[a:b], err[a:b]) for a, b in zip(cuts[:-1], cuts[1:])]
            proba = np.concatenate([p.proba for p in parts])
            assert proba.tobytes() == whole.proba.tobytes()
            assert np.array_equal(np.concatenate([p.class_index for p in parts]), whole.class_index)
    finally:
        torch.set_num_threads(threads)
