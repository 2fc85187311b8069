"""Predicting CO2 emission from car size (exam II(B)): the data, lines, splits, small MLPs, errors.

The data are the 398 cars of the Auto MPG set (Quinlan, 1993; ``data/README.md``), with CO2
per km computed from fuel consumption. The pieces of the exam's story, each on its own:

- ``load_cars``: the data, in kg, litres and g/km;
- ``fit_line``: least squares in closed form;
- ``sorted_split``, ``shuffled_split``, ``time_split``, ``kfold_splits``, ``stratified_kfold_splits``:
  index arrays (train, validation);
- ``fit`` / ``fit_mlps``: linear regression, or MLPs trained full-batch with Adam on standardised
  inputs and targets, from a seeded initialisation. ``fit_mlps`` trains many MLPs of one
  architecture at once as one stacked model (one ``torch.baddbmm`` per layer): Adam acts
  element by element and every run has its own loss term, so a run trained in a stack follows
  the trajectory it would follow alone, up to float rounding;
- ``mse``, ``evaluate``, ``run_experiment``: errors, and the grid of models x splits x seeds;
- ``make_data``, ``split_and_fit``: one data set, one split, one model, as the explorer shows them;
- ``check_line``, ``check_outside_fraction``, ``check_validation_mse``: the exercises' self-checks.

All arrays are NumPy; x and y are 1-D, one entry per car.

NaN: every function here refuses NaN and infinite data (drop or fix such cars first), and the
checks refuse NaN tolerances. Sizes have ceilings: at most ``MAX_RUNS`` networks trained
together, ``validate.MAX_SIZE`` points.
"""

import csv
import io
import math
from dataclasses import dataclass, field
from importlib import resources

import numpy as np
import torch

from . import validate
from .checks import CheckResult
from .validate import is_int as _is_int
from ._threads import torch_threads

# Unit conversions (exact by definition) and the CO2 of burning fuel.
KG_PER_LB = 0.45359237
LITRES_PER_CUBIC_INCH = 0.016387064
LITRES_PER_US_GALLON = 3.785411784
KM_PER_MILE = 1.609344
L_PER_100KM_AT_1_MPG = 100 * LITRES_PER_US_GALLON / KM_PER_MILE  # 235.2146: L/100 km = this / mpg
# US EPA (2018), "Greenhouse Gas Emissions from a Typical Passenger Vehicle", EPA-420-F-18-008.
CO2_G_PER_US_GALLON = {"gasoline": 8887.0, "diesel": 10180.0}
CO2_G_PER_LITRE = {fuel: grams / LITRES_PER_US_GALLON for fuel, grams in CO2_G_PER_US_GALLON.items()}

N_CARS = 398
MAX_RUNS = 1000  # networks trained together in one stack
DATA_FILE = "auto_mpg.csv"


def _vector(values, name, min_length=1):
    """A finite 1-D float array, or a ValueError/TypeError naming `name`."""
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().numpy()
    try:
        array = validate.array(values, name, finite=False, nonempty=False)
    except ValueError:
        raise TypeError(f"{name} must be a 1-D array of numbers, got {type(values).__name__}") from None
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D, one value per car; got shape {array.shape}")
    if len(array) < min_length:
        raise ValueError(f"{name} needs at least {min_length} values, got {len(array)}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values; drop or fix them first")
    return array


def _pair(x, y, min_length=2, names=("x", "y")):
    x = _vector(x, names[0], min_length)
    y = _vector(y, names[1], min_length)
    if len(x) != len(y):
        raise ValueError(f"{names[0]} has {len(x)} values but {names[1]} has {len(y)}: they must have one value "
                         "per car each")
    return x, y


def _finite_number(value):
    """True for one finite real number (a reader's answer), False for anything else."""
    value = validate._scalar(value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _check_rng(rng):
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}; "
                        "create one with np.random.default_rng(seed)")


def litres_per_100km(mpg):
    """(n,) miles per US gallon -> (n,) litres per 100 km."""
    mpg = _vector(np.atleast_1d(mpg), "mpg")
    if np.any(mpg <= 0):
        raise ValueError("mpg must be positive")
    return L_PER_100KM_AT_1_MPG / mpg


def co2_g_per_km(mpg, fuel="gasoline"):
    """(n,) miles per US gallon -> (n,) grams of CO2 per km; fuel is a name or an (n,) array of names."""
    try:
        fuel_array = np.broadcast_to(np.asarray(fuel, dtype=object), np.shape(np.atleast_1d(mpg)))
    except ValueError:
        raise ValueError(f"fuel must be one name or one name per car ({np.size(mpg)}), got {validate.got(fuel)}") from None
    if not all(isinstance(f, str) for f in fuel_array.flat):
        raise ValueError(f"fuel must be one of {sorted(CO2_G_PER_LITRE)} (names), got {validate.got(fuel)}")
    unknown = set(fuel_array.flat) - set(CO2_G_PER_LITRE)
    if unknown:
        raise ValueError(f"fuel must be one of {sorted(CO2_G_PER_LITRE)}, got {sorted(map(str, unknown))}")
    grams_per_litre = np.array([CO2_G_PER_LITRE[f] for f in fuel_array.flat]).reshape(fuel_array.shape)
    return litres_per_100km(mpg) / 100 * grams_per_litre


