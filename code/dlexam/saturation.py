"""Saturation of activations: rounding a neuron's output, the pre-activations that round to a
value, and the derivatives that vanish when an activation saturates.

Question I(B) observes ``out = 1.0`` (one decimal place) for a pre-activation of 1035.35 and
asks which activation could have produced it. The activations themselves live in
`dlexam.neuron`; this module reads their outputs the way the exam does and measures what
saturation does to gradients, in float64 and float32, against PyTorch's autograd.

NaN: the derivatives (``derivative``, ``autograd_derivative``, ``log10_derivative``) are
element-wise and pass NaN through; rounding, bands, preimages, readings and the checks refuse
NaN and infinities, and tolerances must be finite and >= 0. Any finite double can be rounded,
1e308 included.
"""

import math
import numbers
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext

import numpy as np
import torch
import torch.nn.functional as F

from . import neuron, validate
from .checks import CheckResult

# The exam's trained neuron and its observation.
EXAM_WEIGHTS = (7.3, 193.4, -30.2)
EXAM_BIAS = 8.3
EXAM_INPUT = (2.1, 5.2, -0.2)
EXAM_OBSERVED = 1.0
EXAM_DECIMALS = 1

# The options in the exam's order, and the ones it marks.
EXAM_OPTIONS = ("relu", "tanh", "sigmoid", "leaky_relu")
EXAM_ANSWER = frozenset({"tanh", "sigmoid"})
LABELS = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "leaky_relu": "Leaky ReLU"}

# "half_up": ties away from zero, as taught in school (0.95 -> 1.0, 1.05 -> 1.1).
# "half_even": ties to the even last digit, IEEE's and numpy's rule (0.95 -> 1.0, 1.05 -> 1.0).
ROUNDING = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}


def _check_activation(activation, name="activation"):
    if not isinstance(activation, str) or activation not in neuron.ACTIVATIONS:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, neuron.ACTIVATIONS))}, "
                         f"got {validate.got(activation)}")
    return activation


def _check_rounding(decimals, convention):
    if not isinstance(decimals, (int, np.integer)) or isinstance(decimals, bool) or not 0 <= decimals <= 12:
        raise ValueError(f"decimals must be a whole number from 0 to 12, got {decimals!r}")
    if not isinstance(convention, str) or convention not in ROUNDING:
        raise ValueError(f"convention must be one of {', '.join(map(repr, ROUNDING))}, got {convention!r}")
    return int(decimals)


def _finite(value, name):
    return validate.real(value, name)


def _quantize(value, decimals, convention):
    """Decimal(repr(value)) rounded to `decimals` places, with room for every digit of any double."""
    quantum = Decimal(1).scaleb(-decimals)
    with localcontext() as ctx:
        ctx.prec = 330 + decimals  # room for every digit of the largest double before the point
        return Decimal(repr(value)).quantize(quantum, rounding=ROUNDING[convention])


def round_to(value, decimals=EXAM_DECIMALS, convention="half_up"):
    """A float rounded to `decimals` places, as a reader rounds the number it prints as.

    The decimal that is rounded is Python's shortest repr of the float ("0.95" for the double
    nearest 0.95, which is really 0.94999999999999995559...), so the band edges behave as
    they do on paper; `convention` decides the ties (see ROUNDING).
    """
    decimals = _check_rounding(decimals, convention)
    value = _finite(value, "value")
    return float(_quantize(value, decimals, convention))


def rounds_to(value, target=EXAM_OBSERVED, decimals=EXAM_DECIMALS, convention="half_up"):
    """True when `value` rounded to `decimals` places equals `target`."""
    target = _finite(target, "target")
    return round_to(value, decimals, convention) == round_to(target, decimals, convention)


@dataclass(frozen=True)
class Interval:
    """An interval of the real line; infinite ends are open. `empty` when no number is in it."""

    low: float
    high: float
    low_closed: bool = True
    high_closed: bool = False
    empty: bool = False

    def __post_init__(self):
        for name in ("low_closed", "high_closed", "empty"):
            validate.boolean(getattr(self, name), name)
        if self.empty:
            return
        low = validate.real(self.low, "low", finite=False)
        high = validate.real(self.high, "high", finite=False)
        if low > high:
            raise ValueError(f"low must be at most high, got low={low:g} and high={high:g}: "
                             "an empty interval is Interval(nan, nan, empty=True)")

    def contains(self, x):
        """Element-wise membership of a number or an array."""
        x = np.asarray(x, dtype=float)
        if self.empty:
            return np.zeros(x.shape, dtype=bool)[()]
        above = x >= self.low if self.low_closed else x > self.low
        below = x <= self.high if self.high_closed else x < self.high
        return (above & below)[()]

    def __str__(self):
        if self.empty:
            return "no value"
        fmt = lambda v: "-inf" if v == -math.inf else "inf" if v == math.inf else f"{v:.6g}"  # noqa: E731
        left = "[" if self.low_closed else "("
        right = "]" if self.high_closed else ")"
        return f"{left}{fmt(self.low)}, {fmt(self.high)}{right}"


