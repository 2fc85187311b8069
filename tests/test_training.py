import dataclasses
import math

import numpy as np
import pytest
import torch

from dlexam import augment, models, particles, training

SMALL = training.TrainConfig(epochs=3, n_train=64, batch_size=16)


def small(**changes):
    return dataclasses.replace(SMALL, **changes)


def curves(history):
    return np.array([history.train_loss, history.val_loss])


def reference_run(config):
    """The same run written as a plain loop: one nn.Module, torch.optim.Adam, public augment API."""
    X, y, X_val, y_val = training.training_data(config)
    g = particles.stream_generator(config.seed, training._MODEL_STREAM)
    g_rotations = particles.stream_generator(config.seed, training._ROTATION_STREAM)
    g_permutations = particles.stream_generator(config.seed, training._PERMUTATION_STREAM)
    model = models.make_model(config.model, g)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    train_loss, val_loss = [], []
    for _ in range(config.epochs):
        order = torch.randperm(len(X), generator=g)
        X_epoch, y_epoch = X[order], y[order]  # each epoch: shuffle, then augment every sample afresh
        if config.rotate:
            X_epoch = augment.apply_rotations(X_epoch, augment.random_rotations(len(X), g_rotations))
        if config.permute:
            X_epoch = augment.apply_permutations(X_epoch, augment.random_permutations(len(X), 20, g_permutations))
        total = 0.0
        for start in range(0, len(X), config.batch_size):
            xb, yb = X_epoch[start : start + config.batch_size], y_epoch[start : start + config.batch_size]
            loss = torch.nn.functional.mse_loss(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
        train_loss.append(total / len(X))
        with torch.no_grad():
            val_loss.append(torch.nn.functional.mse_loss(model(X_val), y_val).item())
    return np.array([train_loss, val_loss])


@pytest.mark.parametrize(
    "config",
    [small(model="mlp"), small(model="deepsets", rotate=True), small(model="mlp", rotate=True, permute=True)],
    ids=lambda c: c.label,
)
def test_trainer_matches_a_plain_pytorch_loop(config):
    np.testing.assert_allclose(curves(training.train(config)), reference_run(config), rtol=2e-4)


def test_training_reduces_the_loss():
    history = training.train(small(model="deepsets", epochs=6))
    assert history.status == "completed" and history.epochs_run == 6
    assert history.train_loss[-1] < 0.6 * history.train_loss[0]
    assert min(history.val_loss) < 0.6  # better than predicting the mean, which scores 1


def test_same_config_gives_the_same_history_bit_for_bit():
    a, b = training.train(small(rotate=True, permute=True)), training.train(small(rotate=True, permute=True))
    assert a == b  # compares config, both curves, status and message exactly
    for pa, pb in zip(a.model.parameters(), b.model.parameters()):
        assert torch.equal(pa, pb)


def test_different_seeds_give_different_histories():
    assert training.train(small(seed=1)).train_loss != training.train(small(seed=2)).train_loss


def test_stacked_runs_match_runs_trained_alone():
    configs = [
        small(model="deepsets"),
        small(model="deepsets", rotate=True),
        small(model="deepsets", permute=True, seed=3, data_seed=2),
        small(model="mlp", rotate=True, permute=True),
        small(model="mlp", seed=5),
    ]
    together = training.train(configs)
    for config, history in zip(configs, together):
        np.testing.assert_allclose(curves(history), curves(training.train(config)), rtol=1e-5)


def test_the_trained_model_reproduces_the_last_validation_loss():
    history = training.train(small(model="deepsets", rotate=True))
    _, _, X_val, y_val = training.training_data(history.config)
    with torch.no_grad():
        loss = torch.nn.functional.mse_loss(history.model(X_val), y_val).item()
    assert loss == pytest.approx(history.val_loss[-1], rel=1e-5)
    assert isinstance(history.model, models.DeepSets)


def test_permutation_augmentation_changes_nothing_for_deepsets():
    plain, permuted = training.train([small(model="deepsets"), small(model="deepsets", permute=True)])
    np.testing.assert_allclose(curves(permuted), curves(plain), rtol=1e-4)
    mlp_plain, mlp_permuted = training.train([small(model="mlp"), small(model="mlp", permute=True)])
    assert not np.allclose(curves(mlp_permuted), curves(mlp_plain), rtol=1e-2)


def test_a_diverging_run_stops_with_a_clear_status_and_spares_the_others():
    runs = [small(lr=1e6), small(), small(model="mlp", lr=1e6)]
    diverged, healthy, diverged_mlp = training.train(runs)
    for h in (diverged, diverged_mlp):
        assert h.status == "diverged"
        assert "diverged" in h.message and "learning rate" in h.message
        assert all(math.isfinite(v) for v in h.train_loss + h.val_loss)
        assert h.model is None
    assert healthy.status == "completed"
    np.testing.assert_allclose(curves(healthy), curves(training.train(small())), rtol=1e-6)


def test_the_callback_sees_every_epoch_and_can_stop_the_run():
    seen = []

    def callback(history):
        seen.append((history.epochs_run, history.val_loss[-1]))
        return history.epochs_run < 2

    history = training.train(small(epochs=10), callback=callback)
    assert history.status == "stopped" and history.epochs_run == 2
    assert [epoch for epoch, _ in seen] == [1, 2]
    assert history.model is not None


def test_stopping_after_the_last_epoch_still_counts_as_completed():
    history = training.train(small(epochs=2), callback=lambda h: False if h.epochs_run == 2 else None)
    assert history.status == "completed"


def test_the_callback_gets_the_list_when_several_runs_train():
    lengths = []
    training.train([small(epochs=2), small(epochs=2, model="mlp")], callback=lambda hs: lengths.append(len(hs)))
    assert lengths == [2, 2]


def test_training_leaves_the_global_random_state_alone():
    state = torch.random.get_rng_state()
    training.train(small(epochs=1, rotate=True, permute=True))
    assert torch.equal(state, torch.random.get_rng_state())


def test_exam_configs_are_the_eight_runs_of_III_E():
    configs = training.exam_configs()
    assert len({c.label for c in configs}) == 8
    assert {(c.model, c.augmentation) for c in configs} == {
        (m, a) for m in ("mlp", "deepsets") for a in ("none", "rotations", "permutations", "both")
    }
    assert all(dataclasses.replace(c, model="deepsets", rotate=False, permute=False) == training.BOOK_CONFIG
               for c in configs)


def test_decompose_against_a_reference():
    rng = np.random.default_rng(0)
    predictions, y = rng.normal(size=(5, 40)), rng.normal(size=40)
    mse, bias2, variance = training.decompose(torch.from_numpy(predictions), torch.from_numpy(y))
    mean = predictions.mean(axis=0)
    assert mse == pytest.approx(np.mean((predictions - y) ** 2))
    assert bias2 == pytest.approx(np.mean((mean - y) ** 2))
    assert variance == pytest.approx(np.mean(predictions.var(axis=0)))
    assert mse == pytest.approx(bias2 + variance)
    shifted = training.decompose(torch.zeros(3, 4) + 0.5, torch.zeros(4))
    assert shifted == pytest.approx((0.25, 0.25, 0.0))


def test_bias_variance_on_a_small_problem():
    results = training.bias_variance(k=2, regimes=[("deepsets", "both")], base=small(epochs=2))
    assert [(r.model, r.augmentation, r.frame) for r in results] == [
        ("deepsets", "both", "rotated"),
        ("deepsets", "both", "canonical"),
    ]
    for r in results:
        assert r.predictions.shape == (2, particles.N_VALIDATION)
        assert r.mse == pytest.approx(r.bias2 + r.variance)
        assert r.variance > 0


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: training.TrainConfig(model="cnn"), ValueError, "model must be one of"),
        (lambda: training.TrainConfig(epochs=0), ValueError, "epochs must be a positive integer"),
        (lambda: training.TrainConfig(batch_size=2.5), ValueError, "batch_size"),
        (lambda: training.TrainConfig(rotate="yes"), TypeError, "rotate must be True or False"),
        (lambda: training.TrainConfig(lr=-1.0), ValueError, "lr must be a positive number"),
        (lambda: training.TrainConfig(lr=float("nan")), ValueError, "lr must be a positive number"),
        (lambda: training.train([]), ValueError, "at least one TrainConfig"),
        (lambda: training.train(["mlp"]), TypeError, "TrainConfig"),
        (lambda: training.train("mlp"), TypeError, "a TrainConfig or a list of them"),
        (lambda: training.train(SMALL, callback=3), TypeError, "callable"),
        (lambda: training.bias_variance(k=1), ValueError, "k must be an integer >= 2"),
        (lambda: training.bias_variance(regimes=[("mlp", "flips")]), ValueError, "augmentation in"),
        (lambda: training.decompose(torch.zeros(3), torch.zeros(3)), ValueError, "(K, n)"),
    ],
)
def test_bad_inputs_raise_clear_errors(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)
