"""dlexam.batch_size: looking up a recorded update, and the exact message when it was not recorded."""

import numpy as np
import pytest

from dlexam import batch_size as bs


def _history(updates):
    k = len(updates)
    return bs.BatchHistory(config=bs.BatchConfig(), epochs=np.arange(k), updates=np.array(updates),
                           train_loss=np.zeros((1, k)), val_loss=np.zeros((1, k)), val_accuracy=np.zeros((1, k)),
                           grad_norm=np.zeros((1, k)), params=[])


def test_at_update_finds_the_record_or_says_it_is_missing():
    """Updates 0, 18, 36, 42 are records 0..3; 20 updates were never recorded."""
    history = _history([0, 18, 36, 42])
    assert [history.at_update(u) for u in (0, 18, 36, 42)] == [0, 1, 2, 3]
    with pytest.raises(ValueError) as info:
        history.at_update(20)
    assert str(info.value) == "no record after exactly 20 updates"


@pytest.mark.parametrize("name, low, high", [("n_train", 2, 100_000), ("n_validation", 2, 100_000),
                                             ("epochs", 1, 100_000), ("runs", 1, 1000),
                                             ("record_every", 1, 100_000)])
def test_counts_accept_both_ends_and_refuse_just_outside(name, low, high):
    """Each count takes its lowest and highest value and refuses one less or one more."""
    extra = {"batch_size": 1} if name == "n_train" else {}
    assert getattr(bs.BatchConfig(**{name: low}, **extra), name) == low
    assert getattr(bs.BatchConfig(**{name: high}, **extra), name) == high
    for bad in (low - 1, high + 1):
        with pytest.raises(ValueError) as info:
            bs.BatchConfig(**{name: bad}, **extra)
        assert str(info.value) == f"{name} must be a whole number from {low} to {high}, got {bad}"


def test_batch_size_one_and_n_train_are_allowed():
    """batch_size runs from 1 to n_train inclusive."""
    assert bs.BatchConfig(batch_size=1, n_train=2).updates_per_epoch == 2
    assert bs.BatchConfig(batch_size=2, n_train=2).updates_per_epoch == 1
    with pytest.raises(ValueError, match=r"batch_size must be a whole number from 1 to n_train = 2, got 0"):
        bs.BatchConfig(batch_size=0, n_train=2)


@pytest.mark.parametrize("lr, ok", [(100, True), (100.0, True), (100.5, False), (101, False)])
def test_learning_rate_may_be_exactly_100(lr, ok):
    """lr lies in (0, 100]: 100 is allowed, 100.5 and 101 are not."""
    if ok:
        assert bs.BatchConfig(lr=lr).lr == lr
    else:
        with pytest.raises(ValueError) as info:
            bs.BatchConfig(lr=lr)
        assert str(info.value) == f"lr must be a number in (0, 100], got {lr!r}"


def test_noise_may_be_zero():
    """noise = 0 (clean data) is allowed; a negative noise is not."""
    assert bs.BatchConfig(noise=0).noise == 0
    with pytest.raises(ValueError, match=r"noise must be a number >= 0, got -0\.5"):
        bs.BatchConfig(noise=-0.5)


@pytest.mark.parametrize("hidden", [(1,), (256,), (1,) * 16, [4, 4]])
def test_hidden_widths_at_the_limits_are_kept_as_a_tuple(hidden):
    """Widths 1 and 256 and 16 layers are allowed; a list is stored as a tuple."""
    config = bs.BatchConfig(hidden=hidden)
    assert type(config.hidden) is tuple and config.hidden == tuple(hidden)
    assert config.widths == (2, *hidden, 1)


@pytest.mark.parametrize("hidden", [(0,), (257,), (1,) * 17])
def test_hidden_widths_just_outside_are_refused(hidden):
    """Width 0, width 257 and 17 layers are refused with the exact message."""
    with pytest.raises(ValueError) as info:
        bs.BatchConfig(hidden=hidden)
    assert str(info.value) == f"hidden must be layer widths from 1 to 256, e.g. (16, 16); got {hidden!r}"


# --- Exact messages, limits and recorded values ----------------------------------------------------------


def _params(widths=(2, 3, 1), runs=1):
    return bs.init_params(list(widths), runs, np.random.default_rng(0))


def test_forward_names_the_input_width_in_both_shapes():
    """X with 3 features for a network taking 2: both allowed shapes say 2."""
    with pytest.raises(ValueError) as info:
        bs.forward(_params(), np.zeros((4, 3)))
    assert str(info.value) == "X must have shape (B, 2) or (R, B, 2), got (4, 3)"


