"""Figures of dlexam.plots.particles: they draw what the math says, identically on every call."""

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from dlexam import augment, invariance, models, particles
from dlexam.plots import figure_png
from dlexam.plots.particles import (
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
