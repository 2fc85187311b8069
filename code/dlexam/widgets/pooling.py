"""Explorer of II(A): edit the 3x3 kernel and the bias, pick an image, and see which layer orders equal out."""

import html

import ipywidgets as widgets
import numpy as np

from .. import layer_order
from ..plots.pooling import plot_options
from .base import Explorer, html_table, image_widget, set_figure

IMAGE_SHAPE = (8, 8)
FOUND = "found by the search"
CUSTOM = "custom"
SEARCH_TRIES = 2000

# name -> (kernel, bias, image): the exam's three cases.
_POSITIVE = ((0.2, 0.5, 0.1), (0.4, 0.9, 0.3), (0.1, 0.6, 0.2))
PRESETS = {
    "random kernel": (((0.6, -0.9, 0.3), (-0.4, 0.8, -0.7), (0.5, -0.2, -0.6)), 0.1, "random pixels"),
    "positive kernel, bias >= 0": (_POSITIVE, 0.2, "random pixels"),
    "positive kernel, bias < 0": (_POSITIVE, -1.0, "dark, bright square"),
}


def verdict_text(comparison):
    """A Comparison -> the words the explorer shows for it."""
    c = comparison
    if c.verdict == "different shape":
        return (f"cannot be out: shape {c.output.shape[0]}×{c.output.shape[1]}, "
                f"out is {c.reference.shape[0]}×{c.reference.shape[1]}")
    if c.equal:
        return "equal to out"
    return f"differs from out in {int(c.differing.sum())} of {c.differing.size} entries"