EMPTY = Interval(math.nan, math.nan, False, False, empty=True)


def rounding_band(target=EXAM_OBSERVED, decimals=EXAM_DECIMALS, convention="half_up"):
    """The outputs that round to `target`: [0.95, 1.05) for 1.0 rounded half up.

    Whether an edge belongs to the band is decided by rounding that edge exactly, so
    half-even gives [0.95, 1.05] for 1.0 (0 is even) but (0.85, 0.95) for 0.9.
    """
    decimals = _check_rounding(decimals, convention)
    target = _finite(target, "target")
    quantum = Decimal(1).scaleb(-decimals)
    with localcontext() as ctx:
        ctx.prec = 330 + decimals  # every digit of any double, and of the band's edges
        t = _quantize(target, decimals, convention)
        half = quantum / 2
        lo, hi = t - half, t + half
        # An edge belongs to the band when the float it becomes rounds to the target the way round_to
        # reads floats (its shortest repr): the same as the decimal edge itself, except for numbers so
        # large that the edges are the target's own float (1e30 +- 0.05 is 1e30).
        exact = lambda v: Decimal(repr(float(v))).quantize(quantum, rounding=ROUNDING[convention]) == t  # noqa: E731
        return Interval(float(lo), float(hi), exact(lo), exact(hi))


# Each activation's range (inf, sup) and inverse on it; ReLU is flat (0) for z <= 0.
_RANGES = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "leaky_relu": (-math.inf, math.inf), "relu": (0.0, math.inf)}


def _inverse(activation, y):
    if activation == "sigmoid":
        return math.log(y) - math.log1p(-y)
    if activation == "tanh":
        return math.atanh(y)
    if activation == "leaky_relu":
        return y if y >= 0 else y / neuron.LEAKY_RELU_SLOPE
    return y  # relu, for y > 0


def preimage(activation, band):
    """The pre-activations z whose output activation(z) lies in the Interval `band`.

    Every activation here is continuous and non-decreasing, so the answer is an interval.
    """
    _check_activation(activation)
    validate.instance(band, "band", Interval)
    if band.empty:
        return EMPTY
    inf_, sup_ = _RANGES[activation]
    lo, hi = band.low, band.high
    relu = activation == "relu"  # the only one that attains its infimum (0, on all z <= 0)
    # Lower end: "f(z) >= lo" (or "> lo") holds for every z once lo is at or below the range.
    if lo < inf_ or (lo == inf_ and (not relu or band.low_closed)):
        low, low_closed = -math.inf, False
    elif lo >= sup_:
        return EMPTY
    elif relu and lo == 0.0:
        low, low_closed = 0.0, False  # relu(z) > 0 exactly for z > 0
    else:
        low, low_closed = _inverse(activation, lo), band.low_closed
    # Upper end: no z is cut off once hi is at or above the range.
    if hi >= sup_:
        high, high_closed = math.inf, False
    elif hi < inf_ or (hi == inf_ and not (relu and band.high_closed)):
        return EMPTY
    elif relu and hi == 0.0:
        high, high_closed = 0.0, True  # relu(z) <= 0 exactly for z <= 0
    else:
        high, high_closed = _inverse(activation, hi), band.high_closed
    if low > high or (low == high and not (low_closed and high_closed)):
        return EMPTY
    return Interval(low, high, low_closed, high_closed)


def rounding_preimage(activation, target=EXAM_OBSERVED, decimals=EXAM_DECIMALS, convention="half_up"):
    """The pre-activations for which `activation` outputs a value that rounds to `target`.

    For 1.0 rounded half up: ReLU and leaky ReLU [0.95, 1.05), tanh [atanh(0.95), inf),
    sigmoid [logit(0.95), inf) = [ln 19, inf).
    """
    return preimage(activation, rounding_band(target, decimals, convention))


@dataclass(frozen=True)
class Reading:
    """One activation applied to the exam's neuron: pre-activation, output, its rounding."""

    activation: str
    z: float
    output: float
    rounded: float
    matches: bool


