"""Figures of dlexam.plots.conv: they draw what the math says, and their PNGs stay small."""

import io

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from dlexam import conv
from dlexam.plots import figure_png
from dlexam.plots.conv import (
    compact_png,
    format_entry,
    plot_conv_step,
    plot_output_size_staircase,
    plot_subsampling,
    plot_window_positions,
    plot_windows,
)

A, K = conv.EXAM_IE_INPUT, conv.EXAM_IE_KERNEL


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [t.get_text() for t in fig.texts]


@pytest.mark.parametrize("value, text", [(4.0, "4"), (-0.0, "0"), (np.nan, ""), (0.125, "0.125"), (1 / 3, "0.333")])
def test_format_entry(value, text):
    assert format_entry(value) == text


def test_a_step_shows_its_window_products_sum_and_partial_output():
    step = conv.conv2d_steps(A, K, stride=2)[1]
    fig = plot_conv_step(step, K, step_number=2, total=2)
    assert isinstance(fig, Figure)
    texts = _texts(fig)
    assert "step 2 of 2: sum of the products = 4 = output[0, 1]" in texts
    assert {"input A", "kernel K", "products", "output"} <= set(texts)
    # 15 input cells, 9 kernel, 9 products, 2 outputs: one number each.
    assert len([t for t in texts if t.lstrip("-").isdigit()]) == 15 + 9 + 9 + 2


def test_padding_is_drawn_and_named():
    steps = conv.conv2d_steps(A, K, 1, "same")
    texts = _texts(plot_conv_step(steps[0], K, (1, 1), 1, len(steps)))
    assert "input A (zero-padded)" in texts
    assert texts.count("") == 14  # outputs not computed yet are blank


def test_compact_png_is_a_smaller_png_of_the_same_size():
    fig = plot_conv_step(conv.conv2d_steps(A, K, 1, "same")[7], K, (1, 1), 8, 15)
    full, small = figure_png(fig), compact_png(fig)
    assert small[:8] == b"\x89PNG\r\n\x1a\n" and len(small) < len(full) / 2
    assert Image.open(io.BytesIO(small)).size == Image.open(io.BytesIO(full)).size


def test_windows_and_subsampling_figures():
    assert "input A, stride 2, valid padding" in _texts(plot_windows(A, K, 2))
    texts = _texts(plot_subsampling(A, K, 2, "same"))
    assert "stride 1, same padding" in texts and "stride 2, same padding" in texts


@pytest.mark.parametrize("n, unused", [(25, "0 never read"), (26, "51 never read")])
def test_window_positions_name_the_unused_pixels(n, unused):
    fig = plot_window_positions(n, 5, 2)
    assert any(unused in ax.get_title() for ax in fig.axes)
    assert any(f"11 windows of size 5, stride 2, padding 0 along an axis of {n}" == ax.get_title() for ax in fig.axes)


def test_window_positions_stay_drawable_for_many_windows_and_refuse_a_kernel_too_large():
    assert isinstance(plot_window_positions(40, 1, 1, 6), Figure)
    with pytest.raises(ValueError, match="does not fit"):
        plot_window_positions(3, 5)


def test_staircase_marks_the_sizes_asked_for():
    fig = plot_output_size_staircase(5, 2, marks=(25, 26))
    texts = _texts(fig)
    assert "n = 25: 11 outputs, 0 unused per axis" in texts and "n = 26: 11 outputs, 1 unused per axis" in texts
