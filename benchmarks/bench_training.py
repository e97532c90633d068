"""Training speed: nebuladapt's DANN against skada's deep DANN on identical work.

Both train the same network on the same data with the same optimiser, batch and number
of gradient steps, single-threaded:

* data: the shipped model grids (labelled source) and the shipped real benchmark
  (unlabelled target; its labels only score the result), as
  ``[standardised log ratios, missing mask]`` inputs (6 values per row);
* network: feature extractor 6-64-64 (ReLU), linear label head (3 classes), domain head
  64-64-1 behind a gradient reversal layer ending in **one logit + sigmoid** (skada's own
  ``DomainClassifier`` ends in a one-unit softmax, which is constant and passes no
  adversarial gradient, so skada gets a working sigmoid head here);
* optimisation: Adam (lr 1e-3), ``batch`` source + ``batch`` target rows per step,
  cross-entropy + binary cross-entropy; skada runs ``--epochs`` epochs of
  ``floor(n_source / batch)`` steps, nebuladapt the same number of steps;
* nebuladapt runs with ``noise="none"`` and ``mask_prob=0`` here, so that neither side
  augments; its default (noise + masking) is timed too, for reference.

Prints wall time per fit (median of ``--runs``), the ratio skada / nebuladapt, and the
balanced accuracy of each on the benchmark labels.

    python benchmarks/bench_training.py --runs 3 --epochs 5
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from torch import nn

from _machine import machine_info, spread


def _data():
    from nebuladapt.benchmark import benchmark_catalog, load_benchmark
    from nebuladapt.dust import deredden_catalog
    from nebuladapt.features import default_feature_spec, log_ratios
    from nebuladapt.models.fitting import domain_arrays
    from nebuladapt.models.training import Scaler, encode

    catalog = deredden_catalog(benchmark_catalog())
    spec = default_feature_spec()
    X, y, sample_domain, X_err = domain_arrays(catalog, spec)
    labels = np.asarray(load_benchmark()["class"]).astype(str)
    source = sample_domain > 0
    features = log_ratios(X, spec)
    scaler = Scaler.fit(features[source])
    encoded = encode(torch.from_numpy(features), scaler).numpy()
    return X, y, sample_domain, X_err, encoded, labels


class _Base(nn.Module):
    """skada's base module: the same 6-64-64 extractor and linear label head."""

    def __init__(self, n_inputs: int, n_classes: int):
        super().__init__()
        from nebuladapt.models.networks import mlp

        self.feature_extractor = mlp([n_inputs, 64, 64])
        self.label_head = nn.Linear(64, n_classes)

    def forward(self, X, sample_weight=None):
        return self.label_head(self.feature_extractor(X))


class _SigmoidDomainHead(nn.Module):
    """Gradient reversal, 64-64-1, sigmoid: what skada's DANNLoss (BCELoss) expects."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1), nn.Sigmoid())

    def forward(self, x, sample_weight=None):
        from skada.deep.modules import GradientReversalLayer

        return self.net(GradientReversalLayer.apply(x, 1.0)).squeeze(-1)


def _fit_skada(encoded, y, sample_domain, batch: int, epochs: int, seed: int):
    from skada.deep import DANN

    torch.manual_seed(seed)
    classes = np.array(sorted({str(v) for v in y[sample_domain > 0]}))
    y_int = np.full(len(y), -1, dtype=np.int64)
    y_int[sample_domain > 0] = np.searchsorted(classes, y[sample_domain > 0].astype(str))
    net = DANN(
        _Base(encoded.shape[1], len(classes)),
        layer_name="feature_extractor",
        reg=1.0,
        domain_classifier=_SigmoidDomainHead(),
        batch_size=batch,
        max_epochs=epochs,
        optimizer=torch.optim.Adam,
        lr=1e-3,
        train_split=None,
        verbose=0,
        device="cpu",
    )
    start = time.perf_counter()
    net.fit(encoded.astype(np.float32), y_int, sample_domain=sample_domain)
    elapsed = time.perf_counter() - start
    target = sample_domain < 0
    pred = net.predict(encoded[target].astype(np.float32), sample_domain=sample_domain[target])
    return elapsed, classes[pred]


def _fit_nebuladapt(X, y, sample_domain, X_err, n_steps: int, batch: int, seed: int, default: bool):
    from nebuladapt.models import NebulaClassifier

    if default:  # the shipped default: matched noise, masking, calibration ...
        params = {"noise": "matched"}
    else:  # the same work as skada: no augmentation, no held-out calibration set
        params = {"noise": "none", "mask_prob": 0.0, "calibrate": False, "validation_fraction": 0.0}
        params = {k: v for k, v in params.items() if k in NebulaClassifier().get_params()}
    model = NebulaClassifier(method="dann", n_steps=n_steps, batch_size=batch, random_state=seed, **params)
    start = time.perf_counter()
    model.fit(X, y, sample_domain=sample_domain, X_err=X_err)
    elapsed = time.perf_counter() - start
    return elapsed, model.predict(X[sample_domain < 0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=5, help="skada epochs (sets the step count)")
    parser.add_argument("--batch", type=int, default=255, help="rows per domain per step (3 x 85)")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads (both sides)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    from nebuladapt.evaluation.metrics import classification_scores

    X, y, sample_domain, X_err, encoded, labels = _data()
    n_source = int((sample_domain > 0).sum())
    steps = args.epochs * (n_source // args.batch)
    print(machine_info())
    print(f"data: {n_source} source models, {int((sample_domain < 0).sum())} target rows; "
          f"{steps} steps of {args.batch}+{args.batch} rows ({args.epochs} skada epochs); "
          f"torch threads {args.threads}")
    results = {"nebuladapt": [], "skada": [], "nebuladapt default": []}
    scores = {key: [] for key in results}
    # warm-up (imports, first-call allocations), not timed
    _fit_skada(encoded, y, sample_domain, args.batch, 1, 99)
    _fit_nebuladapt(X, y, sample_domain, X_err, 50, args.batch, 99, default=False)
    for run in range(args.runs):
        for key in results:
            if key == "skada":
                elapsed, pred = _fit_skada(encoded, y, sample_domain, args.batch, args.epochs, run)
            else:
                elapsed, pred = _fit_nebuladapt(X, y, sample_domain, X_err, steps, args.batch, run,
                                                default=key == "nebuladapt default")
            results[key].append(elapsed)
            scores[key].append(classification_scores(labels, pred)["balanced_accuracy"])
            print(f"  run {run}: {key:<19} {elapsed:7.2f} s  balanced accuracy {scores[key][-1]:.3f}")
    for key in results:
        print(f"{key:<19} wall s: {spread(results[key])}; balanced accuracy: {spread(scores[key])}")
    ratio = np.median(results["skada"]) / np.median(results["nebuladapt"])
    print(f"skada / nebuladapt wall-time ratio (identical work, medians): {ratio:.1f}x")
    print(f"steps per second: nebuladapt {steps / np.median(results['nebuladapt']):.0f}, "
          f"skada {steps / np.median(results['skada']):.0f}")


if __name__ == "__main__":
    main()
