"""dlexam.layer_order: exact messages of the self-checks and their errors, operation counts and moved kernels."""

import re

import numpy as np
import pytest

from dlexam import layer_order as lo

A_SMALLER = "A convolves the pooled image, which is half the size: its output is smaller than out's."
D_SMALLER = "D convolves the pooled image, which is half the size: its output is smaller than out's."
B_FAILS = ("B fails when a whole pooling window of Conv(x) is negative: B keeps the negative maximum, "
           "out's ReLU makes it 0. Can this family's kernels produce negative values on [0, 1] images?")
B_MISSING = "B is missing: on [0, 1] images ReLU(x) = x, and which values can Conv(x) take with these kernels?"
C_MISSING = "C is missing: does taking the maximum commute with ReLU?"


@pytest.mark.parametrize("answer, family, message", [
    ({"C"}, "random", "Right: for 'random' kernels, C equals out on every image with pixels in [0, 1]."),
    ("b, c", "positive, bias >= 0",
     "Right: for 'positive, bias >= 0' kernels, B and C equal out on every image with pixels in [0, 1]."),
])
def test_check_equivalent_options_right(answer, family, message):
    """One option 'equals', two options 'equal', joined by 'and'."""
    result = lo.check_equivalent_options(answer, family)
    assert result.correct is True
    assert result.message == message


@pytest.mark.parametrize("answer, family, lines", [
    ({"A", "C"}, "random", [A_SMALLER]),
    ({"C", "D"}, "positive, bias < 0", [D_SMALLER]),
    ({"B", "C"}, "random", [B_FAILS]),
    ({"C"}, "positive, bias >= 0", [B_MISSING]),
    (set(), "random", [C_MISSING]),
    ({"A", "D"}, "random", [A_SMALLER, D_SMALLER, C_MISSING]),
    ({"D"}, "positive, bias >= 0", [D_SMALLER, B_MISSING, C_MISSING]),
])
def test_check_equivalent_options_not_yet(answer, family, lines):
    """Each wrong answer lists exactly its reasons, one per line, after 'Not yet:'."""
    result = lo.check_equivalent_options(answer, family)
    assert result.correct is False
    assert result.message == "Not yet:\n" + "\n".join(lines)


def test_unknown_option_lists_the_choices():
    """An unknown label raises naming it and listing the four options."""
    with pytest.raises(ValueError) as info:
        lo.check_equivalent_options({"C", "E"}, "random")
    assert str(info.value) == "answer holds unknown option ['E']: choose from 'A', 'B', 'C', 'D'"


@pytest.mark.parametrize("verdict, text", [
    ("cannot have the same shape", "shape 5×4, out's is 3×2"),
    ("equals out", "equals out on all 400"),
    ("differs", "differs on 37 of 400, by up to 1.50"),
])
def test_option_summary_describes_each_verdict(verdict, text):
    """Each verdict has its own wording; shapes are written rows × columns."""
    summary = lo.OptionSummary("A", "Conv(Pool(ReLU(x)))", verdict, 1.5, 37, 400, (5, 4), (3, 2))
    assert summary.describe() == text


def _counts(shape, *args):
    return {label: (c.pipeline, c.multiply_adds, c.relus, c.pool_steps)
            for label, c in lo.operation_counts(shape, *args).items()}


@pytest.mark.parametrize("shape, args, expected", [
    # 6x6, 3x3 kernel, 2x2 pooling: the pooled 3x3 image is exactly large enough for the kernel.
    ((6, 6), (), {"out": ("Pool(ReLU(Conv(x)))", 144, 16, 12), "A": ("Conv(Pool(ReLU(x)))", 9, 36, 27),
                  "B": ("Pool(Conv(ReLU(x)))", 144, 36, 12), "C": ("ReLU(Pool(Conv(x)))", 144, 4, 12),
                  "D": ("ReLU(Conv(Pool(x)))", 9, 1, 27), "folded": ("ReLU(Conv4×4, stride 2(x))", 64, 4, 0)}),
    # odd sides: the 5x7 convolution output and the 7x9 image pool to 2x3 and 3x4 (floor mode).
    ((7, 9), (), {"out": ("Pool(ReLU(Conv(x)))", 315, 35, 18), "A": ("Conv(Pool(ReLU(x)))", 18, 63, 36),
                  "B": ("Pool(Conv(ReLU(x)))", 315, 63, 18), "C": ("ReLU(Pool(Conv(x)))", 315, 6, 18),
                  "D": ("ReLU(Conv(Pool(x)))", 18, 2, 36), "folded": ("ReLU(Conv4×4, stride 2(x))", 96, 6, 0)}),
    # a 1x1 image, 1x1 kernel and 1x1 pooling: one of everything, no pooling steps.
    ((1, 1), (1, 1), {"out": ("Pool(ReLU(Conv(x)))", 1, 1, 0), "A": ("Conv(Pool(ReLU(x)))", 1, 1, 0),
                      "B": ("Pool(Conv(ReLU(x)))", 1, 1, 0), "C": ("ReLU(Pool(Conv(x)))", 1, 1, 0),
                      "D": ("ReLU(Conv(Pool(x)))", 1, 1, 0), "folded": ("ReLU(Conv1×1, stride 1(x))", 1, 1, 0)}),
])
def test_operation_counts_exact(shape, args, expected):
    """Every count for the smallest images that fit, odd sides (floor pooling) and the 1x1 case, by hand."""
    assert _counts(shape, *args) == expected


@pytest.mark.parametrize("shape, message", [
    ((4, 28), "shape 4x28 is too small an image: after 2x2 pooling the 3x3 kernel must still fit"),
    ((28, 5), "shape 28x5 is too small an image: after 2x2 pooling the 3x3 kernel must still fit"),
    ((0, 28), "shape must be at least 1, got 0"),
])
def test_operation_counts_refuses_images_too_small_on_either_side(shape, message):
    """One side too small is enough to refuse; an empty side is refused as a shape."""
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        lo.operation_counts(shape)


