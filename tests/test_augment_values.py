"""dlexam.augment.nearest_copy_distance: exact values, defaults, and the exact messages of its errors."""

import numpy as np
import pytest
import torch

from dlexam import augment

LIMIT_MESSAGE = ("X, n_seen and n_new would need 50,300,000 numbers in the copies and their distances, "
                 "more than the limit of 50,000,000: use smaller values")


def generator(seed=0):
    return torch.Generator().manual_seed(seed)


def test_defaults_are_100_seen_and_100_new_copies():
    """Without n_seen and n_new the call equals the explicit n_seen=100, n_new=100 call."""
    X = torch.tensor([[[1.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 3.0]]])
    default = augment.nearest_copy_distance(X, "both", generator=generator(5))
    explicit = augment.nearest_copy_distance(X, "both", n_seen=100, n_new=100, generator=generator(5))
    assert default.shape == (1, 100)
    assert torch.equal(default, explicit)


def test_two_swapped_particles_give_exactly_zero_or_one():
    """Two particles 0.5 apart, one seen copy: a new copy is either that copy (0) or the swap (1)."""
    X = torch.tensor([[[0.0, 0.0, 0.0], [0.5, 0.0, 0.0]]])
    d = augment.nearest_copy_distance(X, "permutations", n_seen=1, n_new=50, generator=generator(0))
    assert d.dtype == torch.float64
    assert sorted(set(d.flatten().tolist())) == [0.0, 1.0]


def test_one_particle_is_allowed_and_its_permutations_are_all_the_same():
    """m = 1 is accepted; every permuted copy is the configuration itself, so every distance is 0."""
    X = torch.tensor([[[1.0, 2.0, 3.0]], [[0.5, 0.0, 0.0]]], dtype=torch.float32)
    d = augment.nearest_copy_distance(X, "permutations", n_seen=3, n_new=4, generator=generator(1))
    assert d.dtype == torch.float64
    assert torch.equal(d, torch.zeros(2, 4, dtype=torch.float64))


def test_the_ratio_does_not_depend_on_the_scale():
    """Shrinking X by 1/1024 (mean distances below 1) leaves the ratios unchanged and not zero."""
    X = torch.tensor([[[1.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 3.0]]])
    big = augment.nearest_copy_distance(X, "rotations", n_seen=5, n_new=6, generator=generator(2))
    small = augment.nearest_copy_distance(X / 1024, "rotations", n_seen=5, n_new=6, generator=generator(2))
    assert bool((small > 0).all())
    torch.testing.assert_close(small, big, rtol=1e-12, atol=0.0)


def test_no_augmentation_is_refused_with_the_exact_message():
    """'none' names the three choices and says why."""
    with pytest.raises(ValueError) as info:
        augment.nearest_copy_distance(torch.zeros(1, 2, 3), "none")
    assert str(info.value) == ("augmentation must be 'rotations', 'permutations' or 'both', got 'none' "
                               "(without augmentation every copy is the configuration itself)")


def test_configurations_without_particles_are_refused_with_the_exact_message():
    """Shape (2, 0, 3) has no particle to copy."""
    with pytest.raises(ValueError) as info:
        augment.nearest_copy_distance(torch.zeros(2, 0, 3), "rotations")
    assert str(info.value) == "X must hold at least one particle per configuration, got shape (2, 0, 3)"


def test_too_much_work_is_refused_with_the_exact_count():
    """2 (10000 * 15 + 5000 * 5000) = 50,300,000 numbers is over the limit of 5e7."""
    with pytest.raises(ValueError) as info:
        augment.nearest_copy_distance(torch.zeros(2, 5, 3), "rotations", n_seen=5000, n_new=5000)
    assert str(info.value) == LIMIT_MESSAGE


def test_a_bad_generator_is_named_before_the_work_limit():
    """A NumPy generator is a TypeError even when the sizes are also too large."""
    with pytest.raises(TypeError, match=r"generator must be a torch\.Generator or None, got Generator"):
        augment.nearest_copy_distance(torch.zeros(2, 5, 3), "rotations", n_seen=5000, n_new=5000,
                                      generator=np.random.default_rng(0))


# --- haar_orthogonal ----------------------------------------------------------------------------------


