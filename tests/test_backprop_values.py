"""dlexam.backprop: exact values by hand and the exact messages of checks and errors."""

import numpy as np
import pytest
import torch

from dlexam import backprop

# --- Relative error ------------------------------------------------------------------------------------


def _gradients(weight, bias):
    return backprop.Gradients((torch.tensor([[weight]], dtype=torch.float64),),
                              (torch.tensor([bias], dtype=torch.float64),))


def test_relative_error_by_hand():
    """Reference (W, b) = (3, 4) has norm 5; estimates (0, 0) and (3, 9) are 5 away from it: relative error 1."""
    assert backprop.relative_error(_gradients(0.0, 0.0), _gradients(3.0, 4.0)) == 1.0
    assert backprop.relative_error(_gradients(3.0, 4.0 + 5.0), _gradients(3.0, 4.0)) == 1.0  # diff 5, norm 5


@pytest.mark.parametrize("estimate, reference", [
    (_gradients(float("inf"), 0.0), _gradients(1.0, 1.0)),  # infinite difference, finite reference
    (_gradients(1.0, 1.0), _gradients(float("nan"), 1.0)),  # NaN in both sums
    (_gradients(float("nan"), 1.0), _gradients(1.0, 1.0)),  # NaN in the difference only
])
def test_relative_error_refuses_non_finite_gradients(estimate, reference):
    """A non-finite number on either side raises with the exact message."""
    with pytest.raises(ValueError) as info:
        backprop.relative_error(estimate, reference)
    assert str(info.value) == "estimate and reference must hold finite numbers"


def test_relative_error_refuses_what_is_not_gradients():
    """Anything but two Gradients raises a TypeError with the exact message."""
    with pytest.raises(TypeError) as info:
        backprop.relative_error(_gradients(1.0, 1.0), [1.0])
    assert str(info.value) == "estimate and reference must both be Gradients"


# --- What one SGD step holds ---------------------------------------------------------------------------


def test_held_shapes_count_repeated_shapes_only():
    """Widths 3, 4, 4, 2: three different weight shapes, then biases (4,) twice and (2,) once."""
    g = torch.Generator().manual_seed(0)
    X, Y = backprop.make_regression_data(10, [3, 4, 4, 2], g)
    step = backprop.sgd_step(backprop.init_params([3, 4, 4, 2], g), X, Y, 5, 0.1, g)
    shapes = {r.name: r.shapes for r in backprop.held_in_memory(step, 4)}
    assert shapes == {
        "θ_old: W_l, b_l": "(4, 3) + (4, 4) + (2, 4) + 2 × (4,) + (2,)",
        "batch x, y": "(5, 3) + (5, 2)",
        "gradients dW_l, db_l": "(4, 3) + (4, 4) + (2, 4) + 2 × (4,) + (2,)",
    }
    assert {r.name: r.shapes for r in backprop.held_in_memory(step, 2)}["activations z_1..z_3"] == "2 × (5, 4) + (5, 2)"


def test_held_in_memory_names_the_type_it_got():
    """A step that is not an SGDStep raises naming its type."""
    with pytest.raises(TypeError) as info:
        backprop.held_in_memory("step", 1)
    assert str(info.value) == "step must be an SGDStep, not str"


# --- Self-check: bytes of per-example gradients --------------------------------------------------------

# L = 4, B = 128, d = 256, 4 bytes: B L (d^2 + d) 4 = 128 * 4 * 65792 * 4 = 134,742,016 bytes = 128.5 MiB.


@pytest.mark.parametrize("answer, message", [
    (134_742_016, "Right: B·L·(d² + d)·4 = 134,742,016 bytes (128.50 MiB)."),
    (128 * 4 * 65536 * 4,
     "Not yet: 134,217,728 bytes: the biases are missing: each block has d² weights and d biases."),
    (4 * 65792 * 4, "Not yet: 1,052,672 bytes: that is one gradient; per-example gradients are B of them."),
    (128 * 4 * 65792, "Not yet: 33,685,504 bytes: that counts numbers, not bytes: multiply by the bytes per number."),
    (128 * 4 * 256 * 4,
     "Not yet: 524,288 bytes: that is the size of the activations; a weight gradient has d² entries."),
    (134_742_017, "Not yet: 134,742,017 bytes: too high."),
    (134_742_015, "Not yet: 134,742,015 bytes: too low."),
    ("lots", "Not yet: the answer must be a number of bytes."),
    (float("nan"), "Not yet: the answer must be a number of bytes."),
])
def test_check_per_example_bytes_messages(answer, message):
    """Every branch, each slip and too high / too low just beside the answer, with the default 4 bytes a number."""
    result = backprop.check_per_example_bytes(answer, 4, 128, 256)
    assert result.correct is (answer == 134_742_016)
    assert result.message == message


@pytest.mark.parametrize("layers, batch_size, message", [
    (0, 1, "layers L must be at least 1, got 0"),
    (1, 0, "batch_size B must be at least 1, got 0"),
])
def test_check_per_example_bytes_names_the_bad_size(layers, batch_size, message):
    """A size below 1 raises naming it with its letter."""
    with pytest.raises(ValueError) as info:
        backprop.check_per_example_bytes(1, layers, batch_size, 1)
    assert str(info.value) == message


# --- Self-check: the learning rate of the summed loss --------------------------------------------------


@pytest.mark.parametrize("answer, message", [
    (1 / 32, "Right: the sum's gradient is B = 32 times the average's, so the rate shrinks by 1/B."),
    (32, "Not yet: the summed loss already has the larger gradient; the rate must shrink."),
    (1, "Not yet: the two losses have different gradients: compare sum and (1/B) sum."),
    (0.5, "Not yet: 0.5 is not it; how do the gradients of sum and average differ?"),
    (2, "Not yet: 2 is not it; how do the gradients of sum and average differ?"),
    ("1/B", "Not yet: the answer must be a number (a factor such as 0.5)."),
    (True, "Not yet: the answer must be a number (a factor such as 0.5)."),
])
def test_check_summed_loss_learning_rate_messages(answer, message):
    """Every branch for B = 32, with its exact message; only 1/B is right."""
    result = backprop.check_summed_loss_learning_rate(answer, 32)
    assert result.correct is (answer == 1 / 32)
    assert result.message == message


# --- Sizes and norms of parameters and gradients -------------------------------------------------------


