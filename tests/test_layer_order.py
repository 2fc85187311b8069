"""dlexam.layer_order: the four orders of II(A) against PyTorch, their verdicts, counterexamples and costs."""

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode

from dlexam import layer_order as lo
from dlexam.pooling import fold_avg_pool

POSITIVE = np.array([[0.2, 0.5, 0.1], [0.4, 0.9, 0.3], [0.1, 0.6, 0.2]])
MIXED = np.array([[0.6, -0.9, 0.3], [-0.4, 0.8, -0.7], [0.5, -0.2, -0.6]])


def _t(a):
    return torch.as_tensor(np.asarray(a, dtype=float))[None, None]


def _torch_pipeline(label, x, k, b, pool, padding=0):
    """The reference: each order written with torch.nn.functional on (1, 1, H, W) tensors."""
    conv = lambda t: F.conv2d(t, _t(k), bias=torch.tensor([float(b)], dtype=torch.float64), padding=padding)  # noqa: E731
    pooling = (lambda t: F.max_pool2d(t, 2, 2)) if pool == "max" else (lambda t: F.avg_pool2d(t, 2, 2))  # noqa: E731
    x = _t(x)
    result = {
        "out": lambda: pooling(F.relu(conv(x))),
        "A": lambda: conv(pooling(F.relu(x))),
        "B": lambda: pooling(conv(F.relu(x))),
        "C": lambda: F.relu(pooling(conv(x))),
        "D": lambda: F.relu(conv(pooling(x))),
    }[label]()
    return result[0, 0].numpy()


@pytest.mark.parametrize("label, pool", list(itertools.product(["out", "A", "B", "C", "D"], ["max", "avg"])))
@pytest.mark.parametrize("shape", [(8, 8), (11, 9), (12, 12)])
def test_every_order_matches_pytorch(label, pool, shape):
    rng = np.random.default_rng(sum(shape))
    x, k, b = rng.uniform(-1, 1, shape), rng.normal(size=(3, 3)), rng.normal()
    function = lo.out if label == "out" else lo.OPTIONS[label]
    np.testing.assert_allclose(function(x, k, b, pool=pool), _torch_pipeline(label, x, k, b, pool), atol=1e-12)


@pytest.mark.parametrize("label", ["out", "A", "B", "C", "D"])
def test_defaults_are_max_pooling_and_valid_padding(label):
    """Without pool and padding every order (and Option.__call__) is the exam's: max-pooling, valid padding."""
    rng = np.random.default_rng(10)
    x, k, b = rng.uniform(-1, 1, (8, 8)), rng.normal(size=(3, 3)), -0.1
    expected = _torch_pipeline(label, x, k, b, "max")
    np.testing.assert_allclose((lo.out if label == "out" else getattr(lo, f"option_{label.lower()}"))(x, k, b),
                               expected, atol=1e-12)
    if label != "out":
        np.testing.assert_allclose(lo.OPTIONS[label](x, k, b), expected, atol=1e-12)
    assert lo.pool_name() == "MaxPool2×2"


@pytest.mark.parametrize("label", ["out", "A", "B", "C", "D"])
@pytest.mark.parametrize("pool", ["max", "avg"])
def test_same_padding_reaches_the_convolution_of_every_order(label, pool):
    """padding='same' is passed on to the convolution by each order and by Option.__call__ (zeros, 1 per side)."""
    rng = np.random.default_rng(11)
    x, k, b = rng.uniform(-1, 1, (8, 8)), rng.normal(size=(3, 3)), 0.2
    expected = _torch_pipeline(label, x, k, b, pool, padding=1)
    assert expected.shape == (4, 4)
    function = lo.out if label == "out" else getattr(lo, f"option_{label.lower()}")
    np.testing.assert_allclose(function(x, k, b, pool=pool, padding="same"), expected, atol=1e-12)
    if label != "out":
        np.testing.assert_allclose(lo.OPTIONS[label](x, k, b, pool=pool, padding="same"), expected, atol=1e-12)


def test_conv_works_in_floats_even_on_uint8_images():
    """uint8 image and kernel do not wrap around at 256: 200 * 2 is 400, not 144."""
    image = np.array([[200, 100], [50, 128]], dtype=np.uint8)
    np.testing.assert_array_equal(lo.conv(image, np.array([[2]], dtype=np.uint8), 0.5),
                                  [[400.5, 200.5], [100.5, 256.5]])