def _haar_reference(n, seed):
    """NumPy reference: Q of QR of float64 normals drawn from the seeded generator, columns times sign(diag R)."""
    A = torch.randn(n, 3, 3, generator=generator(seed), dtype=torch.float64).numpy()
    Q, R = np.linalg.qr(A)
    return Q * np.sign(np.diagonal(R, axis1=1, axis2=2))[:, None, :]


@pytest.mark.parametrize("seed", [0, 3])
def test_haar_orthogonal_is_the_sign_fixed_qr_of_float64_normals_from_the_generator(seed):
    """dtype=float64: exactly the (n, 3, 3) float64 normals of the generator, QR'd with R's diagonal made positive."""
    Q = augment.haar_orthogonal(4, generator=generator(seed), dtype=torch.float64)
    assert Q.dtype == torch.float64 and Q.shape == (4, 3, 3)
    np.testing.assert_allclose(Q.numpy(), _haar_reference(4, seed), rtol=0, atol=1e-12)


def test_haar_orthogonal_default_dtype_is_float32():
    """Without dtype the matrices come back as float32, the same numbers as the float64 reference."""
    Q = augment.haar_orthogonal(5, generator=generator(1))
    assert Q.dtype == torch.float32
    np.testing.assert_allclose(Q.numpy(), _haar_reference(5, 1), rtol=0, atol=1e-6)


def test_haar_orthogonal_refuses_a_numpy_generator_with_its_message():
    """A NumPy generator is named in haar_orthogonal's own TypeError."""
    with pytest.raises(TypeError, match=r"^generator must be a torch\.Generator or None, got Generator; "
                                        r"create one with torch\.Generator\(\)\.manual_seed\(seed\)$"):
        augment.haar_orthogonal(2, generator=np.random.default_rng(0))


# --- qr_hint_rotations and rotation_statistics ------------------------------------------------------------


def test_qr_hint_rotations_default_dtype_is_float32():
    """Without dtype the hint's Q comes back as float32: the same numbers as np.linalg.qr of the float64 normals."""
    Q = augment.qr_hint_rotations(3, generator=generator(2))
    assert Q.dtype == torch.float32
    A = torch.randn(3, 3, 3, generator=generator(2), dtype=torch.float64).numpy()
    np.testing.assert_allclose(Q.numpy(), np.linalg.qr(A)[0], rtol=0, atol=1e-6)


def test_rotation_statistics_of_a_single_matrix():
    """n = 1 is allowed: diag(1, -1, -1) has trace -1, trace^2 1, det +1 and is exactly orthogonal."""
    stats = augment.rotation_statistics(torch.diag(torch.tensor([1.0, -1.0, -1.0]))[None])
    assert stats.n == 1
    np.testing.assert_array_equal(stats.mean, np.diag([1.0, -1.0, -1.0]))
    assert (stats.mean_trace, stats.mean_trace_squared, stats.fraction_proper) == (-1.0, 1.0, 1.0)
    assert stats.max_orthogonality_error == 0.0


def test_rotation_statistics_refuses_no_matrices():
    """n = 0 raises the exact message."""
    with pytest.raises(ValueError) as info:
        augment.rotation_statistics(torch.zeros(0, 3, 3))
    assert str(info.value) == "R must have shape (n, 3, 3) with n >= 1, got (0, 3, 3)"


# --- Whole-number matrices are accepted where numbers are asked for ------------------------------------


def test_rotations_from_normal_accepts_an_integer_tensor():
    """An int64 diagonal matrix with positive entries has sign-fixed QR factor Q = I: the rotation is I."""
    A = torch.tensor([[[2, 0, 0], [0, 3, 0], [0, 0, 4]]])
    assert torch.equal(augment.rotations_from_normal(A), torch.eye(3, dtype=torch.float64)[None])


def test_qr_hint_from_normal_accepts_an_integer_tensor():
    """An int64 matrix gives NumPy's own QR factor of the same matrix in float64."""
    A = torch.tensor([[[2, 1, 0], [0, 3, 1], [1, 0, 4]]])
    expected = np.linalg.qr(A.numpy().astype(np.float64))[0]
    np.testing.assert_array_equal(augment.qr_hint_from_normal(A).numpy(), expected)


