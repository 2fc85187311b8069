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


def test_probabilities_ignore_a_constant_added_to_both_logits():
    g = torch.Generator().manual_seed(1)
    z = torch.randn(500, 2, generator=g, dtype=torch.float64)
    c = torch.randn(500, 1, generator=g, dtype=torch.float64) * 100
    reference = 1 / (1 + torch.exp(z[:, 0] - z[:, 1]))  # sigmoid(z1 - z0), written out
    for p in (binary.two_logit_probability(z + c), binary.probability(z + c, "two_softmax")):
        torch.testing.assert_close(p, reference, rtol=0, atol=1e-13)
    y = torch.randint(0, 2, (500,), generator=g)
    torch.testing.assert_close(binary.loss(z + c, y, "two_softmax"), binary.loss(z, y, "two_softmax"))


def test_probability_values_by_hand():
    z = torch.tensor([[0.0, 0.0], [0.0, math.log(3.0)], [math.log(3.0), 0.0]], dtype=torch.float64)
    torch.testing.assert_close(binary.probability(z, "two_softmax"), torch.tensor([0.5, 0.75, 0.25], dtype=torch.float64))
    torch.testing.assert_close(binary.probability(z[:, 1:], "one_sigmoid"), torch.tensor([0.5, 0.75, 0.5], dtype=torch.float64))
    # two_sigmoid: sigmoid(z1) / (sigmoid(z0) + sigmoid(z1)); sigmoid(log 3) = 3/4, sigmoid(0) = 1/2.
    torch.testing.assert_close(binary.probability(z, "two_sigmoid"),
                               torch.tensor([0.5, 0.75 / 1.25, 0.5 / 1.25], dtype=torch.float64))
    assert binary.predict(torch.tensor([[0.0], [-1e-6], [1e-6]]), "one_sigmoid").tolist() == [1, 0, 1]


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
    with pytest.raises(ValueError, match=r"needs logits of shape \(B, [12]\), got \(7, 3\)"):
        binary.probability(torch.zeros(7, 3), head)


# (hidden, one output, two outputs), counted by hand: a Linear(a, b) has a * b + b parameters.
# (): 2*1+1 = 3 and 2*2+2 = 6; (16,): 2*16+16 = 48, then 17 or 34; (8, 4): 24 + 36, then 5 or 10.
@pytest.mark.parametrize("hidden, one_count, two_count", [((), 3, 6), ((16,), 65, 82), ((8, 4), 65, 70)])
def test_parameter_counts(hidden, one_count, two_count):
    one = binary.make_model("one_sigmoid", hidden)
    two = binary.make_model("two_softmax", hidden)
    assert binary.parameter_count(one) == one_count == sum(p.numel() for p in one.parameters())
    assert binary.parameter_count(two) == two_count == sum(p.numel() for p in two.parameters())


def test_collapsed_two_output_model_predicts_the_same():
    history = binary.train(binary.BinaryConfig(head="two_softmax", epochs=40))
    single = binary.collapse_two_logits(history.model)
    X = torch.randn(1000, 2, generator=torch.Generator().manual_seed(4)) * 2
    with torch.no_grad():
        torch.testing.assert_close(binary.probability(single(X), "one_sigmoid"),
                                   binary.probability(history.model(X), "two_softmax"), rtol=0, atol=1e-6)
    assert binary.parameter_count(single) < binary.parameter_count(history.model)
    with pytest.raises(ValueError, match="model must be a BinaryClassifier with two outputs"):
        binary.collapse_two_logits(single)


@pytest.mark.parametrize("name", binary.DATASETS)
def test_data_is_seeded_balanced_and_shaped(name):
    X, y = binary.make_dataset(name, 101, torch.Generator().manual_seed(5))
    X2, y2 = binary.make_dataset(name, 101, torch.Generator().manual_seed(5))
    X3, _ = binary.make_dataset(name, 101, torch.Generator().manual_seed(6))
    assert X.shape == (101, 2) and X.dtype == torch.float32 and y.shape == (101,)
    assert torch.equal(X, X2) and torch.equal(y, y2) and not torch.equal(X, X3)
    assert abs(int(y.sum()) - 50) <= 1


