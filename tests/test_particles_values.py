"""dlexam.particles: the data design rebuilt from its description, canonical_frame and target against
independent references and hand values, and the exact messages of every check."""

import math

import numpy as np
import pytest
import torch

from dlexam import particles


@pytest.mark.parametrize("seed", [0, 5])
def test_training_blobs_follow_the_documented_design(seed):
    """Axis stds uniform on [0.6, 2.4] (float64), times float64 normals, in the canonical frame, from the training stream."""
    generator = particles.stream_generator(seed, 0)  # stream 0: training sets
    stds = 0.6 + 1.8 * torch.rand(3, 1, 3, generator=generator, dtype=torch.float64)
    blobs = stds * torch.randn(3, 20, 3, generator=generator, dtype=torch.float64)
    expected = particles.canonical_frame(blobs).to(torch.float32)
    X, _ = particles.make_dataset(3, seed=seed)
    torch.testing.assert_close(X, expected, rtol=0.0, atol=1e-6)


@pytest.mark.parametrize("y, dtype", [
    (torch.tensor([1 + 1j]), "torch.complex64"),
    (torch.tensor([True]), "torch.bool"),
    (np.array([1 + 1j]), "complex128"),
    (np.array([True]), "bool"),
])
def test_standardise_refuses_complex_and_bool_with_the_exact_message(y, dtype):
    """Complex or bool tensors and arrays raise a TypeError naming the dtype."""
    with pytest.raises(TypeError) as info:
        particles.standardise(y)
    assert str(info.value) == f"y must hold real numbers, got dtype {dtype}"


def test_standardise_takes_a_list_like_an_array():
    """A plain list is converted and standardised entry by entry, NaN passing through."""
    result = particles.standardise([1.0, 2.0, float("nan")])
    np.testing.assert_array_equal(result, particles.standardise(np.array([1.0, 2.0, float("nan")])))
    assert result.dtype == np.float64 and np.isnan(result[2])


# --- canonical_frame: an independent NumPy reference, hand values, edges and messages ---------


def numpy_canonical_frame(x):
    """(m, 3) -> (m, 3) in NumPy: centre, gyration eigenvectors (longest first), first two axes
    oriented by a positive third moment, third axis = first x second, particles sorted by x."""
    centred = x - x.mean(axis=0)
    _, vectors = np.linalg.eigh(centred.T @ centred / len(x))
    axes = vectors[:, ::-1].copy()
    for k in range(2):
        if np.sum((centred @ axes[:, k]) ** 3) < 0:
            axes[:, k] = -axes[:, k]
    axes[:, 2] = np.cross(axes[:, 0], axes[:, 1])
    aligned = centred @ axes
    return aligned[np.argsort(aligned[:, 0])]


