"""The IV(C) residual-inverse explorer and the IV(D)/IV(E) stack explorer: set controls, read what they show."""

import math

import pytest
import torch

from dlexam import reversible
from dlexam.memory import format_bytes
from dlexam.widgets.reversible import (ResidualInverseExplorer, ReversibleStackExplorer, residual_inverse_noise,
                                      residual_inverse_vectors, residual_inverse_view)

PNG = b"\x89PNG\r\n\x1a\n"
SMALL = reversible.StackConfig(d=8, batch=4, hidden=8, max_depth=16)


@pytest.fixture(scope="module")
def stack_explorer():
    return ReversibleStackExplorer(depth=4, dtype="float64", mode="reversible", config=SMALL)


def test_stack_explorer_offers_depths_up_to_the_labs_maximum(stack_explorer):
    assert stack_explorer.depth.options == (1, 2, 4, 8, 16)
    assert [v for _, v in stack_explorer.mode.options] == list(reversible.MODES)
    assert stack_explorer.message.value == ""
    assert bytes(stack_explorer.figure.value[:8]) == PNG


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("depth", [1, 16])
def test_reversible_saves_one_batch_of_outputs_whatever_the_depth(stack_explorer, dtype, depth):
    e = stack_explorer
    e.set_controls((e.depth, depth), (e.dtype, dtype), (e.mode, "reversible"))
    itemsize = torch.finfo(reversible.DTYPES[dtype]).bits // 8
    assert e.measurement.saved.activations == SMALL.batch * SMALL.d * itemsize
    assert format_bytes(SMALL.batch * SMALL.d * itemsize) in e.summary.value
    assert f"L = {depth}, {dtype}" in e.summary.value and "reversible" in e.summary.value


def test_ordinary_memory_grows_with_depth_and_reversible_error_shows(stack_explorer):
    e = stack_explorer
    e.set_controls((e.depth, 2), (e.dtype, "float32"), (e.mode, "store"))
    two = e.measurement.saved.activations
    e.depth.value = 16
    assert e.measurement.saved.activations == 8 * two
    assert e.measurement.saved.parameters > 0 and "no extra memory" in e.summary.value
    assert "100% of ordinary" in e.summary.value
    e.mode.value = "reversible"
    m = e.measurement
    assert m.mode == "reversible" and 0 < m.round_trip_error < 1e-3
    assert f"{m.round_trip_error:.1e}" in e.summary.value and "inputs reconstructed" in e.summary.value
    assert f"{m.time_ratio:.2f}x ordinary" in e.summary.value


def test_checkpointed_mode_is_between(stack_explorer):
    e = stack_explorer
    e.set_controls((e.depth, 16), (e.dtype, "float64"), (e.mode, "checkpoint"))
    curves = e.lab.saved_curves("float64", e.depth.options)
    assert curves["reversible"][-1] < e.measurement.saved.activations < curves["store"][-1]
    assert "checkpointed" in e.summary.value and e.measurement.gradient_error < 1e-12


def test_stack_explorer_rejects_a_bad_config():
    with pytest.raises(TypeError, match="StackConfig"):
        ReversibleStackExplorer(config={"d": 8})


def test_residual_explorer_finds_three_preimages_for_c_minus_two():
    e = ResidualInverseExplorer(c=-2.0, y=0.0)
    assert len(e.preimages) == 3 and "not injective" in e.summary
    assert "3 solutions" in e.summary and e.shown["preimages"] == 3
    assert e.shown["figure-left"] == "c = -2: 3 x with f(x) = 0"
    root = max(e.preimages)
    assert math.isclose(root, 2 * math.tanh(root), rel_tol=1e-9)
    assert e.ui is e.widget and e.widget.config["range"] == [-3.0, 3.0, 0.1]


def test_residual_explorer_contraction_converges_and_large_c_does_not():
    e = ResidualInverseExplorer(c=0.5, y=1.0)
    assert e.result.converged and "a contraction" in e.summary
    x = float(e.result.x[0])
    assert abs(x + 0.5 * math.tanh(x) - 1.0) < 1e-12 and f"{x:.4f}" in e.summary and e.shown["x"] == x
    e.widget.c = 3.0
    assert e.c == 3.0 and not e.result.converged and "does not converge" in e.summary
    assert len(e.preimages) == 1 and "injective (f" in e.summary and "x" not in e.shown
    assert e.shown["figure-right"] == "x ← y − q(x): no convergence in 60 iterations"


def test_residual_explorer_set_and_figure():
    e = ResidualInverseExplorer(c=-2.0, y=0.5, max_iterations=20)
    e.set(c=0.5, y=-1.0, max_iterations=5)
    assert (e.c, e.y, e.max_iterations) == (0.5, -1.0, 5) and e.result.iterations <= 5
    fig = e.figure()
    assert len(fig.axes) == 2 and e.shown["figure-right"] in fig.axes[1].get_title()
    with pytest.raises(ValueError, match="set\\(\\) takes"):
        e.set(z=1.0)


def test_residual_explorer_bad_setting_is_a_message_not_a_traceback():
    e = ResidualInverseExplorer()
    e.widget.max_iterations = 0
    assert e.message_kind == "error" and "max_iterations must be a whole number" in e.message.value
    assert e.preimages is None and e.shown == {}
    e.widget.max_iterations = 60
    assert e.message_kind != "error" and e.shown["max-iterations"] == 60


def test_residual_inverse_view_and_vectors():
    view = residual_inverse_view(-2.0, 0.5)
    assert view["kind"] == "" and view["shown"]["preimages"] == 3
    noise = residual_inverse_noise(view)
    assert noise["preimage-0"] == 1e-9 and noise["residual-0"] > 0
    chaotic = residual_inverse_view(3.0, 0.5)
    assert all(v is None for k, v in residual_inverse_noise(chaotic).items() if k.startswith("residual-"))
    assert residual_inverse_view(4.0, 0.0)["kind"] == "error" and "c must be" in residual_inverse_view(4.0, 0.0)["message"]
    assert "max_iterations" in residual_inverse_view(0.0, 0.0, 0)["message"]
    vectors = residual_inverse_vectors(count=3)
    assert len(vectors) == 7 * 3 + 8 + 3 and all(v["kind"] == "" for v in vectors)


def test_residual_inverse_view_counts_one_iteration_in_the_singular():
    """c = 0: x = y at once, one iteration; with a budget of 1 the summary says 'at most 1 iteration'."""
    view = residual_inverse_view(0.0, 0.7, 1)
    assert view["shown"]["iterations"] == 1
    assert view["shown"]["figure-right"] == "x ← y − q(x): converged in 1 iteration"
    assert "(at most 1 iteration) finds x = 0.7000 in 1 iteration." in view["summary"]
    assert "(at most 60 iterations) finds x = 0.7000 in 1 iteration." in residual_inverse_view(0.0, 0.7, 60)["summary"]
    assert residual_inverse_view(0.5, 1.0, 2)["shown"]["figure-right"] == "x ← y − q(x): no convergence in 2 iterations"
