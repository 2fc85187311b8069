"""dlexam.invariance: exact values of the signed volume and the exact message of its error."""

import math
import re
import warnings

import pytest
import torch

from dlexam import invariance

# x0 = 0, x1 = e1, x2 = e2, x3 = e3: e1 . (e2 x e3) = +1; swapping x2 and x3 gives -1.
TETRAHEDRON = [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
MIRRORED = [TETRAHEDRON[0], TETRAHEDRON[1], TETRAHEDRON[3], TETRAHEDRON[2]]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_signed_volume_of_exactly_four_particles_by_hand(dtype):
    """Four particles are enough; the volumes are +1 and -1, computed in float64 whatever the input dtype."""
    volume = invariance.signed_volume(torch.tensor([TETRAHEDRON, MIRRORED], dtype=dtype))
    assert volume.dtype == torch.float64
    assert volume.tolist() == [1.0, -1.0]


def test_signed_volume_reads_only_the_first_four_particles():
    """A fifth particle far away changes nothing: 2 e1 . (3 e2 x 4 e3) = 24."""
    X = torch.tensor([[[1.0, 1.0, 1.0], [3.0, 1.0, 1.0], [1.0, 4.0, 1.0], [1.0, 1.0, 5.0], [9.0, -7.0, 8.0]]])
    assert invariance.signed_volume(X).tolist() == [24.0]


@pytest.mark.parametrize("m", [2, 3])
def test_signed_volume_names_the_number_of_particles_it_got(m):
    """Fewer than four particles per configuration raise with the exact message, naming their number."""
    with pytest.raises(ValueError) as info:
        invariance.signed_volume(torch.zeros(5, m, 3))
    assert str(info.value) == f"X must hold at least 4 particles per configuration for a signed volume, got {m}"


# --- check_particle_permutation: the default tolerance and the shape in its error ----------------------

# Two particles 4 apart, swapped, one of them moved by 0.5: a reordering only for atol >= 0.5.
NEAR = (torch.tensor([[[0.0, 0.0, 0.0], [4.0, 0.0, 0.0]]]), torch.tensor([[[4.5, 0.0, 0.0], [0.0, 0.0, 0.0]]]))


def test_check_particle_permutation_default_atol_is_zero():
    """Without atol, a particle moved by 0.5 is not one of the originals, exactly as with atol=0.0."""
    for result in (invariance.check_particle_permutation(*NEAR),
                   invariance.check_particle_permutation(*NEAR, atol=0.0)):
        assert result.correct is False
        assert result.message == (
            "Not yet: 1 of 1 configurations are not reorderings of their original: configuration 0 contains points "
            "that are not particles of the original: coordinates were mixed between particles, which changes the "
            "configuration and P.")
    assert invariance.check_particle_permutation(*NEAR, atol=0.5).correct is True


@pytest.mark.parametrize("X, X_new, message", [
    (torch.zeros(2, 3), torch.zeros(1, 2, 3), "X must have shape (B, m, 3), got (2, 3)"),
    (torch.zeros(1, 2, 3), torch.zeros(1, 2, 4), "X_new must have shape (B, m, 3), got (1, 2, 4)"),
    ([[[0.0, 0.0, 0.0]]], torch.zeros(1, 1, 3), "X must have shape (B, m, 3), got list"),
])
def test_check_particle_permutation_names_the_shape_or_type_it_got(X, X_new, message):
    """A tensor of the wrong shape is named by its shape, something without a shape by its type."""
    with pytest.raises(ValueError) as info:
        invariance.check_particle_permutation(X, X_new)
    assert str(info.value) == message


# --- check_particle_permutation: dtypes, non-finite X_new, the work limit, and each "not yet" branch ----

SWAP = [[[0.0, 0.0, 0.0], [1.0, 0.0, 0.0]]], [[[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]]
RIGHT_OWN = "Right: each configuration holds its own particles, reordered; each configuration got its own permutation."
MIXED = "coordinates were mixed between particles, which changes the configuration and P"


@pytest.mark.parametrize("dtype, dtype_new", [(torch.int64, torch.int64), (torch.float64, torch.int32),
                                              (torch.int32, torch.float32)])
def test_check_particle_permutation_accepts_integer_coordinates(dtype, dtype_new):
    """Whole-number coordinates, in X or in X_new, are checked like floating ones (no floating dtype required)."""
    result = invariance.check_particle_permutation(torch.tensor(SWAP[0], dtype=dtype),
                                                   torch.tensor(SWAP[1], dtype=dtype_new))
    assert result.correct is True
    assert result.message == RIGHT_OWN


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_check_particle_permutation_non_finite_x_new_is_a_verdict_but_in_x_an_error(bad):
    """A NaN or infinity in X_new is a point that is not a particle (not yet); in X it raises, naming X."""
    X_new = torch.tensor(SWAP[1])
    X_new[0, 0, 1] = bad
    result = invariance.check_particle_permutation(torch.tensor(SWAP[0]), X_new)
    assert result.correct is False
    assert result.message == ("Not yet: 1 of 1 configurations are not reorderings of their original: configuration 0 "
                              f"contains points that are not particles of the original: {MIXED}.")
    with pytest.raises(ValueError, match=r"^X must hold finite numbers \(no NaN or infinity\)$"):
        invariance.check_particle_permutation(X_new, torch.tensor(SWAP[0]))


@pytest.mark.parametrize("shape, shape_new, amount", [
    ((1, 5000, 3), (1, 1, 3), "75,000,000"),  # 1 * 5000 * max(5000, 1) * 3
    ((1, 1000, 3), (1, 20000, 3), "60,000,000"),  # 1 * 1000 * max(1000, 20000) * 3
    ((2, 3000, 3), (2, 3000, 3), "54,000,000"),  # 2 * 3000 * 3000 * 3
])
def test_check_particle_permutation_refuses_too_many_coordinate_differences(shape, shape_new, amount):
    """B * m * max(m, m_new) * 3 above 50,000,000 raises with the exact message, even before the shape test."""
    with pytest.raises(ValueError) as info:
        invariance.check_particle_permutation(torch.zeros(shape), torch.zeros(shape_new))
    assert str(info.value) == (f"X would need {amount} coordinate differences, more than the limit of 50,000,000: "
                               "use smaller values")


def test_check_particle_permutation_just_under_the_work_limit_reports_the_shape_change():
    """1 * 4000 * 4001 * 3 = 48,012,000 is allowed (a factor 4 would not be): the verdict is the shape change."""
    result = invariance.check_particle_permutation(torch.zeros(1, 4000, 3), torch.zeros(1, 4001, 3))
    assert result.correct is False
    assert result.message == "Not yet: the shape changed from (1, 4000, 3) to (1, 4001, 3)."


# Three configurations; the first and last are reordered correctly, the middle one is broken.
THREE = [[[0.0, 0.0, 0.0], [1.0, 0.0, 0.0]], [[10.0, 0.0, 0.0], [10.0, 2.0, 0.0]], [[0.0, 0.0, 5.0], [0.0, 3.0, 5.0]]]


@pytest.mark.parametrize("middle, why", [
    ([[10.0, 2.0, 0.0], [10.5, 0.0, 0.0]], f"configuration 1 contains points that are not particles of the original: "
                                           f"{MIXED}"),
    ([[10.0, 2.0, 0.0], [10.0, 2.0, 0.0]], "in configuration 1 some particles appear twice and others are missing"),
])
def test_check_particle_permutation_counts_and_names_the_one_bad_configuration(middle, why):
    """Only the middle configuration of three is wrong: "1 of 3", and it (not the first) is the one named."""
    X_new = [THREE[0][::-1], middle, THREE[2][::-1]]
    result = invariance.check_particle_permutation(torch.tensor(THREE), torch.tensor(X_new))
    assert result.correct is False
    assert result.message == f"Not yet: 1 of 3 configurations are not reorderings of their original: {why}."


# Configuration 0 of X_new holds the particles of configuration 1 of X, each moved by `shift` (and vice versa, exactly).
PAIR = [[[0.0, 0.0, 0.0], [1.0, 0.0, 0.0]], [[10.0, 10.0, 10.0], [12.0, 10.0, 10.0]]]
SHUFFLED = ("configuration 0 now holds the particles of configuration 1: the configurations were shuffled (axis 0), "
            "not the particles (axis 1); their targets y no longer match")


@pytest.mark.parametrize("shift, atol, why", [
    (0.0, 0.0, SHUFFLED),
    (0.125, 0.25, SHUFFLED),  # within atol: still recognised as the other configuration
    (0.5, 0.0, f"configuration 0 contains points that are not particles of the original: {MIXED}"),
    (0.5, 0.25, f"configuration 0 contains points that are not particles of the original: {MIXED}"),
])
def test_check_particle_permutation_recognises_shuffled_configurations_within_atol(shift, atol, why):
    """Whole configurations swapped are named as such when they match within atol (not a fixed tolerance)."""
    X_new = torch.tensor([PAIR[1][::-1], PAIR[0]]) + torch.tensor([shift, 0.0])[:, None, None]
    result = invariance.check_particle_permutation(torch.tensor(PAIR), X_new, atol=atol)
    assert result.correct is False
    assert result.message == f"Not yet: 2 of 2 configurations are not reorderings of their original: {why}."


# --- check_particle_permutation: the exact messages of nothing moved, one shared permutation, and each its own ----

SAME_FOR_TWO = "every configuration got the same permutation: valid, but a batch sees one ordering only"


def test_check_particle_permutation_nothing_moved_has_its_exact_message():
    """X_new equal to X is not a reordering: the exact "nothing moved" message and correct is False."""
    result = invariance.check_particle_permutation(torch.tensor(PAIR), torch.tensor(PAIR))
    assert result.correct is False
    assert result.message == "Not yet: nothing moved; every particle is where it was."


@pytest.mark.parametrize("each_its_own, correct, message", [
    (False, True, f"Right: each configuration holds its own particles, reordered; {SAME_FOR_TWO}."),
    (True, False, "Not yet: every configuration got the same permutation. That is a valid reordering, but a batch "
                  "then sees one ordering only; give each configuration its own."),
])
def test_check_particle_permutation_two_configurations_with_one_permutation(each_its_own, correct, message):
    """Already two configurations (B = 2) sharing one swap count as the same permutation, with the exact message."""
    X_new = torch.tensor([PAIR[0][::-1], PAIR[1][::-1]])
    result = invariance.check_particle_permutation(torch.tensor(PAIR), X_new, each_its_own=each_its_own)
    assert result.correct is correct
    assert result.message == message


def test_check_particle_permutation_one_configuration_has_its_own_permutation():
    """A single reordered configuration (B = 1) is never "the same permutation for the whole batch"."""
    X = torch.tensor(PAIR[:1])
    result = invariance.check_particle_permutation(X, X.flip(1), each_its_own=True)
    assert result.correct is True
    assert result.message == ("Right: each configuration holds its own particles, reordered; each configuration got "
                              "its own permutation.")


# --- exact messages of the argument errors, and of the work limits ---------------------------------------------

def generator(seed=0):
    return torch.Generator().manual_seed(seed)


ONE = torch.zeros(1, 2, 3)


def test_transformed_copies_says_how_to_make_a_generator():
    """A generator that is not a torch.Generator raises a TypeError naming its type and the way to make one."""
    with pytest.raises(TypeError) as info:
        invariance.transformed_copies(ONE, 2, "permutations", 5)
    assert str(info.value) == ("generator must be a torch.Generator, got int; "
                               "create one with torch.Generator().manual_seed(seed)")


def test_transformed_copies_refuses_too_many_coordinates():
    """10,000,000 copies of 2 particles: 60,000,000 coordinates, above 50,000,000, raise with the exact message."""
    with pytest.raises(ValueError) as info:
        invariance.transformed_copies(ONE, 10**7, "permutations", generator())
    assert str(info.value) == ("n_copies and X would need 60,000,000 coordinates, more than the limit of 50,000,000: "
                               "use smaller values")


def test_check_invariant_poolings_lists_the_known_poolings():
    """An unknown name raises a ValueError listing it and every pooling's name."""
    with pytest.raises(ValueError) as info:
        invariance.check_invariant_poolings({"sum", "median"})
    assert str(info.value) == ("answer holds unknown pooling ['median']: choose from 'sum', 'mean', 'max', 'min', "
                               "'logsumexp', 'product', 'first particle', 'sum weighted by index', "
                               "'sum of the first half', 'max minus first'")


def test_pooling_gap_refuses_too_many_features():
    """10,000,000 permutations of 3 configurations of 2 particles with 1 feature: 60,000,000 features raise."""
    with pytest.raises(ValueError) as info:
        invariance.pooling_gap("sum", n_configurations=3, m=2, k=1, n_permutations=10**7)
    assert str(info.value) == ("n_permutations, n_configurations, m and k would need 60,000,000 features, "
                               "more than the limit of 50,000,000: use smaller values")


@pytest.mark.parametrize("how", ["first particle", "sum weighted by index", "max minus first"])
def test_pooling_gap_depends_on_its_seed_only(how):
    """The features and the permutations come from the seed: the global generator changes nothing, the seed does."""
    kwargs = dict(n_configurations=2, m=6, k=3, n_permutations=2)
    torch.manual_seed(1)
    first = invariance.pooling_gap(how, seed=3, **kwargs)
    torch.manual_seed(2)
    assert invariance.pooling_gap(how, seed=3, **kwargs) == first
    assert invariance.pooling_gap(how, seed=4, **kwargs) != first


# --- pool: one particle, NaN, and the shape or type in its error -----------------------------------------------

def test_pool_of_one_particle_is_that_particle():
    """m = 1 is allowed: sum, mean, max and the first particle all give the features of the one particle."""
    features = torch.tensor([[[1.0, -2.0]], [[3.0, 0.5]]])  # (2, 1, 2)
    for how in ("sum", "mean", "max", "first particle"):
        assert invariance.pool(features, how).tolist() == [[1.0, -2.0], [3.0, 0.5]]


@pytest.mark.parametrize("features, got", [(torch.zeros(2, 0, 3), "(2, 0, 3)"), (torch.zeros(2, 3), "(2, 3)"),
                                           ([[[1.0]]], "list")])
def test_pool_names_the_shape_or_type_it_got(features, got):
    """No particles, two axes, or not a tensor: a ValueError with the shape (or the type) it got."""
    with pytest.raises(ValueError) as info:
        invariance.pool(features)
    assert str(info.value) == f"features must be a tensor of shape (B, m, k) with m >= 1, got {got}"


def test_pool_passes_nan_through():
    """pool is a network layer: a NaN feature gives a NaN sum, the other features are pooled as usual."""
    out = invariance.pool(torch.tensor([[[float("nan"), 1.0], [2.0, 3.0]]]), "sum")
    assert torch.isnan(out[0, 0]) and out[0, 1].item() == 4.0


# --- outputs_under_transforms and invariance_gap: default kind, a spread ratio without spread -----------------

X2 = torch.tensor([[[1.0, 0.0, 0.0], [2.0, 0.0, 0.0], [3.0, 0.0, 0.0]],
                   [[4.0, 0.0, 0.0], [5.0, 0.0, 0.0], [6.0, 0.0, 0.0]]], dtype=torch.float64)


def first_x(X):
    return X[:, 0, 0]


def test_outputs_under_transforms_permutes_by_default():
    """Without kind, the copies are permutations: the same outputs as kind="permutations", each some particle's x."""
    reference, outputs = invariance.outputs_under_transforms(first_x, X2, n_copies=8, generator=generator(3))
    _, explicit = invariance.outputs_under_transforms(first_x, X2, 8, "permutations", generator(3))
    assert reference.tolist() == [1.0, 4.0]
    assert torch.equal(outputs, explicit)
    assert set(outputs[:, 0].tolist()) <= {1.0, 2.0, 3.0} and set(outputs[:, 1].tolist()) <= {4.0, 5.0, 6.0}


@pytest.mark.parametrize("f, X", [(first_x, X2[:1]), (lambda X: X.sum(dim=(1, 2)) * 0 + 7.0, X2)])
def test_invariance_gap_spread_ratio_is_nan_without_spread_between_configurations(f, X):
    """One configuration, or an f equal on every configuration: no spread between them, so the spread ratio is NaN."""
    gap = invariance.invariance_gap(f, X, n_copies=4, generator=generator(0))
    assert math.isnan(gap.spread_ratio)


def test_invariance_gap_makes_100_copies_by_default():
    """Without n_copies, 100 transformed copies of each configuration are measured (as with n_copies=100)."""
    gap = invariance.invariance_gap(first_x, X2, generator=generator(5))
    explicit = invariance.invariance_gap(first_x, X2, n_copies=100, generator=generator(5))
    assert gap.outputs.shape == (100, 2)
    assert (gap.outputs == explicit.outputs).all()


def scripted(reference, outputs):
    """An f that returns `reference` on the B configurations of X and `outputs` (copy-major) on the copies."""
    def f(X):
        return torch.tensor(reference if len(X) == len(reference) else outputs, dtype=torch.float64)
    return f


@pytest.mark.parametrize("kind", ["permutations", "rotations", "both"])
def test_invariance_gap_exact_values_of_two_configurations(kind):
    """f(X) = [2, 4], copies [[1, 4], [3, 8]]: largest change 4, relative 4 / 4, spread ratio mean(1, 2) / 1."""
    gap = invariance.invariance_gap(scripted([2.0, 4.0], [1.0, 4.0, 3.0, 8.0]), X2, n_copies=2, kind=kind,
                                    generator=generator(0))
    assert gap.kind == kind
    assert gap.reference.tolist() == [2.0, 4.0] and gap.outputs.tolist() == [[1.0, 4.0], [3.0, 8.0]]
    assert gap.max_abs_change == 4.0
    assert gap.max_rel_change == 1.0
    assert gap.spread_ratio == 1.5  # std over copies per configuration: 1 and 2; std of [2, 4]: 1


def test_invariance_gap_relative_change_of_a_zero_reference_is_the_absolute_change():
    """f(X) = 0 on every configuration: no scale to divide by, so max_rel_change is the absolute change 2."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gap = invariance.invariance_gap(scripted([0.0, 0.0], [1.0, -2.0, 0.5, 0.0]), X2, n_copies=2,
                                        generator=generator(0))
    assert gap.max_abs_change == 2.0
    assert gap.max_rel_change == 2.0


# --- outputs_under_transforms: the exact messages of its errors, its default, and what f may return -----------

def test_signed_volume_names_the_type_of_x_that_is_not_a_tensor():
    """A list for X raises a TypeError naming its type (list) and the way to make a tensor."""
    with pytest.raises(TypeError) as info:
        invariance.signed_volume(TETRAHEDRON)
    assert str(info.value) == "X must be a torch tensor, got list; use torch.as_tensor(X)"


@pytest.mark.parametrize("f, gen, error, message", [
    (5, generator(0), TypeError, "f must be a function or a model, got int"),
    (first_x, None, TypeError, "pass generator=torch.Generator().manual_seed(seed): the measurement must be "
                               "reproducible"),
    (lambda X: "abc", generator(0), TypeError, "f must return numbers (a tensor of shape (2,)), got str"),
    (lambda X: torch.tensor([float("nan"), 1.0]), generator(0), ValueError,
     "f returned NaN or infinite values: the change under transformations cannot be measured"),
    (lambda X: torch.ones(len(X), dtype=torch.complex128), generator(0), ValueError,
     "f must return one real number per configuration, shape (2,), got (2,) of dtype torch.complex128"),
    (lambda X: torch.ones(len(X), dtype=torch.bool), generator(0), ValueError,
     "f must return one real number per configuration, shape (2,), got (2,) of dtype torch.bool"),
])
def test_outputs_under_transforms_error_messages(f, gen, error, message):
    """Each refusal has its exact message: f not callable, no generator, f returning text, NaN, complex or booleans."""
    with pytest.raises(error) as info:
        invariance.outputs_under_transforms(f, X2, n_copies=2, generator=gen)
    assert str(info.value) == message


@pytest.mark.parametrize("dtype", [torch.float32, torch.int64])
def test_outputs_under_transforms_returns_float64_whatever_f_returns(dtype):
    """An f returning float32 or int64 numbers gives float64 reference and outputs with the same values."""
    reference, outputs = invariance.outputs_under_transforms(lambda X: X[:, 0, 0].to(dtype), X2, n_copies=3,
                                                             generator=generator(1))
    assert reference.dtype == torch.float64 and outputs.dtype == torch.float64
    assert reference.tolist() == [1.0, 4.0]


def test_outputs_under_transforms_makes_100_copies_by_default():
    """Without n_copies, outputs holds 100 copies of each configuration, the same as n_copies=100."""
    _, outputs = invariance.outputs_under_transforms(first_x, X2, generator=generator(2))
    _, explicit = invariance.outputs_under_transforms(first_x, X2, 100, generator=generator(2))
    assert outputs.shape == (100, 2)
    assert torch.equal(outputs, explicit)


def test_transformed_copies_work_limit_counts_every_configuration():
    """10**8 copies of 2 configurations of 1 particle: 10**8 * 2 * 1 * 3 = 600,000,000 coordinates (B multiplies)."""
    with pytest.raises(ValueError) as info:
        invariance.transformed_copies(torch.zeros(2, 1, 3), 10**8, "permutations", generator())
    assert str(info.value) == ("n_copies and X would need 600,000,000 coordinates, more than the limit of 50,000,000: "
                               "use smaller values")


# Three particles with distinct distances (1, 3, sqrt 10): a permutation reorders the distance matrix.
TRIANGLE = torch.tensor([[[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 3.0, 0.0]]], dtype=torch.float64)


@pytest.mark.parametrize("kind, rotated, permuted", [
    ("permutations", False, True), ("rotations", True, False), ("both", True, True),
])
def test_transformed_copies_rotate_and_permute_as_kind_says(kind, rotated, permuted):
    """Over 20 copies: "permutations" only reorders rows, "rotations" only turns them, "both" does both."""
    copies = invariance.transformed_copies(TRIANGLE, 20, kind, generator(4))[:, 0]  # (20, 3, 3)
    assert copies.shape == (20, 3, 3)
    rows = {tuple(r) for r in TRIANGLE[0].tolist()}
    only_reordered = all({tuple(r) for r in c.tolist()} == rows for c in copies)
    same_order = all(torch.allclose(torch.cdist(c, c), torch.cdist(TRIANGLE[0], TRIANGLE[0]), atol=1e-12, rtol=0)
                     for c in copies)
    assert only_reordered is not rotated
    assert same_order is not permuted


# --- the weights of "sum weighted by index" in half precision --------------------------------------------------

@pytest.mark.parametrize("dtype, m, index, weight", [
    (torch.bfloat16, 300, 257, 258.0),  # 258 is a bfloat16 number (spacing 2 above 256)
    (torch.float16, 2100, 2049, 2050.0),  # 2050 is a float16 number (spacing 2 above 2048)
    (torch.float32, 6, 5, 6.0),
])
def test_pool_weighted_by_index_gives_each_particle_its_exact_weight(dtype, m, index, weight):
    """A one on particle index + 1 only is weighted by index + 1 exactly, also where bfloat16/float16 count coarsely."""
    features = torch.zeros(1, m, 1, dtype=dtype)
    features[0, index, 0] = 1.0
    out = invariance.pool(features, "sum weighted by index")
    assert out.dtype == dtype
    assert out.tolist() == [[weight]]


# --- pooling_gap: its defaults, the exact relative change, the message of an unknown pooling ---------------------

@pytest.mark.parametrize("how", ["first particle", "sum weighted by index"])
def test_pooling_gap_defaults_are_64_configurations_20_particles_8_features_seed_0(how):
    """Without the optional arguments, the gap is the one of n_configurations=64, m=20, k=8, n_permutations=50, seed=0."""
    assert invariance.pooling_gap(how) == invariance.pooling_gap(how, n_configurations=64, m=20, k=8,
                                                                 n_permutations=50, seed=0)


@pytest.mark.parametrize("kwargs, amount", [
    (dict(n_permutations=10**7), "102,400,000,000"),  # 10**7 * 64 * 20 * 8: default n_configurations, m, k
    (dict(n_configurations=10**7), "80,000,000,000"),  # 50 * 10**7 * 20 * 8: default n_permutations, m, k
    (dict(n_configurations=10**6, m=4, k=2), "400,000,000"),  # 50 * 10**6 * 4 * 2: k multiplies
])
def test_pooling_gap_work_limit_counts_the_defaults_and_every_factor(kwargs, amount):
    """The features counted against the limit are n_permutations * n_configurations * m * k, defaults 50, 64, 20, 8."""
    with pytest.raises(ValueError) as info:
        invariance.pooling_gap("sum", **kwargs)
    assert str(info.value) == (f"n_permutations, n_configurations, m and k would need {amount} features, "
                               "more than the limit of 50,000,000: use smaller values")


@pytest.mark.parametrize("seed", [0, 1, 2, 5])
def test_pooling_gap_of_two_particles_is_their_difference_over_the_first(seed):
    """One configuration of 2 particles, 1 feature h0, h1: among 50 permutations one swaps, so the gap is |h1 - h0| / |h0|."""
    h0, h1 = torch.randn(1, 2, 1, generator=torch.Generator().manual_seed(seed), dtype=torch.float64).flatten().tolist()
    gap = invariance.pooling_gap("first particle", n_configurations=1, m=2, k=1, seed=seed)
    assert gap == abs(h1 - h0) / abs(h0)  # |h0| is below 1 for seeds 1, 2 and 5, above 1 for seed 0


@pytest.mark.parametrize("how, got", [("median", "'median' (str)"), (3, "3 (int)")])
def test_pooling_gap_unknown_pooling_lists_every_name_and_what_it_got(how, got):
    """An unknown pooling raises a ValueError listing every pooling's name and describing what was given."""
    with pytest.raises(ValueError) as info:
        invariance.pooling_gap(how)
    assert str(info.value) == ("how must be one of 'sum', 'mean', 'max', 'min', 'logsumexp', 'product', "
                               "'first particle', 'sum weighted by index', 'sum of the first half', "
                               f"'max minus first', got {got}")


# --- invariant_poolings at tol = 0, and the exact messages of check_invariant_poolings ---------------------------

def test_invariant_poolings_at_zero_tolerance_keeps_the_exact_ones():
    """tol = 0 keeps the poolings whose gap is exactly 0: max and min pick a value, untouched by the order."""
    exact = invariance.invariant_poolings(0.0)
    assert {"max", "min"} <= exact <= {"sum", "mean", "max", "min", "logsumexp", "product"}


def test_check_invariant_poolings_right_has_its_exact_message():
    """The invariant six, in any order: correct is True and the message lists them sorted, joined by ", "."""
    result = invariance.check_invariant_poolings(["sum", "product", "min", "max", "mean", "logsumexp"])
    assert result.correct is True
    assert result.message == ("Right: logsumexp, max, mean, min, product, sum are permutation invariant; "
                              "each treats every particle alike and does not depend on their order.")


def test_check_invariant_poolings_not_yet_has_one_line_per_mistake():
    """One pooling too many and one missing: "Not yet:" then one exact line each, the wrong one first."""
    result = invariance.check_invariant_poolings({"sum", "mean", "max", "min", "logsumexp", "first particle"})
    assert result.correct is False
    pattern = (re.escape("Not yet:\n'first particle' is not invariant: permuting the particles changes it (by up to ")
               + r"[0-9.]+" + re.escape(" of its size on random features); it singles out particles by their position "
                                        "in the list.\n'product' is invariant too: it combines all particles with a "
                                        "symmetric operation, so their order cannot matter."))
    assert re.fullmatch(pattern, result.message), result.message


@pytest.mark.parametrize("how, got", [("median", "'median' (str)"), (None, "None (NoneType)")])
def test_pool_unknown_pooling_lists_every_name_and_what_it_got(how, got):
    """pool's own ValueError for an unknown pooling lists every name, joined by ", ", and describes what it got."""
    with pytest.raises(ValueError) as info:
        invariance.pool(torch.zeros(1, 2, 3), how)
    assert str(info.value) == ("how must be one of 'sum', 'mean', 'max', 'min', 'logsumexp', 'product', "
                               "'first particle', 'sum weighted by index', 'sum of the first half', "
                               f"'max minus first', got {got}")
