"""Explorer of I(D): an image shape and layer widths in, every layer's parameters out.

The explorer computes and draws in the browser (``js/params.js``), so it also works on the
static page; PyTorch's own count needs a kernel and appears when one runs. ``parameter_view``
computes, with ``dlexam.params``, every value the explorer shows; the explorer keeps it up to
date for Python, and ``view_vectors`` lets the browser tests check the page against it.
"""

import re

import numpy as np
import traitlets

from .. import params
from ..plots.style import COLORS
from .base import Explorer
from .frontend import BrowserWidget, module_source

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


# The exam's four formulas as sums of products of h (image height), w (width), hidden and out,
# for the JavaScript; the tests check them against params.EXAM_OPTIONS' own formulas.
OPTION_TERMS = (
    (("hidden", "out"), ("h", "hidden")),
    (("hidden", "out"), ("h", "w", "hidden"), ("hidden",), ("out",)),
    (("hidden", "out"), ("h", "w", "hidden")),
    (("hidden", "out"), ("h", "hidden"), ("hidden",), ("out",)),
)
SIDES = ("height", "width", "channels")


def parse_side(text, name):
    """A whole number as typed in a field ("28") -> int; TypeError naming the field otherwise."""
    if isinstance(text, bool):
        raise TypeError(f"the image {name} must be a whole number, got {text!r}")
    if isinstance(text, int):
        return text
    if not isinstance(text, str) or not re.fullmatch(r"[+-]?[0-9]+", text.strip()):
        raise TypeError(f"the image {name} must be a whole number, got {str(text)!r}")
    return int(text.strip())


def parameter_view(height, width, channels, widths):
    """Every value the explorer shows for the fields' texts, keyed as on the page (data-value).

    Returns {"shown": {...}, "sizes", "layers", "total", "message", "kind"}; a bad field gives
    only a message (kind "error").
    """
    try:
        shape = check_image_shape(*(parse_side(v, name) for v, name in zip((height, width, channels), SIDES)))
        widths = parse_widths(widths)
    except (ValueError, TypeError) as err:
        return {"shown": {}, "message": str(err), "kind": "error"}
    h, w, c = shape
    sizes = [params.image_input_size(shape), *widths]
    layers = params.dense_layer_breakdown(sizes)
    total = params.dense_parameter_count(sizes)
    weights = sum(layer.weights for layer in layers)
    shown = {"total": total, "weights": weights, "biases": total - weights, "inputs": sizes[0],
             "all-weights": weights, "all-biases": total - weights, "all-total": total,
             "memory": format_bytes(params.parameter_bytes(total)), "figure-share": 100 * weights / total}
    for i, layer in enumerate(layers):
        shown.update({f"in-{i}": layer.n_in, f"out-{i}": layer.n_out, f"weights-{i}": layer.weights,
                      f"biases-{i}": layer.biases, f"total-{i}": layer.total, f"share-{i}": 100 * layer.total / total})
        if len(layers) <= 5:
            shown[f"figure-weights-{i}"], shown[f"figure-biases-{i}"] = layer.weights, layer.biases
    if len(widths) == 2:
        for letter, option in zip("ABCD", params.EXAM_OPTIONS):
            value = option.value(h, w, widths[0], widths[1])
            shown[f"option-value-{letter}"] = value
            shown[f"option-verdict-{letter}"] = params.explain_count(sizes, value, image_shape=shape)
    else:
        shown["options-note"] = "The exam's four formulas need exactly one hidden layer: give two widths to compare."
    return {"shown": shown, "sizes": sizes, "layers": layers, "total": total, "message": "", "kind": ""}


def frontend_config():
    """The library's constants the JavaScript needs: limits, presets, the exam's formulas, colours."""
    return {
        "custom": CUSTOM,
        "limits": {"height": MAX_SIDE, "width": MAX_SIDE, "channels": MAX_CHANNELS},
        "max_width": MAX_WIDTH,
        "max_layers": MAX_LAYERS,
        "bytes_per_parameter": params.parameter_bytes(1),
        "presets": {name: {"height": str(h), "width": str(w), "channels": str(c), "widths": widths}
                    for name, ((h, w, c), widths) in PRESETS.items()},
        "options": [{"letter": letter, "label": option.label, "terms": [list(term) for term in terms]}
                    for letter, option, terms in zip("ABCD", params.EXAM_OPTIONS, OPTION_TERMS)],
        "colors": COLORS,
    }


