"""2-D convolution as deep-learning libraries compute it, and its bookkeeping.

``conv2d`` is cross-correlation (the kernel is not flipped), which is what
``torch.nn.functional.conv2d`` and every other deep-learning library call "convolution";
``convolve2d_true`` flips the kernel first, as the textbook definition of convolution does.

Sizes and padding follow PyTorch: an axis of length ``n`` with kernel ``k``, stride ``s`` and
``p`` zeros on each side gives ``floor((n + 2p - k) / s) + 1`` outputs.

Also here: the exam's numbers for I(E) and I(G), ``parse_matrix`` for matrices readers type,
the self-checks of the exercises, and the sizes other conventions give (TensorFlow's,
dilated and transposed convolutions).

Arguments are checked by ``dlexam.validate``: matrices must hold finite numbers (NaN and
infinities are refused, since a convolution would spread them silently), sizes are whole
numbers up to ``validate.MAX_SIZE`` and a call may compute at most about
``validate.MAX_ELEMENTS`` outputs, so a mistyped size raises instead of hanging.
"""

from dataclasses import dataclass
import math
import numbers
import re

import numpy as np

from . import validate
from .checks import CheckResult

__all__ = [
    "conv2d",
    "convolve2d_true",
    "conv_output_size",
    "ConvStep",
    "conv2d_steps",
    "window_positions",
    "unused_border",
    "unused_pixel_count",
    "parse_matrix",
    "format_matrix",
    "check_conv_output",
    "check_output_size",
    "check_stride_padding",
    "check_unused_pixels",
    "settings_for_output_size",
    "dilated_kernel_size",
    "tf_output_size",
    "tf_same_padding",
    "conv_transpose_output_size",
    "EXAM_IE_INPUT",
    "EXAM_IE_KERNEL",
    "EXAM_IE_OPTIONS",
    "EXAM_IE_ANSWER",
    "EXAM_IE_SCANNED_ANSWER",
    "EXAM_IG",
    "EXAM_IG_OPTIONS",
    "EXAM_IG_ANSWER",
]

# Exam question I(E): input A, kernel K (stride 2, valid padding) and the three options; the
# exam marks the first. The scan garbled the marked option into the text below.
EXAM_IE_INPUT = ((1, 0, 1, 1, 0), (1, 0, 0, 1, 0), (0, 0, 1, 0, 0))
EXAM_IE_KERNEL = ((0, -1, 0), (-1, 5, -1), (0, -1, 0))
EXAM_IE_OPTIONS = (
    ((-1, 4),),
    ((0, -1, 0), (-1, 5, -1), (0, -1, 0)),
    ((4, -2, 4, 3, -1), (4, -1, -3, 4, -1), (-1, -1, 5, -2, 0)),
)
EXAM_IE_ANSWER = 0
EXAM_IE_SCANNED_ANSWER = "[-1 4 ; -1 -3 4]"

# Exam question I(G): a 5x5 kernel with stride 2 on a 25x25 image, valid padding; the options
# as (rows, cols); the exam marks 11x11.
EXAM_IG = {"n": 25, "k": 5, "stride": 2, "padding": 0}
EXAM_IG_OPTIONS = ((5, 5), (25, 25), (32, 64), (11, 11))
EXAM_IG_ANSWER = 3


def _check_int(value, name, minimum, maximum=validate.MAX_SIZE):
    """int -> int: ``value`` as a Python int, from ``minimum`` to ``maximum`` (None: no ceiling)."""
    return validate.integer(value, name, minimum, maximum)


def _pair(value, name, minimum):
    """int or (int, int) -> (int, int), one entry per axis (rows, cols)."""
    if isinstance(value, (tuple, list)) or (isinstance(value, np.ndarray) and value.ndim == 1):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair (rows, cols), got {value!r}")
        return (_check_int(value[0], name, minimum), _check_int(value[1], name, minimum))
    value = _check_int(value, name, minimum)
    return (value, value)


