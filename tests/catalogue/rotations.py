"""dlexam.rotations and dlexam.augment: rotations against the matrix exponential, samplers by their properties."""

import math

import numpy as np
import torch
from hypothesis import strategies as st

from dlexam import augment, rotations

from . import Arg, Arr, Bool, Choice, Fresh, Real, Size, Ten, Tol, TorchGen, record, spec


def _fail(result):
    raise AssertionError(f"property fails for {result!r}"[:300])


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def expm_rotation(axis, angle):
    k = torch.as_tensor(axis, dtype=torch.float64)
    k = k / k.norm()
    K = torch.tensor([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]], dtype=torch.float64)
    return torch.linalg.matrix_exp(angle * K)


def is_rotation(R, atol=1e-6):
    R = torch.as_tensor(R, dtype=torch.float64)
    eye = torch.eye(3, dtype=torch.float64)
    return bool(torch.allclose(R.transpose(-1, -2) @ R, eye.expand_as(R), atol=atol)
                and (torch.linalg.det(R) > 0).all())


axes = st.tuples(*[st.floats(-3, 3)] * 3).filter(lambda a: sum(x * x for x in a) > 1e-3)
angles = st.floats(-7, 7)
SAMPLE = Fresh(lambda: augment.random_rotations(6, gen(), dtype=torch.float64))

spec("rotations.axis_angle_rotations",
     {"axes": Arr(np.array([[0.0, 0.0, 1.0], [1.0, 1.0, 0.0]])).with_bad(("zero axis", np.zeros((2, 3)))),
      "angles": Arr(np.array([0.5, 2.0])).with_bad(("wrong count", np.ones(3)))},
     given=st.lists(st.tuples(axes, angles), min_size=1, max_size=4).map(
         lambda pairs: {"axes": np.array([p[0] for p in pairs]), "angles": np.array([p[1] for p in pairs])}),
     check=lambda r, axes, angles: all(torch.allclose(R, expm_rotation(a, t), atol=1e-9)
                                       for R, a, t in zip(r, axes, angles)) or _fail(r))
spec("rotations.axis_angle_rotation",
     {"axis": Arr(np.array([0.0, 0.0, 1.0])).with_bad(("zero", np.zeros(3)), ("two components", np.ones(2))),
      "angle": Real(0.5)},
     given=st.fixed_dictionaries({"axis": axes, "angle": angles}),
     check=lambda r, axis, angle: torch.allclose(r, expm_rotation(axis, angle), atol=1e-9) or _fail(r))


def check_axis_from_angles(result, azimuth, elevation):
    assert math.isclose(float(result.norm()), 1.0, rel_tol=1e-12)
    assert math.isclose(float(result[2]), math.sin(math.radians(elevation)), abs_tol=1e-12)


spec("rotations.axis_from_angles", {"azimuth": Real(30.0), "elevation": Real(40.0)},
     given=st.fixed_dictionaries({"azimuth": st.floats(-720, 720), "elevation": st.floats(-90, 90)}),
     check=check_axis_from_angles)

MATRICES = Ten(SAMPLE, ndim_ok=(2, 3), int_ok=True).with_bad(("wrong shape", torch.zeros(4, 2, 2)))
rotation_cases = st.lists(st.tuples(axes, st.floats(0, math.pi)), min_size=1, max_size=4)
spec("rotations.rotation_angles", {"R": MATRICES},
     given=rotation_cases.map(lambda c: {"R": torch.stack([expm_rotation(a, t) for a, t in c]), "angles": c}),
     call=lambda f, R, angles=None: f(R),
     check=lambda r, R, angles=None: angles is None or np.allclose(r.numpy(), [t for _, t in angles], atol=1e-6)
     or _fail(r))


def check_axis_angle(result, R):
    axis, angle = result
    assert torch.allclose(expm_rotation(axis, angle), R.reshape(3, 3), atol=1e-7)


spec("rotations.rotation_axis_angle",
     {"R": Ten(torch.eye(3, dtype=torch.float64), ndim_ok=(2, 3), int_ok=True).with_bad(
         ("a reflection", -torch.eye(3)), ("two rotations", torch.eye(3).expand(2, 3, 3)))},
     given=st.tuples(axes, st.floats(0.01, math.pi - 0.01)).map(lambda c: {"R": expm_rotation(*c)}),
     check=check_axis_angle)
