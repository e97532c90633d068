"""Would more members make the default seed-stable? Each member's predictions, pooled (report only).

Stop 26 found the default's seed spread in its seven members' vote, not in the distillation
(``weight_average.md``), and five members -> seven did not cut the number of tasks that spread.
Here the package default is fitted with seeds 0-3 on every task (the choice tasks and families
1-15), and each fit keeps each of its seven members' target probabilities (the members of seeds
0-3 are 28 independent draws of a member: their seeds come from ``numpy.random.SeedSequence``).
The report resamples ``K`` members with replacement from a task's pool of 28 (a bootstrap of the
member distribution), takes their mean probabilities (the distilled network's teacher) and the
class ``nebuladapt predict`` would write from it, and gives, per ``K``, the standard deviation of
balanced accuracy over the resampled ensembles: the seed spread the default would have with ``K``
members (without the distillation, which adds no spread: ``weight_average.md``). The prediction for
``K = 7`` is checked against the spread the default shows over seeds 0-4 (``five_seeds.md``), and
each fit's distilled probabilities against the stored records of the same seed (exact
reproduction). Nothing is chosen from it; labels only score.

    nice -n 10 python benchmarks/member_pool.py run --shard 0/2     # and 1/2, in parallel (212 fits)
    python benchmarks/member_pool.py report                         # -> results/member_pool.md
"""

from __future__ import annotations

import sys
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _registered import RESULTS, main, predicted, read_records, run_jobs  # noqa: E402
from trust_suite import record_usable  # noqa: E402
from all_families import choice_tasks  # noqa: E402
from five_seeds import PACKAGE, seed_records, seed_values, spread_tasks  # noqa: E402
from weight_average import default_tasks  # noqa: E402

from nebuladapt.evaluation.metrics import classification_scores  # noqa: E402
from nebuladapt import CLASSES  # noqa: E402
from nebuladapt.models import ensemble  # noqa: E402
from nebuladapt.models.inference import AMBIGUOUS_BELOW  # noqa: E402

PREFIX = "member_pool"
#: The default without its target-entropy term: do its members also disagree confidently? (a probe of the cause)
NO_ENTROPY = "default, no entropy term"
#: Real fits with ten members (distilled as ``fit`` does) on :data:`CHECK_TASKS`, seeds 0-4: does the pool's
#: prediction for K = 10 hold for the fitted network?
TEN = "default, 10 members"
PARAMS = {NO_ENTROPY: {"entropy_weight": 0.0}, TEN: {"members": 10}}
#: The two choice tasks that spread most over seeds 0-4 (the observed and the predicted one).
CHECK_TASKS = ("NEAT HII", "no SII6716_6730 in all rows")
CHECK_SEEDS = (0, 1, 2, 3, 4)
POOL_SEEDS = (0, 1, 2, 3)
#: Ensemble sizes the report predicts the seed spread of (7 is the default's).
SIZES = (1, 3, 7, 10, 14, 21, 28)
#: Resampled ensembles per task and size.
RESAMPLES = 1000
#: Largest seed spread (std of balanced accuracy) issue 8 allows on a task.
SPREAD = 0.01
#: Members' probabilities are kept to this many decimals (a tie within 1e-4 is not resolved as in the fit).
DECIMALS = 4
#: A row is split where fewer than this share of the pool's members vote for the class of the pool's mean.
SPLIT = 0.8


#: The last fit's (member probabilities, member seeds), for :func:`_extra`.
_KEPT: list = []


@contextmanager
def keep_members():
    """During a fit, keep what ``member_probabilities`` returns (the stacked member probabilities and seeds)."""
    original = ensemble.member_probabilities

    def members(*args, **kwargs):
        stacked, seeds = original(*args, **kwargs)
        _KEPT[:] = [(stacked, seeds)]
        return stacked, seeds

    _KEPT.clear()
    with mock.patch.object(ensemble, "member_probabilities", members):
        yield _KEPT


def _extra(config, model, target) -> dict:
    (stacked, seeds), = _KEPT
    return {"member_seeds": [int(s) for s in seeds], "proba_each_member": np.round(stacked, DECIMALS).tolist()}


