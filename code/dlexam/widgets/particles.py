"""Explorers of question III: shapes through the networks, augmentations, permutations, φ embeddings.

The models shown are the library's MLP and DeepSets, freshly initialised from a fixed seed:
invariance (or its absence) is a property of the architecture, so it shows before training.

III(A)'s shape-trace explorer computes in the browser (``js/shape_trace.js``): the page gets
the library's trace of both networks for every layout and number of particles, with the batch
axis left out, and puts the batch size back in. ``shape_trace_view`` runs the library's
``shapes.shape_trace`` for what it shows, and ``shape_trace_vectors`` writes the browser tests'
vectors.

III(B)'s augmentation explorer computes and draws in the browser (``js/augmentation.js``, with
the shared 3D view ``js/configuration3d.js``), so it also works on the static page: the page
gets the configurations, the seeded permutations and the seeded random rotations as data, and
repeats the library's float64 arithmetic (Rodrigues' formula, the rotation and permutation, P).
``augmentation_view`` computes every value it shows with the library; the explorer keeps it up
to date for Python, and ``augmentation_vectors`` lets the browser tests check the page against it.

III(C)'s permutation explorer works in the browser too (``js/permutation.js``, with the same 3D
view). Its numbers are the library's float32 outputs of the untrained MLP and DeepSets, and P
in float64, computed here for every configuration and copy and sent to the page; the page
builds the copy it draws from the shipped permutations and rotations and takes the changes.
``permutation_view`` computes what it shows and ``permutation_vectors`` writes the browser
tests' vectors.

III(D)'s embedding explorer runs the untrained DeepSets itself in the browser (``js/embedding.js``):
the page gets the network's weights, the configurations and the permutations' ranks, computes
φ of every particle, their sum and F = ρ(sum) in float32, and draws the heat maps.
``embedding_view`` computes what it shows with PyTorch, ``embedding_noise`` says how far float32
round-off in another order may move each number, and ``embedding_vectors`` writes the browser
tests' vectors.
"""

import base64
import functools
import math

import numpy as np
import torch
import traitlets

from .. import augment, models, particles, rotations, shapes
from ..plots.particles import VIEW
from ..plots.style import COLORS
from .base import Explorer
from .frontend import BrowserWidget, module_source

MODEL_NAMES = {"MLP": "mlp", "DeepSets": "deepsets"}
LAYOUTS = ("(B, m, 3)", "(B, 3m)")
MAX_BATCH = 1024
MAX_PARTICLES = 200
MODEL_SEED = 0


def seeded_models(seed=MODEL_SEED):
    """{"MLP": MLP, "DeepSets": DeepSets}, both initialised from torch.Generator().manual_seed(seed)."""
    return {label: models.make_model(name, torch.Generator().manual_seed(seed)) for label, name in MODEL_NAMES.items()}


def _dataset(X):
    if X is None:
        X, _ = particles.make_dataset(particles.N_TRAIN, seed=0)
    if not isinstance(X, torch.Tensor) or X.ndim != 3 or X.shape[-1] != 3:
        raise ValueError("X must be a tensor of configurations, shape (n, m, 3)")
    return X


def _permutation(seed, m):
    """seed 0 -> the identity; seed k > 0 -> a uniformly random permutation of 0..m-1 drawn with seed k."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"the permutation seed must be a whole number of at least 0, got {seed!r}")
    if seed == 0:
        return torch.arange(m)
    return augment.random_permutations(1, m, torch.Generator().manual_seed(int(seed)))[0]


def _random_rotation(seed):
    """seed 0 -> the identity; seed k > 0 -> a uniform random rotation drawn with seed k (float64)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"the rotation seed must be a whole number of at least 0, got {seed!r}")
    if seed == 0:
        return torch.eye(3, dtype=torch.float64)
    return augment.random_rotations(1, torch.Generator().manual_seed(int(seed)), dtype=torch.float64)[0]



# III(A)'s shape trace computes in the browser too (``js/shape_trace.js``). A trace depends on the
# batch size B only through the first axis of every shape (and the multiply-adds, which are B
# times those of one configuration): ``shape_trace_templates`` traces every (network, layout, m)
# at two batch sizes, checks that nothing else changes, and keeps each trace with the first axis
# left out, or the model's error message with the input shape left out. The page gets these
# templates (rows deduplicated) and puts B back in; ``shape_trace_view`` runs the library's
# shape_trace itself, and ``shape_trace_vectors`` writes the browser tests' vectors.

SHAPE_PROBES = (2, 3)  # the batch sizes the templates are traced with: any two different ones
INPUT_MARK = "{input}"  # where an error message names the input shape


def _trace_input(layout, B, m):
    return (B, m, 3) if layout == LAYOUTS[0] else (B, 3 * m)


