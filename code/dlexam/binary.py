"""Binary classification with one output neuron or two: the models, the data and the training of I(C).

An output layer with one logit z is read with a sigmoid, P(y=1) = sigmoid(z), and trained with
binary cross-entropy; one with two logits (z0, z1) is read with a softmax and trained with
cross-entropy. Both learn, because softmax(z)_1 = sigmoid(z1 - z0): the two-neuron model is
the one-neuron model with redundant parameters. What cannot learn is a loss that does not fit
the output, such as a softmax over a single logit, which is the constant 1.

NaN: ``probability``, ``two_logit_probability`` and ``loss`` are link functions and losses
as in PyTorch and pass NaN logits through; ``predict`` (a label), the data, the grids and the
checks refuse NaN. Labels must be 0 or 1. Sizes have the ceilings of ``dlexam.validate``.
"""

import math
import numbers
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import validate
from .checks import CheckResult
from .params import count_parameters
from .validate import is_int as _is_int
from ._threads import torch_threads


@dataclass(frozen=True)
class Head:
    """An output layer and the loss it is trained with."""

    outputs: int
    description: str
    trainable: bool


HEADS = {
    "one_sigmoid": Head(1, "one output, sigmoid + binary cross-entropy", True),
    "two_softmax": Head(2, "two outputs, softmax + cross-entropy", True),
    "two_sigmoid": Head(2, "two outputs, sigmoid + binary cross-entropy on one-hot targets", True),
    "one_softmax": Head(1, "one output, softmax + binary cross-entropy", False),
}
EXAM_HEADS = ("one_sigmoid", "two_softmax")
DATASETS = ("moons", "blobs")


def _check_head(head):
    if not isinstance(head, str) or head not in HEADS:
        raise ValueError(f"head must be one of {', '.join(map(repr, HEADS))}, got {head!r}")
    return HEADS[head]


_MAX_WIDTH = 4096


def _check_logits(logits, head, name="logits", finite=False):
    logits = validate.tensor(logits, name, finite=finite)
    if logits.ndim != 2 or logits.shape[1] != HEADS[head].outputs:
        raise ValueError(f"head {head!r} needs {name} of shape (B, {HEADS[head].outputs}), got {tuple(logits.shape)}")
    return logits


def _check_generator(generator):
    if not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator, e.g. torch.Generator().manual_seed(0); "
                        f"got {type(generator).__name__}")


# Data: two interleaving half-moons or two Gaussian blobs, labels 0 and 1 half each.

def make_moons(n=200, noise=0.2, generator=None):
    """(n, 2) float32 points on two interleaving half circles plus Gaussian noise, and (n,) labels 0/1."""
    if not _is_int(n) or n < 2:
        raise ValueError(f"n must be a whole number of points, at least 2; got {n!r}")
    validate.size(n, "n", 2)
    noise = validate.real(noise, "noise", 0.0, 1e6)
    _check_generator(generator)
    n1 = n // 2
    n0 = n - n1
    t0 = torch.rand(n0, generator=generator, dtype=torch.float64) * math.pi
    t1 = torch.rand(n1, generator=generator, dtype=torch.float64) * math.pi
    upper = torch.stack([torch.cos(t0), torch.sin(t0)], dim=1)  # (n0, 2), class 0
    lower = torch.stack([1 - torch.cos(t1), 0.5 - torch.sin(t1)], dim=1)  # (n1, 2), class 1
    X = torch.cat([upper, lower]) + noise * torch.randn(n, 2, generator=generator, dtype=torch.float64)
    y = torch.cat([torch.zeros(n0, dtype=torch.long), torch.ones(n1, dtype=torch.long)])
    return X.float(), y


def make_blobs(n=200, distance=3.0, generator=None):
    """(n, 2) float32 points from two unit Gaussians `distance` apart on a diagonal, and (n,) labels 0/1."""
    if not _is_int(n) or n < 2:
        raise ValueError(f"n must be a whole number of points, at least 2; got {n!r}")
    validate.size(n, "n", 2)
    distance = validate.real(distance, "distance", 0.0, 1e6)
    _check_generator(generator)
    n1 = n // 2
    n0 = n - n1
    offset = torch.tensor([1.0, 1.0], dtype=torch.float64) * distance / (2 * math.sqrt(2))
    X = torch.randn(n, 2, generator=generator, dtype=torch.float64)
    X[:n0] -= offset
    X[n0:] += offset
    y = torch.cat([torch.zeros(n0, dtype=torch.long), torch.ones(n1, dtype=torch.long)])
    return X.float(), y