def test_stack_params_numel_counts_weights_and_biases():
    """Widths 3, 4, 2: weights 4*3 + 2*4 = 20 and biases 4 + 2 = 6, so 26 numbers in all."""
    params = backprop.init_params([3, 4, 2], torch.Generator().manual_seed(0))
    assert params.numel() == 26


def test_gradient_norms_by_hand():
    """The Frobenius norms of [[3, 4]] and [[1, 2], [2, 0]] are 5 and 3, one float per weight gradient."""
    grads = backprop.Gradients(
        (torch.tensor([[3.0, 4.0]], dtype=torch.float64), torch.tensor([[1.0, 2.0], [2.0, 0.0]], dtype=torch.float64)),
        (torch.zeros(1, dtype=torch.float64), torch.zeros(2, dtype=torch.float64)),
    )
    assert grads.norms() == [5.0, 3.0]


# --- Self-check: the weight gradient of one tanh block -------------------------------------------------

# block_exercise's default block: B = 5 examples, d_in = 4, d_out = 3, so W and dW have shape (3, 4).
CASE = backprop.block_exercise(torch.Generator().manual_seed(0))
G = CASE.delta * (1 - CASE.z**2)  # the gradient at the pre-activation, (5, 3)
RIGHT_DW = G.T @ CASE.z_prev  # (3, 4)
SLIPS = {
    "missing tanh derivative": (CASE.delta.T @ CASE.z_prev,
                                "Not yet: the tanh derivative is missing: multiply delta by 1 - z**2 first."),
    "1 - z": ((CASE.delta * (1 - CASE.z)).T @ CASE.z_prev,
              "Not yet: tanh'(a) is 1 - tanh(a)**2 = 1 - z**2, not 1 - z."),
    "batch average": (RIGHT_DW / 5,
                      "Not yet: that is the average over the batch; the loss above already holds the 1/B, so sum."),
}


def test_check_weight_gradient_right_answer():
    """(delta * (1 - z**2)).T @ z_prev is right, with the exact message."""
    result = backprop.check_weight_gradient(RIGHT_DW, CASE)
    assert result.correct is True
    assert result.message == "Right: dW = (delta * (1 - z**2)).T @ z_prev, the batch summed inside one product."


@pytest.mark.parametrize("slip", SLIPS)
def test_check_weight_gradient_slip_messages(slip):
    """Each slip (no tanh derivative, 1 - z, the batch average) gets its own exact hint and is not right."""
    answer, message = SLIPS[slip]
    result = backprop.check_weight_gradient(answer, CASE)
    assert result.correct is False
    assert result.message == message


@pytest.mark.parametrize("answer, message", [
    (3.0, "Not yet: the answer must be a tensor of W's shape (3, 4)."),
    (RIGHT_DW.T, "Not yet: dW must have W's shape (3, 4), got (4, 3) (transposed? dW = g^T z_prev has W's shape)."),
    (torch.zeros(3, 5, dtype=torch.float64), "Not yet: dW must have W's shape (3, 4), got (3, 5)."),
    (RIGHT_DW + 0.5, "Not yet: the largest difference from autograd's dW is 0.5."),
])
def test_check_weight_gradient_other_messages(answer, message):
    """Not a tensor, transposed, another shape, or plainly off: exact messages, never right."""
    result = backprop.check_weight_gradient(answer, CASE)
    assert result.correct is False
    assert result.message == message


@pytest.mark.parametrize("target", ["right", *SLIPS])
@pytest.mark.parametrize("perturb", [
    lambda value: value * (1 + 1e-7),  # relative 1e-7: beyond rtol 1e-10, within the default rtol 1e-5
    lambda value: value + 1e-9,  # absolute 1e-9: beyond atol 1e-12, within the default atol 1e-8
])
def test_check_weight_gradient_tolerances_are_tight(target, perturb):
    """An answer 1e-7 relative or 1e-9 absolute away from the right dW or from a slip matches neither."""
    value = RIGHT_DW if target == "right" else SLIPS[target][0]
    result = backprop.check_weight_gradient(perturb(value), CASE)
    assert result.correct is False
    assert result.message.startswith("Not yet: the largest difference from autograd's dW is ")


def test_check_weight_gradient_names_the_type_of_case():
    """A case that is not a BlockExercise raises naming its type."""
    with pytest.raises(TypeError) as info:
        backprop.check_weight_gradient(RIGHT_DW, "case")
    assert str(info.value) == "case must be a BlockExercise (see block_exercise), not str"


@pytest.mark.parametrize("kwargs, B, d_in, d_out, scale", [
    ({}, 5, 4, 3, 2.0),  # the defaults: 5 examples, d_in = 4 (sqrt 2), d_out = 3
    ({"batch_size": 2, "d_in": 9, "d_out": 1}, 2, 9, 1, 3.0),
])
def test_block_exercise_draws_everything_from_the_generator_in_order(kwargs, B, d_in, d_out, scale):
    """z_prev, W * sqrt(d_in), b / 0.1 and delta are the generator's next normal draws; z = tanh(z_prev W^T + b)."""
    case = backprop.block_exercise(torch.Generator().manual_seed(2026), **kwargs)
    g = torch.Generator().manual_seed(2026)
    z_prev = torch.randn(B, d_in, generator=g, dtype=torch.float64)
    W = torch.randn(d_out, d_in, generator=g, dtype=torch.float64) / scale
    b = 0.1 * torch.randn(d_out, generator=g, dtype=torch.float64)
    delta = torch.randn(B, d_out, generator=g, dtype=torch.float64)
    for got, want in ((case.z_prev, z_prev), (case.W, W), (case.b, b), (case.delta, delta)):
        assert got.dtype == torch.float64
        assert torch.equal(got, want)
    assert torch.allclose(case.z, torch.tanh(z_prev @ W.T + b), rtol=1e-12, atol=1e-15)


# --- Averaging batch gradients: refused sizes ----------------------------------------------------------


@pytest.mark.parametrize("batches, batch_size, message", [
    # widths 3, 4, 2: 9 activations per example, 5 * 10**7 at most
    (10**9, 2, "batches and batch_size would need 18,000,000,000 activations to compute, more than the limit of "
               "50,000,000: use smaller values"),
    (1, 10**7, "batches and batch_size would need 90,000,000 activations to compute, more than the limit of "
               "50,000,000: use smaller values"),
    (1, 10**7 + 1, "batch_size must be at most 10,000,000, got 10,000,001"),
])
def test_average_batch_gradient_refuses_too_much_work(batches, batch_size, message):
    """batches * batch_size * sum(widths) activations over the limit, or a batch_size over 10**7: exact messages."""
    g = torch.Generator().manual_seed(0)
    X, Y = backprop.make_regression_data(4, [3, 4, 2], g)
    params = backprop.init_params([3, 4, 2], g)
    with pytest.raises(ValueError) as info:
        backprop.average_batch_gradient(params, X, Y, batch_size, batches, g)
    assert str(info.value) == message


