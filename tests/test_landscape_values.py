"""dlexam.landscape: exact values, shapes, limits, defaults and the exact messages of every check and error."""

import itertools
import math

import numpy as np
import pytest

from dlexam import landscape as ls

# One Gaussian well at the origin, depth 1, width 1, in a bowl of curvature 2: h(w) = |w|^2 - exp(-|w|^2 / 2).
ONE_WELL = dict(centres=[(0.0, 0.0)], depths=[1.0], widths=[1.0], bowl=2.0)


def _one_well(offsets=((0.0, 0.0),)):
    return ls.Landscape(ONE_WELL["centres"], ONE_WELL["depths"], ONE_WELL["widths"], ONE_WELL["bowl"], offsets)


# --- The formulas of one example's landscape -----------------------------------------------------------

def test_well_formulas_pass_nan_points_through():
    """A NaN point gives a NaN loss, gradient and Hessian instead of an error."""
    assert math.isnan(ls.well_loss([float("nan"), 0.0], **ONE_WELL))
    assert np.isnan(ls.well_gradient([float("nan"), 0.0], **ONE_WELL)).all()
    assert np.isnan(ls.well_hessian([0.0, float("nan")], **ONE_WELL)).any()


def test_well_formulas_accept_no_points():
    """An empty (0, 2) set of points gives empty results of the matching shapes."""
    assert ls.well_loss(np.zeros((0, 2)), **ONE_WELL).shape == (0,)
    assert ls.well_gradient(np.zeros((0, 2)), **ONE_WELL).shape == (0, 2)
    assert ls.well_hessian(np.zeros((0, 2)), **ONE_WELL).shape == (0, 2, 2)


def test_well_loss_of_one_point_and_of_a_grid():
    """One (2,) point gives one number; a (2, 3, 2) grid gives (2, 3): h(0) = -1, h(1, 0) = 1 - e^(-1/2)."""
    assert ls.well_loss([0.0, 0.0], **ONE_WELL) == -1.0
    assert ls.well_loss([1.0, 0.0], **ONE_WELL) == pytest.approx(1 - math.exp(-0.5), rel=1e-15)
    grid = np.zeros((2, 3, 2))
    grid[1, 2] = (0.0, 1.0)
    values = ls.well_loss(grid, **ONE_WELL)
    assert values.shape == (2, 3)
    np.testing.assert_allclose(values, [[-1, -1, -1], [-1, -1, 1 - math.exp(-0.5)]], rtol=1e-15)


def test_well_formulas_refuse_too_much_work_naming_the_arguments():
    """2,500 points x 2,501 wells x 4 = 50,020,000 numbers is over the 5e7 limit: the message says so exactly."""
    centres = np.zeros((2501, 2))
    with pytest.raises(ValueError) as info:
        ls.well_loss(np.zeros((2500, 2)), centres, np.ones(2501), np.ones(2501), 1.0)
    assert str(info.value) == ("w and centres would need 50,020,000 numbers, more than the limit of 50,000,000: "
                               "use smaller values")


# --- Landscape ---------------------------------------------------------------------------------------

def test_landscape_takes_one_well_as_a_point_and_scalars():
    """centres (2,) and scalar depths and widths describe one well, the same as (1, 2), (1,) and (1,)."""
    surface = ls.Landscape((0.0, 0.0), 1.0, 1.0, 2.0, [(0.0, 0.0)])
    assert surface.centres.shape == (1, 2) and surface.depths.shape == (1,) and surface.widths.shape == (1,)
    assert surface.loss((0.0, 0.0)) == -1.0
    assert surface.loss((1.0, 0.0)) == pytest.approx(1 - math.exp(-0.5), rel=1e-15)


@pytest.mark.parametrize("depths, widths, message", [
    ([0.0], [1.0], "depths must be positive numbers, got [0.]"),
    ([1.0], [0.0], "widths must be positive numbers, got [0.]"),
])
def test_landscape_refuses_a_zero_depth_or_width(depths, widths, message):
    """A depth or width of exactly 0 is not positive: it raises with the exact message."""
    with pytest.raises(ValueError) as info:
        ls.Landscape([(0.0, 0.0)], depths, widths, 1.0, [(0.0, 0.0)])
    assert str(info.value) == message


@pytest.mark.parametrize("examples, wells, allowed", [(100_000, 1, True), (100_001, 1, False),
                                                      (1, 1000, True), (1, 1001, False)])
def test_landscape_limits_are_100000_examples_and_1000_wells_inclusive(examples, wells, allowed):
    """Exactly 100,000 examples and exactly 1,000 wells are allowed; one more of either raises."""
    arguments = (np.zeros((wells, 2)), np.ones(wells), np.ones(wells), 1.0, np.zeros((examples, 2)))
    if allowed:
        surface = ls.Landscape(*arguments)
        assert surface.n == examples and surface.centres.shape == (wells, 2)
    else:
        with pytest.raises(ValueError) as info:
            ls.Landscape(*arguments)
        assert str(info.value) == (f"offsets may hold at most 100,000 examples and centres 1,000 wells, got "
                                   f"{examples:,} and {wells:,}")


