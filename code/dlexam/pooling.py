"""2-D max- and average-pooling as PyTorch computes them, and the kernel that folds a pool into a convolution.

A window of ``size x size`` pixels moves in steps of ``stride``; as in PyTorch's default
(``ceil_mode=False``), a window that would stick out of the input is dropped, so an axis of
``n`` pixels gives ``floor((n - size) / stride) + 1`` outputs (the count ``conv.conv_output_size``
makes for a kernel). Average pooling is the convolution with a constant kernel
``1 / size**2`` (a "box"), which is why it can be folded into a preceding convolution.

Inputs must hold finite numbers (NaN and infinities are refused), and sizes have the ceilings
of ``dlexam.validate``.
"""

import numpy as np

from . import validate
from .conv import _as_matrix, _check_int, conv2d, conv_output_size

__all__ = ["max_pool2d", "avg_pool2d", "pool2d", "pool_output_shape", "box_kernel", "fold_avg_pool", "POOLS"]

POOLS = ("max", "avg")
_MAX_SIDE = 10_000  # of a kernel this module builds: 10^8 numbers at most


def _windows(x, size, stride):
    """Validated (H, W) input -> (H_out, W_out, size, size) view of every pooling window."""
    x = _as_matrix(x, "x")
    size = _check_int(size, "size", 1)
    stride = _check_int(stride, "stride", 1)
    h, w = x.shape
    if size > h or size > w:
        raise ValueError(
            f"a {size}x{size} pooling window does not fit a {h}x{w} input x: "
            f"use a smaller size or an input of at least {size}x{size}"
        )
    validate.work(((h - size) // stride + 1) * ((w - size) // stride + 1) * size * size, "x, size and stride",
                  validate.MAX_ELEMENTS, "window entries")
    windows = np.lib.stride_tricks.sliding_window_view(x, (size, size))  # (H-size+1, W-size+1, size, size)
    return windows[::stride, ::stride]


def max_pool2d(x, size=2, stride=2):
    """(H, W) -> (floor((H-size)/stride)+1, floor((W-size)/stride)+1): the largest value of every window.

    Equals ``torch.nn.functional.max_pool2d(x[None, None], size, stride)[0, 0]`` (no padding,
    floor mode). Raises ValueError when the window is larger than the input.
    """
    return _windows(x, size, stride).max(axis=(-2, -1))


def avg_pool2d(x, size=2, stride=2):
    """(H, W) -> (floor((H-size)/stride)+1, floor((W-size)/stride)+1): the mean of every window, as floats.

    Equals ``torch.nn.functional.avg_pool2d(x[None, None], size, stride)[0, 0]`` (no padding,
    floor mode).
    """
    return _windows(x, size, stride).mean(axis=(-2, -1))


def pool2d(x, pool="max", size=2, stride=2):
    """(H, W) -> pooled (H_out, W_out): ``max_pool2d`` for pool="max", ``avg_pool2d`` for pool="avg"."""
    validate.choice(pool, "pool", POOLS)
    return (max_pool2d if pool == "max" else avg_pool2d)(x, size, stride)


def pool_output_shape(shape, size=2, stride=2):
    """(H, W) -> (H_out, W_out): the shape pooling gives, floor((n - size) / stride) + 1 per axis."""
    if not isinstance(shape, (tuple, list)) or len(shape) != 2:
        raise ValueError(f"shape must be a pair (H, W), got {shape!r}")
    shape = tuple(_check_int(n, "shape", 1) for n in shape)
    size = _check_int(size, "size", 1)
    stride = _check_int(stride, "stride", 1)
    if size > min(shape):
        raise ValueError(f"a {size}x{size} pooling window does not fit the shape {tuple(shape)}: use a smaller size")
    return tuple(conv_output_size(n, size, stride) for n in shape)


def box_kernel(size=2):
    """int -> (size, size): the constant kernel 1 / size**2 whose stride-`size` convolution is average pooling."""
    size = _check_int(size, "size", 1, _MAX_SIDE)
    return np.full((size, size), 1.0 / size**2)


def fold_avg_pool(kernel, size=2):
    """(k, k') -> (k+size-1, k'+size-1): the one kernel that does a convolution followed by average pooling.

    ``avg_pool2d(conv2d(x, kernel), size, stride)`` equals ``conv2d(x, fold_avg_pool(kernel, size),
    stride=stride)`` for every stride: the box blurs the kernel (a full 2-D convolution of the
    two), so a 3x3 kernel followed by 2x2 pooling is one 4x4 kernel with stride 2.
    """
    kernel = np.asarray(_as_matrix(kernel, "kernel"), dtype=float)
    box = box_kernel(size)
    validate.work((kernel.shape[0] + size - 1) * (kernel.shape[1] + size - 1) * size * size, "kernel and size",
                  validate.MAX_ELEMENTS, "multiply-adds")
    padded = np.pad(kernel, size - 1)  # full correlation of the kernel with the (symmetric) box
    return conv2d(padded, box)
