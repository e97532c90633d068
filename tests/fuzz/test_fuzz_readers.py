"""Property tests of every catalogue reader (reliability issue, item 6).

Random column sets (line columns, ratio columns, unicode names), NaN/inf/negative/
zero values, text and flag columns, empty and one-row tables; tables in memory and
written to CSV/ECSV/Parquet/FITS; random, truncated and binary files; random line
lists. The properties: a reader either returns a catalogue with every input row
(in order, all columns kept) or raises :class:`CatalogError` -- nothing else.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest
from astropy.table import MaskedColumn, Table
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from nebuladapt.catalogs import CatalogError, LineCatalog, read_catalog, read_phangs_table
from nebuladapt.catalogs import read_ratio_table
from nebuladapt.catalogs.linelist import read_line_list
from nebuladapt.lines import LINES

#: ``NEBULADAPT_FUZZ_SCALE=20 pytest tests/fuzz`` fuzzes 20 times harder (CI keeps it cheap).
SCALE = float(os.environ.get("NEBULADAPT_FUZZ_SCALE", "1"))
FUZZ = settings(max_examples=int(60 * SCALE), deadline=None,
                suppress_health_check=[HealthCheck.too_slow])
FILES = settings(max_examples=int(25 * SCALE), deadline=None,
                 suppress_health_check=[HealthCheck.too_slow])

LINE_COLUMNS = [
    "HA6562_FLUX", "HB4861_FLUX", "OIII5006_FLUX", "NII6583_FLUX", "SII6716_FLUX",
    "SII6730_FLUX", "SII6716_6730_FLUX", "OI6300_FLUX", "HA6562_FLUX_ERR", "hb4861_flux_err",
    "OIII5006_FLUX_ERR", "HA6562_FLUX_CORR", "HB4861_FLUX_CORR", "HB4861_FLUX_CORR_ERR",
    "NII6583_FLUX_UPPER", "OIII4958_FLUX", "FOO_FLUX", "Halpha", "Hbeta", "OIII5007",
    "[NII]6584", "HA", "DUST_CORRECTED", "ID",
]
RATIO_COLUMNS = [
    "OIII5007/Hbeta", "log_NII6583/HA6562", "log10([SII]/Halpha)", "NII6583/HB4861",
    "HA6562/HB4861", "SII6716/SII6731", "log(OI/Halpha)", "r/R25", "OIII5007/Hbeta ",
]
SPECIAL = [0.0, -0.0, -1.0, 1e-300, 1e300, -1e300, np.nan, np.inf, -np.inf, 5e-324]

numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(SPECIAL))
texts = st.one_of(
    numbers.map(repr), numbers.map(lambda v: f"<{v}"), st.sampled_from(["", "--", "n/a", "*"]),
    st.text(max_size=6), st.sampled_from(["True", "no", "1", "yes", "maybe"]),
)


@st.composite
def column_data(draw, n: int):
    kind = draw(st.sampled_from(["float", "float", "float", "int", "text", "bool", "masked"]))
    if kind == "float":
        return np.array(draw(st.lists(numbers, min_size=n, max_size=n)), dtype=float)
    if kind == "int":
        return np.array(draw(st.lists(st.integers(-(2**40), 2**40), min_size=n, max_size=n)),
                        dtype=np.int64)
    if kind == "text":
        return np.array(draw(st.lists(texts, min_size=n, max_size=n)), dtype=str)
    if kind == "bool":
        return np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    values = np.array(draw(st.lists(numbers, min_size=n, max_size=n)), dtype=float)
    mask = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    return MaskedColumn(values, mask=mask)


def names(pool):
    return st.one_of(st.sampled_from(pool), st.text(min_size=1, max_size=10))


@st.composite
def tables(draw, pool=LINE_COLUMNS, max_rows=4):
    n = draw(st.integers(0, max_rows))
    colnames = draw(st.lists(names(pool), min_size=0, max_size=6, unique=True))
    table = Table()
    for name in colnames:
        table[name] = draw(column_data(n))
    return table, n


def check_catalog(catalog: LineCatalog, n: int, colnames: list[str]) -> None:
    """Full row accounting: every row, every column, arrays of the right shape."""
    assert len(catalog) == n == len(catalog.table)
    assert catalog.table.colnames == colnames
    assert catalog.dust_corrected.shape == (n,)
    for group in (catalog.flux, catalog.flux_err, catalog.upper_limits):
        for name, values in group.items():
            assert name in LINES or "_" in name, name
            assert values.shape == (n,)
    for values in catalog.flux.values():
        assert values.dtype == np.float64


def read_or_error(reader, *args, **kwargs):
    try:
        catalog = reader(*args, **kwargs)
        event("read")
        return catalog
    except CatalogError as exc:
        event("CatalogError")
        message = str(exc)
        assert message and "\n" not in message, message  # one line
        return None


def same_table(a: Table, b: Table) -> bool:
    """Same names, rows, values (NaN equal to NaN in float columns), masks and units."""
    if a.colnames != b.colnames or len(a) != len(b):
        return False
    for c in a.colnames:
        x, y = np.ma.getdata(a[c]), np.ma.getdata(b[c])
        equal_nan = x.dtype.kind == "f" and y.dtype.kind == "f"
        if x.dtype != y.dtype or not np.array_equal(x, y, equal_nan=equal_nan):
            return False
        if not np.array_equal(np.ma.getmaskarray(a[c]), np.ma.getmaskarray(b[c])):
            return False
        if getattr(a[c], "unit", None) != getattr(b[c], "unit", None):
            return False
    return True


def test_same_table_sees_a_changed_flux():
    """The comparison used above is not blind to floats: one changed flux is a difference."""
    table = Table({"HA6562_FLUX": [3.0, np.nan, 1.0], "name": ["a", "b", "c"]})
    assert same_table(table, table.copy())  # NaN equals NaN
    changed = table.copy()
    changed["HA6562_FLUX"][2] = 1.5
    assert not same_table(table, changed)
    masked = Table(table, masked=True)
    masked["HA6562_FLUX"].mask[0] = True
    assert not same_table(Table(table, masked=True), masked)


# ------------------------------------------------------------------ in memory
@FUZZ
@given(tables())
def test_phangs_reader_on_random_tables(drawn):
    table, n = drawn
    before = table.copy()
    catalog = read_or_error(read_phangs_table, table)
    assert same_table(table, before)  # the input is never modified
    if catalog is not None:
        check_catalog(catalog, n, table.colnames)
        for line, mask in catalog.upper_limits.items():
            assert np.isnan(catalog.flux[line][mask]).all()
        for line, values in catalog.limit_flux.items():  # a limit's value only where the row gives a limit
            assert not np.isfinite(values[~catalog.upper_limits[line]]).any()
        assert n > 0  # an empty table is an error


@FUZZ
@given(tables(pool=RATIO_COLUMNS + ["ID", "HB4861_FLUX"]))
def test_ratio_reader_on_random_tables(drawn):
    table, n = drawn
    catalog = read_or_error(read_ratio_table, table)
    if catalog is not None:
        check_catalog(catalog, n, table.colnames)
        assert catalog.flux[catalog.meta["reference_line"]].tolist() == [1.0] * n


@FUZZ
@given(tables(max_rows=3), st.booleans())
def test_empty_tables_are_errors_unless_allowed(drawn, allow_empty):
    table, _ = drawn
    empty = table[:0]
    catalog = read_or_error(read_phangs_table, empty, allow_empty=allow_empty)
    if catalog is not None:
        assert allow_empty and len(catalog) == 0


# ------------------------------------------------------------------ from files
WRITERS = {".csv": "ascii.csv", ".ecsv": "ascii.ecsv", ".parquet": "parquet", ".fits": "fits"}


def write_or_skip(table: Table, path: Path) -> bool:
    """Write with astropy; False where astropy cannot write it (not our reader's concern)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table.write(path, format=WRITERS[path.suffix], overwrite=True)
    except Exception:  # noqa: BLE001 - astropy/pyarrow writer limitations
        return False
    return True


printable_names = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp", "Zs"),
                           blacklist_characters='",#\'\\'),
    min_size=1, max_size=10,
)


