"""Batchwise data augmentation for particle systems (exam III(B)): random rotations and permutations.

Three ways to sample a random 3x3 orthogonal matrix, compared in the book:

- ``qr_hint_rotations``: the exam's hint, ``np.linalg.qr(np.random.normal(size=(3, 3)))[0]``.
  With LAPACK's Householder QR, Q is the product of two reflections, so it is always a
  proper rotation, but it is not uniform: its mean is far from 0.
- ``haar_orthogonal``: the same QR with each column of Q multiplied by the sign of R's
  diagonal (Mezzadri, 2007). This is uniform (Haar) over O(3): half are reflections.
- ``random_rotations``: ``haar_orthogonal`` with one column of each reflection flipped,
  which is uniform over the rotations SO(3). The book's augmentation uses this one.

All are batched (no Python loop over samples) and draw from an explicit torch.Generator.

Also here, for III(E): ``nearest_copy_distance``, how close the augmented copies that training
shows come to a new one, which is why a small continuous group is learnt from examples far
more easily than the 20! orderings of the particles.

NaN: the transformations (``apply_rotations``, ``apply_permutations``, ``augment``) only move
particles, so NaN coordinates stay NaN in the particle that had them; rotations and
permutations must be finite and valid (a permutation of 0..m-1 per row). Samplers,
``rotation_statistics`` and ``nearest_copy_distance`` refuse NaN. Counts have the ceilings
of ``dlexam.validate``.
"""

from dataclasses import dataclass

import numpy as np
import torch

from . import validate


@dataclass(frozen=True)
class RotationStatistics:
    """Moments of a sample of 3x3 matrices; uniform rotations have mean 0, E[tr] = 0, E[tr^2] = 1."""

    n: int
    mean: np.ndarray  # (3, 3)
    mean_trace: float
    mean_trace_squared: float
    fraction_proper: float  # fraction with det = +1
    max_orthogonality_error: float  # max |R^T R - I|


def _check_count(n, name="n"):
    return validate.size(n, name)


def _check_generator(generator):
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(
            f"generator must be a torch.Generator or None, got {type(generator).__name__}; "
            "create one with torch.Generator().manual_seed(seed)"
        )


def _check_dtype(dtype):
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(f"dtype must be a floating torch dtype such as torch.float32, got {dtype!r}: "
                        "rotation matrices are not whole numbers")
    return dtype


def _check_rotation_count(n):
    n = _check_count(n)
    validate.work(9 * n, "n", validate.MAX_ELEMENTS, "matrix entries")
    return n


def _check_normals(A):
    if not isinstance(A, torch.Tensor) or A.ndim != 3 or A.shape[1:] != (3, 3):
        shape = tuple(A.shape) if isinstance(A, torch.Tensor) else type(A).__name__
        raise ValueError(f"A must be a tensor of shape (n, 3, 3), got {shape}")
    validate.tensor(A, "A", floating=False)
    return A


def _sign_fixed_qr(A):
    """(n, 3, 3) standard normal -> (n, 3, 3) Q of A = QR with R's diagonal made positive."""
    Q, R = torch.linalg.qr(A.to(torch.float64))  # (n, 3, 3) each
    # QR is unique only up to the signs of R's diagonal; fixing them makes Q uniform.
    signs = torch.where(torch.diagonal(R, dim1=1, dim2=2) < 0, -1.0, 1.0)  # (n, 3)
    return Q * signs[:, None, :]  # scales Q's columns


def haar_orthogonal(n, generator=None, dtype=torch.float32):
    """n -> (n, 3, 3): uniform (Haar) orthogonal matrices; about half have det -1."""
    n = _check_rotation_count(n)
    _check_generator(generator)
    _check_dtype(dtype)
    A = torch.randn(n, 3, 3, generator=generator, dtype=torch.float64)  # (n, 3, 3)
    return _sign_fixed_qr(A).to(dtype)


def random_rotations(n, generator=None, dtype=torch.float32):
    """n -> (n, 3, 3): uniform (Haar) random rotations, det +1."""
    n = _check_rotation_count(n)
    _check_generator(generator)
    _check_dtype(dtype)
    A = torch.randn(n, 3, 3, generator=generator, dtype=torch.float64)  # (n, 3, 3)
    return rotations_from_normal(A).to(dtype)


