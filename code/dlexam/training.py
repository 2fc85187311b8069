"""Training the networks of exam question III, and the bias-variance experiment of III(F).

``train`` is the book's one trainer: the pages, the live widget and the benchmark all call
it. It trains one run or several at once. Runs that share an architecture and the
hyperparameters that shape the computation (learning rate, batch size, epochs, training
set size) are stacked into one batched model: each Linear layer of R runs becomes one
``torch.baddbmm`` over a (R, out, in) weight tensor, and one Adam step updates all of them.
Few large tensor operations instead of many small ones: that is where the speed comes from.
Nothing couples the runs: each has its own random streams (initialisation and batch order,
rotations, permutations), its own loss term, and Adam acts element by element, so a run
trained in a stack follows the same trajectory as when trained alone, up to float rounding.

Loss: MSE on standardised targets, (y - mean) / std with ``particles.target_scale()``, so a
loss of 1 is what predicting the mean achieves and every run shares one unit.

Also here, for the pages: the validation set in either frame, the bias-variance split point
by point and corrected for few models, how close augmented copies come to those seen in
training, and the self-checks of III(E) and III(F).
"""

import copy
import dataclasses
import functools
import math
import time
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from dlexam import augment, models, particles
from dlexam.checks import CheckResult

AUGMENTATIONS = {
    "none": (False, False),
    "rotations": (True, False),
    "permutations": (False, True),
    "both": (True, True),
}

# A run whose mini-batch loss exceeds this (in units of Var(P)) has diverged: predicting
# the mean scores 1, so no run that is still learning comes anywhere near it.
DIVERGED_LOSS = 1e6

_VALIDATION_CHUNK = 100  # configurations per forward pass when computing the validation loss

# Random streams of a run (see particles.stream_generator), apart from the data's streams.
_MODEL_STREAM = 10  # initialisation and batch order
_ROTATION_STREAM = 11
_PERMUTATION_STREAM = 12


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


@dataclass(frozen=True)
class TrainConfig:
    """One training run: which network, which augmentation, and the optimiser's settings.

    ``seed`` drives the initialisation and batch order, the rotations and the permutations,
    from three independent streams, so switching an augmentation on changes nothing else.
    ``data_seed`` picks the training set, ``particles.make_dataset(n_train, data_seed)``.
    The validation set is always ``particles.make_dataset(N_VALIDATION, 0, validation=True)``.
    """

    model: str = "deepsets"
    rotate: bool = False
    permute: bool = False
    epochs: int = 100
    lr: float = 1e-3
    batch_size: int = 32
    seed: int = 0
    data_seed: int = 0
    n_train: int = particles.N_TRAIN

    def __post_init__(self):
        if self.model not in models.MODELS:
            raise ValueError(f"model must be one of {sorted(models.MODELS)}, got {self.model!r}")
        for name in ("rotate", "permute"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"{name} must be True or False, got {getattr(self, name)!r}")
        for name in ("epochs", "batch_size", "n_train"):
            value = getattr(self, name)
            if not _is_int(value) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        for name in ("seed", "data_seed"):
            value = getattr(self, name)
            if not _is_int(value) or value < 0:
                raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
        if isinstance(self.lr, bool) or not isinstance(self.lr, (int, float)) or not 0 < self.lr < math.inf:
            raise ValueError(f"lr must be a positive number, got {self.lr!r}")

    @property
    def augmentation(self):
        """'none', 'rotations', 'permutations' or 'both'."""
        return {flags: name for name, flags in AUGMENTATIONS.items()}[(self.rotate, self.permute)]

    @property
    def label(self):
        """E.g. 'DeepSets, rotations'."""
        return f"{'MLP' if self.model == 'mlp' else 'DeepSets'}, {self.augmentation}"


# The book's settings for III(E): shared by the pages, the widget and the benchmark.
BOOK_CONFIG = TrainConfig(epochs=100, lr=1e-3, batch_size=32)


