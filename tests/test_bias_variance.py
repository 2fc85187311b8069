"""The bias-variance decomposition of III(F): the split, its small-K correction, the experiment, the checks."""

import numpy as np
import pytest
import torch

from dlexam import bias_variance, particles, training

SMALL = training.TrainConfig(epochs=2, n_train=64, batch_size=16)


def test_decompose_against_a_reference():
    rng = np.random.default_rng(0)
    predictions, y = rng.normal(size=(5, 40)), rng.normal(size=40)
    mse, bias2, variance = bias_variance.decompose(torch.from_numpy(predictions), torch.from_numpy(y))
    mean = predictions.mean(axis=0)
    assert mse == pytest.approx(np.mean((predictions - y) ** 2))
    assert bias2 == pytest.approx(np.mean((mean - y) ** 2))
    assert variance == pytest.approx(np.mean(predictions.var(axis=0)))
    assert mse == pytest.approx(bias2 + variance)
    shifted = bias_variance.decompose(torch.zeros(3, 4) + 0.5, torch.zeros(4))
    assert shifted == pytest.approx((0.25, 0.25, 0.0))


def test_pointwise_decomposition_averages_to_decompose():
    rng = np.random.default_rng(1)
    predictions, y = torch.from_numpy(rng.normal(size=(4, 30))), torch.from_numpy(rng.normal(size=30))
    bias2, variance = bias_variance.pointwise_decomposition(predictions, y)
    mse, bias2_mean, variance_mean = bias_variance.decompose(predictions, y)
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
    _, plug_in_bias2, plug_in_variance = bias_variance.decompose(predictions, torch.from_numpy(y))
    bias2, variance = bias_variance.corrected_decomposition(predictions, torch.from_numpy(y))
    assert plug_in_variance == pytest.approx(sigma**2 * (k - 1) / k, rel=0.01)
    assert plug_in_bias2 == pytest.approx(np.mean(b**2) + sigma**2 / k, rel=0.01)
    assert variance == pytest.approx(sigma**2, rel=0.01)
    assert bias2 == pytest.approx(np.mean(b**2), rel=0.03)


def test_select_configurations():
    rng = np.random.default_rng(5)
    y = torch.from_numpy(rng.normal(size=50))
    predictions = y + torch.from_numpy(rng.normal(size=(3, 50))) * torch.linspace(0, 1, 50, dtype=torch.float64)
    spread = bias_variance.select_configurations(predictions, y, 5)
    assert list(spread) == list(np.argsort(y.numpy())[[0, 12, 24, 37, 49]])
    noisy = bias_variance.select_configurations(predictions, y, 10, "largest variance")
    _, variance = bias_variance.pointwise_decomposition(predictions, y)
    assert set(noisy) == set(np.argsort(-variance.numpy())[:10].tolist())
    assert list(y.numpy()[noisy]) == sorted(y.numpy()[noisy])
    with pytest.raises(ValueError, match="n must be a whole number from 1 to 50"):
        bias_variance.select_configurations(predictions, y, 0)
    with pytest.raises(ValueError, match="how must be one of"):
        bias_variance.select_configurations(predictions, y, 3, "random")


@pytest.mark.parametrize("given, expected", [
    (("mlp", "none"), bias_variance.Regime("mlp", "none", "canonical", particles.N_TRAIN)),
    (["deepsets", "both", "random"], bias_variance.Regime("deepsets", "both", "random", particles.N_TRAIN)),
    (("pairsum", "none", "random", 125), bias_variance.Regime("pairsum", "none", "random", 125)),
])
def test_as_regime(given, expected):
    assert bias_variance.as_regime(given) == expected


@pytest.fixture(scope="module")
def small_results():
    regimes = [("mlp", "none", "random"), ("deepsets", "both"), ("mlp", "none", "random", 32)]
    return bias_variance.measure(k=2, regimes=regimes, base=SMALL)


