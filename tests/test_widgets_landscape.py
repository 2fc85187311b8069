"""The II(C) explorer: set its controls from Python and read the summary and the figure it shows."""

import re

import numpy as np
import pytest

from dlexam import landscape as ls
from dlexam.widgets.landscape import LandscapeExplorer


def summary_rows(explorer):
    """The summary table as lists of cell texts, without the header."""
    rows = re.findall(r"<tr>(.*?)</tr>", explorer.summary.value)[1:]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in rows]


def test_starts_with_the_page_s_comparison():
    e = LandscapeExplorer(runs=20)
    full, mini = summary_rows(e)
    assert full[:3] == ["full batch", "40", "30"] and full[4] == "poor minimum"
    assert mini[0] == "batch 1, seed 0" and mini[2] == "1200"
    assert mini[4] == "global minimum" and mini[5] == "100% of 20 seeds"
    assert e.figure.value[:8] == b"\x89PNG\r\n\x1a\n" and e.message.value == ""


def test_the_summary_is_what_the_library_computes():
    e = LandscapeExplorer(runs=20)
    e.set_controls((e.batch_size, 4), (e.seed, 3), (e.epochs, 12))
    c = ls.compare_batch_sizes(ls.book_landscape(), ls.BOOK_START, ls.BOOK_LR, 4, 12, runs=20, seed=3)
    full, mini = summary_rows(e)
    assert mini[0] == "batch 4, seed 3" and mini[2] == str(12 * 10)
    assert mini[3] == f"{c.mini_loss:.3f}" and mini[5] == f"{c.mini_global_share:.0%} of 20 seeds"
    assert full[3] == f"{c.full_loss:.3f}"
    np.testing.assert_array_equal(e.comparison.mini.paths, c.mini.paths)


def test_the_full_batch_as_the_batch_size_gives_two_identical_paths():
    e = LandscapeExplorer(runs=5)
    before = e.figure.value
    e.batch_size.value = 40
    full, mini = summary_rows(e)
    assert mini[0].startswith("full batch") and mini[2] == full[2] == "30" and mini[3] == full[3]
    assert mini[5] == "0% of 5 seeds"
    np.testing.assert_array_equal(e.comparison.mini.paths[0], e.comparison.full.paths[0])
    assert e.figure.value != before


def test_a_start_in_the_global_basin_needs_no_noise():
    e = LandscapeExplorer(runs=5)
    e.set_controls((e.start_w1, 1.5), (e.start_w2, 0.5), (e.batch_size, 40))
    assert summary_rows(e)[0][4] == "global minimum"


def test_a_small_learning_rate_keeps_batch_one_in_the_poor_minimum():
    e = LandscapeExplorer(runs=20)
    e.lr.value = 0.05
    assert summary_rows(e)[1][5] == "0% of 20 seeds"


@pytest.mark.parametrize("value", [-1, -1000])
def test_a_bad_seed_gives_a_message_and_recovers(value):
    e = LandscapeExplorer(runs=5)
    before = e.summary.value
    e.seed.value = value
    assert "seed must be a whole number" in e.message.value
    assert e.summary.value == before  # nothing recomputed from a bad value
    e.seed.value = 1
    assert e.message.value == "" and "seed 1" in e.summary.value


def test_sliders_keep_values_in_range():
    e = LandscapeExplorer(runs=5)
    e.set_controls((e.lr, 100.0), (e.batch_size, 500), (e.epochs, 0))
    assert e.lr.value == pytest.approx(10**0.5) and e.batch_size.value == 40 and e.epochs.value == 1
    assert e.message.value == "" and summary_rows(e)[1][2] == "1"


def test_a_bad_landscape_is_refused():
    with pytest.raises(TypeError, match="Landscape"):
        LandscapeExplorer(landscape="flat")
