"""Explorer of I(F): edit a symmetric 3×3 matrix, see its eigenvalues, rank and explained variance.

The explorer computes and draws in the browser (``js/pca.js``), so it also works on the static
page. ``covariance_view`` computes, with ``dlexam.pca``, every value it shows; the explorer keeps
it up to date for Python, and ``view_vectors`` lets the browser tests check the page against it.
"""

import math

import numpy as np
import traitlets

from .. import pca
from ..plots.style import COLORS
from .base import Explorer
from .frontend import BrowserWidget, module_source

# Entries beyond this are a typing slip, and their squares would leave double precision.
MAX_ENTRY = 1e6

PRESETS = {
    "I(F): row 2 = 2 × row 1": np.array(pca.EXAM_COVARIANCE),
    "identity: three independent unit variances": np.eye(3),
    "rank 1: v vᵀ with v = (1, 2, 3)": np.outer([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]),
    "diagonal with a zero variance": np.diag([4.0, 1.0, 0.0]),
    "nearly singular: C22 = 10.000001": np.array(pca.EXAM_COVARIANCE) + np.diag([0.0, 1e-6, 0.0]),
    "not PSD: correlation 1.5": np.array([[1.0, 1.5, 0.0], [1.5, 1.0, 0.0], [0.0, 0.0, 1.0]]),
}
CUSTOM = "custom"

# label -> tol argument of pca.rank (None: NumPy's default, which depends on the matrix)
TOLERANCES = {
    "default: largest |eigenvalue| × 3 × machine epsilon": None,
    "0: every eigenvalue that is not exactly 0 counts": 0.0,
    "1e-10": 1e-10,
    "1e-4": 1e-4,
    "0.01": 1e-2,
    "1": 1.0,
}

UPPER = [(0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2)]
NAMES = [f"C{i + 1}{j + 1}" for i, j in UPPER]


def symmetric_from_upper(entries):
    """six numbers C11, C12, C13, C22, C23, C33 -> (3, 3) symmetric matrix, checked."""
    entries = list(entries)
    if len(entries) != len(UPPER):
        raise ValueError(f"give the six entries C11, C12, C13, C22, C23, C33, got {len(entries)}")
    C = np.zeros((3, 3))
    for (i, j), value in zip(UPPER, entries):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"C{i + 1}{j + 1} must be a number, got {value!r}")
        if not math.isfinite(value):
            raise ValueError(f"C{i + 1}{j + 1} must be a finite number, got {value}.")
        if abs(value) > MAX_ENTRY:
            raise ValueError(f"C{i + 1}{j + 1} = {value:g} is beyond this explorer: keep entries within ±{MAX_ENTRY:g}.")
        C[i, j] = C[j, i] = value
    return C


def parse_entries(texts):
    """six texts as typed ("2.5", "1e-6") -> the six floats, each read as Python's float() reads it."""
    texts = list(texts)
    if len(texts) != len(UPPER):
        raise ValueError(f"give the six entries C11, C12, C13, C22, C23, C33, got {len(texts)}")
    values = []
    for name, text in zip(NAMES, texts):
        try:
            values.append(float(str(text).strip()))
        except ValueError:
            raise ValueError(f"{name} must be a number such as 2.5, got {str(text)!r}") from None
    return values


def entry_texts(C):
    """(3, 3) matrix -> the six texts of its upper triangle, each the shortest that reads back exactly."""
    C = np.asarray(C, dtype=float)
    return [repr(float(C[i, j])) for i, j in UPPER]


def covariance_view(entries, tolerance=None):
    """Every value the explorer shows for six entry texts and a rank tolerance, keyed as on the page.

    Also returns what it computed: {"shown": {...}, "matrix", "eigenvalues", "eigenvectors",
    "rank", "tolerance", "psd", "ratios", "message", "kind"}. A bad entry gives only a message.
    """
    try:
        C = symmetric_from_upper(parse_entries(entries))
    except (ValueError, TypeError) as err:
        return {"shown": {}, "message": str(err), "kind": "error"}
    if tolerance not in TOLERANCES.values():
        raise ValueError(f"tolerance must be one of {list(TOLERANCES.values())}, got {tolerance!r}")
    eigenvalues, V = pca.pca(C)
    default = pca.rank_tolerance(C)
    used = default if tolerance is None else tolerance
    r = pca.rank(C, tol=tolerance)
    psd = pca.is_positive_semidefinite(C)
    ratios = pca.explained_variance_ratio(C) if psd and np.any(C) else None
    shown = {"rank": r, "tolerance": used}
    for k in range(3):
        shown[f"eig-{k}"] = shown[f"figure-eig-{k}"] = float(eigenvalues[k])
        for i in range(3):
            shown[f"vec-{k}-{i}"] = float(V[i, k])
        shown[f"share-{k}"] = "–" if ratios is None else 100 * float(ratios[k])
        shown[f"cumulative-{k}"] = "–" if ratios is None else 100 * float(ratios[: k + 1].sum())
        if ratios is not None:
            shown[f"figure-share-{k}"] = 100 * float(ratios[k])
        shown[f"counted-{k}"] = "yes" if abs(eigenvalues[k]) > used else "no (≤ tol)"
    if not psd:
        message, kind = (
            f"Not positive semidefinite: the eigenvalue {eigenvalues.min():.4g} would be a negative variance, so "
            "this matrix cannot be the covariance of any data. Its rank is still defined, explained variance is not.",
            "warning",
        )
    elif not np.any(C):
        message, kind = "The zero matrix: data that never vary, no explained variance.", "info"
    else:
        message, kind = "", ""
    return {"shown": shown, "matrix": C, "eigenvalues": eigenvalues, "eigenvectors": V, "rank": r,
            "tolerance": used, "psd": psd, "ratios": ratios, "message": message, "kind": kind}


