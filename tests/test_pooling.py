"""dlexam.pooling against torch.nn.functional's max_pool2d and avg_pool2d, and the folded average pool."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlexam.conv import conv2d
from dlexam.pooling import avg_pool2d, box_kernel, fold_avg_pool, max_pool2d, pool2d, pool_output_shape

CASES = [
    # (H, W, size, stride)
    (4, 4, 2, 2),
    (5, 7, 2, 2),  # odd sizes: floor mode drops the last row and column
    (6, 6, 3, 3),
    (7, 5, 3, 2),  # overlapping windows
    (8, 8, 2, 1),
    (9, 4, 2, 3),  # stride larger than the window: pixels skipped
    (3, 3, 3, 1),
    (1, 6, 1, 2),
    (10, 13, 4, 3),
]


def _torch(fn, x, size, stride):
    return fn(torch.as_tensor(x, dtype=torch.float64)[None, None], size, stride)[0, 0].numpy()


@pytest.mark.parametrize("h, w, size, stride", CASES)
def test_max_pool_matches_pytorch(h, w, size, stride):
    x = np.random.default_rng(h * 100 + w).normal(size=(h, w))
    np.testing.assert_array_equal(max_pool2d(x, size, stride), _torch(F.max_pool2d, x, size, stride))


@pytest.mark.parametrize("h, w, size, stride", CASES)
def test_avg_pool_matches_pytorch(h, w, size, stride):
    x = np.random.default_rng(h * 100 + w + 1).normal(size=(h, w))
    np.testing.assert_allclose(avg_pool2d(x, size, stride), _torch(F.avg_pool2d, x, size, stride), rtol=0, atol=1e-14)


@pytest.mark.parametrize("h, w, size, stride", CASES)
def test_output_shape_matches_pytorch(h, w, size, stride):
    assert pool_output_shape((h, w), size, stride) == _torch(F.max_pool2d, np.zeros((h, w)), size, stride).shape


def test_defaults_are_the_exam_2x2_stride_2():
    x = np.arange(16).reshape(4, 4)
    np.testing.assert_array_equal(max_pool2d(x), [[5, 7], [13, 15]])
    np.testing.assert_array_equal(avg_pool2d(x), [[2.5, 4.5], [10.5, 12.5]])
    np.testing.assert_array_equal(pool2d(x, "max"), max_pool2d(x))
    np.testing.assert_array_equal(pool2d(x, "avg"), avg_pool2d(x))


def test_integer_input_keeps_exact_maxima_and_averages_as_floats():
    x = np.array([[1, 2], [3, 4]])
    assert max_pool2d(x).dtype.kind == "i" and max_pool2d(x)[0, 0] == 4
    assert avg_pool2d(x).dtype.kind == "f" and avg_pool2d(x)[0, 0] == 2.5


def test_average_pooling_is_the_box_convolution():
    x = np.random.default_rng(0).random((8, 6))
    np.testing.assert_allclose(avg_pool2d(x, 2, 2), conv2d(x, box_kernel(2), stride=2), atol=1e-15)
    assert box_kernel(3).sum() == pytest.approx(1.0)


@pytest.mark.parametrize("kernel_size, size, stride", [(3, 2, 2), (3, 2, 1), (2, 3, 3), (1, 2, 2), (3, 3, 2)])
def test_folded_kernel_is_conv_then_average_pool_in_pytorch(kernel_size, size, stride):
    rng = np.random.default_rng(kernel_size + 10 * size + 100 * stride)
    x, k = rng.normal(size=(13, 11)), rng.normal(size=(kernel_size, kernel_size))
    folded = fold_avg_pool(k, size)
    assert folded.shape == (kernel_size + size - 1,) * 2
    xt, kt = torch.as_tensor(x)[None, None], torch.as_tensor(k)[None, None]
    reference = F.avg_pool2d(F.conv2d(xt, kt), size, stride)[0, 0].numpy()
    np.testing.assert_allclose(conv2d(x, folded, stride=stride), reference, atol=1e-13)


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: max_pool2d(np.zeros((1, 3))), ValueError, ["2x2", "1x3", "input x"]),
        (lambda: avg_pool2d(np.zeros((3, 3)), size=4), ValueError, ["4x4", "input x"]),
        (lambda: max_pool2d(np.zeros((4, 4)), size=0), ValueError, ["size"]),
        (lambda: max_pool2d(np.zeros((4, 4)), stride=0), ValueError, ["stride"]),
        (lambda: max_pool2d(np.zeros((4, 4)), size=2.5), TypeError, ["size"]),
        (lambda: max_pool2d(np.zeros((2, 4, 4))), ValueError, ["x", "2-D"]),
        (lambda: max_pool2d([["a", "b"], ["c", "d"]]), TypeError, ["x", "real numbers"]),
        (lambda: pool2d(np.zeros((4, 4)), "min"), ValueError, ["pool", "'max'"]),
        (lambda: pool_output_shape((4,)), ValueError, ["shape"]),
        (lambda: fold_avg_pool(np.zeros(3)), ValueError, ["kernel"]),
    ],
)
def test_bad_inputs_raise_naming_the_argument(call, error, words):
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value)
