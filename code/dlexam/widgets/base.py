"""What every explorer shares: a message line, safe updates, PNG figures, HTML tables."""

import html
import threading

import ipywidgets as widgets
import traitlets

from ..display import html_table  # noqa: F401  (re-exported for the explorers)
from ..plots import figure_png
from ..plots.style import figure_description


# The style of a main action's button: white on a blue dark enough for 5.7:1 (ipywidgets'
# "primary" blue, #2196f3, gives white text only 3.1:1).
PRIMARY_BUTTON = {"button_color": "#1565c0", "text_color": "white"}

# (text, panel) colours of an explorer's messages, by kind.
MESSAGE_COLOURS = {"info": ("#1f4e79", "#e8f1fa"), "warning": ("#6b4a00", "#fff4d6"), "error": ("#8c1d18", "#fdecea")}


class Explorer:
    """Base of the book's widgets: subclasses build `self.ui` and implement `_update()`.

    A subclass's constructor arguments are checked by the rules ``widgets._arguments`` lists for
    it, before anything is built: a bad value raises ValueError/TypeError naming the argument.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        from ..validate import checked
        from ._arguments import arguments_of

        rules = arguments_of(cls)
        if rules and "__init__" in cls.__dict__:
            cls.__init__ = checked(**rules)(cls.__dict__["__init__"])

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
        """Run work(); a ValueError/TypeError becomes its message, anything else a short note. True if it ran.

        After an error the results shown so far no longer match the controls: ``mark_stale``
        clears them until the next run succeeds, which shows them again unless it redraws them.
        """
        try:
            work()
        except (ValueError, TypeError) as err:
            self.show_message(str(err), kind="error")
            self.mark_stale()
        except Exception as err:  # a widget callback or a training thread must never leave a traceback
            self.show_message(f"{failure} ({type(err).__name__}: {err}).", kind="error")
            self.mark_stale()
        else:
            self.unmark_stale()
            return True
        return False

    # The attributes that hold results (text, tables, figures), as opposed to controls.
    RESULTS = ("status", "summary", "details", "table", "results", "figure", "view")

    def _results(self):
        found = (getattr(self, name, None) for name in self.RESULTS)
        return [w for w in found if isinstance(w, widgets.Widget) and w is not self.message]

    def mark_stale(self):
        """Hide what the explorer showed (texts, tables, figures): it belongs to settings just refused.

        The widgets keep their values, so the next successful run shows them again as they were
        unless it redraws them.
        """
        stale = self.__dict__.setdefault("_stale", {})
        for widget in self._results():
            if widget not in stale:
                stale[widget] = widget.layout.display
                widget.layout.display = "none"

    def unmark_stale(self):
        """Show again what mark_stale hid."""
        for widget, display in self.__dict__.pop("_stale", {}).items():
            widget.layout.display = display

    @property
    def stale(self):
        """True while the results are cleared after an error."""
        return bool(self.__dict__.get("_stale"))

    message_kind = ""

    def show_message(self, text, kind="info"):
        """Show `text` under the controls: kind is "info", "warning" or "error"."""
        self.message_kind = kind if text else ""
        if not text:
            self.message.value = ""
            return
        # Dark text on its own pale panel: readable (at least 7:1) in light and dark themes alike.
        colour, panel = MESSAGE_COLOURS[kind]
        self.message.value = (
            f'<div style="color:{colour};background:{panel};padding:0.2em 0.5em;white-space:pre-wrap">'
            f"{html.escape(text)}</div>"
        )

    def _set_traits(self, controls, values, convert=None, also=None):
        """Set the front-end's traits named in `values` with one update at the end (the body of every set()).

        Each name must be one of `controls`; `convert` maps a name to the function its value goes
        through first (e.g. float); `also` holds traits set in the same step (e.g. a report cleared).
        """
        for name in values:
            if name not in controls:
                raise ValueError(f"set() takes {', '.join(controls)}, got {name!r}")
        convert = convert or {}
        values = {name: convert[name](value) if name in convert else value for name, value in values.items()}
        self._holding = True
        try:
            with self.widget.hold_sync():
                for name, value in {**values, **(also or {})}.items():
                    setattr(self.widget, name, value)
        finally:
            self._holding = False
        self.update()

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


class FigureImage(widgets.Image):
    """An Image widget for figures, whose tooltip is the figure's description (see set_figure).

    ipywidgets 8.1's front-end shows a widget's tooltip only beside its `description`, which
    Image lacks: an Image with a tooltip fails to draw. This one has an empty description.
    """

    description = traitlets.Unicode("").tag(sync=True)


def image_widget(width="100%", max_width="640px"):
    """An empty PNG image widget for figures (it keeps its picture in the static page)."""
    return FigureImage(format="png", layout=widgets.Layout(width=width, max_width=max_width))


def set_figure(image, fig, png=None):
    """Draw a matplotlib figure into an Image widget, with its description as the image's text.

    The description (see dlexam.plots.style.figure_description) is the widget's tooltip, which
    Jupyter shows on hovering and screen readers read; the book's pages make it the alt text.
    `png`: the picture's bytes, where the caller encodes the figure itself (default figure_png).
    """
    description = figure_description(fig)
    image.value = figure_png(fig, description) if png is None else png(fig)
    image.tooltip = description


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
