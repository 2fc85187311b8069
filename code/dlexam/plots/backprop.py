"""Figures of exam question IV(A)-(B): the network's graphical notation, a dense block, memory measurements."""

from matplotlib.ticker import MaxNLocator
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch
import numpy as np

from .. import backprop, memory
from . import _checks as checks
from .style import COLORS, book_style, new_figure


def _HISTORY(value, name):  # noqa: N802
    """[(step, batch loss, loss on the whole data set), ...], finite numbers."""
    for i, row in enumerate(checks.v.sequence(value, name, 0)):
        if len(checks.v.sequence(row, f"{name}[{i}]", 3, 3)):
            checks.v.array(row, f"{name}[{i}]")

_HIGHLIGHT = COLORS["orange"]
_R, _W = 0.32, 0.36  # radius of a variable's circle, half width of a function's box
_BACKWARD = COLORS["red"]


def _node(ax, x, y, text, colour="white", edge="black", radius=0.32, fontsize=11):
    ax.add_patch(Circle((x, y), radius, fc=colour, ec=edge, lw=1.2, zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=4)


def _box(ax, x, y, text, colour="white", edge="black", width=0.72, height=0.56, fontsize=11):
    box = FancyBboxPatch((x - width / 2, y - height / 2), width, height, boxstyle="round,pad=0.02,rounding_size=0.06",
                         fc=colour, ec=edge, lw=1.2, zorder=3)
    ax.add_patch(box)
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=4)


def _arrow(ax, start, end, colour="black", style="-|>", ls="-", lw=1.3, rad=0.0, shrink=17):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=12, color=colour, lw=lw, ls=ls,
                                 connectionstyle=f"arc3,rad={rad}", shrinkA=shrink, shrinkB=shrink, zorder=2))


_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _sub(symbol, index):
    """"z", 3 -> "z₃": plain text with a subscript (mathtext is slow to lay out in a widget)."""
    return f"{symbol}{str(index).translate(_SUBSCRIPTS)}"


def _chain_labels(layers, max_blocks):
    """Block numbers drawn in the chain: all of them, or the first two, None (a gap), and the last."""
    if layers <= max_blocks:
        return list(range(1, layers + 1))
    return [1, 2, None, layers]


