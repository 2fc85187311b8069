"""Figures of IV(C) to IV(E): the coupling block as two residual steps, invertibility, errors and memory."""

from itertools import cycle

import numpy as np
from matplotlib.patches import Circle, FancyBboxPatch, Rectangle

from .. import reversible
from . import _checks as checks
from .style import COLORS, new_figure


def _HIGHLIGHT(value, name):  # noqa: N802
    """(depth, mode) of the point to mark."""
    depth, mode = checks.v.sequence(value, name, 2, 2)
    checks.v.integer(depth, name, 1)
    checks.v.choice(mode, name, reversible.MODES)

_TOP, _BOTTOM, _MIDDLE = 1.0, 0.0, 0.5


def _arrow(ax, points, color="black"):
    """A polyline through points, with an arrow head on its last segment."""
    xs, ys = zip(*points)
    ax.plot(xs[:-1], ys[:-1], color=color, lw=1.4, solid_capstyle="round")
    ax.annotate("", xy=points[-1], xytext=points[-2],
                arrowprops=dict(arrowstyle="-|>", color=color, lw=1.4, shrinkA=0, shrinkB=0))


def _step(ax, left, source, target, name, sign, color):
    """One residual step drawn from x = left: read lane `source`, add (or subtract) name(.) to lane `target`."""
    branch, box, node = left + 0.35, left + 1.2, left + 2.05
    ax.add_patch(Circle((branch, source), 0.045, color="black", zorder=3))
    _arrow(ax, [(branch, source), (branch, _MIDDLE), (box - 0.42, _MIDDLE)])
    ax.add_patch(FancyBboxPatch((box - 0.42, _MIDDLE - 0.16), 0.84, 0.32, boxstyle="round,pad=0.02",
                                facecolor=color, edgecolor="black", alpha=0.9, zorder=3))
    ax.text(box, _MIDDLE, name, ha="center", va="center", fontsize=12, zorder=4)
    towards = target - 0.13 if target > _MIDDLE else target + 0.13
    _arrow(ax, [(box + 0.42, _MIDDLE), (node, _MIDDLE), (node, towards)])
    ax.add_patch(Circle((node, target), 0.13, facecolor="white", edgecolor="black", lw=1.4, zorder=3))
    ax.text(node, target - 0.01, sign, ha="center", va="center", fontsize=13, zorder=4)


@checks.checked(inverse=checks.BOOL)
def plot_coupling_block(inverse=False):
    """Figure: the additive coupling block (or its inverse) drawn as two residual steps in dashed frames."""
    fig, ax = new_figure(figsize=(9, 2.7))
    if inverse:
        steps = [(_TOP, _BOTTOM, r"$\mu_2$", "−", COLORS["orange"]), (_BOTTOM, _TOP, r"$\mu_1$", "−", COLORS["sky"])]
        labels = [(r"$y_1$", r"$y_2$"), (r"$y_1$", r"$x_2$"), (r"$x_1$", r"$x_2$")]
        frames = [r"undo step 2: $x_2 = y_2 - \mu_2(y_1)$", r"undo step 1: $x_1 = y_1 - \mu_1(x_2)$"]
        title = "The inverse: undo the second step, then the first"
    else:
        steps = [(_BOTTOM, _TOP, r"$\mu_1$", "+", COLORS["sky"]), (_TOP, _BOTTOM, r"$\mu_2$", "+", COLORS["orange"])]
        labels = [(r"$x_1$", r"$x_2$"), (r"$z_1 = y_1$", r"$z_2 = x_2$"), (r"$y_1$", r"$y_2$")]
        frames = [r"residual step 1: $z = x + [\mu_1(x_2), 0]$", r"residual step 2: $y = z + [0, \mu_2(z_1)]$"]
        title = "The invertible block of IV(C) as two residual blocks"
    lefts = [0.9, 4.6]
    for lane in (_TOP, _BOTTOM):
        _arrow(ax, [(0.35, lane), (8.3, lane)])
    for left, (source, target, name, sign, color), frame in zip(lefts, steps, frames):
        _step(ax, left, source, target, name, sign, color)
        ax.add_patch(Rectangle((left + 0.05, -0.3), 2.45, 1.6, fill=False, ls="--", lw=1.1, edgecolor=COLORS["grey"]))
        ax.text(left + 1.275, 1.42, frame, ha="center", va="bottom", fontsize=9.5)
    for x, (top, bottom), align in zip((0.3, 4.05, 8.4), labels, ("right", "center", "left")):
        for lane, text in ((_TOP, top), (_BOTTOM, bottom)):
            offset = 0.13 if align == "center" else 0
            ax.text(x, lane + offset, text, ha=align, va="bottom" if align == "center" else "center", fontsize=12)
    ax.set_xlim(-0.4, 9.4)
    ax.set_ylim(-0.45, 1.8)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title)
    return fig


