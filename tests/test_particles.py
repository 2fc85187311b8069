import math
import subprocess
import sys

import numpy as np
import pytest
import torch

from dlexam import particles


def rotation_from_axis_angle(axis, angle):
    """Rodrigues' formula in NumPy: a reference rotation independent of dlexam.augment."""
    k = np.asarray(axis, dtype=np.float64) / np.linalg.norm(axis)
    K = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + math.sin(angle) * K + (1 - math.cos(angle)) * K @ K


def naive_energy(x):
    """sum_{i<j} exp(-|x_i - x_j|^2 / 2) with two Python loops."""
    total = 0.0
    for i in range(len(x)):
        for j in range(i + 1, len(x)):
            total += math.exp(-float(np.sum((x[i] - x[j]) ** 2)) / 2)
    return total


def test_constants():
    assert (particles.N_PARTICLES, particles.DIM, particles.N_TRAIN) == (20, 3, 500)


@pytest.mark.parametrize("validation", [False, True])
def test_make_dataset_shapes_and_dtypes(validation):
    X, y = particles.make_dataset(7, seed=3, validation=validation)
    assert X.shape == (7, 20, 3) and X.dtype == torch.float32
    assert y.shape == (7,) and y.dtype == torch.float32


def test_target_matches_double_loop_reference():
    X, y = particles.make_dataset(4, seed=1)
    for x, value in zip(X.double().numpy(), y):
        assert float(value) == pytest.approx(naive_energy(x), rel=1e-6)


def test_target_extremes():
    assert float(particles.target(torch.zeros(1, 20, 3))[0]) == pytest.approx(190.0)  # all 20*19/2 pairs at r=0
    far = torch.arange(20.0)[None, :, None] * torch.tensor([100.0, 0.0, 0.0])  # (1, 20, 3)
    assert float(particles.target(far)[0]) == pytest.approx(0.0, abs=1e-300)