def test_measure_on_a_small_problem(small_results):
    assert [(r.model, r.augmentation, r.train_frame, r.n_train, r.val_frame) for r in small_results] == [
        ("mlp", "none", "random", 500, "random"), ("mlp", "none", "random", 500, "canonical"),
        ("deepsets", "both", "canonical", 500, "random"), ("deepsets", "both", "canonical", 500, "canonical"),
        ("mlp", "none", "random", 32, "random"), ("mlp", "none", "random", 32, "canonical"),
    ]
    for r in small_results:
        assert r.predictions.shape == (2, particles.N_VALIDATION)
        assert r.mse == pytest.approx(r.bias2 + r.variance)
        assert r.variance > 0


def test_measure_trains_what_the_regime_says(small_results):
    first = small_results[0]
    assert (first.regime, first.val_frame) == (bias_variance.Regime("mlp", "none", "random", 500), "random")
    # Model 1 of the regime is the run with seed 1 on training set 1 of the random design, trained alone.
    from dlexam import stacked_training

    alone = stacked_training.train(training.TrainConfig(model="mlp", frame="random", n_train=500, seed=1, data_seed=1,
                                                        epochs=2, batch_size=16))
    with torch.no_grad():
        expected = alone.model(training.validation_set()[0])
    torch.testing.assert_close(first.predictions[1], expected, rtol=1e-4, atol=1e-5)
    small = [r for r in small_results if r.n_train == 32]
    assert len(small) == 2 and all(r.train_frame == "random" for r in small)


def test_check_decomposition():
    predictions = torch.tensor([[1.0, 2.0], [3.0, 2.0]])
    y = torch.tensor([1.0, 1.0])
    # mean prediction (2, 2): bias2 = (1 + 1) / 2 = 1; variance = (1 + 0) / 2 = 0.5; mse = (0 + 1 + 4 + 1) / 4 = 1.5
    assert bias_variance.check_decomposition(predictions, y, 1.5, 1.0, 0.5)
    verdict = bias_variance.check_decomposition(predictions, y, 1.5, 1.0, 1.0)  # variance with K - 1
    assert not verdict and "variance = 1 is off" in verdict.message and "bias2" not in verdict.message.split("\n", 1)[1]
    with pytest.raises(TypeError, match="bias2 must be a finite number"):
        bias_variance.check_decomposition(predictions, y, 1.5, float("nan"), 0.5)


# Two models on two points (by hand): mean prediction (2, 2), so mse = 1.5, bias2 = 1, variance = 0.5 exactly.
# The rule (code; the docstring is silent): each number passes when math.isclose(given, right, rel_tol, abs_tol=1e-9),
# inclusive and relative to the larger of the two: with rel_tol = 1/2 the edges are exactly right / 2 and 2 right.
DECOMPOSITION = (torch.tensor([[1.0, 2.0], [3.0, 2.0]]), torch.tensor([1.0, 1.0]))
RIGHT = {"mse": 1.5, "bias2": 1.0, "variance": 0.5}


def _check(rel_tol=None, **given):
    kwargs = {} if rel_tol is None else {"rel_tol": rel_tol}
    return bias_variance.check_decomposition(*DECOMPOSITION, **(RIGHT | given), **kwargs)


@pytest.mark.parametrize("name", ["mse", "bias2", "variance"])
def test_check_decomposition_accepts_each_number_exactly_at_rel_tol(name):
    """With rel_tol = 1/2, right / 2 and 2 right pass; 2**-20 further out fails."""
    right = RIGHT[name]
    assert _check(0.5, **{name: right / 2}) and _check(0.5, **{name: 2 * right})
    assert not _check(0.5, **{name: right / 2 - 2**-20})
    assert not _check(0.5, **{name: 2 * right + 2**-20})


def test_check_decomposition_with_rel_tol_zero_keeps_an_absolute_floor_of_1e_minus_9():
    """rel_tol=0: the exact numbers pass; an error of 2**-31 (4.7e-10) passes, 2**-29 (1.9e-9) fails."""
    assert _check(0)
    assert _check(0, variance=0.5 + 2**-31)
    assert not _check(0, variance=0.5 + 2**-29)