def test_blobs_are_unit_gaussians_the_given_distance_apart_on_the_diagonal():
    for distance in (3.0, 0.0, 5.0):
        X, y = binary.make_blobs(20_000, distance, torch.Generator().manual_seed(7))
        X = X.double()
        assert y[:10_000].eq(0).all() and y[10_000:].eq(1).all()
        m0, m1 = X[y == 0].mean(0), X[y == 1].mean(0)
        half = distance / 2 / math.sqrt(2)  # each coordinate of each centre: +-distance/2 along (1, 1)/sqrt(2)
        torch.testing.assert_close(m0, torch.tensor([-half, -half], dtype=torch.float64), rtol=0, atol=0.03)
        torch.testing.assert_close(m1, torch.tensor([half, half], dtype=torch.float64), rtol=0, atol=0.03)
        assert float((m1 - m0).norm()) == pytest.approx(distance, abs=0.05)
        for cls in (0, 1):
            cov = torch.cov(X[y == cls].T)
            torch.testing.assert_close(cov, torch.eye(2, dtype=torch.float64), rtol=0, atol=0.05)


def test_noise_free_moons_lie_on_their_half_circles():
    X, y = binary.make_moons(101, 0.0, torch.Generator().manual_seed(8))
    X = X.double()
    assert int((y == 0).sum()) == 51 and int((y == 1).sum()) == 50
    upper, lower = X[y == 0], X[y == 1]
    torch.testing.assert_close(upper.norm(dim=1), torch.ones(51, dtype=torch.float64), rtol=0, atol=1e-6)
    assert bool((upper[:, 1] >= 0).all())
    centred = lower - torch.tensor([1.0, 0.5], dtype=torch.float64)
    torch.testing.assert_close(centred.norm(dim=1), torch.ones(50, dtype=torch.float64), rtol=0, atol=1e-6)
    assert bool((lower[:, 1] <= 0.5 + 1e-6).all())


def test_dataset_is_the_named_data_set_from_the_data_seed():
    X, y = binary.dataset(binary.BinaryConfig(data="blobs", n=50, data_seed=7))
    X_ref, y_ref = binary.make_blobs(50, 3.0, torch.Generator().manual_seed(7))
    assert torch.equal(X, X_ref) and torch.equal(y, y_ref)
    X, y = binary.dataset(binary.BinaryConfig(n=31, data_seed=2, seed=9))
    X_ref, y_ref = binary.make_moons(31, 0.2, torch.Generator().manual_seed(2))
    assert torch.equal(X, X_ref) and torch.equal(y, y_ref)
    with pytest.raises(TypeError, match="config must be"):
        binary.dataset({"data": "moons"})


def test_data_needs_an_explicit_generator():
    with pytest.raises(TypeError, match="generator must be a torch.Generator"):
        binary.make_moons(10, 0.1, None)
    with pytest.raises(ValueError, match=r"data \(the name\) must be one of"):
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
    with pytest.raises(TypeError, match="config must be a BinaryConfig"):
        next(binary.iter_training({"epochs": 5}))


@pytest.mark.parametrize(
    "bad",
    [dict(head="three"), dict(data="circles"), dict(epochs=0), dict(epochs=2.5), dict(lr=0.0), dict(lr=-1.0),
     dict(lr=math.nan), dict(seed=-1), dict(seed=1.5), dict(n=2), dict(hidden=(0,))],
)
def test_config_rejects_bad_values(bad):
    (argument,) = bad  # the one setting that is wrong must be the one named
    with pytest.raises(ValueError, match=rf"^{argument} "):
        binary.BinaryConfig(**bad)


def test_probability_grid_shapes():
    history = binary.initial_history(binary.BinaryConfig())
    xx, yy, p = binary.probability_grid(history.model, "one_sigmoid", binary.data_limits(history.X), 11)
    assert xx.shape == yy.shape == p.shape == (11, 11)