def _as_matrix(a, name):
    """array-like -> 2-D real NumPy array of finite numbers (bools become ints, integer dtypes stay)."""
    a = validate.array(a, name, ndim=2, dtype=None)
    if a.dtype == bool:
        a = a.astype(np.int64)
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
    out_shape = (
        conv_output_size(h, kh, strides[0], ph),
        conv_output_size(w, kw, strides[1], pw),
    )
    validate.work(out_shape[0] * out_shape[1] * kh * kw, "input, kernel, stride and padding",
                  10 * validate.MAX_ELEMENTS, "multiply-adds")
    validate.work((h + 2 * ph) * (w + 2 * pw), "input and padding", validate.MAX_ELEMENTS, "padded pixels")
    padded = np.pad(x, ((ph, ph), (pw, pw)))
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
    frames = out_h * out_w
    validate.work(frames * (frames + 2 * k.size), "input, kernel, stride and padding", validate.MAX_ELEMENTS // 10,
                  "numbers in the frames (each frame copies the partial output)")
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
    validate.work(count, "n, k, stride and padding", validate.MAX_ITEMS, "window positions")
    return [i * stride for i in range(count)]


def unused_border(n, k, stride=1, padding=0):
    """int sizes -> list of int: indices along one axis that no kernel window covers.

    Indices are in the padded input, so padding zeros can appear too; with padding 0 they are
    input indices. A stride that does not divide ``n + 2*padding - k`` leaves the last
    ``(n + 2*padding - k) % stride`` elements unused; a stride larger than the kernel also
    skips the elements between windows. Apply once to rows and once to cols.
    """
    positions = window_positions(n, k, stride, padding)
    validate.work(n + 2 * padding, "n and padding", validate.MAX_ITEMS, "indices")
    covered_end = positions[-1] + k
    gaps = [i for start in positions[:-1] for i in range(start + k, start + stride)]
    return gaps + list(range(covered_end, n + 2 * padding))


def unused_pixel_count(shape, kernel_shape, stride=1, padding=0):
    """(H, W), (kh, kw) -> int: input pixels (padding zeros not counted) that no window reads."""
    (h, w), (kh, kw) = (_pair(v, name, 1) for v, name in ((shape, "shape"), (kernel_shape, "kernel_shape")))
    (sh, sw), (ph, pw) = _pair(stride, "stride", 1), _pair(padding, "padding", 0)
    if kh > h + 2 * ph or kw > w + 2 * pw:
        raise ValueError(f"kernel_shape {kh}x{kw} does not fit shape {h}x{w} with padding {(ph, pw)}: "
                         "use a smaller kernel or more padding")
    unused_rows = [i for i in unused_border(h, kh, sh, ph) if ph <= i < ph + h]
    unused_cols = [j for j in unused_border(w, kw, sw, pw) if pw <= j < pw + w]
    return h * w - (h - len(unused_rows)) * (w - len(unused_cols))


# --- Reading matrices that readers type ------------------------------------------------

_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_INTEGER = re.compile(r"[+-]?\d+$")


