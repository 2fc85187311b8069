"""dlexam.pca against numpy.linalg.svd / matrix_rank, and exam question I(F)."""

import numpy as np
import pytest

from dlexam.pca import (
    EXAM_COVARIANCE,
    explained_variance_ratio,
    is_positive_semidefinite,
    pca,
    rank,
    sample_with_covariance,
)


def _random_psd(d, r, seed):
    """(d, d) symmetric PSD matrix of rank r, as A A^T with A of shape (d, r)."""
    a = np.random.default_rng(seed).normal(size=(d, r))
    return a @ a.T


PSD_SHAPES = [(1, 1), (2, 1), (3, 3), (3, 2), (5, 5), (6, 3), (8, 1), (10, 10), (10, 7)]  # (d, rank)
PSD_CASES = [(d, r, seed) for seed, (d, r) in enumerate(PSD_SHAPES)]


@pytest.mark.parametrize("d, r, seed", PSD_CASES)
def test_pca_matches_svd(d, r, seed):
    C = _random_psd(d, r, seed)
    eigenvalues, V = pca(C)
    U, S, _ = np.linalg.svd(C)
    # for a symmetric PSD matrix the eigenvalues are the singular values
    np.testing.assert_allclose(eigenvalues, S, atol=1e-10 * S[0])
    # the non-zero ones are distinct here, so their eigenvectors agree up to sign
    for i in range(r):
        assert min(np.abs(V[:, i] - U[:, i]).max(), np.abs(V[:, i] + U[:, i]).max()) < 1e-8


@pytest.mark.parametrize("d, r, seed", PSD_CASES)
def test_pca_reconstructs_c_from_an_orthonormal_basis(d, r, seed):
    C = _random_psd(d, r, seed)
    eigenvalues, V = pca(C)
    np.testing.assert_allclose(V.T @ V, np.eye(d), atol=1e-12)
    np.testing.assert_allclose(V @ np.diag(eigenvalues) @ V.T, C, atol=1e-10 * np.abs(C).max())
    np.testing.assert_allclose(C @ V, V * eigenvalues, atol=1e-10 * np.abs(C).max())
    assert np.all(np.diff(eigenvalues) <= 0)


@pytest.mark.parametrize("d, r, seed", PSD_CASES)
def test_pca_sign_convention_makes_the_largest_entry_positive(d, r, seed):
    _, V = pca(_random_psd(d, r, seed))
    largest = V[np.argmax(np.abs(V), axis=0), np.arange(d)]
    assert np.all(largest > 0)
    # reversing the coordinates reverses each eigenvector's entries and, by the convention,
    # keeps its sign (checked for the non-zero eigenvalues, which are distinct here)
    _, V_reversed = pca(_random_psd(d, r, seed)[::-1, ::-1])
    np.testing.assert_allclose(V_reversed[::-1, :r], V[:, :r], atol=1e-8)


def test_pca_of_a_diagonal_matrix_is_the_sorted_axes():
    eigenvalues, V = pca(np.diag([1.0, 3.0, 2.0]))
    np.testing.assert_array_equal(eigenvalues, [3.0, 2.0, 1.0])
    np.testing.assert_array_equal(V, [[0, 0, 1], [1, 0, 0], [0, 1, 0]])


@pytest.mark.parametrize(
    "shape, r, seed",
    [((4, 4), 2, 0), ((5, 3), 3, 1), ((3, 7), 1, 2), ((6, 6), 6, 3), ((9, 4), 2, 4), ((1, 1), 1, 5)],
)
def test_rank_matches_numpy_matrix_rank(shape, r, seed):
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(shape[0], r)) @ rng.normal(size=(r, shape[1]))
    assert rank(M) == np.linalg.matrix_rank(M) == r
    assert rank(M, tol=0.5) == np.linalg.matrix_rank(M, tol=0.5)


