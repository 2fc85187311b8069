"""dlexam.regression: exact values by hand, defaults, limits and the exact messages of checks and errors."""

import math
import warnings

import numpy as np
import pytest
import torch

from dlexam import regression as R

# --- Errors and R^2 ------------------------------------------------------------------------------------


def test_r_squared_of_two_points_by_hand():
    """Two values are enough: y = 1, 3 (variance 1) predicted 1, 2 (MSE 1/2) give R^2 = 1/2."""
    assert R.r_squared([1.0, 3.0], [1.0, 2.0]) == 0.5


@pytest.mark.parametrize("y, message", [
    ([1.0], "y needs at least 2 values, got 1"),
    ([2.0, 2.0, 2.0], "y is constant: R^2 is undefined"),
])
def test_r_squared_refuses_one_value_and_a_constant_y(y, message):
    """One value, and a constant y, raise with the exact message."""
    with pytest.raises(ValueError) as info:
        R.r_squared(y, y)
    assert str(info.value) == message


def test_polynomial_r_squared_of_three_points_by_hand():
    """Three points are enough: the line through (0, 0), (1, 1), (2, 4) leaves MSE 2/9 of variance 26/9: R^2 = 12/13."""
    assert R.polynomial_r_squared([0.0, 1.0, 2.0], [0.0, 1.0, 4.0], 1) == pytest.approx(12 / 13, rel=1e-12)


@pytest.mark.parametrize("x", [
    np.linspace(-1.0, 1.0, 11),
    1e40 * np.linspace(-1.0, 1.0, 11),  # huge x: standardising keeps the powers finite
    1e8 + np.linspace(-1.0, 1.0, 11),  # far from 0: centring keeps the fit well conditioned
])
def test_polynomial_r_squared_of_degree_5_is_1_for_a_quintic_at_any_scale_and_offset(x):
    """Degree 5 is allowed and fits an exact quintic of the standardised x perfectly, wherever x lies."""
    t = np.linspace(-1.0, 1.0, 11)
    assert R.polynomial_r_squared(x, t**5 - 2 * t**3 + t, 5) == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize("x, y, degree, message", [
    ([0.0, 1.0], [0.0, 1.0], 1, "x needs at least 3 values, got 2"),
    ([0.0, 1.0, 2.0], [0.0, 1.0, 4.0], 6, "degree must be a whole number from 1 to 5, got 6"),
    ([0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 2.0, 3.0], 2,
     "x must take at least 3 different values to fit a polynomial of degree 2"),
    ([0.0, 1.0, 1.0, 0.0], [0.0, 1.0, 3.0, 2.0], 1, None),  # 2 different values fit a line
])
def test_polynomial_r_squared_needs_3_points_and_degree_plus_1_different_x(x, y, degree, message):
    """Two points, degree 6 and only `degree` different x values raise with the exact message; degree + 1 do not."""
    if message is None:
        assert R.polynomial_r_squared(x, y, degree) == pytest.approx(1 / 5)  # MSE 1, variance 5/4
        return
    with pytest.raises(ValueError) as info:
        R.polynomial_r_squared(x, y, degree)
    assert str(info.value) == message


def test_binned_residuals_default_is_5_bins():
    """x = 0..9, residuals x^2: five bins of two, with means and population stds by hand."""
    x = np.arange(10.0)
    centres, means, stds = R.binned_residuals(x, x**2)
    np.testing.assert_array_equal(centres, [0.5, 2.5, 4.5, 6.5, 8.5])
    np.testing.assert_array_equal(means, [0.5, 6.5, 20.5, 42.5, 72.5])
    np.testing.assert_array_equal(stds, [0.5, 2.5, 4.5, 6.5, 8.5])


# --- The data ------------------------------------------------------------------------------------------

def test_feature_names_the_choices_exactly():
    """An unknown feature raises, listing both names."""
    with pytest.raises(ValueError) as info:
        R.load_cars().feature("length")
    assert str(info.value) == "feature must be one of 'weight', 'displacement', got 'length'"


# --- Splits --------------------------------------------------------------------------------------------

def test_sorted_split_default_trains_on_the_smallest_80_percent():
    """The defaults: 8 of 10 points train, the two largest x validate."""
    x = [5.0, 4.0, 3.0, 2.0, 1.0, 0.0, 9.0, 8.0, 7.0, 6.0]
    train, val = R.sorted_split(x)
    assert train.tolist() == [5, 4, 3, 2, 1, 0, 9, 8] and val.tolist() == [7, 6]


@pytest.mark.parametrize("call, message", [
    (lambda: R.sorted_split([1.0]), "x needs at least 2 values, got 1"),
    (lambda: R.split("random", [1.0, 2.0, 3.0], 0.5),
     "kind (the split) must be one of 'sorted', 'shuffled', got 'random'"),
    (lambda: R.time_split([1970, 1971], 1975),
     "last_training_year 1975.0 leaves no training or no validation data; choose a year from 1970 to 1970"),
    (lambda: R.time_split([1970, 1972, 1976], 1969),
     "last_training_year 1969.0 leaves no training or no validation data; choose a year from 1970 to 1975"),
    (lambda: R.model_config("transformer"),
     "model must be one of 'linear regression', 'tanh MLP 1x16', 'tanh MLP 1x64', 'tanh MLP 2x32', "
     "'tanh MLP 3x16', 'ReLU MLP 1x16', 'ReLU MLP 1x64', 'ReLU MLP 2x32', 'ReLU MLP 3x16', got 'transformer'"),
])
def test_split_and_model_errors_exact_messages(call, message):
    """Each bad argument raises a ValueError with the exact message (the choices listed, the years to pick)."""
    with pytest.raises(ValueError) as info:
        call()
    assert str(info.value) == message


