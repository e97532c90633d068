"""`nebuladapt demo` names its rows for what they are."""

from nebuladapt.evaluation.demo import DEMO_CONFIGS, run_demo, summary_rows
from nebuladapt.models.fitting import DEFAULT_FIT_PARAMS


def test_demo_rows_are_the_papers_nn_dann_and_the_default():
    paper_dann = DEMO_CONFIGS["paper DANN (GRL weight 1, no entropy, fixed noise)"]
    assert (paper_dann["domain_weight"], paper_dann["entropy_weight"], paper_dann["noise"]) == (1.0, 0.0, "fixed")
    assert DEMO_CONFIGS["paper NN (no noise)"] == {"method": "nn", "noise": "none"}
    assert DEMO_CONFIGS["nebuladapt default (fit defaults)"] == DEFAULT_FIT_PARAMS
    records = run_demo(seeds=(0,), n_steps=3)
    rows = summary_rows(records)
    assert [r["method"] for r in rows] == ["classical cuts", *DEMO_CONFIGS]
    noise = {r["method"]: r["noise"] for r in rows}
    assert noise["paper NN (no noise)"] == "none" and noise["paper DANN (GRL weight 1, no entropy, fixed noise)"] == "fixed"
