"""dlexam.shapes: traces follow the models' real forward passes; the DeepSets parameter check."""

from dataclasses import astuple

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


# Every step of the exam's MLP for B = 4, by hand: parameters (n_in + 1) * n_out, multiply-adds B * n_in * n_out.
MLP_TRACE = [
    ("input", "a batch of configurations", (4, 20, 3), 0, 0),
    ("forward", "reshape: flatten each configuration to 60 numbers", (4, 60), 0, 0),
    ("layers.0", "Linear(60 → 128)", (4, 128), 7_808, 4 * 7_680),
    ("layers.1", "ELU", (4, 128), 0, 0),
    ("layers.2", "Linear(128 → 128)", (4, 128), 16_512, 4 * 16_384),
    ("layers.3", "ELU", (4, 128), 0, 0),
    ("layers.4", "Linear(128 → 64)", (4, 64), 8_256, 4 * 8_192),
    ("layers.5", "ELU", (4, 64), 0, 0),
    ("layers.6", "Linear(64 → 32)", (4, 32), 2_080, 4 * 2_048),
    ("layers.7", "ELU", (4, 32), 0, 0),
    ("layers.8", "Linear(32 → 1)", (4, 1), 33, 4 * 32),
    ("forward", "squeeze(-1): one number per configuration", (4,), 0, 0),
]


def test_mlp_trace_every_step_exactly():
    """Guards each step's name, operation text, shape, parameters and multiply-adds, the input step included."""
    assert [astuple(s) for s in shapes.shape_trace(seeded("mlp"), torch.zeros(4, 20, 3))] == MLP_TRACE


def test_trace_adds_no_step_when_the_last_layer_gives_the_output():
    """Guards the final comparison with the last step: a plain Sequential ends on its last layer."""
    model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 5))
    assert [astuple(s) for s in shapes.shape_trace(model, torch.zeros(2, 3))] == [
        ("input", "a batch of configurations", (2, 3), 0, 0),
        ("0", "Linear(3 → 4)", (2, 4), 16, 2 * 12),
        ("1", "Linear(4 → 5)", (2, 5), 25, 2 * 20),
    ]


class _LinearThen(nn.Module):
    """A Linear layer, then a tensor operation of forward(), then optionally a second Linear layer."""

    def __init__(self, n_in, n_out, then, last=None):
        super().__init__()
        self.linear, self.then, self.last = nn.Linear(n_in, n_out), then, last

    def forward(self, x):
        x = self.then(self.linear(x))
        return x if self.last is None else self.last(x)


@pytest.mark.parametrize("model, shape, operation", [
    (_LinearThen(3, 4, lambda y: y.mean(1)), (2, 5, 3), "pool over the 5 particles (axis 1)"),
    (_LinearThen(3, 1, lambda y: y.squeeze(-1)), (2, 3, 3), "squeeze(-1): one number per configuration"),
    (_LinearThen(3, 4, lambda y: y[..., 0]), (2, 3), "(2, 4) → (2,)"),
    (_LinearThen(3, 4, lambda y: y.reshape(2, 2, 2)), (2, 3), "(2, 4) → (2, 2, 2)"),
    (_LinearThen(3, 4, lambda y: y.reshape(-1)), (1, 3), "(1, 4) → (4,)"),
    (_LinearThen(3, 6, lambda y: y.reshape(2, 1, 6)), (2, 3), "(2, 6) → (2, 1, 6)"),
    (_LinearThen(3, 4, lambda y: y[:, None]), (3,), "(4,) → (4, 1)"),
    (_LinearThen(3, 4, lambda y: y[:, 0, :2]), (0, 5, 3), "(0, 5, 4) → (0, 2)"),
    (_LinearThen(3, 4, lambda y: y.reshape(0, 4, 1)), (0, 3), "(0, 4) → (0, 4, 1)"),
], ids=["pool at the end", "squeeze", "index", "reshape to 3 axes", "drop the batch axis", "unsqueeze the middle",
        "unsqueeze the end", "empty batch index", "empty batch unsqueeze"])
def test_trace_names_the_operation_after_the_last_layer(model, shape, operation):
    """Guards the inferred last step: a pooling ("pool" outside DeepSets), a squeeze, reshapes that are no flatten."""
    assert shapes.shape_trace(model, torch.zeros(shape))[-1].operation == operation