def test_params_that_do_not_fit_name_the_first_layer():
    """A bias of 4 outputs after a weight of 3 in layer 1: the message names layer 1 and both shapes."""
    params = [np.zeros((1, 2, 3)), np.zeros((1, 1, 4))]
    with pytest.raises(ValueError) as info:
        bs.forward(params, np.zeros((4, 2)))
    assert str(info.value) == "params do not fit together: layer 1 has W (1, 2, 3) and b (1, 1, 4)"


def test_init_params_refuses_too_many_parameters_exactly():
    """1000 runs x (4096 + 1) x 4096 = 16,781,312,000 parameters: the message counts 'parameters'."""
    with pytest.raises(ValueError) as info:
        bs.init_params([4096, 4096], 1000, np.random.default_rng(0))
    assert str(info.value) == ("runs and widths would need 16,781,312,000 parameters, more than the limit of "
                               "50,000,000: use smaller values")


@pytest.mark.parametrize("y", [[], np.zeros((1, 0))])
def test_loss_and_gradients_empty_labels_get_the_shape_message(y):
    """No labels for 1 input: the message says one label per input (1), not that y is empty."""
    with pytest.raises(ValueError) as info:
        bs.loss_and_gradients(_params(), np.zeros((1, 2)), y)
    assert str(info.value) == f"y must hold one label per input (1), got shape {np.shape(y)}"


def test_moons_data_takes_100000_training_examples():
    """n_train = 100000 is the largest allowed; 100001 is refused with the exact message."""
    X, y, _, _ = bs.moons_data(n_train=100_000, n_validation=2)
    assert X.shape == (100_000, 2) and y.shape == (100_000,)
    with pytest.raises(ValueError) as info:
        bs.moons_data(n_train=100_001, n_validation=2)
    assert str(info.value) == "n_train must be a whole number from 2 to 100000, got 100001"


@pytest.mark.parametrize("noise, message", [(1e6 * 2, "noise must be at most 1e+06, got 2e+06"),
                                            (-1.0, "noise must be at least 0, got -1")])
@pytest.mark.parametrize("data_seed", [0, -1])
def test_moons_data_noise_limits_exact_messages(noise, message, data_seed):
    """noise lies in [0, 1e6]: 2e6 and -1 are refused with the exact message, before data_seed is looked at."""
    with pytest.raises(ValueError) as info:
        bs.moons_data(n_train=2, n_validation=2, noise=noise, data_seed=data_seed)
    assert str(info.value) == message


def test_at_epoch_names_the_first_and_last_recorded_epochs():
    """Epochs 0, 2, 4 recorded: asking for 3 says they run 0..4 every 1 (the config's record_every)."""
    history = _history([0, 1, 2])
    history.epochs = np.array([0, 2, 4])
    assert history.at_epoch(4) == 2
    with pytest.raises(ValueError) as info:
        history.at_epoch(3)
    assert str(info.value) == "epoch 3 was not recorded; recorded epochs run 0..4 every 1"


def test_recorded_gradient_norm_matches_autograd():
    """The first recorded grad_norm is the Euclidean norm of the full-batch BCE gradient at the initial params."""
    import torch

    config = bs.BatchConfig(batch_size=4, n_train=4, n_validation=2, epochs=1, runs=1, hidden=(3,))
    history = bs.train(config)
    X, y, _, _ = bs.moons_data(4, 2, config.noise, config.data_seed)
    params = [torch.tensor(p[0], requires_grad=True) for p in bs.init_params([2, 3, 1], 1, np.random.default_rng(0))]
    W1, b1, W2, b2 = params
    logits = (torch.tanh(torch.tensor(X) @ W1 + b1) @ W2 + b2)[:, 0]
    torch.nn.functional.binary_cross_entropy_with_logits(logits, torch.tensor(y)).backward()
    expected = float(torch.sqrt(sum((p.grad ** 2).sum() for p in params)))
    assert history.grad_norm[0, 0] == pytest.approx(expected, rel=1e-12)


# --- Mutation-testing follow-ups: NaN/empty inputs, exact messages, defaults, the training loop ---------------


def test_forward_passes_nan_inputs_through():
    """forward computes logits for NaN inputs (NaN out) instead of refusing them."""
    z = bs.forward(_params(runs=2), np.array([[np.nan, 0.0], [0.0, 0.0]]))
    assert z.shape == (2, 2) and np.isnan(z[:, 0]).all() and np.isfinite(z[:, 1]).all()


@pytest.mark.parametrize("X", [np.zeros((0, 2)), np.zeros((2, 0, 2))])
def test_forward_of_no_inputs_gives_no_logits(X):
    """An empty batch is allowed: the logits are an empty (R, 0) array."""
    assert bs.forward(_params(runs=2), X).shape == (2, 0)


