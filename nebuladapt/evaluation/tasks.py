"""A suite of labelled target tasks built from what nebuladapt ships (no ../shared at run time).

One benchmark is one draw of class mix, provenance and data quality; a default
chosen on it can be lucky. :func:`build_task_suite` makes many target
catalogues from the shipped benchmark (:mod:`nebuladapt.benchmark`) and the
shipped grids (:mod:`nebuladapt.grids`), each seeded and each with a group id
per row (the object a row measures, :func:`nebuladapt.benchmark.benchmark_groups`)
for bootstrap intervals by object. Families:

* ``mix``: the benchmark resampled (with replacement, :data:`MIX_SIZE` rows) to
  HII-dominated (90/5/5), PN-rich (20/60/20), SNR-only and HII-only mixes;
* ``provenance``: each source alone (NEAT HII, Ho 2019, NEAT PN, Long+19 SNR)
  and Long+19 SNRs with NEAT PNe;
* ``quality``: the benchmark as shipped, without its flux errors, and with
  extra Gaussian noise at S/N 20 and 5 on every line (errors updated);
* ``missing``: Hbeta, [OIII] or [SII] removed from 30 % of rows at random,
  from every row, or class-correlated (from :data:`CORRELATED_FRACTION` of one
  class: Hbeta from HII regions as in dusty PHANGS regions, [OIII] from SNRs,
  [SII] from PNe);
* ``synthetic shift`` (:data:`HELD_OUT_FAMILY`): grid models of a slice held
  out of training (metal-poor: lowest [NII]/Halpha of each photoionised grid
  and the SMC/LMC-abundance shocks; high-ionisation: highest [OIII]/Hbeta of
  each class), reddened (``E(B-V) ~ Exp(0.3)``) and noisy (S/N ~ U(5, 20)),
  classes 60/20/20. Training uses the grids *without* the slice
  (:attr:`Task.source_keep`).

Line removal and noise are applied to the observed fluxes before the
Balmer-decrement dereddening (:func:`nebuladapt.dust.deredden_catalog`), as a
survey would deliver them; the returned catalogues are dereddened. Labels are
for scoring only.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from nebuladapt import CLASSES
from nebuladapt.benchmark import benchmark_catalog, load_benchmark
from nebuladapt.catalogs import LineCatalog
from nebuladapt.dust import deredden_catalog, extinction_k
from nebuladapt.features import FeatureSpec, catalog_line_matrix, default_feature_spec, log_ratios, usable_rows
from nebuladapt.grids import default_source_rows, load_source_grids, source_line_fluxes

__all__ = [
    "Task",
    "CORE_TASKS",
    "FAMILIES",
    "HELD_OUT_FAMILY",
    "MIX_SIZE",
    "CORRELATED_FRACTION",
    "LINE_GROUPS",
    "remove_lines",
    "subset_catalog",
    "build_task_suite",
    "slice_task",
    "task_arrays",
]

FAMILIES = ("mix", "provenance", "quality", "missing", "synthetic shift")
#: Family kept out of every choice and reported last, as confirmation.
HELD_OUT_FAMILY = "synthetic shift"
#: Rows of each resampled class-mix task.
MIX_SIZE = 240
#: Class-correlated removal: this fraction of one class's rows loses the line.
CORRELATED_FRACTION = 0.6
#: Catalogue columns removed together for each line (doublet partners and sums,
#: so that the line cannot be re-inferred from a partner).
LINE_GROUPS = {
    "HB4861": ("HB4861",),
    "OIII5006": ("OIII5006", "OIII4958"),
    "SII6716_6730": ("SII6716_6730", "SII6716", "SII6730"),
}
#: A cross-section of the suite (every family, the hard cases) for the measurements
#: that cost many fits per task (more seeds, alternatives, scorer sanity).
CORE_TASKS = (
    "HII-dominated 90/5/5", "PN-rich 20/60/20", "NEAT PN", "Long+19 SNR", "benchmark as shipped",
    "extra noise S/N 5", "no HB4861 in all rows", "no HB4861 in 60% of HII", "metal-poor slice",
    "high-ionisation slice",
)  # fmt: skip
_CORRELATED_CLASS = {"HB4861": "HII", "OIII5006": "SNR", "SII6716_6730": "PN"}
_MIXES = {
    "HII-dominated 90/5/5": (0.90, 0.05, 0.05),
    "PN-rich 20/60/20": (0.20, 0.60, 0.20),
    "SNR only": (0.0, 0.0, 1.0),
    "HII only": (1.0, 0.0, 0.0),
}


@dataclass
class Task:
    """One labelled target catalogue.

    Attributes
    ----------
    name, family : str
    catalog : LineCatalog
        Dereddened where the Balmer decrement allows; unlabelled for fitting.
    labels : ndarray of str
        True class per row (scoring only).
    groups : ndarray of str
        Object id per row, for bootstraps by object.
    seed : int
        Seed the task was drawn with.
    removed : dict of str to ndarray of bool
        Line -> rows from which the task removed it (``missing`` family).
    source_keep : ndarray of bool or None
        Rows of :func:`~nebuladapt.grids.source_line_fluxes` to train on
        (None: all).
    description : str
    """

    name: str
    family: str
    catalog: LineCatalog
    labels: np.ndarray
    groups: np.ndarray
    seed: int
    removed: dict = field(default_factory=dict)
    source_keep: np.ndarray | None = None
    description: str = ""

    def __len__(self) -> int:
        return len(self.labels)

    def usable(self, spec: FeatureSpec | None = None, case_b: bool = True) -> np.ndarray:
        """Rows with at least one computable feature of ``spec`` (default ratios): the rows a model classifies
        (``case_b``: as :func:`~nebuladapt.features.catalog_line_matrix` reads them)."""
        spec = spec or default_feature_spec()
        return usable_rows(log_ratios(catalog_line_matrix(self.catalog, spec.lines, case_b)[0], spec))


def subset_catalog(catalog: LineCatalog, rows) -> LineCatalog:
    """Rows of a catalogue (repeats allowed), every per-row array taken alike.

    Parameters
    ----------
    catalog : LineCatalog
    rows : array-like of int

    Returns
    -------
    LineCatalog
    """
    rows = np.asarray(rows, dtype=int)
    meta = {k: (v[rows] if isinstance(v, np.ndarray) and v.shape[:1] == (len(catalog),) else v)
            for k, v in catalog.meta.items()}  # fmt: skip
    return replace(
        catalog,
        table=catalog.table[rows],
        flux={k: v[rows] for k, v in catalog.flux.items()},
        flux_err={k: v[rows] for k, v in catalog.flux_err.items()},
        dust_corrected=catalog.dust_corrected[rows],
        meta=meta,
        upper_limits={k: v[rows] for k, v in catalog.upper_limits.items()},
        limit_flux={k: v[rows] for k, v in catalog.limit_flux.items()},
    )


def remove_lines(catalog: LineCatalog, line: str, rows: np.ndarray, columns=None) -> LineCatalog:
    """The catalogue without ``line`` in ``rows``.

    A row without Hbeta cannot have been dereddened by its decrement, so it loses its
    ``dust_corrected`` flag (else Hbeta would be re-inferred from Halpha by case B).

    Parameters
    ----------
    catalog : LineCatalog
    line : str
        Canonical line name.
    rows : ndarray of int or bool
        Rows that lose the line.
    columns : sequence of str, optional
        Catalogue lines blanked with it (default :data:`LINE_GROUPS` of ``line``: its doublet
        partners and sums, so that it cannot be re-inferred).

    Returns
    -------
    LineCatalog
    """
    dust_corrected = catalog.dust_corrected.copy()
    if line == "HB4861":
        dust_corrected[rows] = False
    flux = {k: v.copy() for k, v in catalog.flux.items()}
    flux_err = {k: v.copy() for k, v in catalog.flux_err.items()}
    for name in LINE_GROUPS[line] if columns is None else columns:
        for values in (flux.get(name), flux_err.get(name)):
            if values is not None:
                values[rows] = np.nan
    return replace(catalog, flux=flux, flux_err=flux_err, dust_corrected=dust_corrected)


def _add_noise(catalog: LineCatalog, snr: float, rng) -> LineCatalog:
    flux, flux_err = {}, {}
    for name, values in catalog.flux.items():
        sigma = np.abs(values) / snr
        flux[name] = values + sigma * rng.standard_normal(len(values))
        old = catalog.flux_err.get(name, np.full(len(values), np.nan))
        flux_err[name] = np.sqrt(sigma**2 + np.where(np.isfinite(old), old, 0.0) ** 2)
    return replace(catalog, flux=flux, flux_err=flux_err)


def _without_errors(catalog: LineCatalog) -> LineCatalog:
    return replace(catalog, flux_err={k: np.full(len(v), np.nan) for k, v in catalog.flux_err.items()})


def _task(name, family, raw: LineCatalog, labels, groups, seed, description, **extra) -> Task:
    return Task(name, family, deredden_catalog(raw), np.asarray(labels).astype(str),
                np.asarray(groups).astype(str), seed, description=description, **extra)  # fmt: skip


def _mix_rows(labels: np.ndarray, fractions, n: int, rng) -> np.ndarray:
    counts = np.floor(np.asarray(fractions) * n).astype(int)
    counts[int(np.argmax(fractions))] += n - counts.sum()
    rows = [rng.choice(np.flatnonzero(labels == c), k, replace=True) for c, k in zip(CLASSES, counts) if k]
    return rng.permutation(np.concatenate(rows))


def _benchmark_tasks(seed: int) -> list[Task]:
    table = load_benchmark()
    raw = benchmark_catalog()
    labels = np.asarray(table["class"]).astype(str)
    groups = np.asarray(table["group_id"]).astype(str)
    catalogue = np.asarray(table["catalogue"]).astype(str)
    rng = np.random.default_rng(seed)
    tasks = []

    def add(name, family, rows, description, catalog=None, **extra):
        rows = np.asarray(rows)
        cat = subset_catalog(catalog if catalog is not None else raw, rows)
        tasks.append(_task(name, family, cat, labels[rows], groups[rows], seed, description, **extra))

    for name, fractions in _MIXES.items():
        add(name, "mix", _mix_rows(labels, fractions, MIX_SIZE, rng), f"benchmark resampled to {fractions}")
    provenance = {
        "NEAT HII": (catalogue == "neat") & (labels == "HII"),
        "Ho 2019 HII (M101)": catalogue == "ho2019",
        "NEAT PN": (catalogue == "neat") & (labels == "PN"),
        "Long+19 SNR": catalogue == "long2019",
        "Long+19 SNR + NEAT PN": (catalogue == "long2019") | ((catalogue == "neat") & (labels == "PN")),
    }
    for name, mask in provenance.items():
        add(name, "provenance", np.flatnonzero(mask), "one provenance of the benchmark")
    every = np.arange(len(labels))
    add("benchmark as shipped", "quality", every, "the shipped benchmark")
    add("no flux errors", "quality", every, "errors dropped (noise falls back to fixed)", _without_errors(raw))
    for snr in (20, 5):
        add(f"extra noise S/N {snr}", "quality", every, f"Gaussian noise flux/{snr} on every line",
            _add_noise(raw, snr, rng))  # fmt: skip
    for line in LINE_GROUPS:
        cls = _CORRELATED_CLASS[line]
        patterns = {
            "30% random": rng.random(len(labels)) < 0.3,
            "all rows": np.ones(len(labels), dtype=bool),
            f"{int(CORRELATED_FRACTION * 100)}% of {cls}": (labels == cls)
            & (rng.random(len(labels)) < CORRELATED_FRACTION),
        }
        for pattern, rows in patterns.items():
            add(f"no {line} in {pattern}", "missing", every, f"{line} removed from {rows.sum()} rows",
                remove_lines(raw, line, rows), removed={line: rows})  # fmt: skip
    return tasks


def _slice_masks(grids, spec_lines=("HB4861", "OIII5006", "HA6562", "NII6583")) -> dict[str, np.ndarray]:
    """Held-out slices of the shipped grids (rows of ``source_line_fluxes``)."""
    labels = np.asarray(grids["class"]).astype(str)
    with np.errstate(divide="ignore", invalid="ignore"):
        n2 = np.log10(np.asarray(grids["NII6583"], float) / np.asarray(grids["HA6562"], float))
        o3 = np.log10(np.asarray(grids["OIII5006"], float) / np.asarray(grids["HB4861"], float))
    metal_poor = np.zeros(len(labels), dtype=bool)
    high_ion = np.zeros(len(labels), dtype=bool)
    for cls in CLASSES:
        rows = labels == cls
        high_ion |= rows & (o3 >= np.nanquantile(o3[rows], 0.85))
        if cls != "SNR":
            metal_poor |= rows & (n2 <= np.nanquantile(n2[rows], 0.15))
    series = np.asarray(grids["abundance_series"]).astype(str)
    metal_poor |= (labels == "SNR") & np.isin(series, ["P", "Q"])  # Allen+08 SMC, LMC
    return {"metal-poor slice": metal_poor, "high-ionisation slice": high_ion}


def slice_task(name: str, held_out: np.ndarray, seed: int, n: int = 300, family: str = HELD_OUT_FAMILY) -> Task:
    """A target made of grid models held out of training, reddened and noisy.

    ``n`` rows drawn from the ``held_out`` models (class mix 0.6/0.2/0.2
    HII/PN/SNR), reddened with E(B-V) ~ Exp(0.3), Halpha S/N ~ U(5, 20) and
    Gaussian noise; the task trains on the other models (``source_keep``).

    Parameters
    ----------
    name : str
    held_out : ndarray of bool
        Rows of :func:`~nebuladapt.grids.source_line_fluxes` (and of
        :func:`~nebuladapt.grids.load_source_grids`) to hold out.
    seed : int
    n : int
    family : str

    Returns
    -------
    Task
    """
    rng = np.random.default_rng(seed)
    lines = ["HB4861", "OIII5006", "HA6562", "NII6583", "SII6716_6730"]
    flux, labels, _ = source_line_fluxes(lines)
    fractions = (0.6, 0.2, 0.2)
    rows = _mix_rows(np.where(held_out, labels, ""), fractions, n, rng)
    intrinsic = flux[rows]
    ebv = rng.exponential(0.3, n)
    k = np.array([extinction_k(line) for line in lines])
    reddened = intrinsic * 10.0 ** (-0.4 * ebv[:, None] * k[None, :])
    snr = rng.uniform(5, 20, (n, 1)) * np.sqrt(reddened / reddened[:, [2]])  # S/N of Halpha 5-20
    err = reddened / np.maximum(snr, 1.0)
    observed = reddened + err * rng.standard_normal(reddened.shape)
    from astropy.table import Table

    table = Table({"object_id": np.array([f"synthetic_{i:04d}" for i in range(n)])})
    catalog = LineCatalog(
        table=table, flux=dict(zip(lines, observed.T.copy())), flux_err=dict(zip(lines, err.T.copy())),
        source=f"SYNTHETIC {name}",
    )  # fmt: skip
    groups = np.array([f"model_{r}" for r in rows])  # a grid model drawn twice is one object
    return _task(name, family, catalog, labels[rows], groups, seed,
                 "grid slice held out of training, reddened and noisy", source_keep=~held_out)  # fmt: skip


def build_task_suite(seed: int = 0, families=FAMILIES) -> list[Task]:
    """All tasks of the suite (see the module docstring), deterministic for a seed.

    Parameters
    ----------
    seed : int
    families : sequence of str
        Subset of :data:`FAMILIES`.

    Returns
    -------
    list of Task
    """
    unknown = set(families) - set(FAMILIES)
    if unknown:
        raise ValueError(f"unknown task families {sorted(unknown)}; known: {FAMILIES}")
    tasks = [t for t in _benchmark_tasks(seed) if t.family in families]
    if HELD_OUT_FAMILY in families:
        grids = load_source_grids()
        for i, (name, held_out) in enumerate(_slice_masks(grids).items()):
            tasks.append(slice_task(name, held_out, seed + 1 + i))
    return tasks


def task_arrays(task: Task, spec: FeatureSpec | None = None):
    """skada-style arrays of a task: the default source set (minus any held-out slice) then the catalogue.

    Returns
    -------
    X, y, sample_domain, X_err : ndarray
        As :func:`nebuladapt.models.fitting.domain_arrays`.
    target_X : ndarray
        The target rows of ``X``.
    """
    spec = spec or default_feature_spec()
    source_flux, source_labels, _ = source_line_fluxes(spec.lines)
    keep = default_source_rows() if task.source_keep is None else default_source_rows() & task.source_keep
    source_flux, source_labels = source_flux[keep], source_labels[keep]
    target_flux, target_err, _ = catalog_line_matrix(task.catalog, spec.lines)
    X = np.vstack([source_flux, target_flux])
    y = np.concatenate([source_labels.astype(object), np.full(len(target_flux), -1, dtype=object)])
    sample_domain = np.concatenate([np.ones(len(source_flux), int), np.full(len(target_flux), -2, int)])
    X_err = np.vstack([np.full_like(source_flux, np.nan), target_err])
    return X, y, sample_domain, X_err, target_flux
