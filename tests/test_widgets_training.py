"""The III(E) explorer: train from Python, stop, diverge, double-click, bad values, read what it shows."""

import math
import time

import pytest

from dlexam import stacked_training, training
from dlexam.widgets.base import OneRunAtATime
from dlexam.widgets.training import TrainingExplorer

PNG = b"\x89PNG\r\n\x1a\n"


def wait_for(condition, timeout=60.0):
    """Poll until condition() holds (a background run makes progress); fails the test after timeout."""
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "the background run made no progress"
        time.sleep(0.01)


def test_starts_ready_and_untrained():
    e = TrainingExplorer(epochs=5)
    assert "Ready" in e.status.value and "MLP, none" in e.status.value and e.message.value == ""
    assert e.figure.value[:8] == PNG
    assert not e.running and e.history is None and e.runs_started == 0
    assert not e.train_button.disabled and e.stop_button.disabled


def test_run_trains_and_shows_the_result():
    e = TrainingExplorer(epochs=4)
    before = e.figure.value
    assert e.run()
    h = e.history
    assert h.status == "completed" and h.epochs_run == 4 and h.config == training.TrainConfig(model="mlp", epochs=4)
    assert e.progress.value == e.progress.max == 4
    assert "Done" in e.status.value and f"{h.val_loss[-1]:.3g}" in e.status.value
    assert e.results.value.count("<tr") == 2 and f"{h.train_loss[-1]:.3g}" in e.results.value
    assert e.figure.value != before and e.first_epoch_seconds is not None
    assert not e.train_button.disabled and e.stop_button.disabled


def test_a_built_page_draws_once_at_the_end():
    e = TrainingExplorer(epochs=6)
    drawn = e.redraws
    assert e.run(live=False)
    assert e.redraws == drawn + 1 and e.first_epoch_seconds is None


def test_the_same_settings_give_the_same_curves_as_the_trainer():
    e = TrainingExplorer(model="deepsets", augmentation="rotations", epochs=2, lr=2e-3, batch_size=64, seed=3)
    e.run()
    reference = stacked_training.train(training.TrainConfig(model="deepsets", rotate=True, epochs=2, lr=2e-3,
                                                            batch_size=64, seed=3))
    assert e.history.train_loss == reference.train_loss and e.history.val_loss == reference.val_loss


@pytest.mark.parametrize("model", ["mlp", "pairsum"])
def test_the_training_design_and_the_third_network_can_be_chosen(model):
    e = TrainingExplorer(model=model, epochs=2)
    e.frame.value = "random"
    assert "random-frame training set" in e.status.value
    assert e.run()
    assert e.history.config == training.TrainConfig(model=model, epochs=2, frame="random")
    assert "random" in e.results.value
    plain = training.train_plain(training.TrainConfig(model=model, epochs=2, frame="random"))
    assert e.history.val_loss == pytest.approx(plain.val_loss, rel=1e-4)


def test_stop_ends_the_run_after_the_epoch_in_progress():
    e = TrainingExplorer(epochs=50)
    e.progress.observe(lambda change: change["new"] == 3 and e.stop_button.click(), names="value")
    assert e.run()
    assert e.history.status == "stopped" and e.history.epochs_run == 3
    assert "Stopped" in e.status.value and "3 of 50 epochs" in e.status.value
    assert e.message.value == ""


def test_stop_from_another_thread_ends_a_background_run():
    e = TrainingExplorer(epochs=1000)
    assert e.start()
    wait_for(lambda: e.progress.value >= 1)
    e.stop_button.click()
    e.wait()
    assert e.history.status == "stopped" and 1 <= e.history.epochs_run < 1000
    assert not e.running and e.stop_button.disabled and not e.train_button.disabled


def test_a_second_click_while_training_starts_nothing():
    e = TrainingExplorer(epochs=1000)
    e.train_button.click()
    assert e.running and e.train_button.disabled and not e.stop_button.disabled
    e.train_button.click()
    assert "already running" in e.message.value
    assert not e.start() and not e.run()
    wait_for(lambda: e.progress.value >= 1)
    e.stop()
    e.wait()
    assert e.runs_started == 1 and not e.running
    assert e.message.value == ""  # the refusal is cleared once the run is over


@pytest.mark.parametrize("model", ["mlp", "deepsets"])
def test_a_diverging_run_ends_with_a_message_not_nan(model):
    e = TrainingExplorer(model=model, epochs=20, lr=1.0)
    assert e.run()  # a run was made: it ended early
    h = e.history
    assert h.status == "diverged" and all(math.isfinite(v) for v in h.train_loss + h.val_loss)
    assert "diverged in epoch" in e.message.value and "Lower the learning rate" in e.message.value
    assert "Diverged" in e.status.value and e.figure.value[:8] == PNG
    assert not e.running and not e.train_button.disabled
    e.lr.value = 1e-3  # a good value clears the error
    assert e.message.value == ""


def test_the_previous_run_stays_for_comparison():
    e = TrainingExplorer(epochs=2)
    e.run()
    e.augmentation.value = "both"
    e.run()
    assert e.previous.config.augmentation == "none" and e.history.config.augmentation == "both"
    assert e.results.value.count("<tr") == 3 and "previous run" in e.results.value


def test_stop_when_idle_only_says_so():
    e = TrainingExplorer(epochs=2)
    e.stop()
    assert "Nothing to stop" in e.message.value


@pytest.mark.parametrize(
    "control, value, expected",
    [
        ("epochs", 0, "epochs must be"),
        ("epochs", 100_000, "epochs must be"),
        ("lr", -0.1, "learning rate"),
        ("lr", 0.0, "learning rate"),
        ("lr", 1e6, "learning rate"),
        ("batch_size", 0, "batch size"),
        ("batch_size", 501, "batch size"),
        ("seed", -5, "seed must be"),
    ],
)
def test_bad_values_give_a_message_and_no_run(control, value, expected):
    e = TrainingExplorer(epochs=2)
    good = getattr(e, control).value
    getattr(e, control).value = value
    assert expected in e.message.value
    assert not e.run() and e.runs_started == 0 and e.history is None
    assert expected in e.message.value
    getattr(e, control).value = good
    assert e.message.value == ""
    assert e.run() and e.runs_started == 1


def test_one_run_at_a_time_releases_its_lock_whatever_happens():
    runner = OneRunAtATime()
    with pytest.raises(RuntimeError, match="^boom$"):
        runner.run(lambda: (_ for _ in ()).throw(RuntimeError("boom")))
    assert not runner.running
    seen = []
    assert runner.run(lambda: seen.append(runner.running))
    assert seen == [True] and not runner.running
