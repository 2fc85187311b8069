"""Explorer of III(F): the K models of one regime, configuration by configuration; computes in the browser.

``BiasVarianceExplorer`` trains nothing: it takes ``bias_variance.measure``'s results (the K
models' predictions on the validation set, computed as the page was built) and ships them to
the page exactly as the library holds them (float32), with the true values y
(``bias_variance_config``). The JavaScript (``js/bias_variance.js``) picks a result by regime
and validation frame, uses the first ``models`` of its K models, and computes what the page
shows: ``bias_variance.decompose`` on all configurations and on the n shown, the split corrected
for K models, ``select_configurations`` and the figure of ``plot_model_spread``. So the explorer
works on the static page as in Jupyter.

``bias_variance_view`` computes what the page must show with the library's own functions, on
the very values the page holds (decoded from the config); ``bias_variance_vectors`` writes the
browser tests' vectors. The page sums in another order than PyTorch, so ``bias_variance_noise``
allows float64 round-off per key; the configurations shown must match exactly.
"""

import base64

import numpy as np
import torch
import traitlets

from .. import bias_variance, models, particles, training
from ..plots.style import COLORS
from ..plots.training import AUGMENTATION_COLOURS
from .base import Explorer
from .frontend import BrowserWidget, _widget_setting, module_source
from .particles import _encode_values

_VAL_FRAME_NAMES = {"random": "as given (rotated, permuted)", "canonical": "canonical frame"}
N_RANGE = (5, 100, 5)  # the "configurations shown" slider: from, to, step
EPS64 = float(np.finfo(np.float64).eps)
BIAS_VARIANCE_CONTROLS = ("regime", "val_frame", "models", "n", "how")


def _regime_label(regime):
    """A regime as the widget's label: a label passes as it is, a Regime or tuple gives its label."""
    return regime if isinstance(regime, str) else bias_variance.as_regime(regime).label


def _results(results):
    """The BiasVariance of `results`, checked: one per (regime, validation frame), all with K models on the same N."""
    if isinstance(results, (str, bytes, dict)) or not hasattr(results, "__iter__"):
        raise ValueError("results must be the list of BiasVariance that bias_variance.measure returns")
    results = [r for r in results if isinstance(r, bias_variance.BiasVariance)]
    if not results:
        raise ValueError("results must be the list of BiasVariance that bias_variance.measure returns; "
                         "it holds none")
    shape = tuple(results[0].predictions.shape)
    seen = set()
    for r in results:
        if tuple(r.predictions.shape) != shape:
            raise ValueError(f"every result must hold predictions of the same shape (K models, N configurations): "
                             f"{r.regime.label} ({r.val_frame}) has {tuple(r.predictions.shape)}, the first {shape}")
        key = (r.regime, r.val_frame)
        if key in seen:
            raise ValueError(f"results hold {r.regime.label} with the validation set {r.val_frame!r} twice: "
                             "give one result per regime and validation frame")
        seen.add(key)
    if shape[0] < 2:
        raise ValueError(f"the results hold predictions of {shape[0]} model; a variance needs at least 2")
    return results


def _float_array(t):
    """A tensor as the page gets it: float32 if it holds float32 values or fewer bits, else float64; exactly its values."""
    t = t.detach().cpu()
    dtype = torch.float32 if t.dtype in (torch.float16, torch.bfloat16, torch.float32) else torch.float64
    return t.to(dtype).numpy()


def bias_variance_config(results, y=None):
    """What the JavaScript needs: every result's predictions (K, N) as the library holds them, y (N), the choices.

    {"regimes": [[label, text]], "frames": [[frame, text]], "results": [{"regime" (label), "model",
    "augmentation", "train_frame", "val_frame", "title", "train_mse", "predictions"}], "k", "count",
    "y", "selections", "n_range", "colours"}. ``y``: the true values (default: the validation set's).
    """
    results = _results(results)
    y = training.validation_set()[1] if y is None else y
    k, count = results[0].predictions.shape
    if not isinstance(y, torch.Tensor) or tuple(y.shape) != (count,):
        raise ValueError(f"y must be a tensor of the {count} true values the predictions are of")
    regimes = list(dict.fromkeys(r.regime for r in results))
    frames = [f for f in particles.FRAMES if any(r.val_frame == f for r in results)]
    return {
        "regimes": [[r.label, f"{r.label} training sets"] for r in regimes],
        "frames": [[f, _VAL_FRAME_NAMES[f]] for f in frames],
        "results": [{
            "regime": r.regime.label, "model": r.model, "augmentation": r.augmentation, "train_frame": r.train_frame,
            "val_frame": r.val_frame, "train_mse": float(r.train_mse),
            "title": f"{models.MODEL_NAMES[r.model]}, {r.augmentation}, {r.train_frame} training sets, "
                     f"validation in the {r.val_frame} frame",
            "predictions": _encode_values(_float_array(r.predictions)),  # (K, N) row-major
        } for r in results],
        "k": int(k), "count": int(count),
        "y": _encode_values(_float_array(y)),
        "selections": list(bias_variance.SELECTIONS),
        "n_range": list(N_RANGE),
        "colours": {a: AUGMENTATION_COLOURS[a] for a in training.AUGMENTATIONS},
        "black": "black", "grey": COLORS["grey"],
    }


