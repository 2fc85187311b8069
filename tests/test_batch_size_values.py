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
