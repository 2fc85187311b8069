"""Explorers of question III: shapes through the networks, augmentations, permutations, φ embeddings.

The models shown are the library's MLP and DeepSets, freshly initialised from a fixed seed:
invariance (or its absence) is a property of the architecture, so it shows before training.
"""

import math

import ipywidgets as widgets
import numpy as np
import torch

from .. import augment, invariance, models, particles, rotations, shapes
from ..plots.particles import plot_configurations, plot_permutation_changes, plot_phi_embeddings
from .base import Explorer, html_table, image_widget, set_figure

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


def _slider(kind, **kwargs):
    kwargs.setdefault("continuous_update", False)
    kwargs.setdefault("layout", widgets.Layout(width="350px", max_width="100%"))
    kwargs.setdefault("style", {"description_width": "130px"})
    return kind(**kwargs)


class ShapeTraceExplorer(Explorer):
    """A batch traced through the MLP or DeepSets: each step's output shape and parameters."""

    def __init__(self, model="MLP", batch_size=32, n_particles=20, layout=LAYOUTS[0]):
        super().__init__()
        self.models = seeded_models()
        self.model = widgets.ToggleButtons(options=list(MODEL_NAMES), value=model, description="network")
        self.batch_size = _slider(widgets.IntSlider, value=batch_size, min=1, max=MAX_BATCH, description="batch size B")
        self.n_particles = _slider(widgets.IntSlider, value=n_particles, min=1, max=MAX_PARTICLES,
                                   description="particles m")
        self.layout = widgets.ToggleButtons(options=list(LAYOUTS), value=layout, description="input layout")
        self.summary = widgets.HTML()
        self.table = widgets.HTML()
        self.steps = ()
        self.parameters = None
        self.ui = widgets.VBox([self.model, self.layout, self.batch_size, self.n_particles, self.message,
                                self.summary, self.table])
        self._observe(self.model, self.batch_size, self.n_particles, self.layout)
        self.update()

    def _update(self):
        self.steps, self.parameters = (), None
        self.summary.value = self.table.value = ""
        B, m = self.batch_size.value, self.n_particles.value
        if self.model.value not in MODEL_NAMES:
            raise ValueError(f"network must be one of {', '.join(MODEL_NAMES)}")
        if self.layout.value not in LAYOUTS:
            raise ValueError(f"input layout must be one of {', '.join(LAYOUTS)}")
        if not (1 <= B <= MAX_BATCH and 1 <= m <= MAX_PARTICLES):
            raise ValueError(f"choose a batch size from 1 to {MAX_BATCH} and 1 to {MAX_PARTICLES} particles")
        shape = (B, m, 3) if self.layout.value == LAYOUTS[0] else (B, 3 * m)
        model = self.models[self.model.value]
        steps = shapes.shape_trace(model, torch.zeros(shape))
        rows = [(shapes.format_shape(s.shape, B), s.operation, f"{s.parameters:,}" if s.parameters else "",
                 s.name) for s in steps]
        linear = [i for i, s in enumerate(steps) if s.name == "forward"]
        self.table.value = html_table(["output shape", "step", "parameters", "in the model"], rows, highlight=linear)
        total = sum(s.parameters for s in steps)
        macs = sum(s.multiply_adds for s in steps) // B
        self.summary.value = (
            f"<b>input {shapes.format_shape(shape, B)} = {shape} &rarr; output "
            f"{shapes.format_shape(steps[-1].shape, B)}</b>: {total:,} parameters, "
            f"{macs:,} multiply-adds per configuration. Tinted rows happen inside <code>forward</code>."
        )
        self.steps, self.parameters = steps, total


def _degrees_axis(axis):
    x, y, z = (float(v) for v in axis)
    return math.degrees(math.atan2(y, x)), math.degrees(math.asin(max(-1.0, min(1.0, z))))