def test_kfold_splits_allow_n_up_to_max_size():
    """n = validate.MAX_SIZE (1e7) passes the check of n (so k = 1 is what is refused); n = 1e7 + 1 does not."""
    with pytest.raises(ValueError) as info:
        R.kfold_splits(10**7, 1)
    assert str(info.value) == "k must be a whole number of folds from 2 to the number of points (10000000), got 1"
    with pytest.raises(ValueError) as info:
        R.kfold_splits(10**7 + 1, 2)
    assert str(info.value) == "n must be a whole number of points from 2 to 10,000,000, got 10000001"


@pytest.mark.parametrize("validation, train, val", [
    ("largest", list(range(1, 100, 2)), list(range(0, 100, 2))),
    ("smallest", list(range(0, 100, 2)), list(range(1, 100, 2))),
])
def test_sorted_split_keeps_ties_in_the_data_order(validation, train, val):
    """x = 1, 0, 1, 0, ... (100 values), half trains: a stable sort keeps each tied group in the data's order."""
    got_train, got_val = R.sorted_split([1.0, 0.0] * 50, 0.5, validation)
    assert got_train.tolist() == train and got_val.tolist() == val


@pytest.mark.parametrize("fraction, n_train", [(0.1, 1), (0.9, 9), (0.01, None), (0.99, None)])
def test_sorted_split_refuses_a_fraction_that_empties_a_set_exactly(fraction, n_train):
    """Of 10 points, 1 or 9 training points are allowed; 0 or 10 raise with the exact message."""
    if n_train is not None:
        train, val = R.sorted_split(np.arange(10.0), fraction)
        assert train.tolist() == list(range(n_train)) and val.tolist() == list(range(n_train, 10))
        return
    with pytest.raises(ValueError) as info:
        R.sorted_split(np.arange(10.0), fraction)
    assert str(info.value) == (f"train_fraction {fraction} of 10 points leaves an empty training or validation set; "
                               "move it towards 0.5")


def test_shuffled_split_names_the_type_of_an_rng_that_is_not_a_generator():
    """An int as rng raises a TypeError naming int and how to make a Generator, exactly."""
    with pytest.raises(TypeError) as info:
        R.shuffled_split(5, 0.6, 42)
    assert str(info.value) == "rng must be a numpy.random.Generator, got int; create one with np.random.default_rng(seed)"


def test_shuffled_split_allows_n_up_to_max_size():
    """n = validate.MAX_SIZE (1e7) passes the check of n (so the missing rng is what is refused); 1e7 + 1 does not."""
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator, got NoneType"):
        R.shuffled_split(10**7, 0.5, None)
    with pytest.raises(ValueError) as info:
        R.shuffled_split(10**7 + 1, 0.5, None)
    assert str(info.value) == "n must be a whole number of data points from 2 to 10,000,000 to split, got 10000001"


def test_quantile_strata_break_ties_in_the_data_order():
    """x = 1, 0, 1, 0, ... (34 values), 4 strata: the first nine 0s and the first nine 1s go to the lower stratum."""
    x = np.array([1.0, 0.0] * 17)  # ranks of the 0s: 0..16 (strata 0 for 0..8, 1 for 9..16); of the 1s: 17..33
    assert R.quantile_strata(x, 4).tolist() == [2, 0] * 9 + [3, 1] * 8


def test_stratified_folds_deal_from_fold_0_on():
    """Labels 0, 1, 2 (one point each) dealt to 2 folds in turn: fold 0 validates points 0 and 2, fold 1 point 1."""
    folds = R.stratified_kfold_splits([0, 1, 2], 2, np.random.default_rng(0))
    assert [(train.tolist(), val.tolist()) for train, val in folds] == [([1], [0, 2]), ([0, 2], [1])]


def test_stratified_folds_take_text_labels():
    """Text labels are strata too: each of two folds validates one 'a' and one 'b'."""
    strata = np.array(["a", "b", "a", "b"])
    folds = R.stratified_kfold_splits(strata, 2, np.random.default_rng(0))
    assert [sorted(strata[val]) for _, val in folds] == [["a", "b"], ["a", "b"]]


def test_stratified_folds_allow_max_size_labels():
    """Exactly validate.MAX_SIZE (1e7) labels pass the size check (k = 1 is what is refused); one more does not."""
    with pytest.raises(ValueError) as info:
        R.stratified_kfold_splits(np.zeros(10**7, dtype=np.int8), 1, np.random.default_rng(0))
    assert str(info.value) == "k must be a whole number of folds from 2 to the number of points (10000000), got 1"
    with pytest.raises(ValueError) as info:
        R.stratified_kfold_splits(np.zeros(10**7 + 1, dtype=np.int8), 1, np.random.default_rng(0))
    assert str(info.value) == "strata may hold at most 10,000,000 labels, got 10,000,001"


@pytest.mark.parametrize("strata", [np.array([0.5, 1.5]), np.array([0.5] * 8)])
def test_stratified_folds_refuse_float_labels(strata):
    """Float labels are not strata: a TypeError naming the dtype."""
    with pytest.raises(TypeError) as info:
        R.stratified_kfold_splits(strata, 2, np.random.default_rng(0))
    assert str(info.value) == "strata must hold whole-number or text labels, got dtype float64"


# --- Networks ------------------------------------------------------------------------------------------

