"""Counting trainable parameters: the formulas behind exam question I(D), and PyTorch's count.

A dense layer from ``n_in`` to ``n_out`` neurons has ``n_in * n_out`` weights and ``n_out``
biases; a network's count is the sum over its layers. The 28x28 images of I(D) enter the
network flattened, as 784 inputs.

The counts are exact integer arithmetic, so sizes have no ceiling there; building a network
(``dense_network``) is limited to ``validate.MAX_ELEMENTS`` parameters. NaN has no place in a
count: answers to the checks must be finite whole numbers.
"""

from dataclasses import dataclass
import math
import numbers
from typing import Callable

import torch
from torch import nn

from . import validate
from .checks import CheckResult

__all__ = [
    "DenseLayer",
    "dense_parameter_count",
    "dense_layer_breakdown",
    "conv_parameter_count",
    "count_parameters",
    "dense_network",
    "ExamOption",
    "EXAM_IMAGE_SIZE",
    "EXAM_LAYER_SIZES",
    "EXAM_OPTIONS",
    "image_input_size",
    "pytorch_dense_parameter_count",
    "parameter_bytes",
    "ConvComparison",
    "conv_vs_dense",
    "mistaken_counts",
    "explain_count",
    "check_parameter_count",
    "check_conv_parameter_count",
]


@dataclass(frozen=True)
class DenseLayer:
    """Parameter counts of one dense layer n_in -> n_out."""

    n_in: int
    n_out: int
    weights: int  # n_in * n_out
    biases: int  # n_out
    total: int  # weights + biases


def _check_positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be a positive integer, got {value!r} ({type(value).__name__})"
        )
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return int(value)


def _check_layer_sizes(layer_sizes):
    """sequence of ints -> list of ints: input size, hidden sizes..., output size."""
    if isinstance(layer_sizes, (str, bytes)) or not hasattr(layer_sizes, "__iter__"):
        raise TypeError(
            f"layer_sizes must be a sequence of ints such as [784, 512, 10], got {layer_sizes!r}"
        )
    sizes = list(layer_sizes)
    if len(sizes) > validate.MAX_ITEMS:
        raise ValueError(f"layer_sizes holds {len(sizes):,} sizes, more than the limit of {validate.MAX_ITEMS:,}")
    if len(sizes) < 2:
        raise ValueError(
            "layer_sizes needs at least two sizes (inputs and outputs), "
            f"such as [784, 512, 10], got {sizes!r}"
        )
    return [_check_positive_int(size, f"layer_sizes[{i}]") for i, size in enumerate(sizes)]


def dense_layer_breakdown(layer_sizes):
    """[n_0, ..., n_L] -> list of L DenseLayer: weights, biases and total of each layer."""
    sizes = _check_layer_sizes(layer_sizes)
    return [
        DenseLayer(n_in=a, n_out=b, weights=a * b, biases=b, total=(a + 1) * b)
        for a, b in zip(sizes[:-1], sizes[1:])
    ]


def dense_parameter_count(layer_sizes):
    """[n_0, ..., n_L] -> int: weights and biases of a dense network, sum of (n_in + 1) * n_out.

    ``dense_parameter_count([784, 512, 10]) == 407050``, the answer to I(D).
    """
    return sum(layer.total for layer in dense_layer_breakdown(layer_sizes))


def _kernel_pair(kernel_size):
    """int or (int, int) -> (kh, kw), both positive."""
    if isinstance(kernel_size, (tuple, list)):
        if len(kernel_size) != 2:
            raise ValueError(f"kernel_size must be an int or a pair (kh, kw), got {kernel_size!r}")
        return tuple(_check_positive_int(s, "kernel_size") for s in kernel_size)
    k = _check_positive_int(kernel_size, "kernel_size")
    return k, k


def conv_parameter_count(in_channels, out_channels, kernel_size, bias=True):
    """ints -> int: parameters of a 2-D convolution, in * out * kh * kw (+ out biases).

    kernel_size: int or pair (kh, kw). The count does not depend on the image size, stride or
    padding: the same kernel is shared by every position.
    """
    in_channels = _check_positive_int(in_channels, "in_channels")
    out_channels = _check_positive_int(out_channels, "out_channels")
    kh, kw = _kernel_pair(kernel_size)
    if not isinstance(bias, bool):
        raise TypeError(f"bias must be True or False, got {bias!r}")
    return in_channels * out_channels * kh * kw + (out_channels if bias else 0)


