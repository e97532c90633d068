import torch

from nebuladapt.models.losses.coral import CoralLoss, coral_distance, deep_coral


def test_distance_is_zero_for_equal_covariances_and_ignores_means():
    x = torch.randn(200, 4)
    assert coral_distance(x, x).item() == 0.0
    assert abs(coral_distance(x, x + 3.0).item()) < 1e-10


def test_distance_grows_with_a_change_of_scale():
    x = torch.randn(500, 4, generator=torch.Generator().manual_seed(0))
    assert 0 < coral_distance(x, 1.5 * x) < coral_distance(x, 3.0 * x)


def test_loss_object(batch_for):
    (term,) = deep_coral(0.5)
    assert isinstance(term, CoralLoss) and term.domain_inputs(8, 3) is None
    _, batch = batch_for([term])
    value = term(batch)
    assert value.item() >= 0 and "coral_loss" in batch.record