def _two_unit_model(activation):
    """An MLP 1 -> 2 -> 1 in float64 by hand: out = act(t) - act(-t) + 1/2, on unscaled inputs and outputs."""
    weights = (torch.tensor([[1.0, -1.0]], dtype=torch.float64), torch.tensor([[1.0], [-1.0]], dtype=torch.float64))
    biases = (torch.zeros(2, dtype=torch.float64), torch.tensor([0.5], dtype=torch.float64))
    return R.MLPModel(R.ModelConfig(activation=activation, width=2), weights, biases, R.Standardiser(0.0, 1.0),
                      R.Standardiser(0.0, 1.0), 0, np.zeros(1))


@pytest.mark.parametrize("activation, layer, expected", [
    ("tanh", torch.nn.Tanh, 2 * math.tanh(0.5) + 0.5),
    ("relu", torch.nn.ReLU, 1.0),  # relu(0.5) - relu(-0.5) + 0.5
])
def test_to_sequential_keeps_the_activation_and_the_dtype(activation, layer, expected):
    """The Sequential has the model's activation and its dtype, and gives the hand value at t = 1/2."""
    model = _two_unit_model(activation)
    net = model.to_sequential()
    assert [type(m) for m in net] == [torch.nn.Linear, layer, torch.nn.Linear]
    assert net[0].weight.dtype == torch.float64 and net[2].bias.dtype == torch.float64
    with torch.no_grad():
        out = net(torch.tensor([[0.5]], dtype=torch.float64))
    assert float(out[0, 0]) == pytest.approx(expected, rel=1e-15)
    assert model.predict([0.5])[0] == pytest.approx(expected, rel=1e-15)


# --- The experiment ------------------------------------------------------------------------------------

X8 = np.arange(8.0)
Y8 = np.array([1.0, 3.5, 4.5, 7.25, 9.0, 11.5, 12.5, 15.0])
SPLITS8 = {"a": ([0, 1, 2, 3, 4, 5], [6, 7]), "b": ([2, 3, 4, 5, 6, 7], [0, 1])}
TINY = R.ModelConfig(activation="relu", width=2, steps=2)


def test_run_experiment_records_split_and_seed_of_every_run():
    """Linear regression runs once per split with seed 0; each MLP run keeps its own seed, splits outermost."""
    runs = R.run_experiment([R.LINEAR, TINY], X8, Y8, SPLITS8, seeds=(3, 5))
    assert [(r.config.label, r.split, r.seed) for r in runs] == [
        ("linear regression", "a", 0), ("linear regression", "b", 0),
        ("ReLU MLP 1x2", "a", 3), ("ReLU MLP 1x2", "a", 5), ("ReLU MLP 1x2", "b", 3), ("ReLU MLP 1x2", "b", 5)]
    assert [r.model.seed for r in runs[2:]] == [3, 5, 3, 5]


@pytest.mark.parametrize("splits, configs, error, message", [
    ({"a": ([0.0, 1.0], [2, 3])}, [R.LINEAR], TypeError,
     "splits['a'] must hold whole numbers (an integer dtype), got dtype float64"),
    ({"a": ([[0, 1]], [2, 3])}, [R.LINEAR], ValueError, "splits['a'] must be a 1-D array, got shape (1, 2)"),
    ({"a": ([0, 1], [2, 8])}, [R.LINEAR], ValueError, "splits['a'] holds indices outside 0..7"),
    ({"a": ([0, 1], [-1, 2])}, [R.LINEAR], ValueError, "splits['a'] holds indices outside 0..7"),
    ({"a": ([0, 1], [2, 3])}, "linear", TypeError, "configs must be a list of ModelConfig, got 'linear' (str)"),
    ({"a": ([0, 1], [2, 3])}, ["linear"], TypeError, "configs must hold ModelConfig, got str"),
])
def test_run_experiment_refuses_bad_splits_and_configs(splits, configs, error, message):
    """Float, 2-D and out-of-range indices (8 = len(x) included) and non-configs raise with the exact message."""
    with pytest.raises(error) as info:
        R.run_experiment(configs, X8, Y8, splits)
    assert str(info.value) == message


MLP4 = R.ModelConfig(activation="relu", width=4)
HAND_RUNS = [R.Run(R.LINEAR, "a", 0, R.Errors(1.0, 4.0), None), R.Run(R.LINEAR, "b", 0, R.Errors(1.0, 9.0), None),
             R.Run(MLP4, "a", 0, R.Errors(0.0, 1.0), None), R.Run(MLP4, "a", 1, R.Errors(0.0, 3.0), None),
             R.Run(MLP4, "a", 2, R.Errors(0.0, 2.0), None), R.Run(MLP4, "b", 0, R.Errors(0.0, 5.0), None)]


@pytest.mark.parametrize("split_names, expected", [
    (None, {"linear regression": {"a": (4.0, 4.0, 4.0), "b": (9.0, 9.0, 9.0)},
            "ReLU MLP 1x4": {"a": (2.0, 1.0, 3.0), "b": (5.0, 5.0, 5.0)}}),
    (["a"], {"linear regression": {"a": (4.0, 4.0, 4.0)}, "ReLU MLP 1x4": {"a": (2.0, 1.0, 3.0)}}),
    (("b",), {"linear regression": {"b": (9.0, 9.0, 9.0)}, "ReLU MLP 1x4": {"b": (5.0, 5.0, 5.0)}}),
])
def test_summarise_keeps_only_the_named_splits(split_names, expected):
    """(median, min, max) validation MSE per model and split, by hand; split_names keeps just those splits."""
    assert R.summarise(HAND_RUNS, split_names) == expected