def test_a_new_landscape_finds_its_critical_points():
    """A freshly made landscape has no stored critical points yet: the first call finds the three of the page."""
    points = ls.critical_points(ls.make_landscape())
    assert [p.kind for p in points] == ["minimum", "minimum", "saddle"]


def test_a_new_landscape_draws_its_grid():
    """grid() of a fresh landscape: the loss at the four corners of a 2 x 2 grid, by hand."""
    xx, yy, loss = _one_well().grid(limits=((-1.0, 1.0), (0.0, 1.0)), resolution=2)
    np.testing.assert_array_equal(xx, [[-1.0, 1.0], [-1.0, 1.0]])
    np.testing.assert_array_equal(yy, [[0.0, 0.0], [1.0, 1.0]])
    edge, corner = 1 - math.exp(-0.5), 2 - math.exp(-1.0)  # |w|^2 = 1 and 2
    np.testing.assert_allclose(loss, [[edge, edge], [corner, corner]], rtol=1e-15)


# --- make_landscape ----------------------------------------------------------------------------------

def test_make_landscape_defaults_are_the_books_wells():
    """The defaults: 40 examples of spread 0.3 from seed 0, wells at (1.1, -0.3) and (-1.3, 0.6), bowl 0.3."""
    surface = ls.make_landscape()
    assert surface.n == 40 and surface.bowl == 0.3
    np.testing.assert_array_equal(surface.centres, [(1.1, -0.3), (-1.3, 0.6)])
    np.testing.assert_array_equal(surface.depths, [2.0, 1.0])
    np.testing.assert_array_equal(surface.widths, [0.8, 0.45])
    offsets = 0.3 * np.random.default_rng(0).normal(size=(40, 2))
    np.testing.assert_allclose(surface.offsets, offsets - offsets.mean(0), rtol=0, atol=1e-15)


@pytest.mark.parametrize("n, allowed", [(100_000, True), (100_001, False)])
def test_make_landscape_allows_up_to_100000_examples(n, allowed):
    """n = 100,000 is allowed, 100,001 raises naming n and the range."""
    if allowed:
        assert ls.make_landscape(n=n).n == n
    else:
        with pytest.raises(ValueError, match=r"^n must be a whole number of examples from 1 to 100000, got 100001$"):
            ls.make_landscape(n=n)


# --- The noise of a mini-batch gradient ----------------------------------------------------------------

def test_gradient_noise_of_several_points_is_each_points_noise():
    """(3, 2) points give (3,) noises, each the mean over every possible batch of 2 of 5 examples."""
    offsets = [(0.5, 0.0), (-0.25, 0.75), (0.0, -0.5), (1.0, 0.25), (-0.5, -0.5)]
    surface = ls.Landscape([(0.5, -0.25), (-1.0, 0.5)], [1.5, 0.75], [0.5, 1.0], 0.5, offsets)
    points = np.array([(-0.3, 0.6), (0.0, 0.0), (1.25, -0.75)])
    noise = ls.gradient_noise(surface, points, 2)
    assert noise.shape == (3,)
    for w, value in zip(points, noise):
        full = surface.gradient(w)
        errors = [np.sum((surface.gradient(w, list(b)) - full) ** 2) for b in itertools.combinations(range(5), 2)]
        assert value == pytest.approx(np.mean(errors), rel=1e-10, abs=1e-15)


def test_gradient_noise_names_what_it_got_instead_of_a_landscape():
    """Something other than a Landscape raises a TypeError naming its type."""
    with pytest.raises(TypeError, match=r"^landscape must be a Landscape, got str$"):
        ls.gradient_noise("surface", (0.0, 0.0), 1)


# --- Random symmetric matrices -------------------------------------------------------------------------

class _RecordingGenerator(np.random.Generator):
    """A Generator that records the size asked of normal() and returns a single 1 x 1 zero matrix."""

    def __init__(self):
        super().__init__(np.random.PCG64(0))
        self.sizes = []

    def normal(self, loc=0.0, scale=1.0, size=None):
        self.sizes.append(size)
        return np.zeros((1, 1, 1))


@pytest.mark.parametrize("d, count", [(1, 10_000_000), (5, 2_000_000), (200, 1250)])
def test_goe_matrices_allow_count_and_size_up_to_their_limits(d, count):
    """count 1e7 and count x d^2 = 5e7 exactly are allowed: the draw of (count, d, d) numbers is asked for."""
    rng = _RecordingGenerator()
    ls.goe_matrices(d, count, rng)
    assert rng.sizes == [(count, d, d)]


def test_goe_matrices_allow_200_dimensions():
    """d = 200 is allowed (one matrix, symmetric); d = 201 raises."""
    H = ls.goe_matrices(200, 1, np.random.default_rng(0))
    assert H.shape == (1, 200, 200) and np.array_equal(H, H.transpose(0, 2, 1))
    with pytest.raises(ValueError, match=r"^d must be a whole number of dimensions from 1 to 200, got 201$"):
        ls.goe_matrices(201, 1, np.random.default_rng(0))


def test_goe_matrices_name_what_they_got_instead_of_a_generator():
    """A seed instead of a Generator raises a TypeError naming its type."""
    with pytest.raises(TypeError) as info:
        ls.goe_matrices(3, 10, 0)
    assert str(info.value) == "rng must be a numpy Generator, e.g. np.random.default_rng(0); got int"


