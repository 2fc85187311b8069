"""dlexam.landscape: critical points at the |w| < 10 edge, the grid of starts, empty point sets and index messages."""

import numpy as np
import pytest

from dlexam import landscape as ls


def _convex_well(offset):
    """One example: h(w - offset) with h(w) = |w|^2 / 2 - exp(-|w|^2 / 2), convex, its only critical point at offset."""
    return ls.Landscape([(0.0, 0.0)], [1.0], [1.0], 1.0, [offset])


def test_a_critical_point_just_inside_the_box_of_10_is_found_exactly():
    """The minimum at (9.5, 0) is a grid start with zero gradient: found, loss -1, Hessian 2 I."""
    found = ls.critical_points(_convex_well((9.5, 0.0)), limits=((8.5, 10.5), (-1.0, 1.0)), starts=3)
    assert found == [ls.CriticalPoint((9.5, 0.0), -1.0, (2.0, 2.0), "minimum")]


@pytest.mark.parametrize("x", [10.0, 10.5, -10.0])
def test_critical_points_at_10_or_beyond_are_left_out(x):
    """|w| < 10 is strict: a minimum exactly at x = +-10, or at 10.5, is not reported."""
    assert ls.critical_points(_convex_well((x, 0.0)), limits=((x - 1, x + 1), (-1.0, 1.0)), starts=3) == []


def test_critical_points_start_from_exactly_starts_by_starts_points():
    """A flat bowl (Hessian det 1e-14 <= 1e-12: Newton never steps) reports each of the 3 x 3 starts itself."""
    flat = ls.Landscape([(100.0, 100.0)], [1.0], [1.0], 1e-7, [(0.0, 0.0)])  # the far well adds exactly 0
    found = ls.critical_points(flat, limits=((-1.0, 1.0), (-1.0, 1.0)), starts=3, tol=1e-6)
    assert sorted(c.w for c in found) == [(x, y) for x in (-1.0, 0.0, 1.0) for y in (-1.0, 0.0, 1.0)]
    assert all(c.kind == "minimum" for c in found)


def test_critical_points_refuses_three_limits_with_the_exact_message():
    """limits holds an x and a y interval: a third one raises ValueError naming limits."""
    with pytest.raises(ValueError) as info:
        ls.critical_points(_convex_well((0.0, 0.0)), limits=((-1.0, 1.0), (-1.0, 1.0), (-1.0, 1.0)))
    assert str(info.value) == "limits must hold at most 2 items, got 3"


def test_no_points_give_empty_losses_gradients_and_hessians():
    """An empty (0, 2) array of points is allowed and gives empty results of the right shapes."""
    L = _convex_well((0.0, 0.0))
    w = np.zeros((0, 2))
    assert L.loss(w).shape == (0,)
    assert L.gradient(w).shape == (0, 2)
    assert L.hessian(w).shape == (0, 2, 2)
    assert L.example_losses(w).shape == (0, 1)


@pytest.mark.parametrize("indices, got", [([3], "3..3"), ([-1, 2], "-1..2"), ([0, 5], "0..5")])
def test_indices_outside_the_examples_name_the_allowed_range(indices, got):
    """Three examples: indices must lie in 0..2; the message gives the range of the indices it got."""
    L = ls.Landscape([(0.0, 0.0)], [1.0], [1.0], 1.0, [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0)])
    with pytest.raises(ValueError) as info:
        L.loss((0.0, 0.0), indices=indices)
    assert str(info.value) == f"indices must lie in 0..2, got {got}"
