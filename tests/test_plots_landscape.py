"""Figures of II(C): each returns a Figure with the expected panels; bad inputs raise."""

import dataclasses

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from dlexam import batch_size as bs
from dlexam import landscape as ls
from dlexam.plots import landscape as plots

SURFACE = ls.book_landscape()


def test_plot_descents_draws_the_surface_and_the_loss_along_each_path():
    full = ls.descend(SURFACE, ls.BOOK_START, 0.3, 40, 5)
    mini = ls.descend(SURFACE, ls.BOOK_START, 0.3, 4, 5, runs=6)
    for x in ("epochs", "updates"):
        fig = plots.plot_descents(SURFACE, [full, mini], ["full", "batch 4"], x=x)
        assert isinstance(fig, Figure) and len(fig.axes) >= 2
        lines = fig.axes[1].get_lines()
        np.testing.assert_allclose(lines[0].get_ydata(), SURFACE.loss(full.paths[0])[(x == "updates"):])
    assert fig.axes[1].get_xscale() == "log"


def test_plot_escape_and_positive_definite():
    table = ls.escape_table(SURFACE, ls.BOOK_START, 0.5, [1, 40], 2, runs=4)
    fig = plots.plot_escape(table, temperature_runs={1: table[:1]}, n=40, stability_lr=0.8)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert isinstance(plots.plot_positive_definite([1, 2, 3], [0.5, 0.15, 0.0], 1000), Figure)


def test_plot_batch_training():
    config = bs.BatchConfig(batch_size=20, epochs=3, runs=2, n_train=40, n_validation=20)
    h = [bs.train(config), bs.train(dataclasses.replace(config, batch_size=40))]
    fig = plots.plot_batch_training(h, ["20", "40"])
    assert isinstance(fig, Figure) and len(fig.axes) == 3


@pytest.mark.parametrize("call, error, message", [
    (lambda: plots.plot_descents("surface", [], []), TypeError, 'landscape must be a Landscape'),
    (lambda: plots.plot_descents(SURFACE, [], []), TypeError, 'descents must be a list of at least 1 Descent'),
    (lambda: plots.plot_descents(SURFACE, [ls.descend(SURFACE, (0, 0), 0.1, 40, 1)], []), ValueError, 'give one label per descent'),
    (lambda: plots.plot_descents(SURFACE, [ls.descend(SURFACE, (0, 0), 0.1, 40, 1)], ["a"], x="time"), ValueError, "x must be one of 'epochs', 'updates'"),
    (lambda: plots.plot_escape([0.5]), TypeError, 'fixed\\[0\\] must be a EscapeResult'),
    (lambda: plots.plot_batch_training([], []), TypeError, 'histories must be a list of at least 1 BatchHistory'),
    (lambda: plots.plot_positive_definite([1, 2], [0.5], 10), ValueError, 'dims and fractions must be 1-D arrays of the same length'),
])
def test_bad_inputs_raise(call, error, message):
    with pytest.raises(error, match=message):
        call()


def _finite_difference(f, w, h=1e-4):
    """Gradient and Hessian of f at w by central differences, written out (not the library's formulas)."""
    w = np.asarray(w, dtype=float)
    e = np.eye(2) * h
    g = np.array([(f(w + e[i]) - f(w - e[i])) / (2 * h) for i in range(2)])
    H = np.array([[(f(w + e[i] + e[j]) - f(w + e[i] - e[j]) - f(w - e[i] + e[j]) + f(w - e[i] - e[j])) / (4 * h * h)
                   for j in range(2)] for i in range(2)])
    return g, H


def test_draw_landscape_marks_the_critical_points_and_draws_the_contours_of_L():
    surface = ls.make_landscape(n=5, seed=1)
    fig, ax = plt.subplots()
    limits = ((-2.0, 2.0), (-1.0, 1.5))
    plots.draw_landscape(ax, surface, limits=limits, resolution=61)
    marked = [line for line in ax.lines if line.get_linestyle() == "None"]
    kinds = {"o": "minimum", "X": "saddle", "^": "maximum"}
    assert sorted(kinds[m.get_marker()] for m in marked) == ["minimum", "minimum", "saddle"]
    for m in marked:
        w = (m.get_xdata()[0], m.get_ydata()[0])
        g, H = _finite_difference(lambda v: float(surface.loss(v)), w)
        assert np.abs(g).max() < 1e-6, (m.get_marker(), w)
        eig = np.linalg.eigvalsh(H)
        assert {"o": eig[0] > 0, "X": eig[0] < 0 < eig[1], "^": eig[1] < 0}[m.get_marker()]
    xx, yy = np.meshgrid(np.linspace(-2.0, 2.0, 61), np.linspace(-1.0, 1.5, 61))
    L = surface.loss(np.stack([xx, yy], axis=-1))
    best = np.unravel_index(L.argmin(), L.shape)
    lowest = min((m for m in marked if m.get_marker() == "o"),
                 key=lambda m: np.hypot(m.get_xdata()[0] - xx[best], m.get_ydata()[0] - yy[best]))
    assert np.hypot(lowest.get_xdata()[0] - xx[best], lowest.get_ydata()[0] - yy[best]) < 0.1  # grid step 0.07
    filled, lines = [c for c in ax.collections if hasattr(c, "levels")]
    assert filled.levels[0] == pytest.approx(L.min())
    for level, segments in zip(lines.levels, lines.allsegs):
        for seg in segments:
            np.testing.assert_allclose(surface.loss(seg), level, atol=0.02)  # each white line where L = its level
    assert (ax.get_xlim(), ax.get_ylim()) == limits
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("$w_1$", "$w_2$")
    plt.close(fig)
    fig, ax = plt.subplots()
    plots.draw_landscape(ax, surface, limits=limits, resolution=11, critical=False)
    assert not ax.lines
    plt.close(fig)
