"""Exact values of the reversible module: every verdict's message, tolerance edges, names in errors, reprs."""

import math
import types
import warnings

import numpy as np
import pytest
import torch
from torch import nn

from dlexam import reversible
from dlexam.reversible import ReversibleStack

F64 = torch.float64


def gen(seed):
    return torch.Generator().manual_seed(seed)


# check_inverse: the block y1 = x1 + 2 x2, y2 = x2 + y1^2, so x2 = y2 - y1^2 and x1 = y1 - 2 x2.
INVERSE_RIGHT = "Right: x2 = 5 - 3^2 = -4, then x1 = 3 - 2*(-4) = 11."
X2_RIGHT = "Not yet: x2 is right; x1 = y1 - mu1(x2) uses the x2 you just found."
WRONG_ORDER = "Not yet: mu1 reads x2, not y2. Undo the last step first: x2 = y2 - mu2(y1)."
START_LAST = "Not yet: start from the last step, x2 = y2 - mu2(y1); y1 is known, so mu2(y1) is too."


@pytest.mark.parametrize("answer, correct, message", [
    ((11.0, -4.0), True, INVERSE_RIGHT),
    ((-7.0, -4.0), False, X2_RIGHT),
    ((-7.0, 2.0), False, WRONG_ORDER),  # y1 - 2 y2 = 3 - 10 = -7
    ((13.0, 2.0), False, START_LAST),  # y1 + 2 y2
    ((-12.0, 2.0), False, START_LAST),  # y1 - 3 y2
    ((11.5, -4.0), False, X2_RIGHT),
    ((0, 0), False, START_LAST),
    ("x", False, "Not yet: give two numbers (x1, x2), got 'x'."),
    ((1, 2, 3), False, "Not yet: give two numbers (x1, x2), got (1, 2, 3)."),
    (5, False, "Not yet: give two numbers (x1, x2), got 5."),
])
def test_check_inverse_messages(answer, correct, message):
    """Exact verdict and message of check_inverse for the default y = (3, 5): right, each slip, not a pair."""
    result = reversible.check_inverse(answer)
    assert result.correct is correct and result.message == message


@pytest.mark.parametrize("y, answer, correct, message", [
    # y = (2, 5): x = (0, 1); x1 = 0 is met within the absolute tolerance 1e-9, and 0.5 is not x1.
    ((2.0, 5.0), (1e-12, 1.0), True, "Right: x2 = 5 - 2^2 = 1, then x1 = 2 - 2*(1) = 0."),
    ((2.0, 5.0), (0.5, 1.0), False, X2_RIGHT),
    # y = (3, 9): x = (3, 0); x2 = 0 likewise.
    ((3.0, 9.0), (3.0, 1e-12), True, "Right: x2 = 9 - 3^2 = 0, then x1 = 3 - 2*(0) = 3."),
    ((3.0, 9.0), (3.0, 0.5), False, START_LAST),
    ((3.0, 9.0), (5.0, 1e-12), False, X2_RIGHT),
    ((3.0, 9.0), (5.0, 0.5), False, START_LAST),
    # y = (2, 1): x = (8, -3) and the wrong-order x1 = y1 - 2 y2 = 0.
    ((2.0, 1.0), (1e-12, 7.0), False, WRONG_ORDER),
    ((2.0, 1.0), (0.5, 7.0), False, START_LAST),
])
def test_check_inverse_absolute_tolerance_near_zero(y, answer, correct, message):
    """Answers within 1e-9 of a zero x1, x2 or wrong-order x1 match it; 0.5 away they do not."""
    result = reversible.check_inverse(answer, y)
    assert result.correct is correct and result.message == message


@pytest.mark.parametrize("y", [(1e150, 0.0), (-1e150, 0.0), (1e149, -1.7976931348623157e308)])
def test_check_inverse_refuses_y_whose_square_overflows(y):
    """|y1| >= 1e150, or y2 - y1^2 below the largest float, raise a ValueError naming y1^2."""
    with pytest.raises(ValueError, match=r"^y is too large: y1\^2 overflows"):
        reversible.check_inverse((0.0, 0.0), y)


def test_check_inverse_accepts_y1_just_below_1e150():
    """y1 just under 1e150 with y2 = 0 is still checked: x = (2e298, -1e298) for y1 = 1e149."""
    assert reversible.check_inverse((2e298, -1e298), (1e149, 0.0)).correct is True
    assert reversible.check_inverse((0.0, 0.0), (math.nextafter(1e150, 0.0), 0.0)).correct is False


@pytest.mark.parametrize("y, match", [((1.0, 2.0, 3.0), r"^y must hold at most 2 items, got 3"),
                                      ((1.0,), r"^y must hold at least 2 items, got 1")])
def test_check_inverse_wants_y_of_two_numbers(y, match):
    """y must be exactly a pair."""
    with pytest.raises(ValueError, match=match):
        reversible.check_inverse((0.0, 0.0), y)


TANH_RIGHT = ("Right: f'(x) = 1 + c (1 - tanh^2 x) takes every value between 1 and 1 + c; "
              "for c >= -1 it is never negative, so f increases; for c < -1 it is negative near 0.")
TANH_LIPSCHITZ = ("Not yet: Lipschitz < 1 is sufficient, not necessary. For c > 0, f' >= 1 "
                  "everywhere: look at the sign of f'(0) = 1 + c.")
TANH_OTHER = ("Not yet: f is invertible exactly when f'(x) = 1 + c (1 - tanh^2 x) never changes sign; "
              "its smallest value for c < 0 is at x = 0.")


@pytest.mark.parametrize("answer, correct, message", [
    (-1.0, True, TANH_RIGHT),
    (-1, True, TANH_RIGHT),
    (1.0, False, TANH_LIPSCHITZ),
    (2.0, False, TANH_OTHER),
    (0.0, False, TANH_OTHER),
    (0.5, False, TANH_OTHER),
    (-2.0, False, TANH_OTHER),
    ("c", False, "Not yet: give a number, got 'c'."),
])
def test_check_tanh_threshold_messages(answer, correct, message):
    """Exact verdict and message of check_tanh_threshold: right, the Lipschitz slip, other, not a number."""
    result = reversible.check_tanh_threshold(answer)
    assert result.correct is correct and result.message == message


JACOBIAN_RIGHT = ("Right: each residual step has a triangular Jacobian with identity blocks on the "
                  "diagonal, so det = 1 * 1: the block preserves volume (NICE).")
JACOBIAN_ZERO = "Not yet: a zero determinant would make the block non-invertible near x."
JACOBIAN_OTHER = "Not yet: write dz/dx for the first step as a 2x2 block matrix; what is on its diagonal?"


@pytest.mark.parametrize("answer, correct, message", [
    (1, True, JACOBIAN_RIGHT),
    (0, False, JACOBIAN_ZERO),
    (1e-12, False, JACOBIAN_ZERO),
    (0.5, False, JACOBIAN_OTHER),
    (-1.0, False, JACOBIAN_OTHER),
    (2, False, JACOBIAN_OTHER),
    (None, False, "Not yet: give a number, got None."),
])
def test_check_jacobian_determinant_messages(answer, correct, message):
    """Exact verdict and message of check_jacobian_determinant: right, zero, other, not a number."""
    result = reversible.check_jacobian_determinant(answer)
    assert result.correct is correct and result.message == message


AMPLIFICATION_OTHER = ("Not yet: undo the steps in order and carry delta along: x2' = y2 - a (y1 + delta), "
                       "then x1' = (y1 + delta) - a x2'.")


@pytest.mark.parametrize("answer, correct, message", [
    (10, True, "Right: x2 is off by -3 delta, and x1 = y1 - mu1(x2) is off by delta + 3 * 3 delta = 10 delta."),
    (9, False, "Not yet: the error delta of y1 itself also lands in x1 = y1 - mu1(x2)."),
    (4, False, "Not yet: the error reaches x1 twice: directly, and through x2 = y2 - mu2(y1), "
               "which mu1 multiplies by a again."),
    (1, False, "Not yet: x2 = y2 - mu2(y1) already carries an error, since y1 does."),
    (3, False, "Not yet: follow delta through both steps: first into x2, then into x1."),
    (-2, False, AMPLIFICATION_OTHER),  # 1 - a
    (5, False, AMPLIFICATION_OTHER),  # 2 + a
    (2, False, AMPLIFICATION_OTHER),
    (100, False, AMPLIFICATION_OTHER),
    ("x", False, "Not yet: give a number, got 'x'."),
])
def test_check_error_amplification_messages(answer, correct, message):
    """Exact verdict and message of check_error_amplification with the default a = 3: right, each slip, other."""
    result = reversible.check_error_amplification(answer)
    assert result.correct is correct and result.message == message


