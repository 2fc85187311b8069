"""Figures of II(C): each returns a Figure with the expected panels; bad inputs raise."""

import dataclasses

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
