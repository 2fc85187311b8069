"""Explorers of I(E) and I(G): step through a convolution; see where strided windows land.

``OutputSizeExplorer`` computes and draws in the browser (``js/output_size.js``), so it works
on the static page too; ``output_size_view`` computes, with ``dlexam.conv``, every value it
shows, and ``output_size_vectors`` lets the browser tests check the page against it.

``ConvStepper`` pre-renders every step as an image inside a ``widgets.Stack`` whose visible
page is linked in the browser (``jslink``) to the step slider and the Play button, so the
stepper also works on the static HTML page, without a kernel. Where ``Stack`` does not exist
(ipywidgets 7, e.g. on Colab) the slider switches the visible frame from Python instead.
"""

import html

import ipywidgets as widgets
import numpy as np
import traitlets

from .. import conv
from ..plots.conv import compact_png, format_entry, plot_conv_step
from .base import Explorer, FigureImage, html_table, set_figure
from .frontend import BrowserWidget, module_source

MAX_INPUT_SHAPE = (12, 12)
MAX_KERNEL_SHAPE = (7, 7)
SOBEL = ((1, 0, -1), (2, 0, -2), (1, 0, -1))

# name -> (input, kernel, stride, padding)
PRESETS = {
    "exam I(E): stride 2, valid": (conv.EXAM_IE_INPUT, conv.EXAM_IE_KERNEL, 2, "valid"),
    "exam's third option: stride 1, same": (conv.EXAM_IE_INPUT, conv.EXAM_IE_KERNEL, 1, "same"),
    "non-symmetric kernel (Sobel)": (conv.EXAM_IE_INPUT, SOBEL, 1, "valid"),
}
CUSTOM = "custom"
OPERATIONS = ("cross-correlation", "convolution")


def step_caption(step, kernel, number, total, padded=False):
    """HTML caption of one step: where the window is and the sum it computes, term by term."""
    i, j = step.index
    where = (f"rows {step.rows.start}&ndash;{step.rows.stop - 1}, columns {step.cols.start}&ndash;"
             f"{step.cols.stop - 1} of the {'zero-padded ' if padded else ''}input")
    kernel = np.asarray(kernel, dtype=float)
    if kernel.size <= 9:
        terms = " + ".join(
            f"{format_entry(w)}&middot;{format_entry(c) if c >= 0 else '(' + format_entry(c) + ')'}"
            for w, c in zip(step.window.ravel(), kernel.ravel())
        )
    else:
        terms = f"the sum of the {kernel.size} products"
    return (f"<b>Step {number} of {total}</b>: window at {where}.<br>"
            f"output[{i}, {j}] = {terms} = <b>{html.escape(format_entry(step.value))}</b>")