@pytest.mark.parametrize("small", [1e-15, 6e-16, 3e-16, 1e-17])
@pytest.mark.parametrize("shape", [(2, 2), (2, 5), (5, 2)])
def test_rank_default_tol_is_numpys_at_the_threshold(small, shape):
    # singular values 1 and `small` straddle the default tol, max(M, N) * eps
    M = np.zeros(shape)
    M[0, 0], M[1, 1] = 1.0, small
    assert rank(M) == np.linalg.matrix_rank(M)


def test_rank_of_zero_matrix_is_zero_and_tol_counts():
    assert rank(np.zeros((3, 3))) == 0
    assert rank(np.diag([3.0, 1.0, 1e-3])) == 3
    assert rank(np.diag([3.0, 1.0, 1e-3]), tol=1e-2) == 2


def test_exam_covariance_has_rank_two_and_its_eigenvalues():
    eigenvalues, V = pca(EXAM_COVARIANCE)
    assert rank(EXAM_COVARIANCE) == 2
    np.testing.assert_allclose(eigenvalues, [12.663, 4.837, 0.0], atol=5e-4)
    # row 2 is twice row 1, so (2, -1, 0) / sqrt(5) spans the null space
    np.testing.assert_allclose(V[:, 2], np.array([2.0, -1.0, 0.0]) / np.sqrt(5), atol=1e-12)
    assert is_positive_semidefinite(EXAM_COVARIANCE)


def test_exam_covariance_cannot_be_changed_by_accident():
    with pytest.raises(ValueError, match="read-only"):
        EXAM_COVARIANCE[0, 0] = 1.0


@pytest.mark.parametrize("d, r, seed", PSD_CASES)
def test_psd_matrices_are_psd_and_shifted_below_zero_are_not(d, r, seed):
    C = _random_psd(d, r, seed)
    assert is_positive_semidefinite(C)
    smallest = np.linalg.eigvalsh(C).min()
    assert not is_positive_semidefinite(C - (smallest + 0.1) * np.eye(d))


def test_is_positive_semidefinite_tolerance():
    C = np.diag([1.0, -1e-6])
    assert not is_positive_semidefinite(C)
    assert is_positive_semidefinite(C, tol=1e-5)


@pytest.mark.parametrize("d, r, seed", PSD_CASES)
def test_explained_variance_ratio_properties(d, r, seed):
    ratio = explained_variance_ratio(_random_psd(d, r, seed))
    assert ratio.shape == (d,)
    assert np.all(ratio >= 0) and np.all(np.diff(ratio) <= 0)
    assert ratio.sum() == pytest.approx(1.0)
    assert np.count_nonzero(ratio) == r  # round-off zeros come out as exactly 0


def test_explained_variance_ratio_of_the_exam_matrix():
    ratio = explained_variance_ratio(EXAM_COVARIANCE)
    np.testing.assert_allclose(ratio, np.array([12.663119, 4.836881, 0.0]) / 17.5, atol=1e-6)


@pytest.mark.parametrize(
    "C, match",
    [(np.diag([1.0, -2.0]), "not positive semidefinite"), (np.zeros((2, 2)), "zero matrix")],
)
def test_explained_variance_ratio_rejects_non_covariances(C, match):
    with pytest.raises(ValueError, match=match):
        explained_variance_ratio(C)


@pytest.mark.parametrize(
    "C", [EXAM_COVARIANCE, _random_psd(4, 4, 7), _random_psd(5, 2, 8), np.array([[2.0]])]
)
def test_sample_covariance_approaches_c(C):
    n = 200_000
    x = sample_with_covariance(C, n, np.random.default_rng(0))
    assert x.shape == (n, C.shape[0])
    sample_cov = x.T @ x / n  # the mean is zero by construction
    # standard error of each entry of a Gaussian sample covariance
    std_error = np.sqrt((np.outer(np.diag(C), np.diag(C)) + C**2) / n)
    assert np.all(np.abs(sample_cov - C) < 5 * std_error + 1e-12)
    assert np.all(np.abs(x.mean(axis=0)) < 5 * np.sqrt(np.diag(C) / n) + 1e-12)


