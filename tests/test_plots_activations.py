"""Figures of dlexam.plots.activations: each curve, band, marker and threshold where the math puts it."""

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from dlexam.plots.activations import (  # noqa: E402
    plot_activation_bands,
    plot_activation_reading,
    plot_rounding_thresholds,
    plot_saturation_gradients,
)
from dlexam.plots.style import COLORS  # noqa: E402

# The four exam activations, written out here rather than taken from the library.
F = {
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
}
ORDER = ["relu", "tanh", "sigmoid", "leaky_relu"]
# lower end of the z that give an output in [0.95, 1.05): 1.0 to one decimal, rounded half up
ENTRY = {"relu": 0.95, "tanh": math.atanh(0.95), "sigmoid": math.log(0.95 / 0.05), "leaky_relu": 0.95}
EXAM_Z = 7.3 * 2.1 + 193.4 * 5.2 - 30.2 * -0.2 + 8.3  # w . x + b of the exam's neuron


def curve(ax):
    """The one line of many points on an axes (the activation), not the zero lines."""
    (line,) = [line for line in ax.lines if len(line.get_xdata()) > 2]
    return np.asarray(line.get_xdata(), dtype=float), np.asarray(line.get_ydata(), dtype=float)


def spans(ax):
    """(x0, x1, y0, y1) in data coordinates of each shaded band, horizontal spans first."""
    out = []
    for p in ax.patches:
        if isinstance(p, Rectangle):
            (x0, y0), (x1, y1) = p.get_bbox().get_points()
            out.append((x0, x1, y0, y1))
    return out


def test_bands_draw_each_activation_its_band_and_the_marked_z():
    fig = plot_activation_bands(z_mark=2.0)
    axes = fig.axes[:4]
    for ax, name in zip(axes, ORDER):
        z, out = curve(ax)
        np.testing.assert_allclose(out, F[name](z), rtol=1e-12, atol=1e-12)
        assert (z.min(), z.max()) == pytest.approx((-20, 2000)) and ax.get_xlim() == (-20, 2000)
        assert ax.get_xscale() == "symlog"
        assert f"{ENTRY[name]:.6g}" in ax.get_title()
        horizontal, vertical = spans(ax)[:2]
        np.testing.assert_allclose(horizontal[2:], [0.95, 1.05])  # the band of outputs
        high = 1.05 if name in ("relu", "leaky_relu") else 2000  # tanh, sigmoid: every z beyond the entry
        np.testing.assert_allclose(vertical[:2], [ENTRY[name], high], rtol=1e-5)
        (points,) = ax.collections
        np.testing.assert_allclose(points.get_offsets(), [[2.0, F[name](2.0)]])
        inside = 0.95 <= F[name](2.0) < 1.05  # only tanh(2) = 0.964
        assert to_hex(points.get_facecolor()[0]) == to_hex(COLORS["green" if inside else "red"])
        lo, hi = ax.get_ylim()
        assert lo < F[name](2.0) < hi
    assert [to_hex(points.get_facecolor()[0]) for points in (ax.collections[0] for ax in axes)] == \
        [to_hex(COLORS[c]) for c in ("red", "green", "red", "red")]
    plt.close(fig)


def test_bands_say_when_the_exam_output_is_off_the_chart():
    fig = plot_activation_bands()
    relu, tanh = fig.axes[0], fig.axes[1]
    (x, y), = relu.collections[0].get_offsets()
    assert x == EXAM_Z and y < relu.get_ylim()[1] < EXAM_Z  # clipped to the top, drawn as a triangle
    notes = [t.get_text() for t in relu.texts]
    assert any(f"{EXAM_Z:.6g}" in n and "(off the chart)" in n for n in notes)
    np.testing.assert_allclose(tanh.collections[0].get_offsets(), [[EXAM_Z, 1.0]])  # tanh(1035) = 1.0
    assert not any("off the chart" in t.get_text() for t in tanh.texts)
    plt.close(fig)


def test_rounding_thresholds_mark_where_each_curve_enters_the_band():
    fig = plot_rounding_thresholds()
    ax = fig.axes[0]
    curves = [line for line in ax.lines if len(line.get_xdata()) > 2]
    assert [line.get_label() for line in curves] == ["ReLU", "Tanh", "Sigmoid", "Leaky ReLU"]
    for line, name in zip(curves, ORDER):
        z = np.asarray(line.get_xdata())
        np.testing.assert_allclose(line.get_ydata(), F[name](z), atol=1e-12)
        assert (z.min(), z.max()) == (-1.0, 5.0)
    legend = ax.get_legend()
    for text, handle in zip(legend.get_texts(), legend.legend_handles):
        if text.get_text() in ("ReLU", "Tanh", "Sigmoid", "Leaky ReLU"):
            drawn = next(line for line in curves if line.get_label() == text.get_text())
            assert to_hex(handle.get_color()) == to_hex(drawn.get_color())
    dotted = {to_hex(line.get_color()): line.get_xdata()[0] for line in ax.lines if line.get_linestyle() == ":"}
    colour = {name: to_hex(next(c for c in curves if c.get_label() == label).get_color())
              for name, label in zip(ORDER, ["ReLU", "Tanh", "Sigmoid", "Leaky ReLU"])}
    assert len(dotted) == 3  # leaky ReLU enters where ReLU does: one line for both
    for name in ("relu", "tanh", "sigmoid"):
        assert dotted[colour[name]] == pytest.approx(ENTRY[name], abs=1e-6)
    assert sorted(t.get_text() for t in ax.texts) == sorted(f"{ENTRY[n]:.3f}" for n in ("relu", "tanh", "sigmoid"))
    band = spans(ax)[0]
    np.testing.assert_allclose(band[2:], [0.95, 1.05])
    plt.close(fig)


