"""The I(B) explorer with a kernel: set its fields from Python, read what it computes and shows."""

import math

import pytest

from dlexam import saturation
from dlexam.widgets import activations as activations_widget
from dlexam.widgets.activations import EXAM_TEXTS, ActivationExplorer, activation_view


def test_starts_on_the_exam_neuron():
    e = ActivationExplorer()
    assert round(e.z, 2) == 1035.35
    assert e.output == 1.0 and e.rounded == 1.0 and e.matches and e.derivative == 0.0
    assert e.shown["matches"] == "matches" and e.shown["z"] == e.z
    assert {r.activation for r in e.readings if r.matches} == saturation.EXAM_ANSWER
    assert e.shown["preimage-sigmoid"] == "[2.94444, inf)"


@pytest.mark.parametrize("activation, matches", [("relu", False), ("tanh", True), ("sigmoid", True), ("leaky_relu", False)])
def test_each_activation_on_the_exam_neuron(activation, matches):
    e = ActivationExplorer()
    e.widget.activation = activation
    assert e.matches is matches
    assert e.shown["matches"] == ("matches" if matches else "does not match")


def test_a_neuron_where_relu_gives_one():
    e = ActivationExplorer(activation="relu")
    e.widget.weights, e.widget.inputs, e.widget.bias = "1", "0.5", "0.5"
    assert e.z == 1.0 and e.matches and e.message.value == ""
    e.widget.activation = "sigmoid"
    assert not e.matches and e.rounded == 0.7


def test_rounding_convention_decides_the_edge():
    e = ActivationExplorer(activation="relu", w=(1.05,), b=0.0, x=(1.0,))
    assert not e.matches  # 1.05 rounds half up to 1.1
    e.widget.convention = "half_even"
    assert e.matches  # and half even to 1.0
    assert e.shown["preimage-relu"] == "[0.95, 1.05]"


@pytest.mark.parametrize(
    "field, text, expected",
    [
        ("weights", "1, two, 3", "not a number"),
        ("inputs", "1, 2", "expected 3 numbers"),
        ("bias", "", "at least one number"),
        ("bias", "1, 2", "bias: expected 1 number, got 2"),
        ("weights", "1e308, 1e308, 0", "overflows"),
        ("inputs", "nan, 1, 1", "not a finite number"),
    ],
)
def test_bad_values_show_a_message_and_recover(field, text, expected):
    e = ActivationExplorer()
    if field == "weights" and "1e308" in text:
        e.widget.inputs = "10, 10, 0"
    setattr(e.widget, field, text)
    assert expected in e.message.value and e.shown == {}
    e.reset()
    assert e.message.value == "" and round(e.z, 2) == 1035.35


def test_extreme_but_finite_values_never_raise():
    e = ActivationExplorer()
    e.widget.weights, e.widget.inputs, e.widget.bias = "1e150, -1e150, 0", "1e150, 1e150, 1", "-1e300"
    assert e.message.value == ""
    assert e.z == pytest.approx(-1e300) and e.output == 0.0


def test_view_against_independent_formulas():
    view = activation_view("tanh", "0.5, -2", "0.25", "3, 1", "half_even")
    z = 0.5 * 3 - 2 * 1 + 0.25
    assert view["shown"]["z"] == pytest.approx(z)
    assert view["shown"]["output-tanh"] == pytest.approx(math.tanh(z))
    assert view["shown"]["output-sigmoid"] == pytest.approx(1 / (1 + math.exp(-z)))
    assert view["shown"]["output-leaky_relu"] == pytest.approx(0.01 * z)
    assert view["shown"]["derivative"] == pytest.approx(1 - math.tanh(z) ** 2)


def test_vectors_reach_the_band_edges_and_the_errors():
    vectors = activations_widget.view_vectors(count=20)
    messages = {v["message"].split(":")[0] for v in vectors if v["kind"] == "error"}
    assert {"weights", "bias", "input (one value per weight)", "the pre-activation overflows to infinity"} <= messages
    zs = {v["shown"].get("z") for v in vectors}
    assert {0.95, 1.05, 1e300} <= zs
    # a pre-activation within round-off of an edge leaves the rounding uncompared, nothing else
    edge = next(v for v in vectors if v["shown"].get("z") == 0.95)
    assert edge["noise"]["rounded-relu"] is None and edge["noise"]["z"] > 0


def test_config_has_no_infinities_for_json():
    import json

    config = activations_widget.frontend_config()
    json.dumps(config, allow_nan=False)
    sigmoid = config["preimages"]["half_up"]["sigmoid"]
    assert sigmoid["low"] == pytest.approx(math.log(19)) and sigmoid["high"] is None and sigmoid["text"] == "[2.94444, inf)"
    assert config["exam"] == EXAM_TEXTS
