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
    (shear(0.5), 0.5, "Right: the matrix is orthogonal (to 0.5) with det +1: proper rotations."),
    (torch.stack([torch.eye(3), shear(0.5)]), 0.5, "Right: all 2 matrices are orthogonal (to 0.5) with det +1: "
                                                     "proper rotations."),
    (shear(0.5), 0.25, "Not yet: the matrix is not orthogonal (R^T R differs from I by up to 0.5): "
                       "a rotation keeps lengths and angles."),
    (torch.stack([torch.eye(3), shear(0.5)]), 0.25, "Not yet: 1 of the 2 matrices are not orthogonal (R^T R differs "
                                                      "from I by up to 0.5, at matrix 1): a rotation keeps lengths "
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