NOT_YET = "Not yet: {} is not it; {}."
FEWER = "a valid convolution has fewer outputs than its input has pixels: (n - k + 1) per axis"
K_BY_K = "each output needs k*k multiply-adds, one per kernel weight"
POOLED = "in this order the convolution sees the pooled image"
FULL = "in this order the convolution sees the full image, before any pooling"
COUNT = "count the convolution's outputs, then the multiply-adds per output"


@pytest.mark.parametrize("answer, shape, order, message", [
    (6084, (28, 28), "out", "Right: 6084 multiply-adds (Pool(ReLU(Conv(x))))."),
    (1296, (28, 28), "D", "Right: 1296 multiply-adds (ReLU(Conv(Pool(x))))."),
    (2704, (28, 28), "folded", "Right: 2704 multiply-adds (ReLU(Conv4×4, stride 2(x)))."),
])
def test_check_multiply_adds_right(answer, shape, order, message):
    """A right count is confirmed with the pipeline it belongs to."""
    result = lo.check_multiply_adds(answer, shape, order)
    assert result.correct is True
    assert result.message == message


@pytest.mark.parametrize("answer, shape, order, message", [
    (7056, (28, 28), "out", NOT_YET.format(7056, FEWER)),  # 28*28*9
    (1764, (28, 28), "A", NOT_YET.format(1764, FEWER)),  # 14*14*9
    (1764, (28, 28), "D", NOT_YET.format(1764, FEWER)),
    (1890, (29, 31), "D", NOT_YET.format(1890, FEWER)),  # 14*15*9, odd sides
    (676, (28, 28), "out", NOT_YET.format(676, K_BY_K)),  # 26*26
    (144, (28, 28), "D", NOT_YET.format(144, K_BY_K)),  # 12*12
    (6084, (28, 28), "A", NOT_YET.format(6084, POOLED)),  # out's count
    (6084, (28, 28), "D", NOT_YET.format(6084, POOLED)),
    (1296, (28, 28), "out", NOT_YET.format(1296, FULL)),  # A's count
    (1296, (28, 28), "B", NOT_YET.format(1296, FULL)),
    (5, (28, 28), "out", NOT_YET.format(5, COUNT)),
    (7056, (28, 28), "folded", "Not yet: 7056 is not it; the folded kernel has (k + s - 1)^2 weights."),
    (1.5, (28, 28), "out", "Not yet: a count of multiply-adds is a whole number, got 1.5."),
    (True, (28, 28), "out", "Not yet: a count of multiply-adds is a whole number, got True."),
])
def test_check_multiply_adds_not_yet(answer, shape, order, message):
    """Each slip gets its own hint, each order its own count of what the convolution sees."""
    result = lo.check_multiply_adds(answer, shape, order)
    assert result.correct is False
    assert result.message == message


def test_check_multiply_adds_unknown_order_lists_the_orders():
    """An unknown order raises listing every order, 'folded' included."""
    with pytest.raises(ValueError) as info:
        lo.check_multiply_adds(1, (28, 28), "E")
    assert str(info.value) == "order must be one of 'out', 'A', 'B', 'C', 'D', 'folded', got 'E'"


CORNERS = [[1.0, 0.0, -2.0], [0.0, 0.0, 0.0], [0.5, 0.0, 3.0]]  # weights spaced by 2
TOP_LEFT = [[1.0, -2.0, 0.0], [0.5, 3.0, 0.0], [0.0, 0.0, 0.0]]  # weights spaced by 1


@pytest.mark.parametrize("kernel, images_shape, size, moved", [
    (CORNERS, (1, 12, 8), 2, [[1.0, -2.0], [0.5, 3.0]]),  # one tall image
    (TOP_LEFT, (2, 6, 7), 1, [[1.0, -2.0], [0.5, 3.0]]),  # 1x1 pooling: nothing to move
    ([[2.5, 0.0], [0.0, 0.0]], (2, 8, 8), 2, [[2.5]]),  # the smallest kernel, 2x2
])
def test_best_kernel_after_pooling_exact_cases(kernel, images_shape, size, moved):
    """Kernels whose weights are spaced by the pooling size move exactly, whatever n, H, W and size."""
    images = np.random.default_rng(4).random(images_shape)
    found, residual = lo.best_kernel_after_pooling(kernel, images, size)
    np.testing.assert_allclose(found, moved, atol=1e-10)
    assert residual < 1e-10


@pytest.mark.parametrize("kernel, images_shape, size, message", [
    ([[1.0]], (1, 8, 8), 0, "size must be at least 1, got 0"),
    ([[1.0]], (1, 8, 8), 2, "kernel must be square and at least 2x2, got (1, 1)"),
    (np.ones((3, 2)), (1, 8, 8), 2, "kernel must be square and at least 2x2, got (3, 2)"),
    (np.ones((3, 3)), (8, 8), 2, "images must have shape (n, H, W), got (8, 8)"),
    (np.ones((4, 4)), (1, 9, 8), 2, "images of shape (9, 8) give no matching shapes: pool(conv(x)) is (3, 2), but "
                                    "the pooled image has (2, 2) windows of 3x3; choose H and W so that they agree "
                                    "(with pooling 2 and a 3x3 kernel: even H and W)"),
    (np.ones((3, 3)), (1, 9, 9), 3, None),  # pooling 3 and a 3x3 kernel: 9 x 9 matches, though odd
    (np.ones((4, 4)), (1, 9, 9), 3, "images of shape (9, 9) give no matching shapes: pool(conv(x)) is (2, 2), but "
                                    "the pooled image has (1, 1) windows of 3x3; choose H and W so that they agree "
                                    "(with pooling 2 and a 3x3 kernel: even H and W)"),
])
def test_best_kernel_after_pooling_errors(kernel, images_shape, size, message):
    """Bad sizes, kernels and image shapes raise with their exact message, the size checked first."""
    if message is None:  # shapes that match: no error
        lo.best_kernel_after_pooling(kernel, np.ones(images_shape), size)
        return
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        lo.best_kernel_after_pooling(kernel, np.ones(images_shape), size)


