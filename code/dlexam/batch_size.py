"""A small network trained by plain SGD with a chosen batch size, several seeds at once, for II(C).

The network is a tanh MLP for two-class data (logits, binary cross-entropy), written with
NumPy and its own backward pass, with the runs stacked on a leading axis: a weight of R runs
is an (R, in, out) array and one batched matrix product serves them all. For networks this
small that is far faster than a framework's per-call overhead, and the tests check every
gradient against torch.autograd.

Training makes ceil(n / B) updates per epoch, each with the mean gradient of a batch drawn in a
fresh random order per run and epoch (the last batch smaller when B does not divide n, as
PyTorch's DataLoader does); batch_size = n is full-batch gradient descent, identical for
every seed of the batch order. An optional linear warm-up raises the learning rate from
lr / warmup_updates to lr over the first warmup_epochs epochs (Goyal et al., 2017, "Accurate,
Large Minibatch SGD: Training ImageNet in 1 Hour").

NaN: ``forward`` computes logits like any network and passes NaN inputs through; the data,
the losses and their gradients refuse NaN, and labels must lie in [0, 1].
"""

import dataclasses
import math
import time
from dataclasses import dataclass, field

import numpy as np
import torch

from . import validate
from .binary import make_moons
from .validate import is_finite_number as _is_number, is_int as _is_int

__all__ = ["BatchConfig", "BatchHistory", "moons_data", "init_params", "forward", "loss_and_gradients",
           "train", "parameter_count", "BOOK_MINI", "BOOK_FULL", "BOOK_FULL_LONG"]


