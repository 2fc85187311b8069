"""dlexam.validate: the shared argument checks, their bounds, defaults and exact messages."""

import numpy as np
import pytest
import torch

from dlexam import validate


@pytest.mark.parametrize("value", [0.0, 0.5, 1.0, 0, 1])
def test_probability_accepts_0_to_1_inclusive(value):
    """Both ends of [0, 1] are probabilities, returned as floats."""
    assert validate.probability(value, "p") == float(value)


@pytest.mark.parametrize("value, message", [
    (-0.5, "p must be at least 0, got -0.5"),
    (1.5, "p must be at most 1, got 1.5"),
])
def test_probability_refuses_numbers_outside_0_to_1(value, message):
    """Below 0 and above 1 raise with the exact message."""
    with pytest.raises(ValueError) as info:
        validate.probability(value, "p")
    assert str(info.value) == message


GENERATORS = [
    (validate.numpy_generator, np.random.default_rng(0),
     "must be a numpy.random.Generator such as np.random.default_rng(0)"),
    (validate.torch_generator, torch.Generator().manual_seed(0),
     "must be a torch.Generator such as torch.Generator().manual_seed(0)"),
]


@pytest.mark.parametrize("check, generator, says", GENERATORS)
def test_generator_checks_return_the_generator(check, generator, says):
    """A generator passes through unchanged, optional or not; None passes only when optional."""
    assert check(generator) is generator
    assert check(generator, "rng", optional=True) is generator
    assert check(None, "rng", optional=True) is None


@pytest.mark.parametrize("check, generator, says", GENERATORS)
def test_generator_checks_name_the_argument_and_what_they_got(check, generator, says):
    """The default name is 'generator'; the message shows the value given; None is refused unless optional."""
    with pytest.raises(TypeError) as info:
        check(7)
    assert str(info.value) == f"generator {says}, got 7 (int)"
    with pytest.raises(TypeError) as info:
        check(None, "rng")
    assert str(info.value) == f"rng {says}, got None (NoneType)"