def rotations_from_normal(A):
    """(n, 3, 3) standard normal matrices -> (n, 3, 3) uniform rotations: sign-fixed QR, then det +1.

    ``random_rotations`` draws A and calls this; the trainer draws A for several runs from
    their own generators and turns them into rotations in one batched call.
    """
    _check_normals(A)
    Q = _sign_fixed_qr(A)  # (n, 3, 3), uniform on O(3)
    det = (Q[:, :, 0] * torch.linalg.cross(Q[:, :, 1], Q[:, :, 2])).sum(dim=1)  # (n,), +-1
    # Flipping one column maps the reflections one-to-one onto the rotations and keeps
    # the distribution uniform (Haar measure is invariant under this fixed product).
    flip = torch.where(det < 0, -1.0, 1.0).to(Q.dtype)  # (n,)
    return torch.cat([Q[:, :, :1] * flip[:, None, None], Q[:, :, 1:]], dim=2)  # (n, 3, 3)


def qr_hint_rotations(n, generator=None, dtype=torch.float32):
    """n -> (n, 3, 3): the exam's hint, Q of np.linalg.qr of standard normal 3x3 matrices.

    Proper rotations, but not uniform: the mean is about diag(-0.5, -0.48, 0.48).
    """
    n = _check_rotation_count(n)
    _check_generator(generator)
    _check_dtype(dtype)
    A = torch.randn(n, 3, 3, generator=generator, dtype=torch.float64)  # (n, 3, 3)
    return qr_hint_from_normal(A).to(dtype)


def qr_hint_from_normal(A):
    """(n, 3, 3) standard normal matrices -> (n, 3, 3): the hint's Q, np.linalg.qr as it comes, signs unfixed."""
    _check_normals(A)
    Q = np.linalg.qr(A.to(torch.float64).numpy())[0]  # (n, 3, 3), LAPACK per matrix, as in the hint
    return torch.from_numpy(Q)


ROTATION_SAMPLERS = {
    "exam hint: Q of QR": qr_hint_rotations,
    "QR with signs fixed: uniform on O(3)": haar_orthogonal,
    "random_rotations: uniform on SO(3)": random_rotations,
}


def random_permutations(n, m, generator=None):
    """(n, m) long tensor: each row a uniformly random permutation of 0..m-1."""
    n = _check_count(n)
    m = _check_count(m, "m")
    validate.work(n * m, "n and m", validate.MAX_ELEMENTS, "permutation entries")
    _check_generator(generator)
    # Sorting i.i.d. uniforms gives every ordering the same chance unless two values tie; in
    # float32 a tie among 20 values has probability ~1e-5 per row, in float64 ~1e-14.
    return torch.rand(n, m, generator=generator, dtype=torch.float64).argsort(dim=1)  # (n, m)


def _check_batch(X):
    if not isinstance(X, torch.Tensor):
        raise TypeError(f"X must be a torch tensor, got {type(X).__name__}; use torch.as_tensor(X)")
    if X.ndim != 3 or X.shape[-1] != 3:
        raise ValueError(f"X must have shape (B, m, 3), got {tuple(X.shape)}")
    if not X.is_floating_point():
        raise TypeError(f"X must be a floating-point tensor, got {X.dtype}")


def apply_rotations(X, R):
    """(B, m, 3), (B, 3, 3) -> (B, m, 3): each configuration b rotated by R[b], x -> R[b] x."""
    _check_batch(X)
    if not isinstance(R, torch.Tensor) or R.shape != (X.shape[0], 3, 3):
        shape = tuple(R.shape) if isinstance(R, torch.Tensor) else type(R).__name__
        raise ValueError(f"R must be a tensor of shape ({X.shape[0]}, 3, 3) to match X, got {shape}")
    validate.tensor(R, "R", floating=False)
    return X @ R.to(X.dtype).transpose(1, 2)  # rows are particles: x^T R^T = (R x)^T


def apply_permutations(X, permutations):
    """(B, m, 3), (B, m) -> (B, m, 3): particle i of configuration b is old particle permutations[b, i]."""
    _check_batch(X)
    if not isinstance(permutations, torch.Tensor) or permutations.shape != X.shape[:2]:
        shape = tuple(permutations.shape) if isinstance(permutations, torch.Tensor) else type(permutations).__name__
        raise ValueError(f"permutations must have shape {tuple(X.shape[:2])} to match X, got {shape}")
    if permutations.is_floating_point() or permutations.is_complex() or permutations.dtype == torch.bool:
        raise TypeError(f"permutations must hold whole numbers (an integer tensor), got dtype {permutations.dtype}")
    if not torch.equal(permutations.sort(dim=1).values, torch.arange(X.shape[1]).expand(X.shape[0], -1)):
        raise ValueError(f"every row of permutations must be a permutation of 0..{X.shape[1] - 1}: each "
                         "particle exactly once (a repeated index would duplicate a particle)")
    index = permutations.long()[:, :, None].expand(-1, -1, 3)  # (B, m, 3)
    return torch.gather(X, 1, index)


