import torch

from nebuladapt.models.losses.mmd import MMDLoss, gaussian_mmd, gaussian_mmd2


def test_zero_for_identical_samples_and_symmetric():
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(100, 3, generator=g), torch.randn(80, 3, generator=g) + 0.5
    assert abs(gaussian_mmd2(x, x).item()) < 1e-6
    torch.testing.assert_close(gaussian_mmd2(x, y), gaussian_mmd2(y, x))


def test_grows_with_the_shift():
    g = torch.Generator().manual_seed(1)
    x, noise = torch.randn(150, 3, generator=g), torch.randn(150, 3, generator=g)
    values = [gaussian_mmd2(x, noise + shift).item() for shift in (0.0, 0.5, 2.0)]
    assert values[0] < values[1] < values[2]


def test_loss_object(batch_for):
    (term,) = gaussian_mmd(1.0)
    assert isinstance(term, MMDLoss)
    _, batch = batch_for([term])
    assert term(batch).item() > 0 and "mmd_loss" in batch.record