@pytest.mark.parametrize("seed, m", [(0, 20), (1, 20), (2, 3), (3, 7)])
def test_canonical_frame_matches_a_numpy_reference(seed, m):
    """Each configuration is put in the frame a NumPy eigen-decomposition of its gyration tensor gives."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(6, m, 3)) * np.array([2.0, 1.2, 0.7]) + rng.normal(size=(6, 1, 3))
    expected = np.stack([numpy_canonical_frame(c) for c in x])
    result = particles.canonical_frame(torch.from_numpy(x))
    assert result.dtype == torch.float64
    np.testing.assert_allclose(result.numpy(), expected, rtol=0, atol=1e-10)


# Centred, gyration diag(3.5, 2.5, 0): third moment 18 along x, exactly 0 along y.
ZERO_Y_MOMENT = [[3, -1, 0], [-1, 1, 0], [0, 2, 0], [-2, -2, 0]]


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32, torch.int64])
def test_canonical_frame_keeps_the_eigh_sign_when_the_third_moment_is_zero(dtype):
    """A zero third moment (skew == 0) does not flip the axis eigh returns; integer input is accepted."""
    X = torch.tensor([ZERO_Y_MOMENT], dtype=dtype)
    _, vectors = torch.linalg.eigh(torch.diag(torch.tensor([3.5, 2.5, 0.0], dtype=torch.float64)))
    s = float(vectors[1, 1])  # eigh's own sign for the y axis (eigenvalue 2.5), +1 or -1
    expected = torch.tensor([[[-2, -2 * s, 0], [-1, s, 0], [0, 2 * s, 0], [3, -s, 0]]], dtype=torch.float64)
    result = particles.canonical_frame(X)
    assert result.dtype == torch.float64
    torch.testing.assert_close(result, expected, rtol=0, atol=1e-12)


def test_canonical_frame_of_a_single_particle_is_the_origin():
    """m = 1 is allowed (m >= 1): the one particle is moved to the origin."""
    result = particles.canonical_frame(torch.tensor([[[1.5, -2.0, 3.0]], [[0.0, 0.0, 7.0]]]))
    torch.testing.assert_close(result, torch.zeros(2, 1, 3, dtype=torch.float64), rtol=0, atol=0)


def test_canonical_frame_copes_with_coordinates_near_the_float_range():
    """The gyration tensor is a mean (sum / m), so two particles at +-8e153 do not overflow it."""
    a = 8e153
    X = torch.tensor([[[0.0, a, 0.0], [0.0, -a, 0.0]]], dtype=torch.float64)
    expected = torch.tensor([[[-a, 0.0, 0.0], [a, 0.0, 0.0]]], dtype=torch.float64)
    torch.testing.assert_close(particles.canonical_frame(X), expected, rtol=1e-12, atol=0)


@pytest.mark.parametrize("X, error, message", [
    ([[[0.0, 0.0, 0.0]]], TypeError, "X must be a torch tensor, got list"),
    (np.zeros((1, 2, 3)), TypeError, "X must be a torch tensor, got ndarray"),
    (torch.zeros(1, 0, 3), ValueError, "X must have shape (n, m, 3) with m >= 1, got (1, 0, 3)"),
    (torch.zeros(1, 2, 2), ValueError, "X must have shape (n, m, 3) with m >= 1, got (1, 2, 2)"),
    (torch.zeros(1, 2, 3, dtype=torch.bool), TypeError, "X must hold real numbers, got dtype torch.bool"),
    (torch.zeros(1, 2, 3, dtype=torch.complex64), TypeError, "X must hold real numbers, got dtype torch.complex64"),
    (torch.tensor([[[0.0, float("nan"), 0.0]]]), ValueError, "X must hold finite numbers (no NaN or infinity)"),
])
def test_canonical_frame_bad_inputs_raise_the_exact_message(X, error, message):
    """Wrong type, shape, dtype or non-finite coordinates raise with the exact message."""
    with pytest.raises(error) as info:
        particles.canonical_frame(X)
    assert str(info.value) == message


# --- make_dataset: defaults, the size ceiling, the random particle orders ---------------------


def test_make_dataset_default_seed_is_zero():
    """make_dataset(n) is make_dataset(n, seed=0), not seed 1."""
    X, y = particles.make_dataset(3)
    X0, y0 = particles.make_dataset(3, seed=0)
    X1, _ = particles.make_dataset(3, seed=1)
    assert torch.equal(X, X0) and torch.equal(y, y0) and not torch.equal(X, X1)


def test_make_dataset_refuses_n_above_the_memory_ceiling():
    """n is capped at MAX_ELEMENTS // (20 * 3 * 4) = 208,333 configurations."""
    with pytest.raises(ValueError) as info:
        particles.make_dataset(208_334)
    assert str(info.value) == "n must be at most 208,333, got 208,334"


@pytest.mark.parametrize("options", [{"validation": True}, {"frame": "random"}])
def test_validation_and_random_frame_particles_are_permuted(options):
    """Validation and random-frame sets are permuted, not only rotated: no configuration lists its
    particles in order along its long axis (as an unpermuted canonical configuration would)."""
    X, _ = particles.make_dataset(30, seed=2, **options)
    for x in X.double().numpy():
        centred = x - x.mean(axis=0)
        long_axis = np.linalg.eigh(centred.T @ centred)[1][:, -1]
        steps = np.diff(centred @ long_axis)
        assert not (np.all(steps > 0) or np.all(steps < 0))


# --- target: hand values, a pair loop, the returned dtype, the messages -----------------------


def pair_loop_energy(x):
    """sum_{i<j} exp(-|x_i - x_j|^2 / 2) with a Python loop over pairs, in float64."""
    x = np.asarray(x, dtype=np.float64)
    return sum(math.exp(-float(np.sum((x[i] - x[j]) ** 2)) / 2)
               for i in range(len(x)) for j in range(i + 1, len(x)))


