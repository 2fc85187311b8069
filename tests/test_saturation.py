"""dlexam.saturation: rounding, the pre-activations that round to a value, and derivatives against autograd."""

import math
import re

import numpy as np
import pytest
import torch

from dlexam import neuron, saturation

ACTIVATIONS = saturation.EXAM_OPTIONS


@pytest.mark.parametrize(
    "value, half_up, half_even",
    [
        (0.95, 1.0, 1.0),
        (1.05, 1.1, 1.0),
        (0.9499999, 0.9, 0.9),
        (1.0499999, 1.0, 1.0),
        (1.0, 1.0, 1.0),
        (0.85, 0.9, 0.8),
        (-0.95, -1.0, -1.0),
        (1035.35, 1035.4, 1035.4),
    ],
)
def test_round_to_both_conventions(value, half_up, half_even):
    assert saturation.round_to(value, 1, "half_up") == half_up
    assert saturation.round_to(value, 1, "half_even") == half_even


@pytest.mark.parametrize("bad", [dict(decimals=-1), dict(decimals=1.5), dict(convention="up")])
def test_round_to_rejects_bad_settings(bad):
    (argument,) = bad
    with pytest.raises(ValueError, match=rf"^{argument} must be"):
        saturation.round_to(1.0, **bad)


def test_round_to_rejects_non_finite_values():
    with pytest.raises(ValueError, match="value must be a finite number, got inf"):
        saturation.round_to(math.inf)
    with pytest.raises(TypeError, match="value must be a number, got 'one'"):
        saturation.round_to("one")


def test_rounding_band_of_one():
    assert str(saturation.rounding_band(1.0, 1, "half_up")) == "[0.95, 1.05)"
    assert str(saturation.rounding_band(1.0, 1, "half_even")) == "[0.95, 1.05]"
    assert str(saturation.rounding_band(0.9, 1, "half_even")) == "(0.85, 0.95)"


@pytest.mark.parametrize("convention", list(saturation.ROUNDING))
@pytest.mark.parametrize("target", [1.0, 0.9, 0.0, -1.0, 0.5])
def test_rounding_band_agrees_with_rounding(target, convention):
    band = saturation.rounding_band(target, 1, convention)
    values = np.round(np.arange(-2.0, 2.0, 0.005), 3)  # includes the band's edges as printed decimals
    for v in values:
        assert bool(band.contains(v)) == saturation.rounds_to(v, target, 1, convention), v


@pytest.mark.parametrize("convention", list(saturation.ROUNDING))
@pytest.mark.parametrize("target", [1.0, 0.9, 0.0, -1.0, 0.5, 2.0])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_rounding_preimage_agrees_with_brute_force(activation, target, convention):
    interval = saturation.rounding_preimage(activation, target, 1, convention)
    f = neuron.activation_function(activation)
    z = np.concatenate([np.linspace(-300, 300, 6001), np.linspace(-3, 3, 6001)])
    if not interval.empty:  # the ends themselves are decided by float rounding; stay clear of them
        ends = np.array([e for e in (interval.low, interval.high) if math.isfinite(e)])
        if ends.size:
            z = z[np.min(np.abs(z[:, None] - ends[None, :]), axis=1) > 1e-6]
    expected = np.array([saturation.rounds_to(v, target, 1, convention) for v in f(z)])
    np.testing.assert_array_equal(interval.contains(z), expected)


def test_the_thresholds_of_the_exam():
    tanh = saturation.rounding_preimage("tanh")
    sigmoid = saturation.rounding_preimage("sigmoid")
    assert tanh.low == pytest.approx(math.atanh(0.95)) and tanh.high == math.inf
    assert sigmoid.low == pytest.approx(math.log(19)) and sigmoid.high == math.inf
    for name in ("relu", "leaky_relu"):
        assert str(saturation.rounding_preimage(name)) == "[0.95, 1.05)"
    assert torch.tanh(torch.tensor(tanh.low, dtype=torch.float64)).item() == pytest.approx(0.95)
    assert torch.sigmoid(torch.tensor(sigmoid.low, dtype=torch.float64)).item() == pytest.approx(0.95)


def test_exam_readings():
    z = saturation.exam_pre_activation()
    assert z == pytest.approx(7.3 * 2.1 + 193.4 * 5.2 - 30.2 * -0.2 + 8.3) and round(z, 2) == 1035.35
    found = {r.activation: r for r in saturation.readings()}
    assert {a for a, r in found.items() if r.matches} == saturation.EXAM_ANSWER
    assert found["sigmoid"].output == 1.0 and found["tanh"].output == 1.0  # exactly, in float64
    assert found["relu"].output == found["leaky_relu"].output == z


