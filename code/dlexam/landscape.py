"""Loss surfaces and the optimisers that walk them: gradient descent with a batch size, for II(C).

A loss that is a finite sum over examples, L(w) = (1/n) sum_i l_i(w), makes "a mini-batch"
well defined: the gradient of a batch is the mean of its examples' gradients, and the batch
of all n examples gives the exact gradient of L. The book's surface lives in two dimensions
so that the paths can be drawn. Every example sees the same landscape h, moved by its own
offset xi_i (as if each data point put the optimum in a slightly different place):

    l_i(w) = h(w - xi_i),   h(w) = bowl/2 |w|^2 - sum_k depth_k exp(-|w - centre_k|^2 / (2 width_k^2)),

a wide bowl with Gaussian wells in it. The wells of the book's surface make one deep, wide
(global) minimum and one shallow, narrow (poor) one. Mini-batch gradients scatter around the
full gradient because the examples disagree; with all n examples the scatter is exactly zero.

Also here: where the critical points of L are and what kind they are, in which basin a point
ends, the escape experiment of the page, the noise of a mini-batch gradient, random symmetric
matrices (how rare positive definite Hessians are in many dimensions), and the self-checks.

NaN: the formulas of one example's landscape (``well_loss``, ``well_gradient``,
``well_hessian``) are element-wise in the points and pass NaN points through; everything
else (landscapes, descents, critical points, noise, the checks) refuses NaN and infinities,
and work has ceilings (a descent may take at most 5e7 steps in total).
"""

import math
from dataclasses import dataclass

import numpy as np

from . import validate
from .checks import CheckResult
from .validate import is_finite_number as _is_number, is_int as _is_int

__all__ = [
    "Landscape", "Descent", "EscapeResult", "CriticalPoint",
    "book_landscape", "make_landscape", "BOOK_START", "BOOK_LR", "BOOK_EPOCHS",
    "well_loss", "well_gradient", "well_hessian",
    "descend", "critical_points", "minima", "final_minimum", "escape_fraction", "escape_table",
    "Comparison", "compare_batch_sizes",
    "updates_per_epoch", "gradient_noise", "noise_factor", "noise_temperature",
    "goe_matrices", "positive_definite_fraction", "hessian_index", "DEAN_MAJUMDAR_RATE",
    "check_update_count", "check_scaled_learning_rate", "check_noise_factor",
]


def _points(w, name="w"):
    """Any (..., 2) array-like of finite numbers -> float64 array."""
    w = validate.array(w, name, finite=False, nonempty=False)
    if w.ndim == 0 or w.shape[-1] != 2:
        raise ValueError(f"{name} must have shape (..., 2): points in the plane, got shape {w.shape}")
    if not np.all(np.isfinite(w)):
        raise ValueError(f"{name} must be finite, got {w}")
    return w


# The landscape h of one example: Gaussian wells in a bowl.

def _wells(w, centres, depths, widths, bowl):
    """Checked arguments of the formulas below: points (..., 2) (NaN passes), wells (K, 2), (K,), (K,) > 0, bowl."""
    w = validate.array(w, "w", finite=False, nonempty=False)
    if w.ndim == 0 or w.shape[-1] != 2:
        raise ValueError(f"w must have shape (..., 2): points in the plane, got shape {w.shape}")
    centres = validate.array(centres, "centres", shape=(None, 2))
    depths = validate.array(depths, "depths", shape=(len(centres),))
    widths = validate.array(widths, "widths", shape=(len(centres),))
    if np.any(widths <= 0):
        raise ValueError(f"widths must be positive, got {widths}")
    bowl = validate.real(bowl, "bowl")
    validate.work(w.size * len(centres) * 4, "w and centres", validate.MAX_ELEMENTS, "numbers")
    return w, centres, depths, widths, bowl


def well_loss(w, centres, depths, widths, bowl):
    """(..., 2) points -> (...) values of h(w) = bowl/2 |w|^2 - sum_k depth_k exp(-|w - c_k|^2 / (2 width_k^2))."""
    return _well_loss(*_wells(w, centres, depths, widths, bowl))


def _well_loss(w, centres, depths, widths, bowl):
    d = w[..., None, :] - centres  # (..., K, 2)
    with np.errstate(invalid="ignore", over="ignore"):  # NaN and infinite points pass through
        bumps = depths * np.exp(-(d**2).sum(-1) / (2 * widths**2))  # (..., K)
        return 0.5 * bowl * (w**2).sum(-1) - bumps.sum(-1)


