"""Figures of a single neuron: its output over the unit square, activations, saturation."""

import numpy as np

from .. import neuron
from . import _checks as checks
from .style import COLORS, book_style, new_figure


@checks.checked(w1=checks.REAL, w2=checks.REAL, b=checks.REAL, ax=checks.AXES, resolution=checks.INT(2, 2000))
def plot_truth_table_surface(w1, w2, b, table="exam", ax=None, resolution=201):
    """Sigmoid neuron output over [-0.25, 1.25]^2 with the table's four points and the boundary."""
    table = neuron.truth_table(table)
    if ax is None:
        fig, ax = new_figure(figsize=(5.2, 4.2))
    else:
        fig = ax.figure
    with book_style():
        g = np.linspace(-0.25, 1.25, resolution)
        x1, x2 = np.meshgrid(g, g)
        grid = np.stack([x1.ravel(), x2.ravel()], axis=1)  # (R*R, 2)
        out = neuron.neuron_output(grid, [w1, w2], b).reshape(x1.shape)
        filled = ax.contourf(x1, x2, out, levels=np.linspace(0, 1, 21), cmap="viridis", vmin=0, vmax=1)
        ax.contour(x1, x2, out, levels=[0.5], colors="white", linewidths=2)
        cbar = fig.colorbar(filled, ax=ax, ticks=[0, 0.25, 0.5, 0.75, 1])
        cbar.set_label("neuron output $\\sigma(w_1x_1 + w_2x_2 + b)$")
        outputs, errors = neuron.table_errors([w1, w2], b, table)
        for (p, q), target, value in zip(table.inputs, table.targets, outputs):
            # Filled with the target's colour: a point that vanishes into the surface is matched.
            ax.scatter(p, q, s=160, color=filled.cmap(target), edgecolors=COLORS["red"], linewidths=2, zorder=3)
            ax.annotate(
                f"target {target:g}\noutput {value:.3f}",
                (p, q),
                textcoords="offset points",
                xytext=(0, 14 if q > 0.5 else -30),
                ha="center",
                fontsize=8,
                color="black",
                bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.85),
            )
        ax.set_xlim(g[0], g[-1])
        ax.set_ylim(g[0], g[-1])
        ax.set_aspect("equal")
        ax.set_xlabel("input 1, $x_1$")
        ax.set_ylabel("input 2, $x_2$")
        ax.set_title(f"$w_1={w1:g},\\ w_2={w2:g},\\ b={b:g}$; white line: $z = 0$")
    return fig


@checks.checked(scales=checks.VECTOR)
def plot_scale_tradeoff(scales):
    """Corner error and steepest slope of the exam's neuron with weights (-a, -a, a), against a."""
    a = np.asarray(scales, dtype=float)
    corner_error = neuron.sigmoid(-a)  # output at (1, 1); 1 - output at (0, 0) is the same
    steepest = a * np.sqrt(2) / 4  # |grad sigma(z)| peaks at z = 0: sigma' = 1/4, |w| = a*sqrt(2)
    fig, ax = new_figure(figsize=(6, 3.6))
    with book_style():
        ax.semilogy(a, corner_error, color=COLORS["blue"], label="error at the corners $\\sigma(-a)$")
        ax.set_xlabel("scale $a$ of the weights $(-a, -a, a)$")
        ax.set_ylabel("corner error", color=COLORS["blue"])
        twin = ax.twinx()
        twin.plot(a, steepest, color=COLORS["orange"], label="steepest slope of the output")
        twin.set_ylabel("steepest slope $a\\sqrt{2}/4$", color=COLORS["orange"])
        twin.spines["right"].set_visible(True)
        ax.set_title("Larger weights: exact corners, but a cliff in between")
    return fig
