"""Principal component analysis of a covariance matrix, and the rank behind exam question I(F).

The principal components of data with covariance ``C`` are the eigenvectors of ``C``; the
variance along each is its eigenvalue. Zero eigenvalues are directions the data never vary in,
so the number of components with non-zero variance is ``rank(C)``.

NaN: every function here refuses matrices with NaN or infinite entries, and tolerances that
are negative, NaN or infinite; matrices hold at most ``MAX_ENTRIES`` entries (a 2000 x 2000
eigendecomposition takes seconds).
"""

from typing import NamedTuple
import numbers

import numpy as np

from . import validate
from .checks import CheckResult

__all__ = [
    "EXAM_COVARIANCE",
    "SYMMETRY_RTOL",
    "PCAResult",
    "pca",
    "rank",
    "is_positive_semidefinite",
    "explained_variance_ratio",
    "sample_with_covariance",
    "rank_tolerance",
    "null_space",
    "check_covariance",
    "check_rank",
]

EXAM_COVARIANCE = np.array(
    [
        [2.5, 5.0, 0.5],
        [5.0, 10.0, 1.0],
        [0.5, 1.0, 5.0],
    ]
)
EXAM_COVARIANCE.setflags(write=False)  # a shared constant: copy it before changing it

# A matrix counts as symmetric when max|C - C^T| <= SYMMETRY_RTOL * max|C|: loose enough for
# covariances computed in floating point, tight enough to catch a wrongly typed entry.
SYMMETRY_RTOL = 1e-8
MAX_ENTRIES = 4_000_000


class PCAResult(NamedTuple):
    """Eigenvalues (d,) in descending order and unit eigenvectors (d, d) as columns."""

    eigenvalues: np.ndarray
    eigenvectors: np.ndarray


def _as_matrix(C, name="C"):
    """array-like -> 2-D float array with finite entries."""
    try:
        C = np.asarray(C)
    except ValueError as err:
        raise ValueError(f"{name} must be a 2-D array with rows of equal length: {err}") from None
    if C.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {C.dtype}")
    C = C.astype(np.float64)
    if C.ndim != 2:
        raise ValueError(f"{name} must be a 2-D matrix, got shape {C.shape}")
    if C.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {C.shape}")
    if not np.all(np.isfinite(C)):
        raise ValueError(f"{name} must have finite entries (no NaN or inf)")
    if C.size > MAX_ENTRIES:
        raise ValueError(f"{name} has {C.size:,} entries, more than the limit of {MAX_ENTRIES:,}")
    return C


def _as_symmetric(C):
    """array-like -> (d, d) float array, checked square and symmetric within SYMMETRY_RTOL."""
    C = _as_matrix(C)
    if C.shape[0] != C.shape[1]:
        raise ValueError(f"C must be square (d, d), got shape {C.shape}")
    asymmetry = np.abs(C - C.T).max()
    if asymmetry > SYMMETRY_RTOL * np.abs(C).max():
        i, j = np.unravel_index(np.abs(C - C.T).argmax(), C.shape)
        raise ValueError(
            f"C must be symmetric like a covariance matrix, but C[{i}, {j}] = {C[i, j]} "
            f"while C[{j}, {i}] = {C[j, i]}"
        )
    return C


def _default_tol(values, d):
    """The tolerance numpy.linalg.matrix_rank uses: max|value| * d * machine epsilon."""
    return np.abs(values).max() * d * np.finfo(np.float64).eps


def _check_tol(tol):
    if tol is None:
        return None
    return validate.tolerance(tol, "tol")


def pca(C):
    """(d, d) symmetric -> PCAResult: eigenvalues (d,) descending, unit eigenvectors as columns.

    ``C @ V[:, i] == eigenvalues[i] * V[:, i]`` and ``C == V @ diag(eigenvalues) @ V.T``.
    Eigenvectors are unique only up to sign, so each is flipped to make its largest-magnitude
    entry positive (the first such entry on ties); for repeated eigenvalues the basis of their
    eigenspace is whatever numpy.linalg.eigh returns. Eigenvalues are not clipped: a zero one
    may come out as a tiny negative number such as -1e-16.
    """
    C = _as_symmetric(C)
    # eigh reads one triangle only; average so both count
    eigenvalues, eigenvectors = np.linalg.eigh((C + C.T) / 2)
    order = np.argsort(eigenvalues)[::-1]
    eigenvalues, eigenvectors = eigenvalues[order], eigenvectors[:, order]
    largest = np.argmax(np.abs(eigenvectors), axis=0)
    signs = np.sign(eigenvectors[largest, np.arange(eigenvectors.shape[1])])
    return PCAResult(eigenvalues, eigenvectors * signs)


