"""What every explorer shares: a message line, safe updates, PNG figures, HTML tables."""

import html
import threading

import ipywidgets as widgets

from ..display import html_table  # noqa: F401  (re-exported for the explorers)
from ..plots import figure_png


class Explorer:
    """Base of the book's widgets: subclasses build `self.ui` and implement `_update()`."""

    def __init__(self):
        self.message = widgets.HTML(value="")
        self.ui = widgets.VBox()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.ui)

    _holding = False  # True while several controls are set together

    def update(self, *_):
        """Recompute everything shown; a bad value becomes a message, never a traceback."""
        if self._holding:
            return
        if self.attempt(self._update) and self.message_kind == "error":
            self.show_message("")

    def attempt(self, work, failure="Something went wrong"):
        """Run work(); a ValueError/TypeError becomes its message, anything else a short note. True if it ran."""
        try:
            work()
        except (ValueError, TypeError) as err:
            self.show_message(str(err), kind="error")
        except Exception as err:  # a widget callback or a training thread must never leave a traceback
            self.show_message(f"{failure} ({type(err).__name__}: {err}).", kind="error")
        else:
            return True
        return False

    message_kind = ""

    def show_message(self, text, kind="info"):
        """Show `text` under the controls: kind is "info", "warning" or "error"."""
        colours = {"info": "#1f4e79", "warning": "#9a6700", "error": "#b42318"}
        self.message_kind = kind if text else ""
        if not text:
            self.message.value = ""
            return
        self.message.value = (
            f'<div style="color:{colours[kind]};white-space:pre-wrap">{html.escape(text)}</div>'
        )

    def set_controls(self, *pairs):
        """Set (control, value) pairs with one update at the end instead of one per control."""
        self._holding = True
        try:
            for control, value in pairs:
                control.value = value
        finally:
            self._holding = False
        self.update()

    def leave_preset(self, chooser, custom="custom"):
        """A control was moved by hand: show `chooser` as `custom` (unless a preset is being applied)."""
        if self._holding:
            return
        if chooser.value != custom:
            self.set_controls((chooser, custom))
        else:
            self.update()

    def _observe(self, *controls):
        for control in controls:
            control.observe(self.update, names="value")


def image_widget(width="100%"):
    """An empty PNG image widget for figures (it keeps its picture in the static page)."""
    return widgets.Image(format="png", layout=widgets.Layout(width=width, max_width="640px"))


def set_figure(image, fig):
    """Draw a matplotlib figure into an Image widget."""
    image.value = figure_png(fig)


class OneRunAtATime:
    """At most one run at a time, in the calling thread or a background one, with a stop flag.

    ``start(work)`` runs ``work()`` in a daemon thread and ``run(work)`` in this one; both
    return False at once, running nothing, while another run holds the lock. ``stop()`` raises
    a flag that the work polls (``stop_requested``); it is lowered when the next run begins.
    Any explorer with a Train button can use it; the lock is released whatever ``work`` does.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._thread = None
        self.stop_requested = threading.Event()

    @property
    def running(self):
        return self._lock.locked()

    def start(self, work):
        if not self._lock.acquire(blocking=False):
            return False
        self.stop_requested.clear()
        self._thread = threading.Thread(target=self._locked, args=(work,), daemon=True)
        self._thread.start()
        return True

    def run(self, work):
        if not self._lock.acquire(blocking=False):
            return False
        self.stop_requested.clear()
        self._locked(work)
        return True

    def _locked(self, work):
        try:
            work()
        finally:
            self._lock.release()

    def stop(self):
        self.stop_requested.set()

    def wait(self, timeout=None):
        """Block until a background run has finished (or `timeout` seconds have passed)."""
        if self._thread is not None:
            self._thread.join(timeout)
