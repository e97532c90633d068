"""nebuladapt's input/output layer: the format registry and the one atomic writer.

* :mod:`nebuladapt.io.formats` -- extension -> reader, streamer, writer;
* :mod:`nebuladapt.io.atomic` -- temporary file + rename, with the user's umask;
* :mod:`nebuladapt.io.sources` -- chunked readers (Parquet, CSV, FITS);
* :mod:`nebuladapt.io.writers`, :mod:`nebuladapt.io.fits_writer` -- incremental writers.

The catalogue readers that turn tables into :class:`~nebuladapt.catalogs.LineCatalog`
live in :mod:`nebuladapt.catalogs`.
"""

from nebuladapt.io.atomic import AtomicPath, atomic_write_bytes, sweep_stale
from nebuladapt.io.formats import FORMATS, Format, format_named, input_format, output_format

__all__ = [
    "FORMATS",
    "AtomicPath",
    "Format",
    "atomic_write_bytes",
    "format_named",
    "input_format",
    "output_format",
    "sweep_stale",
]
