"""dlexam.training: the exact messages of the best-epoch self-check and of the errors around runs."""

import dataclasses

import pytest

from dlexam import training

SMALL = training.TrainConfig(epochs=3, n_train=64, batch_size=16)
# MLP, no augmentation; validation MSE 0.9, 0.5, 0.75, 0.625 (exact in binary): lowest in epoch 2 of 4.
RUN = training.History(dataclasses.replace(SMALL, model="mlp", epochs=4),
                       train_loss=[1.0, 0.5, 0.4, 0.3], val_loss=[0.9, 0.5, 0.75, 0.625], status="completed")


@pytest.mark.parametrize("answer, message", [
    (2, "Right: MLP, none reaches its lowest validation MSE, 0.5, in epoch 2."),
    (1, "Not yet: in epoch 1 the validation MSE of MLP, none is 0.9; it is lower later."),
    (3, "Not yet: in epoch 3 the validation MSE of MLP, none is 0.75; it is lower earlier."),
    (4, "Not yet: in epoch 4 the validation MSE of MLP, none is 0.625; it is lower earlier."),
    (5, "Not yet: MLP, none ran epochs 1 to 4; epoch 5 is not one of them."),
    (0, "Not yet: MLP, none ran epochs 1 to 4; epoch 0 is not one of them."),
])
def test_check_best_epoch_messages(answer, message):
    """Every branch, the last epoch included, names the run, the epoch and its validation MSE."""
    result = training.check_best_epoch(RUN, answer)
    assert result.correct is (answer == 2)
    assert result.message == message


@pytest.mark.parametrize("history", [training.History(SMALL, train_loss=[1.0]), "history"])
def test_check_best_epoch_needs_validation_curves(history):
    """A run without validation curves, or no run at all, raises with the exact message."""
    with pytest.raises(TypeError) as info:
        training.check_best_epoch(history, 1)
    assert str(info.value) == "history must be a trained History with validation curves (from a trainer)"


def test_check_best_epoch_refuses_nan_losses():
    """A NaN validation loss leaves no best epoch."""
    with pytest.raises(ValueError) as info:
        training.check_best_epoch(dataclasses.replace(RUN, val_loss=[0.5, float("nan")]), 1)
    assert str(info.value) == "history holds NaN or infinite validation losses: it has no best epoch"


@pytest.mark.parametrize("a, b, message", [
    (RUN, dataclasses.replace(RUN, train_loss=[float("inf")]),
     "b holds NaN or infinite losses: its curves cannot be compared"),
    (dataclasses.replace(RUN, val_loss=[float("nan")]), RUN,
     "a holds NaN or infinite losses: its curves cannot be compared"),
    (RUN, training.History(SMALL), "a and b share no epoch to compare: the two runs need curves"),
])
def test_curve_difference_errors_name_the_run(a, b, message):
    """Non-finite curves name the run that holds them; runs without common epochs say so."""
    with pytest.raises(ValueError) as info:
        training.curve_difference(a, b)
    assert str(info.value) == message


def test_exam_configs_names_the_type_it_got():
    """A base that is not a TrainConfig raises naming its type."""
    with pytest.raises(TypeError) as info:
        training.exam_configs("mlp")
    assert str(info.value) == "base must be a TrainConfig, got str"


def test_initial_model_names_the_type_it_got():
    """A config that is not a TrainConfig raises naming its type."""
    with pytest.raises(TypeError) as info:
        training.initial_model("mlp")
    assert str(info.value) == "config must be a TrainConfig, got str"


@pytest.mark.parametrize("histories, question, error, message", [
    ([RUN], "best", ValueError,
     "question must be one of 'largest gap', 'lowest validation', 'highest training', got 'best'"),
    ("runs", "largest gap", TypeError, "histories must be a list of trained Histories, got 'runs' (str)"),
    (["run"], "largest gap", ValueError, "histories must contain at least one trained History with validation curves"),
    ([training.History(SMALL, train_loss=[1.0])], "largest gap", ValueError,
     "histories must contain at least one trained History with validation curves"),
    ([dataclasses.replace(RUN, val_loss=[0.5, float("nan")])], "lowest validation", ValueError,
     "histories hold a run whose final loss is NaN or infinite (it diverged): leave it out"),
])
def test_check_run_errors(histories, question, error, message):
    """An unknown question, no list, no run with validation curves, a diverged run: exact errors."""
    with pytest.raises(error) as info:
        training.check_run(histories, "MLP, none", question)
    assert str(info.value) == message


