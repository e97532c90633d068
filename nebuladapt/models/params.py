"""Every parameter of :class:`~nebuladapt.models.estimator.NebulaClassifier`, declared once.

Each :class:`Param` gives the type, the allowed values or range, the default
and the help text. The estimator's ``__init__`` signature (:func:`init_signature`), its
scikit-learn ``_parameter_constraints`` (checked at ``fit``), the
``nebuladapt fit`` options and their help all derive from :data:`PARAMS`, so
``NebulaClassifier()`` is what ``nebuladapt fit`` trains.

This module imports neither PyTorch nor scikit-learn (the command line reads
it to build ``--help``).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

from nebuladapt.models.losses import alignment_names
from nebuladapt.noise import NOISE_KINDS

__all__ = [
    "Param",
    "PARAMS",
    "DEFAULTS",
    "METHODS",
    "NOISE_CHOICES",
    "PRIOR_CORRECTIONS",
    "ADAPTATION_ONLY",
    "param",
    "init_signature",
    "sklearn_constraints",
    "check_tuples",
    "store_init_arguments",
    "START_FRACTION",
    "start_steps",
    "steps_trained",
]

#: ``nn``: source-only network; ``dann``: adapted to the target catalogue with
#: the ``alignment`` method (and the entropy add-on).
METHODS = ("nn", "dann")
#: ``auto``: ``matched`` where the target rows give usable errors, else ``fixed``.
NOISE_CHOICES = ("auto",) + NOISE_KINDS
#: ``none``: posteriors for balanced classes (as trained); ``em``: posteriors
#: under the target class proportions estimated by EM (Saerens et al. 2002).
PRIOR_CORRECTIONS = ("none", "em")
#: Parameters that only act when ``method`` adapts to the target: with
#: ``method="nn"`` no adaptation loss is built, so they (the entropy term
#: included) have no effect.
ADAPTATION_ONLY = ("alignment", "domain_weight", "entropy_weight", "members", "n_jobs", "match_members")


@dataclass(frozen=True)
class Param:
    """Declaration of one estimator parameter.

    Attributes
    ----------
    name : str
    kind : type
        ``str``, ``int``, ``float``, ``bool`` or ``tuple`` (of positive ints);
        ``object`` for anything else (validated by its own type).
    default : object
    help : str
    choices : tuple of str, optional
        Allowed values of a ``str`` parameter.
    low, high : float, optional
        Range of a number; ``closed`` says which ends are included
        (``"both"``, ``"left"``, ``"right"``, ``"neither"``).
    cli : bool
        Whether ``nebuladapt fit`` exposes it as ``--name-with-dashes``.
    """

    name: str
    kind: type
    default: Any
    help: str
    choices: tuple | None = None
    low: float | None = None
    high: float | None = None
    closed: str = "both"
    cli: bool = False


PARAMS: tuple[Param, ...] = (
    Param("method", str, "dann", "nn: source-only network; dann: adapted to the target catalogue",
          choices=METHODS, cli=True),
    Param("noise", str, "auto", "Noise injected on the model fluxes: auto = matched to the "
          "catalogue's errors where it has any, else fixed", choices=NOISE_CHOICES, cli=True),
    Param("noise_level", float, 0.1, "Fractional noise of 'fixed' (and fallback of 'matched')",
          low=0.0, high=None, closed="left", cli=True),
    Param("hidden", tuple, (64, 64), "Feature-extractor layer sizes"),
    Param("n_steps", int, 1000, "Training steps (of each member and of the final network)", low=1,
          closed="left", cli=True),
    Param("members", int, 7, "Networks trained with seeds derived from the seed; their mean target "
          "probabilities are distilled into the one network saved (1: a single network). 7 since "
          "benchmarks/results/misreported_errors_result.md", low=1, closed="left", cli=True),
    Param("n_jobs", int, -1, "Processes that train the members at once (-1: one per CPU core, 1: one after the "
          "other). The fitted model does not depend on it", low=-1, closed="left", cli=True),
    Param("batch_size", int, 256, "Source rows per step (class-balanced)", low=1, closed="left"),
    Param("lr", float, 1e-3, "Adam learning rate", low=0.0, closed="neither"),
    Param("domain_weight", float, 0.3, "Maximum weight of the alignment term (gradient-reversal "
          "strength for adversarial methods)", low=0.0, closed="left", cli=True),
    Param("diffuse_gas", float, 0.5, "Most of an HII or SNR model's Halpha given to diffuse ionised gas in "
          "training, drawn U(0, x) per model and step (nebuladapt.diffuse_gas; 0 = off). 0.5 since "
          "benchmarks/results/half_gas_result.md", low=0.0, high=1.0, closed="left", cli=True),
    Param("diffuse_gas_models", float, 0.5, "With diffuse_gas: the share of the HII and SNR models blended at "
          "each step (each drawn with this probability; the others stay as modelled). 0.5 since "
          "benchmarks/results/half_gas_result.md", low=0.0, high=1.0, closed="right", cli=True),
    Param("mask_prob", float, 0.1, "Probability of masking each feature of a source row in training",
          low=0.0, high=1.0, closed="left"),
    Param("feature_spec", object, None, "Line ratios used as features (None: the default spec)"),
    Param("alignment", str, "marginal", "Adaptation method: " + ", ".join(alignment_names()),
          choices=alignment_names(), cli=True),
    Param("prior_correction", str, "none", "em: probabilities re-weighted to the EM-estimated "
          "class proportions of the target", choices=PRIOR_CORRECTIONS, cli=True),
    Param("calibrate", bool, False, "Fit a softmax temperature on held-out, noise-perturbed models "
          "(off by default: it made calibration on the target task suite worse)"),
    Param("match_members", bool, False, "With members > 1: fit the softmax temperature of the saved network "
          "so that its probabilities on the target rows match the members' mean (no label; "
          "benchmarks/results/members_temperature_registration.md)", cli=True),
    Param("validation_fraction", float, 0.1, "Fraction of source models held out (calibration)",
          low=0.0, high=1.0, closed="left"),
    Param("checkpoint_steps", tuple, (), "Steps at which to keep a copy of the weights"),
    Param("entropy_weight", float, 1.0, "Weight of target-entropy minimisation (0 = off)",
          low=0.0, closed="left", cli=True),
    Param("random_state", int, 0, "Random seed (same seed, same predictions on the same CPU; on another CPU model the "
          "probabilities can differ in the second decimal)", low=0,
          closed="left"),
)

#: name -> default value.
DEFAULTS: dict[str, Any] = {p.name: p.default for p in PARAMS}


def param(name: str) -> Param:
    """The declaration of parameter ``name``."""
    for p in PARAMS:
        if p.name == name:
            return p
    raise KeyError(name)


#: Steps of each source-only start of an ensemble fit, as a fraction of ``n_steps`` (300 of the
#: default 1000; chosen by the registered rules of ``benchmarks/results/crowded_registration.md``).
START_FRACTION = 0.3


def start_steps(n_steps: int) -> int:
    """Steps of each source-only start of a fit of ``n_steps`` (:data:`START_FRACTION`, at least 1)."""
    return max(1, round(START_FRACTION * int(n_steps)))


def steps_trained(members: int, method: str, n_steps: int) -> int:
    """How many training steps a fit takes, one network after the other.

    ``n_steps``, or with ``members > 1`` and an adapting ``method``: for the distilled network and
    for each of the ``members``, a source-only start of :func:`start_steps` steps and then
    ``n_steps`` (:func:`nebuladapt.models.ensemble.distillation_losses`).
    """
    return (members + 1) * (start_steps(n_steps) + n_steps) if members > 1 and method != "nn" else n_steps


def init_signature() -> inspect.Signature:
    """The estimator's ``__init__`` signature: ``self`` and every :data:`PARAMS` entry,
    in order, with its default (what scikit-learn's ``get_params`` reads)."""
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    parameters = [inspect.Parameter("self", kind)] + [
        inspect.Parameter(
            p.name, kind, default=p.default,
            annotation=inspect.Parameter.empty if p.kind is object else p.kind,
        )
        for p in PARAMS
    ]
    return inspect.Signature(parameters, return_annotation=None)


def sklearn_constraints() -> dict:
    """The declarations as scikit-learn ``_parameter_constraints``.

    Tuple parameters are constrained to ``tuple`` or ``list`` here; their
    elements are checked by :func:`check_tuples`.
    """
    # The one import of a private module in the package, kept on purpose. The
    # ``_parameter_constraints`` protocol (checked by ``BaseEstimator._validate_params``)
    # accepts ranges and choice sets only as these two classes, and scikit-learn has no
    # public home for them: its maintainers keep them private "on purpose ... subject to
    # change without deprecation" (scikit-learn issue #28963). The alternatives are worse:
    # imbalanced-learn vendors a copy of the whole module; skada declares no constraints.
    # The sklearn estimator checks (tests/models/test_sklearn_checks.py) and the
    # per-parameter tests (tests/models/test_params.py) fail if they move.
    from sklearn.utils._param_validation import Interval, StrOptions

    from nebuladapt.features import FeatureSpec

    constraints: dict = {}
    for p in PARAMS:
        if p.choices is not None:
            constraints[p.name] = [StrOptions(set(p.choices))]
        elif p.kind is bool:
            constraints[p.name] = ["boolean"]
        elif p.kind in (int, float):
            kind = Integral if p.kind is int else Real
            constraints[p.name] = [Interval(kind, p.low, p.high, closed=p.closed)]
        elif p.kind is tuple:
            constraints[p.name] = [tuple, list]
        else:
            constraints[p.name] = [FeatureSpec, None]
    return constraints


def check_tuples(values: dict) -> None:
    """Raise ValueError unless every ``tuple`` parameter in ``values`` holds positive ints.

    ``hidden`` must moreover be non-empty.
    """
    for p in PARAMS:
        if p.kind is not tuple or p.name not in values:
            continue
        value = values[p.name]
        if not all(isinstance(v, Integral) and not isinstance(v, bool) and v > 0 for v in value) or (
            p.name == "hidden" and len(value) == 0
        ):
            raise ValueError(f"The {p.name!r} parameter must be {p.help.lower()} (positive ints); got {value!r}")


def store_init_arguments(estimator, arguments: dict) -> None:
    """Keep each ``__init__`` argument unchanged as the attribute of the same name.

    scikit-learn's convention (``get_params`` reads the attributes named in the
    signature); an estimator's ``__init__`` calls ``store_init_arguments(self, locals())``
    so that the signature is the only list of its parameters.

    Parameters
    ----------
    estimator : object
        The estimator being constructed.
    arguments : dict
        Argument name -> value (``locals()`` at the start of ``__init__``);
        ``self`` and ``__class__`` are skipped.
    """
    for name, value in arguments.items():
        if name not in ("self", "__class__"):
            setattr(estimator, name, value)
