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
