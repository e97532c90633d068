"""The training loop: class-balanced source batches plus whatever loss objects it is given."""

import inspect

import numpy as np
import torch

import nebuladapt.models.training as training
from nebuladapt.features import default_feature_spec, log_ratios
from nebuladapt.models.losses.base import AdaptationLoss
from nebuladapt.models.networks import NebulaNet
from nebuladapt.models.training import (
    Scaler, TrainingConfig, TrainingData, encode, random_mask, train_network,
)


def _setup(d, n_steps=12, checkpoints=()):
    spec = default_feature_spec()
    source = d["sample_domain"] > 0
    labels = np.searchsorted(["HII", "PN", "SNR"], d["y"][source].astype(str))
    scaler = Scaler.fit(log_ratios(d["X"][source], spec))
    data = TrainingData(torch.from_numpy(d["X"][source]), torch.from_numpy(labels.astype(np.int64)),
                        torch.from_numpy(d["X"][~source]), torch.zeros((0, 5), dtype=torch.float64))
    config = TrainingConfig(noise="fixed", noise_level=0.1, n_steps=n_steps, batch_size=30, lr=1e-3,
                            mask_prob=0.1, seed=4, checkpoints=checkpoints)
    return spec, scaler, data, config


def _net(domain=False):
    torch.manual_seed(0)
    return NebulaNet(2 * len(default_feature_spec().ratios), 3, hidden=(16,), domain_hidden=8 if domain else 0)


class Recorder(AdaptationLoss):
    """Records the order of hook calls; adds a small penalty on the target logits."""

    name = "recorder"

    def __init__(self):
        self.calls = []

    def start(self, context):
        self.calls.append("start")
        self.n_target = context.target_x.shape[0]

    def before_step(self, step):
        self.calls.append("before")
        return {"step": step, "note": True} if step == 3 else None

    def prepare(self, batch):
        self.calls.append("prepare")

    def __call__(self, batch):
        self.calls.append("loss")
        batch.record[self.name] = 1.0
        return 0.01 * batch.target_logits.pow(2).mean()


def test_source_only_is_deterministic_and_keeps_snapshots(toy_domains):
    spec, scaler, data, config = _setup(toy_domains, checkpoints=(5, 12))
    a, b = _net(), _net()
    history, snapshots = train_network(a, spec, scaler, data, config)
    train_network(b, spec, scaler, data, config)
    for (name, p), q in zip(a.state_dict().items(), b.state_dict().values()):
        assert torch.equal(p, q), name
    assert sorted(snapshots) == [5, 12] and len(history) == 12
    assert set(history[0]) == {"step", "label_loss"}
    assert not torch.equal(snapshots[5]["label_head.weight"], snapshots[12]["label_head.weight"])


def test_diffuse_gas_changes_the_source_batches_only_when_asked_and_stays_deterministic(toy_domains):
    """``diffuse_gas`` blends each source batch (its own generator); 0 trains exactly as before."""
    from dataclasses import replace

    spec, scaler, data, config = _setup(toy_domains)
    weights = {}
    for share in (0.0, 0.4, 0.4):
        net = _net()
        train_network(net, spec, scaler, data, replace(config, diffuse_gas=share, diffuse_gas_labels=(0, 2)))
        weights.setdefault(share, []).append(net.state_dict()["label_head.weight"])
    plain = _net()
    train_network(plain, spec, scaler, data, config)
    assert torch.equal(weights[0.0][0], plain.state_dict()["label_head.weight"])
    assert torch.equal(weights[0.4][0], weights[0.4][1])
    assert not torch.equal(weights[0.4][0], weights[0.0][0])


def test_hooks_run_in_order_and_their_records_are_kept(toy_domains):
    spec, scaler, data, config = _setup(toy_domains, n_steps=4)
    recorder = Recorder()
    history, _ = train_network(_net(), spec, scaler, data, config, [recorder])
    assert recorder.calls[0] == "start" and recorder.n_target == len(toy_domains["target"])
    assert recorder.calls[1:] == ["before", "prepare", "loss"] * 4
    assert {"step": 3, "note": True} in history
    assert all(r.get("recorder") == 1.0 for r in history if "label_loss" in r)


def test_threads_restored(toy_domains):
    spec, scaler, data, config = _setup(toy_domains, n_steps=2)
    before = torch.get_num_threads()
    train_network(_net(), spec, scaler, data, config)
    assert torch.get_num_threads() == before


def test_the_loop_has_no_method_switches():
    source = inspect.getsource(training)
    for word in ("alignment", "startswith", "conditional", "adversarial", "entropy_weight", "domain_weight"):
        assert word not in source, word


def test_random_mask_never_masks_a_whole_row():
    features = torch.ones((2000, 3))
    masked = random_mask(features, 0.6, torch.Generator().manual_seed(0))
    missing = torch.isnan(masked)
    assert 0.3 < missing.float().mean() < 0.5  # 0.6, less the rows that would lose every feature
    assert not missing.all(dim=1).any()
    assert random_mask(features, 0.0, torch.Generator()) is features


