"""dlexam.params against PyTorch's own count, sum(p.numel()), and exam question I(D)."""

import re

import pytest
import torch
from torch import nn

from dlexam.params import (
    EXAM_IMAGE_SIZE,
    EXAM_LAYER_SIZES,
    EXAM_OPTIONS,
    DenseLayer,
    conv_parameter_count,
    count_parameters,
    dense_layer_breakdown,
    dense_network,
    dense_parameter_count,
)

ARCHITECTURES = [
    [784, 512, 10],
    [1, 1],
    [3, 1],
    [60, 128, 128, 64, 32, 1],
    [2, 7, 5, 3, 9],
    [100, 1, 100],
]


def _torch_reference(sizes):
    """sum(p.numel()) of a network built directly from nn.Linear, independent of dense_network."""
    linears = [nn.Linear(a, b, device="meta") for a, b in zip(sizes[:-1], sizes[1:])]
    return sum(p.numel() for layer in linears for p in layer.parameters())


@pytest.mark.parametrize("sizes", ARCHITECTURES)
def test_dense_parameter_count_matches_pytorch(sizes):
    assert dense_parameter_count(sizes) == _torch_reference(sizes)
    assert count_parameters(dense_network(sizes)) == _torch_reference(sizes)


def test_exam_i_d_answer():
    assert dense_parameter_count([28 * 28, 512, 10]) == 407_050
    assert dense_parameter_count(EXAM_LAYER_SIZES) == 407_050
    assert EXAM_IMAGE_SIZE[0] * EXAM_IMAGE_SIZE[1] == EXAM_LAYER_SIZES[0]


@pytest.mark.parametrize("sizes", ARCHITECTURES)
def test_dense_layer_breakdown_adds_up(sizes):
    layers = dense_layer_breakdown(sizes)
    assert [(layer.n_in, layer.n_out) for layer in layers] == list(zip(sizes[:-1], sizes[1:]))
    for layer in layers:
        assert layer.weights == layer.n_in * layer.n_out
        assert layer.biases == layer.n_out
        assert layer.total == layer.weights + layer.biases
    assert sum(layer.total for layer in layers) == dense_parameter_count(sizes)


def test_dense_layer_breakdown_of_the_exam_network():
    assert dense_layer_breakdown((784, 512, 10)) == [
        DenseLayer(784, 512, 401_408, 512, 401_920),
        DenseLayer(512, 10, 5_120, 10, 5_130),
    ]


@pytest.mark.parametrize(
    "in_channels, out_channels, kernel_size",
    [(1, 1, 3), (3, 16, 5), (16, 32, (3, 1)), (2, 5, (2, 4)), (64, 64, 1)],
)
@pytest.mark.parametrize("bias", [True, False])
def test_conv_parameter_count_matches_pytorch(in_channels, out_channels, kernel_size, bias):
    layer = nn.Conv2d(in_channels, out_channels, kernel_size, bias=bias, device="meta")
    expected = count_parameters(layer)
    assert conv_parameter_count(in_channels, out_channels, kernel_size, bias) == expected
    assert count_parameters(layer) == sum(p.numel() for p in layer.parameters())


def test_count_parameters_skips_frozen_parameters_unless_asked():
    net = dense_network([4, 3, 2])
    net[1].weight.requires_grad_(False)
    assert count_parameters(net) == dense_parameter_count([4, 3, 2]) - 12
    assert count_parameters(net, trainable_only=False) == dense_parameter_count([4, 3, 2])


def test_count_parameters_counts_a_shared_layer_once():
    shared = nn.Linear(5, 5)
    assert count_parameters(nn.Sequential(shared, nn.ReLU(), shared)) == 30


def test_count_parameters_needs_a_module():
    with pytest.raises(TypeError, match="torch.nn.Module"):
        count_parameters([torch.zeros(3)])


def test_dense_network_shape_and_layers():
    net = dense_network(EXAM_LAYER_SIZES)
    assert net(torch.zeros(2, *EXAM_IMAGE_SIZE)).shape == (2, 10)
    assert net(torch.zeros(2, 784)).shape == (2, 10)
    assert [type(m) for m in net] == [nn.Flatten, nn.Linear, nn.ReLU, nn.Linear]


def test_dense_network_leaves_the_global_random_state_alone_and_is_reproducible():
    before = torch.get_rng_state()
    a = dense_network([6, 4, 3], generator=torch.Generator().manual_seed(1))
    b = dense_network([6, 4, 3], generator=torch.Generator().manual_seed(1))
    c = dense_network([6, 4, 3], generator=torch.Generator().manual_seed(2))
    assert torch.equal(torch.get_rng_state(), before)
    for p, q, r in zip(a.parameters(), b.parameters(), c.parameters()):
        assert torch.equal(p, q)
        assert not torch.equal(p, r)


def test_dense_network_initialisation_bounds_like_pytorch():
    net = dense_network([400, 30, 2])
    for layer in (net[1], net[3]):
        bound = layer.in_features**-0.5
        for p in layer.parameters():
            assert p.abs().max() <= bound
            assert p.abs().max() > 0.9 * bound  # spread over the whole interval, not all zero
            assert torch.isfinite(p).all()


@pytest.mark.parametrize(
    "height, width, hidden, outputs", [(28, 28, 512, 10), (32, 32, 100, 3), (5, 7, 9, 2), (2, 3, 1, 1)]
)
def test_only_the_marked_exam_option_counts_the_parameters(height, width, hidden, outputs):
    truth = count_parameters(dense_network([height * width, hidden, outputs]))
    right = [option.value(height, width, hidden, outputs) == truth for option in EXAM_OPTIONS]
    assert right == [option.marked for option in EXAM_OPTIONS]
    assert sum(right) == 1


def test_exam_options_formulas_are_their_labels():
    # the label, read as arithmetic, gives the formula's value at the exam's sizes
    for option in EXAM_OPTIONS:
        assert eval(re.sub("×", "*", option.label)) == option.value()
    assert [option.value() for option in EXAM_OPTIONS] == [19_456, 407_050, 406_528, 19_978]


@pytest.mark.parametrize(
    "sizes, error, match",
    [
        ([784], ValueError, "at least two sizes"),
        ([], ValueError, "at least two sizes"),
        ([784, 0, 10], ValueError, r"layer_sizes\[1\] must be a positive integer, got 0"),
        ([784, -5], ValueError, "positive integer"),
        ([784.0, 10], TypeError, r"layer_sizes\[0\] must be a positive integer"),
        ([784, True], TypeError, "positive integer"),
        ("784", TypeError, "sequence of ints"),
        (784, TypeError, "sequence of ints"),
    ],
)
@pytest.mark.parametrize("function", [dense_parameter_count, dense_layer_breakdown, dense_network])
def test_bad_layer_sizes_are_rejected(function, sizes, error, match):
    with pytest.raises(error, match=match):
        function(sizes)


@pytest.mark.parametrize(
    "args, error, match",
    [
        ((0, 1, 3), ValueError, "in_channels"),
        ((1, 1, 0), ValueError, "kernel_size"),
        ((1, 1, (3, 3, 3)), ValueError, "pair"),
        ((1, 1.0, 3), TypeError, "out_channels"),
        ((1, 1, 3, 1), TypeError, "bias must be True or False"),
    ],
)
def test_conv_parameter_count_rejects_bad_input(args, error, match):
    with pytest.raises(error, match=match):
        conv_parameter_count(*args)


def test_dense_network_rejects_a_numpy_generator():
    import numpy as np

    with pytest.raises(TypeError, match="torch.Generator"):
        dense_network([2, 1], generator=np.random.default_rng(0))
