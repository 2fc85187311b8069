import numpy as np
import pytest
import torch

from dlexam import augment, particles

N = 20_000  # samples for the distribution tests


def generator(seed=0):
    return torch.Generator().manual_seed(seed)


@pytest.fixture(scope="module")
def uniform_rotations():
    return augment.random_rotations(N, generator(0), dtype=torch.float64)


def test_rotations_are_orthogonal_with_det_plus_one(uniform_rotations):
    R = uniform_rotations
    identity = torch.eye(3, dtype=R.dtype).expand(N, 3, 3)
    torch.testing.assert_close(R.transpose(1, 2) @ R, identity, atol=1e-12, rtol=0)
    torch.testing.assert_close(torch.linalg.det(R), torch.ones(N, dtype=R.dtype), atol=1e-12, rtol=0)


def test_rotations_are_uniform(uniform_rotations):
    stats = augment.rotation_statistics(uniform_rotations)
    # Haar on SO(3): E[R] = 0, E[tr R] = 0 (sd 1), E[tr^2] = 1 (sd sqrt 2), E[R_ij^2] = 1/3.
    # Tolerances are about 5 standard errors for N = 20,000.
    assert np.abs(stats.mean).max() < 0.025
    assert abs(stats.mean_trace) < 0.035
    assert abs(stats.mean_trace_squared - 1) < 0.05
    torch.testing.assert_close(
        (uniform_rotations**2).mean(dim=0), torch.full((3, 3), 1 / 3, dtype=torch.float64), atol=0.012, rtol=0
    )
    assert stats.fraction_proper == 1.0
    assert stats.max_orthogonality_error < 1e-12


def test_uniformity_test_rejects_the_exam_hint():
    stats = augment.rotation_statistics(augment.qr_hint_rotations(N, generator(1)))
    assert stats.fraction_proper == 1.0  # always proper rotations ...
    np.testing.assert_allclose(np.diag(stats.mean), [-0.5, -0.48, 0.48], atol=0.03)  # ... but biased
    assert stats.mean_trace == pytest.approx(-0.5, abs=0.03)
    assert stats.mean_trace_squared == pytest.approx(0.5, abs=0.05)


def test_qr_hint_is_literally_the_hint():
    R = augment.qr_hint_rotations(5, generator(2), dtype=torch.float64)
    A = torch.randn(5, 3, 3, generator=generator(2), dtype=torch.float64).numpy()
    expected = np.stack([np.linalg.qr(a)[0] for a in A])  # one matrix at a time, as the exam's hint
    np.testing.assert_allclose(R.numpy(), expected, atol=1e-14)


def test_sign_fixed_qr_is_uniform_over_orthogonal_matrices():
    stats = augment.rotation_statistics(augment.haar_orthogonal(N, generator(3), dtype=torch.float64))
    assert stats.fraction_proper == pytest.approx(0.5, abs=0.02)
    assert np.abs(stats.mean).max() < 0.025
    assert abs(stats.mean_trace) < 0.035
    assert abs(stats.mean_trace_squared - 1) < 0.05


def test_rotation_statistics_of_known_samples():
    stats = augment.rotation_statistics(torch.eye(3).expand(4, 3, 3))
    np.testing.assert_allclose(stats.mean, np.eye(3))
    assert (stats.mean_trace, stats.mean_trace_squared, stats.fraction_proper) == (3, 9, 1)
    assert stats.max_orthogonality_error == 0
    reflections = np.diag([1.0, 1.0, -1.0])[None].repeat(2, axis=0)
    assert augment.rotation_statistics(reflections).fraction_proper == 0


def test_permutations_are_bijections():
    P = augment.random_permutations(1000, 20, generator(4))
    assert P.shape == (1000, 20) and P.dtype == torch.long
    assert torch.equal(P.sort(dim=1).values, torch.arange(20).expand(1000, 20))


def test_permutations_are_uniform():
    P = augment.random_permutations(N, 20, generator(5))
    counts = torch.bincount(P[:, 0], minlength=20).double()  # which particle lands first
    expected = N / 20
    assert float(((counts - expected) ** 2 / expected).sum()) < 50  # chi^2, 19 dof: P(>50) < 1e-4


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("rotate, permute", [(True, False), (False, True), (True, True)])
def test_augment_preserves_the_property(seed, rotate, permute):
    X, y = particles.make_dataset(16, seed=seed)
    before = X.clone()
    out = augment.augment(X, rotate=rotate, permute=permute, generator=generator(seed))
    assert torch.equal(X, before)  # a copy: the input is untouched
    assert not torch.allclose(out, X)
    torch.testing.assert_close(particles.target(out), y, rtol=1e-5, atol=1e-5)


