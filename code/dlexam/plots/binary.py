"""Figures of I(C): decision boundaries and loss curves of one- and two-output classifiers, and the
softmax of two logits as a function of their difference."""

import numpy as np
import torch

from .. import binary
from . import _checks as checks
from .style import COLORS, book_style, new_figure

_RUN_COLOURS = [COLORS["blue"], COLORS["orange"], COLORS["green"], COLORS["purple"]]
_SHORT = {
    "one_sigmoid": "1 output: sigmoid + BCE",
    "two_softmax": "2 outputs: softmax + CE",
    "two_sigmoid": "2 outputs: sigmoid + BCE (one-hot)",
    "one_softmax": "1 output: softmax + BCE",
}


@checks.checked(history=checks.rule(checks.instance, cls=binary.History), ax=checks.AXES, limits=checks.optional(checks.LIMITS), resolution=checks.INT(2, 2000))
def plot_decision_boundary(history, ax=None, limits=None, resolution=121):
    """P(y = 1) of a run's model over the plane, its 0.5 contour, and the training points."""
    if ax is None:
        fig, ax = new_figure(figsize=(4.5, 3.8))
    else:
        fig = ax.figure
    head = history.config.head
    limits = limits or binary.data_limits(history.X)
    with book_style():
        xx, yy, p = binary.probability_grid(history.model, head, limits, resolution)
        ax.contourf(xx, yy, p, levels=np.linspace(0, 1, 11), cmap="RdBu_r", vmin=0, vmax=1, alpha=0.45)
        if p.min() < 0.5 < p.max():
            ax.contour(xx, yy, p, levels=[0.5], colors="black", linewidths=1.5)
        X, y = history.X.numpy(), history.y.numpy()
        for label, colour, marker in ((0, "#2166ac", "o"), (1, "#b2182b", "s")):
            ax.scatter(X[y == label, 0], X[y == label, 1], s=13, color=colour, marker=marker,
                       edgecolors="black", linewidths=0.4, label=f"class {label}")
        with torch.no_grad():
            accuracy = float((binary.predict(history.model(history.X), head) == history.y).float().mean())
        ax.set_title(f"{_SHORT[head]}\n{binary.parameter_count(history.model)} parameters, epoch "
                     f"{history.epochs_done}, accuracy {accuracy:.0%}", fontsize=9.5)
        ax.set_xlim(*limits[0])
        ax.set_ylim(*limits[1])
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
    return fig


@checks.checked(histories=checks.instances(binary.History), epochs=checks.optional(checks.INT(1)), resolution=checks.INT(2, 2000))
def plot_training_comparison(histories, epochs=None, resolution=101):
    """Top: each run's decision boundary; bottom: all loss curves (log scale) and accuracies."""
    histories = list(histories)
    if not histories:
        raise ValueError("give at least one training history")
    epochs = epochs or max(h.config.epochs for h in histories)
    n = len(histories)
    mosaic = [[f"b{i}" for i in range(n)], ["loss"] * (n // 2 + n % 2) + ["accuracy"] * (n // 2 if n > 1 else 1)]
    if n == 1:
        mosaic = [["b0", "b0"], ["loss", "accuracy"]]
    fig, _ = new_figure(figsize=(4.2 * max(n, 2), 6.6))
    fig.clear()
    with book_style():
        axes = fig.subplot_mosaic(mosaic, height_ratios=[1.25, 1])
        limits = binary.data_limits(histories[0].X)
        for i, h in enumerate(histories):
            plot_decision_boundary(h, axes[f"b{i}"], limits, resolution)
            steps = np.arange(1, h.epochs_done + 1)
            colour = _RUN_COLOURS[i % len(_RUN_COLOURS)]
            axes["loss"].semilogy(steps, h.loss, color=colour, lw=1.8, label=_SHORT[h.config.head])
            axes["accuracy"].plot(steps, h.accuracy, color=colour, lw=1.8, label=_SHORT[h.config.head])
        axes["b0"].legend(loc="upper left", fontsize=8, frameon=True, framealpha=0.9, handletextpad=0.2)
        for name in ("loss", "accuracy"):
            axes[name].set_xlim(0, epochs)
            axes[name].set_xlabel("epoch (one full-batch Adam step)")
        axes["loss"].set_ylabel("training loss (log scale)")
        axes["loss"].legend(fontsize=8)
        axes["accuracy"].set_ylabel("training accuracy")
        axes["accuracy"].set_ylim(0.35, 1.02)
        axes["accuracy"].axhline(0.5, color=COLORS["grey"], lw=0.8, ls=":")
    return fig


@checks.checked(limit=checks.POSITIVE, resolution=checks.INT(2, 2000))
def plot_softmax_difference(limit=6.0, resolution=241):
    """softmax(z0, z1)_1 over the (z0, z1) plane: its contour lines are the lines z1 - z0 = const."""
    z = torch.linspace(-limit, limit, resolution, dtype=torch.float64)
    z1, z0 = torch.meshgrid(z, z, indexing="ij")
    p = torch.softmax(torch.stack([z0, z1], dim=-1), dim=-1)[..., 1].numpy()  # (R, R)
    fig, (ax, side) = new_figure(1, 2, figsize=(10, 4.2), width_ratios=[1.1, 1])
    with book_style():
        filled = ax.contourf(z0.numpy(), z1.numpy(), p, levels=np.linspace(0, 1, 21), cmap="RdBu_r")
        lines = ax.contour(z0.numpy(), z1.numpy(), p, levels=[0.1, 0.25, 0.5, 0.75, 0.9], colors="black", linewidths=0.8)
        ax.clabel(lines, fmt="%.2f", fontsize=7)
        fig.colorbar(filled, ax=ax, ticks=[0, 0.5, 1], pad=0.02)
        ax.set_xlabel("logit of class 0, $z_0$")
        ax.set_ylabel("logit of class 1, $z_1$")
        ax.set_aspect("equal")
        ax.set_title("softmax$(z)_1$: constant along every line $z_1 - z_0 = c$", fontsize=10)
        d = np.linspace(-2 * limit, 2 * limit, 401)
        side.plot(d, 1 / (1 + np.exp(-d)), color=COLORS["grey"], lw=6, alpha=0.4, label="$\\sigma(z_1 - z_0)$")
        for i, shift in enumerate((-3.0, 0.0, 4.0)):
            zz = torch.stack([torch.full((d.size,), shift, dtype=torch.float64), torch.tensor(d) + shift], dim=1)
            side.plot(d, torch.softmax(zz, dim=1)[:, 1].numpy(), color=_RUN_COLOURS[i], lw=1.3,
                      ls=["-", "--", ":"][i], label=f"softmax with $z_0 = {shift:g}$")
        side.set_xlabel("difference $z_1 - z_0$")
        side.set_ylabel("probability of class 1")
        side.set_title("Against $z_1 - z_0$: one curve for any $z_0$", fontsize=10)
        side.legend(fontsize=8)
    return fig
