"""Exam II(A): conv, ReLU and pooling in four orders, and which of them compute the same network.

The exam's network is ``out = MaxPool2x2(ReLU(Conv(x)))`` with one channel, a 3x3 kernel, a
bias, valid padding and stride 1, on grayscale images with pixels in [0, 1]. This module
computes ``out`` and the four options as functions of ``(image, kernel, bias)``, compares
them on one image (``compare_options``) and on many random images for a family of kernels
(``evaluate_options``), searches random images for counterexamples, and tests which
element-wise functions commute with max-pooling. The convolution is ``dlexam.conv.conv2d``
(cross-correlation, as in every deep-learning library) plus the bias; pooling is
``dlexam.pooling`` (2x2 windows, stride 2, PyTorch's floor mode).

Every function takes ``pool="max"`` (the exam) or ``pool="avg"`` (the same questions for
average pooling) and ``padding="valid"`` (the exam) or ``"same"``.

NaN: the element-wise functions (``gelu``, ``silu``, ``elu``, ``softplus``) pass NaN through;
every other function refuses NaN and infinite images, kernels and biases. Searches and
experiments have ceilings (``MAX_TRIES`` random images, ``MAX_TRIALS`` kernel-image pairs).
"""

from dataclasses import dataclass
import math
import numbers

import numpy as np
import torch

from . import neuron, validate
from .checks import CheckResult
from .conv import _as_matrix, _check_int, conv2d
from .pooling import POOLS, avg_pool2d, max_pool2d, pool2d

__all__ = [
    "conv", "out", "option_a", "option_b", "option_c", "option_d", "Option", "OPTIONS", "EXAM_ANSWER",
    "EXAM_ANSWER_POSITIVE", "pool_name", "Comparison", "compare_options", "equal_options", "KernelFamily",
    "FAMILIES", "OptionSummary", "evaluate_options", "conv_range", "option_b_guaranteed", "random_image",
    "EXAMPLE_IMAGES", "example_image", "Counterexample", "find_counterexample", "option_counterexample",
    "first_differing_option", "relu_conv_counterexample", "gelu", "silu", "elu", "softplus", "ELEMENTWISE", "LABELS", "EXAM_FUNCTIONS", "EXERCISE_FUNCTIONS",
    "elementwise_function", "monotonicity_violation", "PoolingCommutation", "max_pool_commutes_with",
    "PoolSwap", "pool_conv_swap", "best_kernel_after_pooling", "OperationCount", "operation_counts",
    "pool_first_is_exact", "commuting_functions", "check_equivalent_options", "check_commuting_functions",
    "check_multiply_adds", "OUT_ORDER", "FAMILY_ANSWERS", "PIXEL_RANGE", "TOLERANCE",
]

MAX_TRIES = 100_000  # random images one search may draw
MAX_TRIALS = 100_000  # kernel-image pairs one experiment may compare
PIXEL_RANGE = (0.0, 1.0)  # the exam's images
TOLERANCE = 1e-12  # relative: "equal" means equal up to float rounding


# --- The network and the four options ------------------------------------------------------


def _bias(bias):
    if isinstance(bias, bool) or not isinstance(bias, numbers.Real):
        raise TypeError(f"bias must be a real number, got {bias!r} ({type(bias).__name__})")
    return validate.real(bias, "bias")


def _finite_matrix(a, name):
    a = np.asarray(_as_matrix(a, name), dtype=float)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must hold finite numbers only (no NaN or infinity)")
    return a


def _check_pool(pool):
    if not isinstance(pool, str) or pool not in POOLS:
        raise ValueError(f"pool must be one of {', '.join(map(repr, POOLS))}, got {pool!r}")
    return pool


def _check_padding(padding):
    if not isinstance(padding, str) or padding not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' (the exam's) or 'same', got {padding!r}")
    return padding


def conv(image, kernel, bias, padding="valid"):
    """(H, W), (k, k), scalar -> (H-k+1, W-k+1): Conv(x) = conv2d(image, kernel) + bias, one channel."""
    image = _finite_matrix(image, "image")
    kernel = _finite_matrix(kernel, "kernel")
    return conv2d(image, kernel, padding=_check_padding(padding)) + _bias(bias)


def _pool(x, pool):
    return pool2d(x, _check_pool(pool))


def out(image, kernel, bias, pool="max", padding="valid"):
    """(H, W) -> pooled: the exam's network, MaxPool2x2(ReLU(Conv(x)))."""
    return _pool(neuron.relu(conv(image, kernel, bias, padding)), pool)


def option_a(image, kernel, bias, pool="max", padding="valid"):
    """(H, W) -> Conv(MaxPool2x2(ReLU(x))): the convolution sees the pooled, half-size image."""
    return conv(_pool(neuron.relu(_finite_matrix(image, "image")), pool), kernel, bias, padding)


