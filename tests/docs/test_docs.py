"""The documentation sources: the CLI reference covers every command, the tutorial and conf are sound.

The full build (``sphinx-build -W``, tutorial executed) runs in ``.ci/run`` after the tests; these
checks are the fast part of it.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_documents_every_visible_command():
    import typer.main

    from nebuladapt.cli import app

    typer_cli = _load(DOCS / "_ext" / "typer_cli.py")
    group = typer.main.get_command(app)
    ctx = group.context_class(group, info_name="nebuladapt")
    visible = [n for n in group.list_commands(ctx) if not group.get_command(ctx, n).hidden]
    assert {"fit", "predict", "report"} <= set(visible)
    for name in visible:
        command = group.get_command(ctx, name)
        sub = command.context_class(command, info_name=f"nebuladapt {name}", parent=ctx)
        text = "\n".join(typer_cli._command_lines(command, sub, f"nebuladapt {name}"))
        for param in command.params:
            record = param.get_help_record(sub)
            if record is not None:
                assert f"``{record[0]}``" in text  # every option and argument is listed
    report = group.get_command(ctx, "report")
    text = "\n".join(typer_cli._command_lines(report, report.context_class(report, info_name="r"), "r"))
    assert "``--out <path>``" in text and "``--model <path>``" in text and "``--overwrite / --no-overwrite``" in text


def test_escape_keeps_rst_literal():
    typer_cli = _load(DOCS / "_ext" / "typer_cli.py")
    assert typer_cli._escape("prob_* and `x`|y") == "prob\\_\\* and \\`x\\`\\|y"


def test_tutorial_is_a_gallery_script_with_a_title():
    script = DOCS / "examples" / "plot_classify_phangs_catalogue.py"
    tree = ast.parse(script.read_text())
    docstring = ast.get_docstring(tree)
    assert docstring.splitlines()[0] == "Classify a PHANGS-MUSE-style nebula catalogue"
    assert "400 training steps" in docstring  # the text says the fit is shortened
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    for module in imported:
        if module.startswith("nebuladapt"):
            assert importlib.util.find_spec(module) is not None, module


def test_conf_uses_numpydoc_and_executes_the_gallery(monkeypatch):
    pytest.importorskip("sphinx")
    monkeypatch.setattr(sys, "path", list(sys.path))
    conf = _load(DOCS / "conf.py")
    assert "numpydoc" in conf.extensions and "sphinx_gallery.gen_gallery" in conf.extensions
    assert conf.sphinx_gallery_conf["abort_on_example_error"] is True
    assert (DOCS / "_static" / "report_screenshot.png").read_bytes()[:4] == b"\x89PNG"