@pytest.mark.parametrize("runs, split_names, message", [
    (5, None, "runs must be the list of Run that run_experiment returns, got 5 (int)"),
    ([1], None, "runs must hold Run objects (from run_experiment), got 1 (int)"),
    (HAND_RUNS, 5, "split_names must be a list of split names or None, got 5 (int)"),
    (HAND_RUNS, "a", "split_names must be a list of split names or None, got 'a' (str)"),
])
def test_summarise_refuses_what_is_not_runs_or_names(runs, split_names, message):
    """Non-runs and non-lists of names raise a TypeError with the exact message."""
    with pytest.raises(TypeError) as info:
        R.summarise(runs, split_names)
    assert str(info.value) == message


# --- The data sets of the explorer ---------------------------------------------------------------------

def test_make_data_defaults_are_no_noise_and_seed_0():
    """Without noise the cars' CO2 comes back unchanged; with noise, the default seed is 0."""
    cars = R.load_cars()
    x, y, label = R.make_data(R.DATASETS[0])
    assert np.array_equal(x, cars.weight_kg) and np.array_equal(y, cars.co2_g_per_km) and label == "weight (kg)"
    default = R.make_data(R.DATASETS[0], noise=30.0)[1]
    assert np.array_equal(default, R.make_data(R.DATASETS[0], noise=30.0, seed=0)[1])
    assert not np.array_equal(default, R.make_data(R.DATASETS[0], noise=30.0, seed=1)[1])


def test_make_data_noise_is_added_from_its_own_seeded_stream():
    """The noise is + noise x standard normals of default_rng([seed, 0]), the split's stream being [seed, 1]."""
    y = R.make_data(R.DATASETS[0], noise=2.0, seed=3)[1]
    expected = 2.0 * np.random.default_rng([3, 0]).standard_normal(398)
    np.testing.assert_allclose(y - R.load_cars().co2_g_per_km, expected, rtol=0, atol=1e-12)


def test_make_data_displacement():
    """The second data set is CO2 against engine displacement in litres."""
    cars = R.load_cars()
    x, y, label = R.make_data(R.DATASETS[1])
    assert np.array_equal(x, cars.displacement_l) and np.array_equal(y, cars.co2_g_per_km)
    assert label == "engine displacement (L)"


def test_make_data_noise_up_to_1000():
    """noise = 1000 is allowed; 1000.5 raises naming the argument and the ceiling."""
    assert np.all(np.isfinite(R.make_data(R.DATASETS[0], noise=1000.0)[1]))
    with pytest.raises(ValueError) as info:
        R.make_data(R.DATASETS[0], noise=1000.5)
    assert str(info.value) == "noise (a standard deviation in g/km) must be at most 1000, got 1000.5"


def test_make_data_names_the_data_sets_exactly():
    """An unknown data set raises, listing the three choices."""
    with pytest.raises(ValueError) as info:
        R.make_data("mtcars")
    assert str(info.value) == ("data must be one of 'cars: CO2 vs weight', 'cars: CO2 vs displacement', "
                               "\"straight line at the cars' weights\", got 'mtcars'")


@pytest.mark.parametrize("seed", [None, 2])
def test_split_and_fit_shuffles_with_the_seed_and_reports_the_line(seed):
    """The shuffled split comes from default_rng([seed, 1]) (seed 0 by default); the line is the training lstsq line."""
    kwargs = {} if seed is None else {"seed": seed}
    result = R.split_and_fit(R.DATASETS[0], R.LINEAR, "shuffled", **kwargs)
    train, val = R.shuffled_split(398, 0.8, np.random.default_rng([seed or 0, 1]))
    assert np.array_equal(result.train, train) and np.array_equal(result.validation, val)
    assert result.x_label == "weight (kg)"
    slope, intercept = np.polyfit(result.x[train], result.y[train], 1)
    assert result.line.slope == pytest.approx(slope, rel=1e-9)
    assert result.line.intercept == pytest.approx(intercept, rel=1e-9)


def test_split_and_fit_initialises_the_network_from_the_seed():
    """The network is fitted with the seed given to split_and_fit."""
    assert R.split_and_fit(R.DATASETS[0], TINY, seed=3).model.seed == 3


# --- Self-checks ---------------------------------------------------------------------------------------

LINE_X = [0.0, 1.0, 2.0, 3.0]
ZERO_Y = [0.0, 2.0, 4.0, 6.0]  # y = 2x: slope 2, intercept exactly 0


@pytest.mark.parametrize("intercept, rel_tol, right", [
    (2**-42, 0.5, True),  # 2.3e-13 <= rel_tol x 1e-12 = 5e-13
    (2**-39, 0.5, False),  # 1.8e-12 > 5e-13
    (1e-7, 1e-6, False),  # the absolute floor is 1e-18, not 1e-6
])
def test_check_line_zero_intercept_has_an_absolute_tolerance_of_rel_tol_times_1e_minus_12(intercept, rel_tol, right):
    """A true intercept of 0 accepts an error up to rel_tol x 1e-12 and no more."""
    assert R.check_line(2.0, intercept, LINE_X, ZERO_Y, rel_tol=rel_tol).correct is right


@pytest.mark.parametrize("slope, intercept, message", [
    (34 / 14 * (1 + 1e-7), 0.0, "Not yet: slope 2.42857, intercept 0; that is the slope of the best line through "
                                "the origin: centre x and y first (subtract their means)."),
    (2.0002, 1.0, "Not yet: slope 2.0002, intercept 1; the slope is right; the intercept makes the line pass "
                  "through (mean of x, mean of y)."),
])
def test_check_line_hints_within_their_tolerances(slope, intercept, message):
    """The origin slip is named within a relative 1e-6, the right slope within 1e-3 (y = 2x + 1 on x = 0..3)."""
    result = R.check_line(slope, intercept, LINE_X, [1.0, 3.0, 5.0, 7.0])
    assert result.correct is False and result.message == message


