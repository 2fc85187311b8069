"""dlexam.conv: convolution against torch, sizes against torch and brute force, the checks."""

import math

import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import assume, strategies as st

from dlexam.conv import EXAM_IE_INPUT, EXAM_IE_KERNEL

from . import Answer, Arg, Arr, Int, Size, Text, record, spec

NAN = float("nan")
A = np.array(EXAM_IE_INPUT)
K = np.array(EXAM_IE_KERNEL)


def Padding(valid="valid"):
    return Arg(valid, [("None", None), ("unknown word", "full"), ("negative", -1), ("float", 1.5), ("bool", True),
                       ("nan", NAN), ("triple", (1, 2, 3)), ("huge", 10**12), ("dict", {"a": 1})],
               [("zero", 0), ("pair", (0, 0)), ("one", 1), ("same", "same")])


def Stride(valid=1):
    return Size(valid).with_edge(("pair", (1, 1)))


@st.composite
def conv_case(draw, max_side=7):
    h, w = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    kh, kw = draw(st.integers(1, h)), draw(st.integers(1, w))
    x = np.array(draw(st.lists(st.integers(-5, 5), min_size=h * w, max_size=h * w))).reshape(h, w)
    k = np.array(draw(st.lists(st.integers(-3, 3), min_size=kh * kw, max_size=kh * kw))).reshape(kh, kw)
    stride = draw(st.integers(1, 3))
    padding = draw(st.sampled_from(["valid", 0, 1, 2] + (["same"] if kh % 2 and kw % 2 else [])))
    return {"x": x, "k": k, "stride": stride, "padding": padding}


