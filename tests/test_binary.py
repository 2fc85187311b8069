"""dlexam.binary: the softmax-difference identity against torch, data, models and training."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlexam import binary


def test_two_logit_softmax_is_the_sigmoid_of_the_difference():
    g = torch.Generator().manual_seed(0)
    z = torch.randn(1000, 2, generator=g, dtype=torch.float64) * 20
    torch.testing.assert_close(binary.two_logit_probability(z), torch.softmax(z, dim=1)[:, 1], rtol=0, atol=1e-15)


def test_softmax_ignores_a_constant_added_to_both_logits():
    g = torch.Generator().manual_seed(1)
    z = torch.randn(500, 2, generator=g, dtype=torch.float64)
    c = torch.randn(500, 1, generator=g, dtype=torch.float64) * 100
    torch.testing.assert_close(torch.softmax(z + c, dim=1), torch.softmax(z, dim=1), rtol=0, atol=1e-13)


def test_cross_entropy_of_two_logits_is_bce_of_their_difference():
    g = torch.Generator().manual_seed(2)
    z = torch.randn(300, 2, generator=g, dtype=torch.float64) * 5
    y = torch.randint(0, 2, (300,), generator=g)
    torch.testing.assert_close(binary.loss(z, y, "two_softmax"),
                               binary.loss((z[:, 1] - z[:, 0])[:, None], y, "one_sigmoid"))


def test_losses_match_their_formulas():
    g = torch.Generator().manual_seed(3)
    z1 = torch.randn(50, 1, generator=g, dtype=torch.float64)
    z2 = torch.randn(50, 2, generator=g, dtype=torch.float64)
    y = torch.randint(0, 2, (50,), generator=g)
    p = torch.sigmoid(z1[:, 0])
    manual = -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
    torch.testing.assert_close(binary.loss(z1, y, "one_sigmoid"), manual)
    s = torch.sigmoid(z2)
    onehot = F.one_hot(y, 2)
    manual = -(onehot * torch.log(s) + (1 - onehot) * torch.log(1 - s)).mean()
    torch.testing.assert_close(binary.loss(z2, y, "two_sigmoid"), manual)
    # One logit through a softmax: P = 1 always; log(0) is clamped to -100 by PyTorch.
    assert binary.loss(z1, y, "one_softmax").item() == pytest.approx(100 * (y == 0).double().mean().item())


def test_softmax_of_one_logit_is_constant_with_zero_gradient():
    z = torch.linspace(-50, 50, 101, dtype=torch.float64)[:, None].requires_grad_()
    p = binary.probability(z, "one_softmax")
    assert torch.all(p == 1)
    y = torch.zeros(101, dtype=torch.long)
    binary.loss(z, y, "one_softmax").backward()
    assert torch.all(z.grad == 0)


@pytest.mark.parametrize("head", list(binary.HEADS))
def test_probability_and_prediction_shapes(head):
    model = binary.make_model(head, generator=torch.Generator().manual_seed(0))
    X = torch.randn(7, 2, generator=torch.Generator().manual_seed(1))
    p = binary.probability(model(X), head)
    assert p.shape == (7,) and torch.all((p >= 0) & (p <= 1))
    assert binary.predict(model(X), head).dtype == torch.long
    with pytest.raises(ValueError):
        binary.probability(torch.zeros(7, 3), head)


@pytest.mark.parametrize("hidden", [(), (16,), (8, 4)])
def test_parameter_counts(hidden):
    one = binary.make_model("one_sigmoid", hidden)
    two = binary.make_model("two_softmax", hidden)
    width = hidden[-1] if hidden else 2
    assert binary.parameter_count(two) - binary.parameter_count(one) == width + 1
    assert binary.parameter_count(one) == sum(p.numel() for p in one.parameters())


def test_collapsed_two_output_model_predicts_the_same():
    history = binary.train(binary.BinaryConfig(head="two_softmax", epochs=40))
    single = binary.collapse_two_logits(history.model)
    X = torch.randn(1000, 2, generator=torch.Generator().manual_seed(4)) * 2
    with torch.no_grad():
        torch.testing.assert_close(binary.probability(single(X), "one_sigmoid"),
                                   binary.probability(history.model(X), "two_softmax"), rtol=0, atol=1e-6)
    assert binary.parameter_count(single) < binary.parameter_count(history.model)
    with pytest.raises(ValueError):
        binary.collapse_two_logits(single)


@pytest.mark.parametrize("name", binary.DATASETS)
def test_data_is_seeded_balanced_and_shaped(name):
    X, y = binary.make_dataset(name, 101, torch.Generator().manual_seed(5))
    X2, y2 = binary.make_dataset(name, 101, torch.Generator().manual_seed(5))
    X3, _ = binary.make_dataset(name, 101, torch.Generator().manual_seed(6))
    assert X.shape == (101, 2) and X.dtype == torch.float32 and y.shape == (101,)
    assert torch.equal(X, X2) and torch.equal(y, y2) and not torch.equal(X, X3)
    assert abs(int(y.sum()) - 50) <= 1


def test_data_needs_an_explicit_generator():
    with pytest.raises(TypeError):
        binary.make_moons(10, 0.1, None)
    with pytest.raises(ValueError):
        binary.make_dataset("circles", 10, torch.Generator())


@pytest.mark.parametrize("head", [h for h, spec in binary.HEADS.items() if spec.trainable])
def test_training_reduces_the_loss_and_learns(head):
    history = binary.train(binary.BinaryConfig(head=head, epochs=150))
    assert history.epochs_done == 150
    assert history.loss[-1] < 0.3 * history.loss[0]
    assert history.final()[1] >= 0.9


def test_one_logit_softmax_never_learns():
    config = binary.BinaryConfig(head="one_softmax", epochs=30)
    before = [p.detach().clone() for p in binary.initial_history(config).model.parameters()]
    history = binary.train(config)
    assert len(set(history.loss)) == 1 and history.loss[0] == pytest.approx(50.0)
    assert all(g == 0 for g in history.grad_norm)
    assert all(torch.equal(a, b) for a, b in zip(before, history.model.parameters()))
    assert history.final()[1] == pytest.approx(0.5)


def test_same_seed_same_history_and_different_seed_differs():
    a = binary.train(binary.BinaryConfig(epochs=25, seed=3))
    b = binary.train(binary.BinaryConfig(epochs=25, seed=3))
    c = binary.train(binary.BinaryConfig(epochs=25, seed=4))
    assert a.loss == b.loss and a.accuracy == b.accuracy and a.grad_norm == b.grad_norm
    assert a.loss != c.loss
    assert torch.equal(a.X, c.X)  # the data depend on data_seed only


def test_training_leaves_global_state_alone():
    rng = torch.random.get_rng_state()
    threads = torch.get_num_threads()
    binary.train(binary.BinaryConfig(epochs=3))
    assert torch.equal(rng, torch.random.get_rng_state())
    assert torch.get_num_threads() == threads


def test_iter_training_yields_every_epoch():
    seen = [h.epochs_done for h in binary.iter_training(binary.BinaryConfig(epochs=5))]
    assert seen == [1, 2, 3, 4, 5]
    with pytest.raises(TypeError):
        next(binary.iter_training({"epochs": 5}))


@pytest.mark.parametrize(
    "bad",
    [dict(head="three"), dict(data="circles"), dict(epochs=0), dict(epochs=2.5), dict(lr=0.0), dict(lr=-1.0),
     dict(lr=math.nan), dict(seed=-1), dict(seed=1.5), dict(n=2), dict(hidden=(0,))],
)
def test_config_rejects_bad_values(bad):
    with pytest.raises(ValueError):
        binary.BinaryConfig(**bad)


def test_probability_grid_shapes():
    history = binary.initial_history(binary.BinaryConfig())
    xx, yy, p = binary.probability_grid(history.model, "one_sigmoid", binary.data_limits(history.X), 11)
    assert xx.shape == yy.shape == p.shape == (11, 11)


def test_exercise_checks():
    assert binary.check_two_logit_probability(3.0, 1.5, 1 / (1 + math.exp(1.5)))
    wrong = binary.check_two_logit_probability(3.0, 1.5, 1 / (1 + math.exp(-1.5)))
    assert not wrong and "class 0" in str(wrong)
    W2, b2 = np.array([[1.0, -2.0], [3.0, 0.5]]), np.array([0.5, -1.0])
    assert binary.check_single_logit_layer(W2, b2, [2.0, 2.5], -1.5)
    assert "class 0" in str(binary.check_single_logit_layer(W2, b2, [-2.0, -2.5], 1.5))
    assert not binary.check_single_logit_layer(W2, b2, [3.0, 0.5], -1.0)
    with pytest.raises(ValueError):
        binary.check_single_logit_layer(W2, b2, [1.0], 0.0)
    assert binary.check_trainable_heads({"one_sigmoid", "two_softmax", "two_sigmoid"})
    assert not binary.check_trainable_heads(set(binary.HEADS))
    with pytest.raises(ValueError):
        binary.check_trainable_heads({"three_outputs"})
