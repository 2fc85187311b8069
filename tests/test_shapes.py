"""dlexam.shapes: traces follow the models' real forward passes; the DeepSets parameter check."""

import pytest
import torch
from torch import nn

from dlexam import models, shapes


def seeded(name):
    return models.make_model(name, torch.Generator().manual_seed(0))


def test_mlp_trace_flattens_then_squeezes():
    steps = shapes.shape_trace(seeded("mlp"), torch.zeros(32, 20, 3))
    assert [s.shape for s in steps] == [(32, 20, 3), (32, 60), (32, 128), (32, 128), (32, 128), (32, 128),
                                        (32, 64), (32, 64), (32, 32), (32, 32), (32, 1), (32,)]
    assert steps[1].name == "forward" and steps[1].operation.startswith("reshape")
    assert steps[-1].operation.startswith("squeeze")


def test_flat_input_needs_no_reshape():
    steps = shapes.shape_trace(seeded("mlp"), torch.zeros(4, 60))
    assert steps[1].name == "layers.0"


@pytest.mark.parametrize("m", [1, 7, 20])
def test_deepsets_trace_sums_over_the_particles(m):
    steps = shapes.shape_trace(seeded("deepsets"), torch.zeros(5, m, 3))
    pooling = [s for s in steps if s.name == "forward"]
    assert [s.operation for s in pooling] == [f"sum over the {m} particles (axis 1)",
                                              "squeeze(-1): one number per configuration"]
    assert pooling[0].shape == (5, 64)
    assert steps[1].shape == (5, m, 64) and steps[-1].shape == (5,)


# Counted by hand from the layer widths. MLP 60-128-128-64-32-1: weights 7,680 + 16,384 + 8,192
# + 2,048 + 32 = 34,336, biases 353. phi 3-64-64-64-64: 192 + 3 * 4,096 = 12,480, biases 256;
# rho 64-64-32-1: 4,096 + 2,048 + 32 = 6,176, biases 97. A multiply-add per weight per use:
# the MLP once per configuration, phi once per particle (20 of them) and rho once per configuration.
@pytest.mark.parametrize("name, parameters, multiply_adds", [
    ("mlp", 34_689, 8 * 34_336),
    ("deepsets", 19_009, 8 * 20 * 12_480 + 8 * 6_176),
])
def test_trace_counts_parameters_and_multiply_adds(name, parameters, multiply_adds):
    model, B = seeded(name), 8
    steps = shapes.shape_trace(model, torch.zeros(B, 20, 3))
    assert sum(s.parameters for s in steps) == parameters == sum(p.numel() for p in model.parameters())
    assert sum(s.multiply_adds for s in steps) == multiply_adds


def test_trace_leaves_no_hooks_behind():
    model = seeded("deepsets")
    shapes.shape_trace(model, torch.zeros(2, 20, 3))
    assert all(not m._forward_hooks for m in model.modules())


def test_wrong_shape_raises_the_models_own_error_and_removes_hooks():
    model = seeded("mlp")
    with pytest.raises(ValueError, match=r"\(B, 20, 3\) or \(B, 60\)"):
        shapes.shape_trace(model, torch.zeros(2, 21, 3))
    assert all(not m._forward_hooks for m in model.modules())


def test_format_shape():
    assert shapes.format_shape((32, 20, 3), 32) == "(B, 20, 3)"
    assert shapes.format_shape((32,), 32) == "(B,)"
    assert shapes.format_shape((4, 60)) == "(4, 60)"


def test_widths_agree_with_the_models():
    widths = lambda module: [l.in_features for l in module.modules() if isinstance(l, nn.Linear)][:1] + [  # noqa: E731
        l.out_features for l in module.modules() if isinstance(l, nn.Linear)]
    assert tuple(widths(models.MLP())) == shapes.MLP_WIDTHS
    assert tuple(widths(models.Phi())) == shapes.PHI_WIDTHS
    assert tuple(widths(models.Rho())) == shapes.RHO_WIDTHS


@pytest.mark.parametrize(
    "answer, correct, words",
    [
        (19_009, True, "Right"),
        (20 * 12_736 + 6_273, False, "once per particle"),
        (12_736, False, "leaves out rho"),
        (6_273, False, "leaves out phi"),
        (19_009 - 353, False, "biases"),
        (34_689, False, "MLP"),
        (19_010, False, "too high"),
        (100, False, "too low"),
    ],
)
def test_check_deepsets_parameter_count(answer, correct, words):
    result = shapes.check_deepsets_parameter_count(answer)
    assert result.correct is correct and words in result.message


@pytest.mark.parametrize("call, error, message", [
    (lambda: shapes.shape_trace("mlp", torch.zeros(2, 60)), TypeError, 'model must be a torch.nn.Module'),
    (lambda: shapes.shape_trace(models.MLP(), [[0.0] * 60]), TypeError, 'X must be a torch tensor'),
    (lambda: shapes.check_deepsets_parameter_count("19009"), TypeError, 'answer must be a whole number'),
    (lambda: shapes.check_deepsets_parameter_count(19009.5), TypeError, 'answer must be a whole number'),
])
def test_bad_inputs(call, error, message):
    with pytest.raises(error, match=message):
        call()