def exam_configs(base=BOOK_CONFIG):
    """The eight runs of III(E): {MLP, DeepSets} x {none, rotations, permutations, both}."""
    if not isinstance(base, TrainConfig):
        raise TypeError(f"base must be a TrainConfig, got {type(base).__name__}")
    return [
        dataclasses.replace(base, model=model, rotate=rotate, permute=permute)
        for model in ("mlp", "deepsets")
        for rotate, permute in AUGMENTATIONS.values()
    ]


@dataclass
class History:
    """Loss per epoch of one run, how it ended, and the trained model.

    ``train_loss``: mean squared error over the epoch's mini-batches, on the (augmented)
    batches the model was trained on. ``val_loss``: MSE on the whole validation set after the
    epoch. Both in standardised units. ``status`` is 'completed', 'diverged' (the loss became
    non-finite or exceeded DIVERGED_LOSS; the curves stop at the last good epoch) or
    'stopped' (the callback returned False). ``seconds`` is the wall time of the whole
    ``train`` call, shared by the runs trained together.
    """

    config: TrainConfig
    train_loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    status: str = "running"
    message: str = ""
    seconds: float = field(default=0.0, compare=False)
    model: nn.Module = field(default=None, compare=False, repr=False)

    @property
    def epochs_run(self):
        return len(self.val_loss)


@functools.lru_cache(maxsize=16)
def _dataset(n, seed, validation):
    X, y = particles.make_dataset(n, seed, validation=validation)
    return X, particles.standardise(y)


def training_data(config):
    """The data a run trains and is validated on: X_train, y_train, X_val, y_val, y standardised."""
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a TrainConfig, got {type(config).__name__}")
    data = (*_dataset(config.n_train, config.data_seed, False), *_dataset(particles.N_VALIDATION, 0, True))
    return tuple(t.clone() for t in data)  # copies: the trainer's cached tensors stay as they are


def validation_set(frame="rotated"):
    """X_val (N_VALIDATION, 20, 3), y_val (N_VALIDATION,) standardised: the validation set of every run.

    frame 'rotated' gives it as the runs see it (randomly rotated and permuted); 'canonical'
    maps the same configurations back into the training data's canonical frame (P, and so
    y_val, is the same in both).
    """
    if frame not in FRAMES:
        raise ValueError(f"frame must be one of {FRAMES}, got {frame!r}")
    X, y = (t.clone() for t in _dataset(particles.N_VALIDATION, 0, True))
    if frame == "canonical":
        X = particles.canonical_frame(X).to(X.dtype)
    return X, y


def initial_model(config):
    """The freshly initialised model a run starts from (drawn from the run's own stream)."""
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a TrainConfig, got {type(config).__name__}")
    return models.make_model(config.model, particles.stream_generator(config.seed, _MODEL_STREAM))


def _apply_stacked(sequential, params, x):
    """Apply one nn.Sequential of Linear/ELU layers to R runs at once: (R, M, in) -> (R, M, out)."""
    k = 0
    for layer in sequential:
        if isinstance(layer, nn.Linear):
            weight, bias = params[k], params[k + 1]  # (R, out, in), (R, out)
            x = torch.baddbmm(bias[:, None, :], x, weight.transpose(1, 2))  # (R, M, out)
            k += 2
        elif isinstance(layer, nn.ELU):
            x = F.elu(x, inplace=True)  # x is a fresh output: saves an allocation
        else:
            raise TypeError(f"cannot stack a {type(layer).__name__} layer")
    return x


class _Adam:
    """Adam with PyTorch's defaults (betas 0.9, 0.999; eps 1e-8) on one flat parameter tensor.

    Written out for two reasons: an update of all parameters of all runs is then six tensor
    operations instead of six per parameter tensor, and constructing a torch.optim optimiser
    first imports torch._dynamo, which takes about a second: too long for the widget.
    """

    def __init__(self, params, grads, lr, betas=(0.9, 0.999), eps=1e-8):
        self.params, self.grads, self.lr, self.betas, self.eps = params, grads, lr, betas, eps
        self.m = torch.zeros_like(params)  # first moments
        self.v = torch.zeros_like(params)  # second moments
        self.t = 0

    @torch.no_grad()
    def step(self):
        self.t += 1
        beta1, beta2 = self.betas
        step_size = self.lr / (1 - beta1**self.t)
        root_correction = math.sqrt(1 - beta2**self.t)
        self.m.lerp_(self.grads, 1 - beta1)
        self.v.mul_(beta2).addcmul_(self.grads, self.grads, value=1 - beta2)
        self.params.addcdiv_(self.m, self.v.sqrt().div_(root_correction).add_(self.eps), value=-step_size)
        self.grads.zero_()


