"""Invariance, measured: how a function of particle configurations responds to permutations and rotations.

Question III is about functions F of a configuration X (m particles in 3D) that should not
change when the particles are renumbered or the configuration is turned. This module measures
that for any such function (the property P, an MLP, DeepSets), compares pooling operations
over the particle axis (sum, mean, max, ... and some that are not invariant), and checks a
reader's attempt to permute particles.

NaN: ``pool`` is a network layer and passes NaN features through, as PyTorch does; every
other function refuses NaN configurations, the measurements also a function ``f`` that
returns NaN, and tolerances must be finite and >= 0. ``check_particle_permutation`` judges a reader's X_new and answers
"not yet" for NaN in it. Counts have the ceilings of ``dlexam.validate``.
"""

from dataclasses import dataclass

import numpy as np
import torch

from . import augment, validate
from .checks import CheckResult

TRANSFORMS = ("permutations", "rotations", "both")


def _check_batch(X):
    if not isinstance(X, torch.Tensor):
        raise TypeError(f"X must be a torch tensor, got {type(X).__name__}; use torch.as_tensor(X)")
    if X.ndim != 3 or X.shape[-1] != 3 or X.shape[0] < 1:
        raise ValueError(f"X must have shape (B, m, 3) with B >= 1, got {tuple(X.shape)}")
    if not X.is_floating_point():
        raise TypeError(f"X must be a floating-point tensor, got {X.dtype}")
    validate.tensor(X, "X")


def _check_generator(generator):
    if not isinstance(generator, torch.Generator):
        raise TypeError(
            f"generator must be a torch.Generator, got {type(generator).__name__}; "
            "create one with torch.Generator().manual_seed(seed)"
        )


def transformed_copies(X, n_copies, kind, generator):
    """(B, m, 3) -> (n_copies, B, m, 3): each configuration permuted and/or rotated n_copies times.

    ``kind`` is "permutations", "rotations" or "both"; every copy of every configuration gets its
    own random transformation, drawn from ``generator`` (uniform permutations, uniform rotations).
    """
    _check_batch(X)
    _check_generator(generator)
    validate.choice(kind, "kind", TRANSFORMS)
    if not isinstance(n_copies, (int, np.integer)) or isinstance(n_copies, bool) or n_copies < 1:
        raise ValueError(f"n_copies must be a whole number of at least 1, got {n_copies!r}")
    B, m, _ = X.shape
    validate.work(int(n_copies) * B * m * 3, "n_copies and X", validate.MAX_ELEMENTS, "coordinates")
    tiled = X.unsqueeze(0).expand(n_copies, B, m, 3).reshape(n_copies * B, m, 3)  # (n*B, m, 3)
    rotate, permute = kind in ("rotations", "both"), kind in ("permutations", "both")
    out = augment.augment(tiled, rotate=rotate, permute=permute, generator=generator)
    return out.reshape(n_copies, B, m, 3)


def outputs_under_transforms(f, X, n_copies=100, kind="permutations", generator=None):
    """f: (B, m, 3) -> (B,); returns (reference (B,), outputs (n_copies, B)), both float64 tensors.

    ``reference`` is f(X); ``outputs[k, b]`` is f of the k-th random transformation of X[b].
    Gradients are off. Any callable works: ``particles.target``, an MLP, a DeepSets model.
    """
    if not callable(f):
        raise TypeError(f"f must be a function or a model, got {type(f).__name__}")
    if generator is None:
        raise TypeError("pass generator=torch.Generator().manual_seed(seed): the measurement must be reproducible")
    copies = transformed_copies(X, n_copies, kind, generator)  # (n, B, m, 3)
    n, B = copies.shape[:2]
    with torch.no_grad():
        reference = _one_per_configuration(f(X), B)
        outputs = _one_per_configuration(f(copies.reshape(n * B, *X.shape[1:])), n * B).reshape(n, B)
    return reference, outputs


def _one_per_configuration(values, B):
    """What f returned -> (B,) float64, or a ValueError naming f."""
    try:
        values = torch.as_tensor(values).detach()
    except (TypeError, ValueError, RuntimeError):
        raise TypeError(f"f must return numbers (a tensor of shape ({B},)), got {type(values).__name__}") from None
    if values.is_complex() or values.dtype == torch.bool or values.numel() != B:
        raise ValueError(f"f must return one real number per configuration, shape ({B},), "
                         f"got {tuple(values.shape)} of dtype {values.dtype}")
    values = values.reshape(-1).to(torch.float64)
    if not bool(torch.isfinite(values).all()):
        raise ValueError("f returned NaN or infinite values: the change under transformations cannot be measured")
    return values


@dataclass(frozen=True)
class InvarianceGap:
    """How far f moves under random transformations of its input; 0 for an exactly invariant f."""

    kind: str
    reference: np.ndarray  # (B,) f(X)
    outputs: np.ndarray  # (n_copies, B) f of the transformed copies
    max_abs_change: float  # max over copies and configurations of |f(TX) - f(X)|
    max_rel_change: float  # max_abs_change / max |f(X)|
    spread_ratio: float  # mean over configurations of the std over copies, / std over configurations

    @property
    def per_configuration(self):
        """(B,) the largest |f(TX) - f(X)| of each configuration over its copies."""
        return np.abs(self.outputs - self.reference[None]).max(axis=0)


