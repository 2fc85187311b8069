"""Small HTML tables for pages and widgets (no ipywidgets, no plotting)."""

import html


def html_table(header, rows, highlight=None):
    """An HTML table from a header and rows of cells; rows whose index is in `highlight` are tinted."""
    highlight = set(highlight or ())
    style = "border-collapse:collapse;font-size:0.9em;margin:0.3em 0"
    cell = "padding:2px 10px;border-bottom:1px solid #ccc;text-align:right"
    head = "".join(f'<th style="{cell}">{html.escape(str(h))}</th>' for h in header)
    body = []
    for i, row in enumerate(rows):
        # An explicit text colour keeps tinted rows readable in the site's dark mode.
        tint = ' style="background:#fff4e5;color:#000"' if i in highlight else ""
        cells = "".join(f'<td style="{cell}">{html.escape(str(c))}</td>' for c in row)
        body.append(f"<tr{tint}>{cells}</tr>")
    return f'<table style="{style}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


class Table:
    """A table that a notebook shows as HTML and a terminal as aligned text."""

    def __init__(self, header, rows, highlight=None):
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
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        if display:
            from IPython.display import display as show

            show(value)
        return
    myst_glue(name, value, display=display)
