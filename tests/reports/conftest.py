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
