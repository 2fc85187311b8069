"""The I(A) explorer with a kernel: set its controls from Python, read what it computes and shows."""

import math

import numpy as np
import pytest

from dlexam import neuron
from dlexam.widgets import neuron as neuron_widget
from dlexam.widgets.neuron import OPTION_LABELS, TruthTableExplorer, option_label, truth_table_view


def test_starts_on_the_exam_answer():
    e = TruthTableExplorer()
    assert e.verdict.correct and e.shown["verdict"] == "reproduces"
    assert (e.widget.w1, e.widget.w2, e.widget.b, e.widget.table) == (-10.0, -10.0, 10.0, "exam")
    assert option_label(e.widget.w1, e.widget.w2, e.widget.b) == OPTION_LABELS[0]
    assert e.message.value == ""


def test_snapping_to_an_option_sets_all_weights_at_once():
    e = TruthTableExplorer()
    computed = []
    e._update = (lambda original: lambda: (computed.append(1), original()))(e._update)
    e.snap("D")
    assert len(computed) == 1  # one recomputation for the three weights
    assert (e.widget.w1, e.widget.w2, e.widget.b) == neuron.EXAM_OPTIONS[3]
    assert e.shown["verdict"] == "does not reproduce" and e.errors.max() > 0.99
    e.snap(0)
    assert e.verdict.correct
    with pytest.raises(ValueError, match="option"):
        e.snap("E")


def test_moving_a_weight_recomputes_and_leaves_the_option():
    e = TruthTableExplorer()
    e.widget.w1 = 3.0
    assert option_label(3.0, -10.0, 10.0) == neuron_widget.CUSTOM
    assert e.outputs[0] == pytest.approx(1 / (1 + math.exp(-(3.0 - 10.0 + 10.0))))
    assert e.shown["output-0"] == e.outputs[0]


def test_table_choice():
    e = TruthTableExplorer(w1=10, w2=10, b=-15, table="AND")
    assert e.verdict.correct
    e.widget.table = "XOR"
    assert not e.verdict.correct and e.shown["verdict"] == "does not reproduce"
    np.testing.assert_array_equal([e.shown[f"target-{i}"] for i in range(4)], neuron.TRUTH_TABLES["XOR"].targets)


def test_view_against_an_independent_sigmoid():
    shown = truth_table_view(2.5, -1.0, 0.5, "OR")
    table = neuron.TRUTH_TABLES["OR"]
    for i, ((x1, x2), t) in enumerate(zip(table.inputs, table.targets)):
        z = 2.5 * x1 - 1.0 * x2 + 0.5
        out = 1 / (1 + math.exp(-z))
        assert shown[f"z-{i}"] == pytest.approx(z) and shown[f"output-{i}"] == pytest.approx(out, abs=1e-15)
        assert shown[f"error-{i}"] == pytest.approx(abs(out - t), abs=1e-15)
        assert shown[f"within-{i}"] == ("yes" if abs(out - t) <= neuron.DEFAULT_TOLERANCE else "no")
    errors = [shown[f"error-{i}"] for i in range(4)]
    assert shown["largest"] == max(errors) and shown["mse"] == pytest.approx(np.mean(np.square(errors)))


def test_extreme_values_never_raise():
    e = TruthTableExplorer()
    e.set(w1=30.0, w2=-30.0, b=30.0)
    assert e.message.value == "" and e.shown["largest"] <= 1


def test_vectors_cover_every_table_and_the_sliders_range():
    vectors = neuron_widget.view_vectors(count=50)
    states = [v["state"] for v in vectors]
    assert {s["table"] for s in states} == set(neuron.TRUTH_TABLES)
    assert min(s["w1"] for s in states) == -30.0 and max(s["b"] for s in states) == 30.0
    assert all(s["w1"] % neuron_widget.STEP == 0 for s in states)
    assert all(v["shown"] == truth_table_view(**v["state"]) for v in vectors[:20])


def test_front_end_module_and_config():
    e = TruthTableExplorer()
    assert "function render" in e.widget._esm and "export default" in e.widget._esm
    assert e.widget._esm.count("export default") == 1  # the helpers carry no export of their own
    config = e.widget.config
    assert [o["w"] for o in config["options"]] == [list(o) for o in neuron.EXAM_OPTIONS]
    assert config["tolerance"] == neuron.DEFAULT_TOLERANCE and len(config["bands"]) == neuron_widget.BANDS