class LayerOrderExplorer(Explorer):
    """A 3x3 kernel, a bias, an image and a pooling; the four options beside out, each with its verdict."""

    def __init__(self, preset="positive kernel, bias < 0", kernel=None, bias=None, image="random pixels", seed=0,
                 pool="max"):
        super().__init__()
        if preset != CUSTOM and preset not in PRESETS:
            raise ValueError(f"preset must be one of {', '.join(map(repr, [*PRESETS, CUSTOM]))}, got {preset!r}")
        custom = kernel is not None or bias is not None
        p_kernel, p_bias, p_image = PRESETS.get(preset, PRESETS["random kernel"])
        kernel = np.asarray(p_kernel if kernel is None else kernel, dtype=float)
        if kernel.shape != (3, 3):
            raise ValueError(f"kernel must be 3x3, got shape {kernel.shape}")
        bias = p_bias if bias is None else bias
        image = p_image if not custom and preset != CUSTOM else image
        self.found = None  # the last Counterexample the search found
        self._search_seed = 0
        self.preset = widgets.Dropdown(options=[*PRESETS, CUSTOM], value=CUSTOM if custom else preset,
                                       description="case", layout=widgets.Layout(width="330px"))
        cell = widgets.Layout(width="70px")
        self.weights = [[widgets.FloatText(value=float(kernel[i, j]), step=0.1, layout=cell) for j in range(3)]
                        for i in range(3)]
        self.bias = widgets.FloatSlider(value=float(bias), min=-3.0, max=3.0, step=0.05, description="bias",
                                        continuous_update=False, readout_format=".2f",
                                        layout=widgets.Layout(width="330px"))
        self.image = widgets.Dropdown(options=list(layer_order.EXAMPLE_IMAGES), value=image, description="image",
                                      layout=widgets.Layout(width="330px"))
        self.seed = widgets.IntSlider(value=seed, min=0, max=99, description="seed", continuous_update=False,
                                      layout=widgets.Layout(width="330px"))
        self.pool = widgets.ToggleButtons(options=[("max-pooling", "max"), ("average pooling", "avg")], value=pool,
                                          description="pooling", style={"button_width": "120px"})
        self.search = widgets.Button(description="search for a counterexample", icon="search",
                                     layout=widgets.Layout(width="260px"))
        self.summary = widgets.HTML()
        self.table = widgets.HTML()
        self.figure = image_widget(width="100%")
        self.figure.layout.max_width = "860px"
        grid = widgets.VBox([widgets.HTML("<b>kernel</b> (3×3)")]
                            + [widgets.HBox(row) for row in self.weights])
        controls = widgets.VBox([self.preset, self.bias, self.image, self.seed, self.pool, self.search])
        self.ui = widgets.VBox([
            widgets.HBox([grid, controls], layout=widgets.Layout(flex_flow="row wrap", grid_gap="24px")),
            self.message, self.summary, self.table, self.figure,
        ])
        self.preset.observe(self._choose_preset, names="value")
        for control in (*self._weight_controls(), self.bias):
            control.observe(self._changed, names="value")
        self._observe(self.image, self.seed, self.pool)
        self.search.on_click(self._search)
        self.comparisons = ()
        self.verdicts = {}
        self.update()

    def _weight_controls(self):
        return [w for row in self.weights for w in row]

    @property
    def kernel(self):
        """(3, 3) array of the kernel as typed."""
        return np.array([[w.value for w in row] for row in self.weights], dtype=float)

    @property
    def image_array(self):
        """(8, 8) array of the image shown."""
        if self.image.value == FOUND:
            if self.found is None:
                raise ValueError("no counterexample found yet: press the search button first")
            return self.found.image
        return layer_order.example_image(self.image.value, IMAGE_SHAPE, self.seed.value)

    def _choose_preset(self, change):
        if change["new"] == CUSTOM:
            return
        kernel, bias, image = PRESETS[change["new"]]
        pairs = [(w, float(v)) for row_w, row_v in zip(self.weights, kernel) for w, v in zip(row_w, row_v)]
        self.set_controls(*pairs, (self.bias, float(bias)), (self.image, image))

    def _changed(self, change):
        self.leave_preset(self.preset, CUSTOM)  # the kernel or bias no longer match the case's name

    def set_kernel(self, kernel, bias=None):
        """Type a whole 3x3 kernel (and optionally the bias) at once, with one update."""
        kernel = np.asarray(kernel, dtype=float)
        if kernel.shape != (3, 3):
            raise ValueError(f"kernel must be 3x3, got shape {kernel.shape}")
        pairs = [(w, float(v)) for w, v in zip(self._weight_controls(), kernel.ravel())]
        if bias is not None:
            pairs.append((self.bias, float(bias)))
        pairs.append((self.preset, CUSTOM))
        self.set_controls(*pairs)

    def _search(self, *_):
        self.attempt(self._run_search, failure="The search failed")

    def _run_search(self):
        """Draw random images (pixels in [0, 1], random brightness) until B or C differs from out."""
        kernel, bias, pool = self.kernel, self.bias.value, self.pool.value
        self._search_seed += 1  # each press searches new images
        found = layer_order.first_differing_option(kernel, bias, np.random.default_rng(self._search_seed),
                                                   IMAGE_SHAPE, SEARCH_TRIES, pool)
        if found is None:
            lowest, _ = layer_order.conv_range(kernel, bias)
            why = (f" Conv(x) >= {lowest:.2f} for every image in [0, 1], so B equals out on every image."
                   if lowest >= 0 else "")
            self.show_message(f"No counterexample in {SEARCH_TRIES} random images: options B and C equal out "
                              f"on all of them.{why}")
            return
        _, self.found = found
        if FOUND not in self.image.options:
            self.image.options = [*layer_order.EXAMPLE_IMAGES, FOUND]
        if self.image.value == FOUND:
            self.update()
        else:
            self.image.value = FOUND
        labels = " and ".join(c.label for c in self.comparisons if c.same_shape and not c.equal)
        tries = self.found.tries
        self.show_message(f"Found after {tries} random image{'s' if tries > 1 else ''}: option {labels} "
                          "differs from out on the image now shown.")

    def _update(self):
        self.show_message("")  # a search's report belongs to the image it found
        self.comparisons, self.verdicts = (), {}
        self.summary.value = self.table.value = ""
        self.figure.value = b""
        kernel, bias, pool = self.kernel, self.bias.value, self.pool.value
        image = self.image_array
        comparisons = layer_order.compare_options(image, kernel, bias, pool)
        rows = []
        for c in comparisons:
            largest = "–" if not c.same_shape else f"{c.max_difference:.3g}"
            rows.append([c.label, c.formula, f"{c.output.shape[0]}×{c.output.shape[1]}", largest, verdict_text(c)])
        equal = [c.label for c in comparisons if c.equal]
        lowest, highest = layer_order.conv_range(kernel, bias)
        if lowest >= 0:
            guarantee = "ReLU after the convolution changes nothing, so B equals out on <i>every</i> such image"
        elif pool == "max":
            guarantee = ("where a whole pooling window of Conv(x) is negative, B keeps the negative maximum "
                         "and out has 0")
        else:
            guarantee = "one negative value in a pooling window is enough to make B and C differ from out"
        self.summary.value = (
            f"On this image, <b>{', '.join(equal) or 'no option'}</b> equal{'s' if len(equal) == 1 else ''} "
            f"out = {html.escape(layer_order.OUT_ORDER.format(pool=layer_order.pool_name(pool)))}.<br>"
            f"Over all images with pixels in [0, 1], Conv(x) lies in [{lowest:.2f}, {highest:.2f}]: {guarantee}."
        )
        self.table.value = html_table(["option", "order", "shape", "largest |difference|", "verdict"], rows,
                                      highlight=[i for i, c in enumerate(comparisons) if c.equal])
        set_figure(self.figure, plot_options(image, kernel, bias, pool))
        self.comparisons = comparisons
        self.verdicts = {c.label: c.verdict for c in comparisons}
