"""Figures of dlexam.plots.reversible: curves, preimages, residuals and error lines drawn are the ones given."""

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from dlexam.plots.reversible import (  # noqa: E402
    plot_fixed_point,
    plot_gradient_errors,
    plot_residual_inverse,
    plot_round_trip_errors,
    plot_tanh_residuals,
)
from dlexam.reversible import FixedPoint  # noqa: E402


def markers(ax):
    return [line for line in ax.lines if line.get_linestyle() == "None"]


def legend_matches_lines(ax):
    legend = ax.get_legend()
    drawn = {line.get_label(): line for line in ax.lines}
    for text, handle in zip(legend.get_texts(), legend.legend_handles):
        line = drawn[text.get_text()]
        assert to_hex(handle.get_color()) == to_hex(line.get_color()), text.get_text()
        assert handle.get_linestyle() == line.get_linestyle(), text.get_text()


def test_tanh_residuals_draw_each_curve_and_every_x_it_maps_to_y():
    cs, y = (-0.5, -2.0, 3.0), 0.5
    fig = plot_tanh_residuals(cs, y=y)
    ax = fig.axes[0]
    curves = [line for line in ax.lines if len(line.get_xdata()) > 100]
    assert len(curves) == 3
    for c, curve, mark in zip(cs, curves, markers(ax)):
        x = np.asarray(curve.get_xdata())
        np.testing.assert_allclose(curve.get_ydata(), x + c * np.tanh(x))
        roots = np.asarray(mark.get_xdata())
        np.testing.assert_allclose(roots + c * np.tanh(roots), y, atol=1e-9)  # each one maps to y
        np.testing.assert_array_equal(mark.get_ydata(), y)
        assert to_hex(mark.get_color()) == to_hex(curve.get_color())
        verdict = "injective" if c >= -1 else "not injective"
        assert curve.get_label() == f"c = {c:g}: Lipschitz {abs(c):g}, {verdict}, {len(roots)} x with f(x) = 0.5"
    # x - 2 tanh(x) = 0.5 has three solutions: one left of 0 between the two bends, and two more
    assert len(markers(ax)[1].get_xdata()) == 3 and len(markers(ax)[0].get_xdata()) == 1
    legend_matches_lines(ax)
    plt.close(fig)


def test_tanh_residuals_draw_every_c_given():
    cs = (-0.5, -2.0, 3.0, 0.0, 1.0, -3.0)
    fig = plot_tanh_residuals(cs)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert [label.split(":")[0] for label in labels] == [f"c = {c:g}" for c in cs]
    plt.close(fig)


def fixed_point(residuals):
    return FixedPoint(torch.zeros(1), np.asarray(residuals, dtype=float), residuals[-1] < 1e-12)


def test_fixed_point_plots_each_residual_sequence_and_its_bound():
    runs = {"contraction": fixed_point([0.5, 0.2, 0.05, 0.0]), "slow": fixed_point([0.9, 0.8, 0.7])}
    fig = plot_fixed_point(runs, {"contraction": 0.5})
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.lines}
    np.testing.assert_array_equal(lines["contraction"].get_xdata(), [1, 2, 3, 4])
    np.testing.assert_array_equal(lines["contraction"].get_ydata(), [0.5, 0.2, 0.05, 1e-18])  # exact 0 at the floor
    np.testing.assert_array_equal(lines["slow"].get_ydata(), [0.9, 0.8, 0.7])
    np.testing.assert_allclose(lines["bound 0.5^k"].get_ydata(), [0.5, 0.25, 0.125, 0.0625])
    assert lines["bound 0.5^k"].get_linestyle() == "--"
    assert to_hex(lines["bound 0.5^k"].get_color()) == to_hex(lines["contraction"].get_color())
    assert to_hex(lines["slow"].get_color()) != to_hex(lines["contraction"].get_color())
    legend_matches_lines(ax)
    lo, hi = ax.get_ylim()
    assert lo <= 1e-18 and hi >= 0.9
    plt.close(fig)
    many = {f"run {i}": fixed_point([0.5**i]) for i in range(6)}
    fig = plot_fixed_point(many)
    assert [line.get_label() for line in fig.axes[0].lines] == list(many)
    plt.close(fig)


def test_round_trip_errors_draw_each_dtype_and_its_epsilon():
    depths = [1, 2, 4, 8]
    errors = {"float32": [1e-7, 2e-7, 5e-7, 1e-6], "float64": [2e-16, 0.0, 5e-16, 1e-15]}
    fig = plot_round_trip_errors(depths, errors)
    ax = fig.axes[0]
    curves = [line for line in ax.lines if line.get_marker() == "o"]
    for curve, (label, values) in zip(curves, errors.items()):
        assert curve.get_label() == label
        np.testing.assert_array_equal(curve.get_xdata(), depths)
        np.testing.assert_array_equal(curve.get_ydata(), np.maximum(values, 1e-17))  # 0 drawn at the bottom
    epsilons = sorted(line.get_ydata()[0] for line in ax.lines if line.get_linestyle() == ":")
    assert epsilons == [2.0**-52, 2.0**-23]
    assert sorted(t.get_text() for t in ax.texts) == ["float32 epsilon", "float64 epsilon"]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    legend_matches_lines(ax)
    plt.close(fig)


def test_gradient_errors_draw_one_line_per_label_and_no_epsilon():
    depths = [1, 4, 16]
    errors = {f"gain {g}": [g * 1e-7, g * 4e-7, g * 1.6e-6] for g in (1, 2, 3, 4, 5, 6)}
    fig = plot_gradient_errors(depths, errors)
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.lines] == list(errors)
    for line, values in zip(ax.lines, errors.values()):
        np.testing.assert_array_equal(line.get_ydata(), values)
    assert not ax.texts and ax.get_ylabel() == "relative gradient error"
    legend_matches_lines(ax)
    plt.close(fig)


def test_residual_inverse_draws_the_preimages_and_the_iterations():
    result = fixed_point([0.3, 0.1, 1e-13])
    fig = plot_residual_inverse(-2.0, 0.0, result)
    left, right = fig.axes[:2]
    (roots,) = markers(left)
    lo, hi = 1.0, 2.0  # x = 2 tanh(x) has one positive root, between 1 and 2: bisect it here
    for _ in range(60):
        r = (lo + hi) / 2
        lo, hi = (r, hi) if r - 2 * math.tanh(r) < 0 else (lo, r)
    np.testing.assert_allclose(roots.get_xdata(), [-r, 0.0, r], atol=1e-9)
    assert left.get_title() == "c = -2: 3 x with f(x) = 0"
    (iterations,) = right.lines
    np.testing.assert_array_equal(iterations.get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(iterations.get_ydata(), [0.3, 0.1, 1e-13])
    assert right.get_title() == "x ← y − q(x): converged in 3 iterations"
    plt.close(fig)
    fig = plot_residual_inverse(0.5, 0.0, fixed_point([0.3, 0.2]))
    assert fig.axes[1].get_title() == "x ← y − q(x): no convergence in 2 iterations"
    plt.close(fig)