class _Stack:
    """R runs of one architecture trained together; the parameters are (R, ...) tensors."""

    def __init__(self, configs, X_train, y_train):
        self.configs = configs
        self.name = configs[0].model
        # Three independent streams per run, so switching one augmentation on or off leaves
        # the initialisation, the batch order and the other augmentation's draws unchanged.
        self.generators = [particles.stream_generator(c.seed, _MODEL_STREAM) for c in configs]
        self.rotation_generators = [particles.stream_generator(c.seed, _ROTATION_STREAM) for c in configs]
        self.permutation_generators = [particles.stream_generator(c.seed, _PERMUTATION_STREAM) for c in configs]
        runs = [models.make_model(self.name, g) for g in self.generators]
        self.template = runs[0]
        # All parameters of all runs live in one flat tensor: each stacked weight or bias,
        # (R, out, in) or (R, out), is a contiguous view into it, and its gradient a view
        # into a matching flat gradient tensor, so one Adam update covers everything.
        stacked = [torch.stack([p.detach() for p in same]) for same in zip(*(run.parameters() for run in runs))]
        flat = torch.cat([p.flatten() for p in stacked])  # (R * parameters per run,)
        flat_grad = torch.zeros_like(flat)
        self.params, offset = [], 0
        for p in stacked:
            view = flat[offset:offset + p.numel()].view(p.shape).requires_grad_()
            view.grad = flat_grad[offset:offset + p.numel()].view(p.shape)  # backward adds into it
            self.params.append(view)
            offset += p.numel()
        self.optimizer = _Adam(flat, flat_grad, lr=configs[0].lr)
        self.X = X_train  # (R, N, 20, 3)
        self.y = y_train  # (R, N)
        self.rotate = [c.rotate for c in configs]
        self.permute = [c.permute for c in configs]
        self.active = torch.ones(len(configs), dtype=torch.bool)

    def forward(self, X):
        """(R, B, m, 3) -> (R, B): every run's prediction for its own batch."""
        R, B, m, _ = X.shape
        net = self.template
        if self.name == "mlp":
            out = _apply_stacked(net.layers, self.params, X.reshape(R, B, m * 3))  # (R, B, 1)
        else:
            n_phi = len(list(net.phi.parameters()))
            features = _apply_stacked(net.phi.layers, self.params[:n_phi], X.reshape(R, B * m, 3))  # (R, B*m, 64)
            pooled = features.reshape(R, B, m, -1).sum(dim=2)  # (R, B, 64)
            out = _apply_stacked(net.rho.layers, self.params[n_phi:], pooled)  # (R, B, 1)
        return out.squeeze(-1)  # (R, B)

    def augment(self, X):
        """(R, N, m, 3) -> (R, N, m, 3): each run's configurations augmented from its own streams."""
        R, N, m, _ = X.shape
        normals = [
            torch.randn(N, 3, 3, generator=g, dtype=torch.float64)
            for g, rotate in zip(self.rotation_generators, self.rotate) if rotate
        ]
        uniforms = [
            torch.rand(N, m, generator=g, dtype=torch.float64)  # float64: ties are negligible
            for g, permute in zip(self.permutation_generators, self.permute) if permute
        ]
        if normals:
            rotations = augment.rotations_from_normal(torch.cat(normals)).to(X.dtype)  # (r*N, 3, 3)
            chosen = torch.tensor(self.rotate)
            X[chosen] = augment.apply_rotations(X[chosen].reshape(-1, m, 3), rotations).reshape(-1, N, m, 3)
        if uniforms:
            permutations = torch.cat(uniforms).argsort(dim=1)  # (p*N, m)
            chosen = torch.tensor(self.permute)
            X[chosen] = augment.apply_permutations(X[chosen].reshape(-1, m, 3), permutations).reshape(-1, N, m, 3)
        return X

    def epoch(self, X_val, y_val, histories):
        """One pass over every run's training set, then the validation loss; updates histories."""
        R, N = self.y.shape
        batch_size = self.configs[0].batch_size
        order = torch.stack([torch.randperm(N, generator=g) for g in self.generators])  # (R, N)
        runs = torch.arange(R)[:, None]  # (R, 1)
        # Shuffle and augment the whole epoch at once (indexing copies, so self.X stays
        # as it is): one large operation instead of one per mini-batch.
        X = self.augment(self.X[runs, order])  # (R, N, 20, 3)
        y = self.y[runs, order]  # (R, N)
        squared_error_sum = torch.zeros(R, dtype=torch.float64)
        for start in range(0, N, batch_size):
            batch = slice(start, start + batch_size)
            per_run = ((self.forward(X[:, batch]) - y[:, batch]) ** 2).mean(dim=1)  # (R,)
            # Runs that diverged in an earlier epoch drop out of the loss. A run diverging
            # now fills only its own slice of each tensor with inf or NaN: no other run sees it.
            per_run[self.active].sum().backward()
            self.optimizer.step()
            squared_error_sum += per_run.detach().double() * (min(start + batch_size, N) - start)
        train_loss = squared_error_sum / N  # (R,)
        with torch.no_grad():
            # In chunks: the activations of a chunk stay in the processor's cache.
            predictions = torch.cat([
                self.forward(chunk.expand(R, *chunk.shape)) for chunk in X_val.split(_VALIDATION_CHUNK)
            ], dim=1)  # (R, N_val)
            val_loss = ((predictions - y_val) ** 2).mean(dim=1)  # (R,)
        self._check(train_loss, histories, "training")
        self._check(val_loss, histories, "validation")
        for r in torch.nonzero(self.active).flatten().tolist():
            histories[r].train_loss.append(float(train_loss[r]))
            histories[r].val_loss.append(float(val_loss[r]))

    def _check(self, losses, histories, which):
        """Mark the active runs whose loss is non-finite or huge as diverged."""
        bad = self.active & ~(torch.isfinite(losses) & (losses < DIVERGED_LOSS))  # (R,)
        for r in torch.nonzero(bad).flatten().tolist():
            config = self.configs[r]
            histories[r].status = "diverged"
            histories[r].message = (
                f"{config.label} diverged in epoch {histories[r].epochs_run + 1}: the {which} loss "
                f"became {float(losses[r]):.3g}. Lower the learning rate (lr={config.lr:g})."
            )
        self.active &= ~bad

    def model(self, r):
        """Run r's trained parameters in a fresh nn.Module (MLP or DeepSets)."""
        module = copy.deepcopy(self.template)  # not a new model: that would draw from the global RNG
        with torch.no_grad():
            for target, stacked in zip(module.parameters(), self.params):
                target.copy_(stacked[r])
        return module.eval()


