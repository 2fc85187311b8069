"""Explorers of IV(A) and IV(B): one SGD step sub-step by sub-step, and what autograd saves as L, B, d vary."""

import contextlib
import html

import ipywidgets as widgets
import torch

from .. import backprop, memory
from ..plots.backprop import plot_sgd_progress
from ..plots.style import COLORS, book_style, new_figure
from .base import Explorer, PRIMARY_BUTTON, html_table, image_widget, set_figure

MAX_BATCH = 128
MAX_STEPS_AT_ONCE = 100


class SGDStepExplorer(Explorer):
    """IV(A): a small dense tanh network (L = 3, d = 8) learns a teacher; step through SGD one sub-step at a time.

    "next sub-step" reveals the five sub-steps of one step in turn; "finish the step" and
    "10 steps" run on. Batch size and learning rate apply from the next step on.
    """

    def __init__(self, batch_size=16, lr=0.5, seed=0, layers=3, width=8, n=256, steps=0, substep=0):
        super().__init__()
        self.layers, self.width, self.n = (backprop._check_int(v, name) for v, name in
                                           ((layers, "layers"), (width, "width"), (n, "n")))
        self.batch_size = widgets.IntSlider(value=batch_size, min=1, max=MAX_BATCH, description="batch B",
                                            continuous_update=False)
        self.lr = widgets.FloatLogSlider(value=lr, base=10, min=-2, max=0.5, step=0.05, description="rate α",
                                         continuous_update=False, readout_format=".3f")
        self.seed = widgets.BoundedIntText(value=seed, min=0, max=10_000, description="seed",
                                           layout=widgets.Layout(width="170px", max_width="100%"))
        self.next_button = widgets.Button(description="next sub-step", icon="step-forward", style=PRIMARY_BUTTON)
        self.finish_button = widgets.Button(description="finish the step", icon="forward")
        self.run_button = widgets.Button(description="10 steps", icon="fast-forward")
        self.reset_button = widgets.Button(description="reset", icon="undo")
        self.status = widgets.HTML()
        self.details = widgets.HTML()
        self.table = widgets.HTML()
        self.figure = image_widget()
        buttons = widgets.HBox([self.next_button, self.finish_button, self.run_button, self.reset_button],
                               layout=widgets.Layout(flex_flow="row wrap"))
        controls = widgets.HBox([self.batch_size, self.lr, self.seed], layout=widgets.Layout(flex_flow="row wrap"))
        self.ui = widgets.VBox([controls, buttons, self.message, self.status, self.details, self.table, self.figure])
        self.next_button.on_click(lambda _: self.attempt(self.next_substep))
        self.finish_button.on_click(lambda _: self.attempt(self.finish_step))
        self.run_button.on_click(lambda _: self.attempt(lambda: self.run_steps(10)))
        self.reset_button.on_click(lambda _: self.attempt(self.reset))
        self.seed.observe(lambda _: self.attempt(self.reset), names="value")
        self.batch_size.observe(self._settings_changed, names="value")
        self.lr.observe(self._settings_changed, names="value")
        with self._one_update():
            self.reset()
            if steps:
                self.run_steps(steps)
            for _ in range(backprop._check_int(substep, "substep", 0)):
                self.next_substep()

    @contextlib.contextmanager
    def _one_update(self):
        """Hold every redraw inside the block and draw once at its end (unless already held)."""
        if self._holding:
            yield
            return
        self._holding = True
        try:
            yield
        finally:
            self._holding = False
        self.update()

    def reset(self):
        """A fresh network, data set and generator from the seed; no step taken."""
        generator = torch.Generator().manual_seed(int(self.seed.value))
        widths = backprop.exam_widths(self.layers, self.width)
        self.X, self.Y = backprop.make_regression_data(self.n, widths, generator)
        self.params = backprop.init_params(widths, generator)
        self.generator = generator
        self.trace = None  # the SGDStep being shown
        self.substep = 0  # 0: no step under way; 1..5: that sub-step is done
        self.steps = 0
        self.history = []  # (step, batch loss, loss on all data after the step)
        self.initial_loss = backprop.dataset_loss(self.params, self.X, self.Y)
        self.update()

    def _settings_changed(self, _change):
        if 0 < self.substep < 5:
            self.show_message("The new setting applies from the next step on.", kind="info")
        else:
            self.update()

    def next_substep(self):
        """Reveal the next sub-step; the first one draws a batch and computes the whole step."""
        if self.substep in (0, 5):
            self.trace = backprop.sgd_step(self.params, self.X, self.Y, self.batch_size.value, self.lr.value,
                                           self.generator)
            self.substep = 1
        else:
            self.substep += 1
        if self.substep == 5:
            self.params = self.trace.new_params
            self.steps += 1
            self.history.append((self.steps, self.trace.loss, backprop.dataset_loss(self.params, self.X, self.Y)))
        self.update()

    def finish_step(self):
        """Run the sub-steps left in this step (or one whole step)."""
        with self._one_update():
            self.next_substep()
            while self.substep != 5:
                self.next_substep()

    def run_steps(self, count):
        """Take ``count`` whole SGD steps."""
        count = backprop._check_int(count, "count")
        if count > MAX_STEPS_AT_ONCE:
            raise ValueError(f"count must be at most {MAX_STEPS_AT_ONCE} steps at once, got {count}")
        with self._one_update():
            if 0 < self.substep < 5:
                self.finish_step()
                count -= 1
            for _ in range(count):
                self.finish_step()

    def _describe(self):
        t = self.trace
        k, L = self.substep, self.layers
        if k == 0:
            return (f"A network of {L} dense tanh blocks of width {self.width} and a data set of {self.n} examples. "
                    f"Loss on all data: {self.initial_loss:.4f}. Press “next sub-step”.")
        B = t.x.shape[0]
        if k == 1:
            shown = ", ".join(str(int(i)) for i in t.indices[:12]) + (", …" if B > 12 else "")
            repeats = B - len(set(t.indices.tolist()))
            return (f"Drew {B} indices i.i.d. from 0..{self.n - 1}: {shown}. "
                    f"{repeats} draw{'s' if repeats != 1 else ''} repeat{'' if repeats != 1 else 's'} "
                    "an earlier one: sampling with replacement.")
        if k == 2:
            return (f"Computed z_1 … z_{L} for all {B} examples at once, each a ({B}, {self.width}) matrix, "
                    "and kept them: backpropagation needs z_(l−1) for dW_l and z_l for tanh' = 1 − z_l².")
        if k == 3:
            return (f"Averaged the {B} per-example losses: L̂ = (1/{B}) Σ_(i=1..{B}) ℓ(z_L^(i)) = {t.loss:.4f} "
                    f"(the largest single loss is {float(t.losses.max()):.4f}).")
        if k == 4:
            norms = ", ".join(f"{v:.3g}" for v in t.gradients.norms())
            per_example = backprop.per_example_gradients(t.params, t.x, t.y).nbytes
            return (f"Walked back from z_{L} to z_1: ‖dW_l‖ = {norms}. The gradient of the average takes "
                    f"{memory.format_bytes(t.gradients.nbytes)}; the {B} per-example gradients, never formed, "
                    f"would take {memory.format_bytes(per_example)}.")
        loss_now = self.history[-1][2]
        return (f"θ_new = θ_old − {t.lr:.3g} · ∇L̂: the parameters moved by {t.update_norm:.3g}. "
                f"Loss on all data: {loss_now:.4f} after {self.steps} step{'s' if self.steps != 1 else ''} "
                f"(started at {self.initial_loss:.4f}).")

    def _update(self):
        k = self.substep
        if k == 0:
            self.status.value = f"<b>Step {self.steps + 1}</b>, not started"
        else:
            step = self.steps if k == 5 else self.steps + 1
            self.status.value = (f"<b>Step {step}, sub-step {k} of 5:</b> "
                                 f"{html.escape(backprop.SUBSTEPS[k - 1])}")
        self.details.value = f"<div>{html.escape(self._describe())}</div>"
        if self.trace is not None and k > 0:
            rows = [(r.name, r.shapes, memory.format_bytes(r.bytes)) for r in backprop.held_in_memory(self.trace, k)]
            self.table.value = ("<div>Held in memory now (float64):</div>"
                                + html_table(["what", "shapes", "bytes"], rows))
        else:
            self.table.value = ""
        set_figure(self.figure, plot_sgd_progress(self.layers, k, self.history))