def _decode(encoded, shape):
    """The inverse of _encode_values: the very values the page holds, as a tensor of `shape`."""
    dtype = {"float32": np.dtype("<f4"), "float64": np.dtype("<f8")}[encoded["dtype"]]
    planes = np.frombuffer(base64.b64decode(encoded["data"]), dtype=np.uint8).reshape(dtype.itemsize, -1)
    values = planes.T.copy().view(dtype).reshape(shape)
    return torch.from_numpy(values.astype(dtype.newbyteorder("=")))


def config_predictions(config, index):
    """(K, N) tensor: the predictions of config["results"][index], exactly as the page holds them."""
    return _decode(config["results"][index]["predictions"], (config["k"], config["count"]))


def config_y(config):
    """(N,) tensor: the true values the page holds."""
    return _decode(config["y"], (config["count"],))


def _check_state(config, regime, val_frame, models_used, n, how):
    """The index of the chosen result; ValueError naming the control if a setting is out of its range."""
    labels = [label for label, _ in config["regimes"]]
    if not isinstance(regime, str) or regime not in labels:
        raise ValueError(f"regime must be one of {', '.join(map(repr, labels))}, got {regime!r}")
    frames = [f for f, _ in config["frames"]]
    if not isinstance(val_frame, str) or val_frame not in frames:
        raise ValueError(f"validation set (val_frame) must be one of {', '.join(map(repr, frames))}, got {val_frame!r}")
    k = config["k"]
    if not training.is_int(models_used) or not 2 <= models_used <= k:
        raise ValueError(f"models used (models) must be a whole number from 2 to {k}, got {models_used!r}")
    low, high, step = config["n_range"]
    if not training.is_int(n) or not low <= n <= high or n % step:
        raise ValueError(f"configurations shown (n) must be a multiple of {step} from {low} to {high}, got {n!r}")
    if not isinstance(how, str) or how not in config["selections"]:
        raise ValueError(f"which (how) must be one of {', '.join(map(repr, config['selections']))}, got {how!r}")
    for i, r in enumerate(config["results"]):
        if r["regime"] == regime and r["val_frame"] == val_frame:
            return i
    raise ValueError(f"no results for {regime} with the validation set {_VAL_FRAME_NAMES[val_frame]}: "
                     "choose the other validation set")


def _share(part, whole):
    """part / whole in percent, as f"{part / whole:.0%}" writes it (the page shows the digits of percent)."""
    return 100 * (part / whole) if whole else float("nan")


def bias_variance_view(config, regime, val_frame="random", models_used=None, n=30, how="spread over P"):
    """What the page shows for these controls, keyed as on the page (data-value), computed by the library.

    {"shown": {...}, "message", "kind", "chosen" (indices), "predictions" (the K models used, on
    the configurations shown), "y" (theirs)}; a setting out of its range gives only a message
    (kind "error").
    """
    models_used = config["k"] if models_used is None else models_used
    try:
        index = _check_state(config, regime, val_frame, models_used, n, how)
    except ValueError as err:
        return {"shown": {}, "message": str(err), "kind": "error"}
    result = config["results"][index]
    predictions = config_predictions(config, index)[:models_used]
    y = config_y(config)
    chosen = bias_variance.select_configurations(predictions, y, n, how)
    everything = bias_variance.decompose(predictions, y)
    shown_split = bias_variance.decompose(predictions[:, chosen], y[chosen])
    corrected = bias_variance.corrected_decomposition(predictions, y)
    shown = {"models": int(models_used), "total": config["count"], "count": len(chosen),
             "train-mse": result["train_mse"], "k": config["k"],
             "chosen": ", ".join(str(int(i)) for i in chosen)}
    for name, split in (("all", everything), ("shown", shown_split)):
        shown.update({f"{name}-mse": split[0], f"{name}-bias2": split[1], f"{name}-variance": split[2],
                      f"{name}-share": _share(split[2], split[0])})
    shown.update({"corrected-bias2": corrected[0], "corrected-variance": corrected[1],
                  "corrected-share": _share(corrected[1], everything[0]),
                  "figure-mse": everything[0], "figure-bias2": everything[1], "figure-variance": everything[2]})
    return {"shown": shown, "message": "", "kind": "", "chosen": chosen,
            "predictions": predictions[:, chosen].double().numpy(), "y": y[chosen].double().numpy()}


def bias_variance_noise(view):
    """Round-off the browser may differ by, per key of ``view["shown"]``.

    The page computes in float64 as the library does, but sums in another order: a mean over
    N·K terms may differ by about N·K·ε of its size, and a share by as much relatively. The
    configurations shown, the counts and the training MSE (shipped) must match exactly.
    """
    shown = view["shown"]
    if not shown:
        return {}
    terms = shown["total"] * shown["k"]
    noise = {}
    for key, value in shown.items():
        if isinstance(value, float) and key != "train-mse":
            noise[key] = 4 * terms * EPS64 * (abs(value) + 1.0)
    return noise