def test_trace_names_pooling_between_layers_pool_outside_deepsets():
    """Guards the pooling word: "sum" is for DeepSets only, any other model's pooling is a "pool"."""
    model = _LinearThen(3, 4, lambda y: y.mean(1), last=nn.Linear(4, 2))
    steps = shapes.shape_trace(model, torch.zeros(2, 5, 3))
    assert [(s.name, s.operation, s.shape) for s in steps[2:]] == [
        ("forward", "pool over the 5 particles (axis 1)", (2, 4)), ("last", "Linear(4 → 2)", (2, 2))]


def test_trace_of_an_empty_batch_still_names_the_flatten():
    """Guards the flatten of an empty batch, (0, 20, 3) -> (0, 60): known by its numbers per configuration."""
    steps = shapes.shape_trace(seeded("mlp"), torch.zeros(0, 20, 3))
    assert [(s.operation, s.shape) for s in steps if s.name == "forward"] == [
        ("reshape: flatten each configuration to 60 numbers", (0, 60)),
        ("squeeze(-1): one number per configuration", (0,))]


@pytest.mark.parametrize("shape, pairs", [((1, 2, 3), 1), ((32, 2, 3), 1), ((0, 20, 3), 190)])
def test_pairsum_trace_names_no_flatten(shape, pairs):
    """Guards the reshape text: PairSum's (B, pairs, 1) -> (B,) keeps B numbers in all, yet flattens nothing."""
    B = shape[0]
    steps = shapes.shape_trace(seeded("pairsum"), torch.zeros(shape))
    assert [s.operation for s in steps if s.name == "forward"] == [f"{shape} → ({B}, {pairs}, 1)",
                                                                 f"({B}, {pairs}, 1) → ({B},)"]
    assert steps[-1].shape == (B,)


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


@pytest.mark.parametrize("shape, batch_size, text", [
    (torch.Size([32, 20, 3]), 32, "(B, 20, 3)"),
    (torch.Size([4, 60]), None, "(4, 60)"),
    ((0, 3), 0, "(B, 3)"),
    ((0,), 0, "(B,)"),
    ((1, 3), 0, "(1, 3)"),
])
def test_format_shape_of_torch_sizes_and_empty_batches(shape, batch_size, text):
    """Guards a torch.Size as the shape and a batch size of 0 (an empty batch), the lowest allowed."""
    assert shapes.format_shape(shape, batch_size) == text


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


HINT = " Add up (n_in + 1) × n_out over the Linear layers of phi and of rho, each network counted once."


# phi 12,736 = 12,480 weights + 256 biases, rho 6,273 = 6,176 + 97, MLP 34,689 (see above).
@pytest.mark.parametrize("answer, correct, message", [
    (19_009, True, "Right: 19,009 parameters, phi's and rho's together."),
    (19_009.0, True, "Right: 19,009 parameters, phi's and rho's together."),
    (260_993, False, "Not yet: 260,993 is the count that counts phi once per particle (20 × 12,736): "
                     "phi is one network shared by all 20 particles."),
    (12_736, False, "Not yet: 12,736 is the count that counts phi only and leaves out rho (6,273)."),
    (6_273, False, "Not yet: 6,273 is the count that counts rho only and leaves out phi (12,736)."),
    (18_656, False, "Not yet: 18,656 is the count that leaves out the 353 biases."),
    (34_689, False, "Not yet: 34,689 is the count that counts the MLP of III(A) (34,689) instead."),
    (19_010, False, "Not yet: 19,010 is too high." + HINT),
    (19_008, False, "Not yet: 19,008 is too low." + HINT),
    (0, False, "Not yet: 0 is too low." + HINT),
])
def test_check_deepsets_parameter_count_messages(answer, correct, message):
    """Guards the exact feedback of every branch: right, each usual mistake, too high and too low next to the answer."""
    result = shapes.check_deepsets_parameter_count(answer)
    assert result.correct is correct and result.message == message


@pytest.mark.parametrize("call, error, message", [
    (lambda: shapes.shape_trace("mlp", torch.zeros(2, 60)), TypeError, 'model must be a torch.nn.Module, got str'),
    (lambda: shapes.shape_trace(models.MLP(), [[0.0] * 60]), TypeError, 'X must be a torch tensor, got list'),
    (lambda: shapes.check_deepsets_parameter_count("19009"), TypeError, 'answer must be a whole number'),
    (lambda: shapes.check_deepsets_parameter_count(19009.5), TypeError, 'answer must be a whole number'),
])
def test_bad_inputs(call, error, message):
    with pytest.raises(error, match=message):
        call()
