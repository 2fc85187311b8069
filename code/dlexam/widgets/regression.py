"""Explorer of II(B): split the cars sorted or shuffled, fit a model, see both errors and the fit beyond the data."""

import ipywidgets as widgets

from .. import regression
from ..plots.regression import plot_split_fit
from .base import Explorer, html_table, image_widget, set_figure

MODEL_LABELS = [config.label for config in regression.MODELS]


class SplitExplorer(Explorer):
    """Data, split (sorted or shuffled), training fraction, model, added noise, seed: every change retrains.

    Each update calls ``regression.split_and_fit`` (one network, full-batch Adam, a fraction of a
    second) and shows its training and validation MSE beside those of linear regression on the
    same split. ``self.result`` holds the last SplitFit.
    """

    def __init__(self, data=regression.DATASETS[0], split="sorted", train_fraction=0.8, model="tanh MLP 1x16",
                 noise=0.0, seed=0):
        super().__init__()
        wide = widgets.Layout(width="330px", max_width="100%")
        style = {"description_width": "initial"}
        self.data = widgets.Dropdown(options=list(regression.DATASETS), value=data, description="data",
                                     layout=widgets.Layout(width="330px", max_width="100%"))
        self.split = widgets.ToggleButtons(options=list(regression.SPLITS), value=split, description="split",
                                           style={"button_width": "90px"})
        self.fraction = widgets.FloatSlider(value=train_fraction, min=0.5, max=0.95, step=0.05, readout_format=".2f",
                                            description="training fraction", continuous_update=False, style=style,
                                            layout=wide)
        self.model = widgets.Dropdown(options=MODEL_LABELS, value=model, description="model",
                                      layout=widgets.Layout(width="330px", max_width="100%"))
        self.noise = widgets.FloatSlider(value=noise, min=0.0, max=100.0, step=5.0, readout_format=".0f",
                                         description="added noise (g/km)", continuous_update=False, style=style,
                                         layout=wide)
        self.seed = widgets.IntSlider(value=seed, min=0, max=4, description="seed", continuous_update=False,
                                      layout=wide)
        self.summary = widgets.HTML()
        self.figure = image_widget()
        controls = widgets.VBox([self.data, self.split, self.fraction, self.model, self.noise, self.seed,
                                 self.summary, self.message])
        self.ui = widgets.HBox([controls, self.figure], layout=widgets.Layout(flex_flow="row wrap"))
        self.result = None
        self._observe(self.data, self.split, self.fraction, self.model, self.noise, self.seed)
        self.update()

    def _update(self):
        result = regression.split_and_fit(self.data.value, regression.model_config(self.model.value),
                                          self.split.value, self.fraction.value, self.noise.value, self.seed.value)
        self.result = result
        rows = [[result.model.config.label, f"{result.errors.train:.4g}", f"{result.errors.validation:.4g}"]]
        if result.model.config.kind != "linear":
            line = result.line_errors
            rows.append(["linear regression", f"{line.train:.4g}", f"{line.validation:.4g}"])
        self.summary.value = (
            html_table(["model", "training MSE", "validation MSE"], rows, highlight=[0])
            + f"<div style='font-size:0.9em'>{len(result.train)} training and {len(result.validation)} validation "
              f"points; {result.outside:.0%} of the validation points lie outside the training range.</div>"
        )
        set_figure(self.figure, plot_split_fit(result))
