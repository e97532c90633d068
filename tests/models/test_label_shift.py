import numpy as np
import pytest

from nebuladapt.models.label_shift import adjust_posteriors, bbse_target_prior, em_target_prior


def _shifted_problem(target_prior, n=6000, seed=0):
    """Three 1-D Gaussian classes; a Bayes posterior under a uniform training prior."""
    rng = np.random.default_rng(seed)
    means = np.array([-2.0, 0.0, 2.0])
    labels = rng.choice(3, size=n, p=target_prior)
    x = rng.normal(means[labels], 1.0)
    likelihood = np.exp(-0.5 * (x[:, None] - means[None, :]) ** 2)
    proba = likelihood / likelihood.sum(axis=1, keepdims=True)  # posterior for uniform prior
    return labels, proba


@pytest.mark.parametrize("prior", [[0.7, 0.1, 0.2], [0.2, 0.2, 0.6]])
def test_em_recovers_known_proportions(prior):
    labels, proba = _shifted_problem(np.array(prior))
    estimate = em_target_prior(proba)
    np.testing.assert_allclose(estimate, prior, atol=0.03)
    naive = proba.mean(axis=0)  # the unadjusted mean is biased towards uniform
    assert np.abs(estimate - prior).sum() < np.abs(naive - prior).sum()


def test_bbse_recovers_known_proportions():
    prior = np.array([0.7, 0.1, 0.2])
    source_labels, source_proba = _shifted_problem(np.full(3, 1 / 3), seed=1)
    target_labels, target_proba = _shifted_problem(prior, seed=2)
    estimate = bbse_target_prior(source_labels, source_proba.argmax(1), target_proba.argmax(1), 3)
    np.testing.assert_allclose(estimate, prior, atol=0.04)


def test_adjust_posteriors_is_bayes_rule():
    proba = np.array([[0.5, 0.5], [0.9, 0.1]])
    adjusted = adjust_posteriors(proba, np.array([0.5, 0.5]), np.array([0.8, 0.2]))
    np.testing.assert_allclose(adjusted[0], [0.8, 0.2])
    np.testing.assert_allclose(adjusted.sum(axis=1), 1.0)