def test_check_outside_fraction_percentage_hint_above_1():
    """1.5 is above 1: the hint says a share, not a percentage."""
    result = R.check_outside_fraction(1.5, [1.0, 5.0], [0.0, 2.0, 5.0, 6.0])
    assert result.correct is False and result.message == (
        "Not yet: 1.5 (a share, between 0 and 1, not a percentage). Count the validation x below min(x_train) "
        "or above max(x_train), and divide by the number of validation points.")


def test_checks_refuse_an_integer_too_large_for_a_float():
    """10**400 is not a finite number: a verdict, not an OverflowError."""
    result = R.check_validation_mse(10**400, LINE_X, [1.0, 3.0, 5.0, 7.0], [0.0, 1.0], [4.0, 0.0])
    assert result.correct is False and result.message == "Not yet: give one number, got 1" + "0" * 400 + "."


@pytest.mark.parametrize("x_train", [[0.0, 0.0], [1e6, 1e6 + 2**-24]])
def test_check_validation_mse_refuses_a_single_x_train_value_relative_to_its_size(x_train):
    """x_train spread at most 1e-12 of its largest size (0 at 0; 6e-8 at 1e6) raises naming x_train."""
    with pytest.raises(ValueError) as info:
        R.check_validation_mse(1.0, x_train, [1.0, 3.0], [0.0, 1.0], [4.0, 0.0])
    assert str(info.value) == "x_train takes a single value: a line through it has no defined slope"


# Line through (0, 0), (1, 2), (2, 2), (3, 4): slope 6/5, intercept 1/5; training MSE 0.8 / 4 = 0.2.
# On x_val = 0, 1 it predicts 0.2, 1.4; y_val = 4, 0 gives validation MSE (3.8^2 + 1.4^2) / 2 = 8.2.
@pytest.mark.parametrize("y_train, value, message", [
    ([0.0, 2.0, 2.0, 4.0], 0.2 * (1 + 1e-4),
     "Not yet: that is the training MSE; evaluate the line on the validation points."),
    ([1.0, 3.0, 5.0, 7.0], 3.0 * (1 + 1e-4), "Not yet: that is the root of the MSE; square it."),
    ([0.0, 2.0, 2.0, 4.0], 8.2 * (1 + 1e-4), "Right: validation MSE 8.2 (training MSE 0.2)."),
])
def test_check_validation_mse_hints_use_rel_tol(y_train, value, message):
    """The training-MSE and root slips are named within the default rel_tol 1e-3, like the right answer."""
    result = R.check_validation_mse(value, LINE_X, y_train, [0.0, 1.0], [4.0, 0.0])
    assert result.correct is message.startswith("Right") and result.message == message


def test_load_cars_co2_uses_each_cars_fuel():
    """CO2 g/km = grams per US gallon / (mpg * 1.609344 km per mile): 10180 for the 9 diesels, 8887 for the rest."""
    cars = R.load_cars()
    diesel = cars.fuel == "diesel"
    assert diesel.sum() == 9 and (cars.fuel[~diesel] == "gasoline").all()
    np.testing.assert_allclose(cars.co2_g_per_km[diesel], 10180.0 / (cars.mpg[diesel] * 1.609344), rtol=1e-12)
    np.testing.assert_allclose(cars.co2_g_per_km[~diesel], 8887.0 / (cars.mpg[~diesel] * 1.609344), rtol=1e-12)


def test_co2_g_per_km_default_fuel_is_gasoline():
    """Without fuel: 8887 g per US gallon / (mpg * 1.609344 km per mile), the same as fuel="gasoline"."""
    co2 = R.co2_g_per_km([25.0, 40.0])
    np.testing.assert_allclose(co2, [8887.0 / (25.0 * 1.609344), 8887.0 / (40.0 * 1.609344)], rtol=1e-12)
    np.testing.assert_array_equal(co2, R.co2_g_per_km([25.0, 40.0], "gasoline"))


@pytest.mark.parametrize("mpg, fuel, message", [
    ([20.0, 25.0, 30.0], ["gasoline", "diesel"],
     "fuel must be one name or one name per car (3), got ['gasoline', 'diesel'] (list)"),
    ([20.0, 25.0], ["gasoline", 5], "fuel must be one of ['diesel', 'gasoline'] (names), got ['gasoline', 5] (list)"),
    ([20.0, 25.0], 5, "fuel must be one of ['diesel', 'gasoline'] (names), got 5 (int)"),
    ([20.0, 25.0], ["gasoline", "petrol"], "fuel must be one of ['diesel', 'gasoline'], got ['petrol']"),
])
def test_co2_g_per_km_refuses_bad_fuel_exactly(mpg, fuel, message):
    """Too few names, a name that is not text (not turned into text) and an unknown name raise the exact message."""
    with pytest.raises(ValueError) as info:
        R.co2_g_per_km(mpg, fuel)
    assert str(info.value) == message


@pytest.mark.parametrize("x_val, fraction", [
    ([1.0, 3.0], 0.0),  # both ends of the training range are inside it
    ([1.0, 3.0, 0.5, 3.5], 0.5),
    ([0.999, 3.001], 1.0),
])
def test_outside_range_fraction_counts_the_ends_as_inside(x_val, fraction):
    """Training range [1, 3]: a validation point equal to its min or max is not outside."""
    assert R.outside_range_fraction([1.0, 2.0, 3.0], x_val) == fraction