def pool_tasks() -> dict:
    """Name -> Task: the tasks that spread over seeds 0-2 (``five_seeds.spread_tasks``) and NEAT HII first, then
    the other choice tasks, then the other held-out tasks (so that a partial run holds the informative tasks)."""
    every, spread = default_tasks()[1], spread_tasks()
    first = {**spread, "NEAT HII": every["NEAT HII"]}
    choice = set(choice_tasks())
    rest = [n for n in every if n not in first]
    return {**first, **{n: every[n] for n in rest if n in choice}, **{n: every[n] for n in rest if n not in choice}}


def probe_tasks() -> dict:
    """Name -> Task of the no-entropy probe: the tasks that spread over seeds 0-2, and NEAT HII."""
    return {**spread_tasks(), "NEAT HII": default_tasks()[1]["NEAT HII"]}


def run(shard: str) -> None:
    """Seeds 0-3 of: the default on :func:`probe_tasks`, the default without its entropy term there, the default
    on every other task; then seeds 0-4 of ten members on :data:`CHECK_TASKS`."""
    probes = probe_tasks()
    jobs = [(config, task, s) for config in (PACKAGE, NO_ENTROPY) for task in probes.values() for s in POOL_SEEDS]
    jobs += [(PACKAGE, task, s) for name, task in pool_tasks().items() if name not in probes for s in POOL_SEEDS]
    jobs += [(TEN, pool_tasks()[name], s) for name in CHECK_TASKS for s in CHECK_SEEDS]
    run_jobs(jobs, PREFIX, shard, {PACKAGE: keep_members, NO_ENTROPY: keep_members, TEN: keep_members},
             extra=_extra, params=PARAMS)


def pool_records() -> dict:
    """(config, task, seed) -> this script's records."""
    return {(r["config"], r["task"], r["seed"]): r for r in read_records(f"{PREFIX}_*.jsonl")}


def member_pool(records: dict, config: str, name: str) -> np.ndarray | None:
    """The pool (n_members, n_rows, n_classes) of ``config`` on task ``name``, None unless every seed is there."""
    if not all((config, name, s) in records for s in POOL_SEEDS):
        return None
    return np.concatenate([np.asarray(records[(config, name, s)]["proba_each_member"], float) for s in POOL_SEEDS])


def balanced_accuracies(task, record: dict, means: np.ndarray) -> np.ndarray:
    """Balanced accuracy of the class ``nebuladapt predict`` writes from each of ``means`` (n_sets, n_rows, n_classes).

    Unclassified rows count as wrong; the first set is checked against :func:`classification_scores`.
    """
    classes, usable = np.asarray(record["classes"]), record_usable(record, task)
    truth = np.asarray(task.labels).astype(str)
    chosen = np.where(usable[None, :], np.argmax(means, axis=2), -1)
    present = [c for c in CLASSES if (truth == c).any()]
    recalls = [(chosen[:, truth == c] == np.flatnonzero(classes == c)[0]).mean(axis=1) for c in present]
    values = np.mean(recalls, axis=0)
    check = classification_scores(truth, predicted({**record, "proba": means[0].tolist()}, task))["balanced_accuracy"]
    if not np.isclose(values[0], check):
        raise AssertionError(f"{task.name}: {values[0]} != {check}")
    return values


def resampled(task, record: dict, pool: np.ndarray, sizes=SIZES, resamples: int = RESAMPLES, seed: int = 0) -> dict:
    """Size -> balanced accuracy of ``resamples`` ensembles of that many members drawn with replacement from ``pool``
    (each size its own random stream, so that a size's values do not depend on the other sizes)."""
    def draw(k):
        return np.random.default_rng([seed, k]).integers(len(pool), size=(resamples, k))

    return {k: balanced_accuracies(task, record, pool[draw(k)].mean(axis=1)) for k in sizes}


def split_rows(pool: np.ndarray) -> tuple[int, float]:
    """Rows where fewer than :data:`SPLIT` of the members vote for the class of the pool's mean, and the median
    probability a member gives its own class on those rows (how confident the disagreeing members are)."""
    votes = np.argmax(pool, axis=2)
    share = (votes == np.argmax(pool.mean(axis=0), axis=1)[None, :]).mean(axis=0)
    split = share < SPLIT
    return int(split.sum()), float(np.median(pool.max(axis=2)[:, split])) if split.any() else float("nan")


