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


def test_nebuladapt_fit_trains_the_default_estimator(tmp_path, monkeypatch):
    """What `nebuladapt fit` hands the estimator without options is NebulaClassifier()'s
    configuration (the feature spec aside: fit derives it from the grids in use)."""
    from nebuladapt.benchmark import write_unlabelled_benchmark_csv
    from nebuladapt.cli import app
    from nebuladapt.models import NebulaClassifier, fitting

    seen = {}

    def capture(catalog, *, seed, callback, grids, spec=None, warn=True, **params):
        assert warn is False  # the command prints the [SII] warning itself, as one line
        seen.update(params, random_state=seed)  # spec: what fit derives from the grids and the catalogue
        raise RuntimeError("captured")  # stop before training

    monkeypatch.setattr(fitting, "fit_on_catalog", capture)
    target = tmp_path / "target.csv"
    write_unlabelled_benchmark_csv(target)
    result = CliRunner().invoke(app, ["fit", "--target", str(target), "--out", str(tmp_path / "m")])
    assert isinstance(result.exception, RuntimeError) and seen, result.output
    # fit_on_catalog builds NebulaClassifier(feature_spec=<from the grids>, random_state=seed, **params)
    assert NebulaClassifier(**seen).get_params() == NebulaClassifier().get_params()
    assert {p.name for p in CLI_PARAMS} | {"random_state"} == set(seen)
