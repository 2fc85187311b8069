"""The verdict of every self-check in the book: right or not, and why."""

from dataclasses import dataclass

# The key under which a displayed verdict is also recorded in the notebook output's metadata,
# so that a grader reads it from an executed notebook without parsing the text.
CHECK_METADATA_KEY = "dlexam_check"

# (text, panel, edge) colours of a verdict, right (True) and not yet (False).
VERDICT_COLOURS = {True: ("#0f5323", "#e6f4ea", "#1a7f37"), False: ("#8c1d18", "#fdecea", "#b42318")}


@dataclass(frozen=True)
class CheckResult:
    """A self-check's verdict: true when right; its message says why, row by row."""

    correct: bool
    message: str

    def __bool__(self):
        return self.correct

    def __str__(self):
        return self.message

    def _repr_html_(self):
        # Dark text on its own pale panel: at least 7:1 on the page's light and dark themes alike.
        text, panel, edge = VERDICT_COLOURS[bool(self.correct)]
        lines = self.message.replace("&", "&amp;").replace("<", "&lt;").split("\n")
        style = f"color:{text};background:{panel};border-left:4px solid {edge};padding:0.2em 0.6em"
        return f'<div style="{style}">' + "<br>".join(lines) + "</div>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"text/plain": self.message, "text/html": self._repr_html_()}
        return data, {CHECK_METADATA_KEY: {"correct": bool(self.correct), "message": self.message}}


def verdict(correct, not_yet="Not yet.", right="Right."):
    """The verdict of a check written out in a notebook cell: ``right`` when ``correct`` holds, else ``not_yet``.

    ``correct`` is anything with a truth value (a bool, a one-element tensor or array). A cell
    that ends with ``verdict(...)`` displays it like every check of the library, so a grader reads
    the result from the output's metadata.
    """
    for name, value in (("not_yet", not_yet), ("right", right)):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be the message to show, a str, got {type(value).__name__}")
    try:
        correct = bool(correct)
    except (TypeError, ValueError, RuntimeError) as err:
        raise TypeError(f"correct must have one truth value (a bool or a one-element tensor), got {err}") from None
    return CheckResult(correct, right if correct else not_yet)
