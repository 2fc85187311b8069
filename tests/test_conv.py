"""dlexam.conv against torch.nn.functional.conv2d, the textbook definition, exam I(E) and I(G)."""

import dataclasses
import math
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlexam.conv import (
    ConvStep,
    conv2d,
    conv2d_steps,
    conv_output_size,
    convolve2d_true,
    unused_border,
    window_positions,
)

EXAM_A = [[1, 0, 1, 1, 0], [1, 0, 0, 1, 0], [0, 0, 1, 0, 0]]
EXAM_K = [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]
EXAM_THIRD_OPTION = [[4, -2, 4, 3, -1], [4, -1, -3, 4, -1], [-1, -1, 5, -2, 0]]


def _random_cases(count, seed):
    """Random (H, W, kh, kw, stride, padding) that fit, covering ints, pairs, 'valid', 'same'."""
    rng = np.random.default_rng(seed)
    cases = []
    while len(cases) < count:
        h, w = (int(v) for v in rng.integers(1, 10, size=2))
        kh, kw = (int(v) for v in rng.integers(1, 6, size=2))
        stride = int(rng.integers(1, 4))
        if rng.random() < 0.5:
            stride = tuple(int(v) for v in rng.integers(1, 4, size=2))
        kind = rng.integers(4)
        if kind == 0:
            padding = "valid"
        elif kind == 1:
            kh, kw = 2 * (kh // 2) + 1, 2 * (kw // 2) + 1
            padding = "same"
        elif kind == 2:
            padding = int(rng.integers(0, 3))
        else:
            padding = tuple(int(v) for v in rng.integers(0, 3, size=2))
        pads = {"valid": (0, 0), "same": (kh // 2, kw // 2)}.get(padding, padding)
        pads = pads if isinstance(pads, tuple) else (pads, pads)
        if kh <= h + 2 * pads[0] and kw <= w + 2 * pads[1]:
            cases.append((h, w, kh, kw, stride, padding))
    return cases


def _torch_conv2d(x, k, stride, padding):
    """The reference: PyTorch's conv2d on float64 tensors with one batch and one channel."""
    if padding == "valid":
        padding = 0
    elif padding == "same":
        padding = (k.shape[0] // 2, k.shape[1] // 2)
    out = F.conv2d(
        torch.as_tensor(x, dtype=torch.float64)[None, None],
        torch.as_tensor(k, dtype=torch.float64)[None, None],
        stride=stride,
        padding=padding,
    )
    return out[0, 0].numpy()


@pytest.mark.parametrize("h, w, kh, kw, stride, padding", _random_cases(80, seed=2024))
def test_conv2d_matches_pytorch(h, w, kh, kw, stride, padding):
    rng = np.random.default_rng([h, w, kh, kw])
    x, k = rng.normal(size=(h, w)), rng.normal(size=(kh, kw))
    expected = _torch_conv2d(x, k, stride, padding)
    np.testing.assert_allclose(conv2d(x, k, stride, padding), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("h, w, kh, kw", [(3, 5, 3, 3), (7, 4, 1, 3), (6, 6, 5, 5), (9, 2, 3, 1)])
def test_same_padding_with_stride_one_keeps_the_size(h, w, kh, kw):
    x = np.ones((h, w))
    assert conv2d(x, np.ones((kh, kw)), padding="same").shape == (h, w)


@pytest.mark.parametrize("stride", [2, 3, (2, 3)])
def test_same_padding_with_stride_gives_ceil_of_size_over_stride(stride):
    sh, sw = stride if isinstance(stride, tuple) else (stride, stride)
    out = conv2d(np.ones((7, 8)), np.ones((3, 5)), stride=stride, padding="same")
    assert out.shape == (-(-7 // sh), -(-8 // sw))


@pytest.mark.parametrize("stride, padding", [(2, 0), (3, 1), ((1, 2), (2, 0)), (2, "same")])
def test_strided_output_is_the_stride_one_output_subsampled(stride, padding):
    rng = np.random.default_rng(1)
    x, k = rng.normal(size=(8, 9)), rng.normal(size=(3, 3))
    sh, sw = stride if isinstance(stride, tuple) else (stride, stride)
    np.testing.assert_allclose(conv2d(x, k, stride, padding), conv2d(x, k, 1, padding)[::sh, ::sw])


def test_conv2d_is_linear_in_the_input():
    rng = np.random.default_rng(2)
    x, y, k = rng.normal(size=(6, 7)), rng.normal(size=(6, 7)), rng.normal(size=(3, 2))
    expected = 2 * conv2d(x, k, 2, 1) - 3 * conv2d(y, k, 2, 1)
    np.testing.assert_allclose(conv2d(2 * x - 3 * y, k, 2, 1), expected)


def test_a_one_hot_kernel_shifts_the_input():
    x = np.arange(20.0).reshape(4, 5)
    k = np.zeros((3, 3))
    k[0, 2] = 1  # picks the top-right element of every window
    np.testing.assert_array_equal(conv2d(x, k), x[:2, 2:])


def test_integer_inputs_give_an_exact_integer_output():
    out = conv2d(np.array(EXAM_A), np.array(EXAM_K), stride=2)
    assert out.dtype.kind == "i"
    assert conv2d(EXAM_A, np.array(EXAM_K, dtype=float)).dtype == np.float64


def test_exam_i_e_answer_is_minus_one_four():
    np.testing.assert_array_equal(conv2d(EXAM_A, EXAM_K, stride=2, padding="valid"), [[-1, 4]])


def test_exam_i_e_third_option_is_the_stride_one_same_output():
    out = conv2d(EXAM_A, EXAM_K, stride=1, padding="same")
    np.testing.assert_array_equal(out, EXAM_THIRD_OPTION)


def test_exam_i_e_second_option_is_the_kernel_itself_not_an_output():
    # By hand: the three valid 3x3 windows of A give -1, -3 and 4; stride 2 keeps the first and third.
    np.testing.assert_array_equal(conv2d(EXAM_A, EXAM_K, stride=1), [[-1, -3, 4]])
    for stride, padding in ((1, "valid"), (2, "valid"), (1, "same"), (2, "same")):
        out = conv2d(EXAM_A, EXAM_K, stride=stride, padding=padding)
        assert out.shape != np.shape(EXAM_K) or not np.array_equal(out, EXAM_K)
    np.testing.assert_array_equal(conv2d(EXAM_A, EXAM_K, stride=2, padding="same"), [[4, 4, -1], [-1, 5, 0]])


def _true_convolution_by_definition(x, k):
    """Valid part of y[i, j] = sum_{m, n} x[i - m, j - n] k[m, n], written as loops."""
    x, k = np.asarray(x, float), np.asarray(k, float)
    (h, w), (kh, kw) = x.shape, k.shape
    out = np.zeros((h - kh + 1, w - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            for m in range(kh):
                for n in range(kw):
                    out[i, j] += x[i + kh - 1 - m, j + kw - 1 - n] * k[m, n]
    return out


@pytest.mark.parametrize(
    "shape_x, shape_k", [((5, 6), (2, 3)), ((4, 4), (4, 4)), ((6, 3), (3, 1)), ((3, 7), (1, 1))]
)
def test_convolve2d_true_matches_the_definition(shape_x, shape_k):
    rng = np.random.default_rng(3)
    x, k = rng.normal(size=shape_x), rng.normal(size=shape_k)
    np.testing.assert_allclose(convolve2d_true(x, k), _true_convolution_by_definition(x, k))


def test_convolve2d_true_matches_numpy_convolve_on_one_row():
    rng = np.random.default_rng(4)
    x, k = rng.normal(size=10), rng.normal(size=4)
    expected = np.convolve(x, k, mode="valid")
    np.testing.assert_allclose(convolve2d_true(x[None], k[None])[0], expected)


def test_true_convolution_and_cross_correlation_differ_unless_the_kernel_is_symmetric():
    x = np.arange(25.0).reshape(5, 5)
    asymmetric = np.array([[1.0, 2.0], [0.0, 0.0]])
    assert not np.allclose(conv2d(x, asymmetric), convolve2d_true(x, asymmetric))
    np.testing.assert_array_equal(conv2d(EXAM_A, EXAM_K, 2), convolve2d_true(EXAM_A, EXAM_K, 2))


@pytest.mark.parametrize("n", [1, 4, 7, 25, 28])
@pytest.mark.parametrize("k", [1, 2, 3, 5])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("padding", [0, 1, 2])
def test_conv_output_size_matches_pytorch(n, k, stride, padding):
    if k > n + 2 * padding:
        with pytest.raises(ValueError, match="does not fit"):
            conv_output_size(n, k, stride, padding)
        return
    out = F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), stride=stride, padding=padding)
    assert conv_output_size(n, k, stride, padding) == out.shape[-1]
    assert len(window_positions(n, k, stride, padding)) == out.shape[-1]


def test_exam_i_g_output_is_11_by_11():
    assert conv_output_size(25, 5, stride=2, padding=0) == 11
    assert conv2d(np.zeros((25, 25)), np.zeros((5, 5)), stride=(2, 2)).shape == (11, 11)


def _uncovered_by_autograd(n, k, stride, padding):
    """Padded indices whose value cannot affect a strided conv1d: a gradient of exactly zero."""
    x = torch.ones(1, 1, n + 2 * padding, requires_grad=True)
    F.conv1d(x, torch.ones(1, 1, k), stride=stride).sum().backward()
    return [int(i) for i in torch.nonzero(x.grad[0, 0] == 0).flatten()]


@pytest.mark.parametrize(
    "n, k, stride, padding",
    [(25, 5, 2, 0), (26, 5, 2, 0), (10, 3, 4, 0), (9, 2, 3, 1), (7, 7, 1, 0), (12, 3, 5, 2), (5, 1, 2, 0)],
)
def test_unused_border_matches_autograd(n, k, stride, padding):
    assert unused_border(n, k, stride, padding) == _uncovered_by_autograd(n, k, stride, padding)


def test_exam_i_g_uses_every_pixel_but_one_more_column_would_not_be():
    assert unused_border(25, 5, 2) == []
    assert unused_border(26, 5, 2) == [25]
    assert window_positions(25, 5, 2) == list(range(0, 21, 2))


@pytest.mark.parametrize(
    "stride, padding", [(1, "valid"), (2, "valid"), ((2, 1), 1), (2, "same"), (3, (1, 2))]
)
def test_conv2d_steps_agree_with_conv2d(stride, padding):
    rng = np.random.default_rng(5)
    x, k = rng.integers(-3, 4, size=(6, 7)), rng.integers(-2, 3, size=(3, 3))
    out = conv2d(x, k, stride, padding)
    steps = conv2d_steps(x, k, stride, padding)
    assert len(steps) == out.size
    assert [s.index for s in steps] == [tuple(int(v) for v in ij) for ij in np.ndindex(out.shape)]
    np.testing.assert_array_equal(steps[-1].partial_output, out)
    for t, step in enumerate(steps):
        assert step.value == out[step.index]
        np.testing.assert_array_equal(step.window, step.padded_input[step.rows, step.cols])
        np.testing.assert_array_equal(step.products, step.window * k)
        assert step.products.sum() == step.value
        assert np.count_nonzero(~np.isnan(step.partial_output)) == t + 1
        assert step.partial_output[step.index] == step.value


def test_conv2d_steps_frames_cannot_be_changed():
    step = conv2d_steps(EXAM_A, EXAM_K, stride=2)[0]
    assert isinstance(step, ConvStep)
    with pytest.raises(dataclasses.FrozenInstanceError):
        step.value = 0.0
    with pytest.raises(ValueError, match="read-only"):
        step.partial_output[0, 0] = 0.0
    assert np.isnan(step.partial_output[0, 1])


def test_conv2d_steps_show_the_exam_example():
    steps = conv2d_steps(EXAM_A, EXAM_K, stride=2)
    assert [s.value for s in steps] == [-1.0, 4.0]
    assert [(s.rows, s.cols) for s in steps] == [
        (slice(0, 3), slice(0, 3)),
        (slice(0, 3), slice(2, 5)),
    ]


@pytest.mark.parametrize(
    "x_shape, k_shape, kwargs, error, match",
    [
        ((3, 3), (5, 5), {}, ValueError, "kernel 5x5 does not fit a 3x3 input with valid padding"),
        ((3, 3), (5, 5), {"padding": (0, 1)}, ValueError, r"5x5 does not fit a 3x3 input .*padded to 3x5"),
        ((4, 4), (2, 2), {"padding": "same"}, ValueError, "odd kernel"),
        ((4, 4), (3, 3), {"padding": "full"}, ValueError, "'valid', 'same' or a non-negative int"),
        ((4, 4), (3, 3), {"padding": -1}, ValueError, "padding must be at least 0"),
        ((4, 4), (3, 3), {"stride": 0}, ValueError, "stride must be at least 1"),
        ((4, 4), (3, 3), {"stride": 1.5}, TypeError, "stride must be an integer"),
        ((4, 4), (3, 3), {"stride": (1, 2, 3)}, ValueError, "pair"),
        ((4, 4, 1), (3, 3), {}, ValueError, r"input must be a 2-D array"),
        ((4, 4), (3,), {}, ValueError, r"kernel must be a 2-D array"),
    ],
)
def test_conv2d_rejects_bad_input_with_a_helpful_message(x_shape, k_shape, kwargs, error, match):
    with pytest.raises(error, match=match):
        conv2d(np.zeros(x_shape), np.zeros(k_shape), **kwargs)


def test_conv2d_rejects_non_numbers():
    with pytest.raises(TypeError, match="real numbers"):
        conv2d([["a", "b"], ["c", "d"]], [[1]])


@pytest.mark.parametrize(
    "args, error, match",
    [
        ((3, 5), ValueError, "kernel size 5 does not fit an input of size 3 with padding 0"),
        ((5, 3, 0), ValueError, "stride must be at least 1"),
        ((5, 3, 1, -1), ValueError, "padding must be at least 0"),
        ((0, 1), ValueError, "input size n must be at least 1"),
        ((5.0, 3), TypeError, "input size n must be an integer"),
        ((5, 3, True), TypeError, "stride must be an integer"),
        ((5, "3"), TypeError, "kernel size k must be an integer"),
    ],
)
def test_conv_output_size_rejects_bad_input(args, error, match):
    with pytest.raises(error, match=match):
        conv_output_size(*args)


# --- Additions: reading typed matrices, self-checks, other size conventions ---------------

from dlexam.conv import (  # noqa: E402
    check_conv_output,
    check_output_size,
    check_stride_padding,
    check_unused_pixels,
    conv_transpose_output_size,
    dilated_kernel_size,
    format_matrix,
    parse_matrix,
    settings_for_output_size,
    tf_output_size,
    tf_same_padding,
    unused_pixel_count,
)


@pytest.mark.parametrize(
    "text",
    ["1 0 1\n1 0 0", "1, 0, 1; 1, 0, 0", "[[1, 0, 1], [1, 0, 0]]", "  1 0 1 \n\n 1 0 0\n", "[1,0,1]\n[1,0,0]"],
)
def test_parse_matrix_reads_the_usual_ways_of_typing_a_matrix(text):
    a = parse_matrix(text)
    assert a.dtype.kind == "i"
    np.testing.assert_array_equal(a, [[1, 0, 1], [1, 0, 0]])


def test_parse_matrix_keeps_floats_and_signs_and_round_trips_with_format_matrix():
    a = parse_matrix("-1 +2.5 .5\n1e-3 -0 3")
    assert a.dtype == np.float64
    np.testing.assert_array_equal(a, [[-1, 2.5, 0.5], [0.001, 0, 3]])
    np.testing.assert_array_equal(parse_matrix(format_matrix(EXAM_K)), EXAM_K)
    assert format_matrix(EXAM_A).split("\n")[0] == "1 0 1 1 0"


@pytest.mark.parametrize(
    "text, error, match",
    [
        ("", ValueError, "A is empty"),
        ("  \n ; ", ValueError, "A is empty"),
        ("1 2\n3 x", ValueError, r"A, row 2, entry 2: 'x' is not a number"),
        ("1 2 3\n4 5", ValueError, "row 2 has 2 numbers but row 1 has 3"),
        ("nan 1", ValueError, "'nan' is not a number"),
        ("1 inf", ValueError, "'inf' is not a number"),
        ("1 2 3 4", ValueError, r"A is 1x4; at most 3x3"),
        (None, TypeError, "A must be text"),
    ],
)
def test_parse_matrix_says_what_is_wrong(text, error, match):
    with pytest.raises(error, match=match):
        parse_matrix(text, "A", max_shape=(3, 3))


def test_parsed_matrices_feed_conv2d():
    out = conv2d(parse_matrix("1 0 1 1 0\n1 0 0 1 0\n0 0 1 0 0"), parse_matrix("0 -1 0; -1 5 -1; 0 -1 0"), 2)
    np.testing.assert_array_equal(out, [[-1, 4]])


def test_check_conv_output_accepts_the_right_answer_in_any_form():
    for answer in ([[-1, 4]], np.array([[-1.0, 4.0]]), [-1, 4], "-1 4"):
        verdict = check_conv_output(answer, EXAM_A, EXAM_K, stride=2)
        assert verdict and verdict.message.startswith("Right")


@pytest.mark.parametrize(
    "answer, kwargs, match",
    [
        ([[-1, 2, 4]], {"stride": 1}, r"1 of 3 entries are off: \[0, 1\] \(yours: 2\)"),
        (EXAM_THIRD_OPTION, {"stride": 2}, r"stride 2, valid padding the output is 1x2"),
        (EXAM_K, {"stride": 2}, r"your answer is 3x3, but"),
        ([[-1, -3, 4]], {"stride": 2}, "stride-1 output"),
        ([[4, 4, -1], [-1, 5, 0]], {"stride": 2}, "'same' \\(zero\\) padding"),
        ([[-1, 4]], {"stride": 2, "padding": 1}, "without padding"),
        ("1 x", {"stride": 2}, "not a matrix"),
    ],
)
def test_check_conv_output_names_the_slip(answer, kwargs, match):
    verdict = check_conv_output(answer, EXAM_A, EXAM_K, **kwargs)
    assert not verdict
    assert re.search(match, verdict.message), verdict.message


def test_check_conv_output_spots_a_flipped_kernel():
    kernel = [[1, 0], [0, -1]]
    flipped = convolve2d_true(EXAM_A, kernel, 2)
    assert "true convolution" in check_conv_output(flipped, EXAM_A, kernel, 2).message
    assert check_conv_output(conv2d(EXAM_A, kernel, 2), EXAM_A, kernel, 2)
    # For the symmetric exam kernel flipping changes nothing, so the right answer stays right.
    assert check_conv_output(convolve2d_true(EXAM_A, EXAM_K, 2), EXAM_A, EXAM_K, 2)


@pytest.mark.parametrize(
    "answer, match",
    [
        (11, "Right: floor"),
        (10, "add 1 for the first window"),
        (21, "stride is missing"),
        (5, "kernel size"),
        (11.5, "whole number"),
        (12, "count the window positions"),
    ],
)
def test_check_output_size_for_the_exam(answer, match):
    verdict = check_output_size(answer, 25, 5, 2, 0)
    assert bool(verdict) == (answer == 11)
    assert match in verdict.message


@pytest.mark.parametrize(
    "n, k, stride, padding, answer, match",
    [
        (25, 5, 3, 0, 8, "round down"),
        (224, 7, 2, 3, 109, "padding is missing"),
        (224, 7, 2, 3, 111, "both sides"),
        (224, 7, 2, 3, 112, "Right"),
    ],
)
def test_check_output_size_hints(n, k, stride, padding, answer, match):
    assert match in check_output_size(answer, n, k, stride, padding).message


def test_settings_for_output_size_match_conv_output_size_and_pytorch():
    assert settings_for_output_size(28, 3, 14) == [(2, 1)]
    assert settings_for_output_size(25, 5, 11) == [(2, 0)]
    assert settings_for_output_size(25, 5, 25) == [(1, 2)]
    assert settings_for_output_size(25, 5, 32) == [] and settings_for_output_size(25, 5, 64) == []
    for s, p in settings_for_output_size(25, 5, 5):
        x = torch.zeros(1, 1, 25, 25)
        assert F.conv2d(x, torch.zeros(1, 1, 5, 5), stride=s, padding=p).shape[-1] == 5


def test_check_stride_padding():
    assert check_stride_padding(2, 1, n=28, k=3, target=14)
    wrong = check_stride_padding(2, 0, n=28, k=3, target=14)
    assert not wrong and "= 13, not 14" in wrong.message
    assert "does not fit" in check_stride_padding(1, 0, n=2, k=3, target=1).message
    assert "stride must be at least 1" in check_stride_padding(0, 0, n=28, k=3, target=14).message


def _unused_pixels_by_autograd(h, w, kh, kw, stride, padding):
    x = torch.ones(1, 1, h, w, requires_grad=True)
    F.conv2d(x, torch.ones(1, 1, kh, kw), stride=stride, padding=padding).sum().backward()
    return int((x.grad == 0).sum())


@pytest.mark.parametrize(
    "h, w, kh, kw, stride, padding",
    [(25, 25, 5, 5, 2, 0), (26, 26, 5, 5, 2, 0), (26, 27, 5, 3, (2, 3), 0), (10, 10, 2, 2, 3, 0), (9, 11, 3, 3, 4, 1)],
)
def test_unused_pixel_count_matches_autograd(h, w, kh, kw, stride, padding):
    assert unused_pixel_count((h, w), (kh, kw), stride, padding) == _unused_pixels_by_autograd(h, w, kh, kw, stride, padding)


def test_check_unused_pixels():
    assert unused_pixel_count(26, 5, 2) == 51
    assert check_unused_pixels(51, 26, 5, 2)
    assert "too many" in check_unused_pixels(52, 26, 5, 2).message
    assert "too few" in check_unused_pixels(26, 26, 5, 2).message
    assert "whole number" in check_unused_pixels(51.0, 26, 5, 2).message


@pytest.mark.parametrize("n", [5, 9, 25, 26, 28])
@pytest.mark.parametrize("k", [1, 3, 5])
@pytest.mark.parametrize("dilation", [1, 2, 3])
@pytest.mark.parametrize("stride", [1, 2, 3])
def test_dilation_and_tensorflow_valid_sizes_match_pytorch(n, k, dilation, stride):
    span = dilated_kernel_size(k, dilation)
    if span > n:
        with pytest.raises(ValueError, match=rf"kernel size {span} does not fit an input of size {n}"):
            tf_output_size(n, k, stride, "valid", dilation)
        return
    out = F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), stride=stride, dilation=dilation)
    assert conv_output_size(n, span, stride, 0) == out.shape[-1]
    assert tf_output_size(n, k, stride, "valid", dilation) == out.shape[-1]


@pytest.mark.parametrize("n", [1, 5, 25, 26, 28])
@pytest.mark.parametrize("k", [1, 2, 3, 5])
@pytest.mark.parametrize("stride", [1, 2, 3])
def test_tensorflow_same_padding_gives_ceil_n_over_s(n, k, stride):
    before, after = tf_same_padding(n, k, stride)
    assert 0 <= after - before <= 1
    out = conv2d(np.pad(np.ones((n, n)), ((before, after), (before, after))), np.ones((k, k)), stride)
    assert out.shape == (tf_output_size(n, k, stride, "same"),) * 2 == (-(-n // stride),) * 2


def test_tensorflow_same_padding_is_uneven_where_pytorch_cannot_be():
    assert tf_same_padding(25, 5, 2) == (2, 2)
    assert tf_same_padding(26, 5, 2) == (1, 2)  # PyTorch's symmetric padding 2 shifts every window


@pytest.mark.parametrize("n", [1, 4, 11])
@pytest.mark.parametrize("k", [1, 3, 5])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("padding", [0, 1])
@pytest.mark.parametrize("output_padding", [0, 1])
def test_conv_transpose_output_size_matches_pytorch(n, k, stride, padding, output_padding):
    if output_padding >= stride:
        with pytest.raises(ValueError, match="output_padding"):
            conv_transpose_output_size(n, k, stride, padding, output_padding)
        return
    expected = (n - 1) * stride - 2 * padding + k + output_padding
    if expected < 1:
        with pytest.raises(ValueError, match="removes the whole output"):
            conv_transpose_output_size(n, k, stride, padding, output_padding)
        return
    out = F.conv_transpose2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), stride=stride, padding=padding,
                             output_padding=output_padding)
    assert conv_transpose_output_size(n, k, stride, padding, output_padding) == out.shape[-1]


def test_transposed_convolution_recovers_25_or_26_only_with_output_padding():
    assert conv_output_size(25, 5, 2) == conv_output_size(26, 5, 2) == 11
    assert conv_transpose_output_size(11, 5, 2) == 25
    assert conv_transpose_output_size(11, 5, 2, output_padding=1) == 26


def test_exam_constants_are_the_exam_and_the_marked_answers_are_right():
    from dlexam import conv

    assert np.array_equal(conv.EXAM_IE_INPUT, EXAM_A) and np.array_equal(conv.EXAM_IE_KERNEL, EXAM_K)
    assert np.array_equal(conv.EXAM_IE_OPTIONS[2], EXAM_THIRD_OPTION)
    answer = conv2d(conv.EXAM_IE_INPUT, conv.EXAM_IE_KERNEL, stride=2)
    assert np.array_equal(answer, conv.EXAM_IE_OPTIONS[conv.EXAM_IE_ANSWER])
    size = conv_output_size(**conv.EXAM_IG)
    assert conv.EXAM_IG_OPTIONS[conv.EXAM_IG_ANSWER] == (size, size)


# --- Computing functions: defaults, exact refusals, references with dilation ------------------


def _exactly(message):
    """A pytest.raises match that accepts this message and nothing else."""
    return f"^{re.escape(message)}$"


def test_conv2d_exact_values_with_a_non_square_kernel_uneven_stride_and_padding():
    """Hand values (and PyTorch) for a 1x3 kernel, stride (2, 1), padding (1, 1): integers stay integers."""
    x, k = np.arange(1, 13).reshape(3, 4), [[1, 0, -1]]
    out = conv2d(x, k, stride=(2, 1), padding=(1, 1))
    np.testing.assert_array_equal(out, [[0, 0, 0, 0], [-6, -2, -2, 7], [0, 0, 0, 0]])
    assert out.dtype.kind == "i"
    np.testing.assert_array_equal(out, _torch_conv2d(x, np.array(k), (2, 1), (1, 1)))


def test_conv2d_keeps_a_float_input_float_with_an_integer_kernel():
    """The common dtype comes from both arrays: float input and int kernel give exact float values."""
    out = conv2d([[0.5, 1.5, -2.25]], np.array([[2]]))
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [[1.0, 3.0, -4.5]])


@pytest.mark.parametrize("kernel_shape", [(2, 3), (3, 2), (2, 2)])
def test_same_padding_refuses_a_kernel_with_any_even_side(kernel_shape):
    """padding='same' needs both kernel sides odd; the message names the kernel and the way out."""
    kh, kw = kernel_shape
    message = (f"padding='same' needs an odd kernel size, got {kh}x{kw}: "
               "use an odd kernel or an explicit integer padding")
    with pytest.raises(ValueError, match=_exactly(message)):
        conv2d(np.zeros((5, 5)), np.zeros(kernel_shape), padding="same")


def test_conv2d_checks_the_stride_before_the_padding():
    """A zero stride is refused as such, even when the padding is also wrong."""
    with pytest.raises(ValueError, match=_exactly("stride must be at least 1, got 0")):
        conv2d(np.zeros((4, 4)), np.zeros((2, 2)), stride=0, padding="same")


@pytest.mark.parametrize("kernel_shape", [(6, 3), (3, 9)])
def test_conv2d_names_the_padded_size_a_kernel_does_not_fit(kernel_shape):
    """A 3x4 input padded (1, 2) is 5x8: a kernel one row or one column too big is refused with that size."""
    kh, kw = kernel_shape
    message = (f"kernel {kh}x{kw} does not fit a 3x4 input with padding (1, 2) (padded to 5x8): "
               "use a smaller kernel or more padding")
    with pytest.raises(ValueError, match=_exactly(message)):
        conv2d(np.zeros((3, 4)), np.zeros(kernel_shape), padding=(1, 2))


def test_conv2d_refuses_too_many_multiply_adds():
    """10000 x 13999 outputs of a 2x3 kernel are 839,940,000 multiply-adds, over 10 * MAX_ELEMENTS."""
    message = ("input, kernel, stride and padding would need 839,940,000 multiply-adds, "
               "more than the limit of 500,000,000: use smaller values")
    with pytest.raises(ValueError, match=_exactly(message)):
        conv2d(np.zeros((1, 1)), np.zeros((2, 3)), padding=(5000, 7000))


def test_conv2d_refuses_too_many_padded_pixels():
    """One output, but a 1x2 input padded (3000, 5000) would be 6001 x 10002 = 60,022,002 pixels."""
    message = ("input and padding would need 60,022,002 padded pixels, "
               "more than the limit of 50,000,000: use smaller values")
    with pytest.raises(ValueError, match=_exactly(message)):
        conv2d(np.zeros((1, 2), np.int8), np.ones((1, 1), np.int8), stride=10**7, padding=(3000, 5000))


def test_conv2d_steps_default_stride_is_one():
    """Without a stride every 2x2 window of a 3x4 input is a frame: six hand-computed sums."""
    x, k = np.arange(12).reshape(3, 4), np.ones((2, 2))
    assert [s.value for s in conv2d_steps(x, k)] == [10.0, 14.0, 18.0, 26.0, 30.0, 34.0]
    assert [s.index for s in conv2d_steps(x, k)] == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]


def test_conv2d_steps_show_zero_products_without_a_minus_sign():
    """0 * -1 is shown as 0.0, not -0.0, in the products and the value."""
    steps = conv2d_steps([[0, 1]], [[-1]])
    assert not np.signbit(steps[0].products).any()
    assert math.copysign(1.0, steps[0].value) == 1.0
    assert [s.value for s in steps] == [0.0, -1.0]


def test_conv2d_steps_refuses_too_many_frames():
    """2400 frames of a 1x2 kernel hold 2400 * (2400 + 4) numbers, over MAX_ELEMENTS // 10."""
    message = ("input, kernel, stride and padding would need 5,769,600 numbers in the frames "
               "(each frame copies the partial output), more than the limit of 5,000,000: use smaller values")
    with pytest.raises(ValueError, match=_exactly(message)):
        conv2d_steps(np.zeros((40, 61)), np.zeros((1, 2)))


@pytest.mark.parametrize(
    "call, expected",
    [
        (lambda: window_positions(5, 3), [0, 1, 2]),
        (lambda: unused_border(5, 2), []),
        (lambda: unused_pixel_count((5, 5), (2, 2)), 0),
        (lambda: dilated_kernel_size(3), 3),
        (lambda: tf_output_size(5, 3), 3),
        (lambda: tf_same_padding(6, 3), (1, 1)),
        (lambda: conv_transpose_output_size(3, 3), 5),
    ],
)
def test_size_functions_default_to_stride_one_no_padding_no_dilation(call, expected):
    """Defaults are stride 1, padding 0 or 'valid', dilation 1 (hand values that differ otherwise)."""
    assert call() == expected


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: window_positions(2_000_000, 1),
         "n, k, stride and padding would need 2,000,000 window positions, more than the limit of 1,000,000: "
         "use smaller values"),
        (lambda: unused_border(1_000_000, 1, 3, 100_000),
         "n and padding would need 1,200,000 indices, more than the limit of 1,000,000: use smaller values"),
    ],
)
def test_window_lists_refuse_more_than_max_items(call, message):
    """Lists of window starts and of indices are capped at MAX_ITEMS, with the amount in the message."""
    with pytest.raises(ValueError, match=_exactly(message)):
        call()


