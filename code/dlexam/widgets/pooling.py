"""Explorer of II(A): edit the 3x3 kernel and the bias, pick an image, and see which layer orders equal out.

The explorer computes and draws in the browser (``js/layer_order.js``), so it also works on
the static page. ``layer_order_view`` computes, with ``dlexam.layer_order``, every value it
shows; the explorer keeps it up to date for Python, and ``view_vectors`` lets the browser
tests check the page against it.

The search button draws random images as ``layer_order.first_differing_option`` does, from
``np.random.default_rng(n)`` at the n-th press: the JavaScript carries a copy of NumPy's
generator (SeedSequence and PCG64), so the page finds the image Python finds
(``search_result``). The "random pixels" images come from the same generator.
"""

import math
import numbers

import numpy as np
import traitlets
from matplotlib import colormaps
from matplotlib.colors import to_hex

from .. import layer_order
from ..plots.style import COLORS
from ..pooling import POOLS
from .base import Explorer
from .frontend import BrowserWidget, _widget_setting, module_source

IMAGE_SHAPE = (8, 8)
FOUND = "found by the search"
CUSTOM = "custom"
SEARCH_TRIES = 2000
SEARCH_OPTIONS = ("B", "C")  # the options with out's shape
BIAS_RANGE = (-3.0, 3.0)
BIAS_STEP = 0.05
SEED_RANGE = (0, 99)
MAX_WEIGHT = 1e6  # kernel entries beyond this are a typing slip
POOL_LABELS = {"max": "max-pooling", "avg": "average pooling"}

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


def figure_verdict(comparison):
    """The second line of an option's panel title, as plots.pooling.plot_options writes it."""
    c = comparison
    if c.verdict == "different shape":
        return f"shape {c.output.shape[0]}×{c.output.shape[1]} ≠ {c.reference.shape[0]}×{c.reference.shape[1]}"
    return "equal to out" if c.equal else f"differs: up to {c.max_difference:.2f}"


def kernel_texts(kernel):
    """(3, 3) numbers -> the nine texts of the kernel's entries, row by row, each the shortest that reads back exactly."""
    kernel = np.asarray(kernel, dtype=float)
    if kernel.shape != (3, 3):
        raise ValueError(f"kernel must be 3x3, got shape {kernel.shape}")
    return [repr(float(v)) for v in kernel.ravel()]


def _kernel_field(kernel):
    """A kernel as the widget's nine texts: nine texts pass as they are, numbers are written out."""
    if isinstance(kernel, (list, tuple)) and len(kernel) == 9 and all(isinstance(t, str) for t in kernel):
        return kernel
    return kernel_texts(kernel)


def parse_kernel(texts):
    """The nine entry texts, row by row, -> (3, 3) array; each read as Python's float() reads it."""
    if isinstance(texts, (str, bytes)) or not hasattr(texts, "__iter__"):
        raise TypeError(f"kernel must be the nine entries as texts, row by row, got {texts!r}")
    texts = [str(t) for t in texts]
    if len(texts) != 9:
        raise ValueError(f"kernel must have nine entries (3x3, row by row), got {len(texts)}")
    kernel = np.zeros((3, 3))
    for k, text in enumerate(texts):
        where = f"row {k // 3 + 1}, column {k % 3 + 1}"
        try:
            value = float(text.strip())
        except ValueError:
            raise ValueError(f"kernel {where} must be a number such as 0.5, got '{text}'") from None
        if not math.isfinite(value):
            raise ValueError(f"kernel must hold finite numbers only (no NaN or infinity): {where} is {value}")
        if abs(value) > MAX_WEIGHT:
            raise ValueError(f"kernel {where} = {value:g} is beyond this explorer: keep weights within ±{MAX_WEIGHT:g}")
        kernel.flat[k] = value
    return kernel


def _check_bias(bias):
    if isinstance(bias, bool) or not isinstance(bias, numbers.Real):
        raise TypeError(f"bias must be a real number, got {bias!r}")
    bias = float(bias)
    if not math.isfinite(bias):
        raise ValueError(f"bias must be a finite number, got {bias}")
    return bias