@pytest.mark.parametrize("params", [None, [np.zeros((1, 2, 1))] * 3])
def test_params_that_are_not_pairs_get_the_exact_message(params):
    """Not a list, or an odd count of arrays: the message shows the list [W1, b1, W2, b2, ...]."""
    with pytest.raises(ValueError) as info:
        bs.forward(params, np.zeros((4, 2)))
    assert str(info.value) == "params must be a list [W1, b1, W2, b2, ...] as init_params returns"


@pytest.mark.parametrize("bad, got", [(np.zeros((1, 2, 1), dtype=int), "an array of shape (1, 2, 1) and dtype int64"),
                                      (np.zeros((2, 1)), "an array of shape (2, 1) and dtype float64"),
                                      ([[[0.0]]], "[[[0.0]]] (list)")])
def test_params_of_the_wrong_kind_name_the_entry(bad, got):
    """An integer or 2-D weight, or a list instead of an array: the message names params[0] and what it is."""
    with pytest.raises(ValueError) as info:
        bs.forward([bad, np.zeros((1, 1, 1))], np.zeros((4, 2)))
    assert str(info.value) == ("params must be a list [W1, b1, W2, b2, ...] of (R, in, out) float arrays as "
                               f"init_params returns; params[0] is {got}")


def test_init_params_names_the_type_of_a_bad_rng():
    """A seed instead of a Generator: the TypeError names the type given (int)."""
    with pytest.raises(TypeError) as info:
        bs.init_params((2, 1), 1, 0)
    assert str(info.value) == "rng must be a numpy Generator, e.g. np.random.default_rng(0); got int"


def test_init_params_widths_stop_at_4096():
    """Width 4096 is allowed, 4097 is refused with the exact message."""
    assert bs.init_params([2, 4096], 1, np.random.default_rng(0))[0].shape == (1, 2, 4096)
    with pytest.raises(ValueError) as info:
        bs.init_params([2, 4097], 1, np.random.default_rng(0))
    assert str(info.value) == "widths must list at least two layer widths from 1 to 4096, got [2, 4097]"


def test_init_params_counts_the_parameters_of_every_layer():
    """1000 runs x (4097 x 4096 + 2 x 1) = 16,785,409,000 parameters for widths 4096, 4096, 1: both layers count."""
    with pytest.raises(ValueError) as info:
        bs.init_params([4096, 4096, 1], 1000, np.random.default_rng(0))
    assert str(info.value) == ("runs and widths would need 16,785,409,000 parameters, more than the limit of "
                               "50,000,000: use smaller values")


@pytest.mark.parametrize("index, bound", [(0, 2 ** -0.5), (1, 2 ** -0.5), (2, 1 / 4), (3, 1 / 4)])
def test_init_params_fill_both_signs_of_the_bound(index, bound):
    """Weights and biases are U(-bound, bound): over 200 runs they reach near both -bound and +bound."""
    p = bs.init_params((2, 16, 1), 200, np.random.default_rng(0))[index]
    assert -bound <= p.min() < -0.9 * bound and 0.9 * bound < p.max() <= bound


def test_loss_and_gradients_label_message_counts_the_inputs_not_the_runs():
    """3 inputs for 2 runs and 4 labels: the message says one label per input (3)."""
    with pytest.raises(ValueError) as info:
        bs.loss_and_gradients(_params(runs=2), np.zeros((3, 2)), np.zeros(4))
    assert str(info.value) == "y must hold one label per input (3), got shape (4,)"


def test_moons_data_defaults():
    """moons_data() is 200 training and 1000 validation points with noise 0.2 from data seed 0."""
    default = bs.moons_data()
    explicit = bs.moons_data(200, 1000, 0.2, 0)
    assert [a.shape for a in default] == [(200, 2), (200,), (1000, 2), (1000,)]
    for a, b in zip(default, explicit):
        np.testing.assert_array_equal(a, b)


def test_moons_data_noise_just_above_1e6_is_refused_before_the_seed():
    """noise = 1e6 + 0.5 is over the limit: refused for noise even with a bad data_seed."""
    with pytest.raises(ValueError) as info:
        bs.moons_data(n_train=2, n_validation=2, noise=1e6 + 0.5, data_seed=-1)
    assert str(info.value) == "noise must be at most 1e+06, got 1e+06"


def test_train_names_the_type_of_a_bad_config():
    """A dict instead of a BatchConfig: the TypeError names dict."""
    with pytest.raises(TypeError) as info:
        bs.train({"batch_size": 10})
    assert str(info.value) == "config must be a BatchConfig, got dict"