def test_target_accepts_numpy_and_torch_alike():
    X, _ = particles.make_dataset(5, seed=2)
    from_numpy = particles.target(X.double().numpy())
    assert isinstance(from_numpy, np.ndarray)
    np.testing.assert_allclose(from_numpy, particles.target(X.double()).numpy(), rtol=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_target_is_invariant_to_rotations_and_permutations(seed):
    rng = np.random.default_rng(seed)
    X, y = particles.make_dataset(8, seed=seed)
    x = X.double().numpy()
    R = rotation_from_axis_angle(rng.normal(size=3), rng.uniform(0, 2 * np.pi))
    moved = x[:, rng.permutation(20)] @ R.T
    np.testing.assert_allclose(particles.target(moved), particles.target(x), rtol=1e-10)
    np.testing.assert_allclose(particles.target(moved).astype(np.float32), y.numpy(), rtol=1e-5)


@pytest.mark.parametrize("seed", range(3))
def test_training_data_are_in_the_canonical_frame(seed):
    X, _ = particles.make_dataset(50, seed=seed)
    X = X.double()
    assert X.mean(dim=1).abs().max() < 1e-5  # centred
    gyration = X.transpose(1, 2) @ X / 20  # (50, 3, 3)
    off_diagonal = gyration - torch.diag_embed(torch.diagonal(gyration, dim1=1, dim2=2))
    assert off_diagonal.abs().max() < 1e-4  # principal axes on x, y, z
    d = torch.diagonal(gyration, dim1=1, dim2=2)
    assert bool((d[:, 0] >= d[:, 1]).all() and (d[:, 1] >= d[:, 2]).all())  # longest axis on x
    assert bool((X[:, 1:, 0] >= X[:, :-1, 0]).all())  # sorted along x


def test_validation_data_are_rotated_and_permuted():
    X, _ = particles.make_dataset(50, seed=0, validation=True)
    sorted_along_x = (X[:, 1:, 0] >= X[:, :-1, 0]).all(dim=1)
    assert not bool(sorted_along_x.any())
    X = X.double()
    gyration = X.transpose(1, 2) @ X / 20
    assert gyration[:, 0, 1].abs().mean() > 0.1  # axes no longer aligned


@pytest.mark.parametrize("seed", range(3))
def test_the_random_frame_holds_the_same_configurations_and_targets(seed):
    X, y = particles.make_dataset(40, seed=seed)
    X_random, y_random = particles.make_dataset(40, seed=seed, frame="random")
    assert torch.equal(y_random, y)
    # Each configuration is the canonical one, rotated and permuted: same pair distances...
    d = torch.cdist(X.double(), X.double()).flatten(1).sort(dim=1).values
    d_random = torch.cdist(X_random.double(), X_random.double()).flatten(1).sort(dim=1).values
    torch.testing.assert_close(d_random, d, atol=1e-5, rtol=0)
    # ... and its canonical frame is the stored training configuration.
    torch.testing.assert_close(particles.canonical_frame(X_random).float(), X, atol=1e-4, rtol=0)
    # but neither sorted nor aligned, and every orientation is its own.
    assert not bool((X_random[:, 1:, 0] >= X_random[:, :-1, 0]).all(dim=1).any())
    gyration = X_random.double().transpose(1, 2) @ X_random.double() / 20
    assert gyration[:, 0, 1].abs().mean() > 0.1


def test_the_random_frame_is_uniform_over_orientations():
    # The long axis of a random-frame configuration points anywhere: its x, y, z components
    # have mean square 1/3 each (a canonical configuration's long axis is always x).
    X, _ = particles.make_dataset(3000, seed=7, frame="random")
    centred = X.double() - X.double().mean(dim=1, keepdim=True)
    _, axes = torch.linalg.eigh(centred.transpose(1, 2) @ centred)
    long_axis = axes[:, :, -1]  # (n, 3)
    np.testing.assert_allclose((long_axis**2).mean(dim=0).numpy(), [1 / 3] * 3, atol=0.03)


def test_canonical_frame_undoes_rotations_and_permutations():
    X, _ = particles.make_dataset(20, seed=4)
    rng = np.random.default_rng(0)
    R = torch.from_numpy(rotation_from_axis_angle(rng.normal(size=3), 1.234))
    moved = X.double()[:, torch.from_numpy(rng.permutation(20))] @ R.T
    torch.testing.assert_close(particles.canonical_frame(moved), X.double(), atol=1e-4, rtol=0)


def test_streams_are_reproducible_and_disjoint():
    X0, y0 = particles.make_dataset(30, seed=0)
    X0_again, _ = particles.make_dataset(30, seed=0)
    X1, _ = particles.make_dataset(30, seed=1)
    V0, v0 = particles.make_dataset(30, seed=0, validation=True)
    assert torch.equal(X0, X0_again)
    assert not torch.allclose(X0, X1)
    # The validation set is not the training set rotated: its energies are different draws.
    assert not torch.allclose(torch.sort(y0).values, torch.sort(v0).values)


def test_making_data_leaves_the_global_random_state_alone():
    torch_state, numpy_state = torch.random.get_rng_state(), np.random.get_state()
    particles.make_dataset(10, seed=5, validation=True)
    particles.target_scale()
    assert torch.equal(torch_state, torch.random.get_rng_state())
    assert np.array_equal(numpy_state[1], np.random.get_state()[1])


def test_target_scale_matches_an_independent_sample():
    scale = particles.target_scale()
    _, y = particles.make_dataset(3000, seed=123)
    standard_error = scale.std / math.sqrt(3000)
    assert abs(float(y.double().mean()) - scale.mean) < 4 * standard_error
    assert float(y.double().std()) == pytest.approx(scale.std, rel=0.06)
    z = particles.standardise(y.double())
    assert abs(float(z.mean())) < 0.1 and float(z.std()) == pytest.approx(1, abs=0.06)


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: particles.target(torch.zeros(5, 60)), ValueError, "(n, m, 3)"),
        (lambda: particles.target(torch.zeros(5, 20, 2)), ValueError, "(n, m, 3)"),
        (lambda: particles.target([[0.0, 0.0, 0.0]]), TypeError, "tensor"),
        (lambda: particles.make_dataset(0), ValueError, "at least 1"),
        (lambda: particles.make_dataset(2.5), TypeError, "integer"),
        (lambda: particles.make_dataset(3, seed=-1), ValueError, "non-negative"),
        (lambda: particles.make_dataset(3, seed="0"), TypeError, "seed must be an integer"),
        (lambda: particles.make_dataset(3, validation="yes"), TypeError, "True or False"),
        (lambda: particles.make_dataset(3, frame="sorted"), ValueError, "frame must be one of"),
    ],
)
def test_bad_inputs_raise_clear_errors(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)


def test_importing_the_library_changes_no_global_state():
    code = (
        "import numpy as np, torch\n"
        "t, n, threads = torch.random.get_rng_state(), np.random.get_state()[1].copy(), torch.get_num_threads()\n"
        "import dlexam.particles, dlexam.augment, dlexam.models, dlexam.training, dlexam.stacked_training\n"
        "import dlexam.bias_variance\n"
        "assert torch.equal(t, torch.random.get_rng_state())\n"
        "assert (n == np.random.get_state()[1]).all() and threads == torch.get_num_threads()\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
