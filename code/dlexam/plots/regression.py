"""Figures of II(B): how linear CO2 is in car size, and what each model does beyond its training data."""

import threading

import numpy as np
from matplotlib.ticker import NullFormatter, ScalarFormatter

from .. import regression
from . import _checks as checks
from .style import COLORS, BookFigure, book_style, new_figure

TRAIN_COLOUR = COLORS["blue"]
VALIDATION_COLOUR = COLORS["orange"]
# One colour per kind of model, so a figure with several runs stays readable.
MODEL_COLOURS = {"linear": "#222222", "tanh": COLORS["purple"], "relu": COLORS["green"]}
_STYLES = ("-", "--", ":", "-.")


def _figure(nrows=1, ncols=1, figsize=(6, 4), **kwargs):
    """(fig, axes as a 2-D array); a widget's figure built off the main thread never touches pyplot."""
    if threading.current_thread() is threading.main_thread():
        return new_figure(nrows, ncols, figsize=figsize, squeeze=False, **kwargs)
    with book_style():
        fig = BookFigure(figsize=figsize, layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=False, **kwargs)
    return fig, axes


@checks.checked(config=checks.rule(checks.instance, cls=regression.ModelConfig))
def model_colour(config):
    """The colour of a kind of model: linear regression, tanh or ReLU networks."""
    return MODEL_COLOURS["linear" if config.kind == "linear" else config.activation]


@checks.checked(x=checks.VECTOR, y=checks.VECTOR, x_label=checks.TEXT, y_label=checks.TEXT, n_bins=checks.INT(1))
def plot_linearity(x, y, x_label, y_label=regression.CO2_LABEL, n_bins=5):
    """Left: the data and its least-squares line. Right: residuals against x, with their mean and spread per bin."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    slope, intercept = regression.fit_line(x, y)
    residuals = y - regression.predict_line(slope, intercept, x)
    centres, means, stds = regression.binned_residuals(x, residuals, n_bins)
    fig, axes = _figure(1, 2, figsize=(9.6, 3.7))
    ax = axes[0, 0]
    ax.scatter(x, y, s=9, color=TRAIN_COLOUR, alpha=0.55, lw=0)
    grid = np.linspace(x.min(), x.max(), 2)
    r2 = regression.r_squared(y, regression.predict_line(slope, intercept, x))
    ax.plot(grid, regression.predict_line(slope, intercept, grid), color=MODEL_COLOURS["linear"], lw=1.8,
            label=f"least squares: {slope:.3f} x {intercept:+.1f}, $R^2$ = {r2:.2f}")
    ax.set(xlabel=x_label, ylabel=y_label, title="the data and the line")
    ax.legend(loc="upper left", fontsize=8.5)
    ax = axes[0, 1]
    ax.scatter(x, residuals, s=9, color=TRAIN_COLOUR, alpha=0.45, lw=0)
    ax.axhline(0, color=COLORS["grey"], lw=0.8)
    ax.errorbar(centres, means, yerr=stds, fmt="o", color=COLORS["red"], capsize=4, lw=1.5,
                label=f"mean ± sd in {n_bins} equal-count bins")
    ax.set(xlabel=x_label, ylabel="residual " + y_label, title="residuals: no bend, growing scatter")
    ax.legend(loc="upper left", fontsize=8.5)
    return fig


def _shade_ranges(ax, x, train, validation):
    """Shade the x range of the training and the validation points (where they do not overlap)."""
    t_lo, t_hi = x[train].min(), x[train].max()
    v_lo, v_hi = x[validation].min(), x[validation].max()
    ax.axvspan(t_lo, t_hi, color=TRAIN_COLOUR, alpha=0.07, lw=0)
    if v_lo > t_hi or v_hi < t_lo:  # disjoint: the validation range is extrapolation
        ax.axvspan(v_lo, v_hi, color=VALIDATION_COLOUR, alpha=0.12, lw=0)


def _draw_split_panel(ax, x, y, train, validation, models, x_range, x_label, y_label, title, legend=True):
    train, validation = np.asarray(train), np.asarray(validation)
    _shade_ranges(ax, x, train, validation)
    ax.scatter(x[train], y[train], s=8, color=TRAIN_COLOUR, alpha=0.55, lw=0, label="training")
    ax.scatter(x[validation], y[validation], s=12, color=VALIDATION_COLOUR, alpha=0.9, lw=0, label="validation")
    grid = np.linspace(*x_range, 400)
    used = {}
    for label, model in models.items():
        colour = model_colour(model.config)
        style = _STYLES[used.get(colour, 0) % len(_STYLES)]
        used[colour] = used.get(colour, 0) + 1
        ax.plot(grid, model.predict(grid), color=colour, ls=style, lw=1.8, label=label)
    ax.set(xlabel=x_label, ylabel=y_label, title=title, xlim=x_range)
    if legend:
        ax.legend(loc="upper left", fontsize=8)


@checks.checked(x=checks.VECTOR, y=checks.VECTOR, splits=checks.mapping(), fits=checks.mapping(checks.mapping()), x_range=checks.optional(checks.INTERVAL), x_label=checks.TEXT, y_label=checks.TEXT, ylim=checks.optional(checks.INTERVAL))
def plot_extrapolation(x, y, splits, fits, x_range=None, x_label="weight (kg)", y_label=regression.CO2_LABEL,
                       ylim=None):
    """One panel per split: training (blue) and validation (orange) points and ranges, each model's curve over x_range.

    splits: {title: (train indices, validation indices)}; fits: {title: {label: fitted model}}.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if not isinstance(splits, dict) or not splits or set(fits) != set(splits):
        raise ValueError("splits and fits must be dicts with the same titles, one panel each")
    if x_range is None:
        span = x.max() - x.min()
        x_range = (x.min() - 0.05 * span, x.max() + 0.5 * span)
    fig, axes = _figure(1, len(splits), figsize=(5.0 * len(splits), 4.2), sharey=True)
    for i, (title, (train, validation)) in enumerate(splits.items()):
        ax = axes[0, i]
        _draw_split_panel(ax, x, y, train, validation, fits[title], x_range, x_label, y_label if i == 0 else "",
                          title, legend=i == 0)
        if ylim is not None:
            ax.set_ylim(*ylim)
    return fig


