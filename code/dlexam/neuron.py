"""A single neuron: activation functions, its output on a batch, and truth tables.

Question I(A) asks for sigmoid weights that reproduce a truth table; I(B) asks which
activation can turn a given pre-activation into 1.0. Both are computed here.

NaN: the activations (``sigmoid``, ``tanh``, ``relu``, ``leaky_relu``) are element-wise and pass
NaN and infinities through, as NumPy does; they refuse what is not numbers (None, text).
Everything else (pre-activations, truth tables, checks, fits) refuses NaN and infinities.
"""

from dataclasses import dataclass

import numpy as np

from . import validate
from .checks import CheckResult


def sigmoid(z):
    """Logistic function 1 / (1 + exp(-z)), stable for any float array (no overflow at +-1000)."""
    z = validate.elementwise(z, "z")
    out = np.empty_like(z)
    positive = z >= 0
    # exp of a negative number never overflows: use exp(-z) for z >= 0 and exp(z) otherwise.
    out[positive] = 1.0 / (1.0 + np.exp(-z[positive]))
    ez = np.exp(z[~positive])
    out[~positive] = ez / (1.0 + ez)
    return out[()] if out.ndim == 0 else out


def tanh(z):
    """Hyperbolic tangent, element-wise."""
    return np.tanh(validate.elementwise(z, "z"))


def relu(z):
    """max(0, z), element-wise."""
    return np.maximum(validate.elementwise(z, "z"), 0.0)


LEAKY_RELU_SLOPE = 0.01


def leaky_relu(z, slope=LEAKY_RELU_SLOPE):
    """z for z >= 0, slope * z otherwise (PyTorch's default slope 0.01)."""
    z = validate.elementwise(z, "z")
    slope = validate.real(slope, "slope")
    return np.where(z >= 0, z, slope * z)


ACTIVATIONS = {"sigmoid": sigmoid, "tanh": tanh, "relu": relu, "leaky_relu": leaky_relu}


def activation_function(name):
    """The activation called `name`, one of ACTIVATIONS."""
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(
            f"activation must be one of {', '.join(repr(a) for a in ACTIVATIONS)}, got {validate.got(name)}"
        )
    return ACTIVATIONS[name]


def pre_activation(x, w, b):
    """(n, d), (d,), scalar -> (n,): the weighted sum x @ w + b."""
    x = validate.array(x, "x", nonempty=False)
    w = validate.array(w, "w")
    if x.ndim != 2:
        raise ValueError(f"x must have shape (n, d), one input per row; got shape {x.shape}")
    if w.ndim != 1:
        raise ValueError(f"w must have shape (d,), one weight per input; got shape {w.shape}")
    if x.shape[1] != w.shape[0]:
        raise ValueError(
            f"x has {x.shape[1]} inputs per row but w has {w.shape[0]} weights: they must match"
        )
    if np.ndim(b) != 0:
        raise ValueError(f"b must be a scalar bias; got shape {np.shape(b)}")
    b = validate.real(b, "b")
    with np.errstate(over="ignore", invalid="ignore"):
        return x @ w + b


def neuron_output(x, w, b, activation="sigmoid"):
    """(n, d), (d,), scalar -> (n,): activation(x @ w + b)."""
    f = activation_function(activation)
    return f(pre_activation(x, w, b))


@dataclass(frozen=True)
class TruthTable:
    """A two-input truth table: inputs (n, 2) and the outputs (n,) a neuron should give."""

    name: str
    inputs: np.ndarray
    targets: np.ndarray

    def __post_init__(self):
        validate.text(self.name, "name")
        inputs = validate.array(self.inputs, "inputs", shape=(None, 2))
        targets = validate.array(self.targets, "targets", shape=(len(inputs),))
        if np.any((targets < 0) | (targets > 1)):
            raise ValueError(f"targets must be sigmoid outputs between 0 and 1, got {targets.tolist()}")
        # Keep the checked float arrays, so a table built from lists works wherever a built-in one does.
        object.__setattr__(self, "inputs", inputs)
        object.__setattr__(self, "targets", targets)


_CORNERS = np.array([[1, 1], [1, 0], [0, 1], [0, 0]], dtype=float)

TRUTH_TABLES = {
    "exam": TruthTable("exam", _CORNERS, np.array([0.0, 0.5, 0.5, 1.0])),
    "AND": TruthTable("AND", _CORNERS, np.array([1.0, 0.0, 0.0, 0.0])),
    "OR": TruthTable("OR", _CORNERS, np.array([1.0, 1.0, 1.0, 0.0])),
    "NAND": TruthTable("NAND", _CORNERS, np.array([0.0, 1.0, 1.0, 1.0])),
    "NOR": TruthTable("NOR", _CORNERS, np.array([0.0, 0.0, 0.0, 1.0])),
    "XOR": TruthTable("XOR", _CORNERS, np.array([0.0, 1.0, 1.0, 0.0])),
}

