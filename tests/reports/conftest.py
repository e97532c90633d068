"""Fixtures of the report tests: a small classified catalogue written as ``predict`` writes it."""

from __future__ import annotations

import numpy as np
import pytest
from astropy.table import Table

#: Rows of the fake classified catalogue, by what it must count.
N_ROWS = 40


def classified_table(n: int = N_ROWS, seed: int = 0, sky: tuple[str, str] | None = ("RA", "DEC")) -> Table:
    """A PHANGS-style table with literature line names plus prediction columns.

    Rows 0-2 are unclassified (no [OIII], no [NII]/[SII]), row 3 lacks [OI],
    rows 4-5 are ``off_grid``; classes cycle HII, PN, SNR over the rest.
    """
    rng = np.random.default_rng(seed)
    table = Table()
    table["ID"] = np.arange(n)
    if sky:
        table[sky[0]] = 150.0 + rng.normal(0, 0.005, n)
        table[sky[1]] = 2.0 + rng.normal(0, 0.005, n)
        table[sky[0]].unit = "deg"
        table[sky[1]].unit = "deg"
    table["Hbeta_FLUX"] = np.full(n, 100.0)
    table["Halpha_FLUX"] = np.full(n, 286.0)
    table["OIII5007_FLUX"] = rng.uniform(20, 800, n)
    table["NII6584_FLUX"] = rng.uniform(10, 200, n)
    table["SII6716_FLUX"] = rng.uniform(10, 100, n)
    table["SII6731_FLUX"] = rng.uniform(10, 100, n)
    table["OI6300_FLUX"] = rng.uniform(1, 40, n)
    table["DUST_CORRECTED"] = np.ones(n, dtype=bool)
    for name in ("OIII5007_FLUX", "NII6584_FLUX", "SII6716_FLUX", "SII6731_FLUX"):
        table[name][:3] = np.nan
    table["OI6300_FLUX"][3] = np.nan
    classes = np.array(["", "", ""] + [("HII", "PN", "SNR")[i % 3] for i in range(n - 3)], dtype=object)
    probs = rng.dirichlet(np.ones(3), n)
    probs[:3] = np.nan
    flags = np.array([""] * n, dtype=object)
    flags[:3] = "missing:OIII5006;missing:NII6583;unclassified:no_usable_ratio"
    flags[3] = "missing:OI6300"
    flags[4:6] = "off_grid"
    table["pred_class"] = classes.astype(str)
    for j, c in enumerate(("HII", "PN", "SNR")):
        table[f"prob_{c}"] = probs[:, j]
    table["flag"] = flags.astype(str)
    return table


@pytest.fixture(scope="session")
def make_classified_table():
    """Factory of the fake classified catalogue (see :func:`classified_table`)."""
    return classified_table


@pytest.fixture
def classified_csv(tmp_path):
    """The fake classified catalogue as CSV (empty strings for unclassified rows)."""
    path = tmp_path / "classified.csv"
    classified_table().write(path, format="ascii.csv")
    return path


def fake_experiment_result(n: int = 60, seed: int = 0) -> dict:
    """A small experiment result, as :func:`run_experiment` returns it, without fitting anything.

    Three methods: a classical cut (deterministic, one record), the label-free
    selected configuration (two seeds, some rows unclassified) and DANN (one seed).
    """
    from types import SimpleNamespace

    from nebuladapt.evaluation.metrics import classification_scores
    from nebuladapt.features import default_feature_spec

    rng = np.random.default_rng(seed)
    truth = np.array(["HII"] * (n // 2) + ["PN"] * (n // 4) + ["SNR"] * (n - n // 2 - n // 4))
    spec = default_feature_spec()
    features = {name: rng.uniform(-1.2, 0.8, n) for name in spec.names}
    features["log_OIII5006_HB4861"][:4] = np.nan
    features["log_OI6300_HA6562"] = rng.uniform(-2.2, -0.4, n)

    def noisy(p_wrong: float, p_unclassified: float) -> np.ndarray:
        predicted = truth.copy()
        wrong = rng.random(n) < p_wrong
        predicted[wrong] = rng.choice(["HII", "PN", "SNR"], int(wrong.sum()))
        predicted[rng.random(n) < p_unclassified] = ""
        return predicted

    def record(method, family, seed_, predicted, prior=None):
        out = {"method": method, "family": family, "params": {}, "seed": seed_, "wall_time_s": 1.5,
               **classification_scores(truth, predicted), "predicted": predicted.tolist()}  # fmt: skip
        if prior is not None:
            out["target_prior_estimate"] = dict(zip(("HII", "PN", "SNR"), prior))
        return out

    records = [record("SII/Ha>0.4 + Kewley01 PN", "classical cuts", None, noisy(0.2, 0.15))]
    for s in (0, 1):
        records.append(record("selected by soft_neighborhood_density", "label-free selected", s,
                              noisy(0.1, 0.05), prior=(0.5, 0.25, 0.25)))  # fmt: skip
    records.append(record("DANN / matched noise", "paper matrix", 0, noisy(0.3, 0.0), prior=(0.4, 0.3, 0.3)))
    data = SimpleNamespace(spec=spec, target_features=features, target_labels=truth)
    return {"records": records, "selection_grid": [], "data": data, "models": {}, "seeds": [0, 1],
            "n_steps": 10, "wall_time_s": 3.0, "classes": ["HII", "PN", "SNR"]}  # fmt: skip


@pytest.fixture(scope="session")
def make_fake_experiment_result():
    """Factory of :func:`fake_experiment_result`."""
    return fake_experiment_result