def test_probability_grid_values():
    model = binary.make_model("one_sigmoid", hidden=())  # logistic regression: P = sigmoid(w . x + b)
    with torch.no_grad():
        model.output.weight.copy_(torch.tensor([[1.0, 2.0]]))
        model.output.bias.fill_(-0.5)
    xx, yy, p = binary.probability_grid(model, "one_sigmoid", ((-1.0, 1.0), (0.0, 2.0)), 3)
    np.testing.assert_array_equal(xx, [[-1, 0, 1]] * 3)  # x varies along a row
    np.testing.assert_array_equal(yy, [[0, 0, 0], [1, 1, 1], [2, 2, 2]])  # y down a column
    z = np.array([[-1.5, -0.5, 0.5], [0.5, 1.5, 2.5], [2.5, 3.5, 4.5]])
    np.testing.assert_allclose(p, 1 / (1 + np.exp(-z)), rtol=1e-6)


def test_data_limits_add_the_margin():
    X = torch.tensor([[0.0, -1.0], [2.0, 3.0], [1.0, 0.5]])
    assert binary.data_limits(X, 0.5) == ((-0.5, 2.5), (-1.5, 3.5))
    assert binary.data_limits(X, 0.0) == ((0.0, 2.0), (-1.0, 3.0))


def test_exercise_checks():
    assert binary.check_two_logit_probability(3.0, 1.5, 1 / (1 + math.exp(1.5)))
    wrong = binary.check_two_logit_probability(3.0, 1.5, 1 / (1 + math.exp(-1.5)))
    assert not wrong and "class 0" in str(wrong)
    W2, b2 = np.array([[1.0, -2.0], [3.0, 0.5]]), np.array([0.5, -1.0])
    assert binary.check_single_logit_layer(W2, b2, [2.0, 2.5], -1.5)
    assert "class 0" in str(binary.check_single_logit_layer(W2, b2, [-2.0, -2.5], 1.5))
    assert not binary.check_single_logit_layer(W2, b2, [3.0, 0.5], -1.0)
    with pytest.raises(ValueError, match=r"w must have shape \(2,\)"):
        binary.check_single_logit_layer(W2, b2, [1.0], 0.0)
    assert binary.check_trainable_heads({"one_sigmoid", "two_softmax", "two_sigmoid"})
    assert not binary.check_trainable_heads(set(binary.HEADS))
    with pytest.raises(ValueError, match=r"answer holds unknown names \['three_outputs'\]"):
        binary.check_trainable_heads({"three_outputs"})


def test_two_logit_probability_check_at_its_tolerance():
    # softmax((0, 0))_1 = 0.5 exactly; errors and tolerances are powers of two, so exact in floating point.
    assert binary.check_two_logit_probability(0.0, 0.0, 0.75, tol=0.25)  # error exactly at tol: right
    assert not binary.check_two_logit_probability(0.0, 0.0, 0.75, tol=0.25 - 2**-20)  # just above tol
    assert binary.check_two_logit_probability(0.0, 0.0, 0.5, tol=0)
    assert not binary.check_two_logit_probability(0.0, 0.0, 0.5 + 2**-30, tol=0)
    # The class-0 answer 1 - p, at the same boundary: 0.25 from 1 - exact = 0.25.
    exact = 1 / (1 + math.exp(-1.0))
    assert "class 0" in binary.check_two_logit_probability(0.0, 1.0, 1 - exact + 2**-12, tol=2**-11).message
    assert "class 0" not in binary.check_two_logit_probability(0.0, 1.0, 1 - exact + 2**-10, tol=2**-11).message


def test_single_logit_layer_check_at_its_tolerance():
    W2, b2 = np.array([[1.0, -2.0], [3.0, 0.5]]), np.array([0.5, -1.0])  # w = (2, 2.5), b = -1.5
    assert binary.check_single_logit_layer(W2, b2, [2.0, 2.5], -1.25, tol=0.25)  # b off by exactly tol
    assert not binary.check_single_logit_layer(W2, b2, [2.0, 2.5], -1.25, tol=0.25 - 2**-20)
    assert binary.check_single_logit_layer(W2, b2, [2.0, 2.5], -1.5, tol=0)
    assert not binary.check_single_logit_layer(W2, b2, [2.0, 2.5], -1.5 + 2**-30, tol=0)
    # The weights are held to the same absolute tolerance as the bias, with no relative slack.
    assert binary.check_single_logit_layer(W2, b2, [2.25, 2.5], -1.5, tol=0.25)  # w off by exactly tol
    assert not binary.check_single_logit_layer(W2, b2, [2.25, 2.5], -1.5, tol=0.25 - 2**-20)
    assert not binary.check_single_logit_layer(W2, b2, [2.0 + 2**-30, 2.5], -1.5, tol=0)
    assert not binary.check_single_logit_layer(W2, b2, [2.00001, 2.50001], -1.5, tol=0)