def option_b(image, kernel, bias, pool="max", padding="valid"):
    """(H, W) -> MaxPool2x2(Conv(ReLU(x)))."""
    return _pool(conv(neuron.relu(_finite_matrix(image, "image")), kernel, bias, padding), pool)


def option_c(image, kernel, bias, pool="max", padding="valid"):
    """(H, W) -> ReLU(MaxPool2x2(Conv(x))): the exam's marked answer."""
    return neuron.relu(_pool(conv(image, kernel, bias, padding), pool))


def option_d(image, kernel, bias, pool="max", padding="valid"):
    """(H, W) -> ReLU(Conv(MaxPool2x2(x))): the convolution sees the pooled, half-size image."""
    return neuron.relu(conv(_pool(_finite_matrix(image, "image"), pool), kernel, bias, padding))


def pool_name(pool="max"):
    """'max' -> 'MaxPool2×2', 'avg' -> 'AvgPool2×2'."""
    return {"max": "MaxPool2×2", "avg": "AvgPool2×2"}[_check_pool(pool)]


@dataclass(frozen=True)
class Option:
    """One answer option of II(A): its label, the order of its layers and the function computing it."""

    label: str
    order: str  # with {pool} where the pooling goes
    function: object

    def formula(self, pool="max"):
        return self.order.format(pool=pool_name(pool))

    def __call__(self, image, kernel, bias, pool="max", padding="valid"):
        return self.function(image, kernel, bias, pool=pool, padding=padding)


OUT_ORDER = "{pool}(ReLU(Conv(x)))"
OPTIONS = {
    "A": Option("A", "Conv({pool}(ReLU(x)))", option_a),
    "B": Option("B", "{pool}(Conv(ReLU(x)))", option_b),
    "C": Option("C", "ReLU({pool}(Conv(x)))", option_c),
    "D": Option("D", "ReLU(Conv({pool}(x)))", option_d),
}
EXAM_ANSWER = frozenset({"C"})  # the option the exam marks
EXAM_ANSWER_POSITIVE = frozenset({"B", "C"})  # the official solution's answer to the follow-up


def _option(label, name="option"):
    if isinstance(label, Option):
        return label
    if not isinstance(label, str) or label not in OPTIONS:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, OPTIONS))}, got {label!r}")
    return OPTIONS[label]


def _largest_difference(a, b):
    return float(np.max(np.abs(a - b))) if a.size else 0.0


def _equal(a, b):
    scale = max(1.0, float(np.max(np.abs(b))) if b.size else 1.0)
    return _largest_difference(a, b) <= TOLERANCE * scale


@dataclass(frozen=True, eq=False)
class Comparison:
    """One option against ``out`` on one image: both outputs and how far apart they are."""

    label: str
    formula: str
    output: np.ndarray
    reference: np.ndarray  # out
    same_shape: bool
    max_difference: float  # NaN when the shapes differ
    equal: bool

    @property
    def verdict(self):
        """'equal', 'differs' or 'different shape'."""
        if not self.same_shape:
            return "different shape"
        return "equal" if self.equal else "differs"

    @property
    def differing(self):
        """Bool mask of the entries that differ from out (None when the shapes differ)."""
        if not self.same_shape:
            return None
        scale = max(1.0, float(np.max(np.abs(self.reference))))
        return np.abs(self.output - self.reference) > TOLERANCE * scale


def compare_options(image, kernel, bias, pool="max", padding="valid", options=tuple(OPTIONS)):
    """(H, W) image -> tuple of Comparison, one per option: output, shape, largest difference from out."""
    options = [_option(label, f"options[{i}]") for i, label in enumerate(validate.sequence(options, "options", 1, 100))]
    reference = out(image, kernel, bias, pool, padding)
    results = []
    for label in options:
        option = _option(label)
        output = option(image, kernel, bias, pool=pool, padding=padding)
        same = output.shape == reference.shape
        results.append(Comparison(
            label=option.label, formula=option.formula(pool), output=output, reference=reference, same_shape=same,
            max_difference=_largest_difference(output, reference) if same else float("nan"),
            equal=same and _equal(output, reference),
        ))
    return tuple(results)


def equal_options(image, kernel, bias, pool="max", padding="valid"):
    """The labels of the options equal to out on this image, e.g. frozenset({'C'})."""
    return frozenset(c.label for c in compare_options(image, kernel, bias, pool, padding) if c.equal)


# --- Kernel families and many random images -------------------------------------------------


def _check_generator(generator):
    if not isinstance(generator, np.random.Generator):
        raise TypeError(
            f"generator must be a numpy.random.Generator such as np.random.default_rng(0), got {type(generator).__name__}"
        )
    return generator


def _random_weights(generator, size):
    return generator.uniform(-1.0, 1.0, (size, size)), float(generator.uniform(-1.0, 1.0))


def _positive_weights(generator, size):
    return 1.0 - generator.random((size, size)), float(generator.random())  # weights in (0, 1], bias in [0, 1)


