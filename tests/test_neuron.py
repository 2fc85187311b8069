"""dlexam.neuron against independent references (PyTorch) and its own properties."""

import itertools
import math
import re
import warnings

import numpy as np
import pytest
import torch

from dlexam import neuron

ZS = np.array([-1000.0, -50.0, -10.0, -1.0, -1e-8, 0.0, 1e-8, 1.0, 10.0, 50.0, 1000.0])


def test_sigmoid_matches_torch_and_never_warns():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow in exp would raise here
        ours = neuron.sigmoid(ZS)
    np.testing.assert_allclose(ours, torch.sigmoid(torch.from_numpy(ZS)).numpy(), rtol=1e-12, atol=0)
    assert ours[0] == 0.0 and ours[-1] == 1.0 and ours[5] == 0.5


def test_sigmoid_symmetry_and_scalars():
    rng = np.random.default_rng(0)
    z = rng.normal(scale=20, size=1000)
    np.testing.assert_allclose(neuron.sigmoid(-z), 1 - neuron.sigmoid(z), atol=1e-15)
    assert isinstance(neuron.sigmoid(0.0), float) and neuron.sigmoid(0.0) == 0.5
    assert np.isnan(neuron.sigmoid(np.nan))


@pytest.mark.parametrize(
    "name, reference",
    [
        ("sigmoid", torch.sigmoid),
        ("tanh", torch.tanh),
        ("relu", torch.relu),
        ("leaky_relu", torch.nn.functional.leaky_relu),
    ],
)
def test_neuron_output_matches_torch_linear_layer(name, reference):
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(7, 3, generator=gen, dtype=torch.float64)
    layer = torch.nn.Linear(3, 1, dtype=torch.float64)
    with torch.no_grad():
        expected = reference(layer(x)).squeeze(1).numpy()
    w = layer.weight.detach().numpy()[0]
    b = layer.bias.item()
    np.testing.assert_allclose(neuron.neuron_output(x.numpy(), w, b, activation=name), expected, rtol=1e-12)


@pytest.mark.parametrize(
    "x, w, b, activation, match",
    [
        (np.ones(3), np.ones(3), 0.0, "sigmoid", r"x must have shape \(n, d\)"),
        (np.ones((2, 3)), np.ones((3, 1)), 0.0, "sigmoid", r"w must have shape \(d,\)"),
        (np.ones((2, 3)), np.ones(2), 0.0, "sigmoid", "3 inputs per row but w has 2 weights"),
        (np.ones((2, 3)), np.ones(3), np.ones(2), "sigmoid", "b must be a scalar"),
        (np.ones((2, 3)), np.ones(3), 0.0, "softplus", "activation must be one of"),
    ],
)
def test_bad_inputs_say_what_to_change(x, w, b, activation, match):
    with pytest.raises(ValueError, match=match):
        neuron.neuron_output(x, w, b, activation=activation)


def test_exam_answer_is_the_only_option_within_tolerance():
    verdicts = [neuron.check_weights("exam", *option).correct for option in neuron.EXAM_OPTIONS]
    assert verdicts == [i == neuron.EXAM_ANSWER for i in range(4)]


@pytest.mark.parametrize("a", [0.1, 1.0, 3.0, 10.0, 700.0])
def test_mixed_rows_are_exactly_one_half_for_any_scale(a):
    out = neuron.neuron_output(np.array([[1.0, 0.0], [0.0, 1.0]]), [-a, -a], a)
    assert np.all(out == 0.5)


def test_check_weights_explains_failures():
    ok = neuron.check_weights("AND", 10, 10, -15)
    bad = neuron.check_weights("AND", 10, 10, -5)
    assert ok and ok.correct and "Right" in str(ok)
    assert not bad and "input (1, 0)" in bad.message and "off by" in bad.message
    with pytest.raises(ValueError, match="w1 must be a finite number"):
        neuron.check_weights("AND", float("nan"), 1, 1)
    with pytest.raises(ValueError, match="truth table must be one of"):
        neuron.check_weights("IMPLIES", 1, 1, 1)


def test_grid_search_fits_separable_tables_but_not_xor():
    grid = np.arange(-20.0, 21.0)
    for name in ("exam", "AND", "OR", "NAND", "NOR"):
        err, params = neuron.best_fit_on_grid(name, grid)
        assert err < 0.01, name
        assert neuron.check_weights(name, *params, tol=0.01)
    xor_err, _ = neuron.best_fit_on_grid("XOR", grid)
    assert xor_err >= 0.5 - 1e-12