def well_gradient(w, centres, depths, widths, bowl):
    """(..., 2) points -> (..., 2) gradient of h."""
    return _well_gradient(*_wells(w, centres, depths, widths, bowl))


def _well_gradient(w, centres, depths, widths, bowl):
    d = w[..., None, :] - centres  # (..., K, 2)
    with np.errstate(invalid="ignore", over="ignore"):
        weights = depths * np.exp(-(d**2).sum(-1) / (2 * widths**2)) / widths**2  # (..., K)
        return bowl * w + (weights[..., None] * d).sum(-2)


def well_hessian(w, centres, depths, widths, bowl):
    """(..., 2) points -> (..., 2, 2) Hessian of h."""
    return _well_hessian(*_wells(w, centres, depths, widths, bowl))


def _well_hessian(w, centres, depths, widths, bowl):
    d = w[..., None, :] - centres  # (..., K, 2)
    with np.errstate(invalid="ignore", over="ignore"):
        weights = depths * np.exp(-(d**2).sum(-1) / (2 * widths**2)) / widths**2  # (..., K)
        outer = d[..., :, None] * d[..., None, :] / (widths**2)[..., None, None]  # (..., K, 2, 2)
        per_well = weights[..., None, None] * (np.eye(2) - outer)
        return bowl * np.eye(2) + per_well.sum(-3)


class Landscape:
    """L(w) = (1/n) sum_i h(w - offsets_i): a finite sum of n per-example losses on the plane.

    centres (K, 2), depths (K,) > 0, widths (K,) > 0 describe the wells of h, bowl > 0 its
    curvature far away, offsets (n, 2) where each example moves it.
    """

    def __init__(self, centres, depths, widths, bowl, offsets):
        self.centres = _points(centres, "centres")
        if self.centres.ndim not in (1, 2):
            raise ValueError(f"centres must have shape (K, 2), one row per well, got {self.centres.shape}")
        self.centres = self.centres.reshape(-1, 2)
        k = len(self.centres)
        if k < 1:
            raise ValueError("centres must hold at least one well, got none")
        self.depths = validate.array(depths, "depths", ndim=(0, 1)).reshape(-1)
        self.widths = validate.array(widths, "widths", ndim=(0, 1)).reshape(-1)
        if self.depths.shape != (k,) or self.widths.shape != (k,):
            raise ValueError(f"depths and widths need one value per well ({k} rows of centres), "
                             f"got {self.depths.shape[0]} and {self.widths.shape[0]}")
        if not (np.all(np.isfinite(self.depths)) and np.all(self.depths > 0)):
            raise ValueError(f"depths must be positive numbers, got {self.depths}")
        if not (np.all(np.isfinite(self.widths)) and np.all(self.widths > 0)):
            raise ValueError(f"widths must be positive numbers, got {self.widths}")
        if not _is_number(bowl) or bowl <= 0:
            raise ValueError(f"bowl must be a positive number (the curvature far from the wells), got {bowl!r}")
        self.bowl = float(bowl)
        offsets = _points(offsets, "offsets")
        if offsets.ndim != 2 or len(offsets) < 1:
            raise ValueError(f"offsets must have shape (n, 2) with n >= 1, got {offsets.shape}")
        if len(offsets) > 100_000 or len(self.centres) > 1000:
            raise ValueError(f"offsets may hold at most 100,000 examples and centres 1,000 wells, got "
                             f"{len(offsets):,} and {len(self.centres):,}")
        self.offsets = offsets
        self._critical = None  # critical_points() fills this in on first use
        self._grids = {}  # the last grid() asked for

    @property
    def n(self):
        """Number of examples."""
        return len(self.offsets)

    def _h(self, fn, w):
        # the landscape's own wells are checked already: call the formulas without checking again
        fn = {well_loss: _well_loss, well_gradient: _well_gradient, well_hessian: _well_hessian}.get(fn, fn)
        return fn(w, self.centres, self.depths, self.widths, self.bowl)

    def _indices(self, indices):
        if indices is None:
            return slice(None)
        indices = np.asarray(indices)
        if indices.dtype.kind not in "iu" or indices.size == 0:
            raise ValueError("indices must be a non-empty array of example numbers (integers)")
        if indices.min() < 0 or indices.max() >= self.n:
            raise ValueError(f"indices must lie in 0..{self.n - 1}, got {indices.min()}..{indices.max()}")
        return indices

    def example_losses(self, w):
        """(..., 2) -> (..., n): every example's loss l_i(w)."""
        w = _points(w)
        return self._h(well_loss, w[..., None, :] - self.offsets)

    def example_gradients(self, w):
        """(..., 2) -> (..., n, 2): every example's gradient."""
        w = _points(w)
        return self._h(well_gradient, w[..., None, :] - self.offsets)

    def loss(self, w, indices=None):
        """(..., 2) -> (...): the mean loss over all examples, or over the examples in `indices` (a batch)."""
        w = _points(w)
        return self._h(well_loss, w[..., None, :] - self.offsets[self._indices(indices)]).mean(-1)

    def gradient(self, w, indices=None):
        """(..., 2) -> (..., 2): the gradient of the mean loss over all examples, or over a batch."""
        w = _points(w)
        return self._h(well_gradient, w[..., None, :] - self.offsets[self._indices(indices)]).mean(-2)

    def hessian(self, w):
        """(..., 2) -> (..., 2, 2): the Hessian of the full loss L."""
        w = _points(w)
        return self._h(well_hessian, w[..., None, :] - self.offsets).mean(-3)

    def grid(self, limits=((-2.6, 2.4), (-1.6, 2.0)), resolution=121):
        """(xx, yy, L) on a grid, each (resolution, resolution), for contour plots."""
        (x0, x1), (y0, y1) = limits
        if not (_is_int(resolution) and 2 <= resolution <= 1000):
            raise ValueError(f"resolution must be a whole number from 2 to 1000, got {resolution!r}")
        key = (float(x0), float(x1), float(y0), float(y1), resolution)
        if key not in self._grids:  # kept: a widget redraws the same surface after every change
            xx, yy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
            self._grids = {key: (xx, yy, self.loss(np.stack([xx, yy], axis=-1)))}
        return tuple(a.copy() for a in self._grids[key])


