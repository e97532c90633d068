"""Table files and columns, the shared utilities of every reader (catalogs/tables.py)."""

import numpy as np
import pytest
from astropy import units as u
from astropy.table import MaskedColumn, Table

from nebuladapt.catalogs.errors import CatalogError
from nebuladapt.catalogs.tables import (
    as_table,
    bool_column,
    check_not_empty,
    column_to_float,
    column_values,
    file_format_of,
    load_table,
    one_line,
)


def test_file_format_of_extensions():
    assert file_format_of("cat.csv") == "csv"
    assert file_format_of("cat.fits.gz") == "fits"
    assert file_format_of("cat.parquet") == "parquet"
    assert file_format_of("cat.xyz") is None


@pytest.mark.parametrize("suffix", [".csv", ".ecsv", ".fits", ".parquet"])
def test_load_table_round_trip(tmp_path, suffix):
    table = Table({"region_ID": [1, 2, 3], "HA6562_FLUX": [1.5, np.nan, 3.0]})
    path = tmp_path / f"cat{suffix}"
    table.write(path)
    back = load_table(path)
    assert list(back["region_ID"]) == [1, 2, 3]
    np.testing.assert_array_equal(column_to_float(back, "HA6562_FLUX", str(path)), [1.5, np.nan, 3.0])


def test_load_table_parquet_parts_are_stacked(tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    Table({"a": [1.0, 2.0]}).write(folder / "part-0.parquet")
    Table({"a": [3.0]}).write(folder / "part-1.parquet")
    table = load_table(folder)
    assert list(table["a"]) == [1.0, 2.0, 3.0] and table.meta["parts"] == 2
    Table({"b": [4.0]}).write(folder / "part-2.parquet")
    with pytest.raises(CatalogError, match="columns differ"):
        load_table(folder)


def test_load_table_errors_are_one_line(tmp_path):
    with pytest.raises(CatalogError, match="file not found"):
        load_table(tmp_path / "missing.csv")
    with pytest.raises(CatalogError, match="unknown table format"):
        load_table(tmp_path / "cat.xyz")
    broken = tmp_path / "broken.fits"
    broken.write_bytes(b"SIMPLE  =                    T" + b" " * 50)
    with pytest.raises(CatalogError, match="cannot be read as fits") as info:
        load_table(broken)
    assert "\n" not in str(info.value)


def test_as_table_accepts_paths_and_tables_only(tmp_path):
    table = Table({"a": [1]}, meta={"source": "memory"})
    assert as_table(table) == (table, "memory")
    with pytest.raises(CatalogError, match="expected a file path or an astropy Table"):
        as_table({"a": [1]})


def test_check_not_empty():
    with pytest.raises(CatalogError, match="no columns"):
        check_not_empty(Table(), "t.csv")
    with pytest.raises(CatalogError, match="no rows"):
        check_not_empty(Table({"a": np.array([], dtype=float)}), "t.csv")
    check_not_empty(Table({"a": [1.0]}), "t.csv")


def test_one_line_folds_and_shortens():
    text = one_line(ValueError("first line\n   second   line"), limit=200)
    assert text == "ValueError: first line second line"
    assert one_line(ValueError("x" * 500), limit=50).endswith("...")
    assert len(one_line(ValueError("x" * 500), limit=50)) == 50


def test_column_values_parses_text_numbers_limits_and_missing():
    table = Table({"f": ["1.5", " <2 ", "", "nan", "--", "3e2", "<= 0.4"]})
    values, upper = column_values(table, "f", "t.csv")
    np.testing.assert_array_equal(values, [1.5, np.nan, np.nan, np.nan, np.nan, 300.0, np.nan])
    assert upper.tolist() == [False, True, False, False, False, False, True]


def test_column_values_masked_quantity_and_errors():
    masked = Table({"f": MaskedColumn([1.0, 2.0, 3.0], mask=[False, True, False])})
    np.testing.assert_array_equal(column_to_float(masked, "f", "t"), [1.0, np.nan, 3.0])
    quantity = Table({"f": [1.0, 2.0] * u.erg / u.s / u.cm**2})
    np.testing.assert_array_equal(column_to_float(quantity, "f", "t"), [1.0, 2.0])
    with pytest.raises(CatalogError, match=r"column 'f' should hold numbers but row 1 holds '~3'"):
        column_values(Table({"f": ["1", "~3"]}), "f", "t.csv")
    with pytest.raises(CatalogError, match="one value per row"):
        column_values(Table({"f": np.ones((2, 3))}), "f", "t.csv")
    with pytest.raises(CatalogError, match="dtype"):
        column_values(Table({"f": np.array([1 + 2j, 3j])}), "f", "t.csv")


def test_bool_column_spellings():
    assert bool_column(Table({"d": [True, False]}), "d", "t").tolist() == [True, False]
    assert bool_column(Table({"d": [1, 0, 1]}), "d", "t").tolist() == [True, False, True]
    text = Table({"d": ["yes", "No", "TRUE", "f", ""]})
    assert bool_column(text, "d", "t").tolist() == [True, False, True, False, False]
    masked = Table({"d": MaskedColumn([True, True], mask=[False, True])})
    assert bool_column(masked, "d", "t").tolist() == [True, False]
    with pytest.raises(CatalogError, match="row 1 holds 'maybe'"):
        bool_column(Table({"d": ["yes", "maybe"]}), "d", "t")
    with pytest.raises(CatalogError, match="one True/False per row"):
        bool_column(Table({"d": np.ones((2, 2), dtype=bool)}), "d", "t")