THETA = {"theta": Arr(np.array([0.0, 1.0, 3.0]), finite=False, empty_ok=True, ndim_ok=range(0, 4))}
thetas = st.lists(st.floats(-1, 4), max_size=6).map(np.array)
spec("rotations.haar_angle_density", THETA, finite=False, given=st.fixed_dictionaries({"theta": thetas}),
     check=lambda r, theta: np.allclose(r, np.where((theta >= 0) & (theta <= np.pi), (1 - np.cos(theta)) / np.pi, 0))
     or _fail(r))
spec("rotations.haar_angle_cdf", THETA, finite=False, given=st.fixed_dictionaries({"theta": thetas}),
     check=lambda r, theta: np.allclose(r, (np.clip(theta, 0, np.pi) - np.sin(np.clip(theta, 0, np.pi))) / np.pi)
     or _fail(r))


def brute_ks(R):
    angles = sorted(float(np.arccos(np.clip((np.trace(m) - 1) / 2, -1, 1))) for m in np.asarray(R))
    n = len(angles)
    cdf = [(t - math.sin(t)) / math.pi for t in angles]
    return max(max((i + 1) / n - c, c - i / n) for i, c in enumerate(cdf))


samples = st.integers(0, 1000).map(lambda seed: augment.random_rotations(20, gen(seed), dtype=torch.float64))
spec("rotations.angle_ks_distance", {"R": MATRICES}, given=st.fixed_dictionaries({"R": samples}),
     check=lambda r, R: math.isclose(r, brute_ks(R), rel_tol=1e-9) or _fail(r))
record("rotations.UniformityRow")
spec("rotations.uniformity_rows", {"R": MATRICES, "z": Real(5.0, above=0.0)},
     given=st.fixed_dictionaries({"R": samples, "z": st.floats(0.5, 10)}),
     check=lambda r, R, z: (len(r) == 6 and all(row.passes == (abs(row.value - row.uniform) <= row.tolerance)
                                                 for row in r)) or _fail(r))


def brute_proper(R, tol):
    R = np.asarray(R, float).reshape(-1, 3, 3)
    return all(np.abs(m.T @ m - np.eye(3)).max() <= tol and np.linalg.det(m) > 0 for m in R)


proper_cases = st.tuples(samples, st.sampled_from(["as is", "reflect one", "scale one"]), st.floats(1e-9, 0.1))
spec("rotations.check_proper_rotations", {"R": MATRICES.as_answer(), "tol": Tol(1e-5)},
     given=proper_cases.map(lambda c: {"R": torch.cat([c[0][:1] * (-1 if c[1] == "reflect one" else
                                                                   1.01 if c[1] == "scale one" else 1), c[0][1:]]),
                                       "tol": c[2]}),
     check=lambda r, R, tol: bool(r) == brute_proper(R, tol) or _fail(r))
UNIFORM = Fresh(lambda: augment.random_rotations(1000, gen(), dtype=torch.float64))
spec("rotations.check_uniform_rotations",
     {"R": Ten(UNIFORM, ndim_ok=(2, 3), int_ok=True).with_bad(("too few", torch.eye(3).expand(10, 3, 3))),
      "z": Real(5.0, above=0.0)},
     check=lambda r, R, z: bool(r) or _fail(r))

# --- augment ----------------------------------------------------------------------------------

DTYPE = Arg(torch.float64, [("integer dtype", torch.int64), ("text", "float32"), ("None", None),
                            ("numpy dtype", np.float64)], [("float32", torch.float32)])
record("augment.RotationStatistics")
COUNT = {"n": Size(4), "generator": TorchGen(optional=True), "dtype": DTYPE}
counts = st.fixed_dictionaries({"n": st.integers(1, 20)})
spec("augment.haar_orthogonal", COUNT, given=counts,
     check=lambda r, n, generator, dtype: (r.shape == (n, 3, 3) and torch.allclose(
         r.transpose(1, 2) @ r, torch.eye(3, dtype=r.dtype).expand(n, 3, 3), atol=1e-10)) or _fail(r))
spec("augment.random_rotations", COUNT, given=counts,
     check=lambda r, n, **kw: (r.shape == (n, 3, 3) and is_rotation(r)) or _fail(r))
spec("augment.qr_hint_rotations", COUNT, given=counts,
     check=lambda r, n, **kw: (r.shape == (n, 3, 3) and is_rotation(r)) or _fail(r))
NORMALS = Ten(Fresh(lambda: torch.randn(4, 3, 3, generator=gen(), dtype=torch.float64)), int_ok=True, empty_ok=True)
normals = st.integers(0, 10**6).map(lambda seed: {"A": torch.randn(5, 3, 3, generator=gen(seed),
                                                                   dtype=torch.float64)})