def view_noise(view):
    """Round-off the browser may differ by, per key of ``view["shown"]``; None: not comparable.

    Eigenvalues agree to a few ulps of the largest one; an eigenvector only as well as its
    eigenvalue stands apart from the others (none at all in a repeated eigenvalue's eigenspace);
    a count or a verdict only when no eigenvalue lies within round-off of its threshold.
    """
    if "eigenvalues" not in view:
        return {}
    eigenvalues, used = view["eigenvalues"], view["tolerance"]
    if any(np.array_equal(view["matrix"], C) for C in PRESETS.values()):
        return {}  # the page shows NumPy's own eigendecomposition of a preset: no slack
    scale = float(np.abs(eigenvalues).max())
    slack = 16 * np.finfo(float).eps * scale  # how far two backward-stable solvers may disagree
    noise = {}
    for k in range(3):
        noise[f"eig-{k}"] = noise[f"figure-eig-{k}"] = slack
        gap = min(abs(eigenvalues[k] - eigenvalues[j]) for j in range(3) if j != k)
        vec = None if gap <= 1e-6 * scale else 16 * np.finfo(float).eps * scale / gap
        top = np.sort(np.abs(view["eigenvectors"][:, k]))[::-1]
        if vec is not None and top[0] - top[1] <= 4 * vec:
            vec = None  # two entries tie for the largest: the sign convention is round-off
        for i in range(3):
            noise[f"vec-{k}-{i}"] = vec
        if abs(abs(eigenvalues[k]) - used) <= slack:
            noise[f"counted-{k}"] = noise["rank"] = None
    if abs(eigenvalues.min() + pca.rank_tolerance(view["matrix"])) <= slack:
        noise["psd"] = None  # the verdict, and all that follows from it, is round-off
    if view["ratios"] is not None:
        total = float(np.sum(eigenvalues[eigenvalues > 0]))
        for k in range(3):
            for key in (f"share-{k}", f"cumulative-{k}", f"figure-share-{k}"):
                noise[key] = 100 * 3 * slack / total
    return noise


def frontend_config():
    """The library's constants the JavaScript needs: presets, tolerances, limits and colours."""
    return {
        "custom": CUSTOM,
        "upper": [list(ij) for ij in UPPER],
        "names": NAMES,
        "max_entry": MAX_ENTRY,
        # NumPy's eigendecomposition of each preset, so the page shows the round-off the text discusses
        "presets": {
            name: {"texts": entry_texts(C), "eigenvalues": pca.pca(C).eigenvalues.tolist(),
                   "eigenvectors": pca.pca(C).eigenvectors.tolist()}
            for name, C in PRESETS.items()
        },
        "tolerances": [[label, tol] for label, tol in TOLERANCES.items()],
        "colors": COLORS,
    }


