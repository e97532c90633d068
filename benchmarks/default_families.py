"""The default of stop 25 on every held-out family so far (report only: nothing is chosen here; no fit).

The default adopted in stop 25 (shock-only SNR models, seven members) is the registered candidate of
``misreported_errors.py``, whose records are counted unchanged: the 22 choice tasks, families 5-15 and
(fitted after its rules were applied) families 1-4. The replaced default is the default of stop 22
(``all_families.default_records``, its fits of family 14 in ``spectrograph_arm.py`` and of family 15 in
``misreported_errors.py``). Same table as ``all_families.py``. Labels only score.

    python benchmarks/default_families.py report                     # -> results/default_families.md
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _registered import load, main  # noqa: E402
from all_families import EARLY, LATER, PAPER_DANN, _early_names, default_records, families_report, stored  # noqa: E402
from misreported_errors import CANDIDATE, FAMILY, PREFIX, error_tasks  # noqa: E402
from spectrograph_arm import FAMILY as FOURTEENTH  # noqa: E402
from spectrograph_arm import PREFIX as ARM_RUN  # noqa: E402
from spectrograph_arm import arm_tasks  # noqa: E402

DEFAULT = "default of stop 25 (shock-only SNR models, 7 members)"
REPLACED = "default of stop 22 (5 members)"


def run(shard: str) -> None:
    raise SystemExit("default_families.py fits nothing: its records are misreported_errors.py's")


def report() -> None:
    mine = load(f"{PREFIX}_*.jsonl", CANDIDATE)
    replaced = {**default_records(), **load(f"{ARM_RUN}_*.jsonl", "default"), **load(f"{PREFIX}_*.jsonl", "default")}
    early = _early_names()
    own = {DEFAULT: {k: r for k, r in mine.items() if k[0] in early},
           REPLACED: {k: r for k, r in replaced.items() if k[0] in early}, PAPER_DANN: stored(PAPER_DANN, early)}
    intro = ("`python benchmarks/default_families.py report`. Balanced accuracy of what `nebuladapt predict` writes, "
             "seeds 0-2; family mean over tasks x seeds; std ddof=1; ECE of the maximum probability on the rows that "
             "get one, seed mean, then mean (worst task) over the tasks. Default: the records of the registered "
             "candidate of `misreported_errors.py` (families 1-4 fitted after its rules were applied); replaced "
             "default: the default of stop 22 (`all_families.py`, `spectrograph_arm.py`, `misreported_errors.py`); "
             "paper DANN: the fits of each family's registered run. Nothing is chosen from this table: only the "
             "fifteenth family was held out of the choice of this default.")
    families_report("default_families.md", "The default of stop 25 on every held-out family (report only)", intro,
                    (mine, replaced, own), {**EARLY, **LATER, FOURTEENTH: arm_tasks, FAMILY: error_tasks})


if __name__ == "__main__":
    main(__doc__, run, report)
