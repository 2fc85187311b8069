"""The II(A) layer-order explorer: set its kernel, bias, image and presets; read the verdicts it shows."""

import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlexam import layer_order
from dlexam.widgets import pooling as pooling_widget
from dlexam.widgets.pooling import (
    CUSTOM, FOUND, MAX_WEIGHT, PRESETS, SEARCH_TRIES, LayerOrderExplorer, kernel_texts, layer_order_view,
    parse_kernel, preset_of, search_result,
)

SHAPES = {"A": "different shape", "D": "different shape"}


def _torch(image, kernel, bias, order, pool="max"):
    """out or an option, computed with PyTorch's own layers."""
    p = F.max_pool2d if pool == "max" else F.avg_pool2d
    k = torch.as_tensor(np.asarray(kernel, dtype=float))[None, None]
    b = torch.tensor([float(bias)], dtype=torch.float64)
    c = lambda t: F.conv2d(t, k, b)  # noqa: E731
    x = torch.as_tensor(np.asarray(image, dtype=float))[None, None]
    layers = {
        "out": lambda: p(F.relu(c(x)), 2), "A": lambda: c(p(F.relu(x), 2)), "B": lambda: p(c(F.relu(x)), 2),
        "C": lambda: F.relu(p(c(x), 2)), "D": lambda: F.relu(c(p(x, 2))),
    }
    return layers[order]()[0, 0].numpy()


def _torch_out(image, kernel, bias):
    return _torch(image, kernel, bias, "out")


@pytest.mark.parametrize(
    "preset, verdicts",
    [
        ("random kernel", {"B": "differs", "C": "equal"}),
        ("positive kernel, bias >= 0", {"B": "equal", "C": "equal"}),
        ("positive kernel, bias < 0", {"B": "differs", "C": "equal"}),
    ],
)
def test_presets_show_the_exam_cases(preset, verdicts):
    e = LayerOrderExplorer(preset="random kernel" if preset != "random kernel" else "positive kernel, bias >= 0")
    e.choose(preset)
    kernel, bias, image = PRESETS[preset]
    np.testing.assert_array_equal(e.kernel, kernel)
    assert e.bias == bias and e.widget.image == image and e.preset == preset
    assert e.verdicts == {**SHAPES, **verdicts}
    assert e.message.value == ""
    # What the page shows is the explorer's comparison, and out is PyTorch's.
    np.testing.assert_allclose(e.comparisons[2].reference, _torch_out(e.image_array, kernel, bias), atol=1e-12)
    for c in e.comparisons:
        assert e.shown[f"formula-{c.label}"] == c.formula
        assert e.shown[f"verdict-{c.label}"] == pooling_widget.verdict_text(c)
    assert e.shown["equal"] == ", ".join(label for label, v in {**SHAPES, **verdicts}.items() if v == "equal")


def test_typing_a_weight_leaves_the_preset_and_recomputes():
    e = LayerOrderExplorer(preset="positive kernel, bias >= 0")
    assert e.verdicts["B"] == "equal" and e.shown["guarantee"].endswith("so B equals out on every such image")
    e.set_weight(1, 1, -3.0)
    assert e.preset == CUSTOM and e.widget.kernel[4] == "-3.0"
    assert e.verdicts["B"] == "differs" and e.verdicts["C"] == "equal"
    assert "B keeps the negative maximum" in e.shown["guarantee"]
    e.set_weight(1, 1, " .9 ")  # typed as text, read as Python's float() reads it
    assert e.preset == "positive kernel, bias >= 0" and e.verdicts["B"] == "equal"


def test_a_negative_bias_breaks_option_b_on_a_dark_image():
    e = LayerOrderExplorer(preset="positive kernel, bias >= 0")
    e.set(image="dark, bright square")
    assert e.verdicts["B"] == "equal"
    e.set(bias=-0.5)
    assert e.preset == CUSTOM and e.verdicts["B"] == "differs"
    b = e.comparisons[1]
    assert b.max_difference == pytest.approx(0.5)  # the windows that see only black pixels hold the bias
    assert e.shown["largest-B"] == pytest.approx(0.5) and e.shown["figure-largest-B"] == pytest.approx(0.5)
    assert e.shown["largest-A"] == "–" and e.shown["verdict-A"] == "cannot be out: shape 2×2, out is 3×3"