@dataclass(frozen=True)
class Cars:
    """The Auto MPG cars: one entry per car in every array, in the file's order."""

    name: np.ndarray  # (n,) str
    model_year: np.ndarray  # (n,) int, 1970..1982
    origin: np.ndarray  # (n,) str: USA, Europe, Japan
    cylinders: np.ndarray  # (n,) int
    displacement_l: np.ndarray  # (n,) litres
    weight_kg: np.ndarray  # (n,) kg
    mpg: np.ndarray  # (n,) miles per US gallon
    fuel: np.ndarray  # (n,) str: gasoline, diesel
    litres_per_100km: np.ndarray  # (n,)
    co2_g_per_km: np.ndarray  # (n,)

    def __len__(self):
        return len(self.name)

    def feature(self, name):
        """(n,) the size measure called `name`: "weight" (kg) or "displacement" (L)."""
        if name not in FEATURES:
            raise ValueError(f"feature must be one of {', '.join(map(repr, FEATURES))}, got {name!r}")
        return getattr(self, FEATURES[name][0])


# feature name -> (Cars attribute, axis label)
FEATURES = {
    "weight": ("weight_kg", "weight (kg)"),
    "displacement": ("displacement_l", "engine displacement (L)"),
}
CO2_LABEL = "CO$_2$ (g/km)"


def load_cars():
    """The 398 cars of Auto MPG, read from the copy shipped inside the package."""
    text = resources.files("dlexam").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))

    def column(key, kind):
        return np.array([kind(row[key]) for row in rows])

    mpg = column("mpg", float)
    fuel = column("fuel", str)
    return Cars(
        name=column("name", str),
        model_year=column("model_year", int),
        origin=column("origin", str),
        cylinders=column("cylinders", int),
        displacement_l=column("displacement_cu_in", float) * LITRES_PER_CUBIC_INCH,
        weight_kg=column("weight_lb", float) * KG_PER_LB,
        mpg=mpg,
        fuel=fuel,
        litres_per_100km=litres_per_100km(mpg),
        co2_g_per_km=co2_g_per_km(mpg, fuel),
    )


def fit_line(x, y):
    """(n,), (n,) -> (slope, intercept) minimising sum((y - slope * x - intercept)**2), in closed form."""
    x, y = _pair(x, y)
    if np.ptp(x) <= 1e-12 * np.abs(x).max():
        raise ValueError("x takes a single value: a line through it has no defined slope; use at least two distinct x")
    dx = x - x.mean()
    slope = float(dx @ (y - y.mean()) / (dx @ dx))
    return slope, float(y.mean() - slope * x.mean())


def predict_line(slope, intercept, x):
    """(n,) -> (n,): slope * x + intercept."""
    slope, intercept = validate.real(slope, "slope"), validate.real(intercept, "intercept")
    with np.errstate(over="ignore"):
        result = slope * _vector(x, "x") + intercept
    if not np.all(np.isfinite(result)):
        raise ValueError("slope, intercept and x give predictions too large for a float")
    return result


def mse(y, prediction):
    """(n,), (n,) -> mean squared error."""
    y = _vector(y, "y")
    prediction = _vector(prediction, "prediction")
    if len(y) != len(prediction):
        raise ValueError(f"y has {len(y)} values but prediction has {len(prediction)}")
    return float(np.mean((y - prediction) ** 2))


def r_squared(y, prediction):
    """(n,), (n,) -> 1 - MSE / Var(y): the share of y's variance the prediction explains."""
    y = _vector(y, "y", 2)
    if np.var(y) == 0:
        raise ValueError("y is constant: R^2 is undefined")
    return 1.0 - mse(y, prediction) / float(np.var(y))


def polynomial_r_squared(x, y, degree):
    """R^2 of the least-squares polynomial of `degree` (1 = a line): how much a curve adds."""
    x, y = _pair(x, y, min_length=3)
    if not _is_int(degree) or not 1 <= degree <= 5:
        raise ValueError(f"degree must be a whole number from 1 to 5, got {degree!r}")
    if len(np.unique(x)) <= degree:
        raise ValueError(f"x must take at least {degree + 1} different values to fit a polynomial of degree {degree}")
    scaled = (x - x.mean()) / x.std()
    coefficients = np.polynomial.polynomial.polyfit(scaled, y, degree)
    return r_squared(y, np.polynomial.polynomial.polyval(scaled, coefficients))


