"""The verdict of every self-check in the book: right or not, and why."""

from dataclasses import dataclass


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