# --- Memory of per-example gradients ----------------------------------------------------------------


@pytest.mark.parametrize("layers, batch_size, width, message", [
    (1, 10**7 + 1, 3, "batch_size must be at most 10,000,000, got 10,000,001"),
    # 2 * 10**7 * (3 * 3 + 3) numbers
    (2, 10**7, 3, "layers, batch_size and width would need 240,000,000 numbers in the per-example gradients, "
                  "more than the limit of 50,000,000: use smaller values"),
    # 1000 * 10**7 * (2 * 2 + 2) numbers
    (1000, 10**7, 2, "layers, batch_size and width would need 60,000,000,000 numbers in the per-example gradients, "
                     "more than the limit of 50,000,000: use smaller values"),
])
def test_gradient_memory_refuses_too_much_work(layers, batch_size, width, message):
    """A batch_size over 10**7, or B * L * (d^2 + d) numbers over the limit: exact messages, before any other check."""
    with pytest.raises(ValueError) as info:
        backprop.gradient_memory(layers, batch_size, width, torch.Generator(), dtype=torch.int64)
    assert str(info.value) == message


@pytest.mark.parametrize("layers, batch_size, width, dtype, itemsize", [
    (1, 2, 3, torch.float32, 4),
    (2, 3, 2, torch.float64, 8),
])
def test_gradient_memory_bytes_by_hand(layers, batch_size, width, dtype, itemsize):
    """B copies of the L * (d^2 + d) parameters against one; saved: input, L tanh outputs, the loss residual."""
    r = backprop.gradient_memory(layers, batch_size, width, torch.Generator().manual_seed(0), dtype)
    assert (r.layers, r.batch_size, r.width) == (layers, batch_size, width)
    n_params = layers * (width * width + width)
    assert r.per_example_bytes == batch_size * n_params * itemsize
    assert r.batched_bytes == n_params * itemsize
    assert r.activation_bytes == (layers + 2) * batch_size * width * itemsize
    assert r.max_abs_difference < 1e-6


# --- Growth exponents -------------------------------------------------------------------------------------


def _grid():
    """L, B, d in {1, 2}: activation_bytes = 4 L B d and parameter_bytes = 4 L B d (made-up numbers)."""
    return [backprop.StackMemory(L, B, d, "tanh", 4 * L * B * d, 4 * L * B * d, 1)
            for L in (1, 2) for B in (1, 2) for d in (1, 2)]


@pytest.mark.parametrize("kwargs, coefficient", [
    ({}, 16.0),  # 4 * 2 * 2 along each variable, the other two at 2
    ({"quantity": "activation_bytes"}, 16.0),
    ({"quantity": "total_bytes"}, 32.0),
])
def test_growth_exponents_fit_along_the_largest_values(kwargs, coefficient):
    """Each fit uses the line where the other two variables take their largest value: slope 1, coefficient 4*2*2."""
    fits = backprop.growth_exponents(_grid(), **kwargs)
    assert set(fits) == {"L", "B", "d"}
    for fit in fits.values():
        assert fit.exponent == pytest.approx(1.0, abs=1e-12)
        assert fit.coefficient == pytest.approx(coefficient, rel=1e-12)


def test_growth_exponents_refuses_an_unknown_quantity():
    """A quantity other than activation_bytes and total_bytes: exact message."""
    with pytest.raises(ValueError) as info:
        backprop.growth_exponents(_grid(), "bytes")
    assert str(info.value) == "quantity must be 'activation_bytes' or 'total_bytes', got 'bytes'"


# --- Self-check: activation bytes autograd saves -----------------------------------------------------

# L = 3, B = 2, d = 5, float32 tanh: x and z_1..z_3 are saved, (L + 1) B d 4 = 4 * 2 * 5 * 4 = 160 bytes.
# Slips: z_1..z_L alone 3*2*5*4 = 120; numbers 4*2*5 = 40; two per block 2*3*2*5*4 = 240;
# with the weights 160 + 3*5*5*4 = 460.

SAVED_NOT_A_NUMBER = "Not yet: the answer must be a number of bytes."


@pytest.mark.parametrize("answer, message", [
    (160, "Right: autograd saves 160 bytes of activations (160 B)."),
    (160.0, "Right: autograd saves 160 bytes of activations (160 B)."),
    (120, "Not yet: 120 bytes: z_1..z_L alone: the input x is saved too (the first layer needs it for dW_1)."),
    (40, "Not yet: 40 bytes: that counts numbers, not bytes (float32: 4 bytes each)."),
    (240, "Not yet: 240 bytes: two tensors per block are saved, but check which of them share storage."),
    (460, "Not yet: 460 bytes: the saved weights are views of the parameters, not new memory."),
    (161, "Not yet: 161 bytes: too high."),
    (159, "Not yet: 159 bytes: too low."),
    (159.5, "Not yet: 159.5 bytes: too low."),
    ("160", SAVED_NOT_A_NUMBER),
    (float("inf"), SAVED_NOT_A_NUMBER),
    (True, SAVED_NOT_A_NUMBER),
])
def test_check_saved_activation_bytes_messages(answer, message):
    """Every branch for L = 3, B = 2, d = 5 (tanh): right, each slip, too high / too low beside it, not a number."""
    result = backprop.check_saved_activation_bytes(answer, 3, 2, 5)
    assert result.correct is (answer == 160 and not isinstance(answer, (bool, str)))
    assert result.message == message


def test_check_saved_activation_bytes_gelu_saves_two_tensors_per_block():
    """GELU saves its input as well: 2 L B d 4 = 240 bytes is right there, and 160 is then too low."""
    right = backprop.check_saved_activation_bytes(240, 3, 2, 5, activation="gelu")
    assert right.correct is True and right.message == "Right: autograd saves 240 bytes of activations (240 B)."
    low = backprop.check_saved_activation_bytes(160, 3, 2, 5, activation="gelu")
    assert low.correct is False and low.message == "Not yet: 160 bytes: too low."


# --- sgd_update and sgd_step -----------------------------------------------------------------------------


