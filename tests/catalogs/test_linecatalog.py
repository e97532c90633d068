"""The tidy in-memory catalogue every reader returns (catalogs/linecatalog.py)."""

import numpy as np
import pytest
from astropy.table import Table

from nebuladapt.catalogs.linecatalog import LineCatalog


def test_defaults_and_lines():
    table = Table({"id": [1, 2]})
    catalog = LineCatalog(table, {"HA6562": np.array([1.0, np.nan]), "HB4861": np.array([0.3, 0.4])})
    assert len(catalog) == 2 and catalog.lines == ["HA6562", "HB4861"]
    assert catalog.dust_corrected.tolist() == [False, False] and catalog.flux_err == {}
    flagged = LineCatalog(table, {}, dust_corrected=[1, 0], upper_limits={"HA6562": [0, 1]})
    assert flagged.dust_corrected.dtype == bool and flagged.upper_limits["HA6562"].tolist() == [False, True]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"flux": {"HA6562": np.ones(3)}}, "line HA6562 has 3 values for 2 rows"),
        ({"flux": {}, "flux_err": {"HB4861": np.ones(1)}}, "line HB4861 has 1 values"),
        ({"flux": {}, "upper_limits": {"HA6562": [True]}}, "upper-limit mask of HA6562"),
        ({"flux": {}, "dust_corrected": [True]}, "one value per row"),
    ],
)
def test_lengths_must_match_the_table(kwargs, match):
    with pytest.raises(ValueError, match=match):
        LineCatalog(Table({"id": [1, 2]}), source="cat.csv", **kwargs)