def view_vectors(count=120, seed=0):
    """[{"state", "shown", "message", "kind"}]: image shapes and widths, and what the page must show.

    The presets; one to MAX_LAYERS layers; the limits (MAX_SIDE, MAX_CHANNELS, MAX_WIDTH, with
    counts beyond 2**53); colour images; every error the fields can give; then `count` random
    networks, seeded.
    """
    rng = np.random.default_rng(seed)
    states = [{"height": str(h), "width": str(w), "channels": str(c), "widths": widths}
              for (h, w, c), widths in PRESETS.values()]
    big, widest = str(MAX_SIDE), f"{MAX_WIDTH}, {MAX_WIDTH}"
    special = [
        ("28", "28", "3", "512, 10"), ("1", "1", "1", "1"), (big, big, str(MAX_CHANNELS), widest), (big, big, "1", widest),
        ("28", "28", "1", ", ".join(["4"] * MAX_LAYERS)), ("28", "28", "1", "512"), ("28", "28", "1", "256; 128 10"),
        ("32", "16", "3", "1_000, 10"), ("28", "28", "1", " 512 ,10 "), ("2", "3", "4", "5, 6, 7, 8, 9, 10"),
        ("28", "28", "1", ""), ("28", "28", "1", "512, ten"), ("28", "28", "1", "12.5"), ("28", "28", "1", "512, -10"),
        ("28", "28", "1", "0"), ("28", "28", "1", "10000000"), ("28", "28", "1", ", ".join(["4"] * (MAX_LAYERS + 1))),
        ("-3", "28", "1", "512, 10"), ("28", "0", "1", "512, 10"), ("28", "28", "1000000", "512, 10"),
        ("1000000000", "28", "1", "512, 10"), ("", "28", "1", "512, 10"), ("2.5", "28", "1", "512, 10"), ("007", "28", "1", "3"),
    ]
    states += [dict(zip((*SIDES, "widths"), s)) for s in special]
    for _ in range(count):
        sides = [str(int(v)) for v in np.exp(rng.uniform(0, np.log([MAX_SIDE, MAX_SIDE, MAX_CHANNELS])))]
        n_layers = int(rng.integers(1, MAX_LAYERS + 1))
        widths = ", ".join(str(int(v)) for v in np.exp(rng.uniform(0, np.log(MAX_WIDTH), size=n_layers)))
        states.append(dict(zip((*SIDES, "widths"), [*sides, widths])))
    vectors = []
    for s in states:
        view = parameter_view(**s)
        vectors.append({"state": s, "shown": view["shown"], "message": view["message"], "kind": view["kind"]})
    return vectors


class ParameterCountWidget(BrowserWidget):
    """The front-end: the fields' texts, and PyTorch's count when a kernel computed it."""

    _esm = module_source("params")
    height = traitlets.Unicode("28").tag(sync=True)
    width = traitlets.Unicode("28").tag(sync=True)
    channels = traitlets.Unicode("1").tag(sync=True)
    widths = traitlets.Unicode("512, 10").tag(sync=True)
    # {"sizes": [...], "total": "..."} for the network PyTorch last counted (strings: JSON numbers
    # lose digits beyond 2**53)
    pytorch = traitlets.Dict().tag(sync=True)


class ParameterCountExplorer(Explorer):
    """Image shape and layer widths in; a table of weights and biases per layer and the total out.

    Drive it from Python through ``explorer.widget`` (``height``, ``width``, ``channels`` and
    ``widths`` as typed) or ``choose``; ``shown`` holds what the page shows, ``total``,
    ``torch_total`` and ``layers`` the library's and PyTorch's results.
    """

    def __init__(self, height=28, width=28, channels=1, widths="512, 10"):
        super().__init__()
        self.widget = ParameterCountWidget(height=str(height), width=str(width), channels=str(channels),
                                           widths=widths, config=frontend_config())
        self.ui = self.widget
        self.widget.observe(self.update, names=["height", "width", "channels", "widths"])
        self.update()

    total = None
    torch_total = None
    layers = ()
    shown = {}

    @property
    def preset(self):
        """The preset the fields show, or "custom"."""
        w = self.widget
        return next((name for name, p in frontend_config()["presets"].items()
                     if (p["height"], p["width"], p["channels"], p["widths"]) == (w.height, w.width, w.channels, w.widths)),
                    CUSTOM)

    def choose(self, preset):
        """Fill the fields with a preset of PRESETS."""
        if preset not in PRESETS:
            raise ValueError(f"preset must be one of {', '.join(map(repr, PRESETS))}, got {preset!r}")
        (h, w, c), widths = PRESETS[preset]
        self.set(height=h, width=w, channels=c, widths=widths)

    def set(self, **values):
        """Set several fields at once (one update); numbers are written as text."""
        fields = (*SIDES, "widths")
        self._set_traits(fields, values, convert=dict.fromkeys(fields, str))

    def _update(self):
        self.total = self.torch_total = None
        self.layers = ()
        w = self.widget
        view = parameter_view(w.height, w.width, w.channels, w.widths)
        self.shown = view["shown"]
        if view["kind"] == "error":
            raise ValueError(view["message"])
        self.torch_total = params.pytorch_dense_parameter_count(view["sizes"])
        self.widget.pytorch = {"sizes": [str(s) for s in view["sizes"]], "total": str(self.torch_total)}
        self.layers, self.total = view["layers"], view["total"]