# --- Configs, scalers, initialisation and the limits of fit_mlps ---------------------------------------

def test_model_config_allows_width_1():
    """Width 1 is the smallest allowed: ModelConfig(width=1) is built and labelled 1x1."""
    assert R.ModelConfig(activation="relu", width=1).label == "ReLU MLP 1x1"


def test_model_config_names_the_activations_exactly():
    """An unknown activation raises, listing both choices."""
    with pytest.raises(ValueError) as info:
        R.ModelConfig(activation="sigmoid")
    assert str(info.value) == "activation must be one of 'tanh', 'relu', got 'sigmoid'"


@pytest.mark.parametrize("values, mean, scale", [
    ([0.0, 1.0], 0.5, 0.5),  # a spread below 1 is kept
    ([1.0, 3.0], 2.0, 1.0),
    ([0.0, 4.0], 2.0, 2.0),
    ([3.0, 3.0], 3.0, 1.0),  # no spread: scale 1
])
def test_standardiser_of_keeps_every_positive_std(values, mean, scale):
    """Mean and population std by hand; only a zero std is replaced by 1."""
    assert R.Standardiser.of(values) == R.Standardiser(mean, scale)


def test_fit_standardises_x_and_y_with_their_own_std_below_1():
    """x = 0, 1 (std 1/2) and y = 0, 1/2 (std 1/4) keep those scales in the fitted MLP."""
    model = R.fit(TINY, [0.0, 1.0], [0.0, 0.5])
    assert model.x_scaler == R.Standardiser(0.5, 0.5) and model.y_scaler == R.Standardiser(0.25, 0.25)


def _hand_initial_weights(seed, width):
    """Weights and biases of a 1 -> width -> 1 net drawn as documented: U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    generator = torch.Generator().manual_seed(seed)
    out = []
    for fan_in, fan_out in ((1, width), (width, 1)):
        bound = 1.0 / math.sqrt(fan_in)
        w = (torch.rand(fan_in * fan_out, generator=generator, dtype=torch.float32) * 2 - 1) * bound
        b = (torch.rand(fan_out, generator=generator, dtype=torch.float32) * 2 - 1) * bound
        out.append((w.view(fan_in, fan_out), b))
    return out


@pytest.mark.parametrize("seed", [0, 7])
def test_fit_mlps_initialises_symmetrically_from_the_seed(seed):
    """One Adam step of lr 1e-6 moves each parameter by at most 1e-6 from the seeded U(-bound, bound) draw."""
    config = R.ModelConfig(activation="tanh", width=4, steps=1, lr=1e-6)
    model = R.fit_mlps(config, [X8], [Y8], [seed])[0]
    for (w, b), w_model, b_model in zip(_hand_initial_weights(seed, 4), model.weights, model.biases):
        np.testing.assert_allclose(w_model.numpy(), w.numpy(), rtol=0, atol=2e-6)
        np.testing.assert_allclose(b_model.numpy(), b.numpy(), rtol=0, atol=2e-6)


def test_fit_mlps_does_not_depend_on_the_default_dtype():
    """With torch's default dtype set to float64, training gives the same float32 network as with float32."""
    config = R.ModelConfig(activation="tanh", width=3, steps=3)
    expected = R.fit_mlps(config, [X8], [Y8], [1])[0]
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        model = R.fit_mlps(config, [X8], [Y8], [1])[0]
    finally:
        torch.set_default_dtype(previous)
    for got, want in zip(model.weights + model.biases, expected.weights + expected.biases):
        assert got.dtype == torch.float32 and torch.equal(got, want)


def test_fit_mlps_refuses_runs_of_different_sizes_exactly():
    """Runs with 3 and 4 training points raise, saying how to train them."""
    with pytest.raises(ValueError) as info:
        R.fit_mlps(TINY, [X8[:3], X8[:4]], [Y8[:3], Y8[:4]], [0, 1])
    assert str(info.value) == ("all runs must have the same number of training points to be trained together; "
                               "train runs of different sizes with separate calls")


def test_fit_mlps_refuses_too_many_activations_per_step_exactly():
    """1 run x 10,000 points x width 256 x depth 6 x 4 = 61,440,000 > 5e7 raises naming the arguments."""
    config = R.ModelConfig(width=256, depth=6)
    x = np.arange(10_000.0)
    with pytest.raises(ValueError) as info:
        R.fit_mlps(config, [x], [x], [0])
    assert str(info.value) == ("xs, ys, seeds and config would need 61,440,000 activations per step, more than the "
                               "limit of 50,000,000: use smaller values")


def test_mlp_predict_names_x_in_its_errors():
    """A 2-D x raises naming x and its shape."""
    with pytest.raises(ValueError) as info:
        _two_unit_model("tanh").predict([[0.5]])
    assert str(info.value) == "x must be 1-D, one value per car; got shape (1, 1)"


def test_evaluate_allows_a_single_training_point():
    """One training and one validation point suffice: the line 2x + 1 gives MSE 0 at (1, 3) and 1 at (0, 0)."""
    assert R.evaluate(R.LineModel(2.0, 1.0), [1.0], [3.0], [0.0], [0.0]) == R.Errors(0.0, 1.0)


def test_fit_line_centres_y_so_a_far_offset_keeps_the_slope_exact():
    """y = 2^53 + (0, 2, 4) at x = 0, 1, 2: centring y first gives slope 2 and intercept 2^53 exactly."""
    assert R.fit_line([0.0, 1.0, 2.0], 2.0**53 + np.array([0.0, 2.0, 4.0])) == (2.0, 2.0**53)


