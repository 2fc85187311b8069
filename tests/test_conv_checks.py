"""dlexam.conv's verdicts and its reader of typed matrices: exact messages, defaults and limits.

Every expected value below is worked out by hand (the exam's input A and kernel K, and the
formula floor((n + 2p - k) / s) + 1 written out), never recomputed with the library.
"""

import re

import numpy as np
import pytest

from dlexam.conv import (
    check_conv_output,
    check_output_size,
    check_stride_padding,
    check_unused_pixels,
    conv2d,
    parse_matrix,
    settings_for_output_size,
)

EXAM_A = [[1, 0, 1, 1, 0], [1, 0, 0, 1, 0], [0, 0, 1, 0, 0]]
EXAM_K = [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]
DIAGONAL = [[1, 0], [0, -1]]  # y[i, j] = A[i, j] - A[i + 1, j + 1]; flipped: A[i + 1, j + 1] - A[i, j]


# --- A kernel that does not fit: how the padding is described --------------------------------


@pytest.mark.parametrize(
    "x_shape, padding, message",
    [
        ((2, 2), 1, "kernel 5x5 does not fit a 2x2 input with padding 1 (padded to 4x4): "
                    "use a smaller kernel or more padding"),
        ((3, 3), (0, 1), "kernel 5x5 does not fit a 3x3 input with padding (0, 1) (padded to 3x5): "
                         "use a smaller kernel or more padding"),
    ],
)
def test_a_kernel_that_does_not_fit_names_an_even_padding_once_and_an_uneven_one_as_a_pair(x_shape, padding, message):
    """An even padding reads 'padding 1', an uneven one 'padding (0, 1)'."""
    with pytest.raises(ValueError) as info:
        conv2d(np.zeros(x_shape), np.zeros((5, 5)), padding=padding)
    assert str(info.value) == message


# --- parse_matrix --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, error, message",
    [
        ("", ValueError, "matrix is empty: type one row of numbers per line, e.g. '1 0 1'"),
        (5, TypeError, "matrix must be text with one row of numbers per line, got int"),
        ("1 2 3\n4 5", ValueError,
         "matrix, row 2 has 2 numbers but row 1 has 3: every row needs the same number of entries"),
        ("1 2 X", ValueError, "matrix, row 1, entry 3: 'X' is not a number"),
        ("X 1 2", ValueError, "matrix, row 1, entry 1: 'X' is not a number"),
    ],
)
def test_parse_matrix_messages_name_the_matrix_by_default(text, error, message):
    """Without a name the messages say 'matrix', name the type given, and quote the bad entry."""
    with pytest.raises(error) as info:
        parse_matrix(text)
    assert str(info.value) == message


def test_parse_matrix_skips_a_line_that_holds_only_a_comma():
    """A stray ',' line is an empty row, not a row of zero numbers."""
    a = parse_matrix("1, 2\n,\n3, 4")
    assert a.tolist() == [[1, 2], [3, 4]]


@pytest.mark.parametrize(
    "text, max_shape, expected",
    [
        ("1 2 3", (1, 3), [[1, 2, 3]]),
        ("1\n2\n3", (3, 1), [[1], [2], [3]]),
        ("1 2 3\n4 5 6", (2, 3), [[1, 2, 3], [4, 5, 6]]),
        ("1 2", (1, 3), [[1, 2]]),
    ],
)
def test_parse_matrix_accepts_a_matrix_exactly_at_max_shape(text, max_shape, expected):
    """max_shape is (rows, cols) and inclusive: a matrix of that very shape fits, 1 is a valid limit."""
    assert parse_matrix(text, max_shape=max_shape).tolist() == expected


@pytest.mark.parametrize(
    "text, max_shape, message",
    [
        ("1\n2", (1, 3), "matrix is 2x1; at most 1x3 fits here (max_shape)"),
        ("1 2 3 4", (3, 3), "matrix is 1x4; at most 3x3 fits here (max_shape)"),
        ("1\n2\n3\n4", (3, 5), "matrix is 4x1; at most 3x5 fits here (max_shape)"),
    ],
)
def test_parse_matrix_refuses_a_matrix_larger_than_max_shape(text, max_shape, message):
    """One row or one column too many raises, and the message gives both shapes as rows x cols."""
    with pytest.raises(ValueError) as info:
        parse_matrix(text, max_shape=max_shape)
    assert str(info.value) == message


def test_parse_matrix_refuses_a_max_shape_below_one():
    """A limit of 0 rows is an error in max_shape itself, not a matrix that is too large."""
    with pytest.raises(ValueError, match="max_shape must be at least 1, got 0"):
        parse_matrix("1", max_shape=(0, 3))


