"""Explorer of I(B): choose an activation, edit the neuron, see whether its output rounds to 1.0.

The explorer computes and draws in the browser (``js/activations.js``), so it also works on the
static page. ``activation_view`` computes, with ``dlexam.saturation``, every value it shows; the
explorer keeps it up to date for Python, and ``view_vectors`` lets the browser tests check the
page against it.
"""

import math

import numpy as np
import traitlets

from .. import neuron, saturation
from ..plots.activations import _CURVE, _Y_LIMITS
from ..plots.style import COLORS
from .base import Explorer
from .frontend import BrowserWidget, module_source

_CONVENTIONS = [("half up: 0.95 -> 1.0, 1.05 -> 1.1", "half_up"), ("half even: 0.95 -> 1.0, 1.05 -> 1.0", "half_even")]
_SYMLOG_TICKS = (-1e6, -1e4, -1000, -100, -10, -1, 0, 1, 10, 100, 1000, 1e4, 1e6)


def _text(values):
    return ", ".join(f"{v:g}" for v in values)


EXAM_TEXTS = {"weights": _text(saturation.EXAM_WEIGHTS), "bias": f"{saturation.EXAM_BIAS:g}",
              "inputs": _text(saturation.EXAM_INPUT)}


def activation_view(activation, weights, bias, inputs, convention="half_up", observed=saturation.EXAM_OBSERVED):
    """Every value the explorer shows for the fields' texts, keyed as on the page (data-value).

    Returns {"shown": {...}, "readings", "chosen", "derivative", "message", "kind"}; a bad field
    gives only a message (kind "error"), the library's own.
    """
    try:
        w = saturation.parse_numbers(weights, name="weights")
        (b,) = saturation.parse_numbers(bias, count=1, name="bias")
        x = saturation.parse_numbers(inputs, count=len(w), name="input (one value per weight)")
        found = saturation.readings(w, b, x, observed, convention=convention)
        chosen = next((r for r in found if r.activation == activation), None)
        if chosen is None:
            raise ValueError(f"activation must be one of {', '.join(map(repr, saturation.EXAM_OPTIONS))}, got {activation!r}")
    except (ValueError, TypeError) as err:
        return {"shown": {}, "message": str(err), "kind": "error"}
    derivative = float(saturation.derivative(chosen.activation, chosen.z))
    shown = {
        "z": chosen.z, "figure-z-label": chosen.z, "output": chosen.output, "figure-output": chosen.output,
        "rounded": chosen.rounded, "matches": "matches" if chosen.matches else "does not match", "derivative": derivative,
    }
    for r in found:
        shown[f"output-{r.activation}"] = r.output
        shown[f"rounded-{r.activation}"] = r.rounded
        shown[f"match-{r.activation}"] = "yes" if r.matches else "no"
        shown[f"preimage-{r.activation}"] = str(saturation.rounding_preimage(r.activation, observed, convention=convention))
    return {"shown": shown, "readings": found, "chosen": chosen, "derivative": derivative, "message": "", "kind": ""}


def _interval(interval):
    """A saturation.Interval as JSON (no infinities: JSON has none): ends, or None where unbounded."""
    finite = lambda v: v if math.isfinite(v) else None  # noqa: E731
    return {"empty": interval.empty, "low": None if interval.empty else finite(interval.low),
            "high": None if interval.empty else finite(interval.high), "text": str(interval)}


def frontend_config(observed=saturation.EXAM_OBSERVED, decimals=saturation.EXAM_DECIMALS):
    """The library's constants the JavaScript needs: labels, rounding bands, preimages, colours."""
    return {
        "options": list(saturation.EXAM_OPTIONS),
        "labels": saturation.LABELS,
        "observed": float(observed),
        "decimals": decimals,
        "slope": neuron.LEAKY_RELU_SLOPE,
        "conventions": [[value, label] for label, value in _CONVENTIONS],
        "bands": {c: _interval(saturation.rounding_band(observed, decimals, c)) for _, c in _CONVENTIONS},
        "preimages": {
            c: {a: _interval(saturation.rounding_preimage(a, observed, decimals, c)) for a in saturation.EXAM_OPTIONS}
            for _, c in _CONVENTIONS
        },
        "exam": EXAM_TEXTS,
        "ylim": list(_Y_LIMITS),
        "symlog_ticks": list(_SYMLOG_TICKS),
        "curve": _CURVE,
        "colors": COLORS,
    }