class AugmentationExplorer(Explorer):
    """Rotate (axis and angle, or a random draw) and permute one configuration; P stays, the picture moves."""

    def __init__(self, index=0, azimuth=30.0, elevation=40.0, angle=90.0, permutation_seed=0, X=None):
        super().__init__()
        self.X = _dataset(X)
        n = len(self.X)
        self.index = _slider(widgets.IntSlider, value=index, min=0, max=n - 1, description="configuration")
        self.azimuth = _slider(widgets.FloatSlider, value=azimuth, min=-180, max=180, step=5, description="axis azimuth °")
        self.elevation = _slider(widgets.FloatSlider, value=elevation, min=-90, max=90, step=5,
                                 description="axis elevation °")
        self.angle = _slider(widgets.FloatSlider, value=angle, min=-180, max=180, step=5, description="angle °")
        self.rotation_seed = 0
        self.random_rotation = widgets.Button(description="random rotation", icon="refresh",
                                              layout=widgets.Layout(width="160px", max_width="100%"))
        self.no_rotation = widgets.Button(description="no rotation", layout=widgets.Layout(width="110px", max_width="100%"))
        self.permutation_seed = _slider(widgets.IntSlider, value=permutation_seed, min=0, max=99,
                                        description="permutation seed")
        self.hint = widgets.HTML('<span style="font-size:0.85em">permutation seed 0 keeps the order; '
                                 "each other seed draws a random permutation</span>")
        self.summary = widgets.HTML()
        self.table = widgets.HTML()
        self.figure = image_widget()
        self.figure.layout.max_width = "900px"
        self.R = self.permutation = None
        self.energy_before = self.energy_after = None
        controls = widgets.VBox([
            self.index, self.azimuth, self.elevation, self.angle,
            widgets.HBox([self.random_rotation, self.no_rotation]), self.permutation_seed, self.hint,
        ])
        self.ui = widgets.VBox([widgets.HBox([controls, widgets.VBox([self.summary, self.table])],
                                             layout=widgets.Layout(flex_flow="row wrap")),
                                self.message, self.figure])
        self._observe(self.index, self.azimuth, self.elevation, self.angle, self.permutation_seed)
        self.random_rotation.on_click(lambda _: self.draw_random_rotation())
        self.no_rotation.on_click(lambda _: self.set_controls((self.angle, 0.0)))
        self.update()

    def draw_random_rotation(self):
        """Draw the next uniform random rotation and set the axis and angle sliders to it."""
        self.rotation_seed += 1
        axis, angle = rotations.rotation_axis_angle(_random_rotation(self.rotation_seed))
        azimuth, elevation = _degrees_axis(axis)
        self.set_controls((self.azimuth, round(azimuth / 5) * 5), (self.elevation, round(elevation / 5) * 5),
                          (self.angle, round(math.degrees(angle) / 5) * 5))

    def _update(self):
        self.R = self.permutation = self.energy_before = self.energy_after = None
        self.summary.value = self.table.value = ""
        x = self.X[self.index.value].to(torch.float64)  # (m, 3)
        axis = rotations.axis_from_angles(self.azimuth.value, self.elevation.value)
        R = rotations.axis_angle_rotation(axis, math.radians(self.angle.value))
        perm = _permutation(self.permutation_seed.value, len(x))
        moved = augment.apply_permutations(augment.apply_rotations(x[None], R[None]), perm[None])  # (1, m, 3)
        before, after = (float(v) for v in particles.target(torch.stack([x, moved[0]])))
        det = float(torch.linalg.det(R))
        orth = float((R.T @ R - torch.eye(3, dtype=R.dtype)).abs().max())
        rows = [
            ("P before", f"{before:.12f}"),
            ("P after", f"{after:.12f}"),
            ("|change|", f"{abs(after - before):.2e}"),
            ("det R", f"{det:+.12f}"),
            ("largest |R^T R - I|", f"{orth:.1e}"),
            ("particles moved in the list", f"{int((perm != torch.arange(len(x))).sum())} of {len(x)}"),
        ]
        self.table.value = html_table(["", "value"], rows)
        self.summary.value = (
            f"<b>P unchanged to {abs(after - before) / abs(before):.1e} (relative)</b>: rotation by "
            f"{abs(self.angle.value):g}° about ({', '.join(f'{v:+.2f}' for v in axis)}), "
            f"{'no permutation' if self.permutation_seed.value == 0 else 'permutation seed ' + str(self.permutation_seed.value)}."
        )
        self.R, self.permutation, self.energy_before, self.energy_after = R, perm, before, after
        set_figure(self.figure, plot_configurations(
            [x, moved[0]],
            [f"as stored\nP = {before:.6f}", f"rotated and permuted\nP = {after:.6f}"],
            frames=[torch.eye(3), R]))


