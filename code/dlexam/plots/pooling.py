"""Figures of II(A): the four layer orders beside out, counterexamples, and which functions commute with max-pooling."""

import numpy as np
from matplotlib.colors import TwoSlopeNorm
from matplotlib.patches import Rectangle

from .. import layer_order
from . import _checks as checks
from .style import COLORS, book_style, new_figure

_SIGNED = "PuOr_r"  # orange for positive, purple for negative values; white at 0


def _entry(v):
    v = float(v) + 0.0  # no "-0.00"
    return f"{v:.2f}" if abs(v) < 100 else f"{v:.0f}"


def _signed_norm(*arrays):
    """One colour scale, centred at 0, for every signed array of a figure."""
    span = max([float(np.max(np.abs(a))) for a in arrays if a is not None and a.size] + [1e-9])
    return TwoSlopeNorm(vcenter=0.0, vmin=-span, vmax=span)


def _grid(ax, values, title, cmap=_SIGNED, norm=None, vmin=None, vmax=None, numbers=True, highlight=None,
          fontsize=8):
    """Draw a matrix as coloured cells with its numbers; cells where `highlight` is True get a red frame."""
    values = np.asarray(values, dtype=float)
    image = ax.imshow(values, cmap=cmap, norm=norm, vmin=None if norm else vmin, vmax=None if norm else vmax,
                      interpolation="nearest")
    h, w = values.shape
    if numbers:
        for i in range(h):
            for j in range(w):
                r, g, b, _ = image.cmap(image.norm(values[i, j]))
                dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
                ax.text(j, i, _entry(values[i, j]), ha="center", va="center", fontsize=fontsize,
                        color="white" if dark else "black")
    if highlight is not None:
        for i, j in zip(*np.nonzero(highlight)):
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor=COLORS["red"], lw=2.2))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=9)
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color("#999999")


def _empty(ax, text):
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=9, transform=ax.transAxes, color=COLORS["grey"])
    ax.axis("off")


@checks.checked(image=checks.MATRIX, image_numbers=checks.optional(checks.BOOL))
def plot_options(image, kernel, bias, pool="max", image_numbers=None):
    """The image, the kernel, Conv(x) and out in the top row; the four options below, cells that differ from out in red.

    A title says each option's verdict: equal, the largest difference, or the shape that cannot match.
    """
    image = np.asarray(image, dtype=float)
    comparisons = layer_order.compare_options(image, kernel, bias, pool)
    conv_x = layer_order.conv(image, kernel, bias)
    reference = comparisons[0].reference
    norm = _signed_norm(conv_x, reference, *(c.output for c in comparisons))
    if image_numbers is None:
        image_numbers = max(image.shape) <= 6
    fig, axes = new_figure(2, 4, figsize=(9.6, 5.0))
    with book_style():
        _grid(axes[0, 0], image, f"image x ({image.shape[0]}×{image.shape[1]})", cmap="gray", vmin=0, vmax=1,
              numbers=image_numbers)
        kernel = np.asarray(kernel, dtype=float)
        _grid(axes[0, 1], kernel, f"kernel, bias {bias:+.2f}", norm=_signed_norm(kernel))
        _grid(axes[0, 2], conv_x, "Conv(x) = kernel ⋆ x + bias", norm=norm, numbers=max(conv_x.shape) <= 6,
              highlight=None)
        _grid(axes[0, 3], reference, f"out = {layer_order.OUT_ORDER.format(pool=layer_order.pool_name(pool))}",
              norm=norm)
        for ax, c in zip(axes[1], comparisons):
            if c.verdict == "different shape":
                verdict = (f"shape {c.output.shape[0]}×{c.output.shape[1]} ≠ "
                           f"{c.reference.shape[0]}×{c.reference.shape[1]}")
            elif c.equal:
                verdict = "equal to out"
            else:
                verdict = f"differs: up to {c.max_difference:.2f}"
            _grid(ax, c.output, f"{c.label}: {c.formula}\n{verdict}", norm=norm, highlight=c.differing)
            ax.title.set_color(COLORS["green"] if c.equal else COLORS["red"])
    return fig