def view_vectors(count=160, seed=0):
    """[{"state", "shown", "message", "kind"}]: neurons, activations and roundings, and what the page must show.

    The exam's neuron under every activation and convention; pre-activations on the edges of the
    rounding band (0.95, 1.05 and their neighbours, logit(0.95), atanh(0.95)), zero, tiny and huge
    ones, overflow and bad fields; then `count` random neurons whose z spans 1e-8 to 1e6, seeded.
    """
    rng = np.random.default_rng(seed)
    states = []
    for a in saturation.EXAM_OPTIONS:
        for _, c in _CONVENTIONS:
            states.append({"activation": a, "convention": c, **EXAM_TEXTS})
    edges = [0.95, 1.05, np.nextafter(0.95, 0), np.nextafter(1.05, 2), 0.85, 1.15, -0.05, -0.04, 0.0, -0.0, 1e-300,
             math.log(19), math.atanh(0.95), 2.9444389791664403, 1.8317808230648225, 5, 20, 36.8, 37.5, 710, -710,
             1035.35, -1035.35, 95, 105, 1e300, -1e300, 123456.789]
    for k, z in enumerate(edges):
        for a in saturation.EXAM_OPTIONS:
            states.append({"activation": a, "convention": _CONVENTIONS[k % 2][1], "weights": repr(float(z)), "bias": "0",
                           "inputs": "1"})
    bad = [("1, two, 3", "8.3", "2.1, 5.2, -0.2"), ("7.3, 193.4, -30.2", "8.3", "1, 2"), ("1", "", "1"), ("1", "1, 2", "1"),
           ("1e308, 1e308, 0", "8.3", "10, 10, 0"), ("1", "0", "nan"), ("1; 2", "1_0", " 3 ,4 "), ("1", "inf", "1"),
           ("1e150, -1e150, 0", "-1e300", "1e150, 1e150, 1"), ("0x10", "0", "1"), ("1", "0", "1e-400")]
    for k, (w, b, x) in enumerate(bad):
        states.append({"activation": saturation.EXAM_OPTIONS[k % 4], "convention": "half_up", "weights": w, "bias": b, "inputs": x})
    for k in range(count):
        d = int(rng.integers(1, 5))
        z = float(rng.choice([-1, 1]) * 10 ** rng.uniform(-8, 6))
        w = rng.normal(size=d).round(int(rng.integers(0, 4)))
        x = rng.normal(size=d).round(3)
        b = round(z - float(w @ x), 4)
        states.append({"activation": saturation.EXAM_OPTIONS[k % 4], "convention": _CONVENTIONS[(k // 4) % 2][1],
                       "weights": _text(w), "bias": f"{b:g}", "inputs": _text(x)})
    vectors = []
    for s in states:
        view = activation_view(**s)
        vectors.append({"state": s, "shown": view["shown"], "noise": view_noise(s, view),
                        "message": view["message"], "kind": view["kind"]})
    return vectors


def view_noise(state, view):
    """Round-off the browser may differ by, per key of ``view["shown"]``; None: not comparable.

    The pre-activation is a sum whose order NumPy's matrix product chooses, so it agrees to a
    few ulps of the sum of the terms' sizes; where z lies within that of 0 or of an edge of a
    rounding band, the rounding and the verdicts built on it are round-off too.
    """
    if view["kind"] == "error":
        return {}
    w = saturation.parse_numbers(state["weights"])
    x = saturation.parse_numbers(state["inputs"])
    (b,) = saturation.parse_numbers(state["bias"])
    with np.errstate(over="ignore"):
        size = float(np.sum(np.abs(np.multiply(w, x)))) + abs(b)
    slack = 8 * np.finfo(float).eps * size
    z = view["chosen"].z
    # every activation has a slope of at most 1, so no output moves more than z does
    noise = {key: slack for key in view["shown"] if key.startswith(("z", "figure-z", "output", "figure-output"))}
    edges = [0.0]
    for interval in (saturation.rounding_preimage(a, convention=state["convention"]) for a in saturation.EXAM_OPTIONS):
        edges += [] if interval.empty else [e for e in (interval.low, interval.high) if math.isfinite(e)]
    if any(abs(z - e) <= slack for e in edges):
        for key in view["shown"]:
            if key.startswith(("rounded", "match", "derivative")):
                noise[key] = None
    return noise


class ActivationWidget(BrowserWidget):
    """The front-end: the activation, the fields' texts and the rounding; the rest is computed in JavaScript."""

    _esm = module_source("activations")
    activation = traitlets.Unicode("sigmoid").tag(sync=True)
    weights = traitlets.Unicode(EXAM_TEXTS["weights"]).tag(sync=True)
    bias = traitlets.Unicode(EXAM_TEXTS["bias"]).tag(sync=True)
    inputs = traitlets.Unicode(EXAM_TEXTS["inputs"]).tag(sync=True)
    convention = traitlets.Unicode("half_up").tag(sync=True)


class ActivationExplorer(Explorer):
    """Fields for weights, bias and input; the pre-activation, each activation's output and its rounding.

    Drive it from Python through ``explorer.widget`` (``activation``, ``weights``, ``bias``,
    ``inputs`` as typed, ``convention``) or ``reset``; ``shown`` holds what the page shows, the
    other attributes the library's results.
    """

    def __init__(self, activation="sigmoid", w=saturation.EXAM_WEIGHTS, b=saturation.EXAM_BIAS,
                 x=saturation.EXAM_INPUT, observed=saturation.EXAM_OBSERVED):
        super().__init__()
        self.observed = observed
        self.widget = ActivationWidget(activation=activation, weights=_text(w), bias=f"{b:g}", inputs=_text(x),
                                       config=frontend_config(observed))
        self.ui = self.widget
        self.widget.observe(self.update, names=["activation", "weights", "bias", "inputs", "convention"])
        self.z = self.output = self.rounded = self.derivative = None
        self.matches = False
        self.readings = []
        self.shown = {}
        self.update()

    def reset(self):
        """Back to the exam's neuron (the page's button)."""
        with self.widget.hold_sync():
            self._holding = True
            try:
                for name, text in EXAM_TEXTS.items():
                    setattr(self.widget, name, text)
            finally:
                self._holding = False
        self.update()

    def _update(self):
        self.z = self.output = self.rounded = self.derivative = None
        self.matches, self.readings = False, []
        w = self.widget
        view = activation_view(w.activation, w.weights, w.bias, w.inputs, w.convention, self.observed)
        self.shown = view["shown"]
        if view["kind"] == "error":
            raise ValueError(view["message"])
        chosen = view["chosen"]
        self.readings = view["readings"]
        self.z, self.output, self.rounded, self.matches = chosen.z, chosen.output, chosen.rounded, chosen.matches
        self.derivative = view["derivative"]
