"""Colours, orders and legend helpers shared by the report figures (reports/style.py)."""

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from nebuladapt import CLASSES
from nebuladapt.reports.style import (
    CLASS_COLOURS,
    SOURCE_CLASS_COLOURS,
    UNCLASSIFIED_COLOUR,
    class_colour,
    class_order,
    save_png,
    two_row_legend,
)


def test_every_class_has_distinct_target_and_source_colours():
    assert set(CLASS_COLOURS) == set(SOURCE_CLASS_COLOURS) == set(CLASSES)
    assert len({*CLASS_COLOURS.values(), *SOURCE_CLASS_COLOURS.values(), UNCLASSIFIED_COLOUR}) == 2 * len(CLASSES) + 1
    assert class_colour("PN") == CLASS_COLOURS["PN"] and class_colour("PN", source=True) == SOURCE_CLASS_COLOURS["PN"]
    assert class_colour("") == class_colour("AGN") == UNCLASSIFIED_COLOUR


def test_class_order_known_classes_first_then_others_sorted():
    labels = np.array(["SNR", "", "zeta", "HII", "SNR", "alpha"])
    assert class_order(labels) == ["HII", "SNR", "", "alpha", "zeta"]
    assert class_order([]) == []


def test_two_row_legend_interleaves_and_pads():
    top = [Line2D([], [], label=f"t{i}") for i in range(3)]
    bottom = [Line2D([], [], label="b0")]
    handles, ncol = two_row_legend(top, bottom)
    assert ncol == 3 and len(handles) == 6
    # column-major: each column is (top handle, bottom handle)
    assert [h.get_label() for h in handles] == ["t0", "b0", "t1", " ", "t2", " "]
    assert two_row_legend([], [])[1] == 1


def test_save_png_creates_parents_and_skips_none(tmp_path):
    fig = Figure(figsize=(1, 1))
    fig.add_subplot().plot([0, 1])
    path = tmp_path / "a" / "b" / "fig.png"
    save_png(fig, path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    save_png(fig, None)  # nothing to write, no error