def binned_residuals(x, residuals, n_bins=5):
    """Mean and standard deviation of residuals in `n_bins` equally filled bins of x.

    Returns (centres (n_bins,), means (n_bins,), stds (n_bins,)): a trend in the means says the
    relation bends, a trend in the stds that the scatter grows.
    """
    x, residuals = _pair(x, residuals, names=("x", "residuals"))
    if not _is_int(n_bins) or not 1 <= n_bins <= len(x):
        raise ValueError(f"n_bins must be a whole number from 1 to {len(x)}, got {n_bins!r}")
    strata = quantile_strata(x, n_bins)
    groups = [np.flatnonzero(strata == s) for s in range(n_bins)]
    return (np.array([x[g].mean() for g in groups]), np.array([residuals[g].mean() for g in groups]),
            np.array([residuals[g].std() for g in groups]))


def _train_count(n, train_fraction):
    if not _is_int(n) or not 2 <= n <= validate.MAX_SIZE:
        raise ValueError(f"n must be a whole number of data points from 2 to {validate.MAX_SIZE:,} to split, "
                         f"got {n!r}")
    if isinstance(train_fraction, bool) or not isinstance(train_fraction, (int, float, np.floating)):
        raise TypeError(f"train_fraction must be a number between 0 and 1, got {train_fraction!r}")
    if not 0 < train_fraction < 1:
        raise ValueError(f"train_fraction must be strictly between 0 and 1, got {train_fraction!r}")
    n_train = int(round(train_fraction * n))
    if not 1 <= n_train <= n - 1:
        raise ValueError(f"train_fraction {train_fraction:g} of {n} points leaves an empty training or "
                         "validation set; move it towards 0.5")
    return n_train


def sorted_split(x, train_fraction=0.8, validation="largest"):
    """(n,) -> (train indices, validation indices): sort by x, the first part trains, the rest validates.

    The intern's split. With validation="largest" the validation set holds the cars with the
    largest x, with "smallest" those with the smallest. Ties keep the data's order (stable sort).
    """
    x = _vector(x, "x", 2)
    if validation not in ("largest", "smallest"):
        raise ValueError(f"validation must be 'largest' or 'smallest', got {validation!r}")
    n_train = _train_count(len(x), train_fraction)
    order = np.argsort(x, kind="stable")
    if validation == "largest":
        return order[:n_train], order[n_train:]
    return order[len(x) - n_train:], order[:len(x) - n_train]


def shuffled_split(n, train_fraction, rng):
    """n -> (train indices, validation indices) of a uniformly random permutation of range(n)."""
    n_train = _train_count(n, train_fraction)
    _check_rng(rng)
    order = rng.permutation(n)
    return order[:n_train], order[n_train:]


SPLITS = ("sorted", "shuffled")


def split(kind, x, train_fraction, rng=None):
    """The split called `kind` ("sorted" or "shuffled") of the points x; rng for "shuffled"."""
    if rng is not None:
        _check_rng(rng)
    if kind == "sorted":
        return sorted_split(x, train_fraction)
    if kind == "shuffled":
        return shuffled_split(len(_vector(x, "x", 2)), train_fraction, rng)
    raise ValueError(f"kind (the split) must be one of {', '.join(map(repr, SPLITS))}, got {kind!r}")


def time_split(year, last_training_year):
    """(n,) years -> (train: year <= last_training_year, validation: later years), as index arrays."""
    year = _vector(year, "year")
    last_training_year = validate.real(last_training_year, "last_training_year")
    train = np.flatnonzero(year <= last_training_year)
    validation = np.flatnonzero(year > last_training_year)
    if len(train) == 0 or len(validation) == 0:
        raise ValueError(f"last_training_year {last_training_year!r} leaves no training or no validation data; "
                         f"choose a year from {year.min():g} to {year.max() - 1:g}")
    return train, validation


def _check_folds(n, k):
    if not _is_int(k) or not 2 <= k <= n:
        raise ValueError(f"k must be a whole number of folds from 2 to the number of points ({n}), got {k!r}")


def kfold_splits(n, k, rng=None):
    """n -> k pairs (train indices, validation indices); every point validates exactly once.

    With rng=None the folds are consecutive blocks of range(n) (what scikit-learn's KFold does by
    default, shuffle=False): on sorted data each fold is a range of x. With a Generator the
    points are permuted first.
    """
    if not _is_int(n) or not 2 <= n <= validate.MAX_SIZE:
        raise ValueError(f"n must be a whole number of points from 2 to {validate.MAX_SIZE:,}, got {n!r}")
    _check_folds(n, k)
    if rng is None:
        order = np.arange(n)
    else:
        _check_rng(rng)
        order = rng.permutation(n)
    folds = np.array_split(order, k)
    return [(np.concatenate(folds[:i] + folds[i + 1:]), fold) for i, fold in enumerate(folds)]


def quantile_strata(x, n_strata):
    """(n,) -> (n,) stratum labels 0..n_strata-1: equally filled groups of x, from smallest to largest."""
    x = _vector(x, "x")
    if not _is_int(n_strata) or not 1 <= n_strata <= len(x):
        raise ValueError(f"n_strata must be a whole number from 1 to {len(x)}, got {n_strata!r}")
    ranks = np.empty(len(x), dtype=int)
    ranks[np.argsort(x, kind="stable")] = np.arange(len(x))
    return ranks * n_strata // len(x)


