"""dlexam.layer_order: the exact messages of the self-check on equivalent options and of its errors."""

import pytest

from dlexam import layer_order as lo

A_SMALLER = "A convolves the pooled image, which is half the size: its output is smaller than out's."
D_SMALLER = "D convolves the pooled image, which is half the size: its output is smaller than out's."
B_FAILS = ("B fails when a whole pooling window of Conv(x) is negative: B keeps the negative maximum, "
           "out's ReLU makes it 0. Can this family's kernels produce negative values on [0, 1] images?")
B_MISSING = "B is missing: on [0, 1] images ReLU(x) = x, and which values can Conv(x) take with these kernels?"
C_MISSING = "C is missing: does taking the maximum commute with ReLU?"


@pytest.mark.parametrize("answer, family, message", [
    ({"C"}, "random", "Right: for 'random' kernels, C equals out on every image with pixels in [0, 1]."),
    ("b, c", "positive, bias >= 0",
     "Right: for 'positive, bias >= 0' kernels, B and C equal out on every image with pixels in [0, 1]."),
])
def test_check_equivalent_options_right(answer, family, message):
    """One option 'equals', two options 'equal', joined by 'and'."""
    result = lo.check_equivalent_options(answer, family)
    assert result.correct is True
    assert result.message == message


@pytest.mark.parametrize("answer, family, lines", [
    ({"A", "C"}, "random", [A_SMALLER]),
    ({"C", "D"}, "positive, bias < 0", [D_SMALLER]),
    ({"B", "C"}, "random", [B_FAILS]),
    ({"C"}, "positive, bias >= 0", [B_MISSING]),
    (set(), "random", [C_MISSING]),
    ({"A", "D"}, "random", [A_SMALLER, D_SMALLER, C_MISSING]),
    ({"D"}, "positive, bias >= 0", [D_SMALLER, B_MISSING, C_MISSING]),
])
def test_check_equivalent_options_not_yet(answer, family, lines):
    """Each wrong answer lists exactly its reasons, one per line, after 'Not yet:'."""
    result = lo.check_equivalent_options(answer, family)
    assert result.correct is False
    assert result.message == "Not yet:\n" + "\n".join(lines)


def test_unknown_option_lists_the_choices():
    """An unknown label raises naming it and listing the four options."""
    with pytest.raises(ValueError) as info:
        lo.check_equivalent_options({"C", "E"}, "random")
    assert str(info.value) == "answer holds unknown option ['E']: choose from 'A', 'B', 'C', 'D'"