def image_of(image, seed=0, found=None):
    """The (8, 8) image the explorer shows: an example image of layer_order, or the one the search found."""
    if image == FOUND:
        if found is None or len(found) == 0:
            raise ValueError("no counterexample found yet: press the search button first")
        pixels = np.asarray(found, dtype=float)
        if pixels.size != IMAGE_SHAPE[0] * IMAGE_SHAPE[1]:
            raise ValueError(f"the found image must have {IMAGE_SHAPE[0]}×{IMAGE_SHAPE[1]} pixels, got {pixels.size}")
        return pixels.reshape(IMAGE_SHAPE)
    if image not in layer_order.EXAMPLE_IMAGES:
        raise ValueError(f"image must be one of {', '.join(map(repr, [*layer_order.EXAMPLE_IMAGES, FOUND]))}, "
                         f"got {image!r}")
    return layer_order.example_image(image, IMAGE_SHAPE, seed)


def guarantee_text(lowest, pool):
    """What Conv(x)'s smallest value over all images in [0, 1] says about option B (and C)."""
    if lowest >= 0:
        return "ReLU after the convolution changes nothing, so B equals out on every such image"
    if pool == "max":
        return "where a whole pooling window of Conv(x) is negative, B keeps the negative maximum and out has 0"
    return "one negative value in a pooling window is enough to make B and C differ from out"


def layer_order_view(kernel, bias, image="random pixels", seed=0, pool="max", found=None, report=""):
    """Every value the explorer shows, keyed as on the page (data-value), and what it computed.

    kernel: the nine entry texts, row by row; bias: a number; image: a name of
    layer_order.EXAMPLE_IMAGES or FOUND (then `found` holds the 64 pixels); report: the last
    search's report, shown as the message. Returns {"shown", "message", "kind", "kernel", "bias",
    "image", "conv", "comparisons"}; a bad value gives only the message (kind "error").
    """
    try:
        weights = parse_kernel(kernel)
        bias = _check_bias(bias)
        if pool not in POOLS:
            raise ValueError(f"pool must be one of {', '.join(map(repr, POOLS))}, got {pool!r}")
        x = image_of(image, seed, found)
    except (ValueError, TypeError) as err:
        return {"shown": {}, "message": str(err), "kind": "error"}
    comparisons = layer_order.compare_options(x, weights, bias, pool)
    conv_x = layer_order.conv(x, weights, bias)
    reference = comparisons[0].reference
    lowest, highest = layer_order.conv_range(weights, bias)
    equal = [c.label for c in comparisons if c.equal]
    shown = {
        "equal": ", ".join(equal) or "no option",
        "out-formula": layer_order.OUT_ORDER.format(pool=layer_order.pool_name(pool)),
        "lowest": lowest, "highest": highest, "guarantee": guarantee_text(lowest, pool),
        "figure-bias": bias,
    }
    for i in range(3):
        for j in range(3):
            shown[f"kernel-{i}-{j}"] = float(weights[i, j])
    for name, values in (("conv", conv_x), ("out", reference)):
        for (i, j), v in np.ndenumerate(values):
            shown[f"{name}-{i}-{j}"] = float(v)
    for c in comparisons:
        L = c.label
        shown[f"formula-{L}"] = c.formula
        shown[f"shape-{L}"] = f"{c.output.shape[0]}×{c.output.shape[1]}"
        shown[f"largest-{L}"] = c.max_difference if c.same_shape else "–"
        shown[f"verdict-{L}"] = verdict_text(c)
        if c.same_shape and not c.equal:
            shown[f"figure-largest-{L}"] = c.max_difference
        for (i, j), v in np.ndenumerate(c.output):
            shown[f"{L}-{i}-{j}"] = float(v)
    return {"shown": shown, "message": report, "kind": "info" if report else "", "kernel": weights, "bias": bias,
            "image": x, "conv": conv_x, "comparisons": comparisons}


def view_noise(view):
    """Round-off the browser may differ by, per key of ``view["shown"]``.

    An option equal to out may differ from it by round-off (below layer_order.TOLERANCE), and two
    correct sums in another order give another round-off: its largest |difference| is compared
    only to within that tolerance. Everything else must agree to the digits shown.
    """
    noise = {}
    for c in view.get("comparisons", ()):
        if c.equal:
            scale = max(1.0, float(np.max(np.abs(c.reference))))
            noise[f"largest-{c.label}"] = layer_order.TOLERANCE * scale
    return noise


