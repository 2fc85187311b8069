"""dlexam.rotations: axis-angle against the matrix exponential, angles, and the uniformity tests."""

import math

import numpy as np
import pytest
import torch

from dlexam import augment, rotations


def skew(k):
    k = torch.as_tensor(k, dtype=torch.float64)
    return torch.tensor([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]], dtype=torch.float64)


def generator(seed=0):
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("seed", range(5))
def test_axis_angle_matches_the_matrix_exponential(seed):
    rng = np.random.default_rng(seed)
    axis = rng.normal(size=3)
    angle = rng.uniform(-2 * np.pi, 2 * np.pi)
    k = axis / np.linalg.norm(axis)
    expected = torch.linalg.matrix_exp(angle * skew(k))  # exp(angle K): an independent reference
    torch.testing.assert_close(rotations.axis_angle_rotation(axis, angle), expected, atol=1e-12, rtol=0)


def test_quarter_turn_about_z_maps_x_to_y():
    R = rotations.axis_angle_rotation([0, 0, 1], math.pi / 2)
    torch.testing.assert_close(R @ torch.tensor([1.0, 0, 0], dtype=torch.float64),
                               torch.tensor([0.0, 1, 0], dtype=torch.float64), atol=1e-15, rtol=0)


def test_batched_rotations_are_proper():
    axes = torch.randn(100, 3, generator=generator(1), dtype=torch.float64)
    angles = 10 * torch.rand(100, generator=generator(2), dtype=torch.float64)
    R = rotations.axis_angle_rotations(axes, angles)
    assert rotations.check_proper_rotations(R, tol=1e-12)


@pytest.mark.parametrize("angle", [0.0, 0.3, 1.0, 2.0, 3.0, math.pi - 1e-6])
def test_rotation_angle_and_axis_round_trip(angle):
    axis = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)
    R = rotations.axis_angle_rotation(axis, angle)
    assert float(rotations.rotation_angles(R)[0]) == pytest.approx(angle, abs=1e-6)
    got_axis, got_angle = rotations.rotation_axis_angle(R)
    assert got_angle == pytest.approx(angle, abs=1e-6)
    torch.testing.assert_close(rotations.axis_angle_rotation(got_axis, got_angle), R, atol=1e-6, rtol=0)


def test_angle_of_a_reflection_is_that_of_minus_it():
    R = rotations.axis_angle_rotation([0, 1, 1], 0.7)
    assert float(rotations.rotation_angles(-R)[0]) == pytest.approx(0.7)


def test_axis_from_angles():
    torch.testing.assert_close(rotations.axis_from_angles(0, 0), torch.tensor([1.0, 0, 0], dtype=torch.float64))
    torch.testing.assert_close(rotations.axis_from_angles(90, 0), torch.tensor([0.0, 1, 0], dtype=torch.float64),
                               atol=1e-15, rtol=0)
    torch.testing.assert_close(rotations.axis_from_angles(123, 90), torch.tensor([0.0, 0, 1], dtype=torch.float64),
                               atol=1e-15, rtol=0)


def test_haar_angle_density_and_its_moments():
    theta = np.linspace(0, np.pi, 200_001)
    p = rotations.haar_angle_density(theta)
    integral = lambda f: np.trapezoid(f * p, theta)  # noqa: E731
    assert integral(np.ones_like(theta)) == pytest.approx(1, abs=1e-9)
    assert integral(1 + 2 * np.cos(theta)) == pytest.approx(0, abs=1e-9)  # E[tr R] = 0
    assert integral((1 + 2 * np.cos(theta)) ** 2) == pytest.approx(1, abs=1e-9)  # E[tr^2 R] = 1
    cumulative = np.concatenate([[0], np.cumsum((p[1:] + p[:-1]) / 2 * np.diff(theta))])
    np.testing.assert_allclose(rotations.haar_angle_cdf(theta), cumulative, atol=1e-9)
    assert rotations.haar_angle_density(-0.1) == 0 and rotations.haar_angle_density(4.0) == 0