@pytest.mark.parametrize("matrices, expected", [
    (np.zeros((0, 2, 2)), np.zeros((0,), dtype=int)),
    (np.zeros((2, 0, 2, 2)), np.zeros((2, 0), dtype=int)),
    (np.stack([np.diag([-1.0, 2.0]), np.diag([-1.0, -2.0]), np.eye(2)] * 2).reshape(2, 3, 2, 2), [[1, 2, 0]] * 2),
    ([[0.0, 1.0], [1.0, 0.0]], 1),  # eigenvalues -1 and 1
])
def test_hessian_index_of_stacks_of_any_shape(matrices, expected):
    """Empty stacks and a (2, 3) stack of 2 x 2 matrices give their negative-eigenvalue counts in the stack's shape."""
    result = ls.hessian_index(matrices)
    np.testing.assert_array_equal(result, expected)
    assert result.shape == np.shape(expected)


@pytest.mark.parametrize("matrices, message", [
    ([[float("nan"), 0.0], [0.0, 1.0]], "matrices must be finite"),
    (np.stack([np.eye(2), [[0.0, 1.0], [2.0, 0.0]]]), "matrices must be symmetric (a Hessian is)"),
    (np.zeros((3, 0, 0)), "matrices must have shape (..., d, d) with d >= 1, got (3, 0, 0)"),
])
def test_hessian_index_refuses_nan_asymmetric_and_empty_matrices(matrices, message):
    """NaN, a non-symmetric matrix inside a stack and 0 x 0 matrices raise with the exact message."""
    with pytest.raises(ValueError) as info:
        ls.hessian_index(matrices)
    assert str(info.value) == message


# --- Self-checks ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("answer, right, message", [
    (3910, True, "Right: ceil(50000/128) = 391 updates per epoch, x 10 epochs = 3910. Full batch would make 10."),
    (10, False, "Not yet: that is one update per epoch, which only full batch makes."),
    (3900, False, "Not yet: the last, smaller batch of every epoch is a step too."),
    (500_000, False, "Not yet: that counts examples seen, not updates; one update uses a whole batch."),
    (1, False, "Not yet: count the batches in one pass over the data, then multiply by the epochs."),
    ("many", False, "Not yet: an update count is a whole number, got 'many'."),
])
def test_check_update_count_messages(answer, right, message):
    """Each verdict's exact message for 50,000 examples, batch 128, 10 epochs: right, each slip, the recipe."""
    result = ls.check_update_count(answer, 50_000, 128, 10)
    assert result.correct is right and result.message == message


@pytest.mark.parametrize("answer, right, message", [
    (3.2, True, "Right: 0.1 x 8192 / 256 = 3.2. Goyal et al. (2017) reach it after a warm-up of 5 epochs."),
    (3.2 * (1 + 1e-7), True,
     "Right: 0.1 x 8192 / 256 = 3.2. Goyal et al. (2017) reach it after a warm-up of 5 epochs."),
    (0.1 * math.sqrt(32) * (1 + 1e-7), False,
     "Not yet: that is square-root scaling; the linear rule multiplies by the ratio itself."),
    (0.1 / 32 * (1 + 1e-7), False, "Not yet: a larger batch gets a larger learning rate, not a smaller one."),
    (3.2 * (1 + 2e-6), False, "Not yet: multiply the base learning rate by how many times larger the batch is."),
    (None, False, "Not yet: a learning rate is a number, got None."),
])
def test_check_scaled_learning_rate_messages_within_a_relative_1e_minus_6(answer, right, message):
    """Each verdict's exact message; answers within a relative 1e-6 of a value count as it, 2e-6 off do not."""
    result = ls.check_scaled_learning_rate(answer, 0.1, 256, 8192)
    assert result.correct is right and result.message == message


@pytest.mark.parametrize("resolution", [1, 1001, 2.0])
def test_grid_resolution_is_a_whole_number_from_2_to_1000(resolution):
    """1, 1001 and a float resolution raise the exact message (1000 itself is allowed, see below)."""
    with pytest.raises(ValueError) as info:
        _one_well().grid(resolution=resolution)
    assert str(info.value) == f"resolution must be a whole number from 2 to 1000, got {resolution!r}"


def test_grid_allows_resolution_1000():
    """resolution=1000, the largest allowed, gives (1000, 1000) arrays."""
    xx, yy, loss = _one_well().grid(resolution=1000)
    assert xx.shape == yy.shape == loss.shape == (1000, 1000)


# --- Overflow, limits and the settling test of final_minimum ---------------------------------------------

# One well between two examples at (-1, 0) and (1, 0) in a bowl of curvature 0.2: the only minimum is the
# origin, with curvatures 0.2 + (1 - 1) e^(-1/2) = 0.2 along w1 and 0.2 + e^(-1/2) = 0.8065 along w2.
FLAT_ALONG_W1 = dict(centres=[(0.0, 0.0)], depths=[1.0], widths=[1.0], bowl=0.2, offsets=[(-1.0, 0.0), (1.0, 0.0)])