# --- make_blobs: defaults, the exact seeded draw, dtypes and the distance ceiling ---------------


def test_blobs_defaults_are_200_points_3_apart():
    """make_blobs() draws n = 200 points with distance 3.0 by default."""
    X, y = binary.make_blobs(generator=torch.Generator().manual_seed(11))
    X_ref, y_ref = binary.make_blobs(200, 3.0, torch.Generator().manual_seed(11))
    assert X.shape == (200, 2) and torch.equal(X, X_ref) and torch.equal(y, y_ref)


@pytest.mark.parametrize("n, distance, seed", [(101, 3.0, 12), (40, 5.0, 13)])
def test_blobs_are_the_seeded_float64_normal_draw_shifted_along_the_diagonal(n, distance, seed):
    """The points are one float64 N(0, I) draw of (n, 2), class 0 first, each shifted by -+distance/2 along (1, 1)/sqrt(2)."""
    X, y = binary.make_blobs(n, distance, torch.Generator().manual_seed(seed))
    n0 = n - n // 2
    Z = torch.randn(n, 2, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    half = distance / (2 * math.sqrt(2))  # each coordinate of each centre, in float64
    expected = torch.cat([Z[:n0] - half, Z[n0:] + half]).float()
    assert X.dtype == torch.float32 and torch.equal(X, expected)
    assert y.dtype == torch.long and y.tolist() == [0] * n0 + [1] * (n - n0)


def test_blobs_distance_ceiling_is_one_million():
    """distance may be 1e6 but no more."""
    X, _ = binary.make_blobs(4, 1e6, torch.Generator().manual_seed(0))
    assert X.shape == (4, 2)
    with pytest.raises(ValueError, match=r"^distance must be at most 1e\+06, got 1e\+06$"):
        binary.make_blobs(4, 1e6 + 0.5, torch.Generator().manual_seed(0))


# --- two_logit_probability: NaN and infinities pass through, empty batches are fine -------------


@pytest.mark.parametrize("convert", [lambda z: z, lambda z: z.tolist(), lambda z: z.numpy()],
                         ids=["tensor", "list", "ndarray"])
def test_two_logit_probability_passes_nan_and_infinities_through(convert):
    """Non-finite logits are not refused (tensor, list or array): NaN gives NaN, +-inf give 0 or 1."""
    z = torch.tensor([[math.nan, 0.0], [math.inf, 0.0], [0.0, math.inf], [1.0, 3.0]], dtype=torch.float64)
    expected = torch.sigmoid(z[:, 1] - z[:, 0])  # nan, 0, 1, sigmoid(2)
    torch.testing.assert_close(binary.two_logit_probability(convert(z)), expected, rtol=0, atol=1e-15, equal_nan=True)


@pytest.mark.parametrize("z", [torch.empty(0, 2, dtype=torch.float64), np.empty((0, 2))], ids=["tensor", "ndarray"])
def test_two_logit_probability_of_an_empty_batch(z):
    """A batch of no rows gives no probabilities rather than an error."""
    assert tuple(binary.two_logit_probability(z).shape) == (0,)


# --- check_two_logit_probability: every verdict and its message --------------------------------

_TAIL = "Only the difference z1 - z0 matters: which function of it gives the probability?"


@pytest.mark.parametrize(
    "z0, z1, p, tol, correct, message",
    [
        (3.0, 1.5, 1 / (1 + math.exp(1.5)), 1e-3, True, "Right: softmax((3, 1.5))_1 = sigmoid(1.5 - 3) = 0.1824."),
        # softmax((0, 1000)) is (0, 1) exactly in float64: the class-0 answer 0 is 0.25 = tol away.
        (0.0, 1000.0, 0.25, 0.25, False, "Not yet: that is the probability of class 0; class 1 belongs to z1."),
        (0.0, 0.0, 1.5, 1e-3, False, "Not yet: a probability lies between 0 and 1, got 1.5."),
        (0.0, 0.0, -0.5, 1e-3, False, "Not yet: a probability lies between 0 and 1, got -0.5."),
        (0.0, 0.0, 0.0, 1e-3, False, f"Not yet: 0 is too low (tolerance 0.001). {_TAIL}"),
        (0.0, 0.0, 1.0, 1e-3, False, f"Not yet: 1 is too high (tolerance 0.001). {_TAIL}"),
        (0.0, 0.0, 0.9, 1e-3, False, f"Not yet: 0.9 is too high (tolerance 0.001). {_TAIL}"),
        (0.0, 0.0, 0.125, 0.25, False, f"Not yet: 0.125 is too low (tolerance 0.25). {_TAIL}"),
    ],
)
def test_two_logit_probability_check_messages(z0, z1, p, tol, correct, message):
    """Each branch's verdict and exact feedback: right, class 0, out of [0, 1], too high, too low."""
    result = binary.check_two_logit_probability(z0, z1, p, tol=tol)
    assert result.correct is correct and result.message == message


def test_two_logit_probability_check_computes_in_float64():
    """The exact value is a float64 softmax: torch's float64 sigmoid(1) is right within 1e-12."""
    p = float(torch.sigmoid(torch.tensor(1.0, dtype=torch.float64)))
    result = binary.check_two_logit_probability(0.0, 1.0, p, tol=1e-12)
    assert result.correct is True and result.message == "Right: softmax((0, 1))_1 = sigmoid(1 - 0) = 0.7311."


# --- check_single_logit_layer: every verdict and its message, the tolerances, the errors -------

_W2, _B2 = np.array([[1.0, -2.0], [3.0, 0.5]]), np.array([0.5, -1.0])  # w = (2, 2.5), b = -1.5
_RIGHT = ("Right: w = w1 - w0 = [2.0, 2.5], b = b1 - b0 = -1.5; "
          "sigmoid(w.h + b) = softmax(W2 h + b2)_1 for every hidden vector h.")
_CLASS0 = "Not yet: that is w0 - w1, the logit of class 0: its sigmoid is P(y = 0)."
_OTHER = ("Not yet: the softmax of two logits depends only on their difference z1 - z0; "
          "which weights and bias produce that difference?")


@pytest.mark.parametrize(
    "w, b, tol, correct, message",
    [
        ([2.0, 2.5], -1.5, None, True, _RIGHT),
        ([2.0, 2.5], -1.5 + 2**-31, None, True, _RIGHT),  # 4.7e-10 off: within the default 1e-9
        ([2.0, 2.5], -1.5 + 2**-26, None, False, _OTHER),  # 1.5e-8 off: beyond the default 1e-9
        ([-2.0, -2.5], 1.5, None, False, _CLASS0),
        ([-1.75, -2.5], 1.5, 0.25, False, _CLASS0),  # w exactly tol from w0 - w1
        ([-2.0, -2.5], 1.75, 0.25, False, _CLASS0),  # b exactly tol from b0 - b1
        ([-1.75, -2.5], 1.5, 0.25 - 2**-20, False, _OTHER),
        ([-2.0, -2.5], 0.0, None, False, _OTHER),  # w0 - w1 with a wrong bias
        ([-2.0, -2.5], 1.5 + 2**-30, 0.0, False, _OTHER),  # the class-0 bias, just off
        ([-2.00001, -2.5], 1.5, 0.0, False, _OTHER),  # no relative slack for the class-0 weights
        ([-3.0, -2.5], 1.5, 0.0, False, _OTHER),
        ([math.inf, 2.5], -1.5, None, False, _OTHER),  # non-finite weights are judged, not refused
        ([math.nan, 2.5], -1.5, None, False, _OTHER),
    ],
)
def test_single_logit_layer_check_messages(w, b, tol, correct, message):
    """Each branch's verdict and exact feedback, at the (default) tolerance and off it."""
    kwargs = {} if tol is None else {"tol": tol}
    result = binary.check_single_logit_layer(_W2, _B2, w, b, **kwargs)
    assert result.correct is correct and result.message == message


def test_single_logit_layer_check_with_three_hidden_units_rounds_to_six_decimals():
    """W2 may have any number of columns h; the right answer's w is shown rounded to 6 decimals."""
    W2 = np.array([[0.0, 0.0, 0.0], [0.1234567, 1.0, -2.0]])
    result = binary.check_single_logit_layer(W2, [0.0, 0.25], [0.1234567, 1.0, -2.0], 0.25)
    assert result.correct is True
    assert result.message == ("Right: w = w1 - w0 = [0.123457, 1.0, -2.0], b = b1 - b0 = 0.25; "
                              "sigmoid(w.h + b) = softmax(W2 h + b2)_1 for every hidden vector h.")


@pytest.mark.parametrize(
    "W2, w, b, error, match",
    [
        (_W2, [], 0.0, ValueError, r"^w must have shape \(2,\) and b must be a number, got \(0,\) and \(\)$"),
        (_W2, [2.0, 2.5], [1.0], ValueError,
         r"^w must have shape \(2,\) and b must be a number, got \(2,\) and \(1,\)$"),
        (_W2, [2.0, 2.5], "x", TypeError, r"^b must be a number, got 'x' \(str\)$"),
        (_W2, [2.0, 2.5], True, TypeError, r"^b must be a number, got True \(bool\)$"),
        (np.ones((3, 2)), [2.0, 2.5], 0.0, ValueError,
         r"^W2 must have shape \(2, h\) and b2 shape \(2,\), got \(3, 2\) and \(2,\)$"),
    ],
)
def test_single_logit_layer_check_rejects_bad_shapes_and_types(W2, w, b, error, match):
    """Wrong shapes and a non-number b are refused with the error that names them."""
    with pytest.raises(error, match=match):
        binary.check_single_logit_layer(W2, _B2, w, b)


# --- check_trainable_heads: every verdict and its message ---------------------------------------

_ONE_SOFTMAX = "one_softmax cannot learn: a softmax over one logit is 1 for every input, so its gradient is exactly 0."


@pytest.mark.parametrize(
    "answer, correct, message",
    [
        ({"one_sigmoid", "two_softmax", "two_sigmoid"}, True,
         "Right: one_sigmoid (one output, sigmoid + binary cross-entropy): learns; "
         "two_softmax (two outputs, softmax + cross-entropy): learns; "
         "two_sigmoid (two outputs, sigmoid + binary cross-entropy on one-hot targets): learns; "
         "one_softmax (one output, softmax + binary cross-entropy): cannot learn."),
        ({"one_sigmoid", "two_softmax"}, False, "Not yet:\n1 head that can be trained is missing from your answer."),
        ("one_sigmoid", False, "Not yet:\n2 heads that can be trained are missing from your answer."),
        (set(), False, "Not yet:\n3 heads that can be trained are missing from your answer."),
        (set(binary.HEADS), False, f"Not yet:\n{_ONE_SOFTMAX}"),
        ({"one_softmax", "two_softmax"}, False,
         f"Not yet:\n{_ONE_SOFTMAX}\n2 heads that can be trained are missing from your answer."),
    ],
)
def test_trainable_heads_check_messages(answer, correct, message):
    """Right lists every head; wrong names the untrainable head chosen and counts the trainable ones left out."""
    result = binary.check_trainable_heads(answer)
    assert result.correct is correct and result.message == message


def test_trainable_heads_check_rejects_a_non_set_with_an_example():
    """A non-iterable answer is a TypeError that shows an example answer."""
    with pytest.raises(TypeError, match=r"^answer must be a set of names such as \{'one_sigmoid'\}, got 3 \(int\)$"):
        binary.check_trainable_heads(3)