@FILES
@given(st.data(), st.sampled_from(sorted(WRITERS)))
def test_read_catalog_on_random_files(data, suffix):
    n = data.draw(st.integers(1, 4))
    colnames = data.draw(st.lists(st.one_of(st.sampled_from(LINE_COLUMNS + RATIO_COLUMNS[:4]),
                                            printable_names), min_size=1, max_size=5, unique=True))
    table = Table()
    for name in colnames:
        table[name] = data.draw(column_data(n))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"cat{suffix}"
        assume(write_or_skip(table, path))
        catalog = read_or_error(read_catalog, path)
        if catalog is not None:
            assert len(catalog) == n
            assert str(path) in catalog.source


@FILES
@given(st.binary(max_size=3000), st.sampled_from([".fits", ".parquet", ".csv", ".dat"]))
def test_random_bytes_are_catalog_errors(payload, suffix):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"junk{suffix}"
        path.write_bytes(payload)
        catalog = read_or_error(read_catalog, path)
        if catalog is not None:  # random bytes may be valid text
            assert suffix in (".csv", ".dat")


@pytest.fixture(scope="module")
def good_files(tmp_path_factory):
    directory = tmp_path_factory.mktemp("good")
    table = Table({"ID": np.arange(40), "HA6562_FLUX": np.linspace(100, 300, 40),
                   "HB4861_FLUX": np.full(40, 100.0), "OIII5006_FLUX": np.linspace(10, 900, 40),
                   "name": [f"n{i}" for i in range(40)]})
    paths = {}
    for suffix in (".fits", ".parquet", ".csv"):
        paths[suffix] = directory / f"good{suffix}"
        table.write(paths[suffix], format=WRITERS[suffix])
    return paths


