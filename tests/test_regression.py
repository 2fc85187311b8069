"""dlexam.regression against numpy.linalg.lstsq, torch.nn + torch.optim.Adam, and the properties of each split."""

import math
from importlib import resources

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from dlexam import regression as R
from dlexam.plots.regression import plot_extrapolation, plot_linearity, plot_split_fit, plot_validation_spread

# ---- least squares -------------------------------------------------------------------------

LSTSQ_CASES = [(n, scale, seed) for seed, (n, scale) in enumerate(
    [(2, 1.0), (3, 1.0), (10, 1.0), (50, 1e3), (200, 1e-3), (398, 1.0), (1000, 50.0)])]


@pytest.mark.parametrize("n, scale, seed", LSTSQ_CASES)
def test_fit_line_matches_lstsq(n, scale, seed):
    rng = np.random.default_rng(seed)
    x = scale * rng.normal(size=n) + rng.normal() * scale
    y = rng.normal(size=n) * 10 + 3 * x
    slope, intercept = R.fit_line(x, y)
    (ref_slope, ref_intercept), *_ = np.linalg.lstsq(np.c_[x, np.ones(n)], y, rcond=None)
    assert slope == pytest.approx(ref_slope, rel=1e-9, abs=1e-9)
    assert intercept == pytest.approx(ref_intercept, rel=1e-9, abs=1e-9 * max(1.0, abs(ref_intercept)))


@pytest.mark.parametrize("slope, intercept", [(0.0, 5.0), (2.5, -1.0), (-0.21, 20.6), (1e4, 1e-3), (-3.0, 0.0)])
def test_fit_line_recovers_a_noise_free_line_exactly(slope, intercept):
    x = np.linspace(-7.0, 11.0, 37)
    s, b = R.fit_line(x, slope * x + intercept)
    assert s == pytest.approx(slope, rel=1e-12, abs=1e-9)
    assert b == pytest.approx(intercept, rel=1e-10, abs=1e-9 * max(1.0, abs(slope)))


def test_the_residuals_of_the_line_are_orthogonal_to_1_and_x():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=100), rng.normal(size=100)
    residual = y - R.predict_line(*R.fit_line(x, y), x)
    assert abs(residual.sum()) < 1e-10 and abs(residual @ x) < 1e-10


@pytest.mark.parametrize("x, y, error, message", [
    ([1.0, 1.0, 1.0], [1.0, 2.0, 3.0], ValueError, 'x takes a single value'),  # constant x
    ([1.0, 2.0], [1.0, 2.0, 3.0], ValueError, 'x has 2 values but y has 3'),  # lengths differ
    ([1.0], [1.0], ValueError, 'x needs at least 2 values'),  # one point
    ([1.0, np.nan, 2.0], [1.0, 2.0, 3.0], ValueError, 'x contains NaN'),
    ([[1.0, 2.0], [3.0, 4.0]], [1.0, 2.0], ValueError, 'x must be 1-D.*\\(2, 2\\)'),
    (["a", "b"], [1.0, 2.0], TypeError, 'x must hold real numbers'),
])
def test_fit_line_rejects_bad_inputs(x, y, error, message):
    with pytest.raises(error, match=message):
        R.fit_line(x, y)


def test_r_squared_and_mse():
    y = np.array([1.0, 2.0, 3.0, 4.0])
    assert R.mse(y, y + 2) == 4.0
    assert R.r_squared(y, y) == 1.0
    assert R.r_squared(y, np.full(4, y.mean())) == pytest.approx(0.0)
    with pytest.raises(ValueError, match="y is constant"):
        R.r_squared(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="y has 4 values but prediction has 3"):
        R.mse(y, y[:3])


def test_polynomial_r_squared_grows_with_degree_and_is_1_for_a_parabola():
    x = np.linspace(0, 3, 40)
    y = x**2
    assert R.polynomial_r_squared(x, y, 1) < R.polynomial_r_squared(x, y, 2) == pytest.approx(1.0)
    assert R.polynomial_r_squared(x, 2 * x + 1, 1) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="degree must be a whole number from 1 to 5, got 0"):
        R.polynomial_r_squared(x, y, 0)


# ---- the data ------------------------------------------------------------------------------

def test_the_data_file_ships_inside_the_package():
    assert resources.files("dlexam").joinpath("data", R.DATA_FILE).is_file()
    assert resources.files("dlexam").joinpath("data", "README.md").is_file()


def test_load_cars_rows_and_no_missing_values():
    cars = R.load_cars()
    assert len(cars) == R.N_CARS == 398
    for name in ("model_year", "cylinders", "displacement_l", "weight_kg", "mpg", "litres_per_100km", "co2_g_per_km"):
        values = getattr(cars, name)
        assert values.shape == (398,) and np.all(np.isfinite(values)), name
    assert sorted(set(cars.model_year)) == list(range(1970, 1983))
    assert set(cars.origin) == {"USA", "Europe", "Japan"}
    assert int(np.sum(cars.fuel == "diesel")) == 9


