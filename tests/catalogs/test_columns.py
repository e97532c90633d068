"""Which table columns hold which line (catalogs/columns.py)."""

import pytest
from astropy.table import Table

from nebuladapt.catalogs.columns import (
    has_flux_suffix,
    line_column_names,
    map_bare_columns,
    map_columns,
    split_flux_column,
)
from nebuladapt.catalogs.errors import CatalogError


def _table(*names):
    return Table({name: [1.0] for name in names})


def test_split_flux_column_kinds_and_aliases():
    assert split_flux_column("HA6562_FLUX") == ("HA6562", "flux")
    assert split_flux_column("OIII5007_FLUX_ERR") == ("OIII5006", "err")
    assert split_flux_column("HB4861_FLUX_CORR_ERR") == ("HB4861", "corr_err")
    assert split_flux_column("NII6584_FLUX_UPPER") == ("NII6583", "upper")
    assert split_flux_column("XX1234_FLUX") is None and split_flux_column("_FLUX") is None
    assert has_flux_suffix("XX1234_FLUX") and not has_flux_suffix("region_ID")


def test_map_columns_prefixed_errors_and_unrecognised():
    table = _table("HA6562_FLUX", "e_HA6562_FLUX", "HA6562_FLUX_CORR", "e_HA6562_FLUX_CORR", "XX1_FLUX", "ra")
    mapping, unrecognised = map_columns(table, "t.csv")
    assert mapping == {"HA6562": {"flux": "HA6562_FLUX", "err": "e_HA6562_FLUX",
                                  "corr": "HA6562_FLUX_CORR", "corr_err": "e_HA6562_FLUX_CORR"}}  # fmt: skip
    assert unrecognised == ["XX1_FLUX"]


def test_two_columns_for_one_line_are_refused():
    with pytest.raises(CatalogError, match="'HA6562_FLUX' and 'HA6563_FLUX' both give HA6562"):
        map_columns(_table("HA6562_FLUX", "HA6563_FLUX"), "t.csv")
    with pytest.raises(CatalogError, match="both give HA6562"):
        map_bare_columns(_table("Halpha", "HA6562"), "t.csv")


def test_map_bare_columns_pairs_errors_with_fluxes():
    mapping = map_bare_columns(_table("Ha", "e_Ha", "OIII", "NII_err", "HA_angle"), "t.csv")
    assert mapping["HA6562"] == {"flux": "Ha", "err": "e_Ha"}
    assert mapping["OIII5006"] == {"flux": "OIII"}  # NII_err has no flux column: ignored
    assert "NII6583" not in mapping


def test_line_column_names_covers_what_the_reader_reads():
    table = _table("region_ID", "HA6562_FLUX", "HA6562_FLUX_ERR", "Hb", "dust_corrected")
    assert line_column_names(table, "t.csv") == {"HA6562_FLUX", "HA6562_FLUX_ERR", "Hb", "dust_corrected"}
