"""The bias-variance decomposition of III(F): train K models per regime, split their validation error.

Bias and variance describe a learning procedure, not one trained model: how its predictions
change when the training set (and the initialisation) is drawn again. ``measure`` trains K
models per regime on K independent training sets and splits their error on the validation set
into bias² (the error of the average model) and variance (how much the models disagree);
``decompose`` is the split itself, ``corrected_decomposition`` the same corrected for having
only K models. P has no noise, so the noise term is 0 and mse = bias² + variance exactly.

NaN: the decompositions refuse predictions or targets with NaN or infinities (a decomposition
of NaN is no decomposition), and ``measure`` refuses a run that diverged.
"""

import math
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import torch

from dlexam import models, particles, stacked_training, training, validate
from dlexam.checks import CheckResult


class Regime(NamedTuple):
    """A learning procedure: which network, which augmentation, which training design and size."""

    model: str
    augmentation: str = "none"
    frame: str = "canonical"  # how the training set is stored: particles.FRAMES
    n_train: int = particles.N_TRAIN

    @property
    def label(self):
        """E.g. 'MLP, none, canonical', or 'MLP, none, random, 125 configurations' for another training-set size."""
        size = "" if self.n_train == particles.N_TRAIN else f", {self.n_train} configurations"
        return f"{training.regime_label(self.model, self.augmentation)}, {self.frame}{size}"


# III(F): the regimes whose error the page decomposes, under both training designs. With both
# augmentations the two designs train on the same distribution (a uniformly random rotation
# and order of a configuration in any fixed frame is uniformly random), so "both" runs once.
BOOK_REGIMES = (
    Regime("mlp", "none", "canonical"),
    Regime("mlp", "none", "random"),
    Regime("mlp", "both", "canonical"),
    Regime("deepsets", "none", "canonical"),
    Regime("deepsets", "none", "random"),
    Regime("deepsets", "both", "canonical"),
)


def as_regime(regime):
    """A Regime from a Regime or a tuple (model, augmentation[, frame[, n_train]]); ValueError if not one."""
    if isinstance(regime, Regime):
        candidate = regime
    elif isinstance(regime, (tuple, list)) and 1 <= len(regime) <= 4:
        candidate = Regime(*regime)
    else:
        raise ValueError(f"a regime is (model, augmentation[, frame[, n_train]]), got {regime!r}")
    model, augmentation, frame, n_train = candidate
    if (not all(isinstance(v, str) for v in (model, augmentation, frame)) or model not in models.MODELS
            or augmentation not in training.AUGMENTATIONS or frame not in particles.FRAMES
            or not training.is_int(n_train) or not 1 <= n_train <= training.MAX_TRAIN):
        raise ValueError(
            f"a regime is (model, augmentation[, frame[, n_train]]) with model in {sorted(models.MODELS)}, "
            f"augmentation in {list(training.AUGMENTATIONS)}, frame in {particles.FRAMES} and n_train a "
            f"whole number from 1 to {training.MAX_TRAIN:,}; got {regime!r}"
        )
    return candidate


@dataclass(frozen=True)
class BiasVariance:
    """Validation error of one regime over K training sets: mse = bias2 + variance (noise is 0).

    All in standardised units, averaged over the validation set, seen in ``val_frame``:
    "random" (as given, randomly rotated and permuted) or "canonical" (the same
    configurations in their canonical frame). ``train_mse`` is the mean final training loss;
    ``predictions`` (K, N_VALIDATION) are the K models' predictions.
    """

    regime: Regime
    val_frame: str
    mse: float
    bias2: float
    variance: float
    train_mse: float
    predictions: torch.Tensor = field(repr=False, compare=False)

    @property
    def model(self):
        return self.regime.model

    @property
    def augmentation(self):
        return self.regime.augmentation

    @property
    def train_frame(self):
        return self.regime.frame

    @property
    def n_train(self):
        return self.regime.n_train


def _check_predictions(predictions, y):
    if not isinstance(predictions, torch.Tensor) or not isinstance(y, torch.Tensor):
        raise TypeError("predictions and y must be torch tensors")
    if predictions.ndim != 2 or y.shape != predictions.shape[1:]:
        raise ValueError(f"predictions must be (K, n) and y (n,), got {tuple(predictions.shape)} and {tuple(y.shape)}")
    validate.tensor(predictions, "predictions", floating=False, nonempty=True)
    validate.tensor(y, "y", floating=False)
    for name, t in (("predictions", predictions), ("y", y)):
        if t.is_complex() or t.dtype == torch.bool:
            raise TypeError(f"{name} must hold real numbers, got dtype {t.dtype}")