def make_landscape(n=40, spread=0.3, seed=0, centres=((1.1, -0.3), (-1.3, 0.6)), depths=(2.0, 1.0),
                   widths=(0.8, 0.45), bowl=0.3):
    """A Landscape with n offsets drawn N(0, spread^2) from default_rng(seed), then centred (they sum to 0)."""
    if not _is_int(n) or not 1 <= n <= 100_000:
        raise ValueError(f"n must be a whole number of examples from 1 to 100000, got {n!r}")
    if not _is_number(spread) or spread < 0:
        raise ValueError(f"spread must be a number >= 0, got {spread!r}")
    if not _is_int(seed) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
    offsets = spread * np.random.default_rng(seed).normal(size=(n, 2))
    return Landscape(centres, depths, widths, bowl, offsets - offsets.mean(0))


_BOOK = None


def book_landscape():
    """The page's surface: 40 examples, offsets spread 0.3, a global and a poor minimum (the same object every call)."""
    global _BOOK
    if _BOOK is None:
        _BOOK = make_landscape()
    return _BOOK


BOOK_START = (-1.9, 1.4)  # in the basin of the poor minimum
BOOK_LR = 0.5
BOOK_EPOCHS = 30


# Critical points.

@dataclass(frozen=True)
class CriticalPoint:
    """A point where the gradient of L vanishes, with its loss, Hessian eigenvalues and kind."""

    w: tuple
    loss: float
    eigenvalues: tuple
    kind: str  # "minimum", "saddle" or "maximum"


