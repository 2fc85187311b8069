"""The book's plot style: a context manager, a figure factory, and PNG export for widgets."""

import contextlib
import io

import matplotlib

# Colour-blind safe (Okabe-Ito); figures keep an opaque white background so they stay
# legible when the site is switched to dark mode.
COLORS = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "red": "#D55E00",
    "purple": "#CC79A7",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "grey": "#777777",
}

_RC = {
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "legend.frameon": False,
    "axes.prop_cycle": matplotlib.cycler(color=list(COLORS.values())),
    "image.cmap": "viridis",
}


@contextlib.contextmanager
def book_style():
    """Apply the book's matplotlib style inside a `with` block only."""
    with matplotlib.rc_context(_RC):
        yield


def new_figure(nrows=1, ncols=1, figsize=(6, 4), **kwargs):
    """A (fig, axes) pair in the book's style, closed in pyplot so a notebook shows it once."""
    import matplotlib.pyplot as plt

    with book_style():
        fig, axes = plt.subplots(nrows, ncols, figsize=figsize, layout="constrained", **kwargs)
    # Closed figures still draw and save; the notebook displays the returned object only.
    plt.close(fig)
    return fig, axes


def figure_png(fig):
    """PNG bytes of a figure, for ipywidgets.Image."""
    buf = io.BytesIO()
    with book_style():
        fig.savefig(buf, format="png")
    return buf.getvalue()