@checks.checked(cs=checks.NUMBERS, y=checks.REAL, limit=checks.POSITIVE)
def plot_tanh_residuals(cs=(-0.5, -2.0, 3.0), y=0.0, limit=4.0):
    """Figure: f(x) = x + c tanh(x) for each c, with every x that f maps to y marked."""
    fig, ax = new_figure(figsize=(6.4, 4.2))
    grid = np.linspace(-limit, limit, 801)
    colors = [COLORS["blue"], COLORS["red"], COLORS["green"], COLORS["purple"], COLORS["orange"]]
    ax.axhline(y, color=COLORS["grey"], lw=1, ls=":")
    for c, color in zip(cs, cycle(colors)):  # colours repeat rather than drop a curve
        roots = reversible.tanh_residual_preimages(y, c)
        verdict = "injective" if c >= -1 else "not injective"
        ax.plot(grid, reversible.tanh_residual(grid, c), color=color,
                label=f"c = {c:g}: Lipschitz {abs(c):g}, {verdict}, {len(roots)} x with f(x) = {y:g}")
        ax.plot(roots, np.full(len(roots), y), "o", color=color, ms=6, mfc="white", mew=1.8)
    ax.set_xlabel("x")
    ax.set_ylabel(r"$f(x) = x + c\,\tanh(x)$")
    ax.set_title("A residual block y = x + q(x) with q(x) = c tanh(x)")
    ax.legend(loc="upper left", fontsize=8.5)
    return fig


@checks.checked(results=checks.mapping(checks.rule(checks.instance, cls=reversible.FixedPoint)),
                lipschitz=checks.optional(checks.mapping(checks.POSITIVE, min_length=0)))
def plot_fixed_point(results, lipschitz=None):
    """Figure: residual max|x_k + q(x_k) - y| against iteration k, one line per FixedPoint; dashed: the bound L^k."""
    fig, ax = new_figure(figsize=(6.4, 4))
    lipschitz = lipschitz or {}
    for (label, result), color in zip(results.items(), cycle([COLORS["blue"], COLORS["red"], COLORS["green"], COLORS["purple"]])):
        k = np.arange(1, result.iterations + 1)
        residuals = np.maximum(result.residuals, 1e-18)  # an exact 0 drawn at the bottom
        ax.semilogy(k, residuals, "o-", color=color, ms=3.5, label=label)
        if label in lipschitz:
            ax.semilogy(k, result.residuals[0] * lipschitz[label] ** (k - 1), "--", color=color, lw=1,
                        label=f"bound {lipschitz[label]:g}^k")
    ax.set_xlabel("iteration k")
    ax.set_ylabel(r"residual $\max|x_k + q(x_k) - y|$")
    ax.set_title("Inverting x + q(x) = y by x ← y − q(x)")
    ax.legend(fontsize=8.5)
    return fig


