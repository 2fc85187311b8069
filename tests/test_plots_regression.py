"""Figures of dlexam.plots.regression: points, lines, shaded ranges and errors drawn are the ones given."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from dlexam import regression as R  # noqa: E402
from dlexam.plots.regression import (  # noqa: E402
    model_colour,
    plot_extrapolation,
    plot_linearity,
    plot_split_fit,
    plot_validation_spread,
)
from dlexam.plots.style import COLORS  # noqa: E402

X = np.arange(1.0, 21.0)  # 20 distinct sizes
Y = 3.0 * X + 10.0 + np.where(np.arange(20) % 2, 1.0, -1.0) * X / 10  # a line, scatter growing with x
TANH = R.ModelConfig(activation="tanh", width=4)
RELU = R.ModelConfig(activation="relu", width=4)


class Curve:
    """A fitted model stand-in: any function of x, with the config that sets its colour."""

    def __init__(self, config, f):
        self.config, self.f = config, f

    def predict(self, x):
        return self.f(np.asarray(x, dtype=float))


def spans(ax):
    return [(p.get_bbox().x0, p.get_bbox().x1) for p in ax.patches if isinstance(p, Rectangle)]


def test_model_colour_is_one_per_kind_of_model():
    assert model_colour(R.LINEAR) == "#222222"
    assert model_colour(TANH) == COLORS["purple"] and model_colour(RELU) == COLORS["green"]
    assert model_colour(R.ModelConfig(activation="relu", width=64, depth=3)) == COLORS["green"]


def test_linearity_draws_the_least_squares_line_and_binned_residuals():
    fig = plot_linearity(X, Y, "size", n_bins=4)
    data, residual = fig.axes[:2]
    slope, intercept = np.polyfit(X, Y, 1)
    np.testing.assert_array_equal(data.collections[0].get_offsets(), np.column_stack([X, Y]))
    (line,) = data.lines
    np.testing.assert_allclose(line.get_xdata(), [1, 20])
    np.testing.assert_allclose(line.get_ydata(), slope * np.array([1, 20]) + intercept)
    r2 = 1 - np.sum((Y - slope * X - intercept) ** 2) / np.sum((Y - Y.mean()) ** 2)
    assert line.get_label() == f"least squares: {slope:.3f} x {intercept:+.1f}, $R^2$ = {r2:.2f}"
    residuals = Y - (slope * X + intercept)
    np.testing.assert_allclose(residual.collections[0].get_offsets(), np.column_stack([X, residuals]), atol=1e-9)
    groups = np.split(np.arange(20), 4)  # x is sorted: 4 bins of 5 points each
    (errorbar,) = residual.containers
    centres, means = errorbar.lines[0].get_data()
    np.testing.assert_allclose(centres, [X[g].mean() for g in groups])
    np.testing.assert_allclose(means, [residuals[g].mean() for g in groups], atol=1e-9)
    bars = errorbar.lines[2][0].get_segments()
    np.testing.assert_allclose([s[1, 1] - s[0, 1] for s in bars], [2 * residuals[g].std() for g in groups])
    assert (data.get_xlabel(), residual.get_xlabel()) == ("size", "size")
    plt.close(fig)


def test_extrapolation_panels_show_each_split_and_each_models_curve():
    train, validation = np.arange(15), np.arange(15, 20)  # the 5 largest validate
    mixed = (np.arange(0, 20, 2), np.arange(1, 20, 2))
    splits = {"sorted": (train, validation), "mixed": mixed}
    line = R.LineModel(3.0, 10.0)
    flat = Curve(TANH, lambda x: np.full_like(x, 40.0))
    steep = Curve(TANH, lambda x: 5.0 * x)
    fits = {"sorted": {"line": line, "flat tanh": flat, "steep tanh": steep}, "mixed": {"line": line}}
    fig = plot_extrapolation(X, Y, splits, fits)
    first, second = fig.axes[:2]
    train_points, validation_points = first.collections[:2]
    np.testing.assert_array_equal(train_points.get_offsets(), np.column_stack([X[train], Y[train]]))
    np.testing.assert_array_equal(validation_points.get_offsets(), np.column_stack([X[validation], Y[validation]]))
    assert to_hex(train_points.get_facecolor()[0]) == to_hex(COLORS["blue"])
    assert to_hex(validation_points.get_facecolor()[0]) == to_hex(COLORS["orange"])
    x_range = (1 - 0.05 * 19, 20 + 0.5 * 19)
    assert first.get_xlim() == pytest.approx(x_range)
    curves = {c.get_label(): c for c in first.lines}
    grid = np.asarray(curves["line"].get_xdata())
    assert (grid[0], grid[-1]) == pytest.approx(x_range)
    np.testing.assert_allclose(curves["line"].get_ydata(), 3 * grid + 10)
    np.testing.assert_allclose(curves["flat tanh"].get_ydata(), 40.0)
    np.testing.assert_allclose(curves["steep tanh"].get_ydata(), 5 * grid)
    assert [(to_hex(c.get_color()), c.get_linestyle()) for c in first.lines] == [
        ("#222222", "-"), (to_hex(COLORS["purple"]), "-"), (to_hex(COLORS["purple"]), "--")]  # same kind: dashed
    assert spans(first) == [pytest.approx((1, 15)), pytest.approx((16, 20))]  # disjoint: both ranges shaded
    assert spans(second) == [pytest.approx((1, 19))]  # validation inside the training range: not shaded
    legend = first.get_legend()
    for text, handle in zip(legend.get_texts(), legend.legend_handles):
        if text.get_text() in curves:
            assert to_hex(handle.get_color()) == to_hex(curves[text.get_text()].get_color())
            assert handle.get_linestyle() == curves[text.get_text()].get_linestyle()
    assert [ax.get_title() for ax in fig.axes[:2]] == ["sorted", "mixed"]
    assert second.get_legend() is None and second.get_ylabel() == ""
    plt.close(fig)


def test_split_fit_draws_the_model_and_the_line_and_titles_their_errors():
    train, validation = np.arange(16), np.arange(16, 20)
    model = Curve(RELU, lambda x: 2.0 * x + 20)
    line = R.LineModel(*np.polyfit(X[train], Y[train], 1))
    errors = R.Errors(float(np.mean((Y[train] - model.predict(X[train])) ** 2)),
                      float(np.mean((Y[validation] - model.predict(X[validation])) ** 2)))
    result = R.SplitFit(X, Y, "size", train, validation, model, errors, line, None, 1.0)
    fig = plot_split_fit(result)
    ax = fig.axes[0]
    assert ax.get_title() == f"training MSE {errors.train:.4g}, validation MSE {errors.validation:.4g}"
    relu, linear = ax.lines
    assert (relu.get_label(), linear.get_label()) == ("ReLU MLP 1x4", "linear regression")
    grid = np.asarray(relu.get_xdata())
    np.testing.assert_allclose(relu.get_ydata(), 2 * grid + 20)
    np.testing.assert_allclose(linear.get_ydata(), line.slope * grid + line.intercept)
    lo, hi = ax.get_ylim()
    assert lo < Y.min() and Y.max() < hi
    assert ax.get_xlim()[0] < X.min() and X.max() < ax.get_xlim()[1]
    plt.close(fig)


def test_validation_spread_puts_each_runs_error_on_its_models_row():
    def run(config, split, seed, mse):
        return R.Run(config, split, seed, R.Errors(1.0, mse), None)

    runs = [run(R.LINEAR, "shuffled", 0, 900.0), run(R.LINEAR, "sorted", 0, 2500.0),
            run(TANH, "shuffled", 0, 700.0), run(TANH, "shuffled", 1, 800.0), run(TANH, "sorted", 0, 12000.0)]
    fig = plot_validation_spread(runs, floor=600.0)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["linear regression", "tanh MLP 1x4"]
    dots = {c.get_label(): c for c in ax.collections}
    shuffled = np.concatenate([c.get_offsets() for c in ax.collections if to_hex(c.get_facecolor()[0])
                               == to_hex(COLORS["blue"])])
    sorted_ = np.concatenate([c.get_offsets() for c in ax.collections if to_hex(c.get_facecolor()[0])
                              == to_hex(COLORS["orange"])])
    np.testing.assert_allclose(shuffled, [[900, -0.11], [700, 0.89], [800, 0.89]])  # row - 0.11
    np.testing.assert_allclose(sorted_, [[2500, 0.11], [12000, 1.11]])  # row + 0.11
    assert {"shuffled split", "sorted split"} <= set(dots)
    (floor,) = ax.lines
    assert floor.get_xdata()[0] == 600.0
    ax.figure.canvas.draw()
    lo, hi = ax.get_xlim()
    assert lo < 600 and 12000 < hi
    assert ax.get_xscale() == "log"
    plt.close(fig)