def count_parameters(module, trainable_only=True):
    """nn.Module -> int: sum of p.numel() over its parameters (only requires_grad ones by default).

    A parameter shared between layers is counted once, as ``module.parameters()`` yields it once.
    """
    if not isinstance(module, nn.Module):
        raise TypeError(f"module must be a torch.nn.Module, got {type(module).__name__}")
    validate.boolean(trainable_only, "trainable_only")
    return sum(p.numel() for p in module.parameters() if p.requires_grad or not trainable_only)


def dense_network(layer_sizes, generator=None):
    """[n_0, ..., n_L] -> nn.Sequential: Flatten, then Linear layers with ReLU between them.

    (B, n_0) or (B, h, w) with h * w == n_0 -> (B, n_L). No activation after the last layer.
    Weights and biases are drawn as PyTorch's default does, uniform in +-1/sqrt(n_in), but from
    ``generator`` (a torch.Generator; default: a new one seeded 0), so building a network never
    touches torch's global random state.
    """
    sizes = _check_layer_sizes(layer_sizes)
    validate.work(sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:])), "layer_sizes", validate.MAX_ELEMENTS,
                  "parameters")
    if generator is None:
        generator = torch.Generator().manual_seed(0)
    elif not isinstance(generator, torch.Generator):
        raise TypeError(
            f"generator must be a torch.Generator or None, got {type(generator).__name__}"
        )
    layers = [nn.Flatten()]
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        linear = nn.Linear(n_in, n_out, device="meta").to_empty(device="cpu")
        bound = 1 / math.sqrt(n_in)
        with torch.no_grad():
            for p in (linear.weight, linear.bias):
                p.copy_(torch.rand(p.shape, generator=generator) * (2 * bound) - bound)
        layers.append(linear)
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


@dataclass(frozen=True)
class ExamOption:
    """One answer option of I(D): its text, its formula and whether the exam marks it correct.

    ``formula(height, width, hidden, outputs)`` evaluates the option for an image of
    height x width pixels, a hidden layer of ``hidden`` neurons and ``outputs`` output neurons.
    """

    label: str
    formula: Callable[[int, int, int, int], int]
    marked: bool

    def value(self, height=28, width=28, hidden=512, outputs=10):
        """ints -> int: the option's parameter count, by default for the exam's sizes."""
        return self.formula(height, width, hidden, outputs)


EXAM_IMAGE_SIZE = (28, 28)
EXAM_LAYER_SIZES = (784, 512, 10)

# The distractors' "28" stands for one side of the image; `height` plays that role.
EXAM_OPTIONS = (
    ExamOption("512×10 + 28×512", lambda h, w, hidden, out: hidden * out + h * hidden, False),
    ExamOption(
        "512×10 + 28×28×512 + 512 + 10",
        lambda h, w, hidden, out: hidden * out + h * w * hidden + hidden + out,
        True,
    ),
    ExamOption(
        "512×10 + 28×28×512",
        lambda h, w, hidden, out: hidden * out + h * w * hidden,
        False,
    ),
    ExamOption(
        "512×10 + 28×512 + 512 + 10",
        lambda h, w, hidden, out: hidden * out + h * hidden + hidden + out,
        False,
    ),
)


# ---------------------------------------------------------------------------------------------
# Beyond the count of I(D): images as inputs, PyTorch's count without memory, bytes, weight
# sharing, and self-checks for the exercises.


def _check_image_shape(image_shape):
    """(h, w) or (h, w, channels) -> (h, w, channels) as positive ints."""
    if isinstance(image_shape, (str, bytes)) or not isinstance(image_shape, (tuple, list)):
        raise TypeError(
            "image_shape must be a tuple (height, width) or (height, width, channels), "
            f"such as (28, 28, 1), got {image_shape!r}"
        )
    if len(image_shape) not in (2, 3):
        raise ValueError(
            "image_shape must be (height, width) or (height, width, channels), "
            f"got {len(image_shape)} numbers: {tuple(image_shape)!r}"
        )
    names = ("height", "width", "channels")
    shape = tuple(_check_positive_int(s, f"image_shape's {n}") for s, n in zip(image_shape, names))
    return shape if len(shape) == 3 else (*shape, 1)


def image_input_size(image_shape):
    """(h, w) or (h, w, channels) -> int: inputs of a dense layer fed the flattened image.

    ``image_input_size((28, 28)) == 784``: every pixel of every channel is one input.
    """
    h, w, c = _check_image_shape(image_shape)
    return h * w * c


