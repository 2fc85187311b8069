"""Figures of parameter counts: a dense network drawn, weights against biases, weight sharing."""

import numpy as np

from .. import params
from . import _checks as checks
from .style import COLORS, book_style, new_figure


def _count(n, word):
    """1, "bias" -> "1 bias"; 512, "bias" -> "512 biases"."""
    plural = word + ("es" if word.endswith("s") else "s")
    return f"{n:,} {word if n == 1 else plural}"


def _drawn_positions(n, max_drawn):
    """n neurons -> (y of each drawn circle, y of the gap or None): at most max_drawn circles."""
    if n <= max_drawn:
        return np.linspace(1, -1, n) * min(1.0, (n - 1) / (max_drawn - 1)) if n > 1 else np.zeros(1), None
    half = (max_drawn - 1) // 2
    y = np.linspace(1, -1, 2 * half + 1)
    return np.concatenate([y[:half], y[half + 1:]]), y[half]


@checks.checked(max_drawn=checks.INT(3, 50))
def plot_dense_network(layer_sizes, image_shape=None, max_drawn=7):
    """A dense network drawn as columns of neurons, with each layer's weights and biases.

    Layers of more than ``max_drawn`` neurons are drawn with a gap (three dots); every drawn
    neuron connects to every drawn neuron of the next column, and a "+1" node per layer
    stands for the biases. ``image_shape`` (h, w) or (h, w, channels) labels the inputs.
    """
    layers = params.dense_layer_breakdown(layer_sizes)
    sizes = [layers[0].n_in] + [layer.n_out for layer in layers]
    if image_shape is not None and params.image_input_size(image_shape) != sizes[0]:
        raise ValueError(f"image_shape {tuple(image_shape)} does not give the {sizes[0]} inputs of layer_sizes")
    if max_drawn < 3:
        raise ValueError(f"max_drawn must be at least 3, got {max_drawn}")
    n_columns = len(sizes)
    fig, ax = new_figure(figsize=(2.3 * n_columns + 1.2, 4.6))
    with book_style():
        columns = [_drawn_positions(n, max_drawn) for n in sizes]
        bias_y = -1.45
        for i, layer in enumerate(layers):
            y_in, _ = columns[i]
            y_out, _ = columns[i + 1]
            for a in y_in:
                for b in y_out:
                    ax.plot([i, i + 1], [a, b], color=COLORS["grey"], lw=0.5, alpha=0.45, zorder=1)
            for b in y_out:
                ax.plot([i, i + 1], [bias_y, b], color=COLORS["orange"], lw=0.8, alpha=0.8, zorder=1)
            ax.scatter([i], [bias_y], marker="s", s=260, color="white", edgecolors=COLORS["orange"],
                       linewidths=1.5, zorder=3)
            ax.text(i, bias_y, "+1", ha="center", va="center", fontsize=8, color=COLORS["orange"], zorder=4)
            ax.text(
                i + 0.5, -1.85,
                f"{layer.n_in:,} × {layer.n_out:,} = {_count(layer.weights, 'weight')}\n"
                f"+ {_count(layer.biases, 'bias')} = {layer.total:,}",
                ha="center", va="top", fontsize=8.5,
            )
        for i, (n, (y, gap)) in enumerate(zip(sizes, columns)):
            colour = COLORS["sky"] if i == 0 else COLORS["blue"]
            ax.scatter(np.full(len(y), i), y, s=170, color=colour, edgecolors="black", linewidths=0.6, zorder=3)
            if gap is not None:
                ax.text(i, gap, "⋮", ha="center", va="center", fontsize=16, zorder=3)
            if i == 0:
                title = f"input\n{_count(n, 'value')}"
                if image_shape is not None:
                    dims = [int(s) for s in image_shape]
                    dims = dims[:2] if dims[2:] == [1] else dims  # a grayscale image reads h×w
                    shape = "×".join(str(s) for s in dims)
                    title += f"\n({shape} image, flattened)"
            elif i == n_columns - 1:
                title = f"output layer\n{_count(n, 'neuron')}"
            else:
                title = f"hidden layer {i}\n{_count(n, 'neuron')}"
            ax.text(i, 1.2, title, ha="center", va="bottom", fontsize=9)
        total = sum(layer.total for layer in layers)
        ax.set_title(f"{total:,} trainable parameters: grey lines are weights, orange lines biases",
                     fontsize=10)
        ax.set_xlim(-0.6, n_columns - 0.4)
        ax.set_ylim(-2.45, 1.75)
        ax.axis("off")
    return fig