# --- check_commuting_functions and commuting_functions: exact messages, the names' limits -----------------

MONOTONE_RIGHT = ("Right: ELU, softplus, tanh never decrease, so the largest input gives the largest output; "
                  "the others decrease somewhere.")
SQUARE_DECREASES = "x² does not commute: it decreases somewhere (try a window holding -3.00 and 0.00)."


@pytest.mark.parametrize("answer, correct, message", [
    (["softplus", "tanh", "elu"], True, MONOTONE_RIGHT),
    (["tanh", "elu"], False, "Not yet:\n1 function that commutes is missing: which of them never decrease?"),
    (["elu"], False, "Not yet:\n2 functions that commute are missing: which of them never decrease?"),
    (["elu", "square"], False,
     f"Not yet:\n{SQUARE_DECREASES}\n2 functions that commute are missing: which of them never decrease?"),
])
def test_check_commuting_functions_exact_messages(answer, correct, message):
    """The right answer lists the labels joined by ', '; one or two missing functions are counted in singular/plural."""
    result = lo.check_commuting_functions(answer)
    assert result.correct is correct
    assert result.message == message


def test_check_commuting_functions_with_no_names_the_empty_answer_is_right():
    """An empty list of names is allowed; then the empty answer is right."""
    result = lo.check_commuting_functions(set(), names=[])
    assert result.correct is True
    assert result.message == ("Right:  never decrease, so the largest input gives the largest output; "
                              "the others decrease somewhere.")


def test_check_commuting_functions_a_dict_answer_gets_the_example():
    """A dict is not a set of names: the TypeError names answer and shows the example {'tanh'}."""
    with pytest.raises(TypeError, match=r"^answer must be a set of names such as \{'tanh'\}, got "):
        lo.check_commuting_functions({"tanh": 1})


@pytest.mark.parametrize("function", [
    lo.commuting_functions,
    lambda names: lo.check_commuting_functions(set(), names),
])
def test_commuting_functions_take_at_most_100_names(function):
    """100 names are accepted; 101 raise a ValueError naming names and the limit."""
    function(["tanh"] * 100)
    with pytest.raises(ValueError, match=r"^names must hold at most 100 items, got 101$"):
        function(["tanh"] * 101)


def test_check_commuting_functions_checks_the_names_before_the_answer():
    """101 names and an answer outside them: the refusal is about names (at most 100), not the answer."""
    with pytest.raises(ValueError, match=r"^names must hold at most 100 items, got 101$"):
        lo.check_commuting_functions({"cosh"}, ["tanh"] * 101)


def test_commuting_functions_unknown_name_lists_the_choices():
    """An unknown name is named by its index, with every choice listed, separated by ', '."""
    with pytest.raises(ValueError) as info:
        lo.commuting_functions(["tanh", "cosh"])
    choices = ", ".join(map(repr, lo.ELEMENTWISE))
    assert str(info.value) == f"names[1] must be one of {choices}, got 'cosh'"
    assert "'relu', 'leaky_relu', 'sigmoid', 'tanh'" in choices


@pytest.mark.parametrize("kernel, expected", [([[2.0]], True), ([[-1.0]], False), ([[1.0, 1.0]], False)])
def test_pool_first_is_exact_default_pool_is_max(kernel, expected):
    """Without pool, max-pooling is used: a negative 1x1 weight is not exact (it would be for average pooling)."""
    assert bool(lo.pool_first_is_exact(kernel)) is expected
    assert bool(lo.pool_first_is_exact(kernel, "max")) is expected
    assert bool(lo.pool_first_is_exact([[-1.0]], "avg")) is True


def test_pool_conv_swap_defaults_are_avg_pooling_with_stride_2():
    """4x4 image 0..15, kernel [[1]]: both orders give the 2x2 average pool with stride 2, [[2.5, 4.5], [10.5, 12.5]]."""
    swap = lo.pool_conv_swap(np.arange(16.0).reshape(4, 4), [[1.0]])
    expected = np.array([[2.5, 4.5], [10.5, 12.5]])
    np.testing.assert_array_equal(swap.conv_then_pool, expected)
    np.testing.assert_array_equal(swap.pool_then_conv, expected)


# --- Element-wise functions, monotonicity and MaxPool ------------------------------------------------


class _Unnamed:
    """A callable without a __name__."""

    def __call__(self, z):
        return -z


@pytest.mark.parametrize("f, name", [(np.abs, "absolute"), (np.negative, "negative"), (_Unnamed(), "f"),
                                     ("square", "square")])
def test_elementwise_function_names(f, name):
    """A function is named by its __name__, a callable without one 'f', a key of ELEMENTWISE by the key."""
    assert lo.elementwise_function(f)[0] == name
    assert lo.max_pool_commutes_with(f, np.random.default_rng(0), n_images=1, shape=(2, 2)).name == name


@pytest.mark.parametrize("shape, rows, cols", [
    ((4, 4), slice(1, 2), slice(2, 3)),  # h // 3 = 1: a single bright pixel at (1, 2)
    ((5, 2), slice(1, 2), slice(1, 2)),
    ((9, 6), slice(2, 5), slice(3, 5)),  # rows 2..4 (h // 3 = 3), cols 3..4 (w // 3 = 2)
])
def test_dark_bright_square_by_hand(shape, rows, cols):
    """The square starts at (h // 4, w // 2) and spans max(1, h // 3) rows and max(1, w // 3) columns."""
    expected = np.zeros(shape)
    expected[rows, cols] = 1.0
    np.testing.assert_array_equal(lo.example_image("dark, bright square", shape), expected)


def test_max_pool_commutes_with_default_draws_200_images():
    """Without n_images, 200 images of 8 x 8 normals are drawn: the generator ends where n_images=200 leaves it."""
    g_default, g_200 = np.random.default_rng(5), np.random.default_rng(5)
    default = lo.max_pool_commutes_with("negative", g_default)
    explicit = lo.max_pool_commutes_with("negative", g_200, n_images=200)
    assert default.max_difference == explicit.max_difference
    assert g_default.bit_generator.state == g_200.bit_generator.state


