"""dlexam.stacked_training: runs against the plain loop, exact divergence messages, the work split and the core count."""

import concurrent.futures
import contextlib
import dataclasses
import io
import os
import sys
import threading
import types

import numpy as np
import pytest
import torch

from dlexam import models, stacked_training, training
from dlexam._threads import torch_threads

TINY = training.TrainConfig(epochs=2, n_train=5, batch_size=2)  # batches of 2, 2 and 1 configurations


def tiny(**changes):
    return dataclasses.replace(TINY, **changes)


@pytest.mark.parametrize("model", ["mlp", "deepsets", "pairsum"])
def test_stacked_runs_equal_the_plain_loop_run_by_run(model):
    """Two stacked runs (last batch of one configuration) each equal training.train_plain's curves and weights."""
    configs = [tiny(model=model), tiny(model=model, rotate=True, permute=True, rotation_sampler="exam hint",
                                        seed=1, data_seed=1)]
    together = stacked_training.train(configs, workers=1)
    for config, history in zip(configs, together):
        with torch_threads():  # one thread, as the stacks train: fast on a busy machine
            alone = training.train_plain(config)
        assert history.status == "completed" and history.epochs_run == 2
        np.testing.assert_allclose(history.train_loss, alone.train_loss, rtol=1e-5)
        np.testing.assert_allclose(history.val_loss, alone.val_loss, rtol=1e-5)
        for p, q in zip(history.model.parameters(), alone.model.parameters()):
            torch.testing.assert_close(p, q, rtol=1e-4, atol=1e-6)


def frozen_zero_network(monkeypatch, y_train, y_val, n_val=4):
    """Every network starts with all weights zero (it predicts exactly 0); the data are constant targets."""
    make_model = models.make_model

    def zeroed(name, generator=None):
        model = make_model(name, generator)
        with torch.no_grad():
            for p in model.parameters():
                p.zero_()
        return model

    monkeypatch.setattr(models, "make_model", zeroed)
    monkeypatch.setattr(stacked_training, "training_set",
                        lambda c: (torch.zeros(c.n_train, 20, 3), torch.full((c.n_train,), y_train)))
    monkeypatch.setattr(stacked_training, "validation_set",
                        lambda: (torch.zeros(n_val, 20, 3), torch.full((n_val,), y_val)))


@pytest.mark.parametrize("y, loss", [(1000.0, "1e+06"), (2000.0, "4e+06")])
def test_a_training_loss_of_exactly_the_ceiling_or_more_diverges_with_the_exact_message(monkeypatch, y, loss):
    """Predicting 0 for targets 1000 gives a finite loss of exactly 1e6 (DIVERGED_LOSS): already diverged."""
    frozen_zero_network(monkeypatch, y, 0.0)
    history = stacked_training.train(training.TrainConfig(model="mlp", epochs=3, n_train=4, batch_size=4))
    assert history.status == "diverged"
    assert history.message == (f"MLP, none diverged in epoch 1: the training loss became {loss}. "
                               f"Lower the learning rate (lr=0.001).")
    assert history.train_loss == [] and history.val_loss == [] and history.model is None


def test_a_training_loss_just_below_the_ceiling_goes_on(monkeypatch):
    """Targets 999 give a first-epoch loss of 998001 < 1e6: the run completes and records it exactly."""
    frozen_zero_network(monkeypatch, 999.0, 0.0)
    history = stacked_training.train(training.TrainConfig(model="mlp", epochs=1, n_train=4, batch_size=4))
    assert history.status == "completed" and history.message == "MLP, none: 1 epochs."
    assert history.train_loss == [998001.0]


def test_a_diverging_validation_loss_stops_the_run_with_the_exact_message(monkeypatch):
    """Zero targets leave the zero network unchanged; validation targets 1000 then score exactly 1e6."""
    frozen_zero_network(monkeypatch, 0.0, 1000.0)
    config = training.TrainConfig(model="deepsets", permute=True, epochs=3, n_train=4, batch_size=2, lr=0.25)
    healthy = training.TrainConfig(model="mlp", epochs=3, n_train=4, batch_size=2)
    history, other = stacked_training.train([config, healthy], validate=True)
    assert history.status == "diverged"
    assert history.message == ("DeepSets, permutations diverged in epoch 1: the validation loss became 1e+06. "
                               "Lower the learning rate (lr=0.25).")
    assert history.train_loss == [] and history.val_loss == []
    assert other.status == "diverged" and other.message.startswith("MLP, none diverged in epoch 1: the validation")
    assert stacked_training.train(config, validate=False).train_loss == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("y, n_train, batch_size", [(1.3, 13, 4), (1.3, 6, 4), (0.7, 5, 2)])
