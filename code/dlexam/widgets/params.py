"""Explorer of I(D): an image shape and layer widths in, every layer's parameters out."""

import re

import ipywidgets as widgets

from .. import params
from ..plots.params import plot_parameter_breakdown
from .base import Explorer, html_table, image_widget, set_figure

# Beyond these the explorer stops: the counts would still be right, but such a network is a
# typing mistake far more often than a plan.
MAX_WIDTH = 1_000_000
MAX_LAYERS = 12
MAX_SIDE = 10_000
MAX_CHANNELS = 1_000

PRESETS = {
    "I(D): 28×28 grayscale → 512 → 10": ((28, 28, 1), "512, 10"),
    "III(A)'s MLP: 20 particles × 3 → 128 → 128 → 64 → 32 → 1": ((20, 3, 1), "128, 128, 64, 32, 1"),
    "224×224 colour image → 4096 → 1000": ((224, 224, 3), "4096, 1000"),
}
CUSTOM = "custom"


def parse_widths(text):
    """"512, 10" -> [512, 10]: the widths of the hidden and output layers, checked.

    Commas and/or spaces separate the widths. ValueError, with a message saying what to
    change, for empty text, anything not a whole number, widths below 1 or above MAX_WIDTH,
    and more than MAX_LAYERS layers.
    """
    if not isinstance(text, str):
        raise TypeError(f"the layer widths must be text such as '512, 10', got {type(text).__name__}")
    tokens = [t for t in re.split(r"[,\s;]+", text.strip()) if t]
    if not tokens:
        raise ValueError(
            "Enter the widths of the hidden and output layers, separated by commas, such as 512, 10."
        )
    widths = []
    for token in tokens:
        if not re.fullmatch(r"[+-]?\d[\d_]*", token):
            raise ValueError(f"'{token}' is not a whole number: layer widths count neurons, such as 512.")
        widths.append(int(token))
    for i, width in enumerate(widths, start=1):
        if width < 1:
            raise ValueError(f"layer {i} has width {width}: every layer needs at least 1 neuron.")
        if width > MAX_WIDTH:
            raise ValueError(
                f"layer {i} has {width:,} neurons: this explorer stops at {MAX_WIDTH:,} per layer."
            )
    if len(widths) > MAX_LAYERS:
        raise ValueError(f"{len(widths)} layers: this explorer shows at most {MAX_LAYERS}.")
    return widths


def check_image_shape(height, width, channels):
    """ints -> (height, width, channels), checked against the explorer's limits."""
    shape = []
    for name, value, limit in (("height", height, MAX_SIDE), ("width", width, MAX_SIDE),
                               ("channels", channels, MAX_CHANNELS)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"the image {name} must be a whole number, got {value!r}")
        if value < 1:
            raise ValueError(f"the image {name} must be at least 1, got {value}.")
        if value > limit:
            raise ValueError(f"an image {name} of {value:,} is beyond this explorer: at most {limit:,}.")
        shape.append(value)
    return tuple(shape)


def format_bytes(n):
    """int -> str: a byte count in B, KiB, MiB or GiB (binary units)."""
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:,.2f} {unit}"
    return f"{n} B"