@pytest.mark.parametrize("a", ["3", None, float("inf"), True])
def test_check_error_amplification_names_a(a):
    """A non-number a raises a TypeError naming a."""
    with pytest.raises(TypeError, match=r"^a must be a finite number"):
        reversible.check_error_amplification(10, a)


# The exam's network: L = 50 blocks, B = 128, d = 1024, float32 (4 bytes), store: 50 * 128 * 1024 * 4 B = 25 MiB,
# which is 26.2144 MB; counting numbers instead of bytes gives 6.25.
MEMORY_OTHER = ("Not yet: count the numbers kept in mode 'store' (each activation is B x d), "
                "times 4 bytes, divided by 2^20.")
MEMORY_MB = "Not yet: that is in MB (10^6 bytes); a MiB is 2^20 = 1,048,576 bytes."
MEMORY_NUMBERS = "Not yet: that counts numbers, not bytes; a float32 number takes 4 bytes."


@pytest.mark.parametrize("answer, correct, message", [
    (25.0, True, "Right: about 25 MiB in mode 'store'."),
    (25.25, True, "Right: about 25 MiB in mode 'store'."),  # within 2 %
    (26.2144, False, MEMORY_MB),
    (26.476544, False, MEMORY_MB),  # 1 % above the MB value
    (26.74937, False, MEMORY_MB),  # just under 26.2144 / 0.98, the edge of the 2 % tolerance
    (6.25, False, MEMORY_NUMBERS),
    (6.3125, False, MEMORY_NUMBERS),  # 1 % above
    (25.0 * 4, False, MEMORY_OTHER),
    (3.0, False, MEMORY_OTHER),
    (1, False, MEMORY_OTHER),
    ("25", False, "Not yet: give a number of MiB, got '25'."),
])
def test_check_activation_memory_messages(answer, correct, message):
    """Exact verdict and message of check_activation_memory: right, MB, numbers, other, not a number."""
    result = reversible.check_activation_memory(answer, 50, 128, 1024, "store")
    assert result.correct is correct and result.message == message


@pytest.mark.parametrize("answer, correct, message", [
    (8, True, "Right: 8 segments keep 16 activations of size B x d (k + L/k is smallest near k = sqrt(64) = 8)."),
    (4, False, "Not yet: 4 segments keep 20 activations; minimise k + L/k."),
    (64, False, "Not yet: 64 segments keep 65 activations; minimise k + L/k."),
    (0, False, "Not yet: a number of segments is a whole number of at least 1, got 0."),
    (2.5, False, "Not yet: a number of segments is a whole number of at least 1, got 2.5."),
])
def test_check_segments_messages(answer, correct, message):
    """Exact verdict and message of check_segments for L = 64 (k + ceil(64 / k) is 16 at k = 8)."""
    result = reversible.check_segments(answer, 64)
    assert result.correct is correct and result.message == message


TIME_OTHER = "Not yet: count forward passes: ordinary is 1 forward + a backward of 2; "


@pytest.mark.parametrize("answer, fused, correct, message", [
    (4 / 3, True, True, "Right: 4 forward passes' worth of work instead of 3: 1.33x."),
    (4 / 3 * 1.01, True, True, "Right: 4 forward passes' worth of work instead of 3: 1.33x."),
    (5 / 3, False, True, "Right: 5 forward passes' worth of work instead of 3: 1.67x."),
    (5 / 3, True, False, TIME_OTHER + "the reversible backward adds one more forward (reconstruction)."),
    (4 / 3, False, False, TIME_OTHER + "inverting is one forward's work, recomputing the forward another."),
    ("x", True, False, "Not yet: give a ratio, got 'x'."),
])
def test_check_time_ratio_messages(answer, fused, correct, message):
    """Exact verdict and message of check_time_ratio, fused and not, within the 2 % tolerance and not a number."""
    result = reversible.check_time_ratio(answer, fused)
    assert result.correct is correct and result.message == message


@pytest.mark.parametrize("mode, text", [("store", "mode='store', depth=4"),
                                        ("checkpoint", "mode='checkpoint', depth=4, segments=2"),
                                        ("reversible", "mode='reversible', depth=4")])
def test_stack_repr_shows_segments_only_when_checkpointing(mode, text):
    """extra_repr names the mode and depth, and the segments in checkpoint mode only."""
    stack = ReversibleStack(reversible.coupling_blocks(4, 4, 3, gen(0)), mode)
    assert stack.extra_repr() == text


def test_reconstruct_and_backward_names_y_and_grad_y_in_shape_errors():
    """A wrongly shaped output or gradient raises a ValueError naming y or grad_y."""
    block = reversible.AdditiveCoupling(2, 2, 3, gen(0), dtype=F64)
    good = torch.zeros(2, 4, dtype=F64)
    with pytest.raises(ValueError, match=r"^y must have shape \(B, 4\), got \(2, 5\)"):
        block.reconstruct_and_backward(torch.zeros(2, 5, dtype=F64), good)
    with pytest.raises(ValueError, match=r"^grad_y must have shape \(B, 4\), got \(2, 3\)"):
        block.reconstruct_and_backward(good, torch.zeros(2, 3, dtype=F64))


def test_stack_lab_x_is_the_input_in_each_dtype_even_at_max_depth_one():
    """lab.x(dtype) is the (batch, d) input in that dtype; the float32 one is the float64 one rounded."""
    lab = reversible.StackLab(reversible.StackConfig(d=4, batch=3, hidden=2, max_depth=1))
    x64, x32 = lab.x("float64"), lab.x("float32")
    assert x64.dtype == F64 and x32.dtype == torch.float32 and x64.shape == (3, 4)
    assert lab.x(F64) is x64
    assert torch.equal(x64.float(), x32)


@pytest.mark.parametrize("bytes_per_number, number", [
    (2, "a float16 number"), (4, "a float32 number"), (8, "a float64 number"), (3, "each number"),
])
def test_check_activation_memory_names_the_number_type_of_its_byte_count(bytes_per_number, number):
    """Counting numbers instead of bytes: the hint names the float type that has bytes_per_number bytes."""
    answer = 50 * 128 * 1024 / 2**20  # 'store' keeps L activations of B x d numbers: 6.25 Mi numbers
    result = reversible.check_activation_memory(answer, 50, 128, 1024, "store", bytes_per_number=bytes_per_number)
    assert result.correct is False
    assert result.message == f"Not yet: that counts numbers, not bytes; {number} takes {bytes_per_number} bytes."


def test_residual2_names_z_in_shape_errors():
    """A wrongly shaped input of the second residual step raises a ValueError naming z."""
    block = reversible.AdditiveCoupling(2, 2, 3, gen(0), dtype=F64)
    with pytest.raises(ValueError, match=r"^z must have shape \(B, 4\), got \(2, 5\)"):
        block.residual2(torch.zeros(2, 5, dtype=F64))


@pytest.mark.parametrize("L, B, d, expected", [(1, 3, 5, 30), (2, 3, 5, 45), (4, 3, 5, 60)])
def test_activation_memory_default_segments(L, B, d, expected):
    """Checkpointing without segments takes k = round(sqrt(L)), at least 1: (k + ceil(L / k)) B d numbers."""
    # L = 1 and 2: k = 1, so 1 + 1 and 1 + 2 segments' worth; L = 4: k = 2, 2 + 2.
    assert reversible.activation_memory(L, B, d, "checkpoint") == expected


# step_times on a fake clock: the k-th forward pass of a run takes exactly k seconds.


class _Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class _Probe(nn.Module):
    """x -> w x, advancing the clock by the number of the call; records the threads torch runs on."""

    def __init__(self, clock, d=None):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(1, dtype=F64))
        self.clock, self.calls, self.threads = clock, 0, []
        if d is not None:
            self.d = d

    def forward(self, x):
        self.calls += 1
        self.clock.now += self.calls
        self.threads.append(torch.get_num_threads())
        return x * self.weight


