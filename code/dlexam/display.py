"""Small HTML tables for pages and widgets (no ipywidgets, no plotting).

Cells may hold anything, NaN included (shown with ``str``, as "nan"); the header and the rows
must be sequences, and a table holds at most ``validate.MAX_ITEMS`` cells.
"""

import html

from . import validate


def _check_table(header, rows, highlight):
    header = validate.sequence(header, "header")
    rows = validate.sequence(rows, "rows")
    cells = len(header)
    for i, row in enumerate(rows):
        cells += len(validate.sequence(row, f"rows[{i}]"))
    validate.work(cells, "header and rows", validate.MAX_ITEMS, "cells")
    if highlight is None:
        return header, rows, set()
    if isinstance(highlight, (str, bytes, dict)) or not hasattr(highlight, "__iter__"):
        raise TypeError(f"highlight must be a set of row numbers, got {validate.got(highlight)}")
    return header, rows, {validate.integer(i, "highlight", 0) for i in highlight}


def html_table(header, rows, highlight=None):
    """An HTML table from a header and rows of cells; rows whose index is in `highlight` are tinted."""
    header, rows, highlight = _check_table(header, rows, highlight)
    style = "border-collapse:collapse;font-size:0.9em;margin:0.3em 0"
    cell = "padding:2px 10px;border-bottom:1px solid #ccc;text-align:right"
    head = "".join(f'<th scope="col" style="{cell}">{html.escape(str(h))}</th>' for h in header)
    body = []
    for i, row in enumerate(rows):
        # An explicit text colour keeps tinted rows readable in the site's dark mode.
        tint = ' style="background:#fff4e5;color:#000"' if i in highlight else ""
        cells = "".join(f'<td style="{cell}">{html.escape(str(c))}</td>' for c in row)
        body.append(f"<tr{tint}>{cells}</tr>")
    table = f'<table style="{style}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    # A table wider than the room it has (on a phone) scrolls in its own box, not the page.
    return f'<div class="dlx-table-scroll" style="max-width:100%;overflow-x:auto">{table}</div>'


class Table:
    """A table that a notebook shows as HTML and a terminal as aligned text."""

    def __init__(self, header, rows, highlight=None):
        header, rows, highlight = _check_table(header, rows, highlight)
        self.header = [str(h) for h in header]
        self.rows = [[str(c) for c in row] for row in rows]
        self.highlight = highlight

    def _repr_html_(self):
        return html_table(self.header, self.rows, self.highlight)

    def __repr__(self):
        widths = [max(len(r[i]) for r in [self.header, *self.rows]) for i in range(len(self.header))]
        line = lambda r: "  ".join(c.rjust(w) for c, w in zip(r, widths))  # noqa: E731
        return "\n".join([line(self.header), *(line(r) for r in self.rows)])


def glue(name, value, display=False):
    """Name a computed value for the page's prose (myst-nb's ``glue``), so text and computation cannot drift.

    In the book build the prose cites it as {glue:text}`name` (or `name:.3f`). Where myst-nb is
    not installed (Colab, a plain Jupyter), nothing is recorded and, unless ``display``, nothing shown.
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty string, not {name!r}")
    validate.boolean(display, "display")
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        if display:
            from IPython.display import display as show

            show(value)
        return
    myst_glue(name, value, display=display)
