"""The particle systems of exam question III: configurations X and their property P(X).

The exam never says what P is. The book takes the potential energy of the Gaussian-core
model (Stillinger, 1976), a standard model of soft matter such as polymer coils and
star polymers whose centres of mass repel softly:

    P(X) = sum_{i<j} exp(-|x_i - x_j|^2 / 2)

in units where the interaction's energy scale is 1 and its Gaussian width is 1.
Why this property:

- it depends on the particles only through their pairwise distances, so it is exactly
  invariant under rotations (and reflections and translations) and under permutations,
  the two symmetries the exam asks for;
- it is smooth and cheap to compute exactly, so the data have no label noise: the
  "noise" term of the bias-variance decomposition in III(F) is exactly 0;
- it is a sum over pairs, while DeepSets sums a function of single particles: the
  invariant network has the right symmetry but must still learn to express pair
  interactions through its 64 pooled features, so it has a real, measurable bias;
- its values spread well (a tight cluster has energy near 190 = 20*19/2 pairs, a dilute one
  near 0), so what a network gets right or wrong is visible.

Data design. Each configuration is an anisotropic Gaussian blob of 20 particles: the three
standard deviations are drawn uniformly from [0.6, 2.4] per configuration. How the training
configurations are stored is the book's choice, not something simulations do: by default
(``frame="canonical"``) each one is put into a canonical frame, centre of mass at the origin,
principal axes of the gyration tensor along x, y, z (longest first, proper rotation),
particles sorted by their x coordinate. The book chose it to make the exam's story visible:
a network that only ever saw one frame must generalise to every orientation and every
ordering, and augmentation is what can teach it to. ``frame="random"`` is the control: the
same configurations and targets, each in a uniformly random orientation and particle order,
which is how an i.i.d. sample of a rotation- and permutation-invariant system looks.
Validation data always come in random orientations and orders, as the exam says: for a model
trained on ``frame="random"`` they are held-out data from its own training distribution, for
one trained on ``frame="canonical"`` they are also a change of frame.

Randomness: every data set is drawn from its own stream, derived from (seed, purpose) with
``numpy.random.SeedSequence``, so training sets, validation sets and the reference sample
used for the target standardisation never share random numbers. Importing this module
draws nothing and sets no seed.

NaN: ``target`` and ``standardise`` are evaluated configuration by configuration (entry by
entry) and pass NaN through; ``canonical_frame`` refuses NaN and infinite coordinates (its
eigendecomposition would fail). Sizes have the ceilings of ``dlexam.validate``.
"""

import functools
from typing import NamedTuple

import numpy as np
import torch

from dlexam import augment, validate

N_PARTICLES = 20
DIM = 3
N_TRAIN = 500
N_VALIDATION = 500
AXIS_STD_RANGE = (0.6, 2.4)

FRAMES = ("canonical", "random")  # how a training set is stored

# Stream identifiers: one independent random stream per purpose.
_TRAINING_STREAM = 0
_VALIDATION_STREAM = 1
_REFERENCE_STREAM = 2
_RANDOM_FRAME_STREAM = 3  # the orientations and orders of a training set with frame="random"
_N_REFERENCE = 10_000


class TargetScale(NamedTuple):
    """Mean and standard deviation of P over the data distribution."""

    mean: float
    std: float


def target(X):
    """(n, m, 3) -> (n,): Gaussian-core energy sum_{i<j} exp(-|x_i - x_j|^2 / 2).

    Accepts a torch tensor (returns a tensor of the same dtype) or a NumPy array (returns an
    array). Computed in float64 whatever the input dtype.
    """
    is_numpy = isinstance(X, np.ndarray)
    if not is_numpy and not isinstance(X, torch.Tensor):
        raise TypeError(f"X must be a torch tensor or a NumPy array, got {type(X).__name__}")
    if is_numpy and X.dtype.kind not in "iuf" or not is_numpy and (X.is_complex() or X.dtype == torch.bool):
        raise TypeError(f"X must hold real coordinates, got dtype {X.dtype}")
    if X.ndim != 3 or X.shape[-1] != DIM:
        raise ValueError(f"X must have shape (n, m, 3), got {tuple(X.shape)}")
    if X.shape[1] < 2:
        raise ValueError(f"X must hold at least 2 particles per configuration for P (a pair), got {X.shape[1]}")
    validate.work(X.shape[0] * X.shape[1] ** 2 * 2, "X", validate.MAX_ELEMENTS, "pair distances")
    Xt = torch.from_numpy(X) if is_numpy else X
    Xt = Xt.detach().to(torch.float64)
    i, j = torch.triu_indices(Xt.shape[1], Xt.shape[1], offset=1)  # all pairs i < j
    squared_distances = ((Xt[:, i] - Xt[:, j]) ** 2).sum(dim=-1)  # (n, pairs)
    energy = torch.exp(-squared_distances / 2).sum(dim=1)  # (n,)
    if is_numpy:
        return energy.numpy().astype(X.dtype if X.dtype.kind == "f" else np.float64)
    return energy.to(X.dtype if X.is_floating_point() else torch.float64)


