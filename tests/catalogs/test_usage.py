"""Which lines a model uses, ignores and misses; which noise `auto` picks."""

import warnings

import numpy as np
import pytest
from astropy.table import Table

from nebuladapt.catalogs import read_phangs_table
from nebuladapt.catalogs.usage import line_label, line_usage, noise_choice
from nebuladapt.features import default_feature_spec


def _catalog(errors: bool):
    table = Table({
        "Halpha": [300.0, 310.0], "Hbeta": [100.0, 100.0], "OIII5007": [50.0, 60.0],
        "NII6584": [30.0, 40.0], "OI6300": [5.0, 6.0], "HeII4686": [np.nan, np.nan],
    })
    if errors:
        table["e_Halpha"] = [3.0, 3.0]
        table["Hbeta_err"] = [1.0, 1.0]
        table["err_OIII5007"] = [1.0, 1.0]
    return read_phangs_table(table)


def test_usage_names_used_ignored_and_missing_lines():
    usage = line_usage(_catalog(False), default_feature_spec())
    assert usage.used == ["OIII5006", "HB4861", "NII6583", "HA6562"]
    assert usage.missing == ["SII6716_6730"]
    assert usage.ignored == {"OI6300": "not a feature of this model", "HeII4686": "no measured value"}
    assert usage.describe() == (
        "lines used: [OIII]5007, Hbeta, [NII]6583, Halpha; ignored: [OI]6300 (not a feature of "
        "this model), HeII4686 (no measured value); missing: [SII]6716+6731"
    )


def test_noise_choice_explains_itself():
    spec = default_feature_spec()
    assert noise_choice(_catalog(True), spec, "auto") == "noise=matched (errors found for 3 of 5 lines)"
    assert noise_choice(_catalog(False), spec, "auto").startswith("noise=fixed (no usable error")
    assert noise_choice(_catalog(True), spec, "none").startswith("noise=none (as requested")


def test_line_label():
    assert line_label("SII6716_6730") == "[SII]6716+6731"
    assert line_label("OI6300") == "[OI]6300"


def _no_hbeta(n=200, with_hbeta=0):
    rng = np.random.default_rng(0)
    hbeta = np.full(n, np.nan)
    hbeta[:with_hbeta] = 100.0
    return read_phangs_table(Table({
        "Halpha": rng.uniform(200, 400, n), "Hbeta": hbeta, "OIII5007": rng.uniform(20, 80, n),
        "NII6584": rng.uniform(20, 60, n), "SII6716": rng.uniform(10, 40, n), "SII6731": rng.uniform(10, 30, n),
    }))


def test_fit_leaves_out_a_ratio_no_row_gives():
    from nebuladapt.catalogs.usage import MIN_RATIO_COVERAGE, fit_feature_spec

    spec = default_feature_spec()
    chosen = fit_feature_spec(spec, _no_hbeta())
    assert "log_OIII5006_HB4861" in spec.names and "log_OIII5006_HB4861" not in chosen.spec.names
    assert chosen.spec.names == [n for n in spec.names if n != "log_OIII5006_HB4861"]
    assert chosen.dropped == {"log_OIII5006_HB4861": 0.0}
    assert "left out" in chosen.describe() and "log_OIII5006_HB4861 (0% of rows)" in chosen.describe()
    # a ratio some rows give (above the threshold) is kept, and nothing is reported
    some = int(np.ceil(MIN_RATIO_COVERAGE * 200)) + 1
    kept = fit_feature_spec(spec, _no_hbeta(with_hbeta=some))
    assert kept.spec == spec and kept.dropped == {} and "left out" not in kept.describe()


def test_fit_warns_when_no_oiii_ratio_remains():
    from nebuladapt.catalogs.usage import fit_feature_spec
    from nebuladapt.models.fitting import fit_on_catalog

    spec = default_feature_spec()
    red_only = _no_hbeta()
    red_only.flux["OIII5006"] = np.full(len(red_only), np.nan)  # e.g. a SITELLE SN3-only catalogue
    chosen = fit_feature_spec(spec, red_only)
    assert chosen.spec.names == ["log_NII6583_HA6562", "log_SII6716_6730_HA6562"]
    assert chosen.warning.startswith("WARNING: no ratio with [OIII]5007")
    assert chosen.warning in chosen.describe()
    # losing only [OIII]/Hbeta keeps [OIII]/Halpha: no warning
    assert fit_feature_spec(spec, _no_hbeta()).warning is None
    with pytest.warns(UserWarning, match=r"no ratio with \[OIII\]5007"):
        fit_on_catalog(red_only, seed=0, n_steps=5, members=1)


