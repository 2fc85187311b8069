"""Explorer of I(B): choose an activation, edit the neuron, see whether its output rounds to 1.0."""

import ipywidgets as widgets

from .. import saturation
from ..plots.activations import plot_activation_reading
from .base import Explorer, html_table, image_widget, set_figure

_CONVENTIONS = [("half up: 0.95 -> 1.0, 1.05 -> 1.1", "half_up"), ("half even: 0.95 -> 1.0, 1.05 -> 1.0", "half_even")]


def _text(values):
    return ", ".join(f"{v:g}" for v in values)


class ActivationExplorer(Explorer):
    """Text fields for weights, bias and input; the pre-activation, each activation's output and its rounding."""

    def __init__(self, activation="sigmoid", w=saturation.EXAM_WEIGHTS, b=saturation.EXAM_BIAS,
                 x=saturation.EXAM_INPUT, observed=saturation.EXAM_OBSERVED):
        super().__init__()
        self.observed = observed
        self.activation = widgets.ToggleButtons(
            options=[(saturation.LABELS[a], a) for a in saturation.EXAM_OPTIONS], value=activation,
            description="activation", style={"button_width": "105px"})
        text = dict(continuous_update=False, layout=widgets.Layout(width="340px"))
        self.weights = widgets.Text(value=_text(w), description="weights", **text)
        self.bias = widgets.Text(value=f"{b:g}", description="bias", **text)
        self.inputs = widgets.Text(value=_text(x), description="input", **text)
        self.convention = widgets.Dropdown(options=_CONVENTIONS, value="half_up", description="rounding",
                                           layout=widgets.Layout(width="340px"))
        self.reset = widgets.Button(description="back to the exam's neuron", layout=widgets.Layout(width="220px"))
        self.summary = widgets.HTML()
        self.outputs = widgets.HTML()
        self.figure = image_widget()
        controls = widgets.VBox([self.activation, self.weights, self.bias, self.inputs, self.convention,
                                 self.reset, self.summary, self.outputs, self.message])
        self.ui = widgets.VBox([controls, self.figure])
        self.reset.on_click(self._reset)
        self._observe(self.activation, self.weights, self.bias, self.inputs, self.convention)
        self.z = self.output = self.rounded = self.derivative = None
        self.matches = False
        self.readings = []
        self.update()

    def _reset(self, *_):
        self.set_controls(
            (self.weights, _text(saturation.EXAM_WEIGHTS)),
            (self.bias, f"{saturation.EXAM_BIAS:g}"),
            (self.inputs, _text(saturation.EXAM_INPUT)),
        )

    def _update(self):
        w = saturation.parse_numbers(self.weights.value, name="weights")
        (b,) = saturation.parse_numbers(self.bias.value, count=1, name="bias")
        x = saturation.parse_numbers(self.inputs.value, count=len(w), name="input (one value per weight)")
        convention = self.convention.value
        found = saturation.readings(w, b, x, self.observed, convention=convention)
        chosen = next(r for r in found if r.activation == self.activation.value)
        self.readings = found
        self.z, self.output, self.rounded, self.matches = chosen.z, chosen.output, chosen.rounded, chosen.matches
        self.derivative = float(saturation.derivative(chosen.activation, chosen.z))
        mark = "&#10003;" if chosen.matches else "&#10007;"
        self.summary.value = (
            f"pre-activation <b>z = {chosen.z:.6g}</b>; {saturation.LABELS[chosen.activation]} outputs "
            f"<b>{saturation.format_number(chosen.output)}</b>, which rounds to <b>{chosen.rounded:.1f}</b> {mark} "
            f"{'matches' if chosen.matches else 'does not match'} the observed {self.observed:.1f}.<br>"
            f"Its derivative there (float64, as backpropagation computes it): {self.derivative:.3g}"
        )
        rows = [
            (saturation.LABELS[r.activation], saturation.format_number(r.output), f"{r.rounded:.1f}", "yes" if r.matches else "no",
             str(saturation.rounding_preimage(r.activation, self.observed, convention=convention)))
            for r in found
        ]
        chosen_row = [i for i, r in enumerate(found) if r.activation == chosen.activation]
        self.outputs.value = html_table(
            ["activation", "output", "rounded", f"= {self.observed:.1f}?", f"z that give {self.observed:.1f}"],
            rows, highlight=chosen_row)
        set_figure(self.figure, plot_activation_reading(chosen.activation, chosen.z, self.observed, convention=convention))