def plot_parameter_breakdown(layer_sizes):
    """Weights and biases of every layer of a dense network, as bars on a logarithmic axis.

    Up to five layers are labelled with their counts and sizes; more are numbered only.
    """
    layers = params.dense_layer_breakdown(layer_sizes)
    total = sum(layer.total for layer in layers)
    weights = sum(layer.weights for layer in layers)
    few = len(layers) <= 5
    fig, ax = new_figure(figsize=(min(9.5, max(4.5, 1.6 * len(layers) + 2.5)), 3.6))
    with book_style():
        x = np.arange(len(layers))
        width = 0.38
        for offset, key, colour in ((-width / 2, "weights", COLORS["blue"]), (width / 2, "biases", COLORS["orange"])):
            values = [getattr(layer, key) for layer in layers]
            bars = ax.bar(x + offset, values, width, color=colour, label=key)
            if few:
                for bar, v in zip(bars, values):
                    ax.text(bar.get_x() + bar.get_width() / 2, v * 1.15, f"{v:,}", ha="center",
                            va="bottom", fontsize=8)
        ax.set_yscale("log")
        ax.set_ylim(0.5, max(layer.weights for layer in layers) * 40)
        if few:
            ax.set_xticks(x, [f"layer {i + 1}\n{layer.n_in:,} → {layer.n_out:,}" for i, layer in enumerate(layers)])
        else:
            ax.set_xticks(x, [str(i + 1) for i in x])
            ax.set_xlabel("layer")
        ax.set_ylabel("parameters (log scale)")
        ax.legend(loc="upper right", ncols=2)
        ax.set_title(f"{total:,} parameters, {100 * weights / total:.2f}% of them weights")
    return fig


def plot_conv_vs_dense(comparison):
    """Parameters of a convolution, a locally connected and a dense layer with the same outputs."""
    if not isinstance(comparison, params.ConvComparison):
        raise TypeError("comparison must be a ConvComparison, from params.conv_vs_dense(...)")
    c = comparison
    kh, kw = c.kernel_size
    h, w, ch = c.input_shape
    oh, ow, oc = c.output_shape
    rows = [
        (f"dense layer:\nevery input to every output", c.dense, COLORS["red"]),
        (f"locally connected:\nown {kh}×{kw} weights at each position", c.locally_connected, COLORS["orange"]),
        (f"convolution:\none shared {kh}×{kw} kernel per filter", c.conv, COLORS["green"]),
    ]
    fig, ax = new_figure(figsize=(7.2, 3.0))
    with book_style():
        y = np.arange(len(rows))[::-1]
        ax.barh(y, [r[1] for r in rows], color=[r[2] for r in rows], height=0.6)
        for yi, (_, v, _) in zip(y, rows):
            ax.text(v * 1.3, yi, f"{v:,}", va="center", fontsize=9)
        ax.set_yticks(y, [r[0] for r in rows], fontsize=9)
        ax.set_xscale("log")
        ax.set_xlim(1, c.dense * 60)
        ax.set_xlabel("parameters (log scale)")
        ax.set_title(
            f"{h}×{w}×{ch} input → {oh}×{ow}×{oc} = {c.n_outputs:,} outputs, three ways", fontsize=10
        )
    return fig
