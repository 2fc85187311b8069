"""What autograd keeps for the backward pass, counted in bytes, and fits of how that count grows.

``saved_bytes(fn, *args)`` runs ``fn(*args)`` under ``torch.autograd.graph.saved_tensors_hooks``
and adds up the tensors autograd packs for backward. Several saved tensors often share one
storage (a layer's output is also the next layer's input), so each storage is counted once.

By default every saved storage counts, parameters included: ``nn.Linear`` saves a view of its
weight for the gradient with respect to its input. That view is no new memory (the weight
exists anyway), so to count only what the forward pass *adds*, the activations, pass the
parameters as ``exclude``: ``saved_bytes(model, x, exclude=model.parameters())``. The result
of ``saved_tensors`` reports both parts (``bytes`` and ``excluded_bytes``).

Tensors on the ``meta`` device carry shapes but no data: autograd saves them all the same, so
the count works there too, for networks too large to run.

The fits refuse NaN and infinite measurements (a fit through NaN is no fit).
"""

from dataclasses import dataclass
import math
import numbers

import numpy as np
import torch

from . import validate

__all__ = [
    "SavedTensor",
    "SavedTensors",
    "saved_tensors",
    "saved_bytes",
    "NodeSave",
    "saved_by_node",
    "format_bytes",
    "PowerLaw",
    "fit_power_law",
    "LinearFit",
    "fit_linear",
]


@dataclass(frozen=True)
class SavedTensor:
    """One tensor packed for backward: its shape, dtype, its storage's bytes and whether it was excluded."""

    shape: tuple
    dtype: torch.dtype
    storage_bytes: int
    storage: int  # an id of the storage, equal for tensors that share memory
    excluded: bool


@dataclass(frozen=True)
class SavedTensors:
    """What one call saved for backward and the call's result.

    ``bytes``: distinct storages not in ``exclude`` (all of them when nothing is excluded);
    ``excluded_bytes``: distinct saved storages that belong to ``exclude``;
    ``storages`` / ``excluded_storages``: how many distinct storages each is;
    ``tensors``: how many times autograd packed a tensor (shared storages counted each time);
    ``saved``: one ``SavedTensor`` per pack, in the order autograd packed them.
    """

    bytes: int
    storages: int
    tensors: int
    result: object
    excluded_bytes: int = 0
    excluded_storages: int = 0
    saved: tuple = ()

    @property
    def total_bytes(self):
        """Saved bytes with the excluded storages counted too: what ``saved_bytes(fn, *args)`` returns."""
        return self.bytes + self.excluded_bytes


def _storage_of(t):
    """A key equal for tensors sharing memory, and that memory's bytes (meta tensors included)."""
    try:
        storage = t.untyped_storage()
    except (RuntimeError, NotImplementedError, TypeError):
        # Tensors without a plain storage (sparse, functorch wrappers): count the tensor itself.
        return ("tensor", id(t)), t.nelement() * t.element_size()
    # _cdata identifies the storage object itself; data_ptr() would be 0 for every meta tensor.
    return ("storage", storage._cdata), storage.nbytes()


def _exclusion_keys(exclude):
    if isinstance(exclude, torch.Tensor):
        exclude = [exclude]
    if isinstance(exclude, (str, bytes)) or not hasattr(exclude, "__iter__"):
        raise TypeError(
            "exclude must be an iterable of tensors, such as model.parameters(), "
            f"not {type(exclude).__name__}"
        )
    keys = set()
    for i, t in enumerate(exclude):
        if not isinstance(t, torch.Tensor):
            raise TypeError(f"exclude must hold tensors only; item {i} is a {type(t).__name__}")
        keys.add(_storage_of(t)[0])
    return keys