def test_uniform_rotations_pass_and_the_exam_hint_fails():
    uniform = augment.random_rotations(20_000, generator(3), dtype=torch.float64)
    hint = augment.qr_hint_rotations(20_000, generator(4), dtype=torch.float64)
    orthogonal = augment.haar_orthogonal(20_000, generator(5), dtype=torch.float64)
    assert all(row.passes for row in rotations.uniformity_rows(uniform))
    assert rotations.check_uniform_rotations(uniform)
    failed = {row.statistic for row in rotations.uniformity_rows(hint) if not row.passes}
    assert {"mean trace E[tr R]", "largest |mean entry of R|"} <= failed
    assert "fraction with det +1" not in failed  # the hint's rotations are proper ...
    result = rotations.check_uniform_rotations(hint)
    assert not result and "mean trace" in result.message  # ... but not uniform
    failed = [row.statistic for row in rotations.uniformity_rows(orthogonal) if not row.passes]
    assert failed == ["fraction with det +1"]  # uniform on O(3): only the reflections give it away


def test_hint_angles_are_never_below_a_quarter_turn():
    angles = rotations.rotation_angles(augment.qr_hint_rotations(20_000, generator(6), dtype=torch.float64))
    assert float(angles.min()) >= math.pi / 2 - 1e-9
    uniform = rotations.rotation_angles(augment.random_rotations(20_000, generator(7), dtype=torch.float64))
    assert float((uniform < math.pi / 2).double().mean()) == pytest.approx(rotations.haar_angle_cdf(math.pi / 2), abs=0.015)


def test_ks_distance_is_small_for_uniform_and_large_for_uniform_angles():
    axes = torch.randn(5000, 3, generator=generator(8), dtype=torch.float64)
    naive = rotations.axis_angle_rotations(axes, math.pi * torch.rand(5000, generator=generator(9), dtype=torch.float64))
    assert rotations.angle_ks_distance(naive) > 0.2
    assert rotations.angle_ks_distance(augment.random_rotations(5000, generator(10), dtype=torch.float64)) < 0.03


@pytest.mark.parametrize(
    "R, correct, words",
    [
        (torch.eye(3), True, "the matrix is orthogonal"),
        (torch.diag(torch.tensor([1.0, 1.0, -1.0])), False, "a reflection"),
        (2 * torch.eye(3), False, "not orthogonal"),
        (torch.full((3, 3), float("nan")), False, "NaN"),
        (torch.stack([torch.eye(3), -torch.eye(3)]), False, "1 of the 2 matrices"),
    ],
)
def test_check_proper_rotations(R, correct, words):
    result = rotations.check_proper_rotations(R)
    assert result.correct is correct and words in result.message


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: rotations.axis_angle_rotation([0, 0, 0], 1.0), ValueError, "zero vector"),
        (lambda: rotations.axis_angle_rotation([1, 0], 1.0), ValueError, "3 components"),
        (lambda: rotations.axis_angle_rotation([1, 0, 0], [1.0, 2.0]), ValueError, "one number"),
        (lambda: rotations.axis_angle_rotations(torch.ones(4, 3), torch.ones(3)), ValueError, "(4,)"),
        (lambda: rotations.axis_angle_rotation("x", 1.0), TypeError, "numbers"),
        (lambda: rotations.rotation_angles(torch.zeros(4, 2, 2)), ValueError, "(n, 3, 3)"),
        (lambda: rotations.rotation_axis_angle(torch.eye(3).expand(2, 3, 3)), ValueError, "one rotation"),
        (lambda: rotations.rotation_axis_angle(-torch.eye(3)), ValueError, "not a proper rotation"),
        (lambda: rotations.check_uniform_rotations(torch.eye(3).expand(10, 3, 3)), ValueError, "at least 1,000"),
        (lambda: rotations.axis_from_angles(float("nan"), 0), ValueError, "finite"),
    ],
)
def test_bad_inputs_raise_clear_errors(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)


def shear(e, last=1.0):
    """I with e at (0, 1) and `last` at (2, 2): R^T R - I holds e, e and e^2, so its largest entry is e (e <= 1)."""
    return torch.tensor([[1.0, e, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, last]], dtype=torch.float64)


# The rule (code; the docstring is silent): a matrix is orthogonal when max |R^T R - I| <= tol.

def test_check_proper_rotations_accepts_an_error_of_exactly_tol():
    """An orthogonality error of exactly tol = 2**-10 passes; tol 2**-30 smaller fails."""
    assert rotations.check_proper_rotations(shear(2**-10), tol=2**-10)
    assert not rotations.check_proper_rotations(shear(2**-10), tol=2**-10 - 2**-30)


