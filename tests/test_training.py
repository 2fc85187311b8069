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


# Additions for III(E) and III(F): the decomposition point by point, its small-K correction,
# how close augmented copies come to those seen, the validation set in both frames, self-checks.


def test_pointwise_decomposition_averages_to_decompose():
    rng = np.random.default_rng(1)
    predictions, y = torch.from_numpy(rng.normal(size=(4, 30))), torch.from_numpy(rng.normal(size=30))
    bias2, variance = training.pointwise_decomposition(predictions, y)
    mse, bias2_mean, variance_mean = training.decompose(predictions, y)
    assert bias2.shape == variance.shape == (30,)
    assert float(bias2.mean()) == pytest.approx(bias2_mean)
    assert float(variance.mean()) == pytest.approx(variance_mean)
    np.testing.assert_allclose(variance.numpy(), predictions.numpy().var(axis=0))


def test_corrected_decomposition_removes_the_small_k_bias():
    # K models whose predictions are y + b(x) + sigma * noise: true bias2 = mean b^2, variance = sigma^2.
    rng = np.random.default_rng(2)
    n, k, sigma = 200_000, 3, 0.5
    y = rng.normal(size=n)
    b = rng.uniform(-0.3, 0.3, size=n)
    predictions = torch.from_numpy(y + b + sigma * rng.normal(size=(k, n)))
    _, plug_in_bias2, plug_in_variance = training.decompose(predictions, torch.from_numpy(y))
    bias2, variance = training.corrected_decomposition(predictions, torch.from_numpy(y))
    assert plug_in_variance == pytest.approx(sigma**2 * (k - 1) / k, rel=0.01)
    assert plug_in_bias2 == pytest.approx(np.mean(b**2) + sigma**2 / k, rel=0.01)
    assert variance == pytest.approx(sigma**2, rel=0.01)
    assert bias2 == pytest.approx(np.mean(b**2), rel=0.03)


def test_nearest_copy_distance_rotations_fill_in_permutations_do_not():
    X, _ = particles.make_dataset(8, seed=3)
    def median(aug, n_seen):
        d = training.nearest_copy_distance(X, aug, n_seen=n_seen, n_new=50, generator=torch.Generator().manual_seed(0))
        assert d.shape == (8, 50) and bool(((d >= 0) & (d <= 1)).all())
        return float(d.median())
    few, many = median("rotations", 10), median("rotations", 1000)
    # The rotations form a 3-dimensional family: 100 times more copies come 100^(1/3) = 4.6 times closer.
    assert 3 < few / many < 7
    permutations = median("permutations", 1000)
    assert permutations > 0.5 and permutations > 2 * median("rotations", 100)


def test_nearest_copy_distance_is_reproducible_and_rejects_no_augmentation():
    X, _ = particles.make_dataset(3, seed=0)
    a = training.nearest_copy_distance(X, "both", 20, 5, torch.Generator().manual_seed(4))
    b = training.nearest_copy_distance(X, "both", 20, 5, torch.Generator().manual_seed(4))
    assert torch.equal(a, b)
    with pytest.raises(ValueError, match="'rotations', 'permutations' or 'both'"):
        training.nearest_copy_distance(X, "none")
    with pytest.raises(ValueError, match="n_seen"):
        training.nearest_copy_distance(X, "rotations", n_seen=0)


def test_validation_set_in_both_frames():
    X, y = training.validation_set()
    _, _, X_val, y_val = training.training_data(SMALL)
    assert torch.equal(X, X_val) and torch.equal(y, y_val)
    X_canonical, y_canonical = training.validation_set("canonical")
    assert torch.equal(y_canonical, y)
    assert torch.allclose(X_canonical, particles.canonical_frame(X).float())
    # Same configurations, so the same property; the canonical frame sorts the particles by x.
    np.testing.assert_allclose(particles.target(X_canonical), particles.target(X), rtol=1e-4)
    assert bool((X_canonical[:, 1:, 0] >= X_canonical[:, :-1, 0]).all())
    with pytest.raises(ValueError, match="frame must be one of"):
        training.validation_set("sideways")


