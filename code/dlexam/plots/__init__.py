"""Figures of the book, one module per concept; every function returns a matplotlib Figure.

Plotting functions draw inside `book_style()` and close the figure from pyplot's registry,
so a chapter shows exactly one copy of each figure (the returned object) and nothing here
changes the reader's matplotlib settings.
"""

from .style import COLORS, book_style, figure_png, new_figure

__all__ = ["COLORS", "book_style", "figure_png", "new_figure"]