def test_well_loss_of_a_huge_point_is_infinite_without_a_warning():
    """|w|^2 overflows at w = (1e200, 0): the loss is +inf and no overflow warning is raised."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ls.well_loss([1e200, 0.0], **ONE_WELL) == math.inf


def test_final_minimum_steps_use_the_largest_curvature():
    """lr = 1 / 0.8065 (the largest curvature) settles (0, 0.5) at once; lr = 1 / 0.2 would overshoot along w2."""
    surface = ls.Landscape(**FLAT_ALONG_W1)
    assert ls.final_minimum(surface, [0.0, 0.5], steps=10) == 0


@pytest.mark.parametrize("point, expected", [((0.0, 0.0), 0), ((0.0, 0.0078125), 0), ((0.0, 0.5), -1),
                                             ((0.0, 1.0), -1)])
def test_final_minimum_settles_only_within_one_hundredth(point, expected):
    """With no steps, a point counts as settled only when it lies closer than 0.01 to the minimum."""
    assert ls.final_minimum(ls.Landscape(**FLAT_ALONG_W1), point, steps=0) == expected


def test_final_minimum_refuses_too_many_gradient_terms_exactly():
    """50,001 points x 100,000 steps x 2 examples = 10,000,200,000 gradient terms: over 10^10, exact message."""
    surface = ls.Landscape(**FLAT_ALONG_W1)
    with pytest.raises(ValueError) as info:
        ls.final_minimum(surface, np.zeros((50_001, 2)), steps=100_000)
    assert str(info.value) == ("points and steps would need 10,000,200,000 gradient terms, more than the limit of "
                               "10,000,000,000: use smaller values")


def test_final_minimum_keeps_the_shape_of_a_grid_of_points():
    """A (2, 3, 2) grid of points gives a (2, 3) array of minima."""
    assert ls.final_minimum(ls.Landscape(**FLAT_ALONG_W1), np.zeros((2, 3, 2)), steps=0).tolist() == [[0] * 3] * 2


def test_descend_takes_100000_runs():
    """runs = 100000 is the largest allowed; 100001 is refused with the exact message."""
    surface = ls.Landscape(**FLAT_ALONG_W1)
    assert ls.descend(surface, (0.0, 0.5), 0.5, 2, 1, runs=100_000).paths.shape == (100_000, 2, 2)
    with pytest.raises(ValueError) as info:
        ls.descend(surface, (0.0, 0.5), 0.5, 2, 1, runs=100_001)
    assert str(info.value) == "runs must be a whole number from 1 to 100000, got 100001"


# --- The book's surface and the escape experiment ---------------------------------------------------------

def test_book_landscape_is_one_landscape_made_with_the_defaults(monkeypatch):
    """book_landscape() is a Landscape, the same object every call, with make_landscape()'s 40 offsets
    (built afresh here: an earlier test of the same process may have built it already)."""
    monkeypatch.setattr(ls, "_BOOK", None)
    surface = ls.book_landscape()
    assert isinstance(surface, ls.Landscape) and ls.book_landscape() is surface
    np.testing.assert_array_equal(surface.offsets, ls.make_landscape().offsets)
    assert surface.n == 40


# Two equal wells at (-1, 0) and (1, 0), one example at the origin: the origin is a saddle between two minima,
# and a path that starts on the w2 axis stays on it (the wells' pulls along w1 cancel exactly), so it never
# settles in a minimum.
SADDLE = dict(centres=[(-1.0, 0.0), (1.0, 0.0)], depths=[1.0, 1.0], widths=[0.5, 0.5], bowl=0.5,
              offsets=[(0.0, 0.0)])


def test_escape_fraction_reports_epochs_and_counts_runs_that_do_not_settle():
    """Runs stuck on the saddle's axis count as unsettled (basin -1), none as global; epochs and updates are kept."""
    result = ls.escape_fraction(ls.Landscape(**SADDLE), (0.0, 1.0), 0.5, 1, 3, runs=2)
    assert result == ls.EscapeResult(batch_size=1, lr=0.5, epochs=3, updates=3, runs=2, global_runs=0,
                                     unsettled_runs=2)


def test_escape_fraction_defaults_are_200_runs_and_seed_0():
    """Without runs and seed, escape_fraction is the call with runs=200, seed=0 (seed 1 counts other escapes)."""
    args = (ls.book_landscape(), ls.BOOK_START, ls.BOOK_LR, 4, 2)
    default = ls.escape_fraction(*args)
    assert default.runs == 200
    assert default == ls.escape_fraction(*args, runs=200, seed=0)
    assert default.global_runs != ls.escape_fraction(*args, runs=200, seed=1).global_runs


def test_escape_table_defaults_are_200_runs_and_seed_0_and_one_batch_size_is_enough():
    """A table of one batch size, without runs and seed, is [escape_fraction(..., runs=200, seed=0)]."""
    args = (ls.book_landscape(), ls.BOOK_START, ls.BOOK_LR)
    table = ls.escape_table(*args, [4], 2)
    assert len(table) == 1 and table[0].runs == 200
    assert table == [ls.escape_fraction(*args, 4, 2, runs=200, seed=0)]
    assert table[0].global_runs != ls.escape_fraction(*args, 4, 2, runs=200, seed=1).global_runs


