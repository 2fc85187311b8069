"""dlexam.invariance: measured invariance of P, DeepSets and the MLP; poolings; the permutation check."""

import numpy as np
import pytest
import torch

from dlexam import augment, invariance, models, particles


def generator(seed=0):
    return torch.Generator().manual_seed(seed)


@pytest.fixture(scope="module")
def data():
    X, y = particles.make_dataset(40, seed=2, validation=True)
    return X, y


@pytest.mark.parametrize("kind", invariance.TRANSFORMS)
def test_transformed_copies_keep_the_property(data, kind):
    X, y = data
    copies = invariance.transformed_copies(X.double(), 5, kind, generator(1))
    assert copies.shape == (5, *X.shape)
    assert not torch.allclose(copies[0], X.double())
    torch.testing.assert_close(particles.target(copies.reshape(-1, 20, 3)).reshape(5, -1),
                               particles.target(X.double()).expand(5, -1), rtol=1e-12, atol=1e-12)


def test_copies_permute_only_when_asked(data):
    X, _ = data
    copies = invariance.transformed_copies(X, 3, "permutations", generator(2))
    for copy in copies:
        assert invariance.check_particle_permutation(X, copy)
    rotated = invariance.transformed_copies(X, 3, "rotations", generator(3))
    torch.testing.assert_close(rotated.norm(dim=-1), X.norm(dim=-1).expand(3, -1, -1), rtol=1e-5, atol=1e-5)


def test_reference_is_f_of_x(data):
    X, _ = data
    reference, outputs = invariance.outputs_under_transforms(particles.target, X.double(), 4, "both", generator(4))
    torch.testing.assert_close(reference, particles.target(X.double()))
    assert outputs.shape == (4, len(X)) and outputs.dtype == torch.float64


def test_gaps_of_p_deepsets_and_the_mlp(data):
    X, _ = data
    deepsets = models.make_model("deepsets", generator(0))
    mlp = models.make_model("mlp", generator(0))
    gap = lambda f, Z, kind: invariance.invariance_gap(f, Z, 30, kind, generator(5))  # noqa: E731
    assert gap(particles.target, X.double(), "both").max_rel_change < 1e-13
    assert gap(deepsets, X, "permutations").max_rel_change < 1e-5
    assert gap(deepsets.double(), X.double(), "permutations").max_rel_change < 1e-13
    deepsets = models.make_model("deepsets", generator(0))
    assert gap(deepsets, X, "rotations").max_rel_change > 1e-2  # DeepSets is not rotation invariant
    assert gap(mlp, X, "permutations").max_rel_change > 1e-2
    assert gap(mlp, X, "permutations").spread_ratio > 0.1


def test_gap_fields_agree_with_the_outputs(data):
    X, _ = data
    g = invariance.invariance_gap(models.make_model("mlp", generator(1)), X, 10, "permutations", generator(6))
    change = np.abs(g.outputs - g.reference[None])
    assert g.max_abs_change == pytest.approx(change.max())
    np.testing.assert_allclose(g.per_configuration, change.max(axis=0))
    assert g.max_rel_change == pytest.approx(change.max() / np.abs(g.reference).max())


FEATURES = torch.randn(4, 6, 5, generator=generator(7), dtype=torch.float64)
REFERENCES = {
    "sum": lambda h: h.sum(1), "mean": lambda h: h.mean(1), "max": lambda h: h.max(1),
    "min": lambda h: h.min(1), "logsumexp": lambda h: np.log(np.exp(h).sum(1)), "product": lambda h: h.prod(1),
    "first particle": lambda h: h[:, 0], "sum weighted by index": lambda h: (np.arange(1, 7)[None, :, None] * h).sum(1),
    "sum of the first half": lambda h: h[:, :3].sum(1), "max minus first": lambda h: h.max(1) - h[:, 0],
}


@pytest.mark.parametrize("how", list(invariance.POOLINGS))
def test_poolings_match_numpy(how):
    np.testing.assert_allclose(invariance.pool(FEATURES, how).numpy(), REFERENCES[how](FEATURES.numpy()), rtol=1e-12)


def test_invariant_poolings_are_the_symmetric_ones():
    assert invariance.invariant_poolings() == {"sum", "mean", "max", "min", "logsumexp", "product"}


