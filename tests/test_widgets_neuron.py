"""The I(A) explorer: set its controls from Python, read what it shows."""

from dlexam import neuron
from dlexam.widgets.neuron import TruthTableExplorer


def test_starts_on_the_exam_answer():
    e = TruthTableExplorer()
    assert "reproduces exam" in e.summary.value
    assert e.figure.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_snapping_to_an_option_sets_all_sliders_and_one_redraw():
    e = TruthTableExplorer()
    before = e.figure.value
    e.option.value = e.option.options[4]  # option D
    assert (e.w1.value, e.w2.value, e.b.value) == neuron.EXAM_OPTIONS[3]
    assert "does not reproduce exam" in e.summary.value
    assert e.figure.value != before
    assert e.errors.max() > 0.99


def test_moving_a_slider_leaves_the_snapped_option():
    e = TruthTableExplorer()
    e.option.value = e.option.options[1]
    e.w1.value = 3.0
    assert e.option.value == "custom"
    assert "w1" not in e.message.value


def test_table_choice_and_table_rows():
    e = TruthTableExplorer(w1=10, w2=10, b=-15, table="AND")
    assert "reproduces AND" in e.summary.value
    e.table.value = "XOR"
    assert "does not reproduce XOR" in e.summary.value
    assert e.outputs.value.count("<tr") == 5  # header and four inputs


def test_extreme_values_never_raise():
    e = TruthTableExplorer()
    e.w1.value, e.w2.value, e.b.value = e.w1.max, e.w2.min, e.b.max
    assert e.message.value == ""
    assert "largest error" in e.summary.value