@FILES
@given(st.sampled_from([".fits", ".parquet", ".csv"]), st.floats(0.0, 0.999))
def test_truncated_files_are_errors_or_complete(good_files, suffix, fraction):
    data = good_files[suffix].read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"cut{suffix}"
        path.write_bytes(data[: int(len(data) * fraction)])
        catalog = read_or_error(read_catalog, path)
        if catalog is not None:
            # only a text table can lose rows and stay valid (CSV has no footer): the rows
            # before the cut are all there, in order; the last one may be cut short
            assert suffix == ".csv" and 0 < len(catalog) <= 40
            assert list(catalog.table["ID"][:-1]) == list(range(len(catalog) - 1))


@FILES
@given(st.text(max_size=300))
def test_random_csv_text(text):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "random.csv"
        path.write_text("HA6562_FLUX,HB4861_FLUX\n" + text, encoding="utf-8")
        catalog = read_or_error(read_catalog, path)
        if catalog is not None:
            assert len(catalog) >= 1


# ------------------------------------------------------------------ line lists
WAVELENGTHS = [4861.33, 6562.8, 5006.84, 4958.91, 6583.45, 6548.05, 6716.44, 6730.82, 3727.0,
               3726.03, 6300.3, 4861.27, 1234.5, 10830.0]
tokens = st.one_of(
    st.sampled_from(WAVELENGTHS).map(str), numbers.map(repr), st.sampled_from(["*", "nan", "-5"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=5)
    .filter(lambda t: t.strip() and not any(c.isspace() for c in t)),
)
rows = st.one_of(
    st.lists(tokens, min_size=1, max_size=5).map(" ".join),
    st.tuples(st.sampled_from(WAVELENGTHS), numbers, numbers).map(lambda r: f"{r[0]} {r[1]} {r[2]}"),
    st.text(max_size=20).map(lambda t: "# " + t.replace("\n", " ").replace("\r", " ")),
    st.just(""),
)


@FUZZ
@given(st.lists(rows, max_size=8))
def test_line_list_reader_on_random_lists(lines):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "object.dat"
        path.write_text("\n".join(lines), encoding="utf-8")
        catalog = read_or_error(read_line_list, path)
        if catalog is not None:
            check_catalog(catalog, 1, catalog.table.colnames)
            assert catalog.flux  # at least one known line, else an error
            assert list(catalog.table["object_id"]) == ["object"]
