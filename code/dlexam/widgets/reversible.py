"""Explorers of IV(C) to IV(E): when is x + q(x) invertible, and what a reversible stack costs and saves.

``ResidualInverseExplorer`` computes in the browser (``js/residual_inverse.js``), so it also works
on the static page: a handful of float64 operations per setting, the preimages of y under
x + c tanh(x) (``reversible.tanh_residual_preimages``) and the fixed-point iteration
(``reversible.fixed_point_inverse``), repeated in JavaScript step for step. ``residual_inverse_view``
computes what the page shows with the library itself; ``residual_inverse_vectors`` writes the
browser tests' vectors and ``residual_inverse_noise`` the round-off they may differ by.
"""

import html
import math

import ipywidgets as widgets
import numpy as np
import torch
import traitlets

from .. import reversible
from ..memory import format_bytes
from ..plots.reversible import _iterations, _residual_inverse_titles, plot_saved_memory
from ..plots.style import COLORS
from .base import Explorer, html_table, image_widget, set_figure
from .frontend import BrowserWidget, _widget_setting, module_source

DEPTHS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
MODE_CHOICES = [(label, mode) for mode, label in reversible.MODE_LABELS.items()]

SLIDER_RANGE = (-3.0, 3.0, 0.1)  # the c and y sliders: from, to, step
MAX_ITERATIONS = 10_000  # as the explorer's constructor allows
EPS64 = float(np.finfo(np.float64).eps)
RESIDUAL_CONTROLS = ("c", "y", "max_iterations")


def _injectivity(c):
    return ("injective (f' = 1 + c(1 − tanh² x) > 0)" if c > -1 else
            "injective, but f'(0) = 0" if c == -1 else "not injective: f'(0) = 1 + c < 0")


def _check_setting(c, y, max_iterations):
    """ValueError/TypeError naming the control if a setting is out of the explorer's range."""
    low, high, _ = SLIDER_RANGE
    for name, value in (("c", c), ("y", y)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"{name} must be a number from {low:g} to {high:g}, got {type(value).__name__}")
        if not math.isfinite(value) or not low <= value <= high:
            raise ValueError(f"{name} must be a number from {low:g} to {high:g}, got {value!r}")
    if isinstance(max_iterations, bool) or not isinstance(max_iterations, int):
        raise TypeError(f"max_iterations must be a whole number from 1 to {MAX_ITERATIONS:,}, "
                        f"got {type(max_iterations).__name__}")
    if not 1 <= max_iterations <= MAX_ITERATIONS:
        raise ValueError(f"max_iterations must be a whole number from 1 to {MAX_ITERATIONS:,}, got {max_iterations}")


def residual_inverse_view(c, y, max_iterations=60):
    """What the page shows for c, y and max_iterations, keyed as on the page (data-value), computed by the library.

    {"shown": {...}, "message", "kind", "preimages" (the x with x + c tanh x = y), "result"
    (fixed_point_inverse's FixedPoint), "summary" (the sentence, as HTML)}; a setting out of
    range gives only a message (kind "error").
    """
    try:
        _check_setting(c, y, max_iterations)
    except (ValueError, TypeError) as err:
        return {"shown": {}, "message": str(err), "kind": "error"}
    c, y = float(c), float(y)
    preimages = reversible.tanh_residual_preimages(y, c)
    result = reversible.fixed_point_inverse(lambda x: c * torch.tanh(x), torch.tensor([y], dtype=torch.float64),
                                            max_iterations=max_iterations)
    contraction = "a contraction, so Banach's theorem applies" if abs(c) < 1 else "not a contraction"
    count = len(preimages)
    left_title, right_title = _residual_inverse_titles(c, y, count, result)
    shown = {"c": c, "y": y, "lipschitz": abs(c), "contraction": contraction, "injective": _injectivity(c),
             "preimages": count, "iterations": int(result.iterations), "max-iterations": int(max_iterations),
             "figure-left": left_title, "figure-right": right_title}
    shown.update({f"preimage-{i}": float(x) for i, x in enumerate(preimages)})
    if result.converged:
        shown["x"] = float(result.x[0])
    shown.update({f"residual-{k}": float(r) for k, r in enumerate(result.residuals)})
    found = ", ".join(f"{x:.4f}" for x in preimages)
    if result.converged:
        iteration = f"finds x = {float(result.x[0]):.4f} in {_iterations(result.iterations)}"
    else:
        iteration = f"does not converge in {_iterations(result.iterations)}"
    summary = (f"q(x) = {c:g} tanh(x) has Lipschitz constant {abs(c):g}: {contraction}.<br>"
               f"f(x) = x + q(x) is {html.escape(_injectivity(c))}; f(x) = {y:g} for x = <b>{found}</b> "
               f"({count} solution{'s' if count != 1 else ''}).<br>"
               f"Fixed-point iteration x &larr; y &minus; q(x) from x = y (at most {_iterations(max_iterations)}) {iteration}.")
    return {"shown": shown, "message": "", "kind": "", "preimages": preimages, "result": result, "summary": summary}


