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


# --- Exact values, batch and channel dimensions, defaults, messages and work limits -----------


@pytest.mark.parametrize(
    "x, size, stride, maxima, means",
    [
        # 3x5, 2x2 stride 2: the last row and column are dropped
        ([[1, -2, 3, 0, 9], [-4, 5, -6, 7, 9], [9, 9, 9, 9, 9]], 2, 2, [[5, 7]], [[0.0, 1.0]]),
        # all negative: the maximum is not clipped at 0
        ([[-8, -3, -5], [-7, -6, -4]], 2, 1, [[-3, -3]], [[-6.0, -4.5]]),
        # 2x2 window, stride 3 on 5x5: the middle row and column are skipped
        ([[1, 2, 0, 3, 4], [5, 6, 0, 7, 8], [0, 0, 0, 0, 0], [9, 10, 0, 11, 12], [13, 14, 0, 15, 16]], 2, 3,
         [[6, 8], [14, 16]], [[3.5, 5.5], [11.5, 13.5]]),
        # 2x2 window, stride 3 on 5x4: one column of windows, the last two columns dropped
        ([[1, 2, 9, 9], [5, 6, 9, 9], [9, 9, 9, 9], [9, 10, 9, 9], [13, 14, 9, 9]], 2, 3,
         [[6], [14]], [[3.5], [11.5]]),
        # 3x3 window, stride 2 on 3x5 (overlapping by one column)
        ([[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11, 12, 13, 14]], 3, 2, [[12, 14]], [[6.0, 8.0]]),
    ],
)
def test_pools_give_hand_computed_values(x, size, stride, maxima, means):
    """Max and average pooling give the hand-computed values on small, non-tiling inputs."""
    np.testing.assert_array_equal(max_pool2d(x, size, stride), maxima)
    np.testing.assert_array_equal(avg_pool2d(x, size, stride), means)
    np.testing.assert_array_equal(pool2d(x, "max", size, stride), maxima)
    np.testing.assert_array_equal(pool2d(x, "avg", size, stride), means)
    assert pool_output_shape(np.shape(x), size, stride) == np.shape(maxima)


@pytest.mark.parametrize("shape, size, stride", [((2, 3, 7, 5), 2, 2), ((3, 2, 6, 9), 3, 2), ((1, 4, 5, 5), 2, 3)])
def test_pooling_each_channel_of_a_batch_matches_pytorch(shape, size, stride):
    """Pooling every (sample, channel) image equals PyTorch's pooling of the whole N x C batch."""
    x = np.random.default_rng(sum(shape)).normal(size=shape)
    xt = torch.as_tensor(x)
    for ours, theirs in [(max_pool2d, F.max_pool2d), (avg_pool2d, F.avg_pool2d)]:
        reference = theirs(xt, size, stride).numpy()
        pooled = np.array([[ours(image, size, stride) for image in sample] for sample in x])
        assert pooled.shape == reference.shape
        np.testing.assert_allclose(pooled, reference, rtol=0, atol=1e-14)


def test_pool2d_defaults_to_max_pooling():
    """pool2d without pool, size and stride is 2x2 max pooling with stride 2."""
    x = [[1, 2, 0, 0, 7], [3, 4, 0, 5, 7], [7, 7, 7, 7, 7]]
    np.testing.assert_array_equal(pool2d(x), [[4, 5]])


@pytest.mark.parametrize("shape, expected", [((6, 9), (3, 4)), ((4, 4), (2, 2)), ((2, 5), (1, 2))])
def test_pool_output_shape_defaults_to_2x2_stride_2(shape, expected):
    """pool_output_shape without size and stride counts 2x2 windows moved by 2."""
    assert pool_output_shape(shape) == expected
    assert pool_output_shape(list(shape)) == expected


def test_box_kernel_defaults_to_2x2_quarters():
    """box_kernel() is the 2x2 kernel of 1/4."""
    np.testing.assert_array_equal(box_kernel(), [[0.25, 0.25], [0.25, 0.25]])
    np.testing.assert_array_equal(box_kernel(1), [[1.0]])