def pytorch_dense_parameter_count(layer_sizes):
    """[n_0, ..., n_L] -> int: sum(p.numel()) of nn.Linear layers built on the meta device.

    PyTorch's own count, independent of the formula, without allocating any memory, so it
    works for networks too large to build.
    """
    sizes = _check_layer_sizes(layer_sizes)
    layers = [nn.Linear(a, b, device="meta") for a, b in zip(sizes[:-1], sizes[1:])]
    return count_parameters(nn.Sequential(*layers))


def parameter_bytes(n_parameters, dtype=torch.float32):
    """int, torch.dtype -> int: bytes to store n_parameters numbers of that dtype.

    Only the parameters themselves: training also keeps gradients and optimiser state
    (Adam: two more numbers per parameter) and the activations.
    """
    if isinstance(n_parameters, bool) or not isinstance(n_parameters, numbers.Integral):
        raise TypeError(f"n_parameters must be an integer, got {n_parameters!r}")
    if n_parameters < 0:
        raise ValueError(f"n_parameters must be at least 0, got {n_parameters}")
    if not isinstance(dtype, torch.dtype):
        raise TypeError(f"dtype must be a torch.dtype such as torch.float32, got {dtype!r}")
    return int(n_parameters) * torch.empty((), dtype=dtype, device="meta").element_size()


@dataclass(frozen=True)
class ConvComparison:
    """One convolutional layer on an image against layers producing the same outputs.

    Shapes are (height, width, channels). ``conv`` shares one kernel over all positions;
    ``locally_connected`` looks at the same windows but with weights of its own at every
    output position; ``dense`` connects every input to every output.
    """

    input_shape: tuple
    output_shape: tuple
    kernel_size: tuple  # (kh, kw)
    conv: int
    locally_connected: int
    dense: int

    @property
    def n_outputs(self):
        """int: numbers the layer produces, out_h * out_w * out_channels."""
        h, w, c = self.output_shape
        return h * w * c


def conv_vs_dense(image_shape, out_channels, kernel_size, stride=1, padding=0):
    """Parameter counts of a 2-D convolution and of the dense layer with the same outputs.

    image_shape: (h, w) or (h, w, channels); kernel_size: int or (kh, kw); stride and padding
    as in torch.nn.Conv2d (ints, zeros on each side). Returns a ConvComparison.
    """
    h, w, c = _check_image_shape(image_shape)
    out_channels = _check_positive_int(out_channels, "out_channels")
    kh, kw = _kernel_pair(kernel_size)
    stride = validate.integer(stride, "stride", 1)
    padding = validate.integer(padding, "padding", 0)
    if kh > h + 2 * padding or kw > w + 2 * padding:
        raise ValueError(f"kernel_size {kh}x{kw} does not fit image_shape {h}x{w} with padding {padding}: "
                         "use a smaller kernel or more padding")
    out_h = (h + 2 * padding - kh) // stride + 1  # conv.conv_output_size, without its ceiling on sizes
    out_w = (w + 2 * padding - kw) // stride + 1
    n_outputs = out_h * out_w * out_channels
    return ConvComparison(
        input_shape=(h, w, c),
        output_shape=(out_h, out_w, out_channels),
        kernel_size=(kh, kw),
        conv=conv_parameter_count(c, out_channels, (kh, kw)),
        locally_connected=n_outputs * (c * kh * kw + 1),
        dense=(h * w * c + 1) * n_outputs,
    )


