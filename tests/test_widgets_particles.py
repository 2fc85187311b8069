"""The explorers of question III: set their controls from Python, read what they show."""

import math

import pytest
import torch

from dlexam import particles, rotations
from dlexam.widgets.particles import (
    AugmentationExplorer,
    EmbeddingExplorer,
    PermutationExplorer,
    ShapeTraceExplorer,
)

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def X():
    return particles.make_dataset(30, seed=0)[0]


def test_shape_tracer_starts_on_the_exam_mlp():
    e = ShapeTraceExplorer()
    assert e.parameters == 34_689
    assert "(B, 20, 3) = (32, 20, 3)" in e.summary.value and "output (B,)" in e.summary.value
    assert e.table.value.count("<tr") == 1 + len(e.steps) == 13


def test_shape_tracer_deepsets_takes_any_number_of_particles():
    e = ShapeTraceExplorer(model="DeepSets")
    e.n_particles.value = 7
    assert e.parameters == 19_009 and e.message.value == ""
    assert "sum over the 7 particles" in e.table.value
    assert e.steps[-1].shape == (32,)


def test_shape_tracer_wrong_shape_is_a_message_not_an_exception():
    e = ShapeTraceExplorer()
    e.n_particles.value = 21
    assert "MLP expects shape (B, 20, 3) or (B, 60), got (32, 21, 3)" in e.message.value
    assert e.table.value == "" and e.parameters is None
    e.n_particles.value = 20
    assert e.message.value == "" and e.parameters == 34_689


def test_shape_tracer_flat_layout():
    e = ShapeTraceExplorer()
    e.layout.value = e.layout.options[1]
    assert e.steps[0].shape == (32, 60) and e.message.value == ""
    e.model.value = "DeepSets"
    assert "(B, m, 3)" in e.message.value


def test_shape_tracer_extremes():
    e = ShapeTraceExplorer(model="DeepSets")
    e.set_controls((e.batch_size, e.batch_size.max), (e.n_particles, e.n_particles.max))
    assert e.message.value == "" and e.steps[0].shape == (e.batch_size.max, e.n_particles.max, 3)
    e.set_controls((e.batch_size, 1), (e.n_particles, 1))
    assert e.message.value == "" and e.steps[-1].shape == (1,)


def test_augmentation_keeps_p_and_moves_the_picture(X):
    e = AugmentationExplorer(X=X, angle=0.0)
    assert e.energy_after == pytest.approx(e.energy_before, rel=1e-12)
    first = e.figure.value
    assert first[:8] == PNG
    e.angle.value = 90.0
    e.permutation_seed.value = 3
    assert e.energy_after == pytest.approx(e.energy_before, rel=1e-12)
    assert e.figure.value != first
    assert rotations.check_proper_rotations(e.R, tol=1e-12)
    assert sorted(e.permutation.tolist()) == list(range(20)) and not torch.equal(e.permutation, torch.arange(20))
    assert "P unchanged" in e.summary.value and "det R" in e.table.value


def test_random_rotation_button_sets_the_sliders(X):
    e = AugmentationExplorer(X=X, angle=0.0)
    e.draw_random_rotation()
    assert e.rotation_seed == 1 and e.angle.value != 0
    assert float(rotations.rotation_angles(e.R)[0]) == pytest.approx(math.radians(abs(e.angle.value)), abs=1e-9)
    e.random_rotation.click()
    assert e.rotation_seed == 2
    e.no_rotation.click()
    assert e.angle.value == 0 and torch.allclose(e.R, torch.eye(3, dtype=torch.float64))


def test_augmentation_extremes_never_raise(X):
    e = AugmentationExplorer(X=X)
    e.set_controls((e.index, e.index.max), (e.azimuth, -180.0), (e.elevation, 90.0), (e.angle, 180.0),
                   (e.permutation_seed, e.permutation_seed.max))
    assert e.message.value == "" and e.energy_after == pytest.approx(e.energy_before, rel=1e-12)


def test_permutation_explorer_separates_deepsets_from_the_mlp(X):
    e = PermutationExplorer(X=X, seed=5)
    assert "P, DeepSets" in e.summary.value
    assert e.changes["DeepSets"].max() < 1e-5 and e.changes["P"].max() < 1e-12
    assert e.changes["MLP"].max() > 1e-3
    before = e.outputs["MLP"][1]
    e.next.click()
    assert e.seed.value == 6 and e.outputs["MLP"][1] != before
    assert e.figure.value[:8] == PNG


def test_rotating_breaks_deepsets_but_not_p(X):
    e = PermutationExplorer(X=X)
    e.rotate.value = True
    assert "<b>P</b>" in e.summary.value
    assert e.changes["DeepSets"].max() > 1e-3 and e.changes["P"].max() < 1e-12


def test_permutation_seed_zero_is_the_original(X):
    e = PermutationExplorer(X=X, seed=0)
    for original, now in e.outputs.values():
        assert original == now
    e.seed.value = e.seed.max
    e.next.click()
    assert e.seed.value == 1  # wraps around


def test_embeddings_sum_does_not_depend_on_the_order(X):
    e = EmbeddingExplorer(X=X, seed=0)
    pooled, output = e.pooled.copy(), e.output
    e.seed.value = 9
    assert e.output == pytest.approx(output, abs=1e-6)
    assert abs(e.pooled - pooled).max() < 1e-5
    assert "(1, 20, 64)" in e.summary.value and e.figure.value[:8] == PNG


def test_embeddings_with_fewer_particles(X):
    e = EmbeddingExplorer(X=X)
    full = e.output
    e.n_particles.value = 1
    assert e.message.value == "" and e.output != full and "(1, 1, 64)" in e.summary.value
