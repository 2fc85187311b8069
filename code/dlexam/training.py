"""Training a network of exam question III: a run's settings, what it records, and the plain loop.

``train_plain`` is the reference: one model, ``torch.optim.Adam``, mini-batches,
``loss.backward()``, ``step()``, written the way a student writes it. The book trains its
many runs with ``dlexam.stacked_training.train``, which stacks runs into one batched model
for speed and gives the same curves for the same settings (the tests check it).

Loss: MSE on standardised targets, (y - mean) / std with ``particles.target_scale()``, so a
loss of 1 is what predicting the mean achieves and every run shares one unit.

Also here: the self-checks of III(E)'s exercises, which read the curves of trained runs.

Settings have ceilings (``MAX_EPOCHS``, ``MAX_BATCH``, ``MAX_TRAIN``) so that a typo cannot
start a run of days; checks refuse curves or values with NaN in them (a diverged run has no
final loss to compare).
"""

import dataclasses
import functools
import math
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from dlexam import augment, models, particles, validate
from dlexam.checks import CheckResult

AUGMENTATIONS = {
    "none": (False, False),
    "rotations": (True, False),
    "permutations": (False, True),
    "both": (True, True),
}

# How a run samples its random rotations: uniformly (the book's augment.random_rotations) or
# with the exam's hint, the Q of np.linalg.qr, which is biased (see III(B)).
ROTATION_SAMPLERS = {"uniform": augment.random_rotations, "exam hint": augment.qr_hint_rotations}

# Random streams of a run (see particles.stream_generator), apart from the data's streams:
# switching one augmentation on or off leaves every other random draw of the run unchanged.
MODEL_STREAM = 10  # initialisation and batch order
ROTATION_STREAM = 11
PERMUTATION_STREAM = 12

MAX_EPOCHS = 100_000
MAX_BATCH = 100_000
MAX_TRAIN = 100_000


def is_int(value):
    """True for a Python or NumPy integer that is not a bool."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


@dataclass(frozen=True)
class TrainConfig:
    """One training run: which network, which augmentation, which data, and the optimiser's settings.

    ``seed`` drives the initialisation and batch order, the rotations and the permutations,
    from three independent streams. ``data_seed`` and ``frame`` pick the training set,
    ``particles.make_dataset(n_train, data_seed, frame=frame)``: "canonical" (the book's
    design) or "random" (the control). ``rotation_sampler``: "uniform" or the exam's biased
    "exam hint". The validation set is always ``particles.make_dataset(N_VALIDATION, 0, validation=True)``.
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
    frame: str = "canonical"
    rotation_sampler: str = "uniform"

    def __post_init__(self):
        if not isinstance(self.model, str) or self.model not in models.MODELS:
            raise ValueError(f"model must be one of {sorted(models.MODELS)}, got {self.model!r}")
        for name in ("rotate", "permute"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"{name} must be True or False, got {getattr(self, name)!r}")
        for name, ceiling in (("epochs", MAX_EPOCHS), ("batch_size", MAX_BATCH), ("n_train", MAX_TRAIN)):
            value = getattr(self, name)
            if not is_int(value) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
            if value > ceiling:
                raise ValueError(f"{name} must be at most {ceiling:,}, got {value:,}")
        for name in ("seed", "data_seed"):
            value = getattr(self, name)
            if not is_int(value) or value < 0:
                raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
        if isinstance(self.lr, bool) or not isinstance(self.lr, (int, float)) or not 0 < self.lr < math.inf:
            raise ValueError(f"lr must be a positive number, got {self.lr!r}")
        if self.frame not in particles.FRAMES:
            raise ValueError(f"frame must be one of {particles.FRAMES}, got {self.frame!r}")
        if not isinstance(self.rotation_sampler, str) or self.rotation_sampler not in ROTATION_SAMPLERS:
            raise ValueError(f"rotation_sampler must be one of {list(ROTATION_SAMPLERS)}, got {self.rotation_sampler!r}")

    @property
    def augmentation(self):
        """'none', 'rotations', 'permutations' or 'both'."""
        return {flags: name for name, flags in AUGMENTATIONS.items()}[(self.rotate, self.permute)]

    @property
    def label(self):
        """E.g. 'DeepSets, rotations'."""
        return f"{models.MODEL_NAMES[self.model]}, {self.augmentation}"