def torch_conv(x, k, stride, padding, flip=False):
    k = np.asarray(k)[::-1, ::-1].copy() if flip else np.asarray(k)
    pad = {"valid": 0, "same": (k.shape[0] // 2, k.shape[1] // 2)}.get(padding, padding)
    out = F.conv2d(torch.tensor(np.asarray(x), dtype=torch.float64)[None, None],
                   torch.tensor(k, dtype=torch.float64)[None, None], stride=stride, padding=pad)
    return out[0, 0].numpy()


def check_conv2d(result, x, k, stride, padding, flip=False):
    np.testing.assert_allclose(result, torch_conv(x, k, stride, padding, flip), atol=1e-9)


XK = {"x": Arr(A).named("input"), "k": Arr(K).named("kernel"), "stride": Stride(2), "padding": Padding()}

spec("conv.conv2d", XK, given=conv_case(), check=check_conv2d)
spec("conv.convolve2d_true", XK, given=conv_case(),
     check=lambda r, **kw: check_conv2d(r, **kw, flip=True))
spec("conv.conv2d_steps", XK, given=conv_case(5), finite=False,
     check=lambda r, **kw: (len(r) == torch_conv(**kw).size
                            and np.allclose(r[-1].partial_output, torch_conv(**kw))) or _fail(r))
record("conv.ConvStep")


def _fail(result):
    raise AssertionError(f"property fails for {result!r}"[:300])


@st.composite
def size_case(draw, max_n=40):
    n = draw(st.integers(1, max_n))
    padding = draw(st.integers(0, 4))
    k = draw(st.integers(1, n + 2 * padding))
    return {"n": n, "k": k, "stride": draw(st.integers(1, 6)), "padding": padding}


def torch_size(n, k, stride, padding):
    return F.conv1d(torch.zeros(1, 1, n), torch.zeros(1, 1, k), stride=stride, padding=padding).shape[-1]


SIZES = {"n": Size(25).named("n"), "k": Size(5).named("k"), "stride": Size(2), "padding": Size(0, minimum=0)}

spec("conv.conv_output_size", SIZES, given=size_case(), check=lambda r, **kw: r == torch_size(**kw) or _fail(r))


def check_positions(result, n, k, stride, padding):
    assert len(result) == torch_size(n, k, stride, padding)
    assert result[0] == 0 and all(b - a == stride for a, b in zip(result, result[1:]))
    assert result[-1] + k <= n + 2 * padding < result[-1] + k + stride


def covered(n, k, stride, padding):
    seen = set()
    for start in range(0, n + 2 * padding - k + 1, stride):
        seen.update(range(start, start + k))
    return seen


spec("conv.window_positions", SIZES, given=size_case(), check=check_positions)
spec("conv.unused_border", SIZES, given=size_case(),
     check=lambda r, n, k, stride, padding: r == sorted(set(range(n + 2 * padding)) - covered(n, k, stride, padding))
     or _fail(r))


@st.composite
def pixel_case(draw):
    a, b = draw(size_case(12)), draw(size_case(12))
    return {"shape": (a["n"], b["n"]), "kernel_shape": (a["k"], b["k"]), "stride": (a["stride"], b["stride"]),
            "padding": (a["padding"], b["padding"])}


def brute_unused(shape, kernel_shape, stride, padding):
    rows = covered(shape[0], kernel_shape[0], stride[0], padding[0])
    cols = covered(shape[1], kernel_shape[1], stride[1], padding[1])
    return sum(1 for i in range(shape[0]) for j in range(shape[1])
               if i + padding[0] not in rows or j + padding[1] not in cols)


PIXELS = {"shape": Arg((3, 5), [("None", None), ("negative side", (3, -5)), ("float side", (3.5, 5)),
                                 ("triple", (1, 2, 3)), ("huge side", (10**12, 5)), ("text", "3x5")]),
          "kernel_shape": Arg((3, 3), [("None", None), ("zero side", (0, 3)), ("float side", (1.5, 3)),
                                       ("too large", (9, 9)), ("huge", (10**12, 3))]),
          "stride": Stride(2), "padding": Size(0, minimum=0)}
spec("conv.unused_pixel_count", PIXELS, given=pixel_case(),
     check=lambda r, **kw: r == brute_unused(**kw) or _fail(r))
spec("conv.check_unused_pixels", {"answer": Answer(1), **PIXELS}, given=pixel_case(),
     check=lambda r, **kw: (bool(r) == (kw["answer"] == brute_unused(
         kw["shape"], kw["kernel_shape"], kw["stride"], kw["padding"])))
     or _fail(r))


def check_parse(result, text, name, max_shape):
    assert result.ndim == 2 and result.dtype.kind in "if"


matrices = st.integers(1, 4).flatmap(lambda r: st.integers(1, 4).flatmap(
    lambda c: st.lists(st.lists(st.integers(-99, 99), min_size=c, max_size=c), min_size=r, max_size=r)))

spec("conv.parse_matrix",
     {"text": Arg("1 0 1\n0 1 0", [("None", None), ("number", 3), ("empty", ""), ("word", "1 x"),
                                    ("nan", "nan 1"), ("ragged", "1 2\n3"), ("bytes", b"1 2")]).named("A"),
      "name": Text("A"),
      "max_shape": Arg(None, [("text", "3x3"), ("zero", (0, 3)), ("float", (1.5, 3)), ("too small", (1, 1)),
                              ("triple", (1, 2, 3))], [("pair", (5, 5))])},
     given=st.fixed_dictionaries({"text": matrices.map(lambda m: "\n".join(" ".join(map(str, r)) for r in m))}),
     check=lambda r, text, **kw: np.array_equal(r, np.array([[int(t) for t in line.split()]
                                                           for line in text.split("\n")])) or _fail(r))
spec("conv.format_matrix", {"a": Arr(A).named("matrix")},
     given=st.fixed_dictionaries({"a": matrices.map(np.array)}),
     check=lambda r, a: np.array_equal(__import__("dlexam.conv").conv.parse_matrix(r), a) or _fail(r))


def check_conv_output_verdict(result, answer, x, k, stride, padding):
    expected = torch_conv(x, k, stride, padding)
    right = np.shape(answer) == expected.shape and np.allclose(answer, expected)
    assert bool(result) == right, result


@st.composite
def conv_answer_case(draw):
    case = draw(conv_case(5))
    expected = torch_conv(**case)
    case["answer"] = draw(st.sampled_from([expected, expected + 1, expected.T, np.zeros((1, 1))]))
    return case


spec("conv.check_conv_output", {"answer": Answer([[-1, 4]]), **XK}, given=conv_answer_case(),
     check=check_conv_output_verdict)


@st.composite
def output_size_answer(draw):
    case = draw(size_case())
    case["answer"] = torch_size(**case) + draw(st.sampled_from([0, 0, 1, -1]))
    return case


spec("conv.check_output_size", {"answer": Answer(11), **SIZES}, given=output_size_answer(),
     check=lambda r, answer, **kw: bool(r) == (answer == torch_size(**kw)) or _fail(r))


@st.composite
def target_case(draw):
    n = draw(st.integers(1, 30))
    k = draw(st.integers(1, n))
    return {"n": n, "k": k, "target": draw(st.integers(1, n)),
            "max_stride": draw(st.one_of(st.none(), st.integers(1, 40))),
            "max_padding": draw(st.one_of(st.none(), st.integers(0, 6)))}


def brute_settings(n, k, target, max_stride, max_padding):
    max_stride = n if max_stride is None else max_stride
    max_padding = k - 1 if max_padding is None else max_padding
    return [(s, p) for s in range(1, max_stride + 1) for p in range(max_padding + 1)
            if k <= n + 2 * p and (n + 2 * p - k) // s + 1 == target]


TARGET = {"n": Size(25).named("n"), "k": Size(5).named("k"), "target": Size(11).named("target"),
          "max_stride": Arg(None, [("zero", 0), ("float", 2.5), ("huge", 10**12), ("text", "3"), ("bool", True)],
                            [("small", 3)]),
          "max_padding": Arg(None, [("negative", -1), ("float", 2.5), ("huge", 10**12), ("text", "3")],
                             [("small", 2)])}
spec("conv.settings_for_output_size", TARGET, given=target_case(),
     check=lambda r, **kw: r == brute_settings(**kw) or _fail(r))


@st.composite
def stride_padding_case(draw):
    case = draw(size_case())
    case["target"] = torch_size(**case) + draw(st.sampled_from([0, 1]))
    assume(case["target"] >= 1)
    return case


spec("conv.check_stride_padding",
     {"stride": Answer(2), "padding": Answer(0), "n": Size(25).named("n"), "k": Size(5).named("k"),
      "target": Size(11).named("target")},
     given=stride_padding_case(),
     check=lambda r, target, **kw: bool(r) == (torch_size(**kw) == target) or _fail(r))


@st.composite
def dilation_case(draw):
    k, d = draw(st.integers(1, 5)), draw(st.integers(1, 4))
    return {"k": k, "dilation": d}


spec("conv.dilated_kernel_size", {"k": Size(3).named("k"), "dilation": Size(2)}, given=dilation_case(),
     check=lambda r, k, dilation: r == F.conv1d(torch.zeros(1, 1, r), torch.zeros(1, 1, k), dilation=dilation
                                              ).shape[-1] + r - 1 or _fail(r))


@st.composite
def tf_case(draw):
    n, k, s, d = draw(st.integers(1, 30)), draw(st.integers(1, 5)), draw(st.integers(1, 4)), draw(st.integers(1, 3))
    padding = draw(st.sampled_from(["valid", "same", "SAME"]))
    assume(padding != "valid" or d * (k - 1) + 1 <= n)
    return {"n": n, "k": k, "stride": s, "padding": padding, "dilation": d}


def tf_reference(n, k, stride, padding, dilation):
    span = dilation * (k - 1) + 1
    return math.ceil(n / stride) if padding.lower() == "same" else math.ceil((n - span + 1) / stride)


TF = {"n": Size(25).named("n"), "k": Size(5).named("k"), "stride": Size(2),
      "padding": Arg("valid", [("None", None), ("unknown", "full"), ("number", 1), ("list", ["same"])],
                     [("upper case", "SAME")]),
      "dilation": Size(1)}
spec("conv.tf_output_size", TF, given=tf_case(), check=lambda r, **kw: r == tf_reference(**kw) or _fail(r))
spec("conv.tf_same_padding", {k: v for k, v in TF.items() if k != "padding"},
     given=tf_case().map(lambda c: {k: v for k, v in c.items() if k != "padding"}),
     check=lambda r, n, k, stride, dilation: (
         r[0] + r[1] == max(0, (math.ceil(n / stride) - 1) * stride + dilation * (k - 1) + 1 - n)
         and 0 <= r[1] - r[0] <= 1) or _fail(r))


@st.composite
def transpose_case(draw):
    n, k, s, d = draw(st.integers(1, 12)), draw(st.integers(1, 5)), draw(st.integers(1, 4)), draw(st.integers(1, 3))
    op = draw(st.integers(0, max(s, d) - 1))
    p = draw(st.integers(0, 3))
    assume((n - 1) * s - 2 * p + d * (k - 1) + op + 1 >= 1)
    return {"n": n, "k": k, "stride": s, "padding": p, "output_padding": op, "dilation": d}


spec("conv.conv_transpose_output_size",
     {"n": Size(5).named("n"), "k": Size(3).named("k"), "stride": Size(2), "padding": Size(0, minimum=0),
      "output_padding": Size(1, minimum=0), "dilation": Size(1)},
     given=transpose_case(),
     check=lambda r, n, k, stride, padding, output_padding, dilation: r == F.conv_transpose1d(
         torch.zeros(1, 1, n), torch.zeros(1, 1, k), stride=stride, padding=padding, output_padding=output_padding,
         dilation=dilation).shape[-1] or _fail(r))
