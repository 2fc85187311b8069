"""Backpropagation by hand against autograd, per-example gradients, one SGD step, and saved-bytes counts."""

import math

import pytest
import torch
from torch import nn
import torch.nn.functional as F

from dlexam import backprop, memory

WIDTHS = [[3, 4, 2], [5, 5, 5, 5], [1, 1], [7, 3, 6, 2, 4], [2, 9]]


def problem(widths, batch_size, seed=0):
    g = torch.Generator().manual_seed(seed)
    params = backprop.init_params(widths, g)
    x = torch.randn(batch_size, widths[0], generator=g, dtype=torch.float64)
    y = torch.randn(batch_size, widths[-1], generator=g, dtype=torch.float64)
    return params, x, y


def nn_reference(params, x, y):
    """Gradients from an nn.Sequential of nn.Linear + nn.Tanh and F.mse_loss: nothing shared with dlexam."""
    blocks = []
    for W, b in zip(params.weights, params.biases):
        linear = nn.Linear(W.shape[1], W.shape[0], dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(W)
            linear.bias.copy_(b)
        blocks += [linear, nn.Tanh()]
    model = nn.Sequential(*blocks)
    out = model(x)
    # mean over B examples of ||z - y||^2 / 2 = (d_L / 2) * mean over all B * d_L entries
    loss = F.mse_loss(out, y) * out.shape[1] / 2
    loss.backward()
    linears = [m for m in model if isinstance(m, nn.Linear)]
    return [m.weight.grad for m in linears], [m.bias.grad for m in linears]


@pytest.mark.parametrize("widths", WIDTHS, ids=str)
@pytest.mark.parametrize("batch_size", [1, 2, 9])
def test_hand_backward_matches_autograd(widths, batch_size):
    params, x, y = problem(widths, batch_size)
    hand = backprop.backward(params, backprop.forward(params, x), y)
    ref_W, ref_b = nn_reference(params, x, y)
    for l, (gW, rW, gb, rb) in enumerate(zip(hand.weights, ref_W, hand.biases, ref_b), start=1):
        assert gW.shape == rW.shape == params.weights[l - 1].shape
        torch.testing.assert_close(gW, rW, rtol=1e-12, atol=1e-14, msg=f"dW_{l}")
        torch.testing.assert_close(gb, rb, rtol=1e-12, atol=1e-14, msg=f"db_{l}")
    assert hand.max_abs_difference(backprop.autograd_gradients(params, x, y)) < 1e-13


def test_a_wrong_backward_would_be_caught():
    # The comparison can fail: drop the tanh derivative and the difference is large.
    params, x, y = problem([4, 4, 4], 6)
    acts = backprop.forward(params, x)
    right = backprop.backward(params, acts, y)
    wrong_last = ((acts[-1] - y) / 6).T @ acts[-2]
    assert (wrong_last - right.weights[-1]).abs().max() > 1e-3


def test_weight_gradient_is_the_sum_of_per_example_outer_products():
    params, x, y = problem([3, 5, 2], 7)
    grads = backprop.backward(params, backprop.forward(params, x), y)
    per_example = backprop.per_example_gradients(params, x, y)
    assert per_example.weights[0].shape == (7, 5, 3) and per_example.biases[1].shape == (7, 2)
    # each per-example gradient of the last layer is one outer product g_i z_i^T
    z = backprop.forward(params, x)
    g = (z[2] - y) * (1 - z[2] ** 2)  # (7, 2): per-example losses, no 1/B
    for i in range(7):
        torch.testing.assert_close(per_example.weights[1][i], torch.outer(g[i], z[1][i]), rtol=1e-12, atol=1e-14)
    summed = sum(torch.outer(g[i], z[1][i]) for i in range(7)) / 7
    torch.testing.assert_close(grads.weights[1], summed, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("widths", WIDTHS[:4], ids=str)
def test_mean_of_per_example_gradients_is_the_batch_gradient(widths):
    params, x, y = problem(widths, 11, seed=3)
    batch = backprop.backward(params, backprop.forward(params, x), y)
    per_example = backprop.per_example_gradients(params, x, y)
    assert per_example.mean_over_examples().max_abs_difference(batch) < 1e-14
    # and each one is the gradient of that example alone
    for i in (0, 5, 10):
        alone = backprop.autograd_gradients(params, x[i : i + 1], y[i : i + 1])
        single = backprop.Gradients(tuple(W[i] for W in per_example.weights), tuple(b[i] for b in per_example.biases))
        assert single.max_abs_difference(alone) < 1e-14


def test_loss_is_the_average_over_i_from_1_to_B():
    z = torch.tensor([[1.0, 2.0], [0.0, 0.0], [3.0, -1.0]], dtype=torch.float64)
    y = torch.zeros(3, 2, dtype=torch.float64)
    # per example ||z - y||^2 / 2: 2.5, 0, 5; average over the three (not four) examples: 2.5
    assert backprop.example_losses(z, y).tolist() == [2.5, 0.0, 5.0]
    assert float(backprop.batch_loss(z, y)) == 2.5


def test_sgd_step_does_each_sub_step():
    g = torch.Generator().manual_seed(1)
    widths = [4, 4, 4]
    X, Y = backprop.make_regression_data(50, widths, g)
    params = backprop.init_params(widths, g)
    step = backprop.sgd_step(params, X, Y, batch_size=8, lr=0.3, generator=g)
    assert step.indices.shape == (8,) and int(step.indices.min()) >= 0 and int(step.indices.max()) < 50
    torch.testing.assert_close(step.x, X[step.indices])
    assert step.loss == pytest.approx(float(step.losses.mean()))
    ref = backprop.autograd_gradients(params, step.x, step.y)
    for W, W_new, dW in zip(params.weights, step.new_params.weights, ref.weights):
        torch.testing.assert_close(W_new, W - 0.3 * dW, rtol=1e-12, atol=1e-14)
    norm = math.sqrt(sum(float(((0.3 * t) ** 2).sum()) for t in (*ref.weights, *ref.biases)))
    assert step.update_norm == pytest.approx(norm, rel=1e-10)


def test_sgd_steps_reduce_the_loss_and_are_reproducible():
    def run(seed):
        g = torch.Generator().manual_seed(seed)
        X, Y = backprop.make_regression_data(128, [6, 6, 6], g)
        params = backprop.init_params([6, 6, 6], g)
        start = backprop.dataset_loss(params, X, Y)
        for _ in range(60):
            params = backprop.sgd_step(params, X, Y, 16, 0.5, g).new_params
        return start, backprop.dataset_loss(params, X, Y)

    start, end = run(0)
    assert end < 0.5 * start
    assert run(0) == (start, end)


def test_sample_batch_draws_with_replacement():
    g = torch.Generator().manual_seed(0)
    idx = backprop.sample_batch(3, 100, g)
    assert idx.shape == (100,) and set(idx.tolist()) == {0, 1, 2}  # 100 draws from 3: repeats


def test_held_in_memory_counts_by_hand():
    g = torch.Generator().manual_seed(0)
    X, Y = backprop.make_regression_data(40, [8, 8, 8, 8], g)
    step = backprop.sgd_step(backprop.init_params([8, 8, 8, 8], g), X, Y, 16, 0.1, g)
    held = {k: {r.name: r.bytes for r in backprop.held_in_memory(step, k)} for k in range(1, 6)}
    # float64 = 8 bytes; parameters 3 * (64 + 8) = 216 numbers; batch 2 * 16 * 8; activations 3 * 16 * 8
    assert held[1] == {"θ_old: W_l, b_l": 1728, "batch x, y": 2048}
    assert held[2]["activations z_1..z_3"] == 3072
    assert held[3]["losses l(z_L^(i)), their mean"] == 17 * 8
    assert held[4]["gradients dW_l, db_l"] == 1728 and "activations z_1..z_3" not in held[4]
    assert held[5] == {"θ_new: W_l, b_l": 1728}
    shapes = {r.name: r.shapes for r in backprop.held_in_memory(step, 2)}
    assert shapes["θ_old: W_l, b_l"] == "3 × (8, 8) + 3 × (8,)"


def test_gradient_memory_by_hand():
    g = torch.Generator().manual_seed(0)
    m = backprop.gradient_memory(layers=2, batch_size=5, width=3, generator=g)
    # per-example: 5 examples x 2 blocks x (9 weights + 3 biases) x 4 bytes = 480; one gradient: 96
    assert (m.per_example_bytes, m.batched_bytes, m.ratio) == (480, 96, 5.0)
    assert m.max_abs_difference < 1e-6  # float32


# What autograd saves


def test_one_tanh_block_saves_its_input_and_its_output():
    # L = 1, B = 3, d = 5, float32: x (15 numbers) and tanh's output (15 numbers) = 120 bytes;
    # no weight is saved since x does not require grad.
    m = backprop.stack_saved_bytes(1, 3, 5)
    assert (m.activation_bytes, m.parameter_bytes, m.tensors) == (120, 0, 2)


@pytest.mark.parametrize("L, B, d", [(2, 3, 4), (5, 1, 7), (8, 16, 32), (3, 64, 10)])
def test_tanh_stack_saves_one_activation_per_block_plus_the_input(L, B, d):
    # Paper count: x, z_1 .. z_L, B*d float32 numbers each; tanh's output z_l and the next Linear's
    # input are one tensor. Weights W_2 .. W_L are saved (for the input gradients) as views.
    m = backprop.stack_saved_bytes(L, B, d)
    assert m.activation_bytes == (L + 1) * B * d * 4
    assert m.parameter_bytes == (L - 1) * d * d * 4
    assert m.tensors == 3 * L - 1  # per block: input, output, weight (none for block 1)


@pytest.mark.parametrize("activation, per_block", [("tanh", 1), ("sigmoid", 1), ("relu", 1), ("gelu", 2), ("silu", 2)])
def test_activations_that_keep_their_input_double_the_count(activation, per_block):
    L, B, d = 4, 6, 5
    m = backprop.stack_saved_bytes(L, B, d, activation)
    # keep the output (tanh, sigmoid, relu): x, z_1..z_L. Keep the input (gelu, silu): x, a_1..a_L,
    # z_1..z_{L-1}: 2L numbers of B x d.
    expected = (L + 1) * B * d * 4 if per_block == 1 else 2 * L * B * d * 4
    assert m.activation_bytes == expected


@pytest.mark.parametrize("seed", range(6))
def test_saved_activation_bytes_grow_linearly_in_L_B_and_d(seed):
    g = torch.Generator().manual_seed(seed)
    L, B, d = (int(v) for v in torch.randint(1, 12, (3,), generator=g))
    f = lambda L, B, d: backprop.stack_saved_bytes(L, B, d).activation_bytes  # noqa: E731
    assert f(L + 2, B, d) - 2 * f(L + 1, B, d) + f(L, B, d) == 0  # affine in L
    assert f(L, 2 * B, d) == 2 * f(L, B, d)  # proportional to B
    assert f(L, B, 3 * d) == 3 * f(L, B, d)  # proportional to d
    assert f(L + 1, B, d) - f(L, B, d) == B * d * 4  # each block adds one B x d activation


def test_meta_device_counts_like_the_cpu():
    assert backprop.stack_saved_bytes(3, 4, 6, device="cpu") == backprop.stack_saved_bytes(3, 4, 6)


def test_dense_stack_and_the_hand_forward_save_the_same():
    g = torch.Generator().manual_seed(0)
    params = backprop.init_params([6, 6, 6, 6], g, dtype=torch.float32)
    leaves = [t.requires_grad_(True) for t in (*params.weights, *params.biases)]
    x = torch.zeros(4, 6)
    by_hand = memory.saved_tensors(lambda: backprop.forward(params, x)[-1], exclude=leaves)
    module = backprop.stack_saved_bytes(3, 4, 6, device="cpu")
    assert (by_hand.bytes, by_hand.excluded_bytes) == (module.activation_bytes, module.parameter_bytes)


def test_fits_recover_the_exact_counts():
    ms = backprop.saved_bytes_grid([1, 2, 5], [1, 3, 8], [2, 7])
    assert len(ms) == 18
    assert backprop.fit_activation_bytes(ms).as_dict() == pytest.approx({"L*B*d": 4.0, "B*d": 4.0})
    total = backprop.fit_saved_bytes(ms).as_dict()
    assert total == pytest.approx({"L*B*d": 4.0, "B*d": 4.0, "L*d^2": 4.0, "d^2": -4.0}, abs=1e-6)
    exps = backprop.growth_exponents(ms)
    assert exps["B"].exponent == pytest.approx(1.0) and exps["d"].exponent == pytest.approx(1.0)
    assert 0.5 < exps["L"].exponent < 1.0  # (L + 1): the input's share bends the line at small L


def test_exam_prediction_bytes():
    assert backprop.exam_prediction_bytes(3, 4, 5) == 240
    assert backprop.exam_prediction_bytes(3, 4, 5, dtype=torch.float64) == 480


@pytest.mark.parametrize("optimizer, copies", [("SGD", 0), ("SGD with momentum", 1), ("Adam", 2)])
def test_memory_budget_by_hand(optimizer, copies):
    L, B, d = 3, 10, 20
    b = backprop.memory_budget(L, B, d, optimizer)
    params = L * (d * d + d) * 4  # 5040 bytes
    assert b.parameters == b.gradients == 5040
    assert b.activations == (L + 1) * B * d * 4
    # Adam also keeps a step counter per parameter tensor: a scalar, a few bytes
    assert copies * params <= b.optimizer_state <= copies * params + 2 * L * 8
    assert b.total == b.activations + b.parameters + b.gradients + b.optimizer_state


# Exercises


def test_check_weight_gradient():
    case = backprop.block_exercise(torch.Generator().manual_seed(0))
    g = case.delta * (1 - case.z**2)
    assert backprop.check_weight_gradient(g.T @ case.z_prev, case)
    assert not backprop.check_weight_gradient(torch.zeros(3, 4), case)
    assert "transposed" in str(backprop.check_weight_gradient(case.z_prev.T @ g, case))
    assert "tanh derivative is missing" in str(backprop.check_weight_gradient(case.delta.T @ case.z_prev, case))
    assert "1 - z**2" in str(backprop.check_weight_gradient((case.delta * (1 - case.z)).T @ case.z_prev, case))
    assert "must be a tensor" in str(backprop.check_weight_gradient(3.0, case))


def test_check_per_example_bytes():
    # L = 4, B = 128, d = 256: 128 * 4 * (65536 + 256) * 4 bytes
    assert backprop.check_per_example_bytes(134_742_016, 4, 128, 256)
    assert "biases are missing" in str(backprop.check_per_example_bytes(128 * 4 * 65536 * 4, 4, 128, 256))
    assert "one gradient" in str(backprop.check_per_example_bytes(4 * 65792 * 4, 4, 128, 256))
    assert not backprop.check_per_example_bytes("lots", 4, 128, 256)


def test_check_summed_loss_learning_rate():
    assert backprop.check_summed_loss_learning_rate(1 / 32, 32)
    assert not backprop.check_summed_loss_learning_rate(32, 32)
    assert not backprop.check_summed_loss_learning_rate(1, 32)


def test_check_saved_activation_bytes():
    assert backprop.check_saved_activation_bytes(7 * 32 * 100 * 4, 6, 32, 100)
    assert "input x is saved too" in str(backprop.check_saved_activation_bytes(6 * 32 * 100 * 4, 6, 32, 100))
    assert backprop.check_saved_activation_bytes(2 * 6 * 32 * 100 * 4, 6, 32, 100, activation="gelu")


def test_check_crossover_batch():
    # (L + 1) B d > 2 L (d^2 + d)  <=>  B > 2 L (d + 1) / (L + 1); L = 8, d = 1024: B > 1822.2
    assert backprop.check_crossover_batch(1823, 8, 1024)
    assert "still below" in str(backprop.check_crossover_batch(1822, 8, 1024))
    assert "already outweigh" in str(backprop.check_crossover_batch(1824, 8, 1024))


# Bad inputs

G = torch.Generator().manual_seed(0)
P = backprop.init_params([3, 3], G)


@pytest.mark.parametrize(
    "call, error, says",
    [
        (lambda: backprop.init_params([3], G), ValueError, "widths needs at least two"),
        (lambda: backprop.init_params([3, 0], G), ValueError, r"widths\[1\]"),
        (lambda: backprop.init_params([3, 2.5], G), TypeError, r"widths\[1\]"),
        (lambda: backprop.init_params([3, 3], 0), TypeError, "generator must be a torch.Generator"),
        (lambda: backprop.forward(P, torch.zeros(2, 4, dtype=torch.float64)), ValueError, "x has 4 features"),
        (lambda: backprop.forward(P, torch.zeros(3)), ValueError, "x must have 2 dimensions"),
        (lambda: backprop.forward("params", torch.zeros(2, 3)), TypeError, "params must be a StackParams"),
        (lambda: backprop.backward(P, (torch.zeros(2, 3),), torch.zeros(2, 3)), ValueError, "activations must hold"),
        (lambda: backprop.batch_loss(torch.zeros(2, 3), torch.zeros(2, 4)), ValueError, "y must have"),
        (lambda: backprop.sample_batch(10, 0, G), ValueError, "batch_size must be at least 1"),
        (lambda: backprop.sgd_update(P, backprop.Gradients((torch.zeros(3, 3),), (torch.zeros(3),)), -1.0),
         ValueError, "lr"),
        (lambda: backprop.sgd_step(P, torch.zeros(5, 3, dtype=torch.float64), torch.zeros(4, 3, dtype=torch.float64),
                                   2, 0.1, G), ValueError, "same number of examples"),
        (lambda: backprop.StackParams((torch.zeros(3, 2),), (torch.zeros(4),)), ValueError, "b_1 has 4 entries"),
        (lambda: backprop.StackParams((torch.zeros(3, 2), torch.zeros(2, 4)), (torch.zeros(3), torch.zeros(2))),
         ValueError, "W_2 takes 4 inputs"),
        (lambda: backprop.stack_saved_bytes(0, 2, 2), ValueError, "layers L must be at least 1"),
        (lambda: backprop.stack_saved_bytes(2, 2, 2, activation="swish"), ValueError, "activation must be one of"),
        (lambda: backprop.stack_saved_bytes(2, 2.0, 2), TypeError, "batch_size B"),
        (lambda: backprop.memory_budget(2, 2, 2, optimizer="lion"), ValueError, "optimizer must be one of"),
        (lambda: backprop.fit_activation_bytes([]), TypeError, "measurements"),
        (lambda: backprop.growth_exponents(backprop.saved_bytes_grid([1, 2], [1, 2], [1, 2]), "x"), ValueError,
         "quantity"),
        (lambda: backprop.held_in_memory("step", 1), TypeError, "step must be an SGDStep"),
        (lambda: backprop.check_weight_gradient(torch.zeros(3, 4), "case"), TypeError, "case must be a BlockExercise"),
        (lambda: backprop.Gradients((torch.zeros(2),), (torch.zeros(2),)).max_abs_difference(3), TypeError, "other"),
    ],
)
def test_bad_inputs_raise_naming_the_argument(call, error, says):
    with pytest.raises(error, match=says):
        call()


def test_importing_and_measuring_leave_global_state_alone():
    before = torch.get_rng_state()
    threads = torch.get_num_threads()
    backprop.gradient_memory(2, 4, 3, torch.Generator().manual_seed(0))
    backprop.stack_saved_bytes(2, 2, 2)
    assert torch.equal(torch.get_rng_state(), before)
    assert torch.get_num_threads() == threads
