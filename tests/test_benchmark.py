"""Tests of the shipped real benchmark (nebuladapt.benchmark)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from astropy.table import Table

from nebuladapt.benchmark import (
    LABEL_COLUMNS,
    benchmark_catalog,
    load_benchmark,
    write_unlabelled_benchmark_csv,
)
from nebuladapt.lines import BENCHMARK_LINES

REPO_ROOT = Path(__file__).resolve().parents[1]

#: NEAT: 79 Bresolin/Esteban + 6 Tsamis HII files - 1 duplicate (ngc3576_eso);
#: 27 PN files - 3 duplicates (ngc6543 x2, ngc7009_cels). Ho 2019: 90 data rows.
#: Long+19: 45 confirmed SNRs.
EXPECTED = {
    ("HII", "neat"): 84,
    ("PN", "neat"): 24,
    ("HII", "ho2019"): 90,
    ("SNR", "long2019"): 45,
}
WOLF_RAYET_FILES = {"BAT99-11", "BAT99-2", "BAT99-38", "NGC3199", "WR16", "WR40", "WR8"}


@pytest.fixture(scope="module")
def bench():
    return load_benchmark()


def test_class_and_catalogue_counts(bench):
    counts = {}
    for cls, cat in zip(bench["class"], bench["catalogue"]):
        counts[(cls, cat)] = counts.get((cls, cat), 0) + 1
    assert counts == EXPECTED
    assert len(bench) == sum(EXPECTED.values())


def test_no_wolf_rayet_nebulae(bench):
    stems = {Path(f).stem for f in bench["source_file"]}
    assert not stems & WOLF_RAYET_FILES
    assert not any("Stock" in r for r in bench["reference"])


def test_one_row_per_object(bench):
    assert len(np.unique(bench["object_id"])) == len(bench)
    ids = set(bench["object_id"])
    assert {"ngc6543", "ngc7009", "ngc3576"} <= ids
    assert not any(i.startswith(("ngc6543_", "ngc7009_", "ngc3576_")) for i in ids)


def test_every_row_has_a_balmer_line(bench):
    hb = np.isfinite(bench["HB4861_FLUX"])
    ha = np.isfinite(bench["HA6562_FLUX"])
    assert np.all(hb | ha)


def test_flux_columns(bench):
    for line in BENCHMARK_LINES:
        for suffix in ("_FLUX", "_FLUX_ERR"):
            column = bench[f"{line}{suffix}"]
            assert column.dtype == np.float64
            assert not hasattr(column, "mask")
        values = np.asarray(bench[f"{line}_FLUX"])
        assert np.all(values[np.isfinite(values)] > 0), line


def test_normalisations(bench):
    neat = bench[bench["catalogue"] == "neat"]
    np.testing.assert_array_equal(neat["HB4861_FLUX"], 100.0)
    long19 = bench[bench["catalogue"] == "long2019"]
    np.testing.assert_array_equal(long19["HA6562_FLUX"], 300.0)
    ho = bench[bench["catalogue"] == "ho2019"]
    np.testing.assert_array_equal(ho["HB4861_FLUX"], 1.0)
    assert np.isnan(ho["HA6562_FLUX"]).all()  # no Halpha invented
    assert np.isfinite(ho["SII6716_6730_FLUX"]).all()
    assert np.isfinite(ho["OII3726_3729_FLUX"]).all()


def test_known_values(bench):
    row = bench[bench["object_id"] == "ngc1232_02"][0]
    assert row["HA6562_FLUX"] == 286.0 and row["OII3726_3729_FLUX"] == 391.0
    assert row["host"] == "NGC 1232" and row["DUST_CORRECTED"]
    row = bench[bench["object_id"] == "ngc7009"][0]
    assert row["HB4861_FLUX"] == 100.0 and row["HA6562_FLUX"] == pytest.approx(301.357)
    row = bench[bench["object_id"] == "L19-039"][0]
    assert np.isnan(row["OI6300_FLUX"])  # -357 in the transcription: masked
    assert row["uncertain_cols_tilde"] == "Hbeta;OIII5007;OI6300"


def test_dust_flags(bench):
    def flags(mask):
        return set(np.asarray(bench["DUST_CORRECTED"])[mask])

    refs = np.asarray(bench["reference"], dtype=str)
    assert flags(np.char.find(refs, "Bresolin") >= 0) == {True}
    assert flags(np.char.find(refs, "Esteban") >= 0) == {True}
    assert flags(bench["catalogue"] == "ho2019") == {True}
    for observed in ("Wesson", "Tsamis", "Fang", "Long"):
        assert flags(np.char.find(refs, observed) >= 0) == {False}, observed


def test_hosts(bench):
    pn = bench[bench["class"] == "PN"]
    assert set(pn["host"]) == {"Milky Way"}
    assert set(bench[bench["catalogue"] == "long2019"]["host"]) == {"NGC 6946"}
    assert bench[bench["object_id"] == "30doradus"]["host"][0] == "LMC"
    assert all(h for h in bench["host"])


def test_provenance(bench):
    meta = bench.meta
    assert set(meta["catalogues"]) == {"neat", "ho2019", "long2019"}
    assert "ApJ, 875, 85" in meta["catalogues"]["long2019"]["reference"]
    assert meta["catalogues"]["neat"]["duplicates"]["ngc7009"]["kept"] == "ngc7009_all.dat"
    assert any("L19-039" in m for m in meta["masked_nonpositive_fluxes"])


def test_benchmark_catalog(bench):
    cat = benchmark_catalog()
    assert len(cat) == len(bench)
    assert cat.lines == list(BENCHMARK_LINES)
    np.testing.assert_array_equal(cat.flux["HA6562"], bench["HA6562_FLUX"])
    np.testing.assert_array_equal(cat.flux_err["HB4861"], bench["HB4861_FLUX_ERR"])
    np.testing.assert_array_equal(cat.dust_corrected, bench["DUST_CORRECTED"])


def test_unlabelled_csv(tmp_path, bench):
    path = tmp_path / "bench.csv"
    write_unlabelled_benchmark_csv(path)
    back = Table.read(path, format="ascii.csv")
    assert not set(LABEL_COLUMNS) & set(back.colnames)
    assert back.colnames[0] == "object_id"
    assert list(back["object_id"]) == list(bench["object_id"])
    ha = np.ma.filled(np.ma.asarray(back["HA6562_FLUX"], dtype=float), np.nan)
    np.testing.assert_array_equal(ha, bench["HA6562_FLUX"])
    assert "nan" not in path.read_text()


def test_rebuild_reproduces_shipped(shared_data_dir, bench):
    spec = importlib.util.spec_from_file_location(
        "build_data_bench", REPO_ROOT / "scripts" / "build_data.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rebuilt = module.build_benchmark(shared_data_dir)
    shipped = [c for c in bench.colnames if c != "group_id"]  # group_id is derived at load
    assert rebuilt.colnames == shipped
    for name in shipped:
        if bench[name].dtype.kind == "f":
            np.testing.assert_array_equal(rebuilt[name], bench[name], err_msg=name)
        else:
            assert list(rebuilt[name]) == list(bench[name]), name


def test_group_ids_merge_repeated_ho2019_measurements(bench):
    from nebuladapt.benchmark import GROUP_TOLERANCE_DEX, benchmark_groups

    groups = np.asarray(bench["group_id"]).astype(str)
    catalogue = np.asarray(bench["catalogue"]).astype(str)
    other = catalogue != "ho2019"
    np.testing.assert_array_equal(groups[other], np.asarray(bench["object_id"]).astype(str)[other])
    ho = np.flatnonzero(~other)
    ratios = np.column_stack(
        [np.log10(np.asarray(bench[f"{line}_FLUX"], float)[ho] / np.asarray(bench["HB4861_FLUX"], float)[ho])
         for line in ("OIII5006", "NII6583", "SII6716_6730", "OII3726_3729")]
    )  # fmt: skip
    n_groups = len(np.unique(groups[ho]))
    assert 1 < n_groups < len(ho)  # some repeated regions are merged, not all rows
    # two rows within the tolerance on every ratio always share a group
    for i in range(len(ho)):
        close = np.max(np.abs(ratios - ratios[i]), axis=1) <= GROUP_TOLERANCE_DEX
        assert len(set(groups[ho][close])) == 1
    # a tighter tolerance can only split groups
    assert len(np.unique(benchmark_groups(bench, 0.01)[ho])) >= n_groups
    # unlabelled CSV leaves the group id out with the other label-carrying columns
    assert "group_id" in LABEL_COLUMNS