def _errors_vs_depth(depths, series, ylabel, title, references=None, name="errors"):
    for label, values in series.items():
        if len(values) != len(depths):
            raise ValueError(f"{name}[{label!r}] has {len(values)} values for {len(depths)} depths")
    fig, ax = new_figure(figsize=(6.4, 4.2))
    colors = [COLORS["blue"], COLORS["red"], COLORS["green"], COLORS["purple"], COLORS["orange"]]
    for (label, values), color in zip(series.items(), cycle(colors)):
        values = np.maximum(np.asarray(values, dtype=float), 1e-17)
        ax.loglog(depths, values, "o-", color=color, ms=4, label=label)
    for label, value in (references or {}).items():
        ax.axhline(value, color=COLORS["grey"], lw=1, ls=":")
        ax.text(depths[-1], value * 1.3, label, fontsize=8, color=COLORS["grey"], ha="right", va="bottom")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("depth L (blocks)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8.5, loc="upper left")
    return fig


@checks.checked(depths=checks.INTEGERS(1), errors=checks.mapping(checks.ARRAY(ndim=1, finite=False)))
def plot_round_trip_errors(depths, errors):
    """Figure: max|x - f^-1(f(x))| against depth, one line per label; dotted: the epsilon of each dtype named in a label."""
    references = {f"{name} epsilon": float(np.finfo(name).eps) for name in ("float32", "float64")
                  if any(name in label for label in errors)}
    return _errors_vs_depth(depths, errors, r"$\max|x - f^{-1}(f(x))|$", "Reconstruction error of a deep stack", references)


@checks.checked(depths=checks.INTEGERS(1), errors=checks.mapping(checks.ARRAY(ndim=1, finite=False)))
def plot_gradient_errors(depths, errors):
    """Figure: relative gradient error against depth, one line per label (reference: float64 backprop)."""
    return _errors_vs_depth(depths, errors, "relative gradient error", "Gradients in float32 against a float64 reference")


@checks.checked(depths=checks.INTEGERS(1), curves=checks.mapping(checks.VECTOR), highlight=checks.optional(_HIGHLIGHT))
def plot_saved_memory(depths, curves, highlight=None):
    """Figure: activation bytes saved for backward against depth, one line per mode; ``highlight`` = (depth, mode)."""
    for mode, values in curves.items():
        if len(values) != len(depths):
            raise ValueError(f"curves[{mode!r}] has {len(values)} values for {len(depths)} depths")
    fig, ax = new_figure(figsize=(6.4, 4.2))
    colors = {"store": COLORS["red"], "checkpoint": COLORS["orange"], "reversible": COLORS["blue"]}
    for mode, values in curves.items():
        ax.loglog(depths, np.asarray(values) / 2**20, "o-", color=colors.get(mode), ms=4,
                  label=reversible.MODE_LABELS.get(mode, mode))
    if highlight is not None:
        depth, mode = highlight
        value = curves[mode][list(depths).index(depth)] / 2**20
        ax.plot([depth], [value], "o", ms=13, mfc="none", mec="black", mew=1.8, label="shown above")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("depth L (blocks)")
    ax.set_ylabel("activations saved for backward (MiB)")
    ax.set_title("Memory of one training step, parameters not counted")
    ax.legend(fontsize=8.5)
    return fig


@checks.checked(c=checks.REAL, y=checks.REAL, result=checks.rule(checks.instance, cls=reversible.FixedPoint), limit=checks.POSITIVE)
def plot_residual_inverse(c, y, result, limit=4.0):
    """Figure: left, f(x) = x + c tanh(x) and its preimages of y; right, the fixed-point iteration's residuals."""
    fig, (left, right) = new_figure(1, 2, figsize=(9, 3.6))
    grid = np.linspace(-limit, limit, 801)
    left.plot(grid, reversible.tanh_residual(grid, c), color=COLORS["blue"])
    left.axhline(y, color=COLORS["grey"], lw=1, ls=":")
    roots = reversible.tanh_residual_preimages(y, c)
    left.plot(roots, np.full(len(roots), y), "o", color=COLORS["red"], ms=7, mfc="white", mew=2)
    left.set_xlabel("x")
    left.set_ylabel(r"$x + c\,\tanh(x)$")
    left_title, right_title = _residual_inverse_titles(c, y, len(roots), result)
    left.set_title(left_title)
    k = np.arange(1, result.iterations + 1)
    right.semilogy(k, np.maximum(result.residuals, 1e-18), "o-", color=COLORS["green"], ms=3)
    right.set_xlabel("iteration k")
    right.set_ylabel("residual")
    right.set_title(right_title)
    return fig


def _iterations(n):
    """'1 iteration', '2 iterations'."""
    return f"{n} iteration{'' if n == 1 else 's'}"


def _residual_inverse_titles(c, y, count, result):
    """The two titles of plot_residual_inverse (the explorer's page writes the same ones)."""
    iterations = _iterations(result.iterations)
    return (f"c = {c:g}: {count} x with f(x) = {y:g}",
            f"x ← y − q(x): converged in {iterations}" if result.converged
            else f"x ← y − q(x): no convergence in {iterations}")