def test_load_cars_units_are_plausible():
    cars = R.load_cars()
    assert 700 < cars.weight_kg.min() and cars.weight_kg.max() < 2400  # compact cars to station wagons, in kg
    assert 1.0 < cars.displacement_l.min() and cars.displacement_l.max() < 7.6  # litres
    assert set(cars.cylinders) <= {3, 4, 5, 6, 8}
    assert 5 < cars.litres_per_100km.min() and cars.litres_per_100km.max() < 27
    assert 100 < cars.co2_g_per_km.min() and cars.co2_g_per_km.max() < 650
    # heavier cars burn more: the correlation is strongly positive
    assert np.corrcoef(cars.weight_kg, cars.co2_g_per_km)[0, 1] > 0.8


def test_load_cars_first_row_against_the_source():
    cars = R.load_cars()
    # chevrolet chevelle malibu, 1970: 18 mpg, 3504 lb, 307 cubic inches, 8 cylinders
    assert cars.name[0] == "chevrolet chevelle malibu" and cars.model_year[0] == 1970
    assert cars.weight_kg[0] == pytest.approx(3504 * 0.45359237)
    assert cars.displacement_l[0] == pytest.approx(307 * 0.016387064)


@pytest.mark.parametrize("mpg, fuel, grams_per_gallon", [(20.0, "gasoline", 8887.0), (9.0, "gasoline", 8887.0),
                                                          (43.1, "diesel", 10180.0)])
def test_co2_per_km_from_the_epa_grams_per_gallon(mpg, fuel, grams_per_gallon):
    # grams per gallon divided by the km one gallon lasts: an independent route to g/km
    expected = grams_per_gallon / (mpg * 1.609344)
    assert R.co2_g_per_km(mpg, fuel)[0] == pytest.approx(expected, rel=1e-4)
    assert R.litres_per_100km(mpg)[0] == pytest.approx(235.215 / mpg, rel=1e-5)


def test_co2_rejects_unknown_fuel_and_bad_mpg():
    with pytest.raises(ValueError, match="fuel"):
        R.co2_g_per_km(20.0, "kerosene")
    with pytest.raises(ValueError, match="mpg must be positive"):
        R.litres_per_100km(0.0)


def test_feature_names():
    cars = R.load_cars()
    assert cars.feature("weight") is cars.weight_kg
    with pytest.raises(ValueError, match="feature"):
        cars.feature("length")


# ---- splits --------------------------------------------------------------------------------

FRACTIONS = [0.5, 0.6, 0.8, 0.9, 0.95]


@pytest.mark.parametrize("fraction", FRACTIONS)
@pytest.mark.parametrize("validation", ["largest", "smallest"])
def test_sorted_split_separates_the_ranges(fraction, validation):
    x = R.load_cars().weight_kg
    train, val = R.sorted_split(x, fraction, validation=validation)
    assert len(train) == round(fraction * len(x)) and len(train) + len(val) == len(x)
    assert sorted(np.concatenate([train, val])) == list(range(len(x)))
    if validation == "largest":
        assert x[train].max() <= x[val].min()
    else:
        assert x[val].max() <= x[train].min()
    assert R.outside_range_fraction(x[train], x[val]) >= np.mean(x[val] != (x[train].max() if validation == "largest"
                                                                             else x[train].min()))


def test_sorted_split_breaks_ties_in_the_data_order():
    train, val = R.sorted_split([2.0, 1.0, 2.0, 2.0], 0.5)
    assert list(train) == [1, 0] and list(val) == [2, 3]


@pytest.mark.parametrize("n, fraction, seed", [(10, 0.5, 0), (398, 0.8, 1), (101, 0.7, 2), (5, 0.2, 3)])
def test_shuffled_split_is_a_reproducible_permutation(n, fraction, seed):
    train, val = R.shuffled_split(n, fraction, np.random.default_rng(seed))
    assert sorted(np.concatenate([train, val])) == list(range(n))
    assert len(train) == round(fraction * n)
    again = R.shuffled_split(n, fraction, np.random.default_rng(seed))
    assert np.array_equal(train, again[0]) and np.array_equal(val, again[1])
    other = R.shuffled_split(n, fraction, np.random.default_rng(seed + 100))
    assert not np.array_equal(train, other[0])


def test_shuffled_split_mixes_the_ranges():
    x = R.load_cars().weight_kg
    train, val = R.shuffled_split(len(x), 0.8, np.random.default_rng(0))
    assert R.outside_range_fraction(x[train], x[val]) < 0.05
    assert x[val].min() < np.median(x) < x[val].max()


