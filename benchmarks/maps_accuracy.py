"""Maps: region-level vs catalogue balanced accuracy, and spaxel accuracy vs Halpha S/N.

On a SYNTHETIC MAPS file with its mask and truth (``nebuladapt.maps.synthetic``):
for each seed, a model is fitted as ``nebuladapt fit --target MAPS.fits`` does
(default DANN; target = spaxels with Halpha S/N >= 5, 20,000 sampled; no labels),
then

* **regions**: the mask's regions are photometered from the map and classified;
  the same nebulae given as the catalogue a survey would publish
  (``truth.fits`` REGIONS) are classified by the same model; balanced accuracy of
  both against the true classes, and the paired difference with a bootstrap
  interval over regions;
* **spaxels**: every spaxel classified (``snr_min=0``); accuracy of the spaxels whose
  Halpha is dominated by a nebula, in bins of Halpha S/N; and what the spaxels
  dominated by diffuse gas (not a class) are called.

Writes ``docs/maps/results.json``, ``docs/maps/accuracy_vs_snr.png`` and a quick-look
``docs/maps/quicklook.png``.

    nice -n 10 python benchmarks/maps_accuracy.py --size 800 --seeds 3
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

SNR_EDGES = [1, 3, 5, 10, 20, 50, 100, 1e9]


def _ba(truth, pred) -> float:
    from sklearn.metrics import balanced_accuracy_score

    return float(balanced_accuracy_score(np.asarray(truth).astype(str), np.asarray(pred).astype(str)))


def run(size: int, seeds: int, out_dir: Path, n_steps: int) -> dict:
    """The measurement, in a temporary folder removed at the end."""
    with tempfile.TemporaryDirectory(prefix="nebuladapt-maps-acc-") as tmp:
        return _run(Path(tmp), size, seeds, out_dir, n_steps)


def _run(work: Path, size: int, seeds: int, out_dir: Path, n_steps: int) -> dict:
    from astropy.io import fits
    from astropy.table import Table

    from nebuladapt.catalogs import read_phangs_table
    from nebuladapt.dust import deredden_catalog
    from nebuladapt.maps import classify_maps, classify_regions, open_maps, predict_map_file
    from nebuladapt.maps.regions import read_region_mask
    from nebuladapt.maps.run import maps_target_catalog
    from nebuladapt.maps.synthetic import TRUTH_CLASS_COLUMN, write_synthetic_maps
    from nebuladapt.models.fitting import fit_on_catalog
    from nebuladapt.predict import classify_catalog

    paths = write_synthetic_maps(work, shape=(size, size), seed=0)
    truth_regions = Table.read(paths["truth"], hdu="REGIONS")
    truth_spaxels = fits.getdata(paths["truth"], "TRUTH")
    y_true = np.asarray(truth_regions[TRUTH_CLASS_COLUMN]).astype(str)
    with fits.open(paths["maps"]) as hdul:
        snr = hdul["HA6562_FLUX"].data / hdul["HA6562_FLUX_ERR"].data
    catalogue = deredden_catalog(read_phangs_table(truth_regions))
    records = []
    rng = np.random.default_rng(0)
    for seed in range(seeds):
        start = time.perf_counter()
        model = fit_on_catalog(maps_target_catalog(paths["maps"], seed=seed), seed=seed, n_steps=n_steps)
        with open_maps(paths["maps"]) as maps:
            regions = classify_regions(maps, read_region_mask(paths["mask"], maps), model)
            spaxels = classify_maps(maps, model, snr_min=0)
        from_catalogue = classify_catalog(catalogue, model)
        pred_r = np.asarray(regions["pred_class"]).astype(str)
        pred_c = np.asarray(from_catalogue["pred_class"]).astype(str)
        diffs = []
        for _ in range(1000):
            pick = rng.integers(0, len(y_true), len(y_true))
            diffs.append(_ba(y_true[pick], pred_r[pick]) - _ba(y_true[pick], pred_c[pick]))
        code = spaxels.class_code
        nebular = truth_spaxels > 0
        bins = []
        for lo, hi in zip(SNR_EDGES[:-1], SNR_EDGES[1:]):
            with np.errstate(invalid="ignore"):
                inside = nebular & (snr >= lo) & (snr < hi)
                dig = (truth_spaxels == 0) & (snr >= lo) & (snr < hi)
            n = int(inside.sum())
            bins.append({
                "snr_low": lo, "snr_high": hi, "n_spaxels": n,
                "accuracy": float(np.mean(code[inside] == truth_spaxels[inside])) if n else None,
                "classified_fraction": float(np.mean(code[inside] > 0)) if n else None,
                "diffuse_called": {name: float(np.mean(code[dig] == k)) if dig.any() else None
                                   for k, name in enumerate(("unclassified", "HII", "PN", "SNR"))},
                "n_diffuse": int(dig.sum()),
            })
        records.append({
            "seed": seed, "seconds": time.perf_counter() - start,
            "regions_balanced_accuracy": _ba(y_true, pred_r),
            "catalogue_balanced_accuracy": _ba(y_true, pred_c),
            "difference": _ba(y_true, pred_r) - _ba(y_true, pred_c),
            "difference_interval_95": [float(np.percentile(diffs, 2.5)), float(np.percentile(diffs, 97.5))],
            "spaxel_bins": bins,
        })
        print(json.dumps({k: v for k, v in records[-1].items() if k != "spaxel_bins"}), flush=True)
    predict_map_file(paths["maps"], model, work / "classes.fits", regions=paths["mask"],
                     png=out_dir / "quicklook.png", overwrite=True)
    return {"size": size, "n_regions": len(truth_regions), "n_steps": n_steps,
            "class_counts": {c: int(np.sum(y_true == c)) for c in np.unique(y_true)}, "records": records}


def figure(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4.2))
    for record in result["records"]:
        bins = [b for b in record["spaxel_bins"] if b["accuracy"] is not None]
        centres = [np.sqrt(b["snr_low"] * min(b["snr_high"], 300)) for b in bins]
        ax.plot(centres, [b["accuracy"] for b in bins], "o-", color="C0", alpha=0.7,
                label="nebuladapt, seeds" if record["seed"] == 0 else None)
        bx.plot(centres, [b["diffuse_called"]["SNR"] for b in bins], "o-", color="C3", alpha=0.7,
                label="called SNR" if record["seed"] == 0 else None)
        bx.plot(centres, [b["diffuse_called"]["HII"] for b in bins], "s--", color="C0", alpha=0.7,
                label="called HII" if record["seed"] == 0 else None)
    ax.plot([20], [0.8], "k*", ms=14, label="Bracci et al. 2025: ~80% at S/N 20 (their simulations)")
    ax.set_xscale("log")
    ax.set_ylim(0, 1)
    ax.set_xlabel("Halpha S/N of the spaxel")
    ax.set_ylabel("accuracy (spaxels dominated by a nebula)")
    ax.set_title(f"SYNTHETIC {result['size']}x{result['size']} map: spaxel accuracy")
    ax.legend(fontsize=8, loc="lower right")
    bx.set_xscale("log")
    bx.set_ylim(0, 1)
    bx.set_xlabel("Halpha S/N of the spaxel")
    bx.set_ylabel("fraction of diffuse-gas spaxels")
    bx.set_title("diffuse ionised gas (not a class): what it is called")
    bx.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=800)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--n-steps", type=int, default=2000)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "docs" / "maps")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    result = run(args.size, args.seeds, args.out, args.n_steps)  # its temporary folder is removed by run()
    (args.out / "results.json").write_text(json.dumps(result, indent=1))
    figure(result, args.out / "accuracy_vs_snr.png")
    print(f"wrote {args.out / 'results.json'}, accuracy_vs_snr.png, quicklook.png")


if __name__ == "__main__":
    main()
