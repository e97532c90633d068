"""`nebuladapt demo`: fits on the shipped grids, scores on the shipped benchmark."""

from nebuladapt.evaluation.demo import run_demo, summary_rows


def test_demo_records_and_summary():
    messages = []
    records = run_demo(seeds=(0, 1), methods=("nn",), n_steps=5, progress=messages.append)
    assert [r["method"] for r in records] == ["classical cuts", "nn", "nn"]
    assert messages == ["nn seed 0", "nn seed 1"]
    fitted = records[1]
    assert fitted["noise"] == "matched"  # auto, resolved: the benchmark gives errors
    assert 0.0 <= fitted["balanced_accuracy"] <= 1.0
    rows = {row["method"]: row for row in summary_rows(records)}
    assert rows["nn"]["seeds"] == 2 and rows["nn"]["noise"] == "matched"
