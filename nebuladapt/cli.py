"""The ``nebuladapt`` command line: ``fit``, ``predict``, ``demo`` and ``experiment``.

Heavy libraries (PyTorch, scikit-learn, skada, astropy) are imported inside the
commands that need them, so ``--help`` and ``--version`` answer at once.
"""

from __future__ import annotations

import sys
import time
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console

from nebuladapt.cli_params import estimator_options
from nebuladapt.models.limits import CHOICES as LIMIT_CHOICES
from nebuladapt.models.limits import METHOD as LIMIT_METHOD
from nebuladapt.models.params import DEFAULTS, steps_trained
from nebuladapt.maps.options import DEFAULT_MAX_SPAXELS, DEFAULT_SNR_MIN

#: ``predict --limits`` choices (:data:`nebuladapt.models.limits.CHOICES`).
LimitChoice = Enum("LimitChoice", {c: c for c in LIMIT_CHOICES}, type=str)

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    # plain click help: wraps cleanly at any width (80 columns, pipes), and rendering it with
    # rich would cost ~0.2 s of start-up
    rich_markup_mode=None,
    help="Classify ionised nebulae (HII, PN, SNR) from emission-line ratios.",
)
# soft_wrap: a message is one line however narrow the terminal or pipe (the terminal wraps it).
console = Console(stderr=True, soft_wrap=True)


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
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=True, disable=not console.is_terminal,
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
    grid: Optional[List[Path]] = typer.Option(
        None, "--grid", metavar="FILE",
        help="Your own model grid (CSV, FITS or Parquet: a 'class' column and line columns named "
        "as in catalogues, fluxes absolute or relative to Hbeta); replaces the shipped grid of the "
        "classes it holds. Repeatable.",
    ),
    grids: Optional[List[str]] = typer.Option(
        None, "--grids", metavar="NAME",
        help="A shipped grid by name (e.g. nebulabayes_hii; `nebuladapt grids` lists them); "
        "replaces the default grid of its classes. Repeatable.",
    ),
    format: Optional[str] = typer.Option(
        None, "--format", help="Format of --target when the extension cannot tell: csv, ecsv, "
        "ascii, fits, parquet, linelist, ratios"
    ),
    snr_min: float = typer.Option(DEFAULT_SNR_MIN, "--snr-min", help="MAPS target only: use spaxels with Halpha S/N >= this"),
    max_spaxels: int = typer.Option(DEFAULT_MAX_SPAXELS, "--max-spaxels", min=1, help="MAPS target only: seeded subsample size"),
    params: dict = None,
) -> None:
    """Train on the shipped model grids, adapting to the target catalogue (or MAPS file).

    The defaults are NebulaClassifier's (nebuladapt.models.params). Features: every line ratio
    of nebuladapt.features.RATIOS that all grids in use provide.
    """
    from nebuladapt.catalogs import CatalogError, count_usable_rows, read_catalog
    from nebuladapt.catalogs.usage import (
        check_catalog_lines, fit_feature_spec, line_usage, low_sii_warning, noise_choice, one_line_warnings,
    )
    from nebuladapt.grids import GridError, select_grids
    from nebuladapt.models import fitting
    from nebuladapt.models.persistence import ModelFileError, save_model

    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not overwrite:
        _fail(f"{out}: exists and is not empty; pass --overwrite to replace it")
    try:
        from nebuladapt.maps.run import is_maps_input, maps_target_catalog

        grid_set = select_grids(names=grids or (), files=grid or ())
        spec = grid_set.feature_spec()
        if is_maps_input(target) and target.is_file():
            catalog = maps_target_catalog(target, snr_min=snr_min, max_spaxels=max_spaxels, seed=seed)
        else:
            catalog = read_catalog(target, format=format, check_units=True)
        check_catalog_lines(spec, catalog)
    except (CatalogError, ModelFileError, GridError, FileNotFoundError) as exc:
        _fail(str(exc))
    n_usable = count_usable_rows(catalog, spec)
    if n_usable == 0:
        _fail(
            f"{target}: none of its {len(catalog):,} rows gives a usable line ratio (every ratio "
            f"needs two finite, positive fluxes among {', '.join(spec.lines)}); check the flux "
            "columns and their units"
        )
    chosen = fit_feature_spec(spec, catalog)  # ratios (nearly) no row gives are left out
    spec = chosen.spec
    console.print(f"{grid_set.describe()}; {chosen.describe()}", highlight=False)
    console.print(f"{line_usage(catalog, spec).describe()}; {noise_choice(catalog, spec, params['noise'])}",
                  highlight=False)
    start = time.perf_counter()
    total = steps_trained(params["members"], params["method"], params["n_steps"])
    progress, callback = _training_progress(
        total,
        f"training {params['method']}"
        + (f" ({params['members']} members from own source-only starts, distilled)" if total > params["n_steps"] else ""),
    )
    try:
        with progress:
            model = fitting.fit_on_catalog(  # its [SII] warning is printed below, as one line
                catalog, seed=seed, callback=callback, grids=grid_set, spec=spec, warn=False, **params
            )
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
        f"fitted {params['method']} (noise={model.noise_}, seed={seed}) on {n_usable:,} usable of "
        f"{len(catalog):,} target rows "
        f"in {time.perf_counter() - start:.1f} s -> {out}"
    )
    warning = low_sii_warning(model.low_sii_snr_)
    if warning:
        console.print(warning, highlight=False)
    for warning in one_line_warnings(chosen.n_oiii_only, chosen.n_nii_only, n_usable):
        console.print(warning, highlight=False, markup=False)


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
    report: Optional[Path] = typer.Option(
        None, "--report", metavar="DIR", help="Also write an HTML report with figures into DIR (as `nebuladapt report`)"
    ),
    format: Optional[str] = typer.Option(
        None, "--format", help="Format of CATALOG when the extension cannot tell: csv, ecsv, "
        "ascii, fits, parquet, linelist, ratios"
    ),
    out_format: Optional[str] = typer.Option(
        None, "--out-format", help="Format of --out when its extension cannot tell: csv, fits, parquet"
    ),
    regions: Optional[Path] = typer.Option(None, "--regions", metavar="MASK.fits", help="MAPS input: nebula mask (region IDs, background -1/NaN): classify each region too"),
    regions_out: Optional[Path] = typer.Option(None, "--regions-out", help="MAPS input: region catalogue (default OUT_regions.fits)"),
    snr_min: float = typer.Option(DEFAULT_SNR_MIN, "--snr-min", help="MAPS input: spaxels with Halpha S/N below this are left unclassified"),
    png: Optional[Path] = typer.Option(None, "--png", help="MAPS input: also draw a quick-look PNG (class map, P(PN), P(SNR))"),
    limits: LimitChoice = typer.Option(
        LimitChoice(LIMIT_METHOD), "--limits",
        help="How upper limits on [OIII]5007, [NII]6583 and [SII] (<LINE>_FLUX_UPPER or '<x' values) are used: "
        "likelihood (default: the network's probabilities weighed by how many of each class's nearest grid "
        "models lie below the limits), nearest (averaged over the nearest grid models below the limits) or "
        "missing (ignored); flag limit_used:<LINE> (README: 'Upper limits')",
    ),
) -> None:
    """Classify every row of a catalogue; write it back with pred_class, prob_* and flag.

    Parquet, CSV and FITS catalogues are streamed in chunks (memory does not grow with the
    number of rows); other inputs are read in memory.
    """
    from nebuladapt.catalogs import CatalogError, READERS, read_catalog
    from nebuladapt.catalogs.usage import LineUsage, check_catalog_lines, line_usage
    from nebuladapt.models.persistence import ModelFileError, load_predictor
    from nebuladapt.output import output_format, write_table
    from nebuladapt.predict import classify_catalog, predict_summary
    from nebuladapt.streaming import StreamingUnsupported, classify_file

    start = time.perf_counter()
    from nebuladapt.maps.run import is_maps_input

    if is_maps_input(catalog_path):
        return _predict_maps(catalog_path, model_dir, out, regions, regions_out, snr_min, png, scheduler, overwrite)
    if regions is not None or png is not None:
        _fail(f"{catalog_path}: --regions and --png need a MAPS file (FITS image extensions <LINE>_FLUX)")
    try:
        if scheduler:
            if out.suffix.lower() != ".parquet":
                raise ValueError(f"{out}: with --scheduler the output is Parquet; name it *.parquet")
            from nebuladapt.distributed import classify_parquet_distributed

            with _stream_progress() as progress:
                summary = classify_parquet_distributed(
                    catalog_path, model_dir, out, scheduler=scheduler, overwrite=overwrite,
                    progress=progress, limit_method=LimitChoice(limits).value,
                )
        else:
            output_format(out, out_format)
            if out.exists() and not overwrite:
                raise FileExistsError(f"{out}: exists; pass --overwrite to replace it")
            model = load_predictor(model_dir, limit_method=LimitChoice(limits).value)
            try:
                if format in READERS:
                    raise StreamingUnsupported(f"{catalog_path}: read by the {format} reader")
                with _stream_progress() as progress:
                    summary = classify_file(
                        catalog_path, model, out, overwrite=overwrite, chunk_rows=chunk_size,
                        progress=progress, model_dir=model_dir, format=format,
                        out_format=out_format,
                    )
                usage = summary.line_usage
            except StreamingUnsupported:
                catalog = read_catalog(catalog_path, format=format, check_units=True)
                check_catalog_lines(model, catalog, model_dir)
                usage = line_usage(catalog, model.spec_)
                result = classify_catalog(catalog, model)
                write_table(result, out, overwrite=overwrite, format=out_format)
                summary = predict_summary(result)
                summary.skipped = catalog.table.meta.get("skipped_outputs", [])
    except (CatalogError, ModelFileError, FileExistsError, FileNotFoundError, ValueError) as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{out}: cannot write the output ({exc}); nothing was written")
    for name in getattr(summary, "skipped", ()):
        console.print(f"skipped {name}: an earlier nebuladapt output (it has pred_class)",
                      highlight=False)
    for name in getattr(summary, "swept", ()):
        console.print(f"removed {name}: a temporary file left by a killed run", highlight=False)
    if not scheduler and isinstance(usage, LineUsage):
        console.print(f"{usage.describe()}; model trained with noise={model.noise_}",
                      highlight=False)
    _print_model_warning(model_dir)
    _print_counts(summary.n_rows, summary.classes, summary.reasons)
    elapsed = time.perf_counter() - start
    console.print(
        f"wrote {summary.n_rows:,} rows -> {out} in {elapsed:.1f} s "
        f"({summary.n_rows / max(elapsed, 1e-9):,.0f} rows/s)", highlight=False,
    )
    if report is not None:
        _write_catalog_report(out, report, model_dir, overwrite)