def stratified_kfold_splits(strata, k, rng):
    """(n,) labels -> k pairs (train, validation) in which every stratum is spread evenly over the folds.

    Each stratum's points are shuffled and dealt to the folds in turn, the dealing continuing
    from one stratum to the next, so fold sizes differ by at most one.
    """
    strata = np.asarray(strata)
    if strata.ndim != 1 or len(strata) < 2:
        raise ValueError(f"strata must be a 1-D array of labels, one per point; got shape {strata.shape}")
    if strata.dtype.kind not in "biuU":
        raise TypeError(f"strata must hold whole-number or text labels, got dtype {strata.dtype}")
    if strata.size > validate.MAX_SIZE:
        raise ValueError(f"strata may hold at most {validate.MAX_SIZE:,} labels, got {strata.size:,}")
    _check_folds(len(strata), k)
    _check_rng(rng)
    fold_of = np.empty(len(strata), dtype=int)
    dealt = 0
    for label in np.unique(strata):
        members = rng.permutation(np.flatnonzero(strata == label))
        fold_of[members] = (dealt + np.arange(len(members))) % k
        dealt += len(members)
    return [(np.flatnonzero(fold_of != i), np.flatnonzero(fold_of == i)) for i in range(k)]


def outside_range_fraction(x_train, x_val):
    """Share of validation points outside [min, max] of the training points: how much is extrapolation."""
    x_train = _vector(x_train, "x_train")
    x_val = _vector(x_val, "x_val")
    return float(np.mean((x_val < x_train.min()) | (x_val > x_train.max())))


ACTIVATIONS = {"tanh": torch.tanh, "relu": torch.relu}
MODEL_KINDS = ("linear", "mlp")
MAX_WIDTH = 256
MAX_DEPTH = 6
# float32: these networks are tiny and their cost is the number of elementwise passes, which
# float32 halves; the targets are standardised, so float32 loses nothing visible.
DTYPE = torch.float32


@dataclass(frozen=True)
class ModelConfig:
    """A model of the experiment: linear regression, or an MLP (activation, width, depth) and its training."""

    kind: str = "mlp"
    activation: str = "tanh"
    width: int = 32
    depth: int = 1  # hidden layers
    steps: int = 500  # full-batch Adam steps
    lr: float = 0.01

    def __post_init__(self):
        if not isinstance(self.kind, str) or self.kind not in MODEL_KINDS:
            raise ValueError(f"kind must be one of {', '.join(map(repr, MODEL_KINDS))}, got {self.kind!r}")
        if not isinstance(self.activation, str) or self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(map(repr, ACTIVATIONS))}, got {self.activation!r}")
        if not _is_int(self.width) or not 1 <= self.width <= MAX_WIDTH:
            raise ValueError(f"width must be a whole number from 1 to {MAX_WIDTH}, got {self.width!r}")
        if not _is_int(self.depth) or not 1 <= self.depth <= MAX_DEPTH:
            raise ValueError(f"depth must be a whole number of hidden layers from 1 to {MAX_DEPTH}, got {self.depth!r}")
        if not _is_int(self.steps) or not 1 <= self.steps <= 100_000:
            raise ValueError(f"steps must be a whole number from 1 to 100000, got {self.steps!r}")
        if isinstance(self.lr, bool) or not isinstance(self.lr, (int, float)) or not 0 < self.lr <= 1:
            raise ValueError(f"lr must be a learning rate in (0, 1], got {self.lr!r}")

    @property
    def label(self):
        if self.kind == "linear":
            return "linear regression"
        name = "tanh" if self.activation == "tanh" else "ReLU"
        return f"{name} MLP {self.depth}x{self.width}"

    @property
    def hidden_sizes(self):
        return (self.width,) * self.depth


LINEAR = ModelConfig(kind="linear")
# The networks of the book's experiment: both activations, two widths, one to three hidden layers.
ARCHITECTURES = tuple(ModelConfig(activation=a, width=w, depth=d)
                      for a in ("tanh", "relu") for w, d in ((16, 1), (64, 1), (32, 2), (16, 3)))
MODELS = (LINEAR, *ARCHITECTURES)


def model_config(label):
    """The config of MODELS whose label is `label` (e.g. "ReLU MLP 2x32", "linear regression")."""
    for config in MODELS:
        if config.label == label:
            return config
    raise ValueError(f"model must be one of {', '.join(repr(c.label) for c in MODELS)}, got {label!r}")


@dataclass(frozen=True)
class LineModel:
    """Linear regression: the least-squares line."""

    slope: float
    intercept: float
    config: ModelConfig = LINEAR

    def predict(self, x):
        """(n,) -> (n,) predictions."""
        return predict_line(self.slope, self.intercept, x)


