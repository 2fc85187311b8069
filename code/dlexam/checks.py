"""The verdict of every self-check in the book: right or not, and why."""

from dataclasses import dataclass

# The key under which a displayed verdict is also recorded in the notebook output's metadata,
# so that a grader reads it from an executed notebook without parsing the text.
CHECK_METADATA_KEY = "dlexam_check"


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
        colour = "#1a7f37" if self.correct else "#b42318"
        lines = self.message.replace("&", "&amp;").replace("<", "&lt;").split("\n")
        return f'<div style="color:{colour}">' + "<br>".join(lines) + "</div>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {"text/plain": self.message, "text/html": self._repr_html_()}
        return data, {CHECK_METADATA_KEY: {"correct": bool(self.correct), "message": self.message}}
