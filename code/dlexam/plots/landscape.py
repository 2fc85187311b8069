"""Figures of II(C): paths of gradient descent on a loss surface, escape fractions, batch-size training curves,
and how rare positive definite random Hessians are."""

import numpy as np

from .. import landscape as ls
from ..batch_size import BatchHistory
from . import _checks as checks
from .style import COLORS, new_figure

LIMITS = ((-2.6, 2.4), (-1.6, 2.0))
_KIND_MARKERS = {"minimum": ("o", "white"), "saddle": ("X", "white"), "maximum": ("^", "white")}
_PATH_COLOURS = [COLORS["red"], COLORS["orange"], COLORS["blue"], COLORS["green"], COLORS["purple"], COLORS["sky"]]


def _check_landscape(landscape):
    if not isinstance(landscape, ls.Landscape):
        raise TypeError(f"landscape must be a Landscape, got {type(landscape).__name__}")


@checks.checked(ax=checks.rule(checks.instance, cls=checks.Axes, what='matplotlib Axes'), landscape=checks.rule(checks.instance, cls=ls.Landscape), limits=checks.LIMITS, resolution=checks.INT(2, 1000), critical=checks.BOOL)
def draw_landscape(ax, landscape, limits=LIMITS, resolution=101, critical=True):
    """Filled contours of the full loss L on `ax`, with its minima (o) and saddles (X) marked."""
    _check_landscape(landscape)
    xx, yy, L = landscape.grid(limits, resolution)
    levels = np.linspace(L.min(), np.quantile(L, 0.97), 22)
    ax.contourf(xx, yy, L, levels=levels, cmap="viridis", extend="max")
    ax.contour(xx, yy, L, levels=levels[::2], colors="white", linewidths=0.4, alpha=0.5)
    if critical:
        for point in ls.critical_points(landscape):
            marker, colour = _KIND_MARKERS[point.kind]
            ax.plot(*point.w, marker=marker, ms=8, mfc=colour, mec="black", mew=1.2, ls="none", zorder=5)
    ax.set_xlim(limits[0])
    ax.set_ylim(limits[1])
    ax.set_aspect("equal")
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")


@checks.checked(landscape=checks.rule(checks.instance, cls=ls.Landscape), descents=checks.instances(ls.Descent), labels=checks.TEXTS, colours=checks.optional(checks.v.sequence), x=checks.CHOICE(('epochs', 'updates')), show_finals=checks.BOOL, limits=checks.LIMITS, title=checks.optional(checks.TEXT))
def plot_descents(landscape, descents, labels, colours=None, x="epochs", show_finals=True, limits=LIMITS,
                  title=None):
    """Left: the loss surface with the path of each Descent's first run (and where all its runs ended);
    right: the full loss L along those paths, against epochs or updates (log scale)."""
    _check_landscape(landscape)
    descents = list(descents)
    labels = list(labels)
    if not descents or not all(isinstance(d, ls.Descent) for d in descents):
        raise TypeError("descents must be a non-empty list of Descent (what landscape.descend returns)")
    if len(labels) != len(descents):
        raise ValueError(f"give one label per descent: {len(descents)} descents, {len(labels)} labels")
    if x not in ("epochs", "updates"):
        raise ValueError(f"x must be 'epochs' or 'updates', got {x!r}")
    colours = list(colours) if colours is not None else _PATH_COLOURS[: len(descents)]
    fig, (ax, ax_loss) = new_figure(1, 2, figsize=(10.5, 4.2), width_ratios=[1.25, 1])
    draw_landscape(ax, landscape, limits)
    mins = [c for c in ls.critical_points(landscape) if c.kind == "minimum"]
    for descent, label, colour in zip(descents, labels, colours):
        path = descent.paths[0]
        dashed = "--" if descent.batch_size == landscape.n and len(descents) > 1 and label != labels[0] else "-"
        stochastic = descent.batch_size < landscape.n
        ax.plot(path[:, 0], path[:, 1], color=colour, lw=0.6 if stochastic else 2.2, ls=dashed,
                alpha=0.75 if stochastic else 1.0, label=label)
        ax.plot(*path[-1], marker="*", ms=13, mfc=colour, mec="black", mew=0.8, zorder=6)
        if show_finals and descent.paths.shape[0] > 1:
            ax.scatter(descent.final[:, 0], descent.final[:, 1], s=6, color=colour, edgecolor="none", alpha=0.6,
                       zorder=4)
        loss = landscape.loss(path)
        if x == "epochs":
            steps, values = np.arange(len(loss)) / descent.updates_per_epoch, loss
        else:
            steps, values = np.arange(1, len(loss)), loss[1:]
        ax_loss.plot(steps, values, color=colour, lw=0.8 if stochastic else 2.2, ls=dashed, label=label,
                     alpha=0.85 if stochastic else 1.0)
    ax.plot(*descents[0].paths[0, 0], marker="s", ms=7, mfc="white", mec="black", ls="none", zorder=6)
    names = ["global minimum", "poor minimum"] + [f"minimum {k + 1}" for k in range(2, len(mins))]
    for point, name in zip(mins, names):
        ax_loss.axhline(point.loss, color=COLORS["grey"], lw=0.8, ls=":")
        ax_loss.annotate(name.replace(" ", "\n"), (1.01, point.loss), xycoords=("axes fraction", "data"), ha="left",
                         va="center", fontsize=8, color=COLORS["grey"], annotation_clip=False)
    if x == "updates":
        ax_loss.set_xscale("log")
        ax_loss.set_xlabel("updates (log scale)")
    else:
        ax_loss.set_xlabel("epochs")
    ax_loss.set_ylabel("full loss $L(w)$")
    ax_loss.legend(fontsize=8, loc="upper right", bbox_to_anchor=(1.0, 0.93))
    ax.set_title("paths on $L$ (□ start, ★ end; o minima, X saddle)", fontsize=10)
    ax_loss.set_title("loss along the paths", fontsize=10)
    if title:
        fig.suptitle(title, fontsize=11)
    return fig


