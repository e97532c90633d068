#!/usr/bin/env python
"""How the default grids cover metal-poor HII regions (the figures of docs/grids.md).

The 3MdB exports carry no physical parameters, so their metallicity coverage cannot
be counted. The NebulaBayes MAPPINGS 5.1 HII grid (``nebulabayes_hii``) has
12 + log O/H per model; this script measures, per abundance value,

* the distance (dex, in the three classical log ratios) from each NebulaBayes model
  to the nearest default HII (3MdB BOND_2) model, and how often a PN or SNR model is
  nearer than any HII model;
* with ``--model DIR`` (a model from ``nebuladapt fit``), the classes it predicts
  for the NebulaBayes models, and how many it flags off-grid.

Usage::

    python scripts/grid_coverage.py [--model DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from astropy.table import Table
from scipy.spatial import cKDTree

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nebuladapt import CLASSES  # noqa: E402
from nebuladapt.features import default_feature_spec, log_ratios  # noqa: E402
from nebuladapt.grids import get_grid, load_source_grids, select_grids  # noqa: E402


def distances(spec) -> None:
    nebulabayes = get_grid("nebulabayes_hii").load()
    oh = np.asarray(nebulabayes.catalog.table["oxygen_abundance"])
    X_nb = log_ratios(nebulabayes.line_fluxes(spec.lines), spec)
    flux, labels, _ = select_grids().line_fluxes(spec.lines)
    X = log_ratios(flux, spec)
    trees = {c: cKDTree(X[labels == c]) for c in CLASSES}
    print("| 12+log O/H | models | median distance to nearest BOND_2 (dex) | within 0.1 dex "
          "| PN model nearer | SNR model nearer |\n|---|---|---|---|---|---|")
    for z in np.unique(oh):
        rows = oh == z
        d = {c: trees[c].query(X_nb[rows])[0] for c in CLASSES}
        print(f"| {z:.3f} | {rows.sum()} | {np.median(d['HII']):.3f} | "
              f"{np.mean(d['HII'] < 0.1):.2f} | {np.mean(d['PN'] < d['HII']):.2f} | "
              f"{np.mean(d['SNR'] < d['HII']):.2f} |")


def predictions(spec, model_dir: Path) -> None:
    from nebuladapt.catalogs import read_phangs_table
    from nebuladapt.models import load_model
    from nebuladapt.predict import classify_catalog

    model = load_model(model_dir)
    nebulabayes = get_grid("nebulabayes_hii").load()
    table = nebulabayes.catalog.table
    oh, log_u = np.asarray(table["oxygen_abundance"]), np.asarray(table["log_U"])
    lines = model.spec_.lines
    catalog = Table({f"{line}_FLUX": nebulabayes.line_fluxes([line])[:, 0] for line in lines})
    catalog["DUST_CORRECTED"] = True  # model fluxes are intrinsic
    result = classify_catalog(read_phangs_table(catalog), model)
    pred = np.asarray(result["pred_class"]).astype(str)
    off = np.char.find(np.asarray(result["flag"]).astype(str), "off_grid") >= 0
    print(f"\nclasses predicted by {model_dir} for the NebulaBayes HII models")
    print("| 12+log O/H | models | HII | PN | SNR | off_grid |\n|---|---|---|---|---|---|")
    for z in np.unique(oh):
        rows = oh == z
        shares = " | ".join(f"{np.mean(pred[rows] == c):.2f}" for c in CLASSES)
        print(f"| {z:.3f} | {rows.sum()} | {shares} | {np.mean(off[rows]):.2f} |")
    poor = (oh >= 7.5) & (oh <= 8.2)
    by_u = {f"{u:.2f}": round(float(np.mean(pred[poor & (log_u == u)] == "PN")), 2)
            for u in np.unique(log_u)}  # fmt: skip
    print(f"\n7.5 <= 12+log O/H <= 8.2: {poor.sum()} models, HII {np.mean(pred[poor] == 'HII'):.3f}; "
          f"PN share by log U: {by_u}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, help="a model directory from `nebuladapt fit`")
    args = parser.parse_args(argv)
    spec = default_feature_spec()
    distances(spec)
    snr = load_source_grids(classes="SNR")
    series = {str(s): int((snr["abundance_series"] == s).sum()) for s in ("P", "Q")}
    print(f"\nAllen08 default SNR models with SMC (P) / LMC (Q) abundances: {series}")
    if args.model:
        predictions(spec, args.model)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