def test_max_pool_commutes_with_negative_by_hand():
    """For -x, MaxPool(-x) - (-MaxPool(x)) = max - min of each 2 x 2 window of scale * normal images."""
    result = lo.max_pool_commutes_with("negative", np.random.default_rng(3), n_images=3, shape=(2, 2), scale=2.0)
    rng = np.random.default_rng(3)
    images = [2.0 * rng.standard_normal((2, 2)) for _ in range(3)]
    assert result.max_difference == max(float(x.max() - x.min()) for x in images)
    assert result.violation == (-3.0, 3.0)


def test_max_pool_commutes_with_refuses_too_many_pixels():
    """n_images * H * W over the limit, checked first: the exact message counts pixels."""
    with pytest.raises(ValueError) as info:
        # f returns NaN: a call that got past the count would stop on another message
        lo.max_pool_commutes_with(lambda z: z * np.nan, np.random.default_rng(0), n_images=2, shape=(5000, 5001))
    assert str(info.value) == ("n_images and shape would need 50,010,000 pixels, more than the limit of 50,000,000: "
                               "use smaller values")


def test_monotonicity_violation_default_grid_is_minus_3_to_3():
    """-x drops over the whole default grid: the largest drop runs from low = -3 to high = 3."""
    assert lo.monotonicity_violation("negative") == (-3.0, 3.0)
    assert lo.monotonicity_violation("negative", high=4.0) == (-3.0, 4.0)


@pytest.mark.parametrize("f, message", [
    (lambda z: z[:-1], "f must map an array of numbers to one of the same shape: f(z) must have shape (12001,), "
                       "got (12000,)"),
    (lambda z: z * np.nan, "f returned NaN on the grid: its monotonicity cannot be judged"),
])
def test_monotonicity_violation_refuses_bad_outputs(f, message):
    """An output of another shape, or NaN: exact messages."""
    with pytest.raises(ValueError) as info:
        lo.monotonicity_violation(f)
    assert str(info.value) == message


# --- Counterexample searches pass their pooling and image settings on ----------------------------------


@pytest.mark.parametrize("pool", ["max", "avg"])
def test_option_counterexample_compares_with_the_same_pooling(pool):
    """Kernel of ones, bias 0, pixels >= 0: every ReLU is the identity, so option B equals out for either pool."""
    kernel = np.ones((2, 2))
    assert lo.option_counterexample("B", kernel, 0.0, np.random.default_rng(0), tries=20, pool=pool) is None


def test_relu_conv_counterexample_draws_plain_uniform_pixels():
    """Kernel -1: ReLU(-x) != -ReLU(x) on the first image, which is uniform in [-1, 1] without random brightness."""
    found = lo.relu_conv_counterexample([[-1.0]], 0.0, np.random.default_rng(3))
    assert found.tries == 1
    np.testing.assert_array_equal(found.image, -1.0 + np.random.default_rng(3).random((4, 4)) * 2.0)


def test_elu_at_zero_takes_the_exponential_branch():
    """z = 0 is not > 0: ELU gives alpha * (exp(0) - 1), which is -0.0 for alpha = -2 (as torch's F.elu)."""
    out = lo.elu([0.0, 1.0, -1.0], alpha=-2.0)
    assert out[0] == 0.0 and np.signbit(out[0])
    assert out[1] == 1.0 and out[2] == -2.0 * np.expm1(-1.0)


def test_elu_positive_inputs_do_not_overflow_with_a_huge_alpha():
    """Positive z pass through unchanged, with no floating-point error, even with alpha = 1.7e308."""
    with np.errstate(all="raise"):
        out = lo.elu([0.5, 2.0, 1e300], alpha=1.7e308)
    assert out.tolist() == [0.5, 2.0, 1e300]


def test_softplus_passes_nan_through_without_a_floating_point_error():
    """softplus(NaN) is NaN with no 'invalid' error raised, even under np.errstate(all='raise')."""
    with np.errstate(all="raise"):
        out = lo.softplus([np.nan, 0.0, -np.inf, np.inf])
    assert np.isnan(out[0])
    assert out[1:].tolist() == [np.log(2.0), 0.0, np.inf]


# --- Exact values of example images, monotonicity drops and MaxPool commutation --------------------------


def test_elementwise_function_unknown_name_lists_every_choice():
    """An unknown name raises listing the eleven keys of ELEMENTWISE, separated by ', '."""
    with pytest.raises(ValueError) as info:
        lo.elementwise_function("cosh")
    assert str(info.value) == ("f (the function) must be one of 'relu', 'leaky_relu', 'sigmoid', 'tanh', 'elu', "
                               "'softplus', 'gelu', 'silu', 'abs', 'square', 'negative' or a callable, got 'cosh'")


def test_example_image_unknown_name_lists_every_choice():
    """An unknown image name raises listing the four example images, separated by ', '."""
    with pytest.raises(ValueError) as info:
        lo.example_image("stripes")
    assert str(info.value) == ("image must be one of 'random pixels', 'dark, bright square', 'gradient', "
                               "'checkerboard', got 'stripes'")


@pytest.mark.parametrize("kwargs, seed", [({}, 0), ({"seed": 3}, 3), ({"seed": 10**8}, 10**8)])
def test_example_image_random_pixels_are_the_seeded_uniforms(kwargs, seed):
    """'random pixels' are default_rng(seed).random((8, 8)): seed 0 by default, no ceiling on the seed."""
    expected = np.random.default_rng(seed).random((8, 8))
    np.testing.assert_array_equal(lo.example_image("random pixels", **kwargs), expected)


