"""Figures of dlexam.plots.binary: the boundary is where the model says 0.5, the curves are the runs' own."""

import dataclasses

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.contour import ContourSet  # noqa: E402

from dlexam import binary  # noqa: E402
from dlexam.plots.binary import plot_decision_boundary, plot_softmax_difference, plot_training_comparison  # noqa: E402


@pytest.fixture(scope="module")
def runs():
    config = binary.BinaryConfig(n=60, hidden=(8,), epochs=25, lr=0.05)
    return [binary.train(config), binary.train(dataclasses.replace(config, head="two_softmax", epochs=15))]


def contours(ax, levels):
    return [c for c in ax.collections if isinstance(c, ContourSet) and list(c.levels) == levels]


def p_one(model, head, points):
    """P(y = 1) written out: sigmoid of the one logit, or softmax of the two."""
    with torch.no_grad():
        z = model(torch.as_tensor(points, dtype=torch.float32))
    return torch.sigmoid(z[:, 0]) if head == "one_sigmoid" else torch.exp(z[:, 1]) / torch.exp(z).sum(1)


def test_decision_boundary_lies_where_the_model_says_one_half(runs):
    h = runs[0]
    fig = plot_decision_boundary(h)
    ax = fig.axes[0]
    (boundary,) = contours(ax, [0.5])
    vertices = np.concatenate([seg for seg in boundary.allsegs[0] if len(seg)])
    assert len(vertices) > 10
    np.testing.assert_allclose(p_one(h.model, "one_sigmoid", vertices), 0.5, atol=0.03)
    X, y = h.X.numpy(), h.y.numpy()
    scatters = [c for c in ax.collections if c.get_label().startswith("class")]
    assert [c.get_label() for c in scatters] == ["class 0", "class 1"]
    np.testing.assert_allclose(scatters[0].get_offsets(), X[y == 0])
    np.testing.assert_allclose(scatters[1].get_offsets(), X[y == 1])
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert x0 < X[:, 0].min() and X[:, 0].max() < x1 and y0 < X[:, 1].min() and X[:, 1].max() < y1
    accuracy = float(((p_one(h.model, "one_sigmoid", X) >= 0.5).long() == h.y).float().mean())
    parameters = sum(p.numel() for p in h.model.parameters())  # 2*8 + 8 + 8 + 1
    assert parameters == 33
    assert ax.get_title().endswith(f"{parameters} parameters, epoch 25, accuracy {accuracy:.0%}")
    plt.close(fig)


def test_a_constant_one_half_model_draws_no_boundary():
    config = binary.BinaryConfig(head="one_softmax", n=40, epochs=1)
    fig = plot_decision_boundary(binary.train(config))
    assert not contours(fig.axes[0], [0.5])  # softmax of one logit is 1 everywhere
    plt.close(fig)


def test_training_comparison_draws_each_runs_loss_and_accuracy_in_its_colour(runs):
    fig = plot_training_comparison(runs)
    loss = next(ax for ax in fig.axes if ax.get_ylabel().startswith("training loss"))
    accuracy = next(ax for ax in fig.axes if ax.get_ylabel() == "training accuracy")
    for ax, key in ((loss, "loss"), (accuracy, "accuracy")):
        assert len(ax.lines) >= 2
        for line, h in zip(ax.lines, runs):
            np.testing.assert_array_equal(line.get_xdata(), np.arange(1, h.epochs_done + 1))
            np.testing.assert_array_equal(line.get_ydata(), getattr(h, key))
        assert ax.get_xlim() == (0, 25)  # the longest run
        assert min(ax.get_ylim()) <= min(min(getattr(h, key)) for h in runs)
        assert max(ax.get_ylim()) >= max(max(getattr(h, key)) for h in runs)
    legend = loss.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["1 output: sigmoid + BCE", "2 outputs: softmax + CE"]
    for handle, line in zip(legend.legend_handles, loss.lines):
        assert to_hex(handle.get_color()) == to_hex(line.get_color())
    assert to_hex(loss.lines[0].get_color()) != to_hex(loss.lines[1].get_color())
    boundaries = [ax for ax in fig.axes if ax.get_title().count("\n")]
    assert [ax.get_title().split("\n")[0] for ax in boundaries] == ["1 output: sigmoid + BCE",
                                                                    "2 outputs: softmax + CE"]
    assert "epoch 25," in boundaries[0].get_title() and "epoch 15," in boundaries[1].get_title()
    plt.close(fig)


def test_softmax_depends_only_on_the_difference_of_the_logits():
    fig = plot_softmax_difference(limit=4.0, resolution=81)
    plane, side = fig.axes[0], fig.axes[1]
    levels = [0.1, 0.25, 0.5, 0.75, 0.9]
    (lines,) = contours(plane, levels)
    for level, segments in zip(levels, lines.allsegs):
        v = np.concatenate(segments)
        np.testing.assert_allclose(v[:, 1] - v[:, 0], np.log(level / (1 - level)), atol=1e-3)  # z1 - z0 = logit
    assert plane.get_xlim() == (-4.0, 4.0) and plane.get_ylim() == (-4.0, 4.0)
    assert len(side.lines) == 4
    for line in side.lines:
        d = np.asarray(line.get_xdata())
        assert (d[0], d[-1]) == (-8.0, 8.0)
        np.testing.assert_allclose(line.get_ydata(), 1 / (1 + np.exp(-d)), atol=1e-12)  # one curve for any z0
    assert [line.get_label() for line in side.lines[1:]] == [f"softmax with $z_0 = {s}$" for s in ("-3", "0", "4")]
    plt.close(fig)