def reproduction(records: dict) -> tuple[int, int, int]:
    """(fits compared, distilled probabilities identical to the stored record of that seed, members' mean within 1e-4)."""
    stored = seed_records()
    compared = same = close = 0
    for (config, name, seed), r in records.items():
        old = stored.get((name, seed))
        if config != PACKAGE or old is None:
            continue
        compared += 1
        same += np.array_equal(np.asarray(r["proba"]), np.asarray(old["proba"]))
        mean = np.mean(np.asarray(r["proba_each_member"]), axis=0)
        close += bool(np.allclose(mean, np.asarray(old["proba_members"]), atol=1e-4))
    return compared, same, close


def std(values) -> float:
    return float(np.std(values, ddof=1))


def report() -> None:
    tasks, records, observed, choice = pool_tasks(), pool_records(), seed_values(), set(choice_tasks())
    compared, same, close = reproduction(records)
    pools = {n: p for n in tasks if (p := member_pool(records, PACKAGE, n)) is not None}
    per_task = {n: resampled(tasks[n], records[(PACKAGE, n, 0)], p) for n, p in pools.items()}
    n_pool = len(next(iter(pools.values())))
    lines = ["# More members? The seed spread of the default's vote with K members (report only)", "",
             "`python benchmarks/member_pool.py report`. The package default fitted with seeds "
             f"{POOL_SEEDS[0]}-{POOL_SEEDS[-1]}, each fit keeping its seven members' target probabilities: a pool of "
             f"{n_pool} members per task. For each K, {RESAMPLES} ensembles of K members drawn with "
             "replacement from the pool; balanced accuracy of the class `nebuladapt predict` writes from their mean "
             "probabilities (unclassified rows are wrong); std (ddof=1) over the ensembles = the seed spread "
             "predicted for a default with K members (the distillation adds none: `weight_average.md`). Labels only "
             "score; nothing was chosen from it.", "",
             f"Reproduction: of {compared} fits with a stored record of the same seed (stop 25's records, seeds 0-2; "
             f"`five_seeds.py`, seed 3), {same} give identical distilled probabilities and {close} the stored "
             "members' mean within 1e-4.", "",
             f"Tasks with all {len(POOL_SEEDS)} seeds: {len(pools)} of {len(tasks)}.", "",
             "## How many tasks would spread more than 0.01, by ensemble size K", "",
             "| K | choice tasks with std > 0.01 | largest, choice | held-out tasks with std > 0.01 | largest, held out "
             "| mean std | mean of task means |", "|---|---|---|---|---|---|---|"]
    for k in SIZES:
        spread = {n: std(v[k]) for n, v in per_task.items()}
        c, h = [n for n in spread if n in choice], [n for n in spread if n not in choice]
        lines.append(f"| {k} | {sum(spread[n] > SPREAD for n in c)} of {len(c)} | {max(spread[n] for n in c):.4f} | "
                     f"{sum(spread[n] > SPREAD for n in h)} of {len(h)} | {max(spread[n] for n in h):.4f} | "
                     f"{np.mean(list(spread.values())):.4f} | {np.mean([v[k].mean() for v in per_task.values()]):.3f} |")
    lines += ["", "## Per task: predicted std by K, against the default's observed spread", "",
              "Observed: the distilled default over seeds 0-4 (`five_seeds.md`), std (ddof=1) of five values, itself "
              "uncertain (a 95 % interval for a std of five values spans about 0.6x to 2.9x). Split rows: fewer than "
              f"{SPLIT:.0%} of the {n_pool} members vote for the class of their mean; confidence: the median "
              "probability a member gives its own class on those rows.", "",
              "| task | observed std, seeds 0-4 | " + " | ".join(f"K={k}" for k in SIZES)
              + " | mean, K=7 / K=28 | split rows | confidence there |", "|---|---|" + "---|" * len(SIZES) + "---|---|---|"]
    for n, v in per_task.items():
        obs = observed.get(n, [])
        split, confidence = split_rows(pools[n])
        lines.append(f"| {n}{'' if n in choice else ' (held out)'} | "
                     f"{std(obs) if len(obs) == 5 else float('nan'):.4f} | " + " | ".join(f"{std(v[k]):.4f}" for k in SIZES)
                     + f" | {v[7].mean():.3f} / {v[28].mean():.3f} | {split} of {len(pools[n][0])} | {confidence:.2f} |")
    lines += check_lines(tasks, records, per_task, observed) + probe_lines(records, pools) + confidence_lines()
    (RESULTS / f"{PREFIX}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def hybrid(task, record: dict, default: np.ndarray, plain: np.ndarray, k: int = 7, resamples: int = RESAMPLES,
           seed: int = 0) -> np.ndarray:
    """Balanced accuracy of resampled fits whose rows the ``k`` default members split (fewer than :data:`SPLIT` vote
    for the class of their mean) take the mean of ``k`` members without the entropy term (``plain``) instead: what
    a fit that trained both kinds of member and used the second where the first disagree would give."""
    rng = np.random.default_rng(seed)
    first = default[rng.integers(len(default), size=(resamples, k))]  # (resamples, k, rows, classes)
    second = plain[rng.integers(len(plain), size=(resamples, k))].mean(axis=1)
    mean = first.mean(axis=1)
    agree = (np.argmax(first, axis=3) == np.argmax(mean, axis=2)[:, None, :]).mean(axis=1) >= SPLIT
    return balanced_accuracies(task, record, np.where(agree[:, :, None], mean, second))