@pytest.mark.parametrize("name, shape, expected", [
    ("gradient", (2, 5), [[0.0, 0.25, 0.5, 0.75, 1.0]] * 2),
    ("checkerboard", (3, 4), [[0.0, 1.0, 0.0, 1.0], [1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 1.0]]),
])
def test_gradient_and_checkerboard_by_hand(name, shape, expected):
    """The gradient runs 0 to 1 along each row; the checkerboard alternates 0 and 1, floats."""
    image = lo.example_image(name, shape)
    assert image.dtype == np.float64
    np.testing.assert_array_equal(image, np.array(expected))


def _max_minus_min(seed, n_images, scale):
    rng = np.random.default_rng(seed)
    return max(float(np.ptp(scale * rng.standard_normal((2, 2)))) for _ in range(n_images))


@pytest.mark.parametrize("scale", [0.5, 1.0, 3.0])
def test_max_pool_commutes_with_accepts_any_positive_scale(scale):
    """Scales below and at 1 are allowed: for -x the difference is the largest max - min of scale * normals."""
    result = lo.max_pool_commutes_with("negative", np.random.default_rng(7), n_images=2, shape=(2, 2), scale=scale)
    assert result.max_difference == _max_minus_min(7, 2, scale)


def test_max_pool_commutes_with_default_scale_is_3():
    """Without scale the images are 3 * standard normals."""
    result = lo.max_pool_commutes_with("negative", np.random.default_rng(7), n_images=2, shape=(2, 2))
    assert result.max_difference == _max_minus_min(7, 2, 3.0)


@pytest.mark.parametrize("scale, message", [(0, "scale must be above 0, got 0"),
                                            (-1.0, "scale must be above 0, got -1")])
def test_max_pool_commutes_with_refuses_a_scale_not_above_0(scale, message):
    """Scale 0 or below raises naming scale and the bound 0."""
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        lo.max_pool_commutes_with("negative", np.random.default_rng(0), n_images=1, scale=scale)


@pytest.mark.parametrize("shape", [(1, 2), (2, 1), (0, 4)])
def test_max_pool_commutes_with_checks_the_shape_before_the_function(shape):
    """A side below 2 is refused before f is tried (f returns NaN here, which would raise another message)."""
    with pytest.raises(ValueError, match=f"^shape must be at least 2, got {min(shape)}$"):
        lo.max_pool_commutes_with(lambda z: z * np.nan, np.random.default_rng(0), n_images=1, shape=shape)


def test_max_pool_commutes_with_a_monotone_function_has_no_window():
    """tanh never decreases: violation, window, pool_of_f and f_of_pool are all None."""
    result = lo.max_pool_commutes_with("tanh", np.random.default_rng(0), n_images=1, shape=(2, 2))
    assert result.violation is None
    assert result.window is None and result.pool_of_f is None and result.f_of_pool is None


@pytest.mark.parametrize("f, low, high, n, expected", [
    # grid 0, 1, 2, 3 with values 0, 1, 0, 3: the drop is from z = 1 to z = 2, the later 3 does not count
    (lambda z: np.where(z == 2.0, 0.0, z), 0.0, 3.0, 4, (1.0, 2.0)),
    # grid -3..3 with values -25, -16, -9, -4, -1, 0, -1: the peak just before the drop, at z = 2
    (lambda z: -(z - 2.0) ** 2, -3.0, 3.0, 7, (2.0, 3.0)),
    # -|z| on -3..3: the largest drop runs from the peak at z = 0 to the end
    (lambda z: -np.abs(z), -3.0, 3.0, 7, (0.0, 3.0)),
    ("negative", -3.0, 3.0, 2, (-3.0, 3.0)),  # the smallest grid, its two ends
])
def test_monotonicity_violation_starts_at_the_peak_before_the_drop(f, low, high, n, expected):
    """a is where the largest value up to b sits (not the grid's start, not after b), on grids of whole numbers."""
    assert lo.monotonicity_violation(f, low, high, n) == expected


@pytest.mark.parametrize("kwargs, message", [
    ({"n": 1}, "n must be at least 2, got 1"),
    ({"low": 1.0, "high": 1.0}, "need low < high, got low=1.0, high=1.0"),
    ({"low": 2.0, "high": 1.0}, "need low < high, got low=2.0, high=1.0"),
])
def test_monotonicity_violation_refuses_a_grid_too_small_or_empty(kwargs, message):
    """n = 1 and low = high (an empty interval) raise their exact message."""
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        lo.monotonicity_violation("negative", **kwargs)


# --- Kernel families: the ranges their descriptions state ---------------------------------------------


@pytest.mark.parametrize("family", ["positive, bias >= 0", "positive, bias < 0"])
def test_positive_families_draw_weights_in_0_to_1(family):
    """Both positive families draw weights in (0, 1]: none above 1, and they spread over the interval."""
    rng = np.random.default_rng(0)
    weights = np.concatenate([lo.FAMILIES[family].sample(rng)[0].ravel() for _ in range(20)])
    assert weights.min() > 0.0 and weights.max() <= 1.0
    assert weights.min() < 0.1 and weights.max() > 0.9


def test_random_family_bias_is_uniform_in_minus_1_to_1():
    """The 'random' family's bias varies over [-1, 1): some below -0.5, some above 0.5, none reaching 1."""
    rng = np.random.default_rng(0)
    biases = [lo.FAMILIES["random"].sample(rng)[1] for _ in range(50)]
    assert all(-1.0 <= b < 1.0 for b in biases)
    assert min(biases) < -0.5 and max(biases) > 0.5


# --- Counterexample searches: how many images they draw, and their defaults ----------------------------


def _differs_on_call(n, calls):
    """A function of the image that records each call and differs from the identity on the n-th call only."""
    def left(image):
        calls.append(image)
        return image + (1.0 if len(calls) == n else 0.0)
    return left


@pytest.mark.parametrize("n, found", [(1, 1), (3, 3), (4, None)])
def test_find_counterexample_draws_exactly_tries_images(n, found):
    """tries=3: a difference on the 3rd image is found (tries == 3), one on the 4th is never drawn."""
    calls = []
    result = lo.find_counterexample(_differs_on_call(n, calls), lambda x: x, np.random.default_rng(0), tries=3)
    if found is None:
        assert result is None and len(calls) == 3
    else:
        assert result.tries == found and len(calls) == found


