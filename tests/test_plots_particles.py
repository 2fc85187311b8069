"""Figures of dlexam.plots.particles: they draw what the math says, identically on every call."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from dlexam import augment, invariance, models, particles
from dlexam.plots import figure_png
from dlexam.plots.particles import (
    draw_configuration,
    plot_augmentations,
    plot_configurations,
    plot_invariance_gaps,
    plot_output_under_rotation,
    plot_outputs_under_permutations,
    plot_permutation_changes,
    plot_phi_embeddings,
    plot_rotation_samplers,
    plot_training_and_validation,
)
from dlexam.plots.style import COLORS


def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [ax.get_title() for ax in fig.axes]


@pytest.fixture(scope="module")
def data():
    X, _ = particles.make_dataset(10, seed=0)
    V, _ = particles.make_dataset(10, seed=0, validation=True)
    return X, V


def test_configurations_are_drawn_with_index_labels_and_colours(data):
    X, _ = data
    fig = plot_configurations([X[0], X[1]], ["a", "b"])
    assert isinstance(fig, Figure)
    three_d = [ax for ax in fig.axes if ax.name == "3d"]
    assert len(three_d) == 2
    assert {str(i) for i in range(20)} <= {t.strip() for t in texts(fig)}
    scatter = three_d[0].collections[0]
    np.testing.assert_array_equal(scatter.get_array(), np.arange(20))  # colour = particle index


def test_training_and_validation_titles_show_p(data):
    X, V = data
    fig = plot_training_and_validation(X[0], V[0])
    titles = [ax.get_title() for ax in fig.axes if ax.name == "3d"]
    assert f"P = {float(particles.target(X[:1].double())[0]):.3f}" in titles[0]
    assert "rotated and permuted" in titles[1]


def test_augmentations_keep_p_in_every_title(data):
    X, _ = data
    g = torch.Generator().manual_seed(0)
    fig = plot_augmentations(X[0], augment.random_rotations(1, g)[0], augment.random_permutations(1, 20, g)[0])
    titles = [ax.get_title() for ax in fig.axes if ax.name == "3d"]
    assert len(titles) == 4
    assert len({t.split("P = ")[1] for t in titles}) == 1  # the same P, to the digits shown


def test_figures_are_identical_on_every_call(data):
    X, _ = data
    R = augment.random_rotations(1, torch.Generator().manual_seed(1))[0]
    perm = torch.arange(20).flip(0)
    assert figure_png(plot_augmentations(X[0], R, perm)) == figure_png(plot_augmentations(X[0], R, perm))


def test_rotation_samplers_show_statistics_and_mean_matrices():
    samples = {name: f(3000, torch.Generator().manual_seed(i), dtype=torch.float64)
               for i, (name, f) in enumerate(augment.ROTATION_SAMPLERS.items())}
    fig = plot_rotation_samplers(samples)
    assert len([ax for ax in fig.axes if ax.images]) == 3  # three mean-matrix maps
    boxes = [t for t in texts(fig) if t.startswith("E[tr]")]
    assert len(boxes) == 3 and "det +1: 100.0%" in boxes[0]
    assert "E[tr] = -0.5" in boxes[0] or "E[tr] = -0.4" in boxes[0]  # the hint's bias


def test_invariance_figures():
    X, _ = particles.make_dataset(12, seed=1, validation=True)
    g = torch.Generator().manual_seed(0)
    gaps = {"P": invariance.invariance_gap(particles.target, X.double(), 5, "both", g),
            "MLP": invariance.invariance_gap(models.make_model("mlp", g), X, 5, "permutations", g)}
    fig = plot_invariance_gaps(gaps)
    assert fig.axes[0].get_yscale() == "log"
    fig = plot_outputs_under_permutations(gaps, n_configurations=4)
    assert len(fig.axes) == 2 and "largest change" in fig.axes[1].get_title()
    fig = plot_permutation_changes(X[0], {"P": np.zeros(5), "MLP": np.full(5, 0.1)}, current=2)
    assert [ax for ax in fig.axes if ax.name != "3d"][0].get_yscale() == "log"


def test_output_under_rotation_and_embeddings():
    angles = np.linspace(0, np.pi, 5)
    fig = plot_output_under_rotation(angles, {"flat": np.ones(5), "wavy": np.sin(angles)})
    assert len(fig.axes[0].lines) == 3  # two curves and the zero line
    features = torch.randn(20, 64, generator=torch.Generator().manual_seed(0))
    fig = plot_phi_embeddings(features, features.sum(0), 0.5, order=np.arange(20)[::-1])
    assert any("F(X) = ρ" in ax.get_title() for ax in fig.axes)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: plot_configurations([]), "configs must hold at least 1"),
    (lambda: plot_configurations([np.zeros((20, 2))]), r"configs\[0\] must have shape \(n, 3\)"),
    (lambda: plot_configurations([np.zeros((20, 3))], titles=["a", "b"]), "titles and frames must hold one entry"),
    (lambda: plot_augmentations(np.zeros((20, 3)), np.eye(2), np.arange(20)), r"R must have shape \(3, 3\)"),
    (lambda: plot_augmentations(np.zeros((20, 3)), np.eye(3), np.zeros(20, dtype=int)),
     r"permutation must reorder 0\.\.19"),
    (lambda: plot_rotation_samplers({}), "samples must hold at least 1"),
    (lambda: plot_invariance_gaps({}), "gaps must hold at least 1"),
    (lambda: plot_output_under_rotation(np.zeros(3), {"a": np.zeros(4)}), r"curves\['a'\] has \(4,\) values"),
    (lambda: plot_phi_embeddings(np.zeros((3, 4)), np.zeros(5)), r"features must be \(m, k\) and pooled \(k,\)"),
])
def test_bad_inputs_raise_value_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_draw_configuration_puts_every_particle_its_label_and_the_frame_where_given():
    x = np.array([[1.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, -0.5], [1.0, 1.0, 1.0]])
    c, s = np.cos(0.3), np.sin(0.3)
    frame = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])  # a rotation about z
    fig = plt.figure()
    ax = fig.add_subplot(projection="3d")
    points = draw_configuration(ax, x, frame=frame, title="four particles")
    np.testing.assert_array_equal(np.column_stack(points._offsets3d), x)
    np.testing.assert_array_equal(points.get_array(), np.arange(4))  # colour = index
    (chain,) = ax.lines
    np.testing.assert_array_equal(np.column_stack(chain.get_data_3d()), x)  # joined in index order
    labels = [t for t in ax.texts if t.get_text().strip().isdigit()]
    assert [t.get_text() for t in labels] == [" 0", " 1", " 2", " 3"]
    np.testing.assert_array_equal([t.get_position_3d() for t in labels], x)
    limit = 1.08 * 2.0
    for get in (ax.get_xlim, ax.get_ylim, ax.get_zlim):
        assert get() == pytest.approx((-limit, limit))
    arrows = {t.get_text(): np.array(t.get_position_3d()) for t in ax.texts if t.get_text() in ("x", "y", "z")}
    for k, name in enumerate("xyz"):  # each axis of the frame, 0.55 of the limit long, named past its tip
        np.testing.assert_allclose(arrows[name], 1.12 * 0.55 * limit * frame[:, k], atol=1e-12)
    assert ax.get_title() == "four particles"
    plt.close(fig)


def test_configurations_share_one_scale_and_keep_their_titles():
    small = np.array([[0.1, 0.2, 0.3], [-0.2, 0.1, 0.0]])
    large = 3 * small + np.array([0.0, 0.0, 1.0])  # reaches z = 1.9
    fig = plot_configurations([small, large], ["small", "large"], suptitle="two sizes", ncols=1)
    panels = [ax for ax in fig.axes if ax.name == "3d"]
    assert [ax.get_title() for ax in panels] == ["small", "large"]
    for ax, x in zip(panels, (small, large)):
        np.testing.assert_array_equal(np.column_stack(ax.collections[0]._offsets3d), x)
        assert ax.get_zlim() == pytest.approx((-1.08 * 1.9, 1.08 * 1.9))  # one scale: the small one looks small
    assert panels[0].get_position().y0 > panels[1].get_position().y1  # one column: one above the other
    assert fig.get_suptitle() == "two sizes"
    plt.close(fig)


def _gap(reference, outputs):
    reference, outputs = np.asarray(reference, dtype=float), np.asarray(outputs, dtype=float)
    change = np.abs(outputs - reference).max()
    return invariance.InvarianceGap("permutations", reference, outputs, change, change / np.abs(reference).max(), 0.0)


def test_invariance_gaps_plot_each_configurations_largest_change():
    gaps = {"invariant": _gap([1.0, 2.0, 3.0], [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]),
            "MLP": _gap([1.0, 2.0, 3.0], [[1.5, 2.0, 2.0], [0.9, 2.01, 3.0]])}
    fig = plot_invariance_gaps(gaps, floor=1e-12)
    ax = fig.axes[0]
    exact, mlp = ax.collections
    np.testing.assert_array_equal(exact.get_offsets()[:, 1], [1e-12] * 3)  # exact zeros drawn at the floor
    np.testing.assert_allclose(mlp.get_offsets()[:, 1], [0.5, 0.01, 1.0])  # max over the copies of |F(TX) - F(X)|
    for i, points in enumerate((exact, mlp)):
        assert np.all(np.abs(points.get_offsets()[:, 0] - i) <= 0.25)  # each model in its own column
    assert to_hex(exact.get_facecolor()[0]) != to_hex(mlp.get_facecolor()[0])
    maxima = [line for line in ax.lines if to_hex(line.get_color()) == "#000000"]  # black: each model's maximum
    np.testing.assert_allclose([line.get_ydata()[0] for line in maxima], [1e-12, 1.0], rtol=1e-9, atol=0)
    assert [np.mean(line.get_xdata()) for line in maxima] == [0, 1]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["invariant", "MLP"]
    lo, hi = ax.get_ylim()
    assert lo < 1e-12 and hi >= 1.0
    plt.close(fig)


def test_permutation_changes_plot_each_seed_and_mark_the_shown_one():
    x = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    changes = {"P": np.zeros(4), "DeepSets": np.array([1e-7, 0.0, 2e-7, 1e-7]), "MLP": np.array([0.5, 3.0, 80.0, 1.0])}
    fig = plot_permutation_changes(x, changes, current=3, floor=1e-15)
    ax3d = next(ax for ax in fig.axes if ax.name == "3d")
    np.testing.assert_array_equal(np.column_stack(ax3d.collections[0]._offsets3d), x)
    ax = next(ax for ax in fig.axes if ax.name != "3d" and ax.lines)
    lines = {line.get_label(): line for line in ax.lines}
    for label, values in changes.items():
        np.testing.assert_array_equal(lines[label].get_xdata(), [1, 2, 3, 4])
        np.testing.assert_array_equal(lines[label].get_ydata(), np.maximum(values, 1e-15))
    assert lines["shown seed"].get_xdata()[0] == 3 and lines["shown seed"].get_linestyle() == "--"
    assert to_hex(lines["shown seed"].get_color()) == to_hex(COLORS["red"])
    legend = ax.get_legend()
    for text, handle in zip(legend.get_texts(), legend.legend_handles):
        assert to_hex(handle.get_color()) == to_hex(lines[text.get_text()].get_color())
    lo, hi = ax.get_ylim()
    assert lo < 1e-15 and hi > 80.0  # every change inside the axes, the largest too
    plt.close(fig)
    fig = plot_permutation_changes(x, {"P": np.zeros(2)}, current=0)
    assert "shown seed" not in [line.get_label() for line in fig.axes[-1].lines]
    plt.close(fig)
