"""Figures of dlexam.plots.params: the neurons, connections, bars and counts drawn are the network's."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from torch import nn  # noqa: E402

from dlexam import params  # noqa: E402
from dlexam.plots.params import plot_conv_vs_dense, plot_dense_network, plot_parameter_breakdown  # noqa: E402
from dlexam.plots.style import COLORS  # noqa: E402


def count(module):
    return sum(p.numel() for p in module.parameters())


def test_dense_network_draws_every_neuron_weight_and_bias_of_a_small_network():
    sizes = [3, 2, 4, 1]
    fig = plot_dense_network(sizes)
    ax = fig.axes[0]
    neurons = [c for c in ax.collections if len(np.unique(c.get_offsets()[:, 1])) == len(c.get_offsets())
               and c.get_offsets()[0, 1] > -1.4]  # the columns, not the "+1" squares below them
    assert [len(c.get_offsets()) for c in neurons] == sizes
    assert [float(np.unique(c.get_offsets()[:, 0])[0]) for c in neurons] == [0, 1, 2, 3]
    weights = [line for line in ax.lines if to_hex(line.get_color()) == to_hex(COLORS["grey"])]
    biases = [line for line in ax.lines if to_hex(line.get_color()) == to_hex(COLORS["orange"])]
    assert len(weights) == 3 * 2 + 2 * 4 + 4 * 1 and len(biases) == 2 + 4 + 1
    torch_total = count(nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 4), nn.Linear(4, 1)))
    assert ax.get_title().startswith(f"{torch_total} trainable parameters")
    shown = [t.get_text() for t in ax.texts]
    for n_in, n_out in zip(sizes, sizes[1:]):
        w = n_in * n_out
        assert (f"{n_in} × {n_out} = {w} weight{'s' * (w != 1)}\n+ {n_out} bias{'es' * (n_out != 1)} = {w + n_out}"
                in shown)
    assert [t for t in shown if "\n" in t and "layer" in t or t.startswith("input")] == [
        "input\n3 values", "hidden layer 1\n2 neurons", "hidden layer 2\n4 neurons", "output layer\n1 neuron"]
    plt.close(fig)


def test_a_wide_layer_is_drawn_with_a_gap_and_counted_in_full():
    fig = plot_dense_network([784, 512, 10], image_shape=(28, 28))
    ax = fig.axes[0]
    shown = [t.get_text() for t in ax.texts]
    assert shown.count("⋮") == 3  # 784, 512 and 10 neurons: none fits in 7 circles
    columns = [c for c in ax.collections if len(c.get_offsets()) > 1]
    assert [len(c.get_offsets()) for c in columns] == [6, 6, 6]  # three above the dots, three below
    assert "784 × 512 = 401,408 weights\n+ 512 biases = 401,920" in shown
    assert "input\n784 values\n(28×28 image, flattened)" in shown
    assert ax.get_title().startswith(f"{count(nn.Sequential(nn.Linear(784, 512), nn.Linear(512, 10))):,} trainable")
    plt.close(fig)
    fig = plot_dense_network([1, 1])
    assert "1 × 1 = 1 weight\n+ 1 bias = 2" in [t.get_text() for t in fig.axes[0].texts]
    plt.close(fig)


def test_parameter_breakdown_bars_are_each_layers_weights_and_biases():
    sizes = [784, 512, 10]
    fig = plot_parameter_breakdown(sizes)
    ax = fig.axes[0]
    layers = [nn.Linear(784, 512), nn.Linear(512, 10)]
    weights = [layer.weight.numel() for layer in layers]
    biases = [layer.bias.numel() for layer in layers]
    heights = {key: [p.get_height() for p in container] for key, container in
               zip(("weights", "biases"), ax.containers)}
    assert heights == {"weights": weights, "biases": biases}
    colours = [to_hex(container[0].get_facecolor()) for container in ax.containers]
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["weights", "biases"]
    assert [to_hex(h.get_facecolor()) for h in legend.legend_handles] == colours
    assert [t.get_text() for t in ax.texts] == ["401,408", "5,120", "512", "10"]
    lo, hi = ax.get_ylim()
    assert lo <= min(biases) and max(weights) <= hi
    total = sum(weights) + sum(biases)
    assert ax.get_title() == f"{total:,} parameters, {100 * sum(weights) / total:.2f}% of them weights"
    assert ax.get_title() == "407,050 parameters, 99.87% of them weights"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["layer 1\n784 → 512", "layer 2\n512 → 10"]
    plt.close(fig)


def test_conv_vs_dense_bars_are_the_three_counts():
    fig = plot_conv_vs_dense(params.conv_vs_dense((6, 6, 2), 4, 3))
    ax = fig.axes[0]
    outputs = 4 * 4 * 4  # 6 - 3 + 1 = 4 rows and columns, 4 filters
    dense = count(nn.Linear(6 * 6 * 2, outputs))
    local = outputs * (2 * 3 * 3 + 1)  # every output its own 3x3x2 weights and bias
    conv = count(nn.Conv2d(2, 4, 3))
    bars = sorted(ax.patches, key=lambda p: -p.get_y())  # top to bottom
    assert [p.get_width() for p in bars] == [dense, local, conv] == [4672, 1216, 76]
    label = {round(y): t.get_text().split(":")[0] for y, t in zip(ax.get_yticks(), ax.get_yticklabels())}
    assert [label[round(p.get_y() + p.get_height() / 2)] for p in bars] == ["dense layer", "locally connected",
                                                                         "convolution"]
    assert [t.get_text() for t in ax.texts] == ["4,672", "1,216", "76"]
    assert ax.get_xlim()[1] > dense and ax.get_xlim()[0] <= conv
    assert ax.get_title().startswith(f"6×6×2 input → 4×4×4 = {outputs} outputs")
    plt.close(fig)