def test_set_kernel_types_all_weights_with_one_update():
    e = LayerOrderExplorer()
    computed = []
    e._update = (lambda original: lambda: (computed.append(1), original()))(e._update)
    e.set_kernel(np.eye(3), bias=0.25)
    assert len(computed) == 1
    np.testing.assert_array_equal(e.kernel, np.eye(3))
    assert e.bias == 0.25 and e.preset == CUSTOM
    assert e.verdicts == {**SHAPES, "B": "equal", "C": "equal"}
    with pytest.raises(ValueError, match="kernel must be 3x3"):
        e.set_kernel(np.ones((2, 3)))
    with pytest.raises(ValueError, match="set\\(\\) takes kernel, bias, image, seed, pool"):
        e.set(weights=1)


def test_average_pooling_breaks_option_c():
    e = LayerOrderExplorer(preset="random kernel")
    e.set(pool="avg")
    assert e.verdicts == {**SHAPES, "B": "differs", "C": "differs"}
    assert e.shown["out-formula"] == "AvgPool2×2(ReLU(Conv(x)))" and e.shown["formula-C"] == "ReLU(AvgPool2×2(Conv(x)))"
    e.choose("positive kernel, bias >= 0")
    assert e.verdicts == {**SHAPES, "B": "equal", "C": "equal"}


def test_search_finds_a_counterexample_for_a_negative_bias():
    e = LayerOrderExplorer(preset="positive kernel, bias < 0")
    e.set(image="random pixels", bias=-0.3)
    e.search()
    assert e.found is not None and e.widget.image == FOUND and e.widget.searches == 1
    assert "Found after" in e.message.value and "option B differs" in e.message.value
    assert e.verdicts["B"] == "differs"
    np.testing.assert_array_equal(e.image_array, e.found.image)
    assert e.found.image.min() >= 0 and e.found.image.max() <= 1
    assert np.abs(e.found.left - _torch_out(e.found.image, e.kernel, -0.3)).max() > 1e-6
    # The library's own search, with the generator of the first press, finds the same image.
    label, library = layer_order.first_differing_option(e.kernel, -0.3, np.random.default_rng(1), (8, 8), SEARCH_TRIES)
    np.testing.assert_array_equal(library.image, e.found.image)
    assert (label, library.tries) == ("B", e.found.tries)
    e.search()  # a second press searches other images
    assert e.widget.searches == 2 and not np.array_equal(e.found.image, library.image)
    e.set(seed=3)  # moving on clears the report
    assert e.message.value == ""


def test_a_search_done_in_the_page_reaches_python():
    """The page sends what its search found (pixels, tries, report); Python recomputes from the pixels."""
    e = LayerOrderExplorer(preset="positive kernel, bias < 0")
    e.set(bias=-0.3)
    counterexample, report = search_result(e.widget.kernel, -0.3, "max", 1)
    with e.widget.hold_trait_notifications():  # as one message from the front-end
        e.widget.searches, e.widget.found = 1, counterexample.image.ravel().tolist()
        e.widget.found_tries, e.widget.image, e.widget.report = counterexample.tries, FOUND, report
    assert e.message.value.endswith("on the image now shown.</div>") and e.message_kind == "info"
    np.testing.assert_array_equal(e.found.image, counterexample.image)
    assert e.verdicts["B"] == "differs" and e.found.tries == counterexample.tries


def test_search_reports_none_when_option_b_is_guaranteed():
    e = LayerOrderExplorer(preset="positive kernel, bias >= 0")
    e.search()
    assert e.found is None and e.widget.image == "random pixels"
    assert "No counterexample in 2000 random images" in e.message.value
    assert "Conv(x) &gt;= 0.20" in e.message.value


def test_bad_values_show_a_message_not_a_traceback():
    e = LayerOrderExplorer()
    e.set_weight(0, 0, float("inf"))
    assert "kernel must hold finite numbers" in e.message.value and e.message_kind == "error"
    assert e.verdicts == {} and e.comparisons == () and e.shown == {}
    e.set_weight(0, 0, 0.2)
    assert e.message.value == "" and len(e.verdicts) == 4
    e.set_weight(2, 1, "two")
    assert "kernel row 3, column 2 must be a number such as 0.5, got &#x27;two&#x27;" in e.message.value
    e.set_weight(2, 1, "1e7")
    assert "keep weights within ±1e+06" in e.message.value
    e.set(image=FOUND)
    e.set_weight(2, 1, "0")
    assert "no counterexample found yet: press the search button first" in e.message.value
    e.search()  # the search needs no image, and finds one
    assert e.widget.image == FOUND and e.message_kind == "info" and len(e.verdicts) == 4