@pytest.mark.parametrize("steps, overflows", [
    (2, lambda call: call >= 2),  # from the second step on
    (3, lambda call: call == 3),  # only at the third: the last loss, not the second
])
def test_fit_mlps_reports_the_loss_of_the_last_step_when_it_diverges(monkeypatch, steps, overflows):
    """An activation that overflows float32 at some calls: the error shows the last step's loss, inf."""
    calls = []

    def exploding(z):
        calls.append(1)
        return z * (1e30 if overflows(len(calls)) else 1.0)

    monkeypatch.setitem(R.ACTIVATIONS, "tanh", exploding)
    with pytest.raises(ValueError) as info:
        R.fit_mlps(R.ModelConfig(activation="tanh", width=2, steps=steps), [X8], [Y8], [0])
    assert str(info.value) == "training diverged (loss [inf]); lower lr (now 0.01)"


@pytest.mark.parametrize("default", [torch.float16, torch.bfloat16])
def test_fit_mlps_loss_history_does_not_depend_on_a_half_precision_default_dtype(default):
    """With torch's default dtype float16 or bfloat16, the recorded losses are still the float32 ones."""
    config = R.ModelConfig(activation="tanh", width=3, steps=3)
    expected = R.fit_mlps(config, [X8], [Y8], [1])[0].loss_history
    previous = torch.get_default_dtype()
    torch.set_default_dtype(default)
    try:
        history = R.fit_mlps(config, [X8], [Y8], [1])[0].loss_history
    finally:
        torch.set_default_dtype(previous)
    np.testing.assert_array_equal(history, expected)


def test_fit_line_refuses_lists_of_different_lengths_exactly():
    """Three x values and two y values: the message names both counts and asks for one value per car."""
    with pytest.raises(ValueError) as info:
        R.fit_line([1.0, 2.0, 3.0], [1.0, 2.0])
    assert str(info.value) == "x has 3 values but y has 2: they must have one value per car each"


@pytest.mark.parametrize("model, name", [("line", "str"), (None, "NoneType"), (2.0, "float")])
def test_extrapolation_slope_names_the_type_of_a_model_without_predict(model, name):
    """Something without a callable predict raises naming its type (None among them)."""
    with pytest.raises(TypeError) as info:
        R.extrapolation_slope(model, 0.0, 1.0)
    assert str(info.value) == f"model must be a fitted model with predict(x), got {name}"


# --- Exact limits, defaults and messages (mutation-testing survivors) ----------------------------------

def test_evaluate_names_the_type_of_a_model_without_predict():
    """A str as model raises a TypeError naming str (the model's own type, not NoneType)."""
    with pytest.raises(TypeError) as info:
        R.evaluate("line", [1.0], [3.0], [0.0], [0.0])
    assert str(info.value) == "model must be a fitted model with predict(x), got str"


def test_fit_default_seed_is_0():
    """Without seed, fit initialises the network from seed 0: the same weights as seed=0."""
    model = R.fit(TINY, X8, Y8)
    expected = R.fit(TINY, X8, Y8, seed=0)
    assert model.seed == 0
    for got, want in zip(model.weights + model.biases, expected.weights + expected.biases):
        assert torch.equal(got, want)


@pytest.mark.parametrize("x", [[0.0, 0.0], [3.0, 3.0], [1e6, 1e6 + 2**-24]])
def test_fit_line_refuses_a_single_x_value_relative_to_its_size(x):
    """x spread at most 1e-12 of its largest size (0 at 0 and at 3; 6e-8 at 1e6) raises the exact message."""
    with pytest.raises(ValueError) as info:
        R.fit_line(x, [1.0, 2.0])
    assert str(info.value) == ("x takes a single value: a line through it has no defined slope; use at least two "
                               "distinct x")


def test_fit_line_accepts_a_spread_just_above_1e_minus_12_of_the_size():
    """x = 1, 1 + 2^-39 (spread 1.8e-12 > 1e-12 x 1) fits: slope 2^39 through y = 0, 1."""
    slope, intercept = R.fit_line([1.0, 1.0 + 2**-39], [0.0, 1.0])
    assert slope == 2.0**39 and intercept == -(2.0**39)


def _initial_loss(seed, x, y):
    """The first recorded loss of a tanh 1 -> 4 -> 1 net: MSE of the seeded initial net on standardised data."""
    (w1, b1), (w2, b2) = _hand_initial_weights(seed, 4)
    xs = torch.tensor((x - x.mean()) / x.std(), dtype=torch.float32)[:, None]
    ys = (y - y.mean()) / y.std()
    out = (torch.tanh(xs @ w1 + b1) @ w2 + b2)[:, 0].double().numpy()
    return float(np.mean((out - ys) ** 2))


def test_fit_mlps_records_one_loss_per_run():
    """Two runs in one stack on different data: each run's first loss is its own MSE, not the mean of both."""
    config = R.ModelConfig(activation="tanh", width=4, steps=1)
    y_other = np.array([5.0, -1.0, 2.0, 8.0, 0.0, 3.0, -4.0, 1.0])
    models = R.fit_mlps(config, [X8, X8], [Y8, y_other], [0, 7])
    assert models[0].loss_history[0] == pytest.approx(_initial_loss(0, X8, Y8), rel=1e-5)
    assert models[1].loss_history[0] == pytest.approx(_initial_loss(7, X8, y_other), rel=1e-5)