def parse_matrix(text, name="matrix", max_shape=None):
    """str -> 2-D array: one row of numbers per line (or rows separated by ';').

    Numbers in a row are separated by spaces or commas; brackets are ignored, so
    ``"1 0 1\n0 1 0"``, ``"1, 0, 1; 0, 1, 0"`` and ``"[[1, 0, 1], [0, 1, 0]]"`` all give the
    same 2x3 array. All-integer text gives an integer array, anything else floats.
    max_shape: optional (rows, cols) limit.
    """
    validate.text(name, "name")
    if max_shape is not None:
        max_shape = validate.pair(max_shape, "max_shape", 1)
    if not isinstance(text, str):
        raise TypeError(f"{name} must be text with one row of numbers per line, got {type(text).__name__}")
    flat = re.sub(r"\]\s*,?\s*\[", ";", text.strip())  # "[[1, 2], [3, 4]]" -> "[[1, 2;3, 4]]"
    flat = flat.replace("[", " ").replace("]", " ")
    rows = [r.strip().strip(",") for r in re.split(r"[;\n]", flat)]
    rows = [r for r in rows if r.strip()]
    if not rows:
        raise ValueError(f"{name} is empty: type one row of numbers per line, e.g. '1 0 1'")
    table, integer = [], True
    for r, row in enumerate(rows, start=1):
        entries = []
        for c, token in enumerate(t for t in re.split(r"[,\s]+", row.strip()) if t):
            if not _NUMBER.match(token):
                raise ValueError(f"{name}, row {r}, entry {c + 1}: {token!r} is not a number")
            integer = integer and bool(_INTEGER.match(token))
            entries.append(token)
        if table and len(entries) != len(table[0]):
            raise ValueError(
                f"{name}, row {r} has {len(entries)} numbers but row 1 has {len(table[0])}: "
                "every row needs the same number of entries"
            )
        table.append(entries)
    a = np.array([[int(t) if integer else float(t) for t in row] for row in table])
    if max_shape is not None and (a.shape[0] > max_shape[0] or a.shape[1] > max_shape[1]):
        raise ValueError(
            f"{name} is {a.shape[0]}x{a.shape[1]}; at most {max_shape[0]}x{max_shape[1]} fits here (max_shape)"
        )
    return a


def format_matrix(a):
    """2-D array -> str: one row per line, entries separated by spaces (what parse_matrix reads)."""
    a = _as_matrix(a, "matrix")
    return "\n".join(" ".join(f"{v:g}" for v in row) for row in a)


# --- Self-checks for the exercises -------------------------------------------------------


def _answer_matrix(answer):
    """A reader's answer (array-like or text) -> 2-D float array, or None if it is no matrix."""
    try:
        a = parse_matrix(answer, "your answer") if isinstance(answer, str) else np.asarray(answer, dtype=float)
    except (ValueError, TypeError):
        return None
    a = np.asarray(a, dtype=float)
    if a.ndim == 1:
        a = a[None]
    return a if a.ndim == 2 and a.size else None


def check_conv_output(answer, x, k, stride=1, padding="valid"):
    """Say whether ``answer`` is ``conv2d(x, k, stride, padding)``, and if not what is off.

    Recognises the usual slips: a flipped kernel (true convolution), the wrong stride or padding.
    Wrong entries are named by index, without giving their values away.
    """
    expected = conv2d(x, k, stride, padding)
    setting = f"stride {stride}, {padding + ' padding' if isinstance(padding, str) else f'padding {padding}'}"
    mine = _answer_matrix(answer)
    if mine is None:
        return CheckResult(False, f"Not yet: your answer is not a matrix of numbers; the output is {expected.shape[0]}x{expected.shape[1]}.")
    if mine.shape == expected.shape and np.allclose(mine, expected, rtol=0, atol=1e-9):
        return CheckResult(True, f"Right: that is the {expected.shape[0]}x{expected.shape[1]} output of the kernel with {setting}.")
    slips = [
        ("that is the true convolution (kernel flipped); deep-learning layers do not flip the kernel",
         lambda: convolve2d_true(x, k, stride, padding)),
        ("that is the stride-1 output; with a larger stride keep only every stride-th window",
         lambda: conv2d(x, k, 1, padding)),
        ("that is the output with 'same' (zero) padding; valid padding adds no zeros",
         lambda: conv2d(x, k, stride, "same")),
        ("that is the output without padding; this setting adds zeros around the input",
         lambda: conv2d(x, k, stride, "valid")),
    ]
    for hint, other in slips:
        try:
            value = other()
        except ValueError:
            continue
        if value.shape == mine.shape and not (value.shape == expected.shape and np.allclose(value, expected)) \
                and np.allclose(value, mine, rtol=0, atol=1e-9):
            return CheckResult(False, f"Not yet: {hint}.")
    if mine.shape != expected.shape:
        return CheckResult(
            False,
            f"Not yet: your answer is {mine.shape[0]}x{mine.shape[1]}, but with {setting} the output is "
            f"{expected.shape[0]}x{expected.shape[1]} (count the window positions along each axis).",
        )
    off = [(i, j) for i, j in np.ndindex(expected.shape) if abs(mine[i, j] - expected[i, j]) > 1e-9]
    listed = ", ".join(f"[{i}, {j}] (yours: {mine[i, j]:g})" for i, j in off)
    return CheckResult(False, f"Not yet: {len(off)} of {expected.size} entries are off: {listed}.")