def test_find_counterexample_defaults():
    """Defaults: 1000 images of 6x6, pixels in [0, 1] with random brightness, as the explicit call draws."""
    default, explicit = [], []
    assert lo.find_counterexample(_differs_on_call(0, default), lambda x: x, np.random.default_rng(5)) is None
    assert lo.find_counterexample(_differs_on_call(0, explicit), lambda x: x, np.random.default_rng(5),
                                  shape=(6, 6), tries=1000, low=0.0, high=1.0, random_brightness=True) is None
    assert len(default) == 1000
    np.testing.assert_array_equal(np.array(default), np.array(explicit))
    images = np.array(default)
    assert images.min() >= 0.0 and images.max() <= 1.0
    assert images.max(axis=(1, 2)).min() < 0.2  # random brightness: some images are dark throughout


def _next_draw(search, **kwargs):
    """Run a search that finds nothing and return the generator's next number: it shows how many images were drawn."""
    rng = np.random.default_rng(0)
    assert search(rng, **kwargs) is None
    return rng.random()


@pytest.mark.parametrize("search", [
    lambda rng, **kw: lo.option_counterexample("C", [[1.0]], -0.5, rng, shape=(2, 2), **kw),
    lambda rng, **kw: lo.first_differing_option([[1.0]], 0.1, rng, shape=(2, 2), options=("C",), **kw),
    lambda rng, **kw: lo.relu_conv_counterexample([[0.0]], 0.5, rng, shape=(2, 2), **kw),
], ids=["option_counterexample", "first_differing_option", "relu_conv_counterexample"])
def test_searches_draw_1000_images_by_default(search):
    """Where nothing differs, the default search draws exactly as many images as tries=1000."""
    assert _next_draw(search) == _next_draw(search, tries=1000)


def test_find_counterexample_checks_random_brightness_before_the_pixel_range():
    """Both random_brightness and the range are wrong: the TypeError about random_brightness comes first."""
    with pytest.raises(TypeError) as info:
        lo.find_counterexample(lambda x: x, lambda x: x, np.random.default_rng(0), low=1.0, high=0.0,
                               random_brightness="yes")
    assert str(info.value) == "random_brightness must be True or False, got 'yes' (str)"


# --- evaluate_options: defaults and ceilings; first_differing_option: which image, which pooling --------


@pytest.mark.parametrize("kwargs", [{"n_images": 1}, {"n_kernels": 1}])
def test_evaluate_options_defaults_to_20_kernels_and_20_images(kwargs):
    """One count set to 1, the other left out: 20 pairs (1 is allowed for either count)."""
    summaries = lo.evaluate_options("random", np.random.default_rng(0), image_shape=(2, 2), kernel_size=1, **kwargs)
    assert [s.trials for s in summaries] == [20, 20, 20, 20]


@pytest.mark.parametrize("kwargs, message", [
    ({"n_kernels": 0}, "n_kernels must be at least 1, got 0"),
    ({"n_images": 0}, "n_images must be at least 1, got 0"),
    ({"n_kernels": 100_001, "n_images": 1}, "n_kernels must be at most 100,000, got 100,001"),
    ({"n_kernels": 1, "n_images": 100_001}, "n_images must be at most 100,000, got 100,001"),
    ({"n_kernels": 1000, "n_images": 101},
     "n_kernels and n_images would need 101,000 kernel-image pairs, more than the limit of 100,000: use smaller values"),
    # exactly 100,000 pairs pass the ceiling: the call stops later, at the bad image_shape
    ({"n_kernels": 1000, "n_images": 100, "image_shape": (1,)}, "image_shape must be a pair (H, W), got (1,)"),
    ({"n_kernels": 1, "n_images": 1, "image_shape": (1001, 1000)},
     "image_shape would need 1,001,000 pixels, more than the limit of 1,000,000: use smaller values"),
    # exactly 10**6 pixels pass the ceiling: the call stops later, at the kernel that does not fit
    ({"n_kernels": 1, "n_images": 1, "image_shape": (1000, 1000), "kernel_size": 1001},
     "kernel_size 1001 does not fit image_shape (1000, 1000): use a smaller kernel"),
])
def test_evaluate_options_refuses_counts_and_images_over_their_ceilings(kwargs, message):
    """Each count at most 100,000, their product at most 100,000 pairs, images at most 10**6 pixels: exact messages."""
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        lo.evaluate_options("random", np.random.default_rng(0), **kwargs)


def _first_differing_draw(seed, bias, pool, random_brightness):
    """Reference for a 1x1 kernel [[1]] on 2x2 images: the draws random_image makes, up to the first where B != out."""
    rng = np.random.default_rng(seed)
    for t in range(1, 1001):
        c = rng.random() if random_brightness else 1.0
        image = rng.random((2, 2)) * c
        # Conv(x) = x + bias: max-pooling keeps a negative value only when the whole window is below -bias,
        # average pooling as soon as one pixel is.
        if (image.max() if pool == "max" else image.min()) < -bias:
            return t, image
    raise AssertionError("no differing image in 1000 draws")


@pytest.mark.parametrize("pool, bias, random_brightness, seed, t", [
    ("max", -0.5, True, 0, 4),
    ("avg", -0.05, False, 3, 6),  # max-pooling would find nothing in 6 images here
])
def test_first_differing_option_reports_the_image_and_both_outputs(pool, bias, random_brightness, seed, t):
    """B differs first on the t-th image: tries = t, that image, B's output as left, out's (same pooling) as right."""
    drawn, image = _first_differing_draw(seed, bias, pool, random_brightness)
    assert drawn == t
    kwargs = {"shape": (2, 2), "pool": pool, "random_brightness": random_brightness}
    label, cx = lo.first_differing_option([[1.0]], bias, np.random.default_rng(seed), tries=t, **kwargs)
    assert label == "B" and cx.tries == t
    np.testing.assert_array_equal(cx.image, image)
    shifted = image + bias
    if pool == "max":
        assert cx.left.tolist() == [[shifted.max()]] and cx.right.tolist() == [[0.0]]
    else:
        np.testing.assert_allclose(cx.left, [[shifted.mean()]], rtol=0, atol=1e-15)
        np.testing.assert_allclose(cx.right, [[np.maximum(shifted, 0.0).mean()]], rtol=0, atol=1e-15)
    # one image fewer: the differing image is never drawn
    assert lo.first_differing_option([[1.0]], bias, np.random.default_rng(seed), tries=t - 1, **kwargs) is None


