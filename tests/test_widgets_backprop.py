"""The IV(A) and IV(B) explorers and figures: drive the controls from Python, read what they show."""

import html

import pytest
import torch

from dlexam import backprop
from dlexam.plots.backprop import (
    plot_dense_block,
    plot_gradient_memory,
    plot_graphical_notation,
    plot_memory_budget,
    plot_saved_growth,
    plot_sgd_progress,
)
from dlexam.widgets.backprop import MAX_STEPS_AT_ONCE, SavedBytesExplorer, SGDStepExplorer

PNG = b"\x89PNG\r\n\x1a\n"


def text(widget):
    return html.unescape(widget.value)


# IV(A): the SGD stepper


def test_stepper_starts_before_the_first_step():
    e = SGDStepExplorer()
    assert e.substep == 0 and e.steps == 0 and e.history == []
    assert "not started" in text(e.status) and "next sub-step" in text(e.details)
    assert e.table.value == "" and e.figure.value[:8] == PNG and e.message.value == ""


def test_next_sub_step_walks_through_the_five_sub_steps():
    e = SGDStepExplorer(batch_size=4, lr=0.5)
    seen = []
    for k in range(1, 6):
        before = e.figure.value
        e.next_button.click()
        assert e.substep == k
        assert f"sub-step {k} of 5" in text(e.status) and backprop.SUBSTEPS[k - 1] in text(e.status)
        assert e.figure.value != before
        seen.append((text(e.table), text(e.details)))
    assert "Drew 4 indices" in seen[0][1] and "(1/4)" in seen[2][1] and "moved by" in seen[4][1]
    seen = [table for table, _ in seen]
    assert "activations z_1..z_3" in seen[1] and "activations" not in seen[3]
    assert "gradients dW_l, db_l" in seen[3] and "θ_new" in seen[4]
    assert e.steps == 1 and len(e.history) == 1
    # the step's numbers are the library's: the loss shown at sub-step 3 is the trace's loss
    assert e.history[0][1] == pytest.approx(e.trace.loss)
    e.next_button.click()  # a new step begins with a new batch
    assert e.substep == 1 and "Step 2, sub-step 1" in text(e.status)


def test_sub_step_texts_carry_the_numbers():
    e = SGDStepExplorer(batch_size=8, substep=3)
    assert f"{e.trace.loss:.4f}" in text(e.details) and "(1/8)" in text(e.details)
    e.next_button.click()
    per_example = backprop.per_example_gradients(e.trace.params, e.trace.x, e.trace.y).nbytes
    assert per_example == 8 * e.trace.gradients.nbytes
    assert "8 per-example gradients" in text(e.details)


def test_steps_lower_the_loss_and_reset_starts_over():
    e = SGDStepExplorer(batch_size=32, lr=0.5)
    start = e.initial_loss
    e.run_button.click()
    e.run_button.click()
    assert e.steps == 20 and e.substep == 5 and len(e.history) == 20
    assert e.history[-1][2] < 0.5 * start
    e.reset_button.click()
    assert e.steps == 0 and e.history == [] and e.initial_loss == start


def test_finish_step_completes_a_started_step():
    e = SGDStepExplorer(substep=2)
    e.finish_button.click()
    assert e.substep == 5 and e.steps == 1
    e.finish_button.click()
    assert e.steps == 2


def test_same_seed_same_run_and_seed_change_resets():
    a, b = SGDStepExplorer(seed=3, steps=5), SGDStepExplorer(seed=3, steps=5)
    assert a.history == b.history
    a.seed.value = 4
    assert a.steps == 0 and a.initial_loss != b.initial_loss


def test_settings_apply_from_the_next_step():
    e = SGDStepExplorer(batch_size=4, substep=2)
    e.batch_size.value = 16
    assert "next step" in text(e.message)
    assert e.trace.x.shape[0] == 4
    e.finish_button.click()
    e.next_button.click()
    assert e.trace.x.shape[0] == 16


def test_too_many_steps_at_once_give_a_message():
    e = SGDStepExplorer()
    assert not e.attempt(lambda: e.run_steps(MAX_STEPS_AT_ONCE + 1))
    assert "at most" in text(e.message) and e.steps == 0