def test_samples_of_a_singular_covariance_lie_in_its_range():
    x = sample_with_covariance(EXAM_COVARIANCE, 1000, np.random.default_rng(1))
    null_direction = np.array([2.0, -1.0, 0.0]) / np.sqrt(5)
    assert np.abs(x @ null_direction).max() < 1e-10
    assert rank(x) == 2


def test_samples_are_reproducible_from_the_generator():
    a = sample_with_covariance(EXAM_COVARIANCE, 5, np.random.default_rng(3))
    b = sample_with_covariance(EXAM_COVARIANCE, 5, np.random.default_rng(3))
    c = sample_with_covariance(EXAM_COVARIANCE, 5, np.random.default_rng(4))
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


@pytest.mark.parametrize("generator", [None, 0, np.random.RandomState(0)])
def test_sample_with_covariance_needs_a_generator(generator):
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        sample_with_covariance(EXAM_COVARIANCE, 10, generator)


@pytest.mark.parametrize(
    "n, error, match",
    [(0, ValueError, "at least 1"), (2.5, TypeError, "integer"), (True, TypeError, "integer")],
)
def test_sample_with_covariance_rejects_bad_n(n, error, match):
    with pytest.raises(error, match=match):
        sample_with_covariance(EXAM_COVARIANCE, n, np.random.default_rng(0))


def test_sample_with_covariance_rejects_non_psd():
    with pytest.raises(ValueError, match="not positive semidefinite"):
        sample_with_covariance(np.diag([1.0, -1.0]), 10, np.random.default_rng(0))


@pytest.mark.parametrize(
    "C, error, match",
    [
        (np.ones((2, 3)), ValueError, r"square \(d, d\), got shape \(2, 3\)"),
        ([[1.0, 2.0], [3.0, 4.0]], ValueError, r"symmetric.*C\[0, 1\] = 2.0 while C\[1, 0\] = 3.0"),
        (np.ones(3), ValueError, "2-D matrix"),
        ([[1.0, np.nan], [np.nan, 1.0]], ValueError, "finite"),
        ([["a"]], TypeError, "real numbers"),
        (np.zeros((0, 0)), ValueError, "empty"),
    ],
)
@pytest.mark.parametrize("function", [pca, is_positive_semidefinite, explained_variance_ratio])
def test_bad_matrices_are_rejected_with_a_message(function, C, error, match):
    with pytest.raises(error, match=match):
        function(C)


def test_symmetry_tolerance_accepts_round_off():
    C = _random_psd(4, 4, 9)
    C[0, 1] += 1e-12 * np.abs(C).max()
    assert pca(C).eigenvalues.shape == (4,)


@pytest.mark.parametrize("tol, error", [(-1.0, ValueError), ("0.1", TypeError)])
def test_rank_rejects_bad_tol(tol, error):
    with pytest.raises(error, match="tol"):
        rank(EXAM_COVARIANCE, tol=tol)


# --- tolerance, null space, self-checks ------------------------------------------------------

from dlexam.pca import check_covariance, check_rank, null_space, rank_tolerance  # noqa: E402


@pytest.mark.parametrize("shape, r, seed", [((3, 3), 2, 0), ((5, 3), 3, 1), ((4, 6), 1, 2), ((1, 1), 1, 3)])
def test_rank_tolerance_is_numpys_default(shape, r, seed):
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(shape[0], r)) @ rng.normal(size=(r, shape[1]))
    S = np.linalg.svd(M, compute_uv=False)
    assert rank_tolerance(M) == S.max() * max(M.shape) * np.finfo(float).eps
    assert rank(M, tol=rank_tolerance(M)) == rank(M) == np.linalg.matrix_rank(M)


def test_exam_covariance_is_rank_three_with_tol_zero():
    # the null eigenvalue comes out as round-off, not as an exact zero
    smallest = np.linalg.svd(EXAM_COVARIANCE, compute_uv=False).min()
    assert 0 < smallest < rank_tolerance(EXAM_COVARIANCE)
    assert rank(EXAM_COVARIANCE, tol=0) == 3
    assert rank(EXAM_COVARIANCE) == 2