def residual_inverse_noise(view):
    """Round-off the browser may differ by, per key of ``view["shown"]``; None: not comparable.

    The page computes in float64 as the library does, but its tanh (Math.tanh) and PyTorch's may
    differ in the last bit. The preimages and x (shown with 4 decimals) agree to 1e-9. A converged
    iteration contracts such differences away, so its residuals agree to 1e-6 relatively, down to
    the round-off of the terms (a few ε times their size) where they reach it. Where the iteration
    does not converge (|c| > 1 is chaotic for most y) a difference of one ulp grows with every
    step: only the count of iterations and the verdict are compared, not the residuals.
    """
    shown = view["shown"]
    if not shown:
        return {}
    noise = {key: 1e-9 for key in shown if key.startswith("preimage-") or key == "x"}
    converged = "x" in shown
    floor = 64 * EPS64 * max(1.0, abs(shown["y"]), abs(shown["c"]))
    for key, value in shown.items():
        if key.startswith("residual-"):
            noise[key] = 1e-6 * abs(value) + floor if converged else None
    return noise


def residual_inverse_vectors(count=100, seed=0, max_iterations=60):
    """[{"state", "shown", "noise", "message", "kind"}]: slider settings and what the page must show.

    The edges c = -3, -1.1, -1, -0.9, 0, 1, 3 against y = -3, 0, 3 and a few more near the fold
    (c just below -1, where two preimages nearly meet); then ``count`` random settings of the
    sliders' grid (seeded).
    """
    rng = np.random.default_rng(seed)
    low, high, step = SLIDER_RANGE
    states = [(c, y) for c in (-3.0, -1.1, -1.0, -0.9, 0.0, 1.0, 3.0) for y in (-3.0, 0.0, 3.0)]
    states += [(-2.0, 0.5), (-1.1, 0.1), (-1.5, 0.3), (-2.5, 1.5), (-3.0, 2.1), (0.5, 1.0), (0.9, -2.7), (-0.5, 0.1)]
    steps = round((high - low) / step)
    for _ in range(count):
        c, y = (round(low + step * int(k), 1) for k in rng.integers(0, steps + 1, size=2))
        states.append((c, y))
    vectors = []
    for c, y in states:
        c, y = float(c) + 0.0, float(y) + 0.0  # no -0.0
        view = residual_inverse_view(c, y, max_iterations)
        vectors.append({"state": {"c": c, "y": y}, "shown": view["shown"], "noise": residual_inverse_noise(view),
                        "message": view["message"], "kind": view["kind"]})
    return vectors


def residual_inverse_config():
    """What the JavaScript needs: the sliders' range and the figure's colours."""
    return {"range": list(SLIDER_RANGE), "max_iterations": MAX_ITERATIONS, "colors": COLORS}


class ResidualInverseWidget(BrowserWidget):
    """The front-end: c, y and the iteration budget; the JavaScript computes and draws the rest."""

    _esm = module_source("residual_inverse")
    c = traitlets.Float(-2.0).tag(sync=True)
    y = traitlets.Float(0.5).tag(sync=True)
    max_iterations = traitlets.Int(60).tag(sync=True)