def test_check_proper_rotations_calls_a_reflection_orthogonal_at_exactly_tol():
    """A reflection off by exactly tol is judged a reflection, not a non-orthogonal matrix."""
    result = rotations.check_proper_rotations(shear(2**-10, last=-1.0), tol=2**-10)
    assert not result and "with det -1" in result.message


def test_check_proper_rotations_with_tol_zero_wants_exact_orthogonality():
    """tol=0 is valid: I passes, an error of 2**-40 fails."""
    assert rotations.check_proper_rotations(torch.eye(3), tol=0)
    assert not rotations.check_proper_rotations(shear(2**-40), tol=0)


def test_check_proper_rotations_default_tol_is_1e_minus_5():
    """The default tol is 1e-5: an error of 0.99e-5 passes, 1.01e-5 fails."""
    assert rotations.check_proper_rotations(shear(0.99e-5))
    assert not rotations.check_proper_rotations(shear(1.01e-5))


@pytest.mark.parametrize("R, tol, message", [
    (shear(0.25), 0.25, "Right: the matrix is orthogonal (to 0.25) with det +1: proper rotations."),
    (torch.stack([torch.eye(3), shear(0.25)]), 0.25, "Right: all 2 matrices are orthogonal (to 0.25) with det +1: "
                                                     "proper rotations."),
    (shear(0.25), 0.125, "Not yet: the matrix is not orthogonal (R^T R differs from I by up to 0.25): "
                       "a rotation keeps lengths and angles."),
    (torch.stack([torch.eye(3), shear(0.25)]), 0.125, "Not yet: 1 of the 2 matrices are not orthogonal (R^T R differs "
                                                      "from I by up to 0.25, at matrix 1): a rotation keeps lengths "
                                                      "and angles."),
    (torch.diag(torch.tensor([1.0, 1.0, -1.0])), 0.25, "Not yet: the matrix is orthogonal but with det -1: a "
                                                         "reflection, not a rotation. Flipping the sign of one column "
                                                         "turns a reflection into a rotation."),
    (torch.stack([-torch.eye(3), torch.eye(3), -torch.eye(3)]), 0.25,
     "Not yet: 2 of the 3 matrices are orthogonal but with det -1: reflections, not rotations. Flipping the sign "
     "of one column turns a reflection into a rotation."),
    (torch.full((3, 3), float("inf")), 0.25, "Not yet: R contains NaN or infinite entries."),
])
def test_check_proper_rotations_messages(R, tol, message):
    """Exact messages: one matrix or many; not orthogonal (with the worst error and where), reflection, NaN."""
    result = rotations.check_proper_rotations(R, tol=tol)
    assert result.correct is message.startswith("Right") and result.message == message


@pytest.mark.parametrize("R, tol, error, match", [
    (torch.eye(3), -2**-10, ValueError, r"^tol must be at least 0"),
    (torch.eye(3), float("nan"), ValueError, r"^tol must be a finite number"),
    (torch.eye(3), "0", TypeError, r"^tol must be a number"),
    (torch.eye(2), 1e-5, ValueError, r"^R must have shape \(3, 3\) or \(n, 3, 3\)"),
    (torch.zeros(0, 3, 3), 1e-5, ValueError, r"^R must have shape \(3, 3\) or \(n, 3, 3\) with n >= 1"),
    ("I", 1e-5, TypeError, r"^R must be numbers"),
    (torch.eye(3, dtype=torch.bool), 1e-5, TypeError, r"^R must hold real numbers"),
])
def test_check_proper_rotations_rejects_bad_arguments(R, tol, error, match):
    """Each bad argument raises, naming itself."""
    with pytest.raises(error, match=match):
        rotations.check_proper_rotations(R, tol=tol)


def rodrigues(k, angle):
    """A rotation built by hand from a unit axis and an angle: cos I + sin [k]x + (1 - cos) k k^T (NumPy)."""
    k = np.asarray(k, dtype=float)
    K = np.array([[0.0, -k[2], k[1]], [k[2], 0.0, -k[0]], [-k[1], k[0], 0.0]])
    return torch.from_numpy(np.cos(angle) * np.eye(3) + np.sin(angle) * K + (1 - np.cos(angle)) * np.outer(k, k))


