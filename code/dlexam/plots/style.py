"""The book's plot style: a context manager, a figure factory, PNG export, and figure descriptions.

Every figure of the book says in words what it shows: `figure_description(fig)` reads its
titles, axis labels and ranges, legends, colour scales and the words drawn in it, after the
author's own summary (`describe(fig, text)`). A figure displayed in a notebook carries that
text as its plain-text form, in the PNG itself (a "Description" text chunk, from which the
book's build writes the image's alt text) and in the output's metadata; a widget's figure
carries it as the image's tooltip, which the book's pages turn into the alt text.
"""

import base64
import contextlib
import io
import re

import matplotlib
from matplotlib.figure import Figure

from . import _checks as checks

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


class BookFigure(Figure):
    """A matplotlib Figure that displays with its description (see the module's docstring)."""

    description = ""  # the author's summary of what the figure shows; see describe()

    def _repr_mimebundle_(self, include=None, exclude=None):
        # The picture comes from the PNG formatter registered below: in a kernel, IPython prefers
        # a formatter registered for the type (the inline backend's) to a _repr_mimebundle_.
        text = figure_description(self)
        return {"text/plain": text}, {"image/png": {"alt": text}}


def _png_with_description(fig):
    """The PNG that IPython's inline backend draws (bbox_inches="tight"), with the description added."""
    from IPython.core.pylabtools import print_figure

    if not fig.axes:
        return None
    return print_figure(fig, "png", bbox_inches="tight", base64=True, metadata={"Description": figure_description(fig)})


def _register_png_formatter():
    """In IPython, a BookFigure is drawn by _png_with_description (the inline backend only replaces Figure's)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.formatters["image/png"].for_type(BookFigure, _png_with_description)


_register_png_formatter()


@checks.checked(nrows=checks.INT(1, 20), ncols=checks.INT(1, 20), figsize=checks.SIZE_PAIR)
def new_figure(nrows=1, ncols=1, figsize=(6, 4), **kwargs):
    """A (fig, axes) pair in the book's style, closed in pyplot so a notebook shows it once."""
    import matplotlib.pyplot as plt

    with book_style():
        fig, axes = plt.subplots(nrows, ncols, figsize=figsize, layout="constrained", FigureClass=BookFigure,
                                 **kwargs)
    # Closed figures still draw and save; the notebook displays the returned object only.
    plt.close(fig)
    return fig, axes


def describe(fig, text, whole=False):
    """Give a figure the author's summary of what it shows.

    The summary leads the figure's description; with ``whole`` it is the whole description (for
    figures whose drawn words, such as every entry of a matrix, say nothing read one by one).
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, not {type(fig).__name__}")
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    fig.description = " ".join(text.split())
    fig.description_is_whole = bool(whole)
    return fig


_TEX = {
    r"\alpha": "α", r"\beta": "β", r"\gamma": "γ", r"\delta": "δ", r"\Delta": "Δ", r"\varepsilon": "ε",
    r"\epsilon": "ε", r"\eta": "η", r"\theta": "θ", r"\lambda": "λ", r"\mu": "μ", r"\sigma": "σ",
    r"\phi": "φ", r"\rho": "ρ", r"\tau": "τ", r"\pi": "π", r"\nabla": "∇", r"\partial": "∂",
    r"\times": "×", r"\cdot": "·", r"\leq": "≤", r"\le": "≤", r"\geq": "≥", r"\ge": "≥",
    r"\approx": "≈", r"\infty": "∞", r"\to": "→", r"\rightarrow": "→", r"\sum": "Σ", r"\ldots": "…",
    r"\dots": "…", r"\pm": "±", r"\ell": "ℓ", r"\hat": "", r"\tilde": "", r"\top": "ᵀ", r"\|": "‖", r"\quad": " ", r"\,": " ", r"\;": " ",
}


def plain_text(label):
    """A label as words and symbols, without mathtext's dollar signs and commands."""
    text = str(label)
    if "$" in text:
        text = re.sub(r"\\(?:mathdefault|mathrm|mathbf|mathit|text|operatorname|mathcal|boldsymbol)\{([^{}]*)\}", r"\1", text)
        text = re.sub(r"\\sqrt\{([^{}]*)\}", r"√(\1)", text)
        text = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"(\1)/(\2)", text)
        for command, symbol in _TEX.items():
            text = re.sub(re.escape(command) + (r"(?![A-Za-z])" if command[-1].isalpha() else ""), symbol, text)
        text = re.sub(r"\\(left|right|big|Big)", "", text)
        text = re.sub(r"([_^])\{([^{}]*)\}", r"\1\2", text)
        text = text.replace("^2", "²").replace("^T", "ᵀ")
        text = re.sub(r"_(?=\w)", "", text)
        text = text.replace("$", "").replace("{", "").replace("}", "").replace("\\", "")
    return " ".join(text.split())


_NUMBER = re.compile(r"[−+-]?(\d+(\.\d*)?|\.\d+)([eE][−+-]?\d+)?%?")


def _number(v):
    return f"{v:.3g}".replace("-", "−")


