"""``.. typer-cli:: module:app``: the command-line reference, generated from a typer app.

typer (>= 0.20) builds its commands on a vendored copy of click, which
sphinx-click does not recognise; this directive walks typer's own click
object (:func:`typer.main.get_command`) instead: one section per visible
command with its help text, usage line, arguments and options, exactly as
``COMMAND --help`` has them.
"""

from __future__ import annotations

import importlib
import inspect

from docutils import nodes
from docutils.parsers.rst import Directive, directives
from docutils.statemachine import StringList
from sphinx.util.nodes import nested_parse_with_titles


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("_", "\\_").replace("*", "\\*").replace("`", "\\`").replace("|", "\\|")


def _command_lines(command, ctx, prog: str) -> list[str]:
    lines = []
    help_text = inspect.cleandoc(command.help or "")
    if help_text:
        lines += [*(_escape(line) for line in help_text.splitlines()), ""]
    usage = " ".join(command.collect_usage_pieces(ctx))
    lines += [".. code-block:: text", "", f"   {prog} {usage}".rstrip(), ""]
    for kind, title in (("argument", "Arguments"), ("option", "Options")):
        records = [
            p.get_help_record(ctx) for p in command.get_params(ctx) if p.param_type_name == kind
        ]
        records = [r for r in records if r is not None]
        if not records:
            continue
        lines += [f".. rubric:: {title}", ""]
        for names, help_record in records:
            lines += [f"``{names}``", f"   {_escape(' '.join(help_record.split())) or '(no help)'}", ""]
    return lines


class TyperCli(Directive):
    """Document every visible command of a typer app (``module:attribute``)."""

    required_arguments = 1
    option_spec = {"prog": directives.unchanged}

    def run(self):
        import typer.main

        module_name, attribute = self.arguments[0].split(":")
        app = getattr(importlib.import_module(module_name), attribute)
        group = typer.main.get_command(app)
        prog = self.options.get("prog", group.name or module_name)
        ctx = group.context_class(group, info_name=prog)
        lines: list[str] = []
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            if command is None or command.hidden:
                continue
            title = f"{prog} {name}"
            sub_ctx = command.context_class(command, info_name=title, parent=ctx)
            lines += [title, "-" * len(title), "", *_command_lines(command, sub_ctx, title), ""]
        container = nodes.section()
        container.document = self.state.document
        nested_parse_with_titles(self.state, StringList(lines, source="typer-cli"), container)
        return container.children


def setup(app):
    """Register the directive (Sphinx extension entry point)."""
    app.add_directive("typer-cli", TyperCli)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
