"""Figures of III(E) and III(F): training and validation curves, and the bias-variance split.

In the main thread figures come from ``style.new_figure``, like every figure of the book. The
live widget draws from its training thread while the notebook's main thread may be drawing
too; there they are plain ``matplotlib.figure.Figure`` objects that never pass through pyplot,
so no figure of the training thread can end up in another cell's output.
"""

import threading

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .. import training
from .style import COLORS, book_style, new_figure

AUGMENTATION_COLOURS = {
    "none": COLORS["red"],
    "rotations": COLORS["blue"],
    "permutations": COLORS["orange"],
    "both": COLORS["green"],
}
MODEL_NAMES = {"mlp": "MLP", "deepsets": "DeepSets"}
_MODEL_ORDER = ("mlp", "deepsets")
_AUGMENTATION_ORDER = tuple(training.AUGMENTATIONS)
_MEAN_LEVEL = 1.0  # MSE of predicting the mean, in standardised units


def _figure(nrows=1, ncols=1, figsize=(6, 4), **kwargs):
    """A (fig, axes) pair in the book's style, axes always a 2-D array; without pyplot off the main thread."""
    if threading.current_thread() is threading.main_thread():
        return new_figure(nrows, ncols, figsize=figsize, squeeze=False, **kwargs)
    with book_style():
        fig = Figure(figsize=figsize, layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=False, **kwargs)
    return fig, axes


def _check_histories(histories):
    histories = [histories] if isinstance(histories, training.History) else list(histories)
    if not histories or not all(isinstance(h, training.History) for h in histories):
        raise TypeError("give a History or a list of Histories (what training.train returns)")
    return histories


def _draw_run(ax, history, colour, lw=1.8, alpha=1.0, label_prefix=""):
    epochs = np.arange(1, history.epochs_run + 1)
    ax.plot(epochs, history.train_loss, color=colour, lw=lw, alpha=alpha, label=f"{label_prefix}training")
    ax.plot(epochs, history.val_loss, color=colour, lw=lw, alpha=alpha, ls="--", label=f"{label_prefix}validation")


def _mean_level(ax):
    ax.axhline(_MEAN_LEVEL, color=COLORS["grey"], lw=0.8, ls=":")


def plot_training_curves(histories, epochs=None, previous=None, ylim=(1e-3, 5.0)):
    """Training (solid) and validation (dashed) MSE per epoch, log scale: one panel per run.

    The eight runs of III(E) come out as a grid, models in rows and augmentations in columns;
    a single run gets one panel. ``previous``, a History, is drawn faintly in grey behind the
    single run (the widget's last run, for comparison). A run that diverged before finishing
    an epoch has nothing to plot: its panel says so.
    """
    histories = _check_histories(histories)
    models = [m for m in _MODEL_ORDER if any(h.config.model == m for h in histories)]
    augmentations = [a for a in _AUGMENTATION_ORDER if any(h.config.augmentation == a for h in histories)]
    if len(histories) == 1:
        models, augmentations = [histories[0].config.model], [histories[0].config.augmentation]
    epochs = epochs or max(h.config.epochs for h in histories)
    nrows, ncols = len(models), len(augmentations)
    single = nrows * ncols == 1
    fig, axes = _figure(nrows, ncols, figsize=(6.4, 3.8) if single else (2.6 * ncols + 0.6, 2.4 * nrows + 0.7),
                        sharex=True, sharey=True)
    with book_style():
        for ax in axes.flat:
            ax.set_visible(False)
        for h in histories:
            ax = axes[models.index(h.config.model), augmentations.index(h.config.augmentation)]
            ax.set_visible(True)
            colour = AUGMENTATION_COLOURS[h.config.augmentation]
            if previous is not None and single:
                _draw_run(ax, previous, COLORS["grey"], lw=1.2, alpha=0.55, label_prefix="previous run, ")
            if h.epochs_run:
                _draw_run(ax, h, colour)
                ax.text(0.97, 0.96, f"final: train {h.train_loss[-1]:.3g}\nvalidation {h.val_loss[-1]:.3g}",
                        transform=ax.transAxes, ha="right", va="top", fontsize=8,
                        bbox=dict(boxstyle="round,pad=0.25", fc="white", ec="none", alpha=0.85))
            if h.status == "diverged":
                ax.text(0.5, 0.5, f"diverged in epoch {h.epochs_run + 1}\n(lr = {h.config.lr:g})",
                        transform=ax.transAxes, ha="center", va="center", color=COLORS["red"], fontsize=10)
            _mean_level(ax)
            ax.set_yscale("log")
            ax.set_ylim(*ylim)
            ax.set_xlim(0, epochs)
            title = h.config.label if single else h.config.augmentation
            if single and h.epochs_run:
                title += f", epoch {h.epochs_run} of {h.config.epochs}"
            ax.set_title(title, color=colour if not single else "black")
        for r, model in enumerate(models):
            axes[r, 0].set_ylabel(f"{MODEL_NAMES[model]}\nMSE (log scale)" if not single else "MSE (log scale)")
        for ax in axes[-1]:
            ax.set_xlabel("epoch")
            ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        legend_ax = axes[0, 0]
        handles = [
            legend_ax.plot([], [], color="black", lw=1.8, label="training")[0],
            legend_ax.plot([], [], color="black", lw=1.8, ls="--", label="validation (rotated, permuted)")[0],
            legend_ax.plot([], [], color=COLORS["grey"], lw=0.8, ls=":", label="predicting the mean")[0],
        ]
        if previous is not None and single:
            handles.append(legend_ax.plot([], [], color=COLORS["grey"], lw=1.2, alpha=0.55,
                                          label=f"previous run: {previous.config.label}")[0])
        if single:
            legend_ax.legend(handles=handles, loc="lower left", fontsize=8)
        else:
            fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=9)
    return fig