@dataclass(frozen=True)
class Standardiser:
    """(v - mean) / scale and back, with mean and scale of the training values."""

    mean: float
    scale: float

    @classmethod
    def of(cls, values):
        values = np.asarray(values, dtype=float)
        scale = float(values.std())
        return cls(float(values.mean()), scale if scale > 0 else 1.0)

    def forward(self, values):
        return (np.asarray(values, dtype=float) - self.mean) / self.scale

    def inverse(self, values):
        return np.asarray(values, dtype=float) * self.scale + self.mean


@dataclass(frozen=True)
class MLPModel:
    """A trained MLP on standardised inputs and targets; predict() takes and returns original units."""

    config: ModelConfig
    weights: tuple  # per layer (fan_in, fan_out) tensors
    biases: tuple  # per layer (fan_out,) tensors
    x_scaler: Standardiser
    y_scaler: Standardiser
    seed: int
    loss_history: np.ndarray = field(repr=False)  # (steps,) training MSE in standardised units

    def predict(self, x):
        """(n,) -> (n,) predictions."""
        h = torch.tensor(self.x_scaler.forward(_vector(x, "x")), dtype=self.weights[0].dtype)[:, None]  # (n, 1)
        activation = ACTIVATIONS[self.config.activation]
        with torch.no_grad(), torch_threads():
            for i, (w, b) in enumerate(zip(self.weights, self.biases)):
                h = h @ w + b  # (n, fan_out)
                if i < len(self.weights) - 1:
                    h = activation(h)
        return self.y_scaler.inverse(h[:, 0].double().numpy())

    def to_sequential(self):
        """The same network as a torch.nn.Sequential, on standardised inputs and outputs."""
        layers = []
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            linear = torch.nn.Linear(w.shape[0], w.shape[1], dtype=w.dtype)
            with torch.no_grad():
                linear.weight.copy_(w.T)
                linear.bias.copy_(b)
            layers.append(linear)
            if i < len(self.weights) - 1:
                layers.append(torch.nn.Tanh() if self.config.activation == "tanh" else torch.nn.ReLU())
        return torch.nn.Sequential(*layers)


def _layer_shapes(config):
    sizes = (1, *config.hidden_sizes, 1)
    return list(zip(sizes[:-1], sizes[1:]))


def _initial_parameters(config, seeds):
    """(K, P): every run's weights and biases, flat, drawn U(-1/sqrt(fan_in), 1/sqrt(fan_in)) as nn.Linear does.

    Layer by layer, weights (fan_in, fan_out) then biases (fan_out,), each run from its own seed.
    """
    runs = []
    for seed in seeds:
        generator = torch.Generator().manual_seed(int(seed))
        parts = []
        for fan_in, fan_out in _layer_shapes(config):
            bound = 1.0 / math.sqrt(fan_in)
            parts.append((torch.rand(fan_in * fan_out, generator=generator, dtype=DTYPE) * 2 - 1) * bound)
            parts.append((torch.rand(fan_out, generator=generator, dtype=DTYPE) * 2 - 1) * bound)
        runs.append(torch.cat(parts))
    return torch.stack(runs)  # (K, P)


def _unflatten(theta, config):
    """(K, P) -> per layer (weights (K, fan_in, fan_out), biases (K, 1, fan_out)), as views of theta."""
    layers, offset = [], 0
    for fan_in, fan_out in _layer_shapes(config):
        w = theta[:, offset:offset + fan_in * fan_out].view(-1, fan_in, fan_out)
        offset += fan_in * fan_out
        b = theta[:, offset:offset + fan_out].view(-1, 1, fan_out)
        offset += fan_out
        layers.append((w, b))
    return layers


class _Adam:
    """torch.optim.Adam's update (default betas and eps, no weight decay) on one tensor, without its overhead.

    For a tensor of a few thousand numbers, torch.optim.Adam spends most of its time in Python
    bookkeeping; these are the same arithmetic operations in the same order (the tests compare
    the two).
    """

    def __init__(self, param, lr, betas=(0.9, 0.999), eps=1e-8):
        self.param, self.lr, self.betas, self.eps = param, lr, betas, eps
        self.m = torch.zeros_like(param)
        self.v = torch.zeros_like(param)
        self.t = 0

    @torch.no_grad()
    def step(self):
        beta1, beta2 = self.betas
        self.t += 1
        grad = self.param.grad
        self.m.lerp_(grad, 1 - beta1)
        self.v.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        bias_correction1 = 1 - beta1**self.t
        bias_correction2_sqrt = math.sqrt(1 - beta2**self.t)
        denom = (self.v.sqrt() / bias_correction2_sqrt).add_(self.eps)
        self.param.addcdiv_(self.m, denom, value=-self.lr / bias_correction1)


