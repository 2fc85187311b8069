"""Figures of III(F): the bias-variance split per regime, the K models' predictions, and the classic picture."""

import numpy as np

from .. import bias_variance, particles, training
from . import _checks as checks
from .style import COLORS, book_style
from .training import AUGMENTATION_COLOURS, MODEL_NAMES, _figure


def _PANELS(value, name):  # noqa: N802
    """[(training frame, validation frame), ...]."""
    for i, panel in enumerate(checks.v.sequence(value, name)):
        for frame in checks.v.sequence(panel, f"{name}[{i}]", 2, 2):
            checks.v.choice(frame, f"{name}[{i}]", particles.FRAMES)

PANEL_TITLES = {
    ("canonical", "random"): "canonical training sets;\nvalidation set as given (rotated, permuted)",
    ("canonical", "canonical"): "canonical training sets;\nthe same configurations in the canonical frame",
    ("random", "random"): "random-frame training sets;\nvalidation set as given (rotated, permuted)",
    ("random", "canonical"): "random-frame training sets;\nvalidation configurations in the canonical frame",
}
DEFAULT_PANELS = (("canonical", "random"), ("canonical", "canonical"), ("random", "random"))
MODEL_COLOURS = {"mlp": COLORS["red"], "deepsets": COLORS["blue"], "pairsum": COLORS["green"]}


def _check_results(results):
    results = list(results)
    if not results or not all(isinstance(r, bias_variance.BiasVariance) for r in results):
        raise TypeError("give the list of BiasVariance that bias_variance.measure returns")
    return results


def _regime_label(result):
    return f"{MODEL_NAMES[result.model]}\n{result.augmentation}"


@checks.checked(results=checks.instances(bias_variance.BiasVariance), panels=_PANELS)
def plot_bias_variance(results, panels=DEFAULT_PANELS):
    """Stacked bars, bias² below and variance above, per regime; one panel per (training frame, validation frame).

    A black tick marks each regime's final training MSE (mean of its K runs); the number
    above a bar is its validation MSE and the variance's share of it. All panels share the
    y axis, so the bars compare across panels.
    """
    results = _check_results(results)
    panels = [p for p in panels if any((r.train_frame, r.val_frame) == tuple(p) for r in results)]
    if not panels:
        raise ValueError("no result matches the panels asked for")
    top = max(r.mse for r in results if (r.train_frame, r.val_frame) in [tuple(p) for p in panels])
    widths = [max(2, sum((r.train_frame, r.val_frame) == tuple(p) for r in results)) for p in panels]
    fig, axes = _figure(1, len(panels), figsize=(1.15 * sum(widths) + 1.2, 4.0), sharey=True,
                        gridspec_kw={"width_ratios": widths})
    with book_style():
        for ax, (train_frame, val_frame) in zip(axes[0], panels):
            rows = [r for r in results if (r.train_frame, r.val_frame) == (train_frame, val_frame)]
            x = np.arange(len(rows))
            colours = [AUGMENTATION_COLOURS[r.augmentation] for r in rows]
            bias2 = np.array([r.bias2 for r in rows])
            variance = np.array([r.variance for r in rows])
            ax.bar(x, bias2, color=colours, edgecolor="black", lw=0.6, label="bias²")
            ax.bar(x, variance, bottom=bias2, color="white", edgecolor=colours, hatch="////", lw=1.2,
                   label="variance")
            ax.scatter(x, [r.train_mse for r in rows], marker="_", s=400, color="black", lw=2, zorder=3,
                       label="training MSE")
            for xi, r in zip(x, rows):
                ax.text(xi, r.mse + 0.02 * top, f"{r.mse:.2g}\n({r.variance / r.mse:.0%}\nvar.)",
                        ha="center", va="bottom", fontsize=7)
            ax.set_xticks(x, [_regime_label(r) for r in rows], fontsize=8)
            ax.set_xlim(-0.6, len(rows) - 0.4)
            ax.set_ylim(0, 1.3 * top)
            ax.set_title(PANEL_TITLES[(train_frame, val_frame)], fontsize=8.5)
        axes[0, 0].set_ylabel("validation MSE = bias² + variance")
        axes[0, 0].legend(loc="upper right", fontsize=7.5)
    return fig


@checks.checked(result=checks.rule(checks.instance, cls=bias_variance.BiasVariance), y=checks.rule(checks.tensor, ndim=1, floating=False))
def plot_model_spread(result, y, n=30, models=None, how="spread over P"):
    """The K models' predictions for n validation configurations, sorted by their true value.

    Each column is one configuration: the black bar is its true P, the small dots the K
    models' predictions (their spread is the variance), the ring their mean (its distance
    from the bar is the bias). ``models`` uses only the first so many of the K models.
    """
    if not isinstance(result, bias_variance.BiasVariance):
        raise TypeError("result must be one BiasVariance from bias_variance.measure")
    k_all = result.predictions.shape[0]
    models = k_all if models is None else models
    if isinstance(models, bool) or not isinstance(models, (int, np.integer)) or not 2 <= models <= k_all:
        raise ValueError(f"models must be a whole number from 2 to {k_all}, got {models!r}")
    predictions = result.predictions[:models].double()  # (k, N)
    y = y.double()
    chosen = bias_variance.select_configurations(predictions, y, n, how)
    mse, bias2, variance = bias_variance.decompose(predictions, y)
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
        ax.set_title(f"{MODEL_NAMES[result.model]}, {result.augmentation}, {result.train_frame} training sets, "
                     f"validation in the {result.val_frame} frame:\nbias² {bias2:.3g} + variance {variance:.3g} "
                     f"= {mse:.3g}", fontsize=9.5)
        ax.legend(loc="upper left", fontsize=8)
    return fig


@checks.checked(results=checks.instances(bias_variance.BiasVariance), val_frame=checks.CHOICE(particles.FRAMES))
def plot_against_training_size(results, val_frame="random"):
    """Bias² (solid) and variance (dashed), corrected for K models, against the training-set size; one colour per model."""
    results = [r for r in _check_results(results) if r.val_frame == val_frame]
    if not results:
        raise ValueError(f"no result evaluated in the {val_frame!r} frame")
    y = training.validation_set()[1]
    fig, axes = _figure(figsize=(6.4, 3.8))
    ax = axes[0, 0]
    with book_style():
        keys = list(dict.fromkeys((r.model, r.augmentation, r.train_frame) for r in results))
        for model, augmentation, train_frame in keys:
            rows = sorted((r for r in results if (r.model, r.augmentation, r.train_frame) ==
                           (model, augmentation, train_frame)), key=lambda r: r.n_train)
            corrected = [bias_variance.corrected_decomposition(r.predictions, y) for r in rows]
            sizes = [r.n_train for r in rows]
            label = f"{MODEL_NAMES[model]}, {augmentation}, {train_frame} training sets"
            colour = MODEL_COLOURS[model]
            ax.plot(sizes, [c[0] for c in corrected], marker="o", color=colour, label=f"bias², {label}")
            ax.plot(sizes, [c[1] for c in corrected], marker="s", ls="--", color=colour, label=f"variance, {label}")
        sizes = sorted({r.n_train for r in results})
        ax.set_xscale("log")
        ax.set_xticks(sizes, [str(n) for n in sizes])
        ax.minorticks_off()
        ax.set_ylim(bottom=0)
        ax.set_xlabel("training configurations")
        ax.set_ylabel("on the validation set (corrected for K)")
        ax.legend(fontsize=8)
    return fig
