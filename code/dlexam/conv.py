"""2-D convolution as deep-learning libraries compute it, and its bookkeeping.

``conv2d`` is cross-correlation (the kernel is not flipped), which is what
``torch.nn.functional.conv2d`` and every other deep-learning library call "convolution";
``convolve2d_true`` flips the kernel first, as the textbook definition of convolution does.

Sizes and padding follow PyTorch: an axis of length ``n`` with kernel ``k``, stride ``s`` and
``p`` zeros on each side gives ``floor((n + 2p - k) / s) + 1`` outputs.
"""

from dataclasses import dataclass
import numbers

import numpy as np

__all__ = [
    "conv2d",
    "convolve2d_true",
    "conv_output_size",
    "ConvStep",
    "conv2d_steps",
    "window_positions",
    "unused_border",
]


def _check_int(value, name, minimum):
    """int -> int: ``value`` as a Python int, at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    value = int(value)
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return value


def _pair(value, name, minimum):
    """int or (int, int) -> (int, int), one entry per axis (rows, cols)."""
    if isinstance(value, (tuple, list)) or (isinstance(value, np.ndarray) and value.ndim == 1):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair (rows, cols), got {value!r}")
        return (_check_int(value[0], name, minimum), _check_int(value[1], name, minimum))
    value = _check_int(value, name, minimum)
    return (value, value)


def _as_matrix(a, name):
    """array-like -> 2-D real NumPy array (bools become ints)."""
    try:
        a = np.asarray(a)
    except ValueError as err:
        raise ValueError(f"{name} must be a 2-D array with rows of equal length: {err}") from None
    if a.dtype == bool:
        a = a.astype(np.int64)
    if a.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {a.dtype}")
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (rows, cols), got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {a.shape}")
    return a


def _resolve_padding(padding, kernel_shape):
    """'valid' | 'same' | int | (int, int) -> (ph, pw) zeros added on each side."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0)
        if padding == "same":
            kh, kw = kernel_shape
            if kh % 2 == 0 or kw % 2 == 0:
                raise ValueError(
                    f"padding='same' needs an odd kernel size, got {kh}x{kw}: "
                    "use an odd kernel or an explicit integer padding"
                )
            return ((kh - 1) // 2, (kw - 1) // 2)
        raise ValueError(f"padding must be 'valid', 'same' or a non-negative int, got {padding!r}")
    return _pair(padding, "padding", 0)


def _describe_padding(padding, pads):
    if isinstance(padding, str):
        return f"{padding} padding"
    return f"padding {pads[0]}" if pads[0] == pads[1] else f"padding {pads}"


def _setup(x, k, stride, padding):
    """Validate and return (x, k, (sh, sw), (ph, pw), padded x, (out_h, out_w))."""
    x = _as_matrix(x, "input")
    k = _as_matrix(k, "kernel")
    strides = _pair(stride, "stride", 1)
    pads = _resolve_padding(padding, k.shape)
    (h, w), (kh, kw), (ph, pw) = x.shape, k.shape, pads
    if kh > h + 2 * ph or kw > w + 2 * pw:
        where = f"a {h}x{w} input with {_describe_padding(padding, pads)}"
        if ph or pw:
            where += f" (padded to {h + 2 * ph}x{w + 2 * pw})"
        raise ValueError(
            f"kernel {kh}x{kw} does not fit {where}: use a smaller kernel or more padding"
        )
    padded = np.pad(x, ((ph, ph), (pw, pw)))
    out_shape = (
        conv_output_size(h, kh, strides[0], ph),
        conv_output_size(w, kw, strides[1], pw),
    )
    return x, k, strides, pads, padded, out_shape


def conv2d(x, k, stride=1, padding="valid"):
    """(H, W), (kh, kw) -> (H_out, W_out): cross-correlation of x with k, as in deep learning.

    ``y[i, j] = sum_{m, n} xp[i*sh + m, j*sw + n] * k[m, n]`` where ``xp`` is ``x`` with zero
    padding: the kernel is *not* flipped (see ``convolve2d_true`` for that).

    stride: int >= 1 or a pair (sh, sw).
    padding: "valid" (none), "same" or a non-negative int or pair (ph, pw) of zeros added on
        each side. "same" needs an odd kernel and pads (k - 1) // 2 on each side, so with
        stride 1 the output has the input's size; with stride s > 1 it gives ceil(n / s)
        outputs per axis and equals PyTorch's ``conv2d(..., stride=s, padding=k // 2)``
        (PyTorch's own ``padding="same"`` refuses strides; TensorFlow's "same" may pad
        unevenly and can give different values).

    The result keeps the inputs' common NumPy dtype: two integer arrays give an exact integer
    result, anything with floats gives floats.
    """
    _, k, (sh, sw), _, padded, (out_h, out_w) = _setup(x, k, stride, padding)
    dtype = np.result_type(padded.dtype, k.dtype)
    padded, k = padded.astype(dtype, copy=False), k.astype(dtype, copy=False)
    windows = np.lib.stride_tricks.sliding_window_view(padded, k.shape)  # (Hp-kh+1, Wp-kw+1, kh, kw)
    windows = windows[::sh, ::sw][:out_h, :out_w]  # (out_h, out_w, kh, kw)
    return np.einsum("ijmn,mn->ij", windows, k)


def convolve2d_true(x, k, stride=1, padding="valid"):
    """(H, W), (kh, kw) -> (H_out, W_out): true convolution, the kernel flipped in both axes.

    Same arguments and output shape as ``conv2d``; equals ``conv2d(x, k[::-1, ::-1], ...)``.
    For a kernel symmetric under a 180-degree rotation (as in exam question I(E)) both agree.
    """
    k = _as_matrix(k, "kernel")
    return conv2d(x, k[::-1, ::-1], stride=stride, padding=padding)


def conv_output_size(n, k, stride=1, padding=0):
    """int sizes -> int: outputs along one axis, floor((n + 2*padding - k) / stride) + 1.

    n: input length; k: kernel length; padding: zeros added on each side.
    """
    n = _check_int(n, "input size n", 1)
    k = _check_int(k, "kernel size k", 1)
    stride = _check_int(stride, "stride", 1)
    padding = _check_int(padding, "padding", 0)
    if k > n + 2 * padding:
        raise ValueError(
            f"kernel size {k} does not fit an input of size {n} with padding {padding} "
            f"(padded size {n + 2 * padding}): use a smaller kernel or more padding"
        )
    return (n + 2 * padding - k) // stride + 1


@dataclass(frozen=True, eq=False)
class ConvStep:
    """One frame of a step-by-step convolution: the window that produces output[i, j].

    Arrays are read-only. ``padded_input`` is the same array in every frame of a run.
    """

    index: tuple  # (i, j) in the output
    rows: slice  # rows of padded_input under the kernel
    cols: slice  # cols of padded_input under the kernel
    padded_input: np.ndarray  # (H + 2ph, W + 2pw)
    window: np.ndarray  # (kh, kw) = padded_input[rows, cols]
    products: np.ndarray  # (kh, kw) = window * kernel
    value: float  # products.sum() = output[i, j]
    partial_output: np.ndarray  # (H_out, W_out) float, NaN where not yet computed


def _read_only(a):
    a.setflags(write=False)
    return a


def conv2d_steps(x, k, stride=1, padding="valid"):
    """(H, W), (kh, kw) -> list of ConvStep, one per output position in row-major order.

    Same arguments as ``conv2d``; the last frame's ``partial_output`` equals its result.
    Meant for small inputs: every frame holds its own copy of the partial output.
    """
    _, k, (sh, sw), _, padded, (out_h, out_w) = _setup(x, k, stride, padding)
    kh, kw = k.shape
    padded = _read_only(padded.astype(np.float64))
    k = k.astype(np.float64)
    partial = np.full((out_h, out_w), np.nan)
    steps = []
    for i in range(out_h):
        for j in range(out_w):
            rows = slice(i * sh, i * sh + kh)
            cols = slice(j * sw, j * sw + kw)
            window = _read_only(padded[rows, cols].copy())
            products = _read_only(window * k + 0.0)  # + 0.0 turns -0.0 into 0.0 for display
            value = float(products.sum())
            partial[i, j] = value
            steps.append(
                ConvStep(
                    index=(i, j),
                    rows=rows,
                    cols=cols,
                    padded_input=padded,
                    window=window,
                    products=products,
                    value=value,
                    partial_output=_read_only(partial.copy()),
                )
            )
    return steps


def window_positions(n, k, stride=1, padding=0):
    """int sizes -> list of int: start index of every kernel window along one axis.

    Indices are in the padded input (the first input element is at ``padding``); there are
    ``conv_output_size(n, k, stride, padding)`` of them.
    """
    count = conv_output_size(n, k, stride, padding)
    return [i * stride for i in range(count)]


def unused_border(n, k, stride=1, padding=0):
    """int sizes -> list of int: indices along one axis that no kernel window covers.

    Indices are in the padded input, so padding zeros can appear too; with padding 0 they are
    input indices. A stride that does not divide ``n + 2*padding - k`` leaves the last
    ``(n + 2*padding - k) % stride`` elements unused; a stride larger than the kernel also
    skips the elements between windows. Apply once to rows and once to cols.
    """
    positions = window_positions(n, k, stride, padding)
    covered_end = positions[-1] + k
    gaps = [i for start in positions[:-1] for i in range(start + k, start + stride)]
    return gaps + list(range(covered_end, n + 2 * padding))