@pytest.mark.parametrize("k", [(1, 2, 2), (-1, 2, -2), (1, -2, -2), (2, -3, 6), (0, 0, 1)])
@pytest.mark.parametrize("angle", [0.3, math.pi / 2, 2 * math.pi / 3, 0.9 * math.pi, 0.95 * math.pi])
def test_rotation_axis_angle_recovers_a_hand_built_rotation(k, angle):
    """The axis (with its sign, w = sin(angle) axis) and angle of a rotation built by Rodrigues' formula by hand."""
    k = np.array(k, dtype=float) / np.linalg.norm(k)
    axis, got = rotations.rotation_axis_angle(rodrigues(k, angle))
    assert axis.dtype == torch.float64 and got == pytest.approx(angle, abs=1e-12)
    np.testing.assert_allclose(axis.numpy(), k, atol=1e-12)


@pytest.mark.parametrize("R", [torch.eye(3), torch.eye(3, dtype=torch.float64), torch.eye(3).expand(1, 3, 3),
                               rotations.axis_angle_rotation([1, 2, 3], 1e-12)])
def test_rotation_axis_angle_of_the_identity_is_the_x_axis(R):
    """No rotation (angle 0, also within rounding) gives exactly the float64 axis (1, 0, 0) and angle 0.0."""
    axis, angle = rotations.rotation_axis_angle(R)
    assert axis.dtype == torch.float64 and axis.tolist() == [1.0, 0.0, 0.0]
    assert angle == 0.0 and isinstance(angle, float)


HALF_TURNS = [
    torch.diag(torch.tensor([1.0, -1.0, -1.0], dtype=torch.float64)),
    torch.diag(torch.tensor([-1.0, 1.0, -1.0], dtype=torch.float64)),
    torch.diag(torch.tensor([-1.0, -1.0, 1.0], dtype=torch.float64)),
    # 2 k k^T - I for k = (7, 24, 0)/25 and k = (2, 3, 6)/7
    torch.tensor([[-527.0, 336.0, 0.0], [336.0, 527.0, 0.0], [0.0, 0.0, -625.0]], dtype=torch.float64) / 625,
    torch.tensor([[-41.0, 12.0, 24.0], [12.0, -31.0, 36.0], [24.0, 36.0, 23.0]], dtype=torch.float64) / 49,
]


@pytest.mark.parametrize("R", HALF_TURNS)
def test_rotation_axis_angle_of_an_exact_half_turn_is_the_top_eigenvector_of_R(R):
    """At a half turn (R symmetric, w = 0) either sign is right: the axis is eigh's top eigenvector of R, unflipped."""
    axis, angle = rotations.rotation_axis_angle(R)
    assert angle == pytest.approx(math.pi, abs=1e-7)
    assert torch.equal(axis, torch.linalg.eigh(R)[1][:, -1])
    torch.testing.assert_close(rotations.axis_angle_rotation(axis, math.pi), R, atol=1e-12, rtol=0)


TINY = 5e-324  # the smallest positive float64 (subnormal)
# The two tests below tell the library's rounding apart at the subnormal scale. A CPU or a thread
# set to flush subnormals to zero (torch.set_flush_denormal(True), some BLAS builds) computes other
# numbers there, so they are skipped rather than failing for a reason that is not the library's.
SUBNORMALS = (torch.tensor([3 * TINY], dtype=torch.float64) / 2).item() == 2 * TINY
needs_subnormals = pytest.mark.skipif(not SUBNORMALS, reason="this CPU flushes subnormal float64 numbers to zero")


@needs_subnormals
@pytest.mark.parametrize("i, j", [(1, 2), (2, 1)])
@pytest.mark.parametrize("sign", [1, -1])
def test_rotation_axis_angle_ignores_an_antisymmetric_part_that_rounds_to_zero(i, j, sign):
    """diag(1, -1, -1) with one entry TINY: w = (R - R^T)/2 rounds to 0, so the half turn's axis stays exactly +x."""
    R = HALF_TURNS[0].clone()
    R[i, j] = sign * TINY
    axis, angle = rotations.rotation_axis_angle(R)
    assert axis.tolist() == [1.0, 0.0, 0.0] and angle == math.pi


