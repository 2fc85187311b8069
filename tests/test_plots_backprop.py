"""Figures of dlexam.plots.backprop: the chain, the dense block and the memory plots draw the numbers given."""

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from dlexam.backprop import SUBSTEPS, GradientMemory, MemoryBudget, StackMemory  # noqa: E402
from dlexam.plots.backprop import (  # noqa: E402
    plot_dense_block,
    plot_gradient_memory,
    plot_graphical_notation,
    plot_memory_budget,
    plot_saved_growth,
    plot_sgd_progress,
)
from dlexam.plots.style import COLORS  # noqa: E402

MIB = 2**20


def texts(ax):
    return [t.get_text() for t in ax.texts]


def test_graphical_notation_names_every_block_and_each_delta_of_the_backward_pass():
    fig = plot_graphical_notation(3, substep=4)
    ax = fig.axes[0]
    shown = texts(ax)
    for name in ("x", "f₁", "f₂", "f₃", "z₁", "z₂", "z₃", "ℓ", "L̂"):
        assert name in shown
    deltas = [t for t in ax.texts if t.get_text().startswith("δ")]
    assert [t.get_text() for t in deltas] == ["δ₁", "δ₂", "δ₃"]
    assert all(to_hex(t.get_color()) == to_hex(COLORS["red"]) for t in deltas)
    assert ax.get_title() == f"sub-step 4 of 5: {SUBSTEPS[3]}"
    plt.close(fig)


def test_graphical_notation_of_a_deep_network_draws_a_gap_and_the_last_block():
    fig = plot_graphical_notation(12)
    shown = texts(fig.axes[0])
    assert [t for t in shown if t.startswith("f")] == ["f₁", "f₂", "f₁₂"]
    assert "$\\cdots$" in shown and not any(t.startswith("δ") for t in shown)  # deltas only in sub-step 4
    assert any("ℓ(z₁₂" in t for t in shown)  # the loss reads the last block's output
    plt.close(fig)


def test_dense_block_draws_width_neurons_per_column_and_marks_what_is_kept():
    for saved in (True, False):
        fig = plot_dense_block(3, saved=saved)
        ax = fig.axes[0]
        columns = [c for c in ax.collections if len(c.get_offsets()) == 3]
        xs = [float(np.unique(c.get_offsets()[:, 0])[0]) for c in columns]
        assert xs == [0.0, 2.4, 4.2]
        filled = [to_hex(c.get_facecolor()[0], keep_alpha=False) for c in columns]
        kept = to_hex(COLORS["green"])
        assert filled == ([kept, "#ffffff", kept] if saved else ["#ffffff"] * 3)  # never a_l
        weights = [line for line in ax.lines if to_hex(line.get_color()) == to_hex(COLORS["grey"])]
        biases = [line for line in ax.lines if to_hex(line.get_color()) == to_hex(COLORS["orange"])]
        assert (len(weights), len(biases)) == (9, 3)  # d x d weights, d biases
        assert "$d = 3$" in ax.get_title()
        plt.close(fig)


def measurements():
    """Saved bytes of a tanh stack counted by hand: the input and every block's output, 4 bytes each."""
    return [StackMemory(L, B, d, "tanh", 4 * (L + 1) * B * d, 4 * L * (d * d + d), 2 * L)
            for L, B, d in itertools.product([1, 2, 4], [1, 4], [2, 8])]


def test_saved_growth_plots_each_variable_with_the_others_at_their_largest():
    fig = plot_saved_growth(measurements())
    fixed = {"L": (None, 4, 8), "B": (4, None, 8), "d": (4, 4, None)}  # (L, B, d), None: the variable
    for ax, (var, (L0, B0, d0)), xs in zip(fig.axes, fixed.items(), ([1, 2, 4], [1, 4], [2, 8])):
        xs = np.array(xs, dtype=float)
        L, B, d = (xs if v is None else v for v in (L0, B0, d0))
        measured, total, fit, exam = ax.lines[1], ax.lines[0], ax.lines[2], ax.lines[3]
        np.testing.assert_array_equal(measured.get_xdata(), xs)
        np.testing.assert_array_equal(measured.get_ydata(), 4 * (L + 1) * B * d)
        np.testing.assert_array_equal(total.get_ydata(), 4 * (L + 1) * B * d + 4 * L * (d * d + d))
        grid = np.asarray(fit.get_xdata())
        assert (grid[0], grid[-1]) == pytest.approx((xs[0], xs[-1]))
        L, B, d = (grid if v is None else v for v in (L0, B0, d0))
        np.testing.assert_allclose(fit.get_ydata(), 4 * L * B * d + 4 * B * d, rtol=1e-9)  # the exact fit
        np.testing.assert_allclose(exam.get_ydata(), 4 * L * B * d)  # L*B*d float32 numbers
        assert ax.get_xscale() == ax.get_yscale() == "log"
    assert [ax.get_title() for ax in fig.axes[:3]] == ["B = 4, d = 8", "L = 4, d = 8", "L = 4, B = 4"]
    assert [ax.get_xlabel() for ax in fig.axes[:3]] == ["blocks $L$", "batch size $B$", "width $d$"]
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "fit 4.00·LBd + 4.00·Bd" in labels
    plt.close(fig)