@pytest.fixture
def probe(monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(reversible, "time", types.SimpleNamespace(perf_counter=clock))
    return _Probe(clock)


X4 = torch.ones(2, 4, dtype=F64)


def test_step_times_default_five_repeats_after_one_warm_up(probe):
    """Six passes of 1..6 s: the warm-up (1 s) is dropped, the median of 2..6 s is 4 s; the grads are cleared."""
    assert reversible.step_times({"probe": probe}, X4) == {"probe": 4.0}
    assert probe.calls == 6
    assert probe.weight.grad is None


def test_step_time_default_five_repeats_after_one_warm_up(probe):
    """step_time by default also runs 1 + 5 passes and gives the median 4 s of the last five."""
    assert reversible.step_time(probe, X4) == 4.0
    assert probe.calls == 6


def test_step_times_with_two_repeats(probe):
    """repeats=2: passes of 1, 2, 3 s, median of the last two 2.5 s."""
    assert reversible.step_times({"probe": probe}, X4, repeats=2) == {"probe": 2.5}
    assert probe.calls == 3


@pytest.mark.parametrize("threads", [1, 2])
def test_step_times_runs_on_the_threads_asked_for(probe, threads):
    """threads=1 or 2: every pass runs on that many torch threads."""
    reversible.step_times({"probe": probe}, X4, repeats=1, threads=threads)
    assert probe.threads == [threads, threads]


def test_step_times_times_a_module_without_parameters_or_width():
    """A parameter-free module without a width d (nn.Tanh) is timed too: the input carries the gradient."""
    times = reversible.step_times({"tanh": nn.Tanh()}, X4, repeats=1)
    assert list(times) == ["tanh"] and times["tanh"] >= 0.0


def test_step_times_checks_x_against_the_width_of_the_stack(probe):
    """A stack with a width d refuses an x of another width, naming both, before any pass."""
    probe.d = 3
    with pytest.raises(ValueError) as info:
        reversible.step_times({"probe": probe}, X4)
    assert str(info.value) == "x must have shape (B, 3), got (2, 4): one row per example, 3 features"
    assert probe.calls == 0


@pytest.mark.parametrize("stacks, kwargs, error, message", [
    ({}, {}, TypeError, "stacks must be a non-empty dict {name: nn.Module}"),
    ({"a": "stack"}, {}, TypeError, "stacks['a'] must be an nn.Module (e.g. a ReversibleStack), got str"),
    ({"tanh": nn.Tanh()}, {"threads": 0}, ValueError, "threads must be at least 1, got 0"),
])
def test_step_times_error_messages(stacks, kwargs, error, message):
    """No stacks, a stack that is not a module, zero threads: exact errors."""
    with pytest.raises(error) as info:
        reversible.step_times(stacks, X4, **kwargs)
    assert str(info.value) == message


@pytest.mark.parametrize("module, message", [
    ([nn.Linear(2, 2)], "module must be an nn.Module, got list"),
    (nn.Sequential(nn.Linear(2, 2), nn.ReLU()),
     "module holds a ReLU layer: lipschitz_bound knows Linear and Tanh layers only"),
])
def test_lipschitz_bound_error_messages(module, message):
    """Not a module, or a layer other than Linear, Tanh and Sequential: exact TypeError naming the type."""
    with pytest.raises(TypeError) as info:
        reversible.lipschitz_bound(module)
    assert str(info.value) == message


class _Scale(nn.Module):
    """x -> 2 x of width d, inverse y -> y / 2; it checks no shapes itself, counting its calls."""

    def __init__(self, d):
        super().__init__()
        self.d, self.weight, self.calls = d, nn.Parameter(torch.full((1,), 2.0, dtype=F64)), 0

    def forward(self, x):
        self.calls += 1
        return x * self.weight

    def inverse(self, y):
        self.calls += 1
        return y / self.weight


def test_round_trip_errors_checks_x_against_the_width_of_the_blocks():
    """Blocks of width 4 refuse an x with 6 features, naming the width, before any block runs."""
    block = _Scale(4)
    with pytest.raises(ValueError) as info:
        reversible.round_trip_errors([block, block], torch.zeros(2, 6, dtype=F64), [1])
    assert str(info.value) == "x must have shape (B, 4), got (2, 6): one row per example, 4 features"
    assert block.calls == 0


@pytest.mark.parametrize("x", [torch.zeros(2, 6, dtype=torch.float32), torch.full((2, 6), math.nan, dtype=F64)])
def test_round_trip_error_checks_x_against_the_width_of_the_blocks_first(x):
    """Blocks of width 4 refuse an x with 6 features by its width, before its dtype or values, before any block runs."""
    block = _Scale(4)
    with pytest.raises(ValueError) as info:
        reversible.round_trip_error([block, block], x)
    assert str(info.value) == "x must have shape (B, 4), got (2, 6): one row per example, 4 features"
    assert block.calls == 0


# --- fixed_point_inverse: the type in its error, an explicit tol, the default tol of 8 epsilons ---------------

EPS64 = torch.finfo(F64).eps  # 2**-52


def test_fixed_point_inverse_names_the_type_of_y():
    """A y that is not a floating tensor raises a TypeError naming the type it got."""
    with pytest.raises(TypeError) as info:
        reversible.fixed_point_inverse(lambda x: x, [1.0])
    assert str(info.value) == "y must be a floating-point torch.Tensor, got list"


@pytest.mark.parametrize("tol, residuals", [(0.25, [0.25]), (0.125, [0.25, 0.125])])
def test_fixed_point_inverse_stops_at_an_explicit_tol(tol, residuals):
    """q(x) = x / 2, y = 1: x_1 = 1/2 leaves 1/4, x_2 = 3/4 leaves 1/8; a residual equal to tol counts as converged."""
    result = reversible.fixed_point_inverse(lambda x: x / 2, torch.ones(1, dtype=F64), tol=tol)
    assert result.converged is True
    assert result.residuals.tolist() == residuals
    assert result.x.tolist() == [1 - 2 * residuals[-1]]


def test_fixed_point_inverse_default_max_iterations_is_100():
    """q(x) = x never converges (x_k alternates 0, 1, ... for y = 1, residual 1): it stops after 100 iterations."""
    result = reversible.fixed_point_inverse(lambda x: x, torch.ones(1, dtype=F64))
    assert result.converged is False and result.iterations == 100
    assert result.residuals.tolist() == [1.0] * 100


@pytest.mark.parametrize("y, r, converged", [
    (0.0, 8 * EPS64, True), (0.0, 8.5 * EPS64, False),  # the terms are at most 1: the limit is 8 eps
    (4.0, 32 * EPS64, True), (4.0, 34 * EPS64, False),  # |y| = 4: the limit is 8 eps * 4
])
def test_fixed_point_inverse_default_tol_is_eight_epsilons_of_the_largest_term(y, r, converged):
    """q(y) = r and q = 0 elsewhere leave the residual r after one step: converged exactly when r <= 8 eps max(1, |y|)."""
    def residual(x):
        return torch.where(x == y, torch.full_like(x, r), torch.zeros_like(x))

    result = reversible.fixed_point_inverse(residual, torch.tensor([y], dtype=F64), max_iterations=1)
    assert result.residuals.tolist() == [r]
    assert result.converged is converged


def test_fixed_point_inverse_names_the_type_of_a_residual_that_is_not_callable():
    """A residual that is not a function raises a TypeError naming the type it got."""
    with pytest.raises(TypeError) as info:
        reversible.fixed_point_inverse(3, torch.ones(1, dtype=F64))
    assert str(info.value) == "residual must be a function of x, got int"


def test_fixed_point_inverse_of_an_empty_y_converges_at_once_with_residual_zero():
    """An empty y has nothing to solve: one iteration, residual 0, converged, x empty."""
    result = reversible.fixed_point_inverse(lambda x: x / 2, torch.zeros(0, dtype=F64))
    assert result.converged is True and result.residuals.tolist() == [0.0] and result.x.shape == (0,)


def test_fixed_point_inverse_stops_at_an_infinite_residual_and_still_returns_a_result():
    """q(x) = 2^1000 x, y = 2^100 overflows at once (x_1 = -inf, residual inf): a FixedPoint, not converged."""
    result = reversible.fixed_point_inverse(lambda x: x * 2.0**1000, torch.tensor([2.0**100], dtype=F64))
    assert isinstance(result, reversible.FixedPoint)
    assert result.converged is False and result.residuals.tolist() == [math.inf] and result.x.tolist() == [-math.inf]


# --- names and widths in the errors of inverses, saved_memory and tanh_residual ----------------------------

@pytest.mark.parametrize("make", [lambda: reversible.AdditiveCoupling(2, 2, 3, gen(0), dtype=F64),
                                  lambda: reversible.ContractiveResidual(4, 3, 0.5, gen(0), dtype=F64)])
def test_block_inverse_names_y_in_shape_errors(make):
    """A wrongly shaped output given to a block's inverse raises a ValueError naming y (not x) and the width."""
    with pytest.raises(ValueError) as info:
        make().inverse(torch.zeros(2, 5, dtype=F64))
    assert str(info.value) == "y must have shape (B, 4), got (2, 5): one row per example, 4 features"


def test_stack_inverse_checks_y_against_the_width_of_the_blocks():
    """A stack of width 4 refuses a y with 6 features, naming y and the width, before any block runs."""
    block = _Scale(4)
    with pytest.raises(ValueError) as info:
        ReversibleStack([block], "store").inverse(torch.zeros(2, 6, dtype=F64))
    assert str(info.value) == "y must have shape (B, 4), got (2, 6): one row per example, 4 features"
    assert block.calls == 0


def test_saved_memory_checks_x_against_the_width_of_the_stack():
    """A module of width 4 refuses an x with 6 features, naming the width, before it runs."""
    block = _Scale(4)
    with pytest.raises(ValueError) as info:
        reversible.saved_memory(block, torch.zeros(2, 6, dtype=F64))
    assert str(info.value) == "x must have shape (B, 4), got (2, 6): one row per example, 4 features"
    assert block.calls == 0


def test_tanh_residual_of_a_tensor_passes_nan_and_infinity_through():
    """tanh_residual is element-wise: NaN stays NaN, +-inf + 2 tanh(+-inf) = +-inf, 0 stays 0."""
    out = reversible.tanh_residual(torch.tensor([float("nan"), float("inf"), float("-inf"), 0.0], dtype=F64), 2.0)
    assert math.isnan(out[0]) and out[1:].tolist() == [math.inf, -math.inf, 0.0]


def test_tanh_residual_of_a_tensor_adds_c_tanh_x():
    """x + c tanh(x) on a tensor: +-30 + 2 tanh(+-30) = +-32 (tanh is 1 in float64), 0.5 + 2 tanh(0.5) by math.tanh."""
    out = reversible.tanh_residual(torch.tensor([30.0, -30.0, 0.5], dtype=F64), 2.0)
    assert out[:2].tolist() == [32.0, -32.0]
    assert out[2].item() == pytest.approx(0.5 + 2 * math.tanh(0.5), rel=1e-15)


def test_tanh_residual_names_x_for_an_integer_tensor():
    """An integer tensor raises a TypeError naming x and its dtype."""
    with pytest.raises(TypeError) as info:
        reversible.tanh_residual(torch.tensor([1, 2]), 1.0)
    assert str(info.value) == "x must be a floating-point tensor, got dtype torch.int64: convert it with .float()"


# c = -1 - 2**-22, y = -18 * 2**-38: three roots within 0.0016 of each other, about 2 |c| / 4000 apart, near those
# of the Taylor cubic x^3 / 3 - delta x = y; a coarser or shifted grid brackets only one of them.
CLOSE_C, CLOSE_Y, DELTA = -1 - 2.0**-22, -18 * 2.0**-38, 2.0**-22


def test_tanh_residual_preimages_resolves_three_roots_a_grid_step_apart():
    """All three preimages are found, each within 1e-6 (relative) of the cubic's root, and each solves f(x) = y."""
    roots = reversible.tanh_residual_preimages(CLOSE_Y, CLOSE_C)
    cubic = np.sort(np.roots([1 / 3, 0.0, -DELTA, -CLOSE_Y]).real)  # about -0.000959, 0.000321, 0.000638
    assert len(roots) == 3
    np.testing.assert_allclose(roots, cubic, rtol=1e-6)
    np.testing.assert_allclose(roots + CLOSE_C * np.tanh(roots), CLOSE_Y, rtol=0, atol=1e-17)


@pytest.mark.parametrize("y, c, roots", [
    (0.0, 0.5, [0.0]), (0.0, 0.25, [0.0]), (0.0, 3.0, [0.0]),  # f is odd and increasing: the root is exactly 0
    (72.0, 8.0, [64.0]),  # tanh(64) = 1 in float64: 64 + 8 = 72 exactly
    (4102.0, 2.0, [4100.0]),  # a root beyond 4001: the grid spans [y - |c|, y + |c|]
])
def test_tanh_residual_preimages_exact_roots(y, c, roots):
    """Roots that are exact in float64 are returned exactly (on the grid, or where bisection meets f(x) = y)."""
    assert reversible.tanh_residual_preimages(y, c).tolist() == roots


@pytest.mark.parametrize("c", [0.5, 0.0, -0.5, -1.0, 1.0, 2.0])
def test_tanh_residual_preimages_warns_of_nothing_for_c_at_least_minus_one(c):
    """For c >= -1 f has no turning points to compute: no NumPy warning (sqrt or arccosh of an invalid value)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        roots = reversible.tanh_residual_preimages(0.25, c)
    assert len(roots) == 1


def test_tanh_residual_preimages_bisects_each_bracket_at_most_80_times(monkeypatch):
    """f is evaluated once on the grid, then 80 times for the one root of y = 2^-100, c = 1 (no midpoint hits it)."""
    calls, original = [], reversible.tanh_residual
    monkeypatch.setattr(reversible, "tanh_residual", lambda x, c: calls.append(x) or original(x, c))
    roots = reversible.tanh_residual_preimages(2.0**-100, 1.0)
    assert len(roots) == 1 and abs(roots[0]) < 1e-27
    assert len(calls) == 1 + 80


# --- StackConfig: the smallest width, the exact work limit and its message -----------------------------------

def test_stack_config_accepts_d_two_and_refuses_one():
    """d = 2 (two halves of one) is the smallest width; d = 1 raises, naming d and the minimum 2."""
    assert reversible.StackConfig(d=2).d == 2
    with pytest.raises(ValueError) as info:
        reversible.StackConfig(d=1)
    assert str(info.value) == "d must be at least 2, got 1"


WORK_LIMIT = "more than the limit of 5,000,000: use smaller values"


@pytest.mark.parametrize("kwargs, amount", [
    (dict(d=4096, batch=100_000, hidden=1, max_depth=1), "409,608,192"),  # 1 * 2 * 4096 * 1 + 100000 * 4096
    (dict(d=100, batch=10_000, hidden=1001, max_depth=20), "5,004,000"),  # 20 * 2 * 100 * 1001 + 10000 * 100
])
def test_stack_config_counts_weights_plus_inputs_against_the_limit(kwargs, amount):
    """max_depth * 2 * d * hidden weights plus batch * d inputs above 5,000,000 raise with the exact count."""
    with pytest.raises(ValueError) as info:
        reversible.StackConfig(**kwargs)
    assert str(info.value) == f"max_depth, d, hidden and batch would need {amount} numbers, {WORK_LIMIT}"


def test_stack_config_exactly_at_the_work_limit_is_allowed():
    """20 * 2 * 100 * 1000 + 10000 * 100 = 5,000,000 numbers, exactly the limit, is allowed."""
    assert reversible.StackConfig(d=100, batch=10_000, hidden=1000, max_depth=20).hidden == 1000


# --- StackLab: its errors, its seed, and one torch thread ------------------------------------------------------

SMALL = reversible.StackConfig(d=4, batch=3, hidden=2, max_depth=2)


def test_stack_lab_names_the_type_of_a_wrong_config():
    """A config that is not a StackConfig raises a TypeError naming its type."""
    with pytest.raises(TypeError) as info:
        reversible.StackLab({"d": 4})
    assert str(info.value) == "config must be a StackConfig, got dict"


def test_stack_lab_draws_from_its_seed_not_the_global_generator():
    """Two labs of one seed hold the same x and weights, whatever torch's global generator did; another seed differs."""
    torch.manual_seed(1)
    a = reversible.StackLab(SMALL)
    torch.manual_seed(2)
    b = reversible.StackLab(SMALL)
    assert torch.equal(a.x("float64"), b.x("float64"))
    for p, q in zip(a.stack(2, "float64", "store").parameters(), b.stack(2, "float64", "store").parameters()):
        assert torch.equal(p, q)
    other = reversible.StackLab(reversible.StackConfig(d=4, batch=3, hidden=2, max_depth=2, seed=1))
    assert not torch.equal(a.x("float64"), other.x("float64"))


@pytest.mark.parametrize("call, error, message", [
    (lambda lab: lab.stack(0, "float64", "store"), ValueError, "depth must be at least 1, got 0"),
    (lambda lab: lab.stack(1.0, "float64", "store"), TypeError,
     "depth must be a whole number of at least 1, got 1.0 (float)"),
    (lambda lab: lab.measure(1, repeats=0), ValueError, "repeats must be at least 1, got 0"),
])
def test_stack_lab_names_depth_and_repeats_in_errors(call, error, message):
    """A depth or a repeats below 1 (or not whole) raises, naming the argument."""
    with pytest.raises(error) as info:
        call(reversible.StackLab(SMALL))
    assert str(info.value) == message


def test_stack_lab_saved_curves_in_float64_measure_the_float64_stack():
    """saved_curves('float64', ...) are saved_memory's activation bytes of the float64 stacks, twice the float32 ones."""
    lab = reversible.StackLab(SMALL)
    curves, low = lab.saved_curves("float64", [1, 2]), lab.saved_curves("float32", [1, 2])
    for mode in reversible.MODES:
        expected = [reversible.saved_memory(lab.stack(L, "float64", mode), lab.x("float64")).activations for L in (1, 2)]
        assert curves[mode].tolist() == expected
        assert curves[mode].tolist() == (2 * low[mode]).tolist()


@pytest.fixture
def two_threads():
    """torch on two threads during the test (restored after), so that a function's own one thread shows."""
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(before)


def _record_threads(monkeypatch, name):
    """Wrap reversible.<name> so that each call records the number of torch threads it ran on."""
    seen, original = [], getattr(reversible, name)

    def wrapper(*args, **kwargs):
        seen.append(torch.get_num_threads())
        return original(*args, **kwargs)

    monkeypatch.setattr(reversible, name, wrapper)
    return seen


@pytest.mark.parametrize("name, run", [
    ("gradient_vector", lambda lab: reversible.gradient_errors(lab.stack(2, "float64", "store").blocks,
                                                               lab.x("float64"), [1, 2])),
    ("gradient_vector", lambda lab: lab.measure(1, "float64", "reversible", repeats=1)),
    ("saved_memory", lambda lab: lab.measure(1, "float64", "checkpoint", repeats=1)),
    ("saved_memory", lambda lab: lab.saved_curves("float32", [1, 2])),
])
def test_measurements_run_on_one_torch_thread(two_threads, monkeypatch, name, run):
    """gradient_errors, StackLab.measure and saved_curves compute on one torch thread even when torch uses two."""
    lab = reversible.StackLab(SMALL)
    seen = _record_threads(monkeypatch, name)
    run(lab)
    assert seen and set(seen) == {1}
    assert torch.get_num_threads() == 2


@pytest.mark.parametrize("c", [-1 - 2.0**-24, -1 - 2.0**-40, -1.001, -2.0, -50.0])
def test_tanh_residual_preimages_finds_all_three_roots_however_close(c):
    """For c < -1 and y between f's turning values there are three roots (at y = 0: 0 and ±r beyond the turning
    points), also when they are far closer together than a grid step (c = -1 - 2^-24: r ≈ 4.2e-4)."""
    turn = math.acosh(math.sqrt(-c))

    def f(x):
        return x + c * math.tanh(x)

    roots = reversible.tanh_residual_preimages(0.0, c)
    assert len(roots) == 3 and roots[1] == 0.0 and roots[0] == pytest.approx(-roots[2], rel=1e-4)  # f is odd
    r = roots[2]
    assert turn < r < 2 * abs(c)  # on the outer monotone piece
    assert f(r * (1 - 1e-3)) < 0 < f(r * (1 + 1e-3))  # f changes sign within 0.1% of it: a root is there
    y = 0.5 * f(-turn)  # between the turning values f(turn) < 0 < f(-turn)
    assert len(reversible.tanh_residual_preimages(y, c)) == 3


# --- defaults of blocks and stacks, what reversible backward recomputes, and more exact errors -------------


def test_additive_coupling_default_gain_is_1():
    """Without gain, mu1's first weight (fan_in 1) is the generator's first N(0, 1) draw unscaled."""
    block = reversible.AdditiveCoupling(1, 1, 4, gen(0), dtype=F64)
    assert torch.equal(block.mu1[0].weight, torch.randn((4, 1), generator=gen(0), dtype=F64))


def test_additive_coupling_repr_names_its_sizes():
    """The block's repr line gives d1, d2 and hidden."""
    assert reversible.AdditiveCoupling(1, 2, 4, gen(0)).extra_repr() == "d1=1, d2=2, hidden=4"


def _count_mu1_calls(stack):
    calls = []
    for block in stack.blocks:
        block.mu1.register_forward_hook(lambda *args: calls.append(1))
    return calls


@pytest.mark.parametrize("kwargs, after_backward", [({}, 4), ({"fused": True}, 4), ({"fused": False}, 6)])
def test_reversible_backward_recomputes_mu1_once_per_block_when_fused(kwargs, after_backward):
    """2 blocks, x not requiring grad: forward calls mu1 twice; fused backward (the default) once more per block,
    unfused backward twice more (inverse, then the recomputed forward)."""
    stack = ReversibleStack(reversible.coupling_blocks(2, 2, 3, gen(0), dtype=F64), **kwargs)
    calls = _count_mu1_calls(stack)
    y = stack(torch.ones(4, 2, dtype=F64))
    assert len(calls) == 2
    y.square().mean().backward()
    assert len(calls) == after_backward and stack.fused is kwargs.get("fused", True)


def test_reversible_stack_of_frozen_blocks_keeps_only_its_output_for_x():
    """Frozen parameters but x requiring grad: still reversible, saving only the (4, 2) float64 output, 64 bytes."""
    stack = ReversibleStack(reversible.coupling_blocks(2, 2, 3, gen(0), dtype=F64))
    stack.requires_grad_(False)
    assert reversible.saved_memory(stack, torch.zeros(4, 2, dtype=F64)) == reversible.SavedMemory(64, 0)


def test_stack_names_the_type_of_a_non_tensor_x():
    """A list instead of a tensor raises TypeError naming the expected shape and 'list'."""
    stack = ReversibleStack(reversible.coupling_blocks(1, 2, 3, gen(0), dtype=F64))
    with pytest.raises(TypeError) as info:
        stack([[0.0, 0.0]])
    assert str(info.value) == "x must be a torch.Tensor of shape (B, 2), got list"


def test_gradient_vector_of_a_module_without_width_asks_for_a_2d_x():
    """A module with no width d: a 1-D x raises asking for shape (B, d), with nothing about features."""
    with pytest.raises(ValueError) as info:
        reversible.gradient_vector(nn.Linear(2, 2, dtype=F64), torch.zeros(3, dtype=F64))
    assert str(info.value) == "x must have shape (B, d), got (3,): one row per example"


def test_empty_stack_is_refused_with_an_example():
    """No blocks raises suggesting coupling_blocks, exactly."""
    with pytest.raises(ValueError) as info:
        ReversibleStack([])
    assert str(info.value) == ("blocks is empty: give at least one invertible block, "
                               "e.g. coupling_blocks(4, d, hidden, generator)")


def test_coupling_blocks_refuses_too_many_weights_before_checking_the_generator():
    """depth 2 x 2 x d 4096 x hidden 4096 = 67,108,864 > 5e7 weights raises naming them, before anything is drawn."""
    with pytest.raises(ValueError) as info:
        reversible.coupling_blocks(2, 4096, 4096, generator=0)
    assert str(info.value) == ("depth, d and hidden would need 67,108,864 weights, more than the limit of 50,000,000: "
                               "use smaller values")


@pytest.mark.parametrize("field, value", [("d", 4096), ("hidden", 4096), ("max_depth", 4096), ("batch", 100_000)])
def test_stack_config_accepts_each_maximum(field, value):
    """Each size may equal its maximum (the other sizes small enough to stay under the work limit)."""
    small = dict(d=2, hidden=1, max_depth=1, batch=1)
    config = reversible.StackConfig(**{**small, field: value})
    assert getattr(config, field) == value


@pytest.mark.parametrize("field, value, message", [("d", 4097, "d must be at most 4,096, got 4,097"),
                                                   ("batch", 100_001, "batch must be at most 100,000, got 100,001")])
def test_stack_config_refuses_one_more_than_the_maximum(field, value, message):
    """One above the maximum raises with the exact message."""
    small = dict(d=2, hidden=1, max_depth=1, batch=1)
    with pytest.raises(ValueError) as info:
        reversible.StackConfig(**{**small, field: value})
    assert str(info.value) == message


# --- reversible backward of a block with an unused parameter; gradient_errors' checks of x and modes ---------


class _ScaleWithUnused(_Scale):
    """_Scale (x -> 2 x) with one more parameter that forward never uses."""

    def __init__(self, d):
        super().__init__(d)
        self.unused = nn.Parameter(torch.ones(1, dtype=F64))


def test_reversible_backward_allows_a_parameter_the_block_does_not_use():
    """Reversible mode, any block: an unused parameter gets no gradient (None) and the others their exact ones."""
    block = _ScaleWithUnused(4)
    x = torch.ones(2, 4, dtype=F64, requires_grad=True)
    ReversibleStack([block], "reversible")(x).sum().backward()
    assert x.grad.tolist() == [[2.0] * 4] * 2  # d(sum 2 x)/dx = 2
    assert block.weight.grad.tolist() == [8.0]  # d(sum w x)/dw = sum x = 8
    assert block.unused.grad is None


@pytest.mark.parametrize("x, message", [
    (torch.full((2, 4), float("nan"), dtype=F64), "x must hold finite numbers (no NaN or infinity)"),
    (torch.zeros(0, 4, dtype=F64), "x must not be empty, got shape (0, 4)"),
    (torch.zeros(2, 6, dtype=F64), "x must have shape (B, 4), got (2, 6): one row per example, 4 features"),
])
def test_gradient_errors_checks_x_even_for_no_depths(x, message):
    """A NaN, empty or wrongly wide x raises a ValueError naming x, even when depths is empty (nothing to run)."""
    blocks = reversible.coupling_blocks(1, 4, 3, gen(0), dtype=F64)
    with pytest.raises(ValueError) as info:
        reversible.gradient_errors(blocks, x, [])
    assert str(info.value) == message


def test_gradient_errors_of_no_depths_is_empty_per_mode():
    """A good x and no depths: one empty array per mode asked for."""
    blocks = reversible.coupling_blocks(1, 4, 3, gen(0), dtype=F64)
    errors = reversible.gradient_errors(blocks, torch.zeros(2, 4, dtype=F64), [], modes=["checkpoint"])
    assert list(errors) == ["checkpoint"] and errors["checkpoint"].shape == (0,)


def test_gradient_errors_names_the_modes_allowed():
    """An unknown mode raises a ValueError naming its index, the three modes and what it got."""
    blocks = reversible.coupling_blocks(1, 4, 3, gen(0), dtype=F64)
    with pytest.raises(ValueError) as info:
        reversible.gradient_errors(blocks, torch.zeros(2, 4, dtype=F64), [1], modes=["store", "fast"])
    assert str(info.value) == "modes[1] must be one of 'store', 'checkpoint', 'reversible', got 'fast'"


# --- ContractiveResidual: its default Lipschitz constant, spectral (not Frobenius) norms, its inverse ---------


@pytest.mark.parametrize("kwargs, lipschitz", [({}, 0.5), ({"lipschitz": 0.25}, 0.25)])
def test_contractive_residual_scales_each_layer_to_spectral_norm_sqrt_lipschitz(kwargs, lipschitz):
    """Default lipschitz 0.5: each Linear of q has spectral norm (NumPy's 2-norm) sqrt(lipschitz), their product it."""
    block = reversible.ContractiveResidual(3, 5, generator=gen(0), dtype=F64, **kwargs)
    assert block.lipschitz == lipschitz
    for layer in (block.q[0], block.q[2]):
        assert np.linalg.norm(layer.weight.detach().numpy(), 2) == pytest.approx(math.sqrt(lipschitz), rel=1e-12)
    assert reversible.lipschitz_bound(block.q) == pytest.approx(lipschitz, rel=1e-12)


def test_contractive_residual_names_x_and_its_width_in_shape_errors():
    """residual() of an x with 5 features raises a ValueError naming x and the width 4 (before q runs)."""
    block = reversible.ContractiveResidual(4, 3, 0.5, gen(0), dtype=F64)
    with pytest.raises(ValueError) as info:
        block.residual(torch.zeros(2, 5, dtype=F64))
    assert str(info.value) == "x must have shape (B, 4), got (2, 5): one row per example, 4 features"


def _linear_residual(a, lipschitz=0.5):
    """A ContractiveResidual of width 1 whose q is replaced by the linear map x -> a x (Lipschitz constant |a|)."""
    block = reversible.ContractiveResidual(1, 1, lipschitz, gen(0), dtype=F64)
    block.q = nn.Linear(1, 1, bias=False, dtype=F64)
    with torch.no_grad():
        block.q.weight.fill_(a)
    return block


@pytest.mark.parametrize("kwargs, x", [({"tol": 0.25}, 0.5), ({"tol": 0.125}, 0.75),
                                       ({"tol": 0.125, "max_iterations": 2}, 0.75)])
def test_contractive_residual_inverse_stops_at_its_tol(kwargs, x):
    """q(x) = x / 2, y = 1: x_1 = 1/2 leaves the residual 1/4, x_2 = 3/4 leaves 1/8; inverse stops at tol."""
    block = _linear_residual(0.5)
    assert block.inverse(torch.ones(1, 1, dtype=F64), **kwargs).tolist() == [[x]]


NOT_CONVERGED = ("the fixed-point iteration did not converge in {} iterations (residual {}): it needs lipschitz < 1, "
                 "this block has 4; lower it or raise max_iterations")


@pytest.mark.parametrize("kwargs, iterations, residual", [
    ({"max_iterations": 3}, 3, "1.6e+01"),  # residuals 4, 8, 16: the last one is reported
    ({"max_iterations": 4}, 4, "3.2e+01"),
    ({}, 200, "3.2e+60"),  # default 200 iterations: 2**201 = 3.2e60
])
def test_contractive_residual_inverse_reports_iterations_and_last_residual(kwargs, iterations, residual):
    """q(x) = 2 x, y = 1 diverges: the k-th residual is 2**(k+1); the error gives the iterations and the last one."""
    block = _linear_residual(2.0, lipschitz=4.0)
    with pytest.raises(ValueError) as info:
        block.inverse(torch.ones(1, 1, dtype=F64), **kwargs)
    assert str(info.value) == NOT_CONVERGED.format(iterations, residual)


# --- depths given as a non-list; StackLab.measure on a clock whose k-th reading is k**2 ------------------------


@pytest.mark.parametrize("depths, kind", [(5, "int"), (None, "NoneType"), ("12", "str")])
def test_round_trip_errors_names_the_type_of_depths_that_is_not_a_list(depths, kind):
    """depths that are not a list of depths raise a TypeError naming the type they are."""
    blocks = reversible.coupling_blocks(2, 2, 3, gen(0), dtype=F64)
    with pytest.raises(TypeError) as info:
        reversible.round_trip_errors(blocks, torch.ones(1, 2, dtype=F64), depths)
    assert str(info.value) == f"depths must be a list of depths such as [1, 2, 4], got {kind}"


class _SquareClock:
    """perf_counter whose k-th reading is k**2: the j-th timed run (readings 2j - 1, 2j) takes 4j - 1 seconds."""

    def __init__(self):
        self.readings = 0

    def __call__(self):
        self.readings += 1
        return float(self.readings**2)


@pytest.fixture
def square_clock(monkeypatch):
    clock = _SquareClock()
    monkeypatch.setattr(reversible, "time", types.SimpleNamespace(perf_counter=clock))
    return clock


@pytest.mark.parametrize("mode, kwargs, seconds, ordinary", [
    ("reversible", {"repeats": 1}, 3.0, 7.0),  # its run 3 s, then the ordinary run 7 s
    ("checkpoint", {"repeats": 1}, 3.0, 7.0),
    ("store", {"repeats": 1}, 3.0, 3.0),  # the ordinary time is its own: no second run
    ("reversible", {}, 5.0, 13.0),  # default repeats=2: median of 3 and 7 s, then of 11 and 15 s
    ("store", {}, 5.0, 5.0),
    ("reversible", {"repeats": 3}, 7.0, 19.0),  # median of 3, 7, 11 s, then of 15, 19, 23 s
])
def test_stack_lab_measure_times_each_run_on_the_clock(square_clock, mode, kwargs, seconds, ordinary):
    """seconds is the median of repeats runs (end - start); ordinary_seconds reuses them in mode 'store'."""
    m = reversible.StackLab(SMALL).measure(1, "float64", mode, **kwargs)
    assert (m.depth, m.dtype, m.mode) == (1, "float64", mode)
    assert (m.seconds, m.ordinary_seconds, m.time_ratio) == (seconds, ordinary, seconds / ordinary)
    assert square_clock.readings == 2 * kwargs.get("repeats", 2) * (1 if mode == "store" else 2)


def test_stack_lab_measure_caches_ordinary_times_per_depth_dtype_and_repeats(square_clock):
    """A second mode at the same depth, dtype and repeats reuses the ordinary time; another depth times its own."""
    lab = reversible.StackLab(SMALL)
    first = lab.measure(1, "float64", "reversible", repeats=1)  # 3 s, ordinary 7 s
    again = lab.measure(1, "float64", "checkpoint", repeats=1)  # 11 s, ordinary cached
    deeper = lab.measure(2, "float64", "reversible", repeats=1)  # 15 s, ordinary 19 s
    assert [(m.depth, m.mode, m.seconds, m.ordinary_seconds) for m in (first, again, deeper)] == [
        (1, "reversible", 3.0, 7.0), (1, "checkpoint", 11.0, 7.0), (2, "reversible", 15.0, 19.0)]
    assert deeper.gradient_error < 1e-12


@pytest.mark.parametrize("dtype, name", [("float32", "float32"), (torch.float32, "float32"), (F64, "float64")])
def test_stack_lab_measure_names_its_depth_dtype_and_mode(dtype, name):
    """The measurement records the depth, the dtype's name and the mode it was asked for."""
    m = reversible.StackLab(SMALL).measure(2, dtype, "checkpoint", repeats=1)
    assert (m.depth, m.dtype, m.mode) == (2, name, "checkpoint")


def test_stack_lab_measure_of_ordinary_float64_has_no_gradient_error():
    """Mode 'store' in float64 is the reference computation itself (float64 backprop, 'store'): error exactly 0."""
    m = reversible.StackLab(SMALL).measure(2, "float64", "store", repeats=1)
    assert m.gradient_error == 0.0 and m.round_trip_error < 1e-12


def test_stack_lab_measure_warms_up_each_dtype_and_mode_once_on_at_most_two_blocks(monkeypatch):
    """The first measure of a (dtype, mode) runs one warm-up gradient on min(2, depth) blocks; later ones do not.
    Then come the timed runs, the ordinary runs and the float64 'store' reference (the last two once per depth)."""
    lab = reversible.StackLab(reversible.StackConfig(d=4, batch=3, hidden=2, max_depth=3))
    calls, original = [], reversible.gradient_vector

    def recording(stack, x):
        calls.append((len(stack.blocks), stack.mode, str(x.dtype)))
        return original(stack, x)

    monkeypatch.setattr(reversible, "gradient_vector", recording)
    lab.measure(3, "float32", "checkpoint", repeats=1)
    assert calls == [(2, "checkpoint", "torch.float32"), (3, "checkpoint", "torch.float32"),
                     (3, "store", "torch.float32"), (3, "store", "torch.float64")]
    calls.clear()
    lab.measure(1, "float32", "checkpoint", repeats=1)
    assert calls == [(1, "checkpoint", "torch.float32"), (1, "store", "torch.float32"), (1, "store", "torch.float64")]
    calls.clear()
    lab.measure(1, "float32", "reversible", repeats=1)  # a new mode is warmed up, on the one block asked for
    assert calls == [(1, "reversible", "torch.float32"), (1, "reversible", "torch.float32")]


def test_stack_lab_saved_curves_at_max_depth_one():
    """A lab of one block (max_depth=1) gives saved_curves at depth 1, one activation count per mode."""
    lab = reversible.StackLab(reversible.StackConfig(d=4, batch=3, hidden=2, max_depth=1))
    curves = lab.saved_curves("float64", [1])
    expected = {m: [reversible.saved_memory(lab.stack(1, "float64", m), lab.x("float64")).activations]
                for m in reversible.MODES}
    assert {m: c.tolist() for m, c in curves.items()} == expected


def test_stack_lab_saved_curves_do_not_depend_on_torch_default_dtype():
    """With torch's default dtype set to float16 (no lab dtype), saved_curves of an explicit dtype still work."""
    lab = reversible.StackLab(SMALL)
    expected = {m: c.tolist() for m, c in reversible.StackLab(SMALL).saved_curves("float64", [1, 2]).items()}
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float16)
    try:
        curves = lab.saved_curves("float64", [1, 2])
    finally:
        torch.set_default_dtype(before)
    assert {m: c.tolist() for m, c in curves.items()} == expected