@needs_subnormals
@pytest.mark.parametrize("sign", [1, -1])
def test_rotation_axis_angle_takes_the_sign_of_the_smallest_antisymmetric_part(sign):
    """The (7, 24, 0)/25 half turn with R[1, 2] = 3 TINY: w_x = -1.5 TINY rounds to -2 TINY, so the axis follows w."""
    R = HALF_TURNS[3].clone()
    R[1, 2] = sign * 3 * TINY
    axis, _ = rotations.rotation_axis_angle(R)
    np.testing.assert_allclose(axis.numpy(), -sign * np.array([0.28, 0.96, 0.0]), atol=1e-15)


@pytest.mark.parametrize("e, raises", [(0.99e-5, False), (1.01e-5, True), (2**-10, True), (0.5, True)])
def test_rotation_axis_angle_wants_orthogonality_to_1e_minus_5(e, raises):
    """rotation_axis_angle refuses a matrix whose R^T R differs from I by more than 1e-5."""
    if raises:
        with pytest.raises(ValueError, match=r"^R is not a proper rotation \(orthogonal with det \+1\): it has no "
                                             r"rotation axis$"):
            rotations.rotation_axis_angle(shear(e))
    else:
        assert rotations.rotation_axis_angle(shear(e))[1] == pytest.approx(0.0, abs=1e-4)


def test_rotation_axis_angle_counts_the_matrices_it_refuses():
    """Two matrices: the error says how many there are."""
    with pytest.raises(ValueError, match=r"^R must be one rotation of shape \(3, 3\), got 2 of them$"):
        rotations.rotation_axis_angle(torch.eye(3).expand(2, 3, 3))


def test_haar_angle_density_passes_nan_and_is_zero_at_infinity_without_warnings():
    """NaN gives NaN; +-inf (outside [0, pi]) give 0 and no 'invalid value' RuntimeWarning from cos(inf)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = rotations.haar_angle_density(np.array([np.nan, np.inf, -np.inf, 0.0, np.pi / 2, np.pi]))
    assert np.isnan(p[0]) and np.isnan(rotations.haar_angle_density(float("nan")))
    np.testing.assert_allclose(p[1:], [0.0, 0.0, 0.0, 1 / np.pi, 2 / np.pi], rtol=1e-15, atol=0)


def identities(n):
    return torch.eye(3, dtype=torch.float64).expand(n, 3, 3)


def test_uniformity_rows_of_identities_by_hand():
    """n = 12 identities: every statistic, its uniform value and its tolerance (default z = 5), by hand."""
    rows = rotations.uniformity_rows(identities(12))
    expected = [  # statistic, value, uniform, tolerance, passes
        ("fraction with det +1", 1.0, 1.0, 0.0, True),
        ("largest |R^T R - I|", 0.0, 0.0, 1e-5, True),
        ("largest |mean entry of R|", 1.0, 0.0, 5 / 6, False),  # z / sqrt(3 n) = 5 / 6
        ("mean trace E[tr R]", 3.0, 0.0, 5 / math.sqrt(12), False),
        ("mean squared trace E[tr² R]", 9.0, 1.0, 5 / math.sqrt(6), False),  # z sqrt(2 / n)
        ("angle: KS distance to (1 - cos θ)/π", 1.0, 0.0, 2.4 / math.sqrt(12), False),  # every angle is 0
    ]
    assert [(r.statistic, r.value, r.uniform, r.passes) for r in rows] == [(s, v, u, p) for s, v, u, _, p in expected]
    assert [r.tolerance for r in rows] == pytest.approx([t for _, _, _, t, _ in expected], rel=1e-12, abs=0)


def test_uniformity_rows_scale_with_z():
    """z = 2 gives 2/5 of the default tolerances (the det, orthogonality and KS rows do not depend on z)."""
    tolerances = [r.tolerance for r in rotations.uniformity_rows(identities(12), z=2.0)]
    assert tolerances == pytest.approx([0.0, 1e-5, 2 / 6, 2 / math.sqrt(12), 2 / math.sqrt(6), 2.4 / math.sqrt(12)],
                                       rel=1e-12, abs=0)


def test_uniformity_rows_orthogonality_tolerance_is_1e_minus_5():
    """A sample whose worst orthogonality error is 2e-5 fails the orthogonality row."""
    rows = rotations.uniformity_rows(torch.stack([shear(2e-5), torch.eye(3, dtype=torch.float64)]))
    assert rows[1].statistic == "largest |R^T R - I|" and rows[1].value == pytest.approx(2e-5) and not rows[1].passes


IDENTITY_FAILURES = [  # 1,000 identities fail four rows: (statistic and value, tolerance at z = 5, at z = 0.5)
    ("largest |mean entry of R| is 1, uniform rotations give 0", "0.091", "0.0091"),
    ("mean trace E[tr R] is 3, uniform rotations give 0", "0.16", "0.016"),
    ("mean squared trace E[tr² R] is 9, uniform rotations give 1", "0.22", "0.022"),
    ("angle: KS distance to (1 - cos θ)/π is 1, uniform rotations give 0", "0.076", "0.076"),
]


@pytest.mark.parametrize("z, column", [(None, 1), (5.0, 1), (0.5, 2)])
def test_check_uniform_rotations_message_lists_every_failed_test(z, column):
    """Exact message for 1,000 identities: one line per failed row, tolerances from z (default 5)."""
    result = rotations.check_uniform_rotations(identities(1000), **({} if z is None else {"z": z}))
    lines = [f"{row[0]} (tolerance {row[column]} at n = 1,000)" for row in IDENTITY_FAILURES]
    assert result.correct is False
    assert result.message == "Not yet: not uniform rotations.\n" + "\n".join(lines)


def test_check_uniform_rotations_right_message():
    """A uniform sample (fixed seed) passes with the exact 'Right' message."""
    uniform = augment.random_rotations(1000, generator(3), dtype=torch.float64)
    result = rotations.check_uniform_rotations(uniform)
    assert result.correct is True
    assert result.message == "Right: 1,000 samples pass every test; indistinguishable from uniform rotations."


@pytest.mark.parametrize("n, z", [(10, 0.0), (10, -1.0), (1000, 0.0)])
def test_check_uniform_rotations_wants_z_above_0_before_anything_else(n, z):
    """z <= 0 is refused, naming z, even when the sample is also too small."""
    with pytest.raises(ValueError, match=r"^z must be above 0, got "):
        rotations.check_uniform_rotations(identities(n), z=z)


@pytest.mark.parametrize("tol", [1 / 3, 0.5, 1.0, 1e300])
def test_check_proper_rotations_refuses_a_tolerance_that_lets_a_singular_matrix_pass(tol):
    """From tol = 1/3 on the zero matrix's R^T R - I (entries 0 and -1) can pass as orthogonal: refused, naming tol."""
    with pytest.raises(ValueError, match=r"^tol must be below 1/3, got .*: from 1/3 on, a singular matrix passes"):
        rotations.check_proper_rotations(torch.eye(3), tol=tol)