@pytest.mark.parametrize(
    "args, message",
    [
        (((3, 3), (2, 2), 0, -1), "stride must be at least 1, got 0"),
        (((3, 3), (2, 2), 1, -1), "padding must be at least 0, got -1"),
        (((3, 3), (6, 1), 1, 0),
         "kernel_shape 6x1 does not fit shape 3x3 with padding (0, 0): use a smaller kernel or more padding"),
        (((3, 3), (6, 1), 1, 1),
         "kernel_shape 6x1 does not fit shape 3x3 with padding (1, 1): use a smaller kernel or more padding"),
        (((3, 3), (1, 6), 1, 1),
         "kernel_shape 1x6 does not fit shape 3x3 with padding (1, 1): use a smaller kernel or more padding"),
    ],
)
def test_unused_pixel_count_rejects_bad_settings(args, message):
    """Stride, then padding, then the fit along either axis are checked, each with its own message."""
    with pytest.raises(ValueError, match=_exactly(message)):
        unused_pixel_count(*args)


@pytest.mark.parametrize(
    "h, w, kh, kw, stride, padding",
    [(3, 4, 3, 1, (1, 2), (0, 1)), (4, 3, 1, 3, (2, 1), (1, 0))],
)
def test_unused_pixel_count_counts_the_first_input_row_or_column_after_padding(h, w, kh, kw, stride, padding):
    """With padding 1 and stride 2 the first input row (or column) falls between windows: 6 pixels unused."""
    assert unused_pixel_count((h, w), (kh, kw), stride, padding) == 6
    assert _unused_pixels_by_autograd(h, w, kh, kw, stride, padding) == 6


