"""The loss surface of II(C): gradients against autograd, batches, paths, escapes, noise, random Hessians, checks."""

import itertools
import math

import numpy as np
import pytest
import torch

from dlexam import landscape as ls

SURFACE = ls.book_landscape()
POINTS = [(0.0, 0.0), (-1.9, 1.4), (0.97, -0.27), (-1.13, 0.53), (2.0, -1.5), (-0.6, 0.3)]


def torch_example_losses(surface, w):
    """Per-example losses of the surface, written independently in torch: w (2,) tensor -> (n,)."""
    c = torch.tensor(surface.centres)
    a = torch.tensor(surface.depths)
    s = torch.tensor(surface.widths)
    x = w[None, :] - torch.tensor(surface.offsets)  # (n, 2)
    bumps = a * torch.exp(-((x[:, None, :] - c) ** 2).sum(-1) / (2 * s**2))  # (n, K)
    return 0.5 * surface.bowl * (x**2).sum(-1) - bumps.sum(-1)


def autograd_gradients(surface, w):
    """(n, 2) per-example gradients by torch.autograd."""
    rows = []
    for i in range(surface.n):
        p = torch.tensor(w, dtype=torch.float64, requires_grad=True)
        torch_example_losses(surface, p)[i].backward()
        rows.append(p.grad.numpy())
    return np.array(rows)