def test_fit_warns_when_many_rows_give_no_oiii():
    """[OIII] kept in the features but missing from many rows: the fit keeps it and warns."""
    from nebuladapt.catalogs.usage import PARTIAL_EXCITATION_SHARE, fit_feature_spec

    spec = default_feature_spec()
    for share, warns in ((0.3, True), (PARTIAL_EXCITATION_SHARE, True), (0.05, False)):
        catalog = _no_hbeta(with_hbeta=200)
        catalog.flux["OIII5006"][: int(round(share * 200))] = np.nan  # faint [OIII] left undetected
        chosen = fit_feature_spec(spec, catalog)
        assert chosen.spec == spec and chosen.missing["OIII5006"] == pytest.approx(share)
        assert chosen.missing["HB4861"] == pytest.approx(share)  # [OIII]/Hbeta is Hbeta's only ratio
        assert chosen.missing["NII6583"] == 0.0
        if warns:
            assert chosen.warning.startswith(f"WARNING: {100 * share:.0f}% of the rows give no [OIII]5007")
            assert chosen.warning in chosen.describe()
        else:
            assert chosen.warning is None


def test_low_sii_warning_needs_enough_rows_and_share():
    """Fires from LOW_SII_SNR_SHARE of at least LOW_SII_MIN_ROWS rows; empty checks (no [SII]) never fire."""
    from nebuladapt.catalogs.usage import LOW_SII_MIN_ROWS, LOW_SII_SNR_SHARE, low_sii_warning

    fires = low_sii_warning({"rows": 189, "share": 0.3439})
    assert fires.startswith("WARNING: the fit calls SNR 34% of the 189 rows with [SII]/Halpha <= 0.4")
    assert low_sii_warning({"rows": LOW_SII_MIN_ROWS, "share": LOW_SII_SNR_SHARE}) is not None
    assert low_sii_warning({"rows": LOW_SII_MIN_ROWS - 1, "share": 1.0}) is None
    assert low_sii_warning({"rows": 189, "share": LOW_SII_SNR_SHARE - 0.001}) is None
    assert low_sii_warning({"rows": 0, "share": None}) is None and low_sii_warning({}) is None


def test_fit_on_catalog_warns_when_it_calls_low_sii_rows_snr(monkeypatch):
    """The fitted model's check is what its predictions give; past the threshold, a UserWarning."""
    from nebuladapt.catalogs import usage
    from nebuladapt.evaluation.diagnostics import SII_HA, low_sii_snr_share
    from nebuladapt.features import log_ratios
    from nebuladapt.models.fitting import fit_on_catalog

    catalog = _no_hbeta(60)
    model = fit_on_catalog(catalog, seed=0, n_steps=5)
    target = model._target_flux
    sii_ha = log_ratios(target, model.spec_)[:, model.spec_.names.index(SII_HA)]
    assert model.low_sii_snr_ == low_sii_snr_share(sii_ha, model.predict(target))
    assert model.low_sii_snr_["rows"] > 0
    monkeypatch.setattr(usage, "LOW_SII_SNR_SHARE", 0.0)  # every such fit past the threshold
    monkeypatch.setattr(usage, "LOW_SII_MIN_ROWS", 1)
    with pytest.warns(UserWarning, match=r"the fit calls SNR \d+% of the \d+ rows with \[SII\]/Halpha <= 0.4"):
        fit_on_catalog(catalog, seed=0, n_steps=5)
    with warnings.catch_warnings():  # warn=False: the caller reports it (nebuladapt fit, the demo)
        warnings.simplefilter("error")
        quiet = fit_on_catalog(catalog, seed=0, n_steps=5, warn=False)
    assert usage.low_sii_warning(quiet.low_sii_snr_) is not None


def test_fit_on_catalog_trains_on_the_ratios_that_remain():
    from nebuladapt.models.fitting import fit_on_catalog

    model = fit_on_catalog(_no_hbeta(60), seed=0, n_steps=5)
    assert "HB4861" not in model.spec_.lines
    assert set(model.predict(np.full((2, len(model.spec_.lines)), 1.0))) <= {"HII", "PN", "SNR"}


def test_oiii_only_warning_from_a_tenth_of_the_rows_with_a_ratio():
    from nebuladapt.catalogs.usage import ONE_LINE_SHARE, oiii_only_warning

    assert ONE_LINE_SHARE == 0.1
    assert oiii_only_warning(9, 100) is None and oiii_only_warning(0, 0) is None
    text = oiii_only_warning(10, 100)
    assert text.startswith("WARNING: 10 of the 100 rows with a ratio (10%) give only [OIII] ratios") and "\n" not in text


def test_nii_only_warning_from_a_tenth_of_the_rows_with_a_ratio():
    from nebuladapt.catalogs.usage import nii_only_warning

    assert nii_only_warning(9, 100) is None and nii_only_warning(0, 0) is None
    text = nii_only_warning(10, 100)
    assert text.startswith("WARNING: 10 of the 100 rows with a ratio (10%) give only [NII]/Halpha") and "\n" not in text


def test_one_line_warnings_are_those_that_apply_oiii_first():
    from nebuladapt.catalogs.usage import nii_only_warning, one_line_warnings, oiii_only_warning

    assert one_line_warnings(0, 0, 100) == [] and one_line_warnings(10, 10, 0) == []
    assert one_line_warnings(10, 10, 100) == [oiii_only_warning(10, 100), nii_only_warning(10, 100)]
    assert one_line_warnings(5, 20, 100) == [nii_only_warning(20, 100)]