def test_check_activations():
    assert saturation.check_activations({"tanh", "sigmoid"})
    wrong = saturation.check_activations(["relu", "sigmoid"])
    assert not wrong and "ReLU cannot be it" in str(wrong) and "1 possible activation is missing" in str(wrong)
    assert "Tanh" not in str(wrong)  # a missing answer is counted, not named
    with pytest.raises(ValueError, match=r"answer holds unknown names \['softplus'\]"):
        saturation.check_activations({"softplus"})
    # With z = 1, ReLU (and leaky ReLU) give exactly 1.0: the same observation then points the other way.
    assert saturation.check_activations({"relu", "leaky_relu"}, w=[1.0], b=0.0, x=[1.0])


def test_check_separating_z_and_threshold():
    assert saturation.check_separating_z(1.0)
    assert not saturation.check_separating_z(5.0)  # both round to 1.0 there
    assert not saturation.check_separating_z(0.5)  # neither does
    assert saturation.check_threshold("sigmoid", math.log(19))
    assert not saturation.check_threshold("sigmoid", 2.5)
    assert saturation.check_threshold("relu", 0.95)
    assert not saturation.check_threshold("sigmoid", 1.0, target=-1.0)  # never: the set is empty


ZS = np.array([-1035.35, -50.0, -20.0, -3.0, -1.0, -1e-3, 0.0, 1e-3, 0.5, 1.0, 3.0, 8.0, 12.0, 20.0, 30.0, 50.0, 1035.35])


@pytest.mark.parametrize("dtype, atol", [("float64", 3e-16), ("float32", 1e-7)])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_derivative_matches_autograd(activation, dtype, atol):
    ours = saturation.derivative(activation, ZS, dtype)
    assert ours.dtype == np.dtype(dtype)
    reference = torch.tensor(ZS, dtype=getattr(torch, dtype), requires_grad=True)
    fn = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
          "leaky_relu": torch.nn.functional.leaky_relu}[activation]
    fn(reference).sum().backward()
    np.testing.assert_allclose(ours, reference.grad.numpy(), rtol=1e-5 if dtype == "float32" else 1e-12, atol=atol)
    np.testing.assert_array_equal(saturation.autograd_derivative(activation, ZS, dtype), reference.grad.numpy())


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_saturated_derivatives_are_exactly_zero_at_the_exam_z(dtype):
    z = saturation.exam_pre_activation()
    for name in ("sigmoid", "tanh"):
        assert saturation.derivative(name, z, dtype) == 0.0
        assert saturation.autograd_derivative(name, z, dtype) == 0.0
    assert saturation.derivative("relu", z, dtype) == 1.0
    assert saturation.derivative("leaky_relu", -z, dtype) == pytest.approx(neuron.LEAKY_RELU_SLOPE)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_log10_derivative_matches_float64_where_representable(activation):
    z = np.linspace(-5, 5, 301)  # where 1 - s and 1 - tanh^2 lose no digits to cancellation
    np.testing.assert_allclose(saturation.log10_derivative(activation, z),
                               np.log10(saturation.derivative(activation, z)), atol=1e-12)
    z = np.linspace(-300, 300, 601)  # a cancellation-free float64 reference
    a = np.abs(z)
    exact = np.exp(-a) / (1 + np.exp(-a)) ** 2 if activation == "sigmoid" else 1 / np.cosh(z) ** 2
    np.testing.assert_allclose(saturation.log10_derivative(activation, z), np.log10(exact), rtol=1e-12)
    # Far out, the exact value is an exponential: log10 f' is linear in z.
    big = np.array([100.0, 1035.35, 5000.0])
    slope = 1 if activation == "sigmoid" else 2
    offset = 0 if activation == "sigmoid" else math.log10(4)
    np.testing.assert_allclose(saturation.log10_derivative(activation, big), offset - slope * big / math.log(10), rtol=1e-12)
    assert saturation.log10_derivative(activation, 1035.35) < math.log10(saturation.SMALLEST_SUBNORMAL["float64"])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_vanishing_point_is_where_autograd_reaches_zero(activation, dtype):
    z0 = saturation.vanishing_point(activation, dtype)
    assert saturation.autograd_derivative(activation, z0, dtype) == 0
    assert saturation.autograd_derivative(activation, np.nextafter(z0, 0.0), dtype) > 0
    # NumPy's own tanh and exp round to 1 a little elsewhere (float32 tanh: at z = 10), never far.
    assert saturation.derivative(activation, 1.15 * z0, dtype) == 0
    assert saturation.derivative(activation, 0.85 * z0, dtype) > 0
    assert 5 < z0 < 40