def fit_mlps(config, xs, ys, seeds):
    """Train one MLP per (x, y, seed) at once, all of architecture `config`: a list of MLPModel.

    xs, ys: sequences of K 1-D arrays, all of the same length n (or (K, n) arrays); seeds: K ints.
    Each run standardises its own x and y, starts from its own seeded initialisation and has its
    own loss; the runs are stacked only to share the cost of the tensor operations.
    """
    if not isinstance(config, ModelConfig) or config.kind != "mlp":
        raise TypeError("config must be a ModelConfig with kind='mlp'; use fit() for linear regression")
    if isinstance(seeds, (int, np.integer, str, bytes)) or not hasattr(seeds, "__iter__") \
            or not all(_is_int(s) and s >= 0 for s in seeds):
        raise ValueError(f"seeds must be a sequence of whole numbers >= 0, one per run; got {seeds!r}")
    seeds = [int(s) for s in seeds]
    if len(seeds) > MAX_RUNS:
        raise ValueError(f"seeds may hold at most {MAX_RUNS} runs, got {len(seeds):,}")
    for name, values in (("xs", xs), ("ys", ys)):
        if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
            raise TypeError(f"{name} must be a sequence of 1-D arrays, one per run, got {validate.got(values)}")
    if len(xs) != len(seeds) or len(ys) != len(seeds):
        raise ValueError(f"xs, ys and seeds must hold one entry per run: got {len(xs)}, {len(ys)} and {len(seeds)}")
    if not seeds:
        raise ValueError("give at least one run")
    pairs = [_pair(x, y, names=(f"xs[{i}]", f"ys[{i}]")) for i, (x, y) in enumerate(zip(xs, ys))]
    if len({len(x) for x, _ in pairs}) != 1:
        raise ValueError("all runs must have the same number of training points to be trained together; "
                         "train runs of different sizes with separate calls")
    validate.work(len(seeds) * len(pairs[0][0]) * config.width * config.depth * 4, "xs, ys, seeds and config",
                  validate.MAX_ELEMENTS, "activations per step")
    x_scalers = [Standardiser.of(x) for x, _ in pairs]
    y_scalers = [Standardiser.of(y) for _, y in pairs]
    X = torch.tensor(np.stack([s.forward(x) for s, (x, _) in zip(x_scalers, pairs)]), dtype=DTYPE)
    X = X[:, :, None]  # (K, n, 1)
    Y = torch.tensor(np.stack([s.forward(y) for s, (_, y) in zip(y_scalers, pairs)]), dtype=DTYPE)  # (K, n)
    # All parameters of all runs live in one tensor, so that an Adam step is a handful of operations.
    theta = _initial_parameters(config, seeds).requires_grad_()  # (K, P)
    activation = ACTIVATIONS[config.activation]
    adam = _Adam(theta, config.lr)
    history = torch.empty(config.steps, len(seeds), dtype=DTYPE)
    with torch_threads():
        for step in range(config.steps):
            layers = _unflatten(theta, config)
            h = X
            for w, b in layers[:-1]:
                h = activation(torch.baddbmm(b, h, w))  # (K, n, width)
            w, b = layers[-1]
            out = torch.baddbmm(b, h, w)[:, :, 0]  # (K, n)
            losses = ((out - Y) ** 2).mean(dim=1)  # (K,): one independent loss per run
            theta.grad = None
            losses.sum().backward()
            adam.step()
            history[step] = losses.detach()
    if not torch.isfinite(history[-1]).all():
        raise ValueError(f"training diverged (loss {history[-1].tolist()}); lower lr (now {config.lr:g})")
    layers = _unflatten(theta.detach(), config)
    return [
        MLPModel(config=config,
                 weights=tuple(w[k].clone() for w, _ in layers),
                 biases=tuple(b[k, 0].clone() for _, b in layers),
                 x_scaler=x_scalers[k], y_scaler=y_scalers[k], seed=seeds[k],
                 loss_history=history[:, k].double().numpy())
        for k in range(len(seeds))
    ]


def fit(config, x, y, seed=0):
    """Fit one model of `config` to (x, y): a LineModel or an MLPModel (seed: its initialisation)."""
    if not isinstance(config, ModelConfig):
        raise TypeError(f"config must be a ModelConfig, got {type(config).__name__}")
    if not _is_int(seed) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
    if config.kind == "linear":
        return LineModel(*fit_line(x, y))
    return fit_mlps(config, [x], [y], [seed])[0]


@dataclass(frozen=True)
class Errors:
    """Mean squared errors of one model on its training and validation points (units of y squared)."""

    train: float
    validation: float


def evaluate(model, x_train, y_train, x_val, y_val):
    """Training and validation MSE of a fitted model (anything with predict)."""
    if not hasattr(model, "predict"):
        raise TypeError(f"model must be a fitted model with predict(x), got {type(model).__name__}")
    x_train, y_train = _pair(x_train, y_train, 1, names=("x_train", "y_train"))
    x_val, y_val = _pair(x_val, y_val, 1, names=("x_val", "y_val"))
    return Errors(mse(y_train, model.predict(x_train)), mse(y_val, model.predict(x_val)))