def make_dataset(name="moons", n=200, generator=None):
    """One of DATASETS with its book defaults: (X (n, 2), y (n,))."""
    if name == "moons":
        return make_moons(n, 0.2, generator)
    if name == "blobs":
        return make_blobs(n, 3.0, generator)
    raise ValueError(f"data (the name) must be one of {', '.join(map(repr, DATASETS))}, got {validate.got(name)}")


# Models.

def _linear(n_in, n_out, generator):
    """nn.Linear with PyTorch's default U(+-1/sqrt(n_in)) initialisation, drawn from `generator`."""
    layer = nn.Linear(n_in, n_out, device="meta").to_empty(device="cpu")  # no draw from the global RNG
    bound = 1 / math.sqrt(n_in)
    with torch.no_grad():
        layer.weight.uniform_(-bound, bound, generator=generator)
        layer.bias.uniform_(-bound, bound, generator=generator)
    return layer


class BinaryClassifier(nn.Module):
    """(B, 2) -> (B, outputs) logits: tanh hidden layers (none: logistic regression), then the output layer."""

    def __init__(self, outputs=1, hidden=(16,), generator=None):
        super().__init__()
        if not _is_int(outputs) or outputs not in (1, 2):
            raise ValueError(f"outputs must be 1 or 2, got {outputs!r}")
        hidden = tuple(validate.sequence(hidden, "hidden", 0, 100))
        if not all(_is_int(h) and 1 <= h <= _MAX_WIDTH for h in hidden):
            raise ValueError(f"hidden must be a sequence of layer widths from 1 to {_MAX_WIDTH}, got {hidden!r}")
        if generator is None:
            generator = torch.Generator().manual_seed(0)
        _check_generator(generator)
        layers, width = [], 2
        for h in hidden:
            layers += [_linear(width, h, generator), nn.Tanh()]
            width = h
        self.body = nn.Sequential(*layers)  # (B, 2) -> (B, width)
        self.output = _linear(width, outputs, generator)  # (B, width) -> (B, outputs)

    def forward(self, x):
        return self.output(self.body(x))  # (B, outputs)


def make_model(head, hidden=(16,), generator=None):
    """A fresh BinaryClassifier with as many outputs as `head` needs."""
    return BinaryClassifier(_check_head(head).outputs, hidden, generator)


def probability(logits, head):
    """(B, k) logits -> (B,) the model's P(y = 1), read the way `head` reads its outputs.

    one_sigmoid: sigmoid(z); two_softmax: softmax(z)_1; one_softmax: softmax(z)_0, always 1;
    two_sigmoid: sigmoid(z1) / (sigmoid(z0) + sigmoid(z1)), above 0.5 exactly when z1 > z0.
    """
    _check_head(head)
    _check_logits(logits, head)
    if head == "one_sigmoid":
        return torch.sigmoid(logits[:, 0])
    if head == "two_softmax":
        return torch.softmax(logits, dim=1)[:, 1]
    if head == "one_softmax":
        return torch.softmax(logits, dim=1)[:, 0]
    s = torch.sigmoid(logits)
    return s[:, 1] / (s[:, 0] + s[:, 1])


def predict(logits, head):
    """(B, k) logits -> (B,) predicted labels 0/1."""
    _check_head(head)
    _check_logits(logits, head, finite=True)
    return (probability(logits, head) >= 0.5).long()