def saved_tensors(fn, *args, exclude=(), **kwargs):
    """Run fn(*args, **kwargs) and report what autograd saved for backward (a ``SavedTensors``).

    exclude: tensors (e.g. ``model.parameters()``) whose storages are reported apart, in
    ``excluded_bytes``, instead of in ``bytes``. ``exclude`` is taken by this function, never
    passed on to ``fn``.
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable (a function or an nn.Module), not {type(fn).__name__}")
    excluded_keys = _exclusion_keys(exclude)
    storages = {}
    excluded = {}
    saved = []
    # Holding every packed tensor until the end keeps its storage alive, so no storage id can be
    # reused by a later tensor even if fn frees the graph (e.g. runs backward) before returning.
    alive = []

    def pack(t):
        alive.append(t)
        key, nbytes = _storage_of(t)
        is_excluded = key in excluded_keys
        if nbytes > 0:
            (excluded if is_excluded else storages).setdefault(key, nbytes)
        saved.append(SavedTensor(tuple(t.shape), t.dtype, int(nbytes), hash(key), is_excluded))
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        result = fn(*args, **kwargs)
    return SavedTensors(
        bytes=int(sum(storages.values())),
        storages=len(storages),
        tensors=len(saved),
        result=result,
        excluded_bytes=int(sum(excluded.values())),
        excluded_storages=len(excluded),
        saved=tuple(saved),
    )


def saved_bytes(fn, *args, exclude=(), **kwargs):
    """The bytes of the tensors autograd saved for backward while running fn(*args); shared storages count once.

    Without ``exclude`` every saved storage counts, parameters included (``nn.Linear`` saves a
    view of its weight). ``exclude=model.parameters()`` leaves those storages out: the bytes the
    forward pass adds, i.e. the activations.
    """
    return saved_tensors(fn, *args, exclude=exclude, **kwargs).bytes


@dataclass(frozen=True)
class NodeSave:
    """One tensor a node of the backward graph holds: node name, attribute, shape, bytes, storage id.

    ``excluded``: the storage belongs to one of the tensors passed as ``exclude`` (e.g. a weight).
    """

    node: str
    attribute: str
    shape: tuple
    bytes: int
    storage: int
    excluded: bool = False


def saved_by_node(output, exclude=()):
    """Walk the backward graph of ``output`` and list, node by node, the tensors each node saved.

    Reads the ``_saved_*`` attributes PyTorch exposes on graph nodes (e.g. ``AddmmBackward0``
    has ``_saved_mat1`` and ``_saved_mat2``, ``TanhBackward0`` has ``_saved_result``). Nodes
    come from the output towards the inputs. Call it before backward frees the graph.
    exclude: tensors (e.g. ``model.parameters()``) whose storages are marked ``excluded``.
    """
    excluded_keys = _exclusion_keys(exclude)
    if not isinstance(output, torch.Tensor):
        raise TypeError(f"output must be a tensor, not {type(output).__name__}")
    if output.grad_fn is None:
        raise ValueError("output has no backward graph: it must come from tensors that require grad")
    rows, seen, stack = [], set(), [output.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        for attribute in sorted(a for a in dir(node) if a.startswith("_saved_")):
            try:
                value = getattr(node, attribute)
            except RuntimeError:  # already freed by a backward pass
                continue
            for t in value if isinstance(value, (tuple, list)) else (value,):
                if isinstance(t, torch.Tensor):
                    key, nbytes = _storage_of(t)
                    rows.append(NodeSave(type(node).__name__, attribute.removeprefix("_saved_"),
                                         tuple(t.shape), int(t.nelement() * t.element_size()), hash(key),
                                         key in excluded_keys))
        # Depth-first in reverse so that a chain of blocks is listed in order, output first.
        stack.extend(reversed([n for n, _ in node.next_functions]))
    return rows


def format_bytes(n):
    """int -> str: a byte count in B, KiB, MiB or GiB (binary units)."""
    if isinstance(n, bool) or not isinstance(n, numbers.Real) or not math.isfinite(n) or n < 0:
        raise ValueError(f"n must be a byte count (a number >= 0), got {n!r}")
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:,.2f} {unit}"
    return f"{int(n)} B"


def _as_vector(values, name):
    try:
        scalar = np.ndim(values) == 0
    except ValueError:  # ragged nesting: validate.array below refuses it with its own message
        scalar = False
    if scalar and not isinstance(values, (str, bytes)) and values is not None:
        raise ValueError(f"{name} must be one-dimensional, got a single number")
    try:
        array = validate.array(values, name, finite=False, nonempty=False)
    except ValueError as err:
        raise TypeError(f"{name} must be a sequence of numbers: {err}") from None
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must hold finite numbers only")
    return array


@dataclass(frozen=True)
class PowerLaw:
    """y ≈ coefficient * x**exponent, fitted by least squares on log y against log x."""

    exponent: float
    coefficient: float
    max_relative_error: float  # largest |fit / y - 1| over the fitted points

    def __call__(self, x):
        return self.coefficient * np.asarray(x, dtype=float) ** self.exponent


def fit_power_law(x, y):
    """(n,), (n,) positive -> PowerLaw: slope and intercept of the least-squares line through (log x, log y)."""
    x, y = _as_vector(x, "x"), _as_vector(y, "y")
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}")
    if len(np.unique(x)) < 2:
        raise ValueError("x needs at least two different values to fit an exponent")
    if np.any(x <= 0) or np.any(y <= 0):
        raise ValueError("x and y must be positive: a power law is fitted on their logarithms")
    slope, intercept = np.polyfit(np.log(x), np.log(y), 1)
    fit = PowerLaw(float(slope), float(np.exp(intercept)), 0.0)
    return PowerLaw(fit.exponent, fit.coefficient, float(np.max(np.abs(fit(x) / y - 1))))


@dataclass(frozen=True)
class LinearFit:
    """y ≈ sum of coefficients[name] * feature[name], fitted by least squares."""

    names: tuple
    coefficients: tuple
    max_relative_error: float

    def as_dict(self):
        return dict(zip(self.names, self.coefficients))

    def predict(self, features):
        """(n, k) features in the order of ``names`` -> (n,) fitted values."""
        return np.asarray(features, dtype=float) @ np.asarray(self.coefficients)


def fit_linear(features, y, names):
    """(n, k) features, (n,) y, k names -> LinearFit: least-squares coefficients of y on the features.

    Each column is scaled to unit length before solving, so features of very different
    sizes (L*B*d next to d**2) are fitted equally well.
    """
    y = _as_vector(y, "y")
    try:
        A = validate.array(features, "features", finite=False, nonempty=False)
    except ValueError:
        raise TypeError("features must be a table (n rows, k columns) of numbers") from None
    if isinstance(names, (str, bytes)) or not hasattr(names, "__iter__"):
        raise TypeError(f"names must be a sequence of feature names, got {type(names).__name__}")
    names = tuple(str(n) for n in names)
    if A.ndim != 2 or A.shape[0] != len(y):
        raise ValueError(f"features must have shape (len(y), k) = ({len(y)}, k), got {A.shape}")
    if A.shape[1] != len(names):
        raise ValueError(f"names must name the {A.shape[1]} feature columns, got {len(names)} names")
    if not np.all(np.isfinite(A)):
        raise ValueError("features must hold finite numbers only")
    if A.shape[0] < A.shape[1]:
        raise ValueError(f"{A.shape[0]} measurements cannot determine {A.shape[1]} coefficients "
                         "(features needs at least as many rows as columns)")
    scale = np.linalg.norm(A, axis=0)
    if np.any(scale == 0):
        raise ValueError("a column of features is all zeros: its coefficient cannot be fitted")
    solution = np.linalg.lstsq(A / scale, y, rcond=None)[0] / scale
    predicted = A @ solution
    nonzero = y != 0
    error = float(np.max(np.abs(predicted[nonzero] / y[nonzero] - 1))) if nonzero.any() else 0.0
    return LinearFit(names, tuple(float(c) for c in solution), error)
