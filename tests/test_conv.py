"""dlexam.conv against torch.nn.functional.conv2d, the textbook definition, exam I(E) and I(G)."""

import dataclasses

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
    assert conv2d(EXAM_A, EXAM_K, stride=2).shape != np.shape(EXAM_K)


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
