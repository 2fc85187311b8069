"""Figures of dlexam.plots.pca: bars, shares, samples and entries drawn are those of the matrix given."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from dlexam.plots.pca import (  # noqa: E402
    plot_collapse,
    plot_covariances,
    plot_scree,
    plot_smallest_eigenvalue_vs_noise,
)
from dlexam.plots.style import COLORS  # noqa: E402

C = np.array([[2.5, 5.0, 0.5], [5.0, 10.0, 1.0], [0.5, 1.0, 5.0]])  # the exam's covariance, rank 2
NULL = np.array([2.0, -1.0, 0.0]) / np.sqrt(5)  # C @ (2, -1, 0) = 0


def test_scree_bars_are_the_eigenvalues_and_their_shares():
    fig = plot_scree(C)
    left, right = fig.axes[:2]
    eigenvalues = np.sort(np.linalg.eigvalsh(C))[::-1]
    np.testing.assert_allclose([p.get_height() for p in left.patches], eigenvalues, atol=1e-12)
    np.testing.assert_allclose(eigenvalues, [(17.5 + 61.25**0.5) / 2, (17.5 - 61.25**0.5) / 2, 0], atol=1e-12)
    assert [t.get_text() for t in left.texts][:2] == ["12.7", "4.84"]
    assert [t.get_text() for t in left.get_xticklabels()] == ["PC1", "PC2", "PC3"]
    assert left.get_ylim()[1] > eigenvalues[0]
    shares = [p.get_height() for p in right.patches]
    np.testing.assert_allclose(shares, 100 * eigenvalues / np.trace(C), atol=1e-9)
    assert [t.get_text() for t in right.texts] == ["72.4%", "27.6%", "0.0%"]
    cumulative = [line for line in right.lines if line.get_marker() == "o"][0]
    np.testing.assert_allclose(cumulative.get_ydata(), [72.360680, 100, 100], atol=1e-5)
    assert right.get_ylim()[1] >= 100
    plt.close(fig)


def test_scree_of_a_matrix_that_is_not_a_covariance_draws_negative_bars_red_and_no_shares():
    fig = plot_scree(np.diag([1.0, -2.0, 0.5]))
    left, right = fig.axes[:2]
    heights = [p.get_height() for p in left.patches]
    assert heights == [1.0, 0.5, -2.0]
    assert [to_hex(p.get_facecolor()) for p in left.patches] == [to_hex(COLORS[c]) for c in ("blue", "blue", "red")]
    lo, hi = left.get_ylim()
    assert lo < -2.0 and hi > 1.0  # the negative bar is inside the axes
    assert not right.patches and "not positive semidefinite" in right.texts[0].get_text()
    plt.close(fig)


def sight(ax):
    """The unit vector from the origin towards a 3-D axes' camera."""
    e, a = np.radians(ax.elev), np.radians(ax.azim)
    return np.array([np.cos(e) * np.cos(a), np.cos(e) * np.sin(a), np.sin(e)])


def test_collapse_draws_the_samples_and_looks_along_the_null_direction():
    X = np.random.default_rng(0).multivariate_normal(np.zeros(3), C, size=40, method="eigh")
    fig = plot_collapse(X, C)
    assert len(fig.axes) == 3
    for ax in fig.axes:
        (points,) = [c for c in ax.collections if hasattr(c, "_offsets3d") and len(c._offsets3d[0]) == 40]
        np.testing.assert_allclose(np.column_stack(points._offsets3d), X)
        for get in (ax.get_xlim, ax.get_ylim, ax.get_zlim):
            lo, hi = get()
            assert lo < X.min() and X.max() < hi
    face_on, edge_on = fig.axes[1], fig.axes[2]
    assert abs(sight(face_on) @ NULL) == pytest.approx(1.0, abs=1e-9)  # camera on the null direction
    assert sight(edge_on) @ NULL == pytest.approx(0.0, abs=1e-9)  # camera inside the plane
    plt.close(fig)


def test_covariances_show_each_matrix_and_its_entries():
    D = np.diag([12.663119, 4.836881, 0.0])
    fig = plot_covariances([C, D], ["before", "after"])
    for ax, m, title in zip(fig.axes, (C, D), ("before", "after")):
        (image,) = ax.images
        np.testing.assert_array_equal(image.get_array(), m)
        assert image.get_clim() == (-np.abs(m).max(), np.abs(m).max())  # white at 0
        texts = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in ax.texts}
        assert texts[(1, 1)] == f"{m[1, 1]:.3g}" and texts[(0, 0)] == f"{m[0, 0]:.3g}"
        assert ax.get_title() == title
    assert fig.axes[0].texts[1].get_text() == "5" and fig.axes[1].texts[1].get_text() == "0e+00"
    plt.close(fig)


def test_smallest_eigenvalue_against_noise_circles_only_what_rank_counts():
    noise = np.array([1e-9, 1e-6, 1e-3])
    smallest = np.array([-1e-17, 1e-12, 1e-6])  # round-off may be negative: drawn by its size
    tol = np.array([1e-14, 1e-14, 1e-14])
    fig = plot_smallest_eigenvalue_vs_noise(noise, smallest, tol)
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.lines}
    np.testing.assert_array_equal(lines["|smallest eigenvalue|"].get_ydata(), [1e-17, 1e-12, 1e-6])
    np.testing.assert_array_equal(lines["rank tolerance"].get_ydata(), tol)
    np.testing.assert_allclose(lines["noise variance $\\sigma^2$"].get_ydata(), [1e-18, 1e-12, 1e-6])
    (counted,) = ax.collections
    np.testing.assert_array_equal(counted.get_offsets(), [[1e-6, 1e-12], [1e-3, 1e-6]])
    assert ax.get_xscale() == ax.get_yscale() == "log"
    plt.close(fig)