def _draw_graphical_notation(ax, layers, substep=None, max_blocks=4):
    """Draw the chain x -> f_1 -> z_1 -> ... -> f_L -> z_L -> l -> loss, forward on top, backward below."""
    blocks = _chain_labels(layers, max_blocks)
    lit = {k: substep == k for k in range(1, 6)}
    fill = {True: "#fde7c2"}
    x = 0.0
    _node(ax, x, 0, "x", colour=fill.get(lit[1], "white"), edge=_HIGHLIGHT if lit[1] else "black")
    ax.text(x, -0.55, "batch\nx⁽¹⁾ … x⁽ᴮ⁾", ha="center", va="top", fontsize=8.5,
            color=_HIGHLIGHT if lit[1] else "black")
    z_positions = [(x, "x")]
    for l in blocks:
        if l is None:
            ax.text(x + 0.9, 0, "$\\cdots$", ha="center", va="center", fontsize=16)
            x += 1.8
            z_positions.append((x, None))
            continue
        fx, zx = x + 1.0, x + 2.0
        forward_colour = _HIGHLIGHT if lit[2] else "black"
        start = x + (_R if z_positions[-1][1] is not None else -0.5)  # after a gap, start from the dots
        _arrow(ax, (start, 0), (fx - _W, 0), colour=forward_colour, shrink=0)
        _box(ax, fx, 0, _sub("f", l), colour=fill.get(lit[2], "white"), edge=forward_colour)
        _arrow(ax, (fx + _W, 0), (zx - _R, 0), colour=forward_colour, shrink=0)
        kept = lit[2] or lit[3]
        _node(ax, zx, 0, _sub("z", l), colour=fill.get(kept, "white"), edge=_HIGHLIGHT if kept else "black")
        # parameters above each block, their gradient next to them
        theta_colour = _HIGHLIGHT if lit[5] else COLORS["grey"]
        ax.text(fx, 1.05, f"{_sub('θ', l)} = ({_sub('W', l)}, {_sub('b', l)})", ha="center", va="center", fontsize=9.5,
                color=theta_colour, fontweight="bold" if lit[5] else "normal")
        _arrow(ax, (fx - 0.08, 0.88), (fx - 0.08, 0.3), colour=theta_colour, shrink=2)
        backward_colour = _BACKWARD if lit[4] else "#d9a48a"
        _arrow(ax, (fx + 0.12, 0.3), (fx + 0.12, 0.88), colour=backward_colour, ls="--", shrink=2)
        if lit[4] or lit[5]:
            ax.text(fx + 0.2, 0.6, f"∂L̂/∂{_sub('θ', l)}", ha="left", va="center",
                    fontsize=8.5, color=_BACKWARD if lit[4] else COLORS["grey"])
        z_positions.append((zx, l))
        x = zx
    # the loss
    lx, Lx = x + 1.0, x + 2.0
    loss_colour = _HIGHLIGHT if lit[3] else "black"
    _arrow(ax, (x + _R, 0), (lx - _W, 0), colour=loss_colour, shrink=0)
    _box(ax, lx, 0, "ℓ", colour=fill.get(lit[3], "white"), edge=loss_colour)
    _arrow(ax, (lx + _W, 0), (Lx - _R, 0), colour=loss_colour, shrink=0)
    _node(ax, Lx, 0, "L̂", colour=fill.get(lit[3], "white"), edge=loss_colour)
    ax.text(Lx, -0.55, f"(1/B) Σᵢ ℓ({_sub('z', layers)}⁽ⁱ⁾)\ni = 1 … B", ha="center", va="top", fontsize=9,
            color=loss_colour)
    # backward arcs between consecutive activations, from the loss towards the input
    backward_colour = _BACKWARD if lit[4] else "#e8c3b0"
    stops = [p for p in z_positions] + [(Lx, "L")]
    for (x0, a), (x1, b) in zip(stops[:-1], stops[1:]):
        if a is None or b is None:
            continue
        _arrow(ax, (x1 - 0.12, -_R), (x0 + 0.12, -_R), colour=backward_colour, ls="--", rad=-0.45, shrink=0)
        if lit[4] and a != "x":  # the arc delivers delta_a = dL/dz_a
            ax.text((x0 + x1) / 2, -0.98, _sub("δ", a), ha="center", va="center", fontsize=9,
                    color=_BACKWARD)
    ax.set_xlim(-0.6, Lx + 0.9)
    ax.set_ylim(-1.15, 1.3)
    ax.set_aspect("equal")
    ax.axis("off")


def plot_graphical_notation(layers=3, substep=None):
    """The exam's lost figure 1: x -> f_1 -> z_1 -> ... -> f_L -> z_L -> loss, with the backward pass.

    ``substep`` (1..5, see ``backprop.SUBSTEPS``) highlights what that sub-step of SGD touches:
    the batch, the forward pass and its kept activations, the loss, the backward pass, the
    parameters. Networks of more than four blocks are drawn with a gap.
    """
    layers = backprop._check_int(layers, "layers")
    if substep is not None:
        substep = backprop._check_int(substep, "substep")
        if substep > len(backprop.SUBSTEPS):
            raise ValueError(f"substep must be between 1 and {len(backprop.SUBSTEPS)} or None, got {substep}")
    n_drawn = len(_chain_labels(layers, 4))
    fig, ax = new_figure(figsize=(1.55 * n_drawn + 3.6, 2.9))
    with book_style():
        _draw_graphical_notation(ax, layers, substep)
        if substep is None:
            title = ("forward (solid): $z_1 = f_1(x)$, $z_{l+1} = f_{l+1}(z_l)$, loss $\\ell(z_L)$;  "
                     "backward (dashed): $\\delta_l = \\partial\\hat L/\\partial z_l$")
        else:
            title = f"sub-step {substep} of 5: {backprop.SUBSTEPS[substep - 1]}"
        ax.set_title(title, fontsize=10)
    return fig