# --- check_conv_output ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer, kernel, stride, padding, message",
    [
        ([[-1, 4]], EXAM_K, 2, "valid", "Right: that is the 1x2 output of the kernel with stride 2, valid padding."),
        ("1 x", EXAM_K, 2, "valid", "Not yet: your answer is not a matrix of numbers; the output is 1x2."),
        ([["a", "b"]], EXAM_K, 2, "valid", "Not yet: your answer is not a matrix of numbers; the output is 1x2."),
        ([[-1, 0]], DIAGONAL, 2, "valid",
         "Not yet: that is the true convolution (kernel flipped); deep-learning layers do not flip the kernel."),
        ([[-1, -3, 4]], EXAM_K, 2, "valid",
         "Not yet: that is the stride-1 output; with a larger stride keep only every stride-th window."),
        ([[4, -2, 4, 3, -1], [4, -1, -3, 4, -1], [-1, -1, 5, -2, 0]], EXAM_K, 2, "same",
         "Not yet: that is the stride-1 output; with a larger stride keep only every stride-th window."),
        ([[4, 4, -1], [-1, 5, 0]], EXAM_K, 2, "valid",
         "Not yet: that is the output with 'same' (zero) padding; valid padding adds no zeros."),
        ([[-1, 4]], EXAM_K, 2, 1,
         "Not yet: that is the output without padding; this setting adds zeros around the input."),
        ([[1, 0, 0, 1], [1, -1, 0, 1]], DIAGONAL, 1, 1,
         "Not yet: that is the output without padding; this setting adds zeros around the input."),
        ([[-1, -3, 5]], EXAM_K, 2, "valid",
         "Not yet: your answer is 1x3, but with stride 2, valid padding the output is 1x2 "
         "(count the window positions along each axis)."),
        ([[-1, -3, 4 + 2**-28]], EXAM_K, 2, "valid",
         "Not yet: your answer is 1x3, but with stride 2, valid padding the output is 1x2 "
         "(count the window positions along each axis)."),
        ([[-1, 5]], EXAM_K, 2, "valid", "Not yet: 1 of 2 entries are off: [0, 1] (yours: 5)."),
        ([[-1, 4 + 2**-28]], EXAM_K, 2, "valid", "Not yet: 1 of 2 entries are off: [0, 1] (yours: 4)."),
        ([[0, 3]], EXAM_K, 2, "valid", "Not yet: 2 of 2 entries are off: [0, 0] (yours: 0), [0, 1] (yours: 3)."),
        ([[4, 4, -1], [-1, 6, 1e-9]], EXAM_K, 2, "same", "Not yet: 1 of 6 entries are off: [1, 1] (yours: 6)."),
        ("99999999999999999999 4", EXAM_K, 2, "valid", "Not yet: 1 of 2 entries are off: [0, 0] (yours: 1e+20)."),
    ],
)
def test_check_conv_output_messages(answer, kernel, stride, padding, message):
    """Every branch's exact message: right, no matrix, each slip, wrong shape, entries off by more than 1e-9."""
    verdict = check_conv_output(answer, EXAM_A, kernel, stride, padding)
    assert verdict.correct is message.startswith("Right")
    assert verdict.message == message


def test_check_conv_output_defaults_to_stride_one_and_valid_padding():
    """Without stride and padding the answer is the stride-1 valid output [[-1, -3, 4]]."""
    assert check_conv_output([[-1, -3, 4]], EXAM_A, EXAM_K).correct is True
    assert check_conv_output([[-1, 4]], EXAM_A, EXAM_K).correct is False


# --- check_output_size ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "n, k, stride, padding, answer, message",
    [
        (10, 3, 2, 2, 6, "Right: floor((10 + 2*2 - 3) / 2) + 1 = 6."),
        (25, 5, 3, 0, 6, "Not yet: 6 is not the output size; you counted the steps between windows: "
                         "add 1 for the first window."),
        (10, 3, 1, 2, 11, "Not yet: 11 is not the output size; you counted the steps between windows: "
                          "add 1 for the first window."),
        (10, 3, 2, 1, 6, "Not yet: 6 is not the output size; round down: a window that would stick out "
                         "of the input does not count."),
        (5, 2, 4, 2, 3, "Not yet: 3 is not the output size; round down: a window that would stick out "
                        "of the input does not count."),
        (3, 3, 1, 1, 1, "Not yet: 1 is not the output size; the padding is missing: it adds zeros to the input."),
        (2, 3, 1, 1, 0, "Not yet: 0 is not the output size; count the window positions along one axis."),
        (3, 5, 1, 2, 1, "Not yet: 1 is not the output size; padding is added on both sides: 2p, not p."),
        (10, 4, 2, 3, 5, "Not yet: 5 is not the output size; padding is added on both sides: 2p, not p."),
        (1, 4, 1, 2, 0, "Not yet: 0 is not the output size; count the window positions along one axis."),
        (10, 3, 2, 2, 12, "Not yet: 12 is not the output size; the stride is missing: with stride s only "
                          "every s-th window is kept."),
        (10, 3, 2, 2, 3, "Not yet: 3 is not the output size; that is the kernel size, not the output size."),
        (10, 3, 2, 2, 9, "Not yet: 9 is not the output size; count the window positions along one axis."),
        (10, 3, 2, 2, 6.5, "Not yet: an output size is a whole number, got 6.5."),
    ],
)
def test_check_output_size_messages(n, k, stride, padding, answer, message):
    """Exact message of each slip (with padding and strides that keep the slips apart) and of the right answer."""
    verdict = check_output_size(answer, n, k, stride, padding)
    assert verdict.correct is message.startswith("Right")
    assert verdict.message == message


