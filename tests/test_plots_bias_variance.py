"""Figures of III(F): the bars add up to the MSE, the spread plot and the classic picture show what they say."""

import pytest
import torch

from dlexam import bias_variance, training
from dlexam.plots.bias_variance import plot_against_training_size, plot_bias_variance, plot_model_spread

SMALL = training.TrainConfig(epochs=2, n_train=64, batch_size=16)


@pytest.fixture(scope="module")
def results():
    regimes = [("mlp", "none"), ("deepsets", "both"), ("mlp", "none", "random"), ("mlp", "none", "random", 100)]
    return bias_variance.measure(k=3, regimes=regimes, base=SMALL)


def test_bias_variance_bars_stack_to_the_mse(results):
    fig = plot_bias_variance(results)
    assert len(fig.axes) == 3
    for ax, panel in zip(fig.axes, [("canonical", "random"), ("canonical", "canonical"), ("random", "random")]):
        rows = [r for r in results if (r.train_frame, r.val_frame) == panel]
        bars = ax.patches
        assert len(bars) == 2 * len(rows)
        tops = [b.get_y() + b.get_height() for b in bars[len(rows):]]
        assert tops == pytest.approx([r.mse for r in rows])
    assert len(plot_bias_variance(results, panels=[("random", "random")]).axes) == 1
    with pytest.raises(ValueError, match="no result"):
        plot_bias_variance(results[:2], panels=[("random", "canonical")])


def test_model_spread(results):
    y = training.validation_set()[1]
    fig = plot_model_spread(results[0], y, n=12, models=2, how="largest bias")
    (ax,) = fig.axes
    assert "bias²" in ax.get_title() and "MLP, none, canonical training sets" in ax.get_title()
    assert len(ax.collections[1].get_offsets()) == 12  # one model's dots, one per configuration
    with pytest.raises(ValueError, match="models must be a whole number from 2 to 3"):
        plot_model_spread(results[0], y, models=4)


def test_against_training_size_plots_the_corrected_split(results):
    fig = plot_against_training_size(results)
    (ax,) = fig.axes
    y = training.validation_set()[1]
    # Two lines (bias², variance) per (model, augmentation, design): the random-design MLP has two sizes.
    labels = [line.get_label() for line in ax.get_lines()]
    bias_line = ax.get_lines()[labels.index("bias², MLP, none, random training sets")]
    variance_line = ax.get_lines()[labels.index("variance, MLP, none, random training sets")]
    random_mlp = sorted((r for r in results if r.train_frame == "random" and r.val_frame == "random"),
                        key=lambda r: r.n_train)
    assert list(variance_line.get_xdata()) == [100, 500]
    corrected = [bias_variance.corrected_decomposition(r.predictions, y) for r in random_mlp]
    assert list(bias_line.get_ydata()) == pytest.approx([c[0] for c in corrected])
    assert list(variance_line.get_ydata()) == pytest.approx([c[1] for c in corrected])
    assert ax.get_xscale() == "log"


@pytest.mark.parametrize(("call", "message"), [
    (lambda: plot_bias_variance([1, 2]), r"results\[0\] must be a BiasVariance"),
    (lambda: plot_model_spread("MLP", torch.zeros(3)), "result must be a BiasVariance"),
    (lambda: plot_against_training_size([]), "results must be a list of at least 1 BiasVariance"),
])
def test_bad_inputs_raise_type_errors(call, message):
    with pytest.raises(TypeError, match=message):
        call()
