"""The I(B) explorer: set its fields from Python, read what it shows."""

import pytest

from dlexam import saturation
from dlexam.widgets.activations import ActivationExplorer


def test_starts_on_the_exam_neuron():
    e = ActivationExplorer()
    assert round(e.z, 2) == 1035.35
    assert e.output == 1.0 and e.rounded == 1.0 and e.matches and e.derivative == 0.0
    assert "matches the observed 1.0" in e.summary.value
    assert e.figure.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert {r.activation for r in e.readings if r.matches} == saturation.EXAM_ANSWER
    assert e.outputs.value.count("<tr") == 5  # header and four activations


@pytest.mark.parametrize("activation, matches", [("relu", False), ("tanh", True), ("sigmoid", True), ("leaky_relu", False)])
def test_each_activation_on_the_exam_neuron(activation, matches):
    e = ActivationExplorer()
    before = e.figure.value
    e.activation.value = activation
    assert e.matches is matches
    assert ("does not match" in e.summary.value) is (not matches)
    if activation != "sigmoid":
        assert e.figure.value != before


def test_a_neuron_where_relu_gives_one():
    e = ActivationExplorer(activation="relu")
    e.weights.value, e.inputs.value, e.bias.value = "1", "0.5", "0.5"
    assert e.z == 1.0 and e.matches and e.message.value == ""
    e.activation.value = "sigmoid"
    assert not e.matches and e.rounded == 0.7


def test_rounding_convention_decides_the_edge():
    e = ActivationExplorer(activation="relu", w=(1.05,), b=0.0, x=(1.0,))
    assert not e.matches  # 1.05 rounds half up to 1.1
    e.convention.value = "half_even"
    assert e.matches  # and half even to 1.0


@pytest.mark.parametrize(
    "field, text, expected",
    [
        ("weights", "1, two, 3", "not a number"),
        ("inputs", "1, 2", "expected 3 numbers"),
        ("bias", "", "at least one number"),
        ("bias", "1, 2", "expected 1 numbers"),
        ("weights", "1e308, 1e308, 0", "overflows"),
        ("inputs", "nan, 1, 1", "not a finite number"),
    ],
)
def test_bad_values_show_a_message_and_recover(field, text, expected):
    e = ActivationExplorer()
    if field == "weights" and "1e308" in text:
        e.inputs.value = "10, 10, 0"
    getattr(e, field).value = text
    assert expected in e.message.value
    e.reset.click()
    assert e.message.value == "" and round(e.z, 2) == 1035.35


def test_extreme_but_finite_values_never_raise():
    e = ActivationExplorer()
    e.weights.value, e.inputs.value, e.bias.value = "1e150, -1e150, 0", "1e150, 1e150, 1", "-1e300"
    assert e.message.value == ""
    assert e.z == pytest.approx(-1e300) and e.output == 0.0