@pytest.mark.parametrize("d, r, seed", PSD_CASES)
def test_null_space_is_an_orthonormal_basis_of_the_kernel(d, r, seed):
    C = _random_psd(d, r, seed)
    N = null_space(C)
    assert N.shape == (d, d - rank(C))
    np.testing.assert_allclose(N.T @ N, np.eye(d - r), atol=1e-10)
    np.testing.assert_allclose(C @ N, 0, atol=1e-10 * np.abs(C).max())
    # together with the principal components of non-zero variance it spans everything
    _, V = pca(C)
    np.testing.assert_allclose(V[:, :r].T @ N, 0, atol=1e-8)


def test_null_space_of_the_exam_matrix_and_tolerance():
    np.testing.assert_allclose(null_space(EXAM_COVARIANCE)[:, 0], np.array([2.0, -1.0, 0.0]) / np.sqrt(5), atol=1e-12)
    assert null_space(EXAM_COVARIANCE, tol=0).shape == (3, 0)
    assert null_space(np.diag([1.0, 1e-3]), tol=1e-2).shape == (2, 1)


@pytest.mark.parametrize(
    "C, rank_asked, correct, says",
    [
        (np.outer([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]), 1, True, "Right"),
        (np.diag([2.0, 0.0, 0.0]), 1, True, "Right"),
        (EXAM_COVARIANCE, 2, True, "Right"),
        (EXAM_COVARIANCE, None, True, "rank 2"),
        (EXAM_COVARIANCE, 1, False, "rank 2, not 1"),
        (np.zeros((3, 3)), 1, False, "rank 0, not 1"),
        (np.diag([1.0, -1.0, 0.0]), 1, False, "negative eigenvalue -1"),
        (np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]), 1, False, "symmetric"),
        (np.ones((3, 2)), 1, False, "square"),
        (np.eye(2), 3, False, "cannot have rank 3"),
    ],
)
def test_check_covariance(C, rank_asked, correct, says):
    verdict = check_covariance(C, rank=rank_asked)
    assert bool(verdict) is correct
    assert says in verdict.message


def test_check_covariance_rank_must_be_an_integer():
    with pytest.raises(TypeError, match="rank"):
        check_covariance(np.eye(3), rank=1.0)


def test_check_rank_of_a_centred_sample_covariance():
    x = np.random.default_rng(0).normal(size=(10, 20))
    C = np.cov(x.T)  # centring removes one dimension: rank n - 1
    assert check_rank(C, 9)
    low, high = check_rank(C, 3), check_rank(C, 10)
    assert not low and "too low" in low.message
    assert not high and "too high" in high.message
    assert check_rank(EXAM_COVARIANCE, 3, tol=0) and not check_rank(EXAM_COVARIANCE, 3)
    with pytest.raises(TypeError, match="answer must be an integer, got 2.0"):
        check_rank(EXAM_COVARIANCE, 2.0)


def test_check_rank_full_rank_and_at_the_tolerance():
    C = np.diag([4.0, 2.0, 1.0])  # full rank 3, eigenvalues by hand
    assert check_rank(C, 3) and check_rank(C, 3, tol=0)
    assert "too low" in check_rank(C, 2).message and "too high" in check_rank(C, 4).message
    assert check_rank(C, 2, tol=1.0)  # an eigenvalue exactly at tol does not count: rank 2
    assert check_rank(C, 3, tol=1.0 - 2**-20)  # just below it, it counts
    assert check_rank(C, 0, tol=4.0) and check_rank(np.zeros((3, 3)), 0, tol=0)


# --- limits, scales, boundaries and exact messages -------------------------------------------

import warnings  # noqa: E402

from dlexam.pca import MAX_ENTRIES  # noqa: E402


