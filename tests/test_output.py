import numpy as np
import pytest
from astropy.table import Table

from nebuladapt.output import write_table


@pytest.mark.parametrize("suffix", [".csv", ".fits", ".parquet"])
def test_write_formats_and_no_clobber(tmp_path, suffix):
    table = Table({"a": [1, 2], "pred_class": ["HII", ""], "prob_HII": [0.9, np.nan]})
    path = write_table(table, tmp_path / f"out{suffix}")
    back = Table.read(path)
    assert len(back) == 2
    with pytest.raises(FileExistsError, match="overwrite"):
        write_table(table, path)
    write_table(table, path, overwrite=True)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary left behind


def test_unknown_extension(tmp_path):
    with pytest.raises(ValueError, match="extension"):
        write_table(Table({"a": [1]}), tmp_path / "out.xlsx")
