"""The I(D) explorer and figures with a kernel: set the fields from Python, read what it computes and shows."""

import html

import pytest
import torch
from torch import nn

from dlexam import params
from dlexam.plots.params import plot_conv_vs_dense, plot_dense_network, plot_parameter_breakdown
from dlexam.widgets import params as params_widget
from dlexam.widgets.params import (
    MAX_LAYERS, MAX_WIDTH, OPTION_TERMS, PRESETS, ParameterCountExplorer, check_image_shape, format_bytes,
    parameter_view, parse_side, parse_widths,
)


def test_starts_on_the_exam_network_and_agrees_with_pytorch():
    e = ParameterCountExplorer()
    assert e.total == e.torch_total == 407_050
    assert e.total == params.count_parameters(params.dense_network([784, 512, 10]))
    assert e.shown["total"] == 407_050 and e.shown["memory"] == "1.55 MiB"
    assert [(layer.n_in, layer.n_out) for layer in e.layers] == [(784, 512), (512, 10)]
    assert (e.shown["total-0"], e.shown["total-1"]) == (401_920, 5_130)
    assert e.widget.pytorch == {"sizes": ["784", "512", "10"], "total": "407050"}  # for the page to show
    assert e.message.value == ""
    assert e.preset == next(iter(PRESETS))


def test_exam_options_mark_only_option_b():
    e = ParameterCountExplorer()
    verdicts = [e.shown[f"option-verdict-{letter}"] for letter in "ABCD"]
    assert [v == "right" for v in verdicts] == [False, True, False, False]
    assert verdicts[2] == "leaves out the 522 biases"


@pytest.mark.parametrize("h, w, hidden, out", [(28, 28, 512, 10), (3, 5, 7, 11), (224, 224, 4096, 1000), (1, 1, 1, 1)])
def test_the_formulas_sent_to_the_page_are_the_exams(h, w, hidden, out):
    symbols = {"h": h, "w": w, "hidden": hidden, "out": out}
    for option, terms in zip(params.EXAM_OPTIONS, OPTION_TERMS):
        value = 0
        for term in terms:
            product = 1
            for s in term:
                product *= symbols[s]
            value += product
        assert value == option.value(h, w, hidden, out), option.label


def test_editing_the_fields():
    e = ParameterCountExplorer()
    e.widget.widths = "256, 128, 10"
    assert e.total == params.dense_parameter_count([784, 256, 128, 10]) == 235_146
    assert e.preset == "custom"
    assert "exactly one hidden layer" in e.shown["options-note"]
    e.widget.channels = "3"
    assert e.total == params.dense_parameter_count([2352, 256, 128, 10])
    e.set(height=32, width=16)
    assert e.layers[0].n_in == 32 * 16 * 3
    assert e.total == e.torch_total and e.widget.pytorch["total"] == str(e.total)


def test_colour_images_make_every_exam_formula_wrong():
    e = ParameterCountExplorer(channels=3)
    assert all(e.shown[f"option-verdict-{letter}"] != "right" for letter in "ABCD")
    assert "not the 3 channels" in e.shown["option-verdict-B"]


@pytest.mark.parametrize("name", list(PRESETS))
def test_presets_fill_the_fields_and_count(name):
    e = ParameterCountExplorer(height=5, width=5, channels=1, widths="3")
    e.choose(name)
    (h, w, c), widths = PRESETS[name]
    assert (e.widget.height, e.widget.width, e.widget.channels, e.widget.widths) == (str(h), str(w), str(c), widths)
    assert e.preset == name
    assert e.total == e.torch_total == params.dense_parameter_count([h * w * c, *parse_widths(widths)])


def test_mlp_of_part_iii_matches_the_model_library():
    e = ParameterCountExplorer()
    e.choose(next(k for k in PRESETS if k.startswith("III(A)")))
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
        ("height", "-3", "height must be at least 1"),
        ("width", "0", "width must be at least 1"),
        ("channels", str(10**6), "beyond this explorer"),
        ("height", str(10**9), "beyond this explorer"),
        ("height", "2.5", "must be a whole number"),
        ("width", "", "must be a whole number"),
    ],
)
def test_bad_values_give_a_message_never_an_exception(field, value, says):
    e = ParameterCountExplorer()
    setattr(e.widget, field, value)
    assert says in html.unescape(e.message.value)
    assert e.total is None and e.shown == {}
    # and the explorer recovers once the value is fixed
    setattr(e.widget, field, {"widths": "512, 10", "height": "28", "width": "28", "channels": "1"}[field])
    assert e.message.value == "" and e.total == 407_050


def test_extreme_but_allowed_values():
    e = ParameterCountExplorer()
    e.set(widths=f"{MAX_WIDTH}, {MAX_WIDTH}", height=10_000, width=10_000)
    assert e.message.value == ""
    assert e.total == e.torch_total == params.dense_parameter_count([10**8, MAX_WIDTH, MAX_WIDTH])
    assert "GiB" in e.shown["memory"]
    e.set(channels=1000)
    assert e.total == e.torch_total == params.dense_parameter_count([10**11, MAX_WIDTH, MAX_WIDTH])
    assert e.total > 2**53  # beyond what a JavaScript number holds exactly: the page counts in BigInt
    e.set(widths="1", height=1, width=1, channels=1)
    assert e.total == 2


def test_parse_side_and_shape_checks():
    assert parse_side(" 28 ", "height") == 28 and parse_side(7, "width") == 7
    for bad in ("2.5", "", "abc", True):
        with pytest.raises(TypeError, match="whole number"):
            parse_side(bad, "height")
    assert check_image_shape(28, 28, 1) == (28, 28, 1)


def test_vectors_include_big_counts_and_every_error():
    vectors = params_widget.view_vectors(count=10)
    assert any(v["shown"].get("total", 0) > 2**53 for v in vectors)
    assert sum(v["kind"] == "error" for v in vectors) >= 10
    assert all(v["shown"] == parameter_view(**v["state"])["shown"] for v in vectors[:5])


@pytest.mark.parametrize(
    "text, widths", [("512, 10", [512, 10]), ("512 10", [512, 10]), (" 1_000 ,3 ", [1000, 3]), ("7", [7]), ("+5", [5])]
)
def test_parse_widths(text, widths):
    assert parse_widths(text) == widths


def test_parse_widths_and_shapes_reject_non_text_and_non_ints():
    with pytest.raises(TypeError, match="the layer widths must be text"):
        parse_widths([512, 10])
    with pytest.raises(TypeError, match="the image height must be a whole number, got 28.0"):
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