def test_matrix_size_limit_is_inclusive():
    """A matrix of exactly MAX_ENTRIES entries is accepted, one more is refused with the count."""
    assert MAX_ENTRIES == 4_000_000
    assert rank(np.ones((1, 4_000_000))) == 1
    with pytest.raises(ValueError) as info:
        rank(np.ones((1, 4_000_001)))
    assert str(info.value) == "C has 4,000,001 entries, more than the limit of 4,000,000"


@pytest.mark.parametrize("scale", [2.0**-10, 1.0, 2.0**10])
def test_symmetry_tolerance_is_relative_to_the_largest_entry(scale):
    """max|C - C^T| is compared with SYMMETRY_RTOL * max|C| (1e-8 times the scale), not divided by it."""
    accepted = scale * np.array([[1.0, 0.0], [2.0**-30, 1.0]])  # asymmetry 9.3e-10 * scale
    assert pca(accepted).eigenvalues.shape == (2,)
    rejected = scale * np.array([[1.0, 0.0], [2.0**-26, 1.0]])  # asymmetry 1.5e-8 * scale
    with pytest.raises(ValueError, match=r"C must be symmetric like a covariance matrix, but C\[0, 1\] = 0.0 while"):
        pca(rejected)


def test_functions_raise_no_warnings():
    """The default tolerances use np.finfo(np.float64), not a deprecated np.finfo(None)."""
    C = np.diag([4.0, 2.0, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert rank(C) == 2 and is_positive_semidefinite(C)
        assert rank_tolerance(C) == 4.0 * 3 * 2.0**-52
        np.testing.assert_array_equal(explained_variance_ratio(C), [2 / 3, 1 / 3, 0.0])


@pytest.mark.parametrize(
    "tol, expected", [(1.0, True), (1.0 - 2**-20, False), (2.0, True), (0.75, False)]
)
def test_is_positive_semidefinite_with_tol_compares_the_eigenvalues_of_c(tol, expected):
    """The smallest eigenvalue of C itself (-1, not a multiple of it) is compared with -tol, >= inclusive."""
    assert is_positive_semidefinite(np.diag([3.0, -1.0]), tol=tol) is expected


def test_explained_variance_ratio_not_psd_message():
    """A negative eigenvalue is refused with the whole message."""
    with pytest.raises(ValueError) as info:
        explained_variance_ratio(np.diag([1.0, -2.0]))
    assert str(info.value) == (
        "C is not positive semidefinite (it has eigenvalue -2 < 0), so it is not a covariance matrix"
    )


@pytest.mark.parametrize("small", [2.0**-51, -(2.0**-51)])
def test_an_eigenvalue_exactly_at_the_round_off_tolerance_counts_as_zero(small):
    """An eigenvalue of size exactly max|eigenvalue| * d * eps (here 2 * 2**-52) becomes exactly 0."""
    C = np.diag([1.0, small])
    np.testing.assert_array_equal(explained_variance_ratio(C), [1.0, 0.0])
    x = sample_with_covariance(C, 100, np.random.default_rng(0))
    assert np.all(x[:, 1] == 0) and np.all(x[:, 0] != 0)


def test_seeded_samples_of_a_diagonal_covariance_are_scaled_standard_normals():
    """With C = diag(4, 1, 9) the samples are the generator's normals times 2, 1, 3 (largest variance first)."""
    x = sample_with_covariance(np.diag([4.0, 1.0, 9.0]), 6, np.random.default_rng(5))
    z = np.random.default_rng(5).standard_normal((6, 3))  # column j goes with the j-th largest eigenvalue
    np.testing.assert_allclose(x, np.column_stack([2 * z[:, 1], z[:, 2], 3 * z[:, 0]]), rtol=1e-15, atol=0)


def test_sample_variances_along_the_principal_axes_are_the_eigenvalues():
    """Projected on pca's eigenvectors, 400 000 samples have variances within 4 standard errors of the eigenvalues."""
    C = np.array([[5.0, 2.0], [2.0, 2.0]])  # eigenvalues 6 and 1 by hand
    n = 400_000
    x = sample_with_covariance(C, n, np.random.default_rng(11))
    _, V = pca(C)
    variances = ((x @ V) ** 2).mean(axis=0)
    np.testing.assert_allclose(variances, [6.0, 1.0], atol=0, rtol=4 * np.sqrt(2 / n))
    assert abs((x @ V)[:, 0] @ (x @ V)[:, 1] / n) < 4 * np.sqrt(6.0 / n)


@pytest.mark.parametrize(
    "generator, name", [(0, "int"), (np.random.RandomState(0), "RandomState"), ("rng", "str")]
)
def test_sample_with_covariance_names_the_wrong_generator_type(generator, name):
    """The TypeError says which type was passed instead of a Generator."""
    with pytest.raises(TypeError) as info:
        sample_with_covariance(EXAM_COVARIANCE, 10, generator)
    assert str(info.value) == (
        "generator must be a numpy.random.Generator such as np.random.default_rng(0), got " + name
    )


def test_sample_with_covariance_refuses_too_many_numbers():
    """n * d above validate.MAX_ELEMENTS (5e7) is refused before the eigendecomposition, with the count."""
    n = 10**7  # the most samples validate.size allows
    with pytest.raises(ValueError) as info:  # 6e7 numbers; past the size check it would fail as not PSD
        sample_with_covariance(np.diag([1.0, -1.0, 1.0, 1.0, 1.0, 1.0]), n, np.random.default_rng(0))
    assert str(info.value) == (
        "n and C would need 60,000,000 sampled numbers, more than the limit of 50,000,000: use smaller values"
    )
    with pytest.raises(ValueError, match="not positive semidefinite"):  # exactly 5e7: allowed
        sample_with_covariance(np.diag([1.0, -1.0, 1.0, 1.0, 1.0]), n, np.random.default_rng(0))


@pytest.mark.parametrize(
    "C, rank_asked, correct, message",
    [
        (EXAM_COVARIANCE, None, True, "Right: a 3×3 covariance matrix of rank 2."),
        (np.eye(3), 3, True, "Right: a 3×3 covariance matrix of rank 3."),
        (np.eye(2), 3, False, "Not yet: a 2×2 matrix cannot have rank 3; it needs at least 3 rows."),
        (
            np.diag([1.0, -1.0, 0.0]),
            1,
            False,
            "Not a covariance matrix: it has the negative eigenvalue -1, a direction with negative variance. "
            "Covariance matrices are positive semidefinite.",
        ),
    ],
)
def test_check_covariance_messages(C, rank_asked, correct, message):
    """Exact feedback, including full rank equal to the number of rows."""
    verdict = check_covariance(C, rank=rank_asked)
    assert verdict.correct is correct
    assert verdict.message == message


@pytest.mark.parametrize(
    "answer, tol, correct, message",
    [
        (3, None, True, "Right: rank 3."),
        (2, 1.0, True, "Right: rank 2."),
        (
            1,
            None,
            False,
            "Not yet: 1 is too low. Count the eigenvalues above the tolerance 2.7e-15: pca(C).eigenvalues lists them.",
        ),
        (
            4,
            None,
            False,
            "Not yet: 4 is too high. Count the eigenvalues above the tolerance 2.7e-15: pca(C).eigenvalues lists them.",
        ),
        (
            1,
            1.0,
            False,
            "Not yet: 1 is too low. Count the eigenvalues above the tolerance 1: pca(C).eigenvalues lists them.",
        ),
        (
            3,
            1.0,
            False,
            "Not yet: 3 is too high. Count the eigenvalues above the tolerance 1: pca(C).eigenvalues lists them.",
        ),
    ],
)
def test_check_rank_messages(answer, tol, correct, message):
    """Exact feedback for diag(4, 2, 1), naming the tolerance given or the default 4 * 3 * eps."""
    verdict = check_rank(np.diag([4.0, 2.0, 1.0]), answer, tol=tol)
    assert verdict.correct is correct
    assert verdict.message == message