class ResidualInverseExplorer(Explorer):
    """Sliders for c and y: the preimages of y under x + c tanh(x), and whether fixed-point iteration finds one.

    Computes in the browser. Drive it from Python through ``explorer.widget`` (traits ``c``, ``y``,
    ``max_iterations``) or ``set``; ``preimages``, ``result`` (the FixedPoint of the iteration),
    ``summary`` (the sentence shown) and ``shown`` (every number the page shows) follow the controls.
    """

    def __init__(self, c=-2.0, y=0.5, max_iterations=60):
        super().__init__()
        self.widget = ResidualInverseWidget(c=float(c), y=float(y), max_iterations=max_iterations,
                                            config=residual_inverse_config())
        self.ui = self.widget
        self.view, self.shown = {}, {}
        self.widget.observe(self.update, names=list(RESIDUAL_CONTROLS))
        self.update()

    c = _widget_setting("c")
    y = _widget_setting("y")
    max_iterations = _widget_setting("max_iterations")

    @property
    def preimages(self):
        """The x with x + c tanh(x) = y (tanh_residual_preimages), sorted; None after a bad setting."""
        return self.view.get("preimages")

    @property
    def result(self):
        """fixed_point_inverse's FixedPoint for the current c and y; None after a bad setting."""
        return self.view.get("result")

    @property
    def summary(self):
        """The sentence the page shows (HTML)."""
        return self.view.get("summary", "")

    def figure(self):
        """The matplotlib figure the page draws (plot_residual_inverse), for the current setting."""
        from ..plots.reversible import plot_residual_inverse

        if not self.view:
            raise ValueError(self.message.value or "no valid setting to draw")
        return plot_residual_inverse(self.c, self.y, self.result)

    def set(self, **values):
        """Set several of c, y and max_iterations at once (one update)."""
        self._set_traits(RESIDUAL_CONTROLS, values)

    def _update(self):
        self.view, self.shown = {}, {}
        w = self.widget
        view = residual_inverse_view(w.c, w.y, w.max_iterations)
        if view["kind"] == "error":
            raise ValueError(view["message"])
        self.view, self.shown = view, view["shown"]


class ReversibleStackExplorer(Explorer):
    """Depth, dtype and mode of a stack of coupling blocks -> saved memory, time and reconstruction error."""

    def __init__(self, depth=64, dtype="float32", mode="reversible", config=None):
        super().__init__()
        self.lab = reversible.StackLab(config)
        depths = [L for L in DEPTHS if L <= self.lab.config.max_depth]
        self.depth = widgets.SelectionSlider(options=depths, value=depth if depth in depths else depths[-1],
                                             description="depth L", continuous_update=False,
                                             layout=widgets.Layout(width="360px", max_width="100%"))
        self.dtype = widgets.ToggleButtons(options=list(reversible.DTYPES), value=dtype, description="dtype",
                                           style={"button_width": "80px"})
        self.mode = widgets.ToggleButtons(options=MODE_CHOICES, value=mode, description="mode",
                                          style={"button_width": "100px"})
        self.summary = widgets.HTML()
        self.figure = image_widget("100%")
        self.measurement = None
        c = self.lab.config
        note = widgets.HTML(f"<small>A stack of additive coupling blocks, width d = {c.d}, batch B = {c.batch}, "
                            f"{c.hidden} hidden units per MLP; times on one thread, ordinary runs cached.</small>")
        self.ui = widgets.VBox([self.depth, self.dtype, self.mode, note, self.message, self.summary, self.figure])
        self._observe(self.depth, self.dtype, self.mode)
        self.update()

    def _update(self):
        self.measurement = m = self.lab.measure(self.depth.value, self.dtype.value, self.mode.value, repeats=1)
        ordinary = self.lab.saved_curves(m.dtype, self.depth.options)["store"][list(self.depth.options).index(m.depth)]
        rows = [
            ["activations saved for backward", format_bytes(m.saved.activations),
             f"{100 * m.saved.activations / ordinary:.3g}% of ordinary"],
            ["parameters autograd keeps a reference to", format_bytes(m.saved.parameters), "no extra memory"],
            ["forward + backward time", f"{1e3 * m.seconds:.1f} ms", f"{m.time_ratio:.2f}x ordinary"],
            ["max |x − f⁻¹(f(x))|", f"{m.round_trip_error:.1e}", f"{m.dtype} epsilon {torch.finfo(reversible.DTYPES[m.dtype]).eps:.1e}"],
            ["relative gradient error", f"{m.gradient_error:.1e}",
             "against float64 backprop" + (" (inputs reconstructed)" if m.mode == "reversible" else "")],
        ]
        self.summary.value = (f"<b>{reversible.MODE_LABELS[m.mode]}</b>, L = {m.depth}, {m.dtype}:"
                              + html_table(["quantity", "value", "compared with"], rows))
        curves = self.lab.saved_curves(m.dtype, self.depth.options)
        set_figure(self.figure, plot_saved_memory(self.depth.options, curves, highlight=(m.depth, m.mode)))