# The four options of I(A) as (w1, w2, b); the exam marks the first.
EXAM_OPTIONS = ((-10.0, -10.0, 10.0), (10.0, -10.0, -10.0), (-10.0, 10.0, 10.0), (10.0, 10.0, -10.0))
EXAM_ANSWER = 0


def truth_table(name):
    """The truth table called `name`, one of TRUTH_TABLES."""
    if isinstance(name, TruthTable):
        return name
    if not isinstance(name, str) or name not in TRUTH_TABLES:
        raise ValueError(f"truth table must be one of {', '.join(TRUTH_TABLES)}, got {validate.got(name)}")
    return TRUTH_TABLES[name]


def table_errors(w, b, table="exam"):
    """(2,), scalar -> (outputs (4,), absolute errors (4,)) of a sigmoid neuron on a truth table."""
    table = truth_table(table)
    outputs = neuron_output(table.inputs, w, b)
    return outputs, np.abs(outputs - table.targets)


DEFAULT_TOLERANCE = 0.05


def check_weights(table, w1, w2, b, tol=DEFAULT_TOLERANCE):
    """Say whether a sigmoid neuron with weights (w1, w2) and bias b reproduces `table`, and why."""
    table = truth_table(table)
    w1, w2, b = (validate.real(v, name) for v, name in ((w1, "w1"), (w2, "w2"), (b, "b")))
    tol = validate.tolerance(tol, "tol")
    outputs, errors = table_errors([w1, w2], b, table)
    wrong = [
        f"input ({int(x[0])}, {int(x[1])}): output {out:.3f}, target {t:g}, off by {err:.3f}"
        for x, t, out, err in zip(table.inputs, table.targets, outputs, errors)
        if err > tol
    ]
    if not wrong:
        return CheckResult(
            True,
            f"Right: w1={w1:g}, w2={w2:g}, b={b:g} reproduces {table.name} "
            f"(largest error {errors.max():.3g} <= {tol:g}).",
        )
    return CheckResult(
        False,
        f"Not yet: {len(wrong)} of {len(errors)} rows of {table.name} are off by more than {tol:g}:\n"
        + "\n".join(wrong),
    )


def check_smallest_scale(a, tol=0.01, step=0.01):
    """Say whether `a` is the smallest scale, to within `step`, for which weights (-a, -a, a) meet the exam's table within `tol`.

    Right when check_weights passes at `a` and fails at `a - step`.
    """
    a = validate.real(a, "a")
    tol = validate.tolerance(tol, "tol")
    step = validate.real(step, "step", above=0.0)
    here = check_weights("exam", -a, -a, a, tol=tol)
    below = check_weights("exam", -(a - step), -(a - step), a - step, tol=tol)
    if here and not below:
        return CheckResult(True, f"Right: a = {a:g} meets the table within {tol:g}, and a = {a - step:g} does not.")
    if not here:
        worst = table_errors([-a, -a], a, "exam")[1].max()
        return CheckResult(False, f"Not yet: with a = {a:g} the largest error is {worst:.4f} > {tol:g}; a must be larger.")
    return CheckResult(False, f"Not yet: a = {a - step:g} also meets the table within {tol:g}; look for a smaller a.")


def best_fit_on_grid(table, values):
    """Smallest largest-error any (w1, w2, b) from the grid values**3 achieves on `table`.

    Returns (max_error, (w1, w2, b)). A table that a single neuron can represent reaches
    an error near 0 on a wide enough grid; XOR never gets below 0.5.
    """
    table = truth_table(table)
    v = validate.array(values, "values", nonempty=False)
    if v.ndim != 1 or v.size == 0:
        raise ValueError("values must be a non-empty 1-D sequence of candidate weights")
    validate.work(8 * v.size**3, "values", validate.MAX_ELEMENTS, "numbers on the grid values**3")
    w1, w2, b = np.meshgrid(v, v, v, indexing="ij")
    params = np.stack([w1.ravel(), w2.ravel(), b.ravel()], axis=1)  # (G, 3)
    z = params[:, :2] @ table.inputs.T + params[:, 2:]  # (G, 4)
    max_err = np.abs(sigmoid(z) - table.targets).max(axis=1)  # (G,)
    best = int(np.argmin(max_err))
    return float(max_err[best]), tuple(float(p) for p in params[best])