def test_the_training_loss_is_the_batch_weighted_mean_summed_in_double_precision(monkeypatch, y, n_train, batch_size):
    """A frozen zero network (lr underflows to 0 in float32) on targets y: every batch loss is fl32(y)**2 exactly."""
    frozen_zero_network(monkeypatch, y, 0.0)
    per_configuration = float(np.float32(y) ** 2)  # a full 24-bit mantissa: float32 sums of the batches would round
    config = training.TrainConfig(model="mlp", epochs=2, n_train=n_train, batch_size=batch_size, lr=1e-300)
    history = stacked_training.train(config, validate=False)
    assert history.train_loss == [per_configuration, per_configuration]


def test_a_network_with_an_unstackable_layer_is_refused_by_name(monkeypatch):
    """A ReLU among the layers raises TypeError naming the layer type."""
    make_model = models.make_model

    def with_relu(name, generator=None):
        model = make_model(name, generator)
        model.layers[1] = torch.nn.ReLU()
        return model

    monkeypatch.setattr(models, "make_model", with_relu)
    with pytest.raises(TypeError) as info:
        stacked_training.train(tiny(model="mlp", epochs=1), workers=1)
    assert str(info.value) == "cannot stack a ReLU layer"


@pytest.mark.parametrize("configs, message", [
    ("mlp", "configs must be a TrainConfig or a list of them, got str"),
    ({"model": "mlp"}, "configs must be a TrainConfig or a list of them, got dict"),
    ([TINY, "mlp"], "configs must be TrainConfig objects, got str"),
    ((TINY, 3), "configs must be TrainConfig objects, got int"),
])
def test_bad_configs_name_the_type_they_got(configs, message):
    """A non-list, or a list holding a non-TrainConfig, raises TypeError naming the offending type."""
    with pytest.raises(TypeError) as info:
        stacked_training.train(configs)
    assert str(info.value) == message


def mlps(n_trains_and_epochs, model="mlp"):
    return [training.TrainConfig(model=model, n_train=n, epochs=e) for n, e in n_trains_and_epochs]


@pytest.mark.parametrize("groups, workers, plan", [
    ([[0, 1], [2, 3]], 2, [[[0, 1]], [[2, 3]]]),  # each group costs exactly the target: no split
    ([[0, 1]], 2, [[[0]], [[1]]]),  # a pair above the target splits
    ([[0, 1, 2]], 2, [[[0], [2]], [[1]]]),  # 3 -> 1 + 2 -> 1 + 1 + 1
    ([[0, 1, 2, 3, 4]], 2, [[[0, 1], [2]], [[3, 4]]]),  # 5 -> 2 + 3 -> 2 + 1 + 2: odd halves, the larger second
    ([[0, 1, 2, 3]], 1, [[[0, 1, 2, 3]]]),
    ([[0], [1]], 3, [[[0]], [[1]]]),  # idle workers are left out
])
def test_divide_splits_equal_runs_by_hand(groups, workers, plan):
    """Equal runs (cost 1 each): groups halve until none exceeds total / workers, then go to the least-loaded worker."""
    assert stacked_training._divide(groups, mlps([(10, 1)] * 5), workers) == plan


def test_divide_costs_scale_with_training_set_size_and_epochs():
    """Costs model x n_train x epochs: B (mlp 10x5 = 50) > C (mlp 45x1 = 45) > A (deepsets 4x10x1 = 40)."""
    configs = [training.TrainConfig(model="deepsets", n_train=10, epochs=1), *mlps([(10, 5), (45, 1)])]
    assert stacked_training._divide([[0], [1], [2]], configs, 2) == [[[1]], [[2], [0]]]


def test_divide_adds_up_the_load_of_each_worker():
    """Costs 4, 3, 1, 1 on two workers: the third unit joins the 3 (load 4), the fourth the 4 (loads tie at 4)."""
    configs = [training.TrainConfig(model=m, n_train=1, epochs=1) for m in ("deepsets", "pairsum", "mlp", "mlp")]
    assert stacked_training._divide([[0], [1], [2], [3]], configs, 2) == [[[0], [3]], [[1], [2]]]


def test_available_cores_counts_the_affinity_set(monkeypatch):
    """On Linux: the number of cores in the process's affinity set, not os.cpu_count()."""
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 3, 5}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert stacked_training.available_cores() == 3


@pytest.mark.parametrize("cpu_count, cores", [(6, 6), (1, 1), (None, 1)])
def test_available_cores_falls_back_to_cpu_count_or_one(monkeypatch, cpu_count, cores):
    """Without sched_getaffinity: os.cpu_count(), or 1 when it is unknown (None)."""
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: cpu_count)
    assert stacked_training.available_cores() == cores