def log10_sigmoid_prime(z):
    return (-np.abs(z) - 2 * np.log1p(np.exp(-np.abs(z)))) / np.log(10)


def log10_tanh_prime(z):  # tanh' = 1 / cosh^2, log cosh z = |z| + log(1 + e^{-2|z|}) - log 2
    return -2 * (np.abs(z) + np.log1p(np.exp(-2 * np.abs(z))) - np.log(2)) / np.log(10)


def test_saturation_gradients_exact_curves_vanishing_points_and_exam_values():
    fig = plot_saturation_gradients()
    left, right = fig.axes[:2]
    exact = {"sigmoid": log10_sigmoid_prime, "tanh": log10_tanh_prime}
    for ax in (left, right):
        named = {line.get_label(): line for line in ax.lines}
        for name, label in (("sigmoid", "Sigmoid' exact"), ("tanh", "Tanh' exact")):
            z = np.asarray(named[label].get_xdata())
            np.testing.assert_allclose(named[label].get_ydata(), exact[name](z), rtol=1e-9, atol=1e-9)
    # Autograd's derivative is exactly 0 once the activation rounds to 1: sigmoid when e^{-z} < 2^-p,
    # tanh when 2 e^{-2z} < 2^-p, with p = 53 (float64) or 24 (float32) bits.
    expected = {("sigmoid", "--"): 53 * math.log(2), ("sigmoid", ":"): 24 * math.log(2),
                ("tanh", "--"): 55 * math.log(2) / 2, ("tanh", ":"): 26 * math.log(2) / 2}
    colour = {to_hex(COLORS["orange"]): "sigmoid", to_hex(COLORS["green"]): "tanh"}
    vertical = {(colour[to_hex(line.get_color())], line.get_linestyle()): line.get_xdata()[0]
                for line in left.lines if len(line.get_xdata()) == 2 and line.get_xdata()[0] == line.get_xdata()[1]}
    assert vertical.keys() == expected.keys()
    for key, z in expected.items():
        assert abs(vertical[key] - z) < 0.5, key
    dots = [line for line in left.lines if line.get_linestyle() == "None"]
    assert [line.get_label() for line in dots] == ["autograd float64", "autograd float32"] * 2
    for line, (name, ls) in zip(dots, [("sigmoid", "--"), ("sigmoid", ":"), ("tanh", "--"), ("tanh", ":")]):
        z = np.asarray(line.get_xdata())
        assert z.max() < vertical[(name, ls)] and z.max() > vertical[(name, ls)] - 3  # drawn up to where they vanish
        assert np.all(np.abs(line.get_ydata() - exact[name](z)) < 0.5)
    points = np.concatenate([c.get_offsets() for c in right.collections])
    np.testing.assert_allclose(points, [[EXAM_Z, log10_sigmoid_prime(EXAM_Z)], [EXAM_Z, log10_tanh_prime(EXAM_Z)]])
    lo, hi = right.get_ylim()
    assert lo < points[:, 1].min() and points[:, 1].max() < hi
    assert lo < math.log10(5e-324) < hi
    assert f"z = {EXAM_Z:.2f}" in right.get_title()
    (red,) = [line for line in right.lines if to_hex(line.get_color()) == to_hex(COLORS["red"])]
    assert red.get_xdata()[0] == EXAM_Z
    plt.close(fig)


def test_activation_reading_titles_the_value_and_marks_the_point():
    fig = plot_activation_reading("sigmoid", 2.0)
    ax = fig.axes[0]
    assert ax.get_title() == "Sigmoid(2) = 0.880797"
    z, out = curve(ax)
    np.testing.assert_allclose(out, F["sigmoid"](z), atol=1e-12)
    assert ax.get_xscale() == "linear" and ax.get_xlim() == (-6.0, 6.0)
    np.testing.assert_allclose(ax.collections[0].get_offsets(), [[2.0, F["sigmoid"](2.0)]])
    assert to_hex(ax.collections[0].get_facecolor()[0]) == to_hex(COLORS["red"])  # 0.88 does not round to 1.0
    plt.close(fig)
    fig = plot_activation_reading("tanh", -100.0)
    ax = fig.axes[0]
    assert ax.get_title() == "Tanh(-100) = -1.0"
    assert ax.get_xscale() == "symlog" and ax.get_xlim() == (-130.0, 130.0)  # 1.3 |z| either side
    np.testing.assert_allclose(ax.collections[0].get_offsets(), [[-100.0, -1.0]])
    plt.close(fig)