@pytest.mark.parametrize("default", [torch.float16, torch.bfloat16])
def test_dtype_none_under_a_half_precision_default_is_refused_by_name(default):
    """dtype=None means torch's default: float16 or bfloat16 there is refused with a message, not a KeyError."""
    lab = reversible.StackLab(SMALL)
    before = torch.get_default_dtype()
    torch.set_default_dtype(default)
    try:
        with pytest.raises(ValueError) as info:
            lab.x(None)
        with pytest.raises(ValueError, match=r"^dtype=None means torch's default dtype"):
            reversible.tanh_mlp(2, 3, 4, dtype=None)
    finally:
        torch.set_default_dtype(before)
    assert str(info.value) == (f"dtype=None means torch's default dtype, {default}, which is not float32 or float64: "
                               "pass dtype='float32' or 'float64'")


# --- names and types in error messages; single blocks and blocks without a width; NaN passes through blocks ----

NOT_INVERTIBLE = ("blocks[{}] ({}) is not invertible: every block must be an nn.Module with an inverse(y) method, "
                  "e.g. AdditiveCoupling")


@pytest.mark.parametrize("blocks, message", [
    ([nn.Linear(4, 4)], NOT_INVERTIBLE.format(0, "Linear")),
    ([_Scale(4), "block"], NOT_INVERTIBLE.format(1, "str")),
    (3, "blocks must be a list of invertible nn.Modules, got int"),
    (None, "blocks must be a list of invertible nn.Modules, got NoneType"),
])
def test_stack_names_the_block_or_type_it_refuses(blocks, message):
    """A block without inverse, or blocks that are not a list, raise a TypeError naming the index and type, exactly."""
    with pytest.raises(TypeError) as info:
        ReversibleStack(blocks)
    assert str(info.value) == message