@pytest.mark.parametrize("last", ["C", "E"])
def test_first_differing_option_takes_at_most_100_options(last):
    """100 options are accepted; 101 are refused by their number, before the labels are read or an image is drawn."""
    rng = np.random.default_rng(0)
    assert lo.first_differing_option([[1.0]], 0.0, rng, shape=(2, 2), tries=1, options=["C"] * 100) is None
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"^options must hold at most 100 items, got 101$"):
        lo.first_differing_option([[1.0]], 0.0, rng, shape=(2, 2), tries=1, options=["C"] * 100 + [last])
    assert rng.bit_generator.state == np.random.default_rng(0).bit_generator.state


# --- Argument checks: exact messages for bias, generator, pool, padding, family, size ------------------


_IMAGE4 = np.arange(16.0).reshape(4, 4) / 16.0
_KERNEL3 = np.array([[1.0, -2.0, 0.5], [0.0, 1.0, -1.0], [2.0, 0.25, -0.5]])


@pytest.mark.parametrize("bias, error, message", [
    (True, TypeError, "bias must be a real number, got True (bool)"),
    ("0.5", TypeError, "bias must be a real number, got '0.5' (str)"),
    (float("nan"), ValueError, "bias must be a finite number, got nan"),
])
def test_conv_refuses_a_bias_that_is_not_a_finite_real_number(bias, error, message):
    """A bool or a str bias is a TypeError naming its type; a NaN bias a ValueError naming bias."""
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        lo.conv(_IMAGE4, _KERNEL3, bias)


@pytest.mark.parametrize("call, message", [
    (lambda: lo.out(_IMAGE4, _KERNEL3, 0.0, pool="min"), "pool must be one of 'max', 'avg', got 'min'"),
    (lambda: lo.conv(_IMAGE4, _KERNEL3, 0.0, padding="full"),
     "padding must be 'valid' (the exam's) or 'same', got 'full'"),
    (lambda: lo.check_equivalent_options({"C"}, "negative"),
     "family must be one of 'random', 'positive, bias >= 0', 'positive, bias < 0', got 'negative'"),
    (lambda: lo.FAMILIES["random"].sample(np.random.default_rng(0), 0), "size must be at least 1, got 0"),
])
def test_unknown_pool_padding_family_and_size_exact_messages(call, message):
    """An unknown pool, padding or family lists the choices; a kernel size of 0 is refused by name."""
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        call()


def test_kernel_family_sample_refuses_a_size_that_is_not_an_integer():
    """sample's size must be a whole number: the TypeError names size."""
    with pytest.raises(TypeError, match=r"^size must be an integer \(a whole number\), got '3' \(str\)$"):
        lo.FAMILIES["random"].sample(np.random.default_rng(0), "3")


@pytest.mark.parametrize("call", [
    lambda g: lo.FAMILIES["random"].sample(g),
    lambda g: lo.evaluate_options("random", g, n_kernels=1, n_images=1),
    lambda g: lo.random_image(g),
])
def test_a_generator_that_is_not_a_numpy_generator_is_named_by_type(call):
    """A seed given instead of a Generator: the TypeError names the type that was given (int)."""
    with pytest.raises(TypeError, match=r"^generator must be a numpy\.random\.Generator such as "
                                        r"np\.random\.default_rng\(0\), got int$"):
        call(0)


# --- compare_options: the options argument, padding and formulas ----------------------------------------


@pytest.mark.parametrize("options, error, message", [
    ("C", TypeError, "options must be a sequence (a list or tuple), got 'C' (str)"),
    ([], ValueError, "options must hold at least 1 items, got 0"),
    (["C"] * 101, ValueError, "options must hold at most 100 items, got 101"),
    (["C", "E"], ValueError, "options[1] must be one of 'A', 'B', 'C', 'D', got 'E'"),
])
def test_compare_options_refuses_bad_options_by_name(options, error, message):
    """options: a list of 1 to 100 labels; a bad one is named by its index."""
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        lo.compare_options(_IMAGE4, _KERNEL3, 0.0, options=options)


def test_compare_options_takes_100_options():
    """Exactly 100 options are accepted: 100 comparisons."""
    assert len(lo.compare_options(_IMAGE4, _KERNEL3, 0.0, options=["C"] * 100)) == 100


def _torch_same(image, kernel, bias):
    """Reference with PyTorch: the four options and out, 'same' padding of a 3x3 kernel, 2x2 max-pooling."""
    import torch
    import torch.nn.functional as F

    def conv(x):
        return F.conv2d(x, torch.tensor(kernel)[None, None], padding=1) + bias

    def pool(x):
        return F.max_pool2d(x, 2)

    x = torch.tensor(image)[None, None]
    result = {"out": pool(torch.relu(conv(x))), "A": conv(pool(torch.relu(x))), "B": pool(conv(torch.relu(x))),
              "C": torch.relu(pool(conv(x))), "D": torch.relu(conv(pool(x)))}
    return {k: v[0, 0].numpy() for k, v in result.items()}


def test_compare_options_with_same_padding_against_pytorch():
    """padding='same' reaches out and every option: 2x2 outputs on a 4x4 image, as PyTorch computes them."""
    image = _IMAGE4 - 0.5
    expected = _torch_same(image, _KERNEL3, -0.25)
    comparisons = lo.compare_options(image, _KERNEL3, -0.25, padding="same")
    assert [c.label for c in comparisons] == ["A", "B", "C", "D"]
    for c in comparisons:
        assert c.same_shape is True and c.output.shape == (2, 2)
        np.testing.assert_allclose(c.reference, expected["out"], rtol=0, atol=1e-12)
        np.testing.assert_allclose(c.output, expected[c.label], rtol=0, atol=1e-12)


