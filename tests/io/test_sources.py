"""nebuladapt.io.sources: Arrow -> NumPy without pandas."""

import subprocess
import sys

import numpy as np
import pyarrow as pa
import pytest

from nebuladapt.io.sources import arrow_values


@pytest.mark.parametrize("typ", [pa.float64(), pa.float32(), pa.float16(), pa.int64(), pa.bool_()])
def test_arrow_values_match_pyarrow(typ):
    rng = np.random.default_rng(3)
    values = rng.normal(size=50) * 100
    nulls = rng.random(50) < 0.2
    if pa.types.is_integer(typ):
        values = values.astype(int)
    elif pa.types.is_boolean(typ):
        values = values > 0
    elif typ == pa.float16():
        values = values.astype(np.float16)
    full = pa.array(values, type=typ, mask=nulls)
    pieces = [full, full.slice(3, 20), full.slice(9), full.slice(0, 0)]
    columns = pieces + [pa.chunked_array([full.slice(0, 7), full.slice(7)], type=typ),
                        pa.chunked_array([], type=typ), pa.array(values, type=typ).slice(5)]
    for column in columns:
        expected = column.to_numpy(zero_copy_only=False)
        got = arrow_values(column)
        assert got.dtype == expected.dtype
        if got.dtype == object:
            assert list(got) == list(expected)
        else:
            np.testing.assert_array_equal(got, expected)  # NaN where null, same bytes otherwise


def test_arrow_values_of_floats_import_no_pandas(tmp_path):
    path = tmp_path / "t.parquet"
    code = f"""
import sys
import pyarrow.parquet as pq
import numpy as np
pq.write_table(__import__('pyarrow').table({{'x': __import__('pyarrow').array(np.array([1.0, np.nan]))}}), {str(path)!r})
sys.modules.pop('pandas', None)
for name in [m for m in sys.modules if m.startswith('pandas')]:
    del sys.modules[name]
from nebuladapt.io.sources import arrow_values
batch = next(pq.ParquetFile({str(path)!r}).iter_batches())
import pyarrow as pa
values = arrow_values(pa.Table.from_batches([batch]).column('x'))
assert np.isnan(values[1]) and values[0] == 1.0
print('pandas' in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