@checks.checked(counterexample=checks.rule(checks.instance, cls=layer_order.Counterexample), left_label=checks.TEXT, right_label=checks.TEXT, title=checks.optional(checks.TEXT))
def plot_counterexample(counterexample, left_label, right_label, title=None):
    """The image of a Counterexample, both results (differing cells framed in red) and their difference."""
    cx = counterexample
    norm = _signed_norm(cx.left, cx.right)
    image = cx.image
    low = min(0.0, float(image.min()))
    fig, axes = new_figure(1, 4, figsize=(10.0, 2.9))
    with book_style():
        if low < 0:
            _grid(axes[0], image, f"image x ({image.shape[0]}×{image.shape[1]})", norm=_signed_norm(image))
        else:
            _grid(axes[0], image, f"image x ({image.shape[0]}×{image.shape[1]})", cmap="gray", vmin=0, vmax=1)
        _grid(axes[1], cx.left, left_label, norm=norm, highlight=cx.differing)
        _grid(axes[2], cx.right, right_label, norm=norm, highlight=cx.differing)
        _grid(axes[3], np.abs(cx.left - cx.right), f"|difference|, largest {cx.difference:.2f}", cmap="Reds",
              vmin=0, vmax=max(cx.difference, 1e-9))
        if title:
            fig.suptitle(title, fontsize=10)
    return fig


@checks.checked(results=checks.instances(layer_order.PoolingCommutation), low=checks.REAL, high=checks.REAL)
def plot_pooling_commutation(results, low=-3.5, high=2.5):
    """One panel per element-wise function: its curve, and for a function that decreases the two inputs a < b
    of a 2x2 window on which MaxPool(f(x)) = f(a) differs from f(MaxPool(x)) = f(b).

    results: PoolingCommutation objects from ``layer_order.max_pool_commutes_with``.
    """
    results = list(results)
    if not low < high:
        raise ValueError(f"low must be below high, got low={low!r} and high={high!r}")
    fig, axes = new_figure(1, len(results), figsize=(2.3 * len(results), 2.9), squeeze=False)
    points = [v for r in results if r.violation is not None for v in r.violation]
    z = np.linspace(min([low, *points]) - 0.3, max([high, *points]) + 0.3, 801)
    with book_style():
        for ax, r in zip(axes[0], results):
            _, f = layer_order.elementwise_function(r.name)
            colour = COLORS["green"] if r.commutes else COLORS["red"]
            ax.plot(z, f(z), color=COLORS["blue"], lw=2)
            ax.axhline(0, color="#bbbbbb", lw=0.8, zorder=0)
            ax.axvline(0, color="#bbbbbb", lw=0.8, zorder=0)
            label = layer_order.LABELS.get(r.name, r.name)
            if r.violation is None:
                ax.set_title(f"{label}: never decreases\ncommutes", fontsize=9, color=colour)
            else:
                a, b = r.violation
                fa, fb = r.pool_of_f, r.f_of_pool
                ax.plot([a, b], [fa, fb], "o", color=COLORS["red"], ms=6, zorder=3)
                ax.annotate("a", (a, fa), textcoords="offset points", xytext=(4, 6), fontsize=9)
                ax.annotate("b", (b, fb), textcoords="offset points", xytext=(4, -12), fontsize=9)
                ax.set_title(f"{label}: a < b, f(a) > f(b)\nwindow (a, b): {fa:.3f} ≠ {fb:.3f}", fontsize=9, color=colour)
            ax.set_xlabel("x")
    return fig


@checks.checked(swaps=checks.mapping(checks.rule(checks.instance, cls=layer_order.PoolSwap)))
def plot_pool_swaps(swaps):
    """|Pool(Conv(x)) - Conv(Pool(x))| for several settings, one panel each; 'shapes differ' where they cannot match.

    swaps: {title: PoolSwap}.
    """
    swaps = dict(swaps)
    fig, axes = new_figure(1, len(swaps), figsize=(2.5 * len(swaps), 2.9), squeeze=False)
    largest = max([float(np.max(s.difference)) for s in swaps.values() if s.same_shape] + [1e-9])
    with book_style():
        for ax, (title, swap) in zip(axes[0], swaps.items()):
            if not swap.same_shape:
                a, b = swap.conv_then_pool.shape, swap.pool_then_conv.shape
                _empty(ax, f"shapes differ:\n{a[0]}×{a[1]} and {b[0]}×{b[1]}")
                ax.set_title(title, fontsize=9)
                continue
            d = swap.difference
            _grid(ax, d, f"{title}\nlargest {float(d.max()):.1e}", cmap="Reds", vmin=0, vmax=largest,
                  numbers=False)
    return fig
