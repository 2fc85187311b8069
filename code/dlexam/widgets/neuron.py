"""Explorer of I(A): tune a sigmoid neuron's weights against a truth table.

The explorer computes and draws in the browser (``js/neuron.js``), so it also works on the
static page. ``truth_table_view`` computes, from the library, every value it shows; the
explorer keeps it up to date for Python, and ``test_vectors`` lets the browser tests check
the page against it.
"""

import numpy as np
import traitlets
from matplotlib import colormaps
from matplotlib.colors import to_hex

from .. import neuron
from ..plots.style import COLORS
from .base import Explorer
from .frontend import BrowserWidget, module_source

CUSTOM = "custom"
OPTION_LABELS = [
    f"exam option {'ABCD'[i]}: w1={w1:g}, w2={w2:g}, b={b:g}" for i, (w1, w2, b) in enumerate(neuron.EXAM_OPTIONS)
]
STEP = 0.5  # the sliders' step: every weight the sliders reach is a multiple of it
BANDS = 20  # the surface is drawn in bands of 0.05, as plot_truth_table_surface's contourf


def option_label(w1, w2, b):
    """The exam option whose weights are exactly (w1, w2, b), or "custom"."""
    for label, option in zip(OPTION_LABELS, neuron.EXAM_OPTIONS):
        if option == (w1, w2, b):
            return label
    return CUSTOM


def truth_table_view(w1, w2, b, table="exam"):
    """Every value the explorer shows for these weights, keyed as on the page (data-value)."""
    table = neuron.truth_table(table)
    verdict = neuron.check_weights(table, w1, w2, b)  # first: it checks w1, w2 and b by name
    outputs, errors = neuron.table_errors([w1, w2], b, table)
    z = neuron.pre_activation(table.inputs, [w1, w2], b)
    shown = {
        "largest": float(errors.max()),
        "mse": float(np.mean(errors**2)),
        "verdict": "reproduces" if verdict.correct else "does not reproduce",
    }
    for i in range(len(table.targets)):
        shown[f"target-{i}"] = shown[f"figure-target-{i}"] = float(table.targets[i])
        shown[f"z-{i}"] = float(z[i])
        shown[f"output-{i}"] = shown[f"figure-output-{i}"] = float(outputs[i])
        shown[f"error-{i}"] = float(errors[i])
        shown[f"within-{i}"] = "yes" if errors[i] <= neuron.DEFAULT_TOLERANCE else "no"
    return shown


def frontend_config(limit=30.0):
    """The library's constants the JavaScript needs: options, tables, tolerance and colours."""
    viridis = colormaps["viridis"]
    return {
        "limit": float(limit),
        "step": STEP,
        "custom": CUSTOM,
        "tolerance": neuron.DEFAULT_TOLERANCE,
        "options": [{"label": label, "w": list(option)} for label, option in zip(OPTION_LABELS, neuron.EXAM_OPTIONS)],
        "tables": {
            name: {
                "inputs": t.inputs.astype(int).tolist(),
                "targets": t.targets.tolist(),
                "colors": [to_hex(viridis(float(v))) for v in t.targets],
            }
            for name, t in neuron.TRUTH_TABLES.items()
        },
        # contourf colours each band by the colour map at its middle
        "bands": [to_hex(viridis((k + 0.5) / BANDS)) for k in range(BANDS)],
        "colors": COLORS,
    }


def view_vectors(count=300, seed=0, limit=30.0):
    """[{"state", "shown"}]: explorer states over the sliders' whole range, and what the page must show.

    The exam's options and the sliders' corners on every table, then `count` random slider
    positions (multiples of STEP) on random tables, seeded.
    """
    rng = np.random.default_rng(seed)
    states = []
    for name in neuron.TRUTH_TABLES:
        for w in [*neuron.EXAM_OPTIONS, (limit, -limit, limit), (-limit, limit, -limit), (0.0, 0.0, 0.0), (limit, limit, -limit)]:
            states.append({"w1": w[0], "w2": w[1], "b": w[2], "table": name})
    grid = np.arange(-limit, limit + STEP / 2, STEP)
    names = list(neuron.TRUTH_TABLES)
    for _ in range(count):
        w1, w2, b = (float(v) for v in rng.choice(grid, 3))
        states.append({"w1": w1, "w2": w2, "b": b, "table": names[rng.integers(len(names))]})
    return [{"state": s, "shown": truth_table_view(**s)} for s in states]


class TruthTableWidget(BrowserWidget):
    """The front-end: sliders for w1, w2 and b, the truth table's name; the rest is computed in JavaScript."""

    _esm = module_source("neuron")
    w1 = traitlets.Float(-10.0).tag(sync=True)
    w2 = traitlets.Float(-10.0).tag(sync=True)
    b = traitlets.Float(10.0).tag(sync=True)
    table = traitlets.Unicode("exam").tag(sync=True)


class TruthTableExplorer(Explorer):
    """Sliders for w1, w2, b; the four outputs against the target, the error, the surface.

    Drive it from Python through ``explorer.widget`` (``explorer.widget.w1 = 3``), ``set`` or
    ``snap``; ``shown`` holds what the page shows, ``outputs``, ``errors`` and ``verdict`` the
    library's results.
    """

    def __init__(self, w1=-10.0, w2=-10.0, b=10.0, table="exam", limit=30.0):
        super().__init__()
        self.widget = TruthTableWidget(w1=float(w1), w2=float(w2), b=float(b), table=neuron.truth_table(table).name,
                                       config=frontend_config(limit))
        self.ui = self.widget
        self.widget.observe(self.update, names=["w1", "w2", "b", "table"])
        self.shown, self.outputs, self.errors, self.verdict = {}, None, None, None
        self.update()

    def set(self, **values):
        """Set several of w1, w2, b and table at once (one update)."""
        self._set_traits(("w1", "w2", "b", "table"), values)

    def snap(self, option):
        """Move the sliders onto an exam option: "A" to "D" or its index 0 to 3."""
        index = "ABCD".index(option) if isinstance(option, str) and option in "ABCD" and len(option) == 1 else option
        if not isinstance(index, int) or not 0 <= index < len(neuron.EXAM_OPTIONS):
            raise ValueError(f"option must be one of 'A', 'B', 'C', 'D' or 0 to 3, got {option!r}")
        w1, w2, b = neuron.EXAM_OPTIONS[index]
        self.set(w1=w1, w2=w2, b=b)

    def _update(self):
        w = self.widget
        self.shown = {}
        self.shown = truth_table_view(w.w1, w.w2, w.b, w.table)
        self.outputs, self.errors = neuron.table_errors([w.w1, w.w2], w.b, w.table)
        self.verdict = neuron.check_weights(w.table, w.w1, w.w2, w.b)