@checks.checked(saved=checks.BOOL)
def plot_dense_block(width=4, saved=True):
    """The exam's lost figure 2: a dense block, an affine map a = W z + b then tanh element by element.

    With ``saved``, the figure marks what PyTorch's autograd keeps for the backward pass: the
    block's input (for dW) and tanh's output (for tanh' = 1 - z^2), not the pre-activation.
    """
    width = backprop._check_int(width, "width")
    if width > 8:
        raise ValueError(f"width must be at most 8 to stay legible, got {width}")
    fig, ax = new_figure(figsize=(7.6, 4.2))
    ys = np.linspace(1, -1, width) * (min(1.0, (width - 1) / 4) if width > 1 else 0)
    columns = {0.0: "z_{l-1}", 2.4: "a_l", 4.2: "z_l"}
    with book_style():
        for a in ys:
            for b in ys:
                ax.plot([0, 2.4], [a, b], color=COLORS["grey"], lw=0.6, alpha=0.6, zorder=1)
        bias_y = ys.min() - 0.55
        for b in ys:
            ax.plot([0.6, 2.4], [bias_y, b], color=COLORS["orange"], lw=0.7, alpha=0.8, zorder=1)
        ax.scatter([0.6], [bias_y], marker="s", s=220, color="white", edgecolors=COLORS["orange"], zorder=3)
        ax.text(0.6, bias_y, "+1", ha="center", va="center", fontsize=8, color=COLORS["orange"], zorder=4)
        for b in ys:
            _arrow(ax, (2.4, b), (4.2, b), colour="black", shrink=9)
            ax.text(3.3, b + 0.07, "tanh", ha="center", va="bottom", fontsize=8)
        keep = {0.0: saved, 2.4: False, 4.2: saved}
        for x, name in columns.items():
            colour = COLORS["green"] if keep[x] else "white"
            ax.scatter(np.full(width, x), ys, s=260, color=colour, edgecolors="black", linewidths=0.8, zorder=3,
                       alpha=0.85 if keep[x] else 1)
        top = ys.max() + 0.35
        ax.text(0.0, top, "input $z_{l-1}$\n($d$ numbers)", ha="center", va="bottom", fontsize=9.5)
        ax.text(2.4, top, "pre-activation\n$a_l = W_l z_{l-1} + b_l$", ha="center", va="bottom", fontsize=9.5)
        ax.text(4.2, top, "output\n$z_l = \\tanh(a_l)$", ha="center", va="bottom", fontsize=9.5)
        ax.text(1.2, bias_y - 0.3, "affine map:\n$d \\times d$ weights, $d$ biases", ha="center", va="top",
                fontsize=9)
        ax.text(3.3, bias_y - 0.3, "element-wise:\nno parameters", ha="center", va="top", fontsize=9)
        if saved:
            ax.text(5.0, 0.55,
                    "kept for backward (green):\n"
                    "• $z_{l-1}$, by the affine map,\n   for $\\partial\\hat L/\\partial W_l$\n"
                    "• $z_l$, by tanh, for\n   $\\tanh'(a_l) = 1 - z_l^2$\n"
                    "• not $a_l$: tanh' needs only $z_l$",
                    ha="left", va="center", fontsize=9)
            ax.text(5.0, -0.95, "$z_l$ is also the next block's\ninput: one tensor, kept once",
                    ha="left", va="center", fontsize=9, color=COLORS["green"])
        ax.set_xlim(-0.5, 7.4)
        ax.set_ylim(bias_y - 0.95, top + 0.5)
        ax.axis("off")
        ax.set_title(f"a dense block drawn with $d = {width}$: affine map, then tanh element by element", fontsize=10)
    return fig


def _line(measurements, var):
    """The measurements along one variable, the other two at their largest values, sorted."""
    attrs = {"L": "layers", "B": "batch_size", "d": "width"}
    top = {v: max(getattr(m, a) for m in measurements) for v, a in attrs.items()}
    line = [m for m in measurements if all(getattr(m, a) == top[v] for v, a in attrs.items() if v != var)]
    return sorted(line, key=lambda m: getattr(m, attrs[var]))


