"""dlexam.saturation: rounding against exact fractions, derivatives against autograd and the formulas."""

from fractions import Fraction
import math

import numpy as np
import torch
from hypothesis import strategies as st

from dlexam import neuron, saturation

from . import Arg, Arr, Choice, Int, Obj, Real, Size, Text, Tol, record, spec


def _fail(result):
    raise AssertionError(f"property fails for {result!r}"[:300])


def exact_round(value, decimals, convention):
    """Round the decimal Python prints for `value`, with fractions: an independent reference."""
    scaled = Fraction(repr(float(value))) * 10**decimals
    low = math.floor(scaled)
    rest = scaled - low
    if rest > Fraction(1, 2) or rest == Fraction(1, 2) and (
            convention == "half_up" and scaled > 0 or convention == "half_even" and low % 2 == 1):
        low += 1
    elif rest == Fraction(1, 2) and convention == "half_up" and scaled < 0:
        low += 0
    return float(Fraction(low, 10**decimals))


def exact_round_signed(value, decimals, convention):
    if value < 0 and convention == "half_up":
        return -exact_round(-value, decimals, convention)
    return exact_round(value, decimals, convention)


DECIMALS = Int(1, 0, 12)
CONVENTION = Choice("half_up")
values = st.one_of(st.floats(-1e6, 1e6), st.integers(-2000, 2000).map(lambda i: i / 100 + 0.005),
                   st.floats(-1e300, 1e300))
rounding = {"decimals": st.integers(0, 6), "convention": st.sampled_from(sorted(saturation.ROUNDING))}
spec("saturation.round_to", {"value": Real(0.95), "decimals": DECIMALS, "convention": CONVENTION},
     given=st.fixed_dictionaries({"value": values, **rounding}),
     check=lambda r, value, decimals, convention: r == exact_round_signed(value, decimals, convention) or _fail(r))
spec("saturation.rounds_to", {"value": Real(0.97), "target": Real(1.0), "decimals": DECIMALS, "convention": CONVENTION},
     given=st.fixed_dictionaries({"value": values, "target": st.sampled_from([0.0, 1.0, 0.9, -1.0]), **rounding}),
     check=lambda r, value, target, decimals, convention: r == (
         exact_round_signed(value, decimals, convention) == exact_round_signed(target, decimals, convention))
     or _fail(r))
spec("saturation.Interval", {"low": Real(0.0, inf_ok=True), "high": Real(1.0, inf_ok=True).with_bad(
    ("below low", -1.0)), "low_closed": Arg(True, [("text", "no"), ("None", None)]),
    "high_closed": Arg(False, [("text", "no"), ("None", None)]), "empty": Arg(False, [("text", "no")])},
    finite=False,
    given=st.tuples(st.floats(-5, 5), st.floats(0, 5), st.booleans(), st.booleans()).map(
        lambda t: {"low": t[0], "high": t[0] + t[1], "low_closed": t[2], "high_closed": t[3]}),
    check=lambda r, low, high, low_closed, high_closed, empty: (
        bool(r.contains(low)) == low_closed and bool(r.contains(high)) == (high_closed or low == high and low_closed)
        if low < high else True) or _fail(r))


def check_band(result, target, decimals, convention):
    t = exact_round_signed(target, decimals, convention)
    for x in (result.low, result.high):
        assert bool(result.contains(x)) == (exact_round_signed(x, decimals, convention) == t)
    for x in np.linspace(result.low, result.high, 7)[1:-1]:
        assert result.contains(x) and exact_round_signed(x, decimals, convention) == t


targets = st.integers(-300, 300).map(lambda i: i / 10)
spec("saturation.rounding_band", {"target": Real(1.0), "decimals": DECIMALS, "convention": CONVENTION},
     given=st.fixed_dictionaries({"target": targets, **rounding}), check=check_band)
ACTIVATION = Choice("sigmoid")
activations = st.sampled_from(sorted(neuron.ACTIVATIONS))


def check_preimage(result, activation, band):
    f = neuron.activation_function(activation)
    for z in np.linspace(-30, 30, 241):
        if result.empty or min(abs(z - result.low), abs(z - result.high)) > 1e-6:
            assert bool(result.contains(z)) == bool(band.contains(f(z))), (z, result)


bands = st.tuples(st.floats(-2, 2), st.floats(0, 2), st.booleans(), st.booleans()).map(
    lambda t: saturation.Interval(t[0], t[0] + t[1], t[2], t[3]))