def _params(weight, bias):
    return backprop.StackParams((torch.tensor([[weight]], dtype=torch.float64),),
                                (torch.tensor([bias], dtype=torch.float64),))


def test_sgd_update_by_hand():
    """(W, b) = (1, 2), gradients (4, -8), lr 0.25: the new parameters are (0, 4)."""
    new = backprop.sgd_update(_params(1.0, 2.0), _gradients(4.0, -8.0), 0.25)
    assert new.weights[0].tolist() == [[0.0]] and new.biases[0].tolist() == [4.0]


@pytest.mark.parametrize("gradients", [
    backprop.Gradients((torch.zeros(1, 1, dtype=torch.float64),), (torch.zeros(2, dtype=torch.float64),)),  # b only
    backprop.Gradients((torch.zeros(1, 2, dtype=torch.float64),), (torch.zeros(1, dtype=torch.float64),)),  # W only
    backprop.Gradients((torch.zeros(3, 1, 1, dtype=torch.float64),), (torch.zeros(3, 1, dtype=torch.float64),)),
])
def test_sgd_update_refuses_gradients_of_other_shapes(gradients):
    """A wrong shape in the weights or in the biases alone (or per-example gradients) raises the exact message."""
    with pytest.raises(ValueError) as info:
        backprop.sgd_update(_params(1.0, 2.0), gradients, 0.5)
    assert str(info.value) == "gradients must have the parameters' shapes (per-example gradients: average them first)"


def test_sgd_update_names_the_type_of_what_is_not_gradients():
    """A dict in place of Gradients raises a TypeError naming dict."""
    with pytest.raises(TypeError) as info:
        backprop.sgd_update(_params(1.0, 2.0), {"weights": ()}, 0.5)
    assert str(info.value) == "gradients must be a Gradients, not dict"


@pytest.mark.parametrize("lr, shown", [
    (np.array(0.5), "array(0.5) (ndarray)"),  # a 0-d array is not a plain number
    (torch.tensor(0.5), "tensor(0.5000) (Tensor)"),
    ("0.1", "'0.1' (str)"),
    (True, "True (bool)"),
])
def test_sgd_update_learning_rate_must_be_a_plain_number(lr, shown):
    """lr that is not an int or float (0-d arrays and tensors, text, bools) raises naming value and type."""
    with pytest.raises(TypeError) as info:
        backprop.sgd_update(_params(1.0, 2.0), _gradients(1.0, 1.0), lr)
    assert str(info.value) == f"lr (learning rate) must be a number, got {shown}"


def test_sgd_step_keeps_its_learning_rate():
    """The returned SGDStep records the lr it was given."""
    g = torch.Generator().manual_seed(0)
    X, Y = backprop.make_regression_data(6, [2, 1], g)
    step = backprop.sgd_step(backprop.init_params([2, 1], g), X, Y, 3, 0.125, g)
    assert step.lr == 0.125


# --- backward: errors name what they got ---------------------------------------------------------------

_P23 = backprop.init_params([2, 3], torch.Generator().manual_seed(0))  # one block, d_0 = 2, d_1 = 3


def _zeros(*shape):
    return torch.zeros(*shape, dtype=torch.float64)


@pytest.mark.parametrize("params, activations, y, error, message", [
    ("params", (), None, TypeError, "params must be a StackParams, not str"),
    # B = 5 differs from d_0 = 2: the expected shape is (B, width) = (5, 3)
    (_P23, (_zeros(5, 2), _zeros(5, 4)), None, ValueError, "activations[1] (z_1) must have shape (5, 3), got (5, 4)"),
    (_P23, (_zeros(5, 2), _zeros(5, 3)), _zeros(5, 2), ValueError,
     "y must have the shape of activations[-1] (the network output) (5, 3), got (5, 2)"),
    (_P23, 5, None, TypeError, "activations must be the tuple (z_0, ..., z_L) that forward returns, got int"),
    (_P23, (_zeros(5, 2),), None, ValueError, "activations must hold z_0 .. z_L, 2 tensors for 1 blocks; got 1"),
    (_P23, (_zeros(5, 2), [[0.0] * 3] * 5), None, TypeError, "activations[1] must be a torch.Tensor, not list"),
    # z_1 has 4 rows, z_0 has 5: the batch size B is read from z_0
    (_P23, (_zeros(5, 2), _zeros(4, 3)), None, ValueError, "activations[1] (z_1) must have shape (5, 3), got (4, 3)"),
    (_P23, (_zeros(0, 2), _zeros(0, 3)), _zeros(0, 3), ValueError,
     "activations hold no example: backpropagation needs a batch of at least one"),
])
def test_backward_errors_exact_messages(params, activations, y, error, message):
    """backward names bad types, the L + 1 activations, the (B, d_l) shape with B from z_0, y, an empty batch."""
    with pytest.raises(error) as info:
        backprop.backward(params, activations, y)
    assert str(info.value) == message


# --- Measurements, grids and budgets: exact values and messages ------------------------------------------


@pytest.mark.parametrize("measurements", ["abc", 5])
def test_measurements_that_are_not_a_list_exact_message(measurements):
    """Text or a single number in place of a list of StackMemory: the exact TypeError."""
    with pytest.raises(TypeError) as info:
        backprop.fit_activation_bytes(measurements)
    assert str(info.value) == "measurements must be a non-empty list of StackMemory (see saved_bytes_grid)"


@pytest.mark.parametrize("measurements", [[], [1], (5,)])
def test_measurements_empty_or_not_stack_memory_exact_message(measurements):
    """An empty list, or one holding something else than StackMemory: the exact TypeError."""
    with pytest.raises(TypeError) as info:
        backprop.fit_activation_bytes(measurements)
    assert str(info.value) == "measurements must be a non-empty list of StackMemory (see saved_bytes_grid)"


@pytest.mark.parametrize("layers, batch_sizes, message", [
    ([1001], [1], "layers must be at most 1,000, got 1,001"),
    # 100 * 100 = 10,000 combinations are allowed, so the layer count is checked next
    ([1001] + [1] * 99, list(range(1, 101)), "layers must be at most 1,000, got 1,001"),
    # 73 * 137 = 10,001 combinations: refused before the layers are looked at
    ([1001] + [1] * 72, list(range(1, 138)),
     "layers, batch_sizes and widths would need 10,001 combinations, more than the limit of 10,000: use smaller values"),
])
def test_saved_bytes_grid_limits_exact_messages(layers, batch_sizes, message):
    """At most 10,000 combinations (10,000 pass), then every L at most 1,000, named 'layers'."""
    with pytest.raises(ValueError) as info:
        backprop.saved_bytes_grid(layers, batch_sizes, [1])
    assert str(info.value) == message


