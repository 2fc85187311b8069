"""The batch-size trainer of II(C): gradients against autograd, batches, determinism, the page's claims."""

import dataclasses

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlexam import batch_size as bs
from dlexam.binary import make_moons


def torch_loss(params, run, X, y):
    """Mean BCE of run `run` in torch, from the same (numpy) parameters, with autograd leaves."""
    leaves = [torch.tensor(p[run], requires_grad=True) for p in params]
    h = torch.as_tensor(np.asarray(X)[run] if np.ndim(X) == 3 else np.asarray(X))
    for k in range(0, len(leaves), 2):
        h = h @ leaves[k] + leaves[k + 1]
        if k + 2 < len(leaves):
            h = torch.tanh(h)
    target = torch.as_tensor(np.asarray(y)[run] if np.ndim(y) == 2 else np.asarray(y))
    return F.binary_cross_entropy_with_logits(h[:, 0], target), leaves


@pytest.mark.parametrize("widths", [(2, 1), (2, 16, 1), (2, 16, 16, 1), (2, 3, 5, 4, 1)])
@pytest.mark.parametrize("stacked", [False, True])
def test_gradients_match_autograd(widths, stacked):
    rng = np.random.default_rng(len(widths))
    params = bs.init_params(widths, 3, rng)
    X = rng.normal(size=(3, 7, 2)) if stacked else rng.normal(size=(7, 2))
    y = (rng.random((3, 7)) if stacked else rng.random(7)) > 0.5
    loss, grads = bs.loss_and_gradients(params, X, y.astype(float))
    for run in range(3):
        expected, leaves = torch_loss(params, run, X, y.astype(float))
        expected.backward()
        assert loss[run] == pytest.approx(expected.item(), rel=1e-12)
        for g, leaf in zip(grads, leaves):
            np.testing.assert_allclose(g[run], leaf.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_forward_matches_a_torch_mlp_with_the_same_weights():
    params = bs.init_params((2, 16, 16, 1), 2, np.random.default_rng(0))
    X = np.random.default_rng(1).normal(size=(5, 2))
    for run in range(2):
        net = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 16), torch.nn.Tanh(),
                                  torch.nn.Linear(16, 1)).double()
        with torch.no_grad():
            for layer, k in zip((net[0], net[2], net[4]), (0, 2, 4)):
                layer.weight.copy_(torch.from_numpy(params[k][run].T))
                layer.bias.copy_(torch.from_numpy(params[k + 1][run, 0]))
        np.testing.assert_allclose(bs.forward(params, X)[run], net(torch.from_numpy(X))[:, 0].detach().numpy(),
                                   rtol=1e-12)


def test_initialisation_follows_pytorch_bounds():
    params = bs.init_params((2, 16, 1), 200, np.random.default_rng(0))
    assert np.abs(params[0]).max() <= 1 / np.sqrt(2) and np.abs(params[2]).max() <= 1 / 4
    assert np.abs(params[0]).max() > 0.95 / np.sqrt(2)
    one_run = bs.init_params((2, 16, 16, 1), 1, np.random.default_rng(0))
    assert bs.parameter_count((2, 16, 16, 1)) == 337 == sum(p[0].size for p in one_run)


def test_moons_data_are_the_binary_module_s_moons():
    Xtr, ytr, Xva, yva = bs.moons_data(50, 30, 0.2, 3)
    g = torch.Generator().manual_seed(3)
    X1, y1 = make_moons(50, 0.2, g)
    X2, y2 = make_moons(30, 0.2, g)
    np.testing.assert_array_equal(Xtr, X1.double().numpy())
    np.testing.assert_array_equal(yva, y2.double().numpy())
    assert Xtr.shape == (50, 2) and Xva.shape == (30, 2) and not Xtr.flags.writeable


SMALL = bs.BatchConfig(batch_size=8, lr=0.5, epochs=4, runs=3, n_train=40, n_validation=50)


def test_full_batch_training_is_gradient_descent_and_ignores_batch_order():
    config = dataclasses.replace(SMALL, batch_size=40)
    a, b = bs.train(config), bs.train(config)
    np.testing.assert_array_equal(a.train_loss, b.train_loss)
    # reference: plain gradient descent in torch from the same initial parameters
    Xtr, ytr, _, _ = bs.moons_data(40, 50, 0.2, 0)
    params = bs.init_params(config.widths, 3, np.random.default_rng(config.seed))
    for run in range(3):
        leaves = [torch.tensor(p[run], requires_grad=True) for p in params]
        for _ in range(config.epochs):
            h = torch.tensor(Xtr)
            for k in range(0, len(leaves), 2):
                h = h @ leaves[k] + leaves[k + 1]
                if k + 2 < len(leaves):
                    h = torch.tanh(h)
            loss = F.binary_cross_entropy_with_logits(h[:, 0], torch.tensor(ytr))
            grads = torch.autograd.grad(loss, leaves)
            leaves = [(leaf - 0.5 * g).detach().requires_grad_(True) for leaf, g in zip(leaves, grads)]
        for mine, ref in zip(a.params, leaves):
            np.testing.assert_allclose(mine[run], ref.detach().numpy(), rtol=1e-9, atol=1e-12)