def augment(X, rotate=True, permute=True, generator=None):
    """(B, m, 3) -> (B, m, 3): a copy, each configuration randomly rotated and/or permuted.

    Rotations are drawn before permutations, so with the same generator state turning
    ``permute`` off leaves the rotations unchanged.
    """
    _check_batch(X)
    validate.boolean(rotate, "rotate")
    validate.boolean(permute, "permute")
    _check_generator(generator)
    B, m, _ = X.shape
    out = X.clone()
    if B == 0:
        return out
    if rotate:
        out = apply_rotations(out, random_rotations(B, generator, dtype=X.dtype))
    if permute:
        out = apply_permutations(out, random_permutations(B, m, generator))
    return out


def rotation_statistics(R):
    """(n, 3, 3) -> RotationStatistics: mean matrix, E[tr], E[tr^2], fraction det +1, orthogonality."""
    if isinstance(R, np.ndarray):
        R = torch.from_numpy(R)
    if not isinstance(R, torch.Tensor):
        raise TypeError(f"R must be a torch tensor or NumPy array, got {type(R).__name__}")
    if R.ndim != 3 or R.shape[1:] != (3, 3) or R.shape[0] < 1:
        raise ValueError(f"R must have shape (n, 3, 3) with n >= 1, got {tuple(R.shape)}")
    validate.tensor(R, "R", floating=False)
    R = R.to(torch.float64)
    trace = torch.diagonal(R, dim1=1, dim2=2).sum(dim=1)  # (n,)
    gram = R.transpose(1, 2) @ R  # (n, 3, 3)
    return RotationStatistics(
        n=R.shape[0],
        mean=R.mean(dim=0).numpy(),
        mean_trace=float(trace.mean()),
        mean_trace_squared=float((trace**2).mean()),
        fraction_proper=float((torch.linalg.det(R) > 0).double().mean()),
        max_orthogonality_error=float((gram - torch.eye(3, dtype=R.dtype)).abs().max()),
    )


_AUGMENTING = {"rotations": (True, False), "permutations": (False, True), "both": (True, True)}


def nearest_copy_distance(X, augmentation, n_seen=100, n_new=100, generator=None):
    """(n, m, 3) -> (n, n_new): how close a new augmented copy comes to copies seen before.

    For each configuration, draws ``n_seen`` augmented copies (what training shows in n_seen
    epochs) and ``n_new`` fresh ones, and returns, for each fresh copy, its distance (as a
    flat vector of 3m coordinates) to the nearest seen copy divided by its mean distance to
    the seen copies: near 0, the new copy lies next to one already seen; near 1, it is no
    closer to the nearest seen copy than to a typical one.
    """
    if not isinstance(augmentation, str) or augmentation not in _AUGMENTING:
        raise ValueError(
            f"augmentation must be 'rotations', 'permutations' or 'both', got {augmentation!r} "
            "(without augmentation every copy is the configuration itself)"
        )
    n_seen, n_new = validate.size(n_seen, "n_seen"), validate.size(n_new, "n_new")
    _check_batch(X)
    validate.tensor(X, "X")
    if X.shape[1] < 1:
        raise ValueError(f"X must hold at least one particle per configuration, got shape {tuple(X.shape)}")
    _check_generator(generator)
    rotate, permute = _AUGMENTING[augmentation]
    n, m, _ = X.shape
    # the copies hold n (n_seen + n_new) 3m numbers, their distances n n_new n_seen
    validate.work(n * ((n_seen + n_new) * 3 * m + n_new * n_seen), "X, n_seen and n_new", validate.MAX_ELEMENTS,
                  "numbers in the copies and their distances")
    X = X.to(torch.float64)

    def copies(count):
        repeated = X[:, None].expand(n, count, m, 3).reshape(n * count, m, 3)  # (n*count, m, 3)
        return augment(repeated, rotate, permute, generator).reshape(n, count, m * 3)

    seen, new = copies(n_seen), copies(n_new)  # (n, n_seen, 3m), (n, n_new, 3m)
    distances = torch.cdist(new, seen)  # (n, n_new, n_seen)
    nearest, mean = distances.min(dim=-1).values, distances.mean(dim=-1)
    # a new copy identical to every seen one (possible with few seen copies of few particles) is at distance 0
    return torch.where(mean > 0, nearest / mean.clamp_min(torch.finfo(mean.dtype).tiny), torch.zeros_like(mean))