def test_fit_mlps_allows_max_runs_and_no_more():
    """MAX_RUNS = 1000 runs train together; 1001 raise the exact message."""
    config = R.ModelConfig(activation="relu", width=1, steps=1)
    n = R.MAX_RUNS
    assert n == 1000
    models = R.fit_mlps(config, [[0.0, 1.0]] * n, [[0.0, 1.0]] * n, list(range(n)))
    assert len(models) == n and models[-1].seed == n - 1
    with pytest.raises(ValueError) as info:
        R.fit_mlps(config, [[0.0, 1.0]] * (n + 1), [[0.0, 1.0]] * (n + 1), list(range(n + 1)))
    assert str(info.value) == "seeds may hold at most 1000 runs, got 1,001"


@pytest.mark.parametrize("xs, ys, message", [
    (5, [Y8], "xs must be a sequence of 1-D arrays, one per run, got 5 (int)"),
    ([X8], "abc", "ys must be a sequence of 1-D arrays, one per run, got 'abc' (str)"),
])
def test_fit_mlps_names_what_xs_or_ys_is_instead_of_a_sequence(xs, ys, message):
    """A number or a string as xs or ys raises a TypeError naming the argument and describing what was given."""
    with pytest.raises(TypeError) as info:
        R.fit_mlps(TINY, xs, ys, [0])
    assert str(info.value) == message


def test_fit_mlps_refuses_zero_runs_exactly():
    """No runs at all raise a ValueError with the exact message."""
    with pytest.raises(ValueError) as info:
        R.fit_mlps(TINY, [], [], [])
    assert str(info.value) == "give at least one run"


def test_predict_line_refuses_overflow_exactly_without_a_warning():
    """slope 1e300 at x = 1e10 overflows: a ValueError with the exact message, and no RuntimeWarning first."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError) as info:
            R.predict_line(1e300, 0.0, [1e10])
    assert str(info.value) == "slope, intercept and x give predictions too large for a float"


def test_mlp_predict_works_for_a_single_output_layer():
    """A model of one layer (no hidden layer) predicts w x + b: w = 2, b = 1/2 at x = 0, 1.5 gives 0.5, 3.5."""
    model = R.MLPModel(R.ModelConfig(), (torch.tensor([[2.0]], dtype=torch.float64),),
                       (torch.tensor([0.5], dtype=torch.float64),), R.Standardiser(0.0, 1.0),
                       R.Standardiser(0.0, 1.0), 0, np.zeros(1))
    np.testing.assert_array_equal(model.predict([0.0, 1.5]), [0.5, 3.5])


@pytest.mark.parametrize("kwargs, message", [
    ({"kind": "cnn"}, "kind must be one of 'linear', 'mlp', got 'cnn'"),
    ({"steps": 100_001}, "steps must be a whole number from 1 to 100000, got 100001"),
    ({"lr": 1.5}, "lr must be a learning rate in (0, 1], got 1.5"),
])
def test_model_config_exact_messages(kwargs, message):
    """An unknown kind (both kinds listed), steps above 100,000 and lr above 1 raise the exact message."""
    with pytest.raises(ValueError) as info:
        R.ModelConfig(**kwargs)
    assert str(info.value) == message


@pytest.mark.parametrize("kwargs", [{"steps": 100_000}, {"lr": 1}, {"lr": 1.0}])
def test_model_config_allows_the_upper_limits(kwargs):
    """steps = 100,000 and lr = 1 (int or float) are allowed and kept."""
    config = R.ModelConfig(**kwargs)
    assert all(getattr(config, key) == value for key, value in kwargs.items())


def test_standardiser_of_float32_values_computes_in_float64():
    """float32 values 0, 1, 3: mean 4/3 and population std sqrt(14)/3 in float64, not rounded to float32."""
    scaler = R.Standardiser.of(np.array([0.0, 1.0, 3.0], dtype=np.float32))
    assert scaler.mean == pytest.approx(4 / 3, rel=1e-14)
    assert scaler.scale == pytest.approx(math.sqrt(14) / 3, rel=1e-14)


def test_standardiser_forward_and_inverse_return_float64_for_float32_input():
    """(2 - 1) / 3 is the float64 1/3, and 1 x 0.1 + 0 the float64 0.1, for float32 inputs."""
    forward = R.Standardiser(1.0, 3.0).forward(np.array([2.0], dtype=np.float32))
    inverse = R.Standardiser(0.0, 0.1).inverse(np.array([1.0], dtype=np.float32))
    assert forward.dtype == np.float64 and forward[0] == 1 / 3
    assert inverse.dtype == np.float64 and inverse[0] == 0.1


# --- Input vectors: tensors, ragged lists and the length of the second vector ----------------------------

def test_fit_line_takes_torch_tensors():
    """Tensors x = 0, 1, 2 and y = 1, 3, 5 give slope 2 and intercept 1, as arrays do."""
    assert R.fit_line(torch.tensor([0.0, 1.0, 2.0]), torch.tensor([1.0, 3.0, 5.0])) == (2.0, 1.0)


@pytest.mark.parametrize("x, y, message", [
    ([[1.0, 2.0], [3.0]], [1.0, 2.0], "x must be a 1-D array of numbers, got list"),
    ([1.0, 2.0], ([1.0], [2.0, 3.0]), "y must be a 1-D array of numbers, got tuple"),
])
def test_fit_line_refuses_ragged_input_naming_its_type(x, y, message):
    """A ragged x or y raises TypeError naming the argument and the type it got."""
    with pytest.raises(TypeError) as info:
        R.fit_line(x, y)
    assert str(info.value) == message


def test_fit_line_needs_two_y_values_before_comparing_lengths():
    """A y of one value is refused for its own length, before the length mismatch with x."""
    with pytest.raises(ValueError) as info:
        R.fit_line([1.0, 2.0], [1.0])
    assert str(info.value) == "y needs at least 2 values, got 1"