def train(configs, callback=None):
    """Train one TrainConfig (returns a History) or a sequence of them (returns a list of Histories).

    ``callback``, if given, is called after every epoch with what ``train`` would return at
    that point (a History or the list); returning False stops all runs (status 'stopped').
    A diverging run stops with status 'diverged' and a message; the other runs go on.
    The same configs give the same histories, bit for bit, on the same machine.
    """
    single = isinstance(configs, TrainConfig)
    if not single and not isinstance(configs, (list, tuple)):
        raise TypeError(f"configs must be a TrainConfig or a list of them, got {type(configs).__name__}")
    configs = [configs] if single else list(configs)
    if not configs:
        raise ValueError("train needs at least one TrainConfig")
    for c in configs:
        if not isinstance(c, TrainConfig):
            raise TypeError(f"configs must be TrainConfig objects, got {type(c).__name__}")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable, got {type(callback).__name__}")

    start = time.perf_counter()
    histories = [History(config=c) for c in configs]
    X_val, y_val = _dataset(particles.N_VALIDATION, 0, True)
    groups = {}
    for i, c in enumerate(configs):
        groups.setdefault((c.model, c.lr, c.batch_size, c.epochs, c.n_train), []).append(i)
    stacks = []
    for members in groups.values():
        data = [_dataset(configs[i].n_train, configs[i].data_seed, False) for i in members]
        X_train = torch.stack([X for X, _ in data])  # (R, N, 20, 3)
        y_train = torch.stack([y for _, y in data])  # (R, N)
        stacks.append((members, _Stack([configs[i] for i in members], X_train, y_train)))

    for epoch in range(max(c.epochs for c in configs)):
        for members, stack in stacks:
            if epoch < stack.configs[0].epochs and stack.active.any():
                stack.epoch(X_val, y_val, [histories[i] for i in members])
        elapsed = time.perf_counter() - start
        for h in histories:
            h.seconds = elapsed
        if callback is not None and callback(histories[0] if single else histories) is False:
            for h in histories:
                if h.status == "running" and h.epochs_run < h.config.epochs:
                    h.status = "stopped"
                    h.message = f"{h.config.label}: stopped after epoch {h.epochs_run}."
            break

    for members, stack in stacks:
        for r, i in enumerate(members):
            h = histories[i]
            if h.status == "running":
                h.status = "completed"
                h.message = f"{h.config.label}: {h.epochs_run} epochs."
            if h.status != "diverged":
                h.model = stack.model(r)
    for h in histories:
        h.seconds = time.perf_counter() - start
    return histories[0] if single else histories


