"""Explorer of III(F): the K models of one regime, configuration by configuration."""

import ipywidgets as widgets

from .. import bias_variance, particles, training
from ..plots.bias_variance import plot_model_spread
from .base import Explorer, html_table, image_widget, set_figure

_VAL_FRAME_NAMES = {"random": "as given (rotated, permuted)", "canonical": "canonical frame"}


class BiasVarianceExplorer(Explorer):
    """The K models of one regime of III(F), configuration by configuration.

    Built from ``bias_variance.measure``'s results (no training here): choose a regime (model,
    augmentation, training design) and the frame of the validation set, how many of the K
    models to use, and which validation configurations to show. The numbers are
    ``bias_variance.decompose`` of the chosen models' predictions, on all configurations and
    on those shown, and the split corrected for K models; ``self.numbers`` holds them.
    """

    def __init__(self, results, regime=None, val_frame="random", n=30, how="spread over P"):
        super().__init__()
        self.results = [r for r in results if isinstance(r, bias_variance.BiasVariance)]
        if not self.results:
            raise ValueError("give the list of BiasVariance that bias_variance.measure returns")
        self.y = training.validation_set()[1]
        regimes = list(dict.fromkeys(r.regime for r in self.results))
        k = self.results[0].predictions.shape[0]
        value = bias_variance.as_regime(regime) if regime is not None else regimes[0]
        self.regime = widgets.Dropdown(options=[(f"{r.label} training sets", r) for r in regimes], value=value,
                                       description="regime", layout=widgets.Layout(width="380px", max_width="100%"))
        frames = [f for f in particles.FRAMES if any(r.val_frame == f for r in self.results)]
        self.val_frame = widgets.Dropdown(options=[(_VAL_FRAME_NAMES[f], f) for f in frames], value=val_frame,
                                          description="validation set", style={"description_width": "initial"})
        slider = dict(continuous_update=False, style={"description_width": "initial"},
                      layout=widgets.Layout(width="330px", max_width="100%"))
        self.models = widgets.IntSlider(value=k, min=2, max=k, description="models used", **slider)
        self.n = widgets.IntSlider(value=n, min=5, max=100, step=5, description="configurations shown", **slider)
        self.how = widgets.Dropdown(options=list(bias_variance.SELECTIONS), value=how, description="which",
                                    layout=widgets.Layout(width="260px", max_width="100%"))
        self.summary = widgets.HTML()
        self.figure = image_widget(max_width="700px")
        wrap = widgets.Layout(flex_flow="row wrap")
        self.ui = widgets.VBox([
            widgets.HBox([self.regime, self.val_frame], layout=wrap),
            widgets.HBox([self.models, self.n, self.how], layout=wrap),
            self.message, self.summary, self.figure,
        ])
        self.numbers = {}
        self._observe(self.regime, self.val_frame, self.models, self.n, self.how)
        self.update()

    def _result(self):
        for r in self.results:
            if r.regime == self.regime.value and r.val_frame == self.val_frame.value:
                return r
        raise ValueError(f"no results for {self.regime.value.label} with the validation set "
                         f"{_VAL_FRAME_NAMES[self.val_frame.value]}")

    def _update(self):
        result = self._result()
        k = self.models.value
        predictions = result.predictions[:k]
        chosen = bias_variance.select_configurations(predictions, self.y, self.n.value, self.how.value)
        everything = bias_variance.decompose(predictions, self.y)
        shown = bias_variance.decompose(predictions[:, chosen], self.y[chosen])
        corrected = bias_variance.corrected_decomposition(predictions, self.y)
        self.numbers = {"all": everything, "shown": shown, "corrected": corrected}
        rows = [
            [f"all {len(self.y)} configurations", *(f"{v:.3g}" for v in everything), f"{everything[2] / everything[0]:.0%}"],
            [f"the {len(chosen)} shown", *(f"{v:.3g}" for v in shown), f"{shown[2] / shown[0]:.0%}"],
            [f"all, corrected for K = {k}", "", f"{corrected[0]:.3g}", f"{corrected[1]:.3g}",
             f"{corrected[1] / everything[0]:.0%}"],
        ]
        self.summary.value = html_table(["", "MSE", "bias²", "variance", "variance share"], rows) + (
            f"<div style='font-size:0.9em'>final training MSE of these runs: {result.train_mse:.3g} "
            f"(mean of all {result.predictions.shape[0]})</div>")
        set_figure(self.figure, plot_model_spread(result, self.y, n=self.n.value, models=k, how=self.how.value))
