"""Figures of question III: particle configurations in 3D, augmentations, rotation samplers, invariance.

Particles are coloured by their index in the array (dark for particle 0, light for the last)
and joined in index order by a thin grey chain: a rotation moves the picture but keeps the
colours and the chain; a permutation keeps every position but changes colours and chain.
"""

import numpy as np
import torch

from .. import augment, invariance, particles, rotations
from . import _checks as checks
from .style import COLORS, book_style, describe, new_figure


def _CONFIGS(value, name):  # noqa: N802
    """A non-empty list of configurations (m, 3)."""
    for i, x in enumerate(checks.v.sequence(value, name, 1, 100)):
        checks.POINTS(x, f"{name}[{i}]")

INDEX_CMAP = "viridis"
FRAME_COLOURS = (COLORS["red"], COLORS["green"], COLORS["blue"])
VIEW = dict(elev=18, azim=-58)


def _as_array(x, name="x"):
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[1] != 3 or x.shape[0] < 1:
        raise ValueError(f"{name} must be one configuration of shape (m, 3), got {x.shape}")
    return x


def _limit(configs, frame_length=0.0):
    return 1.08 * max(max(float(np.abs(x).max()) for x in configs), frame_length, 1e-6)


@checks.checked(ax=checks.rule(checks.instance, cls=checks.Axes, what='matplotlib 3-D Axes'), x=checks.POINTS, limit=checks.optional(checks.POSITIVE), chain=checks.BOOL, labels=checks.BOOL, frame=checks.optional(checks.ARRAY(shape=(3, 3))), title=checks.optional(checks.TEXT))
def draw_configuration(ax, x, limit=None, chain=True, labels=True, frame=None, title=None):
    """Draw one configuration (m, 3) on a 3-D axes, coloured by particle index; returns the scatter.

    ``frame`` (3, 3): draw its columns as arrows from the origin (e.g. the rotated x, y, z axes).
    """
    x = _as_array(x)
    m = len(x)
    if limit is None:
        limit = _limit([x])
    with book_style():
        if chain and m > 1:
            ax.plot(x[:, 0], x[:, 1], x[:, 2], color=COLORS["grey"], lw=0.8, alpha=0.7)
        points = ax.scatter(x[:, 0], x[:, 1], x[:, 2], c=np.arange(m), cmap=INDEX_CMAP, vmin=0,
                            vmax=max(m - 1, 1), s=46, edgecolors="black", linewidths=0.5, depthshade=False)
        if labels:
            for i, (a, b, c) in enumerate(x):
                ax.text(a, b, c, f" {i}", fontsize=6.5, color="black")
        if frame is not None:
            F = np.asarray(frame.detach().numpy() if isinstance(frame, torch.Tensor) else frame, dtype=float)
            length = 0.55 * limit
            for k, (colour, name) in enumerate(zip(FRAME_COLOURS, "xyz")):
                u, v, w = length * F[:, k]
                ax.quiver(0, 0, 0, u, v, w, color=colour, lw=1.8, arrow_length_ratio=0.15)
                ax.text(1.12 * u, 1.12 * v, 1.12 * w, name, color=colour, fontsize=9, fontweight="bold")
        ax.set_xlim(-limit, limit)
        ax.set_ylim(-limit, limit)
        ax.set_zlim(-limit, limit)
        ax.set_box_aspect((1, 1, 1), zoom=1.12)
        ax.view_init(**VIEW)
        ax.set_xlabel("x", labelpad=-8)
        ax.set_ylabel("y", labelpad=-8)
        ax.set_zlabel("z", labelpad=-8)
        ax.tick_params(labelsize=6.5, pad=-2)
        if title:
            ax.set_title(title, fontsize=9.5, pad=0)
    return points