@checks.checked(result=checks.rule(checks.instance, cls=regression.SplitFit), x_range=checks.optional(checks.INTERVAL), y_label=checks.TEXT)
def plot_split_fit(result, x_range=None, y_label=regression.CO2_LABEL):
    """The explorer's figure: one split, the chosen model and linear regression, errors in the title."""
    if not isinstance(result, regression.SplitFit):
        raise TypeError(f"result must be what regression.split_and_fit returns, got {type(result).__name__}")
    x, y = result.x, result.y
    if x_range is None:
        span = x.max() - x.min()
        x_range = (x.min() - 0.05 * span, x.max() + 0.35 * span)
    fig, axes = _figure(1, 1, figsize=(6.4, 4.2))
    ax = axes[0, 0]
    models = {result.model.config.label: result.model}
    if result.model.config.kind != "linear":
        models["linear regression"] = result.line
    _draw_split_panel(ax, x, y, result.train, result.validation, models, x_range, result.x_label, y_label,
                      f"training MSE {result.errors.train:.4g}, validation MSE {result.errors.validation:.4g}")
    low, high = np.percentile(y, [0, 100])
    pad = 0.25 * (high - low)
    ax.set_ylim(low - pad, high + 2 * pad)
    return fig


@checks.checked(runs=checks.instances(regression.Run), floor=checks.optional(checks.NON_NEGATIVE), split_order=checks.TEXTS)
def plot_validation_spread(runs, floor=None, split_order=("shuffled", "sorted")):
    """Validation MSE of every run, one row per model, one colour per split; `floor` drawn as a line."""
    labels = list(dict.fromkeys(r.config.label for r in runs))
    if not labels:
        raise ValueError("runs is empty: give what regression.run_experiment returns")
    colours = {"sorted": VALIDATION_COLOUR, "shuffled": TRAIN_COLOUR}
    fig, axes = _figure(1, 1, figsize=(6.6, 0.34 * len(labels) + 1.6))
    ax = axes[0, 0]
    for k, name in enumerate(split_order):
        shown = False
        for i, label in enumerate(labels):
            values = [r.errors.validation for r in runs if r.config.label == label and r.split == name]
            if values:
                ax.scatter(values, np.full(len(values), i + (k - 0.5) * 0.22), s=22,
                           color=colours.get(name, COLORS["grey"]), label=None if shown else f"{name} split")
                shown = True
    if floor is not None:
        ax.axvline(floor, color=COLORS["grey"], ls=":", lw=1.2, label="best line through the validation cars")
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.set_xscale("log")
    values = [r.errors.validation for r in runs] + ([floor] if floor is not None else [])
    ax.set_xticks([v for v in (500, 1000, 1500, 2000, 3000, 4000, 6000, 8000, 10000, 15000, 20000, 30000)
                   if min(values) / 1.2 <= v <= max(values) * 1.2])
    ax.xaxis.set_major_formatter(ScalarFormatter())
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set(xlabel="validation MSE (g/km)$^2$, one dot per seed, log scale")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=8)
    return fig