# III(F): the regimes whose error the bias-variance experiment decomposes.
BIAS_VARIANCE_REGIMES = (("mlp", "none"), ("mlp", "both"), ("deepsets", "none"), ("deepsets", "both"))


# The frames the error is measured in: the III(E) validation set as it is (randomly rotated
# and permuted), and the same configurations mapped back into the training data's
# canonical frame, i.e. held-out data from the training distribution.
FRAMES = ("rotated", "canonical")


@dataclass(frozen=True)
class BiasVariance:
    """Validation error of one regime over K training sets: mse = bias2 + variance (noise is 0).

    All in standardised units, averaged over the validation set, seen in ``frame``
    ('rotated' or 'canonical'). ``train_mse`` is the mean final training loss;
    ``predictions`` (K, N_VALIDATION) are the K models' predictions.
    """

    model: str
    augmentation: str
    frame: str
    mse: float
    bias2: float
    variance: float
    train_mse: float
    predictions: torch.Tensor = field(repr=False, compare=False)


def decompose(predictions, y):
    """(K, n), (n,) -> (mse, bias2, variance): mean over points of the K models' squared error.

    bias2 = mean_x (mean_k f_k(x) - y(x))^2, variance = mean_x mean_k (f_k(x) - mean_k f_k(x))^2;
    they add up to mse exactly, because P has no noise.
    """
    if not isinstance(predictions, torch.Tensor) or not isinstance(y, torch.Tensor):
        raise TypeError("predictions and y must be torch tensors")
    if predictions.ndim != 2 or y.shape != predictions.shape[1:]:
        raise ValueError(f"predictions must be (K, n) and y (n,), got {tuple(predictions.shape)} and {tuple(y.shape)}")
    predictions, y = predictions.double(), y.double()
    mean_prediction = predictions.mean(dim=0)  # (n,)
    mse = float(((predictions - y) ** 2).mean())
    bias2 = float(((mean_prediction - y) ** 2).mean())
    variance = float(((predictions - mean_prediction) ** 2).mean())
    return mse, bias2, variance