def test_apply_rotations_accepts_an_integer_rotation():
    """The int64 quarter turn about z maps (1, 2, 3) to (-2, 1, 3)."""
    X = torch.tensor([[[1.0, 2.0, 3.0]]])
    R = torch.tensor([[[0, -1, 0], [1, 0, 0], [0, 0, 1]]])
    assert torch.equal(augment.apply_rotations(X, R), torch.tensor([[[-2.0, 1.0, 3.0]]]))


@pytest.mark.parametrize("R, got", [([[1.0, 0.0, 0.0]], "list"), (None, "NoneType"), (np.eye(3)[None], "ndarray")])
def test_apply_rotations_names_the_type_of_a_non_tensor(R, got):
    """A rotation that is no tensor raises ValueError naming its type."""
    with pytest.raises(ValueError) as info:
        augment.apply_rotations(torch.zeros(1, 2, 3), R)
    assert str(info.value) == f"R must be a tensor of shape (1, 3, 3) to match X, got {got}"


@pytest.mark.parametrize("R, got", [([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]], "list"), (None, "NoneType")])
def test_rotation_statistics_names_the_type_of_a_non_tensor(R, got):
    """Neither a tensor nor an array: a TypeError naming the type it got."""
    with pytest.raises(TypeError) as info:
        augment.rotation_statistics(R)
    assert str(info.value) == f"R must be a torch tensor or NumPy array, got {got}"


# --- qr_hint_*: float64 output and the generator check; rotation_statistics on whole and singular matrices ---


def test_qr_hint_from_normal_of_float32_is_float64():
    """float32 normals are QR'd in float64: the result is float64, NumPy's Q of the float64 matrix."""
    A = torch.randn(3, 3, 3, generator=generator(4), dtype=torch.float32)
    Q = augment.qr_hint_from_normal(A)
    assert Q.dtype == torch.float64
    np.testing.assert_array_equal(Q.numpy(), np.linalg.qr(A.numpy().astype(np.float64))[0])


def test_qr_hint_rotations_refuses_a_numpy_generator_with_its_message():
    """A NumPy generator is named in qr_hint_rotations' own TypeError, with how to make a torch one."""
    with pytest.raises(TypeError, match=r"^generator must be a torch\.Generator or None, got Generator; "
                                        r"create one with torch\.Generator\(\)\.manual_seed\(seed\)$"):
        augment.qr_hint_rotations(2, generator=np.random.default_rng(0))