def test_escape_table_scales_the_learning_rate_by_b_over_the_first_batch_size():
    """scale_lr with batch sizes [2, 4] and lr 1/8 gives lr 1/8 * 2/2 = 1/8 and 1/8 * 4/2 = 1/4."""
    table = ls.escape_table(ls.book_landscape(), ls.BOOK_START, 0.125, [2, 4], 1, runs=1, scale_lr=True)
    assert [r.lr for r in table] == [0.125, 0.25]
    assert [r.batch_size for r in table] == [2, 4]


@pytest.mark.parametrize("count, message", [(0, "batch_sizes must hold at least 1 items, got 0"),
                                            (1001, "batch_sizes must hold at most 1000 items, got 1001")])
def test_escape_table_holds_1_to_1000_batch_sizes(count, message):
    """No batch size and 1001 batch sizes are refused with the exact message (1000 itself is allowed, see below)."""
    with pytest.raises(ValueError) as info:
        ls.escape_table(_one_well(), (0.0, 0.0), 0.5, [1] * count, 1, runs=1)
    assert str(info.value) == message


def test_escape_table_allows_1000_batch_sizes():
    """1000 batch sizes, the most allowed, give 1000 results (here every run starts in the minimum)."""
    table = ls.escape_table(_one_well(), (0.0, 0.0), 0.5, [1] * 1000, 1, runs=1)
    assert len(table) == 1000 and all(r.global_runs == 1 for r in table)


# --- Warnings of the Hessian, compare_batch_sizes and the grid's cache ------------------------------------

@pytest.mark.parametrize("point", [(1e200, 0.0), (math.inf, 0.0)])
def test_well_hessian_of_a_huge_or_infinite_point_raises_no_warning(point):
    """An overflowing (1e200) or infinite point gives a Hessian without an overflow or invalid-value warning."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hessian = ls.well_hessian(point, **ONE_WELL)
    assert hessian.shape == (2, 2) and hessian[1, 1] == 2.0  # far from the well only the bowl's curvature 2 is left


def test_compare_batch_sizes_defaults_are_50_runs_and_seed_0():
    """Without runs and seed, the mini-batch runs are descend(..., runs=50, seed=0) (seed 1 draws other paths)."""
    surface = ls.Landscape(**FLAT_ALONG_W1)
    result = ls.compare_batch_sizes(surface, (0.5, 0.5), 0.5, 1, 2)
    assert result.mini.paths.shape == (50, 5, 2)
    np.testing.assert_array_equal(result.mini.paths, ls.descend(surface, (0.5, 0.5), 0.5, 1, 2, runs=50, seed=0).paths)
    assert not np.array_equal(result.mini.paths, ls.descend(surface, (0.5, 0.5), 0.5, 1, 2, runs=50, seed=1).paths)


def test_compare_batch_sizes_mini_loss_is_that_of_the_first_run():
    """mini_loss is the loss where the first mini-batch run ended (the run to draw), not the second."""
    surface = ls.book_landscape()
    result = ls.compare_batch_sizes(surface, ls.BOOK_START, ls.BOOK_LR, 4, 2, runs=2, seed=0)
    first, second = ls.descend(surface, ls.BOOK_START, ls.BOOK_LR, 4, 2, runs=2, seed=0).final
    assert float(surface.loss(first)) != float(surface.loss(second))
    assert result.mini_loss == float(surface.loss(first))


def test_compare_batch_sizes_names_what_it_got_instead_of_a_landscape():
    """A landscape that is no Landscape raises TypeError naming its type."""
    with pytest.raises(TypeError, match=r"^landscape must be a Landscape, got str$"):
        ls.compare_batch_sizes("surface", (0.0, 0.0), 0.5, 1, 1)


def test_grid_defaults_are_121_points_over_the_books_window():
    """grid() is 121 x 121 points from w1 = -2.6 to 2.4 and w2 = -1.6 to 2.0."""
    xx, yy, loss = _one_well().grid()
    assert xx.shape == yy.shape == loss.shape == (121, 121)
    assert (xx[0, 0], xx[0, -1], yy[0, 0], yy[-1, 0]) == (-2.6, 2.4, -1.6, 2.0)


def test_grid_of_new_limits_is_drawn_anew():
    """A second grid with other limits is not the kept first one: its points and losses are its own."""
    surface = _one_well()
    surface.grid(((0.0, 1.0), (0.0, 1.0)), 3)
    xx, yy, loss = surface.grid(((0.0, 2.0), (-2.0, 0.0)), 3)
    assert xx[0].tolist() == [0.0, 1.0, 2.0] and yy[:, 0].tolist() == [-2.0, -1.0, 0.0]
    assert loss[2, 0] == -1.0  # h(0, 0) = 0 - e^0


# --- Exact messages, limits and defaults of descend -----------------------------------------------------------

class _Stop(Exception):
    """Raised by a patched gradient: the call got past its argument checks."""


def _stopping_surface():
    """One example of ONE_WELL whose gradient raises _Stop, so a descent stops at its first step."""
    surface = _one_well()

    def stop(*args, **kwargs):
        raise _Stop

    surface.gradient = stop
    return surface


@pytest.mark.parametrize("call, error, message", [
    (lambda: ls.descend("surface", (0.0, 0.0), 0.5, 1, 1), TypeError, "landscape must be a Landscape, got str"),
    (lambda: ls.critical_points("surface"), TypeError, "landscape must be a Landscape, got str"),
    (lambda: ls.final_minimum("surface", (0.0, 0.0)), TypeError, "landscape must be a Landscape, got str"),
    (lambda: ls.descend(_one_well(), [(0.0, 0.0), (1.0, 1.0)], 0.5, 1, 1), ValueError,
     "start must be one point (w1, w2), got shape (2, 2)"),
    (lambda: ls.descend(_one_well(), (0.0, math.inf), 0.5, 1, 1), ValueError, "start must be finite, got [ 0. inf]"),
    (lambda: _one_well().loss((0.0, 0.0), [0.5]), ValueError,
     "indices must be a non-empty array of example numbers (integers)"),
    (lambda: ls.critical_points(_one_well(), starts=101), ValueError,
     "starts must be a whole number from 2 to 100, got 101"),
    (lambda: ls.descend(_stopping_surface(), (0.0, 0.0), 0.5, 1, 67659, runs=739), ValueError,
     "739 runs x 67659 updates is too much work: use fewer runs or epochs"),
])
def test_landscape_errors_have_exact_messages(call, error, message):
    """Wrong landscapes, starts, indices and starts counts, and 50,000,001 steps, raise with the exact message."""
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message


def test_descend_allows_exactly_50_million_steps():
    """500 runs x 1 update x 100,000 epochs = 5e7 steps passes the work check (the patched gradient then stops it)."""
    with pytest.raises(_Stop):
        ls.descend(_stopping_surface(), (0.0, 0.0), 0.5, 1, 100_000, runs=500)


def test_descend_default_seed_is_0_and_the_descent_keeps_lr():
    """Without seed, descend is the call with seed=0 (seed 1 draws other batches); the Descent holds lr as a float."""
    surface = ls.Landscape(**FLAT_ALONG_W1)
    default = ls.descend(surface, (0.5, 0.5), 0.5, 1, 2, runs=3)
    np.testing.assert_array_equal(default.paths, ls.descend(surface, (0.5, 0.5), 0.5, 1, 2, runs=3, seed=0).paths)
    assert not np.array_equal(default.paths, ls.descend(surface, (0.5, 0.5), 0.5, 1, 2, runs=3, seed=1).paths)
    assert default.lr == 0.5 and isinstance(default.lr, float)


# --- The formulas without warnings, and a landscape without the formulas' work limit ---------------------------

@pytest.mark.parametrize("point", [(1e200, 0.0), (math.inf, 0.0)])
def test_well_gradient_of_a_huge_or_infinite_point_raises_no_warning(point):
    """|w|^2 overflows at 1e200, and 0 x inf is invalid at inf: the gradient is computed without a warning."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gradient = ls.well_gradient(point, **ONE_WELL)
    assert gradient[1] == 0.0
    assert gradient[0] == 2e200 if point[0] == 1e200 else math.isnan(gradient[0])  # inf + 0 x inf = NaN


