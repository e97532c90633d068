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

SELECTED = f"selected by {SELECTION_SCORER}"

__all__ = ["summary_table", "missing_pattern_table", "prior_table", "write_report"]

_METRICS = ("balanced_accuracy", "accuracy", "macro_f1")


def _pm(pair) -> str:
    mean, std = pair
    return "–" if not np.isfinite(mean) else f"{mean:.3f} ± {std:.3f}"


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
    rows = [{"method": "true proportions (labels)", **{c: (truth[c], 0.0) for c in CLASSES}}]
    for name in dict.fromkeys(r["method"] for r in records if "target_prior_estimate" in r):
        group = [r for r in records if r["method"] == name]
        rows.append({"method": name, **{c: summarise(r["target_prior_estimate"].get(c, np.nan) for r in group) for c in CLASSES}})
    return rows


def _markdown(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _html_table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _sections(result: dict, figures: dict) -> list[tuple[str, str, list[str], list[list[str]]]]:
    records, data = result["records"], result["data"]
    summary = summary_table(records)
    sections = []
    header = ["family", "method", "seeds", "balanced acc.", "accuracy", "macro-F1",
              "recall HII", "recall PN", "recall SNR", "wall time (s)"]  # fmt: skip
    rows = [[r["family"], r["method"], str(r["seeds"]), _pm(r["balanced_accuracy"]), _pm(r["accuracy"]),
             _pm(r["macro_f1"]), _pm(r["recall_HII"]), _pm(r["recall_PN"]), _pm(r["recall_SNR"]),
             f"{r['wall_time_s'][0]:.1f}"] for r in summary]  # fmt: skip
    sections.append(("Results (mean ± std over seeds)", (
        "Target labels are used only to score. \"oracle\" rows choose the configuration by the "
        "target labels and are an upper bound, not a result. Unclassified rows count as wrong."
    ), header, rows))  # fmt: skip
    priors = prior_table(records, data)
    sections.append(("Label shift: estimated vs true target class proportions", (
        "EM (Saerens et al. 2002) on each fitted model's calibrated target posteriors; no labels."
    ), ["method", *CLASSES], [[p["method"], *(_pm(p[c]) for c in CLASSES)] for p in priors]))  # fmt: skip
    shown = [n for n in (SELECTED, "DANN / matched noise", "NN / matched noise",
                         "SII/Ha>0.4 + Kewley01 PN") if any(r["method"] == n for r in records)]  # fmt: skip
    patterns = missing_pattern_table(records, data, shown)
    sections.append(("Accuracy per missing-ratio pattern", (
        "Accuracy (not balanced) of the target rows grouped by which default ratios they lack."
    ), ["pattern", "rows", "classes", *shown],
        [[p["pattern"], str(p["n"]), p["classes"], *(_pm(p[n]) for n in shown)] for p in patterns]))  # fmt: skip
    grid = result.get("selection_grid") or []
    if grid:
        from nebuladapt.evaluation.selection import summarise_grid

        summary_grid = summarise_grid(grid)
        scorers = list(next(iter(summary_grid.values()))["label_free"])
        rows = [[cid, *(_pm(entry["label_free"][s]) for s in scorers), _pm(entry["oracle"]["balanced_accuracy"])]
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
    figures : dict of str to str, optional
        Figure title -> PNG file name (in ``out_dir``) to embed.

    Returns
    -------
    dict
        Paths written.
    """
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
        page.append(f"<h2>{html.escape(heading)}</h2><p>{html.escape(text)}</p>{_html_table(header, rows)}")
    if figures:
        md += ["## Figures", ""]
        page.append("<h2>Figures</h2>")
        for caption, name in figures.items():
            md += [f"### {caption}", "", f"![{caption}]({name})", ""]
            page.append(f"<h3>{html.escape(caption)}</h3><img src='{html.escape(name)}' style='max-width:100%'>")
    (out / "report.md").write_text("\n".join(md))
    style = "<style>body{font-family:sans-serif;max-width:1200px;margin:auto}td,th{border:1px solid #ccc;padding:3px 6px}table{border-collapse:collapse}</style>"
    (out / "report.html").write_text(f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>{style}</head><body>{''.join(page)}</body></html>")
    return {"json": json_path, "markdown": out / "report.md", "html": out / "report.html"}


def write_figures(result: dict, out_dir, seed: int = 0) -> dict:
    """Confusion matrices, t-SNE panels (the paper's Fig. 7) and BPT planes.

    Returns
    -------
    dict
        Caption -> PNG file name in ``out_dir``.
    """
    from nebuladapt.reports.figures import plot_bpt, plot_confusion_matrix, plot_tsne_panels, tsne_representations

    out = Path(out_dir)
    data, records, models = result["data"], result["records"], result.get("models", {})
    figures = {}
    summary = {r["method"]: r for r in summary_table(records)}
    for name in (SELECTED, "DANN / matched noise", "NN / none noise",
                 "SII/Ha>0.4 + Kewley01 PN"):  # fmt: skip
        group = [r for r in records if r["method"] == name]
        if not group:
            continue
        cm = np.sum([r["confusion_matrix"] for r in group], axis=0)
        file = f"confusion_{_slug(name)}.png"
        plot_confusion_matrix(cm, list(CLASSES), title=f"{name} (sum over {len(group)} seed(s))", path=out / file)
        figures[f"Confusion matrix: {name} (BA {_pm(summary[name]['balanced_accuracy'])})"] = file
    panels_models = {k: models[k] for k in ("NN / none noise", "NN / matched noise", "DANN / none noise",
                                             "DANN / matched noise", "DANN + entropy / matched noise") if k in models}  # fmt: skip
    if panels_models:
        panels = tsne_representations(
            panels_models, data.X, data.y, data.sample_domain, data.spec,
            target_labels=data.target_labels, X_err=data.X_err, seed=seed,
        )  # fmt: skip
        plot_tsne_panels(panels, seed=seed, path=out / "tsne.png")
        figures["t-SNE of source (models) and target (observed) in input space and in the learned embeddings"] = "tsne.png"
    best = next((n for n in (SELECTED, "DANN / matched noise") if n in summary), None)
    if best:
        predicted = next(r for r in records if r["method"] == best)["predicted"]
        plot_bpt(data.target_features, np.asarray(predicted), data.target_labels, title=best, path=out / "bpt.png")
        figures[f"BPT planes: {best} (colour: predicted class; marker: true class)"] = "bpt.png"
    return figures


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text).strip("_").lower()
