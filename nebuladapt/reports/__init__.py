"""Reports: the experiment report, the report on a classified catalogue, and their figures.

* :mod:`nebuladapt.reports.catalog_report`: ``nebuladapt report`` (a page to look
  at after ``nebuladapt predict``).
* :mod:`nebuladapt.reports.report`: the experiment's ``report.md``/``report.html``.
* :mod:`nebuladapt.reports.figures`, :mod:`nebuladapt.reports.bpt`,
  :mod:`nebuladapt.reports.catalog_figures`: the figures (matplotlib, no pyplot).
"""

from nebuladapt.reports.bpt import plot_bpt, plot_catalog_bpt
from nebuladapt.reports.figures import (
    plot_confusion_matrix,
    plot_tsne_panels,
    tsne_project,
    tsne_representations,
)
from nebuladapt.reports.style import CLASS_COLOURS, SOURCE_CLASS_COLOURS

__all__ = [
    "CLASS_COLOURS",
    "SOURCE_CLASS_COLOURS",
    "plot_bpt",
    "plot_catalog_bpt",
    "plot_confusion_matrix",
    "plot_tsne_panels",
    "tsne_project",
    "tsne_representations",
]