# --- Arguments: the callback's type and the worker limit --------------------------------------------


@pytest.mark.parametrize("callback, got", [(5, "int"), ("stop", "str"), ([print], "list")])
def test_a_callback_that_cannot_be_called_is_named_by_type(callback, got):
    """A non-callable callback raises TypeError naming the type it got."""
    with pytest.raises(TypeError) as info:
        stacked_training.train(TINY, callback=callback)
    assert str(info.value) == f"callback must be callable, got {got}"


def test_exactly_max_workers_is_allowed_and_one_more_is_refused():
    """workers = MAX_WORKERS (256) trains; 257 raises the exact message."""
    history = stacked_training.train(tiny(epochs=1), workers=stacked_training.MAX_WORKERS, validate=False)
    assert history.status == "completed" and history.epochs_run == 1
    with pytest.raises(ValueError) as info:
        stacked_training.train(TINY, workers=stacked_training.MAX_WORKERS + 1)
    assert str(info.value) == "workers must be at most 256, got 257"


# --- Progress lines ----------------------------------------------------------------------------------


def report_once_before_training(monkeypatch):
    """The first wait for the workers returns at once while they are held back, so a report shows 0 epochs run."""
    gate = threading.Event()
    real_wait, real_threads = concurrent.futures.wait, stacked_training.torch_threads
    calls = []

    def wait(futures, timeout=None):
        calls.append(timeout)
        if len(calls) == 1:
            return types.SimpleNamespace(done=set(), not_done=set(futures))
        gate.set()  # the report of the first call is printed: let the workers go
        return real_wait(futures, timeout=timeout)

    @contextlib.contextmanager
    def held_threads():
        if threading.current_thread() is not threading.main_thread():
            assert gate.wait(timeout=30)
        with real_threads():
            yield

    monkeypatch.setattr(concurrent.futures, "wait", wait)
    monkeypatch.setattr(stacked_training, "torch_threads", held_threads)
    monkeypatch.setattr(stacked_training, "time", types.SimpleNamespace(perf_counter=lambda: 1000.0))
    return calls


def test_progress_reports_the_share_of_epochs_run_and_the_seconds(monkeypatch, capsys):
    """Before any epoch: 0% done; at the end: 100% done; a clock standing at 1000 s gives 0 s elapsed."""
    calls = report_once_before_training(monkeypatch)
    stacked_training.train([tiny(epochs=1), tiny(epochs=1, seed=1)], progress=60, validate=False, workers=1)
    assert calls == [60, 60]
    assert capsys.readouterr().out == ("  training 2 runs: 0% done, 0 s\n"
                                       "  training 2 runs: 100% done, 0 s\n")


def test_progress_counts_a_diverged_run_as_done(monkeypatch, capsys):
    """A run that diverged in epoch 1 of 3 (0 epochs run) counts all its 3 epochs: the last line says 100%."""
    frozen_zero_network(monkeypatch, 1000.0, 0.0)
    history = stacked_training.train(training.TrainConfig(model="mlp", epochs=3, n_train=4, batch_size=4),
                                     progress=600)
    assert history.status == "diverged" and history.epochs_run == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("  training 1 runs: 100% done, ")


def test_every_progress_line_is_flushed(monkeypatch):
    """Each progress line is flushed at once, so it shows while training goes on."""

    class Counting(io.StringIO):
        flushes = 0

        def flush(self):
            Counting.flushes += 1
            super().flush()

    report_once_before_training(monkeypatch)
    out = Counting()
    monkeypatch.setattr(sys, "stdout", out)
    stacked_training.train(tiny(epochs=1), progress=60, validate=False, workers=1)
    assert out.getvalue().count("\n") == 2 and Counting.flushes == 2


def test_recorded_seconds_are_the_time_since_the_start_after_every_epoch_and_at_the_end(monkeypatch):
    """A clock reading 10, 11.5, 13, ... s: the callback sees 1.5 s after epoch 1, 3 s after epoch 2; each run reads the end."""
    readings = iter(10.0 + 1.5 * k for k in range(100))
    monkeypatch.setattr(stacked_training, "time", types.SimpleNamespace(perf_counter=lambda: next(readings)))
    seen = []
    histories = stacked_training.train([tiny(), tiny(seed=1)], validate=False, workers=1,
                                       callback=lambda hs: seen.append([h.seconds for h in hs]))
    assert seen == [[1.5, 1.5], [3.0, 3.0]]
    assert [h.seconds for h in histories] == [4.5, 6.0]  # one reading per run, in order
