"""The I(E) stepper and the I(G) output-size explorer: set their controls, read what they show."""

import ipywidgets
import numpy as np
import pytest

from dlexam import conv
from dlexam.widgets.conv import PRESETS, ConvStepper, OutputSizeExplorer, step_caption

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def exam_stepper():
    return ConvStepper()


def test_stepper_starts_on_the_exam_with_two_frames(exam_stepper):
    e = exam_stepper
    assert e.message.value == ""
    assert [s.value for s in e.frames] == [-1.0, 4.0]
    np.testing.assert_array_equal(e.output, [[-1, 4]])
    assert all(bytes(img.value[:8]) == PNG for img in e.frame_images)
    assert "Output 1&times;2" in e.summary.value
    assert "Step 1 of 2" in e.captions[0].value and "= <b>-1</b>" in e.captions[0].value
    assert (e.step.min, e.step.max, e.play.max) == (0, 1, 1)


def test_frames_are_the_library_steps():
    e = ConvStepper()
    steps = conv.conv2d_steps(conv.EXAM_IE_INPUT, conv.EXAM_IE_KERNEL, 2, "valid")
    assert [(s.index, s.value) for s in e.frames] == [(s.index, s.value) for s in steps]
    for frame, step in zip(e.frames, steps):
        np.testing.assert_array_equal(frame.products, step.products)


@pytest.mark.parametrize("use_stack", [
    pytest.param(True, marks=pytest.mark.skipif(not hasattr(ipywidgets, "Stack"),
                                                reason="widgets.Stack needs ipywidgets 8 (Colab has 7)")),
    False,
])
def test_next_previous_and_slider_switch_the_visible_frame(use_stack):
    e = ConvStepper("exam's third option: stride 1, same", use_stack=use_stack)
    assert len(e.pages) == 15 and e.visible_frame is e.pages[0]
    np.testing.assert_array_equal(e.output, conv.EXAM_IE_OPTIONS[2])  # the distractor, built
    assert "zero-padded" in e.captions[0].value
    e.next.click()
    e.next.click()
    assert e.current == 2 and e.visible_frame is e.pages[2]
    if use_stack:
        assert e.stack.selected_index == 2
    e.previous.click()
    assert e.visible_frame is e.pages[1]
    e.step.value = 14
    assert e.visible_frame is e.pages[14]
    e.next.click()  # past the end: stays on the last step
    assert e.current == 14
    e.go_to(-3)
    assert e.current == 0 and e.visible_frame is e.pages[0]


def test_changing_a_setting_rebuilds_and_leaves_the_preset():
    e = ConvStepper()
    e.next.click()
    e.stride.value = 1
    assert e.preset.value == "custom"
    assert len(e.frames) == 3 and e.current == 0 and e.visible_frame is e.pages[0]
    np.testing.assert_array_equal(e.output, conv.conv2d(conv.EXAM_IE_INPUT, conv.EXAM_IE_KERNEL, 1))
    e.preset.value = "exam I(E): stride 2, valid"
    assert (e.stride.value, e.padding.value, len(e.frames)) == (2, "valid", 2)


def test_convolution_flips_the_kernel():
    e = ConvStepper("non-symmetric kernel (Sobel)")
    correlation = e.output.copy()
    e.operation.value = "convolution"
    np.testing.assert_array_equal(e.output, conv.convolve2d_true(conv.EXAM_IE_INPUT, PRESETS["non-symmetric kernel (Sobel)"][1]))
    assert not np.array_equal(correlation, e.output)
    assert "true convolution" in e.summary.value


def test_typed_matrices_are_parsed():
    e = ConvStepper()
    e.input_text.value = "[[1, 2, 3], [4, 5, 6], [7, 8, 9]]"
    e.kernel_text.value = "1, 0; 0, 1"
    e.stride.value = 1
    np.testing.assert_array_equal(e.output, [[6, 8], [12, 14]])
    assert e.message.value == ""


@pytest.mark.parametrize(
    "field, text, match",
    [
        ("kernel_text", "1 1 1 1\n1 1 1 1\n1 1 1 1\n1 1 1 1", "does not fit a 3x5 input"),
        ("kernel_text", "1 2\n3", "row 2 has 1 numbers but row 1 has 2"),
        ("input_text", "1 0 a", "entry 3: &#x27;a&#x27; is not a number"),
        ("input_text", "", "input A is empty"),
        ("input_text", "\n".join(["1 " * 13] * 3), "at most 12x12"),
    ],
)
def test_bad_input_shows_a_message_and_no_frames(field, text, match):
    e = ConvStepper()
    getattr(e, field).value = text
    assert match in e.message.value
    assert e.frames == [] and e.pages == [] and e.visible_frame is None and e.summary.value == ""
    e.preset.value = "exam I(E): stride 2, valid"
    assert e.message.value == "" and len(e.frames) == 2