@pytest.mark.parametrize("tol", [0.01, 0.05, 0.2])
def test_check_smallest_scale_accepts_the_threshold_and_nothing_else(tol):
    # For (-a, -a, a) the corner errors are sigmoid(-a), so the threshold is ln(1/tol - 1).
    threshold = math.log(1 / tol - 1)
    just_above = math.ceil(threshold * 100) / 100
    assert neuron.check_smallest_scale(just_above, tol=tol)
    assert not neuron.check_smallest_scale(just_above + 0.05, tol=tol)
    assert not neuron.check_smallest_scale(just_above - 0.01, tol=tol)


@pytest.mark.parametrize("kwargs", [{"tol": -1}, {"tol": float("nan")}])
def test_check_weights_rejects_a_meaningless_tolerance(kwargs):
    with pytest.raises(ValueError, match="tol"):
        neuron.check_weights("AND", 10, 10, -15, **kwargs)


# With w1 = w2 = b = 0 the neuron outputs sigmoid(0) = 0.5 exactly on every row, so a table whose
# targets sit 0.5 +- d away from it has errors of exactly d. The rule (code; the docstring is silent):
# a row is wrong when its error exceeds tol, so an error of exactly tol is right.

def _half_table(d):
    """Rows (1, 1) and (0, 1) off by exactly d from sigmoid(0); (1, 0) and (0, 0) exact."""
    return neuron.TruthTable("half", [[1, 1], [1, 0], [0, 1], [0, 0]], [0.5 + d, 0.5, 0.5 - d, 0.5])


def test_check_weights_accepts_an_error_of_exactly_tol():
    """An error of exactly tol passes; a tol 2**-20 smaller fails."""
    assert neuron.check_weights(_half_table(2**-4), 0, 0, 0, tol=2**-4)
    assert not neuron.check_weights(_half_table(2**-4), 0, 0, 0, tol=2**-4 - 2**-20)


def test_check_weights_with_tol_zero_wants_exact_outputs():
    """tol=0 is valid: exact outputs pass, an error of 2**-30 fails."""
    assert neuron.check_weights(_half_table(0.0), 0, 0, 0, tol=0)
    assert not neuron.check_weights(_half_table(2**-30), 0, 0, 0, tol=0)


def test_check_weights_default_tol_is_0_05():
    """The default tol is 0.05: an error of 0.049 passes, 0.051 fails."""
    assert neuron.DEFAULT_TOLERANCE == 0.05
    assert neuron.check_weights(_half_table(0.049), 0, 0, 0)
    assert not neuron.check_weights(_half_table(0.051), 0, 0, 0)


def test_check_weights_messages():
    """The verdict names the weights and the largest error, or lists each wrong row."""
    right = neuron.check_weights(_half_table(2**-4), 0, 0, 0, tol=2**-4)
    assert right.message == "Right: w1=0, w2=0, b=0 reproduces half (largest error 0.0625 <= 0.0625)."
    wrong = neuron.check_weights(_half_table(2**-4), 0, 0, 0, tol=2**-5)
    assert wrong.message == ("Not yet: 2 of 4 rows of half are off by more than 0.03125:\n"
                             "input (1, 1): output 0.500, target 0.5625, off by 0.062\n"
                             "input (0, 1): output 0.500, target 0.4375, off by 0.062")


@pytest.mark.parametrize("kwargs, error, match", [
    ({"w1": "1"}, TypeError, r"^w1 must be a number"),
    ({"w2": float("inf")}, ValueError, r"^w2 must be a finite number"),
    ({"b": None}, TypeError, r"^b must be a number"),
    ({"b": float("nan")}, ValueError, r"^b must be a finite number"),
    ({"tol": -2**-10}, ValueError, r"^tol must be at least 0"),
    ({"tol": "0.05"}, TypeError, r"^tol must be a number"),
    ({"table": "IMPLIES"}, ValueError, r"^truth table must be one of"),
])
def test_check_weights_rejects_bad_arguments(kwargs, error, match):
    """Each bad argument raises, naming itself."""
    arguments = {"table": "AND", "w1": 10, "w2": 10, "b": -15} | kwargs
    with pytest.raises(error, match=match):
        neuron.check_weights(**arguments)