def stream_generator(seed, stream):
    """A torch.Generator for the independent random stream (seed, stream)."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"seed must be an integer, got {seed!r}")
    if seed < 0:
        raise ValueError(f"seed must be non-negative, got {seed}")
    stream = validate.integer(stream, "stream", 0)
    words = np.random.SeedSequence([int(stream), int(seed)]).generate_state(2, dtype=np.uint32)
    return torch.Generator().manual_seed(int(words[0]) << 32 | int(words[1]))


def canonical_frame(X):
    """(n, m, 3) -> (n, m, 3): centred, principal axes on x, y, z (longest first), sorted by x."""
    if not isinstance(X, torch.Tensor):
        raise TypeError(f"X must be a torch tensor, got {type(X).__name__}")
    if X.ndim != 3 or X.shape[-1] != DIM or X.shape[1] < 1:
        raise ValueError(f"X must have shape (n, m, 3) with m >= 1, got {tuple(X.shape)}")
    validate.tensor(X, "X", floating=False)
    if X.is_complex() or X.dtype == torch.bool:
        raise TypeError(f"X must hold real coordinates, got dtype {X.dtype}")
    X = X.to(torch.float64)
    centred = X - X.mean(dim=1, keepdim=True)  # (n, m, 3)
    gyration = centred.transpose(1, 2) @ centred / X.shape[1]  # (n, 3, 3)
    _, axes = torch.linalg.eigh(gyration)  # eigenvalues ascending, axes in columns
    axes = axes.flip(-1)  # (n, 3, 3), longest axis first
    # eigh fixes each axis only up to its sign: orient the first two by the sign of the
    # third moment along them, the third so that the frame is a proper rotation.
    skew = ((centred @ axes[:, :, :2]) ** 3).sum(dim=1)  # (n, 2)
    signs = torch.where(skew < 0, -1.0, 1.0).to(X.dtype)  # (n, 2)
    first_two = axes[:, :, :2] * signs[:, None, :]  # (n, 3, 2)
    third = torch.linalg.cross(first_two[:, :, 0], first_two[:, :, 1])  # (n, 3)
    axes = torch.cat([first_two, third[:, :, None]], dim=2)  # (n, 3, 3), det +1
    aligned = centred @ axes  # (n, m, 3)
    order = aligned[:, :, 0].argsort(dim=1)  # (n, m)
    return torch.gather(aligned, 1, order[:, :, None].expand(-1, -1, DIM))


def _blobs(n, generator):
    """(n, 20, 3) float64 anisotropic Gaussian blobs in the canonical frame."""
    low, high = AXIS_STD_RANGE
    stds = low + (high - low) * torch.rand(n, 1, DIM, generator=generator, dtype=torch.float64)
    X = stds * torch.randn(n, N_PARTICLES, DIM, generator=generator, dtype=torch.float64)
    return canonical_frame(X)


def make_dataset(n, seed=0, validation=False, frame="canonical"):
    """n configurations and their property: X (n, 20, 3) float32, y (n,) float32.

    ``frame`` says how a training set (``validation=False``) is stored: "canonical" (the
    book's design, each configuration in its canonical frame) or "random" (the control: the
    same configurations and the same targets, each in a uniformly random orientation and
    particle order, drawn from a stream of their own). Validation sets (``validation=True``)
    are always randomly rotated and permuted, as the exam says, whatever ``frame``.
    Training and validation sets are drawn from disjoint random streams, so
    ``make_dataset(n, 0)`` and ``make_dataset(n, 0, validation=True)`` are independent;
    different seeds give independent training sets.
    """
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise TypeError(f"n must be an integer number of configurations, got {n!r}")
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    validate.size(n, "n", 1, validate.MAX_ELEMENTS // (N_PARTICLES * DIM * 4))
    if not isinstance(validation, bool):
        raise TypeError(f"validation must be True or False, got {validation!r}")
    if not isinstance(frame, str) or frame not in FRAMES:
        raise ValueError(f"frame must be one of {FRAMES}, got {frame!r}")
    stream = _VALIDATION_STREAM if validation else _TRAINING_STREAM
    generator = stream_generator(seed, stream)
    X = _blobs(int(n), generator)  # (n, 20, 3) float64, canonical frame
    if validation:
        X = augment.augment(X, rotate=True, permute=True, generator=generator).to(torch.float32)
        return X, target(X)
    y = target(X.to(torch.float32))  # the targets of the stored float32 coordinates
    if frame == "random":
        X = augment.augment(X, rotate=True, permute=True, generator=stream_generator(seed, _RANDOM_FRAME_STREAM))
    return X.to(torch.float32), y


@functools.lru_cache(maxsize=1)
def target_scale():
    """TargetScale(mean, std) of P, estimated once from 10,000 reference configurations.

    The trainer fits (y - mean) / std, so every reported MSE is in units of Var(P): an MSE of
    1 is what predicting the mean achieves. Multiply by std**2 for energy units squared. The
    reference sample is its own stream, so every training set shares the same units.
    """
    generator = stream_generator(0, _REFERENCE_STREAM)
    y = target(_blobs(_N_REFERENCE, generator))  # (20000,) float64
    return TargetScale(mean=float(y.mean()), std=float(y.std()))


def standardise(y):
    """(n,) -> (n,): (y - mean) / std with the reference target_scale()."""
    if isinstance(y, torch.Tensor):
        if y.is_complex() or y.dtype == torch.bool:
            raise TypeError(f"y must hold real numbers, got dtype {y.dtype}")
    elif isinstance(y, np.ndarray):
        if y.dtype.kind not in "iuf":
            raise TypeError(f"y must hold real numbers, got dtype {y.dtype}")
    else:
        y = validate.elementwise(y, "y")
    scale = target_scale()
    return (y - scale.mean) / scale.std