def view_vectors(count=150, seed=0):
    """[{"state", "shown", "noise", "message", "kind"}]: matrices and tolerances, and what the page must show.

    Every preset under every tolerance; the zero matrix, entries at ±MAX_ENTRY, a not-PSD
    matrix and bad entries; then `count` random symmetric matrices (integers, decimals,
    low rank, widely spread scales), seeded.
    """
    rng = np.random.default_rng(seed)
    tolerances = list(TOLERANCES)
    states = [{"entries": entry_texts(C), "tolerance": t} for C in PRESETS.values() for t in tolerances]
    special = [
        ["0", "0", "0", "0", "0", "0"], [repr(MAX_ENTRY), "0", "0", "0", "0", "0"], [repr(-MAX_ENTRY)] * 6,
        ["2.5", "6", "0.5", "10", "1", "5"], ["1e-300", "0", "0", "1e-300", "0", "1"], ["1", "1", "1", "1", "1", "1"],
        ["2.5", "5", "0.5", "10", "1", "nan"], ["inf", "0", "0", "1", "0", "1"], ["1", "2", "1e7", "1", "0", "1"],
        ["1", "two", "0", "1", "0", "1"], ["1", "", "0", "1", "0", "1"], ["1_000", "0.5", ".5", "2.", "-0", "+3e-2"],
    ]
    states += [{"entries": e, "tolerance": tolerances[k % len(tolerances)]} for k, e in enumerate(special)]
    for k in range(count):
        kind = k % 4
        if kind == 0:
            C = rng.integers(-5, 6, size=(3, 3)).astype(float)
            C = np.round((C + C.T) / 2, 1)
        elif kind == 1:
            A = rng.normal(size=(3, int(rng.integers(1, 3))))  # rank 1 or 2
            C = np.round(A @ A.T, 3)
        elif kind == 2:
            C = np.round(rng.normal(size=(3, 3)) * 10 ** rng.uniform(-3, 5), 4)
            C = (C + C.T) / 2
        else:
            A = rng.normal(size=(3, 3))
            C = np.round(A @ A.T * 10 ** rng.uniform(-2, 2), 6)
        C = np.clip(C, -MAX_ENTRY, MAX_ENTRY)
        states.append({"entries": entry_texts(C), "tolerance": tolerances[int(rng.integers(len(tolerances)))]})
    vectors = []
    for s in states:
        view = covariance_view(s["entries"], TOLERANCES[s["tolerance"]])
        vectors.append({"state": s, "shown": view["shown"], "noise": view_noise(view),
                        "message": view["message"], "kind": view["kind"]})
    return vectors


class CovarianceWidget(BrowserWidget):
    """The front-end: the six entries as typed and the tolerance's label; the rest is computed in JavaScript."""

    _esm = module_source("pca")
    entries = traitlets.List(traitlets.Unicode(), default_value=entry_texts(pca.EXAM_COVARIANCE)).tag(sync=True)
    tolerance = traitlets.Unicode(next(iter(TOLERANCES))).tag(sync=True)


class CovarianceExplorer(Explorer):
    """Six entries of a symmetric 3×3 matrix (or a preset) in; eigenvalues, rank and shares out.

    Drive it from Python through ``explorer.widget`` (``entries``: the six texts C11, C12, C13,
    C22, C23, C33; ``tolerance``: a label of TOLERANCES), ``set_entry``, ``set_matrix`` or
    ``choose``; ``shown`` holds what the page shows, the other attributes the library's results.
    """

    def __init__(self, C=None, tolerance=None):
        super().__init__()
        C = np.array(pca.EXAM_COVARIANCE if C is None else C, dtype=float)
        tol_label = next((k for k, v in TOLERANCES.items() if v == tolerance), None)
        if tol_label is None:
            raise ValueError(f"tolerance must be one of {list(TOLERANCES.values())}, got {tolerance!r}")
        self.widget = CovarianceWidget(entries=entry_texts(C), tolerance=tol_label, config=frontend_config())
        self.ui = self.widget
        self.widget.observe(self.update, names=["entries", "tolerance"])
        self.update()

    matrix = eigenvalues = eigenvectors = rank = tolerance = psd = ratios = None
    shown = {}

    @property
    def preset(self):
        """The preset the entries equal, or "custom"."""
        try:
            C = symmetric_from_upper(parse_entries(self.widget.entries))
        except (ValueError, TypeError):
            return CUSTOM
        return next((k for k, v in PRESETS.items() if np.array_equal(v, C)), CUSTOM)

    def choose(self, preset):
        """Fill the entries with a preset of PRESETS."""
        if preset not in PRESETS:
            raise ValueError(f"preset must be one of {', '.join(map(repr, PRESETS))}, got {preset!r}")
        self.set_matrix(PRESETS[preset])

    def set_matrix(self, C):
        """Fill the six entries from a symmetric (3, 3) matrix's upper triangle."""
        self.widget.entries = entry_texts(C)

    def set_entry(self, i, j, value):
        """Set C[i, j] (and so C[j, i]) to a number or to text as a reader would type it."""
        k = UPPER.index((min(i, j), max(i, j)))
        entries = list(self.widget.entries)
        entries[k] = value if isinstance(value, str) else repr(float(value))
        self.widget.entries = entries

    def _update(self):
        self.matrix = self.eigenvalues = self.eigenvectors = self.rank = self.tolerance = None
        self.psd = self.ratios = None
        view = covariance_view(self.widget.entries, TOLERANCES.get(self.widget.tolerance, -1))
        self.shown = view["shown"]
        if view["kind"] == "error":
            raise ValueError(view["message"])
        self.show_message(view["message"], kind=view["kind"] or "info")
        self.matrix, self.eigenvalues, self.eigenvectors = view["matrix"], view["eigenvalues"], view["eigenvectors"]
        self.rank, self.tolerance, self.psd, self.ratios = view["rank"], view["tolerance"], view["psd"], view["ratios"]
