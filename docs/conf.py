"""Sphinx configuration of the nebuladapt documentation.

Build: ``sphinx-build -W --keep-going -b html docs docs/_build/html`` (what ``.ci/run`` runs).
The tutorial in ``docs/examples`` is executed during the build (sphinx-gallery),
the API reference is generated from the docstrings (autodoc + autosummary +
numpydoc) and the command-line reference from the commands themselves
(sphinx-click on typer's click object).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))
sys.path.insert(0, str(DOCS.parent))
os.environ.setdefault("NEBULADAPT_DOCS_BUILD", "1")

import nebuladapt  # noqa: E402

project = "nebuladapt"
author = "nebuladapt developers"
copyright = "2026, nebuladapt developers"
release = version = nebuladapt.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "typer_cli",
    "sphinx_gallery.gen_gallery",
]
templates_path = ["_templates"]
exclude_patterns = ["_build", "experiment", "examples/GALLERY_HEADER.rst", "**.ipynb_checkpoints"]
suppress_warnings: list[str] = []

# -- API reference: public API only (each module's __all__) ----------------------------------
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": True, "show-inheritance": False}
autodoc_member_order = "bysource"
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# -- Tutorial, executed at build time ------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": ["examples"],
    "gallery_dirs": ["tutorials"],
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "show_memory": False,
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "within_subsection_order": "FileNameSortKey",
}

# -- HTML ----------------------------------------------------------------------------------
try:
    import pydata_sphinx_theme  # noqa: F401

    html_theme = "pydata_sphinx_theme"
    html_theme_options = {"navigation_with_keys": False, "show_prev_next": False}
except ImportError:  # pragma: no cover
    html_theme = "alabaster"
html_title = f"nebuladapt {release}"
html_static_path = ["_static"]
html_show_sourcelink = False


def _skip_member(app, what, name, obj, skip, options):
    """Leave out scikit-learn's generated metadata-routing methods (``set_*_request``)."""
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return skip


def setup(app):
    app.connect("autodoc-skip-member", _skip_member)
