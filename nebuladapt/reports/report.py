"""Experiment report: ``results.json``, ``report.md``, ``report.html`` and figures.

Every number in the report is computed from the records of
:func:`nebuladapt.evaluation.experiment.run_experiment`; nothing is typed in.
"""

from __future__ import annotations

import html
import json
import platform
from pathlib import Path

import numpy as np

from nebuladapt import CLASSES, __version__
from nebuladapt.evaluation.experiment import SELECTION_SCORER
from nebuladapt.evaluation.metrics import summarise, summarise_records
from nebuladapt.reports.pages import html_page

__all__ = [
    "display_name",
    "format_mean_std",
    "summary_table",
    "missing_pattern_table",
    "prior_table",
    "write_report",
    "write_figures",
]

_METRICS = ("balanced_accuracy", "accuracy", "macro_f1")
#: Families whose records are shown under a plain name instead of their internal one.
_PLAIN_NAMES = {"label-free selected": "label-free selected", "oracle": "oracle (best by target labels)"}
_SCORER_WORDS = SELECTION_SCORER.replace("_", " ")
#: How the experiment's target ratios were prepared (the CLI reads catalogues dust-corrected).
DEREDDENED = "ratios of fluxes dereddened with the Balmer decrement where not already dust-corrected"


def display_name(method: str, family: str | None = None) -> str:
    """The name of a method as the report shows it (no internal identifiers).

    Parameters
    ----------
    method : str
        The record's ``method``.
    family : str, optional
        The record's ``family``; ``"label-free selected"`` and ``"oracle"``
        get plain names.

    Returns
    -------
    str
        E.g. ``"label-free selected"`` for ``"selected by soft_neighborhood_density"``.
    """
    return _PLAIN_NAMES.get(family or "", method)


def format_mean_std(pair, n: int) -> str:
    """``mean ± std`` over ``n`` values; the value alone when ``n`` is 1 (nothing to spread).

    Parameters
    ----------
    pair : tuple of float
        Mean and standard deviation.
    n : int
        How many values (seeds) they summarise.

    Returns
    -------
    str
        ``"–"`` for a non-finite mean.
    """
    mean, std = pair
    if not np.isfinite(mean):
        return "–"
    return f"{mean:.3f}" if n <= 1 else f"{mean:.3f} ± {std:.3f}"


_pm = format_mean_std


def _family_method(records: list[dict], family: str) -> str | None:
    return next((r["method"] for r in records if r.get("family") == family), None)


def summary_table(records: list[dict]) -> list[dict]:
    """Mean ± std over seeds per method, in the order methods first appear."""
    return summarise_records(records, carry=("family",))


def _patterns(data) -> np.ndarray:
    names = data.spec.names
    present = np.column_stack([np.isfinite(data.target_features[n]) for n in names])
    labels = []
    for row in present:
        missing = [n.replace("log_", "") for n, ok in zip(names, row) if not ok]
        labels.append("all ratios" if not missing else "missing " + ", ".join(missing))
    return np.array(labels)


def missing_pattern_table(records: list[dict], data, methods: list[str]) -> list[dict]:
    """Accuracy per missing-ratio pattern of the target rows, for the given methods."""
    patterns = _patterns(data)
    truth = data.target_labels
    rows = []
    for pattern in dict.fromkeys(patterns):
        rows_in = patterns == pattern
        row = {"pattern": pattern, "n": int(rows_in.sum()),
               "classes": ", ".join(f"{c} {int((truth[rows_in] == c).sum())}" for c in CLASSES)}  # fmt: skip
        for name in methods:
            group = [r for r in records if r["method"] == name]
            accs = [np.mean(np.asarray(r["predicted"])[rows_in] == truth[rows_in]) for r in group]
            row[name] = summarise(accs)
        rows.append(row)
    return rows


def prior_table(records: list[dict], data) -> list[dict]:
    """EM-estimated vs true target class proportions per method (mean ± std over seeds)."""
    truth = {c: float(np.mean(data.target_labels == c)) for c in CLASSES}
    rows = [{"method": "true proportions (labels)", "seeds": 1, **{c: (truth[c], 0.0) for c in CLASSES}}]
    for name in dict.fromkeys(r["method"] for r in records if "target_prior_estimate" in r):
        group = [r for r in records if r["method"] == name]
        rows.append({"method": name, "family": group[0].get("family"), "seeds": len(group),
                     **{c: summarise(r["target_prior_estimate"].get(c, np.nan) for r in group) for c in CLASSES}})  # fmt: skip
    return rows


