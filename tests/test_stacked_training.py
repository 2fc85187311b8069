"""The book's fast trainer: stacked runs, split between cores, give the curves each run gives alone."""

import dataclasses
import math

import numpy as np
import pytest
import torch

from dlexam import models, stacked_training, training

SMALL = training.TrainConfig(epochs=3, n_train=64, batch_size=16)


def small(**changes):
    return dataclasses.replace(SMALL, **changes)


def curves(history):
    return np.array([history.train_loss, history.val_loss])


def test_training_reduces_the_loss():
    history = stacked_training.train(small(model="deepsets", epochs=6))
    assert history.status == "completed" and history.epochs_run == 6
    assert history.train_loss[-1] < 0.6 * history.train_loss[0]
    assert min(history.val_loss) < 0.6  # better than predicting the mean, which scores 1


def test_same_config_gives_the_same_history_bit_for_bit():
    a = stacked_training.train(small(rotate=True, permute=True))
    b = stacked_training.train(small(rotate=True, permute=True))
    assert a == b  # compares config, both curves, status and message exactly
    for pa, pb in zip(a.model.parameters(), b.model.parameters()):
        assert torch.equal(pa, pb)


def test_different_seeds_give_different_histories():
    assert stacked_training.train(small(seed=1)).train_loss != stacked_training.train(small(seed=2)).train_loss


CONFIGS = [
    small(model="deepsets"),
    small(model="deepsets", rotate=True),
    small(model="deepsets", permute=True, seed=3, data_seed=2),
    small(model="mlp", rotate=True, permute=True, frame="random"),
    small(model="mlp", seed=5),
    small(model="pairsum", epochs=2),
]


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_stacked_runs_match_runs_trained_alone_whatever_the_number_of_workers(workers):
    together = stacked_training.train(CONFIGS, workers=workers)
    for config, history in zip(CONFIGS, together):
        assert history.config == config
        np.testing.assert_allclose(curves(history), curves(stacked_training.train(config, workers=1)), rtol=1e-5)


def test_the_work_is_divided_evenly_and_completely():
    configs = [small(model="deepsets", seed=i) for i in range(6)] + [small(model="mlp", seed=i) for i in range(8)]
    groups = [list(range(6)), list(range(6, 14))]
    plan = stacked_training._divide(groups, configs, 2)
    assert sorted(i for worker in plan for members in worker for i in members) == list(range(14))
    cost = [sum(stacked_training._COST[configs[i].model] for members in worker for i in members) for worker in plan]
    assert max(cost) <= 0.7 * sum(cost)  # neither core does much more than half of the work
    assert stacked_training._divide(groups, configs, 1) == [groups]


def test_validate_false_trains_the_same_runs_without_validation_curves():
    with_curves = stacked_training.train([small()])
    without = stacked_training.train(small(), validate=False)
    assert without.val_loss == [] and without.epochs_run == 3
    assert without.train_loss == with_curves[0].train_loss
    for p, q in zip(without.model.parameters(), with_curves[0].model.parameters()):
        assert torch.equal(p, q)


def test_the_trained_model_reproduces_the_last_validation_loss():
    history = stacked_training.train(small(model="deepsets", rotate=True))
    X_val, y_val = training.validation_set()
    with torch.no_grad():
        loss = torch.nn.functional.mse_loss(history.model(X_val), y_val).item()
    assert loss == pytest.approx(history.val_loss[-1], rel=1e-5)
    assert isinstance(history.model, models.DeepSets)


@pytest.mark.parametrize("model", ["deepsets", "pairsum"])
def test_augmentation_changes_nothing_for_a_network_invariant_to_it(model):
    plain, permuted = stacked_training.train([small(model=model), small(model=model, permute=True)])
    np.testing.assert_allclose(curves(permuted), curves(plain), rtol=1e-4)
    mlp_plain, mlp_permuted = stacked_training.train([small(model="mlp"), small(model="mlp", permute=True)])
    assert not np.allclose(curves(mlp_permuted), curves(mlp_plain), rtol=1e-2)


def test_pairsum_trains_the_same_on_both_designs():
    canonical, random = stacked_training.train([small(model="pairsum"), small(model="pairsum", frame="random")])
    np.testing.assert_allclose(curves(random), curves(canonical), rtol=1e-3)


def test_a_diverging_run_stops_with_a_clear_status_and_spares_the_others():
    runs = [small(lr=1e6), small(), small(model="mlp", lr=1e6)]
    diverged, healthy, diverged_mlp = stacked_training.train(runs)
    for h in (diverged, diverged_mlp):
        assert h.status == "diverged"
        assert "diverged" in h.message and "learning rate" in h.message
        assert all(math.isfinite(v) for v in h.train_loss + h.val_loss)
        assert h.model is None
    assert healthy.status == "completed"
    np.testing.assert_allclose(curves(healthy), curves(stacked_training.train(small())), rtol=1e-6)


def test_the_callback_sees_every_epoch_and_can_stop_the_run():
    seen = []

    def callback(history):
        seen.append((history.epochs_run, history.val_loss[-1]))
        return history.epochs_run < 2

    history = stacked_training.train(small(epochs=10), callback=callback)
    assert history.status == "stopped" and history.epochs_run == 2
    assert history.message == "DeepSets, none: stopped after epoch 2."
    assert [epoch for epoch, _ in seen] == [1, 2]
    assert history.model is not None


def test_stopping_after_the_last_epoch_still_counts_as_completed():
    history = stacked_training.train(small(epochs=2), callback=lambda h: False if h.epochs_run == 2 else None)
    assert history.status == "completed"


def test_the_callback_gets_the_list_when_several_runs_train():
    lengths = []
    stacked_training.train([small(epochs=2), small(epochs=2, model="mlp")], callback=lambda hs: lengths.append(len(hs)))
    assert lengths == [2, 2]


def test_progress_lines_are_printed(capsys):
    stacked_training.train([small(epochs=2), small(epochs=2, model="mlp")], progress=1e-3)
    out = capsys.readouterr().out
    assert "training 2 runs" in out and "100% done" in out


def test_training_leaves_the_global_state_alone():
    state, threads = torch.random.get_rng_state(), torch.get_num_threads()
    stacked_training.train([small(epochs=1, rotate=True, permute=True), small(epochs=1, model="mlp")])
    assert torch.equal(state, torch.random.get_rng_state())
    assert torch.get_num_threads() == threads


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: stacked_training.train([]), ValueError, "at least one TrainConfig"),
        (lambda: stacked_training.train(["mlp"]), TypeError, "TrainConfig"),
        (lambda: stacked_training.train("mlp"), TypeError, "a TrainConfig or a list of them"),
        (lambda: stacked_training.train(SMALL, callback=3), TypeError, "callable"),
        (lambda: stacked_training.train(SMALL, validate="no"), TypeError, "validate must be True or False"),
        (lambda: stacked_training.train(SMALL, progress=0), ValueError, "progress must be"),
        (lambda: stacked_training.train(SMALL, workers=0), ValueError, "workers must be"),
    ],
)
def test_bad_inputs_raise_clear_errors(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)