@pytest.mark.parametrize(
    "n, k, stride, dilation, pads",
    [(6, 3, 2, 1, (0, 1)), (7, 4, 3, 1, (1, 2)), (5, 1, 3, 1, (0, 0)), (10, 3, 1, 2, (2, 2)), (8, 3, 2, 3, (2, 3)),
     (9, 2, 4, 2, (1, 1))],
)
def test_tf_same_padding_follows_tensorflows_rule_with_dilation(n, k, stride, dilation, pads):
    """TensorFlow: total = max((ceil(n/s) - 1) * s + d*(k-1) + 1 - n, 0), the odd zero after (hand values)."""
    assert tf_same_padding(n, k, stride, dilation) == pads
    span = dilation * (k - 1) + 1  # rows padded by hand; one valid column, so the input is not square
    x = F.pad(torch.ones(1, 1, n, span), (0, 0, pads[0], pads[1]))
    out = F.conv2d(x, torch.ones(1, 1, k, k), stride=stride, dilation=dilation)
    assert tuple(out.shape[-2:]) == (-(-n // stride), 1) == (tf_output_size(n, k, stride, "same", dilation), 1)


def test_tf_same_padding_checks_the_dilation_before_the_stride():
    """A zero dilation is refused as such, even when the stride is also zero."""
    with pytest.raises(ValueError, match=_exactly("dilation must be at least 1, got 0")):
        tf_same_padding(5, 3, stride=0, dilation=0)


@pytest.mark.parametrize(
    "n, k, stride, padding, output_padding, dilation",
    [(4, 3, 1, 0, 1, 2), (5, 2, 3, 1, 2, 1), (3, 3, 2, 2, 1, 3), (7, 1, 1, 0, 0, 4), (2, 4, 2, 1, 0, 2)],
)
def test_conv_transpose_output_size_with_dilation_matches_pytorch(n, k, stride, padding, output_padding, dilation):
    """Transposed sizes with dilation and output_padding (below the stride or the dilation) agree with PyTorch."""
    out = F.conv_transpose2d(torch.zeros(1, 1, n, n + 2), torch.zeros(1, 1, k, k), stride=stride, padding=padding,
                             output_padding=output_padding, dilation=dilation)
    assert conv_transpose_output_size(n, k, stride, padding, output_padding, dilation) == out.shape[-2]
    assert conv_transpose_output_size(n + 2, k, stride, padding, output_padding, dilation) == out.shape[-1]


@pytest.mark.parametrize(
    "args, message",
    [
        ((3, 3, 0), "stride must be at least 1, got 0"),
        ((3, 3, 1, 0, 1, 0), "dilation must be at least 1, got 0"),
    ],
)
def test_conv_transpose_output_size_rejects_a_zero_stride_or_dilation(args, message):
    """Stride and dilation must be at least 1, checked before output_padding is compared with them."""
    with pytest.raises(ValueError, match=_exactly(message)):
        conv_transpose_output_size(*args)


# --- Pairs given as NumPy arrays, each entry of a pair checked, booleans, the default stride ----------------------


@pytest.mark.parametrize("stride, padding", [(np.array([2, 1]), 0), ((2, 1), np.array([0, 0])),
                                             (np.array([2, 1]), np.array([0, 0]))])
def test_conv2d_takes_a_stride_or_padding_pair_as_a_numpy_array(stride, padding):
    """A 1-D array (2, 1) is a pair like the tuple: stride 2 down, 1 across, by hand."""
    x, k = np.arange(1, 13).reshape(4, 3), [[1, -1]]  # every output is x[i, j] - x[i, j + 1] = -1
    out = conv2d(x, k, stride=stride, padding=padding)
    np.testing.assert_array_equal(out, [[-1, -1], [-1, -1]])


@pytest.mark.parametrize("x_shape, kwargs, message", [
    ((3, 3), {"padding": (0, -1)}, "padding must be at least 0, got -1"),
    ((3, 3), {"padding": (-1, 0)}, "padding must be at least 0, got -1"),
    ((5, 5), {"stride": (1, 0)}, "stride must be at least 1, got 0"),
])
def test_conv2d_checks_both_entries_of_a_pair(x_shape, kwargs, message):
    """The second entry of a stride or padding pair is held to the same minimum as the first."""
    with pytest.raises(ValueError, match=_exactly(message)):
        conv2d(np.zeros(x_shape), np.zeros((3, 3)), **kwargs)


@pytest.mark.parametrize("args, message", [
    (((5, 5), (2, 0)), "kernel_shape must be at least 1, got 0"),
    (((5, 0), (2, 2)), "shape must be at least 1, got 0"),
    (((5, 5), (2, 2), 1, (0, -1)), "padding must be at least 0, got -1"),
])
def test_unused_pixel_count_checks_both_entries_of_a_pair(args, message):
    """A zero or negative second entry of shape, kernel_shape or padding is refused, naming it."""
    with pytest.raises(ValueError, match=_exactly(message)):
        unused_pixel_count(*args)


def test_conv2d_of_booleans_counts_in_int64():
    """Boolean input and kernel are read as 0 and 1: an exact int64 result, by hand."""
    x = np.array([[True, False, True], [True, True, False]])
    out = conv2d(x, np.array([[True, True]]))
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out, [[1, 1], [2, 1]])


def test_conv_output_size_defaults_to_stride_one_and_no_padding():
    """5 inputs, kernel 3: 3 outputs by default (stride 2 would give 2, padding 1 would give 5)."""
    assert conv_output_size(5, 3) == 3
    assert conv_output_size(5, 3, 2) == 2


@pytest.mark.parametrize("args, message", [
    ((1, 5, 1, 1), "kernel size 5 does not fit an input of size 1 with padding 1 (padded size 3): "
                   "use a smaller kernel or more padding"),
    ((2, 9, 3, 3), "kernel size 9 does not fit an input of size 2 with padding 3 (padded size 8): "
                   "use a smaller kernel or more padding"),
])
def test_conv_output_size_names_the_padded_size_a_kernel_does_not_fit(args, message):
    """The padded size is n + 2p, written out."""
    with pytest.raises(ValueError, match=_exactly(message)):
        conv_output_size(*args)