# IV(B)

FIT_GRID = dict(layers=[1, 2, 4, 8], batch_sizes=[1, 8], widths=[4, 16])
SWEEP_LAYERS = (1, 2, 4, 8, 16, 32)
MAX_LAYERS, MAX_BATCH_SIZE, MAX_WIDTH = 48, 2048, 4096


class SavedBytesExplorer(Explorer):
    """IV(B): L, B, d and the activation in; what autograd saves (measured), the exam's O(LBd) and the fit out."""

    def __init__(self, layers=8, batch_size=64, width=256, activation="tanh"):
        super().__init__()
        self.layers = widgets.IntSlider(value=layers, min=1, max=MAX_LAYERS, description="blocks L",
                                        continuous_update=False)
        self.batch_size = widgets.IntSlider(value=batch_size, min=1, max=MAX_BATCH_SIZE, description="batch B",
                                            continuous_update=False)
        self.width = widgets.IntSlider(value=width, min=1, max=MAX_WIDTH, description="width d",
                                       continuous_update=False)
        self.activation = widgets.Dropdown(options=list(backprop.ACTIVATIONS), value=activation,
                                           description="activation")
        self.summary = widgets.HTML()
        self.table = widgets.HTML()
        self.figure = image_widget()
        wrap = widgets.Layout(flex_flow="row wrap")
        controls = widgets.VBox([widgets.HBox([self.layers, self.batch_size], layout=wrap),
                                 widgets.HBox([self.width, self.activation], layout=wrap)])
        self.ui = widgets.VBox([controls, self.message, self.summary, self.table, self.figure])
        self._measured = {}
        self._fits = {}
        self.measurement = self.fit = None
        self._observe(self.layers, self.batch_size, self.width, self.activation)
        self.update()

    def measure(self, layers, batch_size, width, activation):
        """backprop.stack_saved_bytes, remembered: moving one slider re-measures only what changed."""
        key = (layers, batch_size, width, activation)
        if key not in self._measured:
            self._measured[key] = backprop.stack_saved_bytes(layers, batch_size, width, activation)
        return self._measured[key]

    def fit_for(self, activation):
        """The least-squares fit a·LBd + b·Bd of the activation bytes, on a small grid, once per activation."""
        if activation not in self._fits:
            grid = backprop.saved_bytes_grid(FIT_GRID["layers"], FIT_GRID["batch_sizes"], FIT_GRID["widths"],
                                             activation)
            self._fits[activation] = backprop.fit_activation_bytes(grid)
        return self._fits[activation]

    def _update(self):
        L, B, d, act = self.layers.value, self.batch_size.value, self.width.value, self.activation.value
        limits = (("blocks L", L, MAX_LAYERS), ("batch B", B, MAX_BATCH_SIZE), ("width d", d, MAX_WIDTH))
        for name, value, top in limits:
            if not 1 <= value <= top:
                self.measurement = None
                raise ValueError(f"{name} must be between 1 and {top}, got {value}")
        m = self.measure(L, B, d, act)
        fit = self.fit_for(act)
        a, b = fit.coefficients
        exam = backprop.exam_prediction_bytes(L, B, d)
        fitted = float(fit.predict([[L * B * d, B * d]])[0])
        self.measurement, self.fit, self.exam_bytes, self.fitted_bytes = m, fit, exam, fitted
        self.summary.value = (
            f"<b>{memory.format_bytes(m.activation_bytes)}</b> of activations saved for backward "
            f"({m.activation_bytes:,} bytes, {m.tensors} tensors packed), "
            f"<b>{m.activation_bytes / exam:.2f}×</b> the exam's L·B·d numbers."
        )
        rows = [
            ("measured: activations (new memory)", f"{m.activation_bytes:,}", memory.format_bytes(m.activation_bytes)),
            ("measured: saved weights (views of the parameters)", f"{m.parameter_bytes:,}",
             memory.format_bytes(m.parameter_bytes)),
            ("exam's O(LBd): L·B·d × 4 bytes", f"{exam:,}", memory.format_bytes(exam)),
            (f"fit: {a:.2f}·LBd + {b:.2f}·Bd bytes", f"{fitted:,.0f}", memory.format_bytes(fitted)),
        ]
        self.table.value = html_table(["", "bytes", ""], rows, highlight=[0])
        set_figure(self.figure, self._plot(L, B, d, act, fit))

    def _plot(self, L, B, d, act, fit):
        Ls = sorted(set(l for l in SWEEP_LAYERS if l <= MAX_LAYERS) | {L})
        measured = [self.measure(l, B, d, act) for l in Ls]
        fig, ax = new_figure(figsize=(6.4, 3.4))
        a, b = fit.coefficients
        top = max(max(m.activation_bytes for m in measured), backprop.exam_prediction_bytes(max(Ls), B, d))
        size, unit = next(((s, u) for s, u in ((2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")) if top >= 2 * s),
                          (1, "bytes"))
        with book_style():
            ax.plot(Ls, [m.activation_bytes / size for m in measured], "o", color=COLORS["blue"], label="measured")
            ax.plot(Ls, [(a * l * B * d + b * B * d) / size for l in Ls], "-", color=COLORS["blue"], lw=1,
                    label=f"fit {a:.2f}·LBd + {b:.2f}·Bd")
            ax.plot(Ls, [backprop.exam_prediction_bytes(l, B, d) / size for l in Ls], "--", color=COLORS["orange"],
                    label="exam: L·B·d × 4 bytes")
            current = self.measure(L, B, d, act)
            ax.plot([L], [current.activation_bytes / size], "o", ms=12, mfc="none", color=COLORS["red"],
                    label=f"L = {L}")
            ax.set_xlabel("blocks L")
            ax.set_ylabel(f"saved for backward ({unit})")
            ax.set_title(f"{act} blocks, B = {B}, d = {d}, float32", fontsize=10)
            ax.legend(fontsize=8)
        return fig