def test_check_proper_rotations_just_below_a_third_still_rejects_the_nearest_singular_matrices():
    """Below 1/3 no singular matrix is orthogonal to tol: diag(1, 1, 0) and the zero matrix are not."""
    tol = math.nextafter(1 / 3, 0)
    assert rotations.check_proper_rotations(torch.eye(3), tol=tol).correct is True
    for R in (torch.diag(torch.tensor([1.0, 1.0, 0.0])), torch.zeros(3, 3)):
        result = rotations.check_proper_rotations(R, tol=tol)
        assert result.correct is False and result.message.startswith("Not yet: the matrix is not orthogonal")


# --- What kind of numbers each argument takes, and the exact refusals -------------------------------------------

def half_turn_about_z():
    return torch.diag(torch.tensor([-1.0, -1.0, 1.0], dtype=torch.float64))


@pytest.mark.parametrize("axes, angles", [
    (torch.tensor([[0, 0, 2]]), torch.tensor([1])),  # integer tensors
    (np.array([[0, 0, 2]]), np.array([1])),  # integer arrays
])
def test_axis_angle_rotations_takes_integer_axes_and_angles(axes, angles):
    """Integer tensors and arrays are numbers: a turn of 1 radian about z, written out by hand."""
    R = rotations.axis_angle_rotations(axes, angles)
    c, s = math.cos(1.0), math.sin(1.0)
    expected = torch.tensor([[[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]]], dtype=torch.float64)
    assert R.dtype == torch.float64
    torch.testing.assert_close(R, expected, atol=1e-15, rtol=0)