def _trace_template(model, layout, m):
    """("steps", [(name, operation, shape without its first axis, parameters, multiply-adds per configuration)])
    or ("error", message with the input shape replaced by INPUT_MARK), the same for every batch size probed."""
    found = []
    for B in SHAPE_PROBES:
        shape = _trace_input(layout, B, m)
        try:
            steps = shapes.shape_trace(model, torch.zeros(shape))
        except ValueError as err:
            text = str(err)
            if str(shape) not in text:
                raise RuntimeError(f"the error for input {shape} does not name it: {text}") from None
            found.append(("error", text.replace(str(shape), INPUT_MARK)))
            continue
        rows = []
        for s in steps:
            if not s.shape or s.shape[0] != B or s.multiply_adds % B:
                raise RuntimeError(f"step {s} of the trace of {shape} does not scale with the batch size")
            rows.append((s.name, s.operation, tuple(s.shape[1:]), s.parameters, s.multiply_adds // B))
        found.append(("steps", rows))
    if any(f != found[0] for f in found):
        raise RuntimeError(f"the trace of layout {layout}, m = {m} depends on the batch size beyond its first axis")
    return found[0]


@functools.lru_cache(maxsize=1)
def shape_trace_templates():
    """{(network, layout, m): template} for every network, layout and m from 1 to MAX_PARTICLES."""
    templates = {}
    # One thread: these batches are tiny, and a second thread only adds waiting (30 times slower on a
    # busy two-core machine); the shapes are the same.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        for network, model in _untrained_models().items():
            for layout in LAYOUTS:
                for m in range(1, MAX_PARTICLES + 1):
                    templates[network, layout, m] = _trace_template(model, layout, m)
    finally:
        torch.set_num_threads(threads)
    return templates


def shape_trace_config():
    """What the JavaScript needs: every template, its rows and error messages each stored once."""
    rows, errors, traces = [], [], {}
    row_index, error_index = {}, {}
    for (network, layout, m), (kind, value) in shape_trace_templates().items():
        if kind == "error":
            entry = error_index.setdefault(value, len(errors))
            if entry == len(errors):
                errors.append(value)
        else:
            entry = []
            for row in value:
                if row not in row_index:
                    row_index[row] = len(rows)
                    rows.append([row[0], row[1], list(row[2]), row[3], row[4]])
                entry.append(row_index[row])
        traces.setdefault(network, {}).setdefault(layout, []).append(entry)  # m = 1, 2, ...
    return {
        "networks": list(MODEL_NAMES), "layouts": list(LAYOUTS), "max_batch": MAX_BATCH,
        "max_particles": MAX_PARTICLES, "input_mark": INPUT_MARK,
        "rows": rows,  # [name, operation, shape after the batch axis, parameters, multiply-adds per configuration]
        "errors": errors,
        "traces": traces,  # network -> layout -> for m = 1..MAX_PARTICLES: row indices, or an error's index
    }


def shape_trace_view(network="MLP", layout=LAYOUTS[0], B=32, m=20):
    """Everything the explorer shows for its controls, keyed as on the page (data-value), from shapes.shape_trace.

    {"shown", "message", "kind", "steps" (ShapeSteps), "parameters", "tinted" (rows named "forward")}.
    A control out of range, or an input the model does not accept, gives only a message (kind "error").
    """
    def error(message):
        return {"shown": {}, "message": message, "kind": "error", "steps": (), "parameters": None, "tinted": []}

    if not isinstance(network, str) or network not in MODEL_NAMES:
        return error(f"network must be one of {', '.join(MODEL_NAMES)}, got {network!r}")
    if not isinstance(layout, str) or layout not in LAYOUTS:
        return error(f"input layout must be one of {', '.join(LAYOUTS)}, got {layout!r}")
    for value, name, high in ((B, "batch size B", MAX_BATCH), (m, "particles m", MAX_PARTICLES)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value <= high:
            return error(f"{name} must be a whole number from 1 to {high:,}, got {value!r}")
    B, m = int(B), int(m)
    shape = _trace_input(layout, B, m)
    try:
        steps = shapes.shape_trace(_untrained_models()[network], torch.zeros(shape))
    except ValueError as err:
        return error(str(err))
    shown = {}
    for i, s in enumerate(steps):
        shown.update({f"shape-{i}": shapes.format_shape(s.shape, B), f"step-{i}": s.operation,
                      f"parameters-{i}": f"{s.parameters:,}" if s.parameters else "", f"name-{i}": s.name})
    total = sum(s.parameters for s in steps)
    shown.update({"input": shapes.format_shape(shape, B), "input-shape": str(shape),
                  "output": shapes.format_shape(steps[-1].shape, B), "total": total,
                  "multiply-adds": sum(s.multiply_adds for s in steps) // B})
    return {"shown": shown, "message": "", "kind": "", "steps": steps, "parameters": total,
            "tinted": [i for i, s in enumerate(steps) if s.name == "forward"]}


def shape_trace_vectors(count=40, seed=0):
    """[{"state", "shown", "message", "kind", "tinted"}]: control settings and what the page must show.

    Every network and layout with B in 1, 20, 1024 and m in 1, 20, 200 (B = m = 20 among them: an
    axis as long as the batch), errors included, then ``count`` random settings, seeded.
    """
    rng = np.random.default_rng(seed)
    states = [(network, layout, B, m) for network in MODEL_NAMES for layout in LAYOUTS
              for B in (1, 20, MAX_BATCH) for m in (1, 20, MAX_PARTICLES)]
    states += [("MLP", LAYOUTS[0], 3, 3), ("DeepSets", LAYOUTS[0], 64, 64), ("DeepSets", LAYOUTS[0], 60, 1)]
    for _ in range(count):
        states.append((list(MODEL_NAMES)[int(rng.integers(2))], LAYOUTS[int(rng.integers(2))],
                       int(rng.integers(1, MAX_BATCH + 1)),
                       20 if rng.random() < 0.3 else int(rng.integers(1, MAX_PARTICLES + 1))))
    vectors = []
    for network, layout, B, m in states:
        view = shape_trace_view(network, layout, B, m)
        vectors.append({"state": {"network": network, "layout": layout, "batch_size": B, "n_particles": m},
                        "shown": view["shown"], "message": view["message"], "kind": view["kind"],
                        "tinted": view["tinted"]})
    return vectors


class ShapeTraceWidget(BrowserWidget):
    """The front-end: network, layout, batch size and particles as traits; JavaScript does the rest."""

    _esm = module_source("shape_trace")
    network = traitlets.Unicode("MLP").tag(sync=True)
    input_layout = traitlets.Unicode(LAYOUTS[0]).tag(sync=True)  # not "layout": that is the widget's CSS layout
    batch_size = traitlets.Int(32).tag(sync=True)
    n_particles = traitlets.Int(20).tag(sync=True)


SHAPE_TRACE_CONTROLS = ("network", "input_layout", "batch_size", "n_particles")


class ShapeTraceExplorer(Explorer):
    """A batch traced through the MLP or DeepSets: each step's output shape and parameters.

    It computes in the browser, also on the static page. Drive it from Python through
    ``explorer.widget`` (traits ``network``, ``input_layout``, ``batch_size``, ``n_particles``) or
    ``set``; ``steps`` and ``parameters`` hold the library's trace, ``shown`` what the page shows.
    """

    def __init__(self, model="MLP", batch_size=32, n_particles=20, layout=LAYOUTS[0]):
        super().__init__()
        self.models = _untrained_models()
        self.widget = ShapeTraceWidget(network=model, input_layout=layout, batch_size=batch_size, n_particles=n_particles,
                                       config=shape_trace_config())
        self.ui = self.widget
        self.steps, self.parameters, self.shown, self.view = (), None, {}, {}
        self.widget.observe(self.update, names=list(SHAPE_TRACE_CONTROLS))
        self.update()

    def set(self, **values):
        """Set several of network, input_layout, batch_size and n_particles at once (one update)."""
        self._set_traits(SHAPE_TRACE_CONTROLS, values)

    def _update(self):
        self.steps, self.parameters, self.shown, self.view = (), None, {}, {}
        w = self.widget
        view = shape_trace_view(w.network, w.input_layout, w.batch_size, w.n_particles)
        self.view = view
        if view["kind"] == "error":
            raise ValueError(view["message"])
        self.steps, self.parameters, self.shown = view["steps"], view["parameters"], view["shown"]


def _degrees_axis(axis):
    x, y, z = (float(v) for v in axis)
    return math.degrees(math.atan2(y, x)), math.degrees(math.asin(max(-1.0, min(1.0, z))))


# ---- III(B): the augmentation explorer, computed in the browser (js/augmentation.js) ---------------

ANGLE_STEP = 5  # degrees: the sliders' step, and the grid random rotations are rounded to
ROTATION_DRAWS = 100  # random rotations shipped to the page: seeds 1..100, then again from 1
MAX_PERMUTATION_SEED = 99
MAX_SHIPPED_PARTICLES = 200_000  # particles (all configurations together) the page can hold
UNCHANGED = 1e-12  # a relative change of P below this is float64 rounding, not a change


@functools.lru_cache(maxsize=1)
def _training_set():
    return particles.make_dataset(particles.N_TRAIN, seed=0)[0]


def _shipped_dtype(X):
    """float32 for data of float32 precision or less (the book's), float64 otherwise: both exact."""
    return torch.float32 if X.dtype in (torch.float16, torch.bfloat16, torch.float32) else torch.float64


def augmentation_data(X=None):
    """(n, m, 3) tensor -> the configurations as the page gets them: float32 or float64, exactly X's values."""
    X = _training_set() if X is None else _dataset(X)
    if X.shape[1] < 2:
        raise ValueError("X must hold at least 2 particles per configuration (P sums over pairs), "
                         f"got shape {tuple(X.shape)}")
    if X.shape[0] * X.shape[1] > MAX_SHIPPED_PARTICLES:
        raise ValueError(f"X holds {X.shape[0]:,} configurations of {X.shape[1]} particles; the explorer sends them all "
                         f"to the page: give at most {MAX_SHIPPED_PARTICLES:,} particles in all (fewer configurations)")
    if X.is_complex() or X.dtype == torch.bool:
        raise TypeError(f"X must hold real coordinates, got dtype {X.dtype}")
    return X.detach().cpu().to(_shipped_dtype(X))


def _encode_values(values):
    """A float32 or float64 array -> {"dtype", "data"}: base64 of its little-endian bytes in byte planes.

    Every value's first byte, then every value's second byte, ...: the same bytes, but the planes
    of signs and exponents repeat and compress well in the page.
    """
    values = np.asarray(values)
    dtype = {np.dtype(np.float32): "<f4", np.dtype(np.float64): "<f8"}[values.dtype]
    raw = np.ascontiguousarray(values, dtype=dtype).reshape(-1).view(np.uint8)
    planes = raw.reshape(-1, np.dtype(dtype).itemsize).T
    return {"dtype": "float32" if dtype == "<f4" else "float64",
            "data": base64.b64encode(planes.tobytes()).decode("ascii")}


def _encode_configurations(X):
    """(n, m, 3) float32 or float64 tensor -> {"count", "particles", "dtype", "data"} for the page (see _encode_values)."""
    values = X.numpy()
    if values.dtype not in (np.float32, np.float64):
        raise TypeError(f"X must be float32 or float64 (see augmentation_data), got {values.dtype}")
    n, m, _ = values.shape
    return {"count": n, "particles": m, **_encode_values(values)}


def _decode_configurations(encoded):
    """The inverse of _encode_configurations: -> (n, m, 3) tensor, the very values the page holds."""
    dtype = {"float32": np.dtype("<f4"), "float64": np.dtype("<f8")}[encoded["dtype"]]
    planes = np.frombuffer(base64.b64decode(encoded["data"]), dtype=np.uint8).reshape(dtype.itemsize, -1)
    values = planes.T.copy().view(dtype).reshape(encoded["count"], encoded["particles"], 3)
    return torch.from_numpy(values.astype(dtype.newbyteorder("=")))


def random_rotation_draw(seed):
    """seed k >= 1 -> (azimuth, elevation, angle) in degrees: the uniform random rotation drawn with seed k,
    its axis and angle rounded to the sliders' 5° grid."""
    axis, angle = rotations.rotation_axis_angle(_random_rotation(seed))
    azimuth, elevation = _degrees_axis(axis)
    return tuple(float(round(v / ANGLE_STEP) * ANGLE_STEP) for v in (azimuth, elevation, math.degrees(angle)))


@functools.lru_cache(maxsize=1)
def rotation_draws():
    """((azimuth, elevation, angle), ...) of the random rotations the page holds: seeds 1..ROTATION_DRAWS."""
    return tuple(random_rotation_draw(k) for k in range(1, ROTATION_DRAWS + 1))


def draw_seed(draws):
    """The seed of the draws-th press of "random rotation": 1..ROTATION_DRAWS, then again from 1; 0: none yet."""
    draws = _whole(draws, "draws", 0, math.inf)
    return 0 if draws == 0 else (draws - 1) % ROTATION_DRAWS + 1


def _whole(value, name, low, high):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        upper = f"from {low} to {high}" if high < math.inf else f"of at least {low}"
        raise ValueError(f"{name} must be a whole number {upper}, got {value!r}")
    return int(value)


def _degrees(value, name, limit):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not -limit <= value <= limit:
        raise ValueError(f"{name} must be a number of degrees from -{limit} to {limit}, got {value!r}")
    return float(value)


def augmentation_view(index, azimuth, elevation, angle, permutation_seed, draws=0, X=None):
    """Everything the explorer shows for its controls, keyed as on the page (data-value), and what it computed.

    {"shown", "message", "kind", "R", "axis", "permutation", "configuration", "moved", "energy_before",
    "energy_after"}; a control out of its range gives only a message (kind "error"). ``X`` as
    augmentation_data returns it (None: the book's training set); ``draws``: how often "random
    rotation" was pressed.
    """
    X = augmentation_data(X)
    n, m, _ = X.shape
    try:
        index = _whole(index, "configuration", 0, n - 1)
        azimuth = _degrees(azimuth, "axis azimuth", 180)
        elevation = _degrees(elevation, "axis elevation", 90)
        angle = _degrees(angle, "angle", 180)
        permutation_seed = _whole(permutation_seed, "permutation seed", 0, MAX_PERMUTATION_SEED)
        draws = _whole(draws, "random rotations drawn", 0, math.inf)
        x = X[index].to(torch.float64)  # (m, 3): exactly the values the page holds
        if not bool(torch.isfinite(x).all()):
            raise ValueError(f"configuration {index} of X has coordinates that are not finite numbers: choose another")
    except ValueError as err:
        return {"shown": {}, "message": str(err), "kind": "error"}
    axis = rotations.axis_from_angles(azimuth, elevation)
    R = rotations.axis_angle_rotation(axis, math.radians(angle))
    perm = _permutation(permutation_seed, m)
    moved = augment.apply_permutations(augment.apply_rotations(x[None], R[None]), perm[None])[0]  # (m, 3)
    before, after = (float(v) for v in particles.target(torch.stack([x, moved])))
    change = abs(after - before)
    relative = change / abs(before) if before else (0.0 if change == 0 else math.inf)
    det = float(torch.linalg.det(R))
    orthogonality = float((R.T @ R - torch.eye(3, dtype=R.dtype)).abs().max())
    seed = draw_seed(draws)
    shown = {
        "before": before, "after": after, "change": change, "det": det, "orthogonality": orthogonality,
        "moved": int((perm != torch.arange(m)).sum()), "particles": m, "relative": relative,
        "verdict": "P unchanged" if relative <= UNCHANGED else "P changed",
        "angle-abs": abs(angle), **{f"axis-{k}": float(axis[k]) for k in range(3)},
        "permutation": "no permutation" if permutation_seed == 0 else f"permutation seed {permutation_seed}",
        "figure-before": before, "figure-after": after,
        "draw-seed": seed if seed else "none yet",
    }
    return {"shown": shown, "message": "", "kind": "", "R": R, "axis": axis, "permutation": perm,
            "configuration": x, "moved": moved, "energy_before": before, "energy_after": after}


def augmentation_noise(view):
    """Round-off the browser may differ by, per key of ``view["shown"]``.

    The page repeats the library's float64 arithmetic in another order (and with its own sin,
    cos and exp), so |change|, the relative change and max |RᵀR − I|, which are round-off
    themselves, agree only to within a few units of float64 rounding; the verdict they support
    ("P unchanged") must agree exactly.
    """
    if not view["shown"]:
        return {}
    eps = float(np.finfo(np.float64).eps)
    scale = max(1.0, abs(view["energy_before"]))
    return {"change": 256 * eps * scale, "relative": 256 * eps * scale / max(abs(view["energy_before"]), 1e-300),
            "orthogonality": 16 * eps}


def augmentation_config(X=None):
    """What the JavaScript needs: the configurations, the seeded permutations and random rotations, the view."""
    X = augmentation_data(X)
    m = X.shape[1]
    return {
        "configurations": _encode_configurations(X),
        # seed k of the slider -> permutations[k - 1]; seed 0 keeps the order
        "permutations": [_permutation(k, m).tolist() for k in range(1, MAX_PERMUTATION_SEED + 1)],
        "draws": [list(d) for d in rotation_draws()],
        "step": ANGLE_STEP,
        "unchanged": UNCHANGED,
        "view": {"azimuth": VIEW["azim"], "elevation": VIEW["elev"]},
        "colors": COLORS,
    }


def augmentation_vectors(count=150, seed=0):
    """[{"state", "shown", "noise", "message", "kind"}]: control settings, in order, and what the page must show.

    A state sets index, azimuth, elevation, angle and permutation_seed, or presses "random
    rotation" ``clicks`` times (azimuth, elevation and angle are then that draw's): states are
    meant to be applied in the order given, from the explorer as the page starts (no draw yet).
    The edges of every control, random rotations past the last shipped draw (they repeat), then
    ``count`` random settings, seeded.
    """
    rng = np.random.default_rng(seed)
    n = len(_training_set())
    grid = lambda low, high: np.arange(low, high + ANGLE_STEP, ANGLE_STEP)  # noqa: E731
    states, draws = [], 0

    def add(index, azimuth, elevation, angle, permutation_seed, clicks=0):
        nonlocal draws
        draws += clicks
        if clicks:
            azimuth, elevation, angle = rotation_draws()[draw_seed(draws) - 1]
        states.append({"index": int(index), "azimuth": float(azimuth), "elevation": float(elevation),
                       "angle": float(angle), "permutation_seed": int(permutation_seed), "clicks": clicks,
                       "draws": draws})

    for angle in (-180, -5, 0, 5, 90, 180):
        for elevation in (-90, 0, 90):
            add(0, 30, elevation, angle, 0)
    for azimuth in (-180, -90, 0, 90, 180):
        add(n - 1, azimuth, 45, 120, MAX_PERMUTATION_SEED)
    for index, permutation_seed in ((0, 0), (0, 1), (n - 1, 0), (n - 1, MAX_PERMUTATION_SEED), (1, 50)):
        add(index, -180, -90, -180, permutation_seed)
    for clicks in (1, 1, 1, 2, 5):
        add(int(rng.integers(n)), 0, 0, 0, int(rng.integers(MAX_PERMUTATION_SEED + 1)), clicks)
    add(7, 0, 0, 0, 3, ROTATION_DRAWS - draws)  # the last shipped draw
    add(8, 0, 0, 0, 4, 1)  # and the first again
    for _ in range(count):
        clicks = int(rng.integers(1, 4)) if rng.random() < 0.2 else 0
        add(int(rng.integers(n)), float(rng.choice(grid(-180, 180))), float(rng.choice(grid(-90, 90))),
            float(rng.choice(grid(-180, 180))), int(rng.integers(MAX_PERMUTATION_SEED + 1)), clicks)
    vectors = []
    for s in states:
        view = augmentation_view(*(s[k] for k in ("index", "azimuth", "elevation", "angle", "permutation_seed", "draws")))
        vectors.append({"state": s, "shown": view["shown"], "noise": augmentation_noise(view),
                        "message": view["message"], "kind": view["kind"]})
    return vectors


class AugmentationWidget(BrowserWidget):
    """The front-end: the controls as traits (``draws``: presses of "random rotation"); JavaScript computes the rest."""

    _esm = module_source("augmentation", parts=("configuration3d",))
    index = traitlets.Int(0).tag(sync=True)
    azimuth = traitlets.Float(30.0).tag(sync=True)
    elevation = traitlets.Float(40.0).tag(sync=True)
    angle = traitlets.Float(90.0).tag(sync=True)
    permutation_seed = traitlets.Int(0).tag(sync=True)
    draws = traitlets.Int(0).tag(sync=True)


AUGMENTATION_CONTROLS = ("index", "azimuth", "elevation", "angle", "permutation_seed")


class AugmentationExplorer(Explorer):
    """Rotate (axis and angle, or a random draw) and permute one configuration; P stays, the picture moves.

    It computes and draws in the browser, also on the static page. Drive it from Python through
    ``explorer.widget`` (traits ``index``, ``azimuth``, ``elevation``, ``angle`` in degrees,
    ``permutation_seed``), ``set``, ``draw_random_rotation`` or ``no_rotation``; ``shown`` holds
    what the page shows, ``R``, ``permutation``, ``energy_before`` and ``energy_after`` the
    library's results.
    """

    def __init__(self, index=0, azimuth=30.0, elevation=40.0, angle=90.0, permutation_seed=0, X=None):
        super().__init__()
        self.X = augmentation_data(X)
        self.widget = AugmentationWidget(index=int(index), azimuth=float(azimuth), elevation=float(elevation),
                                         angle=float(angle), permutation_seed=int(permutation_seed),
                                         config=augmentation_config(self.X))
        self.ui = self.widget
        self.shown, self.view = {}, {}
        self.R = self.permutation = self.energy_before = self.energy_after = None
        self.widget.observe(self.update, names=[*AUGMENTATION_CONTROLS, "draws"])
        self.update()

    @property
    def rotation_seed(self):
        """The seed of the last random rotation drawn (1..ROTATION_DRAWS, then again from 1); 0: none yet."""
        return draw_seed(self.widget.draws)

    def set(self, **values):
        """Set several of index, azimuth, elevation, angle and permutation_seed at once (one update)."""
        self._set_traits(AUGMENTATION_CONTROLS, values, convert=dict.fromkeys(("azimuth", "elevation", "angle"), float))

    def draw_random_rotation(self):
        """Draw the next uniform random rotation and set the axis and angle sliders to it (5° grid)."""
        azimuth, elevation, angle = rotation_draws()[draw_seed(self.widget.draws + 1) - 1]
        self._holding = True
        try:
            with self.widget.hold_sync():
                self.widget.draws += 1
                self.widget.azimuth, self.widget.elevation, self.widget.angle = azimuth, elevation, angle
        finally:
            self._holding = False
        self.update()

    def no_rotation(self):
        """Set the angle to 0: the configuration as stored, permuted only."""
        self.set(angle=0.0)

    def _update(self):
        self.shown, self.view = {}, {}
        self.R = self.permutation = self.energy_before = self.energy_after = None
        w = self.widget
        view = augmentation_view(w.index, w.azimuth, w.elevation, w.angle, w.permutation_seed, w.draws, self.X)
        self.shown, self.view = view["shown"], view
        if view["kind"] == "error":
            raise ValueError(view["message"])
        self.R, self.permutation = view["R"], view["permutation"]
        self.energy_before, self.energy_after = view["energy_before"], view["energy_after"]


# ---- III(C): the permutation explorer, computed in the browser (js/permutation.js) ------------------
#
# The page gets the configurations, the seeded permutations and rotations, and the library's
# outputs of P (float64) and of the untrained MLP and DeepSets (float32) for every configuration
# and every copy, computed here; the JavaScript builds the configuration it draws from the
# permutations and rotations, and takes the differences, the largest change and the verdict.

PERMUTATION_COPIES = 30  # the permuted copies of each configuration: seeds 1..30 (seed 0 is the original)
ROTATION_SEED_OFFSET = 1000  # "also rotate": copy k is also rotated by the rotation drawn with seed 1000 + k
INVARIANT_BELOW = 1e-5  # a largest change below this times max(1, |output|) is float rounding
CHANGE_FLOOR = 1e-18  # where the figure draws a change of exactly 0
MAX_PERMUTATION_CONFIGURATIONS = 1000  # configurations whose outputs the page can hold
OUTPUTS = ("P", *MODEL_NAMES)  # the outputs compared, in the order of the table and the figure
OUTPUT_COLOURS = {"P": COLORS["grey"], "MLP": COLORS["green"], "DeepSets": COLORS["orange"]}


@functools.lru_cache(maxsize=1)
def _untrained_models():
    return seeded_models()


def permutation_data(X=None):
    """X (None: the book's training set) as the permutation explorer uses it: (n, 20, 3), float32 or float64.

    The MLP takes exactly 20 particles; the page holds every configuration's outputs, so at most
    MAX_PERMUTATION_CONFIGURATIONS of them.
    """
    X = _training_set() if X is None else _dataset(X)
    n, m, _ = X.shape
    if X.is_complex() or not X.is_floating_point():
        raise TypeError(f"X must hold real coordinates as floating-point numbers, got dtype {X.dtype}")
    if m != particles.N_PARTICLES:
        raise ValueError(f"X must hold configurations of {particles.N_PARTICLES} particles (the MLP's input), "
                         f"got shape {tuple(X.shape)}")
    if not 1 <= n <= MAX_PERMUTATION_CONFIGURATIONS:
        raise ValueError(f"X holds {n:,} configurations; the explorer sends the outputs of each to the page: give "
                         f"from 1 to {MAX_PERMUTATION_CONFIGURATIONS:,} (e.g. X[:{MAX_PERMUTATION_CONFIGURATIONS}])")
    if not bool(torch.isfinite(X).all()):
        raise ValueError("X has coordinates that are not finite numbers (NaN or infinite): every one must be finite")
    return X.detach().cpu().to(torch.float32 if X.dtype in (torch.float16, torch.bfloat16, torch.float32)
                               else torch.float64)


@functools.lru_cache(maxsize=4)
def _permutation_transforms(m=particles.N_PARTICLES):
    """(permutations (S, m), rotations (S, 3, 3) float64) of copies 1..S: permutation seed k, rotation seed 1000 + k."""
    seeds = range(1, PERMUTATION_COPIES + 1)
    return (torch.stack([_permutation(k, m) for k in seeds]),
            torch.stack([_random_rotation(ROTATION_SEED_OFFSET + k) for k in seeds]))


def _permutation_batch(x):
    """(m, 3) -> (1 + 2S, m, 3) float64: the configuration, its S permuted copies, the same copies rotated."""
    x = x.detach().to(torch.float64)  # transform in float64, so that P stays exact
    perms, R = _permutation_transforms(len(x))
    copies = augment.apply_permutations(x.expand(len(perms), *x.shape), perms)  # (S, m, 3)
    return torch.cat([x[None], copies, augment.apply_rotations(copies, R)])


def _outputs_of(batch):
    """(B, m, 3) float64 -> {"P": (B,) float64, "MLP": (B,) float32, "DeepSets": (B,) float32}, as NumPy arrays.

    One configuration and its copies make one batch: the models' float32 results depend (in the
    last bits) on what else is in the batch, so the page and ``permutation_view`` both use these.
    """
    # One thread: on batches this small a second one only adds waiting (ten times slower for the
    # 500 configurations on a busy two-core machine), and the results are the same.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with torch.no_grad():
            values = {"P": particles.target(batch).numpy()}
            for label, model in _untrained_models().items():
                values[label] = model(batch.to(torch.float32)).numpy()
    finally:
        torch.set_num_threads(threads)
    return values


def permutation_outputs(X=None):
    """{"P", "MLP", "DeepSets"} -> (n, 1 + 2S) arrays: each configuration's outputs on _permutation_batch of it."""
    X = permutation_data(X)
    rows = [_outputs_of(_permutation_batch(x)) for x in X]
    return {label: np.stack([r[label] for r in rows]) for label in OUTPUTS}


def permutation_config(X=None):
    """What the JavaScript needs: configurations, permutations, rotations, the library's outputs, the look."""
    X = permutation_data(X)
    perms, R = _permutation_transforms(X.shape[1])
    return {
        "count": X.shape[0], "particles": X.shape[1], "copies": PERMUTATION_COPIES,
        "configurations": _encode_configurations(X),  # (n, m, 3)
        "outputs": {label: _encode_values(v) for label, v in permutation_outputs(X).items()},  # (n, 1 + 2S) each
        "permutations": perms.tolist(),
        "rotations": R.tolist(),  # float64, exact through JSON
        "rotation_offset": ROTATION_SEED_OFFSET,
        "invariant_below": INVARIANT_BELOW,
        "floor": CHANGE_FLOOR,
        "model_seed": MODEL_SEED,
        "output_colors": OUTPUT_COLOURS,
        "view": {"azimuth": VIEW["azim"], "elevation": VIEW["elev"]},
        "colors": COLORS,
    }


def another_permutation_seed(seed):
    """The seed the "another permutation" button moves to: the next one, after the last the first (30 -> 1)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed <= PERMUTATION_COPIES:
        raise ValueError(f"seed must be a whole number from 0 to {PERMUTATION_COPIES}, got {seed!r}")
    return int(seed) % PERMUTATION_COPIES + 1


def _output_key(label):
    return label.lower()


def permutation_view(index=0, seed=1, rotate=False, X=None):
    """Everything the explorer shows for its controls, keyed as on the page (data-value), and what it computed.

    {"shown", "message", "kind", "outputs" ({label: (original, now)}), "changes" ({label: (S,) |change|
    per copy}), "unchanged" (labels), "configuration" ((m, 3) float64: the configuration drawn)}.
    A control out of its range gives only a message (kind "error").
    """
    X = permutation_data(X)
    n = len(X)
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or not 0 <= index < n:
        return {"shown": {}, "message": f"configuration must be a whole number from 0 to {n - 1}, got {index!r}",
                "kind": "error"}
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed <= PERMUTATION_COPIES:
        return {"shown": {}, "message": f"permutation seed must be a whole number from 0 to {PERMUTATION_COPIES}, "
                                        f"got {seed!r}", "kind": "error"}
    if not isinstance(rotate, (bool, np.bool_)):
        return {"shown": {}, "message": f"also rotate must be True or False, got {rotate!r}", "kind": "error"}
    index, seed, rotate = int(index), int(seed), bool(rotate)
    S = PERMUTATION_COPIES
    batch = _permutation_batch(X[index])
    columns = [0, *range(1 + S, 1 + 2 * S)] if rotate else list(range(1 + S))  # the original, then copies 1..S
    values = {label: v[columns].astype(np.float64) for label, v in _outputs_of(batch).items()}
    outputs = {label: (float(v[0]), float(v[seed])) for label, v in values.items()}
    changes = {label: np.abs(v[1:] - v[0]) for label, v in values.items()}
    unchanged = [label for label in OUTPUTS
                 if changes[label].max() < INVARIANT_BELOW * max(1.0, abs(outputs[label][0]))]
    what = "permutation and rotation" if rotate else "permutation"
    shown = {"after": f"after {what} {seed}" if seed else "original (seed 0)",
             "unchanged": ", ".join(unchanged) or "none"}
    for label in OUTPUTS:
        key = _output_key(label)
        original, now = outputs[label]
        shown.update({f"{key}-original": original, f"{key}-now": now, f"{key}-change": abs(now - original),
                      f"{key}-largest": float(changes[label].max())})
    return {"shown": shown, "message": "", "kind": "", "outputs": outputs, "changes": changes,
            "unchanged": unchanged, "configuration": batch[columns[seed]].numpy()}


def permutation_vectors(count=40, seed=0):
    """[{"state", "shown", "message", "kind", "configuration"}]: control settings and what the page must show.

    A state sets index, seed and rotate, then presses "another permutation" ``press`` times; the
    page then shows the seed ``another_permutation_seed`` reached. Both ends of every control,
    the button past the last seed (30 -> 1), then ``count`` random settings, seeded.
    ``configuration`` is the configuration drawn, as nested lists.
    """
    rng = np.random.default_rng(seed)
    n, S = len(_training_set()), PERMUTATION_COPIES
    states = [(index, s, rotate, 0) for index in (0, n - 1) for s in (0, 1, S) for rotate in (False, True)]
    states += [(0, S, False, 1), (n - 1, S, True, 1), (3, 0, True, 1), (4, S - 1, False, 2), (5, 7, True, S)]
    for _ in range(count):
        press = int(rng.integers(1, 4)) if rng.random() < 0.25 else 0
        states.append((int(rng.integers(n)), int(rng.integers(S + 1)), bool(rng.random() < 0.5), press))
    vectors = []
    for index, s, rotate, press in states:
        shown_seed = s
        for _ in range(press):
            shown_seed = another_permutation_seed(shown_seed)
        view = permutation_view(index, shown_seed, rotate)
        vectors.append({"state": {"index": index, "seed": s, "rotate": rotate, "press": press},
                        "shown": view["shown"], "message": view["message"], "kind": view["kind"],
                        "configuration": view["configuration"].tolist()})
    return vectors


class PermutationWidget(BrowserWidget):
    """The front-end: configuration index, permutation seed and "also rotate" as traits; JavaScript does the rest."""

    _esm = module_source("permutation", parts=("configuration3d",))
    index = traitlets.Int(0).tag(sync=True)
    seed = traitlets.Int(1).tag(sync=True)
    rotate = traitlets.Bool(False).tag(sync=True)


class PermutationExplorer(Explorer):
    """Permute (and optionally rotate) a configuration; watch P, DeepSets and the MLP.

    It computes and draws in the browser, also on the static page. Drive it from Python through
    ``explorer.widget`` (traits ``index``, ``seed``, ``rotate``), ``set`` or
    ``another_permutation``; ``shown`` holds what the page shows, ``outputs`` ({label: (original,
    now)}) and ``changes`` ({label: |change| for seeds 1..30}) the library's results.
    """

    N_SEEDS = PERMUTATION_COPIES

    def __init__(self, index=0, seed=1, rotate=False, X=None):
        super().__init__()
        self.X = permutation_data(X)
        self.models = _untrained_models()
        self.widget = PermutationWidget(index=index, seed=seed, rotate=rotate, config=permutation_config(self.X))
        self.ui = self.widget
        self.shown, self.view, self.outputs, self.changes = {}, {}, {}, {}
        self.widget.observe(self.update, names=["index", "seed", "rotate"])
        self.update()

    @property
    def configuration(self):
        """(m, 3) float64: the configuration drawn, as the models see it (None after a bad setting)."""
        return self.view.get("configuration")

    def set(self, **values):
        """Set several of index, seed and rotate at once (one update)."""
        self._set_traits(("index", "seed", "rotate"), values)

    def another_permutation(self):
        """Press "another permutation": the next seed, after the last the first."""
        self.widget.seed = another_permutation_seed(self.widget.seed)

    def _update(self):
        self.shown, self.view, self.outputs, self.changes = {}, {}, {}, {}
        w = self.widget
        view = permutation_view(w.index, w.seed, w.rotate, self.X)
        self.shown, self.view = view["shown"], view
        if view["kind"] == "error":
            raise ValueError(view["message"])
        self.outputs, self.changes = view["outputs"], view["changes"]


# ---- III(D): φ embeddings inside DeepSets, computed in the browser (js/embedding.js) -----------------
#
# Shipping every output would be heavy (500 configurations x 20 particles x 64 features), so the
# page runs the untrained seeded DeepSets itself: it gets its 19,009 float32 weights, the
# configurations (float32, the network's precision) and, for each permutation seed, the ranks
# of the seed's uniform draws, from which the permutation of every number of particles follows
# (augment.random_permutations argsorts uniforms: the first m of them give the permutation of m).
# ``embedding_view`` computes what the page shows with PyTorch; the page's float32 arithmetic runs
# in another order, so ``embedding_noise`` allows float32 round-off per key.

EMBEDDING_SEEDS = MAX_PERMUTATION_SEED  # permutation seeds 0..99
EPS32 = float(np.finfo(np.float32).eps)


def embedding_data(X=None):
    """X (None: the book's training set) as the embedding explorer uses it: (n, m, 3) float32, m >= 1.

    The network computes in float32, so the configurations go to it (and to the page) as float32.
    """
    X = _training_set() if X is None else _dataset(X)
    n, m, _ = X.shape
    if X.is_complex() or not X.is_floating_point():
        raise TypeError(f"X must hold real coordinates as floating-point numbers, got dtype {X.dtype}")
    if n < 1 or m < 1:
        raise ValueError(f"X must hold at least one configuration of at least one particle, got shape {tuple(X.shape)}")
    if n * m > MAX_SHIPPED_PARTICLES:
        raise ValueError(f"X holds {n:,} configurations of {m} particles; the explorer sends them all to the page: "
                         f"give at most {MAX_SHIPPED_PARTICLES:,} particles in all (fewer configurations)")
    X = X.detach().cpu().to(torch.float32)
    if not bool(torch.isfinite(X).all()):
        raise ValueError("X has coordinates that are not finite numbers in float32 (NaN, infinite or beyond "
                         "3.4e38): every one must be finite")
    return X


def _embedding_layers(model):
    """[(part, weight (out, in), bias (out,))] of DeepSets' Linear layers, φ's then ρ's, in order."""
    return [(part, layer.weight.detach(), layer.bias.detach())
            for part in ("phi", "rho") for layer in getattr(model, part).layers if isinstance(layer, torch.nn.Linear)]


@functools.lru_cache(maxsize=4)
def permutation_ranks(m):
    """(EMBEDDING_SEEDS, m) long tensor: row k - 1 holds the rank of each of seed k's m uniform draws.

    The permutation of seed k for the first j particles is argsort(ranks[k - 1, :j]) (checked here
    for every j): the page rebuilds every permutation from these ranks and draws nothing itself.
    """
    ranks = []
    for seed in range(1, EMBEDDING_SEEDS + 1):
        rank = torch.empty(m, dtype=torch.long)
        rank[_permutation(seed, m)] = torch.arange(m)
        for j in range(1, m + 1):
            if not torch.equal(rank[:j].argsort(), _permutation(seed, j)):
                raise RuntimeError(f"the permutation of seed {seed} for {j} particles is not the order of the first "
                                   f"{j} of the {m} draws: this PyTorch draws permutations another way")
        ranks.append(rank)
    return torch.stack(ranks)


@functools.lru_cache(maxsize=1)
def rdbu_r_colours(n=256):
    """matplotlib's RdBu_r as its n colours (hex), the table imshow picks from."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    cmap = colormaps["RdBu_r"].resampled(n)
    return tuple(to_hex(cmap(i)) for i in range(n))


def embedding_config(X=None):
    """What the JavaScript needs: the configurations, DeepSets' weights, the permutation ranks, the colours."""
    X = embedding_data(X)
    layers = _embedding_layers(_untrained_models()["DeepSets"])
    weights = torch.cat([t.reshape(-1) for _, W, b in layers for t in (W, b)]).to(torch.float32)
    return {
        "count": X.shape[0], "particles": X.shape[1], "seeds": EMBEDDING_SEEDS,
        "configurations": _encode_configurations(X),  # (n, m, 3) float32
        "layers": [{"part": part, "out": W.shape[0], "in": W.shape[1]} for part, W, _ in layers],
        "weights": _encode_values(weights.numpy()),  # each layer's W (row-major), then its b
        "ranks": permutation_ranks(X.shape[1]).tolist(),
        "eps": EPS32,
        "colormap": list(rdbu_r_colours()),
        "model_seed": MODEL_SEED,
    }


def _pooled_bound(features):
    """(m - 1) ε max_k Σ_i |φ_ik|: how far two float32 sums of the rows, in any two orders, can differ."""
    m = features.shape[0]
    return (m - 1) * EPS32 * float(features.abs().sum(dim=0).max())


def embedding_view(index=0, seed=0, n_particles=20, X=None):
    """Everything the explorer shows for its controls, keyed as on the page (data-value), and what it computed.

    {"shown", "message", "kind", "permutation", "features" ((m, 64): φ of the rows as shown),
    "pooled", "output", "reference_output", "reference_pooled"}; a control out of its range gives
    only a message (kind "error").
    """
    X = embedding_data(X)
    n, M, _ = X.shape
    try:
        index = _whole(index, "configuration", 0, n - 1)
        seed = _whole(seed, "permutation seed", 0, EMBEDDING_SEEDS)
        m = _whole(n_particles, "particles used", 1, M)
    except ValueError as err:
        return {"shown": {}, "message": str(err), "kind": "error"}
    model = _untrained_models()["DeepSets"]
    x = X[index, :m]  # (m, 3): the first m particles as stored
    perm = _permutation(seed, m)
    with torch.no_grad():
        features = model.phi(x[perm][None])[0]  # (m, 64): row i is particle perm[i]
        pooled = features.sum(dim=0)  # (64,)
        output = float(model.rho(pooled[None])[0])
        reference_pooled = model.phi(x[None])[0].sum(dim=0)  # the stored order
        reference = float(model.rho(reference_pooled[None])[0])
    difference = float((pooled - reference_pooled).abs().max())
    bound = _pooled_bound(features)
    scale = max(float(features.abs().max()), 1e-12)
    total = max(float(pooled.abs().max()), 1e-12)
    shown = {
        "particles": m, "output": output, "reference": reference, "difference": difference, "bound": bound,
        "verdict": "float32 round-off" if difference <= bound else "more than float32 round-off",
        "scale": scale, "total": total, "figure-output": output,
        "order": ", ".join(str(int(j)) for j in perm),
        **{f"phi-{i}-{k}": float(v) for i, row in enumerate(features) for k, v in enumerate(row)},
        **{f"sum-{k}": float(v) for k, v in enumerate(pooled)},
    }
    return {"shown": shown, "message": "", "kind": "", "permutation": perm, "features": features.numpy(),
            "pooled": pooled.numpy(), "output": output, "reference_output": reference,
            "reference_pooled": reference_pooled.numpy()}


def embedding_noise(view):
    """Round-off the browser may differ by, per key of ``view["shown"]``.

    The page computes in float32 too, in another order: φ's entries agree to a few ε of their
    largest, the sums to a few ε of Σ|φ|, F to a few ε of its inputs' scale. The difference of
    the two orders' sums is round-off itself: each side's own, both below the bound shown.
    """
    if not view["shown"]:
        return {}
    features = torch.as_tensor(view["features"])
    shown = view["shown"]
    absum = float(features.abs().sum(dim=0).max())
    noise = {"output": 8 * EPS32 * max(1.0, shown["total"]), "reference": 8 * EPS32 * max(1.0, shown["total"]),
             "figure-output": 8 * EPS32 * max(1.0, shown["total"]),
             "difference": shown["bound"], "bound": 16 * EPS32 * shown["bound"],
             "scale": 16 * EPS32 * shown["scale"], "total": 16 * EPS32 * absum}
    noise.update({key: 16 * EPS32 * shown["scale"] for key in shown if key.startswith("phi-")})
    noise.update({key: 16 * EPS32 * absum for key in shown if key.startswith("sum-")})
    return noise


def embedding_vectors(count=30, seed=0):
    """[{"state", "shown", "noise", "message", "kind"}]: control settings and what the page must show.

    Both ends of every control (configurations 0 and the last, seeds 0, 1 and 99, 1, 2 and all
    particles) in every combination, then ``count`` random settings, seeded.
    """
    rng = np.random.default_rng(seed)
    n, M = len(_training_set()), particles.N_PARTICLES
    states = [(index, s, m) for index in (0, n - 1) for s in (0, 1, EMBEDDING_SEEDS) for m in (1, 2, M)]
    for _ in range(count):
        states.append((int(rng.integers(n)), int(rng.integers(EMBEDDING_SEEDS + 1)), int(rng.integers(1, M + 1))))
    vectors = []
    for index, s, m in states:
        view = embedding_view(index, s, m)
        vectors.append({"state": {"index": index, "seed": s, "n_particles": m}, "shown": view["shown"],
                        "noise": embedding_noise(view), "message": view["message"], "kind": view["kind"]})
    return vectors


class EmbeddingWidget(BrowserWidget):
    """The front-end: configuration index, permutation seed and particles used as traits; JavaScript does the rest."""

    _esm = module_source("embedding", parts=("configuration3d",))
    index = traitlets.Int(0).tag(sync=True)
    seed = traitlets.Int(0).tag(sync=True)
    n_particles = traitlets.Int(20).tag(sync=True)


EMBEDDING_CONTROLS = ("index", "seed", "n_particles")


class EmbeddingExplorer(Explorer):
    """DeepSets from the inside: φ of every particle, their sum, and F = ρ(sum), under permutations.

    It computes and draws in the browser, also on the static page. Drive it from Python through
    ``explorer.widget`` (traits ``index``, ``seed``, ``n_particles``) or ``set``; ``shown`` holds
    what the page shows, ``pooled``, ``output`` and ``reference_output`` the library's results.
    """

    def __init__(self, index=0, seed=0, n_particles=20, X=None):
        super().__init__()
        self.X = embedding_data(X)
        self.model = _untrained_models()["DeepSets"]
        m = self.X.shape[1]
        if n_particles > m:
            raise ValueError(f"n_particles must be at most the {m} particles X holds per configuration, "
                             f"got {n_particles}")
        self.widget = EmbeddingWidget(index=index, seed=seed, n_particles=n_particles, config=embedding_config(self.X))
        self.ui = self.widget
        self.shown, self.view = {}, {}
        self.widget.observe(self.update, names=list(EMBEDDING_CONTROLS))
        self.update()

    @property
    def pooled(self):
        """(64,) float32: Σ_i φ(x_i) in the permuted order (None after a bad setting)."""
        return self.view.get("pooled")

    @property
    def output(self):
        """F of the permuted configuration, float (None after a bad setting)."""
        return self.view.get("output")

    @property
    def reference_output(self):
        """F of the first particles in the stored order, float (None after a bad setting)."""
        return self.view.get("reference_output")

    def set(self, **values):
        """Set several of index, seed and n_particles at once (one update)."""
        self._set_traits(EMBEDDING_CONTROLS, values)

    def _update(self):
        self.shown, self.view = {}, {}
        w = self.widget
        view = embedding_view(w.index, w.seed, w.n_particles, self.X)
        self.shown, self.view = view["shown"], view
        if view["kind"] == "error":
            raise ValueError(view["message"])