def test_check_decomposition_default_rel_tol_is_1e_minus_3():
    """The default rel_tol is 1e-3: mse 1.5 -+ 0.9e-3 x 1.5 passes, -+ 1.1e-3 x 1.5 fails."""
    assert _check(mse=1.5 - 0.00135) and _check(mse=1.5 + 0.00135)
    assert not _check(mse=1.5 - 0.00165) and not _check(mse=1.5 + 0.00165)


def test_check_decomposition_messages():
    """The right verdict shows the sum; a wrong one lists each wrong number with its hint, in order."""
    assert _check().message == "Right: mse 1.5 = bias2 1 + variance 0.5."
    assert _check(mse=3.0, bias2=2.0, variance=1.0).message == (
        "Not yet:\n"
        "mse = 3 is off: average the squared error over every model and every point\n"
        "bias2 = 2 is off: square the distance between the models' mean prediction and y at each point, then average\n"
        "variance = 1 is off: average the squared distance of each of the 2 predictions from their mean "
        "(divide by K, not K - 1), then average over the points")


@pytest.mark.parametrize("predictions, y, given, error, match", [
    (*DECOMPOSITION, {"mse": "1.5"}, TypeError, r"^mse must be a finite number"),
    (*DECOMPOSITION, {"bias2": True}, TypeError, r"^bias2 must be a finite number"),
    (*DECOMPOSITION, {"variance": float("inf")}, TypeError, r"^variance must be a finite number"),
    (*DECOMPOSITION, {"rel_tol": -2**-10}, ValueError, r"^rel_tol must be at least 0"),
    (*DECOMPOSITION, {"rel_tol": float("nan")}, ValueError, r"^rel_tol must be a finite number"),
    ([[1.0, 2.0], [3.0, 2.0]], DECOMPOSITION[1], {}, TypeError, r"^predictions must be a torch.Tensor"),
    (DECOMPOSITION[0], [1.0, 1.0], {}, TypeError, r"^y must be a torch.Tensor"),
    (DECOMPOSITION[0], torch.ones(3), {}, ValueError, r"^predictions must be \(K, n\) and y \(n,\)"),
    (torch.tensor([[1.0, float("nan")], [3.0, 2.0]]), DECOMPOSITION[1], {}, ValueError, r"^predictions must hold finite"),
])
def test_check_decomposition_rejects_bad_arguments(predictions, y, given, error, match):
    """Each bad argument raises, naming itself."""
    with pytest.raises(error, match=match):
        bias_variance.check_decomposition(predictions, y, **(RIGHT | given))


def test_check_regime():
    results = bias_variance.measure(k=2, regimes=[("mlp", "none"), ("deepsets", "none")], base=SMALL,
                                    val_frames=("canonical",))
    canonical = {(r.model, r.augmentation): r.variance for r in results}
    top = max(canonical, key=canonical.get)
    other = min(canonical, key=canonical.get)
    assert bias_variance.check_regime(results, top, "variance", "canonical", "canonical")
    assert not bias_variance.check_regime(results, other, "variance", "canonical", "canonical")
    assert bias_variance.check_regime(results, other, "variance", "canonical", "canonical", largest=False)
    with pytest.raises(ValueError, match="not among the regimes"):
        bias_variance.check_regime(results, "MLP, both", "variance", "canonical", "canonical")
    with pytest.raises(ValueError, match="quantity must be"):
        bias_variance.check_regime(results, "MLP, none", "noise")
    with pytest.raises(ValueError, match="hold no BiasVariance"):
        bias_variance.check_regime(results, "MLP, none", "variance", "random", "random")


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: bias_variance.measure(k=1), ValueError, "k must be an integer >= 2"),
        (lambda: bias_variance.measure(regimes=[("mlp", "flips")]), ValueError, "augmentation in"),
        (lambda: bias_variance.measure(regimes=[("mlp", "none", "sorted")]), ValueError, "frame in"),
        (lambda: bias_variance.measure(regimes=[]), ValueError, "non-empty sequence of regimes"),
        (lambda: bias_variance.measure(val_frames="random"), ValueError, "val_frames"),
        (lambda: bias_variance.measure(base="fast"), TypeError, "TrainConfig"),
        (lambda: bias_variance.decompose(torch.zeros(3), torch.zeros(3)), ValueError, "(K, n)"),
        (lambda: bias_variance.decompose(np.zeros((2, 3)), torch.zeros(3)), TypeError, "torch tensors"),
        (lambda: bias_variance.corrected_decomposition(torch.zeros(1, 3), torch.zeros(3)), ValueError, "K >= 2"),
        (lambda: bias_variance.as_regime("mlp"), ValueError, "a regime is"),
    ],
)
def test_bad_inputs_raise_clear_errors(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)