def readings(w=EXAM_WEIGHTS, b=EXAM_BIAS, x=EXAM_INPUT, observed=EXAM_OBSERVED,
             decimals=EXAM_DECIMALS, convention="half_up", activations=EXAM_OPTIONS):
    """Each activation's output for input x, weights w and bias b, and whether it rounds to `observed`."""
    x = validate.array(x, "x", nonempty=False)
    observed = _finite(observed, "observed")
    decimals = _check_rounding(decimals, convention)
    activations = validate.sequence(activations, "activations")
    for i, name in enumerate(activations):
        _check_activation(name, f"activations[{i}]")
    if x.ndim != 1:
        raise ValueError(f"x must be one input vector, got shape {x.shape}")
    with np.errstate(over="ignore", invalid="ignore"):
        z = float(neuron.pre_activation(x[None, :], w, _finite(b, "b"))[0])
    if not math.isfinite(z):
        raise ValueError("the pre-activation overflows to infinity: use smaller weights or inputs")
    out = []
    for name in activations:
        value = float(neuron.activation_function(name)(z))
        rounded = round_to(value, decimals, convention)
        out.append(Reading(name, z, value, rounded, rounded == round_to(observed, decimals, convention)))
    return out


def check_activations(answer, w=EXAM_WEIGHTS, b=EXAM_BIAS, x=EXAM_INPUT, observed=EXAM_OBSERVED,
                      decimals=EXAM_DECIMALS, convention="half_up"):
    """Say whether `answer` (activation names) is exactly the set that explains the observation."""
    answer = validate.names(answer, "answer", neuron.ACTIVATIONS, "{'tanh'}")
    found = readings(w, b, x, observed, decimals, convention)
    right = {r.activation for r in found if r.matches}
    lines = [
        f"{LABELS[r.activation]}: output {format_number(r.output)}, rounds to {r.rounded:.{decimals}f}"
        f" ({'matches' if r.matches else 'does not match'} {observed:.{decimals}f})"
        for r in found
    ]
    z = f"pre-activation z = {found[0].z:.6g}"
    if answer == right:
        return CheckResult(True, f"Right: {z}.\n" + "\n".join(lines))
    # Explain the wrong choices; only count the missing ones, so the check does not give the answer away.
    why = [f"{LABELS[r.activation]} cannot be it: output {format_number(r.output)} rounds to "
           f"{r.rounded:.{decimals}f}, not {observed:.{decimals}f}." for r in found if r.activation in answer - right]
    missing = len(right - answer)
    if missing:
        why.append(f"{missing} possible activation{'s are' if missing > 1 else ' is'} missing from your answer.")
    return CheckResult(False, f"Not yet: {z}.\n" + "\n".join(why))


def check_separating_z(z, rounds="relu", not_rounds="sigmoid", target=EXAM_OBSERVED,
                       decimals=EXAM_DECIMALS, convention="half_up"):
    """Say whether at pre-activation z `rounds` gives `target` (rounded) and `not_rounds` does not."""
    z = _finite(z, "z")
    _check_activation(rounds, "rounds")
    _check_activation(not_rounds, "not_rounds")
    yes = float(neuron.activation_function(rounds)(z))
    no = float(neuron.activation_function(not_rounds)(z))
    yes_ok = rounds_to(yes, target, decimals, convention)
    no_ok = not rounds_to(no, target, decimals, convention)
    detail = (
        f"at z = {z:g}: {LABELS[rounds]} outputs {format_number(yes)} (rounds to {round_to(yes, decimals, convention):.{decimals}f}), "
        f"{LABELS[not_rounds]} outputs {format_number(no)} (rounds to {round_to(no, decimals, convention):.{decimals}f})"
    )
    if yes_ok and no_ok:
        return CheckResult(True, f"Right: {detail}.")
    hint = []  # directions, not the answer
    if not yes_ok:
        hint.append(f"{LABELS[rounds]} must round to {target:.{decimals}f} at your z, and it does not.")
    if not no_ok:
        hint.append(f"{LABELS[not_rounds]} must not round to {target:.{decimals}f}, and it does.")
    return CheckResult(False, f"Not yet: {detail}.\n" + "\n".join(hint))


