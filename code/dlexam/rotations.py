"""Rotations in 3D: axis-angle, rotation angles, and tests that a sampler is uniform (exam III(B)).

A uniformly (Haar) distributed rotation R of SO(3) has known moments, which any proposed
sampler can be measured against:

- E[R] = 0 (every entry has mean 0 and variance 1/3);
- E[tr R] = 0 and E[(tr R)^2] = 1 (tr R is the character of an irreducible representation);
- det R = +1 always (a rotation, not a reflection);
- its rotation angle theta has density (1 - cos theta) / pi on [0, pi] (small angles are rare).

``augment`` holds the samplers; this module measures them. Rotations are float64 torch
tensors of shape (n, 3, 3), so they feed ``augment.apply_rotations`` directly.

NaN: ``haar_angle_density`` and ``haar_angle_cdf`` are element-wise and pass NaN through;
every other function refuses NaN and infinite entries, except ``check_proper_rotations``,
which judges a reader's matrices and answers "not yet" for them. Tolerances must be finite
and >= 0, and a sample holds at most ``validate.MAX_ELEMENTS`` numbers.
"""

import math
from dataclasses import dataclass

import numpy as np
import torch

from . import validate
from .augment import rotation_statistics
from .checks import CheckResult


def _as_float64_tensor(value, name, finite=False):
    """Numbers, a NumPy array or a real torch tensor -> float64 tensor (NaN refused when ``finite``)."""
    if isinstance(value, torch.Tensor):
        value = validate.tensor(value, name, floating=False, finite=finite)
        if value.dtype == torch.bool:
            raise TypeError(f"{name} must hold numbers, got dtype {value.dtype}")
        return value.detach().to(torch.float64)
    if not isinstance(value, (list, tuple, np.ndarray, int, float, np.number)) or isinstance(value, bool):
        raise TypeError(f"{name} must be numbers, a NumPy array or a torch tensor, got {type(value).__name__}")
    return torch.as_tensor(validate.array(value, name, finite=finite, nonempty=False, bools=False))


def axis_angle_rotations(axes, angles):
    """(n, 3) axes, (n,) angles in radians -> (n, 3, 3) float64: rotations by Rodrigues' formula.

    Each axis is normalised first; the rotation turns by the angle counter-clockwise when the
    axis points at the viewer (right-hand rule).
    """
    axes = _as_float64_tensor(axes, "axes")
    angles = _as_float64_tensor(angles, "angles")
    if axes.ndim != 2 or axes.shape[1] != 3:
        raise ValueError(f"axes must have shape (n, 3), got {tuple(axes.shape)}")
    if angles.shape != (axes.shape[0],):
        raise ValueError(f"angles must have shape ({axes.shape[0]},), one per row of axes, got {tuple(angles.shape)}")
    if axes.shape[0] < 1:
        raise ValueError("axes must hold at least one axis, got shape (0, 3)")
    for name, value in (("axes", axes), ("angles", angles)):
        if not torch.isfinite(value).all():
            raise ValueError(f"{name} must be finite numbers")
    norms = axes.norm(dim=1, keepdim=True)  # (n, 1)
    if bool((norms < 1e-12).any()):
        raise ValueError("every row of axes must be a direction, but one is the zero vector: "
                         "a rotation axis must not be the zero vector")
    k = axes / norms  # (n, 3)
    zero = torch.zeros_like(k[:, 0])
    K = torch.stack([
        torch.stack([zero, -k[:, 2], k[:, 1]], dim=1),
        torch.stack([k[:, 2], zero, -k[:, 0]], dim=1),
        torch.stack([-k[:, 1], k[:, 0], zero], dim=1),
    ], dim=1)  # (n, 3, 3): K v = k x v
    s, c = torch.sin(angles)[:, None, None], torch.cos(angles)[:, None, None]
    return torch.eye(3, dtype=torch.float64) + s * K + (1 - c) * K @ K


def axis_angle_rotation(axis, angle):
    """(3,) axis, angle in radians -> (3, 3) float64 rotation (Rodrigues' formula)."""
    if isinstance(angle, (list, tuple, np.ndarray, torch.Tensor)) and np.ndim(angle) != 0:
        raise ValueError(f"angle must be one number (radians), got shape {tuple(np.shape(angle))}")
    angle = validate.real(angle, "angle")
    axis = _as_float64_tensor(axis, "axis", finite=True)
    if axis.shape != (3,):
        raise ValueError(f"axis must have 3 components, got shape {tuple(axis.shape)}")
    if float(axis.norm()) < 1e-12:
        raise ValueError("axis must not be the zero vector: give it a direction")
    return axis_angle_rotations(axis[None], torch.tensor([angle], dtype=torch.float64))[0]


