"""The III(E) replay: runs in, the curves it ships and what it shows; choosing runs from Python; bad input."""

import dataclasses
import json
import math
import re

import numpy as np
import pytest

from dlexam import stacked_training, training
from dlexam.plots.training import AUGMENTATION_COLOURS
from dlexam.widgets import replay as replay_widget
from dlexam.widgets.frontend import JS
from dlexam.widgets.replay import DIGITS, TrainingReplay, replay_data, replay_view, rounded


def history(model="mlp", augmentation="none", frame="canonical", lr=1e-3, train=(0.9, 0.5, 0.2), val=(1.0, 0.7, 0.8),
            status="completed", message="", epochs=None):
    """A History as a trainer returns it, with curves given by hand."""
    rotate, permute = training.AUGMENTATIONS[augmentation]
    config = training.TrainConfig(model=model, rotate=rotate, permute=permute, frame=frame, lr=lr,
                                  epochs=epochs or len(train))
    return training.History(config=config, train_loss=list(train), val_loss=list(val), status=status, message=message)


def exam_like():
    """MLP and DeepSets x none/rotations, both designs, and an MLP that diverged after two epochs at lr 0.05."""
    rng = np.random.default_rng(0)
    runs = []
    for frame in ("canonical", "random"):
        for model in ("mlp", "deepsets"):
            for augmentation in ("none", "rotations"):
                curve = np.exp(-np.linspace(0, 3, 10) * rng.uniform(0.5, 1.5))
                runs.append(history(model, augmentation, frame, train=curve * 0.8, val=curve * 1.3 + 0.01))
    runs.append(history("mlp", "none", "canonical", 0.05, train=[163.456, 2.5e4], val=[1.38649e5, 9.9e5], epochs=10,
                        status="diverged", message="MLP, none diverged in epoch 3: the training loss became 2.2e+14."))
    return runs


# ---- what is shipped ---------------------------------------------------------------------------

def test_curves_are_rounded_to_significant_digits():
    values = [0.123456789, 1.23456e-5, 98765.4321, 1.0, 2.0 / 3.0]
    assert rounded(values) == [0.1235, 1.235e-05, 98770.0, 1.0, 0.6667]
    for v, r in zip(values, rounded(values)):
        assert abs(r - v) <= 5e-4 * abs(v)  # four significant digits: half a unit of the fourth
    assert rounded([0.123456], 2) == [0.12]


def test_shipped_json_holds_four_significant_digits_at_most():
    data = replay_data(exam_like())
    text = json.dumps([[r["train"], r["val"]] for r in data["runs"]])
    numbers = re.findall(r"-?\d+\.?\d*(?:e[-+]\d+)?", text)
    assert numbers
    for number in numbers:
        mantissa = number.split("e")[0].replace("-", "").replace(".", "").lstrip("0").rstrip("0")
        assert len(mantissa) <= DIGITS, number
    assert json.loads(json.dumps(data)) == data  # plain JSON: the widget state holds it as it is


def test_data_describes_every_run():
    runs = exam_like()
    data = replay_data(runs)
    assert [c["name"] for c in data["controls"]] == ["model", "augmentation", "frame", "lr"]
    options = {c["name"]: [v for v, _ in c["options"]] for c in data["controls"]}
    assert options == {"model": ["mlp", "deepsets"], "augmentation": ["none", "rotations"],
                       "frame": ["canonical", "random"], "lr": ["0.001", "0.05"]}
    assert dict(data["controls"][0]["options"]) == {"mlp": "MLP", "deepsets": "DeepSets"}
    for h, r in zip(runs, data["runs"]):
        choices = [options[name][k] for name, k in zip(options, r["choices"])]
        assert choices == [h.config.model, h.config.augmentation, h.config.frame, f"{h.config.lr:g}"]
        assert r["train"] == rounded(h.train_loss) and r["val"] == rounded(h.val_loss)
        assert r["best"] == int(np.argmin(h.val_loss)) + 1
        assert r["colour"] == AUGMENTATION_COLOURS[h.config.augmentation]
        assert r["epochs"] == h.config.epochs
        lo, hi = r["ylim"]
        assert lo <= min(r["train"] + r["val"]) and max(r["train"] + r["val"]) <= hi
    assert data["runs"][0]["ylim"] == [1e-3, 5.0]  # the range of the book's figures, when the run fits it
    diverged = data["runs"][-1]
    assert diverged["status"] == "diverged" and diverged["message"].startswith("MLP, none diverged")
    assert diverged["note"] == "diverged in epoch 3\n(lr = 0.05)" and diverged["ylim"] == [1e-3, 1e7]


def test_best_epoch_is_read_from_the_unrounded_curve():
    h = history(train=[0.5, 0.4, 0.3], val=[0.5, 0.300004, 0.300001])  # rounded, epochs 2 and 3 tie
    r = TrainingReplay([h])
    assert r.data["runs"][0]["val"] == [0.5, 0.3, 0.3]
    assert r.shown()["best-epoch"] == 3 and r.shown()["best-val"] == 0.3