@pytest.mark.parametrize("dtype", [torch.int64, torch.int32])
def test_rotation_statistics_accepts_an_integer_tensor(dtype):
    """Whole-number matrices are accepted: I and the integer quarter turn about z, both exact rotations."""
    R = torch.tensor([[[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[0, -1, 0], [1, 0, 0], [0, 0, 1]]], dtype=dtype)
    stats = augment.rotation_statistics(R)
    np.testing.assert_array_equal(stats.mean, [[0.5, -0.5, 0.0], [0.5, 0.5, 0.0], [0.0, 0.0, 1.0]])
    assert (stats.mean_trace, stats.mean_trace_squared, stats.fraction_proper) == (2.0, 5.0, 1.0)
    assert stats.max_orthogonality_error == 0.0


def test_rotation_statistics_counts_a_singular_matrix_as_not_proper():
    """det = 0 is not > 0: of I, diag(1, 1, 0), -I, I only the two I are proper (1/2); zero matrices give 0."""
    R = torch.stack([torch.eye(3), torch.diag(torch.tensor([1.0, 1.0, 0.0])), -torch.eye(3), torch.eye(3)])
    assert augment.rotation_statistics(R).fraction_proper == 0.5
    assert augment.rotation_statistics(torch.zeros(2, 3, 3)).fraction_proper == 0.0


# --- augment: default arguments and its own generator check -----------------------------------------------------


X_AUG = torch.tensor([[[1.0, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 3.0]],
                      [[0.5, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, 4.0]]], dtype=torch.float64)


def test_augment_rotates_and_permutes_by_default():
    """Without rotate and permute the copy equals the explicit rotate=True, permute=True call, not either one alone."""
    default = augment.augment(X_AUG, generator=generator(7))
    assert torch.equal(default, augment.augment(X_AUG, rotate=True, permute=True, generator=generator(7)))
    assert not torch.equal(default, augment.augment(X_AUG, rotate=False, permute=True, generator=generator(7)))
    assert not torch.equal(default, augment.augment(X_AUG, rotate=True, permute=False, generator=generator(7)))


def test_augment_default_copy_is_a_rotation_then_a_permutation_by_hand():
    """The default copy is X rotated by R (from the generator's first float64 normals) then permuted by argsort of its next uniforms."""
    g = generator(3)
    A = torch.randn(2, 3, 3, generator=g, dtype=torch.float64).numpy()
    Q, R = np.linalg.qr(A)
    Q = Q * np.sign(np.diagonal(R, axis1=1, axis2=2))[:, None, :]
    Q[:, :, 0] *= np.sign(np.linalg.det(Q))[:, None]  # reflections -> rotations by flipping the first column
    order = torch.rand(2, 3, generator=g, dtype=torch.float64).argsort(dim=1).numpy()
    rotated = np.einsum("bij,bmj->bmi", Q, X_AUG.numpy())
    expected = np.stack([rotated[b][order[b]] for b in range(2)])
    np.testing.assert_allclose(augment.augment(X_AUG, generator=generator(3)).numpy(), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("X, rotate, permute", [(torch.zeros(0, 2, 3), True, True), (X_AUG, False, False)])
def test_augment_refuses_a_numpy_generator_even_when_nothing_is_drawn(X, rotate, permute):
    """No configuration, or neither rotation nor permutation: a NumPy generator is still a TypeError naming it."""
    with pytest.raises(TypeError, match=r"^generator must be a torch\.Generator or None, got Generator; "
                                        r"create one with torch\.Generator\(\)\.manual_seed\(seed\)$"):
        augment.augment(X, rotate=rotate, permute=permute, generator=np.random.default_rng(0))


# --- exact messages of the input checks, and rotations of hand-made normals ------------------------------------


def test_a_non_tensor_batch_is_refused_with_its_type_named():
    """A NumPy X raises the exact TypeError naming ndarray and how to convert it."""
    with pytest.raises(TypeError) as info:
        augment.augment(np.zeros((2, 3, 3)))
    assert str(info.value) == "X must be a torch tensor, got ndarray; use torch.as_tensor(X)"


@pytest.mark.parametrize("sampler", [augment.random_rotations, augment.haar_orthogonal, augment.qr_hint_rotations])
def test_an_integer_dtype_is_refused_with_the_exact_message(sampler):
    """dtype=torch.int64 raises the exact TypeError saying rotation matrices are not whole numbers."""
    with pytest.raises(TypeError) as info:
        sampler(2, dtype=torch.int64)
    assert str(info.value) == ("dtype must be a floating torch dtype such as torch.float32, got torch.int64: "
                               "rotation matrices are not whole numbers")


@pytest.mark.parametrize("sampler", [augment.random_rotations, augment.haar_orthogonal, augment.qr_hint_rotations])
def test_too_many_rotations_are_refused_with_the_exact_count(sampler):
    """n = 5,555,556 asks for 9 n = 50,000,004 matrix entries, just over the limit of 5e7."""
    with pytest.raises(ValueError) as info:
        sampler(5_555_556)
    assert str(info.value) == ("n would need 50,000,004 matrix entries, more than the limit of 50,000,000: "
                               "use smaller values")


@pytest.mark.parametrize("A, got", [(torch.zeros(2, 3, 4), "(2, 3, 4)"), (torch.zeros(3, 3), "(3, 3)"),
                                    ([[[1.0, 0.0, 0.0]] * 3], "list")])
@pytest.mark.parametrize("convert", [augment.rotations_from_normal, augment.qr_hint_from_normal])
def test_normals_of_the_wrong_shape_are_refused_with_the_exact_message(convert, A, got):
    """A tensor not of shape (n, 3, 3) is named by its shape, a non-tensor by its type."""
    with pytest.raises(ValueError) as info:
        convert(A)
    assert str(info.value) == f"A must be a tensor of shape (n, 3, 3), got {got}"


@pytest.mark.parametrize("diagonal, expected", [
    ((2.0, 3.0, 0.0), (1.0, 1.0, 1.0)),  # R's diagonal holds an exact 0: its sign is not flipped
    ((2.0, 3.0, -4.0), (-1.0, 1.0, -1.0)),  # Q = diag(1, 1, -1) is a reflection: its first column is flipped
])
def test_rotations_from_normal_of_diagonal_matrices(diagonal, expected):
    """Diagonal A has Q = I and R = A: the sign-fixed Q, made proper, is the diagonal matrix given by hand."""
    A = torch.diag(torch.tensor(diagonal, dtype=torch.float64))[None]
    R = augment.rotations_from_normal(A)
    assert torch.equal(R, torch.diag(torch.tensor(expected, dtype=torch.float64))[None])


def test_apply_rotations_names_the_shape_of_a_wrong_tensor():
    """A (3, 3) tensor for a batch of 2 is named by its shape in the exact message."""
    with pytest.raises(ValueError) as info:
        augment.apply_rotations(torch.zeros(2, 5, 3), torch.eye(3))
    assert str(info.value) == "R must be a tensor of shape (2, 3, 3) to match X, got (3, 3)"


@pytest.mark.parametrize("P, got", [(torch.zeros(2, 4, dtype=torch.long), "(2, 4)"), ([[0, 1, 2, 3, 4]] * 2, "list"),
                                    (None, "NoneType")])
def test_apply_permutations_names_the_shape_or_type_of_wrong_permutations(P, got):
    """Permutations not of shape (B, m) are named by their shape, a non-tensor by its type."""
    with pytest.raises(ValueError) as info:
        augment.apply_permutations(torch.zeros(2, 5, 3), P)
    assert str(info.value) == f"permutations must have shape (2, 5) to match X, got {got}"


def test_apply_permutations_refuses_a_repeated_index_with_the_exact_message():
    """Five particles, a row with index 0 twice: the message names 0..4 and the duplicated particle."""
    P = torch.tensor([[0, 1, 2, 3, 4], [0, 0, 2, 3, 4]])
    with pytest.raises(ValueError) as info:
        augment.apply_permutations(torch.zeros(2, 5, 3), P)
    assert str(info.value) == ("every row of permutations must be a permutation of 0..4: each particle exactly "
                               "once (a repeated index would duplicate a particle)")


def test_too_many_permutation_entries_are_refused_with_the_exact_count():
    """n = 10,000 rows of m = 5,001 is 50,010,000 entries, over the limit of 5e7."""
    with pytest.raises(ValueError) as info:
        augment.random_permutations(10_000, 5_001)
    assert str(info.value) == ("n and m would need 50,010,000 permutation entries, more than the limit of 50,000,000: "
                               "use smaller values")


@pytest.mark.parametrize("call", [lambda g: augment.random_permutations(3, 4, generator=g),
                                  lambda g: augment.random_rotations(3, generator=g)])
def test_samplers_refuse_a_numpy_generator_with_their_own_message(call):
    """random_permutations and random_rotations name a NumPy generator in the library's own TypeError."""
    with pytest.raises(TypeError) as info:
        call(np.random.default_rng(0))
    assert str(info.value) == ("generator must be a torch.Generator or None, got Generator; "
                               "create one with torch.Generator().manual_seed(seed)")


@pytest.mark.parametrize("call, message", [
    (lambda: augment.rotations_from_normal(torch.zeros(1, 3, 3, dtype=torch.bool)),
     "A must hold real numbers, got dtype torch.bool"),
    (lambda: augment.apply_rotations(torch.zeros(1, 2, 3), torch.zeros(1, 3, 3, dtype=torch.bool)),
     "R must hold real numbers, got dtype torch.bool"),
    (lambda: augment.rotation_statistics(torch.zeros(1, 3, 3, dtype=torch.bool)),
     "R must hold real numbers, got dtype torch.bool"),
])
def test_bool_matrices_are_refused_naming_a_or_r(call, message):
    """A bool tensor for A or R raises the exact TypeError naming the argument as the caller wrote it."""
    with pytest.raises(TypeError) as info:
        call()
    assert str(info.value) == message
