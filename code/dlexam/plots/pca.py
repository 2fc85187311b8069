"""Figures of PCA: eigenvalues and explained variance, data collapsing onto a plane, covariances."""

import numpy as np

from .. import pca
from . import _checks as checks
from .style import COLORS, book_style, new_figure


def _MATRICES(value, name):  # noqa: N802
    for i, matrix in enumerate(checks.v.sequence(value, name, 1, 100)):
        checks.MATRIX(matrix, f"{name}[{i}]")


def _value_label(v):
    return f"{v:.3g}" if abs(v) >= 1e-3 or v == 0 else f"{v:.1e}"


@checks.checked(ax=checks.AXES)
def plot_scree(C, ax=None):
    """Eigenvalues of C as bars (negative ones red) and, for a covariance, the explained variance.

    Two panels: the eigenvalues in descending order, labelled with their values; each
    component's share of the variance with the cumulative share. A C that is not positive
    semidefinite gets no shares: it is not a covariance.
    """
    eigenvalues, _ = pca.pca(C)
    d = len(eigenvalues)
    psd = pca.is_positive_semidefinite(C)
    has_variance = psd and np.any(np.asarray(C) != 0)
    fig, (left, right) = new_figure(1, 2, figsize=(8.4, 3.4))
    with book_style():
        x = np.arange(1, d + 1)
        colours = [COLORS["red"] if v < -pca.rank_tolerance(C) else COLORS["blue"] for v in eigenvalues]
        left.bar(x, eigenvalues, color=colours, width=0.6)
        left.axhline(0, color="black", lw=0.8)
        span = max(np.abs(eigenvalues).max(), 1e-300)
        for xi, v in zip(x, eigenvalues):
            left.text(xi, v + (0.02 * span if v >= 0 else -0.02 * span), _value_label(v),
                      ha="center", va="bottom" if v >= 0 else "top", fontsize=9)
        left.set_xticks(x, [f"PC{i}" for i in x])
        negative = eigenvalues.min() < -pca.rank_tolerance(C)
        left.set_ylim(eigenvalues.min() - 0.2 * span if negative else 0, max(eigenvalues.max(), 0) + 0.15 * span)
        left.set_ylabel("eigenvalue = variance along the component")
        left.set_title("eigenvalues (scree plot)")
        if has_variance:
            ratios = pca.explained_variance_ratio(C)
            right.bar(x, 100 * ratios, color=COLORS["sky"], width=0.6, label="this component")
            right.step(x, 100 * np.cumsum(ratios), where="mid", color=COLORS["orange"], lw=2,
                       label="cumulative")
            right.plot(x, 100 * np.cumsum(ratios), "o", color=COLORS["orange"])
            for xi, r in zip(x, ratios):
                right.text(xi, 100 * r + 2, f"{100 * r:.1f}%", ha="center", va="bottom", fontsize=9)
            right.set_ylim(0, 112)
            right.set_xticks(x, [f"PC{i}" for i in x])
            right.set_ylabel("share of the total variance (%)")
            right.legend(loc="center right")
            right.set_title("explained variance")
        else:
            text = ("not positive semidefinite:\nnot a covariance matrix,\nno explained variance" if not psd
                    else "the zero matrix:\nno variance to explain")
            right.text(0.5, 0.5, text, ha="center", va="center", color=COLORS["red"], transform=right.transAxes)
            right.axis("off")
    return fig


def _camera_angles(direction):
    """unit 3-vector -> (elev, azim) in degrees that put matplotlib's camera on that direction."""
    x, y, z = np.asarray(direction, dtype=float) / np.linalg.norm(direction)
    return np.degrees(np.arcsin(np.clip(z, -1, 1))), np.degrees(np.arctan2(y, x))


