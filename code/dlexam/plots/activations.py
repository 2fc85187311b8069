"""Figures of I(B): the four activations against the band of outputs that round to 1.0, and
the derivatives that vanish when sigmoid and tanh saturate."""

import math

import numpy as np
from matplotlib.patches import Patch

from .. import neuron, saturation
from . import _checks as checks
from .style import COLORS, book_style, new_figure

_CURVE = {"relu": COLORS["blue"], "tanh": COLORS["green"], "sigmoid": COLORS["orange"], "leaky_relu": COLORS["purple"]}
_Y_LIMITS = (-1.35, 2.35)


def _grid(low, high, n=2001):
    """Points spaced evenly in asinh(z): dense near 0, sparse far out (suits a symlog axis)."""
    return np.sinh(np.linspace(np.arcsinh(low), np.arcsinh(high), n))


def _clip(value, limits=_Y_LIMITS):
    return min(max(value, limits[0] + 0.08), limits[1] - 0.08)


def _draw_reading(ax, activation, z, target, decimals, convention, x_limits, symlog, mark_label=None):
    """One activation: its curve, the band of outputs that round to `target`, and the point at z."""
    f = neuron.activation_function(activation)
    band = saturation.rounding_band(target, decimals, convention)
    pre = saturation.rounding_preimage(activation, target, decimals, convention)
    grid = _grid(*x_limits) if symlog else np.linspace(*x_limits, 1201)
    ax.axhspan(band.low, band.high, color=COLORS["yellow"], alpha=0.45, lw=0,
               label=f"outputs that round to {target:.{decimals}f}: {band}")
    if not pre.empty:
        lo = max(pre.low, x_limits[0])
        hi = min(pre.high, x_limits[1])
        if lo < hi:
            ax.axvspan(lo, hi, color=COLORS["sky"], alpha=0.25, lw=0, label=f"pre-activations that do: {pre}")
    ax.plot(grid, f(grid), color=_CURVE[activation], lw=2)
    if z is not None:
        out = float(f(z))
        shown = _clip(out)
        shown_z = min(max(z, x_limits[0]), x_limits[1])
        inside = saturation.rounds_to(out, target, decimals, convention)
        ax.scatter([shown_z], [shown], s=70, zorder=4, color=COLORS["red"] if not inside else COLORS["green"],
                   edgecolors="black", marker="^" if shown != out else "o")
        label = mark_label or f"z = {z:.6g}"
        off = shown != out or shown_z != z
        note = f"{label}\noutput {saturation.format_number(out)}" + (" (off the chart)" if off else "")
        ax.annotate(note, (shown_z, shown), textcoords="offset points", xytext=(-8, -30 if shown > 0.5 else 12),
                    ha="right", fontsize=8, bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.9))
    if symlog:
        ax.set_xscale("symlog", linthresh=4, linscale=1.2)
        ticks = [t for t in (-1e6, -1e4, -1000, -100, -10, -1, 0, 1, 10, 100, 1000, 1e4, 1e6) if x_limits[0] <= t <= x_limits[1]]
        ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.set_xlim(*x_limits)
    ax.set_ylim(*_Y_LIMITS)
    ax.axhline(0, color=COLORS["grey"], lw=0.6)
    ax.axvline(0, color=COLORS["grey"], lw=0.6)


@checks.checked(z_mark=checks.optional(checks.REAL), x_limits=checks.INTERVAL)
def plot_activation_bands(z_mark=None, target=saturation.EXAM_OBSERVED, decimals=saturation.EXAM_DECIMALS,
                          convention="half_up", x_limits=(-20.0, 2000.0)):
    """2x2 panels: each exam activation over a symlog z axis, the rounding band and the point z_mark."""
    if z_mark is None:
        z_mark = saturation.exam_pre_activation()
    fig, axes = new_figure(2, 2, figsize=(9, 6.4), sharey=True)
    with book_style():
        for ax, name in zip(axes.ravel(), saturation.EXAM_OPTIONS):
            _draw_reading(ax, name, z_mark, target, decimals, convention, x_limits, symlog=True)
            pre = saturation.rounding_preimage(name, target, decimals, convention)
            ax.set_title(f"{saturation.LABELS[name]}: rounds to {target:.{decimals}f} for z in {pre}")
        for ax in axes[1]:
            ax.set_xlabel("pre-activation z (linear in [-4, 4], logarithmic beyond)")
        for ax in axes[:, 0]:
            ax.set_ylabel("output")
        band = saturation.rounding_band(target, decimals, convention)
        handles = [Patch(color=COLORS["yellow"], alpha=0.45, label=f"outputs that round to {target:.{decimals}f}: {band}"),
                   Patch(color=COLORS["sky"], alpha=0.25, label=f"pre-activations whose output rounds to {target:.{decimals}f}")]
        fig.legend(handles=handles, loc="outside lower center", ncol=1)
    return fig


