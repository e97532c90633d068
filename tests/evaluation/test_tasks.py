"""The task suite: families, seeding, groups, missing lines, held-out grid slices."""

import numpy as np
import pytest

from nebuladapt.evaluation.tasks import (
    FAMILIES,
    HELD_OUT_FAMILY,
    LINE_GROUPS,
    MIX_SIZE,
    build_task_suite,
    slice_task,
    subset_catalog,
    task_arrays,
)
from nebuladapt.features import catalog_line_matrix, default_feature_spec
from nebuladapt.grids import default_grid_set, default_source_rows, load_source_grids, source_line_fluxes


@pytest.fixture(scope="module")
def suite():
    return build_task_suite(seed=0)


def test_every_family_and_row_has_labels_and_groups(suite):
    assert {t.family for t in suite} == set(FAMILIES)
    assert len({t.name for t in suite}) == len(suite)
    for task in suite:
        assert len(task.catalog) == len(task.labels) == len(task.groups) > 0, task.name
        assert set(task.labels) <= {"HII", "PN", "SNR"}


def test_suite_is_seeded(suite):
    again = build_task_suite(seed=0, families=["mix", "quality"])
    other = build_task_suite(seed=1, families=["mix"])
    by_name = {t.name: t for t in suite}
    for task in again:
        np.testing.assert_array_equal(task.groups, by_name[task.name].groups)
    assert any((a.groups != by_name[a.name].groups).any() for a in other)
    with pytest.raises(ValueError, match="families"):
        build_task_suite(families=["nope"])


def test_mixes_have_their_class_fractions(suite):
    by_name = {t.name: t for t in suite}
    hii = by_name["HII-dominated 90/5/5"]
    assert len(hii) == MIX_SIZE and np.mean(hii.labels == "HII") == pytest.approx(0.9, abs=0.01)
    assert set(by_name["SNR only"].labels) == {"SNR"}
    # resampling repeats objects: fewer groups than rows
    assert len(np.unique(hii.groups)) < len(hii)


def test_missing_lines_are_really_missing(suite):
    lines = default_feature_spec().lines
    for task in (t for t in suite if t.family == "missing"):
        (line, rows), = task.removed.items()
        assert rows.any()
        flux, _, _ = catalog_line_matrix(task.catalog, lines)
        assert not np.isfinite(flux[rows, lines.index(line)]).any(), task.name
        for name in LINE_GROUPS[line]:
            if name in task.catalog.flux:
                assert not np.isfinite(task.catalog.flux[name][rows]).any()
    correlated = next(t for t in suite if t.name == "no HB4861 in 60% of HII")
    assert set(correlated.labels[correlated.removed["HB4861"]]) == {"HII"}


def test_usable_rows_of_a_task_are_those_with_a_computable_ratio(suite):
    by_name = {t.name: t for t in suite}
    spec = default_feature_spec()
    assert by_name["benchmark as shipped"].usable(spec).all()
    # Ho (2019) gives no Halpha (case B fills it from Hbeta): without Hbeta such a row has no ratio left
    task = by_name["no HB4861 in all rows"]
    usable = task.usable(spec)
    ho = np.char.startswith(task.groups.astype(str), "ho2019")
    assert ho.any() and not usable[ho].any() and usable[~ho].mean() > 0.5
    flux, _, _ = catalog_line_matrix(task.catalog, spec.lines)
    halpha, hbeta = flux[:, spec.lines.index("HA6562")], flux[:, spec.lines.index("HB4861")]
    assert not np.isfinite(halpha[~usable]).any() and not np.isfinite(hbeta[~usable]).any()


def test_held_out_slices_are_out_of_training(suite):
    lines = default_feature_spec().lines
    flux, labels, _ = source_line_fluxes(lines)
    for task in (t for t in suite if t.family == HELD_OUT_FAMILY):
        assert task.source_keep is not None and 0 < (~task.source_keep).sum() < len(flux)
        X, y, d, X_err, target = task_arrays(task)
        assert (d > 0).sum() == (task.source_keep & default_source_rows()).sum()
        assert set(map(str, y[d < 0])) == {"-1"}
        assert len(target) == len(task)


def test_tasks_train_on_the_default_source_set_as_fit_does():
    spec = default_feature_spec()
    task = build_task_suite(seed=0, families=("mix",))[0]
    X, y, d, _, _ = task_arrays(task, spec)
    fluxes, labels, _ = default_grid_set().line_fluxes(spec.lines)
    assert np.array_equal(X[d > 0], fluxes, equal_nan=True) and np.array_equal(y[d > 0].astype(str), labels)
    grids = load_source_grids()
    precursor = (np.asarray(grids["class"]) == "SNR") & (np.asarray(grids["shock_component"]) == "sp")
    assert precursor.any() and not (default_source_rows() & precursor).any()


def test_slice_task_draws_only_the_held_out_models_and_trains_on_the_rest():
    _, labels, _ = source_line_fluxes(["HB4861", "HA6562"])
    held_out = np.zeros(len(labels), dtype=bool)
    for cls in ("HII", "PN", "SNR"):
        held_out[np.flatnonzero(labels == cls)[:40]] = True
    task = slice_task("first models", held_out, seed=5, n=100, family="my family")
    assert task.family == "my family" and len(task) == 100
    assert np.array_equal(task.source_keep, ~held_out)
    drawn = np.array([int(g.split("_")[1]) for g in task.groups])
    assert held_out[drawn].all() and np.array_equal(task.labels, labels[drawn])
    assert [np.sum(task.labels == c) for c in ("HII", "PN", "SNR")] == [60, 20, 20]
    again = slice_task("first models", held_out, seed=5, n=100, family="my family")
    assert np.array_equal(again.groups, task.groups)


def test_subset_catalog_repeats_rows(suite):
    catalog = next(t for t in suite if t.name == "benchmark as shipped").catalog
    sub = subset_catalog(catalog, [2, 2, 0])
    assert len(sub) == 3
    for line, values in sub.flux.items():
        np.testing.assert_array_equal(values, catalog.flux[line][[2, 2, 0]])