class ParameterCountExplorer(Explorer):
    """Image shape and layer widths in; a table of weights and biases per layer and the total out."""

    def __init__(self, height=28, width=28, channels=1, widths="512, 10"):
        super().__init__()
        box = widgets.Layout(width="190px")
        self.height = widgets.IntText(value=height, description="height", layout=box)
        self.width = widgets.IntText(value=width, description="width", layout=box)
        self.channels = widgets.IntText(value=channels, description="channels", layout=box)
        self.widths = widgets.Text(value=widths, description="layers", continuous_update=False,
                                   placeholder="512, 10", layout=widgets.Layout(width="380px"))
        start = next((k for k, v in PRESETS.items() if v == ((height, width, channels), widths)), CUSTOM)
        self.preset = widgets.Dropdown(options=[CUSTOM, *PRESETS], value=start, description="network",
                                       layout=widgets.Layout(width="500px"))
        self.summary = widgets.HTML()
        self.table = widgets.HTML()
        self.options_table = widgets.HTML()
        self.figure = image_widget()
        hint = widgets.HTML(
            '<span style="font-size:0.85em">layers: widths of the hidden layers and the output '
            "layer, separated by commas</span>"
        )
        controls = widgets.VBox([
            self.preset,
            widgets.HBox([self.height, self.width, self.channels], layout=widgets.Layout(flex_flow="row wrap")),
            self.widths, hint, self.message, self.summary, self.table, self.options_table,
        ])
        self.ui = widgets.VBox([controls, self.figure])
        self.preset.observe(self._pick, names="value")
        for control in (self.height, self.width, self.channels, self.widths):
            control.observe(self._changed, names="value")
        self.update()

    total = None
    torch_total = None
    layers = ()

    def _pick(self, change):
        if change["new"] == CUSTOM:
            return
        (h, w, c), widths = PRESETS[change["new"]]
        self.set_controls((self.height, h), (self.width, w), (self.channels, c), (self.widths, widths))

    def _changed(self, change):
        self.leave_preset(self.preset, CUSTOM)  # the fields no longer show the preset

    def _clear(self):
        self.total = self.torch_total = None
        self.layers = ()
        for html_widget in (self.summary, self.table, self.options_table):
            html_widget.value = ""

    def _update(self):
        try:
            shape = check_image_shape(self.height.value, self.width.value, self.channels.value)
            widths = parse_widths(self.widths.value)
        except (ValueError, TypeError):
            self._clear()  # never leave the numbers of a previous network next to an error
            raise
        sizes = [params.image_input_size(shape), *widths]
        layers = params.dense_layer_breakdown(sizes)
        total = params.dense_parameter_count(sizes)
        torch_total = params.pytorch_dense_parameter_count(sizes)
        weights = sum(layer.weights for layer in layers)
        h, w, c = shape
        rows = [
            (f"{i + 1}", f"{layer.n_in:,} → {layer.n_out:,}", f"{layer.weights:,}", f"{layer.biases:,}",
             f"{layer.total:,}", f"{100 * layer.total / total:.2f}%")
            for i, layer in enumerate(layers)
        ]
        rows.append(("all", f"{h}×{w}×{c} = {sizes[0]:,} inputs", f"{weights:,}", f"{total - weights:,}",
                     f"{total:,}", "100%"))
        self.table.value = html_table(["layer", "n_in → n_out", "weights", "biases", "total", "share"], rows,
                                      highlight=[len(rows) - 1])
        agree = "&#10003; agrees" if torch_total == total else "&#10007; differs"
        self.summary.value = (
            f"<b>{total:,} trainable parameters</b> ({weights:,} weights + {total - weights:,} biases). "
            f"PyTorch's <code>sum(p.numel())</code> of the same nn.Linear layers: {torch_total:,} {agree}. "
            f"Memory at float32: {format_bytes(params.parameter_bytes(total))}."
        )
        if len(widths) == 2:
            option_rows = []
            for label, option in zip("ABCD", params.EXAM_OPTIONS):
                value = option.value(h, w, widths[0], widths[1])
                option_rows.append((label, option.label, f"{value:,}",
                                    params.explain_count(sizes, value, image_shape=shape)))
            right = [i for i, row in enumerate(option_rows) if row[3] == "right"]
            self.options_table.value = (
                "<div>The exam's four formulas at these sizes (28 → height, 512 → first width, "
                "10 → second width):</div>"
                + html_table(["option", "formula", "value", "verdict"], option_rows, highlight=right)
            )
        else:
            self.options_table.value = (
                "<div>The exam's four formulas need exactly one hidden layer: give two widths to compare.</div>"
            )
        self.layers, self.total, self.torch_total = layers, total, torch_total
        set_figure(self.figure, plot_parameter_breakdown(sizes))