def _positive_weights_negative_bias(generator, size):
    kernel = 1.0 - generator.random((size, size))
    # Between -sum(kernel) and 0: the range in which the unit is off on dark images and on on bright ones.
    return kernel, -float(1.0 - generator.random()) * float(kernel.sum())


@dataclass(frozen=True)
class KernelFamily:
    """A way to draw a kernel and a bias: ``sample(generator, size)`` -> ((size, size) kernel, bias)."""

    name: str
    description: str
    sampler: object

    def sample(self, generator, size=3):
        return self.sampler(_check_generator(generator), _check_int(size, "size", 1))


FAMILIES = {
    "random": KernelFamily("random", "weights and bias uniform in [-1, 1]", _random_weights),
    "positive, bias >= 0": KernelFamily(
        "positive, bias >= 0", "weights uniform in (0, 1], bias uniform in [0, 1)", _positive_weights),
    "positive, bias < 0": KernelFamily(
        "positive, bias < 0", "weights uniform in (0, 1], bias uniform in [-(sum of the weights), 0)",
        _positive_weights_negative_bias),
}


def _family(family):
    if isinstance(family, KernelFamily):
        return family
    if not isinstance(family, str) or family not in FAMILIES:
        raise ValueError(f"family must be one of {', '.join(map(repr, FAMILIES))}, got {family!r}")
    return FAMILIES[family]


def _shape(shape, name="shape", minimum=1):
    if not isinstance(shape, (tuple, list)) or len(shape) != 2:
        raise ValueError(f"{name} must be a pair (H, W), got {shape!r}")
    return tuple(_check_int(n, name, minimum) for n in shape)


def random_image(generator, shape=(8, 8), low=0.0, high=1.0, random_brightness=False):
    """(H, W) pixels uniform in [low, high]; with random_brightness, uniform in [low, low + c*(high-low)] for a random c.

    Random brightness reaches dark images, on which a negative bias shows, far more often than
    uniform pixels do.
    """
    _check_generator(generator)
    h, w = _shape(shape)
    validate.work(h * w, "shape", validate.MAX_ELEMENTS, "pixels")
    low, high = validate.real(low, "low"), validate.real(high, "high")
    validate.boolean(random_brightness, "random_brightness")
    if not low < high:
        raise ValueError(f"need finite low < high, got low={low!r}, high={high!r}")
    top = high
    if random_brightness:
        top = low + generator.random() * (high - low)
    return low + generator.random((h, w)) * (top - low)


@dataclass(frozen=True)
class OptionSummary:
    """One option over many (kernel, image) pairs: always equal to out, sometimes different, or never the same shape."""

    label: str
    formula: str
    verdict: str  # "equals out", "differs" or "cannot have the same shape"
    max_difference: float  # largest over all pairs; NaN when the shapes differ
    differing: int  # pairs on which it differs from out
    trials: int
    shape: tuple  # of the option's output
    out_shape: tuple

    @property
    def share(self):
        """Fraction of the pairs on which the option differs from out (1.0 when the shapes differ)."""
        return self.differing / self.trials

    def describe(self):
        """The verdict in a few words, for a table."""
        if self.verdict == "cannot have the same shape":
            return f"shape {self.shape[0]}×{self.shape[1]}, out's is {self.out_shape[0]}×{self.out_shape[1]}"
        if self.verdict == "equals out":
            return f"equals out on all {self.trials}"
        return f"differs on {self.differing} of {self.trials}, by up to {self.max_difference:.2f}"


def evaluate_options(family, generator, n_kernels=20, n_images=20, image_shape=(12, 12), pool="max",
                     padding="valid", kernel_size=3):
    """Every option against out on n_kernels x n_images random (kernel, image) pairs; pixels uniform in [0, 1].

    Returns a tuple of OptionSummary, one per option, in the order A, B, C, D.
    """
    family = _family(family)
    _check_generator(generator)
    n_kernels = _check_int(n_kernels, "n_kernels", 1, MAX_TRIALS)
    n_images = _check_int(n_images, "n_images", 1, MAX_TRIALS)
    validate.work(n_kernels * n_images, "n_kernels and n_images", MAX_TRIALS, "kernel-image pairs")
    image_shape = _shape(image_shape, "image_shape")
    validate.work(image_shape[0] * image_shape[1], "image_shape", 10**6, "pixels")
    _check_pool(pool)
    _check_padding(padding)
    kernel_size = _check_int(kernel_size, "kernel_size", 1)
    if kernel_size > min(image_shape):
        raise ValueError(f"kernel_size {kernel_size} does not fit image_shape {image_shape}: use a smaller kernel")
    worst = {label: 0.0 for label in OPTIONS}
    differing = {label: 0 for label in OPTIONS}
    shapes = {}
    for _ in range(n_kernels):
        kernel, bias = family.sample(generator, kernel_size)
        for _ in range(n_images):
            image = random_image(generator, image_shape, *PIXEL_RANGE)
            for c in compare_options(image, kernel, bias, pool, padding):
                shapes[c.label] = (c.output.shape, c.reference.shape)
                if not c.same_shape:
                    differing[c.label] += 1
                elif not c.equal:
                    differing[c.label] += 1
                    worst[c.label] = max(worst[c.label], c.max_difference)
    trials = n_kernels * n_images
    summaries = []
    for label, option in OPTIONS.items():
        shape, out_shape = shapes[label]
        if shape != out_shape:
            verdict, worst[label] = "cannot have the same shape", float("nan")
        else:
            verdict = "differs" if differing[label] else "equals out"
        summaries.append(OptionSummary(label, option.formula(pool), verdict, worst[label], differing[label], trials,
                                       shape, out_shape))
    return tuple(summaries)