def test_stack_of_a_single_block_is_a_stack_of_one():
    """One block, not in a list, makes a stack of that one block: round_trip_error accepts it too."""
    block = _Scale(4)
    stack = ReversibleStack(block, "store")
    assert list(stack.blocks) == [block] and stack.d == 4
    assert stack(torch.ones(1, 4, dtype=F64)).tolist() == [[2.0] * 4]
    assert reversible.round_trip_error(block, torch.ones(1, 4, dtype=F64)) == 0.0


class _Negate(nn.Module):
    """x -> -x, inverse y -> -y: an invertible block with no width d and no parameters; records grad mode."""

    def __init__(self):
        super().__init__()
        self.grad_modes = []

    def forward(self, x):
        self.grad_modes.append(torch.is_grad_enabled())
        return -x

    def inverse(self, y):
        return -y


def test_stack_of_blocks_without_a_width_accepts_any_width():
    """Blocks without an int d leave the stack's d None: x of any number of features goes through."""
    stack = ReversibleStack([_Negate(), _Negate()], "store")
    assert stack.d is None
    assert stack(torch.ones(2, 3, dtype=F64)).tolist() == [[1.0] * 3] * 2


@pytest.mark.parametrize("mode", reversible.MODES)
def test_stack_with_nothing_to_differentiate_runs_its_blocks_the_ordinary_way(mode):
    """Grad enabled, but no parameters and x needing no gradient: the blocks run as usual, with grad mode on."""
    block = _Negate()
    y = ReversibleStack([block], mode)(torch.ones(1, 2, dtype=F64))
    assert y.tolist() == [[-1.0, -1.0]] and block.grad_modes == [True]