# The book's settings for III(E): shared by the pages, the widget and the benchmark.
BOOK_CONFIG = TrainConfig(epochs=100, lr=1e-3, batch_size=32)


def exam_configs(base=BOOK_CONFIG, networks=("mlp", "deepsets")):
    """The runs of III(E): {MLP, DeepSets} x {none, rotations, permutations, both}, on base's data."""
    if not isinstance(base, TrainConfig):
        raise TypeError(f"base must be a TrainConfig, got {type(base).__name__}")
    if isinstance(networks, str) or not hasattr(networks, "__iter__"):
        raise ValueError(f"networks must be a non-empty sequence drawn from {sorted(models.MODELS)}, got {networks!r}")
    networks = list(networks)
    unknown = [m for m in networks if not isinstance(m, str) or m not in models.MODELS]
    if not networks or unknown:
        raise ValueError(f"networks must be a non-empty sequence drawn from {sorted(models.MODELS)}, got {networks!r}")
    return [
        dataclasses.replace(base, model=model, rotate=rotate, permute=permute)
        for model in networks
        for rotate, permute in AUGMENTATIONS.values()
    ]


@dataclass
class History:
    """Loss per epoch of one run, how it ended, and the trained model.

    ``train_loss``: mean squared error over the epoch's mini-batches, on the (augmented)
    batches the model was trained on. ``val_loss``: MSE on the whole validation set after the
    epoch (empty for runs trained without validation curves). Both in standardised units.
    ``status`` is 'completed', 'diverged' (the loss became non-finite or huge; the curves stop
    at the last good epoch) or 'stopped' (the callback returned False). ``seconds`` is the
    wall time of the call that trained it, shared by runs trained together.
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
        return len(self.train_loss)


@functools.lru_cache(maxsize=64)
def _dataset(n, seed, validation, frame="canonical"):
    X, y = particles.make_dataset(n, seed, validation=validation, frame=frame)
    return X, particles.standardise(y)


def training_set(config):
    """X_train (n_train, 20, 3), y_train (n_train,) standardised: the data run `config` trains on.

    Cached and shared between runs: treat the tensors as read-only (training_data gives copies).
    """
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a TrainConfig, got {type(config).__name__}")
    return _dataset(config.n_train, config.data_seed, False, config.frame)


def training_data(config):
    """The data a run trains and is validated on: X_train, y_train, X_val, y_val (copies), y standardised."""
    data = (*training_set(config), *_dataset(particles.N_VALIDATION, 0, True))
    return tuple(t.clone() for t in data)


def validation_set(frame="random"):
    """X_val (N_VALIDATION, 20, 3), y_val (N_VALIDATION,) standardised: the validation set of every run.

    frame "random" gives it as the exam and the runs see it (randomly rotated and permuted);
    "canonical" maps the same configurations into the canonical frame, the frame of the
    book's training design (P, and so y_val, is the same in both).
    """
    if not isinstance(frame, str) or frame not in particles.FRAMES:
        raise ValueError(f"frame must be one of {particles.FRAMES}, got {frame!r}")
    X, y = (t.clone() for t in _dataset(particles.N_VALIDATION, 0, True))
    if frame == "canonical":
        X = particles.canonical_frame(X).to(X.dtype)
    return X, y


def initial_model(config):
    """The freshly initialised model a run starts from (drawn from the run's own stream)."""
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a TrainConfig, got {type(config).__name__}")
    return models.make_model(config.model, particles.stream_generator(config.seed, MODEL_STREAM))


def train_plain(config):
    """Train one run with a plain PyTorch loop; returns its History (curves and trained model)."""
    X, y, X_val, y_val = training_data(config)  # (N, 20, 3), (N,), (M, 20, 3), (M,)
    batches = particles.stream_generator(config.seed, MODEL_STREAM)  # initialisation, then batch order
    rotations = particles.stream_generator(config.seed, ROTATION_STREAM)
    permutations = particles.stream_generator(config.seed, PERMUTATION_STREAM)
    model = models.make_model(config.model, batches)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    history = History(config)
    for _ in range(config.epochs):
        order = torch.randperm(len(X), generator=batches)  # a new order of the training set every epoch
        X_epoch, y_epoch = X[order], y[order]
        if config.rotate:  # a fresh random rotation for every configuration, every epoch
            X_epoch = augment.apply_rotations(X_epoch, ROTATION_SAMPLERS[config.rotation_sampler](len(X), rotations))
        if config.permute:  # and a fresh random order of its particles
            X_epoch = augment.apply_permutations(X_epoch, augment.random_permutations(len(X), X.shape[1], permutations))
        total = 0.0
        for start in range(0, len(X), config.batch_size):
            xb, yb = X_epoch[start:start + config.batch_size], y_epoch[start:start + config.batch_size]
            loss = F.mse_loss(model(xb), yb)  # both (B,): no broadcasting trap
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
        history.train_loss.append(total / len(X))
        with torch.no_grad():
            history.val_loss.append(F.mse_loss(model(X_val), y_val).item())
    history.status, history.model = "completed", model.eval()
    return history


def _regime(answer):
    """'MLP, none' or ('mlp', 'none') -> ('mlp', 'none'); a ValueError names the accepted forms."""
    parts = [p.strip().lower() for p in answer.split(",")] if isinstance(answer, str) else answer
    names = {"mlp": "mlp", "deepsets": "deepsets", "deep sets": "deepsets", "f": "deepsets", "pairsum": "pairsum"}
    if (not isinstance(parts, (list, tuple)) or len(parts) != 2 or not all(isinstance(p, str) for p in parts)
            or parts[0].lower() not in names or parts[1].lower() not in AUGMENTATIONS):
        raise ValueError(
            f"answer a run as 'model, augmentation', e.g. 'MLP, none' or 'DeepSets, both' "
            f"(augmentation one of {', '.join(AUGMENTATIONS)}); got {answer!r}"
        )
    return names[parts[0].lower()], parts[1].lower()


def regime_label(model, augmentation):
    """('mlp', 'none') -> 'MLP, none'."""
    validate.choice(model, "model", tuple(models.MODEL_NAMES))
    validate.choice(augmentation, "augmentation", tuple(AUGMENTATIONS))
    return f"{models.MODEL_NAMES[model]}, {augmentation}"


def extreme_verdict(values, answer, what, largest, rel_tol, among):
    """Right if values[key of answer] is the largest (or smallest) of `values`; otherwise its place, and why.

    values: {(model, augmentation): number}; answer: 'MLP, none' or ('mlp', 'none').
    """
    if not isinstance(values, dict) or not values:
        raise TypeError(f"values must be a non-empty dict {{(model, augmentation): number}}, got {validate.got(values)}")
    for key, value in values.items():
        validate.real(value, f"values[{key!r}]")
    validate.text(what, "what")
    validate.text(among, "among")
    validate.boolean(largest, "largest")
    rel_tol = validate.tolerance(rel_tol, "rel_tol")
    key = _regime(answer)
    if key not in values:
        raise ValueError(f"answer {regime_label(*key)} is not among the {among}: "
                         f"{', '.join(regime_label(*k) for k in values)}")
    mine, best = values[key], (max if largest else min)(values.values())
    word = "largest" if largest else "smallest"
    if math.isclose(mine, best, rel_tol=rel_tol):
        return CheckResult(True, f"Right: {regime_label(*key)} has the {word} {what}, {mine:.3g}.")
    rank = sorted(values.values(), reverse=largest).index(mine) + 1
    return CheckResult(False, f"Not yet: {regime_label(*key)} has {what} {mine:.3g}, place {rank} of {len(values)} "
                              f"from the {word}.")


_RUN_QUESTIONS = {
    # question: (what is compared, its value for a history, True if the largest value is asked for)
    "largest gap": ("final validation MSE / final training MSE", lambda h: h.val_loss[-1] / h.train_loss[-1], True),
    "lowest validation": ("final validation MSE", lambda h: h.val_loss[-1], False),
    "highest training": ("final training MSE", lambda h: h.train_loss[-1], True),
}


def check_run(histories, answer, question="largest gap"):
    """Say whether `answer` ('MLP, none', ...) is the run of `histories` asked for by `question`, and why.

    question: 'largest gap' (final validation / training MSE), 'lowest validation' or
    'highest training'. Runs whose curves tie (DeepSets with and without permutations, to
    float rounding) both count as right. The runs must share one training frame.
    """
    if not isinstance(question, str) or question not in _RUN_QUESTIONS:
        raise ValueError(f"question must be one of {', '.join(repr(q) for q in _RUN_QUESTIONS)}, got {question!r}")
    if isinstance(histories, (str, bytes, History)) or not hasattr(histories, "__iter__"):
        raise TypeError(f"histories must be a list of trained Histories, got {validate.got(histories)}")
    histories = [h for h in histories if isinstance(h, History) and h.val_loss]
    if not histories:
        raise ValueError("histories must contain at least one trained History with validation curves")
    what, value, largest = _RUN_QUESTIONS[question]
    values = {(h.config.model, h.config.augmentation): value(h) for h in histories}
    if not all(math.isfinite(v) for v in values.values()):
        raise ValueError("histories hold a run whose final loss is NaN or infinite (it diverged): leave it out")
    return extreme_verdict(values, answer, what, largest, rel_tol=1e-4, among="runs")


def check_best_epoch(history, answer):
    """Say whether `answer` is the epoch (counted from 1) with the lowest validation MSE of `history`."""
    if not isinstance(history, History) or not history.val_loss:
        raise TypeError("history must be a trained History with validation curves (from a trainer)")
    if not is_int(answer):
        raise TypeError(f"answer must be an epoch number (an integer from 1), got {answer!r}")
    if not all(math.isfinite(v) for v in history.val_loss):
        raise ValueError("history holds NaN or infinite validation losses: it has no best epoch")
    best = int(np.argmin(history.val_loss)) + 1
    label = history.config.label
    if answer == best:
        return CheckResult(True, f"Right: {label} reaches its lowest validation MSE, "
                                 f"{history.val_loss[best - 1]:.3g}, in epoch {best}.")
    if not 1 <= answer <= len(history.val_loss):
        return CheckResult(False, f"Not yet: {label} ran epochs 1 to {len(history.val_loss)}; "
                                  f"epoch {answer} is not one of them.")
    when = "earlier" if best < answer else "later"
    return CheckResult(False, f"Not yet: in epoch {answer} the validation MSE of {label} is "
                              f"{history.val_loss[answer - 1]:.3g}; it is lower {when}.")


def curve_difference(a, b):
    """Largest |difference| between two Histories' curves, training and validation, over their common epochs."""
    if not isinstance(a, History) or not isinstance(b, History):
        raise TypeError("a and b must be Histories (what the trainers return)")
    for name, h in (("a", a), ("b", b)):
        if not all(math.isfinite(v) for v in (*h.train_loss, *h.val_loss)):
            raise ValueError(f"{name} holds NaN or infinite losses: its curves cannot be compared")
    pairs = [(a.train_loss, b.train_loss), (a.val_loss, b.val_loss)]
    gaps = [np.abs(np.array(x[:n]) - np.array(y[:n])).max() for x, y in pairs if (n := min(len(x), len(y)))]
    if not gaps:
        raise ValueError("a and b share no epoch to compare: the two runs need curves")
    return float(max(gaps))
