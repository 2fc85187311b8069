"""dlexam.neuron against independent references (PyTorch) and its own properties."""

import math
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