def test_fold_avg_pool_gives_hand_values_and_matches_pytorch():
    """Folding 2x2 average pooling into [[1, 2], [3, 4]] blurs it by the box, as PyTorch's conv2d does."""
    folded = fold_avg_pool([[1, 2], [3, 4]])
    np.testing.assert_array_equal(folded, [[0.25, 0.75, 0.5], [1.0, 2.5, 1.5], [0.75, 1.75, 1.0]])
    assert folded.dtype == np.float64
    k = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64)
    reference = F.conv2d(F.pad(k, (1, 1, 1, 1))[None, None], torch.full((1, 1, 2, 2), 0.25, dtype=torch.float64))
    np.testing.assert_array_equal(folded, reference[0, 0].numpy())


@pytest.mark.parametrize("kernel", [np.array([[1, -2, 3], [0, 5, 1]]), np.array([[1.5, -2.0]], dtype=np.float32),
                                    np.array([[True, False], [False, True]])])
def test_fold_avg_pool_of_int_float32_and_bool_kernels_is_float64(kernel):
    """fold_avg_pool returns float64 values for any real kernel dtype, as for the same kernel in float64."""
    folded = fold_avg_pool(kernel, 2)
    assert folded.dtype == np.float64
    np.testing.assert_array_equal(folded, fold_avg_pool(kernel.astype(np.float64), 2))


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: pool_output_shape((0, 4)), ValueError, "shape must be at least 1, got 0"),
        (lambda: pool_output_shape((4, -1), 1), ValueError, "shape must be at least 1, got -1"),
        (lambda: pool_output_shape((4, 4), 0), ValueError, "size must be at least 1, got 0"),
        (lambda: pool_output_shape((2, 2), 3, 0), ValueError, "stride must be at least 1, got 0"),
        (lambda: pool_output_shape((3, 5), 4), ValueError,
         "a 4x4 pooling window does not fit the shape (3, 5): use a smaller size"),
        (lambda: pool_output_shape([6, 2], 3, 1), ValueError,
         "a 3x3 pooling window does not fit the shape (6, 2): use a smaller size"),
        (lambda: box_kernel(0), ValueError, "size must be at least 1, got 0"),
        (lambda: box_kernel(10**7), ValueError, "size must be at most 10,000, got 10,000,000"),
        (lambda: fold_avg_pool([[1.0]], 10**7), ValueError, "size must be at most 10,000, got 10,000,000"),
    ],
)
def test_bad_sizes_raise_exact_messages(call, error, message):
    """Sizes below 1, windows larger than the shape and boxes above 10,000 raise the exact message."""
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message


@pytest.mark.parametrize("pool", [max_pool2d, avg_pool2d])
def test_too_many_window_entries_raise_with_the_exact_count(pool):
    """2499 x 2999 windows of 3x3 (67,450,509 entries) exceed the 5*10^7 limit, with the count in the message."""
    x = np.broadcast_to(np.int8(0), (5000, 6000))  # (5000-3)//2+1 = 2499 rows, (6000-3)//2+1 = 2999 columns
    with pytest.raises(ValueError) as info:
        pool(x, 3, 2)
    assert str(info.value) == ("x, size and stride would need 67,450,509 window entries, "
                               "more than the limit of 50,000,000: use smaller values")


@pytest.mark.parametrize("pool", [max_pool2d, avg_pool2d])
def test_window_entries_exactly_at_the_limit_are_allowed(pool):
    """1000 x 2000 windows of 5x5 (exactly 5*10^7 entries) are pooled."""
    x = np.broadcast_to(np.int8(3), (1004, 2004))
    pooled = pool(x, 5, 1)
    assert pooled.shape == (1000, 2000)
    assert pooled[0, 0] == 3 and pooled[-1, -1] == 3


def test_too_many_fold_multiply_adds_raise_with_the_exact_count():
    """A 491x992 kernel with a 10x10 box needs 500*1001*100 = 50,050,000 multiply-adds, over the limit."""
    with pytest.raises(ValueError) as info:
        fold_avg_pool(np.zeros((491, 992)), 10)
    assert str(info.value) == ("kernel and size would need 50,050,000 multiply-adds, "
                               "more than the limit of 50,000,000: use smaller values")


def test_fold_multiply_adds_exactly_at_the_limit_are_allowed():
    """A 51x151 kernel with a 50x50 box needs 100*200*2500 = 5*10^7 multiply-adds and is folded."""
    folded = fold_avg_pool(np.ones((51, 151)), 50)
    assert folded.shape == (100, 200)
    assert folded[0, 0] == 1 / 2500 and folded[50, 100] == pytest.approx(1.0, rel=0, abs=1e-12)
