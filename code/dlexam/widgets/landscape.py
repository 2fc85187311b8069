"""Explorer of II(C): full-batch and mini-batch gradient descent on the same loss surface, side by side."""

import ipywidgets as widgets

from .. import landscape as ls
from ..plots.landscape import LIMITS, plot_descents
from ..plots.style import COLORS
from .base import Explorer, html_table, image_widget, set_figure

_BASINS = {0: "global minimum", 1: "poor minimum", -1: "not settled"}


class LandscapeExplorer(Explorer):
    """Batch size, learning rate, epochs, start point and seed in; both paths, the loss curves and a summary out.

    The summary compares full-batch descent with `runs` seeded runs at the chosen batch size,
    all with the same learning rate and number of epochs; the figure draws the first run.
    """

    def __init__(self, batch_size=1, lr=ls.BOOK_LR, epochs=ls.BOOK_EPOCHS, start=ls.BOOK_START, seed=0, runs=50,
                 landscape=None):
        super().__init__()
        self.landscape = ls.book_landscape() if landscape is None else landscape
        if not isinstance(self.landscape, ls.Landscape):
            raise TypeError(f"landscape must be a Landscape, got {type(self.landscape).__name__}")
        n = self.landscape.n
        self.runs = runs
        style = {"description_width": "110px"}
        wide = widgets.Layout(width="420px", max_width="100%")
        self.batch_size = widgets.IntSlider(value=batch_size, min=1, max=n, description="batch size",
                                            style=style, layout=wide)
        self.lr = widgets.FloatLogSlider(value=lr, base=10, min=-2, max=0.5, step=0.01, description="learning rate",
                                         readout_format=".3f", style=style, layout=wide)
        self.epochs = widgets.IntSlider(value=epochs, min=1, max=100, description="epochs", style=style, layout=wide)
        (x0, x1), (y0, y1) = LIMITS
        self.start_w1 = widgets.FloatSlider(value=start[0], min=x0, max=x1, step=0.05, description="start w₁",
                                            style=style, layout=wide)
        self.start_w2 = widgets.FloatSlider(value=start[1], min=y0, max=y1, step=0.05, description="start w₂",
                                            style=style, layout=wide)
        self.seed = widgets.IntText(value=seed, description="seed", style=style, layout=widgets.Layout(width="220px", max_width="100%"))
        self.summary = widgets.HTML()
        self.figure = image_widget(max_width="900px")
        self.comparison = None
        controls = widgets.VBox([self.batch_size, self.lr, self.epochs, self.start_w1, self.start_w2, self.seed])
        self.ui = widgets.VBox([controls, self.message, self.summary, self.figure])
        self._observe(self.batch_size, self.lr, self.epochs, self.start_w1, self.start_w2, self.seed)
        self.update()

    def _update(self):
        seed = self.seed.value
        if not isinstance(seed, int) or seed < 0:
            raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
        L = self.landscape
        start = (self.start_w1.value, self.start_w2.value)
        c = ls.compare_batch_sizes(L, start, self.lr.value, self.batch_size.value, self.epochs.value,
                                   runs=self.runs, seed=seed)
        self.comparison = c
        B, n = self.batch_size.value, L.n
        label = "full batch" if B == n else f"batch {B}"
        rows = [
            ["full batch", n, c.full.epochs * c.full.updates_per_epoch, f"{c.full_loss:.3f}",
             _BASINS.get(c.full_basin, "another minimum"), "1 path: no randomness"],
            [f"{label}, seed {seed}", B, c.mini.epochs * c.mini.updates_per_epoch, f"{c.mini_loss:.3f}",
             _BASINS.get(int(c.mini_basins[0]), "another minimum"),
             f"{c.mini_global_share:.0%} of {self.runs} seeds"],
        ]
        self.summary.value = html_table(
            ["", "batch", "updates", "final loss", "ends in", "reach the global minimum"], rows)
        fig = plot_descents(L, [c.full, c.mini], ["full batch", f"{label} (first of {self.runs} seeds)"],
                            colours=[COLORS["red"], COLORS["blue"]], x="epochs")
        set_figure(self.figure, fig)