def test_well_loss_of_an_infinite_point_in_a_flat_bowl_is_nan_without_a_warning():
    """With bowl 0, the bowl's term is 0 x inf = NaN at an infinite point: NaN passes through with no warning."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert math.isnan(ls.well_loss([math.inf, 0.0], [(0.0, 0.0)], [1.0], [1.0], 0.0))


def test_a_landscape_is_not_held_to_the_work_limit_of_the_public_formulas():
    """6,251 points x 1 example x 1,000 wells x 2 x 4 > 5e7 would be refused by well_loss, not by Landscape.loss."""
    surface = ls.Landscape(np.full((1000, 2), 100.0), np.ones(1000), np.ones(1000), 2.0, [(0.0, 0.0)])
    points = np.zeros((6251, 2))
    with pytest.raises(ValueError, match="w and centres would need"):
        ls.well_loss(points, surface.centres, surface.depths, surface.widths, surface.bowl)
    np.testing.assert_array_equal(surface.loss(points), np.zeros(6251))  # the wells are too far to reach


# --- critical_points: starts, the damped Newton steps, the kinds, tol and the kept result ------------------------

# A bowl of curvature 1 whose only well lies so far away (at (100, 100)) that exp underflows to 0 near the origin:
# L(w) = |w|^2 / 2 exactly, Hessian I, and an undamped Newton step lands on the minimum (0, 0) at once.
QUADRATIC = dict(centres=[(100.0, 100.0)], depths=[1.0], widths=[1.0], bowl=1.0, offsets=[(0.0, 0.0)])
ORIGIN = ls.CriticalPoint((0.0, 0.0), 0.0, (1.0, 1.0), "minimum")


@pytest.mark.parametrize("starts", [2, 100])
def test_critical_points_allow_2_and_100_starts(starts):
    """starts = 2 (the four corners) and 100 are allowed; the damped steps (0.5, then 0.5) reach (0, 0) exactly."""
    assert ls.critical_points(ls.Landscape(**QUADRATIC), ((-1.0, 1.0), (-1.0, 1.0)), starts) == [ORIGIN]


@pytest.mark.parametrize("limits, expected", [
    (((-40.0, -39.0), (0.0, 1.0)), []),  # 60 damped steps of 0.5 end at w1 = -10 and -9: no critical point
    (((39.0, 40.0), (0.0, 1.0)), []),
    (((-30.5, -30.25), (-30.5, -30.25)), []),  # 60 steps leave w1, w2 at -0.5 or -0.25: the 61st would arrive
    (((-40.0, 0.0), (0.0, 1.0)), [ORIGIN]),  # two starts end at w1 = -10 (left out), two reach the origin
])
def test_critical_points_newton_steps_are_damped_to_half_a_unit_60_times(limits, expected):
    """Each of the 60 Newton steps moves a coordinate by at most 0.5 either way; points left at |w| >= 10 are dropped."""
    assert ls.critical_points(ls.Landscape(**QUADRATIC), limits, 2) == expected


def test_critical_points_keep_points_exactly_1e_minus_6_apart_as_one():
    """A bowl of curvature 1e-7 is too flat for Newton steps (det 1e-14): with tol 1 every start counts, and starts
    exactly 1e-6 apart count as one point, so 4 starts give 2."""
    flat = dict(QUADRATIC, bowl=1e-7)
    found = ls.critical_points(ls.Landscape(**flat), ((0.0, 1e-6), (0.0, 1.0)), 2, tol=1.0)
    assert [c.w for c in found] == [(0.0, 0.0), (0.0, 1.0)]


def test_critical_points_want_a_gradient_below_tol_strictly():
    """At (2, 0) of one well in a bowl of 3 e^-2 the Hessian is singular (no step): its gradient norm g is not < g."""
    well = dict(centres=[(0.0, 0.0)], depths=[1.0], widths=[1.0])
    bowl = -ls.well_hessian((2.0, 0.0), bowl=0.0, **well)[0, 0]  # cancels the well's curvature along w1 exactly
    assert bowl == pytest.approx(3 * math.exp(-2), rel=1e-15)  # e^-2 (1 - 2^2)
    surface = ls.Landscape(bowl=bowl, offsets=[(0.0, 0.0)], **well)
    g = float(np.linalg.norm(surface.gradient((2.0, 0.0))))
    assert g == pytest.approx(8 * math.exp(-2), rel=1e-15)  # bowl x 2 + e^-2 x 2
    limits = ((2.0, 3.0), (0.0, 1.0))
    assert (2.0, 0.0) not in [c.w for c in ls.critical_points(surface, limits, 2, tol=g)]
    assert (2.0, 0.0) in [c.w for c in ls.critical_points(surface, limits, 2, tol=np.nextafter(g, math.inf))]


def _origin(wells):
    """A landscape of one example whose bowl cancels the wells' curvature along w1 at the origin exactly."""
    bowl = -ls.well_hessian((0.0, 0.0), bowl=0.0, **wells)[0, 0]
    found = ls.critical_points(ls.Landscape(bowl=bowl, offsets=[(0.0, 0.0)], **wells), ((0.0, 1.0), (0.0, 1.0)), 2)
    return next(c for c in found if c.w == (0.0, 0.0))  # the first start: singular Hessian, so it stays


