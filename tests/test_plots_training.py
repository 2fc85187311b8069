"""Figures of III(E) and III(F): what they draw, and that no figure is left with pyplot."""

import dataclasses
import threading

import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.figure import Figure

from dlexam import training
from dlexam.plots.training import (
    plot_bias_variance,
    plot_model_spread,
    plot_training_curves,
    plot_validation_comparison,
)

SMALL = training.TrainConfig(epochs=3, n_train=64, batch_size=16)


@pytest.fixture(scope="module")
def runs():
    return training.train(training.exam_configs(SMALL))


@pytest.fixture(scope="module")
def results():
    return training.bias_variance(k=3, regimes=[("mlp", "none"), ("deepsets", "both")], base=SMALL)


def visible(fig):
    return [ax for ax in fig.axes if ax.get_visible()]


def test_the_eight_runs_make_a_grid_of_models_by_augmentations(runs):
    before = plt.get_fignums()
    fig = plot_training_curves(runs)
    assert isinstance(fig, Figure) and plt.get_fignums() == before
    axes = visible(fig)
    assert len(axes) == 8
    assert [ax.get_title() for ax in axes[:4]] == ["none", "rotations", "permutations", "both"]
    assert all(ax.get_yscale() == "log" for ax in axes)
    # Each panel: a training and a validation curve of 3 epochs, and the "predicting the mean" line.
    curves = [line for line in axes[0].get_lines() if len(line.get_xdata()) == 3]
    assert [line.get_linestyle() for line in curves] == ["-", "--"]


def test_a_single_run_with_the_previous_one_in_grey(runs):
    fig = plot_training_curves(runs[0], epochs=10, previous=runs[4])
    (ax,) = visible(fig)
    assert ax.get_xlim() == (0, 10)
    assert "MLP, none, epoch 3 of 3" == ax.get_title()
    assert len([line for line in ax.get_lines() if len(line.get_xdata()) == 3]) == 4
    assert "previous run: DeepSets, none" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_a_run_that_diverged_at_once_says_so_instead_of_plotting():
    history = training.train(dataclasses.replace(SMALL, lr=1e6))
    assert history.epochs_run == 0
    (ax,) = visible(plot_training_curves(history))
    assert any("diverged in epoch 1" in t.get_text() for t in ax.texts)


def test_validation_comparison_has_a_panel_per_model(runs):
    fig = plot_validation_comparison(runs)
    assert [ax.get_title() for ax in fig.axes] == ["MLP: validation MSE", "DeepSets: validation MSE"]
    assert all(len(ax.get_lines()) == 5 for ax in fig.axes)  # four regimes and the mean level


def test_bias_variance_bars_stack_to_the_mse(results):
    fig = plot_bias_variance(results)
    assert len(fig.axes) == 2
    for ax, frame in zip(fig.axes, training.FRAMES):
        rows = [r for r in results if r.frame == frame]
        bars = ax.patches
        assert len(bars) == 2 * len(rows)
        tops = [b.get_y() + b.get_height() for b in bars[len(rows):]]
        assert tops == pytest.approx([r.mse for r in rows])


def test_model_spread(results):
    y = training.validation_set()[1]
    fig = plot_model_spread(results[0], y, n=12, models=2, how="largest bias")
    (ax,) = fig.axes
    assert "bias²" in ax.get_title() and "MLP, none, rotated frame" in ax.get_title()
    with pytest.raises(ValueError, match="models must be a whole number from 2 to 3"):
        plot_model_spread(results[0], y, models=4)


@pytest.mark.parametrize("call", [
    lambda: plot_training_curves([]),
    lambda: plot_training_curves(["MLP"]),
    lambda: plot_bias_variance([1, 2]),
    lambda: plot_model_spread("MLP", torch.zeros(3)),
])
def test_bad_inputs_raise_type_errors(call):
    with pytest.raises(TypeError):
        call()


def test_figures_drawn_off_the_main_thread_bypass_pyplot(runs):
    before, out = plt.get_fignums(), []
    thread = threading.Thread(target=lambda: out.append(plot_training_curves(runs[0])))
    thread.start()
    thread.join()
    assert isinstance(out[0], Figure) and out[0].canvas.manager is None
    assert plt.get_fignums() == before