def test_moves_land_on_a_run_with_the_value_chosen_keeping_what_they_can():
    data = replay_data(exam_like())
    runs = data["runs"]
    for i, run in enumerate(runs):
        for k, control in enumerate(data["controls"]):
            for v, target in enumerate(run["moves"][k]):
                assert runs[target]["choices"][k] == v
                same = [j for j, other in enumerate(runs) if other["choices"][k] == v
                        and all(other["choices"][m] == run["choices"][m] for m in range(4) if m != k)]
                if same:
                    assert target == same[0]
                if v == run["choices"][k]:
                    assert target == i


def test_every_key_shown_has_its_place_in_the_page():
    shown = replay_view(replay_data(exam_like()), 0, 1)["shown"]
    script = (JS / "replay.js").read_text()
    on_page = set(re.findall(r'val\("([a-z-]+)"', script))
    assert on_page == set(shown)


# ---- driving it from Python --------------------------------------------------------------------

def test_starts_on_the_first_run_at_its_last_epoch():
    runs = exam_like()
    r = TrainingReplay(runs)
    assert r.choices == {"model": "mlp", "augmentation": "none", "frame": "canonical", "lr": "0.001"}
    h = runs[0]
    assert r.shown() == {
        "epoch": 10, "epochs": 10, "train": rounded(h.train_loss)[-1], "val": rounded(h.val_loss)[-1],
        "final-epoch": 10, "final-train": rounded(h.train_loss)[-1], "final-val": rounded(h.val_loss)[-1],
        "best-epoch": int(np.argmin(h.val_loss)) + 1, "best-val": rounded(h.val_loss)[int(np.argmin(h.val_loss))],
        "status": "completed",
    }
    assert r.view["message"] == "" and r.view["kind"] == ""


def test_shown_for_given_choices_leaves_the_replay_as_it_is():
    runs = exam_like()
    r = TrainingReplay(runs, epoch=4)
    h = runs[6]  # random frame, DeepSets, none
    got = r.shown(model="deepsets", frame="random", epoch=2)
    assert (got["train"], got["val"], got["epoch"]) == (rounded(h.train_loss)[1], rounded(h.val_loss)[1], 2)
    assert r.shown(model="deepsets", frame="random")["epoch"] == 10  # another run: its last epoch
    assert r.widget.run == 0 and r.widget.epoch == 4


@pytest.mark.parametrize("epoch", [1, 5, 10])
def test_seek_shows_that_epoch(epoch):
    runs = exam_like()
    r = TrainingReplay(runs, model="deepsets", augmentation="rotations")
    r.seek(epoch)
    h = runs[3]
    assert r.shown()["epoch"] == epoch
    assert r.shown()["train"] == pytest.approx(h.train_loss[epoch - 1], rel=5e-4)
    assert r.shown()["val"] == pytest.approx(h.val_loss[epoch - 1], rel=5e-4)
    assert r.shown()["final-val"] == pytest.approx(h.val_loss[-1], rel=5e-4)


def test_the_diverged_run_shows_its_message():
    r = TrainingReplay(exam_like(), lr=0.05)
    got = r.shown()
    assert (got["epoch"], got["epochs"], got["final-epoch"], got["status"]) == (2, 10, 2, "diverged")
    assert got["final-val"] == 9.9e5 and got["train"] == 2.5e4 and got["best-epoch"] == 1 and got["best-val"] == 1.386e5
    assert r.view["kind"] == "warning" and "diverged in epoch 3" in r.view["message"]


def test_select_moves_as_the_reader_does():
    r = TrainingReplay(exam_like(), model="deepsets", augmentation="rotations", frame="random", epoch=4)
    r.select("lr", 0.05)  # only the MLP without augmentation, canonical, ran at 0.05
    assert r.choices == {"model": "mlp", "augmentation": "none", "frame": "canonical", "lr": "0.05"}
    assert r.widget.epoch == 2  # epoch 4 is past its end: its last
    r.select("lr", "0.001")  # the MLP, none, canonical at 0.001 exists: only the learning rate changes
    assert r.choices == {"model": "mlp", "augmentation": "none", "frame": "canonical", "lr": "0.001"}
    assert r.widget.epoch == 10  # from the end of a run to the end of the next
    r.seek(3)
    r.select("augmentation", "rotations")
    assert r.choices["augmentation"] == "rotations" and r.widget.epoch == 3  # an epoch inside the run stays


def test_choose_sets_run_and_epoch():
    r = TrainingReplay(exam_like())
    r.choose(model="deepsets", frame="random", epoch=7)
    assert r.choices == {"model": "deepsets", "augmentation": "none", "frame": "random", "lr": "0.001"}
    assert r.shown()["epoch"] == 7


def test_the_page_moving_the_traits_updates_python():
    r = TrainingReplay(exam_like())
    r.widget.run = 3
    r.widget.epoch = 6
    assert r.view["shown"]["epoch"] == 6 and r.choices["model"] == "deepsets"
    r.widget.epoch = 99  # nothing the page sends, but a message, not a traceback
    assert r.message_kind == "error" and "epoch must be a whole number from 1 to 10" in r.message.value
    r.widget.epoch = 2
    assert r.message_kind == "" and r.view["shown"]["epoch"] == 2