# --- The small-K correction, by hand --------------------------------------------------------------------

@pytest.mark.parametrize("predictions, y, expected", [
    # K = 2: mean (2, 2), bias2 = 1, variance = 0.5 -> (1 - 0.5 / 1, 0.5 * 2 / 1)
    ([[1.0, 2.0], [3.0, 2.0]], [1.0, 1.0], (0.5, 1.0)),
    # K = 3: mean 1, bias2 = 0, variance = (1 + 0 + 1) / 3 -> (0 - (2/3) / 2, (2/3) * 3 / 2): bias2 may be < 0
    ([[0.0], [1.0], [2.0]], [1.0], (-1 / 3, 1.0)),
    # K = 4: mean (1, 2), bias2 = (1 + 4) / 2, variance = ((1 + 1 + 0 + 0) / 4 + 0) / 2
    # -> (2.5 - 0.25 / 3, 0.25 * 4 / 3)
    ([[0.0, 2.0], [2.0, 2.0], [1.0, 2.0], [1.0, 2.0]], [0.0, 0.0], (2.5 - 0.25 / 3, 1 / 3)),
])
def test_corrected_decomposition_by_hand(predictions, y, expected):
    """bias2 - variance/(K - 1) and variance K/(K - 1), by hand; the variance is NumPy's ddof=1 one."""
    predictions, y = torch.tensor(predictions, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
    bias2, variance = bias_variance.corrected_decomposition(predictions, y)
    assert (bias2, variance) == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert variance == pytest.approx(np.var(predictions.numpy(), axis=0, ddof=1).mean(), rel=1e-12)
    mse, plug_bias2, plug_variance = bias_variance.decompose(predictions, y)
    assert mse == pytest.approx(np.mean((predictions.numpy() - y.numpy()) ** 2), rel=1e-12)
    assert mse == pytest.approx(plug_bias2 + plug_variance, rel=1e-12)


def test_corrected_decomposition_refuses_one_model():
    """K = 1 has no variance to correct: the exact error."""
    with pytest.raises(ValueError, match=r"^a corrected variance needs predictions of at least 2 models \(K >= 2\)$"):
        bias_variance.corrected_decomposition(torch.zeros(1, 3), torch.zeros(3))


# --- select_configurations: which configurations, and how ties break --------------------------------------

N = 40
Y = torch.arange(N, dtype=torch.float64)
EVEN = torch.tensor([1.0, 0.0] * (N // 2), dtype=torch.float64)  # 1 at even indices, 0 at odd ones
# Even configurations: both models y + 2 (bias2 4, variance 0); odd: y + 1 and y - 1 (bias2 0, variance 1).
BIASED_OR_NOISY = torch.stack([Y + 2 * EVEN + (1 - EVEN), Y + 2 * EVEN - (1 - EVEN)])


@pytest.mark.parametrize("how, expected", [("largest bias", [0, 2, 4]), ("largest variance", [1, 3, 5])])
def test_select_configurations_largest_bias_or_variance_breaks_ties_by_index(how, expected):
    """Twenty configurations tie for the largest score: the first three (by index) are chosen."""
    assert bias_variance.select_configurations(BIASED_OR_NOISY, Y, 3, how).tolist() == expected


def test_select_configurations_spread_breaks_ties_by_index():
    """y = 1, 0, 1, 0, ...: 'spread over P' sorts stably, so the odd indices come first, each group in order."""
    y = EVEN.clone()
    chosen = bias_variance.select_configurations(torch.stack([y, y]), y, N)
    assert chosen.tolist() == list(range(1, N, 2)) + list(range(0, N, 2))
    assert bias_variance.select_configurations(torch.stack([y, y]), y, 5).tolist() == [1, 21, 0, 18, 38]


def test_select_configurations_orders_ties_in_y_by_their_score():
    """All N chosen (variance decreasing with the index), y = 1, 0, 1, 0, ...: equal y keep the score's order."""
    d = torch.arange(N, 0, -1, dtype=torch.float64)  # variance d^2, largest at index 0
    y = EVEN.clone()
    chosen = bias_variance.select_configurations(torch.stack([y + d, y - d]), y, N, "largest variance")
    assert chosen.tolist() == list(range(1, N, 2)) + list(range(0, N, 2))


def test_select_configurations_names_the_ways_to_choose():
    """An unknown `how` lists the three ways, quoted."""
    with pytest.raises(ValueError, match=r"^how must be one of 'spread over P', 'largest bias', 'largest variance', "
                                         r"got 'random'$"):
        bias_variance.select_configurations(BIASED_OR_NOISY, Y, 3, "random")


# --- measure, without training: stacked_training.train and the validation set replaced by fakes -----------

VALIDATION = {"random": torch.tensor([1.0, 3.0]), "canonical": torch.tensor([0.0, 0.0])}


class FakeTraining:
    """Records what measure asks stacked_training.train; model i predicts i everywhere, last training loss i + 1."""

    def __init__(self, diverged=()):
        self.calls, self.diverged = [], diverged

    def train(self, configs, callback=None, validate=True, progress=None, workers=None):
        self.calls.append({"configs": list(configs), "validate": validate, "progress": progress})
        histories = []
        for c in configs:
            h = training.History(c, train_loss=[10.0, c.seed + 1.0], status="completed",
                                 model=lambda X, v=float(c.seed): torch.full((X.shape[0],), v))
            if c.seed in self.diverged:
                h.status, h.message = "diverged", f"run {c.seed} diverged."
            histories.append(h)
        return histories


@pytest.fixture
def fake(monkeypatch):
    fake = FakeTraining()
    monkeypatch.setattr(bias_variance.stacked_training, "train", fake.train)
    monkeypatch.setattr(bias_variance.training, "validation_set",
                        lambda frame="random": (torch.zeros(2, 20, 3), VALIDATION[frame]))
    return fake


def test_measure_builds_one_config_per_regime_and_model(fake):
    """Model i of a regime: its model, augmentation flags, frame and n_train; base's epochs, lr, batch size; seeds i."""
    base = training.TrainConfig(model="mlp", epochs=3, lr=0.01, batch_size=8, seed=7, data_seed=7, n_train=64,
                                frame="random")
    bias_variance.measure(k=2, regimes=[("mlp", "rotations", "random", 40), ("deepsets", "permutations")], base=base)
    (call,) = fake.calls
    assert call["validate"] is False and call["progress"] is None
    TC = training.TrainConfig
    assert call["configs"] == [
        TC(model="mlp", rotate=True, permute=False, frame="random", n_train=40, epochs=3, lr=0.01, batch_size=8,
           seed=0, data_seed=0),
        TC(model="mlp", rotate=True, permute=False, frame="random", n_train=40, epochs=3, lr=0.01, batch_size=8,
           seed=1, data_seed=1),
        TC(model="deepsets", rotate=False, permute=True, frame="canonical", n_train=500, epochs=3, lr=0.01,
           batch_size=8, seed=0, data_seed=0),
        TC(model="deepsets", rotate=False, permute=True, frame="canonical", n_train=500, epochs=3, lr=0.01,
           batch_size=8, seed=1, data_seed=1),
    ]


def test_measure_decomposes_each_regime_in_each_frame_by_hand(fake):
    """Models predict 0 and 1: against y = (1, 3) mse 3.5 = 3.25 + 0.25; against y = 0 mse 0.5 = 0.25 + 0.25."""
    results = bias_variance.measure(k=2, regimes=[("mlp", "none")], base=SMALL)
    regime = bias_variance.Regime("mlp", "none", "canonical", 500)
    assert [(r.regime, r.val_frame, r.mse, r.bias2, r.variance, r.train_mse) for r in results] == [
        (regime, "random", 3.5, 3.25, 0.25, 1.5),  # train_mse: the mean of the last losses 1 and 2
        (regime, "canonical", 0.5, 0.25, 0.25, 1.5),
    ]
    assert results[0].predictions.tolist() == [[0.0, 0.0], [1.0, 1.0]]


def test_measure_default_k_is_5(fake):
    """Without k, five models per regime: seeds and data seeds 0 to 4."""
    bias_variance.measure(regimes=[("mlp", "none")], base=SMALL, val_frames=("random",))
    assert [(c.seed, c.data_seed) for c in fake.calls[0]["configs"]] == [(i, i) for i in range(5)]


def test_measure_accepts_k_1000(fake):
    """k = 1000 is the largest allowed."""
    (result,) = bias_variance.measure(k=1000, regimes=[("mlp", "none")], base=SMALL, val_frames=("canonical",))
    assert result.predictions.shape == (1000, 2)


@pytest.mark.parametrize("progress", [0.5, 2])
def test_measure_passes_progress_on(fake, progress):
    """A positive progress (also below 1 second) goes to stacked_training.train."""
    bias_variance.measure(k=2, regimes=[("mlp", "none")], base=SMALL, val_frames=("random",), progress=progress)
    assert fake.calls[0]["progress"] == progress and fake.calls[0]["validate"] is False


def test_measure_refuses_a_diverged_run_listing_every_message(fake):
    """Runs 0 and 2 diverge: the exact error joins their messages."""
    fake.diverged = (0, 2)
    with pytest.raises(ValueError, match=r"^measure needs every run to converge: run 0 diverged\. run 2 diverged\.$"):
        bias_variance.measure(k=3, regimes=[("mlp", "none")], base=SMALL)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"k": 1001}, ValueError, r"^k must be at most 1,000 models per regime, got 1,001$"),
    ({"base": "fast"}, TypeError, r"^base must be a TrainConfig, got str$"),
    ({"val_frames": 5}, ValueError, r"^val_frames must be a non-empty sequence drawn from \('canonical', 'random'\), "
                                    r"got 5$"),
    ({"progress": 0}, ValueError, r"^progress must be above 0, got 0$"),
    ({"progress": -1.0}, ValueError, r"^progress must be above 0, got -1$"),
])
def test_measure_rejects_bad_arguments_before_training(fake, kwargs, error, match):
    """Each bad argument raises, naming itself, and nothing is trained."""
    with pytest.raises(error, match=match):
        bias_variance.measure(**({"k": 2, "regimes": [("mlp", "none")], "base": SMALL} | kwargs))
    assert fake.calls == []