@checks.checked(X=checks.POINTS)
def plot_collapse(X, C):
    """3-D samples X (n, 3) of a covariance C of rank 2, seen from three sides.

    Top: the cloud with the plane of the first two principal components and the null
    direction (orange-red arrow). Bottom left: looking along the null direction, the plane face-on.
    Bottom right: looking along the plane, edge-on: the cloud is a line.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 3:
        raise ValueError(f"X must have shape (n, 3), one 3-D sample per row; got shape {X.shape}")
    eigenvalues, V = pca.pca(C)
    if V.shape != (3, 3):
        raise ValueError(f"C must be 3×3 to draw in 3-D, got shape {V.shape}")
    null = V[:, 2]
    # a line of sight inside the plane: perpendicular to the null direction and, where
    # possible, horizontal, so the edge-on plane stands upright
    inside = np.cross(null, [0.0, 0.0, 1.0])
    inside = inside if np.linalg.norm(inside) > 1e-8 else V[:, 0]
    fig, placeholder = new_figure(figsize=(8.4, 7.0))
    with book_style():
        placeholder.remove()
        grid = fig.add_gridspec(2, 2, height_ratios=[1.25, 1])
        axes = [fig.add_subplot(grid[0, :], projection="3d"),
                fig.add_subplot(grid[1, 0], projection="3d"),
                fig.add_subplot(grid[1, 1], projection="3d")]
        reach = 3 * np.sqrt(np.clip(eigenvalues[:2], 0, None))
        s, t = np.meshgrid(np.linspace(-reach[0], reach[0], 2), np.linspace(-reach[1], reach[1], 2))
        plane = s[..., None] * V[:, 0] + t[..., None] * V[:, 1]  # (2, 2, 3)
        limit = max(np.abs(X).max(), np.abs(plane).max()) * 1.05
        views = [
            ("samples, the plane of PC1 and PC2,\nthe null direction (orange-red arrow)", (22, -60)),
            ("seen along the null direction:\nthe plane face-on", _camera_angles(null)),
            ("seen along the plane:\nedge-on, a line", _camera_angles(inside)),
        ]
        for k, (ax, (title, (elev, azim))) in enumerate(zip(axes, views)):
            ax.set_proj_type("ortho")
            ax.plot_surface(plane[..., 0], plane[..., 1], plane[..., 2], color=COLORS["sky"], alpha=0.25,
                            edgecolor=COLORS["blue"], linewidth=0.5)
            ax.scatter(X[:, 0], X[:, 1], X[:, 2], s=5, color=COLORS["blue"], alpha=0.6, depthshade=False)
            ax.quiver(0, 0, 0, *(0.8 * limit * null), color=COLORS["red"], linewidth=2.5,
                      arrow_length_ratio=0.15)
            ax.set_xlim(-limit, limit)
            ax.set_ylim(-limit, limit)
            ax.set_zlim(-limit, limit)
            ax.set_box_aspect((1, 1, 1), zoom=0.95 if k == 0 else 1.3)
            ax.view_init(elev=elev, azim=azim)
            if k == 0:
                ax.set_xlabel("$x_1$", labelpad=-6)
                ax.set_ylabel("$x_2$", labelpad=-6)
                ax.set_zlabel("$x_3$", labelpad=-6)
                ax.tick_params(labelsize=7, pad=-2)
            else:
                ax.set_axis_off()
            # a 3-D axes' own title can fall outside the figure; write it inside the axes instead
            ax.text2D(0.5, 1.0, title, transform=ax.transAxes, ha="center", va="top", fontsize=10)
    return fig


@checks.checked(matrices=_MATRICES, titles=checks.TEXTS)
def plot_covariances(matrices, titles):
    """Matrices side by side as heat maps with their entries written in (e.g. before and after PCA)."""
    matrices = [np.asarray(m, dtype=float) for m in matrices]
    if len(matrices) != len(titles) or not matrices:
        raise ValueError("titles must hold one title per matrix, and matrices at least one matrix")
    fig, axes = new_figure(1, len(matrices), figsize=(3.6 * len(matrices), 3.4))
    axes = np.atleast_1d(axes)
    with book_style():
        for ax, m, title in zip(axes, matrices, titles):
            vmax = np.abs(m).max() or 1.0
            ax.imshow(m, cmap="RdBu_r", vmin=-vmax, vmax=vmax)
            for (i, j), v in np.ndenumerate(m):
                ax.text(j, i, f"{v:.3g}" if abs(v) >= 1e-3 else f"{v:.0e}", ha="center", va="center",
                        fontsize=9, color="white" if abs(v) > 0.6 * vmax else "black")
            ax.set_xticks(range(m.shape[1]))
            ax.set_yticks(range(m.shape[0]))
            ax.set_title(title, fontsize=10)
    return fig


@checks.checked(noise_levels=checks.VECTOR, smallest=checks.VECTOR, tolerances=checks.VECTOR)
def plot_smallest_eigenvalue_vs_noise(noise_levels, smallest, tolerances):
    """The smallest eigenvalue of a sample covariance against the noise added to the data.

    noise_levels (k,), smallest (k,) eigenvalues (their absolute value is drawn) and the
    tolerances (k,) under which rank() counts an eigenvalue as zero, on log-log axes.
    """
    noise = np.asarray(noise_levels, dtype=float)
    smallest = np.abs(np.asarray(smallest, dtype=float))
    tolerances = np.asarray(tolerances, dtype=float)
    if not len(noise) == len(smallest) == len(tolerances):
        raise ValueError(f"noise_levels, smallest and tolerances must have one value per noise level each, got "
                         f"{len(noise)}, {len(smallest)} and {len(tolerances)}")
    fig, ax = new_figure(figsize=(6.2, 3.8))
    with book_style():
        ax.loglog(noise, smallest, "o-", color=COLORS["blue"], label="|smallest eigenvalue|")
        ax.loglog(noise, tolerances, "--", color=COLORS["red"], label="rank tolerance")
        ax.loglog(noise, noise**2, ":", color=COLORS["grey"], label="noise variance $\\sigma^2$")
        counted = smallest > tolerances
        ax.scatter(noise[counted], smallest[counted], s=80, facecolors="none", edgecolors=COLORS["orange"],
                   linewidths=1.5, zorder=3, label="counted: rank 3")
        ax.set_xlabel("standard deviation $\\sigma$ of the noise added to every coordinate")
        ax.set_ylabel("eigenvalue")
        ax.legend(fontsize=8)
        ax.set_title("How much noise makes the third dimension count")
    return fig