def test_saved_bytes_grid_counts_the_widths_among_the_combinations():
    """100 L x 100 B x 2 d = 20,000 combinations: refused before the layers (one L is 1,001) are looked at."""
    with pytest.raises(ValueError) as info:
        backprop.saved_bytes_grid([1001] + [1] * 99, list(range(1, 101)), [1, 2])
    assert str(info.value) == ("layers, batch_sizes and widths would need 20,000 combinations, "
                               "more than the limit of 10,000: use smaller values")


def test_saved_bytes_grid_takes_single_numbers_as_one_element_lists():
    """L = 2, B = 3, d = 4 given as plain ints: one StackMemory, (L + 1) B d 4 = 144 activation bytes."""
    (single,) = backprop.saved_bytes_grid(2, 3, 4)
    assert single == backprop.saved_bytes_grid([2], [3], [4])[0]
    assert (single.layers, single.batch_size, single.width, single.activation_bytes) == (2, 3, 4, 144)


def test_saved_bytes_grid_measures_in_the_given_dtype():
    """L = 1, B = 2, d = 3 in float64: itemsize 8 and (L + 1) B d 8 = 96 activation bytes."""
    (single,) = backprop.saved_bytes_grid([1], [2], [3], dtype=torch.float64)
    assert (single.itemsize, single.activation_bytes) == (8, 96)


def test_memory_budget_by_hand():
    """L = 2, B = 3, d = 4, float32 SGD: (L + 1) B d 4 = 144 activation bytes, L (d^2 + d) 4 = 160 bytes twice, no state."""
    budget = backprop.memory_budget(2, 3, 4, optimizer="SGD")
    assert (budget.layers, budget.batch_size, budget.width, budget.optimizer) == (2, 3, 4, "SGD")
    assert (budget.activations, budget.parameters, budget.gradients, budget.optimizer_state) == (144, 160, 160, 0)


def test_memory_budget_in_float64_by_hand():
    """L = 2, B = 3, d = 4, float64 SGD: every part twice the float32 one, 288 then 320 bytes twice."""
    budget = backprop.memory_budget(2, 3, 4, optimizer="SGD", dtype=torch.float64)
    assert (budget.activations, budget.parameters, budget.gradients, budget.optimizer_state) == (288, 320, 320, 0)


def test_memory_budget_lists_the_optimizers_exactly():
    """An unknown optimizer (names are case-sensitive) raises listing the three, separated by ', '."""
    with pytest.raises(ValueError) as info:
        backprop.memory_budget(1, 1, 1, optimizer="adam")
    assert str(info.value) == "optimizer must be one of SGD, SGD with momentum, Adam; got 'adam'"


def test_memory_budget_names_the_batch_size_with_its_letter():
    """A batch size of 0 raises naming 'batch_size B'."""
    with pytest.raises(ValueError) as info:
        backprop.memory_budget(1, 0, 1)
    assert str(info.value) == "batch_size B must be at least 1, got 0"


# --- Self-check: the crossover batch size --------------------------------------------------------------

# L = 1, d = 1: (L + 1) B d = 2B activations against 2 L (d^2 + d) = 4 parameters + gradients: B = 3 is right.


@pytest.mark.parametrize("answer, message", [
    (3, "Right: from B = 3 on, the activations outweigh parameters and gradients."),
    (3.0, "Right: from B = 3 on, the activations outweigh parameters and gradients."),
    (1, "Not yet: at B = 1 the activations are still below parameters + gradients; "
        "look for the smallest B where they exceed them."),
    (2, "Not yet: at B = 2 the activations are still below parameters + gradients; "
        "look for the smallest B where they exceed them."),
    (4, "Not yet: at B = 4 the activations already outweigh parameters + gradients; "
        "look for the smallest B where they exceed them."),
    (0, "Not yet: a batch size is at least 1."),
    (2.5, "Not yet: a batch size is a whole number."),
    ("3", "Not yet: a batch size is a whole number."),
])
def test_check_crossover_batch_messages(answer, message):
    """Every branch for L = 1, d = 1: right, still below (B = 1 included), already above, below 1, not whole."""
    result = backprop.check_crossover_batch(answer, 1, 1)
    assert result.correct is (answer == 3 and not isinstance(answer, str))
    assert result.message == message


@pytest.mark.parametrize("answer, layers, width, message", [
    (3, 0, 1, "layers L must be at least 1, got 0"),
    (3, 1, 0, "width d must be at least 1, got 0"),
    # the sizes are checked before the answer: a bad answer does not hide a bad L
    ("3", 1001, 1, "layers L must be at most 1,000, got 1,001"),
    (0, 1001, 1, "layers L must be at most 1,000, got 1,001"),
    # a width just past 10^7 is refused as such, not later as a crossover past the batch ceiling
    (3, 1, 10**7 + 1, "width d must be at most 10,000,000, got 10,000,001"),
])
def test_check_crossover_batch_names_the_bad_size(answer, layers, width, message):
    """L and d out of range raise naming 'layers L' or 'width d', whatever the answer."""
    with pytest.raises(ValueError) as info:
        backprop.check_crossover_batch(answer, layers, width)
    assert str(info.value) == message


def test_check_crossover_batch_at_the_batch_size_ceiling():
    """L = 15, d = 5,333,332: 16 B d > 30 (d^2 + d) once B > 9,999,999.375, so B = 10,000,000 (the ceiling)."""
    result = backprop.check_crossover_batch(10_000_000, 15, 5_333_332)
    assert result.correct is True
    assert result.message == "Right: from B = 10000000 on, the activations outweigh parameters and gradients."


@pytest.mark.parametrize("answer, L, d, right", [(10_000_001, 1, 9_999_999, "10,000,001"), (5, 1, 9_999_999, "10,000,001"),
                                                 (2.5, 2, 7_500_001, "10,000,003"), (1, 1, 10_000_000, "10,000,002")])
def test_check_crossover_batch_past_the_batch_size_ceiling_is_refused(answer, L, d, right):
    """A crossover past the largest batch size measured (L = 1, d = 9,999,999: B = d + 2; L = 2, d = 7,500,001:
    B = 4 (d + 1) // 3 + 1) is refused by naming L and d, whatever the answer, before anything is measured."""
    with pytest.raises(ValueError) as info:
        backprop.check_crossover_batch(answer, L, d)
    assert str(info.value) == (f"layers L = {L} and width d = {d:,} put the crossover at B = {right}, past the largest "
                               "batch size measured (10,000,000); choose a smaller width d")