def test_select_configurations():
    rng = np.random.default_rng(5)
    y = torch.from_numpy(rng.normal(size=50))
    predictions = y + torch.from_numpy(rng.normal(size=(3, 50))) * torch.linspace(0, 1, 50, dtype=torch.float64)
    spread = training.select_configurations(predictions, y, 5)
    assert list(spread) == list(np.argsort(y.numpy())[[0, 12, 24, 37, 49]])
    noisy = training.select_configurations(predictions, y, 10, "largest variance")
    _, variance = training.pointwise_decomposition(predictions, y)
    assert set(noisy) == set(np.argsort(-variance.numpy())[:10].tolist())
    assert list(y.numpy()[noisy]) == sorted(y.numpy()[noisy])
    with pytest.raises(ValueError, match="n must be a whole number from 1 to 50"):
        training.select_configurations(predictions, y, 0)
    with pytest.raises(ValueError, match="how must be one of"):
        training.select_configurations(predictions, y, 3, "random")


@pytest.fixture(scope="module")
def eight_small_runs():
    return training.train(training.exam_configs(small(epochs=4)))


def test_check_run(eight_small_runs):
    runs = eight_small_runs
    gaps = {h.config.label: h.val_loss[-1] / h.train_loss[-1] for h in runs}
    largest = max(gaps, key=gaps.get)
    smallest = min(gaps, key=gaps.get)
    assert training.check_run(runs, largest, "largest gap")
    verdict = training.check_run(runs, smallest, "largest gap")
    assert not verdict and "Not yet" in verdict.message and "place 8 of 8" in verdict.message
    lowest = min(runs, key=lambda h: h.val_loss[-1])
    assert training.check_run(runs, (lowest.config.model, lowest.config.augmentation), "lowest validation")
    # DeepSets' curves with and without permutations tie exactly: both answers count.
    assert training.check_run(runs, "deepsets, permutations", "lowest validation").correct == \
        training.check_run(runs, "DeepSets, none", "lowest validation").correct


@pytest.mark.parametrize("answer", ["MLP", "CNN, none", "MLP, flips", 3, ("mlp",)])
def test_check_run_rejects_answers_it_cannot_read(eight_small_runs, answer):
    with pytest.raises(ValueError, match="answer a run as 'model, augmentation'"):
        training.check_run(eight_small_runs, answer)


def test_check_best_epoch(eight_small_runs):
    h = eight_small_runs[0]
    best = int(np.argmin(h.val_loss)) + 1
    assert training.check_best_epoch(h, best)
    wrong = 1 if best != 1 else 2
    assert not training.check_best_epoch(h, wrong)
    assert "not one of them" in training.check_best_epoch(h, 99).message
    with pytest.raises(TypeError, match="epoch number"):
        training.check_best_epoch(h, 2.5)


def test_check_decomposition():
    predictions = torch.tensor([[1.0, 2.0], [3.0, 2.0]])
    y = torch.tensor([1.0, 1.0])
    # mean prediction (2, 2): bias2 = (1 + 1) / 2 = 1; variance = (1 + 0) / 2 = 0.5; mse = (0 + 1 + 4 + 1) / 4 = 1.5
    assert training.check_decomposition(predictions, y, 1.5, 1.0, 0.5)
    verdict = training.check_decomposition(predictions, y, 1.5, 1.0, 1.0)  # variance with K - 1
    assert not verdict and "variance = 1 is off" in verdict.message and "bias2" not in verdict.message.split("\n", 1)[1]
    with pytest.raises(TypeError, match="bias2 must be a finite number"):
        training.check_decomposition(predictions, y, 1.5, float("nan"), 0.5)


def test_check_regime():
    results = training.bias_variance(k=2, regimes=[("mlp", "none"), ("deepsets", "none")], base=small(epochs=2))
    canonical = {(r.model, r.augmentation): r.variance for r in results if r.frame == "canonical"}
    top = max(canonical, key=canonical.get)
    other = min(canonical, key=canonical.get)
    assert training.check_regime(results, top, "variance", "canonical")
    assert not training.check_regime(results, other, "variance", "canonical")
    assert training.check_regime(results, other, "variance", "canonical", largest=False)
    with pytest.raises(ValueError, match="not among the regimes"):
        training.check_regime(results, "MLP, both")
    with pytest.raises(ValueError, match="quantity must be"):
        training.check_regime(results, "MLP, none", "noise")