class ConvStepper(Explorer):
    """Step through conv2d: the window on the input, the kernel, the products and the output so far."""

    def __init__(self, preset="exam I(E): stride 2, valid", x=None, k=None, stride=None, padding=None,
                 operation="cross-correlation", max_frames=64, use_stack=None):
        super().__init__()
        self.max_frames = max_frames
        self.use_stack = hasattr(widgets, "Stack") if use_stack is None else bool(use_stack)
        if preset != CUSTOM and preset not in PRESETS:
            raise ValueError(f"preset must be one of {', '.join(map(repr, [*PRESETS, CUSTOM]))}, got {preset!r}")
        px, pk, ps, pp = PRESETS.get(preset, PRESETS["exam I(E): stride 2, valid"])
        custom = any(v is not None for v in (x, k, stride, padding))
        x, k = px if x is None else x, pk if k is None else k
        stride, padding = ps if stride is None else stride, pp if padding is None else padding
        text = dict(rows=5, continuous_update=False, layout=widgets.Layout(width="220px", max_width="100%"))
        self.preset = widgets.Dropdown(options=[*PRESETS, CUSTOM], value=CUSTOM if custom else preset,
                                       description="example", layout=widgets.Layout(width="360px", max_width="100%"))
        self.input_text = widgets.Textarea(value=conv.format_matrix(x), description="input A", **text)
        self.kernel_text = widgets.Textarea(value=conv.format_matrix(k), description="kernel K", **text)
        self.stride = widgets.ToggleButtons(options=[1, 2], value=stride, description="stride",
                                            style={"button_width": "48px"})
        self.padding = widgets.ToggleButtons(options=["valid", "same"], value=padding, description="padding",
                                             style={"button_width": "64px"})
        self.operation = widgets.ToggleButtons(options=list(OPERATIONS), value=operation, description="compute",
                                               style={"button_width": "130px"})
        self.previous = widgets.Button(description="Previous", icon="step-backward", layout=widgets.Layout(width="100px", max_width="100%"))
        self.next = widgets.Button(description="Next", icon="step-forward", layout=widgets.Layout(width="100px", max_width="100%"))
        self.step = widgets.IntSlider(value=0, min=0, max=0, description="step", readout=False,
                                      layout=widgets.Layout(width="260px", max_width="100%"))
        self.play = widgets.Play(value=0, min=0, max=0, interval=1500, description="play")
        # Linked in the browser, so they keep working on a static page with no kernel behind it.
        # The slider drives the visible frame; Play drives the slider one way only (Python keeps
        # Play in step when a kernel runs), so dragging the slider never touches the Play model.
        if self.use_stack:
            self.stack = widgets.Stack(children=[])
            widgets.jslink((self.step, "value"), (self.stack, "selected_index"))
            self.view = self.stack
        else:
            self.stack = None
            self.view = widgets.VBox()
        widgets.jsdlink((self.play, "value"), (self.step, "value"))
        self.summary = widgets.HTML()
        self.frames, self.captions, self.frame_images, self.pages = [], [], [], []
        self.output = None

        row = widgets.Layout(flex_flow="row wrap")
        settings = widgets.VBox([self.preset, widgets.HBox([self.input_text, self.kernel_text], layout=row),
                                 widgets.HBox([self.stride, self.padding], layout=row), self.operation])
        navigation = widgets.HBox([self.previous, self.next, self.step, self.play],
                                  layout=widgets.Layout(flex_flow="row wrap", align_items="center"))
        self.ui = widgets.VBox([settings, self.message, navigation, self.view, self.summary])

        self.preset.observe(self._choose_preset, names="value")
        for control in (self.input_text, self.kernel_text, self.stride, self.padding, self.operation):
            control.observe(self._changed, names="value")
        self.step.observe(self._show_step, names="value")
        self.previous.on_click(lambda _: self.go_to(self.step.value - 1))
        self.next.on_click(lambda _: self.go_to(self.step.value + 1))
        self.update()

    def _choose_preset(self, change):
        if change["new"] == CUSTOM:
            return
        x, k, stride, padding = PRESETS[change["new"]]
        self.set_controls(
            (self.input_text, conv.format_matrix(x)),
            (self.kernel_text, conv.format_matrix(k)),
            (self.stride, stride),
            (self.padding, padding),
        )

    def _changed(self, change):
        self.leave_preset(self.preset, CUSTOM)  # the settings no longer match the example's name

    def go_to(self, index):
        """Show step `index` (0-based), clipped to the steps there are."""
        self.step.value = int(min(max(index, self.step.min), self.step.max))

    @property
    def current(self):
        """Index of the step shown."""
        return self.step.value

    @property
    def visible_frame(self):
        """The frame widget (caption and image) on screen, or None when there is none."""
        if not self.pages:
            return None
        if self.use_stack:
            index = self.stack.selected_index
            return None if index is None else self.stack.children[index]
        return self.view.children[0] if self.view.children else None

    _switching = False

    def _show_step(self, change=None):
        if not self.pages or self._switching:
            return
        index = self.step.value
        if self.play.value != index and not self.play.playing:
            self.play.value = index  # Previous, Next and the slider move Play along
        if self.use_stack:
            self.stack.selected_index = index
        else:
            self.view.children = [self.pages[index]]

    def _set_pages(self, pages):
        self._switching = True  # the slider moves to 0 before the new pages are in place
        try:
            self.play.playing = False
            self.step.value = self.play.value = 0
            self.step.max = self.play.max = max(len(pages) - 1, 0)
            for control in (self.step, self.play, self.previous, self.next):
                control.disabled = len(pages) < 2
            self.pages = pages
            if self.use_stack:
                self.stack.selected_index = None
                self.stack.children = pages
                self.stack.selected_index = 0 if pages else None
            else:
                self.view.children = pages[:1]
        finally:
            self._switching = False

    def _update(self):
        self.show_message("")
        try:
            x = conv.parse_matrix(self.input_text.value, "input A", max_shape=MAX_INPUT_SHAPE)
            k = conv.parse_matrix(self.kernel_text.value, "kernel K", max_shape=MAX_KERNEL_SHAPE)
            if self.operation.value not in OPERATIONS:
                raise ValueError(f"compute must be one of {OPERATIONS}, got {self.operation.value!r}")
            applied = k[::-1, ::-1] if self.operation.value == "convolution" else k
            steps = conv.conv2d_steps(x, applied, self.stride.value, self.padding.value)
        except Exception:
            self.frames, self.captions, self.frame_images, self.output = [], [], [], None
            self._set_pages([])
            self.summary.value = ""
            raise
        padded = steps[0].padded_input
        pads = ((padded.shape[0] - x.shape[0]) // 2, (padded.shape[1] - x.shape[1]) // 2)
        self.output = steps[-1].partial_output
        total = len(steps)
        if total > self.max_frames:
            self.show_message(
                f"This input has {total} output positions; the stepper shows the first {self.max_frames}. "
                "The whole output is in the table below.",
                kind="warning",
            )
        self.frames = steps[: self.max_frames]
        kernel_name = "K flipped" if self.operation.value == "convolution" else "K"
        self.captions, self.frame_images, pages = [], [], []
        for t, step in enumerate(self.frames):
            caption = widgets.HTML(step_caption(step, applied, t + 1, total, padded=pads != (0, 0)))
            image = FigureImage(format="png", layout=widgets.Layout(max_width="100%"))
            set_figure(image, plot_conv_step(step, applied, pads, t + 1, total, kernel_name=kernel_name), png=compact_png)
            self.captions.append(caption)
            self.frame_images.append(image)
            pages.append(widgets.VBox([caption, image]))
        self._set_pages(pages)
        (h, w), (kh, kw), (ho, wo) = x.shape, k.shape, self.output.shape
        rows = [[format_entry(v) for v in row] for row in self.output]
        flip = " with the kernel flipped (true convolution)" if self.operation.value == "convolution" else ""
        self.summary.value = (
            f"<b>Output {ho}&times;{wo}</b> from a {h}&times;{w} input and a {kh}&times;{kw} kernel, "
            f"stride {self.stride.value}, {self.padding.value} padding{flip}:"
            + html_table([f"col {j}" for j in range(wo)], rows)
        )


SIZE_SLIDERS = {"n": ("input n", 1, 40), "k": ("kernel k", 1, 11), "stride": ("stride s", 1, 8), "padding": ("padding p", 0, 6)}
MAX_WINDOWS = 40  # plot_window_positions draws at most this many windows


def output_size_view(n, k, stride, padding):
    """Every value the output-size explorer shows, keyed as on the page (data-value).

    Returns {"shown": {...}, "output_size", "unused", "unused_pixels", "message", "kind"}; a kernel
    that does not fit gives only the library's message (kind "error").
    """
    try:
        out = conv.conv_output_size(n, k, stride, padding)
    except (ValueError, TypeError) as err:
        return {"shown": {}, "message": str(err), "kind": "error"}
    unused = [i - padding for i in conv.unused_border(n, k, stride, padding) if padding <= i < padding + n]
    pixels = conv.unused_pixel_count(n, k, stride, padding)
    shown = {"out": out, "figure-out": out, "span": n + 2 * padding - k, "figure-never": pixels,
             "tf-same": conv.tf_output_size(n, k, stride, "same")}
    if unused:
        shown.update({"unused": ", ".join(map(str, unused)), "pixels": pixels, "total-pixels": n * n})
    else:
        shown["unused"] = "every input pixel is read by at least one window"
    return {"shown": shown, "output_size": out, "unused": unused, "unused_pixels": pixels, "message": "", "kind": ""}


def output_size_config(max_n=40):
    """The constants the output-size explorer's JavaScript needs: slider ranges, fills, colours."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    from ..plots import conv as conv_plots
    from ..plots.style import COLORS

    sliders = dict(SIZE_SLIDERS, n=("input n", 1, max_n))
    return {
        "sliders": {name: list(spec) for name, spec in sliders.items()},
        "max_windows": MAX_WINDOWS,
        "fills": {"padding": conv_plots._PADDING_FILL, "unused": conv_plots._UNUSED_FILL, "edge": conv_plots._EDGE},
        "blues": [to_hex(c) for c in colormaps["Blues"](np.linspace(0, 1, 256))],
        "colors": COLORS,
    }


def output_size_vectors():
    """[{"state", "shown", "message", "kind"}]: every slider position's corner and edge, and what the page must show.

    A grid that includes each slider's ends, kernels too large for the input included:
    n in {1, 2, 5, 10, 25, 26, 40}, every k, stride in {1, 2, 3, 8}, padding in {0, 1, 6}.
    """
    vectors = []
    for n in (1, 2, 5, 10, 25, 26, 40):
        for k in range(1, 12):
            for stride in (1, 2, 3, 8):
                for padding in (0, 1, 6):
                    view = output_size_view(n, k, stride, padding)
                    vectors.append({"state": {"n": n, "k": k, "stride": stride, "padding": padding}, "shown": view["shown"],
                                    "message": view["message"], "kind": view["kind"]})
    return vectors


class OutputSizeWidget(BrowserWidget):
    """The front-end: the four sliders; the rest is computed in JavaScript."""

    _esm = module_source("output_size")
    n = traitlets.Int(25).tag(sync=True)
    k = traitlets.Int(5).tag(sync=True)
    stride = traitlets.Int(2).tag(sync=True)
    padding = traitlets.Int(0).tag(sync=True)


class OutputSizeExplorer(Explorer):
    """Sliders for n, k, stride and padding; the output size, its formula, and the unused pixels.

    It computes and draws in the browser (``js/output_size.js``), so it also works on the static
    page. Drive it from Python through ``explorer.widget`` (``n``, ``k``, ``stride``, ``padding``)
    or ``set``; ``shown`` holds what the page shows, ``output_size``, ``unused`` and
    ``unused_pixels`` the library's results.
    """

    def __init__(self, n=25, k=5, stride=2, padding=0, max_n=40):
        super().__init__()
        self.widget = OutputSizeWidget(n=n, k=k, stride=stride, padding=padding, config=output_size_config(max_n))
        self.ui = self.widget
        self.widget.observe(self.update, names=["n", "k", "stride", "padding"])
        self.output_size = self.unused = self.unused_pixels = None
        self.shown = {}
        self.update()

    def set(self, **values):
        """Set several of n, k, stride and padding at once (one update)."""
        self._set_traits(SIZE_SLIDERS, values)

    def _update(self):
        self.output_size = self.unused = self.unused_pixels = None
        w = self.widget
        view = output_size_view(w.n, w.k, w.stride, w.padding)
        self.shown = view["shown"]
        if view["kind"] == "error":
            raise ValueError(view["message"])
        self.output_size, self.unused, self.unused_pixels = view["output_size"], view["unused"], view["unused_pixels"]