def axis_from_angles(azimuth, elevation):
    """Azimuth and elevation in degrees -> (3,) float64 unit vector (azimuth from x towards y)."""
    azimuth = validate.real(azimuth, "azimuth")
    elevation = validate.real(elevation, "elevation")
    a, e = math.radians(azimuth), math.radians(elevation)
    return torch.tensor([math.cos(e) * math.cos(a), math.cos(e) * math.sin(a), math.sin(e)], dtype=torch.float64)


def _check_matrices(R, finite=True):
    R = _as_float64_tensor(R, "R", finite=finite)
    if R.ndim == 2:
        R = R[None]
    if R.ndim != 3 or R.shape[1:] != (3, 3) or R.shape[0] < 1:
        raise ValueError(f"R must have shape (3, 3) or (n, 3, 3) with n >= 1, got {tuple(R.shape)}")
    if R.numel() > validate.MAX_ELEMENTS:
        raise ValueError(f"R holds {R.shape[0]:,} matrices, more than the limit of {validate.MAX_ELEMENTS // 9:,}")
    return R


ANGLE_TOL = 1e-4  # rotation_angles: how far from orthogonal a matrix may be (float32 round-off is ~1e-7)


def rotation_angles(R):
    """(n, 3, 3) -> (n,) float64 angles in [0, pi]: the rotation angle of det(R) R.

    For a rotation this is its angle, from tr R = 1 + 2 cos(angle). A reflection (det -1) is
    minus a rotation in 3D, and its angle is that rotation's. Any other matrix has no rotation
    angle and is refused: every entry of R^T R - I must be within ANGLE_TOL (float32 rotations pass).
    """
    R = _check_matrices(R)
    error = (R.transpose(1, 2) @ R - torch.eye(3, dtype=R.dtype)).abs().amax(dim=(1, 2))  # (n,)
    if bool((error > ANGLE_TOL).any()):
        worst = int(error.argmax())
        raise ValueError(f"R must hold orthogonal matrices (rotations or reflections) to have rotation angles: "
                         f"matrix {worst} has R^T R differing from I by {float(error[worst]):.3g}, more than "
                         f"{ANGLE_TOL:g}; check it with check_proper_rotations")
    proper = R * torch.linalg.det(R).sign()[:, None, None]  # (n, 3, 3), det +1
    cos = (torch.diagonal(proper, dim1=1, dim2=2).sum(dim=1) - 1) / 2  # (n,)
    return torch.arccos(cos.clamp(-1.0, 1.0))


def rotation_axis_angle(R):
    """(3, 3) proper rotation -> (axis (3,) unit float64, angle in [0, pi]); axis x for the identity."""
    R = _check_matrices(R)
    if R.shape[0] != 1:
        raise ValueError(f"R must be one rotation of shape (3, 3), got {R.shape[0]} of them")
    R = R[0]
    if not check_proper_rotations(R, tol=1e-5):
        raise ValueError("R is not a proper rotation (orthogonal with det +1): it has no rotation axis")
    angle = float(rotation_angles(R)[0])
    if angle < 1e-9:
        return torch.tensor([1.0, 0.0, 0.0], dtype=torch.float64), 0.0
    # The axis spans the eigenvalue-1 eigenspace of R; the symmetric part has eigenvalues
    # 1, cos, cos, so its top eigenvector is the axis up to sign, also near angle pi.
    _, vectors = torch.linalg.eigh((R + R.T) / 2)
    axis = vectors[:, -1]
    w = torch.stack([R[2, 1] - R[1, 2], R[0, 2] - R[2, 0], R[1, 0] - R[0, 1]]) / 2  # sin(angle) * axis
    if float(w @ axis) < 0:
        axis = -axis
    return axis, angle


def haar_angle_density(theta):
    """Density (1 - cos theta) / pi of the angle of a uniform random rotation, theta in [0, pi]."""
    theta = validate.elementwise(theta, "theta")
    with np.errstate(invalid="ignore"):
        inside = (theta >= 0) & (theta <= np.pi)
        return np.where(np.isnan(theta), np.nan, np.where(inside, (1 - np.cos(theta)) / np.pi, 0.0))


def haar_angle_cdf(theta):
    """P(angle <= theta) = (theta - sin theta) / pi for a uniform random rotation."""
    theta = np.clip(validate.elementwise(theta, "theta"), 0.0, np.pi)
    return (theta - np.sin(theta)) / np.pi


def angle_ks_distance(R):
    """(n, 3, 3) -> largest gap between the angles' empirical CDF and the Haar CDF (Kolmogorov-Smirnov)."""
    angles = np.sort(rotation_angles(R).numpy())
    n = len(angles)
    cdf = haar_angle_cdf(angles)
    upper = np.arange(1, n + 1) / n - cdf
    lower = cdf - np.arange(n) / n
    return float(max(upper.max(), lower.max()))