def test_replays_what_the_trainer_returns():
    base = dataclasses.replace(training.BOOK_CONFIG, model="mlp", epochs=3, n_train=64)
    runs = stacked_training.train([base, dataclasses.replace(base, model="deepsets")], workers=1)
    r = TrainingReplay(runs)
    for h in runs:
        got = r.shown(model=h.config.model)
        assert got["final-train"] == float(f"{h.train_loss[-1]:.4g}")
        assert got["final-val"] == float(f"{h.val_loss[-1]:.4g}")
        assert got["best-epoch"] == int(np.argmin(h.val_loss)) + 1
    assert len(r.data["controls"][1]["options"]) == 1  # one augmentation: the page shows it, nothing to choose


# ---- bad input ---------------------------------------------------------------------------------

@pytest.mark.parametrize("runs, error, match", [
    ([], ValueError, r"histories is empty"),
    ("runs", TypeError, r"histories must be a list of Histories"),
    ([history(), "run"], TypeError, r"histories\[1\] must be a History"),
    ([history(train=[0.5, 0.4], val=[0.6])], ValueError, r"histories\[0\] .* 2 training but 1 validation"),
    ([history(train=[], val=[], status="diverged", message="diverged in epoch 1", epochs=5)], ValueError,
     r"histories\[0\] .* no epoch to replay: .*diverged in epoch 1"),
    ([history(), history(augmentation="both"), history()], ValueError, r"histories\[0\] and histories\[2\] are both MLP, none"),
    ([history(val=[1.0, math.nan, 0.5])], ValueError, r"validation MSE of epoch 2 is nan"),
    ([history(train=[0.5, 0.0, 0.1])], ValueError, r"training MSE of epoch 2 is 0.0"),
    ([history(lr=1e-3), history(lr=1.0000001e-3)], ValueError, r"histories: learning rates"),
])
def test_bad_runs_are_refused(runs, error, match):
    with pytest.raises(error, match=match):
        TrainingReplay(runs)


@pytest.mark.parametrize("choice, match", [
    ({"model": "cnn"}, r"model must be one of 'mlp', 'deepsets' \(the runs given\), got 'cnn'"),
    ({"augmentation": "both"}, r"augmentation must be one of 'none', 'rotations'"),
    ({"lr": 0.3}, r"lr must be one of '0.001', '0.05'"),
    ({"frame": "sideways"}, r"frame must be one of 'canonical', 'random'"),
    ({"model": "deepsets", "lr": 0.05}, r"no run was given for model='deepsets', augmentation='none', frame='canonical', lr='0.05'"),
    ({"epoch": 11}, r"epoch must be a whole number from 1 to 10"),
    ({"epoch": 0}, r"epoch must be"),
    ({"epoch": 2.0}, r"epoch must be a whole number"),
])
def test_unknown_choices_name_the_argument(choice, match):
    r = TrainingReplay(exam_like())
    with pytest.raises(ValueError, match=match):
        r.shown(**choice)
    with pytest.raises(ValueError, match=match):
        r.choose(**choice)
    assert r.widget.run == 0 and r.widget.epoch == 10  # nothing moved


def test_bad_select_and_seek():
    r = TrainingReplay(exam_like())
    with pytest.raises(ValueError, match=r"control must be one of model, augmentation, frame, lr, got 'speed'"):
        r.select("speed", 2)
    with pytest.raises(ValueError, match=r"augmentation must be one of"):
        r.select("augmentation", "mirror")
    with pytest.raises(ValueError, match=r"epoch must be a whole number from 1 to 2"):
        TrainingReplay(exam_like(), lr=0.05).seek(3)
    with pytest.raises(ValueError, match=r"digits must be a whole number from 2 to 17"):
        replay_data(exam_like(), digits=1)
    with pytest.raises(ValueError, match=r"run must be a run index from 0 to 8"):
        replay_view(replay_data(exam_like()), 9, 1)
    assert replay_widget.CONTROLS == ("model", "augmentation", "frame", "lr")


def test_replay_move_is_what_select_does_and_checks_its_input():
    data = replay_data(exam_like())
    r = TrainingReplay(exam_like(), model="deepsets", augmentation="rotations", frame="random", epoch=5)
    assert replay_widget.replay_move(data, r.widget.run, 5, "lr", "0.05") == (8, 2)
    r.select("lr", "0.05")
    assert (r.widget.run, r.widget.epoch) == (8, 2)
    with pytest.raises(ValueError, match=r"control must be one of model, augmentation, frame, lr, got 'seed'"):
        replay_widget.replay_move(data, 0, 1, "seed", "0")
    with pytest.raises(ValueError, match=r"lr must be one of '0.001', '0.05' \(the runs given\), got 0.05"):
        replay_widget.replay_move(data, 0, 1, "lr", 0.05)  # the page's drop-downs hold text