@pytest.mark.parametrize(
    "left, right, differs",
    [
        ([[1e-12]], [[0.0]], False),  # exactly the tolerance 1e-12 * max(1, |out|): still equal
        ([[1.5e-12]], [[0.0]], True),  # the scale never falls below 1
        ([[4.0 + 2e-12]], [[4.0]], False),  # the tolerance grows with |out|: 4e-12 here
        ([[-4.0 - 2e-12]], [[-4.0]], False),
        ([[4.0 + 5e-12]], [[4.0]], True),
        (np.zeros((0, 3)), np.zeros((0, 3)), False),  # empty outputs are equal (nothing differs)
    ],
)
def test_equal_means_equal_up_to_a_relative_tolerance(left, right, differs):
    """find_counterexample judges left = right up to 1e-12 * max(1, max|right|), empty arrays included."""
    cx = lo.find_counterexample(lambda x: np.array(left), lambda x: np.array(right), np.random.default_rng(0), tries=1)
    if differs:
        assert cx is not None and cx.tries == 1
        assert cx.difference == abs(np.array(left) - np.array(right)).max()
    else:
        assert cx is None


def test_options_carry_the_exam_formulas_and_answer():
    assert [o.formula() for o in lo.OPTIONS.values()] == [
        "Conv(MaxPool2×2(ReLU(x)))", "MaxPool2×2(Conv(ReLU(x)))", "ReLU(MaxPool2×2(Conv(x)))", "ReLU(Conv(MaxPool2×2(x)))"]
    assert lo.OPTIONS["C"].formula("avg") == "ReLU(AvgPool2×2(Conv(x)))"
    assert lo.EXAM_ANSWER == {"C"} and lo.EXAM_ANSWER_POSITIVE == {"B", "C"}


def test_compare_options_on_a_dark_image_with_a_negative_bias():
    image = lo.example_image("dark, bright square")
    result = {c.label: c for c in lo.compare_options(image, POSITIVE, -1.0)}
    assert {label: c.verdict for label, c in result.items()} == {
        "A": "different shape", "B": "differs", "C": "equal", "D": "different shape"}
    # Where a whole pooling window of Conv(x) is the bias -1, B keeps -1 and out has 0.
    assert result["B"].max_difference == pytest.approx(1.0)
    np.testing.assert_array_equal(result["B"].differing, result["B"].output < 0)
    assert lo.equal_options(image, POSITIVE, -1.0) == {"C"}
    assert lo.equal_options(image, POSITIVE, 0.0) == {"B", "C"}


EXPECTED_VERDICTS = {
    ("random", "max"): {"B": "differs", "C": "equals out"},
    ("positive, bias >= 0", "max"): {"B": "equals out", "C": "equals out"},
    ("positive, bias < 0", "max"): {"B": "differs", "C": "equals out"},
    ("random", "avg"): {"B": "differs", "C": "differs"},
    ("positive, bias >= 0", "avg"): {"B": "equals out", "C": "equals out"},
    ("positive, bias < 0", "avg"): {"B": "differs", "C": "differs"},
}


@pytest.mark.parametrize("family, pool", EXPECTED_VERDICTS)
def test_option_verdicts_on_many_random_images(family, pool):
    summaries = {s.label: s for s in lo.evaluate_options(family, np.random.default_rng(1), 15, 10, pool=pool)}
    for label in "AD":
        assert summaries[label].verdict == "cannot have the same shape"
        assert summaries[label].shape == (4, 4) and summaries[label].out_shape == (5, 5)
        assert summaries[label].share == 1.0
    for label, verdict in EXPECTED_VERDICTS[family, pool].items():
        s = summaries[label]
        assert s.verdict == verdict, (label, s)
        assert s.trials == 150
        if verdict == "equals out":
            assert s.differing == 0 and s.max_difference == 0.0
        else:
            assert s.differing > 0 and s.max_difference > 0.01


@pytest.mark.parametrize("family", lo.FAMILIES)
def test_the_self_check_answers_agree_with_the_measurement(family):
    summaries = lo.evaluate_options(family, np.random.default_rng(2), 15, 10)
    assert frozenset(s.label for s in summaries if s.verdict == "equals out") == lo.FAMILY_ANSWERS[family]


@pytest.mark.parametrize("seed", range(5))
def test_families_draw_what_they_say(seed):
    rng = np.random.default_rng(seed)
    k, b = lo.FAMILIES["positive, bias >= 0"].sample(rng)
    assert k.shape == (3, 3) and np.all(k > 0) and b >= 0
    k, b = lo.FAMILIES["positive, bias < 0"].sample(rng)
    assert np.all(k > 0) and -k.sum() <= b < 0
    k, b = lo.FAMILIES["random"].sample(rng, size=5)
    assert k.shape == (5, 5) and np.all(np.abs(k) <= 1) and abs(b) <= 1