def probe_lines(records: dict, pools: dict) -> list[str]:
    """Markdown: the default against the default without its entropy term, on :func:`probe_tasks`."""
    probes = {n: t for n, t in probe_tasks().items() if n in pools and member_pool(records, NO_ENTROPY, n) is not None}
    if not probes:
        return []
    lines = ["", f"## Why: the members with and without the target-entropy term ({NO_ENTROPY!r}, same seeds)", "",
             "Split rows and confidence as above. Last columns (exploratory, a what-if computed from the two pools, no "
             f"fit): seven default members, and where fewer than {SPLIT:.0%} of them vote for their mean's class, the "
             "mean of seven members without the entropy term decides.", "",
             "| task | default: split rows, confidence there | std K=7 / K=28 | mean K=7 | no entropy: split rows, "
             "confidence there | std K=7 / K=28 | mean K=7 | what-if: std K=7 | mean |", "|---|---|---|---|---|---|---|---|---|"]
    for n, t in probes.items():
        cells = []
        for config in (PACKAGE, NO_ENTROPY):
            pool = member_pool(records, config, n)
            v = resampled(t, records[(config, n, 0)], pool, sizes=(7, 28))
            split, confidence = split_rows(pool)
            cells.append(f"{split}, {confidence:.2f} | {std(v[7]):.4f} / {std(v[28]):.4f} | {v[7].mean():.3f}")
        mixed = hybrid(t, records[(PACKAGE, n, 0)], pools[n], member_pool(records, NO_ENTROPY, n))
        lines.append(f"| {n} | " + " | ".join(cells) + f" | {std(mixed):.4f} | {mixed.mean():.3f} |")
    return lines


def check_lines(tasks: dict, records: dict, per_task: dict, observed: dict) -> list[str]:
    """Markdown: real ten-member fits (:data:`TEN`) on :data:`CHECK_TASKS` of ``tasks`` against the pool's prediction
    for K = 10."""
    done = [n for n in CHECK_TASKS if all((TEN, n, s) in records for s in CHECK_SEEDS)]
    if not done:
        return []
    lines = ["", f"## Check: the default with ten members, fitted (seeds {CHECK_SEEDS[0]}-{CHECK_SEEDS[-1]}, distilled as "
             "`fit` does)", "", "| task | default (7): observed std, seeds 0-4 | ten members: predicted std (pool, K=10) "
             "| ten members: observed std, seeds 0-4 (per seed) | fit time, default / ten members (mean s) |",
             "|---|---|---|---|---|"]
    for n in done:
        values = [balanced_accuracies(tasks[n], records[(TEN, n, s)],
                                      np.asarray(records[(TEN, n, s)]["proba"], float)[None])[0] for s in CHECK_SEEDS]
        fit_s = [np.mean([records[(c, n, s)]["fit_s"] for s in seeds])
                 for c, seeds in ((PACKAGE, POOL_SEEDS), (TEN, CHECK_SEEDS))]
        lines.append(f"| {n} | {std(observed[n]):.4f} | {std(per_task[n][10]):.4f} | {std(values):.4f} "
                     f"({' / '.join(f'{v:.3f}' for v in values)}) | {fit_s[0]:.1f} / {fit_s[1]:.1f} |")
    return lines