def conv_range(kernel, bias, low=0.0, high=1.0):
    """(k, k), scalar -> (smallest, largest) value Conv(x) can take at a pixel when every pixel of x is in [low, high]."""
    kernel = _finite_matrix(kernel, "kernel")
    bias = _bias(bias)
    low, high = validate.real(low, "low"), validate.real(high, "high")
    if not low <= high:
        raise ValueError(f"need low <= high, got low={low!r}, high={high!r}")
    smallest = bias + float(np.sum(np.where(kernel > 0, kernel * low, kernel * high)))
    largest = bias + float(np.sum(np.where(kernel > 0, kernel * high, kernel * low)))
    return smallest, largest


def option_b_guaranteed(kernel, bias, low=0.0, high=1.0):
    """True when option B equals out for *every* image with pixels in [low, high] (0 <= low): Conv(x) >= 0 everywhere.

    On such images ReLU(x) = x, so B is MaxPool(Conv(x)); it equals MaxPool(ReLU(Conv(x))) when no
    pooling window holds only negative values, which Conv(x) >= 0 guarantees.
    """
    low = validate.real(low, "low")
    if low < 0:
        raise ValueError(f"low must be >= 0 (ReLU(x) = x needs non-negative pixels), got {low!r}")
    return conv_range(kernel, bias, low, high)[0] >= 0


# --- Example images and counterexamples -----------------------------------------------------

EXAMPLE_IMAGES = ("random pixels", "dark, bright square", "gradient", "checkerboard")