@pytest.mark.parametrize("kernel, bias", [(POSITIVE, -0.3), (MIXED, 0.1), (np.array([[2.0, -1.0], [0.5, -3.0]]), 1.0)])
def test_conv_range_is_attained_on_black_and_white_images(kernel, bias):
    # Conv is linear in the pixels, so its extremes over [0, 1] are reached where every pixel is 0 or 1.
    n = kernel.size
    values = [float((np.array(bits).reshape(kernel.shape) * kernel).sum() + bias)
              for bits in itertools.product([0.0, 1.0], repeat=n)]
    assert lo.conv_range(kernel, bias) == pytest.approx((min(values), max(values)))


def test_option_b_is_guaranteed_exactly_when_conv_cannot_go_negative():
    assert lo.option_b_guaranteed(POSITIVE, 0.0)
    assert not lo.option_b_guaranteed(POSITIVE, -1e-9)
    assert not lo.option_b_guaranteed(MIXED, 0.5)
    assert lo.option_b_guaranteed(MIXED, 2.85)  # the negative weights sum to -2.8
    rng = np.random.default_rng(3)
    for _ in range(50):
        image = rng.random((8, 8))
        np.testing.assert_array_equal(lo.option_b(image, MIXED, 2.85), lo.out(image, MIXED, 2.85))


@pytest.mark.parametrize("kernel, bias, label", [(POSITIVE, -0.5, "B"), (MIXED, 0.0, "B"), (MIXED, 0.3, "B")])
def test_option_counterexamples_really_differ(kernel, bias, label):
    cx = lo.option_counterexample(label, kernel, bias, np.random.default_rng(0), tries=500)
    assert cx is not None and 1 <= cx.tries <= 500
    assert cx.image.shape == (6, 6) and cx.image.min() >= 0 and cx.image.max() <= 1
    option = _torch_pipeline(label, cx.image, kernel, bias, "max")
    reference = _torch_pipeline("out", cx.image, kernel, bias, "max")
    assert np.abs(option - reference).max() > 1e-6
    np.testing.assert_allclose(cx.left, option, atol=1e-12)
    np.testing.assert_allclose(cx.right, reference, atol=1e-12)
    assert cx.differing.any() and cx.difference > 0


def test_no_counterexample_where_none_exists_and_none_needed_for_shapes():
    rng = np.random.default_rng(0)
    assert lo.option_counterexample("C", MIXED, -0.2, rng, tries=200) is None
    assert lo.option_counterexample("B", POSITIVE, 0.0, rng, tries=200) is None
    with pytest.raises(ValueError, match="different shapes"):
        lo.option_counterexample("A", POSITIVE, 0.0, rng)


@pytest.mark.parametrize("pool, bias, label", [("max", -0.5, "B"), ("avg", 0.3, "B")])
def test_first_differing_option_is_a_real_counterexample(pool, bias, label):
    kernel = POSITIVE if bias < 0 else MIXED
    found_label, cx = lo.first_differing_option(kernel, bias, np.random.default_rng(0), pool=pool)
    assert found_label == label
    option = _torch_pipeline(label, cx.image, kernel, bias, pool)
    assert np.abs(option - _torch_pipeline("out", cx.image, kernel, bias, pool)).max() > 1e-6
    assert lo.first_differing_option(POSITIVE, 0.1, np.random.default_rng(0), tries=100) is None
    with pytest.raises(ValueError, match="never has out's shape"):
        lo.first_differing_option(POSITIVE, 0.1, np.random.default_rng(0), options=("A",))


def test_counterexample_search_is_reproducible():
    a = lo.option_counterexample("B", MIXED, 0.2, np.random.default_rng(7))
    b = lo.option_counterexample("B", MIXED, 0.2, np.random.default_rng(7))
    np.testing.assert_array_equal(a.image, b.image)