def invariance_gap(f, X, n_copies=100, kind="permutations", generator=None):
    """InvarianceGap of f on the configurations X under n_copies random transformations each."""
    reference, outputs = outputs_under_transforms(f, X, n_copies, kind, generator)
    ref, out = reference.numpy(), outputs.numpy()
    change = np.abs(out - ref[None])
    scale = np.abs(ref).max()
    spread_between = ref.std() if len(ref) > 1 else 0.0
    spread_within = out.std(axis=0).mean()
    return InvarianceGap(
        kind=kind,
        reference=ref,
        outputs=out,
        max_abs_change=float(change.max()),
        max_rel_change=float(change.max() / scale) if scale > 0 else float(change.max()),
        spread_ratio=float(spread_within / spread_between) if spread_between > 0 else float("nan"),
    )


def _index_weights(features):
    m = features.shape[1]
    # Count in int64, then convert: arange in float16/bfloat16 accumulates rounding and gives wrong
    # weights beyond 2048/256 (e.g. 256 instead of 258 for particle 258 in bfloat16).
    return torch.arange(1, m + 1).to(features.dtype)[None, :, None]  # (1, m, 1)


# Each maps features (B, m, k) to pooled features (B, k).
POOLINGS = {
    "sum": lambda h: h.sum(dim=1),
    "mean": lambda h: h.mean(dim=1),
    "max": lambda h: h.amax(dim=1),
    "min": lambda h: h.amin(dim=1),
    "logsumexp": lambda h: torch.logsumexp(h, dim=1),
    "product": lambda h: h.prod(dim=1),
    "first particle": lambda h: h[:, 0],
    "sum weighted by index": lambda h: (_index_weights(h) * h).sum(dim=1),
    "sum of the first half": lambda h: h[:, : h.shape[1] // 2].sum(dim=1),
    "max minus first": lambda h: h.amax(dim=1) - h[:, 0],
}


def pool(features, how="sum"):
    """(B, m, k) -> (B, k): pool per-particle features over the particle axis with POOLINGS[how]."""
    if not isinstance(how, str) or how not in POOLINGS:
        raise ValueError(f"how must be one of {', '.join(map(repr, POOLINGS))}, got {validate.got(how)}")
    if not isinstance(features, torch.Tensor) or features.ndim != 3 or features.shape[1] < 1:
        shape = tuple(features.shape) if isinstance(features, torch.Tensor) else type(features).__name__
        raise ValueError(f"features must be a tensor of shape (B, m, k) with m >= 1, got {shape}")
    validate.tensor(features, "features", finite=False)
    return POOLINGS[how](features)


def pooling_gap(how, n_configurations=64, m=20, k=8, n_permutations=50, seed=0):
    """Largest change of pool(h, how) when the m rows of random features h are permuted (float64)."""
    if not isinstance(how, str) or how not in POOLINGS:
        raise ValueError(f"how must be one of {', '.join(map(repr, POOLINGS))}, got {validate.got(how)}")
    n_configurations = validate.size(n_configurations, "n_configurations")
    m, k = validate.size(m, "m"), validate.size(k, "k")
    n_permutations = validate.size(n_permutations, "n_permutations")
    seed = validate.integer(seed, "seed", 0)
    validate.work(n_permutations * n_configurations * m * k, "n_permutations, n_configurations, m and k",
                  validate.MAX_ELEMENTS, "features")
    generator = torch.Generator().manual_seed(seed)
    h = torch.randn(n_configurations, m, k, generator=generator, dtype=torch.float64)
    reference = pool(h, how)  # (B, k)
    perms = augment.random_permutations(n_permutations * n_configurations, m, generator)
    tiled = h.repeat(n_permutations, 1, 1)  # (n*B, m, k)
    permuted = torch.gather(tiled, 1, perms[:, :, None].expand(-1, -1, k))
    pooled = pool(permuted, how).reshape(n_permutations, n_configurations, k)
    return float((pooled - reference[None]).abs().max() / reference.abs().max().clamp_min(1e-300))


def invariant_poolings(tol=1e-12):
    """The names in POOLINGS whose output does not change (relative to tol) when particles are permuted."""
    tol = validate.tolerance(tol, "tol")
    return {name for name in POOLINGS if pooling_gap(name) <= tol}


def check_invariant_poolings(answer):
    """Say whether ``answer`` (a set of names from POOLINGS) is exactly the permutation-invariant ones."""
    if isinstance(answer, str) or not hasattr(answer, "__iter__"):
        raise TypeError(f"answer must be a set of pooling names such as {{'sum', 'mean'}}, got {answer!r}")
    answer = set(answer)
    unknown = answer - set(POOLINGS)
    if unknown:
        raise ValueError(f"answer holds unknown pooling {sorted(unknown)}: choose from {', '.join(map(repr, POOLINGS))}")
    right = invariant_poolings()
    if answer == right:
        return CheckResult(True, f"Right: {', '.join(sorted(right))} are permutation invariant; "
                                 "each treats every particle alike and does not depend on their order.")
    lines = []
    for name in sorted(answer - right):
        lines.append(f"'{name}' is not invariant: permuting the particles changes it "
                     f"(by up to {pooling_gap(name):.2g} of its size on random features); "
                     "it singles out particles by their position in the list.")
    for name in sorted(right - answer):
        lines.append(f"'{name}' is invariant too: it combines all particles with a symmetric "
                     "operation, so their order cannot matter.")
    return CheckResult(False, "Not yet:\n" + "\n".join(lines))


def check_particle_permutation(X, X_new, atol=0.0, each_its_own=False):
    """Say whether X_new holds the same configurations as X, each with its particles reordered.

    Right when configuration b of X_new has exactly the particles of configuration b of X (as
    rows of 3 coordinates), and at least one configuration is reordered. The message also says
    whether every configuration got the same permutation or its own; with ``each_its_own`` the
    same permutation for a whole batch of several configurations is *not yet* right.
    """
    X, X_new = (torch.as_tensor(np.asarray(v)) if isinstance(v, np.ndarray) else v for v in (X, X_new))
    for name, value in (("X", X), ("X_new", X_new)):
        if not isinstance(value, torch.Tensor) or value.ndim != 3 or value.shape[-1] != 3:
            shape = tuple(value.shape) if hasattr(value, "shape") else type(value).__name__
            raise ValueError(f"{name} must have shape (B, m, 3), got {shape}")
        validate.tensor(value, name, floating=False, finite=name == "X")
        if value.dtype == torch.bool:
            raise TypeError(f"{name} must hold coordinates (numbers), got dtype {value.dtype}")
    atol = validate.tolerance(atol, "atol")
    validate.boolean(each_its_own, "each_its_own")
    validate.work(X.shape[0] * X.shape[1] * max(X.shape[1], X_new.shape[1]) * 3, "X", validate.MAX_ELEMENTS,
                  "coordinate differences")
    if X_new.shape != X.shape:
        return CheckResult(False, f"Not yet: the shape changed from {tuple(X.shape)} to {tuple(X_new.shape)}.")
    X, X_new = X.to(torch.float64), X_new.to(torch.float64)
    B, m, _ = X.shape
    # Match each new particle to an old particle of the same configuration by its coordinates.
    distance = (X_new[:, :, None, :] - X[:, None, :, :]).abs().amax(dim=-1)  # (B, m_new, m_old)
    best, index = distance.min(dim=2)  # (B, m)
    matched = best <= atol
    bijective = torch.tensor([torch.unique(index[b]).numel() == m for b in range(B)])
    ok = matched.all(dim=1) & bijective  # (B,)
    if not bool(ok.all()):
        b = int((~ok).nonzero()[0])
        # Were whole configurations swapped instead of particles?
        swapped = [c for c in range(B) if c != b and torch.allclose(
            torch.sort(X_new[b], dim=0).values, torch.sort(X[c], dim=0).values, atol=max(atol, 1e-12))]
        if swapped:
            why = (f"configuration {b} now holds the particles of configuration {swapped[0]}: the "
                   "configurations were shuffled (axis 0), not the particles (axis 1); their targets y "
                   "no longer match")
        elif bool(matched[b].all()):
            why = f"in configuration {b} some particles appear twice and others are missing"
        else:
            why = (f"configuration {b} contains points that are not particles of the original: "
                   "coordinates were mixed between particles, which changes the configuration and P")
        return CheckResult(False, f"Not yet: {int((~ok).sum())} of {B} configurations are not reorderings "
                                  f"of their original: {why}.")
    identity = torch.arange(m)[None].expand(B, m)
    moved = (index != identity).any(dim=1)
    if not bool(moved.any()):
        return CheckResult(False, "Not yet: nothing moved; every particle is where it was.")
    same = bool((index == index[:1]).all()) and B > 1
    if same and each_its_own:
        return CheckResult(False, "Not yet: every configuration got the same permutation. That is a valid "
                                  "reordering, but a batch then sees one ordering only; give each "
                                  "configuration its own.")
    kind = ("every configuration got the same permutation: valid, but a batch sees one ordering only"
            if same else "each configuration got its own permutation")
    return CheckResult(True, f"Right: each configuration holds its own particles, reordered; {kind}.")


def signed_volume(X):
    """(B, m, 3) -> (B,): (x1 - x0) . ((x2 - x0) x (x3 - x0)), the signed volume spanned by the first four particles.

    A property that is invariant to rotations but not to reflections: a reflection flips its
    sign (the handedness, or chirality, of the four points), a rotation leaves it unchanged.
    """
    _check_batch(X)
    if X.shape[1] < 4:
        raise ValueError(f"X must hold at least 4 particles per configuration for a signed volume, got {X.shape[1]}")
    X = X.to(torch.float64)
    a, b, c = (X[:, k] - X[:, 0] for k in (1, 2, 3))  # (B, 3) each
    return (a * torch.linalg.cross(b, c)).sum(dim=-1)
