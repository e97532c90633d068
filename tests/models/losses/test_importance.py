import torch

from nebuladapt.models.losses.importance import ImportanceWeighting, iwdan
from nebuladapt.models.training import source_classification_loss


def test_weights_reach_both_the_classification_and_the_domain_loss(batch_for):
    """Tachet des Combes et al. 2020 weight both source terms (issue 8's bug)."""
    weighting, domain = iwdan(1.0)
    net, batch = batch_for([weighting, domain])
    weighting.class_weights = torch.tensor([0.1, 1.0, 2.0])
    weighting.prepare(batch)
    assert torch.equal(batch.source_weight, weighting.class_weights[batch.source_label])
    per_row = torch.nn.functional.cross_entropy(
        batch.logits[: batch.n_source], batch.source_label, reduction="none"
    )
    torch.testing.assert_close(source_classification_loss(batch), (per_row * batch.source_weight).mean())
    weighted = domain(batch).item()
    batch.source_weight = None
    assert domain(batch).item() != weighted
    torch.testing.assert_close(source_classification_loss(batch), per_row.mean())


def test_prior_is_re_estimated_at_update_steps(batch_for):
    weighting = ImportanceWeighting(warmup=0.5, updates=2)
    batch_for([weighting])  # starts it on a 10-step run
    assert weighting.update_steps == {5, 9}
    assert weighting.before_step(0) is None
    note = weighting.before_step(5)
    assert note["step"] == 5 and abs(sum(note["target_prior"]) - 1) < 0.2
    assert (weighting.class_weights >= weighting.clip).all()