@checks.checked(x_limits=checks.INTERVAL)
def plot_rounding_thresholds(target=saturation.EXAM_OBSERVED, decimals=saturation.EXAM_DECIMALS,
                             convention="half_up", x_limits=(-1.0, 5.0)):
    """The four activations on one linear axis near the band: where each one enters it."""
    fig, ax = new_figure(figsize=(7, 4.2))
    band = saturation.rounding_band(target, decimals, convention)
    with book_style():
        ax.axhspan(band.low, band.high, color=COLORS["yellow"], alpha=0.45, lw=0,
                   label=f"outputs that round to {target:.{decimals}f}: {band}")
        grid = np.linspace(*x_limits, 1201)
        for name in saturation.EXAM_OPTIONS:
            ax.plot(grid, neuron.activation_function(name)(grid), color=_CURVE[name], lw=2,
                    ls="--" if name == "leaky_relu" else "-", label=saturation.LABELS[name])
            pre = saturation.rounding_preimage(name, target, decimals, convention)
            if not pre.empty and x_limits[0] < pre.low < x_limits[1] and name != "leaky_relu":
                ax.axvline(pre.low, color=_CURVE[name], lw=0.8, ls=":")
                ax.annotate(f"{pre.low:.3f}", (pre.low, band.low), textcoords="offset points", xytext=(3, -14),
                            fontsize=8, color=_CURVE[name])
        ax.set_xlim(*x_limits)
        ax.set_ylim(-0.4, 1.6)
        ax.set_xlabel("pre-activation z")
        ax.set_ylabel("output")
        ax.set_title("Where each activation enters the band (dotted: lower end)")
        ax.legend(loc="center right", fontsize=8)
    return fig


@checks.checked(z_mark=checks.optional(checks.REAL), zoom=checks.INTERVAL, full=checks.INTERVAL)
def plot_saturation_gradients(z_mark=None, zoom=(0.0, 45.0), full=(0.0, 1100.0)):
    """log10 of sigma'(z) and tanh'(z): exact, and as autograd computes them in float64 and float32.

    Top: the first 45 units, where the computed derivatives drop to exactly 0. Bottom: out to
    the exam's z, far past the smallest positive float64.
    """
    if z_mark is None:
        z_mark = saturation.exam_pre_activation()
    fig, (left, right) = new_figure(2, 1, figsize=(7, 8))
    styles = {"float64": dict(marker="o", ms=3, ls="none"), "float32": dict(marker="o", ms=7, mfc="none", ls="none")}
    with book_style():
        z = np.linspace(*zoom, 181)
        for name in ("sigmoid", "tanh"):
            colour = _CURVE[name]
            left.plot(z, saturation.log10_derivative(name, z), color=colour, lw=1.5,
                      label=f"{saturation.LABELS[name]}' exact")
            for dtype, style in styles.items():
                g = saturation.autograd_derivative(name, z[::3], dtype)
                with np.errstate(divide="ignore"):
                    lg = np.log10(g.astype(float))
                nz = g > 0
                left.plot(z[::3][nz], lg[nz], color=colour, alpha=0.8, label=f"autograd {dtype}", **style)
                vanish = saturation.vanishing_point(name, dtype)
                left.axvline(vanish, color=colour, lw=0.8, ls="--" if dtype == "float64" else ":")
        left.set_ylim(-40, 1)
        left.set_xlim(*zoom)
        left.set_xlabel("pre-activation z")
        left.set_ylabel("log10 of the derivative")
        left.set_title("Computed derivatives end at exactly 0 (dashed: float64, dotted: float32)", fontsize=9.5)
        left.legend(fontsize=7.5, ncol=2, loc="lower left")

        z = np.linspace(*full, 1101)
        for name in ("sigmoid", "tanh"):
            right.plot(z, saturation.log10_derivative(name, z), color=_CURVE[name], lw=1.8,
                       label=f"{saturation.LABELS[name]}' exact")
        for dtype, ls in (("float64", "--"), ("float32", ":")):
            level = math.log10(saturation.SMALLEST_SUBNORMAL[dtype])
            right.axhline(level, color=COLORS["grey"], ls=ls, lw=1)
            right.annotate(f"smallest positive {dtype}: $10^{{{level:.1f}}}$", (full[0], level), textcoords="offset points",
                           xytext=(60, 4), fontsize=8, color=COLORS["grey"],
                           bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none"))
        right.axvline(z_mark, color=COLORS["red"], lw=1)
        for name in ("sigmoid", "tanh"):
            value = float(saturation.log10_derivative(name, z_mark))
            right.scatter([z_mark], [value], color=_CURVE[name], edgecolors="black", zorder=4)
            right.annotate(f"$10^{{{value:.1f}}}$", (z_mark, value), textcoords="offset points", xytext=(-8, 8),
                           ha="right", fontsize=8, bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none"))
        right.set_xlim(*full)
        right.set_ylim(-950, 10)
        right.set_xlabel("pre-activation z")
        right.set_ylabel("log10 of the derivative")
        right.set_title(f"Exact values at the exam's z = {z_mark:.2f} (red)", fontsize=9.5)
        right.legend(fontsize=8, loc="lower left")
    return fig


@checks.checked(z=checks.REAL)
def plot_activation_reading(activation, z, target=saturation.EXAM_OBSERVED, decimals=saturation.EXAM_DECIMALS,
                            convention="half_up"):
    """One activation, the band and the current pre-activation z: linear axis near 0, symlog when z is far."""
    z = float(z)
    reach = min(max(6.0, 1.3 * abs(z)), 1e6)
    symlog = reach > 12
    fig, ax = new_figure(figsize=(6, 3.8))
    with book_style():
        _draw_reading(ax, activation, z, target, decimals, convention, (-reach, reach), symlog=symlog)
        ax.set_xlabel("pre-activation z" + (" (linear in [-4, 4], logarithmic beyond)" if symlog else ""))
        ax.set_ylabel("output")
        ax.set_title(f"{saturation.LABELS[activation]}({z:.6g}) = {saturation.format_number(float(neuron.activation_function(activation)(z)))}")
        ax.legend(loc="upper left", fontsize=7.5)
    return fig