def _figure_3d(n, ncols=None, panel_width=3.2, panel_height=3.4, colourbar_width=0.7):
    ncols = n if ncols is None else max(1, min(int(ncols), n))
    nrows = -(-n // ncols)
    width, height = panel_width * ncols + colourbar_width, panel_height * nrows
    fig, axes = new_figure(nrows, ncols, figsize=(width, height), subplot_kw={"projection": "3d"})
    # Constrained layout leaves wide margins around 3-D axes: place the panels by hand.
    fig.set_layout_engine(None)
    fig.subplots_adjust(left=0.0, right=1 - colourbar_width / width, bottom=0.02 * 3.4 / height,
                        top=1 - 0.4 / height, wspace=0.0, hspace=0.22)
    axes = np.atleast_1d(axes).ravel()
    for ax in axes[n:]:
        ax.remove()
    return fig, axes[:n]


def _index_colourbar(fig, points, m):
    width = fig.get_figwidth()
    with book_style():
        height = fig.get_figheight()
        cax = fig.add_axes([1 - 0.62 / width, 0.5 - 1.0 / height, 0.12 / width, 2.0 / height])
        bar = fig.colorbar(points, cax=cax, ticks=[0, m - 1])
        bar.set_label("particle index", fontsize=8.5)
        bar.ax.tick_params(labelsize=8)


@checks.checked(configs=_CONFIGS, titles=checks.optional(checks.TEXTS), chain=checks.BOOL, labels=checks.BOOL, suptitle=checks.optional(checks.TEXT), ncols=checks.optional(checks.INT(1, 100)))
def plot_configurations(configs, titles=None, frames=None, chain=True, labels=True, suptitle=None, ncols=None):
    """Configurations side by side (``ncols`` per row) on shared axes; particles coloured by index."""
    configs = [_as_array(x, f"configs[{i}]") for i, x in enumerate(configs)]
    if not configs:
        raise ValueError("give at least one configuration to draw")
    titles = list(titles) if titles is not None else [None] * len(configs)
    frames = list(frames) if frames is not None else [None] * len(configs)
    if len(titles) != len(configs) or len(frames) != len(configs):
        raise ValueError("titles and frames must hold one entry (or None) per configuration")
    limit = _limit(configs)
    fig, axes = _figure_3d(len(configs), ncols)
    for ax, x, title, frame in zip(axes, configs, titles, frames):
        points = draw_configuration(ax, x, limit, chain=chain, labels=labels, frame=frame, title=title)
    _index_colourbar(fig, points, len(configs[-1]))
    if suptitle:
        with book_style():
            fig.suptitle(suptitle, fontsize=10.5, y=0.995)
    n, m = len(configs), len(configs[-1])
    panels = " ".join(f"Panel {k}: {' '.join(str(t).split())}." for k, t in enumerate(titles, 1) if t)
    describe(fig, (f"{suptitle.strip()}. " if suptitle else "")
             + f"{n} configuration{'s' if n > 1 else ''} of {m} particles in 3-D, each particle a dot coloured by its "
             + "index" + (" and joined to the next index by a line" if chain else "") + ". " + panels, whole=True)
    return fig


def _energy(x):
    return float(particles.target(_as_array(x)[None].astype(np.float64))[0])


@checks.checked(x_train=checks.POINTS, x_val=checks.POINTS)
def plot_training_and_validation(x_train, x_val):
    """A training configuration (canonical frame) next to a validation one (rotated and permuted)."""
    return plot_configurations(
        [x_train, x_val],
        [f"training: canonical frame, sorted by x\nP = {_energy(x_train):.3f}",
         f"validation: rotated and permuted\nP = {_energy(x_val):.3f}"],
        frames=[np.eye(3), np.eye(3)],
    )


@checks.checked(x=checks.POINTS, R=checks.ARRAY(shape=(3, 3)))
def plot_augmentations(x, R, permutation):
    """One configuration: as stored, rotated by R, permuted, and both (x -> R x, then reordered)."""
    x = _as_array(x)
    R = np.asarray(R.detach().numpy() if isinstance(R, torch.Tensor) else R, dtype=float)
    if permutation is None or isinstance(permutation, (str, bytes)) or not hasattr(permutation, "__len__"):
        raise TypeError(f"permutation must be an array of the indices 0..m-1, got {type(permutation).__name__}")
    perm = np.asarray(permutation.detach().numpy() if isinstance(permutation, torch.Tensor) else permutation)
    if R.shape != (3, 3):
        raise ValueError(f"R must be one (3, 3) matrix, got shape {R.shape}")
    if sorted(perm.tolist()) != list(range(len(x))):
        raise ValueError(f"permutation must reorder 0..{len(x) - 1}, each index once")
    rotated = x @ R.T
    configs = [x, rotated, x[perm], rotated[perm]]
    energies = [_energy(c) for c in configs]
    titles = [f"original\nP = {energies[0]:.4f}", f"rotated\nP = {energies[1]:.4f}",
              f"permuted\nP = {energies[2]:.4f}", f"rotated and permuted\nP = {energies[3]:.4f}"]
    return plot_configurations(configs, titles, frames=[np.eye(3), R, np.eye(3), R], ncols=2)


def _short(name, width=24):
    words, lines, line = name.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join(lines + [line])


@checks.checked(samples=checks.mapping(checks.ARRAY(ndim=3)), bins=checks.INT(1, 1000))
def plot_rotation_samplers(samples, bins=30):
    """Per sampler: histogram of rotation angles against (1 - cos θ)/π, and the mean matrix.

    ``samples`` maps a sampler's name to its (n, 3, 3) matrices. A uniform sampler of
    rotations follows the curve, has mean matrix 0 (white) and only det +1.
    """
    if not samples:
        raise ValueError("give at least one sample of rotations")
    k = len(samples)
    fig, axes = new_figure(2, k, figsize=(3.4 * k, 6.2), height_ratios=[1.15, 1], squeeze=False)
    theta = np.linspace(0, np.pi, 200)
    edges = np.linspace(0, np.pi, bins + 1)
    with book_style():
        for col, (name, R) in enumerate(samples.items()):
            R = R.detach().to(torch.float64) if isinstance(R, torch.Tensor) else torch.as_tensor(np.asarray(R, float))
            angles = rotations.rotation_angles(R).numpy()
            det = torch.linalg.det(R).numpy()
            stats = augment.rotation_statistics(R)
            ax = axes[0, col]
            weight = bins / np.pi / len(angles)  # a density over [0, pi] for the whole sample
            parts = [angles[det > 0], angles[det < 0]]
            ax.hist(parts, bins=edges, weights=[np.full(len(p), weight) for p in parts], stacked=True,
                    color=[COLORS["sky"], COLORS["orange"]], label=["det +1", "det −1 (reflection)"])
            ax.plot(theta, rotations.haar_angle_density(theta), color="black", lw=1.6, label="uniform: (1 − cos θ)/π")
            ax.set_xlim(0, np.pi)
            ax.set_ylim(0, 1.15 * max(0.66, np.histogram(angles, bins=edges, density=True)[0].max()))
            ax.set_xticks([0, np.pi / 2, np.pi], ["0", "π/2", "π"])
            ax.set_xlabel("rotation angle θ")
            if col == 0:
                ax.set_ylabel("density")
            ax.set_title(_short(name), fontsize=9.5)
            ax.text(0.03, 0.97, f"E[tr] = {stats.mean_trace:+.3f}\nE[tr²] = {stats.mean_trace_squared:.3f}\n"
                                f"det +1: {100 * stats.fraction_proper:.1f}%",
                    transform=ax.transAxes, va="top", fontsize=8,
                    bbox=dict(boxstyle="round,pad=0.25", fc="white", ec="#cccccc"))
            if col == 0:
                ax.legend(fontsize=7, loc="center left")
            ax2 = axes[1, col]
            image = ax2.imshow(stats.mean, cmap="RdBu_r", vmin=-1, vmax=1)
            for i in range(3):
                for j in range(3):
                    ax2.text(j, i, f"{round(float(stats.mean[i, j]), 2) + 0.0:+.2f}", ha="center", va="center", fontsize=9)
            ax2.set_xticks(range(3))
            ax2.set_yticks(range(3))
            ax2.set_title("mean matrix E[R] (uniform: 0)", fontsize=9)
        fig.colorbar(image, ax=list(axes[1]), shrink=0.8, label="mean entry")
    return fig


@checks.checked(gaps=checks.mapping(checks.rule(checks.instance, cls=invariance.InvarianceGap)), floor=checks.POSITIVE)
def plot_invariance_gaps(gaps, floor=1e-18):
    """Per model, the largest |F(TX) − F(X)| of each configuration, on a log scale.

    ``gaps`` maps a label to an ``invariance.InvarianceGap``; exact zeros are drawn at ``floor``.
    """
    if not gaps:
        raise ValueError("give at least one InvarianceGap")
    labels = list(gaps)
    fig, ax = new_figure(figsize=(max(5.5, 1.5 * len(labels) + 1.5), 3.8))
    rng = np.random.default_rng(0)  # horizontal jitter only, fixed for a reproducible figure
    with book_style():
        for i, label in enumerate(labels):
            values = gaps[label].per_configuration
            shown = np.maximum(values, floor)
            ax.scatter(i + rng.uniform(-0.25, 0.25, len(shown)), shown, s=7, alpha=0.5,
                       color=list(COLORS.values())[i % len(COLORS)], edgecolors="none")
            ax.plot([i - 0.35, i + 0.35], [shown.max()] * 2, color="black", lw=1.2)
        ax.set_yscale("log")
        ax.set_ylim(floor / 3, None)
        ax.axhline(floor, color=COLORS["grey"], lw=0.8, ls=":")
        ax.text(len(labels) - 0.5, floor * 1.4, "exactly 0", fontsize=8, color=COLORS["grey"], ha="right")
        ax.set_xticks(range(len(labels)), [_short(label, 18) for label in labels], fontsize=8.5)
        ax.set_xlim(-0.6, len(labels) - 0.4)
        ax.set_ylabel("largest |F(TX) − F(X)|\nper configuration")
        ax.set_title("How much each output moves under random transformations T (black: maximum)")
    return fig


@checks.checked(gaps=checks.mapping(checks.rule(checks.instance, cls=invariance.InvarianceGap)), n_configurations=checks.INT(1, 100))
def plot_outputs_under_permutations(gaps, n_configurations=8):
    """Per model, its output on a few configurations for every random transformation (dots) and X (dash)."""
    if not gaps:
        raise ValueError("give at least one InvarianceGap")
    k = len(gaps)
    fig, axes = new_figure(1, k, figsize=(3.6 * k, 3.4), squeeze=False)
    with book_style():
        for ax, (label, gap) in zip(axes[0], gaps.items()):
            n = min(n_configurations, len(gap.reference))
            for b in range(n):
                values = gap.outputs[:, b]
                ax.scatter(np.full(len(values), b) + np.linspace(-0.3, 0.3, len(values)), values, s=5,
                           alpha=0.6, color=COLORS["blue"], edgecolors="none")
                ax.plot([b - 0.38, b + 0.38], [gap.reference[b]] * 2, color=COLORS["red"], lw=1.6)
            ax.set_xticks(range(n))
            ax.set_xlabel("configuration")
            ax.set_title(f"{label}\nlargest change {gap.max_abs_change:.2g}", fontsize=9.5)
        axes[0, 0].set_ylabel("output F")
    return fig


@checks.checked(angles=checks.VECTOR, curves=checks.mapping(checks.VECTOR), reference_label=checks.optional(checks.TEXT))
def plot_output_under_rotation(angles, curves, reference_label=None):
    """Change of each curve from its value at angle 0 while a configuration turns about an axis.

    ``angles`` (k,) radians; ``curves`` maps a label to (k,) outputs at those angles.
    """
    angles = np.asarray(angles, dtype=float)
    if not curves:
        raise ValueError("curves must hold at least one curve")
    if reference_label is not None and reference_label not in curves:
        raise ValueError(f"reference_label must be one of the curves' labels {list(curves)}, got {reference_label!r}")
    fig, ax = new_figure(figsize=(6.2, 3.5))
    with book_style():
        for i, (label, values) in enumerate(curves.items()):
            values = np.asarray(values, dtype=float)
            if values.shape != angles.shape:
                raise ValueError(f"curves[{label!r}] has {values.shape} values for {angles.shape} angles")
            ax.plot(np.degrees(angles), values - values[0], lw=2 if label == reference_label else 1.6,
                    color=list(COLORS.values())[i % len(COLORS)], label=label)
        ax.axhline(0, color=COLORS["grey"], lw=0.6)
        ax.set_xlabel("rotation angle about the axis (degrees)")
        ax.set_ylabel("output − output at 0°")
        ax.set_xlim(np.degrees(angles[0]), np.degrees(angles[-1]))
        ax.legend(fontsize=8)
    return fig


@checks.checked(features=checks.MATRIX, pooled=checks.VECTOR, output=checks.optional(checks.REAL), order=checks.optional(checks.ARRAY(ndim=1, integral=True, dtype=None)))
def plot_phi_embeddings(features, pooled, output=None, order=None):
    """φ(x_i) of every particle (rows, m × k) above their sum over particles (k), as heat maps."""
    features = np.asarray(features.detach().numpy() if isinstance(features, torch.Tensor) else features, float)
    pooled = np.asarray(pooled.detach().numpy() if isinstance(pooled, torch.Tensor) else pooled, float)
    if features.ndim != 2 or pooled.shape != (features.shape[1],):
        raise ValueError(f"features must be (m, k) and pooled (k,), got {features.shape} and {pooled.shape}")
    m, k = features.shape
    order = np.arange(m) if order is None else np.asarray(order)
    if sorted(order.tolist()) != list(range(m)):
        raise ValueError(f"order must be a permutation of 0..{m - 1}, the particles' original indices")
    fig, (top, bottom) = new_figure(2, 1, figsize=(7.2, 2.2 + 0.13 * m), height_ratios=[max(m, 1), 2.2])
    with book_style():
        scale = max(float(np.abs(features).max()), 1e-12)
        image = top.imshow(features, aspect="auto", cmap="RdBu_r", vmin=-scale, vmax=scale, interpolation="nearest")
        top.set_yticks(range(m), [str(i) for i in order], fontsize=6.5 if m > 12 else 8)
        top.set_ylabel("row = particle\n(original index)")
        top.set_xticks([])
        top.set_title(f"φ(x_i): {m} particles × {k} features, one shared network", fontsize=9.5)
        fig.colorbar(image, ax=top, pad=0.01, label="φ feature")
        total = max(float(np.abs(pooled).max()), 1e-12)
        bottom.imshow(pooled[None], aspect="auto", cmap="RdBu_r", vmin=-total, vmax=total, interpolation="nearest")
        bottom.set_yticks([0], ["sum"])
        bottom.set_xlabel("feature")
        title = f"Σ_i φ(x_i), colours up to ±{total:.3g}: the same for every order of the rows"
        if output is not None:
            title += f"\nF(X) = ρ(Σ_i φ(x_i)) = {float(output):.5f}"
        bottom.set_title(title, fontsize=9.5)
        fig.colorbar(image, ax=bottom, pad=0.01).remove()  # keeps the two maps the same width
    return fig


@checks.checked(x=checks.POINTS, changes=checks.mapping(checks.ARRAY(ndim=1)), current=checks.INT(0), floor=checks.POSITIVE)
def plot_permutation_changes(x, changes, current=0, floor=1e-18):
    """Left: a configuration in 3D. Right: |output change| of each function per permutation seed 1..S.

    ``changes`` maps a label (e.g. "P", "DeepSets", "MLP") to (S,) absolute changes; exact
    zeros are drawn at ``floor``; ``current`` marks one seed with a dashed line (0 for none).
    """
    if not changes:
        raise ValueError("changes must hold at least one sequence of changes")
    lengths = {len(np.asarray(v)) for v in changes.values()}
    if any(np.any(np.asarray(v, dtype=float) < 0) for v in changes.values()):
        raise ValueError("changes must hold absolute changes, all >= 0")
    if current > min(lengths):
        raise ValueError(f"current must be a seed from 0 (none) to {min(lengths)}, got {current}")
    fig, axes = new_figure(1, 2, figsize=(8.0, 3.6), width_ratios=[1, 1.2])
    spec = axes[0].get_subplotspec()
    axes[0].remove()
    ax3d = fig.add_subplot(spec, projection="3d")
    draw_configuration(ax3d, x, title="the configuration the models see\n(colour = index in the list)")
    ax = axes[1]
    colours = [COLORS["grey"], COLORS["green"], COLORS["orange"], COLORS["purple"], COLORS["blue"]]
    with book_style():
        for i, (label, values) in enumerate(changes.items()):
            values = np.asarray(values, dtype=float)
            seeds = np.arange(1, len(values) + 1)
            ax.plot(seeds, np.maximum(values, floor), "o-", ms=3, lw=1, color=colours[i % len(colours)], label=label)
        if current > 0:
            ax.axvline(current, color=COLORS["red"], lw=1, ls="--", label="shown seed")
        ax.set_yscale("log")
        largest = max(float(np.max(v, initial=0.0)) for v in changes.values())
        ax.set_ylim(floor / 3, max(30, 3 * largest))  # a change above 30 stays inside the axes
        ax.set_xlabel("permutation seed")
        ax.set_ylabel("|output(transformed) − output|")
        ax.set_title("change of each output, seed by seed\n(bottom line: exactly 0)", fontsize=9.5)
        ax.legend(fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.13), ncol=4, handlelength=1.5,
                  columnspacing=1.0)
    return fig