def bias_variance(k=5, regimes=BIAS_VARIANCE_REGIMES, base=BOOK_CONFIG, frames=FRAMES):
    """Train k models per regime on k independent training sets; decompose their validation MSE.

    Model i of every regime uses training set ``data_seed=i`` and ``seed=i`` (so model 0 is
    the III(E) run); the variance therefore includes the spread due to initialisation. All
    runs train together in one call of ``train``. Returns one BiasVariance per regime and
    frame, regimes in the given order. In the 'rotated' frame the shift from training to
    validation data shows up as bias: the k models fail in the same way.
    """
    if not _is_int(k) or k < 2:
        raise ValueError(f"k must be an integer >= 2 (a variance needs two models), got {k!r}")
    if not isinstance(base, TrainConfig):
        raise TypeError(f"base must be a TrainConfig, got {type(base).__name__}")
    for regime in regimes:
        if len(regime) != 2 or regime[0] not in models.MODELS or regime[1] not in AUGMENTATIONS:
            raise ValueError(
                f"each regime must be (model, augmentation) with model in {sorted(models.MODELS)} "
                f"and augmentation in {list(AUGMENTATIONS)}, got {regime!r}"
            )
    if isinstance(frames, str) or not frames or any(f not in FRAMES for f in frames):
        raise ValueError(f"frames must be a non-empty sequence drawn from {FRAMES}, got {frames!r}")
    configs = [
        dataclasses.replace(base, model=model, rotate=AUGMENTATIONS[aug][0], permute=AUGMENTATIONS[aug][1],
                            seed=i, data_seed=i)
        for model, aug in regimes
        for i in range(k)
    ]
    histories = train(configs)
    diverged = [h.message for h in histories if h.status == "diverged"]
    if diverged:
        raise ValueError("bias_variance needs every run to converge: " + " ".join(diverged))
    X_rotated, y_val = _dataset(particles.N_VALIDATION, 0, True)
    X_frame = {"rotated": X_rotated, "canonical": particles.canonical_frame(X_rotated).to(X_rotated.dtype)}
    results = []
    for j, (model, aug) in enumerate(regimes):
        runs = histories[j * k:(j + 1) * k]
        train_mse = float(np.mean([h.train_loss[-1] for h in runs]))
        for frame in frames:
            with torch.no_grad():
                predictions = torch.stack([h.model(X_frame[frame]) for h in runs])  # (k, N_val)
            mse, bias2, variance = decompose(predictions, y_val)
            results.append(BiasVariance(model, aug, frame, mse, bias2, variance, train_mse, predictions))
    return results


def pointwise_decomposition(predictions, y):
    """(K, n), (n,) -> (bias2 (n,), variance (n,)): the decomposition at every point.

    bias2[i] = (mean_k f_k(x_i) - y_i)^2 and variance[i] = mean_k (f_k(x_i) - mean_k f_k(x_i))^2;
    their means over the points are ``decompose``'s bias2 and variance.
    """
    _check_predictions(predictions, y)
    predictions, y = predictions.double(), y.double()
    mean_prediction = predictions.mean(dim=0)  # (n,)
    return (mean_prediction - y) ** 2, ((predictions - mean_prediction) ** 2).mean(dim=0)


SELECTIONS = ("spread over P", "largest bias", "largest variance")


def select_configurations(predictions, y, n, how="spread over P"):
    """(K, N), (N,) -> indices of n configurations, ordered by their true value y.

    how: 'spread over P' (evenly spaced in the sorted targets), 'largest bias' or
    'largest variance' (the n configurations where the K models' bias² or variance is largest).
    """
    if how not in SELECTIONS:
        raise ValueError(f"how must be one of {', '.join(repr(s) for s in SELECTIONS)}, got {how!r}")
    _check_predictions(predictions, y)
    total = y.shape[0]
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= total:
        raise ValueError(f"n must be a whole number from 1 to {total}, got {n!r}")
    if how == "spread over P":
        chosen = np.argsort(y.numpy(), kind="stable")[np.linspace(0, total - 1, n).round().astype(int)]
    else:
        bias2, variance = pointwise_decomposition(predictions, y)
        score = (bias2 if how == "largest bias" else variance).numpy()
        chosen = np.argsort(-score, kind="stable")[:n]
    return chosen[np.argsort(y.numpy()[chosen], kind="stable")]


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