def _axis(ax, which):
    label = plain_text(getattr(ax, f"get_{which}label")())
    scale = getattr(ax, f"get_{which}scale")()
    low, high = sorted(getattr(ax, f"get_{which}lim")())
    ticks = [plain_text(t.get_text()) for t in getattr(ax, f"get_{which}ticklabels")() if t.get_visible() and t.get_text()]
    ticks_shown = getattr(ax, f"{which}axis").get_visible() and bool(ticks)
    span = f"from {_number(low)} to {_number(high)}" if ticks_shown or label else ""
    words = [t for t in ticks if not _NUMBER.fullmatch(t.replace(",", ""))]
    if ticks_shown and scale == "linear" and len(words) > len(ticks) / 2:
        # Named ticks (bars of a chart, one per layer or model): say the names, not the range.
        return label, "categories " + ", ".join(t.replace("\n", " ") for t in ticks[:12]) + (" and more" if len(ticks) > 12 else "")
    if scale in ("log", "symlog") and span:
        span += f", {'logarithmic' if scale == 'log' else 'symmetric logarithmic'} scale"
    return label, span


def _panel(ax, words_limit=12):
    """What one axes shows, in a sentence."""
    parts = []
    title = " ".join(plain_text(t.get_text()) for t in (ax.title, ax._left_title, ax._right_title) if t.get_text())
    if title:
        parts.append(f'"{title}"')
    if ax.axison:
        axes = [_axis(ax, w) for w in ("x", "y", "z") if hasattr(ax, f"get_{w}label")]
        described = [f"{label} ({span})" if label and span else label or
                     (span if span.startswith("categories") else f"values {span}" if span else "")
                     for label, span in axes]
        described = [d for d in described if d]
        if len(described) >= 2:
            parts.append(f"{described[1]} against {described[0]}" + (f" and {described[2]}" if len(described) > 2 else ""))
        elif described:
            parts.append(described[0])
    if ax.images:
        parts.append("a colour map")
    legend = ax.get_legend()
    if legend is not None:
        entries = [plain_text(t.get_text()) for t in legend.get_texts() if t.get_text()]
        if entries:
            parts.append("legend: " + ", ".join(entries))
    texts = [t for t in ax.texts if t.get_visible() and t.get_text().strip()]
    numbers = [t for t in texts if _NUMBER.fullmatch(plain_text(t.get_text()))]
    if len(numbers) >= 4 and len(numbers) >= 0.7 * len(texts):
        # A grid of numbers (a matrix drawn cell by cell): read it row by row, or say its range.
        texts = [t for t in texts if t not in numbers]
        if len(numbers) <= 36:
            rows = {}
            for t in numbers:
                x, y = t.get_position()
                rows.setdefault(round(float(y), 3), []).append((float(x), plain_text(t.get_text())))
            ordered = [rows[y] for y in sorted(rows, reverse=not ax.yaxis_inverted())]
            parts.append("numbers by row: " + "; ".join(" ".join(v for _, v in sorted(r)) for r in ordered))
        else:
            values = [float(plain_text(t.get_text()).replace("−", "-").rstrip("%")) for t in numbers]
            parts.append(f"a grid of {len(values)} numbers from {_number(min(values))} to {_number(max(values))}")
    words = [plain_text(t.get_text()) for t in texts]
    if words:
        shown = words[:words_limit]
        more = f" and {len(words) - len(shown)} more" if len(words) > len(shown) else ""
        parts.append("marked: " + "; ".join(w.replace("\n", " ") for w in shown) + more)
    return ", ".join(parts)


def figure_description(fig):
    """What a figure shows, in words: the author's summary, then titles, axes, legends and labels."""
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, not {type(fig).__name__}")
    sentences = []
    summary = getattr(fig, "description", "")
    if summary:
        sentences.append(summary.rstrip(".") + ".")
        if getattr(fig, "description_is_whole", False):
            return sentences[0]
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text():
        sentences.append(f'Figure "{plain_text(suptitle.get_text())}".')
    scales, panels = [], []
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        colorbar = getattr(ax, "_colorbar", None)
        if colorbar is not None:
            label, span = _axis(ax, "y" if colorbar.orientation == "vertical" else "x")
            scales.append(f"{label} ({span})" if label else span)
            continue
        text = _panel(ax)
        if text:
            panels.append(text)
    if len(panels) == 1:
        sentences.append(f"Plot: {panels[0]}.")
    elif panels:
        shown = panels[:8]
        sentences.extend(f"Panel {i} of {len(panels)}: {p}." for i, p in enumerate(shown, 1))
        if len(panels) > len(shown):
            sentences.append(f"{len(panels) - len(shown)} more panels of the same kind.")
    if scales:
        sentences.append("Colour scale: " + "; ".join(s for s in scales if s) + ".")
    words = [plain_text(t.get_text()) for t in fig.texts if t.get_visible() and t.get_text().strip() and t is not suptitle]
    if words:
        sentences.append("Also written: " + "; ".join(words[:6]) + ".")
    return " ".join(sentences) or "A figure of the book."


@checks.checked(fig=checks.FIGURE, description=checks.optional(checks.TEXT))
def figure_png(fig, description=None):
    """PNG bytes of a figure, for ipywidgets.Image; `description` goes into its text chunk."""
    buf = io.BytesIO()
    metadata = {"Description": description} if description else None
    with book_style():
        fig.savefig(buf, format="png", metadata=metadata)
    return buf.getvalue()