def test_check_invariant_poolings():
    right = invariance.check_invariant_poolings({"sum", "mean", "max", "min", "logsumexp", "product"})
    assert right and "Right" in right.message
    wrong = invariance.check_invariant_poolings(["sum", "first particle"])
    assert not wrong
    assert "'first particle' is not invariant" in wrong.message and "'mean' is invariant too" in wrong.message


def test_permutation_check_explains_each_mistake(data):
    X = data[0][:6].numpy()
    rng = np.random.default_rng(0)
    shuffled = X[[1, 0, 2, 3, 4, 5]]
    assert "configurations were shuffled (axis 0)" in invariance.check_particle_permutation(X, shuffled).message
    torn = rng.permuted(X, axis=1)
    assert "coordinates were mixed" in invariance.check_particle_permutation(X, torn).message
    doubled = X.copy()
    doubled[:, 1] = doubled[:, 0]
    assert "appear twice" in invariance.check_particle_permutation(X, doubled).message
    assert "nothing moved" in invariance.check_particle_permutation(X, X.copy()).message
    assert "shape changed" in invariance.check_particle_permutation(X, X[:, :5]).message
    same = invariance.check_particle_permutation(X, X[:, rng.permutation(20)])
    assert same and "the same permutation" in same.message
    own = augment.apply_permutations(torch.from_numpy(X), augment.random_permutations(6, 20, generator(8)))
    result = invariance.check_particle_permutation(torch.from_numpy(X), own)
    assert result and "its own permutation" in result.message
    strict = invariance.check_particle_permutation(X, X[:, rng.permutation(20)], each_its_own=True)
    assert not strict and "the same permutation" in strict.message
    assert invariance.check_particle_permutation(torch.from_numpy(X), own, each_its_own=True)
    assert invariance.check_particle_permutation(X[:1], X[:1, rng.permutation(20)], each_its_own=True)


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: invariance.transformed_copies(torch.zeros(2, 5, 3), 3, "reflections", generator()), ValueError, "kind"),
        (lambda: invariance.transformed_copies(torch.zeros(2, 5, 3), 0, "rotations", generator()), ValueError, "n_copies"),
        (lambda: invariance.transformed_copies(torch.zeros(2, 15), 1, "rotations", generator()), ValueError, "(B, m, 3)"),
        (lambda: invariance.transformed_copies(torch.zeros(2, 5, 3), 1, "rotations", 0), TypeError, "torch.Generator"),
        (lambda: invariance.outputs_under_transforms(particles.target, torch.zeros(2, 5, 3)), TypeError, "generator="),
        (lambda: invariance.outputs_under_transforms(3, torch.zeros(2, 5, 3), generator=generator()), TypeError, "function"),
        (lambda: invariance.pool(torch.zeros(2, 3, 4), "median"), ValueError, "how must be one of"),
        (lambda: invariance.pool(torch.zeros(2, 3), "sum"), ValueError, "(B, m, k)"),
        (lambda: invariance.check_invariant_poolings("sum"), TypeError, "set of pooling names"),
        (lambda: invariance.check_invariant_poolings({"average"}), ValueError, "unknown pooling"),
        (lambda: invariance.check_particle_permutation(torch.zeros(2, 5), torch.zeros(2, 5)), ValueError, "(B, m, 3)"),
    ],
)
def test_bad_inputs_raise_clear_errors(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)


def test_signed_volume_is_rotation_invariant_and_flips_under_reflections():
    from dlexam import augment

    X = torch.randn(50, 6, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    x = X.numpy()
    expected = np.einsum("bi,bi->b", x[:, 1] - x[:, 0], np.cross(x[:, 2] - x[:, 0], x[:, 3] - x[:, 0]))
    np.testing.assert_allclose(invariance.signed_volume(X).numpy(), expected, rtol=1e-12)
    R = augment.random_rotations(50, torch.Generator().manual_seed(1), dtype=torch.float64)
    torch.testing.assert_close(invariance.signed_volume(augment.apply_rotations(X, R)), invariance.signed_volume(X))
    mirror = torch.diag(torch.tensor([-1.0, 1.0, 1.0], dtype=torch.float64)).expand(50, 3, 3)
    torch.testing.assert_close(invariance.signed_volume(augment.apply_rotations(X, mirror)), -invariance.signed_volume(X))
    with pytest.raises(ValueError, match="at least 4 particles"):
        invariance.signed_volume(X[:, :3])
