"""Registry of the emission lines nebuladapt uses.

One place for canonical line names (PHANGS-MUSE style, e.g. ``HA6562``), rest
wavelengths in air, the aliases met in survey catalogues and model grids, the
summed doublets that some sources only report (``SII6716_6730``), and the fixed
theoretical doublet ratios.

References
----------
Rest wavelengths: NIST Atomic Spectra Database (air wavelengths, as used by
PHANGS-MUSE, Emsellem et al. 2022, A&A 659, A191).
Doublet ratios: [OIII]5007/4959 = 2.98 (Storey & Zeippen 2000, MNRAS 312, 813);
[NII]6583/6548 = 3.05 (Storey & Zeippen 2000; Acker et al. 1989).
Case-B Halpha/Hbeta = 2.86 (Osterbrock & Ferland 2006, T = 10^4 K, n_e = 100 cm^-3).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "EmissionLine",
    "LINES",
    "SUMMED_LINES",
    "DOUBLET_RATIOS",
    "CASE_B_HA_HB",
    "SHORT_NAMES",
    "BENCHMARK_LINES",
    "SYNTHETIC_LINES",
    "bare_line_name",
    "canonical_line_name",
    "derivable_lines",
    "error_column_line",
    "input_lines_for",
    "line_from_wavelength",
    "wavelength_of",
]


@dataclass(frozen=True)
class EmissionLine:
    """One emission line.

    Attributes
    ----------
    name : str
        Canonical name, PHANGS style (``<ION><int wavelength>``).
    wavelength : float
        Rest wavelength in air, in Angstrom.
    label : str
        Human-readable label, e.g. ``[OIII]5007``.
    aliases : tuple of str
        Other spellings met in catalogues, grids and papers.
    """

    name: str
    wavelength: float
    label: str
    aliases: tuple[str, ...] = field(default_factory=tuple)


_LINE_LIST = [
    EmissionLine("OII3726", 3726.03, "[OII]3726", ("OII_3726",)),
    EmissionLine("OII3729", 3728.82, "[OII]3729", ("OII3728", "OII_3729")),
    EmissionLine("HB4861", 4861.33, "Hbeta", ("Hbeta", "HBETA", "Hb", "H_BETA", "HB4862", "HB")),
    EmissionLine("OIII4958", 4958.91, "[OIII]4959", ("OIII4959", "OIII_4959")),
    EmissionLine(
        "OIII5006", 5006.84, "[OIII]5007", ("OIII5007", "OIII_5007", "OIII", "[OIII]5007")
    ),
    EmissionLine("HeI5876", 5875.66, "HeI5876", ("HEI5876", "HeI5875", "HEI5875")),
    EmissionLine("OI6300", 6300.30, "[OI]6300", ("OI_6300", "OI")),
    EmissionLine("NII6548", 6548.05, "[NII]6548", ("NII6548", "NII_6548")),
    EmissionLine("HA6562", 6562.80, "Halpha", ("Halpha", "HALPHA", "Ha", "H_ALPHA", "HA6563", "HA")),
    EmissionLine(
        "NII6583", 6583.45, "[NII]6583", ("NII6584", "NII_6584", "NII_6583", "NII", "[NII]6584")
    ),
    EmissionLine("SII6716", 6716.44, "[SII]6716", ("SII6717", "SII_6716", "SII_6717")),
    EmissionLine("SII6730", 6730.82, "[SII]6731", ("SII6731", "SII_6731", "SII_6730")),
    EmissionLine("HeII4686", 4685.68, "HeII4686", ("HEII4686", "HeII4685")),
    EmissionLine("ArIII7135", 7135.80, "[ArIII]7135", ("ARIII7135", "ArIII7136")),
    EmissionLine("SIII9069", 9068.60, "[SIII]9069", ("SIII9068", "SIII_9069")),
    EmissionLine("SIII9531", 9530.60, "[SIII]9531", ("SIII9532", "SIII_9531")),
]

#: Canonical name -> :class:`EmissionLine`.
LINES: dict[str, EmissionLine] = {line.name: line for line in _LINE_LIST}

#: Summed doublets reported by some sources: name -> component lines.
SUMMED_LINES: dict[str, tuple[str, ...]] = {
    "SII6716_6730": ("SII6716", "SII6730"),
    "OII3726_3729": ("OII3726", "OII3729"),
}
_SUMMED_ALIASES = {
    "SII6716_6730": ("SII", "SII6717_6731", "SII6716_6731", "SII_SUM", "[SII]6716+6731"),
    "OII3726_3729": ("OII3727_SUM", "OII_SUM", "[OII]3727"),
}

#: Names without a wavelength accepted as bare flux columns (``Ha``, ``OIII`` ...), with
#: the line each means: the usual strong line ([OIII]5007, [NII]6583) and, for [SII],
#: the 6716+6731 sum. Matched case-insensitively except ``Ha``/``Hb``, which must be
#: spelled so (an upper-case ``HA`` column is usually an hour angle).
SHORT_NAMES: dict[str, str] = {
    "Ha": "HA6562", "Hb": "HB4861",
    "HALPHA": "HA6562", "HBETA": "HB4861", "H_ALPHA": "HA6562", "H_BETA": "HB4861",
    "OIII": "OIII5006", "NII": "NII6583", "SII": "SII6716_6730",
}
_CASE_SENSITIVE_SHORT = {"Ha", "Hb"}

#: How catalogues name the 1-sigma error of a flux column ``X``: ``e_X`` (VizieR),
#: ``X_err``, ``err_X``, ``X_ERR``, ``X_error`` and ``eX`` (the last only when ``X``
#: is a line name and ``eX`` is not).
ERROR_PREFIXES = ("e_", "err_", "e")
ERROR_SUFFIXES = ("_err", "_error", "_unc", "_sigma")

#: Fixed theoretical doublet ratios: (strong, weak) -> strong/weak.
DOUBLET_RATIOS: dict[tuple[str, str], float] = {
    ("OIII5006", "OIII4958"): 2.98,
    ("NII6583", "NII6548"): 3.05,
}

#: Case-B recombination Halpha/Hbeta at T = 10^4 K (Osterbrock & Ferland 2006).
CASE_B_HA_HB: float = 2.86

#: Lines of the shipped benchmark table (:mod:`nebuladapt.benchmark`; columns
#: ``<LINE>_FLUX`` and ``<LINE>_FLUX_ERR``).
BENCHMARK_LINES: tuple[str, ...] = (
    "HB4861", "OIII4958", "OIII5006", "OI6300", "NII6548", "HA6562", "NII6583",
    "SII6716", "SII6730", "SII6716_6730", "OII3726", "OII3729", "OII3726_3729",
    "HeII4686", "HeI5876",
)  # fmt: skip
#: Lines of a synthetic catalogue or map (:mod:`nebuladapt.synthetic`), in column order.
SYNTHETIC_LINES: tuple[str, ...] = (
    "HB4861", "OIII5006", "HA6562", "NII6583", "SII6716", "SII6730", "OI6300",
)  # fmt: skip


def _normalise(text: str) -> str:
    return text.strip().upper().replace("[", "").replace("]", "").replace(" ", "").replace("-", "_")


_ALIAS_TO_NAME: dict[str, str] = {}
for _line in _LINE_LIST:
    for _alias in (_line.name, *_line.aliases):
        _ALIAS_TO_NAME[_normalise(_alias)] = _line.name
for _name, _aliases in _SUMMED_ALIASES.items():
    for _alias in (_name, *_aliases):
        _ALIAS_TO_NAME[_normalise(_alias)] = _name


def canonical_line_name(alias: str) -> str | None:
    """Return the canonical name of a line alias, or None if unknown.

    Parameters
    ----------
    alias : str
        A line name as met in a catalogue or grid, e.g. ``"Halpha"``,
        ``"OIII5007"``, ``"HA6562"`` or ``"[NII]6584"`` (case-insensitive).

    Returns
    -------
    str or None
        Canonical name such as ``"HA6562"`` or ``"SII6716_6730"``.

    Examples
    --------
    >>> canonical_line_name("Halpha")
    'HA6562'
    >>> canonical_line_name("OIII5007")
    'OIII5006'
    """
    return _ALIAS_TO_NAME.get(_normalise(alias))


def wavelength_of(name: str) -> float:
    """Rest wavelength (Angstrom, air) of a canonical line name.

    Summed doublets return the wavelength of their first component.

    Raises
    ------
    KeyError
        If ``name`` is not a canonical line name.
    """
    if name in SUMMED_LINES:
        return LINES[SUMMED_LINES[name][0]].wavelength
    return LINES[name].wavelength


def line_from_wavelength(wavelength: float, tolerance: float = 1.5) -> str | None:
    """Canonical name of the registry line closest to a rest wavelength.

    Parameters
    ----------
    wavelength : float
        Rest wavelength in Angstrom (air).
    tolerance : float, optional
        Largest accepted difference in Angstrom (default 1.5, enough for
        6583.45 vs 6584 but well below the 2.8 A between [OII]3726 and 3729).

    Returns
    -------
    str or None
        The canonical name, or None if no registry line is within tolerance.
    """
    best = min(_LINE_LIST, key=lambda line: abs(line.wavelength - wavelength))
    if abs(best.wavelength - wavelength) <= tolerance:
        return best.name
    return None


def bare_line_name(column: str) -> str | None:
    """The line a bare flux column (``Halpha``, ``OIII5007``, ``Ha``) holds, or None.

    A bare name must contain a wavelength or be one of :data:`SHORT_NAMES`, so
    that e.g. an hour-angle column ``HA`` is not mistaken for Halpha.

    Examples
    --------
    >>> bare_line_name("Ha"), bare_line_name("HA"), bare_line_name("[OIII]5007")
    ('HA6562', None, 'OIII5006')
    """
    line = canonical_line_name(column)
    if line is None:
        return None
    if any(ch.isdigit() for ch in column):
        return line
    stripped = column.strip()
    if stripped in _CASE_SENSITIVE_SHORT:
        return SHORT_NAMES[stripped]
    key = _normalise(stripped)
    if key in SHORT_NAMES and key.capitalize() not in _CASE_SENSITIVE_SHORT:
        return SHORT_NAMES[key]
    return None


def error_column_line(column: str) -> str | None:
    """The line whose flux error a column holds (``e_Halpha``, ``Halpha_err`` ...), or None.

    See :data:`ERROR_PREFIXES` and :data:`ERROR_SUFFIXES`; the rest of the
    name must be a bare line name (:func:`bare_line_name`).

    Examples
    --------
    >>> error_column_line("e_Halpha"), error_column_line("OIII5007_ERR")
    ('HA6562', 'OIII5006')
    >>> error_column_line("eHa"), error_column_line("Halpha") is None
    ('HA6562', True)
    """
    if bare_line_name(column) is not None:
        return None
    lower = column.lower()
    for suffix in ERROR_SUFFIXES:
        if lower.endswith(suffix) and len(column) > len(suffix):
            line = bare_line_name(column[: -len(suffix)])
            if line is not None:
                return line
    for prefix in ERROR_PREFIXES:
        if lower.startswith(prefix) and len(column) > len(prefix):
            line = bare_line_name(column[len(prefix):])
            if line is not None:
                return line
    return None


def derivable_lines(present, *, case_b: bool = False) -> set[str]:
    """Lines a catalogue with lines ``present`` can give: the one rule used everywhere.

    The lines themselves, summed doublets whose components are all present,
    strong doublet lines whose weak partner is present (:data:`DOUBLET_RATIOS`),
    and, with ``case_b``, Halpha and Hbeta from each other (dust-corrected rows,
    :data:`CASE_B_HA_HB`).

    Parameters
    ----------
    present : iterable of str
        Canonical names of the lines measured.
    case_b : bool, optional
        Some rows are dust-corrected, so case B gives the missing Balmer line.

    Returns
    -------
    set of str
    """
    lines = set(present)
    for name, components in SUMMED_LINES.items():
        if all(c in lines for c in components):
            lines.add(name)
    for strong, weak in DOUBLET_RATIOS:
        if weak in lines:
            lines.add(strong)
    if case_b and lines & {"HA6562", "HB4861"}:
        lines |= {"HA6562", "HB4861"}
    return lines


def input_lines_for(lines) -> set[str]:
    """The measured lines read to form ``lines`` (the inverse of :func:`derivable_lines`):
    the lines, the components of summed doublets, weak doublet partners, and the
    Balmer lines used for the dust correction."""
    needed = set(lines) | {"HA6562", "HB4861"}
    for line in list(needed):
        needed |= set(SUMMED_LINES.get(line, ()))
    needed |= {weak for (strong, weak) in DOUBLET_RATIOS if strong in needed}
    return needed