def check_threshold(activation, z, target=EXAM_OBSERVED, tol=1e-3, decimals=EXAM_DECIMALS, convention="half_up"):
    """Say whether z is, within tol, the smallest pre-activation at which `activation` rounds to `target`."""
    z = _finite(z, "z")
    tol = validate.tolerance(tol, "tol")
    interval = rounding_preimage(activation, target, decimals, convention)
    if interval.empty or not math.isfinite(interval.low):
        return CheckResult(False, f"{LABELS[activation]} has no smallest such pre-activation: the set is {interval}.")
    error = abs(z - interval.low)
    if error <= tol:
        return CheckResult(True, f"Right: {LABELS[activation]} rounds to {target:.{decimals}f} exactly for z in {interval}; "
                                 f"your {z:g} is {error:.2g} from its lower end.")
    out = float(neuron.activation_function(activation)(z))
    rounded = round_to(out, decimals, convention)
    reading = f"{LABELS[activation]}({z:g}) = {format_number(out)}, which rounds to {rounded:.{decimals}f}"
    if z < interval.low:
        return CheckResult(False, f"Not yet: {reading}; the threshold is larger (tolerance {tol:g}).")
    return CheckResult(False, f"Not yet: {reading}, but so does a smaller z: the threshold is smaller "
                              f"(tolerance {tol:g}).")


# Derivatives, as backpropagation computes them from the activation's output.

_TORCH_DTYPES = {"float64": torch.float64, "float32": torch.float32}


def _dtype_name(dtype):
    try:
        name = np.dtype(dtype).name if not isinstance(dtype, torch.dtype) else str(dtype).replace("torch.", "")
    except (TypeError, ValueError):
        name = None
    if dtype is None or name not in _TORCH_DTYPES:
        raise ValueError(f"dtype must be float64 or float32, got {dtype!r}")
    return name


def derivative(activation, z, dtype="float64"):
    """f'(z) element-wise, computed in `dtype` the way autograd does it.

    Sigmoid: s (1 - s) with s = sigmoid(z); tanh: 1 - tanh(z)^2; ReLU: 1 for z > 0, else 0;
    leaky ReLU: 1 for z > 0, else its slope. Once s or tanh(z) rounds to exactly 1, the
    derivative is exactly 0.
    """
    _check_activation(activation)
    dt = np.dtype(_dtype_name(dtype))
    z = validate.elementwise(z, "z").astype(dt)
    one = dt.type(1)
    if activation == "sigmoid":
        e = np.exp(-np.abs(z))  # never overflows
        s = np.where(z >= 0, one / (one + e), e / (one + e)).astype(dt)
        out = s * (one - s)
    elif activation == "tanh":
        t = np.tanh(z)
        out = one - t * t
    elif activation == "relu":
        out = (z > 0).astype(dt)
    else:
        out = np.where(z > 0, one, dt.type(neuron.LEAKY_RELU_SLOPE)).astype(dt)
    return out[()] if out.ndim == 0 else out


_TORCH_ACTIVATIONS = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda t: F.leaky_relu(t, negative_slope=neuron.LEAKY_RELU_SLOPE),
}


def autograd_derivative(activation, z, dtype="float64"):
    """f'(z) element-wise from PyTorch's autograd (torch.sigmoid, torch.tanh, relu, leaky_relu)."""
    _check_activation(activation)
    torch_fn = _TORCH_ACTIVATIONS[activation]
    zt = torch.tensor(validate.elementwise(z, "z"), dtype=_TORCH_DTYPES[_dtype_name(dtype)], requires_grad=True)
    torch_fn(zt).sum().backward()
    out = zt.grad.numpy()
    return out[()] if out.ndim == 0 else out


LOSSES = {
    "squared_error": "squared error (out - target)^2",
    "cross_entropy": "cross-entropy computed from the output probability",
    "cross_entropy_logits": "cross-entropy computed from the pre-activation (with logits)",
}


def weight_gradient(activation, loss="squared_error", target=0.0, w=EXAM_WEIGHTS, b=EXAM_BIAS, x=EXAM_INPUT):
    """(d,) gradient of one example's loss with respect to the weights, from autograd in float64.

    The cross-entropies need the sigmoid; "cross_entropy_logits" (PyTorch's
    binary_cross_entropy_with_logits) never forms the saturated output: its gradient with
    respect to z is sigmoid(z) - target.
    """
    _check_activation(activation)
    if not isinstance(loss, str) or loss not in LOSSES:
        raise ValueError(f"loss must be one of {', '.join(map(repr, LOSSES))}, got {loss!r}")
    if loss != "squared_error" and activation != "sigmoid":
        raise ValueError(f"the {loss} loss reads the output as a probability: it needs the sigmoid, not {activation}")
    target = _finite(target, "target")
    if loss != "squared_error" and not 0 <= target <= 1:
        raise ValueError(f"target must be a probability between 0 and 1 for the {loss} loss, got {target:g}")
    wt = torch.tensor(validate.array(w, "w"), requires_grad=True)
    xt = torch.tensor(validate.array(x, "x"))
    if wt.ndim != 1 or wt.shape != xt.shape:
        raise ValueError(f"w and x must be vectors of the same length, got shapes {tuple(wt.shape)} and {tuple(xt.shape)}")
    z = wt @ xt + _finite(b, "b")
    t = torch.tensor(target, dtype=torch.float64)
    if loss == "cross_entropy_logits":
        value = F.binary_cross_entropy_with_logits(z, t)
    else:
        out = _TORCH_ACTIVATIONS[activation](z)
        value = (out - t) ** 2 if loss == "squared_error" else F.binary_cross_entropy(out, t)
    value.backward()
    return wt.grad.numpy()


