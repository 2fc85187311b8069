"""dlexam.models: the exact messages that name PairSum and Psi when their inputs are wrong."""

import pytest
import torch

from dlexam import models


@pytest.mark.parametrize("particles, error, message", [
    ([1.0], TypeError, "PairSum expects particles as a torch tensor, got list"),
    (torch.zeros(2, 3, 3, dtype=torch.int64), TypeError,
     "PairSum expects floating-point coordinates as particles, got torch.int64; use particles.float()"),
    (torch.zeros(4, 60), ValueError,
     "PairSum expects shape (B, m, 3): a batch of m particles in 3D, got (4, 60) (the particles)"),
    (torch.zeros(2, 3, 3, dtype=torch.float64), TypeError,
     "PairSum's weights are torch.float32 but particles are torch.float64: convert them with "
     "particles.to(torch.float32) or the model with model.to(torch.float64)"),
])
def test_pair_sum_names_itself_in_its_input_errors(particles, error, message):
    """Each wrong input to PairSum (type, dtype, shape, precision) raises the exact message naming PairSum."""
    with pytest.raises(error) as info:
        models.PairSum()(particles)
    assert str(info.value) == message


@pytest.mark.parametrize("distances, error, message", [
    ([1.0], TypeError, "Psi expects distances as a torch tensor, got list"),
    (torch.zeros(2, 1, dtype=torch.int64), TypeError, "Psi expects floating-point distances, got torch.int64"),
    (torch.zeros(2, 2), ValueError, "Psi expects distances of shape (..., 1), got (2, 2)"),
    (torch.zeros(2, 1, dtype=torch.float64), TypeError,
     "Psi's weights are torch.float32 but distances are torch.float64: convert them with "
     "distances.to(torch.float32) or the model with model.to(torch.float64)"),
])
def test_psi_names_itself_in_its_input_errors(distances, error, message):
    """Each wrong input to Psi (type, dtype, shape, precision) raises the exact message naming Psi."""
    with pytest.raises(error) as info:
        models.Psi()(distances)
    assert str(info.value) == message
