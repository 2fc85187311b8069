"""Explorers of IV(C) to IV(E): when is x + q(x) invertible, and what a reversible stack costs and saves."""

import html

import ipywidgets as widgets
import torch

from .. import reversible
from ..memory import format_bytes
from ..plots.reversible import plot_residual_inverse, plot_saved_memory
from .base import Explorer, html_table, image_widget, set_figure

DEPTHS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
MODE_CHOICES = [(label, mode) for mode, label in reversible.MODE_LABELS.items()]


class ResidualInverseExplorer(Explorer):
    """Sliders for c and y: the preimages of y under x + c tanh(x), and whether fixed-point iteration finds one."""

    def __init__(self, c=-2.0, y=0.5, max_iterations=60):
        super().__init__()
        slider = dict(continuous_update=False, layout=widgets.Layout(width="320px", max_width="100%"))
        self.c = widgets.FloatSlider(value=c, min=-3, max=3, step=0.1, description="c", **slider)
        self.y = widgets.FloatSlider(value=y, min=-3, max=3, step=0.1, description="target y", **slider)
        self.max_iterations = max_iterations
        self.summary = widgets.HTML()
        self.figure = image_widget("100%")
        self.preimages = self.result = None
        self.ui = widgets.VBox([widgets.VBox([self.c, self.y]), self.message, self.summary, self.figure])
        self._observe(self.c, self.y)
        self.update()

    def _update(self):
        c, y = self.c.value, self.y.value
        self.preimages = reversible.tanh_residual_preimages(y, c)
        self.result = reversible.fixed_point_inverse(lambda x: c * torch.tanh(x), torch.tensor([y], dtype=torch.float64),
                                                     max_iterations=self.max_iterations)
        found = ", ".join(f"{x:.4f}" for x in self.preimages)
        injective = "injective (f' = 1 + c(1 − tanh² x) > 0)" if c > -1 else (
            "injective, but f'(0) = 0" if c == -1 else "not injective: f'(0) = 1 + c < 0")
        if self.result.converged:
            iteration = f"finds x = {float(self.result.x[0]):.4f} in {self.result.iterations} iterations"
        else:
            iteration = f"does not converge in {self.max_iterations} iterations"
        contraction = "a contraction, so Banach's theorem applies" if abs(c) < 1 else "not a contraction"
        self.summary.value = (
            f"<div style='line-height:1.7'>q(x) = {c:g} tanh(x) has Lipschitz constant {abs(c):g}: {contraction}.<br>"
            f"f(x) = x + q(x) is {html.escape(injective)}; f(x) = {y:g} for x = <b>{found}</b> "
            f"({len(self.preimages)} solution{'s' if len(self.preimages) != 1 else ''}).<br>"
            f"Fixed-point iteration x &larr; y &minus; q(x) from x = y {iteration}.</div>")
        set_figure(self.figure, plot_residual_inverse(c, y, self.result))


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
