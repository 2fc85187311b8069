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


def test_a_partial_last_batch_is_weighted_by_its_size():
    # 10 configurations in batches of 4: batches of 4, 4 and 2. With a vanishing learning rate the
    # model stays at its initialisation, so the epoch's loss must be the MSE over all 10 examples:
    # (4 m1 + 4 m2 + 2 m3) / 10, not the mean of the three batch means.
    config = small(model="mlp", epochs=1, n_train=10, batch_size=4, lr=1e-30)
    X, y, _, _ = training.training_data(config)
    with torch.no_grad():
        errors = ((training.initial_model(config)(X) - y) ** 2).double()
    g = particles.stream_generator(config.seed, training.MODEL_STREAM)
    models.make_model(config.model, g)
    order = torch.randperm(10, generator=g)  # the epoch's order, after the initialisation's draws
    batch_means = [float(errors[order[a:b]].mean()) for a, b in ((0, 4), (4, 8), (8, 10))]
    weighted = (4 * batch_means[0] + 4 * batch_means[1] + 2 * batch_means[2]) / 10
    assert weighted == pytest.approx(float(errors.mean()), rel=1e-12)
    assert abs(sum(batch_means) / 3 - weighted) > 1e-3 * weighted  # the two weightings differ on these data
    for history in (training.train_plain(config), stacked_training.train(config)):
        assert history.train_loss[0] == pytest.approx(weighted, rel=1e-5)


def test_initial_model_is_the_model_a_run_starts_from():
    config = small(model="deepsets", seed=5, epochs=1)
    model = training.initial_model(config)
    reference = models.make_model("deepsets", particles.stream_generator(5, training.MODEL_STREAM))
    assert all(torch.equal(p, q) for p, q in zip(model.parameters(), reference.parameters()))
    other = training.initial_model(small(model="deepsets", seed=6))
    assert not all(torch.equal(p, q) for p, q in zip(model.parameters(), other.parameters()))
    with pytest.raises(TypeError, match="config must be a TrainConfig"):
        training.initial_model("deepsets")


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


def _run(model, augmentation, train_loss, val_loss):
    rotate, permute = training.AUGMENTATIONS[augmentation]
    return training.History(small(model=model, rotate=rotate, permute=permute), train_loss=train_loss,
                            val_loss=val_loss, status="completed")


# Final (train, validation) MSE chosen by hand: gaps 4, 1.5, 2 and 2 (a tie), validation 0.8, 0.6, 0.2, 0.2.
HAND_RUNS = [
    _run("mlp", "none", [1.0, 0.2], [1.0, 0.8]),
    _run("mlp", "rotations", [1.0, 0.4], [1.0, 0.6]),
    _run("deepsets", "none", [1.0, 0.1], [1.0, 0.2]),
    _run("deepsets", "permutations", [1.0, 0.1], [1.0, 0.2]),
]


def test_check_run_on_runs_with_known_answers():
    assert training.check_run(HAND_RUNS, "MLP, none", "largest gap")
    verdict = training.check_run(HAND_RUNS, "MLP, rotations", "largest gap")
    assert not verdict and "place 4 of 4" in verdict.message and "1.5" in verdict.message
    assert training.check_run(HAND_RUNS, ("deepsets", "none"), "lowest validation")
    assert training.check_run(HAND_RUNS, "DeepSets, permutations", "lowest validation")  # a tie: both right
    assert not training.check_run(HAND_RUNS, "MLP, none", "lowest validation")
    assert training.check_run(HAND_RUNS, "MLP, rotations", "highest training")
    assert not training.check_run(HAND_RUNS, "MLP, none", "highest training")
    with pytest.raises(ValueError, match="answer DeepSets, both is not among the runs"):
        training.check_run(HAND_RUNS, "DeepSets, both", "lowest validation")


def test_extreme_verdict_at_its_tolerance():
    values = {("mlp", "none"): 1.0, ("deepsets", "none"): 1.0 - 2**-10, ("mlp", "both"): 0.5}
    # |1 - (1 - 2^-10)| = 2^-10 = rel_tol * max: right exactly at the tolerance, wrong just inside it.
    assert training.extreme_verdict(values, "DeepSets, none", "x", True, 2**-10, "runs")
    assert not training.extreme_verdict(values, "DeepSets, none", "x", True, 2**-10 * (1 - 2**-20), "runs")
    assert not training.extreme_verdict(values, "DeepSets, none", "x", True, 0.0, "runs")
    assert training.extreme_verdict(values, "MLP, none", "x", True, 0.0, "runs")
    smallest = training.extreme_verdict(values, "MLP, none", "x", False, 0.0, "runs")
    assert not smallest and "place 3 of 3 from the smallest" in smallest.message


def test_check_run_on_trained_runs(eight_small_runs):
    runs = eight_small_runs
    # DeepSets sums over the particles, so permuting them changes nothing: its two curves tie and
    # both answers are right, whichever run has the lowest validation loss.
    permuted, plain = (next(h for h in runs if h.config.label == label)
                       for label in ("DeepSets, permutations", "DeepSets, none"))
    assert permuted.val_loss[-1] == pytest.approx(plain.val_loss[-1], rel=1e-4)
    verdicts = [training.check_run(runs, label, "lowest validation") for label in ("DeepSets, permutations",
                                                                                  "DeepSets, none")]
    assert verdicts[0].correct == verdicts[1].correct
    assert sum(bool(training.check_run(runs, h.config.label, "lowest validation")) for h in runs) >= 1


@pytest.mark.parametrize("answer", ["MLP", "CNN, none", "MLP, flips", 3, ("mlp",)])
def test_check_run_rejects_answers_it_cannot_read(eight_small_runs, answer):
    with pytest.raises(ValueError, match="answer a run as 'model, augmentation'"):
        training.check_run(eight_small_runs, answer)


def test_check_best_epoch(eight_small_runs):
    h = _run("mlp", "none", [1.0, 0.5, 0.4, 0.3], [0.9, 0.5, 0.7, 0.6])  # lowest validation in epoch 2
    assert training.check_best_epoch(h, 2)
    assert "lower earlier" in training.check_best_epoch(h, 3).message
    assert "lower later" in training.check_best_epoch(h, 1).message
    assert "not one of them" in training.check_best_epoch(h, 5).message
    assert "not one of them" in training.check_best_epoch(h, 0).message
    assert training.check_best_epoch(_run("mlp", "none", [1.0, 0.5], [0.5, 0.5]), 1)  # a tie: the first
    assert not training.check_best_epoch(eight_small_runs[0], 99)
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