def gradient_row(B, d, L=2):
    grad = 4 * L * (d * d + d)
    return GradientMemory(L, B, d, B * grad, grad, 4 * (L + 1) * B * d, 0.0)


def test_gradient_memory_compares_per_example_and_batch_gradients():
    rows = [gradient_row(B, d) for B, d in [(1, 4), (2, 4), (4, 4), (4, 2), (4, 8), (1, 8), (2, 8)]]
    fig = plot_gradient_memory(rows)
    left, right = fig.axes[:2]
    per, batched, kept = left.lines
    np.testing.assert_array_equal(per.get_xdata(), [1, 2, 4])  # against B, at the largest d: 8
    np.testing.assert_array_equal(per.get_ydata(), [b * 4 * 2 * 72 for b in (1, 2, 4)])
    np.testing.assert_array_equal(batched.get_ydata(), [4 * 2 * 72] * 3)
    np.testing.assert_array_equal(kept.get_ydata(), [4 * 3 * b * 8 for b in (1, 2, 4)])
    assert left.get_title() == "width $d$ = 8, $L$ = 2"
    per, batched, _ = right.lines
    np.testing.assert_array_equal(per.get_xdata(), [2, 4, 8])  # against d, at the largest B: 4
    np.testing.assert_array_equal(per.get_ydata(), [4 * 4 * 2 * (d * d + d) for d in (2, 4, 8)])
    assert right.get_title() == "batch size $B$ = 4, $L$ = 2"
    legend = left.get_legend()
    for text, handle in zip(legend.get_texts(), legend.legend_handles):
        line = next(line for line in left.lines if line.get_label() == text.get_text())
        assert to_hex(handle.get_color()) == to_hex(line.get_color())
    plt.close(fig)


def budget(optimizer, state, B=4):
    return MemoryBudget(2, B, 8, optimizer, B * MIB, 2 * MIB, 2 * MIB, state * MIB)


def test_memory_budget_stacks_the_four_parts_and_sweeps_the_batch_size():
    budgets = [budget("SGD", 0), budget("Adam", 4)]
    sweep = [budget("Adam", 4, B) for B in (16, 1, 4)]
    fig = plot_memory_budget(budgets, sweep)
    bars, right = fig.axes[0], fig.axes[1]
    widths = [(p.get_y() + p.get_height() / 2, p.get_x(), p.get_width()) for p in bars.patches]
    assert widths == [(0, 0, 4), (0, 4, 2), (0, 6, 2), (0, 8, 0),  # SGD: activations, parameters, gradients, no state
                      (1, 0, 4), (1, 4, 2), (1, 6, 2), (1, 8, 4)]
    assert [t.get_text() for t in bars.texts] == [" 8 MiB", " 12 MiB"]
    assert [t.get_text() for t in bars.get_yticklabels()] == ["SGD", "Adam"]
    assert max(bars.get_xlim()) >= 12
    legend = [t.get_text() for t in bars.get_legend().get_texts()]
    assert legend == ["activations", "parameters", "gradients", "optimiser state"]
    activations, weights, state = right.lines
    np.testing.assert_array_equal(activations.get_xdata(), [1, 4, 16])  # sorted by B
    np.testing.assert_array_equal(activations.get_ydata(), [1, 4, 16])
    np.testing.assert_array_equal(weights.get_ydata(), [4, 4, 4])
    np.testing.assert_array_equal(state.get_ydata(), [8, 8, 8])
    assert state.get_label() == "... + Adam state"
    plt.close(fig)


def test_sgd_progress_plots_both_losses_step_by_step():
    history = [(1, 0.9, 0.7), (2, 0.6, 0.5), (3, 0.4, 0.45)]
    fig = plot_sgd_progress(3, 2, history)
    top, bottom = fig.axes[:2]
    assert top.get_title() == f"sub-step 2 of 5: {SUBSTEPS[1]}"
    batch, full = bottom.lines
    np.testing.assert_array_equal(batch.get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(batch.get_ydata(), [0.9, 0.6, 0.4])
    np.testing.assert_array_equal(full.get_ydata(), [0.7, 0.5, 0.45])
    assert batch.get_label().startswith("batch loss") and full.get_label().startswith("loss on all data")
    plt.close(fig)
    fig = plot_sgd_progress(3, 0, [])
    assert fig.axes[0].get_title() == "before the first step"
    assert not fig.axes[1].lines and texts(fig.axes[1]) == ["no step taken yet"]
    plt.close(fig)
