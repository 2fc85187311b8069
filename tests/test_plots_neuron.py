"""Figures of dlexam.plots.neuron: the four table points, their outputs and the boundary z = 0."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.contour import ContourSet  # noqa: E402

from dlexam.plots.neuron import plot_scale_tradeoff, plot_truth_table_surface  # noqa: E402

EXAM_POINTS = [(1, 1, 0.0), (1, 0, 0.5), (0, 1, 0.5), (0, 0, 1.0)]  # (x1, x2, target) of the exam's table


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_truth_table_surface_marks_each_point_with_its_target_and_output():
    w1, w2, b = -4.0, -4.0, 4.0
    fig = plot_truth_table_surface(w1, w2, b)
    ax = fig.axes[0]
    points = [c for c in ax.collections if not isinstance(c, ContourSet)]
    assert len(points) == 4
    viridis = plt.get_cmap("viridis")
    for c, (p, q, target) in zip(points, EXAM_POINTS):
        np.testing.assert_allclose(c.get_offsets(), [[p, q]])
        assert to_hex(c.get_facecolor()[0]) == to_hex(viridis(target))
    notes = [t.get_text() for t in ax.texts]
    assert notes == [f"target {t:g}\noutput {sigmoid(w1 * p + w2 * q + b):.3f}" for p, q, t in EXAM_POINTS]
    assert notes[0] == "target 0\noutput 0.018" and notes[3] == "target 1\noutput 0.982"
    (boundary,) = [c for c in ax.collections if isinstance(c, ContourSet) and list(c.levels) == [0.5]]
    v = np.concatenate(boundary.allsegs[0])
    np.testing.assert_allclose(w1 * v[:, 0] + w2 * v[:, 1] + b, 0, atol=1e-2)  # the line x1 + x2 = 1
    assert ax.get_xlim() == ax.get_ylim() == (-0.25, 1.25)
    assert ax.get_title() == "$w_1=-4,\\ w_2=-4,\\ b=4$; white line: $z = 0$"
    plt.close(fig)


def test_scale_tradeoff_plots_the_corner_error_and_the_steepest_slope():
    a = np.array([0.5, 1.0, 2.0, 5.0, 10.0])
    fig = plot_scale_tradeoff(a)
    error_axis, slope_axis = fig.axes[:2]
    (error,) = error_axis.lines
    (slope,) = slope_axis.lines
    np.testing.assert_array_equal(error.get_xdata(), a)
    # the output at the corner (1, 1) is sigmoid(-a - a + a); 1 - the output at (0, 0) is the same
    np.testing.assert_allclose(error.get_ydata(), sigmoid(-a), rtol=1e-12)
    np.testing.assert_allclose(error.get_ydata(), 1 - sigmoid(a), rtol=1e-9)
    steepest = []
    for scale in a:  # the gradient in the input is largest on the line z = 0, e.g. at (0.5, 0.5)
        x = torch.tensor([0.5, 0.5], dtype=torch.float64, requires_grad=True)
        torch.sigmoid(-scale * x.sum() + scale).backward()
        steepest.append(float(x.grad.norm()))
    np.testing.assert_allclose(slope.get_ydata(), steepest, rtol=1e-12)
    assert error_axis.get_yscale() == "log" and slope_axis.get_yscale() == "linear"
    assert to_hex(error_axis.yaxis.label.get_color()) == to_hex(error.get_color())
    assert to_hex(slope_axis.yaxis.label.get_color()) == to_hex(slope.get_color())
    lo, hi = error_axis.get_ylim()
    assert lo <= sigmoid(-10.0) and hi >= sigmoid(-0.5)
    plt.close(fig)