def decompose(predictions, y):
    """(K, n), (n,) -> (mse, bias2, variance): mean over points of the K models' squared error.

    bias2 = mean_x (mean_k f_k(x) - y(x))^2, variance = mean_x mean_k (f_k(x) - mean_k f_k(x))^2;
    they add up to mse exactly, because P has no noise.
    """
    _check_predictions(predictions, y)
    predictions, y = predictions.double(), y.double()
    mean_prediction = predictions.mean(dim=0)  # (n,)
    mse = float(((predictions - y) ** 2).mean())
    bias2 = float(((mean_prediction - y) ** 2).mean())
    variance = float(((predictions - mean_prediction) ** 2).mean())
    return mse, bias2, variance


def pointwise_decomposition(predictions, y):
    """(K, n), (n,) -> (bias2 (n,), variance (n,)): the decomposition at every point.

    bias2[i] = (mean_k f_k(x_i) - y_i)^2 and variance[i] = mean_k (f_k(x_i) - mean_k f_k(x_i))^2;
    their means over the points are ``decompose``'s bias2 and variance.
    """
    _check_predictions(predictions, y)
    predictions, y = predictions.double(), y.double()
    mean_prediction = predictions.mean(dim=0)  # (n,)
    return (mean_prediction - y) ** 2, ((predictions - mean_prediction) ** 2).mean(dim=0)


def corrected_decomposition(predictions, y):
    """(K, n), (n,) -> (bias2, variance): ``decompose``'s split corrected for having only K models.

    The plug-in variance (mean over the K models) is on average (K - 1)/K of the true variance,
    and the plug-in bias2 is on average bias2 + variance/K. Corrected: variance * K/(K - 1) and
    bias2 - variance/(K - 1) (the first unbiased, the second too, though it may come out < 0).
    """
    _check_predictions(predictions, y)
    k = predictions.shape[0]
    if k < 2:
        raise ValueError("a corrected variance needs predictions of at least 2 models (K >= 2)")
    _, bias2, variance = decompose(predictions, y)
    return bias2 - variance / (k - 1), variance * k / (k - 1)


SELECTIONS = ("spread over P", "largest bias", "largest variance")


def select_configurations(predictions, y, n, how="spread over P"):
    """(K, N), (N,) -> indices of n configurations, ordered by their true value y.

    how: 'spread over P' (evenly spaced in the sorted targets), 'largest bias' or
    'largest variance' (the n configurations where the K models' bias² or variance is largest).
    """
    if not isinstance(how, str) or how not in SELECTIONS:
        raise ValueError(f"how must be one of {', '.join(repr(s) for s in SELECTIONS)}, got {how!r}")
    _check_predictions(predictions, y)
    total = y.shape[0]
    if not training.is_int(n) or not 1 <= n <= total:
        raise ValueError(f"n must be a whole number from 1 to {total}, got {n!r}")
    if how == "spread over P":
        chosen = np.argsort(y.numpy(), kind="stable")[np.linspace(0, total - 1, n).round().astype(int)]
    else:
        bias2, variance = pointwise_decomposition(predictions, y)
        score = (bias2 if how == "largest bias" else variance).numpy()
        chosen = np.argsort(-score, kind="stable")[:n]
    return chosen[np.argsort(y.numpy()[chosen], kind="stable")]


def measure(k=5, regimes=BOOK_REGIMES, base=training.BOOK_CONFIG, val_frames=("random", "canonical"), progress=None):
    """Train k models per regime on k independent training sets; decompose their validation MSE.

    Model i of every regime uses training set ``data_seed=i`` and ``seed=i`` (so model 0 is
    the III(E) run of that regime); the variance therefore includes the spread due to
    initialisation. ``base`` gives the optimiser's settings (epochs, lr, batch size); the regime
    gives the rest. ``val_frames``: the validation set as given ("random") and/or in the
    canonical frame. All runs train together in one
    call of ``stacked_training.train`` (``progress``: seconds between progress lines). Returns
    one BiasVariance per regime and validation frame, regimes in the given order.
    """
    if not training.is_int(k) or k < 2:
        raise ValueError(f"k must be an integer >= 2 (a variance needs two models), got {k!r}")
    if k > 1000:
        raise ValueError(f"k must be at most 1,000 models per regime, got {k:,}")
    if not isinstance(base, training.TrainConfig):
        raise TypeError(f"base must be a TrainConfig, got {type(base).__name__}")
    if isinstance(regimes, (str, Regime)) or not regimes:
        raise ValueError(f"regimes must be a non-empty sequence of regimes, got {regimes!r}")
    try:
        regimes = [as_regime(r) for r in regimes]
    except ValueError as err:
        raise ValueError(f"regimes: {err}") from None
    if isinstance(val_frames, str) or not hasattr(val_frames, "__iter__") or not val_frames \
            or any(not isinstance(f, str) or f not in particles.FRAMES for f in val_frames):
        raise ValueError(f"val_frames must be a non-empty sequence drawn from {particles.FRAMES}, got {val_frames!r}")
    configs = [
        training.TrainConfig(model=r.model, rotate=training.AUGMENTATIONS[r.augmentation][0],
                             permute=training.AUGMENTATIONS[r.augmentation][1], frame=r.frame, n_train=r.n_train,
                             epochs=base.epochs, lr=base.lr, batch_size=base.batch_size, seed=i, data_seed=i)
        for r in regimes
        for i in range(k)
    ]
    if progress is not None:
        validate.real(progress, "progress", above=0.0)
    histories = stacked_training.train(configs, validate=False, progress=progress)
    diverged = [h.message for h in histories if h.status == "diverged"]
    if diverged:
        raise ValueError("measure needs every run to converge: " + " ".join(diverged))
    validation = {frame: training.validation_set(frame) for frame in val_frames}
    results = []
    for j, regime in enumerate(regimes):
        runs = histories[j * k:(j + 1) * k]
        train_mse = float(np.mean([h.train_loss[-1] for h in runs]))
        for frame, (X, y) in validation.items():
            with torch.no_grad():
                predictions = torch.stack([h.model(X) for h in runs])  # (k, N_val)
            mse, bias2, variance = decompose(predictions, y)
            results.append(BiasVariance(regime, frame, mse, bias2, variance, train_mse, predictions))
    return results