def test_leaky_relu_returns_z_itself_at_zero():
    """At z = +-0 leaky_relu returns z (the docstring's z >= 0 branch), seen in the sign of zero with slope -1."""
    out = neuron.leaky_relu(np.array([0.0, -0.0]), slope=-1.0)
    assert out.tolist() == [0.0, 0.0] and np.signbit(out).tolist() == [False, True]


@pytest.mark.parametrize("x, w, b, expected", [
    ([[1e308]], [1.0], 1e308, math.inf),  # overflow in the sum with b
    ([[1e308, 1e308]], [10.0, 10.0], 0.0, math.inf),  # overflow in x @ w
    ([[1e308] * 64], [10.0, -10.0] * 32, 0.0, math.nan),  # inf - inf in x @ w
])
def test_pre_activation_overflow_is_silent(x, w, b, expected):
    """A sum that overflows (inf) or turns invalid (NaN) gives no NumPy warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = neuron.pre_activation(np.array(x), np.array(w), b)
    np.testing.assert_array_equal(out, [expected])


def test_pre_activation_error_shows_the_shape_of_b():
    """A bias that is not a scalar is refused with its shape."""
    with pytest.raises(ValueError, match=r"^b must be a scalar bias; got shape \(2,\)$"):
        neuron.pre_activation(np.ones((2, 3)), np.ones(3), np.ones(2))


@pytest.mark.parametrize("name, shown", [("IMPLIES", "'IMPLIES' (str)"), (None, "None (NoneType)"), (3, "3 (int)")])
def test_truth_table_error_lists_the_tables(name, shown):
    """An unknown table name is refused, listing every table and showing what was given."""
    with pytest.raises(ValueError) as info:
        neuron.truth_table(name)
    assert str(info.value) == f"truth table must be one of exam, AND, OR, NAND, NOR, XOR, got {shown}"


def test_table_errors_default_table_is_exam():
    """Without a table, table_errors uses the exam's table (targets 0, 0.5, 0.5, 1)."""
    outputs, errors = neuron.table_errors([-10, -10], 10)
    expected = torch.sigmoid(torch.tensor([-10.0, 0.0, 0.0, 10.0], dtype=torch.float64)).numpy()
    np.testing.assert_allclose(outputs, expected, rtol=1e-15, atol=0)
    np.testing.assert_allclose(errors, np.abs(expected - [0.0, 0.5, 0.5, 1.0]), rtol=1e-15, atol=0)


def _smallest_scale_by_brute_force(tol, step=0.01):
    """Smallest a = k * step with weights (-a, -a, a) within tol of the exam's table, using torch.sigmoid."""
    inputs = torch.tensor([[1.0, 1.0], [1.0, 0.0], [0.0, 1.0], [0.0, 0.0]], dtype=torch.float64)
    targets = torch.tensor([0.0, 0.5, 0.5, 1.0], dtype=torch.float64)
    for k in range(1, 10_000):
        a = k * step
        errors = (torch.sigmoid(inputs @ torch.tensor([-a, -a], dtype=torch.float64) + a) - targets).abs()
        if errors.max().item() <= tol:
            return a
    raise AssertionError("no scale found")


@pytest.mark.parametrize("tol", [None, 0.01, 0.05, 0.2])
def test_check_smallest_scale_agrees_with_brute_force(tol):
    """Only the brute-force smallest scale (default tol 0.01) is right; one step either side is not."""
    kwargs = {} if tol is None else {"tol": tol}
    best = _smallest_scale_by_brute_force(0.01 if tol is None else tol)
    assert neuron.check_smallest_scale(best, **kwargs).correct is True
    assert neuron.check_smallest_scale(best - 0.01, **kwargs).correct is False
    assert neuron.check_smallest_scale(best + 0.01, **kwargs).correct is False


@pytest.mark.parametrize("a, message", [
    (4.6, "Right: a = 4.6 meets the table within 0.01, and a = 4.59 does not."),
    (4.5, "Not yet: with a = 4.5 the largest error is 0.0110 > 0.01; a must be larger."),
    (4.7, "Not yet: a = 4.69 also meets the table within 0.01; look for a smaller a."),
])
def test_check_smallest_scale_messages(a, message):
    """Each verdict of check_smallest_scale says exactly what is right or what to change."""
    assert neuron.check_smallest_scale(a, tol=0.01).message == message