def extrapolation_slope(model, x0, x1):
    """(f(x1) - f(x0)) / (x1 - x0): the model's average slope between two points."""
    if not callable(getattr(model, "predict", None)):
        raise TypeError(f"model must be a fitted model with predict(x), got {type(model).__name__}")
    x0, x1 = validate.real(x0, "x0"), validate.real(x1, "x1")
    if x0 == x1:
        raise ValueError(f"x0 and x1 must be two different numbers, got {x0!r} and {x1!r}")
    f0, f1 = model.predict([float(x0), float(x1)])
    return float((f1 - f0) / (x1 - x0))


@dataclass(frozen=True)
class Run:
    """One fitted model in the experiment: which model, which split, which seed, its errors."""

    config: ModelConfig
    split: str
    seed: int
    errors: Errors
    model: object = field(repr=False)


def run_experiment(configs, x, y, splits, seeds=(0,)):
    """Fit every config on every split with every seed (linear regression once per split).

    splits: {name: (train indices, validation indices)}, all with the same number of training
    points. MLPs of one config train as one stack over all splits and seeds. Returns a list of Run.
    """
    x, y = _pair(x, y)
    if not isinstance(splits, dict) or not splits:
        raise ValueError("splits must be a non-empty dict {name: (train indices, validation indices)}")
    for name, pair in splits.items():
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ValueError(f"splits[{name!r}] must be a pair (train indices, validation indices), got {pair!r}")
        for part in pair:
            part = validate.array(part, f"splits[{name!r}]", ndim=1, integral=True, dtype=None)
            if part.min() < 0 or part.max() >= len(x):
                raise ValueError(f"splits[{name!r}] holds indices outside 0..{len(x) - 1}")
    if isinstance(configs, (str, bytes, ModelConfig)) or not hasattr(configs, "__iter__"):
        raise TypeError(f"configs must be a list of ModelConfig, got {validate.got(configs)}")
    runs = []
    for config in configs:
        if not isinstance(config, ModelConfig):
            raise TypeError(f"configs must hold ModelConfig, got {type(config).__name__}")
        if config.kind == "linear":
            for name, (train, val) in splits.items():
                model = fit(config, x[train], y[train])
                runs.append(Run(config, name, 0, evaluate(model, x[train], y[train], x[val], y[val]), model))
            continue
        jobs = [(name, seed) for name in splits for seed in seeds]
        models = fit_mlps(config, [x[splits[name][0]] for name, _ in jobs], [y[splits[name][0]] for name, _ in jobs],
                          [seed for _, seed in jobs])
        for (name, seed), model in zip(jobs, models):
            train, val = splits[name]
            runs.append(Run(config, name, seed, evaluate(model, x[train], y[train], x[val], y[val]), model))
    return runs


def summarise(runs, split_names=None):
    """{config label: {split: (median, min, max) validation MSE over seeds}}, in the runs' order."""
    if isinstance(runs, (str, bytes)) or not hasattr(runs, "__iter__"):
        raise TypeError(f"runs must be the list of Run that run_experiment returns, got {validate.got(runs)}")
    runs = list(runs)
    for run in runs:
        if not isinstance(run, Run):
            raise TypeError(f"runs must hold Run objects (from run_experiment), got {validate.got(run)}")
    if split_names is not None and (isinstance(split_names, (str, bytes)) or not hasattr(split_names, "__iter__")):
        raise TypeError(f"split_names must be a list of split names or None, got {validate.got(split_names)}")
    table = {}
    for run in runs:
        table.setdefault(run.config.label, {}).setdefault(run.split, []).append(run.errors.validation)
    return {label: {name: (float(np.median(v)), float(np.min(v)), float(np.max(v)))
                    for name, v in per_split.items() if split_names is None or name in split_names}
            for label, per_split in table.items()}


# The data sets of the explorer: CO2 per km against a size measure, or a straight line with noise
# at the cars' weights (the least-squares line through all cars, so the units stay the same).
DATASETS = ("cars: CO2 vs weight", "cars: CO2 vs displacement", "straight line at the cars' weights")


def make_data(data, noise=0.0, seed=0):
    """(x (n,), y (n,), x label) of the data set `data` (one of DATASETS), y with Gaussian noise of sd `noise` added."""
    if data not in DATASETS:
        raise ValueError(f"data must be one of {', '.join(map(repr, DATASETS))}, got {data!r}")
    noise = validate.real(noise, "noise (a standard deviation in g/km)", 0.0, 1000.0)
    if not _is_int(seed) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
    cars = load_cars()
    feature = "displacement" if data == DATASETS[1] else "weight"
    x = cars.feature(feature)
    y = cars.co2_g_per_km
    if data == DATASETS[2]:
        y = predict_line(*fit_line(x, y), x)
    rng = np.random.default_rng([seed, 0])  # its own stream: the split's draws do not move the noise
    return x, y + float(noise) * rng.standard_normal(len(x)), FEATURES[feature][1]


