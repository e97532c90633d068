import numpy as np
import pytest

from nebuladapt.evaluation.metrics import classification_scores, output_classes, summarise


def test_scores_and_unclassified_count_as_wrong():
    y_true = ["HII", "HII", "HII", "PN", "SNR", "SNR"]
    y_pred = ["HII", "HII", "", "PN", "HII", "SNR"]
    s = classification_scores(y_true, y_pred)
    assert s["recall"] == {"HII": pytest.approx(2 / 3), "PN": 1.0, "SNR": 0.5}
    assert s["balanced_accuracy"] == pytest.approx((2 / 3 + 1 + 0.5) / 3)
    assert s["accuracy"] == pytest.approx(4 / 6)
    assert np.array(s["confusion_matrix"]).sum() == 5  # the unclassified row is in no column


def test_summarise():
    assert summarise([1.0, 3.0]) == (2.0, pytest.approx(2.0 ** 0.5))  # ddof=1
    assert summarise([0.5]) == (0.5, 0.0)


def test_output_classes_leave_rows_without_a_usable_ratio_unclassified():
    proba = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]])
    out = output_classes(["HII", "PN", "SNR"], proba, [True, False, True])
    assert out.tolist() == ["HII", "", "SNR"]
    # scored as wrong, as classification_scores counts "" (the network's guess "PN" would have been right)
    assert classification_scores(["HII", "PN", "SNR"], out)["recall"]["PN"] == 0.0