def loss(logits, y, head):
    """Mean loss of a batch: (B, k) logits, (B,) labels 0/1 -> scalar tensor."""
    _check_head(head)
    _check_logits(logits, head)
    y = validate.tensor(y, "y", floating=False)
    if tuple(y.shape) != (logits.shape[0],):
        raise ValueError(f"y must hold one label per row of logits, shape ({logits.shape[0]},), got {tuple(y.shape)}")
    if y.is_floating_point() or y.is_complex() or y.dtype == torch.bool:
        raise TypeError(f"y must hold the labels 0 and 1 as integers (a long tensor), got dtype {y.dtype}")
    if not bool(((y == 0) | (y == 1)).all()):
        raise ValueError(f"y must hold the labels 0 and 1 only, got {sorted(set(y.tolist()))[:5]}")
    y = y.long()
    if head == "one_sigmoid":
        return F.binary_cross_entropy_with_logits(logits[:, 0], y.to(logits.dtype))
    if head == "two_softmax":
        return F.cross_entropy(logits, y)
    if head == "two_sigmoid":
        return F.binary_cross_entropy_with_logits(logits, F.one_hot(y, 2).to(logits.dtype))
    # A softmax over one logit is 1 whatever the logit; PyTorch's BCE clamps log(0) to -100.
    return F.binary_cross_entropy(torch.softmax(logits, dim=1)[:, 0], y.to(logits.dtype))


def two_logit_probability(z):
    """(B, 2) logits -> (B,) sigmoid(z1 - z0), which equals softmax(z)_1."""
    if isinstance(z, torch.Tensor):
        z = validate.tensor(z, "z", finite=False)
    else:
        z = torch.as_tensor(validate.array(z, "z", finite=False, nonempty=False))
    if z.ndim != 2 or z.shape[1] != 2:
        raise ValueError(f"z must have shape (B, 2), got {tuple(z.shape)}")
    return torch.sigmoid(z[:, 1] - z[:, 0])


def collapse_two_logits(model):
    """The one-output model with the same body and output weights w1 - w0, bias b1 - b0.

    Its sigmoid equals the softmax's P(y = 1) of the two-output `model` for every input.
    """
    if not isinstance(model, BinaryClassifier) or model.output.out_features != 2:
        raise ValueError("model must be a BinaryClassifier with two outputs")
    hidden = tuple(m.out_features for m in model.body if isinstance(m, nn.Linear))
    single = BinaryClassifier(1, hidden)
    single.body.load_state_dict(model.body.state_dict())
    with torch.no_grad():
        single.output.weight.copy_(model.output.weight[1:] - model.output.weight[:1])
        single.output.bias.copy_(model.output.bias[1:] - model.output.bias[:1])
    return single


def parameter_count(model):
    """Trainable parameters of a model, sum(p.numel())."""
    validate.instance(model, "model", nn.Module, "torch.nn.Module")
    return count_parameters(model)


# Training.

@dataclass(frozen=True)
class BinaryConfig:
    """One training run: the output head, the data, the network and full-batch Adam's settings."""

    head: str = "one_sigmoid"
    data: str = "moons"
    n: int = 200
    hidden: tuple = (16,)
    epochs: int = 300
    lr: float = 0.05
    seed: int = 0  # initialisation
    data_seed: int = 0  # the data set, shared by every run with the same data_seed

    def __post_init__(self):
        _check_head(self.head)
        if self.data not in DATASETS:
            raise ValueError(f"data must be one of {', '.join(map(repr, DATASETS))}, got {self.data!r}")
        if not _is_int(self.n) or not 4 <= self.n <= 100_000:
            raise ValueError(f"n must be a whole number of points from 4 to 100000, got {self.n!r}")
        if not _is_int(self.epochs) or not 1 <= self.epochs <= 10_000:
            raise ValueError(f"epochs must be a whole number from 1 to 10000, got {self.epochs!r}")
        if not isinstance(self.lr, (int, float)) or isinstance(self.lr, bool) or not (0 < self.lr <= 10) \
                or not math.isfinite(self.lr):
            raise ValueError(f"lr (learning rate) must be a number in (0, 10], got {self.lr!r}")
        for name in ("seed", "data_seed"):
            value = getattr(self, name)
            if not _is_int(value) or not 0 <= value < 2**63:
                raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")
        if isinstance(self.hidden, (str, bytes)) or not hasattr(self.hidden, "__iter__"):
            raise ValueError(f"hidden must be layer widths from 1 to 1024, got {self.hidden!r}")
        object.__setattr__(self, "hidden", tuple(self.hidden))
        if len(self.hidden) > 16 or not all(_is_int(h) and 1 <= h <= 1024 for h in self.hidden):
            raise ValueError(f"hidden must be layer widths from 1 to 1024, got {self.hidden!r}")