def search_result(kernel, bias, pool="max", press=1):
    """What the search button's `press`-th press finds: (Counterexample or None, report).

    The images drawn are those of ``layer_order.first_differing_option`` with
    ``np.random.default_rng(press)``: at most SEARCH_TRIES random images with pixels in [0, 1].
    """
    kernel = parse_kernel(kernel) if not isinstance(kernel, np.ndarray) else kernel
    bias = _check_bias(bias)
    found = layer_order.first_differing_option(kernel, bias, np.random.default_rng(press), IMAGE_SHAPE,
                                               SEARCH_TRIES, pool, options=SEARCH_OPTIONS)
    if found is None:
        lowest, _ = layer_order.conv_range(kernel, bias)
        why = (f" Conv(x) >= {lowest:.2f} for every image in [0, 1], so B equals out on every image."
               if lowest >= 0 else "")
        return None, (f"No counterexample in {SEARCH_TRIES} random images: options B and C equal out "
                      f"on all of them.{why}")
    _, counterexample = found
    differing = [c.label for c in layer_order.compare_options(counterexample.image, kernel, bias, pool)
                 if c.same_shape and not c.equal]
    tries = counterexample.tries
    options = f"option {differing[0]} differs" if len(differing) == 1 else f"options {' and '.join(differing)} differ"
    return counterexample, (f"Found after {tries} random image{'s' if tries > 1 else ''}: {options} from out "
                            "on the image now shown.")


def preset_of(kernel, bias):
    """The name of the preset whose kernel and bias these are, or "custom"."""
    try:
        weights, bias = parse_kernel(kernel), _check_bias(bias)
    except (ValueError, TypeError):
        return CUSTOM
    for name, (k, b, _) in PRESETS.items():
        if np.array_equal(weights, k) and bias == b:
            return name
    return CUSTOM


def frontend_config():
    """The library's constants the JavaScript needs: presets, images, ranges, texts and colours."""
    signed = colormaps["PuOr_r"]
    return {
        "custom": CUSTOM,
        "found": FOUND,
        "presets": [{"name": name, "kernel": kernel_texts(k), "bias": float(b), "image": image}
                    for name, (k, b, image) in PRESETS.items()],
        "images": list(layer_order.EXAMPLE_IMAGES),
        "shape": list(IMAGE_SHAPE),
        "bias_range": list(BIAS_RANGE),
        "bias_step": BIAS_STEP,
        "seed_range": list(SEED_RANGE),
        "max_weight": MAX_WEIGHT,
        "tolerance": layer_order.TOLERANCE,
        "tries": SEARCH_TRIES,
        "search_options": list(SEARCH_OPTIONS),
        "pools": [[pool, POOL_LABELS[pool], layer_order.pool_name(pool)] for pool in POOLS],
        "out_order": layer_order.OUT_ORDER,
        "options": [[o.label, o.order] for o in layer_order.OPTIONS.values()],
        # the figure's colour maps, as plots.pooling draws them: PuOr_r for signed values
        "signed": [to_hex(signed(k / 255)) for k in range(256)],
        "colors": COLORS,
    }


def _bias_grid():
    low, high = BIAS_RANGE
    return [round(low + k * BIAS_STEP, 2) for k in range(int(round((high - low) / BIAS_STEP)) + 1)]


