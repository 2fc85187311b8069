"""Figures of III(E): what they draw, and that no figure is left with pyplot."""

import dataclasses
import threading

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from dlexam import stacked_training, training
from dlexam.plots.training import RANDOM_FRAME_COLOUR, plot_training_curves, plot_validation_comparison

SMALL = training.TrainConfig(epochs=3, n_train=64, batch_size=16)


@pytest.fixture(scope="module")
def runs():
    return stacked_training.train(training.exam_configs(SMALL))


@pytest.fixture(scope="module")
def both_designs():
    configs = training.exam_configs(SMALL) + training.exam_configs(dataclasses.replace(SMALL, frame="random"))
    configs.append(dataclasses.replace(SMALL, model="pairsum"))
    return stacked_training.train(configs)


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


def test_both_designs_share_the_panels_and_pairsum_gets_its_own_row(both_designs):
    fig = plot_training_curves(both_designs)
    axes = visible(fig)
    assert len(axes) == 9  # 2 x 4 panels and PairSum's one
    first = [line for line in axes[0].get_lines() if len(line.get_xdata()) == 3]
    assert len(first) == 4 and first[2].get_color() == RANDOM_FRAME_COLOUR  # the control drawn after the book's design
    assert "canonical:" in axes[0].texts[0].get_text() and "random:" in axes[0].texts[0].get_text()
    assert "PairSum" in axes[-1].get_ylabel()


def test_a_single_run_with_the_previous_one_in_grey(runs):
    fig = plot_training_curves(runs[0], epochs=10, previous=runs[4], previous_label="for comparison")
    (ax,) = visible(fig)
    assert ax.get_xlim() == (0, 10)
    assert "MLP, none, epoch 3 of 3" == ax.get_title()
    assert len([line for line in ax.get_lines() if len(line.get_xdata()) == 3]) == 4
    assert "for comparison: DeepSets, none" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_a_run_that_diverged_at_once_says_so_instead_of_plotting():
    history = stacked_training.train(dataclasses.replace(SMALL, lr=1e6))
    assert history.epochs_run == 0
    (ax,) = visible(plot_training_curves(history))
    assert any("diverged in epoch 1" in t.get_text() for t in ax.texts)


def test_validation_comparison_has_a_panel_per_model(both_designs):
    fig = plot_validation_comparison(both_designs, frame="random")
    assert [ax.get_title() for ax in fig.axes] == ["MLP: validation MSE", "DeepSets: validation MSE"]
    assert all(len(ax.get_lines()) == 5 for ax in fig.axes)  # four regimes and the mean level
    with pytest.raises(ValueError, match="no run"):
        plot_validation_comparison(both_designs[:8], frame="random")


@pytest.mark.parametrize(("call", "message"), [
    (lambda: plot_training_curves([]), "histories must be a History or a list"),
    (lambda: plot_training_curves(["MLP"]), "histories must be a History or a list"),
    (lambda: plot_training_curves(training.History(SMALL), previous="MLP"), "previous must be a History or None"),
])
def test_bad_inputs_raise_type_errors(call, message):
    with pytest.raises(TypeError, match=message):
        call()


def test_figures_drawn_off_the_main_thread_bypass_pyplot(runs):
    before, out = plt.get_fignums(), []
    thread = threading.Thread(target=lambda: out.append(plot_training_curves(runs[0])))
    thread.start()
    thread.join()
    assert isinstance(out[0], Figure) and out[0].canvas.manager is None
    assert plt.get_fignums() == before