def example_image(name, shape=(8, 8), seed=0):
    """(H, W) image with pixels in [0, 1]: one of EXAMPLE_IMAGES (the seed matters for 'random pixels')."""
    h, w = _shape(shape, minimum=2)
    seed = _check_int(seed, "seed", 0, None)
    if name == "random pixels":
        return random_image(np.random.default_rng(seed), (h, w))
    if name == "dark, bright square":
        image = np.zeros((h, w))
        image[h // 4: h // 4 + max(1, h // 3), w // 2: w // 2 + max(1, w // 3)] = 1.0
        return image
    if name == "gradient":
        return np.tile(np.linspace(0.0, 1.0, w), (h, 1))
    if name == "checkerboard":
        return (np.add.outer(np.arange(h), np.arange(w)) % 2).astype(float)
    raise ValueError(f"image must be one of {', '.join(map(repr, EXAMPLE_IMAGES))}, got {name!r}")


@dataclass(frozen=True, eq=False)
class Counterexample:
    """An image on which two computations differ, both results, and how many random images the search drew."""

    image: np.ndarray
    left: np.ndarray
    right: np.ndarray
    tries: int

    @property
    def difference(self):
        return _largest_difference(self.left, self.right)

    @property
    def differing(self):
        """Bool mask of the entries where left and right differ."""
        scale = max(1.0, float(np.max(np.abs(self.right))))
        return np.abs(self.left - self.right) > TOLERANCE * scale


def find_counterexample(left, right, generator, shape=(6, 6), tries=1000, low=0.0, high=1.0,
                        random_brightness=True):
    """Draw up to `tries` random images; return the first Counterexample with left(x) != right(x), else None.

    left, right: functions of an (H, W) image. Raises ValueError if their outputs have different
    shapes: then they differ on every image and there is nothing to search.
    """
    validate.function(left, "left")
    validate.function(right, "right")
    _check_generator(generator)
    tries = _check_int(tries, "tries", 1, MAX_TRIES)
    random_image(np.random.default_rng(0), shape, low, high, random_brightness)  # checks the image settings
    for t in range(1, tries + 1):
        image = random_image(generator, shape, low, high, random_brightness)
        a, b = np.asarray(left(image)), np.asarray(right(image))
        if a.shape != b.shape:
            raise ValueError(f"left and right give different shapes, {a.shape} and {b.shape}: they differ on every image")
        if not _equal(a, b):
            return Counterexample(image, a, b, t)
    return None


def option_counterexample(option, kernel, bias, generator, shape=(6, 6), tries=1000, pool="max",
                          random_brightness=True):
    """A random image in [0, 1] on which the option differs from out (Counterexample with left=option, right=out), or None."""
    option = _option(option)
    kernel, bias = _finite_matrix(kernel, "kernel"), _bias(bias)
    return find_counterexample(
        lambda x: option(x, kernel, bias, pool=pool), lambda x: out(x, kernel, bias, pool=pool),
        generator, shape, tries, *PIXEL_RANGE, random_brightness=random_brightness)


def first_differing_option(kernel, bias, generator, shape=(8, 8), tries=1000, pool="max", options=("B", "C"),
                           random_brightness=True):
    """The first random image in [0, 1] on which one of `options` differs from out: (label, Counterexample), or None.

    The options must give out's shape (B and C do). The Counterexample holds that option's output as left.
    """
    kernel, bias = _finite_matrix(kernel, "kernel"), _bias(bias)
    _check_generator(generator)
    tries = _check_int(tries, "tries", 1, MAX_TRIES)
    _check_pool(pool)
    options = [_option(label, f"options[{i}]").label
               for i, label in enumerate(validate.sequence(options, "options", 1, 100))]
    random_image(np.random.default_rng(0), shape, *PIXEL_RANGE, random_brightness=random_brightness)
    for t in range(1, tries + 1):
        image = random_image(generator, shape, *PIXEL_RANGE, random_brightness=random_brightness)
        for c in compare_options(image, kernel, bias, pool, options=options):
            if not c.same_shape:
                raise ValueError(f"option {c.label} never has out's shape: leave it out of options")
            if not c.equal:
                return c.label, Counterexample(image, c.output, c.reference, t)
    return None


def relu_conv_counterexample(kernel, bias, generator, shape=(4, 4), tries=1000, low=-1.0, high=1.0):
    """An image with pixels in [low, high] where ReLU(Conv(x)) (left) != Conv(ReLU(x)) (right), or None."""
    kernel, bias = _finite_matrix(kernel, "kernel"), _bias(bias)
    return find_counterexample(
        lambda x: neuron.relu(conv(x, kernel, bias)), lambda x: conv(neuron.relu(x), kernel, bias),
        generator, shape, tries, low, high, random_brightness=False)


# --- Which element-wise functions commute with max-pooling ---------------------------------


def gelu(z):
    """z * Phi(z) with the exact normal CDF (PyTorch's default GELU), element-wise."""
    z = torch.as_tensor(validate.elementwise(z, "z"))
    return (z * 0.5 * (1.0 + torch.special.erf(z / math.sqrt(2.0)))).numpy()


def silu(z):
    """z * sigmoid(z) (also called swish), element-wise."""
    z = validate.elementwise(z, "z")
    return z * neuron.sigmoid(z)


def elu(z, alpha=1.0):
    """z for z > 0, alpha * (exp(z) - 1) otherwise."""
    z = validate.elementwise(z, "z")
    alpha = validate.real(alpha, "alpha")
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0)))


def softplus(z):
    """log(1 + exp(z)), stable for large |z|."""
    z = validate.elementwise(z, "z")
    with np.errstate(invalid="ignore"):
        return np.logaddexp(0.0, z)


ELEMENTWISE = {
    "relu": neuron.relu,
    "leaky_relu": neuron.leaky_relu,
    "sigmoid": neuron.sigmoid,
    "tanh": neuron.tanh,
    "elu": elu,
    "softplus": softplus,
    "gelu": gelu,
    "silu": silu,
    "abs": np.abs,
    "square": np.square,
    "negative": np.negative,
}
LABELS = {"relu": "ReLU", "leaky_relu": "leaky ReLU", "sigmoid": "sigmoid", "tanh": "tanh", "elu": "ELU",
          "softplus": "softplus", "gelu": "GELU", "silu": "SiLU", "abs": "|x|", "square": "x²", "negative": "−x"}
EXAM_FUNCTIONS = ("relu", "leaky_relu", "sigmoid", "gelu", "abs")  # shown on the page
EXERCISE_FUNCTIONS = ("tanh", "elu", "softplus", "silu", "square", "negative")  # left to the reader


def elementwise_function(f):
    """A name from ELEMENTWISE (or a function) -> (name, function)."""
    if callable(f):
        return getattr(f, "__name__", "f"), f
    if not isinstance(f, str) or f not in ELEMENTWISE:
        raise ValueError(f"f (the function) must be one of {', '.join(map(repr, ELEMENTWISE))} or a callable, "
                         f"got {f!r}")
    return f, ELEMENTWISE[f]


