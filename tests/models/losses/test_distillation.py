"""TargetDistillation: the cross-entropy to the teacher's probabilities of the target rows."""

import numpy as np
import pytest
import torch

from nebuladapt.models.losses.base import TrainingContext
from nebuladapt.models.losses.distillation import TargetDistillation


def test_distillation_term_is_the_cross_entropy_to_the_teacher():
    torch.manual_seed(0)
    net = torch.nn.Linear(4, 3)
    target_x = torch.randn(20, 4)
    teacher = np.full((20, 3), 1 / 3)
    teacher[0] = np.nan  # a row without a teacher value is never drawn
    term = TargetDistillation(teacher, weight=2.0, batch_size=64, seed=1)
    term.start(TrainingContext(net, target_x, 3, 10))

    class _Batch:
        record = {}

    value = term(_Batch())
    log_p = torch.log_softmax(net(target_x[1:]), dim=1)
    expected_mean = -(log_p / 3).sum(dim=1)
    assert expected_mean.min() - 1e-6 <= value.item() / 2 <= expected_mean.max() + 1e-6
    assert not torch.isin(torch.tensor(0), term.rows)
    with pytest.raises(ValueError, match="teacher has 20 rows"):
        TargetDistillation(teacher).start(TrainingContext(net, target_x[:5], 3, 10))


def test_distillation_follows_the_target_rows_training_keeps():
    """Training drops target rows without any line ratio; the teacher rows must follow that selection."""
    torch.manual_seed(0)
    net = torch.nn.Linear(4, 3)
    teacher = np.random.default_rng(0).dirichlet(np.ones(3), size=10)
    kept = torch.tensor([1, 4, 7])
    term = TargetDistillation(teacher, batch_size=8, seed=0)
    term.start(TrainingContext(net, torch.randn(3, 4), 3, 10, target_rows=kept))
    np.testing.assert_allclose(term.teacher.numpy(), teacher[[1, 4, 7]].astype(np.float32))
    assert term.rows.tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="fewer than the training data's target rows"):
        TargetDistillation(teacher[:5]).start(TrainingContext(net, torch.randn(3, 4), 3, 10, target_rows=kept))


def test_distillation_skips_rows_without_a_teacher_value_after_the_selection():
    net = torch.nn.Linear(4, 3)
    teacher = np.full((6, 3), 1 / 3)
    teacher[4] = np.nan
    term = TargetDistillation(teacher, batch_size=8, seed=0)
    term.start(TrainingContext(net, torch.randn(3, 4), 3, 10, target_rows=torch.tensor([0, 4, 5])))
    assert term.rows.tolist() == [0, 2]  # training row 1 is target row 4, which has no teacher value