spec("saturation.preimage", {"activation": ACTIVATION, "band": Obj(saturation.rounding_band())}, finite=False,
     given=st.fixed_dictionaries({"activation": activations, "band": bands}), check=check_preimage)
spec("saturation.rounding_preimage", {"activation": ACTIVATION, "target": Real(1.0), "decimals": DECIMALS,
                                      "convention": CONVENTION}, finite=False,
     given=st.fixed_dictionaries({"activation": activations, "target": st.sampled_from([0.0, 0.5, 1.0, 2.0]),
                                  **rounding}),
     check=lambda r, activation, target, decimals, convention: check_preimage(
         r, activation, saturation.rounding_band(target, decimals, convention)))
record("saturation.Reading")
NEURON = {"w": Arr(np.array(saturation.EXAM_WEIGHTS)), "b": Real(saturation.EXAM_BIAS),
          "x": Arr(np.array(saturation.EXAM_INPUT)).with_edge(("huge", np.array([1e300, 1e300, 1e300])))}
weights = st.lists(st.floats(-3, 3), min_size=3, max_size=3)


def check_readings(result, w, b, x, observed, decimals, convention, activations):
    z = float(np.dot(w, x) + b)
    for reading in result:
        assert math.isclose(reading.output, float(neuron.activation_function(reading.activation)(z)), rel_tol=1e-12)
        assert reading.matches == (exact_round_signed(reading.output, decimals, convention)
                                   == exact_round_signed(observed, decimals, convention))


spec("saturation.readings", {**NEURON, "observed": Real(1.0), "decimals": DECIMALS, "convention": CONVENTION,
                             "activations": Arg(saturation.EXAM_OPTIONS, [("None", None), ("unknown", ("softplus",)),
                                                                         ("number", 3), ("text", "relu")])},
     given=st.fixed_dictionaries({"w": weights, "b": st.floats(-3, 3), "x": weights}), check=check_readings)


def right_activations(w, b, x, observed, decimals, convention):
    return {r.activation for r in saturation.readings(w, b, x, observed, decimals, convention) if r.matches}


spec("saturation.check_activations",
     {"answer": Arg({"tanh", "sigmoid"}, [("None", None), ("unknown", {"softplus"}), ("number", 3),
                                          ("unhashable", [[1]])], [("one name", "tanh")]),
      **NEURON, "observed": Real(1.0), "decimals": DECIMALS, "convention": CONVENTION},
     given=st.fixed_dictionaries({"answer": st.sets(activations), "w": weights, "b": st.floats(-3, 3), "x": weights}),
     check=lambda r, answer, **kw: bool(r) == (answer == right_activations(**kw)) or _fail(r))
spec("saturation.check_separating_z",
     {"z": Real(1.0), "rounds": ACTIVATION, "not_rounds": ACTIVATION, "target": Real(1.0), "decimals": DECIMALS,
      "convention": CONVENTION},
     given=st.fixed_dictionaries({"z": st.floats(-10, 10), "rounds": activations, "not_rounds": activations}),
     check=lambda r, z, rounds, not_rounds, target, decimals, convention: bool(r) == (
         exact_round_signed(float(neuron.activation_function(rounds)(z)), decimals, convention) == 1.0
         and exact_round_signed(float(neuron.activation_function(not_rounds)(z)), decimals, convention) != 1.0)
     or _fail(r))


def check_threshold_verdict(result, activation, z, target, tol, decimals, convention):
    interval = saturation.rounding_preimage(activation, target, decimals, convention)
    expected = not interval.empty and math.isfinite(interval.low) and abs(z - interval.low) <= tol
    assert bool(result) == expected


spec("saturation.check_threshold", {"activation": ACTIVATION, "z": Real(2.944), "target": Real(1.0), "tol": Tol(1e-3),
                                    "decimals": DECIMALS, "convention": CONVENTION},
     given=st.fixed_dictionaries({"activation": activations, "z": st.floats(-5, 5), "tol": st.floats(0, 0.1)}),
     check=check_threshold_verdict)

Z = Arr(np.array([-2.0, 0.0, 3.0]), finite=False, empty_ok=True, ndim_ok=range(0, 4))
DTYPE = Arg("float64", [("None", None), ("unknown", "float16"), ("number", 3), ("torch int", torch.int64)],
            [("float32", "float32"), ("torch dtype", torch.float64)])
