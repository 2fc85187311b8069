"""dlexam.particles: the data design rebuilt from its description, and the exact messages of standardise."""

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
