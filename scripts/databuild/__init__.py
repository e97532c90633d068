"""Builders of the tables nebuladapt ships, run by ``scripts/build_data.py``.

* :mod:`databuild.common`: citations, wheel download, checksums;
* :mod:`databuild.schema`: the column layout of the source-grid and benchmark tables;
* :mod:`databuild.threemdb`: HII and PN models of 3MdB (Cloudy);
* :mod:`databuild.shocks`: SNR models, the Allen et al. (2008) MAPPINGS IIIq shock library;
* :mod:`databuild.neat`: NEAT line lists of HII regions and PNe;
* :mod:`databuild.benchmark`: Ho (2019), Long et al. (2019) and the assembled benchmark.

The NebulaBayes HII grid has its own builder, ``scripts/build_nebulabayes.py``.
"""