def test_piecewise_linear_gradients_never_vanish():
    assert saturation.vanishing_point("relu") is None and saturation.vanishing_point("leaky_relu") is None


def test_parse_numbers():
    assert saturation.parse_numbers("7.3, 193.4 -30.2") == (7.3, 193.4, -30.2)
    for bad, kwargs, message in (("1, x", {}, "'x' is not a number"), ("", {}, "enter at least one number"),
                                 ("inf", {}, "'inf' is not a finite number"),
                                 ("1, 2", {"count": 3}, "expected 3 numbers, got 2")):
        with pytest.raises(ValueError, match=f"^values: {message}"):
            saturation.parse_numbers(bad, **kwargs)
    with pytest.raises(TypeError, match="values must be text"):
        saturation.parse_numbers(3.0)


def test_interval_and_number_formatting():
    band = saturation.rounding_band()
    assert band.contains(0.95) and not band.contains(1.05)
    np.testing.assert_array_equal(band.contains([0.9, 1.0, 1.1]), [False, True, False])
    assert str(saturation.EMPTY) == "no value" and not saturation.EMPTY.contains(1.0)
    assert saturation.format_number(1.0) == "1.0" and saturation.format_number(1035.3500000000001) == "1035.35"


def test_weight_gradient_vanishes_unless_the_loss_reads_the_logit():
    x = np.array(saturation.EXAM_INPUT)
    for activation, loss in (("sigmoid", "squared_error"), ("tanh", "squared_error"), ("sigmoid", "cross_entropy")):
        assert np.all(saturation.weight_gradient(activation, loss) == 0)
    # d/dw BCE-with-logits = (sigmoid(z) - target) x = x for target 0 at a saturated z.
    np.testing.assert_allclose(saturation.weight_gradient("sigmoid", "cross_entropy_logits"), x, rtol=1e-15)
    z = saturation.exam_pre_activation()
    np.testing.assert_allclose(saturation.weight_gradient("leaky_relu"), 2 * z * x, rtol=1e-12)
    # Away from saturation the squared-error gradient is 2 (out - t) f'(z) x, as the chain rule says.
    w, b, xs = (0.3, -0.2, 0.1), 0.05, (1.0, 2.0, -1.0)
    zs = float(np.dot(w, xs) + b)
    s = float(neuron.sigmoid(zs))
    np.testing.assert_allclose(saturation.weight_gradient("sigmoid", w=w, b=b, x=xs, target=1.0),
                               2 * (s - 1) * s * (1 - s) * np.array(xs), rtol=1e-12)


@pytest.mark.parametrize(("bad", "message"), [
    (dict(activation="relu", loss="cross_entropy"), "the cross_entropy loss .* needs the sigmoid, not relu"),
    (dict(activation="sigmoid", loss="hinge"), "loss must be one of .*got 'hinge'"),
    (dict(activation="sigmoid", x=(1.0, 2.0)), r"w and x must be vectors of the same length.*\(3,\) and \(2,\)"),
])
def test_weight_gradient_rejects_bad_arguments(bad, message):
    with pytest.raises(ValueError, match=message):
        saturation.weight_gradient(**bad)


