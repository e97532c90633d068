"""The ``nebuladapt`` command line: ``fit``, ``predict``, ``demo`` and ``experiment``.

Heavy libraries (PyTorch, scikit-learn, skada, astropy) are imported inside the
commands that need them, so ``--help`` and ``--version`` answer at once.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from nebuladapt.cli_params import estimator_options
from nebuladapt.models.params import DEFAULTS

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help: rendering it with rich costs ~0.2 s of start-up
    help="Classify ionised nebulae (HII, PN, SNR) from emission-line ratios.",
)
console = Console(stderr=True)


def _show_version(value: bool) -> None:
    if value:
        from nebuladapt import __version__

        typer.echo(f"nebuladapt {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_show_version, is_eager=True, help="Show the version and exit"
    ),
) -> None:
    """Classify ionised nebulae (HII, PN, SNR) from emission-line ratios."""


def _fail(message: str) -> None:
    from rich.markup import escape

    # One line, whatever the terminal width; the message is text, never markup.
    console.print(f"[bold red]error:[/] {escape(' '.join(str(message).split()))}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def _training_progress(n_steps: int, label: str):
    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=True,
    )
    task = progress.add_task(label, total=n_steps)

    def callback(step: int, record: dict) -> None:
        if step % 50 == 49 or step == n_steps - 1:
            progress.update(task, completed=step + 1)

    return progress, callback


@app.command()
@estimator_options
def fit(
    target: Path = typer.Option(..., "--target", help="Observed catalogue (unlabelled target): .csv, .fits, .parquet, .dat"),
    out: Path = typer.Option(..., "--out", help="Model directory to write"),
    seed: int = typer.Option(DEFAULTS["random_state"], help="Random seed (same seed, same predictions on CPU)"),
    overwrite: bool = typer.Option(False, help="Replace an existing model directory"),
    params: dict = None,
) -> None:
    """Train on the shipped model grids, adapting to the target catalogue.

    The defaults are NebulaClassifier's (nebuladapt.models.params).
    """
    from nebuladapt.catalogs import CatalogError, read_catalog
    from nebuladapt.features import default_feature_spec
    from nebuladapt.models import fitting
    from nebuladapt.models.persistence import ModelFileError, check_catalog_lines, save_model

    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not overwrite:
        _fail(f"{out}: exists and is not empty; pass --overwrite to replace it")
    try:
        catalog = read_catalog(target)
        check_catalog_lines(default_feature_spec(), catalog)
    except (CatalogError, ModelFileError, FileNotFoundError) as exc:
        _fail(str(exc))
    start = time.perf_counter()
    progress, callback = _training_progress(params["n_steps"], f"training {params['method']}")
    try:
        with progress:
            model = fitting.fit_on_catalog(catalog, seed=seed, callback=callback, **params)
        save_model(
            model, out, extra={"target_catalogue": str(target), "n_target_rows": len(catalog)},
            overwrite=overwrite,
        )
    except FileExistsError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{out}: cannot write the model ({exc}); nothing was written")
    except ValueError as exc:
        _fail(f"{target}: {exc}")
    console.print(
        f"fitted {params['method']} (noise={model.noise_}, seed={seed}) on {len(catalog)} target rows "
        f"in {time.perf_counter() - start:.1f} s -> {out}"
    )


@app.command()
def predict(
    catalog_path: Path = typer.Argument(..., metavar="CATALOG", help="Observed catalogue to classify"),
    model_dir: Path = typer.Option(..., "--model", help="Model directory from `nebuladapt fit`"),
    out: Path = typer.Option(..., "--out", help="Output table: .csv, .fits or .parquet"),
    overwrite: bool = typer.Option(False, help="Replace an existing output file"),
    scheduler: Optional[str] = typer.Option(
        None, "--scheduler", metavar="ADDRESS",
        help="Classify partitioned Parquet (a file, directory or glob) on a dask.distributed "
        "cluster: a scheduler address (tcp://host:8786) or 'local'. --out is then written as a "
        "directory of Parquet part files.",
    ),
    chunk_size: int = typer.Option(
        1 << 17, "--chunk-size", min=1, help="Rows per streamed chunk (memory grows with it)"
    ),
) -> None:
    """Classify every row of a catalogue; write it back with pred_class, prob_* and flag.

    Parquet, CSV and FITS catalogues are streamed in chunks (memory does not grow with the
    number of rows); other inputs are read in memory.
    """
    from nebuladapt.catalogs import CatalogError, read_catalog
    from nebuladapt.models.persistence import ModelFileError, check_catalog_lines, load_model
    from nebuladapt.output import output_format, write_table
    from nebuladapt.predict import classify_catalog, predict_summary
    from nebuladapt.streaming import StreamingUnsupported, classify_file

    start = time.perf_counter()
    try:
        if scheduler:
            if out.suffix.lower() != ".parquet":
                raise ValueError(f"{out}: with --scheduler the output is Parquet; name it *.parquet")
            from nebuladapt.distributed import classify_parquet_distributed

            with _stream_progress() as progress:
                summary = classify_parquet_distributed(
                    catalog_path, model_dir, out, scheduler=scheduler, overwrite=overwrite,
                    progress=progress,
                )
        else:
            output_format(out)
            if out.exists() and not overwrite:
                raise FileExistsError(f"{out}: exists; pass --overwrite to replace it")
            model = load_model(model_dir)
            try:
                with _stream_progress() as progress:
                    summary = classify_file(
                        catalog_path, model, out, overwrite=overwrite, chunk_rows=chunk_size,
                        progress=progress, model_dir=model_dir,
                    )
            except StreamingUnsupported:
                catalog = read_catalog(catalog_path)
                check_catalog_lines(model, catalog, model_dir)
                result = classify_catalog(catalog, model)
                write_table(result, out, overwrite=overwrite)
                summary = predict_summary(result)
    except (CatalogError, ModelFileError, FileExistsError, FileNotFoundError, ValueError) as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{out}: cannot write the output ({exc}); nothing was written")
    _print_counts(summary.n_rows, summary.classes, summary.reasons)
    elapsed = time.perf_counter() - start
    console.print(
        f"wrote {summary.n_rows} rows -> {out} in {elapsed:.1f} s "
        f"({summary.n_rows / max(elapsed, 1e-9):,.0f} rows/s)"
    )


def _stream_progress():
    """A rich progress bar as a context manager yielding ``progress(done, total, unit)``."""
    from contextlib import contextmanager

    from rich.progress import TaskProgressColumn, TimeRemainingColumn

    @contextmanager
    def manager():
        with Progress(
            TextColumn("classifying"), BarColumn(), TaskProgressColumn(),
            TextColumn("{task.fields[rows]}"), TimeElapsedColumn(), TimeRemainingColumn(),
            console=console, transient=True,
        ) as bar:
            task = bar.add_task("classifying", total=None, rows="")

            def update(done: int, total: int, unit: str) -> None:
                label = f"{done:,} rows" if unit == "rows" else f"{done / 1e6:,.0f} MB"
                bar.update(task, completed=done, total=total or None, rows=label)

            yield update

    return manager()


def _print_counts(n: int, classes, reasons) -> None:
    classified = sum(classes.values())
    console.print(
        f"rows in: {n}; classified: {classified} ({', '.join(f'{k} {v}' for k, v in sorted(classes.items()))}); "
        f"unclassified: {n - classified}; flags: "
        + (", ".join(f"{k} {v}" for k, v in reasons.most_common()) or "none")
    )


def _print_summary(result) -> None:
    from nebuladapt.predict import predict_summary

    summary = predict_summary(result)
    _print_counts(summary.n_rows, summary.classes, summary.reasons)


@app.command(hidden=True)
def synthetic(
    out: Path = typer.Argument(..., help="Directory of Parquet part files to write"),
    rows: int = typer.Option(1_000_000, min=0, help="Number of rows"),
    rows_per_file: int = typer.Option(1_000_000, min=1, help="Rows per part file"),
    seed: int = typer.Option(0, help="Random seed"),
    overwrite: bool = typer.Option(False, help="Replace an existing directory"),
) -> None:
    """Write a SYNTHETIC PHANGS-style catalogue (benchmarks only) as partitioned Parquet."""
    from nebuladapt.synthetic import write_synthetic_parquet

    try:
        write_synthetic_parquet(out, rows, rows_per_file=rows_per_file, seed=seed, overwrite=overwrite)
    except (FileExistsError, ValueError) as exc:
        _fail(str(exc))
    console.print(f"wrote {rows} SYNTHETIC rows -> {out}")


@app.command()
def demo(
    seeds: int = typer.Option(3, help="Number of seeds (0, 1, ...)"),
    seed: int = typer.Option(0, help="First seed"),
    n_steps: int = typer.Option(DEFAULTS["n_steps"], help="Training steps per fit"),
) -> None:
    """Fit NN and DANN on the shipped grids, score them on the shipped real benchmark."""
    from nebuladapt.evaluation.demo import run_demo, summary_rows

    seed_list = list(range(seed, seed + seeds))
    start = time.perf_counter()
    with console.status("fitting") as status:
        records = run_demo(seeds=seed_list, n_steps=n_steps, progress=lambda m: status.update(f"fitting {m}"))
    elapsed = time.perf_counter() - start
    table = RichTable(
        title=f"Real benchmark (labels used only to score); seeds {seed_list}; {elapsed:.0f} s",
    )
    for column in ("method", "noise", "seeds", "balanced acc.", "accuracy", "recall HII", "recall PN", "recall SNR"):
        table.add_column(column)
    fmt = lambda pair: f"{pair[0]:.3f}±{pair[1]:.3f}"  # noqa: E731
    for row in summary_rows(records):
        table.add_row(
            row["method"], row["noise"], str(row["seeds"]), fmt(row["balanced_accuracy"]),
            fmt(row["accuracy"]), fmt(row["recall_HII"]), fmt(row["recall_PN"]), fmt(row["recall_SNR"]),
        )
    Console(width=None if sys.stdout.isatty() else 140).print(table)


@app.command()
def experiment(
    seeds: int = typer.Option(5, help="Number of seeds (0, 1, ...) for every method"),
    out: Path = typer.Option(Path("experiment"), help="Output folder: results.json, report.md/.html, figures"),
    target: Path = typer.Option(None, help="Labelled catalogue (default: the shipped real benchmark)"),
    labels: str = typer.Option(None, help="Column of --target holding the true class (HII/PN/SNR)"),
    n_steps: int = typer.Option(DEFAULTS["n_steps"], help="Training steps per fit"),
    peers: bool = typer.Option(True, help="Include the skada peers"),
    selection: bool = typer.Option(True, help="Include label-free model selection"),
    figures: bool = typer.Option(True, help="Draw confusion matrices, t-SNE and BPT figures"),
) -> None:
    """The paper's matrix, nebuladapt's adaptations, classical cuts and skada peers on one labelled catalogue."""
    from nebuladapt.catalogs import CatalogError, read_catalog
    from nebuladapt.evaluation.experiment import run_experiment
    from nebuladapt.reports.report import summary_table, write_figures, write_report

    if target is None:
        from nebuladapt.benchmark import benchmark_catalog, load_benchmark
        from nebuladapt.dust import deredden_catalog

        catalog = deredden_catalog(benchmark_catalog())
        truth = load_benchmark()["class"]
    else:
        if labels is None:
            _fail("--target needs --labels COLUMN (the true classes, used only to score)")
        try:
            catalog = read_catalog(target)
        except (CatalogError, FileNotFoundError) as exc:
            _fail(str(exc))
        if labels not in catalog.table.colnames:
            _fail(f"{target}: no column {labels!r}; columns are {', '.join(catalog.table.colnames)}")
        truth = catalog.table[labels]
    start = time.perf_counter()

    def report_progress(message: str) -> None:
        status.update(f"fitting {message}")
        if not console.is_terminal:
            console.print(f"[{time.perf_counter() - start:6.0f} s] {message}", highlight=False)

    with console.status("running") as status:
        result = run_experiment(
            catalog, truth, seeds=tuple(range(seeds)), n_steps=n_steps, peers=peers,
            selection=selection, progress=report_progress,
        )
        status.update("writing figures")
        drawn = write_figures(result, out) if figures else {}
        paths = write_report(result, out, drawn)
    table = RichTable(title=f"{len(result['data'].target_labels)} target rows, seeds 0..{seeds - 1}; "
                      f"{time.perf_counter() - start:.0f} s")  # fmt: skip
    for column in ("family", "method", "balanced acc.", "accuracy", "recall HII", "recall PN", "recall SNR"):
        table.add_column(column)
    fmt = lambda pair: f"{pair[0]:.3f}±{pair[1]:.3f}"  # noqa: E731
    for row in summary_table(result["records"]):
        table.add_row(row["family"], row["method"], fmt(row["balanced_accuracy"]), fmt(row["accuracy"]),
                      fmt(row["recall_HII"]), fmt(row["recall_PN"]), fmt(row["recall_SNR"]))  # fmt: skip
    Console(width=None if sys.stdout.isatty() else 160).print(table)
    console.print(f"report: {paths['markdown']}, {paths['html']}; records: {paths['json']}")


if __name__ == "__main__":  # pragma: no cover
    app()
