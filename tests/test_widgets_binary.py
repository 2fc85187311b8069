"""The I(C) explorer: train from Python, read what it shows; one run at a time; bad values give messages."""

import pytest

from dlexam.widgets.binary import BinaryTrainingExplorer


def test_starts_untrained_and_ready():
    e = BinaryTrainingExplorer(epochs=20)
    assert "Ready" in e.status.value and e.message.value == ""
    assert e.figure.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert e.runs_started == 0 and not e.running and e.histories == []


def test_run_trains_both_models_and_shows_the_results():
    e = BinaryTrainingExplorer(epochs=40, redraws=2)
    before = e.figure.value
    assert e.run()
    assert e.runs_started == 1 and e.progress.value == e.progress.max == 40
    assert [h.epochs_done for h in e.histories] == [40, 40]
    assert [h.config.head for h in e.histories] == ["one_sigmoid", "two_softmax"]
    assert all(h.loss[-1] < h.loss[0] for h in e.histories)
    assert e.results.value.count("<tr") == 3 and "Done" in e.status.value
    assert e.figure.value != before


def test_a_second_click_while_training_starts_nothing():
    e = BinaryTrainingExplorer(epochs=200, redraws=2)
    e.train_button.click()
    assert e.running and e.train_button.disabled
    e.train_button.click()
    assert "already running" in e.message.value
    assert not e.run()
    e.wait()
    assert e.runs_started == 1 and not e.running and not e.train_button.disabled
    assert e.message.value == ""  # the refusal is cleared once the run is over
    assert [h.epochs_done for h in e.histories] == [200, 200]


def test_one_softmax_output_shows_a_model_that_cannot_learn():
    e = BinaryTrainingExplorer(left="one_softmax", epochs=30, redraws=1)
    e.run()
    (loss0, acc0), (loss1, acc1) = e.final
    assert acc0 == pytest.approx(0.5) and loss0 == pytest.approx(50.0)
    assert e.histories[0].grad_norm == [0.0] * 30
    assert loss1 < 0.69


@pytest.mark.parametrize(
    "control, value, expected",
    [
        ("epochs", 0, "epochs must be"),
        ("epochs", 100000, "epochs must be"),
        ("lr", -0.1, "learning rate"),
        ("lr", 0.0, "learning rate"),
        ("lr", 1e6, "learning rate"),
        ("seed", -5, "seed must be"),
    ],
)
def test_bad_values_give_a_message_and_no_run(control, value, expected):
    e = BinaryTrainingExplorer(epochs=10, redraws=1)
    getattr(e, control).value = value
    assert expected in e.message.value
    assert not e.run() and e.runs_started == 0
    assert expected in e.message.value
    getattr(e, control).value = {"epochs": 10, "lr": 0.05, "seed": 0}[control]
    assert e.message.value == ""
    assert e.run() and e.runs_started == 1


def test_other_data_and_heads():
    e = BinaryTrainingExplorer(left="two_sigmoid", right="two_softmax", data="blobs", epochs=30, redraws=1)
    assert e.run()
    assert all(acc > 0.85 for _, acc in e.final)