def test_check_output_size_names_every_slip_that_gives_the_answer():
    """n 7, k 3, stride 2, padding 1 (right: 4): 3 is the steps count, the size with no or one-sided padding, and k."""
    verdict = check_output_size(3, 7, 3, 2, 1)
    assert verdict.correct is False
    assert verdict.message == (
        "Not yet: 3 is not the output size; you counted the steps between windows: add 1 for the first window; "
        "or the padding is missing: it adds zeros to the input; or padding is added on both sides: 2p, not p; "
        "or that is the kernel size, not the output size.")


def test_check_output_size_defaults_to_stride_one_and_no_padding():
    """25 inputs, kernel 5: 21 outputs with the defaults, 11 with stride 2 and the default padding."""
    assert check_output_size(21, 25, 5).correct is True
    assert check_output_size(11, 25, 5, 2).correct is True


# --- check_stride_padding ------------------------------------------------------------------


@pytest.mark.parametrize(
    "stride, padding, target, correct, message",
    [
        (2, 1, 14, True, "Right: floor((28 + 2*1 - 3) / 2) + 1 = 14."),
        (3, 1, 14, False, "Not yet: floor((28 + 2*1 - 3) / 3) + 1 = 10, not 14."),
        (0, 1, 14, False, "Not yet: stride must be at least 1, got 0."),
    ],
)
def test_check_stride_padding_messages(stride, padding, target, correct, message):
    """Right, wrong and invalid settings, each with the formula or the error written out."""
    verdict = check_stride_padding(stride, padding, n=28, k=3, target=target)
    assert verdict.correct is correct
    assert verdict.message == message


def test_check_stride_padding_says_when_the_kernel_does_not_fit():
    """A kernel larger than the padded input is a wrong setting (False), not an exception."""
    verdict = check_stride_padding(1, 0, n=2, k=3, target=1)
    assert verdict.correct is False
    assert verdict.message == ("Not yet: kernel size 3 does not fit an input of size 2 with padding 0 "
                               "(padded size 2): use a smaller kernel or more padding.")


# --- check_unused_pixels -------------------------------------------------------------------

_UNUSED_TAIL = "; find the unused rows and columns with unused_border, and count a pixel in both an unused row " \
               "and an unused column once."


@pytest.mark.parametrize(
    "answer, correct, message",
    [
        (51, True, "Right: 51 pixels are never read."),
        (52, False, "Not yet: 52 is too many" + _UNUSED_TAIL),
        (50, False, "Not yet: 50 is too few" + _UNUSED_TAIL),
        (51.0, False, "Not yet: a pixel count is a whole number, got 51.0."),
    ],
)
def test_check_unused_pixels_messages(answer, correct, message):
    """26x26 input, 5x5 kernel, stride 2: the last row and column (26 + 25 = 51 pixels) are never read."""
    verdict = check_unused_pixels(answer, 26, 5, 2)
    assert verdict.correct is correct
    assert verdict.message == message


def test_check_unused_pixels_defaults_to_stride_one():
    """With stride 1 and no padding a 5x5 kernel reads every pixel of a 26x26 input."""
    assert check_unused_pixels(0, 26, 5).correct is True


# --- settings_for_output_size --------------------------------------------------------------


@pytest.mark.parametrize(
    "n, k, target, kwargs, expected",
    [
        (25, 5, 21, {"max_stride": 1}, [(1, 0)]),
        (25, 5, 11, {"max_padding": 0}, [(2, 0)]),
        # Paddings 0 and 1 leave the 5-wide kernel no room; 2 and 3 do: floor(1/1)+1 = floor(3/2)+1 = 2.
        (2, 5, 2, {}, [(1, 2), (2, 3)]),
    ],
)
def test_settings_for_output_size_small_limits_and_paddings_too_small_for_the_kernel(n, k, target, kwargs, expected):
    """max_stride 1 and max_padding 0 are valid limits; paddings where the kernel does not fit are skipped."""
    assert settings_for_output_size(n, k, target, **kwargs) == expected


def test_settings_for_output_size_limits_the_paddings_to_try():
    """Up to 10**6 paddings are tried (max_padding 999,999); one more raises with the count."""
    assert settings_for_output_size(1, 1, 10**7, max_padding=10**6 - 1) == []
    message = "k or max_padding would need 1,000,001 paddings to try, more than the limit of 1,000,000: use smaller values"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        settings_for_output_size(1, 1, 1, max_padding=10**6)


def test_settings_for_output_size_limits_the_settings_it_returns():
    """Target 1 from one input: every stride works, up to 10**6 settings; one more raises with the count."""
    found = settings_for_output_size(1, 1, 1, max_stride=10**6)
    assert len(found) == 10**6 and found[0] == (1, 0) and found[-1] == (10**6, 0)
    message = ("n, k, target, max_stride and max_padding would need 1,000,001 settings, more than the limit of "
               "1,000,000: use smaller values")
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        settings_for_output_size(1, 1, 1, max_stride=10**6 + 1)
