"""Contract tests over every format of the registry (one list: ``helpers.ALL_FORMATS``)."""

import numpy as np
import pytest

from nebuladapt.catalogs import read_catalog
from nebuladapt.io.formats import FORMATS, format_named, input_format, output_format
from nebuladapt.output import write_table
from format_helpers import ALL_FORMATS, FLUXES, STREAMED_FORMATS, WRITTEN_FORMATS, small_table, write_catalogue

ids = lambda f: f.name  # noqa: E731


@pytest.mark.parametrize("fmt", ALL_FORMATS, ids=ids)
def test_every_extension_maps_to_its_format(fmt, tmp_path):
    for extension in fmt.extensions:
        assert input_format(tmp_path / f"x{extension.upper()}") is fmt
    assert format_named(fmt.name) is fmt


@pytest.mark.parametrize("fmt", ALL_FORMATS, ids=ids)
def test_every_format_reads_every_row_and_value(fmt, tmp_path):
    path, n = write_catalogue(fmt, tmp_path)
    catalog = read_catalog(path, deredden=False)
    assert len(catalog) == n
    for line, values in FLUXES.items():
        np.testing.assert_allclose(catalog.flux[line], values[:n], rtol=1e-6)


@pytest.mark.parametrize("fmt", ALL_FORMATS, ids=ids)
def test_format_option_overrides_the_extension(fmt, tmp_path):
    path, n = write_catalogue(fmt, tmp_path)
    renamed = path.rename(tmp_path / "catalogue.data")
    assert len(read_catalog(renamed, format=fmt.name, deredden=False)) == n


@pytest.mark.parametrize("fmt", STREAMED_FORMATS, ids=ids)
def test_every_streamer_yields_every_row(fmt, tmp_path):
    path, n = write_catalogue(fmt, tmp_path)
    source = fmt.streamer_class()(path, 3)
    chunks = list(source.chunks())
    assert sum(c.table.num_rows for c in chunks) == n
    assert chunks[-1].progress == source.total


@pytest.mark.parametrize("fmt", WRITTEN_FORMATS, ids=ids)
def test_every_writer_round_trips_with_the_umask(fmt, tmp_path):
    out = tmp_path / f"out{fmt.extensions[0]}"
    write_table(small_table(), out)
    assert (out.stat().st_mode & 0o777) == 0o666 & ~_umask()
    back = read_catalog(out, deredden=False)
    np.testing.assert_allclose(back.flux["HA6562"], FLUXES["HA6562"])
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary left


def test_output_format_refuses_what_it_cannot_write(tmp_path):
    for name in ("x.txt", "x.fits.gz", "x.dat", "x"):
        with pytest.raises(ValueError, match="use one of"):
            output_format(tmp_path / name)
    assert output_format(tmp_path / "x", "csv") is FORMATS["csv"]


def _umask():
    from nebuladapt.io.atomic import umask

    return umask()