@dataclass
class History:
    """What a run recorded, one entry per epoch: the full-batch loss before the step, accuracy, gradient norm."""

    config: BinaryConfig
    model: BinaryClassifier
    X: torch.Tensor
    y: torch.Tensor
    loss: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    grad_norm: list = field(default_factory=list)

    @property
    def epochs_done(self):
        return len(self.loss)

    def final(self):
        """(loss, accuracy) of the trained model on the training data."""
        with torch.no_grad():
            logits = self.model(self.X)
            return float(loss(logits, self.y, self.config.head)), float((predict(logits, self.config.head) == self.y).float().mean())


def dataset(config):
    """The (X, y) a config trains on: make_dataset(config.data, config.n) from a generator seeded data_seed."""
    validate.instance(config, "config", BinaryConfig)
    return make_dataset(config.data, config.n, torch.Generator().manual_seed(config.data_seed))


def initial_history(config):
    """A run before its first step: the data and the freshly initialised model, no epochs yet."""
    if not isinstance(config, BinaryConfig):
        raise TypeError(f"config must be a BinaryConfig, got {type(config).__name__}")
    X, y = dataset(config)
    model = make_model(config.head, config.hidden, torch.Generator().manual_seed(config.seed))
    return History(config, model, X, y)


def iter_training(config):
    """Train step by step: yields the History after every epoch (the same object, updated).

    The config is checked when this is called, before the first epoch is asked for.
    """
    return _epochs(initial_history(config))


def _epochs(history):
    config = history.config
    model, X, y = history.model, history.X, history.y
    optimiser = torch.optim.Adam(model.parameters(), lr=config.lr)
    for _ in range(config.epochs):
        with torch_threads():
            optimiser.zero_grad()
            logits = model(X)  # (n, outputs), the whole data set: full-batch, so no shuffling
            batch_loss = loss(logits, y, config.head)
            batch_loss.backward()
            grad_norm = torch.sqrt(sum((p.grad**2).sum() for p in model.parameters()))
            optimiser.step()
            history.loss.append(batch_loss.item())
            history.accuracy.append((predict(logits.detach(), config.head) == y).float().mean().item())
            history.grad_norm.append(grad_norm.item())
        yield history


def train(config):
    """Train one run to the end; returns its History."""
    history = None
    for history in iter_training(config):
        pass
    return history


def probability_grid(model, head, limits=((-1.6, 2.6), (-1.2, 1.7)), resolution=121):
    """P(y = 1) of `model` on a grid: (xx, yy, p), each (resolution, resolution), for contour plots."""
    validate.instance(model, "model", nn.Module, "torch.nn.Module")
    _check_head(head)
    limits = validate.sequence(limits, "limits", 2, 2)
    (x0, x1), (y0, y1) = (validate.interval(v, "limits") for v in limits)
    resolution = validate.size(resolution, "resolution", 2, 2000)
    xs = torch.linspace(x0, x1, resolution)
    ys = torch.linspace(y0, y1, resolution)
    yy, xx = torch.meshgrid(ys, xs, indexing="ij")
    grid = torch.stack([xx.ravel(), yy.ravel()], dim=1)  # (R*R, 2)
    with torch.no_grad():
        p = probability(model(grid), head).reshape(xx.shape)
    return xx.numpy(), yy.numpy(), p.numpy()


def data_limits(X, margin=0.5):
    """((xmin, xmax), (ymin, ymax)) around the points, for plots."""
    X = validate.tensor(X, "X", shape=(None, 2), nonempty=True, numpy=True, floating=False)
    if X.dtype == torch.bool or X.is_complex():
        raise TypeError(f"X must hold real coordinates, got dtype {X.dtype}")
    margin = validate.real(margin, "margin", 0.0, 1e100)
    lo = X.min(dim=0).values - margin
    hi = X.max(dim=0).values + margin
    return (float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1]))