def test_encode_scales_and_marks_missing():
    scaler = Scaler.fit(np.array([[0.0, 1.0], [2.0, 3.0], [np.nan, 5.0]]))
    out = encode(torch.tensor([[1.0, np.nan]]), scaler)
    torch.testing.assert_close(out, torch.tensor([[0.0, 0.0, 0.0, 1.0]]))


def test_stratified_split_holds_out_each_class():
    from nebuladapt.models.training import stratified_split

    labels = np.repeat([0, 1, 2], [100, 50, 1])
    train, held = stratified_split(labels, 0.1, seed=0)
    assert np.bincount(labels[held], minlength=3).tolist() == [10, 5, 0]
    assert sorted(np.concatenate([train, held]).tolist()) == list(range(151))
    again = stratified_split(labels, 0.1, seed=0)
    assert np.array_equal(again[1], held) and not np.array_equal(stratified_split(labels, 0.1, 1)[1], held)


def test_mask_probabilities_follow_the_target_missing_share():
    from nebuladapt.models.training import mask_probabilities

    target = torch.tensor([[0.1, np.nan, 0.2], [0.3, np.nan, np.nan], [0.5, 0.1, 0.2], [0.2, 0.3, 0.4],
                           [np.nan, np.nan, np.nan]])  # the last row gives nothing: not counted
    probs = mask_probabilities(target, 0.1)
    torch.testing.assert_close(probs, torch.tensor([0.1, 0.5, 0.25]))
    torch.testing.assert_close(mask_probabilities(torch.full((3, 2), np.nan), 0.2), torch.tensor([0.2, 0.2]))


def test_per_feature_mask_is_class_blind_and_matches_the_scalar_form():
    features = torch.ones((4000, 3))
    probs = torch.tensor([0.1, 0.5, 0.1])
    masked = torch.isnan(random_mask(features, probs, torch.Generator().manual_seed(1)))
    share = masked.float().mean(dim=0)
    assert abs(share[1] - 0.5) < 0.05 and abs(share[0] - 0.1) < 0.03
    # any split of the rows (e.g. by class) sees the same masking rate: the draw ignores labels
    assert abs(masked[:2000, 1].float().mean() - masked[2000:, 1].float().mean()) < 0.05
    same = random_mask(features, torch.full((3,), 0.1), torch.Generator().manual_seed(2))
    assert torch.equal(torch.isnan(same), torch.isnan(random_mask(features, 0.1, torch.Generator().manual_seed(2))))


def test_reddening_shifts_only_rows_without_hbeta_and_by_the_law():
    from nebuladapt.features import CLASSICAL_RATIOS, FeatureSpec, LineRatio, ratio_reddening
    from nebuladapt.models.training import REDDENING_AV_MAX, redden_without_hbeta

    spec = FeatureSpec((LineRatio("OIII5006", "HB4861"), LineRatio("NII6583", "HA6562"), LineRatio("OIII5006", "HA6562")))
    features = torch.zeros((500, 3), dtype=torch.float64)
    features[:250, 0] = float("nan")  # Hbeta missing (masked) in the first half
    out = redden_without_hbeta(features, spec, torch.Generator().manual_seed(3))
    assert torch.equal(out[250:], features[250:])  # rows with Hbeta were dereddened by their decrement
    shift = out[:250, 2].numpy()
    per_ebv = ratio_reddening(spec)[2]
    assert per_ebv < -0.3  # [OIII]/Halpha falls with dust
    assert np.all(shift <= 0) and np.all(shift >= per_ebv * REDDENING_AV_MAX / 3.1 - 1e-6)
    assert np.ptp(shift) > 0.5 * abs(per_ebv) * REDDENING_AV_MAX / 3.1  # A_V drawn per row over the range
    np.testing.assert_allclose(out[:250, 1].numpy() / shift, ratio_reddening(spec)[1] / per_ebv, rtol=1e-5)
    again = redden_without_hbeta(features, spec, torch.Generator().manual_seed(3))
    assert torch.equal(torch.nan_to_num(again), torch.nan_to_num(out))
    # a spec without Hbeta (no row had it): every row carries dust
    no_hb = FeatureSpec(spec.ratios[1:])
    assert (redden_without_hbeta(torch.zeros((50, 2)), no_hb, torch.Generator().manual_seed(0))[:, 1] < 0).all()
    # the classical ratios are not dust-sensitive without Hbeta: a spec of them only is not reddened;
    # the default spec holds [OIII]/Halpha, so default training is
    from nebuladapt.models.training import needs_reddening

    classical = FeatureSpec(CLASSICAL_RATIOS)
    assert needs_reddening(spec) and needs_reddening(default_feature_spec()) and not needs_reddening(classical)
    default = torch.zeros((20, 3), dtype=torch.float64)
    default[:, 0] = float("nan")
    assert torch.equal(torch.nan_to_num(redden_without_hbeta(default, classical, torch.Generator())),
                       torch.nan_to_num(default))