@pytest.mark.parametrize("axes, angles, match", [
    (torch.tensor([[0.0, float("nan"), 1.0]]), torch.tensor([1.0]), r"^axes must be finite numbers$"),
    ([[0.0, float("inf"), 1.0]], [1.0], r"^axes must be finite numbers$"),
    ([[0.0, 0.0, 1.0]], torch.tensor([float("nan")]), r"^angles must be finite numbers$"),
    ([[0.0, 0.0, 1.0]], [float("-inf")], r"^angles must be finite numbers$"),
])
def test_axis_angle_rotations_refuses_nan_and_infinity_with_its_own_message(axes, angles, match):
    """NaN or infinity in axes or angles (tensor or list) gives 'axes/angles must be finite numbers'."""
    with pytest.raises(ValueError, match=match):
        rotations.axis_angle_rotations(axes, angles)


@pytest.mark.parametrize("axes, angles", [(torch.zeros(0, 3), torch.zeros(0)), (np.zeros((0, 3)), np.zeros(0))])
def test_axis_angle_rotations_refuses_no_axes(axes, angles):
    """(0, 3) axes and (0,) angles are refused with the exact message."""
    with pytest.raises(ValueError, match=r"^axes must hold at least one axis, got shape \(0, 3\)$"):
        rotations.axis_angle_rotations(axes, angles)


def test_axis_angle_rotations_refuses_a_zero_axis_with_the_exact_message():
    """A zero row among the axes is refused, saying why."""
    with pytest.raises(ValueError, match=r"^every row of axes must be a direction, but one is the zero vector: "
                                         r"a rotation axis must not be the zero vector$"):
        rotations.axis_angle_rotations([[0.0, 0.0, 1.0], [0.0, 0.0, 0.0]], [1.0, 2.0])


def test_an_axis_of_norm_exactly_1e_minus_12_is_still_a_direction():
    """The zero-vector test is norm < 1e-12: an axis (1e-12, 0, 0) (norm exactly 1e-12) turns about x."""
    quarter_turn_about_x = torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]], dtype=torch.float64)
    torch.testing.assert_close(rotations.axis_angle_rotation([1e-12, 0.0, 0.0], math.pi / 2),
                               quarter_turn_about_x, atol=1e-15, rtol=0)
    torch.testing.assert_close(rotations.axis_angle_rotations([[1e-12, 0.0, 0.0]], [math.pi / 2])[0],
                               quarter_turn_about_x, atol=1e-15, rtol=0)


@pytest.mark.parametrize("angle", [torch.tensor(math.pi, dtype=torch.float64), np.array(math.pi), np.float64(math.pi)])
def test_axis_angle_rotation_takes_a_zero_dimensional_angle(angle):
    """A 0-d tensor or array is one number: a half turn about z."""
    torch.testing.assert_close(rotations.axis_angle_rotation([0, 0, 1], angle), half_turn_about_z(),
                               atol=1e-15, rtol=0)


@pytest.mark.parametrize("angle, shape", [([1.0, 2.0], r"\(2,\)"), (np.ones((1, 1)), r"\(1, 1\)")])
def test_axis_angle_rotation_names_the_shape_of_an_angle_that_is_not_one_number(angle, shape):
    """An angle with axes is refused, showing its shape."""
    with pytest.raises(ValueError, match=rf"^angle must be one number \(radians\), got shape {shape}$"):
        rotations.axis_angle_rotation([0, 0, 1], angle)


@pytest.mark.parametrize("axis, name", [("x", "str"), (None, "NoneType"), (True, "bool"), ({1: 2}, "dict")])
def test_axis_angle_rotation_names_the_type_of_an_axis_that_is_not_numbers(axis, name):
    """Something that is not numbers is refused, naming its type."""
    with pytest.raises(TypeError, match=rf"^axis must be numbers, a NumPy array or a torch tensor, got {name}$"):
        rotations.axis_angle_rotation(axis, 1.0)


@pytest.mark.parametrize("R", [torch.eye(3, dtype=torch.int64), np.eye(3, dtype=np.int32), [[1, 0, 0], [0, 1, 0],
                                                                                              [0, 0, 1]]])
def test_check_proper_rotations_takes_integer_matrices(R):
    """An integer identity (tensor, array or list) is a proper rotation."""
    result = rotations.check_proper_rotations(R)
    assert result.correct is True
    assert result.message == "Right: the matrix is orthogonal (to 1e-05) with det +1: proper rotations."