@dataclass(frozen=True)
class BatchConfig:
    """One experiment: the data, the network, plain SGD's settings, and how many seeds run together.

    Run r of the stack is initialised and shuffled from default_rng(seed) (one stream for all
    runs), so a config always gives the same numbers. Losses are recorded every
    `record_every` epochs (and after the last one).
    """

    batch_size: int = 10
    lr: float = 0.5
    epochs: int = 100
    warmup_epochs: float = 0.0
    hidden: tuple = (16, 16)
    runs: int = 5
    seed: int = 0
    n_train: int = 200
    n_validation: int = 1000
    noise: float = 0.2
    data_seed: int = 0
    record_every: int = 1

    def __post_init__(self):
        for name, low, high in (("n_train", 2, 100_000), ("n_validation", 2, 100_000), ("epochs", 1, 100_000),
                                ("runs", 1, 1000), ("record_every", 1, 100_000)):
            value = getattr(self, name)
            if not _is_int(value) or not low <= value <= high:
                raise ValueError(f"{name} must be a whole number from {low} to {high}, got {value!r}")
        if not _is_int(self.batch_size) or not 1 <= self.batch_size <= self.n_train:
            raise ValueError(f"batch_size must be a whole number from 1 to n_train = {self.n_train}, "
                             f"got {self.batch_size!r}")
        if not _is_number(self.lr) or not 0 < self.lr <= 100:
            raise ValueError(f"lr must be a number in (0, 100], got {self.lr!r}")
        if not _is_number(self.warmup_epochs) or not 0 <= self.warmup_epochs <= self.epochs:
            raise ValueError(f"warmup_epochs must be a number from 0 to epochs = {self.epochs}, "
                             f"got {self.warmup_epochs!r}")
        if not _is_number(self.noise) or self.noise < 0:
            raise ValueError(f"noise must be a number >= 0, got {self.noise!r}")
        for name in ("seed", "data_seed"):
            value = getattr(self, name)
            if not _is_int(value) or value < 0:
                raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")
        if isinstance(self.hidden, (str, bytes)) or not hasattr(self.hidden, "__iter__"):
            raise ValueError(f"hidden must be layer widths from 1 to 256, e.g. (16, 16); got {self.hidden!r}")
        hidden = tuple(self.hidden)
        if len(hidden) > 16 or not all(_is_int(h) and 1 <= h <= 256 for h in hidden):
            raise ValueError(f"hidden must be layer widths from 1 to 256, e.g. (16, 16); got {self.hidden!r}")
        object.__setattr__(self, "hidden", hidden)

    @property
    def updates_per_epoch(self):
        return -(-self.n_train // self.batch_size)

    @property
    def updates(self):
        """Updates in the whole run."""
        return self.epochs * self.updates_per_epoch

    @property
    def widths(self):
        return (2, *self.hidden, 1)


# The page's three runs: batches of 10 and the full batch for 100 epochs, and the full batch for
# as many updates as the batches of 10 make (20 per epoch x 100 epochs = 2000).
BOOK_MINI = BatchConfig(batch_size=10, lr=0.5, epochs=100)
BOOK_FULL = BatchConfig(batch_size=200, lr=0.5, epochs=100)
BOOK_FULL_LONG = dataclasses.replace(BOOK_FULL, epochs=2000, record_every=20)


_DATA = {}


def moons_data(n_train=200, n_validation=1000, noise=0.2, data_seed=0):
    """Two moons as float64 arrays: X_train (n_train, 2), y_train (n_train,), X_val, y_val; labels 0.0/1.0.

    Both sets come from binary.make_moons with one torch.Generator seeded data_seed, training
    set first. The arrays are read-only: they are shared by every call with the same arguments.
    """
    for name, value in (("n_train", n_train), ("n_validation", n_validation)):
        if not _is_int(value) or not 2 <= value <= 100_000:
            raise ValueError(f"{name} must be a whole number from 2 to 100000, got {value!r}")
    noise = validate.real(noise, "noise", 0.0, 1e6)
    if not _is_int(data_seed) or data_seed < 0:
        raise ValueError(f"data_seed must be a whole number >= 0, got {data_seed!r}")
    key = (n_train, n_validation, float(noise), data_seed)
    if key not in _DATA:
        generator = torch.Generator().manual_seed(data_seed)
        arrays = []
        for n in (n_train, n_validation):
            X, y = make_moons(n, noise, generator)
            arrays += [X.double().numpy(), y.double().numpy()]
        for a in arrays:
            a.setflags(write=False)
        _DATA[key] = tuple(arrays)
    return _DATA[key]


def init_params(widths, runs, rng):
    """[W1 (R, w0, w1), b1 (R, 1, w1), ...]: PyTorch's default U(+-1/sqrt(fan_in)) for weights and biases."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator, e.g. np.random.default_rng(0); got {type(rng).__name__}")
    if isinstance(widths, (str, bytes)) or not hasattr(widths, "__len__") or len(widths) < 2 \
            or not all(_is_int(w) and 1 <= w <= 4096 for w in widths):
        raise ValueError(f"widths must list at least two layer widths from 1 to 4096, got {widths!r}")
    runs = validate.integer(runs, "runs", 1, 1000)
    validate.work(runs * sum((a + 1) * b for a, b in zip(widths[:-1], widths[1:])), "runs and widths",
                  validate.MAX_ELEMENTS, "parameters")
    params = []
    for fan_in, fan_out in zip(widths[:-1], widths[1:]):
        bound = 1 / math.sqrt(fan_in)
        params += [rng.uniform(-bound, bound, (runs, fan_in, fan_out)), rng.uniform(-bound, bound, (runs, 1, fan_out))]
    return params


def _check_params(params):
    if not isinstance(params, (list, tuple)) or len(params) < 2 or len(params) % 2:
        raise ValueError("params must be a list [W1, b1, W2, b2, ...] as init_params returns")
    for i, p in enumerate(params):
        if not isinstance(p, np.ndarray) or p.ndim != 3 or p.dtype.kind != "f":
            raise ValueError(f"params must be a list [W1, b1, W2, b2, ...] of (R, in, out) float arrays as "
                             f"init_params returns; params[{i}] is {validate.got(p)}")
    for k in range(len(params) // 2):
        W, b = params[2 * k], params[2 * k + 1]
        if b.shape != (W.shape[0], 1, W.shape[2]) or k and W.shape[1] != params[2 * k - 2].shape[2]:
            raise ValueError(f"params do not fit together: layer {k + 1} has W {W.shape} and b {b.shape}")


def _activations(params, X):
    """The inputs of every layer and the logits: [X, h1, ..., logits (R, B, 1)]."""
    _check_params(params)
    X = validate.array(X, "X", finite=False, nonempty=False)
    if X.ndim not in (2, 3) or X.shape[-1] != params[0].shape[1]:
        raise ValueError(f"X must have shape (B, {params[0].shape[1]}) or (R, B, {params[0].shape[1]}), got {X.shape}")
    out = [X]
    layers = len(params) // 2
    h = X
    for k in range(layers):
        z = h @ params[2 * k] + params[2 * k + 1]  # (R, B, width)
        h = np.tanh(z) if k < layers - 1 else z
        out.append(h)
    return out


def forward(params, X):
    """Logits (R, B) of R stacked networks for inputs X (B, 2), shared, or (R, B, 2), one set per run."""
    return _activations(params, X)[-1][..., 0]


def _bce(z, y):
    """Mean binary cross-entropy with logits over the last axis: (R, B), (R, B) or (B,) -> (R,)."""
    return (np.logaddexp(0.0, z) - y * z).mean(-1)


def loss_and_gradients(params, X, y):
    """Mean binary cross-entropy of every run on (X, y), and its gradient: ((R,), [dW1, db1, ...])."""
    X = validate.array(X, "X")
    acts = _activations(params, X)
    z = acts[-1][..., 0]  # (R, B)
    y = validate.array(y, "y", nonempty=False)
    if y.ndim not in (1, 2) or y.shape[-1] != z.shape[-1] or y.ndim == 2 and y.shape[0] != z.shape[0]:
        raise ValueError(f"y must hold one label per input ({z.shape[-1]}), got shape {y.shape}")
    if np.any((y < 0) | (y > 1)):
        raise ValueError("y must hold labels between 0 and 1")
    delta = ((0.5 * (1 + np.tanh(z / 2)) - y) / z.shape[-1])[..., None]  # dLoss/dlogit, (R, B, 1); a stable sigmoid
    grads = [None] * len(params)
    for k in range(len(params) // 2 - 1, -1, -1):
        inputs = acts[k]  # (R, B, fan_in) or (B, fan_in)
        grads[2 * k] = np.swapaxes(inputs, -1, -2) @ delta  # (R, fan_in, fan_out)
        grads[2 * k + 1] = delta.sum(axis=-2, keepdims=True)  # (R, 1, fan_out)
        if k:
            delta = (delta @ np.swapaxes(params[2 * k], -1, -2)) * (1 - acts[k] ** 2)  # through tanh
    return _bce(z, y), grads


def parameter_count(widths):
    """Weights and biases of an MLP with these layer widths."""
    widths = validate.integers(widths, "widths", 1, min_length=2)
    return sum(a * b + b for a, b in zip(widths[:-1], widths[1:]))


@dataclass
class BatchHistory:
    """What a config's runs recorded: (k,) epochs and updates, (R, k) losses, accuracies, full gradient norms."""

    config: BatchConfig
    epochs: np.ndarray
    updates: np.ndarray
    train_loss: np.ndarray
    val_loss: np.ndarray
    val_accuracy: np.ndarray
    grad_norm: np.ndarray
    params: list = field(repr=False)
    seconds: float = 0.0

    def at_epoch(self, epoch):
        """Index of the record at `epoch`."""
        where = np.flatnonzero(self.epochs == epoch)
        if where.size == 0:
            raise ValueError(f"epoch {epoch} was not recorded; recorded epochs run {self.epochs[0]}..{self.epochs[-1]} "
                             f"every {self.config.record_every}")
        return int(where[0])

    def at_update(self, update):
        """Index of the record at `update` updates."""
        where = np.flatnonzero(self.updates == update)
        if where.size == 0:
            raise ValueError(f"no record after exactly {update} updates")
        return int(where[0])


def _record(params, Xtr, ytr, Xva, yva):
    train_loss, grads = loss_and_gradients(params, Xtr, ytr)
    z = forward(params, Xva)
    grad_norm = np.sqrt(sum((g**2).sum(axis=(1, 2)) for g in grads))
    return train_loss, _bce(z, yva), ((z > 0) == (yva > 0.5)).mean(-1), grad_norm


def train(config):
    """Train config.runs networks with plain SGD in batches of config.batch_size; returns a BatchHistory."""
    if not isinstance(config, BatchConfig):
        raise TypeError(f"config must be a BatchConfig, got {type(config).__name__}")
    started = time.perf_counter()
    Xtr, ytr, Xva, yva = moons_data(config.n_train, config.n_validation, config.noise, config.data_seed)
    rng = np.random.default_rng(config.seed)
    params = init_params(config.widths, config.runs, rng)
    n, B, R = config.n_train, config.batch_size, config.runs
    per_epoch = config.updates_per_epoch
    warmup = config.warmup_epochs * per_epoch  # in updates
    records = [_record(params, Xtr, ytr, Xva, yva)]
    epochs, updates = [0], [0]
    step = 0
    for epoch in range(1, config.epochs + 1):
        order = rng.random((R, n)).argsort(axis=1) if B < n else None  # one permutation per run
        for first in range(0, n, B):
            if order is None:
                Xb, yb = Xtr, ytr  # the whole set, the same for every run
            else:
                batch = order[:, first:first + B]  # (R, B)
                Xb, yb = Xtr[batch], ytr[batch]  # (R, B, 2), (R, B)
            _, grads = loss_and_gradients(params, Xb, yb)
            step += 1
            lr = config.lr * min(1.0, step / warmup) if warmup else config.lr
            for p, g in zip(params, grads):
                p -= lr * g
        if epoch % config.record_every == 0 or epoch == config.epochs:
            records.append(_record(params, Xtr, ytr, Xva, yva))
            epochs.append(epoch)
            updates.append(step)
    train_loss, val_loss, val_acc, grad_norm = (np.stack(r, axis=1) for r in zip(*records))  # (R, k) each
    return BatchHistory(config, np.array(epochs), np.array(updates), train_loss, val_loss, val_acc, grad_norm,
                        params, time.perf_counter() - started)