def critical_points(landscape, limits=((-3.0, 3.0), (-3.0, 3.0)), starts=11, tol=1e-10):
    """Every critical point Newton's method finds from a grid of starts x starts, sorted by loss: list of CriticalPoint.

    The result for the default arguments is kept on the landscape, so asking again costs nothing.
    """
    if not isinstance(landscape, Landscape):
        raise TypeError(f"landscape must be a Landscape, got {type(landscape).__name__}")
    limits = validate.sequence(limits, "limits", 2, 2)
    (x0, x1), (y0, y1) = (validate.interval(v, "limits") for v in limits)
    tol = validate.real(tol, "tol", above=0.0)
    if not _is_int(starts) or not 2 <= starts <= 100:
        raise ValueError(f"starts must be a whole number from 2 to 100, got {starts!r}")
    default = ((x0, x1), (y0, y1), starts, tol) == ((-3.0, 3.0), (-3.0, 3.0), 11, 1e-10)
    if default and landscape._critical is not None:
        return list(landscape._critical)
    xx, yy = np.meshgrid(np.linspace(x0, x1, starts), np.linspace(y0, y1, starts))
    w = np.stack([xx.ravel(), yy.ravel()], axis=1)  # (S, 2)
    for _ in range(60):
        H = landscape.hessian(w)
        g = landscape.gradient(w)
        ok = np.abs(np.linalg.det(H)) > 1e-12
        step = np.zeros_like(w)
        step[ok] = np.linalg.solve(H[ok], g[ok][..., None])[..., 0]
        w = w - np.clip(step, -0.5, 0.5)  # damped: a far jump would land in another basin
    g = np.linalg.norm(landscape.gradient(w), axis=-1)
    found = []
    for point in w[(g < tol) & np.all(np.abs(w) < 10, axis=1)]:
        if all(np.linalg.norm(point - np.array(c.w)) > 1e-6 for c in found):
            eig = np.linalg.eigvalsh(landscape.hessian(point))
            kind = "minimum" if eig[0] > 0 else ("maximum" if eig[-1] < 0 else "saddle")
            found.append(CriticalPoint(tuple(map(float, point)), float(landscape.loss(point)),
                                       tuple(map(float, eig)), kind))
    found = sorted(found, key=lambda c: c.loss)
    if default:
        landscape._critical = tuple(found)
    return found


def minima(landscape):
    """(m, 2) array of the minima of L, lowest loss first."""
    return np.array([c.w for c in critical_points(landscape) if c.kind == "minimum"])


# Gradient descent with a batch size.