@pytest.mark.parametrize("call, error, message", [
    (lambda: R.sorted_split([1.0, 2.0, 3.0], 0.0), ValueError, 'train_fraction must be strictly between 0 and 1'),
    (lambda: R.sorted_split([1.0, 2.0, 3.0], 1.0), ValueError, 'train_fraction must be strictly between 0 and 1'),
    (lambda: R.sorted_split([1.0, 2.0, 3.0], True), TypeError, 'train_fraction must be a number'),
    (lambda: R.sorted_split([1.0, 2.0, 3.0], 0.05), ValueError, 'train_fraction 0.05 of 3 points leaves an empty'),  # no training point left
    (lambda: R.sorted_split([1.0, 2.0, 3.0], 0.5, validation="middle"), ValueError, "validation must be 'largest' or 'smallest'"),
    (lambda: R.shuffled_split(10, 0.8, 0), TypeError, 'rng must be a numpy.random.Generator'),  # a seed is not a generator
    (lambda: R.shuffled_split(1, 0.5, np.random.default_rng(0)), ValueError, 'n must be a whole number of data points'),
    (lambda: R.split("random", [1.0, 2.0, 3.0], 0.5), ValueError, 'kind \\(the split\\) must be one of'),
    (lambda: R.time_split([1970, 1971], 1975), ValueError, 'last_training_year 1975.0 leaves no'),
    (lambda: R.kfold_splits(10, 1), ValueError, 'k must be a whole number of folds.*got 1$'),
    (lambda: R.kfold_splits(10, 11), ValueError, 'k must be a whole number of folds.*got 11$'),
    (lambda: R.stratified_kfold_splits([0, 1, 0, 1], 2, None), TypeError, 'rng must be a numpy.random.Generator'),
    (lambda: R.quantile_strata([1.0, 2.0], 3), ValueError, 'n_strata must be a whole number from 1 to 2'),
])
def test_splits_reject_bad_inputs(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_time_split_by_year():
    years = R.load_cars().model_year
    train, val = R.time_split(years, 1979)
    assert years[train].max() == 1979 and years[val].min() == 1980
    assert len(train) + len(val) == len(years)


@pytest.mark.parametrize("n, k", [(10, 2), (11, 3), (398, 5), (7, 7)])
@pytest.mark.parametrize("shuffle", [False, True])
def test_kfold_splits_validate_every_point_once(n, k, shuffle):
    folds = R.kfold_splits(n, k, np.random.default_rng(0) if shuffle else None)
    assert len(folds) == k
    validated = np.concatenate([val for _, val in folds])
    assert sorted(validated) == list(range(n))
    for train, val in folds:
        assert sorted(np.concatenate([train, val])) == list(range(n))
    sizes = [len(val) for _, val in folds]
    assert max(sizes) - min(sizes) <= 1
    if not shuffle:  # consecutive blocks, as scikit-learn's KFold without shuffling
        for _, val in folds:
            assert np.array_equal(val, np.arange(val[0], val[0] + len(val)))


@pytest.mark.parametrize("n_strata, k, seed", [(4, 5, 0), (16, 5, 1), (3, 2, 2), (10, 10, 3)])
def test_stratified_folds_spread_every_stratum_evenly(n_strata, k, seed):
    x = R.load_cars().weight_kg
    strata = R.quantile_strata(x, n_strata)
    folds = R.stratified_kfold_splits(strata, k, np.random.default_rng(seed))
    assert sorted(np.concatenate([val for _, val in folds])) == list(range(len(x)))
    for label in range(n_strata):
        counts = [np.sum(strata[val] == label) for _, val in folds]
        assert max(counts) - min(counts) <= 1
    sizes = [len(val) for _, val in folds]
    assert max(sizes) - min(sizes) <= 1


def test_quantile_strata_are_equally_filled_and_ordered():
    x = np.random.default_rng(0).normal(size=100)
    strata = R.quantile_strata(x, 4)
    assert [np.sum(strata == s) for s in range(4)] == [25, 25, 25, 25]
    assert all(x[strata == s].max() <= x[strata == s + 1].min() for s in range(3))


def test_outside_range_fraction():
    assert R.outside_range_fraction([1.0, 5.0], [0.0, 2.0, 5.0, 6.0]) == 0.5


# ---- networks ------------------------------------------------------------------------------

SMALL = dict(steps=60, lr=0.01)


def _toy(n=40, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(800, 1800, n)
    return x, 0.2 * x + rng.normal(0, 20, n)


@pytest.mark.parametrize("activation, width, depth", [("tanh", 8, 1), ("relu", 16, 2), ("tanh", 4, 3), ("relu", 5, 1)])
def test_training_matches_torch_nn_and_optim_adam(activation, width, depth):
    """Our stacked trainer against a plain nn.Sequential trained with torch.optim.Adam from the same start."""
    config = R.ModelConfig(activation=activation, width=width, depth=depth, **SMALL)
    x, y = _toy()
    ours = R.fit(config, x, y, seed=4)
    # the same initial parameters, copied into nn.Linear layers
    theta = R._initial_parameters(config, [4])
    layers = []
    for i, (w, b) in enumerate(R._unflatten(theta, config)):
        linear = torch.nn.Linear(w.shape[1], w.shape[2])
        with torch.no_grad():
            linear.weight.copy_(w[0].T)
            linear.bias.copy_(b[0, 0])
        layers.append(linear)
        if i < depth:
            layers.append(torch.nn.Tanh() if activation == "tanh" else torch.nn.ReLU())
    net = torch.nn.Sequential(*layers)
    optimizer = torch.optim.Adam(net.parameters(), lr=config.lr)
    X = torch.tensor((x - x.mean()) / x.std(), dtype=torch.float32)[:, None]
    Y = torch.tensor((y - y.mean()) / y.std(), dtype=torch.float32)[:, None]
    for _ in range(config.steps):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(net(X), Y)
        loss.backward()
        optimizer.step()
    grid = np.linspace(500, 2500, 30)
    with torch.no_grad():
        reference = net(torch.tensor((grid - x.mean()) / x.std(), dtype=torch.float32)[:, None])[:, 0].double().numpy()
    np.testing.assert_allclose(ours.predict(grid), reference * y.std() + y.mean(), rtol=1e-4, atol=1e-3)
    assert ours.loss_history[-1] == pytest.approx(float(loss.detach()), rel=1e-3)


def test_predict_equals_the_equivalent_sequential():
    config = R.ModelConfig(activation="relu", width=12, depth=2, **SMALL)
    x, y = _toy()
    model = R.fit(config, x, y, seed=1)
    grid = np.linspace(600, 2400, 25)
    with torch.no_grad():
        standard = model.to_sequential()(torch.tensor(model.x_scaler.forward(grid), dtype=torch.float32)[:, None])
    np.testing.assert_allclose(model.predict(grid), model.y_scaler.inverse(standard[:, 0].double().numpy()), rtol=1e-6)


def test_training_is_reproducible_and_depends_on_the_seed():
    config = R.ModelConfig(activation="tanh", width=8, depth=2, **SMALL)
    x, y = _toy()
    a, b, c = R.fit(config, x, y, seed=0), R.fit(config, x, y, seed=0), R.fit(config, x, y, seed=1)
    grid = np.linspace(500, 2500, 11)
    assert np.array_equal(a.predict(grid), b.predict(grid))
    assert np.array_equal(a.loss_history, b.loss_history)
    assert not np.allclose(a.predict(grid), c.predict(grid))


def test_runs_trained_in_a_stack_follow_their_own_trajectories():
    config = R.ModelConfig(activation="relu", width=8, depth=1, **SMALL)
    data = [_toy(seed=s) for s in range(3)]
    stacked = R.fit_mlps(config, [x for x, _ in data], [y for _, y in data], [5, 6, 7])
    grid = np.linspace(500, 2500, 11)
    for (x, y), seed, model in zip(data, [5, 6, 7], stacked):
        alone = R.fit(config, x, y, seed=seed)
        np.testing.assert_allclose(model.predict(grid), alone.predict(grid), rtol=1e-4, atol=1e-3)


def test_training_lowers_the_loss_to_the_noise_level():
    config = R.ModelConfig(activation="tanh", width=16, depth=1)
    x, y = _toy(200)
    model = R.fit(config, x, y)
    assert model.loss_history[-1] < 0.5 * model.loss_history[0]
    errors = R.evaluate(model, x, y, x, y)
    assert errors.train == errors.validation and errors.train < 1.3 * 20**2


def test_relu_networks_are_affine_beyond_the_data_and_tanh_networks_flatten():
    x, y = _toy(100)
    relu = R.fit(R.ModelConfig(activation="relu", width=16, depth=2), x, y)
    tanh = R.fit(R.ModelConfig(activation="tanh", width=16, depth=2), x, y)
    far = [R.extrapolation_slope(relu, a, a + 1000) for a in (5000.0, 7000.0, 9000.0)]
    assert far[0] == pytest.approx(far[1], rel=1e-3, abs=1e-5) and far[1] == pytest.approx(far[2], rel=1e-3, abs=1e-5)
    line_slope = R.fit_line(x, y)[0]
    assert abs(R.extrapolation_slope(tanh, 20000.0, 30000.0)) < 0.01 * line_slope


def test_linear_config_gives_the_least_squares_line():
    x, y = _toy()
    model = R.fit(R.LINEAR, x, y)
    assert (model.slope, model.intercept) == R.fit_line(x, y)


@pytest.mark.parametrize("kwargs", [dict(kind="forest"), dict(activation="sigmoid"), dict(width=0), dict(depth=9),
                                    dict(steps=0), dict(lr=0.0), dict(lr=True), dict(width=2.5)])
def test_model_config_rejects_bad_settings(kwargs):
    (argument,) = kwargs
    with pytest.raises(ValueError, match=rf"^{argument} must be"):
        R.ModelConfig(**kwargs)


def test_fit_and_evaluate_reject_bad_inputs():
    x, y = _toy()
    config = R.ModelConfig(**SMALL)
    with pytest.raises(TypeError, match="config must be a ModelConfig, got str"):
        R.fit("tanh", x, y)
    with pytest.raises(TypeError, match="config must be a ModelConfig with kind='mlp'"):
        R.fit_mlps(R.LINEAR, [x], [y], [0])
    with pytest.raises(ValueError, match="xs, ys and seeds must hold one entry per run: got 2, 1 and 2"):
        R.fit_mlps(config, [x, x], [y], [0, 1])
    with pytest.raises(ValueError, match="all runs must have the same number of training points"):
        R.fit_mlps(config, [x, x[:10]], [y, y[:10]], [0, 1])
    with pytest.raises(ValueError, match=r"seeds must be a sequence of whole numbers >= 0.*\[-1\]"):
        R.fit_mlps(config, [x], [y], [-1])
    with pytest.raises(TypeError, match="model must be a fitted model with predict"):
        R.evaluate(object(), x, y, x, y)
    with pytest.raises(ValueError, match="x0 and x1 must be two different numbers"):
        R.extrapolation_slope(R.fit(R.LINEAR, x, y), 1.0, 1.0)
    with pytest.raises(ValueError, match="model must be one of"):
        R.model_config("transformer")


def test_model_labels_are_unique_and_found():
    labels = [c.label for c in R.MODELS]
    assert len(set(labels)) == len(labels)
    assert all(R.model_config(label).label == label for label in labels)


def test_run_experiment_fits_every_model_on_every_split():
    x, y = _toy(60)
    rng = np.random.default_rng(0)
    splits = {"sorted": R.sorted_split(x, 0.75), "shuffled": R.shuffled_split(len(x), 0.75, rng)}
    configs = [R.LINEAR, R.ModelConfig(activation="relu", width=4, **SMALL)]
    runs = R.run_experiment(configs, x, y, splits, seeds=(0, 1))
    assert len(runs) == 2 + 2 * 2
    for run in runs:
        train, val = splits[run.split]
        assert run.errors.validation == pytest.approx(R.mse(y[val], run.model.predict(x[val])))
        assert run.errors.train == pytest.approx(R.mse(y[train], run.model.predict(x[train])))
    summary = R.summarise(runs)
    assert set(summary) == {"linear regression", "ReLU MLP 1x4"}
    median, low, high = summary["ReLU MLP 1x4"]["sorted"]
    assert low <= median <= high


# ---- data sets of the explorer -------------------------------------------------------------

def test_make_data_line_without_noise_is_exactly_linear_and_noise_is_seeded():
    x, y, label = R.make_data(R.DATASETS[2], noise=0.0)
    assert R.polynomial_r_squared(x, y, 1) == pytest.approx(1.0)
    assert label == "weight (kg)"
    _, noisy_a, _ = R.make_data(R.DATASETS[0], noise=30.0, seed=2)
    _, noisy_b, _ = R.make_data(R.DATASETS[0], noise=30.0, seed=2)
    _, clean, _ = R.make_data(R.DATASETS[0])
    assert np.array_equal(noisy_a, noisy_b)
    assert 20 < np.std(noisy_a - clean) < 40
    with pytest.raises(ValueError, match="data must be one of .*got 'mtcars'"):
        R.make_data("mtcars")
    with pytest.raises(ValueError, match="noise .* must be at least 0, got -1"):
        R.make_data(R.DATASETS[0], noise=-1.0)


def test_split_and_fit_reports_both_models_on_the_same_split():
    result = R.split_and_fit(R.DATASETS[2], R.ModelConfig(activation="relu", width=8, **SMALL), "sorted", 0.8)
    assert result.outside == 1.0
    assert result.line_errors.validation < 1e-12  # a line through a noise-free line extrapolates exactly
    assert result.errors.validation > 1.0
    with pytest.raises(TypeError, match="config must be a ModelConfig, got str"):
        R.split_and_fit(R.DATASETS[0], "linear regression")


# ---- self-checks ---------------------------------------------------------------------------

def test_check_line():
    x, y = _toy()
    slope, intercept = R.fit_line(x, y)
    assert R.check_line(slope, intercept, x, y)
    origin = R.check_line(float(x @ y / (x @ x)), 0.0, x, y)
    assert not origin and "through the origin" in origin.message
    assert "intercept" in R.check_line(slope, intercept + 5, x, y).message
    assert not R.check_line(0.0, 0.0, x, y)


def test_check_outside_fraction():
    assert R.check_outside_fraction(0.5, [1.0, 5.0], [0.0, 2.0, 5.0, 6.0])
    wrong = R.check_outside_fraction(50, [1.0, 5.0], [0.0, 2.0, 5.0, 6.0])
    assert not wrong and "percentage" in wrong.message


def test_check_validation_mse():
    x, y = _toy(80)
    train, val = R.sorted_split(x, 0.8)
    errors = R.evaluate(R.fit(R.LINEAR, x[train], y[train]), x[train], y[train], x[val], y[val])
    assert R.check_validation_mse(errors.validation, x[train], y[train], x[val], y[val])
    assert "training MSE" in R.check_validation_mse(errors.train, x[train], y[train], x[val], y[val]).message
    assert "root" in R.check_validation_mse(math.sqrt(errors.validation), x[train], y[train], x[val], y[val]).message
    assert not R.check_validation_mse(0.0, x[train], y[train], x[val], y[val])


# Exact data: y = 2x + 1 on x = 0..3, so the least-squares line is slope 2, intercept 1 exactly (by hand:
# sum dx dy = 10, sum dx^2 = 5). The checks compare with math.isclose (the docstrings are silent): inclusive,
# relative to the larger of answer and truth, so with rel_tol = 1/2 the edges are exactly truth / 2 and 2 truth.
LINE_X, LINE_Y = [0.0, 1.0, 2.0, 3.0], [1.0, 3.0, 5.0, 7.0]


def test_check_line_accepts_each_coefficient_exactly_at_rel_tol():
    """With rel_tol = 1/2, slopes 1 and 4 and intercepts 0.5 and 2 pass; 2**-20 further out fails."""
    for slope in (1.0, 4.0):
        assert R.check_line(slope, 1.0, LINE_X, LINE_Y, rel_tol=0.5)
    for slope in (1.0 - 2**-20, 4.0 + 2**-20):
        assert not R.check_line(slope, 1.0, LINE_X, LINE_Y, rel_tol=0.5)
    for intercept in (0.5, 2.0):
        assert R.check_line(2.0, intercept, LINE_X, LINE_Y, rel_tol=0.5)
    for intercept in (0.5 - 2**-20, 2.0 + 2**-20):
        assert not R.check_line(2.0, intercept, LINE_X, LINE_Y, rel_tol=0.5)


def test_check_line_with_rel_tol_zero_keeps_only_the_slopes_1e_minus_12_floor():
    """rel_tol=0: the exact line passes; the intercept must be exact, the slope within its absolute floor 1e-12."""
    assert R.check_line(2.0, 1.0, LINE_X, LINE_Y, rel_tol=0)
    assert not R.check_line(2.0, 1.0 + 2**-45, LINE_X, LINE_Y, rel_tol=0)
    assert R.check_line(2.0 + 2**-45, 1.0, LINE_X, LINE_Y, rel_tol=0)  # 2.8e-14 <= 1e-12
    assert not R.check_line(2.0 + 2**-38, 1.0, LINE_X, LINE_Y, rel_tol=0)  # 3.6e-12 > 1e-12


def test_check_line_default_rel_tol_is_1e_minus_6():
    """The default rel_tol is 1e-6: relative errors of 0.9e-6 pass, 1.1e-6 fail."""
    assert R.check_line(2.0 - 1.8e-6, 1.0 - 0.9e-6, LINE_X, LINE_Y)
    assert not R.check_line(2.0 - 2.2e-6, 1.0, LINE_X, LINE_Y)
    assert not R.check_line(2.0, 1.0 - 1.1e-6, LINE_X, LINE_Y)


@pytest.mark.parametrize("slope, intercept, message", [
    (2.0, 1.0, "Right: slope 2, intercept 1, the least-squares line."),
    (2.0, 1.5, "Not yet: slope 2, intercept 1.5; the slope is right; the intercept makes the line pass through "
               "(mean of x, mean of y)."),
    (34 / 14, 0.0, "Not yet: slope 2.42857, intercept 0; that is the slope of the best line through the origin: "
                   "centre x and y first (subtract their means)."),  # sum x y / sum x^2 = 34 / 14
    (3.0, 1.0, "Not yet: slope 3, intercept 1; the slope is the sum of (x - mean x)(y - mean y) divided by "
               "the sum of (x - mean x)**2."),
    (float("nan"), 1.0, "Not yet: slope must be one finite number, got nan."),
    (2.0, "1", "Not yet: intercept must be one finite number, got '1'."),
])
def test_check_line_messages(slope, intercept, message):
    """Each verdict's exact message: right, the intercept slip, the origin slip, the formula, a non-number."""
    result = R.check_line(slope, intercept, LINE_X, LINE_Y)
    assert result.correct is message.startswith("Right") and result.message == message


@pytest.mark.parametrize("x, y, rel_tol, error, match", [
    (LINE_X, LINE_Y, -2**-10, ValueError, r"^rel_tol must be at least 0"),
    (LINE_X, LINE_Y, float("nan"), ValueError, r"^rel_tol must be a finite number"),
    (LINE_X, LINE_Y, "0", TypeError, r"^rel_tol must be a number"),
    (LINE_X, LINE_Y[:3], 1e-6, ValueError, r"^x has 4 values but y has 3"),
    ([1.0, 1.0, 1.0, 1.0], LINE_Y, 1e-6, ValueError, r"^x takes a single value"),
    (LINE_X, [1.0, 3.0, float("nan"), 7.0], 1e-6, ValueError, r"^y contains NaN"),
])
def test_check_line_rejects_bad_arguments(x, y, rel_tol, error, match):
    """Each bad argument raises, naming itself."""
    with pytest.raises(error, match=match):
        R.check_line(2.0, 1.0, x, y, rel_tol=rel_tol)


# x_train spans [1, 5]; of x_val = 0, 2, 5, 6, the points 0 and 6 lie outside (5 is the edge, inside): 1/2.
# The rule (code; the docstring is silent): right when |value - share| <= abs_tol.
OUT_TRAIN, OUT_VAL = [1.0, 5.0], [0.0, 2.0, 5.0, 6.0]


def test_check_outside_fraction_accepts_an_error_of_exactly_abs_tol():
    """An error of exactly abs_tol = 2**-3 passes on either side; 2**-20 beyond fails."""
    for value in (0.5 - 2**-3, 0.5 + 2**-3):
        assert R.check_outside_fraction(value, OUT_TRAIN, OUT_VAL, abs_tol=2**-3)
    for value in (0.5 - 2**-3 - 2**-20, 0.5 + 2**-3 + 2**-20):
        assert not R.check_outside_fraction(value, OUT_TRAIN, OUT_VAL, abs_tol=2**-3)


def test_check_outside_fraction_with_abs_tol_zero_wants_the_exact_share():
    """abs_tol=0 is valid: 1/2 passes, 1/2 + 2**-40 fails."""
    assert R.check_outside_fraction(0.5, OUT_TRAIN, OUT_VAL, abs_tol=0)
    assert not R.check_outside_fraction(0.5 + 2**-40, OUT_TRAIN, OUT_VAL, abs_tol=0)


def test_check_outside_fraction_default_abs_tol_is_1e_minus_3():
    """The default abs_tol is 1e-3: 0.5009 and 0.4991 pass, 0.5011 and 0.4989 fail."""
    assert R.check_outside_fraction(0.5009, OUT_TRAIN, OUT_VAL) and R.check_outside_fraction(0.4991, OUT_TRAIN, OUT_VAL)
    assert not R.check_outside_fraction(0.5011, OUT_TRAIN, OUT_VAL)
    assert not R.check_outside_fraction(0.4989, OUT_TRAIN, OUT_VAL)


@pytest.mark.parametrize("value, message", [
    (0.5, "Right: 0.500 of the validation points lie outside the training range [1, 5]."),
    (1, "Not yet: 1. Count the validation x below min(x_train) or above max(x_train), and divide by the number "
        "of validation points."),  # 1 is a share (all of them): no percentage hint
    (50, "Not yet: 50 (a share, between 0 and 1, not a percentage). Count the validation x below min(x_train) or "
         "above max(x_train), and divide by the number of validation points."),
    ("half", "Not yet: give one number between 0 and 1, got 'half'."),
])
def test_check_outside_fraction_messages(value, message):
    """Exact messages; the percentage hint only for a value above 1."""
    result = R.check_outside_fraction(value, OUT_TRAIN, OUT_VAL)
    assert result.correct is message.startswith("Right") and result.message == message


@pytest.mark.parametrize("x_train, x_val, abs_tol, error, match", [
    (OUT_TRAIN, OUT_VAL, -2**-10, ValueError, r"^abs_tol must be at least 0"),
    (OUT_TRAIN, OUT_VAL, float("inf"), ValueError, r"^abs_tol must be a finite number"),
    ([], OUT_VAL, 1e-3, ValueError, r"^x_train needs at least 1 values"),
    (OUT_TRAIN, [], 1e-3, ValueError, r"^x_val needs at least 1 values"),
    ([[1.0, 5.0]], OUT_VAL, 1e-3, ValueError, r"^x_train must be 1-D"),
    (OUT_TRAIN, [0.0, float("nan")], 1e-3, ValueError, r"^x_val contains NaN"),
    (["a", "b"], OUT_VAL, 1e-3, TypeError, r"^x_train must hold real numbers"),
])
def test_check_outside_fraction_rejects_bad_arguments(x_train, x_val, abs_tol, error, match):
    """Each bad argument raises, naming itself."""
    with pytest.raises(error, match=match):
        R.check_outside_fraction(0.5, x_train, x_val, abs_tol=abs_tol)


# The line through (LINE_X, LINE_Y) is 2x + 1 (training MSE 0); on x_val = 0, 1 it predicts 1, 3, and
# y_val = 4, 0 is off by 3 and -3: validation MSE 9, its root 3. Edges with rel_tol = 1/2: 4.5 and 18.
MSE_VAL_X, MSE_VAL_Y = [0.0, 1.0], [4.0, 0.0]


def _check_mse(value, **kwargs):
    return R.check_validation_mse(value, LINE_X, LINE_Y, MSE_VAL_X, MSE_VAL_Y, **kwargs)


def test_check_validation_mse_accepts_an_answer_exactly_at_rel_tol():
    """With rel_tol = 1/2, 4.5 and 18 pass; 2**-20 further out fails."""
    assert _check_mse(4.5, rel_tol=0.5) and _check_mse(18.0, rel_tol=0.5)
    assert not _check_mse(4.5 - 2**-20, rel_tol=0.5)
    assert not _check_mse(18.0 + 2**-20, rel_tol=0.5)


def test_check_validation_mse_with_rel_tol_zero_wants_the_exact_mse():
    """rel_tol=0 is valid: 9 passes, 9 + 2**-40 fails (no absolute floor)."""
    assert _check_mse(9.0, rel_tol=0)
    assert not _check_mse(9.0 + 2**-40, rel_tol=0)


def test_check_validation_mse_default_rel_tol_is_1e_minus_3():
    """The default rel_tol is 1e-3: 8.992 and 9.008 pass (0.89e-3), 8.99 and 9.01 fail (1.1e-3)."""
    assert _check_mse(8.992) and _check_mse(9.008)
    assert not _check_mse(8.99) and not _check_mse(9.01)


@pytest.mark.parametrize("value, message", [
    (9.0, "Right: validation MSE 9 (training MSE 0)."),
    (0.0, "Not yet: that is the training MSE; evaluate the line on the validation points."),
    (3.0, "Not yet: that is the root of the MSE; square it."),
    (5.0, "Not yet: 5. Fit the line on the training points only, then average the squared errors on the "
          "validation points."),
    ("nine", "Not yet: give one number, got 'nine'."),
])
def test_check_validation_mse_messages(value, message):
    """Exact messages: right, the training-MSE slip, the root slip, the recipe, a non-number."""
    result = _check_mse(value)
    assert result.correct is message.startswith("Right") and result.message == message


@pytest.mark.parametrize("arguments, error, match", [
    ((LINE_X, LINE_Y, MSE_VAL_X, MSE_VAL_Y, -2**-10), ValueError, r"^rel_tol must be at least 0"),
    ((LINE_X, LINE_Y, MSE_VAL_X, MSE_VAL_Y, None), TypeError, r"^rel_tol must be a number"),
    ((LINE_X, LINE_Y[:3], MSE_VAL_X, MSE_VAL_Y, 1e-3), ValueError, r"^x_train has 4 values but y_train has 3"),
    (([1.0], [1.0], MSE_VAL_X, MSE_VAL_Y, 1e-3), ValueError, r"^x_train needs at least 2 values"),
    (([2.0, 2.0], [1.0, 3.0], MSE_VAL_X, MSE_VAL_Y, 1e-3), ValueError, r"^x_train takes a single value"),
    ((LINE_X, LINE_Y, [0.0], MSE_VAL_Y, 1e-3), ValueError, r"^x_val has 1 values but y_val has 2"),
    ((LINE_X, LINE_Y, [], [], 1e-3), ValueError, r"^x_val needs at least 1 values"),
    ((LINE_X, LINE_Y, MSE_VAL_X, [4.0, float("inf")], 1e-3), ValueError, r"^y_val contains NaN or infinite"),
])
def test_check_validation_mse_rejects_bad_arguments(arguments, error, match):
    """Each bad argument raises, naming itself."""
    *data, rel_tol = arguments
    with pytest.raises(error, match=match):
        R.check_validation_mse(9.0, *data, rel_tol=rel_tol)


# ---- figures -------------------------------------------------------------------------------

def test_figures_draw():
    x, y = _toy(60)
    assert isinstance(plot_linearity(x, y, "weight (kg)"), Figure)
    splits = {"sorted": R.sorted_split(x, 0.75)}
    runs = R.run_experiment([R.LINEAR], x, y, splits)
    fits = {"sorted": {"linear regression": runs[0].model}}
    assert isinstance(plot_extrapolation(x, y, splits, fits), Figure)
    assert isinstance(plot_validation_spread(runs, floor=100.0), Figure)
    result = R.split_and_fit(R.DATASETS[0], R.LINEAR)
    assert isinstance(plot_split_fit(result), Figure)
    with pytest.raises(ValueError, match="fits must hold at least 1 entries, got 0"):
        plot_extrapolation(x, y, splits, {})
    with pytest.raises(TypeError, match="result must be a SplitFit, got Run"):
        plot_split_fit(runs[0])
