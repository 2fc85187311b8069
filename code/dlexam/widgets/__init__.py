"""Interactive explorers of the book (ipywidgets), one module per concept.

Each explorer is a plain object: build it, display it (it shows its `ui`), set its
controls from Python, and read what it shows. Every number it shows comes from a
function of the math modules; a bad value shows a message in the widget, never a traceback.
"""

from .base import Explorer

__all__ = ["Explorer"]