def updates_per_epoch(n, batch_size):
    """Updates in one pass over n examples in batches of batch_size (the last batch may be smaller)."""
    for name, value in (("n", n), ("batch_size", batch_size)):
        if not _is_int(value) or value < 1:
            raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
    if batch_size > n:
        raise ValueError(f"batch_size {batch_size} is larger than the data set ({n} examples): use at most {n}")
    return -(-n // batch_size)


@dataclass
class Descent:
    """Where gradient descent went: paths (runs, updates + 1, 2), from the start to the last update."""

    paths: np.ndarray
    batch_size: int
    lr: float
    epochs: int
    updates_per_epoch: int

    @property
    def epoch_points(self):
        """(runs, epochs + 1, 2): the start and the point after every epoch."""
        return self.paths[:, :: self.updates_per_epoch]

    @property
    def final(self):
        """(runs, 2): where every run ended."""
        return self.paths[:, -1]


def _check_descent_args(landscape, start, lr, batch_size, epochs, runs, seed):
    if not isinstance(landscape, Landscape):
        raise TypeError(f"landscape must be a Landscape, got {type(landscape).__name__}")
    start = _points(start, "start")
    if start.shape != (2,):
        raise ValueError(f"start must be one point (w1, w2), got shape {start.shape}")
    limit = 2 / landscape.bowl
    if not _is_number(lr) or not 0 < lr < limit:
        raise ValueError(f"lr (learning rate) must be a number in (0, {limit:.3g}) for this landscape "
                         f"(beyond 2 / bowl every step overshoots), got {lr!r}")
    updates = updates_per_epoch(landscape.n, batch_size)
    if not _is_int(epochs) or not 1 <= epochs <= 100_000:
        raise ValueError(f"epochs must be a whole number from 1 to 100000, got {epochs!r}")
    if not _is_int(runs) or not 1 <= runs <= 100_000:
        raise ValueError(f"runs must be a whole number from 1 to 100000, got {runs!r}")
    if not _is_int(seed) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
    if runs * updates * epochs > 50_000_000:
        raise ValueError(f"{runs} runs x {epochs * updates} updates is too much work: use fewer runs or epochs")
    return start, updates


def descend(landscape, start, lr, batch_size, epochs, runs=1, seed=0):
    """Mini-batch gradient descent on a Landscape: a Descent with paths (runs, epochs * ceil(n / B) + 1, 2).

    Each epoch every run draws its own random order of the n examples (from default_rng(seed))
    and takes one step per consecutive batch of batch_size of them, the last batch smaller when
    batch_size does not divide n (as PyTorch's DataLoader does). batch_size = n is full-batch
    gradient descent: no shuffling, the exact gradient, the same path for every seed.
    """
    start, updates = _check_descent_args(landscape, start, lr, batch_size, epochs, runs, seed)
    n = landscape.n
    paths = np.empty((runs, epochs * updates + 1, 2))
    paths[:, 0] = start
    w = paths[:, 0].copy()  # (runs, 2)
    rng = np.random.default_rng(seed)
    step = 0
    for _ in range(epochs):
        if batch_size == n:
            w = w - lr * landscape.gradient(w)
            step += 1
            paths[:, step] = w
            continue
        order = rng.random((runs, n)).argsort(axis=1)  # (runs, n): one permutation per run
        for first in range(0, n, batch_size):
            batch = landscape.offsets[order[:, first:first + batch_size]]  # (runs, B, 2)
            g = landscape._h(well_gradient, w[:, None, :] - batch).mean(1)  # (runs, 2)
            w = w - lr * g
            step += 1
            paths[:, step] = w
    return Descent(paths, batch_size, float(lr), epochs, updates)


def final_minimum(landscape, points, steps=300):
    """(..., 2) -> (...) int: which minimum (index into minima(landscape), lowest first) full-batch
    gradient descent reaches from each point; -1 if it has not settled within `steps` steps.

    The steps use lr = 1 / (largest curvature at any minimum), which converges fast and safely.
    """
    if not isinstance(landscape, Landscape):
        raise TypeError(f"landscape must be a Landscape, got {type(landscape).__name__}")
    points = _points(points, "points")
    steps = validate.integer(steps, "steps", 0, 100_000)
    validate.work(points.size // 2 * max(steps, 1) * landscape.n, "points and steps", 10**10, "gradient terms")
    found = [c for c in critical_points(landscape) if c.kind == "minimum"]
    mins = np.array([c.w for c in found])
    lr = 1 / max(c.eigenvalues[-1] for c in found)
    w = points.reshape(-1, 2).copy()
    which = np.full(len(w), -1)
    open_ = np.arange(len(w))  # points not yet within 0.01 of a minimum
    for done in (*range(0, steps, 10), steps):  # check every 10 steps and after the last one
        distance = np.linalg.norm(w[open_, None, :] - mins[None], axis=-1)  # (open, m)
        settled = distance.min(axis=1) < 1e-2
        which[open_[settled]] = distance[settled].argmin(axis=1)
        open_ = open_[~settled]
        if open_.size == 0 or done == steps:
            break
        for _ in range(min(10, steps - done)):
            w[open_] -= lr * landscape.gradient(w[open_])
    return which.reshape(points.shape[:-1])


@dataclass(frozen=True)
class EscapeResult:
    """How many of `runs` runs ended in the basin of the global minimum, and how many elsewhere."""

    batch_size: int
    lr: float
    epochs: int
    updates: int
    runs: int
    global_runs: int
    unsettled_runs: int

    @property
    def fraction(self):
        """Share of runs that ended in the global minimum's basin."""
        return self.global_runs / self.runs


def escape_fraction(landscape, start, lr, batch_size, epochs, runs=200, seed=0):
    """Run `runs` seeded runs of descend and count those that end in the global minimum's basin."""
    descent = descend(landscape, start, lr, batch_size, epochs, runs, seed)
    basin = final_minimum(landscape, descent.final)
    return EscapeResult(batch_size, float(lr), epochs, epochs * descent.updates_per_epoch, runs,
                        int(np.sum(basin == 0)), int(np.sum(basin == -1)))


def escape_table(landscape, start, lr, batch_sizes, epochs, runs=200, seed=0, scale_lr=False):
    """escape_fraction for every batch size, all with the same lr (or lr * B / batch_sizes[0] if scale_lr)."""
    batch_sizes = validate.sequence(batch_sizes, "batch_sizes", 1, 1000)
    for b in batch_sizes:
        if not _is_int(b) or not 1 <= b <= getattr(landscape, "n", b):
            raise ValueError(f"batch_sizes must hold whole numbers from 1 to the number of examples, got {b!r}")
    validate.boolean(scale_lr, "scale_lr")
    base = batch_sizes[0]
    return [escape_fraction(landscape, start, lr * b / base if scale_lr else lr, b, epochs, runs, seed)
            for b in batch_sizes]


@dataclass
class Comparison:
    """Full-batch descent and mini-batch descent from one start with one learning rate and epoch budget.

    `mini` holds `runs` seeded runs (its first run is the one to draw); `full_basin` and
    `mini_basins` say which minimum each ended in (0 global, 1 the next, -1 not settled).
    """

    full: Descent
    mini: Descent
    full_loss: float
    mini_loss: float
    full_basin: int
    mini_basins: np.ndarray

    @property
    def mini_global_share(self):
        """Share of the mini-batch runs that ended in the global minimum's basin."""
        return float(np.mean(self.mini_basins == 0))


def compare_batch_sizes(landscape, start, lr, batch_size, epochs, runs=50, seed=0):
    """Run full-batch descent and `runs` seeded runs with batch_size from `start`: a Comparison."""
    if not isinstance(landscape, Landscape):
        raise TypeError(f"landscape must be a Landscape, got {type(landscape).__name__}")
    full = descend(landscape, start, lr, landscape.n, epochs)
    mini = descend(landscape, start, lr, batch_size, epochs, runs, seed)
    return Comparison(full, mini, float(landscape.loss(full.final[0])), float(landscape.loss(mini.final[0])),
                      int(final_minimum(landscape, full.final[0])), final_minimum(landscape, mini.final))


# The noise of a mini-batch gradient.

def noise_factor(n, batch_size):
    """(n - B) / (B (n - 1)): the variance of a batch-mean gradient (B of n examples drawn without replacement),
    relative to the variance of one example's gradient."""
    updates_per_epoch(n, batch_size)  # checks the arguments
    if n == 1:
        return 0.0
    return (n - batch_size) / (batch_size * (n - 1))


def gradient_noise(landscape, w, batch_size):
    """(..., 2) -> (...): E|g_B - grad L|^2 at w, for a batch of batch_size examples drawn without replacement."""
    if not isinstance(landscape, Landscape):
        raise TypeError(f"landscape must be a Landscape, got {type(landscape).__name__}")
    factor = noise_factor(landscape.n, batch_size)
    g = landscape.example_gradients(w)  # (..., n, 2)
    per_example = ((g - g.mean(-2, keepdims=True)) ** 2).sum(-1).mean(-1)  # population variance, summed over w1, w2
    return factor * per_example


def noise_temperature(lr, n, batch_size):
    """lr x noise_factor(n, B): how strongly mini-batch noise shakes the weights per unit of descent.

    Stochastic-differential-equation models of SGD (e.g. Smith and Le, 2018) find that this
    ratio, not lr and B separately, sets the noise: the reason for scaling lr with B.
    """
    if not _is_number(lr) or lr <= 0:
        raise ValueError(f"lr (learning rate) must be a positive number, got {lr!r}")
    return lr * noise_factor(n, batch_size)


# Random symmetric matrices: how many critical points are minima in d dimensions?

DEAN_MAJUMDAR_RATE = math.log(3) / 4  # P(a d x d GOE matrix is positive definite) ~ exp(-rate d^2)


def goe_matrices(d, count, rng):
    """(count, d, d) matrices of the Gaussian orthogonal ensemble, (A + A^T) / 2 with A standard normal."""
    if not _is_int(d) or not 1 <= d <= 200:
        raise ValueError(f"d must be a whole number of dimensions from 1 to 200, got {d!r}")
    if not _is_int(count) or not 1 <= count <= 10_000_000 or count * d * d > 50_000_000:
        raise ValueError(f"count must be a whole number >= 1 with count x d^2 at most 5e7, got {count!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator, e.g. np.random.default_rng(0); got {type(rng).__name__}")
    A = rng.normal(size=(count, d, d))
    return (A + A.transpose(0, 2, 1)) / 2


def hessian_index(matrices):
    """(..., d, d) symmetric -> (...) int: the number of negative eigenvalues (0 for a minimum)."""
    A = validate.array(matrices, "matrices", finite=False, nonempty=False)
    if A.ndim < 2 or A.shape[-1] != A.shape[-2] or A.shape[-1] == 0:
        raise ValueError(f"matrices must have shape (..., d, d) with d >= 1, got {A.shape}")
    if not np.all(np.isfinite(A)):
        raise ValueError("matrices must be finite")
    if not np.array_equal(A, np.swapaxes(A, -1, -2)):
        raise ValueError("matrices must be symmetric (a Hessian is)")
    return (np.linalg.eigvalsh(A) < 0).sum(-1)


def positive_definite_fraction(d, count, rng, shift=0.0):
    """Share of `count` GOE matrices (plus shift * I) whose eigenvalues are all positive."""
    if not _is_number(shift):
        raise ValueError(f"shift must be a finite number, got {shift!r}")
    H = goe_matrices(d, count, rng) + shift * np.eye(d)
    return float(np.mean(hessian_index(H) == 0))


# Self-checks for the exercises.

def _answer_number(answer):
    if not _is_number(answer):
        return None
    return float(answer)


def check_update_count(answer, n, batch_size, epochs):
    """Say whether `answer` is the number of updates in `epochs` passes over n examples in batches of batch_size."""
    per_epoch = updates_per_epoch(n, batch_size)
    if not _is_int(epochs) or epochs < 1:
        raise ValueError(f"epochs must be a whole number >= 1, got {epochs!r}")
    right = per_epoch * epochs
    value = _answer_number(answer)
    if value is None:
        return CheckResult(False, f"Not yet: an update count is a whole number, got {answer!r}.")
    if value == right:
        return CheckResult(True, f"Right: ceil({n}/{batch_size}) = {per_epoch} updates per epoch, "
                                 f"x {epochs} epochs = {right}. Full batch would make {epochs}.")
    if value == epochs:
        return CheckResult(False, "Not yet: that is one update per epoch, which only full batch makes.")
    if value == (n // batch_size) * epochs and n % batch_size:
        return CheckResult(False, "Not yet: the last, smaller batch of every epoch is a step too.")
    if value == n * epochs:
        return CheckResult(False, "Not yet: that counts examples seen, not updates; one update uses a whole batch.")
    return CheckResult(False, "Not yet: count the batches in one pass over the data, then multiply by the epochs.")


def check_scaled_learning_rate(answer, base_lr, base_batch, batch):
    """Say whether `answer` is the learning rate the linear scaling rule gives for `batch`."""
    for name, value in (("base_lr", base_lr), ("base_batch", base_batch), ("batch", batch)):
        if not _is_number(value) or value <= 0:
            raise ValueError(f"{name} must be a positive number, got {value!r}")
    right = base_lr * batch / base_batch
    value = _answer_number(answer)
    if value is None:
        return CheckResult(False, f"Not yet: a learning rate is a number, got {answer!r}.")
    if math.isclose(value, right, rel_tol=1e-6):
        return CheckResult(True, f"Right: {base_lr:g} x {batch:g} / {base_batch:g} = {right:g}. "
                                 "Goyal et al. (2017) reach it after a warm-up of 5 epochs.")
    if math.isclose(value, base_lr * math.sqrt(batch / base_batch), rel_tol=1e-6):
        return CheckResult(False, "Not yet: that is square-root scaling; "
                                  "the linear rule multiplies by the ratio itself.")
    if math.isclose(value, base_lr * base_batch / batch, rel_tol=1e-6):
        return CheckResult(False, "Not yet: a larger batch gets a larger learning rate, not a smaller one.")
    return CheckResult(False, "Not yet: multiply the base learning rate by how many times larger the batch is.")


def check_noise_factor(answer, n, batch_size, tol=1e-4):
    """Say whether `answer` is noise_factor(n, batch_size): the batch gradient's variance relative to one example's."""
    right = noise_factor(n, batch_size)
    tol = validate.tolerance(tol, "tol")
    value = _answer_number(answer)
    if value is None:
        return CheckResult(False, f"Not yet: the factor is a number, got {answer!r}.")
    if abs(value - right) <= tol * max(1.0, abs(right)):
        return CheckResult(True, f"Right: (n - B) / (B (n - 1)) = ({n} - {batch_size}) / ({batch_size} x {n - 1}) "
                                 f"= {right:.4g}.")
    if abs(value - 1 / batch_size) <= tol:
        return CheckResult(False, "Not yet: 1/B holds for batches drawn with replacement; "
                                  "an epoch draws without replacement, so the variance is smaller.")
    return CheckResult(False, "Not yet: with B = n the batch is the whole data set and the variance is exactly 0; "
                              "with B = 1 it is one example's variance. Which formula gives both?")