def _mistakes_as_text(parts):
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def mistaken_counts(layer_sizes, image_shape=None):
    """[n_0, ..., n_L] -> list of (description, count): the usual wrong parameter counts.

    Each description says what the count does wrong ("leaves out the 522 biases"). With
    ``image_shape`` (h, w) or (h, w, channels), whose pixels must number n_0, it also lists
    the counts that feed the first layer one side of the image instead of all its pixels.
    Counts equal to the right one are left out.
    """
    sizes = _check_layer_sizes(layer_sizes)
    layers = dense_layer_breakdown(sizes)
    right = sum(layer.total for layer in layers)
    n_biases = sum(layer.biases for layer in layers)
    inputs = [(sizes[0], [])]
    if image_shape is not None:
        h, w, c = _check_image_shape(image_shape)
        if h * w * c != sizes[0]:
            raise ValueError(
                f"image_shape {h}x{w}x{c} has {h * w * c} pixel values, but layer_sizes starts "
                f"with {sizes[0]} inputs: they must agree"
            )
        if c > 1:
            inputs.append((h * w, [f"counts {h}×{w} = {h * w:,} pixels but not the {c} channels"]))
        inputs.append((h, [f"feeds the first layer one side of the image ({h}) instead of all "
                           f"its {h}×{w}{'×' + str(c) if c > 1 else ''} = {sizes[0]:,} inputs"]))
    found = []
    for n_0, input_mistake in inputs:
        with_biases = dense_parameter_count([n_0, *sizes[1:]])
        for biases, bias_mistake in ((True, []), (False, [f"leaves out the {n_biases:,} biases"])):
            count = with_biases if biases else with_biases - n_biases
            if input_mistake or bias_mistake:
                found.append((_mistakes_as_text(input_mistake + bias_mistake), count))
    found.append((f"gives the {sizes[0]:,} inputs biases too (inputs are data, not neurons)", right + sizes[0]))
    if len(layers) > 1:
        for i, layer in enumerate(layers):
            found.append(
                (f"leaves out layer {i + 1} ({layer.n_in:,} → {layer.n_out:,}: "
                 f"{layer.weights:,} weights and {layer.biases:,} biases)", right - layer.total)
            )
    found.append(("counts the neurons instead of the connections", sum(sizes)))
    found.append(("counts the neurons, not counting the inputs", sum(sizes[1:])))
    return [(text, count) for text, count in found if count != right]


def _check_answer(answer, name="answer"):
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise TypeError(f"{name} must be a number, got {answer!r}")
    if not math.isfinite(answer) or answer != int(answer):
        raise ValueError(f"{name} must be a whole number (a parameter count), got {answer!r}")
    return int(answer)


def _matching_mistake(answer, mistakes):
    return next((text for text, count in mistakes if count == answer), None)


def _verdict(answer, right, mistakes, hint):
    if answer == right:
        return CheckResult(True, f"Right: {answer:,} parameters.")
    mistake = _matching_mistake(answer, mistakes)
    if mistake is not None:
        return CheckResult(False, f"Not yet: {answer:,} is the count that {mistake}.")
    direction = "too high" if answer > right else "too low"
    return CheckResult(False, f"Not yet: {answer:,} is {direction}. {hint}")


def explain_count(layer_sizes, count, image_shape=None):
    """int -> str: what a proposed parameter count of the dense network gets wrong, if anything.

    "right" for the right count; the known mistake it matches (see ``mistaken_counts``), such as
    "leaves out the 522 biases"; otherwise how far it is off, such as "is 512 too high".
    """
    count = _check_answer(count, "count")
    right = dense_parameter_count(layer_sizes)
    mistakes = mistaken_counts(layer_sizes, image_shape)  # checks image_shape whatever the count
    if count == right:
        return "right"
    mistake = _matching_mistake(count, mistakes)
    if mistake is not None:
        return mistake
    return f"is {abs(count - right):,} too {'high' if count > right else 'low'}"


def check_parameter_count(layer_sizes, answer, image_shape=None):
    """Say whether ``answer`` is the number of parameters of the dense network, and why not.

    Returns a CheckResult (true when right, its message says why): a known mistake from
    ``mistaken_counts`` is named; otherwise it says whether the answer is too high or too low,
    without giving the count away.
    """
    answer = _check_answer(answer)
    return _verdict(
        answer,
        dense_parameter_count(layer_sizes),
        mistaken_counts(layer_sizes, image_shape),
        "A dense layer from n_in to n_out neurons has n_in × n_out weights and n_out biases; "
        "add them up layer by layer.",
    )


def check_conv_parameter_count(in_channels, out_channels, kernel_size, answer):
    """Say whether ``answer`` is the number of parameters of nn.Conv2d(in, out, kernel), and why not."""
    answer = _check_answer(answer)
    right = conv_parameter_count(in_channels, out_channels, kernel_size)
    kh, kw = _kernel_pair(kernel_size)
    area = kh * kw
    mistakes = [
        (f"leaves out the {out_channels} biases, one per filter", right - out_channels),
        (f"forgets that each filter spans all {in_channels} input channels",
         area * out_channels + out_channels),
        ("forgets the input channels and the biases", area * out_channels),
        ("counts one filter only", in_channels * area + 1),
        ("gives every input channel a bias", right - out_channels + in_channels * out_channels),
    ]
    mistakes = [(text, count) for text, count in mistakes if count != right]
    return _verdict(
        answer,
        right,
        mistakes,
        "Each of the out_channels filters has kh × kw weights per input channel, plus one bias.",
    )