def bias_variance_vectors(config, count=40, seed=0):
    """[{"state", "shown", "noise", "message", "kind"}]: control settings and what the page must show.

    Every regime and validation frame with 2 and K models, 5 and 100 configurations shown and
    every selection; then ``count`` random settings (seeded); then settings out of range.
    """
    rng = np.random.default_rng(seed)
    regimes = [label for label, _ in config["regimes"]]
    frames = [f for f, _ in config["frames"]]
    low, high, step = config["n_range"]
    k = config["k"]
    states = [(r, f, m, n, how) for r in regimes for f in frames for m in (2, k) for n in (low, high)
              for how in config["selections"]]
    for _ in range(count):
        states.append((regimes[rng.integers(len(regimes))], frames[rng.integers(len(frames))],
                       int(rng.integers(2, k + 1)), int(step * rng.integers(low // step, high // step + 1)),
                       config["selections"][rng.integers(len(config["selections"]))]))
    vectors = []
    for r, f, m, n, how in states:
        view = bias_variance_view(config, r, f, m, n, how)
        vectors.append({"state": {"regime": r, "val_frame": f, "models": m, "n": n, "how": how},
                        "shown": view["shown"], "noise": bias_variance_noise(view), "message": view["message"],
                        "kind": view["kind"]})
    return vectors


class BiasVarianceWidget(BrowserWidget):
    """The front-end: regime (its label), validation frame, models used, configurations shown, which; JavaScript does the rest."""

    _esm = module_source("bias_variance", parts=("configuration3d",))
    regime = traitlets.Unicode("").tag(sync=True)
    val_frame = traitlets.Unicode("random").tag(sync=True)
    models = traitlets.Int(2).tag(sync=True)
    n = traitlets.Int(30).tag(sync=True)
    how = traitlets.Unicode("spread over P").tag(sync=True)


class BiasVarianceExplorer(Explorer):
    """The K models of one regime of III(F), configuration by configuration; computes in the browser.

    Built from ``bias_variance.measure``'s results (no training here): choose a regime (model,
    augmentation, training design) and the frame of the validation set, how many of the K
    models to use, and which validation configurations to show. The numbers are
    ``bias_variance.decompose`` of the chosen models' predictions, on all configurations and
    on those shown, and the split corrected for K models; ``self.numbers`` holds them
    ({"all", "shown", "corrected"}), ``self.shown`` what the page shows. Drive it from Python
    through ``explorer.widget`` (traits ``regime`` (a label), ``val_frame``, ``models``, ``n``,
    ``how``) or ``set``; ``regime``, ``val_frame``, ``models``, ``n`` and ``how`` read the settings.
    """

    def __init__(self, results, regime=None, val_frame="random", n=30, how="spread over P"):
        super().__init__()
        self.results = _results(results)
        self.y = training.validation_set()[1]
        self.config = bias_variance_config(self.results, self.y)
        labels = [label for label, _ in self.config["regimes"]]
        label = bias_variance.as_regime(regime).label if regime is not None else labels[0]
        if label not in labels:
            raise ValueError(f"regime: no results for {label}; the results hold {', '.join(labels)}")
        _check_state(self.config, label, val_frame, self.config["k"], n, how)
        self.widget = BiasVarianceWidget(regime=label, val_frame=val_frame, models=self.config["k"], n=n, how=how,
                                         config=self.config)
        self.ui = self.widget
        self.numbers, self.shown, self.view = {}, {}, {}
        self.widget.observe(self.update, names=list(BIAS_VARIANCE_CONTROLS))
        self.update()

    @property
    def regime(self):
        """The Regime shown."""
        return next(r.regime for r in self.results if r.regime.label == self.widget.regime)

    val_frame = _widget_setting("val_frame")
    models = _widget_setting("models")
    n = _widget_setting("n")
    how = _widget_setting("how")

    def set(self, **values):
        """Set several of regime (a Regime, a tuple or a label), val_frame, models, n and how at once (one update)."""
        self._set_traits(BIAS_VARIANCE_CONTROLS, values, convert={"regime": _regime_label})

    def _update(self):
        self.numbers, self.shown, self.view = {}, {}, {}
        w = self.widget
        view = bias_variance_view(self.config, w.regime, w.val_frame, w.models, w.n, w.how)
        if view["kind"] == "error":
            raise ValueError(view["message"])
        self.view, self.shown = view, view["shown"]
        s = self.shown
        self.numbers = {"all": (s["all-mse"], s["all-bias2"], s["all-variance"]),
                        "shown": (s["shown-mse"], s["shown-bias2"], s["shown-variance"]),
                        "corrected": (s["corrected-bias2"], s["corrected-variance"])}