# --- check_decomposition: NumPy and integer inputs, K in the hint ------------------------------------------

@pytest.mark.parametrize("predictions, y", [
    (np.array([[1.0, 2.0], [3.0, 2.0]]), np.array([1.0, 1.0])),
    (np.array([[1, 2], [3, 2]]), np.array([1, 1])),
    (torch.tensor([[1, 2], [3, 2]]), torch.tensor([1, 1])),
    (torch.tensor([[1.0, 2.0], [3.0, 2.0]]), np.array([1, 1])),
])
def test_check_decomposition_accepts_numpy_arrays_and_integers(predictions, y):
    """NumPy arrays and integer tensors are numbers too: mse 1.5 = bias2 1 + variance 0.5."""
    result = bias_variance.check_decomposition(predictions, y, 1.5, 1.0, 0.5)
    assert result.correct is True and result.message == "Right: mse 1.5 = bias2 1 + variance 0.5."


def test_check_decomposition_hint_counts_the_models_not_the_points():
    """K = 3 models on n = 2 points; variance 0.5 (K - 1) instead of 1/3: the hint says 'each of the 3 predictions'."""
    predictions = torch.tensor([[1.0, 2.0], [3.0, 2.0], [2.0, 2.0]])
    y = torch.tensor([1.0, 1.0])
    # mean (2, 2): bias2 = 1, variance = ((1 + 1 + 0) / 3 + 0) / 2 = 1/3, mse = (0 + 4 + 1 + 1 + 1 + 1) / 6 = 4/3
    assert bias_variance.check_decomposition(predictions, y, 4 / 3, 1.0, 1 / 3)
    result = bias_variance.check_decomposition(predictions, y, 4 / 3, 1.0, 0.5)
    assert result.correct is False and result.message == (
        "Not yet:\nvariance = 0.5 is off: average the squared distance of each of the 3 predictions from their mean "
        "(divide by K, not K - 1), then average over the points")