def test_same_padding_with_an_even_kernel_is_a_message():
    e = ConvStepper()
    e.kernel_text.value = "1 1\n1 1"
    assert e.message.value == "" and len(e.frames) == 2
    e.padding.value = "same"
    assert "odd kernel" in e.message.value


def test_too_many_output_positions_are_capped_with_a_warning():
    e = ConvStepper(x=np.ones((10, 10), dtype=int), k=[[1]], stride=1, padding="valid", max_frames=3)
    assert len(e.frames) == 3 and len(e.pages) == 3 and e.step.max == 2
    assert "100 output positions" in e.message.value and "first 3" in e.message.value
    assert e.output.shape == (10, 10) and "Step 1 of 100" in e.captions[0].value
    e.stride.value = 2  # 25 positions, still too many
    assert "25 output positions" in e.message.value
    e.input_text.value = "1 2 3\n4 5 6"  # 1x2 outputs: no warning left
    assert e.message.value == "" and len(e.frames) == 2 and e.output.tolist() == [[1, 3]]


def test_unknown_preset_is_refused():
    with pytest.raises(ValueError, match="preset must be one of"):
        ConvStepper("nonsense")


def test_step_caption_spells_out_the_sum():
    step = conv.conv2d_steps(conv.EXAM_IE_INPUT, conv.EXAM_IE_KERNEL, 2)[1]
    text = step_caption(step, conv.EXAM_IE_KERNEL, 2, 2)
    assert "1&middot;(-1)" in text and "1&middot;5" in text and text.endswith("<b>4</b>")
    big = conv.conv2d_steps(np.ones((5, 5)), np.ones((4, 4)))[0]
    assert "sum of the 16 products" in step_caption(big, np.ones((4, 4)), 1, 4)


def test_output_size_explorer_on_the_exam():
    e = OutputSizeExplorer()
    assert e.output_size == 11 and e.unused == [] and e.unused_pixels == 0
    assert e.shown["out"] == 11 and e.shown["unused"] == "every input pixel is read by at least one window"
    assert e.shown["tf-same"] == 13 and "function render" in e.widget._esm


def test_output_size_explorer_shows_the_unused_column_for_26():
    e = OutputSizeExplorer()
    e.widget.n = 26
    assert e.output_size == 11 and e.unused == [25] and e.unused_pixels == 51
    assert e.shown["unused"] == "25" and (e.shown["pixels"], e.shown["total-pixels"]) == (51, 676)


def test_output_size_explorer_gaps_when_the_stride_exceeds_the_kernel():
    e = OutputSizeExplorer(n=10, k=2, stride=3)
    assert e.unused == conv.unused_border(10, 2, 3) == [2, 5, 8, 9]
    assert e.shown["unused"] == "2, 5, 8, 9"


def test_output_size_explorer_padding_and_tensorflow():
    e = OutputSizeExplorer(n=28, k=3, stride=2, padding=1)
    assert e.output_size == 14 and e.shown["tf-same"] == 14


@pytest.mark.parametrize("n, k, padding", [(1, 5, 0), (3, 11, 3), (1, 11, 0)])
def test_output_size_explorer_kernel_too_large_is_a_message(n, k, padding):
    e = OutputSizeExplorer()
    e.set(n=n, k=k, padding=padding)
    assert "does not fit" in e.message.value
    assert e.output_size is None and e.shown == {}
    e.widget.n = 40
    assert e.message.value == "" and e.output_size is not None


def test_output_size_explorer_extremes_never_raise():
    e = OutputSizeExplorer()
    for values in [(40, 1, 8, 6), (1, 1, 1, 0), (40, 11, 1, 0), (2, 11, 8, 6)]:
        e.set(**dict(zip(("n", "k", "stride", "padding"), values)))
        assert e.message.value == "" and e.output_size == conv.conv_output_size(*values)


def test_output_size_vectors_cover_every_slider_end():
    from dlexam.widgets.conv import SIZE_SLIDERS, output_size_vectors

    vectors = output_size_vectors()
    for name, (_, low, high) in SIZE_SLIDERS.items():
        values = {v["state"][name] for v in vectors}
        assert low in values and high in values, name
    assert any(v["kind"] == "error" for v in vectors) and any(v["shown"].get("pixels") for v in vectors)
