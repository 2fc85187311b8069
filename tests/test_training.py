"""A run's settings, its data, the plain reference loop, and III(E)'s self-checks."""

import dataclasses

import numpy as np
import pytest
import torch

from dlexam import augment, models, particles, stacked_training, training

SMALL = training.TrainConfig(epochs=3, n_train=64, batch_size=16)


def small(**changes):
    return dataclasses.replace(SMALL, **changes)


def curves(history):
    return np.array([history.train_loss, history.val_loss])


def independent_loop(config):
    """The same run written out again here, without train_plain: per-sample augmentation in a Python loop."""
    X, y, X_val, y_val = training.training_data(config)
    g = particles.stream_generator(config.seed, training.MODEL_STREAM)
    g_rotations = particles.stream_generator(config.seed, training.ROTATION_STREAM)
    g_permutations = particles.stream_generator(config.seed, training.PERMUTATION_STREAM)
    model = models.make_model(config.model, g)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    train_loss = []
    for _ in range(config.epochs):
        order = torch.randperm(len(X), generator=g)
        R = augment.random_rotations(len(X), g_rotations) if config.rotate else None
        P = augment.random_permutations(len(X), 20, g_permutations) if config.permute else None
        samples = []
        for k, i in enumerate(order.tolist()):
            x = X[i]
            if R is not None:
                x = x @ R[k].T
            if P is not None:
                x = x[P[k]]
            samples.append(x)
        X_epoch, y_epoch = torch.stack(samples), y[order]
        total = 0.0
        for start in range(0, len(X), config.batch_size):
            xb, yb = X_epoch[start:start + config.batch_size], y_epoch[start:start + config.batch_size]
            loss = ((model(xb) - yb) ** 2).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
        train_loss.append(total / len(X))
    with torch.no_grad():
        final_val = float(((model(X_val) - y_val) ** 2).mean())
    return np.array(train_loss), final_val


@pytest.mark.parametrize("config", [small(model="mlp"), small(model="deepsets", rotate=True, frame="random"),
                                    small(model="pairsum", permute=True)], ids=lambda c: f"{c.label}, {c.frame}")
def test_train_plain_matches_an_independent_loop(config):
    history = training.train_plain(config)
    train_loss, final_val = independent_loop(config)
    np.testing.assert_allclose(history.train_loss, train_loss, rtol=1e-4)
    assert history.val_loss[-1] == pytest.approx(final_val, rel=1e-4)
    assert history.status == "completed" and history.epochs_run == 3
    assert isinstance(history.model, models.MODELS[config.model])


@pytest.mark.parametrize("config", [
    small(model="mlp"),
    small(model="mlp", rotate=True, permute=True, frame="random"),
    small(model="deepsets", rotate=True),
    small(model="deepsets", permute=True, seed=3, data_seed=2),
    small(model="pairsum", rotate=True, permute=True),
    small(model="deepsets", rotate=True, rotation_sampler="exam hint", frame="random"),
], ids=lambda c: f"{c.label}, {c.frame}, {c.rotation_sampler}, seed {c.seed}")
def test_the_stacked_trainer_reproduces_the_plain_loop(config):
    plain = training.train_plain(config)
    stacked = stacked_training.train(config)
    np.testing.assert_allclose(curves(stacked), curves(plain), rtol=2e-4)
    for p, q in zip(plain.model.parameters(), stacked.model.parameters()):
        torch.testing.assert_close(p, q, rtol=1e-3, atol=1e-5)


def test_train_plain_is_short_enough_to_read():
    import inspect

    body = inspect.getsource(training.train_plain).split('"""')[-1]
    lines = [line for line in body.splitlines() if line.strip()]
    assert len(lines) <= 30, f"train_plain has {len(lines)} lines: keep the reference loop readable"


def test_train_plain_leaves_the_global_random_state_alone():
    state = torch.random.get_rng_state()
    training.train_plain(small(epochs=1, rotate=True, permute=True))
    assert torch.equal(state, torch.random.get_rng_state())