# --- check_regime on hand-made results ---------------------------------------------------------------------

def _bv(model, train_frame, val_frame, variance, train_mse, n_train=particles.N_TRAIN):
    return bias_variance.BiasVariance(bias_variance.Regime(model, "none", train_frame, n_train), val_frame,
                                      mse=1.0 + variance, bias2=1.0, variance=variance, train_mse=train_mse,
                                      predictions=torch.zeros(2, 1))


HAND_RESULTS = [
    _bv("mlp", "canonical", "random", 3.0, 0.1), _bv("deepsets", "canonical", "random", 1.0, 0.2),
    _bv("mlp", "canonical", "canonical", 0.5, 0.1), _bv("deepsets", "canonical", "canonical", 2.0, 0.2),
    _bv("mlp", "random", "random", 0.25, 0.3), _bv("deepsets", "random", "random", 5.0, 0.4),
    _bv("mlp", "canonical", "random", 0.125, 0.5, n_train=1),
    _bv("deepsets", "canonical", "random", 0.75, 0.6, n_train=1),
]


@pytest.mark.parametrize("args, kwargs, message", [
    (("MLP, none",), {}, "Right: MLP, none has the largest variance (canonical training set, random validation "
                         "frame), 3."),
    (("DeepSets, none",), {}, "Not yet: DeepSets, none has variance (canonical training set, random validation "
                              "frame) 1, place 2 of 2 from the largest."),
    (("DeepSets, none", "variance", "canonical", "canonical"), {},
     "Right: DeepSets, none has the largest variance (canonical training set, canonical validation frame), 2."),
    (("DeepSets, none", "variance", "random", "random"), {},
     "Right: DeepSets, none has the largest variance (random training set, random validation frame), 5."),
    (("DeepSets, none", "train_mse"), {}, "Right: DeepSets, none has the largest train_mse (canonical training "
                                          "set, random validation frame), 0.2."),
    (("MLP, none",), {"largest": False}, "Not yet: MLP, none has variance (canonical training set, random "
                                         "validation frame) 3, place 2 of 2 from the smallest."),
    (("DeepSets, none",), {"n_train": 1}, "Right: DeepSets, none has the largest variance (canonical training set, "
                                          "random validation frame), 0.75."),
])
def test_check_regime_on_hand_made_results(args, kwargs, message):
    """Defaults: variance, canonical training set, random validation frame, n_train 500; only matching results count."""
    result = bias_variance.check_regime(HAND_RESULTS, *args, **kwargs)
    assert result.correct is message.startswith("Right") and result.message == message