def test_augment_without_either_is_a_copy():
    X, _ = particles.make_dataset(3)
    out = augment.augment(X, rotate=False, permute=False)
    assert torch.equal(out, X) and out.data_ptr() != X.data_ptr()


def test_rotation_only_keeps_order_and_distances_from_origin():
    X, _ = particles.make_dataset(6)
    out = augment.augment(X, rotate=True, permute=False, generator=generator(6))
    torch.testing.assert_close(out.norm(dim=2), X.norm(dim=2), rtol=1e-5, atol=1e-5)


def test_permutation_only_reorders_the_same_particles():
    X, _ = particles.make_dataset(6)
    out = augment.augment(X, rotate=False, permute=True, generator=generator(7))
    key = lambda Z: Z[torch.arange(6)[:, None], Z[:, :, 0].argsort(dim=1)]  # sort particles by x
    assert torch.equal(key(out), key(X))


def test_apply_rotations_matches_a_per_sample_reference():
    X, _ = particles.make_dataset(4)
    R = augment.random_rotations(4, generator(8))
    expected = torch.stack([(R[b] @ X[b].T).T for b in range(4)])  # x -> R x, particle by particle
    torch.testing.assert_close(augment.apply_rotations(X, R), expected)


def test_generators_make_it_reproducible_and_leave_global_state_alone():
    state = torch.random.get_rng_state()
    a = augment.random_rotations(10, generator(9))
    b = augment.random_rotations(10, generator(9))
    assert torch.equal(a, b)
    assert torch.equal(state, torch.random.get_rng_state())


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: augment.augment(torch.zeros(5, 60)), ValueError, "X must have shape (B, m, 3), got (5, 60)"),
        (lambda: augment.augment(np.zeros((5, 20, 3))), TypeError, "torch tensor"),
        (lambda: augment.augment(torch.zeros(5, 20, 3, dtype=torch.long)), TypeError, "floating-point"),
        (lambda: augment.random_rotations(0), ValueError, "at least 1"),
        (lambda: augment.random_rotations(2.0), TypeError, "integer"),
        (lambda: augment.random_rotations(3, generator=np.random.default_rng(0)), TypeError, "torch.Generator"),
        (lambda: augment.random_permutations(3, 0), ValueError, "m must be at least 1"),
        (lambda: augment.apply_rotations(torch.zeros(2, 5, 3), torch.eye(3)), ValueError, "(2, 3, 3)"),
        (lambda: augment.apply_permutations(torch.zeros(2, 5, 3), torch.zeros(2, 4)), ValueError, "(2, 5)"),
        (lambda: augment.rotation_statistics(torch.zeros(3, 2, 2)), ValueError, "(n, 3, 3)"),
    ],
)
def test_bad_inputs_raise_clear_errors(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)


def test_nearest_copy_distance_rotations_fill_in_permutations_do_not():
    X, _ = particles.make_dataset(8, seed=3)

    def median(aug, n_seen):
        d = augment.nearest_copy_distance(X, aug, n_seen=n_seen, n_new=50, generator=torch.Generator().manual_seed(0))
        assert d.shape == (8, 50) and bool(((d >= 0) & (d <= 1)).all())
        return float(d.median())

    few, many = median("rotations", 10), median("rotations", 1000)
    # The rotations form a 3-dimensional family: 100 times more copies come 100^(1/3) = 4.6 times closer.
    assert 3 < few / many < 7
    permutations = median("permutations", 1000)
    assert permutations > 0.5 and permutations > 2 * median("rotations", 100)


def test_nearest_copy_distance_is_reproducible_and_rejects_no_augmentation():
    X, _ = particles.make_dataset(3, seed=0)
    a = augment.nearest_copy_distance(X, "both", 20, 5, torch.Generator().manual_seed(4))
    b = augment.nearest_copy_distance(X, "both", 20, 5, torch.Generator().manual_seed(4))
    assert torch.equal(a, b)
    with pytest.raises(ValueError, match="'rotations', 'permutations' or 'both'"):
        augment.nearest_copy_distance(X, "none")
    with pytest.raises(ValueError, match="n_seen"):
        augment.nearest_copy_distance(X, "rotations", n_seen=0)
    with pytest.raises(ValueError, match="shape"):
        augment.nearest_copy_distance(X[0], "rotations")


def test_the_hint_sampler_is_numpys_qr_of_the_same_normals():
    A = torch.randn(50, 3, 3, generator=generator(9), dtype=torch.float64)
    np.testing.assert_array_equal(augment.qr_hint_from_normal(A).numpy(), np.linalg.qr(A.numpy())[0])
    torch.testing.assert_close(augment.qr_hint_rotations(50, generator(9), dtype=torch.float64),
                               augment.qr_hint_from_normal(A))
    with pytest.raises(ValueError, match="shape"):
        augment.qr_hint_from_normal(torch.zeros(3, 3))
