"""A displayed verdict carries its result in the output metadata, where the grader reads it."""

import numpy as np
import pytest
import torch
from IPython.core.interactiveshell import InteractiveShell

from dlexam.checks import CHECK_METADATA_KEY, CheckResult, verdict


def test_displayed_verdict_records_right_and_wrong_in_the_metadata():
    formatter = InteractiveShell.instance().display_formatter
    for correct in (True, False):
        data, metadata = formatter.format(CheckResult(correct, "why\\n<b>"))
        assert metadata[CHECK_METADATA_KEY] == {"correct": correct, "message": "why\\n<b>"}
        assert data["text/plain"] == "why\\n<b>"
        assert "&lt;b>" in data["text/html"] and ("#0f5323" if correct else "#8c1d18") in data["text/html"]


def test_verdict_of_a_condition_computed_in_a_cell():
    formatter = InteractiveShell.instance().display_formatter
    right = verdict(torch.equal(torch.ones(3), torch.ones(3)), "Not yet: different.")
    assert right.correct is True and right.message == "Right."
    wrong = verdict(np.array([False]), "Not yet: different.")
    assert wrong.correct is False and wrong.message == "Not yet: different."
    assert formatter.format(wrong)[1][CHECK_METADATA_KEY] == {"correct": False, "message": "Not yet: different."}
    assert verdict(torch.tensor(True), right="Right: same.").message == "Right: same."


def test_verdict_rejects_what_has_no_single_truth_value():
    with pytest.raises(TypeError, match="one truth value"):
        verdict(torch.ones(3))
    with pytest.raises(TypeError, match="not_yet must be the message"):
        verdict(True, not_yet=0)


# The panel styles of a verdict, right and not yet, written out from VERDICT_COLOURS.
RIGHT_STYLE = "color:#0f5323;background:#e6f4ea;border-left:4px solid #1a7f37;padding:0.2em 0.6em"
WRONG_STYLE = "color:#8c1d18;background:#fdecea;border-left:4px solid #b42318;padding:0.2em 0.6em"


@pytest.mark.parametrize("correct, message, html", [
    (False, "a & b\n<c> d", f'<div style="{WRONG_STYLE}">a &amp; b<br>&lt;c> d</div>'),
    (True, "Right.", f'<div style="{RIGHT_STYLE}">Right.</div>'),
    (True, "one line\nand another", f'<div style="{RIGHT_STYLE}">one line<br>and another</div>'),
])
def test_displayed_verdict_html_and_bundle_exactly(correct, message, html):
    """Guards the HTML of a verdict: & and < escaped, one <br> per newline (spaces kept), under the text/html key."""
    data, metadata = InteractiveShell.instance().display_formatter.format(CheckResult(correct, message))
    assert data == {"text/plain": message, "text/html": html}
    assert metadata == {CHECK_METADATA_KEY: {"correct": correct, "message": message}}


def test_verdict_default_messages():
    """Guards the default texts: "Right." when the condition holds, "Not yet." when it does not."""
    assert verdict(True) == CheckResult(True, "Right.")
    assert verdict(False) == CheckResult(False, "Not yet.")
    assert verdict(0).correct is False and verdict(1).correct is True


@pytest.mark.parametrize("kwargs, message", [
    ({"not_yet": 0}, r"^not_yet must be the message to show, a str, got int$"),
    ({"right": b"yes"}, r"^right must be the message to show, a str, got bytes$"),
    ({"right": None}, r"^right must be the message to show, a str, got NoneType$"),
])
def test_verdict_rejects_messages_that_are_not_text(kwargs, message):
    """Guards the TypeError naming the argument and the type it got."""
    with pytest.raises(TypeError, match=message):
        verdict(True, **kwargs)