def test_the_stepper_leaves_torch_alone():
    before = torch.get_rng_state()
    SGDStepExplorer(steps=3, substep=2)
    assert torch.equal(torch.get_rng_state(), before)


# IV(B): saved bytes


def test_saved_bytes_explorer_shows_measurement_prediction_and_fit():
    e = SavedBytesExplorer(layers=8, batch_size=64, width=256)
    # by hand: 9 tensors (x, z_1..z_8) of 64 x 256 float32 = 589,824 bytes; exam: 8 of them
    assert e.measurement.activation_bytes == 589_824
    assert e.exam_bytes == 524_288
    assert e.fitted_bytes == pytest.approx(589_824)
    assert e.fit.as_dict() == pytest.approx({"L*B*d": 4.0, "B*d": 4.0})
    table = text(e.table)
    assert table.count("<tr") == 5 and "589,824" in table and "524,288" in table
    assert "1.12×" in text(e.summary)
    assert e.figure.value[:8] == PNG and e.message.value == ""


@pytest.mark.parametrize("control, value, expected", [
    ("layers", 1, 2 * 64 * 256 * 4),
    ("batch_size", 1, 9 * 256 * 4),
    ("width", 3, 9 * 64 * 3 * 4),
])
def test_moving_a_slider_remeasures(control, value, expected):
    e = SavedBytesExplorer(layers=8, batch_size=64, width=256)
    getattr(e, control).value = value
    assert e.measurement.activation_bytes == expected
    assert f"{expected:,}" in text(e.table)


def test_gelu_saves_twice_as_much():
    e = SavedBytesExplorer(layers=4, batch_size=8, width=16)
    e.activation.value = "gelu"
    assert e.measurement.activation_bytes == 2 * 4 * 8 * 16 * 4
    assert e.fit.as_dict() == pytest.approx({"L*B*d": 8.0, "B*d": 0.0}, abs=1e-9)
    assert "2.00×" in text(e.summary)


def test_saved_bytes_explorer_reports_an_impossible_value():
    e = SavedBytesExplorer()
    e.layers.max = 1000
    e.layers.value = 500
    assert "blocks L must be between" in text(e.message) and e.measurement is None
    e.layers.value = 4
    assert e.message.value == "" and e.measurement.layers == 4


# Figures


@pytest.mark.parametrize(
    "figure",
    [
        lambda: plot_graphical_notation(3),
        lambda: plot_graphical_notation(12, substep=4),
        lambda: plot_graphical_notation(1, substep=1),
        lambda: plot_dense_block(4),
        lambda: plot_dense_block(1, saved=False),
        lambda: plot_saved_growth(backprop.saved_bytes_grid([1, 2, 4], [1, 4], [2, 8])),
        lambda: plot_gradient_memory([backprop.gradient_memory(2, B, 4, torch.Generator().manual_seed(0))
                                      for B in (1, 2, 4)]),
        lambda: plot_memory_budget([backprop.memory_budget(2, 4, 8, o) for o in backprop.OPTIMIZERS],
                                   [backprop.memory_budget(2, B, 8) for B in (1, 16)]),
        lambda: plot_sgd_progress(3, 0, []),
        lambda: plot_sgd_progress(5, 5, [(1, 0.5, 0.4), (2, 0.3, 0.3)]),
    ],
)
def test_figures_draw(figure):
    fig = figure()
    fig.canvas.draw()
    assert fig.axes


@pytest.mark.parametrize(
    "call, error, says",
    [
        (lambda: plot_graphical_notation(0), ValueError, "layers"),
        (lambda: plot_graphical_notation(3, substep=6), ValueError, "substep"),
        (lambda: plot_dense_block(9), ValueError, "width must be at most 8"),
        (lambda: plot_saved_growth([1, 2]), TypeError, "measurements"),
        (lambda: plot_gradient_memory([]), TypeError, "rows"),
        (lambda: plot_memory_budget([3]), TypeError, "budgets"),
    ],
)
def test_figures_check_their_input(call, error, says):
    with pytest.raises(error, match=says):
        call()