def test_a_zero_eigenvalue_makes_neither_a_minimum_nor_a_maximum():
    """Eigenvalues (0, 32 e^-2) and (-32 e^-2, 0) at a critical point are both called a saddle: a minimum needs
    both > 0 and a maximum both < 0."""
    pair = dict(centres=[(-1.0, 0.0), (1.0, 0.0)], depths=[1.0, 1.0], widths=[0.5, 0.5])
    up = _origin(pair)
    assert up.kind == "saddle" and up.eigenvalues[0] == 0.0
    assert up.eigenvalues[1] == pytest.approx(32 * math.exp(-2), rel=1e-12)
    cross = dict(centres=[(-1.0, 0.0), (1.0, 0.0), (0.0, -1.0), (0.0, 1.0)], depths=[1.0, 1.0, 2.0, 2.0],
                 widths=[0.5] * 4)
    down = _origin(cross)
    assert down.kind == "saddle" and down.eigenvalues[1] == 0.0
    assert down.eigenvalues[0] == pytest.approx(-32 * math.exp(-2), rel=1e-12)


def test_a_ring_of_four_wells_has_a_maximum_at_its_centre():
    """Four wells of width 1/2 at distance 1 in a bowl of 1/2: the centre is a maximum, curvature 1/2 - 16 e^-2."""
    ring = dict(centres=[(-1.0, 0.0), (1.0, 0.0), (0.0, -1.0), (0.0, 1.0)], depths=[1.0] * 4, widths=[0.5] * 4,
                bowl=0.5, offsets=[(0.0, 0.0)])
    found = ls.critical_points(ls.Landscape(**ring), ((-1.0, 1.0), (-1.0, 1.0)), 3)
    assert [c.kind for c in found].count("maximum") == 1 and found[-1].kind == "maximum"
    assert found[-1].w == (0.0, 0.0) and found[-1].loss == pytest.approx(-4 * math.exp(-2), rel=1e-12)
    np.testing.assert_allclose(found[-1].eigenvalues, [0.5 - 16 * math.exp(-2)] * 2, rtol=1e-12)


