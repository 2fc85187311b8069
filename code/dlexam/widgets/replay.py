"""Explorer of III(E) that needs no kernel: replay, epoch by epoch, the curves of runs already trained.

``TrainingReplay`` takes the runs a page trained as it was built (the ``training.History``
objects of ``stacked_training.train``) and ships their curves, rounded to ``DIGITS``
significant digits, to the browser (``js/replay.js``): the reader chooses a run by model,
augmentation, training design and learning rate, and plays its training and validation MSE
back epoch by epoch, on the static page as in Jupyter. Training anew needs a kernel: that is
``widgets.training.TrainingExplorer``.

Everything the page shows is computed here: ``replay_data`` (the runs, their rounded curves,
best epochs, axis limits, colours, and which run each choice of a control leads to) and
``replay_view`` (what the page shows for one run at one epoch). The JavaScript only picks the
epoch's values and formats them; the browser tests compare the page with ``replay_view``.
"""

import math

import numpy as np
import traitlets

from .. import models, particles, training
from ..plots.style import COLORS
from ..plots.training import AUGMENTATION_COLOURS
from .base import Explorer
from .frontend import BrowserWidget, module_source

DIGITS = 4  # significant digits of the shipped curves: the page shows them all
CONTROLS = ("model", "augmentation", "frame", "lr")  # the choices, in the order the page lists them
CONTROL_LABELS = {"model": "model", "augmentation": "augmentation", "frame": "training set", "lr": "learning rate"}
FRAME_LABELS = {"canonical": "canonical frame (the book's design)", "random": "random frame (the control)"}
YLIM = (1e-3, 5.0)  # the y range of the book's curve figures (plots.training), widened for runs beyond it
MEAN_LEVEL = 1.0  # MSE of predicting the mean, in standardised units


def rounded(values, digits=DIGITS):
    """Floats rounded to `digits` significant digits (as f"{x:.{digits}g}" writes them): compact JSON."""
    return [float(f"{float(v):.{digits}g}") for v in values]


def lr_text(lr):
    """The learning rate as the page writes it: 0.001, 0.05."""
    return f"{lr:g}"


def run_choices(history):
    """{"model", "augmentation", "frame", "lr"} of one run, each as the page's control holds it (text)."""
    c = history.config
    return {"model": c.model, "augmentation": c.augmentation, "frame": c.frame, "lr": lr_text(c.lr)}


def _check_histories(histories):
    if isinstance(histories, training.History):
        histories = [histories]
    if isinstance(histories, (str, bytes, dict)) or not hasattr(histories, "__iter__"):
        raise TypeError(f"histories must be a list of Histories (what the trainers return), got {type(histories).__name__}")
    histories = list(histories)
    if not histories:
        raise ValueError("histories is empty: give at least one trained run (a History from stacked_training.train)")
    for i, h in enumerate(histories):
        if not isinstance(h, training.History):
            raise TypeError(f"histories[{i}] must be a History (what the trainers return), got {type(h).__name__}")
        label = f"histories[{i}] ({h.config.label}, {h.config.frame} frame, lr {lr_text(h.config.lr)})"
        if not h.train_loss:
            raise ValueError(f"{label} has no epoch to replay: its training curve is empty "
                             f"({h.message or 'status ' + h.status})")
        if len(h.val_loss) != len(h.train_loss):
            raise ValueError(f"{label} has {len(h.train_loss)} training but {len(h.val_loss)} validation values: "
                             "replay runs trained with validation curves (validate=True)")
        if len(h.train_loss) > h.config.epochs:
            raise ValueError(f"{label} has {len(h.train_loss)} epochs of curves but was set to train "
                             f"{h.config.epochs}")
        for name, curve in (("training", h.train_loss), ("validation", h.val_loss)):
            bad = next((k for k, v in enumerate(curve) if not (math.isfinite(v) and v > 0)), None)
            if bad is not None:
                raise ValueError(f"{label}: the {name} MSE of epoch {bad + 1} is {curve[bad]!r}; "
                                 "a log-scale replay draws positive, finite values only")
    lrs = sorted({h.config.lr for h in histories})
    texts = [lr_text(lr) for lr in lrs]
    if len(set(texts)) != len(texts):
        raise ValueError(f"histories: learning rates {lrs} differ beyond what the page writes ({texts}); "
                         "give learning rates that differ in their first six digits")
    seen = {}
    for i, h in enumerate(histories):
        key = tuple(run_choices(h).values())
        if key in seen:
            raise ValueError(f"histories[{seen[key]}] and histories[{i}] are both {h.config.label}, "
                             f"{h.config.frame} frame, lr {lr_text(h.config.lr)}: the replay tells runs apart "
                             f"by {', '.join(CONTROLS)} only, so give one run per choice")
        seen[key] = i
    return histories


