"""Explorer of I(A): tune a sigmoid neuron's weights against a truth table."""

import ipywidgets as widgets
import numpy as np

from .. import neuron
from ..plots.neuron import plot_truth_table_surface
from .base import Explorer, html_table, image_widget, set_figure

_OPTION_LABELS = ["custom"] + [
    f"exam option {'ABCD'[i]}: w1={w1:g}, w2={w2:g}, b={b:g}"
    for i, (w1, w2, b) in enumerate(neuron.EXAM_OPTIONS)
]


class TruthTableExplorer(Explorer):
    """Sliders for w1, w2, b; the four outputs against the target, the error, the surface."""

    def __init__(self, w1=-10.0, w2=-10.0, b=10.0, table="exam", limit=30.0):
        super().__init__()
        slider = dict(min=-limit, max=limit, step=0.5, continuous_update=False,
                      layout=widgets.Layout(width="320px"))
        self.w1 = widgets.FloatSlider(value=w1, description="w1", **slider)
        self.w2 = widgets.FloatSlider(value=w2, description="w2", **slider)
        self.b = widgets.FloatSlider(value=b, description="b", **slider)
        self.option = widgets.Dropdown(options=_OPTION_LABELS, value="custom", description="snap to",
                                       layout=widgets.Layout(width="420px"))
        self.table = widgets.Dropdown(options=list(neuron.TRUTH_TABLES), value=neuron.truth_table(table).name,
                                      description="table")
        self.outputs = widgets.HTML()
        self.summary = widgets.HTML()
        self.figure = image_widget()
        controls = widgets.VBox([self.option, self.table, self.w1, self.w2, self.b, self.summary, self.outputs, self.message])
        self.ui = widgets.HBox([controls, self.figure], layout=widgets.Layout(flex_flow="row wrap"))
        self.option.observe(self._snap, names="value")
        for control in (self.w1, self.w2, self.b):
            control.observe(self._changed, names="value")
        self.table.observe(self.update, names="value")
        self.update()

    def _snap(self, change):
        if change["new"] != "custom":
            option = neuron.EXAM_OPTIONS[_OPTION_LABELS.index(change["new"]) - 1]
            self.set_controls(*zip((self.w1, self.w2, self.b), option))

    def _changed(self, change):
        self.leave_preset(self.option)  # the sliders no longer sit on an exam option

    def _update(self):
        w1, w2, b = self.w1.value, self.w2.value, self.b.value
        table = neuron.truth_table(self.table.value)
        outputs, errors = neuron.table_errors([w1, w2], b, table)
        z = neuron.pre_activation(table.inputs, [w1, w2], b)
        rows = [
            (f"({int(x[0])}, {int(x[1])})", f"{t:g}", f"{zi:+.2f}", f"{out:.4f}", f"{err:.3g}")
            for x, t, zi, out, err in zip(table.inputs, table.targets, z, outputs, errors)
        ]
        bad = [i for i, e in enumerate(errors) if e > neuron.DEFAULT_TOLERANCE]
        self.outputs.value = html_table(["input", "target", "z", "output", "|error|"], rows, highlight=bad)
        verdict = neuron.check_weights(table, w1, w2, b)
        mark = "&#10003;" if verdict.correct else "&#10007;"
        self.summary.value = (
            f"<b>largest error {errors.max():.3g}</b>, mean squared error {np.mean(errors**2):.3g} "
            f"{mark} {'reproduces' if verdict.correct else 'does not reproduce'} {table.name} "
            f"within {neuron.DEFAULT_TOLERANCE:g}"
        )
        self.errors = errors
        set_figure(self.figure, plot_truth_table_surface(w1, w2, b, table))