def log10_derivative(activation, z):
    """log10 of the exact f'(z), element-wise, valid far beyond float64's range (-inf where f' = 0).

    Sigmoid: f' = e^{-|z|} / (1 + e^{-|z|})^2; tanh: f' = 4 e^{-2|z|} / (1 + e^{-2|z|})^2.
    """
    _check_activation(activation)
    z = validate.elementwise(z, "z")
    a = np.abs(z)
    if activation == "sigmoid":
        ln = -a - 2 * np.log1p(np.exp(-a))
    elif activation == "tanh":
        ln = np.log(4.0) - 2 * a - 2 * np.log1p(np.exp(-2 * a))
    else:
        with np.errstate(divide="ignore"):
            ln = np.log(derivative(activation, z))  # 1, the slope, or 0 (log 0 = -inf, as documented)
    with np.errstate(divide="ignore"):
        out = np.asarray(ln / np.log(10.0))
    return out[()] if out.ndim == 0 else out


def vanishing_point(activation, dtype="float64", high=2000.0):
    """The smallest z > 0 at which autograd's f'(z) is exactly 0 in `dtype` (None if it never is).

    Found by bisection to the last bit: below it the gradient is tiny but non-zero.
    """
    _check_activation(activation)
    _dtype_name(dtype)
    high = validate.real(high, "high", above=0.0)
    if autograd_derivative(activation, high, dtype) != 0:
        return None
    low = 0.0
    while True:
        mid = 0.5 * (low + high)
        if mid in (low, high):
            return high
        if autograd_derivative(activation, mid, dtype) == 0:
            high = mid
        else:
            low = mid


SMALLEST_SUBNORMAL = {"float64": float(np.nextafter(0.0, 1.0)),
                      "float32": float(np.nextafter(np.float32(0), np.float32(1)))}


def format_number(value, digits=6):
    """A short label that keeps an exact 1.0 a decimal ("1.0", not "1"): '1035.35', '0.731059'."""
    value = validate._scalar(value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"value must be a number, got {validate.got(value)}")
    digits = validate.integer(digits, "digits", 1, 17)
    try:
        value = float(value)
    except OverflowError:
        value = math.inf if value > 0 else -math.inf
    text = f"{value:.{digits}g}"
    return text if any(c in text for c in ".eni") else text + ".0"


def exam_pre_activation():
    """1035.35: the exam neuron's weighted sum w . x + b."""
    return float(neuron.pre_activation(np.array([EXAM_INPUT]), EXAM_WEIGHTS, EXAM_BIAS)[0])


def parse_numbers(text, count=None, name="values"):
    """'7.3, 193.4, -30.2' -> (7.3, 193.4, -30.2): numbers separated by commas or spaces."""
    validate.text(name, "name")
    if count is not None:
        count = validate.size(count, "count", 1, validate.MAX_ITEMS)
    if not isinstance(text, str):
        raise TypeError(f"{name} must be text such as '1.5, -2', got {type(text).__name__}")
    parts = [p for p in text.replace(",", " ").replace(";", " ").split() if p]
    values = []
    for p in parts:
        try:
            v = float(p)
        except ValueError:
            raise ValueError(f"{name}: {p!r} is not a number; write numbers like 7.3 or -0.2, separated by commas") from None
        if not math.isfinite(v):
            raise ValueError(f"{name}: {p!r} is not a finite number")
        values.append(v)
    if not values:
        raise ValueError(f"{name}: enter at least one number")
    if count is not None and len(values) != count:
        raise ValueError(f"{name}: expected {count} number{'' if count == 1 else 's'}, got {len(values)}")
    return tuple(values)