@pytest.mark.parametrize("pool, formulas", [
    ("max", ["Conv(MaxPool2×2(ReLU(x)))", "MaxPool2×2(Conv(ReLU(x)))", "ReLU(MaxPool2×2(Conv(x)))",
             "ReLU(Conv(MaxPool2×2(x)))"]),
    ("avg", ["Conv(AvgPool2×2(ReLU(x)))", "AvgPool2×2(Conv(ReLU(x)))", "ReLU(AvgPool2×2(Conv(x)))",
             "ReLU(Conv(AvgPool2×2(x)))"]),
])
def test_compare_options_and_evaluate_options_name_each_formula(pool, formulas):
    """Each Comparison and each OptionSummary carries its option's formula with the pooling's name."""
    comparisons = lo.compare_options(np.zeros((6, 6)), _KERNEL3, 0.0, pool=pool)
    assert [c.formula for c in comparisons] == formulas
    summaries = lo.evaluate_options("random", np.random.default_rng(0), n_kernels=1, n_images=1,
                                    image_shape=(6, 6), pool=pool)
    assert [s.formula for s in summaries] == formulas


# --- evaluate_options: counts, worst differences, padding, kernel at the image's size --------------------


def test_evaluate_options_counts_each_differing_pair_and_the_worst_difference():
    """Kernel [[1]], bias -2 then 0.5, 3 images each: A and B differ on exactly the 3 images with bias -2.

    With bias -2, out is 0 while A and B give max(x) - 2, off by 2 - max(x); with bias 0.5 all agree.
    """
    biases = iter([-2.0, 0.5])
    family = lo.KernelFamily("fixed", "[[1]], bias -2 then 0.5", lambda rng, size: (np.ones((size, size)), next(biases)))
    summaries = lo.evaluate_options(family, np.random.default_rng(0), n_kernels=2, n_images=3, image_shape=(2, 2),
                                    kernel_size=1)
    rng = np.random.default_rng(0)
    images = [rng.random((2, 2)) for _ in range(6)]  # the sampler draws nothing: only the images
    worst = max(2.0 - image.max() for image in images[:3])
    got = {s.label: (s.verdict, s.differing, s.trials, s.shape, s.out_shape) for s in summaries}
    assert got == {"A": ("differs", 3, 6, (1, 1), (1, 1)), "B": ("differs", 3, 6, (1, 1), (1, 1)),
                   "C": ("equals out", 0, 6, (1, 1), (1, 1)), "D": ("equals out", 0, 6, (1, 1), (1, 1))}
    assert [s.max_difference for s in summaries] == [worst, worst, 0.0, 0.0]


def test_evaluate_options_counts_every_pair_of_a_different_shape():
    """Valid padding, 6x6 images: A and D (1x1 against out's 2x2) count all 3 pairs, NaN difference, share 1."""
    summaries = lo.evaluate_options("random", np.random.default_rng(0), n_kernels=1, n_images=3, image_shape=(6, 6))
    for s in (summaries[0], summaries[3]):
        assert (s.verdict, s.differing, s.trials, s.shape, s.out_shape) == \
            ("cannot have the same shape", 3, 3, (1, 1), (2, 2))
        assert np.isnan(s.max_difference) and s.share == 1.0


def test_evaluate_options_passes_same_padding_on():
    """padding='same' on 6x6 images: every option, A and D too, has out's 3x3 shape."""
    summaries = lo.evaluate_options("random", np.random.default_rng(0), n_kernels=1, n_images=1, image_shape=(6, 6),
                                    padding="same")
    assert [(s.shape, s.out_shape) for s in summaries] == [((3, 3), (3, 3))] * 4
    assert all(s.verdict != "cannot have the same shape" for s in summaries)


def test_evaluate_options_accepts_a_kernel_as_large_as_the_image():
    """kernel_size equal to the image's smaller side fits (with 'same' padding: 1x1 outputs on 3x3 images)."""
    summaries = lo.evaluate_options("random", np.random.default_rng(0), n_kernels=1, n_images=1, image_shape=(3, 4),
                                    padding="same", kernel_size=3)
    assert [s.out_shape for s in summaries] == [(1, 2)] * 4


# --- random_image: argument checks and random brightness ------------------------------------------------


@pytest.mark.parametrize("kwargs, error, message", [
    # 6 x 10**7 pixels are refused before anything else is looked at (the bad low never is)
    ({"shape": (6, 10**7), "low": "x"}, ValueError,
     "shape would need 60,000,000 pixels, more than the limit of 50,000,000: use smaller values"),
    ({"low": "x"}, TypeError, "low must be a number, got 'x' (str)"),
    ({"high": None}, TypeError, "high must be a number, got None (NoneType)"),
    ({"low": 0.5, "high": 0.5}, ValueError, "need finite low < high, got low=0.5, high=0.5"),
])
def test_random_image_refuses_bad_arguments_by_name(kwargs, error, message):
    """Too many pixels, a low or high that is not a number, low == high: exact messages."""
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        lo.random_image(np.random.default_rng(0), **kwargs)


def test_random_image_random_brightness_scales_the_range():
    """low=1, high=3 with random brightness: one draw c sets the top to 1 + 2c, then pixels are uniform in [1, top]."""
    rng = np.random.default_rng(4)
    c = rng.random()
    expected = 1.0 + rng.random((2, 3)) * (2.0 * c)
    image = lo.random_image(np.random.default_rng(4), (2, 3), low=1.0, high=3.0, random_brightness=True)
    np.testing.assert_allclose(image, expected, rtol=1e-15, atol=0)
    assert image.min() >= 1.0 and image.max() <= 1.0 + 2.0 * c
