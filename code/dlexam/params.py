"""Counting trainable parameters: the formulas behind exam question I(D), and PyTorch's count.

A dense layer from ``n_in`` to ``n_out`` neurons has ``n_in * n_out`` weights and ``n_out``
biases; a network's count is the sum over its layers. The 28x28 images of I(D) enter the
network flattened, as 784 inputs.
"""

from dataclasses import dataclass
import math
import numbers
from typing import Callable

import torch
from torch import nn

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


def conv_parameter_count(in_channels, out_channels, kernel_size, bias=True):
    """ints -> int: parameters of a 2-D convolution, in * out * kh * kw (+ out biases).

    kernel_size: int or pair (kh, kw). The count does not depend on the image size, stride or
    padding: the same kernel is shared by every position.
    """
    in_channels = _check_positive_int(in_channels, "in_channels")
    out_channels = _check_positive_int(out_channels, "out_channels")
    if isinstance(kernel_size, (tuple, list)):
        if len(kernel_size) != 2:
            raise ValueError(f"kernel_size must be an int or a pair (kh, kw), got {kernel_size!r}")
        kh, kw = (_check_positive_int(s, "kernel_size") for s in kernel_size)
    else:
        kh = kw = _check_positive_int(kernel_size, "kernel_size")
    if not isinstance(bias, bool):
        raise TypeError(f"bias must be True or False, got {bias!r}")
    return in_channels * out_channels * kh * kw + (out_channels if bias else 0)


def count_parameters(module, trainable_only=True):
    """nn.Module -> int: sum of p.numel() over its parameters (only requires_grad ones by default).

    A parameter shared between layers is counted once, as ``module.parameters()`` yields it once.
    """
    if not isinstance(module, nn.Module):
        raise TypeError(f"module must be a torch.nn.Module, got {type(module).__name__}")
    return sum(p.numel() for p in module.parameters() if p.requires_grad or not trainable_only)


def dense_network(layer_sizes, generator=None):
    """[n_0, ..., n_L] -> nn.Sequential: Flatten, then Linear layers with ReLU between them.

    (B, n_0) or (B, h, w) with h * w == n_0 -> (B, n_L). No activation after the last layer.
    Weights and biases are drawn as PyTorch's default does, uniform in +-1/sqrt(n_in), but from
    ``generator`` (a torch.Generator; default: a new one seeded 0), so building a network never
    touches torch's global random state.
    """
    sizes = _check_layer_sizes(layer_sizes)
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