def _options(histories):
    """{control: [(value, label), ...]}: the values the runs take, in the library's order."""
    present = {c: {run_choices(h)[c] for h in histories} for c in CONTROLS}
    texts = [lr_text(lr) for lr in sorted({h.config.lr for h in histories})]  # distinct: _check_histories
    return {
        "model": [(m, models.MODEL_NAMES[m]) for m in models.MODELS if m in present["model"]],
        "augmentation": [(a, a) for a in training.AUGMENTATIONS if a in present["augmentation"]],
        "frame": [(f, FRAME_LABELS.get(f, f)) for f in particles.FRAMES if f in present["frame"]],
        "lr": [(t, t) for t in texts],
    }


def _move(choices, i, control, value):
    """The run a reader lands on when setting `control` to `value` while on run i.

    The run with i's other choices if there is one; else, among the runs with that value, the
    one that keeps most of i's other choices (the earlier controls first), then the first listed.
    """
    others = [c for c in CONTROLS if c != control]
    candidates = [j for j, ch in enumerate(choices) if ch[control] == value]
    return max(candidates, key=lambda j: (sum(choices[j][c] == choices[i][c] for c in others),
                                          tuple(choices[j][c] == choices[i][c] for c in others), -j))


def _ylim(train, val):
    lo, hi = min(min(train), min(val)), max(max(train), max(val))
    bottom = YLIM[0] if lo >= YLIM[0] else 10.0 ** math.floor(math.log10(lo))
    top = YLIM[1] if hi <= YLIM[1] else 10.0 ** math.ceil(math.log10(hi * 1.5))
    return [bottom, top]


def replay_data(histories, digits=DIGITS):
    """Trained runs -> the JSON-ready description of them the replay ships to the page.

    {"controls": [{"name", "label", "options": [[value, label], ...]}], "runs": [{"choices": [option
    index per control], "label", "colour", "epochs" (planned), "train", "val" (rounded, one per
    epoch run), "best" (epoch of the lowest validation MSE, from 1, on the unrounded curve),
    "status", "message", "note", "ylim", "moves": [[run index per option] per control]}],
    "mean_level", "colors", "digits"}.
    """
    histories = _check_histories(histories)
    if not isinstance(digits, int) or isinstance(digits, bool) or not 2 <= digits <= 17:
        raise ValueError(f"digits must be a whole number from 2 to 17, got {digits!r}")
    options = _options(histories)
    choices = [run_choices(h) for h in histories]
    values = {c: [v for v, _ in options[c]] for c in CONTROLS}
    runs = []
    for i, h in enumerate(histories):
        c = h.config
        train, val = rounded(h.train_loss, digits), rounded(h.val_loss, digits)
        n = len(train)
        note = ""
        if h.status == "diverged":
            note = f"diverged in epoch {n + 1}\n(lr = {lr_text(c.lr)})"
        elif n < c.epochs:
            note = f"{h.status} after epoch {n}"
        runs.append({
            "choices": [values[k].index(choices[i][k]) for k in CONTROLS],
            "label": f"{c.label}, {c.frame} frame, lr {lr_text(c.lr)}",
            "colour": AUGMENTATION_COLOURS[c.augmentation],
            "epochs": c.epochs,
            "train": train,
            "val": val,
            "best": int(np.argmin(h.val_loss)) + 1,
            "status": h.status,
            "message": h.message if h.status != "completed" else "",
            "note": note,
            "ylim": _ylim(train, val),
            "moves": [[_move(choices, i, k, v) for v in values[k]] for k in CONTROLS],
        })
    return {
        "controls": [{"name": k, "label": CONTROL_LABELS[k], "options": [list(o) for o in options[k]]}
                     for k in CONTROLS],
        "runs": runs,
        "mean_level": MEAN_LEVEL,
        "colors": COLORS,
        "digits": digits,
    }


