"""Command-line options generated from the estimator's parameter declarations.

:func:`estimator_options` adds one ``--option`` per parameter declared with
``cli=True`` in :data:`nebuladapt.models.params.PARAMS` (type, choices, default
and help as declared there) to a typer command, and hands their values to the
command as one ``params`` dict of :class:`NebulaClassifier` keyword arguments.
"""

from __future__ import annotations

import functools
import inspect
from enum import Enum

import typer

from nebuladapt.models.params import PARAMS, Param

__all__ = ["CLI_PARAMS", "choice_enum", "estimator_options"]

#: The parameters ``nebuladapt fit`` exposes.
CLI_PARAMS = tuple(p for p in PARAMS if p.cli)


@functools.lru_cache(maxsize=None)
def choice_enum(name: str) -> type[Enum]:
    """A ``str`` Enum of the declared choices of parameter ``name`` (typer lists them)."""
    p = next(p for p in PARAMS if p.name == name)
    return Enum("".join(w.title() for w in name.split("_")), {c: c for c in p.choices}, type=str)


def _option(p: Param) -> inspect.Parameter:
    flag = "--" + p.name.replace("_", "-")
    if p.choices is not None:
        enum = choice_enum(p.name)
        default, annotation = enum(p.default), enum
    else:
        default, annotation = p.default, p.kind
    return inspect.Parameter(
        p.name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation,
        default=typer.Option(default, flag, help=p.help),
    )


def estimator_options(command):
    """Decorate a typer command taking ``params``: add the declared estimator options.

    The command's own parameters come first; ``params`` (a dict of plain
    values, enums replaced by their strings) replaces the generated options.
    """
    signature = inspect.signature(command, eval_str=True)
    own = [q for name, q in signature.parameters.items() if name != "params"]
    generated = [_option(p) for p in CLI_PARAMS]

    @functools.wraps(command)
    def wrapper(**kwargs):
        params = {}
        for p in CLI_PARAMS:
            value = kwargs.pop(p.name)
            params[p.name] = value.value if isinstance(value, Enum) else value
        return command(**kwargs, params=params)

    wrapper.__signature__ = signature.replace(parameters=own + generated)
    wrapper.__annotations__ = {q.name: q.annotation for q in own + generated}
    return wrapper