# --- stack_saved_bytes and Gradients.max_abs_difference: itemsize and the exact errors ------------------


@pytest.mark.parametrize("dtype, itemsize", [(torch.float32, 4), (torch.float64, 8)])
def test_stack_saved_bytes_reports_the_itemsize_of_its_dtype(dtype, itemsize):
    """The StackMemory records the bytes per number of the measured dtype: 4 for float32, 8 for float64."""
    assert backprop.stack_saved_bytes(1, 2, 3, dtype=dtype).itemsize == itemsize


def test_stack_saved_bytes_on_the_cpu_refuses_too_many_activations_exactly():
    """On the CPU, B = 10^7 rows of width 3 through 1 layer is 6e7 > 5e7 activations: raises naming them."""
    with pytest.raises(ValueError) as info:
        backprop.stack_saved_bytes(1, 10**7, 3, device="cpu")
    assert str(info.value) == ("layers, batch_size and width would need 60,000,000 activations, more than the limit of "
                               "50,000,000: use smaller values")


def test_max_abs_difference_names_the_type_of_a_non_gradients():
    """Comparing with a float raises TypeError naming 'float'."""
    with pytest.raises(TypeError) as info:
        _gradients(1.0, 2.0).max_abs_difference(1.5)
    assert str(info.value) == "other must be a Gradients, not float"


def test_max_abs_difference_refuses_gradients_of_other_shapes_exactly():
    """A 1x1 network against a 1x2 one raises with the exact message."""
    wider = backprop.Gradients((torch.zeros(1, 2, dtype=torch.float64),), (torch.zeros(1, dtype=torch.float64),))
    with pytest.raises(ValueError) as info:
        _gradients(1.0, 2.0).max_abs_difference(wider)
    assert str(info.value) == "the two Gradients belong to networks of different shapes"


# --- Checks of data, generators and networks: exact messages -------------------------------------------


def _zero_params(*shapes):
    """StackParams with zero weights of the given (rows, columns) shapes and zero biases of matching length."""
    return backprop.StackParams(tuple(torch.zeros(r, c, dtype=torch.float64) for r, c in shapes),
                                tuple(torch.zeros(r, dtype=torch.float64) for r, _ in shapes))


def test_dataset_loss_names_both_example_counts():
    """X with 3 examples and Y (2, 1) with 2: the message gives 3 and 2 (not Y's 1 column)."""
    X, Y = torch.zeros(3, 2, dtype=torch.float64), torch.zeros(2, 1, dtype=torch.float64)
    with pytest.raises(ValueError) as info:
        backprop.dataset_loss(_zero_params((1, 2)), X, Y)
    assert str(info.value) == "X and Y must hold the same number of examples, got 3 and 2"


def test_generator_check_names_the_type_it_got():
    """A seed 0 instead of a torch.Generator: the message ends with 'not int'."""
    with pytest.raises(TypeError) as info:
        backprop.sample_batch(10, 2, 0)
    assert str(info.value) == ("generator must be a torch.Generator, such as torch.Generator().manual_seed(0), "
                               "not int")


def test_dense_stack_defaults_to_the_cpu():
    """Without device, the blocks live on the CPU and compute: the default is 'cpu'."""
    model = backprop.dense_stack(2, 3)
    assert all(p.device.type == "cpu" for p in model.parameters())
    assert model(torch.zeros(1, 3)).shape == (1, 3)


def test_dense_stack_limits_parameters_on_the_cpu_only():
    """1 x (7072^2 + 7072) = 50,020,256 parameters: refused on the CPU with the exact message, fine on meta."""
    assert sum(p.numel() for p in backprop.dense_stack(1, 7072, device="meta").parameters()) == 50_020_256
    with pytest.raises(ValueError) as info:
        backprop.dense_stack(1, 7072, device="cpu")
    assert str(info.value) == ("layers and width would need 50,020,256 parameters, more than the limit of "
                               "50,000,000: use smaller values")


@pytest.mark.parametrize("shapes, bias_lengths, message", [
    ([(3, 2)], [4], "b_1 has 4 entries but W_1 has 3 rows"),
    ([(4, 2), (5, 4), (1, 6)], [4, 5, 1], "W_3 takes 6 inputs but block 2 outputs 5"),
])
def test_stack_params_shape_messages(shapes, bias_lengths, message):
    """A bias of the wrong length and a block that does not fit its predecessor: the exact sizes are named."""
    with pytest.raises(ValueError) as info:
        backprop.StackParams(tuple(torch.zeros(r, c) for r, c in shapes), tuple(torch.zeros(n) for n in bias_lengths))
    assert str(info.value) == message


# --- make_regression_data and exam_prediction_bytes: exact values and messages ------------------------------


