"""The I(F) explorer and figures: set the entries from Python, read what the explorer shows."""

import numpy as np
import pytest

from dlexam import pca
from dlexam.plots.pca import plot_collapse, plot_covariances, plot_scree, plot_smallest_eigenvalue_vs_noise
from dlexam.widgets.pca import MAX_ENTRY, PRESETS, TOLERANCES, UPPER, CovarianceExplorer, symmetric_from_upper

PNG = b"\x89PNG\r\n\x1a\n"
DEFAULT, ZERO = list(TOLERANCES)[:2]


def test_starts_on_the_exam_matrix():
    e = CovarianceExplorer()
    np.testing.assert_array_equal(e.matrix, pca.EXAM_COVARIANCE)
    assert e.rank == 2 and e.psd
    assert e.tolerance == pca.rank_tolerance(pca.EXAM_COVARIANCE)
    np.testing.assert_allclose(e.eigenvalues[:2], [12.663119, 4.836881], atol=1e-6)
    np.testing.assert_allclose(e.ratios, pca.explained_variance_ratio(pca.EXAM_COVARIANCE))
    assert "<b>rank 2</b>" in e.summary.value and "8.4e-15" in e.summary.value
    assert "12.6631" in e.table.value and "72.36%" in e.table.value
    assert e.table.value.count("no: zero within tol") == 1
    assert e.message.value == ""
    assert e.figure.value[:8] == PNG
    assert e.preset.value.startswith("I(F)")


def test_tolerance_zero_counts_round_off():
    e = CovarianceExplorer()
    e.tolerance_choice.value = ZERO
    assert e.rank == 3 and e.tolerance == 0
    e.tolerance_choice.value = "1"
    assert e.rank == 2
    e.tolerance_choice.value = DEFAULT
    assert e.rank == 2


@pytest.mark.parametrize("name", list(PRESETS))
def test_presets_fill_the_entries(name):
    e = CovarianceExplorer(C=np.eye(3) * 7)
    assert e.preset.value == "custom"
    e.preset.value = name
    assert e.preset.value == name
    np.testing.assert_array_equal(e.matrix, PRESETS[name])
    assert e.rank == pca.rank(PRESETS[name])
    assert e.psd == pca.is_positive_semidefinite(PRESETS[name])


@pytest.mark.parametrize(
    "name, rank, psd",
    [("identity", 3, True), ("rank 1", 1, True), ("diagonal", 2, True), ("nearly", 3, True), ("not PSD", 3, False)],
)
def test_preset_ranks(name, rank, psd):
    e = CovarianceExplorer(C=next(v for k, v in PRESETS.items() if k.startswith(name)))
    assert (e.rank, e.psd) == (rank, psd)


def test_not_psd_warns_in_the_widget_and_keeps_the_eigenvalues():
    e = CovarianceExplorer()
    e.entries[(0, 1)].value = 6.0  # |C12| > sqrt(C11 C22) = 5
    assert not e.psd and e.ratios is None
    assert "Not positive semidefinite" in e.message.value and "cannot be the covariance" in e.message.value
    assert e.eigenvalues.min() < 0
    assert e.table.value.count("–") == 6  # no shares for a matrix that is not a covariance
    assert e.figure.value[:8] == PNG
    e.entries[(0, 1)].value = 5.0
    assert e.psd and e.message.value == ""


def test_editing_keeps_the_matrix_symmetric_and_mirrors_it():
    e = CovarianceExplorer()
    e.entries[(1, 2)].value = -0.25
    assert e.preset.value == "custom"
    assert e.matrix[1, 2] == e.matrix[2, 1] == -0.25
    assert "-0.25" in e.mirrors[(2, 1)].value
    np.testing.assert_allclose(e.eigenvalues, np.linalg.eigvalsh(e.matrix)[::-1], atol=1e-12)


@pytest.mark.parametrize(
    "value, says",
    [(float("nan"), "finite"), (float("inf"), "finite"), (10 * MAX_ENTRY, "beyond this explorer"), (-1e300, "beyond")],
)
def test_bad_entries_give_a_message_never_an_exception(value, says):
    e = CovarianceExplorer()
    e.entries[(0, 2)].value = value
    assert says in e.message.value
    assert e.rank is None and e.summary.value == ""
    e.entries[(0, 2)].value = 0.5
    assert e.message.value == "" and e.rank == 2


def test_the_zero_matrix_and_extreme_entries():
    e = CovarianceExplorer(C=np.zeros((3, 3)))
    assert e.rank == 0 and e.psd and e.ratios is None
    assert "zero matrix" in e.message.value
    e.entries[(0, 0)].value = MAX_ENTRY
    assert e.rank == 1 and e.message.value == ""
    for ij in UPPER:
        e.entries[ij].value = -MAX_ENTRY
    assert not e.psd and "Not positive semidefinite" in e.message.value


def test_unknown_tolerance_is_refused():
    with pytest.raises(ValueError, match="tolerance"):
        CovarianceExplorer(tolerance=0.5)


def test_symmetric_from_upper():
    C = symmetric_from_upper([1, 2, 3, 4, 5, 6])
    np.testing.assert_array_equal(C, [[1, 2, 3], [2, 4, 5], [3, 5, 6]])
    with pytest.raises(ValueError, match="six entries"):
        symmetric_from_upper([1, 2, 3])
    with pytest.raises(TypeError, match="C11"):
        symmetric_from_upper(["1", 2, 3, 4, 5, 6])


@pytest.mark.parametrize(
    "figure",
    [
        lambda: plot_scree(pca.EXAM_COVARIANCE),
        lambda: plot_scree(np.diag([1.0, -1.0, 0.5])),
        lambda: plot_scree(np.zeros((3, 3))),
        lambda: plot_scree(np.eye(5)),
        lambda: plot_collapse(pca.sample_with_covariance(pca.EXAM_COVARIANCE, 50, np.random.default_rng(0)),
                              pca.EXAM_COVARIANCE),
        lambda: plot_covariances([np.eye(3), pca.EXAM_COVARIANCE], ["a", "b"]),
        lambda: plot_smallest_eigenvalue_vs_noise([1e-9, 1e-6], [1e-18, 1e-12], [1e-14, 1e-14]),
    ],
)
def test_figures_draw(figure):
    fig = figure()
    fig.canvas.draw()
    assert fig.axes


def test_collapse_needs_three_dimensions():
    with pytest.raises(ValueError, match=r"\(n, 3\)"):
        plot_collapse(np.zeros((5, 2)), pca.EXAM_COVARIANCE)
    with pytest.raises(ValueError, match="3×3"):
        plot_collapse(np.zeros((5, 3)), np.eye(2))