@pytest.mark.parametrize("results, kwargs, error, match", [
    (HAND_RESULTS, {"n_train": 0}, ValueError, r"^n_train must be at least 1, got 0$"),
    ("results", {}, TypeError, r"^results must be the list that measure returned, got 'results' \(str\)$"),
    (HAND_RESULTS, {"quantity": "noise"}, ValueError, r"^quantity must be 'mse', 'bias2', 'variance' or 'train_mse', "
                                                       r"got 'noise'$"),
])
def test_check_regime_rejects_bad_arguments(results, kwargs, error, match):
    """Each bad argument raises, naming itself."""
    with pytest.raises(error, match=match):
        bias_variance.check_regime(results, "MLP, none", **kwargs)


# --- as_regime: how short a tuple may be, the largest n_train; integer predictions -------------------------------

@pytest.mark.parametrize("given, expected", [
    (("mlp",), bias_variance.Regime("mlp", "none", "canonical", 500)),
    (["deepsets"], bias_variance.Regime("deepsets", "none", "canonical", 500)),
    (("mlp", "none", "canonical", 1), bias_variance.Regime("mlp", "none", "canonical", 1)),
    (("mlp", "none", "canonical", 100_000), bias_variance.Regime("mlp", "none", "canonical", 100_000)),
])
def test_as_regime_takes_a_model_alone_and_n_train_from_1_to_100_000(given, expected):
    """A one-item tuple or list is a model with the defaults (none, canonical, 500); n_train 1 and 100,000 pass."""
    assert bias_variance.as_regime(given) == expected


