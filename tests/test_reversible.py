"""Invertible residual blocks and the reversible stack: inverses, gradients, saved memory, checks."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from dlexam import memory, reversible
from dlexam.reversible import AdditiveCoupling, ContractiveResidual, ReversibleStack

F64 = torch.float64


def gen(seed):
    return torch.Generator().manual_seed(seed)


def mlp_by_hand(net, v):
    """An independent evaluation of a tanh MLP from its weights."""
    return F.linear(torch.tanh(F.linear(v, net[0].weight, net[0].bias)), net[2].weight, net[2].bias)


BLOCK_CASES = [(1, 1, 1, 1.0, 1), (2, 3, 5, 1.0, 4), (7, 4, 16, 0.5, 9), (16, 16, 32, 3.0, 3), (5, 11, 8, 10.0, 2)]


@pytest.mark.parametrize("d1, d2, hidden, gain, batch", BLOCK_CASES)
@pytest.mark.parametrize("seed", [0, 1])
def test_inverse_undoes_forward_in_float64(d1, d2, hidden, gain, batch, seed):
    block = AdditiveCoupling(d1, d2, hidden, gen(seed), gain=gain, dtype=F64)
    x = torch.randn(batch, d1 + d2, generator=gen(100 + seed), dtype=F64)
    with torch.no_grad():
        y = block(x)
        assert (block.inverse(y) - x).abs().max() <= 1e-12 * max(1.0, float(y.abs().max()))
        assert (block(block.inverse(x)) - x).abs().max() <= 1e-12 * max(1.0, float(y.abs().max()))


@pytest.mark.parametrize("d1, d2, hidden, gain, batch", BLOCK_CASES)
def test_forward_is_the_exam_formula(d1, d2, hidden, gain, batch):
    block = AdditiveCoupling(d1, d2, hidden, gen(3), gain=gain, dtype=F64)
    x = torch.randn(batch, d1 + d2, generator=gen(4), dtype=F64)
    x1, x2 = x[:, :d1], x[:, d1:]
    y1 = x1 + mlp_by_hand(block.mu1, x2)
    y2 = x2 + mlp_by_hand(block.mu2, y1)
    torch.testing.assert_close(block(x), torch.cat([y1, y2], 1), rtol=0, atol=1e-13)


@pytest.mark.parametrize("d1, d2, hidden, gain, batch", BLOCK_CASES)
def test_block_is_two_residual_steps(d1, d2, hidden, gain, batch):
    block = AdditiveCoupling(d1, d2, hidden, gen(5), gain=gain, dtype=F64)
    x = torch.randn(batch, d1 + d2, generator=gen(6), dtype=F64)
    z = block.step1(x)
    torch.testing.assert_close(z[:, d1:], x[:, d1:], rtol=0, atol=0)  # step 1 leaves x2 alone
    torch.testing.assert_close(block.step2(z)[:, :d1], z[:, :d1], rtol=0, atol=0)  # step 2 leaves z1 alone
    torch.testing.assert_close(block.step2(z), block(x), rtol=0, atol=1e-13)
    # Each residual reads only the half its step leaves alone, so subtracting it at the output undoes the step.
    torch.testing.assert_close(z - block.residual1(z), x, rtol=0, atol=1e-12 * max(1.0, float(z.detach().abs().max())))


def test_residuals_read_only_the_other_half():
    block = AdditiveCoupling(3, 4, 8, gen(7), dtype=F64)
    x = torch.randn(5, 7, generator=gen(8), dtype=F64)
    other = x.clone()
    other[:, :3] = torch.randn(5, 3, generator=gen(9), dtype=F64)  # change x1 only
    torch.testing.assert_close(block.residual1(other), block.residual1(x), rtol=0, atol=0)
    assert torch.all(block.residual1(x)[:, 3:] == 0) and torch.all(block.residual2(x)[:, :3] == 0)


@pytest.mark.parametrize("gain", [0.5, 5.0, 50.0])
def test_jacobian_has_determinant_one_for_any_gain(gain):
    block = AdditiveCoupling(3, 2, 6, gen(10), gain=gain, dtype=F64)
    x = torch.randn(1, 5, generator=gen(11), dtype=F64)
    J = torch.autograd.functional.jacobian(lambda v: block(v[None])[0], x[0])
    assert abs(float(torch.linalg.det(J)) - 1) < 1e-9
    J1 = torch.autograd.functional.jacobian(lambda v: block.residual1(v[None])[0], x[0])
    assert torch.all(J1 @ J1 == 0)  # strictly block-triangular: nilpotent


def make_blocks(kind, depth, d, seed):
    if kind == "coupling":
        return reversible.coupling_blocks(depth, d, 6, gen(seed), dtype=F64)
    return [ContractiveResidual(d, 6, 0.4, gen(seed + i), dtype=F64) for i in range(depth)]


def grads_by_backward(stack, x):
    """dL/dx and dL/dparameters through .backward() (not autograd.grad)."""
    x = x.detach().requires_grad_(True)
    stack.zero_grad(set_to_none=True)
    reversible.mean_square_loss(stack(x)).backward()
    grads = torch.cat([x.grad.reshape(-1)] + [p.grad.reshape(-1) for p in stack.parameters()])
    stack.zero_grad(set_to_none=True)
    return grads


@pytest.mark.parametrize("kind", ["coupling", "contractive"])
@pytest.mark.parametrize("mode, fused", [("reversible", True), ("reversible", False), ("checkpoint", True)])
@pytest.mark.parametrize("depth", [1, 3, 8])
def test_gradients_equal_ordinary_autograd(kind, mode, fused, depth):
    d = 6
    blocks = make_blocks(kind, depth, d, seed=depth)
    x = torch.randn(4, d, generator=gen(20), dtype=F64)
    reference = grads_by_backward(ReversibleStack(blocks, "store"), x)
    stack = ReversibleStack(blocks, mode, fused=fused)
    assert reversible.relative_gradient_error(reversible.gradient_vector(stack, x), reference) <= 1e-10
    assert reversible.relative_gradient_error(grads_by_backward(stack, x), reference) <= 1e-10


def test_a_block_used_twice_and_frozen_parameters():
    block, other = reversible.coupling_blocks(2, 4, 5, gen(21), dtype=F64)
    other.mu2[0].weight.requires_grad_(False)
    x = torch.randn(3, 4, generator=gen(22), dtype=F64)
    blocks = [block, other, block]
    reference = reversible.gradient_vector(ReversibleStack(blocks, "store"), x)
    for fused in (True, False):
        got = reversible.gradient_vector(ReversibleStack(blocks, "reversible", fused=fused), x)
        assert reversible.relative_gradient_error(got, reference) <= 1e-10


def test_mixed_splits_and_block_types_in_one_stack():
    g = gen(25)
    blocks = [AdditiveCoupling(2, 4, 5, g, dtype=F64), ContractiveResidual(6, 5, 0.3, g, dtype=F64),
              AdditiveCoupling(3, 3, 5, g, dtype=F64), AdditiveCoupling(3, 3, 5, g, dtype=F64),
              AdditiveCoupling(4, 2, 5, g, dtype=F64)]
    x = torch.randn(3, 6, generator=gen(26), dtype=F64)
    reference = reversible.gradient_vector(ReversibleStack(blocks, "store"), x)
    got = reversible.gradient_vector(ReversibleStack(blocks, "reversible"), x)
    assert reversible.relative_gradient_error(got, reference) <= 1e-10


def test_reversible_forward_keeps_no_graph_inside():
    blocks = reversible.coupling_blocks(3, 4, 5, gen(23), dtype=F64)
    x = torch.randn(2, 4, generator=gen(24), dtype=F64, requires_grad=True)
    y = ReversibleStack(blocks, "reversible")(x)
    torch.testing.assert_close(y, ReversibleStack(blocks, "store")(x))
    assert type(y.grad_fn).__name__ == "_ReversibleBackward"
    with torch.no_grad():
        assert ReversibleStack(blocks, "reversible")(x).grad_fn is None


def per_block_activation_bytes(d, batch, hidden, itemsize):
    # The block's input storage (mu1 reads a view of it), y1 (mu2's input) and the two tanh outputs.
    return (batch * d + batch * (d // 2) + 2 * batch * hidden) * itemsize


@pytest.mark.parametrize("dtype", [torch.float32, F64])
@pytest.mark.parametrize("d, batch, hidden", [(8, 4, 6), (32, 16, 32)])
def test_saved_bytes_grow_with_depth_only_for_the_ordinary_stack(dtype, d, batch, hidden):
    itemsize = torch.empty((), dtype=dtype).element_size()
    blocks = reversible.coupling_blocks(16, d, hidden, gen(30), dtype=dtype)
    x = torch.randn(batch, d, generator=gen(31), dtype=dtype)
    for depth in (1, 2, 5, 16):
        store = reversible.saved_memory(ReversibleStack(blocks[:depth], "store"), x)
        rev = reversible.saved_memory(ReversibleStack(blocks[:depth], "reversible"), x)
        assert store.activations == depth * per_block_activation_bytes(d, batch, hidden, itemsize)
        assert store.parameters == depth * 4 * (d // 2) * hidden * itemsize  # four weight matrices per block
        assert rev.activations == batch * d * itemsize and rev.parameters == 0  # the output only
        stack = ReversibleStack(blocks[:depth], "store")
        assert memory.saved_bytes(stack, x.detach().requires_grad_(True)) == store.total


def test_checkpoint_saves_less_than_storing_and_more_than_reversible():
    blocks = reversible.coupling_blocks(16, 8, 8, gen(32))
    x = torch.randn(4, 8, generator=gen(33))
    saved = {m: reversible.saved_memory(ReversibleStack(blocks, m), x).activations for m in reversible.MODES}
    assert saved["reversible"] < saved["checkpoint"] < saved["store"] / 2
    assert ReversibleStack(blocks, "checkpoint").segments == 4


def test_round_trip_errors_follow_depth_and_dtype():
    blocks = reversible.coupling_blocks(32, 16, 16, gen(40), dtype=F64)
    x = torch.randn(8, 16, generator=gen(41), dtype=F64)
    depths = [1, 4, 32]
    errors = reversible.round_trip_errors(blocks, x, depths)
    np.testing.assert_allclose(errors, [reversible.round_trip_error(blocks[:L], x) for L in depths], rtol=0, atol=0)
    assert errors.max() < 1e-11
    low = reversible.round_trip_errors([b.float() for b in reversible.coupling_blocks(32, 16, 16, gen(40))],
                                       x.float(), depths)
    assert low[0] > 1e-9 and low[-1] > low[0]  # float32 rounding, growing with depth


def test_gradient_errors_in_float64_are_rounding_and_float32_worse():
    blocks = reversible.coupling_blocks(8, 8, 8, gen(42), dtype=F64)
    x = torch.randn(4, 8, generator=gen(43), dtype=F64)
    exact = reversible.gradient_errors(blocks, x, [1, 8], dtype="float64")
    assert exact["store"].max() == 0 and exact["reversible"].max() < 1e-13
    low = reversible.gradient_errors(blocks, x, [1, 8], dtype="float32")
    assert 1e-9 < low["reversible"].min() and low["reversible"].max() < 1e-3


@pytest.mark.parametrize("lipschitz", [0.1, 0.5, 0.9])
def test_contraction_is_inverted_by_fixed_point_iteration(lipschitz):
    block = ContractiveResidual(5, 12, lipschitz, gen(50), dtype=F64)
    assert reversible.lipschitz_bound(block.q) <= lipschitz * (1 + 1e-12)
    y = torch.randn(3, 5, generator=gen(51), dtype=F64)
    result = reversible.fixed_point_inverse(block.residual, y, max_iterations=500)
    assert result.converged
    torch.testing.assert_close(block(result.x), y, rtol=0, atol=1e-13)
    r = result.residuals
    assert np.all(r[1:] <= lipschitz * r[:-1] + 1e-14)  # Banach: shrinks by at least the Lipschitz constant


def test_coupling_step_is_inverted_by_fixed_point_iteration_whatever_its_lipschitz_constant():
    block = AdditiveCoupling(3, 3, 8, gen(52), gain=40.0, dtype=F64)
    assert reversible.lipschitz_bound(block.mu1) > 100
    z = torch.randn(4, 6, generator=gen(53), dtype=F64)
    result = reversible.fixed_point_inverse(block.residual1, z)
    assert result.converged and result.iterations == 1


def test_fixed_point_fails_for_a_large_residual():
    y = torch.tensor([0.5], dtype=F64)
    assert not reversible.fixed_point_inverse(lambda x: 3 * torch.tanh(x), y, max_iterations=200).converged
    block = ContractiveResidual(4, 8, 30.0, gen(54), dtype=F64)
    with pytest.raises(ValueError, match="lipschitz < 1"):
        block.inverse(torch.randn(2, 4, generator=gen(55), dtype=F64), max_iterations=50)


@pytest.mark.parametrize("c, y, count", [(-2.0, 0.0, 3), (-2.0, 0.3, 3), (-2.0, 2.0, 1), (-0.5, 0.7, 1), (3.0, -1.0, 1),
                                         (-1.0, 0.0, 1)])
def test_tanh_residual_preimages(c, y, count):
    roots = reversible.tanh_residual_preimages(y, c)
    assert len(roots) == count
    np.testing.assert_allclose(roots + c * np.tanh(roots), y, atol=1e-9)


def test_tanh_residual_collision_is_two_inputs_one_output():
    roots = reversible.tanh_residual_preimages(0.0, -2.0)
    a, b = roots[0], roots[-1]
    assert a != b and abs(reversible.tanh_residual(a, -2.0) - reversible.tanh_residual(b, -2.0)) < 1e-9
    assert math.isclose(abs(b), 2 * math.tanh(abs(b)), rel_tol=1e-9)


def test_stack_lab_measures_memory_and_errors():
    lab = reversible.StackLab(reversible.StackConfig(d=8, batch=4, hidden=8, max_depth=8))
    m = lab.measure(8, "float64", "reversible", repeats=1)
    assert m.saved.activations == 4 * 8 * 8 and m.saved.parameters == 0
    assert m.round_trip_error < 1e-12 and m.gradient_error < 1e-12 and m.seconds > 0 and m.ordinary_seconds > 0
    s = lab.measure(8, "float32", "store", repeats=1)
    assert s.saved.activations == 8 * per_block_activation_bytes(8, 4, 8, 4)
    assert 0 < s.gradient_error < 1e-4  # float32 arithmetic against float64 of the same rounded weights
    curves = lab.saved_curves("float32", [1, 2, 4, 8])
    np.testing.assert_array_equal(curves["store"], [L * per_block_activation_bytes(8, 4, 8, 4) for L in (1, 2, 4, 8)])
    assert len(set(curves["reversible"])) == 1
    with pytest.raises(ValueError, match="max_depth"):
        lab.measure(16)


@pytest.mark.parametrize("L, B, d, mode, expected", [(10, 4, 3, "store", 120), (16, 2, 5, "checkpoint", 80),
                                                     (1000, 4, 3, "reversible", 24)])
def test_activation_memory(L, B, d, mode, expected):
    assert reversible.activation_memory(L, B, d, mode) == expected


CHECKS = [
    (reversible.check_inverse, [(11.0, -4.0), (11, -4)], [(-7.0, -4.0), (-7.0, 2.0), (0, 0), "x", (1, 2, 3)]),
    (reversible.check_tanh_threshold, [-1.0], [1.0, 0.0, "c"]),
    (lambda a: reversible.check_iterations(a, 0.5, 1.0, 1e-10), [34], [33, 35, 3.5]),
    (reversible.check_jacobian_determinant, [1], [0, 2, None]),
    (lambda a: reversible.check_activation_memory(a, 50, 128, 1024, "store"), [25.0], [26.2144, 6.25, 1]),
    (lambda a: reversible.check_segments(a, 64), [8], [4, 64, 0]),
    (reversible.check_time_ratio, [4 / 3], [1.0, 5 / 3]),
    (reversible.check_error_amplification, [10, 10.0], [9, 4, 1, 3, "x"]),
]


@pytest.mark.parametrize("check, right, wrong", CHECKS)
def test_self_checks(check, right, wrong):
    for answer in right:
        assert check(answer).correct, answer
    for answer in wrong:
        result = check(answer)
        assert not result.correct and result.message.startswith("Not yet"), answer


def test_error_amplification_answer_follows_an_error_through_the_inverse():
    a, delta, x1, x2 = 3.0, 1e-3, 0.7, -0.4
    y1 = x1 + a * x2
    y2 = x2 + a * y1
    x2_rec = y2 - a * (y1 + delta)
    x1_rec = (y1 + delta) - a * x2_rec
    assert math.isclose((x1_rec - x1) / delta, 10.0, rel_tol=1e-6)
    assert reversible.check_error_amplification(round((x1_rec - x1) / delta, 6)).correct


def test_check_inverse_answer_is_the_inverse():
    # y1 = x1 + 2 x2, y2 = x2 + y1^2 with x = (11, -4): y = (3, 5).
    x1, x2 = 11.0, -4.0
    y1 = x1 + 2 * x2
    assert (y1, x2 + y1**2) == (3.0, 5.0)


@pytest.mark.parametrize("make, error, match", [
    (lambda: AdditiveCoupling(0, 2, 3), ValueError, "d1"),
    (lambda: AdditiveCoupling(2, 2.5, 3), TypeError, "d2"),
    (lambda: AdditiveCoupling(2, 2, 3, generator=0), TypeError, "generator"),
    (lambda: AdditiveCoupling(2, 2, 3, gain=-1.0), ValueError, "gain"),
    (lambda: AdditiveCoupling(2, 2, 3)(torch.zeros(4, 5)), ValueError, r"shape \(B, 4\)"),
    (lambda: AdditiveCoupling(2, 2, 3)(torch.zeros(4)), ValueError, "shape"),
    (lambda: AdditiveCoupling(2, 2, 3)(torch.zeros(4, 4, dtype=torch.long)), TypeError, "floating"),
    (lambda: AdditiveCoupling(2, 2, 3).inverse([[0.0] * 4]), TypeError, "torch.Tensor"),
    (lambda: ReversibleStack([]), ValueError, "empty"),
    (lambda: ReversibleStack([nn.Linear(4, 4)]), TypeError, "not invertible"),
    (lambda: ReversibleStack(3), TypeError, "list of invertible"),
    (lambda: ReversibleStack(reversible.coupling_blocks(2, 4, 3, gen(0)), mode="fast"), ValueError, "mode"),
    (lambda: ReversibleStack(reversible.coupling_blocks(2, 4, 3, gen(0)), segments=3), ValueError, "segments"),
    (lambda: ReversibleStack([AdditiveCoupling(2, 2, 3), AdditiveCoupling(3, 3, 3)]), ValueError, "widths"),
    (lambda: ReversibleStack(reversible.coupling_blocks(2, 4, 3, gen(0)))(torch.zeros(2, 6)), ValueError, "shape"),
    (lambda: reversible.coupling_blocks(0, 4, 3, gen(0)), ValueError, "depth"),
    (lambda: reversible.coupling_blocks(2, 1, 3, gen(0)), ValueError, "d must"),
    (lambda: reversible.round_trip_errors(reversible.coupling_blocks(2, 4, 3, gen(0)), torch.zeros(1, 4), [3]),
     ValueError, "only 2 blocks"),
    (lambda: reversible.gradient_errors(reversible.coupling_blocks(2, 4, 3, gen(0)), torch.zeros(1, 4), [1],
                                        dtype="float16"), ValueError, "dtype"),
    (lambda: reversible.fixed_point_inverse(3, torch.zeros(2)), TypeError, "residual"),
    (lambda: reversible.ContractiveResidual(4, 4, lipschitz=0), ValueError, "lipschitz"),
    (lambda: reversible.saved_memory("stack", torch.zeros(2, 2)), TypeError, "nn.Module"),
    (lambda: reversible.StackLab({"d": 4}), TypeError, "StackConfig"),
    (lambda: reversible.activation_memory(4, 2, 2, "all"), ValueError, "mode"),
    (lambda: reversible.check_iterations(3, lipschitz=1.5), ValueError, "below 1"),
])
def test_bad_inputs_say_what_to_change(make, error, match):
    with pytest.raises(error, match=match):
        make()


# check_iterations wants the smallest k >= 0 with lipschitz**k * error <= tol (its docstring): inclusive, so a
# bound that lands exactly on tol counts. With lipschitz = 1/2 and powers of two, the bound is exact.

@pytest.mark.parametrize("tol, k", [(2**-10, 10), (2**-29, 29), (2**-10 - 2**-30, 11), (2**-10 + 2**-30, 10)])
def test_check_iterations_counts_a_bound_exactly_at_tol(tol, k):
    """0.5**k == tol needs k steps, not k + 1; a tol just below 0.5**k needs k + 1."""
    assert reversible.check_iterations(k, 0.5, 1.0, tol)
    assert not reversible.check_iterations(k - 1, 0.5, 1.0, tol)
    assert not reversible.check_iterations(k + 1, 0.5, 1.0, tol)


@pytest.mark.parametrize("error, tol", [(1.0, 1.0), (1.0, 4.0), (2**-3, 2**-2)])
def test_check_iterations_needs_no_step_when_error_is_already_within_tol(error, tol):
    """error <= tol needs 0 iterations (never a negative count)."""
    assert reversible.check_iterations(0, 0.5, error, tol)
    assert not reversible.check_iterations(-2, 0.5, error, tol) and not reversible.check_iterations(1, 0.5, error, tol)


def test_check_iterations_defaults_are_one_half_one_and_1e_minus_10():
    """By default 0.5**34 = 5.8e-11 <= 1e-10 < 0.5**33 = 1.2e-10: 34 is right, 33 and 35 are not."""
    assert reversible.check_iterations(34) and not reversible.check_iterations(33) and not reversible.check_iterations(35)
    assert reversible.check_iterations(34).message == ("Right: the error after k steps is at most 0.5^k times 1; "
                                                       "0.5^34 * 1 = 5.82e-11 <= 1e-10.")


@pytest.mark.parametrize("answer, message", [
    (5, "Right: the error after k steps is at most 0.5^k times 8; 0.5^5 * 8 = 2.50e-01 <= 0.25."),
    (4, "Not yet: 4 is too few; solve 0.5^k * 8 <= 0.25 for the smallest k."),
    (6.0, "Not yet: 6 is more than needed; solve 0.5^k * 8 <= 0.25 for the smallest k."),
    (5.5, "Not yet: an iteration count is a whole number, got 5.5."),
    ("5", "Not yet: an iteration count is a whole number, got '5'."),
])
def test_check_iterations_messages(answer, message):
    """Exact messages with error = 8, tol = 1/4 (8 x 0.5**5 = 1/4): right, too few, too many, not a count."""
    result = reversible.check_iterations(answer, 0.5, 8.0, 0.25)
    assert result.correct is message.startswith("Right") and result.message == message


@pytest.mark.parametrize("kwargs, error, match", [
    ({"lipschitz": 1.0}, ValueError, r"^lipschitz must be below 1"),
    ({"lipschitz": 0.0}, ValueError, r"^lipschitz must be positive"),
    ({"lipschitz": float("nan")}, TypeError, r"^lipschitz must be a finite number"),
    ({"error": 0.0}, ValueError, r"^error must be positive"),
    ({"error": "1"}, TypeError, r"^error must be a finite number"),
    ({"tol": 0.0}, ValueError, r"^tol must be positive"),  # tol is the target error, so 0 is never reached
    ({"tol": -1e-10}, ValueError, r"^tol must be positive"),
    ({"tol": None}, TypeError, r"^tol must be a finite number"),
    ({"tol": 1e300, "error": 1e-300}, ValueError, r"^tol / error must be a finite positive ratio"),
    ({"tol": 1e-300, "error": 1e300}, ValueError, r"^tol / error must be a finite positive ratio"),
])
def test_check_iterations_rejects_bad_arguments(kwargs, error, match):
    """Each bad argument raises, naming itself."""
    with pytest.raises(error, match=match):
        reversible.check_iterations(34, **kwargs)


def test_figures_draw_what_they_are_given():
    from matplotlib.figure import Figure

    from dlexam.plots import reversible as plots

    for inverse in (False, True):
        fig = plots.plot_coupling_block(inverse)
        signs = [t.get_text() for t in fig.axes[0].texts if t.get_text() in ("+", "−")]
        assert isinstance(fig, Figure) and signs == (["−", "−"] if inverse else ["+", "+"])
    fig = plots.plot_tanh_residuals((-2.0, 0.5), y=0.0)
    markers = [line for line in fig.axes[0].lines if line.get_linestyle() == "None"]
    assert [len(m.get_xdata()) for m in markers] == [3, 1]  # preimages of 0: three for c = -2, one for c = 0.5
    depths = [1, 2, 4]
    fig = plots.plot_round_trip_errors(depths, {"float32": [1e-7, 2e-7, 4e-7]})
    assert [t.get_text() for t in fig.axes[0].texts] == ["float32 epsilon"]
    fig = plots.plot_saved_memory(depths, {"store": [2**20, 2**21, 2**22], "reversible": [2**20] * 3},
                                  highlight=(4, "store"))
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), [1, 2, 4])  # MiB
    assert fig.axes[0].lines[-1].get_ydata()[0] == 4
    result = reversible.fixed_point_inverse(lambda v: 0.5 * torch.tanh(v), torch.tensor([0.5], dtype=F64))
    fig = plots.plot_residual_inverse(0.5, 0.5, result)
    assert "converged in" in fig.axes[1].get_title()


def test_one_block_reconstructs_and_backpropagates_like_autograd():
    block = AdditiveCoupling(3, 4, 6, gen(60), gain=2.0, dtype=F64)
    x = torch.randn(5, 7, generator=gen(61), dtype=F64, requires_grad=True)
    grad_y = torch.randn(5, 7, generator=gen(62), dtype=F64)
    y = block(x)
    expected = torch.autograd.grad(y, [x, *block.parameters()], grad_y)
    x_rec, grad_x, grads = block.reconstruct_and_backward(y.detach(), grad_y)
    torch.testing.assert_close(x_rec, x.detach(), rtol=0, atol=1e-12)
    for got, want in zip([grad_x, *grads], expected):
        torch.testing.assert_close(got, want, rtol=1e-10, atol=1e-12)
