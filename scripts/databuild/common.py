"""What every builder shares: citations, wheel download from PyPI, checksums."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from nebuladapt.io.checksum import sha256_file

__all__ = ["CITATIONS", "fetch_wheel", "sha256_file"]

CITATIONS = {
    "3MdB": "Morisset C., Delgado-Inglada G., Flores-Fajardo N., 2015, RMxAA, 51, 103",
    "BOND": "Vale Asari N., Stasinska G., Morisset C., Cid Fernandes R., 2016, MNRAS, 460, 1739",
    "PNe": "Delgado-Inglada G., Morisset C., Stasinska G., 2014, MNRAS, 440, 536; "
    "Delgado-Inglada G., et al., 2015, MNRAS, 449, 1797",
    "Pamplemousse": "Rhea C. L., Rousseau-Nepton L., Moumen I., et al., 2023, RAS Techniques "
    "and Instruments, 'A Machine Learning Approach to Galactic Emission-Line Region "
    "Classification' (arXiv:2306.11545); export in github.com/sitelle-signals/Pamplemousse "
    "(GPL-3)",
    "Allen08": "Allen M. G., Groves B. A., Dopita M. A., Sutherland R. S., Kewley L. J., 2008, "
    "ApJS, 178, 20",
    "NEAT": "Wesson R., Stock D. J., Scicluna P., 2012, MNRAS, 422, 3516 (NEAT; example line "
    "lists from github.com/rwesson/NEAT, GPL-3)",
    "Ho2019": "Ho I.-T., 2019, MNRAS, 'A machine learning artificial neural network calibration "
    "of the strong-line oxygen abundance' (arXiv:1903.01506); data of its Fig. 10 left panel, "
    "github.com/hoiting/OxygenMLP data.txt",
    "Long2019": "Long K. S., Winkler P. F., Blair W. P., 2019, ApJ, 875, 85",
}


def fetch_wheel(requirement: str, pattern: str, dest: Path) -> Path:
    """Download one wheel from PyPI (``pip download --no-deps``) into ``dest``.

    ``pattern`` globs the expected wheel file name, e.g. ``"astroismlib-1.1.0-*.whl"``.
    """
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", requirement, "-d", str(dest)],
        check=True,
    )
    wheels = sorted(dest.glob(pattern))
    if not wheels:
        raise FileNotFoundError(f"pip download did not produce a wheel matching {pattern}")
    return wheels[0]