@pytest.mark.parametrize("config, expected", [
    ([[0, 0, 0], [1, 0, 0]], math.exp(-0.5)),  # m = 2: one pair at r^2 = 1
    ([[0, 0, 0], [0, 0, 0]], 1.0),  # one pair at r = 0
    ([[0, 0, 0], [1, 0, 0], [0, 2, 0]], math.exp(-0.5) + math.exp(-2) + math.exp(-2.5)),  # r^2 = 1, 4, 5
    ([[1, 1, 1], [1, 1, 1], [1, 1, 1]], 3.0),  # three pairs at r = 0
])
@pytest.mark.parametrize("as_numpy", [False, True])
def test_target_hand_values_for_two_and_three_particles(config, expected, as_numpy):
    """P of 2 and 3 particles, computed by hand; m = 2 is the smallest allowed."""
    X = np.array([config], dtype=np.float64)
    y = particles.target(X if as_numpy else torch.from_numpy(X))
    assert float(y[0]) == pytest.approx(expected, rel=1e-14)


def test_target_of_float32_is_the_float64_energy_rounded_once():
    """float32 coordinates are converted to float64, so P is the float64 pair sum rounded once to float32."""
    X = torch.randn(5, 20, 3, generator=torch.Generator().manual_seed(3), dtype=torch.float32)
    expected = torch.tensor([pair_loop_energy(x) for x in X.double().numpy()], dtype=torch.float64)
    y = particles.target(X)
    assert y.dtype == torch.float32
    assert torch.equal(y, expected.to(torch.float32))


@pytest.mark.parametrize("X, dtype", [
    (torch.tensor([[[0, 0, 0], [1, 0, 0]]], dtype=torch.float32), torch.float32),
    (torch.tensor([[[0, 0, 0], [1, 0, 0]]], dtype=torch.float64), torch.float64),
    (torch.tensor([[[0, 0, 0], [1, 0, 0]]], dtype=torch.int64), torch.float64),
    (np.array([[[0, 0, 0], [1, 0, 0]]], dtype=np.float32), np.float32),
    (np.array([[[0, 0, 0], [1, 0, 0]]], dtype=np.float64), np.float64),
    (np.array([[[0, 0, 0], [1, 0, 0]]], dtype=np.int64), np.float64),
    (np.array([[[0, 0, 0], [1, 0, 0]]], dtype=np.uint8), np.float64),
])
def test_target_returns_floats_of_the_input_dtype_or_float64(X, dtype):
    """A float input keeps its dtype; an integer input gives float64 computed in float64 (exp(-1/2))."""
    y = particles.target(X)
    assert isinstance(y, type(X)) and y.dtype == dtype
    tolerance = 1e-7 if dtype in (torch.float32, np.float32) else 1e-15
    assert float(y[0]) == pytest.approx(math.exp(-0.5), rel=tolerance)


# n * m^2 * 2 = 2 * 12,500,001^2 pair distances; expand() allocates nothing.
TOO_MANY_PAIRS = torch.zeros(1, 1, 3).expand(1, 12_500_001, 3)


@pytest.mark.parametrize("X, error, message", [
    ("abc", TypeError, "X must be a torch tensor or a NumPy array, got str"),
    (np.zeros((1, 2, 3), dtype=complex), TypeError, "X must hold real coordinates, got dtype complex128"),
    (torch.zeros(1, 2, 3, dtype=torch.bool), TypeError, "X must hold real coordinates, got dtype torch.bool"),
    (torch.zeros(2, 1, 3), ValueError,
     "X must hold at least 2 particles per configuration for P (a pair), got 1"),
    (TOO_MANY_PAIRS, ValueError,
     "X would need 312,500,050,000,002 pair distances, more than the limit of 50,000,000: use smaller values"),
])
def test_target_bad_inputs_raise_the_exact_message(X, error, message):
    """Wrong type, dtype, too few particles or too many pairs raise with the exact message."""
    with pytest.raises(error) as info:
        particles.target(X)
    assert str(info.value) == message


@pytest.mark.parametrize("seed, stream", [(0, 10), (7, 3)])
def test_stream_generator_seed_joins_the_two_seed_sequence_words(seed, stream):
    """The torch seed is word0 * 2**32 + word1 of SeedSequence([stream, seed]) (hand values for two streams)."""
    words = np.random.SeedSequence([stream, seed]).generate_state(2)
    expected = {(0, 10): 0xD255C0BB9A5A02D3, (7, 3): 11081120702282045863}[(seed, stream)]
    assert expected == int(words[0]) * 2**32 + int(words[1])
    assert particles.stream_generator(seed, stream).initial_seed() == expected