@pytest.mark.parametrize("call", [
    lambda: reversible.cast_blocks([_Scale(4)], "float16"),
    lambda: reversible.tanh_mlp(2, 2, 2, dtype="float16"),
])
def test_dtype_error_lists_the_dtypes_allowed(call):
    """An unknown dtype raises a ValueError listing float32, float64 and the torch dtypes, exactly."""
    with pytest.raises(ValueError) as info:
        call()
    assert str(info.value) == ("dtype must be one of float32, float64 (or torch.float32 / torch.float64), "
                               "got 'float16'")


def test_mode_error_lists_the_modes_allowed():
    """An unknown mode raises a ValueError listing the three modes, exactly."""
    with pytest.raises(ValueError) as info:
        ReversibleStack([_Scale(4)], "fast")
    assert str(info.value) == "mode must be one of 'store', 'checkpoint', 'reversible', got 'fast'"


GENERATOR_ERROR = "generator must be a torch.Generator (e.g. torch.Generator().manual_seed(0)) or None, got {}"


@pytest.mark.parametrize("call, kind", [
    (lambda: reversible.tanh_mlp(2, 2, 2, generator=0), "int"),
    (lambda: reversible.AdditiveCoupling(2, 2, 3, generator="seed"), "str"),
    # coupling_blocks checks its generator before any block checks gain or dtype
    (lambda: reversible.coupling_blocks(1, 4, 3, "seed", gain=-1.0), "str"),
    (lambda: reversible.coupling_blocks(1, 4, 3, 0, dtype="float16"), "int"),
])
def test_generator_error_names_its_type(call, kind):
    """A generator that is not a torch.Generator raises a TypeError naming its type, exactly."""
    with pytest.raises(TypeError) as info:
        call()
    assert str(info.value) == GENERATOR_ERROR.format(kind)