def check_from_normal(result, A):
    Q, Rm = np.linalg.qr(A.numpy())
    Q = Q * np.sign(np.diagonal(Rm, axis1=1, axis2=2))[:, None, :]
    Q[:, :, 0] *= np.sign(np.linalg.det(Q))[:, None]
    np.testing.assert_allclose(result.numpy(), Q, atol=1e-10)


spec("augment.rotations_from_normal", {"A": NORMALS}, given=normals, check=check_from_normal)
spec("augment.qr_hint_from_normal", {"A": NORMALS}, given=normals,
     check=lambda r, A: np.allclose(r.numpy(), np.linalg.qr(A.numpy())[0]) or _fail(r))
spec("augment.random_permutations", {"n": Size(3), "m": Size(5), "generator": TorchGen(optional=True)},
     given=st.fixed_dictionaries({"n": st.integers(1, 10), "m": st.integers(1, 10)}),
     check=lambda r, n, m, generator: torch.equal(r.sort(dim=1).values, torch.arange(m).expand(n, m)) or _fail(r))

X = Fresh(lambda: torch.randn(3, 5, 3, generator=gen(1), dtype=torch.float64))
BATCH = Ten(X, finite=False, empty_ok=True)
batches = st.integers(0, 10**6).map(lambda seed: torch.randn(3, 5, 3, generator=gen(seed), dtype=torch.float64))
ROT = Ten(Fresh(lambda: augment.random_rotations(3, gen(), dtype=torch.float64)), numpy_ok=False, int_ok=True)
spec("augment.apply_rotations", {"X": BATCH, "R": ROT}, finite=False,
     given=st.fixed_dictionaries({"X": batches, "R": st.integers(0, 99).map(
         lambda s: augment.random_rotations(3, gen(s), dtype=torch.float64))}),
     check=lambda r, X, R: torch.allclose(r, torch.einsum("bij,bmj->bmi", R, X)) or _fail(r))
PERM = Ten(Fresh(lambda: augment.random_permutations(3, 5, gen())), integral=True, numpy_ok=False).with_bad(
    ("repeated index", torch.zeros(3, 5, dtype=torch.long)), ("float", torch.arange(5.0).expand(3, 5)),
    ("out of range", torch.arange(1, 6).expand(3, 5)))
spec("augment.apply_permutations", {"X": BATCH, "permutations": PERM}, finite=False,
     given=st.fixed_dictionaries({"X": batches, "permutations": st.integers(0, 99).map(
         lambda s: augment.random_permutations(3, 5, gen(s)))}),
     check=lambda r, X, permutations: all(torch.equal(r[b], X[b, permutations[b]]) for b in range(len(X)))
     or _fail(r))


def sorted_distances(X):
    return torch.cdist(X, X).flatten(1).sort(dim=1).values


spec("augment.augment", {"X": BATCH, "rotate": Bool(True), "permute": Bool(True),
                         "generator": TorchGen(optional=True)}, finite=False,
     given=st.fixed_dictionaries({"X": batches, "rotate": st.booleans(), "permute": st.booleans()}),
     check=lambda r, X, **kw: torch.allclose(sorted_distances(r), sorted_distances(X), atol=1e-9) or _fail(r))


def check_statistics(result, R):
    R = np.asarray(R, float)
    np.testing.assert_allclose(result.mean, R.mean(0), atol=1e-12)
    np.testing.assert_allclose(result.mean_trace, np.trace(R, axis1=1, axis2=2).mean(), atol=1e-12)
    assert result.fraction_proper == np.mean(np.linalg.det(R) > 0)


spec("augment.rotation_statistics", {"R": Ten(SAMPLE, int_ok=True).with_bad(("wrong shape", torch.zeros(3, 2, 2)))},
     given=st.fixed_dictionaries({"R": samples}), check=check_statistics)
spec("augment.nearest_copy_distance",
     {"X": Ten(X, empty_ok=True), "augmentation": Choice("both"), "n_seen": Size(10), "n_new": Size(4),
      "generator": TorchGen(optional=True)},
     given=st.fixed_dictionaries({"X": batches, "augmentation": st.sampled_from(["rotations", "permutations", "both"]),
                                  "n_seen": st.integers(1, 10), "n_new": st.integers(1, 5)}),
     check=lambda r, X, n_new, **kw: (r.shape == (len(X), n_new) and bool(((r >= 0) & (r <= 1 + 1e-12)).all()))
     or _fail(r))