def _formula(n, k, stride, padding):
    return f"floor(({n} + 2*{padding} - {k}) / {stride}) + 1"


def check_output_size(answer, n, k, stride=1, padding=0):
    """Say whether ``answer`` is the number of outputs along one axis, and which slip it is if not."""
    expected = conv_output_size(n, k, stride, padding)
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real) or not math.isfinite(answer) \
            or answer != int(answer):
        return CheckResult(False, f"Not yet: an output size is a whole number, got {answer!r}.")
    answer = int(answer)
    if answer == expected:
        return CheckResult(True, f"Right: {_formula(n, k, stride, padding)} = {expected}.")
    slips = [  # (the answer this slip gives, its hint); two slips can give the same number
        ((n + 2 * padding - k) // stride, "you counted the steps between windows: add 1 for the first window"),
        (-(-(n + 2 * padding - k) // stride) + 1, "round down: a window that would stick out of the input does not count"),
        ((n - k) // stride + 1 if k <= n else None, "the padding is missing: it adds zeros to the input"),
        ((n + padding - k) // stride + 1 if k <= n + padding else None, "padding is added on both sides: 2p, not p"),
        ((n + 2 * padding - k) + 1, "the stride is missing: with stride s only every s-th window is kept"),
        (k, "that is the kernel size, not the output size"),
    ]
    hint = "; or ".join(h for value, h in slips if value == answer) or "count the window positions along one axis"
    return CheckResult(False, f"Not yet: {answer} is not the output size; {hint}.")


def settings_for_output_size(n, k, target, max_stride=None, max_padding=None):
    """int sizes -> list of (stride, padding) with ``conv_output_size(n, k, stride, padding) == target``.

    Strides run from 1 to ``max_stride`` (default n) and paddings from 0 to ``max_padding``
    (default k - 1: a padding of k or more adds windows that read nothing but zeros). Sorted
    by stride, then padding; at most ``validate.MAX_ITEMS`` settings.
    """
    n, k = _check_int(n, "input size n", 1), _check_int(k, "kernel size k", 1)
    target = _check_int(target, "target size", 1)
    max_stride = n if max_stride is None else _check_int(max_stride, "max_stride", 1)
    max_padding = k - 1 if max_padding is None else _check_int(max_padding, "max_padding", 0)
    validate.work(max_padding + 1, "k or max_padding", validate.MAX_ITEMS, "paddings to try")
    found = []
    for p in range(max_padding + 1):
        span = n + 2 * p - k  # floor(span / s) + 1 == target  <=>  span / target < s <= span / (target - 1)
        if span < 0:
            continue
        low = span // target + 1
        high = max_stride if target == 1 else min(max_stride, span // (target - 1))
        if high >= low:
            validate.work(len(found) + high - low + 1, "n, k, target, max_stride and max_padding",
                          validate.MAX_ITEMS, "settings")
            found.extend((s, p) for s in range(low, high + 1))
    return sorted(found)


def check_stride_padding(stride, padding, n, k, target):
    """Say whether a kernel of size k with this stride and padding turns n inputs into ``target``."""
    n, k = _check_int(n, "input size n", 1), _check_int(k, "kernel size k", 1)
    target = _check_int(target, "target size", 1)
    try:
        got = conv_output_size(n, k, stride, padding)
    except (ValueError, TypeError) as err:
        return CheckResult(False, f"Not yet: {err}.")
    if got == target:
        return CheckResult(True, f"Right: {_formula(n, k, stride, padding)} = {got}.")
    return CheckResult(False, f"Not yet: {_formula(n, k, stride, padding)} = {got}, not {target}.")


def check_unused_pixels(answer, shape, kernel_shape, stride=1, padding=0):
    """Say whether ``answer`` is the number of input pixels that no window reads."""
    expected = unused_pixel_count(shape, kernel_shape, stride, padding)
    if isinstance(answer, bool) or not isinstance(answer, numbers.Integral):
        return CheckResult(False, f"Not yet: a pixel count is a whole number, got {answer!r}.")
    if answer == expected:
        return CheckResult(True, f"Right: {expected} pixels are never read.")
    hint = "too many" if answer > expected else "too few"
    return CheckResult(
        False,
        f"Not yet: {answer} is {hint}; find the unused rows and columns with unused_border, "
        "and count a pixel in both an unused row and an unused column once.",
    )


# --- Other conventions --------------------------------------------------------------------


def dilated_kernel_size(k, dilation=1):
    """int -> int: the span dilation * (k - 1) + 1 of a kernel of size k with gaps of dilation - 1.

    ``conv_output_size(n, dilated_kernel_size(k, d), s, p)`` is PyTorch's output size with
    ``dilation=d``.
    """
    k = _check_int(k, "kernel size k", 1)
    dilation = _check_int(dilation, "dilation", 1)
    return dilation * (k - 1) + 1


def tf_output_size(n, k, stride=1, padding="valid", dilation=1):
    """int sizes -> int: TensorFlow's output size, ceil((n - k + 1) / s) ('valid') or ceil(n / s) ('same').

    'valid' agrees with ``conv_output_size(n, k, s, 0)``; 'same' keeps ceil(n / s) outputs
    whatever the kernel, padding unevenly if needed (see ``tf_same_padding``).
    """
    n = _check_int(n, "input size n", 1)
    k = dilated_kernel_size(k, dilation)
    stride = _check_int(stride, "stride", 1)
    padding = padding.lower() if isinstance(padding, str) else padding
    if padding == "same":
        return -(-n // stride)
    if padding != "valid":
        raise ValueError(f"TensorFlow's padding is 'valid' or 'same', got {padding!r}")
    if k > n:
        raise ValueError(f"kernel size {k} does not fit an input of size {n} with valid padding")
    return -(-(n - k + 1) // stride)


def tf_same_padding(n, k, stride=1, dilation=1):
    """int sizes -> (before, after): the zeros TensorFlow's 'same' adds; the odd one goes after."""
    out = tf_output_size(n, k, stride, "same", dilation)
    needed = max(0, (out - 1) * stride + dilated_kernel_size(k, dilation) - n)
    return needed // 2, needed - needed // 2


def conv_transpose_output_size(n, k, stride=1, padding=0, output_padding=0, dilation=1):
    """int sizes -> int: PyTorch's ConvTranspose output size (n-1)*s - 2p + d*(k-1) + output_padding + 1.

    It inverts ``conv_output_size`` only up to the floor: several input sizes give the same
    convolution output, and ``output_padding`` (less than the stride) picks one of them.
    """
    n = _check_int(n, "input size n", 1)
    stride = _check_int(stride, "stride", 1)
    padding = _check_int(padding, "padding", 0)
    output_padding = _check_int(output_padding, "output_padding", 0)
    dilation = _check_int(dilation, "dilation", 1)
    if output_padding >= max(stride, dilation):
        raise ValueError(
            f"output_padding must be smaller than the stride or the dilation, got {output_padding} "
            f"with stride {stride} and dilation {dilation}"
        )
    size = (n - 1) * stride - 2 * padding + dilated_kernel_size(k, dilation) + output_padding
    if size < 1:
        raise ValueError(f"padding {padding} removes the whole output (size {size}): use less padding")
    return size
