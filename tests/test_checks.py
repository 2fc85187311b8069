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