@pytest.mark.parametrize("bias", [0.0, 0.5])
def test_relu_does_not_commute_with_a_positive_kernel_on_negative_pixels(bias):
    cx = lo.relu_conv_counterexample(POSITIVE, bias, np.random.default_rng(0))
    assert cx is not None and cx.image.min() < 0
    kt, bt = _t(POSITIVE), torch.tensor([bias], dtype=torch.float64)
    relu_after = F.relu(F.conv2d(_t(cx.image), kt, bt))[0, 0].numpy()
    relu_before = F.conv2d(F.relu(_t(cx.image)), kt, bt)[0, 0].numpy()
    assert np.abs(relu_after - relu_before).max() > 1e-6
    # On non-negative pixels the same kernel and bias commute with ReLU.
    assert lo.relu_conv_counterexample(POSITIVE, bias, np.random.default_rng(0), low=0.0, high=1.0) is None


TORCH_FUNCTIONS = {
    "relu": F.relu, "leaky_relu": F.leaky_relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "elu": F.elu,
    "softplus": F.softplus, "gelu": F.gelu, "silu": F.silu, "abs": torch.abs, "square": torch.square,
    "negative": torch.neg,
}
NON_DECREASING = {"relu", "leaky_relu", "sigmoid", "tanh", "elu", "softplus"}