#: Bins of a row's highest probability in one fit, for :func:`confidence_lines`.
CONFIDENCE_BINS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0 + 1e-9)


def confidence_lines() -> list[str]:
    """Markdown: how often a row's class in one fit differs from its commonest class over seeds 0-4, by the
    row's highest probability in that fit (the default's stored records, every task; what a user can read off
    ``prob_*``), and how often flagged and other rows are right. Rows a fit leaves unclassified are left out."""
    every, records = default_tasks()[1], seed_records()
    choice = set(choice_tasks())
    counts = {label: np.zeros((3, len(CONFIDENCE_BINS) - 1)) for label in ("choice", "held out")}
    for name, task in every.items():
        fits = [r for s in range(5) if (r := records.get((name, s)))]
        if len(fits) < 5:
            continue
        classes = np.array([predicted(r, task) for r in fits])  # (5, rows)
        top = np.array([np.max(np.asarray(r["proba"]), axis=1) for r in fits])
        usual = np.array([Counter(col.tolist()).most_common(1)[0][0] for col in classes.T])  # a tie: the earlier seed
        right = classes == np.asarray(task.labels).astype(str)[None, :]
        off = classes != usual[None, :]
        keep = classes != ""
        which = np.digitize(top, CONFIDENCE_BINS) - 1
        table = counts["choice" if name in choice else "held out"]
        for b in range(len(CONFIDENCE_BINS) - 1):
            table[0, b] += (keep & (which == b)).sum()
            table[1, b] += (keep & (which == b) & off).sum()
            table[2, b] += (keep & (which == b) & right).sum()
    bins = [f"{lo:.2f}-{min(hi, 1.0):.2f}" for lo, hi in zip(CONFIDENCE_BINS[:-1], CONFIDENCE_BINS[1:])]
    lines = ["", "## Which rows change class with the seed: by the highest probability a fit gives the row", "",
             "The default's fits with seeds 0-4 (stored: stop 25's records, `five_seeds.py`), every task; per row and "
             "fit: its highest probability, and whether its class differs from the row's commonest class over the five "
             "seeds (a tie: the class of the earlier seed). Share of row-fits whose class is not the commonest (row-fits in the bin).", "",
             "| highest probability | " + " | ".join(bins) + f" | below {AMBIGUOUS_BELOW} (flag `ambiguous`) | "
             f"{AMBIGUOUS_BELOW} or more |", "|---|" + "---|" * (len(bins) + 2)]
    low = np.array(CONFIDENCE_BINS[:-1]) < AMBIGUOUS_BELOW - 1e-9
    for label, table in counts.items():
        pooled = [table[:, low].sum(axis=1), table[:, ~low].sum(axis=1)]
        lines.append(f"| {label} tasks | " + " | ".join(
            f"{off / n:.3f} ({int(n)})" if n else "- (0)" for n, off, _ in [*table.T, *pooled]) + " |")
    lines.append("")
    for label, table in counts.items():
        lines.append(f"* {label} tasks: the flag marks {table[0, low].sum() / table[0].sum():.1%} of the row-fits and "
                     f"{int(table[1, low].sum())} of the {int(table[1].sum())} whose class is not the row's commonest; "
                     f"classes right (labels only score): {table[2, low].sum() / table[0, low].sum():.1%} of the "
                     f"flagged row-fits, {table[2, ~low].sum() / table[0, ~low].sum():.1%} of the others.")
    return lines


if __name__ == "__main__":
    main(__doc__, run, report)
