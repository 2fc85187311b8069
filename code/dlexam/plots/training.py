"""Figures of III(E): training and validation curves.

In the main thread figures come from ``style.new_figure``, like every figure of the book. The
live widget draws from its training thread while the notebook's main thread may be drawing
too; there they are ``BookFigure`` objects built directly that never pass through pyplot,
so no figure of the training thread can end up in another cell's output.
"""

import threading

import numpy as np
from matplotlib.ticker import MaxNLocator

from .. import models, particles, training
from . import _checks as checks
from .style import COLORS, BookFigure, book_style, new_figure


def _YLIM(value, name):  # noqa: N802
    """(low, high) of a logarithmic axis: 0 < low < high."""
    low, _ = checks.v.interval(value, name)
    if low <= 0:
        raise ValueError(f"{name} must be (low, high) with 0 < low on a log scale, got {tuple(value)!r}")

AUGMENTATION_COLOURS = {
    "none": COLORS["red"],
    "rotations": COLORS["blue"],
    "permutations": COLORS["orange"],
    "both": COLORS["green"],
}
MODEL_NAMES = models.MODEL_NAMES
_MODEL_ORDER = tuple(models.MODELS)
# The control design (training set in random orientations and orders) is drawn in one dark
# colour on top of the book's design, so that the two can be compared panel by panel.
RANDOM_FRAME_COLOUR = "#222222"
_AUGMENTATION_ORDER = tuple(training.AUGMENTATIONS)
_MEAN_LEVEL = 1.0  # MSE of predicting the mean, in standardised units


def _figure(nrows=1, ncols=1, figsize=(6, 4), **kwargs):
    """A (fig, axes) pair in the book's style, axes always a 2-D array; without pyplot off the main thread."""
    if threading.current_thread() is threading.main_thread():
        return new_figure(nrows, ncols, figsize=figsize, squeeze=False, **kwargs)
    with book_style():
        fig = BookFigure(figsize=figsize, layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=False, **kwargs)
    return fig, axes


def _check_histories(histories):
    if not isinstance(histories, training.History) and (isinstance(histories, (str, bytes))
                                                         or not hasattr(histories, "__iter__")):
        raise TypeError("histories must be a History or a list of Histories (what the trainers return)")
    histories = [histories] if isinstance(histories, training.History) else list(histories)
    if not histories or not all(isinstance(h, training.History) for h in histories):
        raise TypeError("histories must be a History or a list of Histories (what the trainers return)")
    return histories


def _draw_run(ax, history, colour, lw=1.8, alpha=1.0, label_prefix=""):
    ax.plot(np.arange(1, len(history.train_loss) + 1), history.train_loss, color=colour, lw=lw, alpha=alpha,
            label=f"{label_prefix}training")
    ax.plot(np.arange(1, len(history.val_loss) + 1), history.val_loss, color=colour, lw=lw, alpha=alpha, ls="--",
            label=f"{label_prefix}validation")


def _mean_level(ax):
    ax.axhline(_MEAN_LEVEL, color=COLORS["grey"], lw=0.8, ls=":")


