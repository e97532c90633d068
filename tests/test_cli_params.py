"""Options generated from the parameter declarations onto a typer command."""

from typer import Typer
from typer.testing import CliRunner

from nebuladapt.cli_params import CLI_PARAMS, choice_enum, estimator_options
from nebuladapt.models.params import PARAMS


def _app(seen):
    app = Typer()

    @app.command()
    @estimator_options
    def run(name: str = "x", params: dict = None):
        seen.update(params, name=name)

    @app.command()
    def other():
        pass

    return app


def test_generated_options_reach_the_command_as_plain_values():
    seen = {}
    result = CliRunner().invoke(_app(seen), ["run", "--method", "nn", "--n-steps", "7", "--name", "y"])
    assert result.exit_code == 0, result.output
    assert seen["method"] == "nn" and type(seen["method"]) is str
    assert seen["n_steps"] == 7 and seen["name"] == "y"
    assert set(seen) == {p.name for p in CLI_PARAMS} | {"name"}


def test_defaults_and_choices_are_declared_ones():
    seen = {}
    assert CliRunner().invoke(_app(seen), ["run"]).exit_code == 0
    for p in CLI_PARAMS:
        assert seen[p.name] == p.default
    for p in PARAMS:
        if p.choices is not None:
            assert tuple(e.value for e in choice_enum(p.name)) == p.choices
    result = CliRunner().invoke(_app({}), ["run", "--alignment", "nope"])
    assert result.exit_code == 2
