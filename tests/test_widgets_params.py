"""The I(D) explorer and figures: set the fields from Python, read what the explorer shows."""

import html

import pytest
import torch
from torch import nn

from dlexam import params
from dlexam.plots.params import plot_conv_vs_dense, plot_dense_network, plot_parameter_breakdown
from dlexam.widgets.params import (
    MAX_LAYERS,
    MAX_WIDTH,
    PRESETS,
    ParameterCountExplorer,
    check_image_shape,
    format_bytes,
    parse_widths,
)

PNG = b"\x89PNG\r\n\x1a\n"


def test_starts_on_the_exam_network_and_agrees_with_pytorch():
    e = ParameterCountExplorer()
    assert e.total == e.torch_total == 407_050
    assert e.total == params.count_parameters(params.dense_network([784, 512, 10]))
    assert "407,050 trainable parameters" in e.summary.value and "agrees" in e.summary.value
    assert "1.55 MiB" in e.summary.value
    assert [(layer.n_in, layer.n_out) for layer in e.layers] == [(784, 512), (512, 10)]
    assert e.table.value.count("<tr") == 4  # header, two layers, total
    assert "401,920" in e.table.value and "5,130" in e.table.value
    assert e.figure.value[:8] == PNG
    assert e.message.value == ""
    assert e.preset.value == next(iter(PRESETS))


def test_exam_options_table_marks_only_option_b():
    e = ParameterCountExplorer()
    rows = e.options_table.value.split("<tr")[2:]  # skip the header
    assert len(rows) == 4
    assert ["background" in row for row in rows] == [False, True, False, False]
    assert "leaves out the 522 biases" in rows[2]


def test_editing_the_fields():
    e = ParameterCountExplorer()
    e.widths.value = "256, 128, 10"
    assert e.total == params.dense_parameter_count([784, 256, 128, 10]) == 235_146
    assert e.preset.value == "custom"
    assert "exactly one hidden layer" in e.options_table.value
    e.channels.value = 3
    assert e.total == params.dense_parameter_count([2352, 256, 128, 10])
    e.height.value, e.width.value = 32, 16
    assert e.layers[0].n_in == 32 * 16 * 3
    assert e.total == e.torch_total


def test_colour_images_make_every_exam_formula_wrong():
    e = ParameterCountExplorer(channels=3)
    assert "background" not in e.options_table.value
    assert "not the 3 channels" in e.options_table.value


@pytest.mark.parametrize("name", list(PRESETS))
def test_presets_fill_the_fields_and_count(name):
    e = ParameterCountExplorer(height=5, width=5, channels=1, widths="3")
    e.preset.value = name
    (h, w, c), widths = PRESETS[name]
    assert (e.height.value, e.width.value, e.channels.value, e.widths.value) == (h, w, c, widths)
    assert e.preset.value == name  # filling the fields does not fall back to "custom"
    assert e.total == e.torch_total == params.dense_parameter_count([h * w * c, *parse_widths(widths)])


def test_mlp_of_part_iii_matches_the_model_library():
    e = ParameterCountExplorer()
    e.preset.value = next(k for k in PRESETS if k.startswith("III(A)"))
    layers = [nn.Linear(a, b) for a, b in zip([60, 128, 128, 64, 32], [128, 128, 64, 32, 1])]
    assert e.total == sum(p.numel() for layer in layers for p in layer.parameters())


@pytest.mark.parametrize(
    "field, value, says",
    [
        ("widths", "", "Enter the widths"),
        ("widths", "   ", "Enter the widths"),
        ("widths", "512, ten", "'ten' is not a whole number"),
        ("widths", "12.5", "'12.5' is not a whole number"),
        ("widths", "512, -10", "at least 1 neuron"),
        ("widths", "0", "at least 1 neuron"),
        ("widths", "10000000", "stops at 1,000,000"),
        ("widths", ", ".join(["4"] * (MAX_LAYERS + 1)), f"at most {MAX_LAYERS}"),
        ("height", -3, "height must be at least 1"),
        ("width", 0, "width must be at least 1"),
        ("channels", 10**6, "beyond this explorer"),
        ("height", 10**9, "beyond this explorer"),
    ],
)
def test_bad_values_give_a_message_never_an_exception(field, value, says):
    e = ParameterCountExplorer()
    getattr(e, field).value = value
    assert says in html.unescape(e.message.value)
    assert e.total is None and e.table.value == "" and e.summary.value == ""
    # and the explorer recovers once the value is fixed
    getattr(e, field).value = {"widths": "512, 10", "height": 28, "width": 28, "channels": 1}[field]
    assert e.message.value == "" and e.total == 407_050


def test_extreme_but_allowed_values():
    e = ParameterCountExplorer()
    e.widths.value = f"{MAX_WIDTH}, {MAX_WIDTH}"
    e.height.value = e.width.value = 10_000
    assert e.message.value == ""
    assert e.total == e.torch_total == params.dense_parameter_count([10**8, MAX_WIDTH, MAX_WIDTH])
    assert "GiB" in e.summary.value
    e.widths.value = "1"
    e.height.value = e.width.value = 1
    assert e.total == 2


@pytest.mark.parametrize(
    "text, widths", [("512, 10", [512, 10]), ("512 10", [512, 10]), (" 1_000 ,3 ", [1000, 3]), ("7", [7]), ("+5", [5])]
)
def test_parse_widths(text, widths):
    assert parse_widths(text) == widths


def test_parse_widths_and_shapes_reject_non_text_and_non_ints():
    with pytest.raises(TypeError):
        parse_widths([512, 10])
    with pytest.raises(TypeError):
        check_image_shape(28.0, 28, 1)
    assert check_image_shape(28, 28, 1) == (28, 28, 1)


@pytest.mark.parametrize("n, text", [(0, "0 B"), (1023, "1023 B"), (1024, "1.00 KiB"), (1_628_200, "1.55 MiB"), (3 * 2**30, "3.00 GiB")])
def test_format_bytes(n, text):
    assert format_bytes(n) == text


@pytest.mark.parametrize(
    "figure",
    [
        lambda: plot_dense_network([784, 512, 10], image_shape=(28, 28)),
        lambda: plot_dense_network([3, 2, 4, 1]),
        lambda: plot_dense_network([1, 1]),
        lambda: plot_parameter_breakdown([60, 128, 128, 64, 32, 1]),
        lambda: plot_parameter_breakdown([784] + [4096] * 11 + [10]),
        lambda: plot_conv_vs_dense(params.conv_vs_dense((28, 28), 32, 3)),
    ],
)
def test_figures_draw(figure):
    fig = figure()
    fig.canvas.draw()
    assert fig.axes


def test_figures_check_their_input():
    with pytest.raises(ValueError, match="784 inputs"):
        plot_dense_network([784, 512, 10], image_shape=(32, 32))
    with pytest.raises(TypeError, match="ConvComparison"):
        plot_conv_vs_dense(320)
    with pytest.raises(ValueError, match="at least two sizes"):
        plot_parameter_breakdown([784])


def test_the_explorer_leaves_torch_alone():
    before = torch.get_rng_state()
    ParameterCountExplorer(widths="64, 10")
    assert torch.equal(torch.get_rng_state(), before)