@pytest.mark.parametrize("R", [np.full((3, 3), np.nan), [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, float("inf")]]])
def test_check_proper_rotations_answers_not_yet_for_nan_in_an_array_or_a_list(R):
    """NaN or infinity in an array or a list is a 'Not yet' verdict, as for a tensor, not an error."""
    result = rotations.check_proper_rotations(R)
    assert result.correct is False and result.message == "Not yet: R contains NaN or infinite entries."


@pytest.mark.parametrize("R", [np.zeros((0, 3, 3)), []])
def test_check_proper_rotations_refuses_an_empty_array_by_its_shape(R):
    """An empty array or list is refused by the shape rule, naming the shape it got."""
    with pytest.raises(ValueError, match=r"^R must have shape \(3, 3\) or \(n, 3, 3\) with n >= 1, got \("):
        rotations.check_proper_rotations(R)


@pytest.mark.parametrize("R", [np.eye(3, dtype=bool), [[True, False, False], [False, True, False],
                                                       [False, False, True]]])
def test_check_proper_rotations_refuses_boolean_arrays_and_lists(R):
    """Booleans are not numbers, in an array or a list too."""
    with pytest.raises(TypeError, match=r"^R must hold numbers, not booleans \(got dtype bool\)$"):
        rotations.check_proper_rotations(R)


@pytest.mark.parametrize("R, angle", [
    (torch.eye(3, dtype=torch.float64) * (1 + 1e-5), 0.0),  # tr = 3 + 3e-5: cos above 1 is clamped to 1
    (torch.diag(torch.tensor([-1.0, -1.0, 1.0], dtype=torch.float64)) * (1 + 1e-5), math.pi),  # cos below -1
    (-torch.diag(torch.tensor([-1.0, -1.0, 1.0], dtype=torch.float64)) * (1 + 1e-5), math.pi),  # det < 0: minus it
])
def test_rotation_angles_clamps_round_off_past_the_cosine_range(R, angle):
    """Round-off can put (tr R - 1) / 2 just outside [-1, 1]: clamped, the angle is 0 or pi, not NaN."""
    got = rotations.rotation_angles(R)
    assert got.dtype == torch.float64 and got.shape == (1,)
    assert float(got[0]) == pytest.approx(angle, abs=1e-15)


def _shear(a):
    R = torch.eye(3, dtype=torch.float64)
    R[0, 1] = a  # R^T R - I has entries a and a^2: its largest is a exactly
    return R


@pytest.mark.parametrize("R, worst, error", [
    (torch.zeros(3, 3), 0, "1"),  # singular: no angle (it used to come out as 2 pi / 3)
    (torch.diag(torch.tensor([2.0, 2.0, 1.0])), 0, "3"),
    (torch.stack([torch.eye(3, dtype=torch.float64), _shear(math.nextafter(rotations.ANGLE_TOL, 1))]), 1, "0.0001"),
])
def test_rotation_angles_refuses_matrices_that_are_not_orthogonal(R, worst, error):
    """A matrix that is not a rotation or a reflection has no rotation angle: refused, naming the worst matrix."""
    with pytest.raises(ValueError, match=rf"^R must hold orthogonal matrices \(rotations or reflections\) to have "
                                         rf"rotation angles: matrix {worst} has R\^T R differing from I by {error}, "
                                         rf"more than 0\.0001; check it with check_proper_rotations$"):
        rotations.rotation_angles(R)


def test_rotation_angles_accepts_matrices_exactly_at_the_tolerance():
    """max|R^T R - I| == ANGLE_TOL passes (the bound is inclusive); one step above it is refused (above)."""
    assert rotations.ANGLE_TOL == 1e-4
    got = rotations.rotation_angles(_shear(rotations.ANGLE_TOL))
    assert float(got[0]) == 0.0  # tr R = 3: cos = 1


@pytest.mark.parametrize("tol, shown", [(1 / 3, "0.333333"), (0.5, "0.5")])
def test_check_proper_rotations_refusal_of_a_large_tolerance_has_its_exact_message(tol, shown):
    """tol >= 1/3 raises the exact message, naming tol and why the det would say nothing."""
    with pytest.raises(ValueError) as info:
        rotations.check_proper_rotations(torch.eye(3), tol=tol)
    assert str(info.value) == (f"tol must be below 1/3, got {shown}: from 1/3 on, a singular matrix passes as "
                               "orthogonal and the sign of its det says nothing")