def plot_saved_growth(measurements, fit=None):
    """Saved bytes against L, B and d (log-log), measured, with the fit and the exam's L*B*d prediction.

    measurements: list of backprop.StackMemory (e.g. from ``backprop.saved_bytes_grid``);
    fit: a LinearFit from ``backprop.fit_activation_bytes`` (fitted here when not given).
    """
    measurements = backprop._check_measurements(measurements)
    fit = backprop.fit_activation_bytes(measurements) if fit is None else fit
    if not isinstance(fit, memory.LinearFit) or fit.names != ("L*B*d", "B*d"):
        raise TypeError("fit must be the LinearFit of backprop.fit_activation_bytes")
    fig, axes = new_figure(1, 3, figsize=(10.5, 3.6), sharey=True)
    labels = {"L": "blocks $L$", "B": "batch size $B$", "d": "width $d$"}
    attrs = {"L": "layers", "B": "batch_size", "d": "width"}
    with book_style():
        for ax, var in zip(axes, ("L", "B", "d")):
            line = _line(measurements, var)
            xs = np.array([getattr(m, attrs[var]) for m in line])
            act = np.array([m.activation_bytes for m in line])
            tot = np.array([m.total_bytes for m in line])
            ax.plot(xs, tot, "o", mfc="white", color=COLORS["grey"], label="all saved (weights too)")
            ax.plot(xs, act, "o", color=COLORS["blue"], label="activations (measured)")
            grid = np.geomspace(xs.min(), xs.max(), 50)
            rest = {v: getattr(line[0], attrs[v]) for v in attrs if v != var}
            L = grid if var == "L" else rest["L"]
            B = grid if var == "B" else rest["B"]
            d = grid if var == "d" else rest["d"]
            a, b = fit.coefficients
            ax.plot(grid, a * L * B * d + b * B * d, color=COLORS["blue"], lw=1,
                    label=f"fit {a:.2f}·LBd + {b:.2f}·Bd")
            ax.plot(grid, line[0].itemsize * L * B * d, "--", color=COLORS["orange"],
                    label="exam: $L\\cdot B\\cdot d$ numbers")
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel(labels[var])
            fixed = ", ".join(f"{v} = {rest[v]}" for v in rest)
            ax.set_title(fixed, fontsize=9.5)
        axes[0].set_ylabel("bytes saved for backward")
        axes[0].legend(fontsize=8, loc="upper left")
        fig.suptitle("what autograd keeps for a stack of dense tanh blocks (float32)", fontsize=11)
    return fig


@checks.checked(rows=checks.instances(backprop.GradientMemory))
def plot_gradient_memory(rows):
    """Bytes of per-example gradients against backpropagation's one gradient, as B and d grow (log-log).

    rows: list of backprop.GradientMemory. Left: against B at the largest d measured with
    several B; right: against d at the largest B measured with several d.
    """
    rows = list(rows)
    if not rows or not all(isinstance(r, backprop.GradientMemory) for r in rows):
        raise TypeError("rows must be a non-empty list of backprop.GradientMemory")
    fig, axes = new_figure(1, 2, figsize=(9.5, 3.7), sharey=True)
    with book_style():
        for ax, var, other in ((axes[0], "batch_size", "width"), (axes[1], "width", "batch_size")):
            counts = {}
            for r in rows:
                counts.setdefault(getattr(r, other), set()).add(getattr(r, var))
            fixed = max((v for v, s in counts.items() if len(s) > 1), default=None)
            if fixed is None:
                ax.text(0.5, 0.5, f"measure several values of {var}", ha="center", transform=ax.transAxes)
                continue
            line = sorted((r for r in rows if getattr(r, other) == fixed), key=lambda r: getattr(r, var))
            xs = [getattr(r, var) for r in line]
            ax.plot(xs, [r.per_example_bytes for r in line], "o-", color=COLORS["red"],
                    label="per-example gradients (vmap of grad)")
            ax.plot(xs, [r.batched_bytes for r in line], "s-", color=COLORS["blue"], label="backpropagation's gradient")
            ax.plot(xs, [r.activation_bytes for r in line], "^:", color=COLORS["green"],
                    label="activations kept for backward")
            ax.set_xscale("log", base=2)
            ax.set_yscale("log")
            name = {"batch_size": "batch size $B$", "width": "width $d$"}
            ax.set_xlabel(name[var])
            ax.set_title(f"{name[other]} = {fixed}, $L$ = {line[0].layers}", fontsize=10)
        axes[0].set_ylabel("bytes (float32)")
        axes[0].legend(fontsize=8, loc="upper left")
    return fig