@dataclass(frozen=True)
class UniformityRow:
    """One statistic of a sample of rotations against its value for uniform rotations."""

    statistic: str
    value: float
    uniform: float
    tolerance: float  # the largest |value - uniform| a uniform sample of this size passes with
    passes: bool


def uniformity_rows(R, z=5.0):
    """(n, 3, 3) -> list of UniformityRow: det, orthogonality, E[R], E[tr], E[tr^2], angle KS.

    Tolerances are ``z`` standard errors of a uniform sample of the same size (the KS row uses
    the Kolmogorov distribution's tail, comparable to z = 5), so a uniform sampler passes all rows
    but with probability about 1e-5, and a biased one fails as soon as n exposes its bias.
    """
    R = _check_matrices(R)
    z = validate.real(z, "z", above=0.0)
    n = R.shape[0]
    stats = rotation_statistics(R)
    largest_mean = float(np.abs(stats.mean).max())
    ks = angle_ks_distance(R)
    rows = [
        ("fraction with det +1", stats.fraction_proper, 1.0, 0.0),
        ("largest |R^T R - I|", stats.max_orthogonality_error, 0.0, 1e-5),
        ("largest |mean entry of R|", largest_mean, 0.0, z / math.sqrt(3 * n)),
        ("mean trace E[tr R]", stats.mean_trace, 0.0, z / math.sqrt(n)),
        ("mean squared trace E[tr² R]", stats.mean_trace_squared, 1.0, z * math.sqrt(2 / n)),
        ("angle: KS distance to (1 - cos θ)/π", ks, 0.0, 2.4 / math.sqrt(n)),
    ]
    return [UniformityRow(s, float(v), u, t, abs(v - u) <= t) for s, v, u, t in rows]


def check_proper_rotations(R, tol=1e-5):
    """Say whether every matrix of R (3, 3) or (n, 3, 3) is a proper rotation, and why not.

    ``tol`` bounds every entry of R^T R - I and must be below 1/3: then every eigenvalue of R^T R
    is above 1 - 3 tol > 0 (Gershgorin), so R is invertible and the sign of det R tells a rotation
    from a reflection. From 1/3 on, a singular matrix could pass as orthogonal.
    """
    tol = validate.tolerance(tol, "tol")
    if tol >= 1 / 3:
        raise ValueError(f"tol must be below 1/3, got {tol:g}: from 1/3 on, a singular matrix passes as "
                         "orthogonal and the sign of its det says nothing")
    R = _check_matrices(R, finite=False)
    if not torch.isfinite(R).all():
        return CheckResult(False, "Not yet: R contains NaN or infinite entries.")
    n = R.shape[0]
    eye = torch.eye(3, dtype=R.dtype)
    error = (R.transpose(1, 2) @ R - eye).abs().amax(dim=(1, 2))  # (n,)
    det = torch.linalg.det(R)  # (n,)
    not_orthogonal = int((error > tol).sum())
    reflections = int(((error <= tol) & (det < 0)).sum())

    def how_many(k):
        return "the matrix is" if n == 1 else f"{k:,} of the {n:,} matrices are"

    if not_orthogonal:
        worst = int(error.argmax())
        where = "" if n == 1 else f", at matrix {worst}"
        return CheckResult(
            False,
            f"Not yet: {how_many(not_orthogonal)} not orthogonal (R^T R differs from I by up to "
            f"{float(error[worst]):.3g}{where}): a rotation keeps lengths and angles.",
        )
    if reflections:
        return CheckResult(
            False,
            f"Not yet: {how_many(reflections)} orthogonal but with det -1: "
            f"{'a reflection, not a rotation' if n == 1 else 'reflections, not rotations'}. "
            "Flipping the sign of one column turns a reflection into a rotation.",
        )
    everything = "the matrix is" if n == 1 else f"all {n:,} matrices are"
    return CheckResult(True, f"Right: {everything} orthogonal (to {tol:g}) with det +1: proper rotations.")


def check_uniform_rotations(R, z=5.0):
    """Say whether a sample of rotations passes every test of uniformity, and which fail."""
    R = _check_matrices(R)
    z = validate.real(z, "z", above=0.0)
    n = R.shape[0]
    if n < 1000:
        raise ValueError(f"a test of uniformity needs many samples: R must hold at least 1,000 rotations, got {n}")
    rows = uniformity_rows(R, z=z)
    failed = [r for r in rows if not r.passes]
    if not failed:
        return CheckResult(True, f"Right: {n:,} samples pass every test; indistinguishable from uniform rotations.")
    lines = [f"{r.statistic} is {r.value:.4g}, uniform rotations give {r.uniform:g} "
             f"(tolerance {r.tolerance:.2g} at n = {n:,})" for r in failed]
    return CheckResult(False, "Not yet: not uniform rotations.\n" + "\n".join(lines))