def test_train_records_its_running_time():
    """seconds is the wall time of the call: positive and no more than measured around it."""
    import time

    before = time.perf_counter()
    history = bs.train(bs.BatchConfig(batch_size=4, n_train=4, n_validation=2, epochs=1, runs=1, hidden=(1,)))
    elapsed = time.perf_counter() - before
    assert isinstance(history.seconds, float) and 0 < history.seconds <= elapsed


def test_a_logit_of_exactly_zero_counts_as_class_0(monkeypatch):
    """All-zero parameters give logit 0 everywhere: validation labels 0, 0, 1 give accuracy 2/3 at epoch 0."""
    monkeypatch.setattr(bs, "init_params", lambda widths, runs, rng: [np.zeros((runs, 2, 1)), np.zeros((runs, 1, 1))])
    history = bs.train(bs.BatchConfig(batch_size=4, n_train=4, n_validation=3, epochs=1, runs=2, hidden=()))
    assert history.val_accuracy[:, 0].tolist() == [2 / 3, 2 / 3]


def _torch_reference(config):
    """Records (train loss, val loss, val accuracy) and final params of plain SGD in torch, run by run."""
    import torch
    import torch.nn.functional as F

    Xtr, ytr, Xva, yva = (torch.tensor(a) for a in bs.moons_data(config.n_train, config.n_validation, config.noise,
                                                                   config.data_seed))
    rng = np.random.default_rng(config.seed)
    R, n, B = config.runs, config.n_train, config.batch_size
    initial = bs.init_params(config.widths, R, rng)
    leaves = [[torch.tensor(p[r]) for p in initial] for r in range(R)]

    def logits(ps, X):
        h = X
        for k in range(0, len(ps), 2):
            h = h @ ps[k] + ps[k + 1]
            if k + 2 < len(ps):
                h = torch.tanh(h)
        return h[:, 0]

    def record():
        out = []
        for ps in leaves:
            z = logits(ps, Xva)
            out.append((F.binary_cross_entropy_with_logits(logits(ps, Xtr), ytr).item(),
                        F.binary_cross_entropy_with_logits(z, yva).item(),
                        ((z > 0) == (yva > 0.5)).double().mean().item()))
        return out

    records = [record()]
    step = 0
    for _ in range(config.epochs):
        order = rng.random((R, n)).argsort(axis=1)
        starts = list(range(0, n, B))
        for j, first in enumerate(starts):
            lr = config.lr * min(1.0, (step + j + 1) / (config.warmup_epochs * len(starts)))
            for r in range(R):
                ps = [p.detach().requires_grad_(True) for p in leaves[r]]
                idx = torch.from_numpy(order[r, first:first + B])
                loss = F.binary_cross_entropy_with_logits(logits(ps, Xtr[idx]), ytr[idx])
                leaves[r] = [(p - lr * g).detach() for p, g in zip(ps, torch.autograd.grad(loss, ps))]
        step += len(starts)
        records.append(record())
    return np.array(records), leaves  # (epochs + 1, R, 3)


def test_mini_batch_sgd_with_warm_up_matches_a_torch_reference():
    """Batches of 15, 15, 10 in a fresh order per run and epoch, warm-up over 3 updates then lr, data seed 1."""
    config = bs.BatchConfig(batch_size=15, lr=0.5, epochs=3, warmup_epochs=1, hidden=(3,), runs=2, n_train=40,
                            n_validation=50, data_seed=1)
    history = bs.train(config)
    records, leaves = _torch_reference(config)
    assert history.updates.tolist() == [0, 3, 6, 9]
    for i, name in enumerate(("train_loss", "val_loss", "val_accuracy")):
        assert getattr(history, name).shape == (2, 4)
        np.testing.assert_allclose(getattr(history, name), records[:, :, i].T, rtol=1e-9)
    for r in range(2):
        for mine, ref in zip(history.params, leaves[r]):
            np.testing.assert_allclose(mine[r], ref.numpy(), rtol=1e-9, atol=1e-12)


def test_full_batch_training_uses_the_training_set_in_its_own_order():
    """batch_size = n_train: every update is loss_and_gradients on the whole set, bit for bit, in every run."""
    config = bs.BatchConfig(batch_size=40, lr=0.5, epochs=5, hidden=(4,), runs=2, n_train=40, n_validation=10)
    history = bs.train(config)
    Xtr, ytr, _, _ = bs.moons_data(40, 10)
    params = bs.init_params(config.widths, 2, np.random.default_rng(0))
    for _ in range(5):
        _, grads = bs.loss_and_gradients(params, Xtr, ytr)
        for p, g in zip(params, grads):
            p -= 0.5 * g
    for mine, ref in zip(history.params, params):
        np.testing.assert_array_equal(mine, ref)