@pytest.mark.parametrize("name", TORCH_FUNCTIONS)
def test_elementwise_functions_match_pytorch(name):
    z = np.linspace(-8, 8, 1001)
    expected = TORCH_FUNCTIONS[name](torch.as_tensor(z)).numpy()
    np.testing.assert_allclose(lo.ELEMENTWISE[name](z), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", TORCH_FUNCTIONS)
def test_max_pool_commutes_exactly_with_the_non_decreasing_functions_only(name):
    result = lo.max_pool_commutes_with(name, np.random.default_rng(4), n_images=100)
    # The reference: PyTorch's own functions and max_pool2d on the same kind of random images.
    rng = np.random.default_rng(5)
    x = torch.as_tensor(3.0 * rng.standard_normal((100, 1, 8, 8)))
    f = TORCH_FUNCTIONS[name]
    torch_gap = (F.max_pool2d(f(x), 2) - f(F.max_pool2d(x, 2))).abs().max().item()
    if name in NON_DECREASING:
        assert result.commutes and result.violation is None and result.max_difference == 0.0
        assert torch_gap == 0.0
    else:
        assert not result.commutes and result.max_difference > 0.01 and torch_gap > 0.01
        a, b = result.violation
        assert a < b and result.pool_of_f > result.f_of_pool
        window = torch.as_tensor(result.window)[None, None]
        assert (F.max_pool2d(f(window), 2) - f(F.max_pool2d(window, 2))).abs().item() > 1e-3


def test_monotonicity_violation_accepts_any_callable():
    assert lo.monotonicity_violation(np.exp) is None
    a, b = lo.monotonicity_violation(np.cos, low=0.0, high=3.0)
    assert a < b and np.cos(a) > np.cos(b)


def test_average_pool_and_conv_commute_with_stride_1_only_away_from_zero_padding():
    rng = np.random.default_rng(6)
    x, k = rng.random((12, 12)), rng.normal(size=(3, 3))
    valid = lo.pool_conv_swap(x, k, "avg", stride=1)
    assert valid.same_shape and valid.max_difference < 1e-12
    same = lo.pool_conv_swap(x, k, "avg", stride=1, padding="same")
    border = np.ones_like(same.difference, dtype=bool)
    border[1:-1, 1:-1] = False
    assert same.difference[~border].max() < 1e-12 and same.difference[border].min() > 1e-6
    assert lo.pool_conv_swap(x, k, "max", stride=1).max_difference > 0.1
    stride_2 = lo.pool_conv_swap(x, k, "avg", stride=2)
    assert not stride_2.same_shape and stride_2.difference is None and np.isnan(stride_2.max_difference)


def test_after_pooling_only_a_kernel_spaced_by_the_stride_can_be_moved():
    images = np.random.default_rng(8).random((20, 12, 12))
    corners = np.array([[1.0, 0.0, -2.0], [0.0, 0.0, 0.0], [0.5, 0.0, 3.0]])
    moved, residual = lo.best_kernel_after_pooling(corners, images)
    assert residual < 1e-10
    np.testing.assert_allclose(moved, [[1.0, -2.0], [0.5, 3.0]], atol=1e-10)
    _, residual = lo.best_kernel_after_pooling(MIXED, images)
    assert residual > 0.05


@pytest.mark.parametrize("w, pool, exact", [(2.0, "max", True), (0.0, "max", True), (-1.5, "max", False),
                                            (-1.5, "avg", True), (0.7, "avg", True)])
def test_pooling_first_is_exact_for_a_1x1_kernel_only(w, pool, exact):
    assert lo.pool_first_is_exact([[w]], pool) == exact
    rng = np.random.default_rng(9)
    gaps = [lo.pool_conv_swap(rng.normal(size=(6, 6)), [[w]], pool, stride=2).max_difference for _ in range(20)]
    assert (max(gaps) < 1e-12) == exact
    assert not lo.pool_first_is_exact(POSITIVE, "avg")


@pytest.mark.parametrize("shape", [(28, 28), (12, 10), (32, 17)])
@pytest.mark.parametrize("label", ["out", "A", "B", "C", "D"])
def test_multiply_adds_match_pytorchs_flop_counter(shape, label):
    x = torch.rand(1, 1, *shape)
    k, b = torch.rand(1, 1, 3, 3), torch.zeros(1)
    pipeline = {
        "out": lambda: F.max_pool2d(F.relu(F.conv2d(x, k, b)), 2),
        "A": lambda: F.conv2d(F.max_pool2d(F.relu(x), 2), k, b),
        "B": lambda: F.max_pool2d(F.conv2d(F.relu(x), k, b), 2),
        "C": lambda: F.relu(F.max_pool2d(F.conv2d(x, k, b), 2)),
        "D": lambda: F.relu(F.conv2d(F.max_pool2d(x, 2), k, b)),
    }[label]
    with FlopCounterMode(display=False) as counter:
        pipeline()
    assert lo.operation_counts(shape)[label].multiply_adds * 2 == counter.get_total_flops()


@pytest.mark.parametrize("shape", [(28, 28), (13, 16)])
def test_folded_average_pool_costs_one_strided_convolution(shape):
    x, k = torch.rand(1, 1, *shape, dtype=torch.float64), torch.rand(1, 1, 3, 3, dtype=torch.float64)
    folded = torch.as_tensor(fold_avg_pool(k[0, 0].numpy()))[None, None]
    with FlopCounterMode(display=False) as counter:
        y = F.conv2d(x, folded, stride=2)
    torch.testing.assert_close(y, F.avg_pool2d(F.conv2d(x, k), 2))
    count = lo.operation_counts(shape)["folded"]
    assert count.multiply_adds * 2 == counter.get_total_flops() and count.relus == y.numel()


def test_relu_and_pooling_counts_follow_the_tensor_sizes():
    counts = lo.operation_counts((28, 28))
    assert counts["out"].relus == 26 * 26 and counts["C"].relus == 13 * 13 and counts["D"].relus == 12 * 12
    assert counts["out"].pool_steps == 13 * 13 * 3 and counts["A"].pool_steps == 14 * 14 * 3
    assert counts["out"].multiply_adds / counts["D"].multiply_adds == pytest.approx(26 * 26 / (12 * 12))


def test_check_equivalent_options():
    assert lo.check_equivalent_options({"C"}, "random")
    assert lo.check_equivalent_options("B, C", "positive, bias >= 0")
    result = lo.check_equivalent_options({"B", "C"}, "positive, bias < 0")
    assert not result and "negative" in result.message
    result = lo.check_equivalent_options({"C", "D"}, "random")
    assert not result and "D convolves the pooled image" in result.message
    assert "B is missing" in lo.check_equivalent_options({"C"}, "positive, bias >= 0").message
    assert "C is missing" in lo.check_equivalent_options(set(), "random").message


def test_check_commuting_functions():
    right = lo.commuting_functions()
    assert right == {"tanh", "elu", "softplus"}
    assert lo.check_commuting_functions(right)
    result = lo.check_commuting_functions({"tanh", "elu", "softplus", "silu"})
    assert not result and "SiLU does not commute" in result.message
    assert "1 function that commutes is missing" in lo.check_commuting_functions({"tanh", "elu"}).message


def test_check_multiply_adds():
    assert lo.check_multiply_adds(9 * 26 * 26, (28, 28), "out")
    assert lo.check_multiply_adds(9 * 12 * 12, (28, 28), "D")
    assert "fewer outputs" in lo.check_multiply_adds(9 * 28 * 28, (28, 28), "out").message
    assert "k*k" in lo.check_multiply_adds(26 * 26, (28, 28), "out").message
    assert "pooled image" in lo.check_multiply_adds(9 * 26 * 26, (28, 28), "D").message
    assert "whole number" in lo.check_multiply_adds(1.5, (28, 28)).message


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: lo.out(np.zeros((8, 8)), POSITIVE, float("nan")), ValueError, ["bias", "finite"]),
        (lambda: lo.out(np.zeros((8, 8)), POSITIVE, "0.1"), TypeError, ["bias"]),
        (lambda: lo.out(np.zeros(8), POSITIVE, 0.0), ValueError, ["image", "2-D"]),
        (lambda: lo.out(np.zeros((8, 8)), [[np.inf]], 0.0), ValueError, ["kernel", "finite"]),
        (lambda: lo.out(np.zeros((2, 2)), POSITIVE, 0.0), ValueError, ["kernel 3x3 does not fit"]),
        (lambda: lo.out(np.zeros((8, 8)), POSITIVE, 0.0, pool="min"), ValueError, ["pool"]),
        (lambda: lo.out(np.zeros((8, 8)), POSITIVE, 0.0, padding="full"), ValueError, ["padding"]),
        (lambda: lo.compare_options(np.zeros((8, 8)), POSITIVE, 0.0, options=["E"]), ValueError, ["option", "'A'"]),
        (lambda: lo.evaluate_options("negative", np.random.default_rng(0)), ValueError, ["family", "'random'"]),
        (lambda: lo.evaluate_options("random", 0), TypeError, ["generator", "default_rng"]),
        (lambda: lo.evaluate_options("random", np.random.default_rng(0), n_kernels=0), ValueError, ["n_kernels"]),
        (lambda: lo.random_image(np.random.default_rng(0), (4, 4), low=1.0, high=0.0), ValueError, ["low", "high"]),
        (lambda: lo.example_image("noise"), ValueError, ["image", "'random pixels'"]),
        (lambda: lo.max_pool_commutes_with("cosine", np.random.default_rng(0)), ValueError, ["function", "'relu'"]),
        (lambda: lo.option_b_guaranteed(POSITIVE, 0.0, low=-1.0), ValueError, ["low"]),
        (lambda: lo.operation_counts((5, 5)), ValueError, ["too small"]),
        (lambda: lo.check_equivalent_options({"E"}, "random"), ValueError, ["option", "'A'"]),
        (lambda: lo.check_commuting_functions("tanh"), TypeError, ["answer"]),
        (lambda: lo.check_multiply_adds(1, (28, 28), "E"), ValueError, ["order"]),
        (lambda: lo.best_kernel_after_pooling(POSITIVE, np.zeros((12, 12))), ValueError, ["images", "(n, H, W)"]),
    ],
)
def test_bad_inputs_raise_naming_the_argument(call, error, words):
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: lo.conv(np.zeros(8), POSITIVE, 0.0), "image must be a 2-D array, got shape (8,)"),
        (lambda: lo.conv(np.zeros((8, 8)), np.zeros(3), 0.0), "kernel must be a 2-D array, got shape (3,)"),
        (lambda: lo.option_a(np.zeros(8), POSITIVE, 0.0), "image must be a 2-D array, got shape (8,)"),
        (lambda: lo.option_b(np.zeros(8), POSITIVE, 0.0), "image must be a 2-D array, got shape (8,)"),
        (lambda: lo.option_d(np.zeros(8), POSITIVE, 0.0), "image must be a 2-D array, got shape (8,)"),
        (lambda: lo.option_counterexample("E", POSITIVE, 0.0, np.random.default_rng(0)),
         "option must be one of 'A', 'B', 'C', 'D', got 'E'"),
    ],
)
def test_bad_inputs_raise_the_exact_message(call, message):
    """The message starts with the argument's own name and lists the choices as written."""
    with pytest.raises(ValueError) as info:
        call()
    assert str(info.value) == message


@pytest.mark.skipif(np.finfo(np.longdouble).max <= np.finfo(float).max, reason="long double is double here")
@pytest.mark.parametrize("name", ["image", "kernel"])
def test_numbers_beyond_float64_are_refused(name):
    """A long-double 1e400 is finite but becomes infinity in float64: conv refuses it by name."""
    huge = np.full((3, 3), np.longdouble("1e400"))
    args = {"image": np.zeros((3, 3)), "kernel": np.ones((1, 1))}
    args[name] = huge
    with np.errstate(over="ignore"), pytest.raises(ValueError) as info:
        lo.conv(args["image"], args["kernel"], 0.0)
    assert str(info.value) == f"{name} must hold finite numbers only (no NaN or infinity)"


def test_random_image_may_be_a_single_row():
    """A shape of 1 pixel per axis is allowed: (1, 3) gives one row of 3 pixels in [0, 1]."""
    image = lo.random_image(np.random.default_rng(0), (1, 3))
    assert image.shape == (1, 3) and np.all((0 <= image) & (image <= 1))