def rank(C, tol=None):
    """(M, N) -> int: numerical rank, the number of singular values greater than tol.

    For a symmetric matrix the singular values are the absolute eigenvalues. The default tol is
    NumPy's ``matrix_rank`` default, ``S.max() * max(M, N) * eps`` with ``S`` the singular
    values and ``eps`` the float64 machine epsilon, so the result agrees with
    ``numpy.linalg.matrix_rank(C)``.
    """
    C = _as_matrix(C)
    tol = _check_tol(tol)
    singular_values = np.linalg.svd(C, compute_uv=False)
    if tol is None:
        tol = _default_tol(singular_values, max(C.shape))
    return int(np.sum(singular_values > tol))


def is_positive_semidefinite(C, tol=None):
    """(d, d) symmetric -> bool: whether every eigenvalue is >= -tol.

    The default tol is the same as ``rank``'s, ``max|eigenvalue| * d * eps``, so round-off in a
    zero eigenvalue does not count as negative. A non-symmetric C raises ValueError.
    """
    C = _as_symmetric(C)
    tol = _check_tol(tol)
    eigenvalues = np.linalg.eigvalsh((C + C.T) / 2)
    if tol is None:
        tol = _default_tol(eigenvalues, C.shape[0])
    return bool(eigenvalues.min() >= -tol)


def explained_variance_ratio(C):
    """(d, d) covariance -> (d,): each principal component's share of the total variance.

    Descending, non-negative and summing to 1. Eigenvalues within round-off of zero (within the
    default tol of ``rank``) count as exactly 0, so the number of non-zero ratios is the rank.
    """
    eigenvalues, _ = _psd_eigh(_as_symmetric(C))
    total = eigenvalues.sum()
    if total == 0:
        raise ValueError("C is the zero matrix: with no variance there are no variance ratios")
    return eigenvalues / total


def _psd_eigh(C):
    """(d, d) symmetric -> eigenvalues (d,) descending with round-off zeroed, eigenvectors (d, d).

    ValueError if C has an eigenvalue below -tol, tol being ``rank``'s default.
    """
    eigenvalues, eigenvectors = np.linalg.eigh((C + C.T) / 2)
    eigenvalues, eigenvectors = eigenvalues[::-1], eigenvectors[:, ::-1]
    tol = _default_tol(eigenvalues, C.shape[0])
    if eigenvalues.min() < -tol:
        raise ValueError(
            f"C is not positive semidefinite (it has eigenvalue {eigenvalues.min():.6g} < 0), "
            "so it is not a covariance matrix"
        )
    # a zero eigenvalue computes as +-1e-16 or so; leaving it would put samples of a singular
    # C a little outside its range (sqrt(1e-16) = 1e-8)
    eigenvalues = np.where(np.abs(eigenvalues) <= tol, 0.0, eigenvalues)
    return eigenvalues, eigenvectors


def sample_with_covariance(C, n, generator):
    """(d, d) covariance, n -> (n, d): n zero-mean Gaussian samples whose covariance is C.

    Each sample is ``V @ diag(sqrt(eigenvalues)) @ z`` with ``z`` standard normal, using the
    eigendecomposition of C with eigenvalues within round-off of zero set to 0, so a singular
    C (such as EXAM_COVARIANCE) works: its samples lie in the range of C, a subspace of
    dimension rank(C).
    generator: a numpy.random.Generator, e.g. ``np.random.default_rng(0)``.
    """
    if not isinstance(generator, np.random.Generator):
        raise TypeError(
            "generator must be a numpy.random.Generator such as np.random.default_rng(0), "
            f"got {type(generator).__name__}"
        )
    n = validate.size(n, "n (the number of samples)")
    C = _as_symmetric(C)
    validate.work(n * C.shape[0], "n and C", validate.MAX_ELEMENTS, "sampled numbers")
    eigenvalues, eigenvectors = _psd_eigh(C)
    root = eigenvectors * np.sqrt(eigenvalues)  # (d, d), root @ root.T == C
    z = generator.standard_normal((int(n), C.shape[0]))  # (n, d)
    return z @ root.T  # (n, d)