def _write_catalog_report(classified: Path, out: Path, model_dir: Optional[Path], overwrite: bool) -> None:
    from nebuladapt.catalogs import CatalogError
    from nebuladapt.models import ModelFileError
    from nebuladapt.reports.catalog_report import write_catalog_report

    try:
        written = write_catalog_report(classified, out, model_dir, overwrite=overwrite)
    except (CatalogError, ModelFileError, FileExistsError, FileNotFoundError, ValueError) as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{out}: cannot write the report ({exc})")
    console.print(f"report: {written['html']} ({len(written) - 1} figures)")


@app.command("report")
def report_command(
    classified: Path = typer.Argument(..., metavar="CLASSIFIED", help="Output of `nebuladapt predict`"),
    out: Path = typer.Option(..., "--out", help="Folder to write report.html and its PNG figures into"),
    model_dir: Optional[Path] = typer.Option(None, "--model", help="Model directory used to classify (its card is shown)"),
    overwrite: bool = typer.Option(False, help="Replace an existing report in --out"),
) -> None:
    """Write an HTML page with figures for a classified catalogue: BPT planes, counts, probabilities, sky map.

    The page is self-contained (no scripts or web fonts; images are PNG files beside it) and opens offline.
    """
    _write_catalog_report(classified, out, model_dir, overwrite)