def _check_predictions(predictions, y):
    if not isinstance(predictions, torch.Tensor) or not isinstance(y, torch.Tensor):
        raise TypeError("predictions and y must be torch tensors")
    if predictions.ndim != 2 or y.shape != predictions.shape[1:]:
        raise ValueError(f"predictions must be (K, n) and y (n,), got {tuple(predictions.shape)} and {tuple(y.shape)}")


def nearest_copy_distance(X, augmentation, n_seen=100, n_new=100, generator=None):
    """(n, m, 3) -> (n, n_new): how close a new augmented copy comes to copies seen before.

    For each configuration, draws ``n_seen`` augmented copies (what training shows in n_seen
    epochs) and ``n_new`` fresh ones, and returns, for each fresh copy, its distance (as a
    flat vector of 3m coordinates) to the nearest seen copy divided by its mean distance to
    the seen copies: near 0, the new copy lies next to one already seen; near 1, it is no
    closer to the nearest seen copy than to a typical one.
    """
    if augmentation not in AUGMENTATIONS or augmentation == "none":
        raise ValueError(
            f"augmentation must be 'rotations', 'permutations' or 'both', got {augmentation!r} "
            "(without augmentation every copy is the configuration itself)"
        )
    for name, value in (("n_seen", n_seen), ("n_new", n_new)):
        if not _is_int(value) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if not isinstance(X, torch.Tensor) or X.ndim != 3 or X.shape[-1] != particles.DIM:
        shape = tuple(X.shape) if isinstance(X, torch.Tensor) else type(X).__name__
        raise ValueError(f"X must be a tensor of shape (n, m, 3), got {shape}")
    rotate, permute = AUGMENTATIONS[augmentation]
    n, m, _ = X.shape
    X = X.to(torch.float64)

    def copies(count):
        repeated = X[:, None].expand(n, count, m, 3).reshape(n * count, m, 3)  # (n*count, m, 3)
        return augment.augment(repeated, rotate, permute, generator).reshape(n, count, m * 3)

    seen, new = copies(n_seen), copies(n_new)  # (n, n_seen, 3m), (n, n_new, 3m)
    distances = torch.cdist(new, seen)  # (n, n_new, n_seen)
    return distances.min(dim=-1).values / distances.mean(dim=-1)


def _regime(answer):
    """'MLP, none' or ('mlp', 'none') -> ('mlp', 'none'); a ValueError names the accepted forms."""
    parts = [p.strip().lower() for p in answer.split(",")] if isinstance(answer, str) else answer
    names = {"mlp": "mlp", "deepsets": "deepsets", "deep sets": "deepsets", "f": "deepsets"}
    if (not isinstance(parts, (list, tuple)) or len(parts) != 2 or not all(isinstance(p, str) for p in parts)
            or parts[0].lower() not in names or parts[1].lower() not in AUGMENTATIONS):
        raise ValueError(
            f"answer a run as 'model, augmentation', e.g. 'MLP, none' or 'DeepSets, both' "
            f"(augmentation one of {', '.join(AUGMENTATIONS)}); got {answer!r}"
        )
    return names[parts[0].lower()], parts[1].lower()


def _label(model, augmentation):
    return f"{'MLP' if model == 'mlp' else 'DeepSets'}, {augmentation}"


_RUN_QUESTIONS = {
    # question: (what is compared, its value for a history, True if the largest value is asked for)
    "largest gap": ("final validation MSE / final training MSE", lambda h: h.val_loss[-1] / h.train_loss[-1], True),
    "lowest validation": ("final validation MSE", lambda h: h.val_loss[-1], False),
    "highest training": ("final training MSE", lambda h: h.train_loss[-1], True),
}