def _markdown(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _sections(result: dict, figures: dict) -> list[tuple[str, str, list[str], list[list[str]]]]:
    records, data = result["records"], result["data"]
    summary = summary_table(records)
    n_seeds = {r["method"]: r["seeds"] for r in summary}
    sections = []
    header = ["family", "method", "seeds", "balanced acc.", "accuracy", "macro-F1",
              "recall HII", "recall PN", "recall SNR", "wall time (s)"]  # fmt: skip
    rows = []
    for r in summary:
        n = r["seeds"]
        rows.append([r["family"], display_name(r["method"], r["family"]), str(n),
                     *(_pm(r[k], n) for k in ("balanced_accuracy", "accuracy", "macro_f1",
                                              "recall_HII", "recall_PN", "recall_SNR")),
                     f"{r['wall_time_s'][0]:.1f}"])  # fmt: skip
    sections.append(("Results (mean ± std over seeds)", (
        "Target labels are used only to score. \"label-free selected\": per seed, the candidate "
        f"configuration preferred by skada's {_SCORER_WORDS} scorer, without labels. \"oracle\" rows "
        "choose the configuration by the target labels and are an upper bound, not a result. "
        "Unclassified rows count as wrong. A single value (no ±) comes from one run."
    ), header, rows))  # fmt: skip
    priors = prior_table(records, data)
    sections.append(("Label shift: estimated vs true target class proportions", (
        "EM (Saerens et al. 2002) on each fitted model's calibrated target posteriors; no labels."
    ), ["method", *CLASSES],
        [[display_name(p["method"], p.get("family")), *(_pm(p[c], p["seeds"]) for c in CLASSES)] for p in priors]))  # fmt: skip
    selected = _family_method(records, "label-free selected")
    shown = [n for n in (selected, "DANN / matched noise", "NN / matched noise",
                         "SII/Ha>0.4 + Kewley01 PN") if n and n in n_seeds]  # fmt: skip
    families = {r["method"]: r.get("family") for r in records}
    patterns = missing_pattern_table(records, data, shown)
    sections.append(("Accuracy per missing-ratio pattern", (
        "Accuracy (not balanced) of the target rows grouped by which default ratios they lack."
    ), ["pattern", "rows", "classes", *(display_name(n, families[n]) for n in shown)],
        [[p["pattern"], str(p["n"]), p["classes"], *(_pm(p[n], n_seeds[n]) for n in shown)] for p in patterns]))  # fmt: skip
    grid = result.get("selection_grid") or []
    if grid:
        from nebuladapt.evaluation.selection import summarise_grid

        summary_grid = summarise_grid(grid)
        seeds = len(result.get("seeds") or [0])
        scorers = list(next(iter(summary_grid.values()))["label_free"])
        rows = [[cid, *(_pm(entry["label_free"][s], seeds) for s in scorers),
                 _pm(entry["oracle"]["balanced_accuracy"], seeds)]
                for cid, entry in summary_grid.items()]  # fmt: skip
        sections.append(("Label-free selection grid", (
            "skada scorers (higher is better) per candidate configuration, and the oracle balanced "
            "accuracy (target labels; shown to expose the gap, never used to choose)."
        ), ["configuration", *scorers, "oracle balanced acc."], rows))  # fmt: skip
    return sections


def write_report(result: dict, out_dir, figures: dict | None = None) -> dict:
    """Write ``results.json``, ``report.md`` and ``report.html`` into ``out_dir``.

    Parameters
    ----------
    result : dict
        From :func:`~nebuladapt.evaluation.experiment.run_experiment`.
    out_dir : str or Path
        Output folder (created).
    figures : dict of str to str, optional
        Figure title -> PNG file name (in ``out_dir``) to embed.

    Returns
    -------
    dict
        Paths written.
    """
    from nebuladapt.reports.pages import html_figure, html_table

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    figures = figures or {}
    meta = {
        "nebuladapt": __version__, "python": platform.python_version(), "machine": platform.platform(),
        "seeds": result["seeds"], "n_steps": result["n_steps"], "wall_time_s": result["wall_time_s"],
        "n_target_rows": int(len(result["data"].target_labels)),
    }  # fmt: skip
    json_path = out / "results.json"
    json_path.write_text(json.dumps({"meta": meta, "records": result["records"],
                                     "selection_grid": result.get("selection_grid", [])}, indent=1, default=float))
    sections = _sections(result, figures)
    title = "nebuladapt experiment report"
    intro = (f"{meta['n_target_rows']} target rows; seeds {meta['seeds']}; {meta['n_steps']} training steps; "
             f"total wall time {meta['wall_time_s']:.0f} s on {meta['machine']}.")  # fmt: skip
    md = [f"# {title}", "", intro, ""]
    page = [f"<h1>{title}</h1><p>{html.escape(intro)}</p>"]
    for heading, text, header, rows in sections:
        md += [f"## {heading}", "", text, "", _markdown(header, rows), ""]
        page.append(f"<h2>{html.escape(heading)}</h2><p>{html.escape(text)}</p>{html_table(header, rows)}")
    if figures:
        md += ["## Figures", ""]
        page.append("<h2>Figures</h2>")
        for caption, name in figures.items():
            md += [f"### {caption}", "", f"![{caption}]({name})", ""]
            page.append(html_figure(name, caption))
    (out / "report.md").write_text("\n".join(md))
    (out / "report.html").write_text(html_page(title, "".join(page)))
    return {"json": json_path, "markdown": out / "report.md", "html": out / "report.html"}


def write_figures(result: dict, out_dir, seed: int | None = None) -> dict:
    """Confusion matrices, t-SNE panels (the paper's Fig. 7) and BPT planes.

    Confusion matrices count every target row: a column "unclassified" holds
    the rows a method left without a class, so that the row-normalised
    diagonal equals the recall of the result table. Counts are per-seed means.

    Parameters
    ----------
    result : dict
        From :func:`~nebuladapt.evaluation.experiment.run_experiment`.
    out_dir : str or Path
        Output folder.
    seed : int, optional
        Seed of the t-SNE and of the run drawn on the BPT planes (default: the
        first seed of the experiment).

    Returns
    -------
    dict
        Caption -> PNG file name in ``out_dir``.
    """
    from nebuladapt.reports.figures import (
        UNCLASSIFIED_LABEL,
        confusion_counts,
        plot_bpt,
        plot_confusion_matrix,
        plot_tsne_panels,
        tsne_representations,
    )

    out = Path(out_dir)
    data, records, models = result["data"], result["records"], result.get("models", {})
    seeds = list(result.get("seeds") or [0])
    seed = seeds[0] if seed is None else seed
    figures = {}
    summary = {r["method"]: r for r in summary_table(records)}
    families = {r["method"]: r.get("family") for r in records}
    selected = _family_method(records, "label-free selected")
    for name in (selected, "DANN / matched noise", "NN / none noise", "SII/Ha>0.4 + Kewley01 PN"):
        group = [r for r in records if r["method"] == name]
        if not group:
            continue
        cm = np.mean([confusion_counts(data.target_labels, r["predicted"], CLASSES) for r in group], axis=0)
        plain = display_name(name, families[name])
        shown = f"mean over {len(group)} seeds" if len(group) > 1 else ("one seed" if group[0].get("seed") is not None else "deterministic")
        file = f"confusion_{_slug(plain)}.png"
        plot_confusion_matrix(cm, list(CLASSES), title=f"{plain} (counts: {shown})", path=out / file,
                              predicted_classes=[*CLASSES, UNCLASSIFIED_LABEL])  # fmt: skip
        ba = _pm(summary[name]["balanced_accuracy"], summary[name]["seeds"])
        figures[f"Confusion matrix: {plain} (balanced accuracy {ba}; {shown})"] = file
    panels_models = {k: models[k] for k in ("NN / none noise", "NN / matched noise", "DANN / none noise",
                                             "DANN / matched noise", "DANN + entropy / matched noise") if k in models}  # fmt: skip
    if panels_models:
        panels = tsne_representations(
            panels_models, data.X, data.y, data.sample_domain, data.spec,
            target_labels=data.target_labels, X_err=data.X_err, seed=seed,
        )  # fmt: skip
        plot_tsne_panels(panels, seed=seed, path=out / "tsne.png")
        figures[f"t-SNE of source (models) and target (observed) in input space and in the learned embeddings "
                f"(models of seed {seeds[0]})"] = "tsne.png"  # fmt: skip
    best = next((n for n in (selected, "DANN / matched noise") if n and n in summary), None)
    if best:
        record = next((r for r in records if r["method"] == best and r.get("seed") == seed),
                      next(r for r in records if r["method"] == best))  # fmt: skip
        plain = display_name(best, families[best])
        title = f"{plain}, seed {record.get('seed')}; {DEREDDENED}"
        plot_bpt(data.target_features, np.asarray(record["predicted"]), data.target_labels, title=title,
                 path=out / "bpt.png")  # fmt: skip
        figures[f"BPT planes: {plain}, seed {record.get('seed')} (colour: predicted class; marker: true class; "
                f"{DEREDDENED})"] = "bpt.png"  # fmt: skip
    return figures


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text).strip("_").lower()