def replay_view(data, run, epoch):
    """What the page shows for run index `run` of `data` (replay_data) at `epoch` (from 1), keyed as on the page.

    {"shown": {"epoch", "epochs", "train", "val", "final-epoch", "final-train", "final-val",
    "best-epoch", "best-val", "status"}, "message", "kind"}.
    Numbers are the shipped (rounded) values, shown with all their digits.
    """
    runs = data["runs"]
    if not isinstance(run, int) or isinstance(run, bool) or not 0 <= run < len(runs):
        raise ValueError(f"run must be a run index from 0 to {len(runs) - 1}, got {run!r}")
    r = runs[run]
    n = len(r["train"])
    if not isinstance(epoch, int) or isinstance(epoch, bool) or not 1 <= epoch <= n:
        raise ValueError(f"epoch must be a whole number from 1 to {n} (the epochs {r['label']} ran), got {epoch!r}")
    best = r["best"]
    shown = {
        "epoch": epoch, "epochs": r["epochs"],
        "train": r["train"][epoch - 1], "val": r["val"][epoch - 1],
        "final-epoch": n, "final-train": r["train"][-1], "final-val": r["val"][-1],
        "best-epoch": best, "best-val": r["val"][best - 1],
        "status": r["status"],
    }
    return {"shown": shown, "message": r["message"], "kind": "warning" if r["message"] else ""}


def carried_epoch(data, run, epoch, target):
    """The epoch the page stands at after moving from `run` at `epoch` to run `target`.

    The end of a run stays the end; any other epoch stays where it is, within the new run.
    """
    n_old, n_new = len(data["runs"][run]["train"]), len(data["runs"][target]["train"])
    return n_new if epoch >= n_old else min(epoch, n_new)


def replay_move(data, run, epoch, control, value):
    """Where the page goes when the reader sets `control` to `value` (as its drop-down holds it): (run, epoch)."""
    names = [c["name"] for c in data["controls"]]
    if control not in names:
        raise ValueError(f"control must be one of {', '.join(names)}, got {control!r}")
    k = names.index(control)
    options = [v for v, _ in data["controls"][k]["options"]]
    if value not in options:
        raise ValueError(f"{control} must be one of {', '.join(map(repr, options))} (the runs given), got {value!r}")
    target = data["runs"][run]["moves"][k][options.index(value)]
    return target, carried_epoch(data, run, epoch, target)


class ReplayWidget(BrowserWidget):
    """The front-end: which run (an index into config["runs"]) and which epoch; JavaScript draws and plays."""

    _esm = module_source("replay")
    run = traitlets.Int(0).tag(sync=True)
    epoch = traitlets.Int(1).tag(sync=True)