def test_constructor_checks_its_arguments():
    with pytest.raises(ValueError, match="preset must be one of"):
        LayerOrderExplorer(preset="exam")
    with pytest.raises(ValueError, match="kernel must be 3x3"):
        LayerOrderExplorer(kernel=np.ones((2, 2)))
    with pytest.raises(ValueError, match="pool must be one of"):
        LayerOrderExplorer(pool="min")
    with pytest.raises(ValueError, match="bias must be a finite number"):
        LayerOrderExplorer(bias=float("nan"))
    e = LayerOrderExplorer(kernel=np.ones((3, 3)), bias=-2.0, image="checkerboard")
    assert e.preset == CUSTOM and e.widget.image == "checkerboard"
    assert (e.shown["lowest"], e.shown["highest"]) == (-2.0, 7.0)
    assert layer_order.conv_range(np.ones((3, 3)), -2.0) == (-2.0, 7.0)


# ---- the view the page shows, against PyTorch --------------------------------------------------

def test_view_against_pytorch_on_random_states():
    rng = np.random.default_rng(3)
    for _ in range(40):
        kernel = np.round(rng.uniform(-1, 1, (3, 3)), 2)
        bias, pool = float(rng.uniform(-1.5, 1)), ["max", "avg"][int(rng.integers(2))]
        image = layer_order.EXAMPLE_IMAGES[int(rng.integers(4))]
        seed = int(rng.integers(100))
        view = layer_order_view(kernel_texts(kernel), bias, image, seed, pool)
        x = layer_order.example_image(image, (8, 8), seed)
        shown = view["shown"]
        out = _torch(x, kernel, bias, "out", pool)
        np.testing.assert_allclose([[shown[f"out-{i}-{j}"] for j in range(3)] for i in range(3)], out, atol=1e-12)
        for label in "ABCD":
            expected = _torch(x, kernel, bias, label, pool)
            got = np.array([[shown[f"{label}-{i}-{j}"] for j in range(expected.shape[1])] for i in range(expected.shape[0])])
            np.testing.assert_allclose(got, expected, atol=1e-12)
            if expected.shape == out.shape:
                assert shown[f"largest-{label}"] == pytest.approx(np.abs(expected - out).max(), abs=1e-12)
                assert (shown[f"verdict-{label}"] == "equal to out") == (np.abs(expected - out).max() < 1e-9)
            else:
                assert shown[f"largest-{label}"] == "–"
        conv = F.conv2d(torch.as_tensor(x)[None, None], torch.as_tensor(kernel)[None, None]).numpy()[0, 0] + bias
        np.testing.assert_allclose([[shown[f"conv-{i}-{j}"] for j in range(6)] for i in range(6)], conv, atol=1e-12)
        # the range over every image in [0, 1], by brute force over the 2^9 corners of a window
        corners = np.array(np.meshgrid(*[[0.0, 1.0]] * 9)).reshape(9, -1).T
        values = corners @ kernel.ravel() + bias
        assert (shown["lowest"], shown["highest"]) == pytest.approx((values.min(), values.max()), abs=1e-12)
        assert shown["figure-bias"] == bias and view["message"] == "" and view["kind"] == ""


def test_parse_kernel_reads_texts_as_python_and_names_the_entry():
    np.testing.assert_array_equal(parse_kernel([".5", "-0", "+3e-2", "1_000", "2.", " 0.25 ", "-1E-3", "0", "1"]),
                                  [[0.5, 0.0, 0.03], [1000.0, 2.0, 0.25], [-0.001, 0.0, 1.0]])
    with pytest.raises(ValueError, match="kernel row 1, column 2 must be a number such as 0.5, got ''"):
        parse_kernel(["1", "", "0", "0", "0", "0", "0", "0", "0"])
    with pytest.raises(ValueError, match="no NaN or infinity\\): row 3, column 3 is nan"):
        parse_kernel(["0"] * 8 + ["nan"])
    with pytest.raises(ValueError, match="row 2, column 1 = -2e\\+06 is beyond this explorer"):
        parse_kernel(["0", "0", "0", "-2e6", "0", "0", "0", "0", "0"])
    with pytest.raises(ValueError, match="nine entries"):
        parse_kernel(["1"] * 8)
    with pytest.raises(TypeError, match="kernel must be the nine entries"):
        parse_kernel("1 2 3")
    assert parse_kernel(kernel_texts(PRESETS["random kernel"][0])).tolist() == [list(r) for r in PRESETS["random kernel"][0]]