@pytest.mark.parametrize("w", POINTS)
def test_losses_match_an_independent_torch_formula(w):
    expected = torch_example_losses(SURFACE, torch.tensor(w, dtype=torch.float64)).numpy()
    np.testing.assert_allclose(SURFACE.example_losses(w), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(SURFACE.loss(w), expected.mean(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("w", POINTS)
def test_example_gradients_match_autograd(w):
    np.testing.assert_allclose(SURFACE.example_gradients(w), autograd_gradients(SURFACE, w), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("w", POINTS)
def test_full_batch_gradient_is_the_mean_of_the_example_gradients(w):
    per_example = autograd_gradients(SURFACE, w)
    np.testing.assert_allclose(SURFACE.gradient(w), per_example.mean(axis=0), rtol=1e-10, atol=1e-12)
    # ... and the autograd gradient of the mean loss
    p = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    torch_example_losses(SURFACE, p).mean().backward()
    np.testing.assert_allclose(SURFACE.gradient(w), p.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("indices", [[0], [3, 17], list(range(0, 40, 5)), [39, 0, 12, 7]])
def test_batch_gradient_is_the_mean_over_the_batch(indices):
    w = (-0.4, 0.9)
    per_example = autograd_gradients(SURFACE, w)
    np.testing.assert_allclose(SURFACE.gradient(w, indices), per_example[indices].mean(axis=0), rtol=1e-10)
    np.testing.assert_allclose(SURFACE.loss(w, indices), SURFACE.example_losses(w)[indices].mean(), rtol=1e-12)


@pytest.mark.parametrize("w", POINTS)
def test_hessian_matches_autograd(w):
    def mean_loss(p):
        return torch_example_losses(SURFACE, p).mean()

    expected = torch.autograd.functional.hessian(mean_loss, torch.tensor(w, dtype=torch.float64)).numpy()
    np.testing.assert_allclose(SURFACE.hessian(w), expected, rtol=1e-9, atol=1e-11)


def test_batched_points_give_the_same_values_as_single_points():
    w = np.array(POINTS)  # (6, 2)
    np.testing.assert_allclose(SURFACE.loss(w), [SURFACE.loss(p) for p in POINTS])
    np.testing.assert_allclose(SURFACE.gradient(w), [SURFACE.gradient(p) for p in POINTS])
    np.testing.assert_allclose(SURFACE.hessian(w.reshape(2, 3, 2))[1, 2], SURFACE.hessian(POINTS[5]))


def test_offsets_are_centred_and_the_surface_is_reproducible():
    np.testing.assert_allclose(SURFACE.offsets.mean(axis=0), 0, atol=1e-15)
    again = ls.make_landscape()
    np.testing.assert_array_equal(again.offsets, SURFACE.offsets)
    assert ls.book_landscape() is SURFACE


def test_the_book_surface_has_a_global_minimum_a_poor_minimum_and_a_saddle():
    points = ls.critical_points(SURFACE)
    assert [p.kind for p in points] == ["minimum", "minimum", "saddle"]
    for p in points:
        assert np.linalg.norm(SURFACE.gradient(p.w)) < 1e-9
        eig = np.linalg.eigvalsh(SURFACE.hessian(p.w))
        np.testing.assert_allclose(eig, p.eigenvalues)
    global_min, poor_min, saddle = points
    assert global_min.w[0] > 0 > poor_min.w[0]
    assert poor_min.loss - global_min.loss > 0.5 and saddle.loss > poor_min.loss
    np.testing.assert_array_equal(ls.minima(SURFACE), [global_min.w, poor_min.w])


def test_final_minimum_sends_points_to_the_minimum_of_their_basin():
    global_min, poor_min = ls.minima(SURFACE)
    which = ls.final_minimum(SURFACE, [global_min + 0.2, poor_min - 0.1, ls.BOOK_START, (2.0, 1.5)])
    assert which.tolist() == [0, 1, 1, 0]
    assert ls.final_minimum(SURFACE, np.zeros((3, 4, 2))).shape == (3, 4)


# Gradient descent with a batch size.

def test_full_batch_paths_are_deterministic_and_plain_gradient_descent():
    a = ls.descend(SURFACE, ls.BOOK_START, 0.3, SURFACE.n, 25, runs=3, seed=0)
    b = ls.descend(SURFACE, ls.BOOK_START, 0.3, SURFACE.n, 25, runs=1, seed=123)
    np.testing.assert_array_equal(a.paths[0], a.paths[2])
    np.testing.assert_array_equal(a.paths[0], b.paths[0])
    w = torch.tensor(ls.BOOK_START, dtype=torch.float64)  # reference: gradient descent with autograd
    for step in range(25):
        w = w.detach().requires_grad_(True)
        torch_example_losses(SURFACE, w).mean().backward()
        w = w - 0.3 * w.grad
        np.testing.assert_allclose(b.paths[0, step + 1], w.detach().numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("batch_size", [1, 3, 8, 39])
def test_mini_batch_paths_are_reproducible_by_seed(batch_size):
    a = ls.descend(SURFACE, (0.0, 0.0), 0.2, batch_size, 3, runs=4, seed=7)
    b = ls.descend(SURFACE, (0.0, 0.0), 0.2, batch_size, 3, runs=4, seed=7)
    c = ls.descend(SURFACE, (0.0, 0.0), 0.2, batch_size, 3, runs=4, seed=8)
    np.testing.assert_array_equal(a.paths, b.paths)
    assert not np.allclose(a.paths, c.paths)
    assert not np.allclose(a.paths[0], a.paths[1])  # each run has its own order
    assert a.paths.shape == (4, 3 * math.ceil(40 / batch_size) + 1, 2)
    assert a.updates_per_epoch == math.ceil(40 / batch_size)
    np.testing.assert_array_equal(a.epoch_points, a.paths[:, :: a.updates_per_epoch])


@pytest.mark.parametrize("batch_size", [1, 6, 7, 20])
def test_every_epoch_uses_every_example_once(batch_size):
    # With negligible wells and lr = 1 / bowl, one step jumps exactly to the mean offset of its batch,
    # so the path reveals the batches: per epoch they must partition the data set.
    rng = np.random.default_rng(0)
    surface = ls.Landscape([(0.0, 0.0)], [1e-300], [1.0], 0.5, rng.normal(size=(20, 2)))
    d = ls.descend(surface, (3.0, -3.0), 2.0, batch_size, 2, runs=3, seed=1)
    sizes = [min(batch_size, 20 - first) for first in range(0, 20, batch_size)]
    for run in range(3):
        for epoch in range(2):
            steps = d.paths[run, 1 + epoch * len(sizes): 1 + (epoch + 1) * len(sizes)]  # batch means
            total = sum(size * mean for size, mean in zip(sizes, steps))
            np.testing.assert_allclose(total, surface.offsets.sum(axis=0), atol=1e-9)
            # each batch mean is the mean of some `size` distinct offsets
            for size, mean in zip(sizes, steps):
                if size == 1:
                    assert np.min(np.linalg.norm(surface.offsets - mean, axis=1)) < 1e-12


def test_batch_one_with_one_example_is_that_examples_gradient_descent():
    surface = ls.Landscape(SURFACE.centres, SURFACE.depths, SURFACE.widths, SURFACE.bowl, SURFACE.offsets[:1])
    a = ls.descend(surface, (0.5, 0.5), 0.2, 1, 10, runs=2, seed=3)
    b = ls.descend(surface, (0.5, 0.5), 0.2, 1, 10, runs=1, seed=0)
    np.testing.assert_array_equal(a.paths[1], b.paths[0])


# The escape experiment of the page.

def test_escape_fractions_are_what_the_page_claims():
    results = ls.escape_table(SURFACE, ls.BOOK_START, ls.BOOK_LR, [1, 2, 4, 5, 8, 20, 40], ls.BOOK_EPOCHS,
                              runs=200, seed=0)
    share = {r.batch_size: r.fraction for r in results}
    assert share[40] == 0.0  # the full batch stays in the poor minimum
    assert share[1] >= 0.9 and share[2] >= 0.8
    assert 0.2 <= share[4] <= 0.9
    assert share[5] < share[4] and max(share[8], share[20]) <= 0.05
    assert all(r.unsettled_runs == 0 and r.runs == 200 for r in results)
    assert [r.updates for r in results] == [1200, 600, 300, 240, 150, 60, 30]


def test_full_batch_stays_in_the_poor_minimum_even_with_many_more_updates():
    long = ls.descend(SURFACE, ls.BOOK_START, ls.BOOK_LR, SURFACE.n, ls.BOOK_EPOCHS * SURFACE.n)
    assert ls.final_minimum(SURFACE, long.final[0]) == 1
    np.testing.assert_allclose(long.final[0], ls.minima(SURFACE)[1], atol=1e-8)


def test_scaled_learning_rates_follow_the_batch_size():
    results = ls.escape_table(SURFACE, ls.BOOK_START, 0.1, [1, 2, 4], 2, runs=5, seed=0, scale_lr=True)
    assert [r.lr for r in results] == pytest.approx([0.1, 0.2, 0.4])


def test_compare_batch_sizes_reports_both_runs():
    c = ls.compare_batch_sizes(SURFACE, ls.BOOK_START, ls.BOOK_LR, 1, 10, runs=20, seed=0)
    assert c.full_basin == 1 and c.full.paths.shape == (1, 11, 2) and c.mini.paths.shape == (20, 401, 2)
    assert c.mini_global_share == pytest.approx(np.mean(c.mini_basins == 0))
    assert c.full_loss == pytest.approx(float(SURFACE.loss(c.full.final[0])))


# The noise of a mini-batch gradient.

@pytest.mark.parametrize("n, batch_size", [(6, 1), (6, 2), (6, 3), (7, 4), (5, 5)])
def test_gradient_noise_matches_every_possible_batch(n, batch_size):
    rng = np.random.default_rng(n + batch_size)
    surface = ls.Landscape(SURFACE.centres, SURFACE.depths, SURFACE.widths, SURFACE.bowl, 0.4 * rng.normal(size=(n, 2)))
    w = np.array([-0.3, 0.6])
    full = surface.gradient(w)
    errors = [np.sum((surface.gradient(w, list(b)) - full) ** 2)
              for b in itertools.combinations(range(n), batch_size)]  # all equally likely without replacement
    assert ls.gradient_noise(surface, w, batch_size) == pytest.approx(np.mean(errors), rel=1e-10, abs=1e-15)


@pytest.mark.parametrize("n, batch_size, expected", [(40, 1, 1.0), (40, 40, 0.0), (40, 10, 30 / 390), (2, 1, 1.0),
                                                     (1, 1, 0.0), (100, 50, 50 / (50 * 99))])
def test_noise_factor(n, batch_size, expected):
    assert ls.noise_factor(n, batch_size) == pytest.approx(expected)


def test_noise_temperature_is_lr_times_the_factor():
    assert ls.noise_temperature(0.5, 40, 4) == pytest.approx(0.5 * 36 / (4 * 39))
    assert ls.noise_temperature(0.5, 40, 40) == 0.0


@pytest.mark.parametrize("n, batch_size, expected", [(40, 1, 40), (40, 3, 14), (50_000, 128, 391), (7, 7, 1)])
def test_updates_per_epoch(n, batch_size, expected):
    assert ls.updates_per_epoch(n, batch_size) == expected


# Random symmetric matrices.

def test_goe_matrices_are_symmetric_with_the_right_variances():
    H = ls.goe_matrices(3, 200_000, np.random.default_rng(0))
    np.testing.assert_array_equal(H, H.transpose(0, 2, 1))
    assert H[:, 0, 0].var() == pytest.approx(1.0, rel=0.02)
    assert H[:, 0, 1].var() == pytest.approx(0.5, rel=0.02)


@pytest.mark.parametrize("d", [1, 2, 5, 9])
def test_hessian_index_counts_negative_eigenvalues_like_torch(d):
    H = ls.goe_matrices(d, 500, np.random.default_rng(d))
    expected = (torch.linalg.eigvalsh(torch.from_numpy(H)) < 0).sum(-1).numpy()
    np.testing.assert_array_equal(ls.hessian_index(H), expected)
    assert ls.hessian_index(np.diag(np.arange(d) - 0.5)) == 1
    assert ls.hessian_index(SURFACE.hessian(ls.critical_points(SURFACE)[2].w)) == 1  # the saddle


@pytest.mark.parametrize("d, exact", [(1, 0.5), (2, (2 - math.sqrt(2)) / 4)])
def test_positive_definite_share_matches_the_exact_values(d, exact):
    count = 200_000
    share = ls.positive_definite_fraction(d, count, np.random.default_rng(1))
    assert abs(share - exact) < 5 * math.sqrt(exact * (1 - exact) / count)


def test_positive_definite_share_falls_fast_and_rises_with_a_shift():
    rng = np.random.default_rng(2)
    shares = [ls.positive_definite_fraction(d, 50_000, rng) for d in (2, 3, 4)]
    assert shares[0] > 4 * shares[1] > 4 * 4 * shares[2]
    assert ls.positive_definite_fraction(4, 20_000, rng, shift=3.0) > 0.5


# Self-checks.

@pytest.mark.parametrize("answer, right, hint", [
    (3910, True, "391"), (10, False, "full batch"), (3900, False, "last, smaller batch"),
    (500_000, False, "examples seen"), (1, False, "count the batches"), ("many", False, "whole number"),
])
def test_check_update_count(answer, right, hint):
    result = ls.check_update_count(answer, 50_000, 128, 10)
    assert bool(result) is right and hint in result.message


@pytest.mark.parametrize("answer, right, hint", [
    (3.2, True, "warm-up"), (0.1 * math.sqrt(32), False, "square-root"), (0.1 / 32, False, "larger batch"),
    (1.0, False, "multiply"), (None, False, "a number"),
])
def test_check_scaled_learning_rate(answer, right, hint):
    result = ls.check_scaled_learning_rate(answer, 0.1, 256, 8192)
    assert bool(result) is right and hint in result.message


@pytest.mark.parametrize("answer, right, hint", [
    (30 / 390, True, "0.07692"), (0.0769, True, "Right"), (0.1, False, "without replacement"), (0.5, False, "B = n"),
])
def test_check_noise_factor(answer, right, hint):
    result = ls.check_noise_factor(answer, 40, 10)
    assert bool(result) is right and hint in result.message


# n = 5, B = 2: the factor is (5 - 2) / (2 x 4) = 3/8 exactly, and 1/B = 1/2; offsets are powers of two.
# The rule (code; the docstring is silent): right when |answer - factor| <= tol (factor <= 1, so tol is absolute).

def test_check_noise_factor_accepts_an_error_of_exactly_tol_on_either_side():
    """An error of exactly tol is right, one 2**-10 beyond it is not."""
    tol = 2**-4
    assert ls.check_noise_factor(3 / 8 + tol, 5, 2, tol=tol) and ls.check_noise_factor(3 / 8 - tol, 5, 2, tol=tol)
    assert not ls.check_noise_factor(3 / 8 + tol + 2**-10, 5, 2, tol=tol)
    assert not ls.check_noise_factor(3 / 8 - tol - 2**-10, 5, 2, tol=tol)


def test_check_noise_factor_with_tol_zero_wants_the_exact_factor():
    """tol=0 is valid: 3/8 itself is right, 3/8 + 2**-50 is not."""
    assert ls.check_noise_factor(0.375, 5, 2, tol=0)
    assert not ls.check_noise_factor(0.375 + 2**-50, 5, 2, tol=0)


def test_check_noise_factor_default_tol_is_1e_minus_4():
    """The default tol is 1e-4: an error of 0.99e-4 is right, 1.01e-4 is not."""
    assert ls.check_noise_factor(0.375 + 0.99e-4, 5, 2) and ls.check_noise_factor(0.375 - 0.99e-4, 5, 2)
    assert not ls.check_noise_factor(0.375 + 1.01e-4, 5, 2)
    assert not ls.check_noise_factor(0.375 - 1.01e-4, 5, 2)


def test_check_noise_factor_names_1_over_b_within_tol_inclusively():
    """The with-replacement hint answers within tol of 1/B (1/2) inclusively, and not beyond."""
    tol = 2**-4
    at = ls.check_noise_factor(0.5 + tol, 5, 2, tol=tol)
    beyond = ls.check_noise_factor(0.5 + tol + 2**-10, 5, 2, tol=tol)
    assert not at and at.message == ("Not yet: 1/B holds for batches drawn with replacement; "
                                     "an epoch draws without replacement, so the variance is smaller.")
    assert not beyond and beyond.message == ("Not yet: with B = n the batch is the whole data set and the variance "
                                             "is exactly 0; with B = 1 it is one example's variance. "
                                             "Which formula gives both?")


def test_check_noise_factor_messages():
    """The right verdict shows the formula with n and B filled in; a non-number is named."""
    assert ls.check_noise_factor(0.375, 5, 2).message == "Right: (n - B) / (B (n - 1)) = (5 - 2) / (2 x 4) = 0.375."
    wrong = ls.check_noise_factor("3/8", 5, 2)
    assert not wrong and wrong.message == "Not yet: the factor is a number, got '3/8'."


@pytest.mark.parametrize("kwargs, error, match", [
    ({"tol": -2**-10}, ValueError, r"^tol must be at least 0"),
    ({"tol": float("nan")}, ValueError, r"^tol must be a finite number"),
    ({"tol": "0.1"}, TypeError, r"^tol must be a number"),
    ({"n": 0}, ValueError, r"^n must be a whole number >= 1"),
    ({"batch_size": 0}, ValueError, r"^batch_size must be a whole number >= 1"),
    ({"batch_size": 2.0}, ValueError, r"^batch_size must be a whole number >= 1"),
    ({"batch_size": 6}, ValueError, r"^batch_size 6 is larger than the data set \(5 examples\)"),
])
def test_check_noise_factor_rejects_bad_arguments(kwargs, error, match):
    """Each bad argument raises, naming itself."""
    arguments = {"answer": 0.375, "n": 5, "batch_size": 2} | kwargs
    with pytest.raises(error, match=match):
        ls.check_noise_factor(**arguments)


# Bad inputs.

@pytest.mark.parametrize("call, error, words", [
    (lambda: ls.descend(SURFACE, (0, 0), 0.1, 0, 1), ValueError, "batch_size"),
    (lambda: ls.descend(SURFACE, (0, 0), 0.1, 41, 1), ValueError, "larger than the data set"),
    (lambda: ls.descend(SURFACE, (0, 0), 0.1, 2.5, 1), ValueError, "batch_size"),
    (lambda: ls.descend(SURFACE, (0, 0), 0.0, 4, 1), ValueError, "learning rate"),
    (lambda: ls.descend(SURFACE, (0, 0), 7.0, 4, 1), ValueError, "2 / bowl"),
    (lambda: ls.descend(SURFACE, (0, 0), float("nan"), 4, 1), ValueError, "learning rate"),
    (lambda: ls.descend(SURFACE, (0, 0, 0), 0.1, 4, 1), ValueError, "start"),
    (lambda: ls.descend(SURFACE, (0, float("inf")), 0.1, 4, 1), ValueError, "finite"),
    (lambda: ls.descend(SURFACE, "here", 0.1, 4, 1), TypeError, "start"),
    (lambda: ls.descend(SURFACE, (0, 0), 0.1, 4, 0), ValueError, "epochs"),
    (lambda: ls.descend(SURFACE, (0, 0), 0.1, 4, 1, runs=0), ValueError, "runs"),
    (lambda: ls.descend(SURFACE, (0, 0), 0.1, 4, 1, seed=-1), ValueError, "seed"),
    (lambda: ls.descend(SURFACE, (0, 0), 0.1, 1, 100_000, runs=1000), ValueError, "too much work"),
    (lambda: ls.descend("surface", (0, 0), 0.1, 4, 1), TypeError, "Landscape"),
    (lambda: ls.make_landscape(n=0), ValueError, "n must be"),
    (lambda: ls.make_landscape(spread=-1.0), ValueError, "spread"),
    (lambda: ls.Landscape([(0, 0)], [1.0, 2.0], [1.0], 0.3, [(0, 0)]), ValueError, "one value per well"),
    (lambda: ls.Landscape([(0, 0)], [-1.0], [1.0], 0.3, [(0, 0)]), ValueError, "depths"),
    (lambda: ls.Landscape([(0, 0)], [1.0], [0.0], 0.3, [(0, 0)]), ValueError, "widths"),
    (lambda: ls.Landscape([(0, 0)], [1.0], [1.0], 0.0, [(0, 0)]), ValueError, "bowl"),
    (lambda: ls.Landscape([(0, 0)], [1.0], [1.0], 0.3, [(0, 0, 0)]), ValueError, "offsets"),
    (lambda: SURFACE.gradient((0, 0), [40]), ValueError, "indices"),
    (lambda: SURFACE.gradient((0, 0), [0.5]), ValueError, "indices"),
    (lambda: SURFACE.grid(resolution=1), ValueError, "resolution"),
    (lambda: ls.noise_factor(10, 11), ValueError, "larger than the data set"),
    (lambda: ls.noise_temperature(-0.1, 10, 2), ValueError, "learning rate"),
    (lambda: ls.goe_matrices(0, 10, np.random.default_rng(0)), ValueError, "d must be"),
    (lambda: ls.goe_matrices(3, 10, 0), TypeError, "Generator"),
    (lambda: ls.hessian_index(np.ones((2, 3))), ValueError, "(..., d, d)"),
    (lambda: ls.hessian_index([[0.0, 1.0], [2.0, 0.0]]), ValueError, "symmetric"),
    (lambda: ls.positive_definite_fraction(2, 10, np.random.default_rng(0), shift=float("nan")), ValueError, "shift"),
    (lambda: ls.check_update_count(10, 100, 0, 1), ValueError, "batch_size"),
    (lambda: ls.check_scaled_learning_rate(1.0, 0.1, 0, 10), ValueError, "base_batch"),
    (lambda: ls.critical_points(SURFACE, starts=1), ValueError, "starts"),
    (lambda: ls.final_minimum(None, (0, 0)), TypeError, "Landscape"),
])
def test_bad_inputs_raise_with_a_message(call, error, words):
    with pytest.raises(error, match=None) as info:
        call()
    assert words in str(info.value)
