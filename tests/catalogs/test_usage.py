"""Which lines a model uses, ignores and misses; which noise `auto` picks."""

import numpy as np
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
