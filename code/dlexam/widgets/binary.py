"""Explorer of I(C): train a one-output and a two-output classifier side by side, live."""

import ipywidgets as widgets

from .. import binary
from ..plots.binary import plot_training_comparison
from .base import Explorer, OneRunAtATime, PRIMARY_BUTTON, html_table, image_widget, set_figure

_HEAD_OPTIONS = [(spec.description, name) for name, spec in binary.HEADS.items()]


class BinaryTrainingExplorer(Explorer):
    """Two output heads, the data and Adam's settings; a Train button that trains both, redrawing as it goes.

    A click while a run is in progress starts nothing: the run holds a lock, and the button
    is disabled until it ends. `run()` trains in the calling thread (for pages and tests),
    `start()` in a background thread (what the button does), so the page stays responsive.
    """

    def __init__(self, left="one_sigmoid", right="two_softmax", data="moons", epochs=300, lr=0.05, seed=0,
                 redraws=10):
        super().__init__()
        self.redraws = redraws
        wide = widgets.Layout(width="430px", max_width="100%")
        self.left = widgets.Dropdown(options=_HEAD_OPTIONS, value=left, description="model 1", layout=wide)
        self.right = widgets.Dropdown(options=_HEAD_OPTIONS, value=right, description="model 2", layout=wide)
        self.data = widgets.Dropdown(options=list(binary.DATASETS), value=data, description="data")
        short = widgets.Layout(width="200px", max_width="100%")
        self.epochs = widgets.IntText(value=epochs, description="epochs", layout=short)
        self.lr = widgets.FloatText(value=lr, description="learning rate", style={"description_width": "initial"},
                                    layout=short)
        self.seed = widgets.IntText(value=seed, description="seed", layout=short)
        self.train_button = widgets.Button(description="Train", style=PRIMARY_BUTTON, icon="play")
        self.progress = widgets.IntProgress(value=0, min=0, max=max(int(epochs), 1), description="epoch")
        self.status = widgets.HTML()
        self.results = widgets.HTML()
        self.figure = image_widget(max_width="860px")
        controls = widgets.VBox([
            widgets.HBox([self.left, self.right], layout=widgets.Layout(flex_flow="row wrap")),
            widgets.HBox([self.data, self.epochs, self.lr, self.seed], layout=widgets.Layout(flex_flow="row wrap")),
            widgets.HBox([self.train_button, self.progress]),
            self.status, self.message, self.results,
        ])
        self.ui = widgets.VBox([controls, self.figure])
        self._runner = OneRunAtATime()
        self.runs_started = 0
        self.histories = []
        self.final = []
        self.train_button.on_click(self._clicked)
        self._observe(self.left, self.right, self.data, self.epochs, self.lr, self.seed)
        self.update()
        if not self.message.value:
            self._draw([binary.initial_history(c) for c in self.configs()], self.configs()[0].epochs)

    @property
    def running(self):
        return self._runner.running

    def configs(self):
        """The two BinaryConfig the controls describe; a ValueError names a bad setting."""
        epochs, lr, seed = self.epochs.value, self.lr.value, self.seed.value
        if not isinstance(epochs, int) or not 1 <= epochs <= 2000:
            raise ValueError(f"epochs must be a whole number from 1 to 2000, got {epochs!r}")
        if not 0 < lr <= 10:
            raise ValueError(f"learning rate must be in (0, 10], got {lr!r}; try 0.05")
        return [binary.BinaryConfig(head=h, data=self.data.value, epochs=epochs, lr=float(lr), seed=seed)
                for h in (self.left.value, self.right.value)]

    def _update(self):
        configs = self.configs()
        if not self.running:
            self.status.value = f"Ready: press Train to train both models for {configs[0].epochs} epochs."

    def _draw(self, histories, epochs):
        set_figure(self.figure, plot_training_comparison(histories, epochs=epochs))

    def _clicked(self, _button):
        self.start()

    def start(self):
        """Train in a background thread; returns False (and says so) if a run is already in progress."""
        if not self._runner.start(self._train_guarded):
            self.show_message("Training is already running: wait for it to finish.", kind="warning")
            return False
        return True

    def run(self, live=True):
        """Train in this thread, to the end; returns False if a run is already in progress or failed.

        live=False draws the figure once, at the end (a page that is built, not watched).
        """
        trained = []
        if not self._runner.run(lambda: trained.append(self._train_guarded(live))):
            self.show_message("Training is already running: wait for it to finish.", kind="warning")
            return False
        return trained[0]

    def wait(self, timeout=None):
        """Block until a background run has finished."""
        self._runner.wait(timeout)

    def _train_guarded(self, live=True):
        """The run itself, under the runner's lock; errors become messages. True if it trained."""
        self.train_button.disabled = True
        try:
            return self.attempt(lambda: self._train(self._begin_run(), live), failure="Training failed")
        finally:
            self.train_button.disabled = False

    def _begin_run(self):
        configs = self.configs()
        self.runs_started += 1
        self.show_message("")
        return configs

    def _train(self, configs, live=True):
        epochs = configs[0].epochs
        self.progress.max = epochs
        self.progress.value = 0
        self.status.value = "Training..."
        runs = [binary.iter_training(c) for c in configs]
        every = max(1, epochs // max(1, self.redraws))
        histories = []
        for epoch in range(1, epochs + 1):
            histories = [next(r) for r in runs]
            self.progress.value = epoch
            if (live and epoch % every == 0) or epoch == epochs:
                self._draw(histories, epochs)
        self.histories = histories
        self.final = [h.final() for h in histories]
        rows = [(binary.HEADS[h.config.head].description, binary.parameter_count(h.model),
                 f"{h.loss[0]:.3g}", f"{loss:.3g}", f"{acc:.1%}")
                for h, (loss, acc) in zip(histories, self.final)]
        self.results.value = html_table(["model", "parameters", "first loss", "final loss", "accuracy"], rows)
        if self.message_kind == "warning":
            self.show_message("")  # a click refused during the run is no longer news
        self.status.value = f"Done: {epochs} epochs, learning rate {configs[0].lr:g}, seed {configs[0].seed}."