def test_critical_points_of_the_default_arguments_are_computed_once():
    """A second call with the default arguments (spelt out or not) returns the kept result and evaluates nothing."""
    surface = ls.Landscape(**dict(QUADRATIC, centres=[(1.0, 0.0)]))
    first = ls.critical_points(surface)
    surface.hessian = surface.gradient = None  # any new search would fail
    assert ls.critical_points(surface) == first
    assert ls.critical_points(surface, ((-3.0, 3.0), (-3.0, 3.0)), 11, 1e-10) == first
    with pytest.raises(TypeError, match="'NoneType' object is not callable"):
        ls.critical_points(surface, starts=12)  # other arguments search anew, with the removed Hessian


# --- final_minimum: the default steps, the limits of its work, and settling ----------------------------------------

@pytest.mark.parametrize("count, steps, message", [
    (334, None, "points and steps would need 10,020,000,000 gradient terms"),  # 334 x 300 (the default) x 100,000
    (100_001, 0, "points and steps would need 10,000,100,000 gradient terms"),  # no steps counts as one
])
def test_final_minimum_work_counts_the_default_300_steps_and_no_steps_as_one(count, steps, message):
    """The work of final_minimum is points x max(steps, 1) x examples, with steps 300 by default."""
    surface = ls.Landscape([(0.0, 0.0)], [1.0], [1.0], 1.0, np.zeros((100_000, 2)))
    kwargs = {} if steps is None else {"steps": steps}
    with pytest.raises(ValueError) as info:
        ls.final_minimum(surface, np.zeros((count, 2)), **kwargs)
    assert str(info.value) == message + ", more than the limit of 10,000,000,000: use smaller values"


@pytest.mark.parametrize("steps, expected", [(10, -1), (11, 0), (20, 0)])
def test_final_minimum_checks_after_every_10_steps_and_after_the_last(steps, expected):
    """From (0.2, 0), along the flat w1 (curvature 0.2 of 0.8065), 10 steps leave it 0.0112 from the minimum,
    11 bring it to 0.0084: not settled within 10 steps, settled within 11 and within 20."""
    assert ls.final_minimum(ls.Landscape(**FLAT_ALONG_W1), (0.2, 0.0), steps=steps) == expected


@pytest.mark.parametrize("point, expected", [((0.0, 0.01), -1), ((0.0, 0.0099), 0)])
def test_final_minimum_exactly_one_hundredth_away_has_not_settled(point, expected):
    """The minimum of QUADRATIC is exactly (0, 0): a point exactly 0.01 away has not settled, one nearer has."""
    assert ls.final_minimum(ls.Landscape(**QUADRATIC), point, steps=0) == expected


@pytest.mark.parametrize("steps, expected", [(11, -1), (14, -1), (15, 0)])
def test_final_minimum_takes_exactly_steps_steps(steps, expected):
    """From (0.75, 0) the descent first comes within 0.01 of the minimum at step 15: 11 or 14 steps leave it
    unsettled (no extra steps after the last check), 15 settle it."""
    assert ls.final_minimum(ls.Landscape(**FLAT_ALONG_W1), (0.75, 0.0), steps=steps) == expected


@pytest.mark.parametrize("kwargs, error, message", [
    ({"points": [0.0]}, ValueError, "points must have shape (..., 2): points in the plane, got shape (1,)"),
    ({"points": [[math.nan, 0.0]]}, ValueError, "points must be finite, got [[nan  0.]]"),
    ({"points": "x"}, TypeError, "points must be an array of numbers, got 'x' (str)"),
    ({"steps": -1}, ValueError, "steps must be at least 0, got -1"),
    ({"steps": 100_001}, ValueError, "steps must be at most 100,000, got 100,001"),
    ({"steps": 2.5}, TypeError, "steps must be an integer (a whole number), got 2.5 (float)"),
])
def test_final_minimum_refuses_bad_points_and_steps_by_name(kwargs, error, message):
    """Bad points or steps raise the exact message naming the argument; 0 and 100,000 steps are allowed."""
    surface = ls.Landscape(**FLAT_ALONG_W1)
    call = {"points": (0.0, 0.0), **kwargs}
    with pytest.raises(error) as info:
        ls.final_minimum(surface, **call)
    assert str(info.value) == message
    assert ls.final_minimum(surface, (0.0, 0.0), steps=100_000) == ls.final_minimum(surface, (0.0, 0.0), steps=0) == 0


@pytest.mark.parametrize("kwargs, error, message", [
    ({"limits": ((1.0, 0.0), (-3.0, 3.0))}, ValueError, "limits must be a pair (low, high) with low < high, got (1.0, 0.0)"),
    ({"tol": 0.0}, ValueError, "tol must be above 0, got 0"),
    ({"tol": "a"}, TypeError, "tol must be a number, got 'a' (str)"),
])
def test_critical_points_refuse_bad_limits_and_tol_by_name(kwargs, error, message):
    """A reversed limit or a tolerance that is not above 0 raises the exact message naming the argument."""
    with pytest.raises(error) as info:
        ls.critical_points(ls.Landscape(**QUADRATIC), **kwargs)
    assert str(info.value) == message