def test_make_regression_data_draws_teacher_then_x_and_doubles_the_input():
    """Teacher W_l * sqrt(d_{l-1}), b_l / 0.1, then X are the generator's draws; Y = teacher(2 X), float64 by default."""
    X, Y = backprop.make_regression_data(4, [2, 3, 1], torch.Generator().manual_seed(2026))
    g = torch.Generator().manual_seed(2026)
    W1 = torch.randn(3, 2, generator=g, dtype=torch.float64) / 2**0.5
    b1 = 0.1 * torch.randn(3, generator=g, dtype=torch.float64)
    W2 = torch.randn(1, 3, generator=g, dtype=torch.float64) / 3**0.5
    b2 = 0.1 * torch.randn(1, generator=g, dtype=torch.float64)
    X_ref = torch.randn(4, 2, generator=g, dtype=torch.float64)
    assert X.dtype == Y.dtype == torch.float64
    assert torch.equal(X, X_ref)
    Y_ref = np.tanh(np.tanh(2 * X_ref.numpy() @ W1.numpy().T + b1.numpy()) @ W2.numpy().T + b2.numpy())
    assert Y.shape == (4, 1)
    np.testing.assert_allclose(Y.numpy(), Y_ref, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("n, message", [
    # n (d_0 + d_L) = 10^7 * (3 + 3) numbers; d_1 = 1 is neither the input nor the output
    (10**7, "n and widths would need 60,000,000 numbers, more than the limit of 50,000,000: use smaller values"),
    (10**7 + 1, "n (number of examples) must be at most 10,000,000, got 10,000,001"),
])
def test_make_regression_data_refuses_too_much_data(n, message):
    """n over 10**7, or n (d_0 + d_L) numbers of X and Y over the limit: exact messages, nothing drawn."""
    with pytest.raises(ValueError) as info:
        backprop.make_regression_data(n, [3, 1, 3], torch.Generator().manual_seed(0), torch.float32)
    assert str(info.value) == message


@pytest.mark.parametrize("kwargs, expected", [
    ({}, 120),  # the default float32: 3 * 2 * 5 * 4 bytes
    ({"dtype": torch.float64}, 240),
])
def test_exam_prediction_bytes_by_hand(kwargs, expected):
    """L = 3, B = 2, d = 5: L B d numbers of the dtype's size, float32 by default."""
    assert backprop.exam_prediction_bytes(3, 2, 5, **kwargs) == expected


@pytest.mark.parametrize("layers, batch_size, message", [
    (0, 1, "layers L must be at least 1, got 0"),
    (1, 0, "batch_size B must be at least 1, got 0"),
])
def test_exam_prediction_bytes_names_the_bad_size(layers, batch_size, message):
    """A size below 1 raises naming it with its capital letter."""
    with pytest.raises(ValueError) as info:
        backprop.exam_prediction_bytes(layers, batch_size, 1)
    assert str(info.value) == message


# --- Data, widths, forward and stack_saved_bytes: exact messages and values ---------------------------------

_P234 = _zero_params((3, 2), (4, 3))  # widths [2, 3, 4]: d_0 = 2, d_1 = d_{L-1} = 3, d_L = 4


def _f64(*shape):
    return torch.zeros(*shape, dtype=torch.float64)


@pytest.mark.parametrize("function, X, Y, message", [
    (backprop.dataset_loss, _f64(0, 2), _f64(0, 4), "X and Y must hold at least one example, got none"),
    (backprop.full_gradient, _f64(0, 2), _f64(0, 4), "X and Y must hold at least one example, got none"),
    (backprop.autograd_gradients, _f64(0, 2), _f64(0, 4), "x and y must hold at least one example, got none"),
    (backprop.dataset_loss, _f64(1, 3), _f64(1, 4), "X has 3 features per example but W_1 expects 2"),
    (backprop.autograd_gradients, _f64(1, 3), _f64(1, 4), "x has 3 features per example but W_1 expects 2"),
    (backprop.dataset_loss, _f64(1, 2), _f64(1, 1), "Y has 1 targets per example but the network outputs 4"),
    (backprop.per_example_gradients, _f64(1, 2), _f64(1, 1), "y has 1 targets per example but the network outputs 4"),
])
def test_data_checks_exact_messages(function, X, Y, message):
    """Widths [2, 3, 4]: no example (refused by default), wrong input width (d_0) or target width (d_L) named exactly."""
    with pytest.raises(ValueError) as info:
        function(_P234, X, Y)
    assert str(info.value) == message


def test_widths_may_list_one_more_size_than_the_layer_ceiling():
    """1,001 widths (1,000 blocks) are accepted; 1,002 are refused with the exact message."""
    assert backprop.init_params([1] * 1001, torch.Generator().manual_seed(0)).layers == 1000
    with pytest.raises(ValueError) as info:
        backprop.init_params([1] * 1002, torch.Generator().manual_seed(0))
    assert str(info.value) == "widths may list at most 1001 sizes, got 1,002"


@pytest.mark.parametrize("widths, message", [
    # 10^7 + 1 is past the largest size, even though (10^7 + 1) * 1 weights would fit
    ([10**7 + 1, 1], "widths[0] must be at most 10,000,000, got 10,000,001"),
    ([10**7 + 1, 5], "widths[0] must be at most 10,000,000, got 10,000,001"),
    # 7072^2 = 50,013,184 weights in W_1 plus 7072 in W_2: every block counts
    ([7072, 7072, 1], "widths would need 50,020,256 weights, more than the limit of 50,000,000: use smaller values"),
])
def test_widths_limits_exact_messages(widths, message):
    """A width past 10^7, or more than 5 * 10^7 weights summed over all blocks: refused naming them, nothing drawn."""
    with pytest.raises(ValueError) as info:
        backprop.init_params(widths, torch.Generator().manual_seed(0))
    assert str(info.value) == message


def test_exam_widths_names_the_layers_with_a_capital_l():
    """layers 0 raises naming 'layers L'; L = 2, d = 3 gives [3, 3, 3]."""
    assert backprop.exam_widths(2, 3) == [3, 3, 3]
    with pytest.raises(ValueError) as info:
        backprop.exam_widths(0, 3)
    assert str(info.value) == "layers L must be at least 1, got 0"


def test_forward_names_the_type_of_a_non_params():
    """forward on a str instead of StackParams raises naming 'str'."""
    with pytest.raises(TypeError) as info:
        backprop.forward("params", _f64(1, 2))
    assert str(info.value) == "params must be a StackParams, not str"


def test_stack_saved_bytes_on_meta_has_no_activation_ceiling():
    """On meta (the default), L = 1, B = 10^7, d = 3 is measured: (L + 1) B d 4 = 240,000,000 activation bytes."""
    measured = backprop.stack_saved_bytes(1, 10**7, 3)
    assert measured.activation_bytes == 240_000_000


@pytest.mark.parametrize("args, activation", [((), "tanh"), (("relu",), "relu"), (("gelu",), "gelu")])
def test_stack_saved_bytes_records_its_activation(args, activation):
    """The StackMemory names the activation it measured, 'tanh' by default."""
    assert backprop.stack_saved_bytes(1, 2, 3, *args).activation == activation


# --- Argument checks shared by the module: exact messages ------------------------------------------------


def test_unknown_activation_lists_the_five_and_shows_what_it_got():
    """An unknown activation raises listing the names separated by ', ' and the value with its type."""
    with pytest.raises(ValueError) as info:
        backprop.stack_saved_bytes(1, 1, 1, activation="swish")
    assert str(info.value) == "activation must be one of tanh, sigmoid, relu, gelu, silu; got 'swish' (str)"


@pytest.mark.parametrize("call", [
    lambda: backprop.init_params([2, 3], torch.Generator().manual_seed(0), torch.int64),
    lambda: backprop.dense_stack(1, 1, dtype=torch.int64),
    lambda: backprop.exam_prediction_bytes(1, 1, 1, dtype=torch.int64),
])
def test_a_non_floating_dtype_is_named_dtype(call):
    """An integer dtype raises naming the argument 'dtype' (the check's default name)."""
    with pytest.raises(TypeError) as info:
        call()
    assert str(info.value) == "dtype must be a floating torch dtype such as torch.float32, got torch.int64"


@pytest.mark.parametrize("layers, message", [
    (2.0, "layers L must be a whole number, got 2.0 (float)"),
    ("2", "layers L must be a whole number, got '2' (str)"),
])
def test_a_size_that_is_not_whole_names_its_value_and_type(layers, message):
    """A float or a str as a size raises showing its repr and the name of its type."""
    with pytest.raises(TypeError) as info:
        backprop.exam_prediction_bytes(layers, 1, 1)
    assert str(info.value) == message


@pytest.mark.parametrize("call", [
    lambda: backprop.sgd_update("params", _gradients(0.0, 0.0), 0.1),
    lambda: backprop.dataset_loss("params", _f64(1, 2), _f64(1, 4)),
])
def test_params_that_are_not_stack_params_are_named_by_type(call):
    """sgd_update and the data checks name the type of a non-StackParams: 'str'."""
    with pytest.raises(TypeError) as info:
        call()
    assert str(info.value) == "params must be a StackParams, not str"


@pytest.mark.parametrize("call, message", [
    (lambda: backprop.forward(_P23, torch.zeros(1, 2)),
     "x is torch.float32 but the parameters are torch.float64: convert x with .to(torch.float64)"),
    (lambda: backprop.dataset_loss(_P23, _f64(1, 2), torch.zeros(1, 3)),
     "Y is torch.float32 but the parameters are torch.float64: convert Y with .to(torch.float64)"),
])
def test_data_in_another_dtype_than_a_one_block_network(call, message):
    """One block (only weights[0] exists): float32 data against float64 parameters names both dtypes exactly."""
    with pytest.raises(TypeError) as info:
        call()
    assert str(info.value) == message


def test_forward_names_the_input_width_d_0():
    """Widths [2, 3, 4] and x with 3 features: the message gives d_0 = 2, not d_1 = 3."""
    with pytest.raises(ValueError) as info:
        backprop.forward(_P234, _f64(1, 3))
    assert str(info.value) == "x has 3 features per example but W_1 expects 2"


@pytest.mark.parametrize("device, kind", [
    (torch.device("cpu"), "cpu"), (torch.device("meta"), "meta"), ("meta", "meta"),
])
def test_dense_stack_accepts_cpu_and_meta_as_torch_devices(device, kind):
    """torch.device('cpu') and torch.device('meta') are accepted like the strings, and the blocks live there."""
    model = backprop.dense_stack(2, 3, device=device)
    assert [p.device.type for p in model.parameters()] == [kind] * 4


@pytest.mark.parametrize("device, shown", [
    (torch.device("cuda"), "device(type='cuda')"), ("cuda", "'cuda'"), (torch.device("cpu", 0), None),
])
def test_dense_stack_refuses_other_devices_exactly(device, shown):
    """A CUDA device, as a string or a torch.device, raises the exact message (torch.device('cpu', 0) is a CPU)."""
    if shown is None:
        assert backprop.dense_stack(1, 2, device=device)[0].weight.device.type == "cpu"
        return
    with pytest.raises(ValueError) as info:
        backprop.dense_stack(1, 2, device=device)
    assert str(info.value) == f"device must be 'cpu' or 'meta', got {shown}"


# --- StackParams: stored as tuples, and every block named by index and letter -----------------------------


def test_stack_params_stores_lists_as_tuples():
    """Lists of weights and biases are stored as tuples (frozen, like the dataclass)."""
    params = backprop.StackParams([_f64(3, 2)], [_f64(3)])
    assert type(params.weights) is tuple and type(params.biases) is tuple
    assert params.weights[0].shape == (3, 2) and params.biases[0].shape == (3,)


@pytest.mark.parametrize("weights, biases, message", [
    ("ab", (), "weights must be a tuple of tensors, one per block, got str"),
    ((_f64(3, 2),), _f64(3), "biases must be a tuple of tensors, one per block, got Tensor"),
])
def test_stack_params_that_are_not_lists_are_named_by_type(weights, biases, message):
    """A str or a single tensor in place of a list of tensors: the message names its type."""
    with pytest.raises(TypeError) as info:
        backprop.StackParams(weights, biases)
    assert str(info.value) == message


def _with(tensor, index, value):
    tensor = tensor.clone()
    tensor.view(-1)[index] = value
    return tensor


@pytest.mark.parametrize("weights, biases, error, message", [
    ((_f64(3, 2), [[0.0] * 3] * 4), (_f64(3), _f64(4)), TypeError, "weights[1] (W_2) must be a torch.Tensor, not list"),
    ((_f64(3, 2), _f64(4, 3)), ([0.0] * 3, _f64(4)), TypeError, "biases[0] (b_1) must be a torch.Tensor, not list"),
    ((_f64(3), _f64(4, 3)), (_f64(3), _f64(4)), ValueError, "weights[0] (W_1) must have 2 dimensions, got shape (3,)"),
    ((_f64(3, 2), _f64(4, 3)), (_f64(3), _f64(4, 1)), ValueError,
     "biases[1] (b_2) must have 1 dimensions, got shape (4, 1)"),
    ((_with(_f64(3, 2), 5, float("nan")), _f64(4, 3)), (_f64(3), _f64(4)), ValueError,
     "weights[0] (W_1) must hold finite numbers (no NaN or infinity)"),
    ((_f64(3, 2), _f64(4, 3)), (_f64(3), _with(_f64(4), 0, float("inf"))), ValueError,
     "biases[1] (b_2) must hold finite numbers (no NaN or infinity)"),
    ((_f64(3, 2), torch.zeros(4, 3)), (_f64(3), _f64(4)), TypeError,
     "weights[1] (W_2) is torch.float32 but weights[0] is torch.float64: one dtype throughout"),
    ((_f64(3, 2), _f64(4, 3)), (torch.zeros(3), _f64(4)), TypeError,
     "biases[0] (b_1) is torch.float32 but weights[0] is torch.float64: one dtype throughout"),
])
def test_stack_params_names_the_bad_block(weights, biases, error, message):
    """A non-tensor, a wrong rank, a non-finite entry or another dtype is named as weights[l - 1] (W_l) or b_l."""
    with pytest.raises(error) as info:
        backprop.StackParams(weights, biases)
    assert str(info.value) == message