def _print_model_warning(model_dir: Path) -> None:
    """Print the model card's warnings (every ``predict`` path: catalogue, streamed, Dask, MAPS)."""
    from nebuladapt.models.persistence import card_warnings, read_card

    for warning in card_warnings(read_card(model_dir)):
        console.print(warning, highlight=False)


def _predict_maps(path, model_dir, out, regions, regions_out, snr_min, png, scheduler, overwrite) -> None:
    """``predict`` for a MAPS file (or a directory of them): see :mod:`nebuladapt.maps.run`."""
    from nebuladapt.catalogs import CatalogError
    from nebuladapt.models import ModelFileError, load_model
    from nebuladapt.maps.run import predict_map_file, predict_maps_directory

    start = time.perf_counter()
    try:
        with _stream_progress() as progress:
            if path.is_dir():
                if regions is not None or png is not None:
                    raise ValueError("--regions and --png apply to one MAPS file, not a directory")
                results = predict_maps_directory(path, model_dir, out, scheduler=scheduler, snr_min=snr_min,
                                                 overwrite=overwrite, progress=progress)
                counts = {}
                for row in results:
                    for key, value in row.items():
                        if key not in ("path", "out"):
                            counts[key] = counts.get(key, 0) + value
            else:
                if scheduler:
                    raise ValueError("--scheduler classifies a directory of MAPS files; pass the directory")
                prediction = predict_map_file(path, load_model(model_dir), out, model_dir=model_dir, regions=regions,
                                              regions_out=regions_out, snr_min=snr_min, png=png,
                                              overwrite=overwrite, progress=progress)
                counts, results = prediction.counts(), [None]
    except (CatalogError, ModelFileError, FileExistsError, FileNotFoundError, ValueError) as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{out}: cannot write the output ({exc})")
    _print_model_warning(model_dir)
    n = sum(counts.values())
    console.print(f"spaxels in: {n:,}; " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    elapsed = time.perf_counter() - start
    console.print(f"wrote {len(results)} map(s) -> {out} in {elapsed:.1f} s ({n / max(elapsed, 1e-9):,.0f} spaxels/s)")


def _stream_progress():
    """A rich progress bar as a context manager yielding ``progress(done, total, unit)``."""
    from contextlib import contextmanager

    from rich.progress import (
        BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn,
    )

    @contextmanager
    def manager():
        with Progress(
            TextColumn("classifying"), BarColumn(), TaskProgressColumn(),
            TextColumn("{task.fields[rows]}"), TimeElapsedColumn(), TimeRemainingColumn(),
            console=console, transient=True, disable=not console.is_terminal,
        ) as bar:
            task = bar.add_task("classifying", total=None, rows="")

            def update(done: int, total: int, unit: str) -> None:
                label = f"{done / 1e6:,.0f} MB" if unit == "bytes" else f"{done:,} {unit}"
                bar.update(task, completed=done, total=total or None, rows=label)

            yield update

    return manager()


def _print_counts(n: int, classes, reasons) -> None:
    from nebuladapt.catalogs.usage import one_line_warnings
    from nebuladapt.predict import NII_ONLY, OIII_ONLY

    classified = sum(classes.values())
    by_class = ", ".join(f"{k} {v:,}" for k, v in sorted(classes.items()))
    console.print(
        f"rows in: {n:,}; classified: {classified:,}" + (f" ({by_class})" if by_class else "")
        + f"; unclassified: {n - classified:,}; flags: "
        + (", ".join(f"{k} {v:,}" for k, v in reasons.most_common()) or "none"),
        highlight=False,
    )
    for warning in one_line_warnings(reasons.get(OIII_ONLY, 0), reasons.get(NII_ONLY, 0), classified):
        console.print(warning, highlight=False, markup=False)


def _print_summary(result) -> None:
    from nebuladapt.predict import predict_summary

    summary = predict_summary(result)
    _print_counts(summary.n_rows, summary.classes, summary.reasons)


@app.command("grids")
def list_grids() -> None:
    """List the shipped model grids (names for `fit --grids`), their classes and citations."""
    from nebuladapt.grids import describe_registry

    Console(width=None if sys.stdout.isatty() else 160).print(describe_registry(), highlight=False)


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
    n_steps: Optional[int] = typer.Option(
        None, help="Training steps per fit for every row (default: each row's own: 2000 for the paper's networks, "
        f"{DEFAULTS['n_steps']} for nebuladapt's default)",
    ),
) -> None:
    """Fit the paper's NN and DANN and nebuladapt's default on the shipped grids; score them on the shipped real benchmark."""
    from nebuladapt.evaluation.demo import run_demo, summary_rows
    from rich.table import Table as RichTable

    from nebuladapt.reports.report import format_mean_std

    seed_list = list(range(seed, seed + seeds))
    start = time.perf_counter()
    with console.status("fitting") as status:
        steps = {} if n_steps is None else {"n_steps": n_steps}  # None: the rows keep their own step counts
        records = run_demo(seeds=seed_list, progress=lambda m: status.update(f"fitting {m}"), **steps)
    elapsed = time.perf_counter() - start
    table = RichTable(
        title=f"Real benchmark (labels used only to score); mean ± std (ddof=1) over seeds {seed_list}; {elapsed:.0f} s",
    )
    for column in ("method", "noise", "seeds", "balanced acc.", "accuracy", "recall HII", "recall PN", "recall SNR",
                   "[SII] warning"):
        table.add_column(column)
    for row in summary_rows(records):
        fmt = lambda pair, n=row["seeds"]: format_mean_std(pair, n)  # noqa: E731
        warned = [r["sii_warning"] for r in records if r["method"] == row["method"] and "sii_warning" in r]
        table.add_row(
            row["method"], row["noise"], str(row["seeds"]), fmt(row["balanced_accuracy"]),
            fmt(row["accuracy"]), fmt(row["recall_HII"]), fmt(row["recall_PN"]), fmt(row["recall_SNR"]),
            f"{sum(warned)}/{len(warned)} seeds" if warned else "-",
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
    from rich.table import Table as RichTable

    from nebuladapt.catalogs import CatalogError, read_catalog
    from nebuladapt.evaluation.experiment import run_experiment
    from nebuladapt.reports.report import display_name, format_mean_std, summary_table, write_figures, write_report

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
    for row in summary_table(result["records"]):
        cells = (format_mean_std(row[k], row["seeds"]) for k in ("balanced_accuracy", "accuracy", "recall_HII", "recall_PN", "recall_SNR"))
        table.add_row(row["family"], display_name(row["method"], row["family"]), *cells)
    Console(width=None if sys.stdout.isatty() else 160).print(table)
    console.print(f"report: {paths['markdown']}, {paths['html']}; records: {paths['json']}")


if __name__ == "__main__":  # pragma: no cover
    app()