def monotonicity_violation(f, low=-3.0, high=3.0, n=12001):
    """(a, b) with a < b and f(a) > f(b), the largest such drop on a grid of [low, high]; None if f never decreases there."""
    _, f = elementwise_function(f)
    n = _check_int(n, "n", 2, validate.MAX_SIZE)
    low, high = validate.real(low, "low"), validate.real(high, "high")
    if not low < high:
        raise ValueError(f"need low < high, got low={low!r}, high={high!r}")
    z = np.linspace(low, high, n)
    try:
        values = validate.array(f(z), "f(z)", shape=z.shape, finite=False)
    except (ValueError, TypeError) as err:
        raise ValueError(f"f must map an array of numbers to one of the same shape: {err}") from None
    if np.isnan(values).any():
        raise ValueError("f returned NaN on the grid: its monotonicity cannot be judged")
    drop = np.maximum.accumulate(values) - values
    j = int(np.argmax(drop))
    if drop[j] <= 0:
        return None
    i = int(np.argmax(values[: j + 1]))
    return float(z[i]), float(z[j])


@dataclass(frozen=True, eq=False)
class PoolingCommutation:
    """Does MaxPool(f(x)) equal f(MaxPool(x))? Measured on random images, and a 2x2 counterexample if f ever decreases."""

    name: str
    max_difference: float  # largest |MaxPool(f(x)) - f(MaxPool(x))| over the random images
    violation: tuple  # (a, b), a < b, f(a) > f(b); None when f is non-decreasing on the grid
    window: np.ndarray  # (2, 2) counterexample [[a, b], [b, b]], or None
    pool_of_f: float  # MaxPool(f(window)) = f(a)
    f_of_pool: float  # f(MaxPool(window)) = f(b)

    @property
    def commutes(self):
        return self.violation is None and self.max_difference == 0.0


def max_pool_commutes_with(f, generator, n_images=200, shape=(8, 8), scale=3.0):
    """Compare MaxPool2x2(f(x)) with f(MaxPool2x2(x)) on random normal images (std `scale`); f a name or a function."""
    name, function = elementwise_function(f)
    _check_generator(generator)
    n_images = _check_int(n_images, "n_images", 1, MAX_TRIES)
    scale = validate.real(scale, "scale", above=0.0)
    h, w = _shape(shape, minimum=2)
    validate.work(n_images * h * w, "n_images and shape", validate.MAX_ELEMENTS, "pixels")
    violation = monotonicity_violation(function)
    worst = 0.0
    for _ in range(n_images):
        x = scale * generator.standard_normal(_shape(shape, minimum=2))
        worst = max(worst, _largest_difference(max_pool2d(function(x)), function(max_pool2d(x))))
    window = pool_of_f = f_of_pool = None
    if violation is not None:
        a, b = violation
        window = np.array([[a, b], [b, b]])
        pool_of_f = float(max_pool2d(function(window))[0, 0])
        f_of_pool = float(function(max_pool2d(window))[0, 0])
    return PoolingCommutation(name, worst, violation, window, pool_of_f, f_of_pool)


# --- Swapping pooling and convolution -------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PoolSwap:
    """Pool(Conv(x)) against Conv(Pool(x)) for one image: both results and where they differ."""

    conv_then_pool: np.ndarray
    pool_then_conv: np.ndarray

    @property
    def same_shape(self):
        return self.conv_then_pool.shape == self.pool_then_conv.shape

    @property
    def difference(self):
        """(H', W') |conv_then_pool - pool_then_conv|, or None when the shapes differ."""
        return np.abs(self.conv_then_pool - self.pool_then_conv) if self.same_shape else None

    @property
    def max_difference(self):
        return float(self.difference.max()) if self.same_shape else float("nan")


def pool_conv_swap(image, kernel, pool="avg", stride=2, padding="valid"):
    """Compute Pool(conv2d(x, k)) and conv2d(Pool(x), k) for a 2x2 pool with this stride (no bias: it passes through)."""
    image = _finite_matrix(image, "image")
    kernel = _finite_matrix(kernel, "kernel")
    _check_pool(pool)
    pooling = max_pool2d if pool == "max" else avg_pool2d
    return PoolSwap(pooling(conv2d(image, kernel, padding=_check_padding(padding)), 2, stride),
                    conv2d(pooling(image, 2, stride), kernel, padding=padding))


def best_kernel_after_pooling(kernel, images, size=2):
    """The (k-1, k-1) kernel k' that best gives AvgPool(conv2d(x, kernel)) as conv2d(AvgPool(x), k'), by least squares.

    images: (n, H, W) with H, W even. Returns (k', relative residual ||fit - target|| / ||target||).
    k' has one row and column fewer than the kernel, which makes the two shapes agree.
    """
    kernel = _finite_matrix(kernel, "kernel")
    images = validate.array(images, "images")
    size = _check_int(size, "size", 1)
    if images.ndim != 3 or images.shape[0] < 1:
        raise ValueError(f"images must have shape (n, H, W), got {images.shape}")
    m = kernel.shape[0] - 1
    if kernel.shape[0] != kernel.shape[1] or m < 1:
        raise ValueError(f"kernel must be square and at least 2x2, got {kernel.shape}")
    features, targets = [], []
    for x in images:
        target = avg_pool2d(conv2d(x, kernel), size, size)  # (P, Q)
        pooled = avg_pool2d(x, size, size)
        windows = np.lib.stride_tricks.sliding_window_view(pooled, (m, m))[: target.shape[0], : target.shape[1]]
        if windows.shape[:2] != target.shape:
            raise ValueError(f"images of shape {x.shape} give no matching shapes: pool(conv(x)) is {target.shape}, "
                             f"but the pooled image has {windows.shape[:2]} windows of {m}x{m}; choose H and W "
                             f"so that they agree (with pooling 2 and a 3x3 kernel: even H and W)")
        features.append(windows.reshape(-1, m * m))
        targets.append(target.ravel())
    A, t = np.concatenate(features), np.concatenate(targets)
    solution, *_ = np.linalg.lstsq(A, t, rcond=None)
    residual = float(np.linalg.norm(A @ solution - t) / np.linalg.norm(t))
    return solution.reshape(m, m), residual


