"""The II(A) layer-order explorer: set its kernel, bias, image and presets; read the verdicts it shows."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlexam import layer_order
from dlexam.widgets.pooling import FOUND, PRESETS, LayerOrderExplorer

PNG = b"\x89PNG\r\n\x1a\n"
SHAPES = {"A": "different shape", "D": "different shape"}


def _torch_out(image, kernel, bias):
    x = torch.as_tensor(image)[None, None]
    k = torch.as_tensor(kernel, dtype=torch.float64)[None, None]
    return F.max_pool2d(F.relu(F.conv2d(x, k, torch.tensor([bias], dtype=torch.float64))), 2)[0, 0].numpy()


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
    e.preset.value = preset
    kernel, bias, image = PRESETS[preset]
    np.testing.assert_array_equal(e.kernel, kernel)
    assert e.bias.value == bias and e.image.value == image
    assert e.verdicts == {**SHAPES, **verdicts}
    assert e.message.value == ""
    # What the table shows is the explorer's comparison, and out is PyTorch's.
    np.testing.assert_allclose(e.comparisons[2].reference, _torch_out(e.image_array, kernel, bias), atol=1e-12)
    for c in e.comparisons:
        assert c.formula in e.table.value
    assert bytes(e.figure.value[:8]) == PNG


def test_typing_a_weight_leaves_the_preset_and_recomputes():
    e = LayerOrderExplorer(preset="positive kernel, bias >= 0")
    assert e.verdicts["B"] == "equal" and "every</i> such image" in e.summary.value
    e.weights[1][1].value = -3.0
    assert e.preset.value == "custom"
    assert e.verdicts["B"] == "differs" and e.verdicts["C"] == "equal"
    assert "B keeps the negative maximum" in e.summary.value


def test_a_negative_bias_breaks_option_b_on_a_dark_image():
    e = LayerOrderExplorer(preset="positive kernel, bias >= 0")
    e.image.value = "dark, bright square"
    assert e.verdicts["B"] == "equal"
    e.bias.value = -0.5
    assert e.preset.value == "custom" and e.verdicts["B"] == "differs"
    b = e.comparisons[1]
    assert b.max_difference == pytest.approx(0.5)  # the windows that see only black pixels hold the bias
    assert "largest |difference|" in e.table.value and "0.5" in e.table.value


def test_set_kernel_types_all_weights_with_one_update():
    e = LayerOrderExplorer()
    e.set_kernel(np.eye(3), bias=0.25)
    np.testing.assert_array_equal(e.kernel, np.eye(3))
    assert e.bias.value == 0.25 and e.preset.value == "custom"
    assert e.verdicts == {**SHAPES, "B": "equal", "C": "equal"}


def test_average_pooling_breaks_option_c():
    e = LayerOrderExplorer(preset="random kernel")
    e.pool.value = "avg"
    assert e.verdicts == {**SHAPES, "B": "differs", "C": "differs"}
    assert "AvgPool2×2" in e.table.value
    e.preset.value = "positive kernel, bias >= 0"
    assert e.verdicts == {**SHAPES, "B": "equal", "C": "equal"}


def test_search_finds_a_counterexample_for_a_negative_bias():
    e = LayerOrderExplorer(preset="positive kernel, bias < 0")
    e.image.value = "random pixels"
    e.bias.value = -0.3
    e.search.click()
    assert e.found is not None and e.image.value == FOUND
    assert "Found after" in e.message.value and "option B differs" in e.message.value
    assert e.verdicts["B"] == "differs"
    np.testing.assert_array_equal(e.image_array, e.found.image)
    assert e.found.image.min() >= 0 and e.found.image.max() <= 1
    assert np.abs(e.found.left - _torch_out(e.found.image, e.kernel, -0.3)).max() > 1e-6
    e.seed.value = 3  # moving on clears the report
    assert e.message.value == ""


def test_search_reports_none_when_option_b_is_guaranteed():
    e = LayerOrderExplorer(preset="positive kernel, bias >= 0")
    e.search.click()
    assert e.found is None and e.image.value == "random pixels"
    assert "No counterexample in 2000 random images" in e.message.value
    assert "Conv(x) &gt;= 0.20" in e.message.value


def test_bad_values_show_a_message_not_a_traceback():
    e = LayerOrderExplorer()
    e.weights[0][0].value = float("inf")
    assert "kernel must hold finite numbers" in e.message.value
    assert e.verdicts == {} and e.table.value == "" and bytes(e.figure.value) == b""
    e.weights[0][0].value = 0.2
    assert e.message.value == "" and len(e.verdicts) == 4


def test_constructor_checks_its_arguments():
    with pytest.raises(ValueError, match="preset must be one of"):
        LayerOrderExplorer(preset="exam")
    with pytest.raises(ValueError, match="kernel must be 3x3"):
        LayerOrderExplorer(kernel=np.ones((2, 2)))
    e = LayerOrderExplorer(kernel=np.ones((3, 3)), bias=-2.0, image="checkerboard")
    assert e.preset.value == "custom" and e.image.value == "checkerboard"
    assert e.summary.value.count("[-2.00, 7.00]") == 1
    assert layer_order.conv_range(np.ones((3, 3)), -2.0) == (-2.0, 7.0)