@checks.checked(fixed=checks.instances(ls.EscapeResult), scaled=checks.optional(checks.instances(ls.EscapeResult)), temperature_runs=checks.optional(checks.mapping(checks.instances(ls.EscapeResult))), n=checks.optional(checks.INT(1)), stability_lr=checks.optional(checks.POSITIVE))
def plot_escape(fixed, scaled=None, temperature_runs=None, n=None, stability_lr=None):
    """Left: share of runs reaching the global minimum against the batch size (same lr; lr scaled with B);
    right (if temperature_runs, a dict B -> list of EscapeResult): the same share against lr (n - B) / (B (n - 1))."""
    for name, results in (("fixed", fixed), ("scaled", scaled or [])):
        if not all(isinstance(r, ls.EscapeResult) for r in results):
            raise TypeError(f"{name} must be a list of EscapeResult (what landscape.escape_table returns)")
    panels = 2 if temperature_runs else 1
    fig, axes = new_figure(1, panels, figsize=(5.2 * panels, 3.8), squeeze=False)
    ax = axes[0, 0]
    B = [r.batch_size for r in fixed]
    ax.plot(B, [r.fraction for r in fixed], "o-", color=COLORS["blue"],
            label=f"same learning rate {fixed[0].lr:g}")
    if scaled:
        ax.plot([r.batch_size for r in scaled], [r.fraction for r in scaled], "s--", color=COLORS["orange"],
                label=f"learning rate {scaled[0].lr:g} x B / {scaled[0].batch_size}")
    ax.set_xscale("log", base=2)
    ax.set_xticks(B, [str(b) for b in B])
    ax.set_xlabel("batch size B (log scale)")
    ax.set_ylabel("share of runs in the global minimum")
    ax.set_ylim(-0.04, 1.04)
    ax.legend(fontsize=8)
    ax.set_title(f"{fixed[0].runs} seeds each, {fixed[0].epochs} epochs", fontsize=10)
    if temperature_runs:
        if n is None:
            raise ValueError("give n, the number of examples, to compute the noise temperature")
        ax = axes[0, 1]
        colours = iter(_PATH_COLOURS[2:] + _PATH_COLOURS[:2])
        for b, results in temperature_runs.items():
            colour = next(colours)
            T = np.array([ls.noise_temperature(r.lr, n, b) for r in results])
            frac = np.array([r.fraction for r in results])
            ax.plot(T, frac, "-", color=colour, lw=1.2, label=f"B = {b}")
            stable = np.array([stability_lr is None or r.lr < stability_lr for r in results])
            ax.plot(T[stable], frac[stable], "o", color=colour)
            ax.plot(T[~stable], frac[~stable], "o", mfc="white", mec=colour)
        ax.set_xlabel(r"noise temperature $\eta\,(n-B)/(B(n-1))$")
        ax.set_ylabel("share of runs in the global minimum")
        ax.set_ylim(-0.04, 1.04)
        ax.legend(fontsize=8, title="open: lr beyond 2/curvature" if stability_lr else None, title_fontsize=8)
        ax.set_title("the noise temperature sets the escape", fontsize=10)
    return fig