@pytest.mark.parametrize("text, count, message", [
    ("7.3, 193.4, -30.2", 2, "values: expected 2 numbers, got 3"),
    ("1, 2", 1, "values: expected 1 number, got 2"),
])
def test_parse_numbers_says_how_many_numbers_it_wanted(text, count, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        saturation.parse_numbers(text, count=count)
    assert saturation.parse_numbers(text, count=len(text.split(","))) == tuple(float(t) for t in text.split(","))


# ReLU rounds to 1 (0 decimals, half up) exactly for outputs in [0.5, 1.5), so its threshold is 0.5;
# offsets are powers of two. The rule (code; the docstring says "within tol"): right when |z - 0.5| <= tol.

def _relu_threshold(z, **kwargs):
    return saturation.check_threshold("relu", z, target=1.0, decimals=0, **kwargs)


def test_check_threshold_accepts_an_error_of_exactly_tol_on_either_side():
    """z = 0.5 -+ tol passes; 2**-20 beyond fails, with the direction to move."""
    tol = 2**-4
    assert _relu_threshold(0.5 - tol, tol=tol) and _relu_threshold(0.5 + tol, tol=tol)
    below, above = _relu_threshold(0.5 - tol - 2**-20, tol=tol), _relu_threshold(0.5 + tol + 2**-20, tol=tol)
    assert not below and "the threshold is larger" in below.message
    assert not above and "the threshold is smaller" in above.message


def test_check_threshold_with_tol_zero_wants_the_exact_threshold():
    """tol=0 is valid: 0.5 passes, 0.5 + 2**-30 fails."""
    assert _relu_threshold(0.5, tol=0)
    assert not _relu_threshold(0.5 + 2**-30, tol=0)


def test_check_threshold_default_tol_is_1e_minus_3():
    """The default tol is 1e-3: 0.5 -+ 0.99e-3 passes, 0.5 -+ 1.01e-3 fails."""
    assert _relu_threshold(0.5 - 0.99e-3) and _relu_threshold(0.5 + 0.99e-3)
    assert not _relu_threshold(0.5 - 1.01e-3) and not _relu_threshold(0.5 + 1.01e-3)


def test_check_threshold_defaults_are_the_exam_reading():
    """By default the target is 1.0 at 1 decimal: ReLU's threshold is 0.95, 0.9 and 1.0 are off."""
    assert saturation.check_threshold("relu", 0.95)
    assert not saturation.check_threshold("relu", 0.9) and not saturation.check_threshold("relu", 1.0)


@pytest.mark.parametrize("activation, z, target, message", [
    ("relu", 0.5625, 1.0, "Right: ReLU rounds to 1 exactly for z in [0.5, 1.5); your 0.5625 is 0.062 from its lower end."),
    ("relu", 0.25, 1.0, "Not yet: ReLU(0.25) = 0.25, which rounds to 0; the threshold is larger (tolerance 0.125)."),
    ("relu", 0.75, 1.0, "Not yet: ReLU(0.75) = 0.75, which rounds to 1, but so does a smaller z: the threshold is "
                        "smaller (tolerance 0.125)."),
    ("sigmoid", 1.0, -1.0, "Sigmoid has no smallest such pre-activation: the set is no value."),
    # tanh rounds to -1 (0 decimals, half up: -0.5 goes to -1) on (-inf, -atanh(1/2)] = (-inf, -ln(3)/2]
    ("tanh", 0.0, -1.0, "Tanh has no smallest such pre-activation: the set is (-inf, -0.549306]."),
])
def test_check_threshold_messages(activation, z, target, message):
    """Exact messages: right, too small, too large, an empty set, a set without a lower end."""
    result = saturation.check_threshold(activation, z, target=target, tol=2**-3, decimals=0)
    assert result.correct is message.startswith("Right") and result.message == message


@pytest.mark.parametrize("kwargs, error, match", [
    ({"z": float("nan")}, ValueError, r"^z must be a finite number"),
    ({"z": "1"}, TypeError, r"^z must be a number"),
    ({"tol": -2**-10}, ValueError, r"^tol must be at least 0"),
    ({"tol": float("inf")}, ValueError, r"^tol must be a finite number"),
    ({"activation": "softplus"}, ValueError, r"^activation must be one of"),
    ({"target": float("nan")}, ValueError, r"^target must be a finite number"),
    ({"decimals": 13}, ValueError, r"^decimals must be a whole number from 0 to 12"),
    ({"convention": "up"}, ValueError, r"^convention must be one of"),
])
def test_check_threshold_rejects_bad_arguments(kwargs, error, match):
    """Each bad argument raises, naming itself."""
    arguments = {"activation": "relu", "z": 0.95} | kwargs
    with pytest.raises(error, match=match):
        saturation.check_threshold(**arguments)


# --- Exact feedback, boundaries and defaults (each guards a behaviour a user sees) -------------------

EXAM_LINES = ("ReLU: output 1035.35, rounds to 1035.4 (does not match 1.0)\n"
              "Tanh: output 1.0, rounds to 1.0 (matches 1.0)\n"
              "Sigmoid: output 1.0, rounds to 1.0 (matches 1.0)\n"
              "Leaky ReLU: output 1035.35, rounds to 1035.4 (does not match 1.0)")


@pytest.mark.parametrize("answer, message", [
    ({"tanh", "sigmoid"}, "Right: pre-activation z = 1035.35.\n" + EXAM_LINES),
    ({"relu"}, "Not yet: pre-activation z = 1035.35.\nReLU cannot be it: output 1035.35 rounds to 1035.4, not 1.0.\n"
               "2 possible activations are missing from your answer."),
    ({"relu", "leaky_relu"}, "Not yet: pre-activation z = 1035.35.\n"
                             "ReLU cannot be it: output 1035.35 rounds to 1035.4, not 1.0.\n"
                             "Leaky ReLU cannot be it: output 1035.35 rounds to 1035.4, not 1.0.\n"
                             "2 possible activations are missing from your answer."),
    ({"tanh"}, "Not yet: pre-activation z = 1035.35.\n1 possible activation is missing from your answer."),
])
def test_check_activations_messages(answer, message):
    """Exact messages: every reading line when right; wrong choices named, missing ones counted (1 vs 2)."""
    result = saturation.check_activations(answer)
    assert result.correct is message.startswith("Right") and result.message == message


def test_check_activations_rejects_a_number_with_an_example():
    """An answer that is not a set of names is refused with the example {'tanh'}."""
    with pytest.raises(TypeError, match=r"^answer must be a set of names such as \{'tanh'\}, got 3 \(int\)$"):
        saturation.check_activations(3)


def test_readings_use_the_convention_for_output_and_observation():
    """Half-even reads both the output 1.05 and the observation 1.05 as 1.0 (half up would say 1.1)."""
    relu = saturation.readings(w=[1.0], b=0.0, x=[1.05], observed=1.05, convention="half_even")[0]
    assert (relu.activation, relu.z, relu.output, relu.rounded, relu.matches) == ("relu", 1.05, 1.05, 1.0, True)


@pytest.mark.parametrize("w, x, message", [
    ([1.0], [], r"^x has 0 inputs per row but w has 1 weights: they must match$"),  # an empty x reaches the shape check
    ([], [], r"^w must not be empty, got shape \(0,\)$"),
    ([1e308, 1e308], [1.0, 1.0], r"^the pre-activation overflows to infinity: use smaller weights or inputs$"),
])
def test_readings_rejects_bad_neurons(w, x, message):
    """An empty input is judged against w (not refused as empty); an overflowing w . x + b is refused."""
    with pytest.raises(ValueError, match=message):
        saturation.readings(w=w, b=0.0, x=x)


@pytest.mark.parametrize("z, kwargs, message", [
    (1.05, {"convention": "half_even"},
     "Right: at z = 1.05: ReLU outputs 1.05 (rounds to 1.0), Sigmoid outputs 0.740775 (rounds to 0.7)."),
    (1.05, {"not_rounds": "leaky_relu", "convention": "half_even"},
     "Not yet: at z = 1.05: ReLU outputs 1.05 (rounds to 1.0), Leaky ReLU outputs 1.05 (rounds to 1.0).\n"
     "Leaky ReLU must not round to 1.0, and it does."),
    (0.5, {}, "Not yet: at z = 0.5: ReLU outputs 0.5 (rounds to 0.5), Sigmoid outputs 0.622459 (rounds to 0.6).\n"
              "ReLU must round to 1.0 at your z, and it does not."),
    (5.0, {}, "Not yet: at z = 5: ReLU outputs 5.0 (rounds to 5.0), Sigmoid outputs 0.993307 (rounds to 1.0).\n"
              "ReLU must round to 1.0 at your z, and it does not.\nSigmoid must not round to 1.0, and it does."),
])
def test_check_separating_z_messages(z, kwargs, message):
    """Exact messages (sigmoid values from torch.sigmoid); half-even reads the tie 1.05 as 1.0 on both sides."""
    result = saturation.check_separating_z(z, **kwargs)
    assert result.correct is message.startswith("Right") and result.message == message


def test_check_threshold_reading_uses_the_convention():
    """Half-even: ReLU(1.05) rounds to 1.0, so 1.05 is inside the band [0.95, 1.05] and too large."""
    result = saturation.check_threshold("relu", 1.05, convention="half_even")
    assert result.correct is False
    assert result.message == ("Not yet: ReLU(1.05) = 1.05, which rounds to 1.0, but so does a smaller z: "
                              "the threshold is smaller (tolerance 0.001).")


@pytest.mark.parametrize("interval, text", [
    (saturation.rounding_preimage("tanh"), "[1.83178, inf)"),  # atanh(0.95)
    (saturation.rounding_preimage("sigmoid"), "[2.94444, inf)"),  # ln 19
    (saturation.Interval(-math.inf, math.inf, False, False), "(-inf, inf)"),
    (saturation.Interval(-0.5, 0.25, True, True), "[-0.5, 0.25]"),
])
def test_interval_str_writes_infinite_ends(interval, text):
    """An interval prints its ends with 6 digits and its infinite ends as -inf and inf."""
    assert str(interval) == text


@pytest.mark.parametrize("function", [saturation.derivative, saturation.autograd_derivative,
                                      saturation.log10_derivative])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_derivatives_of_a_number_are_numbers(function, activation):
    """A scalar z gives a NumPy scalar (not a 0-d array); a 1-D z gives a 1-D array."""
    assert isinstance(function(activation, 0.5), np.floating)
    assert function(activation, [0.5]).shape == (1,)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_derivative_of_a_number_keeps_the_dtype(dtype):
    """derivative('sigmoid', 0.5, dtype) is a scalar of that dtype, equal to autograd's to rounding."""
    z = torch.tensor(0.5, dtype=getattr(torch, dtype), requires_grad=True)
    torch.sigmoid(z).backward()
    value = saturation.derivative("sigmoid", 0.5, dtype)
    assert type(value) is np.dtype(dtype).type and value == pytest.approx(z.grad.item(), rel=1e-6)


@pytest.mark.parametrize("activation, z, expected", [
    ("relu", -1.0, -math.inf), ("relu", 2.0, 0.0), ("leaky_relu", -1.0, -2.0), ("leaky_relu", 0.0, -2.0),
])
def test_log10_derivative_of_piecewise_linear_is_silent(activation, z, expected):
    """log10 of 0 is -inf without a divide-by-zero warning; slopes 1 and 0.01 give 0 and -2."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert saturation.log10_derivative(activation, z) == pytest.approx(expected)


@pytest.mark.parametrize("target", [0.0, 0.25, 1.0])
@pytest.mark.parametrize("loss", ["cross_entropy", "cross_entropy_logits"])
def test_weight_gradient_of_cross_entropy_is_s_minus_target_times_x(loss, target):
    """Unsaturated, both cross-entropies give (sigmoid(z) - target) x; targets 0 and 1 are allowed."""
    w, b, x = (0.3, -0.2, 0.1), 0.05, (1.0, 2.0, -1.0)
    s = torch.sigmoid(torch.tensor(0.3 - 0.4 - 0.1 + 0.05, dtype=torch.float64)).item()
    np.testing.assert_allclose(saturation.weight_gradient("sigmoid", loss, target, w, b, x),
                               (s - target) * np.array(x), rtol=1e-12)


@pytest.mark.parametrize("target", [-0.5, 1.5])
def test_weight_gradient_refuses_a_target_outside_0_1_for_cross_entropy(target):
    """A cross-entropy target must be a probability; the message names the loss and the target."""
    with pytest.raises(ValueError, match=rf"^target must be a probability between 0 and 1 for the cross_entropy "
                                         rf"loss, got {target:g}$"):
        saturation.weight_gradient("sigmoid", "cross_entropy", target)


def test_weight_gradient_lists_the_losses():
    """An unknown loss is refused with the three losses listed."""
    with pytest.raises(ValueError, match=r"^loss must be one of 'squared_error', 'cross_entropy', "
                                         r"'cross_entropy_logits', got 'hinge'$"):
        saturation.weight_gradient("sigmoid", "hinge")


def test_vanishing_point_bounds():
    """high may be any number above 0 (1.0: not yet saturated, None); the start test uses the dtype."""
    assert saturation.vanishing_point("sigmoid", high=1.0) is None
    with pytest.raises(ValueError, match=r"^high must be above 0, got 0$"):
        saturation.vanishing_point("sigmoid", high=0.0)
    # float32's sigmoid gradient is already 0 at 30 (float64's is not): the search starts there.
    z0 = saturation.vanishing_point("sigmoid", "float32", high=30.0)
    assert z0 == saturation.vanishing_point("sigmoid", "float32") and 10 < z0 < 30


@pytest.mark.parametrize("value, kwargs, text", [
    (math.pi, {}, "3.14159"),  # 6 digits by default
    (1234.5, {"digits": 1}, "1e+03"),
    (3.0, {"digits": 1}, "3.0"),
    (1e6, {}, "1e+06"),
    (math.inf, {}, "inf"),
    (math.nan, {}, "nan"),
    (10**400, {}, "inf"),  # an int too large for a float
    (-10**400, {}, "-inf"),
])
def test_format_number(value, kwargs, text):
    """Short labels: 6 digits by default, digits=1 allowed, no '.0' after an exponent, inf or nan."""
    assert saturation.format_number(value, **kwargs) == text


def test_format_number_rejects_text():
    """A str is refused, and the message shows it."""
    with pytest.raises(TypeError, match=r"^value must be a number, got '1' \(str\)$"):
        saturation.format_number("1")


def test_parse_numbers_separators_and_limits():
    """Semicolons separate too; count is capped at MAX_ITEMS; a non-str names its type."""
    assert saturation.parse_numbers("1;2; 3") == (1.0, 2.0, 3.0)
    with pytest.raises(ValueError, match=r"^count must be at most 1,000,000, got 2,000,000$"):
        saturation.parse_numbers("1", count=2 * 10**6)
    with pytest.raises(TypeError, match=r"^values must be text such as '1\.5, -2', got float$"):
        saturation.parse_numbers(3.0)


def torch_sigmoid_derivative(z, dtype):
    """sigmoid'(z) from PyTorch's autograd in a torch dtype, written out here as the reference."""
    t = torch.tensor(z, dtype=dtype, requires_grad=True)
    torch.sigmoid(t).backward()
    return t.grad.item()


@pytest.mark.parametrize("function", [saturation.derivative, saturation.autograd_derivative])
@pytest.mark.parametrize("dtype, numpy_type, torch_dtype", [
    ("float32", np.float32, torch.float32), (np.float32, np.float32, torch.float32),
    (np.dtype("float32"), np.float32, torch.float32), (torch.float32, np.float32, torch.float32),
    ("float64", np.float64, torch.float64), (np.float64, np.float64, torch.float64),
    (np.dtype("float64"), np.float64, torch.float64), (torch.float64, np.float64, torch.float64),
])
def test_dtype_may_be_a_name_a_numpy_type_or_a_torch_dtype(function, dtype, numpy_type, torch_dtype):
    """'float32', np.float32, np.dtype('float32') and torch.float32 all compute in float32 (likewise float64)."""
    value = function("sigmoid", 1.0, dtype)
    assert type(value) is numpy_type
    assert value == pytest.approx(torch_sigmoid_derivative(1.0, torch_dtype), rel=1e-6)


@pytest.mark.parametrize("function", [saturation.derivative, saturation.autograd_derivative])
@pytest.mark.parametrize("dtype, shown", [
    ("float16", "'float16'"), (torch.float16, "torch.float16"), (np.int64, "<class 'numpy.int64'>"),
    (None, "None"), ("complex64", "'complex64'"), ("torch.float32", "'torch.float32'"),
])
def test_dtype_other_than_float64_or_float32_is_refused(function, dtype, shown):
    """Any other dtype (or None, or a name that is not a dtype) is refused, showing its repr."""
    with pytest.raises(ValueError, match=rf"^dtype must be float64 or float32, got {re.escape(shown)}$"):
        function("sigmoid", 1.0, dtype)


def test_autograd_derivative_defaults_to_float64():
    """Without dtype, autograd's sigmoid'(1) is the float64 value (float32 differs in the last digits)."""
    value = saturation.autograd_derivative("sigmoid", 1.0)
    assert type(value) is np.float64 and value == torch_sigmoid_derivative(1.0, torch.float64)
    assert value != torch_sigmoid_derivative(1.0, torch.float32)


def test_bad_activation_and_convention_messages_list_the_options():
    """The refusals of an activation and a convention list the options and show what was given."""
    with pytest.raises(ValueError, match=re.escape(
            "activation must be one of 'sigmoid', 'tanh', 'relu', 'leaky_relu', got 'foo' (str)")):
        saturation.preimage("foo", saturation.EMPTY)
    with pytest.raises(ValueError, match=re.escape("convention must be one of 'half_up', 'half_even', got 'up'")):
        saturation.round_to(1.0, 1, "up")


def test_twelve_decimals_is_the_most_and_rounds_the_largest_doubles():
    """decimals=12 is allowed (13 is not), and 1e308 is rounded to 12 places and banded without overflow."""
    assert saturation.round_to(0.5, 12) == 0.5
    assert saturation.round_to(1e308, 12) == 1e308
    assert saturation.rounding_band(1e308, 12) == saturation.Interval(1e308, 1e308, True, True)
    with pytest.raises(ValueError, match=r"^decimals must be a whole number from 0 to 12, got 13$"):
        saturation.round_to(0.5, 13)


def test_rounds_to_defaults_to_half_up_and_rounds_the_target_with_the_convention():
    """rounds_to's default convention is half up, and the target is rounded with the given convention."""
    assert saturation.rounds_to(0.95) is True
    assert saturation.rounds_to(1.05) is False  # 1.1 half up
    assert saturation.rounds_to(1.05, 1.1) is True
    assert saturation.rounds_to(1.0, 1.05, 1, "half_even") is True  # 1.05 -> 1.0 half even
    assert saturation.rounds_to(1.0, 1.05, 1, "half_up") is False  # 1.05 -> 1.1 half up


def test_rounds_to_names_a_non_finite_target():
    """A non-finite target is refused by name."""
    with pytest.raises(ValueError, match=r"^target must be a finite number, got inf$"):
        saturation.rounds_to(1.0, math.inf)


@pytest.mark.parametrize("activation, band, expected", [
    ("relu", saturation.Interval(0.0, 0.5, False, False), saturation.Interval(0.0, 0.5, False, False)),
    ("relu", saturation.Interval(0.0, 0.5, True, False), saturation.Interval(-math.inf, 0.5, False, False)),
    ("relu", saturation.Interval(1.0, 2.0, True, False), saturation.Interval(1.0, 2.0, True, False)),
    ("relu", saturation.Interval(0.5, 1.0, True, False), saturation.Interval(0.5, 1.0, True, False)),
    ("relu", saturation.Interval(-1.0, 0.0, True, True), saturation.Interval(-math.inf, 0.0, False, True)),
    ("relu", saturation.Interval(-1.0, 0.0, True, False), saturation.EMPTY),
    ("sigmoid", saturation.Interval(0.0, 0.5, False, False), saturation.Interval(-math.inf, 0.0, False, False)),
    ("sigmoid", saturation.Interval(0.5, 1.0, True, False), saturation.Interval(0.0, math.inf, True, False)),
    ("sigmoid", saturation.Interval(1.0, 2.0, True, False), saturation.EMPTY),
    ("sigmoid", saturation.Interval(-1.0, 0.0, True, False), saturation.EMPTY),
    ("sigmoid", saturation.Interval(-1.0, 0.0, True, True), saturation.EMPTY),
    ("sigmoid", saturation.Interval(0.5, 0.5, True, True), saturation.Interval(0.0, 0.0, True, True)),
    ("sigmoid", saturation.Interval(0.5, 0.5, True, False), saturation.EMPTY),
    ("sigmoid", saturation.Interval(0.5, 0.5, False, True), saturation.EMPTY),
])
def test_preimage_at_the_ends_of_the_range(activation, band, expected):
    """Bands touching the range's ends (ReLU's attained 0, sigmoid's 0 and 1) and single points map exactly."""
    result = saturation.preimage(activation, band)
    assert result == expected
    if expected.empty:
        assert result is saturation.EMPTY
    else:  # the ends' closedness, which == on dataclasses also compares, spelt out
        assert (result.low_closed, result.high_closed) == (expected.low_closed, expected.high_closed)


def test_preimage_names_a_band_that_is_not_an_interval():
    """preimage refuses a tuple as the band, by name."""
    with pytest.raises(TypeError, match=re.escape("band must be a Interval, got (0, 1) (tuple)")):
        saturation.preimage("relu", (0, 1))


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(low="a", high=1.0), TypeError, "low must be a number, got 'a' (str)"),
    (dict(low=0.0, high="b"), TypeError, "high must be a number, got 'b' (str)"),
    (dict(low=math.nan, high=1.0), ValueError, "low must be a number, got nan"),
    (dict(low=0.0, high=math.nan), ValueError, "high must be a number, got nan"),
    (dict(low=0.0, high=1.0, low_closed=1), TypeError, "low_closed must be True or False, got 1 (int)"),
    (dict(low=0.0, high=1.0, high_closed=0), TypeError, "high_closed must be True or False, got 0 (int)"),
    (dict(low=0.0, high=1.0, empty="no"), TypeError, "empty must be True or False, got 'no' (str)"),
    (dict(low=2.0, high=1.0), ValueError,
     "low must be at most high, got low=2 and high=1: an empty interval is Interval(nan, nan, empty=True)"),
])
def test_interval_rejects_bad_ends_by_name(kwargs, error, message):
    """An Interval names the bad field, and says how to write an empty interval."""
    with pytest.raises(error, match="^" + re.escape(message) + "$"):
        saturation.Interval(**kwargs)


def test_interval_may_be_a_single_point_or_infinite():
    """low == high is a valid (one-point) interval, and infinite ends are accepted."""
    assert saturation.Interval(1.0, 1.0, True, True).contains(1.0) is np.True_
    assert saturation.Interval(-math.inf, math.inf, False, False).contains(1e308) is np.True_


def test_interval_contains_reads_float32_at_its_exact_value():
    """A float32 input is compared at its exact value (float32(0.1) is above the double 0.1)."""
    assert saturation.Interval(0.1, 1.0, False, False).contains(np.float32(0.1)) is np.True_
    assert saturation.Interval(0.0, 0.1, True, True).contains(np.float32(0.1)) is np.False_


def test_empty_interval_contains_nothing_as_booleans():
    """EMPTY.contains gives False booleans, of the input's shape."""
    assert saturation.EMPTY.contains(0.5) is np.False_
    result = saturation.EMPTY.contains([[0.0, 1.0, 2.0]])
    assert result.dtype == bool and result.shape == (1, 3) and not result.any()