@checks.checked(epochs=checks.optional(checks.INT(1)), previous_label=checks.TEXT, ylim=_YLIM)
def plot_training_curves(histories, epochs=None, previous=None, previous_label="previous run", ylim=(1e-3, 5.0)):
    """Training (solid) and validation (dashed) MSE per epoch, log scale: one panel per model and augmentation.

    Several runs come out as a grid, models in rows and augmentations in columns. Runs
    trained on the random-frame control design are drawn in a dark colour on top of the
    book's canonical design in the panel of the same model and augmentation. A single run
    gets one panel; ``previous``, a History, is drawn faintly in grey behind it, with
    ``previous_label`` in the legend (the widget's last run, or a run to compare with).
    A run that diverged before finishing an epoch has nothing to plot: its panel says so.
    """
    histories = _check_histories(histories)
    if previous is not None and not isinstance(previous, training.History):
        raise TypeError("previous must be a History or None")
    models_ = [m for m in _MODEL_ORDER if any(h.config.model == m for h in histories)]
    augmentations = [a for a in _AUGMENTATION_ORDER if any(h.config.augmentation == a for h in histories)]
    frames = [f for f in ("canonical", "random") if any(h.config.frame == f for h in histories)]
    epochs = epochs or max(h.config.epochs for h in histories)
    nrows, ncols = len(models_), len(augmentations)
    single = len(histories) == 1
    fig, axes = _figure(nrows, ncols, figsize=(6.4, 3.8) if single else (2.7 * ncols + 0.6, 2.3 * nrows + 0.9),
                        sharex=True, sharey=True)
    with book_style():
        for ax in axes.flat:
            ax.set_visible(False)
        notes = {}
        for h in histories:
            ax = axes[models_.index(h.config.model), augmentations.index(h.config.augmentation)]
            ax.set_visible(True)
            colour = AUGMENTATION_COLOURS[h.config.augmentation]
            line_colour = RANDOM_FRAME_COLOUR if h.config.frame == "random" and len(frames) > 1 else colour
            if previous is not None and single:
                _draw_run(ax, previous, COLORS["grey"], lw=1.2, alpha=0.55, label_prefix=f"{previous_label}, ")
            if h.epochs_run:
                _draw_run(ax, h, line_colour, lw=1.8 if h.config.frame == "canonical" else 1.2)
                final = f"train {h.train_loss[-1]:.2g}, val. {h.val_loss[-1]:.2g}" if h.val_loss else ""
                notes.setdefault(ax, []).append(f"{h.config.frame}: {final}" if len(frames) > 1 else
                                                final.replace(", ", "\n"))
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
        for ax, lines in notes.items():
            ax.text(0.97, 0.96, "\n".join(lines), transform=ax.transAxes, ha="right", va="top", fontsize=7,
                    bbox=dict(boxstyle="round,pad=0.25", fc="white", ec="none", alpha=0.85))
        for r, model in enumerate(models_):
            first = next(ax for ax in axes[r] if ax.get_visible())
            first.set_ylabel(f"{MODEL_NAMES[model]}\nMSE (log scale)" if not single else "MSE (log scale)")
            first.yaxis.set_tick_params(labelleft=True)
        for c in range(ncols):
            lowest = next(axes[r, c] for r in reversed(range(nrows)) if axes[r, c].get_visible())
            lowest.set_xlabel("epoch")
            lowest.xaxis.set_tick_params(labelbottom=True)
            lowest.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        legend_ax = axes[0, 0]
        handles = [
            legend_ax.plot([], [], color="black", lw=1.8, label="training")[0],
            legend_ax.plot([], [], color="black", lw=1.8, ls="--", label="validation (rotated, permuted)")[0],
            legend_ax.plot([], [], color=COLORS["grey"], lw=0.8, ls=":", label="predicting the mean")[0],
        ]
        if len(frames) > 1:
            handles += [
                legend_ax.plot([], [], color=COLORS["blue"], lw=1.8, label="canonical training set (colour)")[0],
                legend_ax.plot([], [], color=RANDOM_FRAME_COLOUR, lw=1.2, label="random-frame training set")[0],
            ]
        if previous is not None and single:
            handles.append(legend_ax.plot([], [], color=COLORS["grey"], lw=1.2, alpha=0.55,
                                          label=f"{previous_label}: {previous.config.label}")[0])
        if single:
            legend_ax.legend(handles=handles, loc="lower left", fontsize=8)
        else:
            fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 3), fontsize=9)
    return fig


# Runs drawn thick and light underneath, so that a thin curve lying exactly on top of
# them (DeepSets: permutations on none, both on rotations) stays visible as a pair.
_UNDERLAY = {"permutations", "both"}


@checks.checked(frame=checks.CHOICE(particles.FRAMES), ylim=_YLIM)
def plot_validation_comparison(histories, frame="canonical", ylim=(1e-2, 5.0)):
    """Validation MSE of every run trained on `frame` data: one panel per model, one colour per augmentation."""
    histories = [h for h in _check_histories(histories) if h.config.frame == frame and h.val_loss]
    if not histories:
        raise ValueError(f"no run with validation curves was trained on the {frame!r} design")
    models_ = [m for m in _MODEL_ORDER if any(h.config.model == m for h in histories)]
    fig, axes = _figure(1, len(models_), figsize=(4.6 * len(models_), 3.6), sharey=True)
    with book_style():
        for ax, model in zip(axes[0], models_):
            runs = sorted((h for h in histories if h.config.model == model),
                          key=lambda h: h.config.augmentation not in _UNDERLAY)  # underlays first
            for h in runs:
                under = h.config.augmentation in _UNDERLAY
                ax.plot(np.arange(1, len(h.val_loss) + 1), h.val_loss, color=AUGMENTATION_COLOURS[h.config.augmentation],
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