def test_exam_configs_are_the_eight_runs_of_III_E():
    configs = training.exam_configs()
    assert len({c.label for c in configs}) == 8
    assert {(c.model, c.augmentation) for c in configs} == {
        (m, a) for m in ("mlp", "deepsets") for a in ("none", "rotations", "permutations", "both")
    }
    assert all(dataclasses.replace(c, model="deepsets", rotate=False, permute=False) == training.BOOK_CONFIG
               for c in configs)
    random = training.exam_configs(dataclasses.replace(training.BOOK_CONFIG, frame="random"), networks=("pairsum",))
    assert [c.frame for c in random] == ["random"] * 4 and {c.model for c in random} == {"pairsum"}


@pytest.mark.parametrize("frame", particles.FRAMES)
def test_training_data_follow_the_config(frame):
    config = small(frame=frame, data_seed=4)
    X, y, X_val, y_val = training.training_data(config)
    X_ref, y_ref = particles.make_dataset(64, 4, frame=frame)
    assert torch.equal(X, X_ref) and torch.allclose(y, particles.standardise(y_ref))
    X[:] = 0  # a copy: the cached training set is unchanged
    assert torch.equal(training.training_data(config)[0], X_ref)
    assert X_val.shape == (particles.N_VALIDATION, 20, 3)


def test_validation_set_in_both_frames():
    X, y = training.validation_set()
    X_val, y_val = particles.make_dataset(particles.N_VALIDATION, 0, validation=True)
    assert torch.equal(X, X_val) and torch.allclose(y, particles.standardise(y_val))
    X_canonical, y_canonical = training.validation_set("canonical")
    assert torch.equal(y_canonical, y)
    np.testing.assert_allclose(particles.target(X_canonical), particles.target(X), rtol=1e-4)
    assert bool((X_canonical[:, 1:, 0] >= X_canonical[:, :-1, 0]).all())  # sorted by x
    with pytest.raises(ValueError, match="frame must be one of"):
        training.validation_set("rotated")


@pytest.fixture(scope="module")
def eight_small_runs():
    return stacked_training.train(training.exam_configs(small(epochs=4)))


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
    # DeepSets' curves with and without permutations tie to float rounding: both answers count.
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


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: training.TrainConfig(model="cnn"), ValueError, "model must be one of"),
        (lambda: training.TrainConfig(epochs=0), ValueError, "epochs must be a positive integer"),
        (lambda: training.TrainConfig(batch_size=2.5), ValueError, "batch_size"),
        (lambda: training.TrainConfig(rotate="yes"), TypeError, "rotate must be True or False"),
        (lambda: training.TrainConfig(lr=-1.0), ValueError, "lr must be a positive number"),
        (lambda: training.TrainConfig(lr=float("nan")), ValueError, "lr must be a positive number"),
        (lambda: training.TrainConfig(frame="sorted"), ValueError, "frame must be one of"),
        (lambda: training.TrainConfig(rotation_sampler="euler"), ValueError, "rotation_sampler must be one of"),
        (lambda: training.train_plain("mlp"), TypeError, "TrainConfig"),
        (lambda: training.exam_configs(networks=("cnn",)), ValueError, "networks must be"),
        (lambda: training.exam_configs("mlp"), TypeError, "TrainConfig"),
    ],
)
def test_bad_inputs_raise_clear_errors(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)


def test_curve_difference():
    a = training.History(SMALL, train_loss=[1.0, 0.5, 0.25], val_loss=[1.0, 0.8, 0.7])
    b = training.History(SMALL, train_loss=[1.0, 0.4], val_loss=[1.1, 0.8])
    assert training.curve_difference(a, b) == pytest.approx(0.1)
    with pytest.raises(ValueError, match="no epoch"):
        training.curve_difference(a, training.History(SMALL))
    with pytest.raises(TypeError, match="Histories"):
        training.curve_difference(a, [1.0])
