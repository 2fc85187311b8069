"""Explorer of I(F): edit a symmetric 3×3 matrix, see its eigenvalues, rank and explained variance."""

import math

import ipywidgets as widgets
import numpy as np

from .. import pca
from ..plots.pca import plot_scree
from .base import Explorer, html_table, image_widget, set_figure

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


class CovarianceExplorer(Explorer):
    """Six entries of a symmetric 3×3 matrix (or a preset) in; eigenvalues, rank and shares out."""

    def __init__(self, C=None, tolerance=None):
        super().__init__()
        C = np.array(pca.EXAM_COVARIANCE if C is None else C, dtype=float)
        cell = widgets.Layout(width="92px")
        self.entries = {
            (i, j): widgets.FloatText(value=float(C[i, j]), layout=cell, description="")
            for i, j in UPPER
        }
        self.mirrors = {(j, i): widgets.HTML(layout=cell) for i, j in UPPER if i != j}
        grid_rows = []
        for i in range(3):
            row = [widgets.HTML(f"<b>row {i + 1}</b>", layout=widgets.Layout(width="50px"))]
            for j in range(3):
                row.append(self.entries[(i, j)] if j >= i else self.mirrors[(i, j)])
            grid_rows.append(widgets.HBox(row))
        start = next((k for k, v in PRESETS.items() if np.array_equal(v, C)), CUSTOM)
        self.preset = widgets.Dropdown(options=[CUSTOM, *PRESETS], value=start, description="matrix",
                                       layout=widgets.Layout(width="440px"))
        tol_label = next((k for k, v in TOLERANCES.items() if v == tolerance), None)
        if tol_label is None:
            raise ValueError(f"tolerance must be one of {list(TOLERANCES.values())}, got {tolerance!r}")
        self.tolerance_choice = widgets.Dropdown(options=list(TOLERANCES), value=tol_label,
                                                 description="rank tol", layout=widgets.Layout(width="480px"))
        self.summary = widgets.HTML()
        self.table = widgets.HTML()
        self.figure = image_widget()
        note = widgets.HTML('<span style="font-size:0.85em">Edit the upper triangle; the grey entries '
                            "below the diagonal mirror it, so the matrix stays symmetric.</span>")
        controls = widgets.VBox([self.preset, *grid_rows, note, self.tolerance_choice, self.message,
                                 self.summary, self.table])
        self.ui = widgets.VBox([controls, self.figure])
        self.preset.observe(self._pick, names="value")
        for control in self.entries.values():
            control.observe(self._changed, names="value")
        self.tolerance_choice.observe(self.update, names="value")
        self.update()

    matrix = None
    eigenvalues = None
    rank = None
    tolerance = None
    psd = None
    ratios = None

    def _pick(self, change):
        if change["new"] == CUSTOM:
            return
        C = PRESETS[change["new"]]
        self.set_controls(*((control, float(C[i, j])) for (i, j), control in self.entries.items()))

    def _changed(self, change):
        self.leave_preset(self.preset, CUSTOM)  # the fields no longer show the preset

    def _update(self):
        for (i, j), mirror in self.mirrors.items():
            mirror.value = f'<span style="color:#777">{self.entries[(j, i)].value:g}</span>'
        try:
            C = symmetric_from_upper([self.entries[ij].value for ij in UPPER])
        except (ValueError, TypeError):
            self.matrix = self.eigenvalues = self.rank = self.tolerance = self.psd = self.ratios = None
            self.summary.value = self.table.value = ""
            raise
        eigenvalues, V = pca.pca(C)
        tol = TOLERANCES[self.tolerance_choice.value]
        tolerance = pca.rank_tolerance(C) if tol is None else tol
        r = pca.rank(C, tol=tol)
        psd = pca.is_positive_semidefinite(C)
        ratios = pca.explained_variance_ratio(C) if psd and np.any(C) else None
        rows = []
        for k in range(3):
            share = "–" if ratios is None else f"{100 * ratios[k]:.2f}%"
            cumulative = "–" if ratios is None else f"{100 * ratios[:k + 1].sum():.2f}%"
            vector = "(" + ", ".join(f"{v:+.3f}" for v in V[:, k]) + ")"
            counted = "yes" if abs(eigenvalues[k]) > tolerance else "no: zero within tol"
            rows.append((f"PC{k + 1}", f"{eigenvalues[k]:.6g}", vector, share, cumulative, counted))
        self.table.value = html_table(
            ["component", "eigenvalue", "eigenvector", "explained", "cumulative", "non-zero?"], rows,
            highlight=[k for k in range(3) if eigenvalues[k] < -pca.rank_tolerance(C)],
        )
        tol_text = (f"{tolerance:.2g} (NumPy's default for this matrix)" if tol is None
                    else f"{tolerance:g}")
        summary = f"<b>rank {r}</b> under the tolerance {tol_text}: {r} of 3 eigenvalues count as non-zero."
        if psd:
            summary += (f" As a covariance: {r} principal component{'' if r == 1 else 's'} with non-zero "
                        "variance, and all 3 components are uncorrelated.")
        self.summary.value = summary
        if not psd:
            self.show_message(
                f"Not positive semidefinite: the eigenvalue {eigenvalues.min():.4g} would be a negative "
                "variance, so this matrix cannot be the covariance of any data. Its rank is still defined, "
                "explained variance is not.",
                kind="warning",
            )
        elif not np.any(C):
            self.show_message("The zero matrix: data that never vary, no explained variance.", kind="info")
        else:
            self.show_message("")
        self.matrix, self.eigenvalues, self.rank, self.tolerance = C, eigenvalues, r, tolerance
        self.psd, self.ratios = psd, ratios
        set_figure(self.figure, plot_scree(C))
