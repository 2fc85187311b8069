"""The I(F) explorer and figures: set the entries from Python, read what the explorer computes and shows."""

import numpy as np
import pytest

from dlexam import pca
from dlexam.plots.pca import plot_collapse, plot_covariances, plot_scree, plot_smallest_eigenvalue_vs_noise
from dlexam.widgets import pca as pca_widget
from dlexam.widgets.pca import (
    MAX_ENTRY, PRESETS, TOLERANCES, UPPER, CovarianceExplorer, covariance_view, entry_texts, parse_entries,
    symmetric_from_upper,
)

DEFAULT, ZERO = list(TOLERANCES)[:2]


def test_starts_on_the_exam_matrix():
    e = CovarianceExplorer()
    np.testing.assert_array_equal(e.matrix, pca.EXAM_COVARIANCE)
    assert e.rank == 2 and e.psd
    assert e.tolerance == pca.rank_tolerance(pca.EXAM_COVARIANCE)
    np.testing.assert_allclose(e.eigenvalues[:2], [12.663119, 4.836881], atol=1e-6)
    np.testing.assert_allclose(e.ratios, pca.explained_variance_ratio(pca.EXAM_COVARIANCE))
    assert e.shown["rank"] == 2 and e.shown["share-0"] == pytest.approx(72.36, abs=0.01)
    assert e.shown["counted-2"] == "no (≤ tol)"
    assert e.message.value == ""
    assert e.preset.startswith("I(F)")


def test_tolerance_zero_counts_round_off():
    e = CovarianceExplorer()
    e.widget.tolerance = ZERO
    assert e.rank == 3 and e.tolerance == 0
    e.widget.tolerance = "1"
    assert e.rank == 2
    e.widget.tolerance = DEFAULT
    assert e.rank == 2


@pytest.mark.parametrize("name", list(PRESETS))
def test_presets_fill_the_entries(name):
    e = CovarianceExplorer(C=np.eye(3) * 7)
    assert e.preset == "custom"
    e.choose(name)
    assert e.preset == name
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


def test_not_psd_warns_and_keeps_the_eigenvalues():
    e = CovarianceExplorer()
    e.set_entry(0, 1, 6.0)  # |C12| > sqrt(C11 C22) = 5
    assert not e.psd and e.ratios is None
    assert e.message_kind == "warning" and "cannot be the covariance" in e.message.value
    assert e.eigenvalues.min() < 0
    assert [e.shown[f"share-{k}"] for k in range(3)] == ["–"] * 3  # no shares for a matrix that is not a covariance
    e.set_entry(1, 0, "5")
    assert e.psd and e.message.value == ""


def test_editing_keeps_the_matrix_symmetric():
    e = CovarianceExplorer()
    e.set_entry(2, 1, -0.25)
    assert e.preset == "custom"
    assert e.matrix[1, 2] == e.matrix[2, 1] == -0.25
    np.testing.assert_allclose(e.eigenvalues, np.linalg.eigvalsh(e.matrix)[::-1], atol=1e-12)


@pytest.mark.parametrize(
    "text, says",
    [("nan", "finite"), ("inf", "finite"), (repr(10 * MAX_ENTRY), "beyond this explorer"), ("-1e300", "beyond"),
     ("two", "must be a number"), ("", "must be a number")],
)
def test_bad_entries_give_a_message_never_an_exception(text, says):
    e = CovarianceExplorer()
    e.set_entry(0, 2, text)
    assert says in e.message.value and e.message_kind == "error"
    assert e.rank is None and e.shown == {}
    e.set_entry(0, 2, 0.5)
    assert e.message.value == "" and e.rank == 2


def test_the_zero_matrix_and_extreme_entries():
    e = CovarianceExplorer(C=np.zeros((3, 3)))
    assert e.rank == 0 and e.psd and e.ratios is None
    assert "zero matrix" in e.message.value
    e.set_entry(0, 0, MAX_ENTRY)
    assert e.rank == 1 and e.message.value == ""
    e.set_matrix(np.full((3, 3), -MAX_ENTRY))
    assert not e.psd and "Not positive semidefinite" in e.message.value


def test_unknown_tolerance_is_refused():
    with pytest.raises(ValueError, match="tolerance"):
        CovarianceExplorer(tolerance=0.5)
    e = CovarianceExplorer()
    e.widget.tolerance = "0.5"
    assert "tolerance" in e.message.value


def test_symmetric_from_upper_and_parse_entries():
    C = symmetric_from_upper([1, 2, 3, 4, 5, 6])
    np.testing.assert_array_equal(C, [[1, 2, 3], [2, 4, 5], [3, 5, 6]])
    with pytest.raises(ValueError, match="six entries"):
        symmetric_from_upper([1, 2, 3])
    with pytest.raises(TypeError, match="C11"):
        symmetric_from_upper(["1", 2, 3, 4, 5, 6])
    assert parse_entries(["1_000", ".5", "2.", "-0", "+3e-2", " 7 "]) == [1000.0, 0.5, 2.0, -0.0, 0.03, 7.0]
    assert parse_entries(entry_texts(pca.EXAM_COVARIANCE)) == [pca.EXAM_COVARIANCE[i, j] for i, j in UPPER]


def test_view_against_numpy():
    C = np.array([[4.0, 1.0, -2.0], [1.0, 3.0, 0.5], [-2.0, 0.5, 6.0]])
    view = covariance_view(entry_texts(C))
    reference = np.sort(np.linalg.eigvalsh(C))[::-1]
    np.testing.assert_allclose([view["shown"][f"eig-{k}"] for k in range(3)], reference, rtol=1e-12)
    V = np.array([[view["shown"][f"vec-{k}-{i}"] for k in range(3)] for i in range(3)])
    np.testing.assert_allclose(C @ V, V * reference, atol=1e-12)
    assert view["shown"]["rank"] == np.linalg.matrix_rank(C) == 3
    np.testing.assert_allclose([view["shown"][f"share-{k}"] for k in range(3)], 100 * reference / np.trace(C))


def test_vectors_and_their_noise():
    vectors = pca_widget.view_vectors(count=20)
    kinds = {v["kind"] for v in vectors}
    assert {"", "warning", "info", "error"} <= kinds
    presets = [v for v in vectors if v["state"]["entries"] in [entry_texts(C) for C in PRESETS.values()]]
    assert len(presets) == len(PRESETS) * len(TOLERANCES) and all(v["noise"] == {} for v in presets)
    exam = next(v for v in presets if v["state"]["tolerance"] == ZERO and v["state"]["entries"][0] == "2.5")
    assert exam["shown"]["rank"] == 3  # NumPy's round-off, shown as is on the page
    nearly_identity = covariance_view(["1", "0", "0", "1.0000001", "0", "1"])
    noise = pca_widget.view_noise(nearly_identity)
    assert noise["vec-0-0"] is None  # a nearly repeated eigenvalue: its eigenvectors are round-off


def test_config_carries_numpy_eigendecompositions_of_the_presets():
    config = CovarianceExplorer().widget.config
    for name, C in PRESETS.items():
        assert config["presets"][name]["eigenvalues"] == pca.pca(C).eigenvalues.tolist()
    assert [label for label, _ in config["tolerances"]] == list(TOLERANCES)


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