def _median_band(ax, x, values, colour, ls="-", label=None, lw=1.8):
    ax.fill_between(x, values.min(0), values.max(0), color=colour, alpha=0.18, lw=0)
    ax.plot(x, np.median(values, axis=0), color=colour, ls=ls, lw=lw, label=label)


@checks.checked(histories=checks.instances(BatchHistory), labels=checks.TEXTS, colours=checks.optional(checks.v.sequence))
def plot_batch_training(histories, labels, colours=None):
    """Median over seeds (band: min to max) of training (solid) and validation (dashed) loss, against epochs
    (the runs with the fewest epochs) and against updates (log scale, all runs), and the norm of the
    full training-set gradient against updates."""
    histories = list(histories)
    if not histories or not all(isinstance(h, BatchHistory) for h in histories):
        raise TypeError("histories must be a non-empty list of BatchHistory (what batch_size.train returns)")
    if len(labels) != len(histories):
        raise ValueError(f"give one label per history: {len(histories)} histories, {len(labels)} labels")
    colours = list(colours) if colours is not None else [COLORS["blue"], COLORS["red"], COLORS["orange"]]
    fig, axes = new_figure(1, 3, figsize=(12, 3.8))
    max_epochs = min(h.config.epochs for h in histories)
    for h, label, colour in zip(histories, labels, colours):
        if h.config.epochs == max_epochs:  # longer runs appear against updates only
            _median_band(axes[0], h.epochs, h.train_loss, colour, label=f"{label}: training")
            _median_band(axes[0], h.epochs, h.val_loss, colour, "--", label=f"{label}: validation")
        u = h.updates[1:]
        _median_band(axes[1], u, h.train_loss[:, 1:], colour)
        _median_band(axes[1], u, h.val_loss[:, 1:], colour, "--")
        _median_band(axes[2], u, h.grad_norm[:, 1:], colour, label=label)
    axes[0].set_xlabel("epochs")
    axes[0].set_ylabel("binary cross-entropy")
    axes[0].set_title(f"equal epochs ({max_epochs})", fontsize=10)
    axes[0].legend(fontsize=7)
    axes[1].set_xscale("log")
    axes[1].set_xlabel("updates (log scale)")
    axes[1].set_title("the same runs against updates", fontsize=10)
    for ax in axes[:2]:
        ax.set_ylim(0, max(0.75, float(np.median(histories[0].train_loss[:, 0])) + 0.05))
    axes[2].set_xscale("log")
    axes[2].set_yscale("log")
    axes[2].set_xlabel("updates (log scale)")
    axes[2].set_ylabel(r"$\|\nabla L_{\mathrm{train}}\|$ (full batch)")
    axes[2].set_title("gradient norm on the training set", fontsize=10)
    axes[2].legend(fontsize=7)
    return fig


@checks.checked(dims=checks.INTEGERS(1), fractions=checks.ARRAY(ndim=1), count=checks.INT(1), rate=checks.POSITIVE)
def plot_positive_definite(dims, fractions, count, rate=ls.DEAN_MAJUMDAR_RATE):
    """Share of random symmetric d x d matrices with all eigenvalues positive, log scale, against d."""
    dims = np.asarray(dims)
    fractions = np.asarray(fractions, dtype=float)
    if dims.shape != fractions.shape or dims.ndim != 1:
        raise ValueError("dims and fractions must be 1-D arrays of the same length")
    if np.any((fractions < 0) | (fractions > 1)):
        raise ValueError("fractions must be shares between 0 and 1")
    fig, ax = new_figure(figsize=(5.6, 3.6))
    se = np.sqrt(fractions * (1 - fractions) / count)
    seen = fractions > 0
    ax.errorbar(dims[seen], fractions[seen], yerr=2 * se[seen], fmt="o-", color=COLORS["blue"], capsize=3,
                label=f"GOE, {count:,} matrices per d (bars: 2 s.e.)")
    if (~seen).any():
        ax.plot(dims[~seen], np.full((~seen).sum(), 1 / count), "v", color=COLORS["blue"], mfc="white",
                label=f"none found: below 1/{count:,}")
    d = np.linspace(dims.min(), dims.max(), 100)
    ax.plot(d, 2.0 ** (-d), color=COLORS["grey"], ls=":", label="$2^{-d}$: independent signs")
    ax.plot(d, np.exp(-rate * d**2), color=COLORS["orange"], ls="--",
            label=r"$e^{-d^2 \ln 3/4}$: large-$d$ rate (Dean & Majumdar)")
    ax.set_yscale("log")
    ax.set_xlabel("dimension d")
    ax.set_ylabel("share with all eigenvalues > 0")
    ax.set_xticks(dims)
    ax.legend(fontsize=8)
    return fig
