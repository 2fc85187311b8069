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
    assert str(info.value) == ("runs and widths ask for 16,781,312,000 parameters, more than the limit of "
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