class PermutationExplorer(Explorer):
    """Permute (and optionally rotate) a configuration; watch P, DeepSets and the MLP."""

    N_SEEDS = 30

    def __init__(self, index=0, seed=1, rotate=False, X=None):
        super().__init__()
        self.X = _dataset(X)
        self.models = seeded_models()
        self.index = _slider(widgets.IntSlider, value=index, min=0, max=len(self.X) - 1, description="configuration")
        self.seed = _slider(widgets.IntSlider, value=seed, min=0, max=self.N_SEEDS, description="permutation seed")
        self.next = widgets.Button(description="another permutation", icon="random",
                                   layout=widgets.Layout(width="190px", max_width="100%"))
        self.rotate = widgets.Checkbox(value=rotate, description="also rotate (uniform random rotation)",
                                       indent=False)
        self.summary = widgets.HTML()
        self.table = widgets.HTML()
        self.figure = image_widget()
        self.figure.layout.max_width = "900px"
        self.outputs = {}
        self.changes = {}
        controls = widgets.VBox([self.index, widgets.HBox([self.seed, self.next]), self.rotate])
        self.ui = widgets.VBox([controls, self.message, self.summary, self.table, self.figure])
        self._observe(self.index, self.seed, self.rotate)
        self.next.on_click(lambda _: self.set_controls((self.seed, self.seed.value % self.N_SEEDS + 1)))
        self.update()

    def _update(self):
        self.outputs, self.changes = {}, {}
        self.summary.value = self.table.value = ""
        x = self.X[self.index.value].to(torch.float64)  # (m, 3): transform in float64, so P stays exact
        m = len(x)
        seeds = range(1, self.N_SEEDS + 1)
        perms = torch.stack([_permutation(s, m) for s in seeds])  # (S, m)
        copies = augment.apply_permutations(x.expand(len(perms), m, 3), perms)  # (S, m, 3)
        if self.rotate.value:
            copies = augment.apply_rotations(copies, torch.stack([_random_rotation(1000 + s) for s in seeds]))
        batch = torch.cat([x[None], copies])  # (1 + S, m, 3): the original first
        with torch.no_grad():
            values = {"P": particles.target(batch)}  # (1 + S,)
            values.update({label: f(batch.to(torch.float32)).to(torch.float64) for label, f in self.models.items()})
        s = self.seed.value
        rows = []
        for label, v in values.items():
            now = float(v[s])  # seed 0 is the original itself
            change = abs(now - float(v[0]))
            self.outputs[label] = (float(v[0]), now)
            self.changes[label] = (v[1:] - v[0]).abs().numpy()
            rows.append((label, f"{float(v[0]):.7f}", f"{now:.7f}", f"{change:.2e}",
                         f"{float(self.changes[label].max()):.2e}"))
        what = "permutation" + (" and rotation" if self.rotate.value else "")
        self.table.value = html_table(
            ["", "original", f"after {what} {s}" if s else "original (seed 0)", "|change|",
             f"largest over seeds 1–{self.N_SEEDS}"], rows)
        invariant = [k for k, v in self.changes.items() if v.max() < 1e-5 * max(1.0, abs(self.outputs[k][0]))]
        self.summary.value = (f"Unchanged up to float rounding: <b>{', '.join(invariant) or 'none'}</b>. "
                              f"The models are untrained (seed {MODEL_SEED}): invariance is built into the "
                              "architecture, not learnt.")
        shown = batch[s].numpy()
        set_figure(self.figure, plot_permutation_changes(shown, self.changes, s))


class EmbeddingExplorer(Explorer):
    """DeepSets from the inside: φ of every particle, their sum, and F = ρ(sum), under permutations."""

    def __init__(self, index=0, seed=0, n_particles=20, X=None):
        super().__init__()
        self.X = _dataset(X)
        self.model = seeded_models()["DeepSets"]
        m = self.X.shape[1]
        self.index = _slider(widgets.IntSlider, value=index, min=0, max=len(self.X) - 1, description="configuration")
        self.seed = _slider(widgets.IntSlider, value=seed, min=0, max=99, description="permutation seed")
        self.n_particles = _slider(widgets.IntSlider, value=n_particles, min=1, max=m, description="particles used")
        self.summary = widgets.HTML()
        self.figure = image_widget()
        self.figure.layout.max_width = "760px"
        self.pooled = self.output = self.reference_output = None
        self.ui = widgets.VBox([self.index, self.seed, self.n_particles, self.message, self.summary, self.figure])
        self._observe(self.index, self.seed, self.n_particles)
        self.update()

    def _update(self):
        self.pooled = self.output = self.reference_output = None
        self.summary.value = ""
        m = self.n_particles.value
        x = self.X[self.index.value, :m]  # (m, 3): the first m particles as stored
        perm = _permutation(self.seed.value, m)
        permuted = x[perm]
        with torch.no_grad():
            features = self.model.phi(permuted[None])  # (1, m, 64)
            pooled = features.sum(dim=1)  # (1, 64)
            output = self.model.rho(pooled)  # (1,)
            reference = self.model(x[None])  # (1,): the stored order
            reference_pooled = self.model.phi(x[None]).sum(dim=1)
        difference = float((pooled - reference_pooled).abs().max())
        self.summary.value = (
            f"(1, {m}, 3) &rarr; φ &rarr; (1, {m}, 64) &rarr; sum &rarr; (1, 64) &rarr; ρ &rarr; (1,). "
            f"<b>F = {float(output[0]):.7f}</b>; in the stored order F = {float(reference[0]):.7f}; "
            f"the pooled sums differ by at most {difference:.1e}."
        )
        self.pooled, self.output, self.reference_output = pooled[0].numpy(), float(output[0]), float(reference[0])
        set_figure(self.figure, plot_phi_embeddings(features[0], pooled[0], output[0], order=perm.numpy()))