zs = st.lists(st.floats(-40, 40), max_size=5).map(np.array)
FORMULAS = {"sigmoid": lambda z: np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))) ** 2,
            "tanh": lambda z: 4 * np.exp(-2 * np.abs(z)) / (1 + np.exp(-2 * np.abs(z))) ** 2,
            "relu": lambda z: (np.asarray(z) > 0).astype(float), "leaky_relu": lambda z: np.where(z > 0, 1.0, 0.01)}
spec("saturation.derivative", {"activation": ACTIVATION, "z": Z, "dtype": DTYPE}, finite=False,
     given=st.fixed_dictionaries({"activation": activations, "z": zs}),
     check=lambda r, activation, z, dtype: np.allclose(r, FORMULAS[activation](z), rtol=1e-9, atol=1e-15)
     or _fail(r))
spec("saturation.autograd_derivative", {"activation": ACTIVATION, "z": Z, "dtype": DTYPE}, finite=False,
     given=st.fixed_dictionaries({"activation": activations, "z": zs}),
     check=lambda r, activation, z, dtype: np.allclose(r, FORMULAS[activation](z), rtol=1e-9, atol=1e-15)
     or _fail(r))


def chain_rule(activation, target, w, b, x):
    z = float(np.dot(w, x) + b)
    out = float(neuron.activation_function(activation)(z))
    return 2 * (out - target) * float(saturation.derivative(activation, z)) * np.asarray(x)


spec("saturation.weight_gradient",
     {"activation": ACTIVATION, "loss": Choice("squared_error"), "target": Real(0.0), **NEURON},
     given=st.fixed_dictionaries({"activation": activations, "target": st.floats(-2, 2), "w": weights,
                                  "b": st.floats(-3, 3), "x": weights}),
     check=lambda r, activation, loss, target, w, b, x: np.allclose(r, chain_rule(activation, target, w, b, x),
                                                                   rtol=1e-9, atol=1e-12) or _fail(r))
spec("saturation.log10_derivative", {"activation": ACTIVATION, "z": Z}, finite=False,
     given=st.fixed_dictionaries({"activation": activations, "z": zs}),
     check=lambda r, activation, z: np.allclose(10.0 ** r, FORMULAS[activation](z), rtol=1e-9, atol=1e-300)
     or _fail(r))


def check_vanishing(result, activation, dtype, high):
    if activation in ("relu", "leaky_relu"):
        assert result is None
        return
    assert saturation.autograd_derivative(activation, result, dtype) == 0
    below = np.nextafter(np.array(result, dtype=dtype), np.array(0, dtype=dtype))
    assert saturation.autograd_derivative(activation, float(below), dtype) != 0


spec("saturation.vanishing_point", {"activation": ACTIVATION, "dtype": DTYPE, "high": Real(2000.0, above=0.0)},
     given=st.fixed_dictionaries({"activation": activations, "dtype": st.sampled_from(["float32", "float64"])}),
     examples=6, check=check_vanishing)
spec("saturation.format_number", {"value": Arg(1.0, [("None", None), ("text", "1"), ("list", [1.0])],
                                               [("nan", float("nan")), ("inf", float("inf")), ("huge int", 10**400)]),
                                  "digits": Int(6, 1, 17)},
     given=st.fixed_dictionaries({"value": st.floats(-1e9, 1e9), "digits": st.integers(6, 17)}),
     check=lambda r, value, digits: (math.isclose(float(r), value, rel_tol=10.0 ** (1 - digits), abs_tol=1e-300)
                                     and any(c in r for c in ".eni")) or _fail(r))
spec("saturation.exam_pre_activation", {}, check=lambda r: math.isclose(r, 1035.35) or _fail(r))
spec("saturation.parse_numbers",
     {"text": Arg("7.3, 193.4, -30.2", [("None", None), ("number", 3.0), ("word", "1, x"), ("empty", ""),
                                         ("inf", "inf"), ("nan", "nan, 1")]).named("values"),
      "count": Arg(None, [("zero", 0), ("float", 2.5), ("text", "3"), ("huge", 10**12)], [("3", 3)]),
      "name": Text("values")},
     given=st.fixed_dictionaries({"text": st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=5).map(
         lambda v: ", ".join(map(repr, v)))}),
     check=lambda r, text, count, name: r == tuple(float(t) for t in text.split(", ")) or _fail(r))