@dataclass(frozen=True)
class SplitFit:
    """One model fitted on one split, with linear regression on the same split for reference."""

    x: np.ndarray  # (n,)
    y: np.ndarray  # (n,)
    x_label: str
    train: np.ndarray  # (n_train,) indices
    validation: np.ndarray  # (n_val,) indices
    model: object = field(repr=False)
    errors: Errors = None
    line: LineModel = None
    line_errors: Errors = None
    outside: float = 0.0  # share of validation points outside the training range


def split_and_fit(data, config, split_kind="sorted", train_fraction=0.8, noise=0.0, seed=0):
    """Make the data, split it, fit `config` and linear regression on the training part, measure both."""
    if not isinstance(config, ModelConfig):
        raise TypeError(f"config must be a ModelConfig, got {type(config).__name__}")
    x, y, x_label = make_data(data, noise, seed)
    train, validation = split(split_kind, x, train_fraction, np.random.default_rng([seed, 1]))
    model = fit(config, x[train], y[train], seed=seed)
    line = LineModel(*fit_line(x[train], y[train]))
    return SplitFit(x, y, x_label, train, validation, model,
                    evaluate(model, x[train], y[train], x[validation], y[validation]), line,
                    evaluate(line, x[train], y[train], x[validation], y[validation]),
                    outside_range_fraction(x[train], x[validation]))


def check_line(slope, intercept, x, y, rel_tol=1e-6):
    """Is (slope, intercept) the least-squares line through (x, y)?"""
    true_slope, true_intercept = fit_line(x, y)
    rel_tol = validate.tolerance(rel_tol, "rel_tol")
    for name, value in (("slope", slope), ("intercept", intercept)):
        if not _finite_number(value):
            return CheckResult(False, f"Not yet: {name} must be one finite number, got {value!r}.")
    scale = max(abs(true_intercept), 1e-12)
    if math.isclose(slope, true_slope, rel_tol=rel_tol, abs_tol=1e-12) and \
            math.isclose(intercept, true_intercept, rel_tol=rel_tol, abs_tol=rel_tol * scale):
        return CheckResult(True, f"Right: slope {slope:.6g}, intercept {intercept:.6g}, the least-squares line.")
    x, y = _pair(x, y)
    if math.isclose(slope, float(x @ y / (x @ x)), rel_tol=1e-6):
        hint = "that is the slope of the best line through the origin: centre x and y first (subtract their means)"
    elif math.isclose(slope, true_slope, rel_tol=1e-3):
        hint = "the slope is right; the intercept makes the line pass through (mean of x, mean of y)"
    else:
        hint = "the slope is the sum of (x - mean x)(y - mean y) divided by the sum of (x - mean x)**2"
    return CheckResult(False, f"Not yet: slope {slope:.6g}, intercept {intercept:.6g}; {hint}.")


def check_outside_fraction(value, x_train, x_val, abs_tol=1e-3):
    """Is `value` the share of validation points outside the training range?"""
    truth = outside_range_fraction(x_train, x_val)
    x_train = _vector(x_train, "x_train")
    abs_tol = validate.tolerance(abs_tol, "abs_tol")
    if not _finite_number(value):
        return CheckResult(False, f"Not yet: give one number between 0 and 1, got {value!r}.")
    if abs(value - truth) <= abs_tol:
        return CheckResult(True, f"Right: {truth:.3f} of the validation points lie outside the training range "
                                 f"[{np.min(x_train):.4g}, {np.max(x_train):.4g}].")
    hint = " (a share, between 0 and 1, not a percentage)" if value > 1 else ""
    return CheckResult(False, f"Not yet: {value!r}{hint}. Count the validation x below min(x_train) or above "
                              "max(x_train), and divide by the number of validation points.")


def check_validation_mse(value, x_train, y_train, x_val, y_val, rel_tol=1e-3):
    """Is `value` the validation MSE of the least-squares line fitted to the training points?"""
    rel_tol = validate.tolerance(rel_tol, "rel_tol")
    x_train, y_train = _pair(x_train, y_train, names=("x_train", "y_train"))
    x_val, y_val = _pair(x_val, y_val, 1, names=("x_val", "y_val"))
    if np.ptp(x_train) <= 1e-12 * np.abs(x_train).max():
        raise ValueError("x_train takes a single value: a line through it has no defined slope")
    model = LineModel(*fit_line(x_train, y_train))
    errors = evaluate(model, x_train, y_train, x_val, y_val)
    if not _finite_number(value):
        return CheckResult(False, f"Not yet: give one number, got {value!r}.")
    if math.isclose(value, errors.validation, rel_tol=rel_tol):
        return CheckResult(True, f"Right: validation MSE {errors.validation:.4g} (training MSE {errors.train:.4g}).")
    if math.isclose(value, errors.train, rel_tol=rel_tol):
        return CheckResult(False, "Not yet: that is the training MSE; evaluate the line on the validation points.")
    if math.isclose(value, math.sqrt(errors.validation), rel_tol=rel_tol):
        return CheckResult(False, "Not yet: that is the root of the MSE; square it.")
    return CheckResult(False, f"Not yet: {value:.4g}. Fit the line on the training points only, then average the "
                              "squared errors on the validation points.")
