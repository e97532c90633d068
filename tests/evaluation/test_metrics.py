import numpy as np
import pytest

from nebuladapt.evaluation.metrics import classification_scores, summarise


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
