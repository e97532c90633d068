"""The ``nebuladapt`` command line: ``fit``, ``predict`` and ``demo``."""

from __future__ import annotations

import sys
import time
from enum import Enum
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Classify ionised nebulae (HII, PN, SNR) from emission-line ratios.",
)
console = Console(stderr=True)


class Method(str, Enum):
    nn = "nn"
    dann = "dann"


class Noise(str, Enum):
    auto = "auto"
    none = "none"
    fixed = "fixed"
    matched = "matched"


def _fail(message: str) -> None:
    console.print(f"[bold red]error:[/] {message}", highlight=False)
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
def fit(
    target: Path = typer.Option(..., "--target", help="Observed catalogue (unlabelled target): .csv, .fits, .parquet, .dat"),
    out: Path = typer.Option(..., "--out", help="Model directory to write"),
    method: Method = typer.Option(Method.dann, help="nn: source-only network; dann: domain-adversarial"),
    noise: Noise = typer.Option(Noise.auto, help="auto: matched to the catalogue's errors where it has any, else fixed"),
    seed: int = typer.Option(0, help="Random seed (same seed, same predictions on CPU)"),
    n_steps: int = typer.Option(2000, help="Training steps"),
    overwrite: bool = typer.Option(False, help="Replace an existing model directory"),
) -> None:
    """Train on the shipped model grids, adapting to the target catalogue."""
    from nebuladapt.catalogs import CatalogError, read_catalog
    from nebuladapt.models import save_model
    from nebuladapt.models.fitting import fit_on_catalog

    if out.exists() and any(out.iterdir()) and not overwrite:
        _fail(f"{out}: exists and is not empty; pass --overwrite to replace it")
    try:
        catalog = read_catalog(target)
    except (CatalogError, FileNotFoundError) as exc:
        _fail(str(exc))
    start = time.perf_counter()
    progress, callback = _training_progress(n_steps, f"training {method.value}")
    with progress:
        model = fit_on_catalog(
            catalog, method=method.value, noise=noise.value, seed=seed, n_steps=n_steps, callback=callback
        )
    save_model(model, out, extra={"target_catalogue": str(target), "n_target_rows": len(catalog)})
    console.print(
        f"fitted {method.value} (noise={model.noise}, seed={seed}) on {len(catalog)} target rows "
        f"in {time.perf_counter() - start:.1f} s -> {out}"
    )


@app.command()
def predict(
    catalog_path: Path = typer.Argument(..., metavar="CATALOG", help="Observed catalogue to classify"),
    model_dir: Path = typer.Option(..., "--model", help="Model directory from `nebuladapt fit`"),
    out: Path = typer.Option(..., "--out", help="Output table: .csv, .fits or .parquet"),
    overwrite: bool = typer.Option(False, help="Replace an existing output file"),
) -> None:
    """Classify every row of a catalogue; write it back with pred_class, prob_* and flag."""
    from nebuladapt.catalogs import CatalogError, read_catalog
    from nebuladapt.models import ModelFileError, load_model
    from nebuladapt.output import output_format, write_table
    from nebuladapt.predict import classify_catalog

    try:
        output_format(out)
        if out.exists() and not overwrite:
            raise FileExistsError(f"{out}: exists; pass --overwrite to replace it")
        model = load_model(model_dir)
        catalog = read_catalog(catalog_path)
        result = classify_catalog(catalog, model)
        write_table(result, out, overwrite=overwrite)
    except (CatalogError, ModelFileError, FileExistsError, FileNotFoundError, ValueError) as exc:
        _fail(str(exc))
    _print_summary(result)
    console.print(f"wrote {len(result)} rows -> {out}")


def _print_summary(result) -> None:
    from collections import Counter

    n = len(result)
    classified = sum(1 for c in result["pred_class"] if c)
    reasons = Counter(
        reason.split(":")[0] for flags in result["flag"] for reason in str(flags).split(";") if reason
    )
    classes = Counter(c for c in result["pred_class"] if c)
    console.print(
        f"rows in: {n}; classified: {classified} ({', '.join(f'{k} {v}' for k, v in sorted(classes.items()))}); "
        f"unclassified: {n - classified}; flags: "
        + (", ".join(f"{k} {v}" for k, v in reasons.most_common()) or "none")
    )


@app.command()
def demo(
    seeds: int = typer.Option(3, help="Number of seeds (0, 1, ...)"),
    seed: int = typer.Option(0, help="First seed"),
    n_steps: int = typer.Option(2000, help="Training steps per fit"),
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
            row["method"], row["noise"], str(row["n_seeds"]), fmt(row["balanced_accuracy"]),
            fmt(row["accuracy"]), fmt(row["recall_HII"]), fmt(row["recall_PN"]), fmt(row["recall_SNR"]),
        )
    Console(width=None if sys.stdout.isatty() else 140).print(table)


if __name__ == "__main__":  # pragma: no cover
    app()