def pool_first_is_exact(kernel, pool="max"):
    """True for a 1x1 kernel (with a weight >= 0 for max-pooling): then Pool(conv2d(x, k)) equals conv2d(Pool(x), k).

    Such a kernel is the per-pixel map w*x, non-decreasing when w >= 0 (max-pooling) and linear
    (average pooling), so it commutes with the pooling for every image size. A larger kernel
    gives a smaller output when it runs after the pooling.
    """
    kernel = _finite_matrix(kernel, "kernel")
    _check_pool(pool)
    return bool(kernel.shape == (1, 1) and (pool == "avg" or kernel[0, 0] >= 0))


@dataclass(frozen=True)
class OperationCount:
    """What one pipeline costs on one image: multiply-adds in the convolution, ReLU evaluations, pooling steps."""

    pipeline: str
    multiply_adds: int
    relus: int
    pool_steps: int  # comparisons (max) or additions (avg): size*size - 1 per pooled value

    @property
    def total(self):
        return self.multiply_adds + self.relus + self.pool_steps


def operation_counts(shape, kernel_size=3, pool_size=2):
    """(H, W) -> {'out', 'A', 'B', 'C', 'D', 'folded': OperationCount}, for valid padding and pooling stride = size.

    'folded' is ReLU(AvgPool(Conv(x))), option C's order with average pooling, computed as one strided
    convolution with ``pooling.fold_avg_pool(kernel)``: nothing non-linear sits between convolution and pooling.
    """
    h, w = _shape(shape, minimum=1)
    k = _check_int(kernel_size, "kernel_size", 1)
    s = _check_int(pool_size, "pool_size", 1)
    if (h // s) < k or (w // s) < k:
        raise ValueError(f"shape {h}x{w} is too small an image: after {s}x{s} pooling the {k}x{k} kernel must "
                         "still fit")

    def conv_out(a, b):
        return (a - k + 1) * (b - k + 1)

    def pooled(a, b):
        return (a // s), (b // s)

    def pool_cost(a, b):
        return (a // s) * (b // s) * (s * s - 1)

    full = conv_out(h, w) * k * k  # multiply-adds of the convolution on the full image
    ch, cw = h - k + 1, w - k + 1
    ph, pw = pooled(h, w)
    small = conv_out(ph, pw) * k * k  # on the pooled image
    pch, pcw = pooled(ch, cw)
    return {
        "out": OperationCount(OUT_ORDER.format(pool="Pool"), full, ch * cw, pool_cost(ch, cw)),
        "A": OperationCount("Conv(Pool(ReLU(x)))", small, h * w, pool_cost(h, w)),
        "B": OperationCount("Pool(Conv(ReLU(x)))", full, h * w, pool_cost(ch, cw)),
        "C": OperationCount("ReLU(Pool(Conv(x)))", full, pch * pcw, pool_cost(ch, cw)),
        "D": OperationCount("ReLU(Conv(Pool(x)))", small, conv_out(ph, pw), pool_cost(h, w)),
        # ReLU(AvgPool(Conv(x))) with the pooling folded into one (k+s-1)x(k+s-1) kernel of stride s.
        "folded": OperationCount(f"ReLU(Conv{k + s - 1}×{k + s - 1}, stride {s}(x))", pch * pcw * (k + s - 1) ** 2,
                                 pch * pcw, 0),
    }


# --- Self-checks for the exercises ----------------------------------------------------------

# Which options equal out for every kernel of a family, on every image in [0, 1] (derived on the page,
# measured by evaluate_options in the tests).
FAMILY_ANSWERS = {
    "random": frozenset({"C"}),
    "positive, bias >= 0": frozenset({"B", "C"}),
    "positive, bias < 0": frozenset({"C"}),
}


def _labels(answer):
    if isinstance(answer, str):
        answer = [a for a in answer.replace(",", " ").split() if a]
    if not hasattr(answer, "__iter__"):
        raise TypeError(f"answer must be a set of option labels such as {{'A', 'C'}}, got {answer!r}")
    answer = {str(a).strip().upper() for a in answer}
    unknown = answer - set(OPTIONS)
    if unknown:
        raise ValueError(f"answer holds unknown option {sorted(unknown)}: choose from {', '.join(map(repr, OPTIONS))}")
    return answer


def check_equivalent_options(answer, family):
    """Say whether ``answer`` (labels such as {'C'}) is exactly the options equal to out for every kernel of the family."""
    answer, family = _labels(answer), _family(family).name
    right = FAMILY_ANSWERS[family]
    if answer == right:
        return CheckResult(True, f"Right: for '{family}' kernels, {' and '.join(sorted(right))} "
                                 f"equal{'s' if len(right) == 1 else ''} out on every image with pixels in [0, 1].")
    why = []
    for label in sorted(answer & {"A", "D"}):
        why.append(f"{label} convolves the pooled image, which is half the size: its output is smaller than out's.")
    if "B" in answer - right:
        why.append("B fails when a whole pooling window of Conv(x) is negative: B keeps the negative maximum, "
                   "out's ReLU makes it 0. Can this family's kernels produce negative values on [0, 1] images?")
    if "B" in right - answer:
        why.append("B is missing: on [0, 1] images ReLU(x) = x, and which values can Conv(x) take with these kernels?")
    if "C" not in answer:
        why.append("C is missing: does taking the maximum commute with ReLU?")
    return CheckResult(False, "Not yet:\n" + "\n".join(why))


def commuting_functions(names=EXERCISE_FUNCTIONS):
    """The names among `names` that commute with max-pooling: those that never decrease."""
    for i, name in enumerate(validate.sequence(names, "names", 0, 100)):
        if not isinstance(name, str) or name not in ELEMENTWISE:
            raise ValueError(f"names[{i}] must be one of {', '.join(map(repr, ELEMENTWISE))}, got {name!r}")
    return frozenset(name for name in names if monotonicity_violation(name) is None)


def check_commuting_functions(answer, names=EXERCISE_FUNCTIONS):
    """Say whether ``answer`` is exactly the functions among ``names`` with MaxPool(f(x)) = f(MaxPool(x)) for all x."""
    if isinstance(answer, str) or not hasattr(answer, "__iter__"):
        raise TypeError(f"answer must be a set of function names such as {{'tanh'}}, got {answer!r}")
    names = validate.sequence(names, "names", 0, 100)
    answer = validate.names(answer, "answer", tuple(names), "{'tanh'}")
    right = commuting_functions(names)
    if answer == right:
        return CheckResult(True, f"Right: {', '.join(LABELS[n] for n in sorted(right))} never decrease, so the "
                                 "largest input gives the largest output; the others decrease somewhere.")
    why = []
    for name in sorted(answer - right):
        a, b = monotonicity_violation(name)
        why.append(f"{LABELS[name]} does not commute: it decreases somewhere (try a window holding {a:.2f} and {b:.2f}).")
    missing = len(right - answer)
    if missing:
        why.append(f"{missing} function{'s' if missing > 1 else ''} that commute{'s' if missing == 1 else ''} "
                   f"{'are' if missing > 1 else 'is'} missing: which of them never decrease?")
    return CheckResult(False, "Not yet:\n" + "\n".join(why))


def check_multiply_adds(answer, shape, order="out", kernel_size=3, pool_size=2):
    """Say whether ``answer`` is the number of multiply-adds of the convolution in pipeline ``order`` ('out', 'A'..'D')."""
    counts = operation_counts(shape, kernel_size, pool_size)
    if not isinstance(order, str) or order not in counts:
        raise ValueError(f"order must be one of {', '.join(map(repr, counts))}, got {order!r}")
    expected = counts[order].multiply_adds
    if isinstance(answer, bool) or not isinstance(answer, numbers.Integral):
        return CheckResult(False, f"Not yet: a count of multiply-adds is a whole number, got {answer!r}.")
    if answer == expected:
        return CheckResult(True, f"Right: {expected} multiply-adds ({counts[order].pipeline}).")
    h, w = _shape(shape)
    k, s = kernel_size, pool_size
    if order == "folded":
        return CheckResult(False, f"Not yet: {answer} is not it; the folded kernel has (k + s - 1)^2 weights.")
    pools_first = order in ("A", "D")
    seen = (h // s) * (w // s) if pools_first else h * w  # pixels of the image the convolution sees
    other = counts["out" if pools_first else "A"].multiply_adds
    slips = {
        seen * k * k: "a valid convolution has fewer outputs than its input has pixels: (n - k + 1) per axis",
        expected // (k * k): "each output needs k*k multiply-adds, one per kernel weight",
        other: ("in this order the convolution sees the pooled image" if pools_first
                else "in this order the convolution sees the full image, before any pooling"),
    }
    hint = slips.get(answer, "count the convolution's outputs, then the multiply-adds per output")
    return CheckResult(False, f"Not yet: {answer} is not it; {hint}.")
