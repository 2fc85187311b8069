"""dlexam.invariance: exact values of the signed volume and the exact message of its error."""

import pytest
import torch

from dlexam import invariance

# x0 = 0, x1 = e1, x2 = e2, x3 = e3: e1 . (e2 x e3) = +1; swapping x2 and x3 gives -1.
TETRAHEDRON = [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
MIRRORED = [TETRAHEDRON[0], TETRAHEDRON[1], TETRAHEDRON[3], TETRAHEDRON[2]]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_signed_volume_of_exactly_four_particles_by_hand(dtype):
    """Four particles are enough; the volumes are +1 and -1, computed in float64 whatever the input dtype."""
    volume = invariance.signed_volume(torch.tensor([TETRAHEDRON, MIRRORED], dtype=dtype))
    assert volume.dtype == torch.float64
    assert volume.tolist() == [1.0, -1.0]


def test_signed_volume_reads_only_the_first_four_particles():
    """A fifth particle far away changes nothing: 2 e1 . (3 e2 x 4 e3) = 24."""
    X = torch.tensor([[[1.0, 1.0, 1.0], [3.0, 1.0, 1.0], [1.0, 4.0, 1.0], [1.0, 1.0, 5.0], [9.0, -7.0, 8.0]]])
    assert invariance.signed_volume(X).tolist() == [24.0]


@pytest.mark.parametrize("m", [2, 3])
def test_signed_volume_names_the_number_of_particles_it_got(m):
    """Fewer than four particles per configuration raise with the exact message, naming their number."""
    with pytest.raises(ValueError) as info:
        invariance.signed_volume(torch.zeros(5, m, 3))
    assert str(info.value) == f"X must hold at least 4 particles per configuration for a signed volume, got {m}"


# --- check_particle_permutation: the default tolerance and the shape in its error ----------------------

# Two particles 4 apart, swapped, one of them moved by 0.5: a reordering only for atol >= 0.5.
NEAR = (torch.tensor([[[0.0, 0.0, 0.0], [4.0, 0.0, 0.0]]]), torch.tensor([[[4.5, 0.0, 0.0], [0.0, 0.0, 0.0]]]))


def test_check_particle_permutation_default_atol_is_zero():
    """Without atol, a particle moved by 0.5 is not one of the originals, exactly as with atol=0.0."""
    for result in (invariance.check_particle_permutation(*NEAR),
                   invariance.check_particle_permutation(*NEAR, atol=0.0)):
        assert result.correct is False
        assert result.message == (
            "Not yet: 1 of 1 configurations are not reorderings of their original: configuration 0 contains points "
            "that are not particles of the original: coordinates were mixed between particles, which changes the "
            "configuration and P.")
    assert invariance.check_particle_permutation(*NEAR, atol=0.5).correct is True


@pytest.mark.parametrize("X, X_new, message", [
    (torch.zeros(2, 3), torch.zeros(1, 2, 3), "X must have shape (B, m, 3), got (2, 3)"),
    (torch.zeros(1, 2, 3), torch.zeros(1, 2, 4), "X_new must have shape (B, m, 3), got (1, 2, 4)"),
    ([[[0.0, 0.0, 0.0]]], torch.zeros(1, 1, 3), "X must have shape (B, m, 3), got list"),
])
def test_check_particle_permutation_names_the_shape_or_type_it_got(X, X_new, message):
    """A tensor of the wrong shape is named by its shape, something without a shape by its type."""
    with pytest.raises(ValueError) as info:
        invariance.check_particle_permutation(X, X_new)
    assert str(info.value) == message
