"""Report figures: confusion matrices, t-SNE maps of source and target, BPT diagrams."""

from nebuladapt.reports.figures import (
    CLASS_COLOURS,
    SOURCE_CLASS_COLOURS,
    plot_bpt,
    plot_confusion_matrix,
    plot_tsne_panels,
    tsne_project,
    tsne_representations,
)

__all__ = [
    "CLASS_COLOURS",
    "SOURCE_CLASS_COLOURS",
    "plot_bpt",
    "plot_confusion_matrix",
    "plot_tsne_panels",
    "tsne_project",
    "tsne_representations",
]