@pytest.mark.parametrize("answer", ["f, none", "F, none", "DeepSets, none", "deep sets, none", ("f", "none")])
def test_extreme_verdict_reads_f_as_deepsets(answer):
    """'f' (the exam's name for the DeepSets model) in any case, like 'DeepSets', names the DeepSets run."""
    values = {("deepsets", "none"): 1.0, ("mlp", "none"): 2.0}
    result = training.extreme_verdict(values, answer, "loss", False, 1e-9, "runs")
    assert result.correct is True
    assert result.message == "Right: DeepSets, none has the smallest loss, 1."


@pytest.mark.parametrize("answer", ["PairSum, none", "pairsum, none", " PAIRSUM , NONE ", ("pairsum", "none")])
def test_extreme_verdict_reads_pairsum(answer):
    """'PairSum' in any case and spacing, or its key, names the PairSum run."""
    values = {("pairsum", "none"): 1.0, ("mlp", "none"): 2.0}
    result = training.extreme_verdict(values, answer, "loss", False, 1e-9, "runs")
    assert result.correct is True
    assert result.message == "Right: PairSum, none has the smallest loss, 1."


ANSWER_FORMS = ("answer a run as 'model, augmentation', e.g. 'MLP, none' or 'DeepSets, both' "
                "(augmentation one of none, rotations, permutations, both); got ")


@pytest.mark.parametrize("answer", ["MLP", "MLP, none, both", "CNN, none", "MLP, rotatıons", "deepſets, none", ("mlp",)])
def test_extreme_verdict_unreadable_answer_lists_the_forms(answer):
    """An answer that names no run (lookalike letters such as dotless ı or long ſ included) gets the accepted forms."""
    with pytest.raises(ValueError) as info:
        training.extreme_verdict({("mlp", "none"): 1.0}, answer, "loss", True, 1e-9, "runs")
    assert str(info.value) == ANSWER_FORMS + repr(answer)


def test_extreme_verdict_answer_not_among_the_runs_lists_them():
    """A readable answer that is not one of the runs lists the runs, comma-separated."""
    values = {("mlp", "none"): 1.0, ("deepsets", "both"): 2.0}
    with pytest.raises(ValueError) as info:
        training.extreme_verdict(values, "MLP, rotations", "loss", True, 1e-9, "runs")
    assert str(info.value) == "answer MLP, rotations is not among the runs: MLP, none, DeepSets, both"


@pytest.mark.parametrize("values, got", [({}, "{} (dict)"), ([1.0], "[1.0] (list)"), (None, "None (NoneType)")])
def test_extreme_verdict_values_must_be_a_non_empty_dict(values, got):
    """Values that are not a non-empty dict raise naming what was given."""
    with pytest.raises(TypeError) as info:
        training.extreme_verdict(values, "MLP, none", "loss", True, 1e-9, "runs")
    assert str(info.value) == "values must be a non-empty dict {(model, augmentation): number}, got " + got


def test_train_plain_history_keeps_its_config():
    """The History train_plain returns holds the config it was trained with, one epoch of curves, completed."""
    config = dataclasses.replace(SMALL, epochs=1)
    history = training.train_plain(config)
    assert history.config == config and history.status == "completed"
    assert len(history.train_loss) == len(history.val_loss) == 1


@pytest.mark.parametrize("name, ceiling", [("epochs", 100_000), ("batch_size", 100_000), ("n_train", 100_000)])
def test_train_config_allows_each_ceiling_and_refuses_one_more(name, ceiling):
    """epochs, batch_size and n_train may equal their ceiling of 100,000; one more raises naming the setting."""
    assert getattr(dataclasses.replace(SMALL, **{name: ceiling}), name) == ceiling
    with pytest.raises(ValueError) as info:
        dataclasses.replace(SMALL, **{name: ceiling + 1})
    assert str(info.value) == f"{name} must be at most 100,000, got 100,001"


@pytest.mark.parametrize("config, got", [(5, "int"), (None, "NoneType"), ({"epochs": 3}, "dict")])
def test_training_set_names_the_type_of_a_config_that_is_not_one(config, got):
    """training_set refuses anything but a TrainConfig, naming the type it got."""
    with pytest.raises(TypeError) as info:
        training.training_set(config)
    assert str(info.value) == f"config must be a TrainConfig, got {got}"