def check_decomposition(predictions, y, mse, bias2, variance, rel_tol=1e-3):
    """Say whether (mse, bias2, variance) are the decomposition of `predictions` (K, n) against y (n,)."""
    for name, v in (("mse", mse), ("bias2", bias2), ("variance", variance)):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)) or not math.isfinite(v):
            raise TypeError(f"{name} must be a finite number, got {v!r}")
    rel_tol = validate.tolerance(rel_tol, "rel_tol")
    predictions = validate.tensor(predictions, "predictions", numpy=True, floating=False).to(torch.float64)
    y = validate.tensor(y, "y", numpy=True, floating=False).to(torch.float64)
    expected = decompose(predictions, y)
    hints = {
        "mse": "average the squared error over every model and every point",
        "bias2": "square the distance between the models' mean prediction and y at each point, then average",
        "variance": f"average the squared distance of each of the {predictions.shape[0]} predictions from their "
                    "mean (divide by K, not K - 1), then average over the points",
    }
    wrong = [
        f"{name} = {float(given):.4g} is off: {hints[name]}"
        for name, given, want in zip(("mse", "bias2", "variance"), (mse, bias2, variance), expected)
        if not math.isclose(float(given), want, rel_tol=rel_tol, abs_tol=1e-9)
    ]
    if not wrong:
        return CheckResult(True, f"Right: mse {expected[0]:.4g} = bias2 {expected[1]:.4g} + variance {expected[2]:.4g}.")
    return CheckResult(False, "Not yet:\n" + "\n".join(wrong))


def check_regime(results, answer, quantity="variance", train_frame="canonical", val_frame="random", largest=True,
                 n_train=particles.N_TRAIN):
    """Say whether `answer` ('MLP, none', ...) has the largest (or smallest) `quantity` among `results`.

    Compares the regimes trained on ``train_frame`` data of ``n_train`` configurations and
    evaluated on the validation set in ``val_frame``; quantity: 'mse', 'bias2', 'variance' or
    'train_mse'; results: what measure returned.
    """
    validate.boolean(largest, "largest")
    n_train = validate.integer(n_train, "n_train", 1)
    if not isinstance(results, (list, tuple)):
        raise TypeError(f"results must be the list that measure returned, got {validate.got(results)}")
    if not isinstance(quantity, str) or quantity not in ("mse", "bias2", "variance", "train_mse"):
        raise ValueError(f"quantity must be 'mse', 'bias2', 'variance' or 'train_mse', got {quantity!r}")
    for name, frame in (("train_frame", train_frame), ("val_frame", val_frame)):
        if not isinstance(frame, str) or frame not in particles.FRAMES:
            raise ValueError(f"{name} must be one of {particles.FRAMES}, got {frame!r}")
    values = {(r.model, r.augmentation): getattr(r, quantity) for r in results
              if isinstance(r, BiasVariance) and r.train_frame == train_frame and r.val_frame == val_frame
              and r.n_train == n_train}
    if not values:
        raise ValueError(f"results hold no BiasVariance trained on {train_frame!r} data of n_train = {n_train} "
                         f"configurations and evaluated in the {val_frame!r} frame")
    what = f"{quantity} ({train_frame} training set, {val_frame} validation frame)"
    return training.extreme_verdict(values, answer, what, largest, rel_tol=1e-9, among="regimes")