_PARTS = (("activations", COLORS["blue"]), ("parameters", COLORS["grey"]), ("gradients", COLORS["sky"]),
          ("optimizer_state", COLORS["orange"]))
_LABELS = {"activations": "activations", "parameters": "parameters", "gradients": "gradients",
           "optimizer_state": "optimiser state"}


@checks.checked(budgets=checks.instances(backprop.MemoryBudget), sweep=checks.instances(backprop.MemoryBudget, min_length=0))
def plot_memory_budget(budgets, sweep=()):
    """Stacked bars of a training step's memory for each budget (one per optimizer), and optionally
    the parts against the batch size (``sweep``: budgets of one network at several B)."""
    budgets, sweep = list(budgets), list(sweep)
    if not budgets or not all(isinstance(b, backprop.MemoryBudget) for b in budgets + sweep):
        raise TypeError("budgets (and sweep) must be lists of backprop.MemoryBudget")
    fig, axes = new_figure(1, 2 if sweep else 1, figsize=(10.5 if sweep else 6.5, 3.4))
    ax = axes[0] if sweep else axes
    mib = 2**20
    with book_style():
        for i, budget in enumerate(budgets):
            left = 0
            for part, colour in _PARTS:
                value = getattr(budget, part) / mib
                ax.barh(i, value, left=left, color=colour, label=_LABELS[part] if i == 0 else None)
                left += value
            ax.text(left, i, f" {budget.total / mib:,.0f} MiB", va="center", fontsize=9)
        ax.set_yticks(range(len(budgets)), [b.optimizer for b in budgets])
        ax.invert_yaxis()
        ax.set_xlabel("MiB")
        ax.set_xlim(0, max(b.total for b in budgets) / mib * 1.25)
        b0 = budgets[0]
        ax.set_title(f"one step, $L$ = {b0.layers}, $B$ = {b0.batch_size}, $d$ = {b0.width}, float32", fontsize=10)
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=4)
        if sweep:
            ax2 = axes[1]
            sweep.sort(key=lambda b: b.batch_size)
            B = [b.batch_size for b in sweep]
            ax2.plot(B, [b.activations / mib for b in sweep], "o-", color=COLORS["blue"], label="activations")
            ax2.plot(B, [(b.parameters + b.gradients) / mib for b in sweep], "-", color=COLORS["grey"],
                     label="parameters + gradients")
            ax2.plot(B, [(b.parameters + b.gradients + b.optimizer_state) / mib for b in sweep], "--",
                     color=COLORS["orange"], label=f"... + {sweep[0].optimizer} state")
            ax2.set_xscale("log", base=2)
            ax2.set_yscale("log")
            ax2.set_xlabel("batch size $B$")
            ax2.set_ylabel("MiB")
            ax2.set_title("activations grow with $B$; the rest does not", fontsize=10)
            ax2.legend(fontsize=8)
    return fig


@checks.checked(substep=checks.INT(0, len(backprop.SUBSTEPS)), history=_HISTORY)
def plot_sgd_progress(layers, substep, history):
    """The graphical notation with one SGD sub-step highlighted, above the loss over the steps so far.

    history: list of (step, batch loss, loss on the whole data set) after each completed step.
    """
    layers = backprop._check_int(layers, "layers")
    history = list(history)
    fig, (top, bottom) = new_figure(2, 1, figsize=(7.2, 5.4), height_ratios=[1.2, 1])
    with book_style():
        _draw_graphical_notation(top, layers, substep if substep else None)
        title = f"sub-step {substep} of 5: {backprop.SUBSTEPS[substep - 1]}" if substep else "before the first step"
        top.set_title(title, fontsize=10)
        if history:
            steps = [h[0] for h in history]
            bottom.plot(steps, [h[1] for h in history], "o", ms=3, color=COLORS["grey"], label="batch loss L̂ at θ_old")
            bottom.plot(steps, [h[2] for h in history], "-", color=COLORS["blue"], label="loss on all data at θ_new")
            bottom.legend(fontsize=8)
        else:
            bottom.text(0.5, 0.5, "no step taken yet", ha="center", va="center", transform=bottom.transAxes)
        bottom.xaxis.set_major_locator(MaxNLocator(integer=True))
        bottom.set_xlabel("SGD step")
        bottom.set_ylabel("loss")
    return fig