# Runs drawn thick and light underneath, so that a thin curve lying exactly on top of
# them (DeepSets: permutations on none, both on rotations) stays visible as a pair.
_UNDERLAY = {"permutations", "both"}


def plot_validation_comparison(histories, ylim=(1e-2, 5.0)):
    """Validation MSE of every run, one panel per model, one colour per augmentation (log scale)."""
    histories = _check_histories(histories)
    models = [m for m in _MODEL_ORDER if any(h.config.model == m for h in histories)]
    fig, axes = _figure(1, len(models), figsize=(4.6 * len(models), 3.6), sharey=True)
    with book_style():
        for ax, model in zip(axes[0], models):
            runs = sorted((h for h in histories if h.config.model == model),
                          key=lambda h: h.config.augmentation not in _UNDERLAY)  # underlays first
            for h in runs:
                under = h.config.augmentation in _UNDERLAY
                ax.plot(np.arange(1, h.epochs_run + 1), h.val_loss, color=AUGMENTATION_COLOURS[h.config.augmentation],
                        lw=4.5 if under else 1.6, alpha=0.45 if under else 1.0, label=h.config.augmentation)
            _mean_level(ax)
            ax.set_yscale("log")
            ax.set_ylim(*ylim)
            ax.set_xlim(0, max(h.config.epochs for h in runs))
            ax.set_title(f"{MODEL_NAMES[model]}: validation MSE")
            ax.set_xlabel("epoch")
            order = {a: i for i, a in enumerate(_AUGMENTATION_ORDER)}
            handles, labels = ax.get_legend_handles_labels()
            pairs = sorted(zip(handles, labels), key=lambda p: order[p[1]])
            ax.legend([p[0] for p in pairs], [p[1] for p in pairs], title="augmentation", fontsize=8,
                      title_fontsize=8, loc="lower left")
        axes[0, 0].set_ylabel("validation MSE (log scale)")
    return fig


def _regime_label(result):
    return f"{MODEL_NAMES[result.model]}\n{result.augmentation}"


