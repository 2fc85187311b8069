"""Figures of dlexam.plots.pooling: each panel holds the matrix its title names, differences framed where they are."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from dlexam import layer_order  # noqa: E402
from dlexam.plots.pooling import (  # noqa: E402
    plot_counterexample,
    plot_options,
    plot_pool_swaps,
    plot_pooling_commutation,
)
from dlexam.plots.style import COLORS  # noqa: E402

IMAGE = np.random.default_rng(3).random((6, 6))
KERNEL = np.array([[1.0, -1.0, 0.5], [0.0, 2.0, -1.0], [-0.5, 0.5, 1.0]])
BIAS = -2.5  # negative enough that some 2x2 windows of Conv(x) are all negative


def conv(x):  # cross-correlation with the kernel, plus the bias, as torch computes it
    x, k, b = torch.tensor(x)[None, None], torch.tensor(KERNEL)[None, None], torch.tensor([BIAS], dtype=torch.float64)
    return F.conv2d(x, k, b)[0, 0].numpy()


def pool(x):
    return F.max_pool2d(torch.as_tensor(x)[None, None], 2)[0, 0].numpy()


def framed(ax):
    """(row, column) of each cell with a red frame."""
    return sorted((round(p.get_y() + 0.5), round(p.get_x() + 0.5)) for p in ax.patches if isinstance(p, Rectangle)
                  and to_hex(p.get_edgecolor()) == to_hex(COLORS["red"]))


def test_options_draw_the_four_orders_against_out():
    fig = plot_options(IMAGE, KERNEL, BIAS)
    out = pool(np.maximum(conv(IMAGE), 0))
    top = [ax.images[0].get_array() for ax in fig.axes[:4]]
    np.testing.assert_array_equal(top[0], IMAGE)
    np.testing.assert_array_equal(top[1], KERNEL)
    np.testing.assert_allclose(top[2], conv(IMAGE))
    np.testing.assert_allclose(top[3], out)
    expected = {"A": None, "B": pool(conv(np.maximum(IMAGE, 0))), "C": np.maximum(pool(conv(IMAGE)), 0), "D": None}
    for ax, (label, output) in zip(fig.axes[4:], expected.items()):
        title = ax.get_title()
        assert title.startswith(f"{label}: ")
        if output is None:  # A and D pool before the convolution: a 3x3 image gives a 1x1 output
            assert title.endswith("shape 1×1 ≠ 2×2") and ax.images[0].get_array().shape == (1, 1)
            continue
        np.testing.assert_allclose(ax.images[0].get_array(), output)
        differ = sorted(zip(*np.nonzero(np.abs(output - out) > 1e-9)))
        assert framed(ax) == [(int(i), int(j)) for i, j in differ]
        if differ:
            assert title.endswith(f"differs: up to {np.abs(output - out).max():.2f}")
            assert to_hex(ax.title.get_color()) == to_hex(COLORS["red"])
        else:
            assert title.endswith("equal to out") and to_hex(ax.title.get_color()) == to_hex(COLORS["green"])
    assert framed(fig.axes[5]), "B must differ from out on this image for the test to mean something"
    assert fig.axes[6].get_title().endswith("equal to out")  # C: ReLU and MaxPool commute
    plt.close(fig)


def test_counterexample_shows_both_results_and_their_difference():
    left = np.array([[1.0, 2.0], [3.0, 4.0]])
    right = np.array([[1.0, 2.5], [3.0, 3.0]])
    cx = layer_order.Counterexample(np.zeros((4, 4)), left, right, tries=7)
    fig = plot_counterexample(cx, "MaxPool first", "ReLU first", title="a counterexample")
    image, a, b, difference = fig.axes[:4]
    np.testing.assert_array_equal(a.images[0].get_array(), left)
    np.testing.assert_array_equal(b.images[0].get_array(), right)
    np.testing.assert_array_equal(difference.images[0].get_array(), [[0, 0.5], [0, 1.0]])
    assert (a.get_title(), b.get_title()) == ("MaxPool first", "ReLU first")
    assert difference.get_title() == "|difference|, largest 1.00"
    assert framed(a) == framed(b) == [(0, 1), (1, 1)]
    assert [t.get_text() for t in b.texts] == ["1.00", "2.50", "3.00", "3.00"]
    assert fig.get_suptitle() == "a counterexample"
    plt.close(fig)


def test_pooling_commutation_marks_the_two_inputs_where_f_decreases():
    g = np.random.default_rng(0)
    results = [layer_order.max_pool_commutes_with(name, g, n_images=5) for name in ("relu", "square")]
    fig = plot_pooling_commutation(results)
    relu, square = fig.axes[:2]
    for ax, f in ((relu, lambda z: np.maximum(z, 0)), (square, np.square)):
        curve = ax.lines[0]
        np.testing.assert_allclose(curve.get_ydata(), f(np.asarray(curve.get_xdata())))
    assert relu.get_title() == "ReLU: never decreases\ncommutes"
    assert to_hex(relu.title.get_color()) == to_hex(COLORS["green"])
    (marks,) = [line for line in square.lines if line.get_linestyle() == "None"]
    a, b = marks.get_xdata()
    assert a < b and np.square(a) > np.square(b)  # f decreases from a to b
    np.testing.assert_allclose(marks.get_ydata(), [a * a, b * b])
    window = np.array([[a, b], [b, b]])
    assert square.get_title().endswith(f"{np.square(window).max():.3f} ≠ {np.square(window.max()):.3f}")
    assert to_hex(square.title.get_color()) == to_hex(COLORS["red"])
    x = np.asarray(square.lines[0].get_xdata())
    assert x.min() < a and b < x.max()  # the marked points lie on the drawn curve's range
    plt.close(fig)


def test_pool_swaps_draw_each_difference_on_one_scale():
    swaps = {"average": layer_order.PoolSwap(np.zeros((2, 2)), np.array([[0.0, 0.25], [0.0, 0.0]])),
             "max": layer_order.PoolSwap(np.ones((2, 2)), np.array([[1.0, 1.0], [0.5, 1.0]])),
             "stride 1": layer_order.PoolSwap(np.zeros((3, 3)), np.zeros((2, 2)))}
    fig = plot_pool_swaps(swaps)
    average, maximum, stride = fig.axes[:3]
    np.testing.assert_array_equal(average.images[0].get_array(), [[0, 0.25], [0, 0]])
    np.testing.assert_array_equal(maximum.images[0].get_array(), [[0, 0], [0.5, 0]])
    assert average.images[0].get_clim() == maximum.images[0].get_clim() == (0, 0.5)
    assert average.get_title() == "average\nlargest 2.5e-01" and maximum.get_title() == "max\nlargest 5.0e-01"
    assert not stride.images and stride.texts[0].get_text() == "shapes differ:\n3×3 and 2×2"
    plt.close(fig)