def rank_tolerance(C):
    """(M, N) -> float: the tolerance ``rank(C)`` uses by default, S.max() * max(M, N) * eps.

    Singular values at or below it count as zero: round-off in a matrix of this size and scale
    can make a true zero come out that large.
    """
    C = _as_matrix(C)
    return float(_default_tol(np.linalg.svd(C, compute_uv=False), max(C.shape)))


def null_space(C, tol=None):
    """(M, N) -> (N, N - rank): orthonormal columns spanning the directions C maps to zero.

    The right singular vectors whose singular values are at most tol (default: ``rank``'s),
    so ``null_space(C).shape[1] == N - rank(C, tol)``. For a covariance these are the
    directions in which the data do not vary. Signs follow ``pca``'s convention (largest
    entry positive).
    """
    C = _as_matrix(C)
    tol = _check_tol(tol)
    _, singular_values, vt = np.linalg.svd(C)
    if tol is None:
        tol = _default_tol(singular_values, max(C.shape))
    n_nonzero = int(np.sum(singular_values > tol))
    basis = vt[n_nonzero:].T  # (N, N - rank)
    if basis.shape[1]:
        largest = np.argmax(np.abs(basis), axis=0)
        basis = basis * np.sign(basis[largest, np.arange(basis.shape[1])])
    return basis


_numerical_rank = rank  # check_covariance's argument `rank` hides the function


def check_covariance(C, rank=None):
    """Say whether C can be a covariance matrix (of the given rank, if one is given), and why not.

    A covariance matrix is square, symmetric and positive semidefinite; the rank is counted
    with ``rank``'s default tolerance. Returns a CheckResult (true when right).
    """
    target = rank
    if target is not None and (isinstance(target, bool) or not isinstance(target, numbers.Integral)):
        raise TypeError(f"rank must be an integer or None, got {target!r}")
    if target is not None and target < 0:
        raise ValueError(f"rank must be at least 0, got {target}")
    try:
        C = _as_symmetric(C)
    except ValueError as err:
        return CheckResult(False, f"Not a covariance matrix: {err}.")
    eigenvalues = np.linalg.eigvalsh((C + C.T) / 2)
    if not is_positive_semidefinite(C):
        return CheckResult(
            False,
            f"Not a covariance matrix: it has the negative eigenvalue {eigenvalues.min():.4g}, "
            "a direction with negative variance. Covariance matrices are positive semidefinite.",
        )
    r = _numerical_rank(C)
    shape = f"{C.shape[0]}×{C.shape[1]}"
    if target is None:
        return CheckResult(True, f"Right: a {shape} covariance matrix of rank {r}.")
    if C.shape[0] < target:
        return CheckResult(
            False, f"Not yet: a {shape} matrix cannot have rank {target}; it needs at least {target} rows."
        )
    if r == target:
        return CheckResult(True, f"Right: a {shape} covariance matrix of rank {r}.")
    return CheckResult(
        False,
        f"Not yet: this covariance matrix has rank {r}, not {target} "
        f"({r} of its eigenvalues are above the tolerance {rank_tolerance(C):.2g}).",
    )


def check_rank(C, answer, tol=None):
    """Say whether ``answer`` is the number of components of C with non-zero variance, rank(C, tol)."""
    if isinstance(answer, bool) or not isinstance(answer, numbers.Integral):
        raise TypeError(f"answer must be an integer, got {answer!r}")
    right = rank(C, tol)
    if answer == right:
        return CheckResult(True, f"Right: rank {right}.")
    direction = "too high" if answer > right else "too low"
    return CheckResult(
        False,
        f"Not yet: {answer} is {direction}. Count the eigenvalues above the tolerance "
        f"{rank_tolerance(C) if tol is None else tol:.2g}: pca(C).eigenvalues lists them.",
    )