def test_preset_of_and_the_view_of_bad_states():
    for name, (kernel, bias, _) in PRESETS.items():
        assert preset_of(kernel_texts(kernel), bias) == name
    assert preset_of(kernel_texts(PRESETS["random kernel"][0]), 0.15) == CUSTOM
    assert preset_of(["x"] * 9, 0.1) == CUSTOM
    assert layer_order_view(["0"] * 9, 0.0, image="noise") == {
        "shown": {}, "kind": "error",
        "message": "image must be one of 'random pixels', 'dark, bright square', 'gradient', 'checkerboard', "
                   "'found by the search', got 'noise'"}
    assert layer_order_view(["0"] * 9, float("inf"))["message"] == "bias must be a finite number, got inf"
    assert layer_order_view(["0"] * 9, 0.0, pool="min")["message"] == "pool must be one of 'max', 'avg', got 'min'"
    view = layer_order_view(["0"] * 9, 0.0, image=FOUND, found=list(np.linspace(0, 1, 64)), report="Found.")
    assert (view["message"], view["kind"]) == ("Found.", "info")
    np.testing.assert_array_equal(view["image"], np.linspace(0, 1, 64).reshape(8, 8))


def test_search_result_is_the_library_search():
    kernel, bias = kernel_texts(PRESETS["random kernel"][0]), 0.1
    for press in (1, 2, 7):
        counterexample, report = search_result(kernel, bias, "avg", press)
        label, library = layer_order.first_differing_option(parse_kernel(kernel), bias, np.random.default_rng(press),
                                                            (8, 8), SEARCH_TRIES, "avg")
        np.testing.assert_array_equal(counterexample.image, library.image)
        differing = [c.label for c in layer_order.compare_options(library.image, parse_kernel(kernel), bias, "avg")
                     if c.same_shape and not c.equal]
        assert report == (f"Found after {library.tries} random image{'s' if library.tries > 1 else ''}: "
                          + (f"option {differing[0]} differs" if len(differing) == 1 else "options B and C differ")
                          + " from out on the image now shown.")


def test_vectors_cover_every_image_pool_preset_and_the_bias_range():
    vectors = pooling_widget.view_vectors(count=60)
    states = [v["state"] for v in vectors]
    assert {s["image"] for s in states} == set(layer_order.EXAMPLE_IMAGES)
    assert {s["pool"] for s in states} == {"max", "avg"}
    assert {preset_of(s["kernel"], s["bias"]) for s in states} >= set(PRESETS)
    assert min(s["bias"] for s in states) == -3.0 and max(s["bias"] for s in states) == 3.0
    assert sum(s["bias"] < 0 for s in states) >= 20 and max(s["seed"] for s in states) == 99
    assert all(round(s["bias"] / 0.05) * 0.05 == pytest.approx(s["bias"]) for s in states)
    errors = [v for v in vectors if v["kind"] == "error"]
    assert len(errors) >= 4 and all(v["shown"] == {} for v in errors)
    assert {v["shown"]["verdict-B"] for v in vectors if v["shown"]} >= {"equal to out"}
    assert any(v["shown"].get("verdict-C", "").startswith("differs") for v in vectors)
    for v in vectors[:30]:
        assert v["shown"] == layer_order_view(**v["state"])["shown"]
    assert any(repr(MAX_WEIGHT) in s["kernel"] for s in states) and any("-" + repr(MAX_WEIGHT) in s["kernel"] for s in states)


def test_front_end_module_and_config():
    e = LayerOrderExplorer()
    assert "function render" in e.widget._esm and e.widget._esm.count("export default") == 1
    config = e.widget.config
    json.dumps(config, allow_nan=False)
    assert [p["name"] for p in config["presets"]] == list(PRESETS)
    assert [parse_kernel(p["kernel"]).tolist() for p in config["presets"]] == [
        np.asarray(k).tolist() for k, _, _ in PRESETS.values()]
    assert config["images"] == list(layer_order.EXAMPLE_IMAGES) and config["tolerance"] == layer_order.TOLERANCE
    assert len(config["signed"]) == 256 and config["signed"][0] != config["signed"][-1]
    assert e.ui is e.widget
