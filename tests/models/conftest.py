import numpy as np
import pytest


@pytest.fixture(scope="session")
def toy_domains():
    """Three well-separated synthetic classes in the 5 default lines, source and shifted target.

    Lines (default spec order): OIII5006, HB4861, NII6583, HA6562, SII6716_6730.
    """
    rng = np.random.default_rng(42)
    centres = {"HII": (0.5, 1.0, 0.3, 2.86, 0.3), "PN": (8.0, 1.0, 0.5, 2.86, 0.1), "SNR": (1.5, 1.0, 2.0, 2.86, 2.0)}

    def draw(n, shift):
        labels = np.array(list(centres))[rng.integers(0, 3, n)]
        flux = np.array([centres[c] for c in labels]) * rng.lognormal(shift, 0.15, (n, 5))
        flux[:, 1] = 1.0
        flux[:, 3] = 2.86
        return flux, labels

    source, source_labels = draw(900, 0.0)
    target, target_labels = draw(150, 0.1)
    X = np.vstack([source, target])
    y = np.concatenate([source_labels.astype(object), np.full(len(target), -1, dtype=object)])
    domain = np.concatenate([np.ones(len(source), int), -2 * np.ones(len(target), int)])
    err = np.vstack([np.full_like(source, np.nan), 0.05 * target])
    return {"X": X, "y": y, "sample_domain": domain, "X_err": err, "target": target, "target_labels": target_labels}