def test_coupling_blocks_checks_hidden_against_its_maximum_before_the_generator():
    """hidden 4097 raises the hidden maximum error before the generator is looked at."""
    with pytest.raises(ValueError) as info:
        reversible.coupling_blocks(1, 2, 4097, "seed")
    assert str(info.value) == "hidden must be at most 4,096, got 4,097"


def test_coupling_blocks_accepts_one_hidden_unit():
    """hidden = 1 is allowed: each MLP has one hidden unit."""
    blocks = reversible.coupling_blocks(2, 4, 1, gen(0), dtype=F64)
    assert [(b.d1, b.d2, b.hidden, b.mu1[0].weight.shape[0]) for b in blocks] == [(2, 2, 1, 1)] * 2


def test_tanh_mlp_draws_weights_with_gain_1_and_biases_times_0_1_by_default():
    """Default gain 1: weights are N(0, 1) draws / sqrt(fan_in), biases draws * 0.1, all drawn in float64 in order."""
    net = reversible.tanh_mlp(3, 2, 4, gen(0), dtype=F64)
    g = gen(0)
    w0 = torch.randn(4, 3, generator=g, dtype=F64) / math.sqrt(3)
    b0 = torch.randn(4, generator=g, dtype=F64) * 0.1
    w1 = torch.randn(2, 4, generator=g, dtype=F64) / 2.0
    b1 = torch.randn(2, generator=g, dtype=F64) * 0.1
    for got, want in zip((net[0].weight, net[0].bias, net[2].weight, net[2].bias), (w0, b0, w1, b1)):
        assert got.dtype == F64
        torch.testing.assert_close(got.detach(), want, rtol=1e-15, atol=0.0)