@pytest.mark.parametrize("a, error, match", [
    ("4.6", TypeError, r"^a must be a number"),
    (None, TypeError, r"^a must be a number"),
    (float("nan"), ValueError, r"^a must be a finite number"),
])
def test_check_smallest_scale_rejects_a_bad_scale(a, error, match):
    """A scale that is not a finite number is refused, naming a."""
    with pytest.raises(error, match=match):
        neuron.check_smallest_scale(a)


@pytest.mark.parametrize("values", [[], np.zeros((0, 3)), np.zeros((2, 2))])
def test_best_fit_on_grid_wants_a_non_empty_1d_grid(values):
    """An empty or 2-D grid is refused with the function's own message."""
    with pytest.raises(ValueError, match=r"^values must be a non-empty 1-D sequence of candidate weights$"):
        neuron.best_fit_on_grid("AND", values)


def test_best_fit_on_grid_refuses_a_grid_too_large():
    """185 values (8 * 185**3 numbers) exceed the limit, and the message says how many."""
    with pytest.raises(ValueError) as info:
        neuron.best_fit_on_grid("AND", np.arange(185.0))
    assert str(info.value) == ("values would need 50,653,000 numbers on the grid values**3, "
                               "more than the limit of 50,000,000: use smaller values")


def _best_fit_by_brute_force(table, values):
    """The first (w1, w2, b) in itertools.product order (w1 outermost) with the smallest largest error."""
    table = neuron.truth_table(table)
    inputs = torch.tensor(table.inputs, dtype=torch.float64)
    targets = torch.tensor(table.targets, dtype=torch.float64)
    best = (math.inf, None)
    for w1, w2, b in itertools.product(values, repeat=3):
        z = inputs @ torch.tensor([w1, w2], dtype=torch.float64) + b
        err = (torch.sigmoid(z) - targets).abs().max().item()
        if err < best[0]:
            best = (err, (float(w1), float(w2), float(b)))
    return best


# Inputs (1, 1) and (0, 0) both aiming at 0.5: b = 0 and w1 = -w2 fit exactly, a tie among
# (-1, 1, 0), (0, 0, 0) and (1, -1, 0) that the grid order breaks.
_TIE = neuron.TruthTable("tie", [[1, 1], [0, 0]], [0.5, 0.5])


@pytest.mark.parametrize("table, values", [
    (_TIE, [-1.0, 0.0, 1.0]),
    ("AND", [-15.0, -5.0, 10.0]),
    ("NOR", [-4.0, 0.0, 2.0, 7.0]),
])
def test_best_fit_on_grid_agrees_with_brute_force(table, values):
    """The best error and the first grid point (w1 varying slowest, then w2, then b) that reaches it."""
    expected_err, expected_params = _best_fit_by_brute_force(table, values)
    err, params = neuron.best_fit_on_grid(table, values)
    assert params == expected_params
    assert err == pytest.approx(expected_err, rel=1e-12, abs=1e-15)


def test_truth_table_built_from_lists_holds_float_arrays():
    """A TruthTable built from lists stores float arrays, so best_fit_on_grid (which uses inputs.T) accepts it."""
    table = neuron.TruthTable("lists", [[1, 1], [0, 0]], [1, 0])
    assert isinstance(table.inputs, np.ndarray) and table.inputs.dtype == np.float64
    assert isinstance(table.targets, np.ndarray) and table.targets.tolist() == [1.0, 0.0]
    err, params = neuron.best_fit_on_grid(table, [-10.0, 0.0, 10.0])
    assert params == (10.0, 10.0, -10.0) and err == pytest.approx(float(torch.sigmoid(torch.tensor(-10.0))), rel=1e-6)


@pytest.mark.parametrize("name, shown", [("softplus", "'softplus' (str)"), (None, "None (NoneType)"),
                                         ("Sigmoid", "'Sigmoid' (str)")])
def test_activation_function_lists_the_activations_and_shows_what_it_got(name, shown):
    """An unknown activation is refused with every name listed and the value given shown with its type."""
    message = f"activation must be one of 'sigmoid', 'tanh', 'relu', 'leaky_relu', got {shown}"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        neuron.activation_function(name)
