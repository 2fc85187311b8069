"""Every figure says in words what it shows: in the notebook output, in the PNG, in a widget."""

import base64
import io

import pytest
from IPython.core.interactiveshell import InteractiveShell
from PIL import Image

from matplotlib.figure import Figure

from dlexam.plots import style
from dlexam.plots.style import BookFigure, describe, figure_description, figure_png, new_figure, plain_text
from dlexam.widgets.base import FigureImage, image_widget, set_figure


def _figure():
    fig, (left, right) = new_figure(1, 2)
    left.plot([0, 1, 2], [1, 4, 9], label="squares")
    left.plot([0, 1, 2], [0, 1, 2], label="identity")
    left.set(xlim=(0, 2), ylim=(0, 10), xlabel="input $x$", ylabel=r"output $\sigma(w_1 x)$", title="two curves")
    left.legend()
    right.imshow([[0, 1], [2, 3]])
    right.set_title("a map")
    right.text(0, 0, "peak")
    fig.suptitle("An example")
    return fig


def test_description_names_titles_axes_ranges_legends_and_words():
    text = figure_description(_figure())
    assert text.startswith('Figure "An example". Panel 1 of 2: "two curves", ')
    assert "output σ(w1 x) (from 0 to 10) against input x (from 0 to 2)" in text
    assert "legend: squares, identity" in text
    assert 'Panel 2 of 2: "a map"' in text and "a colour map" in text and "marked: peak" in text
    assert "$" not in text and "\\" not in text


def test_the_author_summary_leads_the_description():
    fig = describe(_figure(), "Two rising curves;   the squares rise faster.")
    assert figure_description(fig).startswith("Two rising curves; the squares rise faster. Figure ")
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        describe("not a figure", "x")
    with pytest.raises(TypeError, match="text must be a str"):
        describe(fig, 3)
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        figure_description(None)


@pytest.mark.parametrize(
    "label, text",
    [(r"$\|w\|\,\sigma'(0)$", "‖w‖ σ'(0)"), (r"loss $L(\mathbf{w})$", "loss L(w)"), (r"$\frac{1}{B}$", "(1)/(B)"),
     (r"$x_{ij}^2$", "xij²"), (r"$\alpha \leq 1$", "α ≤ 1"), ("no_math here", "no_math here")],
)
def test_plain_text_drops_mathtext_markup(label, text):
    assert plain_text(label) == text


def test_a_displayed_figure_carries_its_description_three_ways():
    fig = _figure()
    assert isinstance(fig, BookFigure)
    shell = InteractiveShell.instance()
    style._register_png_formatter()  # done on import when a kernel is running; this shell started later
    # The inline backend's own formatter for every Figure must not replace the BookFigure's.
    png_formatter = shell.display_formatter.formatters["image/png"]
    png_formatter.for_type(Figure, lambda f: None)
    try:
        data, metadata = shell.display_formatter.format(fig)
    finally:
        png_formatter.pop(Figure, None)
    text = figure_description(fig)
    assert data["text/plain"] == text and metadata["image/png"] == {"alt": text}
    png = Image.open(io.BytesIO(base64.b64decode(data["image/png"])))
    assert png.text["Description"] == text


def test_a_widget_figure_carries_its_description_as_tooltip_and_in_the_png():
    image = image_widget(max_width="500px")
    assert isinstance(image, FigureImage) and image.layout.max_width == "500px"
    fig = _figure()
    set_figure(image, fig)
    assert image.tooltip == figure_description(fig)
    assert Image.open(io.BytesIO(image.value)).text["Description"] == image.tooltip
    # ipywidgets 8.1's front-end reads the tooltip beside a description, which must be synced and empty.
    assert image.get_state()["description"] == ""
    assert "Description" not in Image.open(io.BytesIO(figure_png(fig))).text


def test_named_ticks_are_read_as_categories():
    fig, ax = new_figure()
    ax.bar([0, 1], [3, 5])
    ax.set_xticks([0, 1], ["layer 1", "layer 2"])
    ax.set_ylabel("parameters")
    assert "parameters (from 0 to 5.25) against categories layer 1, layer 2" in figure_description(fig)


def test_a_grid_of_numbers_is_read_row_by_row():
    fig, ax = new_figure()
    ax.imshow([[1, 2], [3, 4]])
    for (i, j), v in {(0, 0): 1, (0, 1): 2, (1, 0): 3, (1, 1): 4}.items():
        ax.text(j, i, str(v))
    assert "numbers by row: 1 2; 3 4" in figure_description(fig)


def test_book_style_applies_inside_the_block_only():
    import matplotlib

    before = matplotlib.rcParams["axes.spines.top"], matplotlib.rcParams["font.size"]
    matplotlib.rcParams["font.size"] = 14.0
    try:
        with style.book_style():
            assert matplotlib.rcParams["font.size"] == 10
            assert matplotlib.rcParams["axes.spines.top"] is False and matplotlib.rcParams["axes.spines.right"] is False
            assert matplotlib.rcParams["figure.dpi"] == 100 and matplotlib.rcParams["image.cmap"] == "viridis"
            colours = [c["color"] for c in matplotlib.rcParams["axes.prop_cycle"]]
            assert colours[:3] == ["#0072B2", "#E69F00", "#009E73"]  # the colour-blind-safe palette
        assert matplotlib.rcParams["font.size"] == 14.0
    finally:
        matplotlib.rcParams["font.size"] = before[1]
    assert matplotlib.rcParams["axes.spines.top"] == before[0]


def test_new_figure_gives_a_closed_book_figure_with_the_asked_grid():
    import matplotlib.pyplot as plt

    open_before = plt.get_fignums()
    fig, axes = new_figure(2, 3, figsize=(5, 2), sharex=True)
    assert isinstance(fig, BookFigure) and axes.shape == (2, 3)
    assert tuple(fig.get_size_inches()) == (5.0, 2.0) and fig.dpi == 100
    assert fig.get_layout_engine().__class__.__name__ == "ConstrainedLayoutEngine"
    assert axes[0, 0].get_shared_x_axes().joined(axes[0, 0], axes[1, 2])
    assert not axes[0, 0].spines["top"].get_visible() and axes[0, 0].spines["left"].get_visible()
    assert plt.get_fignums() == open_before  # closed in pyplot: a notebook shows the returned figure once
    fig, ax = new_figure()
    assert tuple(fig.get_size_inches()) == (6.0, 4.0) and not isinstance(ax, (list, tuple)) and len(fig.axes) == 1