@pytest.mark.parametrize("call, kind", [
    (lambda: reversible.gradient_vector("stack", torch.zeros(2, 2, dtype=F64)), "str"),
    (lambda: reversible.saved_memory([1], torch.zeros(2, 2, dtype=F64)), "list"),
])
def test_gradient_vector_and_saved_memory_name_the_type_of_a_non_module(call, kind):
    """A stack that is not an nn.Module raises a TypeError naming its type, exactly."""
    with pytest.raises(TypeError) as info:
        call()
    assert str(info.value) == f"stack must be an nn.Module (e.g. a ReversibleStack), got {kind}"


@pytest.mark.parametrize("x", [torch.zeros(2, 6, dtype=torch.float32), torch.full((2, 6), math.nan, dtype=F64)])
def test_gradient_vector_checks_x_against_the_width_of_the_stack_first(x):
    """A stack of width 4 refuses an x with 6 features by its width, before its dtype or values, before it runs."""
    block = _Scale(4)
    with pytest.raises(ValueError) as info:
        reversible.gradient_vector(ReversibleStack([block]), x)
    assert str(info.value) == "x must have shape (B, 4), got (2, 6): one row per example, 4 features"
    assert block.calls == 0


def test_saved_memory_of_a_module_without_width():
    """A module with no d (nn.Linear) is measured on any 2-D x: a 3x2 float64 input saved is 48 bytes."""
    layer = nn.Linear(2, 2, dtype=F64)
    saved = reversible.saved_memory(layer, torch.zeros(3, 2, dtype=F64))
    assert saved.activations == 48


@pytest.mark.parametrize("value", [math.nan, math.inf])
def test_mean_square_loss_passes_nan_and_infinity_through(value):
    """mean_square_loss of a y holding NaN or infinity is NaN or infinity, not an error."""
    y = torch.tensor([[1.0, value]], dtype=F64)
    loss = float(reversible.mean_square_loss(y))
    assert (math.isnan(loss) if math.isnan(value) else loss == math.inf)


def test_blocks_and_stacks_pass_nan_through():
    """A coupling block, its inverse and a stack in every mode compute on NaN inputs and return NaN."""
    block = reversible.AdditiveCoupling(2, 2, 3, gen(0), dtype=F64)
    x = torch.full((1, 4), math.nan, dtype=F64)
    assert torch.isnan(block(x)).all() and torch.isnan(block.inverse(x)).all()
    for mode in reversible.MODES:
        assert torch.isnan(ReversibleStack([block], mode)(x)).all()
    contractive = reversible.ContractiveResidual(2, 3, 0.5, gen(0), dtype=F64)
    assert torch.isnan(contractive(torch.full((1, 2), math.nan, dtype=F64))).all()


@pytest.mark.parametrize("call, message", [
    (lambda b: b(torch.zeros(2, 5, dtype=F64)), "x must have shape (B, 4), got (2, 5): one row per example, 4 features"),
    (lambda b: b.split(torch.zeros(2, 5, dtype=F64)),
     "x must have shape (B, 4), got (2, 5): one row per example, 4 features"),
    (lambda b: b.residual1(torch.zeros(2, 5, dtype=F64)),
     "x must have shape (B, 4), got (2, 5): one row per example, 4 features"),
])
def test_block_names_x_in_shape_errors(call, message):
    """forward, split and residual1 name the input x in a shape error, exactly."""
    block = reversible.AdditiveCoupling(2, 2, 3, gen(0), dtype=F64)
    with pytest.raises(ValueError) as info:
        call(block)
    assert str(info.value) == message


def test_stack_lab_default_config_is_stack_config():
    """StackLab() measures the default StackConfig()."""
    lab = reversible.StackLab()
    assert lab.config == reversible.StackConfig()
    assert lab.x("float64").shape == (32, 32) and len(lab.stack(128, "float64", "store").blocks) == 128


def _bypassed(**fields):
    """A StackConfig whose fields were changed after its own checks ran (it is frozen: object.__setattr__)."""
    config = reversible.StackConfig(d=4, batch=3, hidden=2, max_depth=2)
    for name, value in fields.items():
        object.__setattr__(config, name, value)
    return config


@pytest.mark.parametrize("fields, error, message", [
    ({"seed": -1}, ValueError, "seed must be at least 0, got -1"),
    ({"batch": 2.5}, TypeError, "batch must be a whole number of at least 1, got 2.5 (float)"),
    ({"batch": 0}, ValueError, "batch must be at least 1, got 0"),
])
def test_stack_lab_checks_seed_and_batch_itself(fields, error, message):
    """StackLab checks the seed and batch it uses, naming them, even if the config's own checks were bypassed."""
    with pytest.raises(error) as info:
        reversible.StackLab(_bypassed(**fields))
    assert str(info.value) == message


def test_stack_lab_float32_blocks_are_float32_whatever_torch_default_dtype():
    """Built while torch's default dtype is float64, the lab's float32 blocks and x are still float32."""
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        lab = reversible.StackLab(SMALL)
    finally:
        torch.set_default_dtype(before)
    assert {p.dtype for p in lab.stack(2, "float32", "store").parameters()} == {torch.float32}
    assert {p.dtype for p in lab.stack(2, "float64", "store").parameters()} == {F64}
    assert lab.x("float32").dtype == torch.float32
