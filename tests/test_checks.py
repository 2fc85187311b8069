"""A displayed verdict carries its result in the output metadata, where the grader reads it."""

from IPython.core.interactiveshell import InteractiveShell

from dlexam.checks import CHECK_METADATA_KEY, CheckResult


def test_displayed_verdict_records_right_and_wrong_in_the_metadata():
    formatter = InteractiveShell.instance().display_formatter
    for correct in (True, False):
        data, metadata = formatter.format(CheckResult(correct, "why\\n<b>"))
        assert metadata[CHECK_METADATA_KEY] == {"correct": correct, "message": "why\\n<b>"}
        assert data["text/plain"] == "why\\n<b>"
        assert "&lt;b>" in data["text/html"] and ("#1a7f37" if correct else "#b42318") in data["text/html"]