def _extreme_verdict(values, key, what, largest, rel_tol, among):
    """Right if values[key] is the largest (or smallest) of `values`; otherwise its place, and why."""
    if key not in values:
        raise ValueError(f"{_label(*key)} is not among the {among}: {', '.join(_label(*k) for k in values)}")
    mine, best = values[key], (max if largest else min)(values.values())
    word = "largest" if largest else "smallest"
    if math.isclose(mine, best, rel_tol=rel_tol):
        return CheckResult(True, f"Right: {_label(*key)} has the {word} {what}, {mine:.3g}.")
    rank = sorted(values.values(), reverse=largest).index(mine) + 1
    return CheckResult(False, f"Not yet: {_label(*key)} has {what} {mine:.3g}, place {rank} of {len(values)} "
                              f"from the {word}.")


def check_run(histories, answer, question="largest gap"):
    """Say whether `answer` ('MLP, none', ...) is the run of `histories` asked for by `question`, and why.

    question: 'largest gap' (final validation / training MSE), 'lowest validation' or
    'highest training'. Runs whose curves tie exactly (DeepSets with and without permutations)
    both count as right.
    """
    if question not in _RUN_QUESTIONS:
        raise ValueError(f"question must be one of {', '.join(repr(q) for q in _RUN_QUESTIONS)}, got {question!r}")
    histories = [h for h in histories if isinstance(h, History) and h.epochs_run > 0]
    if not histories:
        raise ValueError("histories must contain at least one trained History")
    what, value, largest = _RUN_QUESTIONS[question]
    values = {(h.config.model, h.config.augmentation): value(h) for h in histories}
    return _extreme_verdict(values, _regime(answer), what, largest, rel_tol=1e-4, among="runs")


def check_best_epoch(history, answer):
    """Say whether `answer` is the epoch (counted from 1) with the lowest validation MSE of `history`."""
    if not isinstance(history, History) or history.epochs_run == 0:
        raise TypeError("history must be a trained History (from training.train)")
    if not _is_int(answer):
        raise TypeError(f"answer must be an epoch number (an integer from 1), got {answer!r}")
    best = int(np.argmin(history.val_loss)) + 1
    label = history.config.label
    if answer == best:
        return CheckResult(True, f"Right: {label} reaches its lowest validation MSE, "
                                 f"{history.val_loss[best - 1]:.3g}, in epoch {best}.")
    if not 1 <= answer <= history.epochs_run:
        return CheckResult(False, f"Not yet: {label} ran epochs 1 to {history.epochs_run}; epoch {answer} is not one of them.")
    return CheckResult(False, f"Not yet: in epoch {answer} the validation MSE of {label} is "
                              f"{history.val_loss[answer - 1]:.3g}; it is lower {'earlier' if best < answer else 'later'}.")


def check_decomposition(predictions, y, mse, bias2, variance, rel_tol=1e-3):
    """Say whether (mse, bias2, variance) are the decomposition of `predictions` (K, n) against y (n,)."""
    for name, v in (("mse", mse), ("bias2", bias2), ("variance", variance)):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)) or not math.isfinite(v):
            raise TypeError(f"{name} must be a finite number, got {v!r}")
    predictions, y = torch.as_tensor(predictions, dtype=torch.float64), torch.as_tensor(y, dtype=torch.float64)
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


def check_regime(results, answer, quantity="variance", frame="canonical", largest=True):
    """Say whether `answer` ('MLP, none', ...) has the largest (or smallest) `quantity` among `results` in `frame`.

    quantity: 'mse', 'bias2', 'variance' or 'train_mse'; results: the list bias_variance returned.
    """
    if quantity not in ("mse", "bias2", "variance", "train_mse"):
        raise ValueError(f"quantity must be 'mse', 'bias2', 'variance' or 'train_mse', got {quantity!r}")
    if frame not in FRAMES:
        raise ValueError(f"frame must be one of {FRAMES}, got {frame!r}")
    values = {(r.model, r.augmentation): getattr(r, quantity) for r in results
              if isinstance(r, BiasVariance) and r.frame == frame}
    if not values:
        raise ValueError(f"results hold no BiasVariance in the {frame!r} frame")
    return _extreme_verdict(values, _regime(answer), f"{quantity} in the {frame} frame", largest, rel_tol=1e-9,
                            among="regimes")