# Self-checks for the exercises.

def check_two_logit_probability(z0, z1, p, tol=1e-3):
    """Say whether p is the softmax probability of class 1 for the logits (z0, z1)."""
    z0, z1, p = validate.real(z0, "z0"), validate.real(z1, "z1"), validate.real(p, "p")
    tol = validate.tolerance(tol, "tol")
    exact = float(torch.softmax(torch.tensor([z0, z1], dtype=torch.float64), dim=0)[1])
    if abs(p - exact) <= tol:
        return CheckResult(True, f"Right: softmax(({z0:g}, {z1:g}))_1 = sigmoid({z1:g} - {z0:g}) = {exact:.4f}.")
    if abs(p - (1 - exact)) <= tol:
        return CheckResult(False, "Not yet: that is the probability of class 0; class 1 belongs to z1.")
    if not 0 <= p <= 1:
        return CheckResult(False, f"Not yet: a probability lies between 0 and 1, got {p:g}.")
    side = "high" if p > exact else "low"
    return CheckResult(False, f"Not yet: {p:g} is too {side} (tolerance {tol:g}). "
                              "Only the difference z1 - z0 matters: which function of it gives the probability?")


def check_single_logit_layer(W2, b2, w, b, tol=1e-9):
    """Say whether (w, b) is the one-output layer that makes the same predictions as the two-output (W2, b2)."""
    W2 = validate.array(W2, "W2")
    b2 = validate.array(b2, "b2")
    w = validate.array(w, "w", finite=False, nonempty=False)
    if isinstance(b, (bool, np.bool_)) or not isinstance(validate._scalar(b), numbers.Real) and np.ndim(b) == 0:
        raise TypeError(f"b must be a number, got {validate.got(b)}")
    tol = validate.tolerance(tol, "tol")
    if W2.ndim != 2 or W2.shape[0] != 2 or b2.shape != (2,):
        raise ValueError(f"W2 must have shape (2, h) and b2 shape (2,), got {W2.shape} and {b2.shape}")
    if w.shape != (W2.shape[1],) or np.ndim(b) != 0:
        raise ValueError(f"w must have shape ({W2.shape[1]},) and b must be a number, got {w.shape} and {np.shape(b)}")
    w_right, b_right = W2[1] - W2[0], b2[1] - b2[0]
    try:
        b = float(b)
    except OverflowError:
        b = math.inf
    if np.allclose(w, w_right, rtol=0, atol=tol) and abs(b - b_right) <= tol:
        return CheckResult(True, f"Right: w = w1 - w0 = {np.round(w_right, 6).tolist()}, b = b1 - b0 = {b_right:g}; "
                                 "sigmoid(w.h + b) = softmax(W2 h + b2)_1 for every hidden vector h.")
    if np.allclose(w, -w_right, rtol=0, atol=tol) and abs(b + b_right) <= tol:
        return CheckResult(False, "Not yet: that is w0 - w1, the logit of class 0: its sigmoid is P(y = 0).")
    return CheckResult(False, "Not yet: the softmax of two logits depends only on their difference z1 - z0; "
                              "which weights and bias produce that difference?")


def check_trainable_heads(answer):
    """Say whether `answer` (head names) is exactly the set of heads in HEADS that can be trained."""
    answer = validate.names(answer, "answer", HEADS, "{'one_sigmoid'}")
    right = {h for h, spec in HEADS.items() if spec.trainable}
    if answer == right:
        return CheckResult(True, "Right: " + "; ".join(
            f"{h} ({HEADS[h].description}): {'learns' if HEADS[h].trainable else 'cannot learn'}" for h in HEADS) + ".")
    why = [f"{h} cannot learn: a softmax over one logit is 1 for every input, so its gradient is exactly 0."
           for h in sorted(answer - right)]
    missing = len(right - answer)  # counted, not named, so the check does not give the answer away
    if missing:
        why.append(f"{missing} head{'s' if missing > 1 else ''} that can be trained {'are' if missing > 1 else 'is'} "
                   "missing from your answer.")
    return CheckResult(False, "Not yet:\n" + "\n".join(why))