def view_vectors(count=200, seed=0):
    """[{"state", "shown", "noise", "message", "kind"}]: explorer states, and what the page must show.

    Every preset on every image with both poolings; edge cases (a zero kernel, the bias slider's
    ends, the largest weights, the last seed, texts Python reads such as ".5" or "1_000") and bad
    entries; then `count` random states (kernels of short decimals and of full-precision floats,
    negative biases included, every image and seed), seeded.
    """
    rng = np.random.default_rng(seed)
    grid = _bias_grid()
    states = []
    for name, (k, b, _) in PRESETS.items():
        for image in layer_order.EXAMPLE_IMAGES:
            for pool in POOLS:
                states.append({"kernel": kernel_texts(k), "bias": float(b), "image": image, "seed": 0, "pool": pool})
    positive = kernel_texts(_POSITIVE)
    special = [
        (["0"] * 9, 0.0, "gradient", 0, "max"),
        (["0"] * 9, -3.0, "checkerboard", 0, "avg"),
        (["1"] * 9, 3.0, "random pixels", 99, "max"),
        (["1"] * 9, -3.0, "dark, bright square", 0, "max"),
        ([repr(MAX_WEIGHT), "0", "0", "0", repr(-MAX_WEIGHT), "0", "0", "0", "1"], -0.05, "random pixels", 7, "avg"),
        ([".5", "-0", "+3e-2", "1_000", "2.", " 0.25 ", "-1E-3", "0.1", "-0.9"], -1.5, "gradient", 0, "max"),
        (positive, -0.5, "dark, bright square", 0, "max"),  # B's windows that see only black hold the bias
        (positive, 0.0, "dark, bright square", 0, "max"),
        (["1", "two", "0", "0", "0", "0", "0", "0", "0"], 0.0, "gradient", 0, "max"),
        (["1", "0", "", "0", "0", "0", "0", "0", "0"], 0.0, "gradient", 0, "max"),
        (["1", "0", "0", "inf", "0", "0", "0", "0", "0"], 0.0, "gradient", 0, "max"),
        (["1", "0", "0", "0", "0", "0", "0", "0", "nan"], 0.0, "gradient", 0, "avg"),
        (["1", "0", "0", "0", "1e7", "0", "0", "0", "0"], 0.0, "gradient", 0, "max"),
        (["0.6", "-0.9", "0.3", "-0.4", "0.8", "-0.7", "0.5", "-0.2", "-0.6"], -2.0, "checkerboard", 0, "avg"),
    ]
    states += [{"kernel": list(k), "bias": b, "image": im, "seed": s, "pool": p} for k, b, im, s, p in special]
    images = list(layer_order.EXAMPLE_IMAGES)
    for n in range(count):
        if n % 3 == 2:
            texts = [repr(float(v)) for v in rng.uniform(-1, 1, 9)]  # full precision
        elif n % 3 == 1:
            texts = [repr(float(v)) for v in np.round(rng.uniform(0, 1, 9), 1)]  # positive, one decimal
        else:
            texts = [repr(float(v)) for v in np.round(rng.uniform(-1, 1, 9), 2)]
        bias = grid[int(rng.integers(len(grid)))] if n % 2 else -grid[int(rng.integers(len(grid) // 2))]
        states.append({"kernel": texts, "bias": float(bias) + 0.0, "image": images[int(rng.integers(len(images)))],
                       "seed": int(rng.integers(SEED_RANGE[0], SEED_RANGE[1] + 1)), "pool": POOLS[int(rng.integers(2))]})
    vectors = []
    for s in states:
        view = layer_order_view(**s)
        vectors.append({"state": s, "shown": view["shown"], "noise": view_noise(view), "message": view["message"],
                        "kind": view["kind"]})
    return vectors


class LayerOrderWidget(BrowserWidget):
    """The front-end: the kernel's nine texts, bias, image, seed, pooling and the search's results.

    ``searches`` counts the search button's presses (the n-th draws from default_rng(n));
    ``found`` holds the 64 pixels of the last counterexample found, ``found_tries`` how many
    images it took, ``report`` the last search's report (cleared by any other change).
    """

    _esm = module_source("layer_order")
    kernel = traitlets.List(traitlets.Unicode(), default_value=kernel_texts(PRESETS["random kernel"][0])).tag(sync=True)
    bias = traitlets.Float(0.1).tag(sync=True)
    image = traitlets.Unicode("random pixels").tag(sync=True)
    seed = traitlets.Int(0).tag(sync=True)
    pool = traitlets.Unicode("max").tag(sync=True)
    searches = traitlets.Int(0).tag(sync=True)
    found = traitlets.List(traitlets.Float()).tag(sync=True)
    found_tries = traitlets.Int(0).tag(sync=True)
    report = traitlets.Unicode("").tag(sync=True)


CONTROLS = ("kernel", "bias", "image", "seed", "pool")


class LayerOrderExplorer(Explorer):
    """A 3x3 kernel, a bias, an image and a pooling; the four options beside out, each with its verdict.

    It computes and draws in the browser (``js/layer_order.js``), so it also works on the static
    page. Drive it from Python with ``choose(preset)``, ``set_kernel``, ``set_weight``, ``set``
    (kernel, bias, image, seed, pool) and ``search()``, or through ``explorer.widget``; ``shown``
    holds what the page shows, ``comparisons`` and ``verdicts`` the library's results, ``found``
    the last counterexample the search found.
    """

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
        bias = _check_bias(p_bias if bias is None else bias)
        image = p_image if not custom and preset != CUSTOM else image
        if pool not in POOLS:
            raise ValueError(f"pool must be one of {', '.join(map(repr, POOLS))}, got {pool!r}")
        self.widget = LayerOrderWidget(kernel=kernel_texts(kernel), bias=bias, image=image, seed=seed, pool=pool,
                                       config=frontend_config())
        self.ui = self.widget
        self.widget.observe(self.update, names=[*CONTROLS, "found", "report"])
        self.shown, self.comparisons, self.verdicts = {}, (), {}
        self.update()

    @property
    def kernel(self):
        """(3, 3) array of the kernel as typed (ValueError if an entry is not a number)."""
        return parse_kernel(self.widget.kernel)

    bias = _widget_setting("bias")

    @property
    def preset(self):
        """The preset the kernel and bias equal, or "custom"."""
        return preset_of(self.widget.kernel, self.widget.bias)

    @property
    def image_array(self):
        """(8, 8) array of the image shown."""
        w = self.widget
        return image_of(w.image, w.seed, w.found)

    @property
    def found(self):
        """The last counterexample the search found (layer_order.Counterexample), or None."""
        w = self.widget
        if not w.found:
            return None
        image = np.asarray(w.found, dtype=float).reshape(IMAGE_SHAPE)
        try:
            kernel = self.kernel
        except ValueError:
            return None
        # left: the first of B and C that differs from out under the current settings (else B)
        comparisons = layer_order.compare_options(image, kernel, w.bias, w.pool, options=SEARCH_OPTIONS)
        c = next((c for c in comparisons if not c.equal), comparisons[0])
        return layer_order.Counterexample(image, c.output, c.reference, w.found_tries)

    def set(self, **values):
        """Set several of kernel (3x3 numbers or nine texts), bias, image, seed and pool at once (one update)."""
        # a search's report belongs to the state it searched: it is cleared in the same step
        self._set_traits(CONTROLS, values, convert={"kernel": _kernel_field}, also={"report": ""})

    def choose(self, preset):
        """Set the kernel, bias and image of one of PRESETS."""
        if preset not in PRESETS:
            raise ValueError(f"preset must be one of {', '.join(map(repr, PRESETS))}, got {preset!r}")
        kernel, bias, image = PRESETS[preset]
        self.set(kernel=kernel, bias=float(bias), image=image)

    def set_kernel(self, kernel, bias=None):
        """Type a whole 3x3 kernel (and optionally the bias) at once, with one update."""
        kernel = np.asarray(kernel, dtype=float)
        if kernel.shape != (3, 3):
            raise ValueError(f"kernel must be 3x3, got shape {kernel.shape}")
        self.set(kernel=kernel, **({} if bias is None else {"bias": float(bias)}))

    def set_weight(self, i, j, value):
        """Type one kernel entry: a number, or text as a reader would type it."""
        if not (isinstance(i, int) and isinstance(j, int) and 0 <= i < 3 and 0 <= j < 3):
            raise ValueError(f"i and j must be 0, 1 or 2, got {i!r}, {j!r}")
        texts = list(self.widget.kernel)
        texts[3 * i + j] = value if isinstance(value, str) else repr(float(value))
        self.set(kernel=texts)

    def search(self):
        """Press the search button: draw random images until option B or C differs from out.

        Shows the image found (and keeps it as ``found``) or reports that none differed; the page
        does the same in the browser, with the same images.
        """
        self.attempt(self._run_search, failure="The search failed")

    def _run_search(self):
        w = self.widget
        press = w.searches + 1  # each press searches new images
        counterexample, report = search_result(self.kernel, w.bias, w.pool, press)
        self._holding = True
        try:
            with w.hold_sync():
                w.searches = press
                if counterexample is not None:
                    w.found = counterexample.image.ravel().tolist()
                    w.found_tries = counterexample.tries
                    w.image = FOUND
                w.report = report
        finally:
            self._holding = False
        self.update()

    def _update(self):
        self.comparisons, self.verdicts = (), {}
        w = self.widget
        view = layer_order_view(list(w.kernel), w.bias, w.image, w.seed, w.pool, w.found, w.report)
        self.shown = view["shown"]
        if view["kind"] == "error":
            raise ValueError(view["message"])
        self.show_message(view["message"], kind=view["kind"] or "info")
        self.comparisons = view["comparisons"]
        self.verdicts = {c.label: c.verdict for c in self.comparisons}
