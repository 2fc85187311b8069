"""Explorer of III(E): train a network live and watch its curves."""

import html
import time

import ipywidgets as widgets

from .. import models, stacked_training, training
from ..particles import N_TRAIN
from ..plots.training import plot_training_curves
from .base import Explorer, OneRunAtATime, PRIMARY_BUTTON, html_table, image_widget, set_figure

_MODEL_OPTIONS = [(models.MODEL_NAMES[name], name) for name in models.MODELS]
_FRAME_OPTIONS = [("canonical frame (the book's design)", "canonical"), ("random frame (the control)", "random")]
MAX_EPOCHS = 1000
MAX_LR = 10.0


class TrainingExplorer(Explorer):
    """Train one network of III(E) live: model, augmentation, training design, epochs, learning rate, batch size.

    Train starts ``stacked_training.train`` in a background thread; the curves redraw as the epochs
    come in (the first epoch at once, then at most every ``redraw_seconds``, and never so
    often that drawing takes more than a third of the time), and Stop ends the run after the
    epoch in progress. A diverging run ends with the trainer's message. ``run()`` trains in
    the calling thread (pages, tests); ``start()`` is what the button does; ``wait()`` joins.
    The last run's History is ``self.history``; the one before, drawn in grey, ``self.previous``.
    """

    def __init__(self, model="mlp", augmentation="none", epochs=training.BOOK_CONFIG.epochs,
                 lr=training.BOOK_CONFIG.lr, batch_size=training.BOOK_CONFIG.batch_size, seed=0, frame="canonical",
                 redraw_seconds=0.5):
        super().__init__()
        self.redraw_seconds = redraw_seconds
        self.model = widgets.Dropdown(options=_MODEL_OPTIONS, value=model, description="model")
        self.augmentation = widgets.Dropdown(options=list(training.AUGMENTATIONS), value=augmentation,
                                             description="augmentation", style={"description_width": "initial"})
        self.frame = widgets.Dropdown(options=_FRAME_OPTIONS, value=frame, description="training set",
                                      style={"description_width": "initial"})
        short = widgets.Layout(width="190px", max_width="100%")
        self.epochs = widgets.IntText(value=epochs, description="epochs", layout=short)
        self.lr = widgets.FloatText(value=lr, description="learning rate", style={"description_width": "initial"},
                                    layout=short)
        self.batch_size = widgets.IntText(value=batch_size, description="batch size",
                                          style={"description_width": "initial"}, layout=short)
        self.seed = widgets.IntText(value=seed, description="seed", layout=short)
        self.train_button = widgets.Button(description="Train", style=PRIMARY_BUTTON, icon="play")
        self.stop_button = widgets.Button(description="Stop", icon="stop", disabled=True)
        self.progress = widgets.IntProgress(value=0, min=0, max=max(int(epochs), 1), description="epoch")
        self.status = widgets.HTML()
        self.results = widgets.HTML()
        self.figure = image_widget(max_width="640px")
        wrap = widgets.Layout(flex_flow="row wrap")
        self.ui = widgets.VBox([
            widgets.HBox([self.model, self.augmentation, self.frame], layout=wrap),
            widgets.HBox([self.epochs, self.lr, self.batch_size, self.seed], layout=wrap),
            widgets.HBox([self.train_button, self.stop_button, self.progress], layout=wrap),
            self.status, self.message, self.figure, self.results,
        ])
        self.runner = OneRunAtATime()
        self.history = None
        self.previous = None
        self.runs_started = 0
        self.redraws = 0
        self.first_epoch_seconds = None  # from start() or run() to the first epoch on screen
        self.train_button.on_click(lambda _button: self.start())
        self.stop_button.on_click(lambda _button: self.stop())
        self._observe(self.model, self.augmentation, self.frame, self.epochs, self.lr, self.batch_size, self.seed)
        self.update()
        if not self.message.value:
            self._draw(training.History(config=self.config()))

    @property
    def running(self):
        return self.runner.running

    def config(self):
        """The TrainConfig the controls describe; a ValueError says which setting to change."""
        epochs, lr, batch_size, seed = self.epochs.value, self.lr.value, self.batch_size.value, self.seed.value
        if not isinstance(epochs, int) or not 1 <= epochs <= MAX_EPOCHS:
            raise ValueError(f"epochs must be a whole number from 1 to {MAX_EPOCHS}, got {epochs!r}")
        if not 0 < lr <= MAX_LR:
            raise ValueError(f"learning rate must be in (0, {MAX_LR:g}], got {lr!r}; the book uses "
                             f"{training.BOOK_CONFIG.lr:g}")
        if not isinstance(batch_size, int) or not 1 <= batch_size <= N_TRAIN:
            raise ValueError(f"batch size must be a whole number from 1 to {N_TRAIN} (the training set), "
                             f"got {batch_size!r}")
        if not isinstance(seed, int) or seed < 0:
            raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
        rotate, permute = training.AUGMENTATIONS[self.augmentation.value]
        return training.TrainConfig(model=self.model.value, rotate=rotate, permute=permute, epochs=epochs,
                                    lr=float(lr), batch_size=batch_size, seed=seed, frame=self.frame.value)

    def _update(self):
        config = self.config()
        if not self.running:
            self.status.value = (f"Ready: press Train to train {html.escape(config.label)} on the {config.frame}-frame "
                                 f"training set for {config.epochs} epochs (learning rate {config.lr:g}, "
                                 f"batch size {config.batch_size}).")

    def _draw(self, history):
        set_figure(self.figure, plot_training_curves(history, epochs=history.config.epochs, previous=self.previous))
        self.redraws += 1

    def start(self):
        """Train in a background thread; returns False (and says so) while a run is in progress."""
        self._started_at = time.perf_counter()
        if not self.runner.start(self._train_safely):
            self._refuse()
            return False
        return True

    def run(self, live=True):
        """Train in this thread, to the end; returns True if a run was made.

        live=False draws the figure once, at the end (a page that is built, not watched).
        """
        self._started_at = time.perf_counter()
        self._live = live
        try:
            if not self.runner.run(self._train_safely):
                self._refuse()
                return False
        finally:
            self._live = True
        return self._trained

    def wait(self, timeout=None):
        """Block until a background run has finished."""
        self.runner.wait(timeout)

    def stop(self):
        """End the run in progress after its current epoch."""
        if not self.running:
            self.show_message("Nothing to stop: no run is in progress.", kind="info")
            return
        self.runner.stop()
        self.status.value = "Stopping after the epoch in progress..."

    _live = True
    _trained = False
    _started_at = 0.0

    def _refuse(self):
        self.show_message("Training is already running: wait for it to finish, or press Stop.", kind="warning")

    def _train_safely(self):
        """The run; the lock is held. Every failure becomes a message in the widget."""
        self._trained = False
        self.train_button.disabled = True
        self.stop_button.disabled = False
        try:
            self._trained = self.attempt(lambda: self._train(self._begin_run()), failure="Training failed")
        finally:
            self.train_button.disabled = False
            self.stop_button.disabled = True

    def _begin_run(self):
        config = self.config()
        self.runs_started += 1
        self.show_message("")
        return config

    def _train(self, config):
        if self.history is not None and self.history.epochs_run:
            self.previous = self.history
        self.history = training.History(config=config)
        self.progress.max = config.epochs
        self.progress.value = 0
        self.first_epoch_seconds = None
        self._last_draw, self._draw_cost = None, 0.0
        self.status.value = f"Training {html.escape(config.label)}..."
        history = stacked_training.train(config, callback=self._epoch_done)
        self.history = history
        self._draw(history)
        self.results.value = self._results_table()
        label = html.escape(config.label)
        if history.status == "diverged":
            self.status.value = f"<b>Diverged</b>: {label} with learning rate {config.lr:g}."
            self.show_message(history.message, kind="error")
            return
        if self.message_kind == "warning":
            self.show_message("")  # a click refused during the run is no longer news
        done = "Stopped" if history.status == "stopped" else "Done"
        self.status.value = (f"{done}: {label}, {history.epochs_run} of {config.epochs} epochs in "
                             f"{history.seconds:.1f} s; final validation MSE {history.val_loss[-1]:.3g}.")

    def _epoch_done(self, history):
        """The trainer's callback after every epoch: progress, throttled redraws, Stop."""
        self.history = history
        self.progress.value = history.epochs_run
        if history.status == "diverged":
            return False
        if self._live and history.epochs_run:
            now = time.perf_counter()
            due = self._last_draw is None or now - self._last_draw >= max(self.redraw_seconds, 2 * self._draw_cost)
            if due:
                self._draw(history)
                self._last_draw = time.perf_counter()
                self._draw_cost = self._last_draw - now
                if self.first_epoch_seconds is None:
                    self.first_epoch_seconds = self._last_draw - self._started_at
            if not self.runner.stop_requested.is_set():
                self.status.value = (f"Training {html.escape(history.config.label)}: epoch {history.epochs_run} of "
                                     f"{history.config.epochs}, validation MSE {history.val_loss[-1]:.3g}")
        return not self.runner.stop_requested.is_set()

    def _results_table(self):
        rows = []
        for name, h in (("this run", self.history), ("previous run", self.previous)):
            if h is None or not h.epochs_run:
                continue
            best = min(range(h.epochs_run), key=h.val_loss.__getitem__)
            rows.append([name, h.config.label, h.config.frame, f"{h.config.lr:g}", h.config.batch_size, h.epochs_run,
                         f"{h.train_loss[-1]:.3g}", f"{h.val_loss[-1]:.3g}", f"{h.val_loss[best]:.3g} (epoch {best + 1})"])
        if not rows:
            return ""
        return html_table(["", "run", "training set", "lr", "batch", "epochs", "final train MSE", "final validation MSE",
                           "lowest validation MSE"], rows)