def plot_bias_variance(results, frames=training.FRAMES):
    """Stacked bars, bias² below and variance above, per regime; one panel per frame.

    A black tick marks each regime's final training MSE (mean of its K runs); the number
    above a bar is its validation MSE and the variance's share of it.
    """
    results = list(results)
    if not results or not all(isinstance(r, training.BiasVariance) for r in results):
        raise TypeError("give the list of BiasVariance that training.bias_variance returns")
    frames = [f for f in frames if any(r.frame == f for r in results)]
    titles = {"rotated": "validation set as given: rotated and permuted",
              "canonical": "the same configurations in the training frame"}
    fig, axes = _figure(1, len(frames), figsize=(5.8 * len(frames), 4.0))
    with book_style():
        for ax, frame in zip(axes[0], frames):
            rows = [r for r in results if r.frame == frame]
            x = np.arange(len(rows))
            colours = [AUGMENTATION_COLOURS[r.augmentation] for r in rows]
            bias2 = np.array([r.bias2 for r in rows])
            variance = np.array([r.variance for r in rows])
            ax.bar(x, bias2, color=colours, edgecolor="black", lw=0.6, label="bias²")
            ax.bar(x, variance, bottom=bias2, color="white", edgecolor=colours, hatch="////", lw=1.2,
                   label="variance")
            ax.scatter(x, [r.train_mse for r in rows], marker="_", s=500, color="black", lw=2, zorder=3,
                       label="training MSE")
            top = (bias2 + variance).max()
            for xi, r in zip(x, rows):
                ax.text(xi, r.mse + 0.02 * top, f"{r.mse:.3g}\n({r.variance / r.mse:.0%} var.)",
                        ha="center", va="bottom", fontsize=7.5)
            ax.set_xticks(x, [_regime_label(r) for r in rows], fontsize=8.5)
            ax.set_ylim(0, 1.22 * top)
            ax.set_ylabel("validation MSE = bias² + variance")
            ax.set_title(titles[frame], fontsize=10)
        axes[0, 0].legend(loc="upper right", fontsize=8)
    return fig


def plot_model_spread(result, y, n=30, models=None, how="spread over P"):
    """The K models' predictions for n validation configurations, sorted by their true value.

    Each column is one configuration: the black bar is its true P, the small dots the K
    models' predictions (their spread is the variance), the ring their mean (its distance
    from the bar is the bias). ``models`` uses only the first so many of the K models.
    """
    if not isinstance(result, training.BiasVariance):
        raise TypeError("result must be one BiasVariance from training.bias_variance")
    k_all = result.predictions.shape[0]
    models = k_all if models is None else models
    if isinstance(models, bool) or not isinstance(models, (int, np.integer)) or not 2 <= models <= k_all:
        raise ValueError(f"models must be a whole number from 2 to {k_all}, got {models!r}")
    predictions = result.predictions[:models].double()  # (k, N)
    y = y.double()
    chosen = training.select_configurations(predictions, y, n, how)
    mse, bias2, variance = training.decompose(predictions, y)
    p = predictions[:, chosen].numpy()  # (k, n)
    t = y[chosen].numpy()  # (n,)
    x = np.arange(len(chosen))
    colour = AUGMENTATION_COLOURS[result.augmentation]
    fig, axes = _figure(figsize=(7.2, 3.9))
    ax = axes[0, 0]
    with book_style():
        ax.vlines(x, p.min(axis=0), p.max(axis=0), color=colour, lw=1.0, alpha=0.6)
        for j in range(models):
            ax.scatter(x, p[j], s=9, color=colour, alpha=0.75, lw=0, label="one model's prediction" if j == 0 else None)
        ax.scatter(x, p.mean(axis=0), s=42, facecolors="none", edgecolors="black", lw=1.1,
                   label=f"mean of the {models} models")
        ax.scatter(x, t, marker="_", s=160, color="black", lw=2.2, label="true P (standardised)")
        ax.set_xticks([])
        ax.set_xlabel(f"{len(chosen)} validation configurations ({how}), sorted by their true P")
        ax.set_ylabel("standardised P")
        ax.set_title(f"{MODEL_NAMES[result.model]}, {result.augmentation}, {result.frame} frame: "
                     f"bias² {bias2:.3g} + variance {variance:.3g} = {mse:.3g}", fontsize=10)
        ax.legend(loc="upper left", fontsize=8)
    return fig