class TrainingReplay(Explorer):
    """Replay the training and validation curves of runs already trained; works with no kernel.

    ``TrainingReplay(histories)``: Histories as ``stacked_training.train`` returns them, at most
    one per (model, augmentation, frame, learning rate). Starts on ``histories[0]`` at its last
    epoch (or on the run and epoch given). Drive it from Python with ``choose`` (a run by its
    choices), ``select`` (one control, as the reader moves it) and ``seek`` (an epoch);
    ``shown()`` is what the page shows, for the current or for given choices.
    """

    def __init__(self, histories, model=None, augmentation=None, frame=None, lr=None, epoch=None, digits=DIGITS):
        super().__init__()
        self.data = replay_data(histories, digits)
        self.widget = ReplayWidget(config=self.data)
        self.ui = self.widget
        given = {"model": model, "augmentation": augmentation, "frame": frame, "lr": lr}
        given = {k: v for k, v in given.items() if v is not None}
        run = self._find(given) if given else 0
        self.widget.run = run
        self.widget.epoch = len(self.data["runs"][run]["train"]) if epoch is None else self._check_epoch(run, epoch)
        self.widget.observe(self.update, names=["run", "epoch"])
        self.view = {}
        self.update()

    @property
    def run(self):
        """The current run's entry of ``data["runs"]``."""
        return self.data["runs"][self.widget.run]

    @property
    def choices(self):
        """{"model", "augmentation", "frame", "lr"} of the current run, as the controls hold them."""
        return self._choices_of(self.widget.run)

    def _choices_of(self, run):
        return {c["name"]: c["options"][k][0] for c, k in zip(self.data["controls"], self.data["runs"][run]["choices"])}

    def _value(self, control, value):
        """A choice as the controls hold it (a learning rate may be given as a number); ValueError if unknown."""
        if control not in CONTROLS:
            raise ValueError(f"control must be one of {', '.join(CONTROLS)}, got {control!r}")
        if control == "lr" and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = lr_text(value)
        options = [v for v, _ in next(c for c in self.data["controls"] if c["name"] == control)["options"]]
        if value not in options:
            raise ValueError(f"{control} must be one of {', '.join(map(repr, options))} (the runs given), got {value!r}")
        return value

    def _find(self, choices):
        """Index of the run with these choices; the others as the current run has them."""
        current = self._choices_of(self.widget.run)
        wanted = dict(current, **{k: self._value(k, v) for k, v in choices.items()})
        for j in range(len(self.data["runs"])):
            if self._choices_of(j) == wanted:
                return j
        trained = "; ".join(", ".join(self._choices_of(j).values()) for j in range(len(self.data["runs"])))
        raise ValueError(f"no run was given for {', '.join(f'{k}={v!r}' for k, v in wanted.items())}; "
                         f"the runs are: {trained}")

    def _check_epoch(self, run, epoch):
        n = len(self.data["runs"][run]["train"])
        if not training.is_int(epoch) or not 1 <= epoch <= n:
            raise ValueError(f"epoch must be a whole number from 1 to {n} (the epochs this run has), got {epoch!r}")
        return int(epoch)

    def choose(self, model=None, augmentation=None, frame=None, lr=None, epoch=None):
        """Show the run with these choices (the others stay); epoch: where to stand (default: as the page moves,
        ``carried_epoch``)."""
        run = self._find({k: v for k, v in {"model": model, "augmentation": augmentation, "frame": frame,
                                             "lr": lr}.items() if v is not None})
        if epoch is None:
            epoch = carried_epoch(self.data, self.widget.run, self.widget.epoch, run)
        epoch = self._check_epoch(run, epoch)
        with self.widget.hold_sync():
            self._holding = True
            try:
                self.widget.run, self.widget.epoch = run, epoch
            finally:
                self._holding = False
        self.update()

    def select(self, control, value):
        """Set one control as the reader does: where no run has the other choices, the nearest run (``replay_move``)."""
        run, epoch = replay_move(self.data, self.widget.run, self.widget.epoch, control, self._value(control, value))
        self.choose(**self._choices_of(run), epoch=epoch)

    def seek(self, epoch):
        """Stand at `epoch` (from 1 to the epochs the current run has)."""
        self.widget.epoch = self._check_epoch(self.widget.run, epoch)

    def shown(self, model=None, augmentation=None, frame=None, lr=None, epoch=None):
        """What the page shows: for the current run and epoch, or for the choices given (the rest as now).

        {key: value} keyed as on the page (data-value), numbers as the page writes them with all
        their digits; see ``replay_view``. Choosing another run without an epoch shows its last.
        """
        given = {k: v for k, v in {"model": model, "augmentation": augmentation, "frame": frame, "lr": lr}.items()
                 if v is not None}
        run = self._find(given) if given else self.widget.run
        if epoch is None:
            epoch = self.widget.epoch if run == self.widget.run else len(self.data["runs"][run]["train"])
        return replay_view(self.data, run, self._check_epoch(run, epoch))["shown"]

    def _update(self):
        self.view = {}
        self.view = replay_view(self.data, self.widget.run, self.widget.epoch)