@pytest.mark.parametrize("given", [(), ("mlp", "none", "canonical", 0), ("mlp", "none", "canonical", 100_001),
                                   ("mlp", "none", "canonical", 500, "extra")])
def test_as_regime_refuses_an_empty_or_too_long_tuple_and_n_train_outside_1_to_100_000(given):
    """No item, five items, n_train 0 or 100,001: refused, naming the rule."""
    with pytest.raises(ValueError, match=r"^a regime is \(model, augmentation\[, frame\[, n_train\]\]\)"):
        bias_variance.as_regime(given)


def test_decompose_takes_integer_predictions_and_targets():
    """Integer tensors are numbers: two models predicting (1, 3) and (3, 3) for y = (1, 1), by hand."""
    # mean (2, 3); mse = (0 + 4 + 4 + 4) / 4 = 3; bias2 = (1 + 4) / 2 = 2.5; variance = (1 + 0 + 1 + 0) / 4 = 0.5
    predictions, y = torch.tensor([[1, 3], [3, 3]]), torch.tensor([1, 1])
    assert bias_variance.decompose(predictions, y) == (3.0, 2.5, 0.5)
    assert bias_variance.decompose(predictions.double(), y) == (3.0, 2.5, 0.5)
    assert bias_variance.decompose(predictions, y.double()) == (3.0, 2.5, 0.5)


@pytest.mark.parametrize("predictions, y, name, dtype", [
    (torch.ones(2, 3, dtype=torch.bool), torch.zeros(3), "predictions", "torch.bool"),
    (torch.ones(2, 3), torch.zeros(3, dtype=torch.bool), "y", "torch.bool"),
    (torch.ones(2, 3, dtype=torch.complex64), torch.zeros(3), "predictions", "torch.complex64"),
    (torch.ones(2, 3), torch.zeros(3, dtype=torch.complex128), "y", "torch.complex128"),
])
def test_decompose_refuses_booleans_and_complex_numbers_naming_the_argument(predictions, y, name, dtype):
    """Booleans or complex numbers in predictions or y: TypeError naming the argument and the dtype."""
    with pytest.raises(TypeError, match=rf"^{name} must hold real numbers, got dtype {dtype}$"):
        bias_variance.decompose(predictions, y)