def test_mini_batch_training_is_reproducible_by_seed():
    a, b = bs.train(SMALL), bs.train(SMALL)
    c = bs.train(dataclasses.replace(SMALL, seed=1))
    np.testing.assert_array_equal(a.val_loss, b.val_loss)
    assert not np.allclose(a.val_loss[:, 1:], c.val_loss[:, 1:])
    assert a.updates.tolist() == [0, 5, 10, 15, 20] and a.epochs.tolist() == [0, 1, 2, 3, 4]
    assert a.train_loss.shape == (3, 5)


def test_recording_every_few_epochs_keeps_the_last_epoch():
    h = bs.train(dataclasses.replace(SMALL, epochs=7, record_every=3, batch_size=7))
    assert h.epochs.tolist() == [0, 3, 6, 7] and h.updates.tolist() == [0, 18, 36, 42]
    assert h.at_epoch(6) == 2 and h.at_update(42) == 3
    with pytest.raises(ValueError, match="not recorded"):
        h.at_epoch(5)


def test_warm_up_raises_the_learning_rate_linearly():
    # One full-batch step with warm-up over 4 updates is a step with lr / 4.
    warm = bs.train(dataclasses.replace(SMALL, batch_size=40, epochs=4, warmup_epochs=4))
    slow = bs.train(dataclasses.replace(SMALL, batch_size=40, epochs=1, lr=0.125))
    np.testing.assert_allclose(warm.train_loss[:, 1], slow.train_loss[:, 1], rtol=1e-12)
    plain = bs.train(dataclasses.replace(SMALL, batch_size=40, epochs=4))
    assert not np.allclose(warm.train_loss[:, -1], plain.train_loss[:, -1])


def test_the_page_s_claims_hold():
    mini, full = bs.train(bs.BOOK_MINI), bs.train(bs.BOOK_FULL)
    long = bs.train(bs.BOOK_FULL_LONG)
    med = lambda a: float(np.median(a[:, -1]))  # noqa: E731
    assert long.updates[-1] == mini.updates[-1] == 2000 and full.updates[-1] == 100
    assert med(full.val_loss) > 1.6 * med(mini.val_loss) and med(full.train_loss) > 3 * med(mini.train_loss)
    assert med(long.train_loss) < 1.1 * med(mini.train_loss)
    assert med(long.val_loss) < 1.4 * med(mini.val_loss)
    np.testing.assert_allclose(long.train_loss[:, long.at_epoch(100)], full.train_loss[:, -1])


@pytest.mark.parametrize("changes, words", [
    (dict(batch_size=0), "batch_size"), (dict(batch_size=201), "batch_size"), (dict(lr=0.0), "lr"),
    (dict(lr=float("inf")), "lr"), (dict(epochs=0), "epochs"), (dict(runs=0), "runs"),
    (dict(warmup_epochs=-1), "warmup_epochs"), (dict(warmup_epochs=500), "warmup_epochs"),
    (dict(hidden=(0,)), "hidden"), (dict(hidden=(16, "a")), "hidden"), (dict(seed=-1), "seed"),
    (dict(noise=-0.1), "noise"), (dict(record_every=0), "record_every"), (dict(n_train=1), "n_train"),
])
def test_bad_configs_raise(changes, words):
    with pytest.raises(ValueError, match=words):
        dataclasses.replace(bs.BOOK_MINI, **changes)


def test_bad_arguments_raise():
    with pytest.raises(TypeError, match="BatchConfig"):
        bs.train({"batch_size": 10})
    with pytest.raises(TypeError, match="Generator"):
        bs.init_params((2, 1), 1, 0)
    with pytest.raises(ValueError, match="widths"):
        bs.init_params((2,), 1, np.random.default_rng(0))
    params = bs.init_params((2, 4, 1), 1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="X must have shape"):
        bs.forward(params, np.zeros((5, 3)))
    with pytest.raises(ValueError, match="one label per input"):
        bs.loss_and_gradients(params, np.zeros((5, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="params"):
        bs.forward(params[:3], np.zeros((5, 2)))
