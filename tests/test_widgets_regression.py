"""The II(B) explorer: set its controls from Python, read what it shows, compare with the library."""

import re

import pytest

from dlexam import regression
from dlexam.widgets import regression as regression_widget
from dlexam.widgets.regression import SplitExplorer

PNG = b"\x89PNG\r\n\x1a\n"


def _shown_errors(explorer):
    """{model label: (training MSE, validation MSE)} as the summary table shows them."""
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", explorer.summary.value)
    return {cells[i]: (float(cells[i + 1]), float(cells[i + 2])) for i in range(0, len(cells), 3)}


def _outside(explorer):
    return int(re.search(r"(\d+)% of the validation points lie outside", explorer.summary.value).group(1))


def test_starts_on_the_intern_split_and_shows_the_library_numbers():
    e = SplitExplorer()
    assert e.figure.value[:8] == PNG
    assert e.message.value == ""
    tanh = regression.model_config("tanh MLP 1x16")
    reference = regression.split_and_fit(regression.DATASETS[0], tanh, "sorted", 0.8)
    shown = _shown_errors(e)
    assert shown["tanh MLP 1x16"] == pytest.approx((reference.errors.train, reference.errors.validation), rel=1e-3)
    assert shown["linear regression"] == pytest.approx(
        (reference.line_errors.train, reference.line_errors.validation), rel=1e-3)
    assert _outside(e) == 100
    assert "318 training and 80 validation points" in e.summary.value


def test_shuffling_puts_the_validation_points_inside_the_training_range():
    e = SplitExplorer(model="linear regression")
    sorted_validation = _shown_errors(e)["linear regression"][1]
    before = e.figure.value
    e.split.value = "shuffled"
    assert _outside(e) < 5
    assert _shown_errors(e)["linear regression"][1] < sorted_validation
    assert e.figure.value != before


def test_linear_regression_shows_one_row_and_a_network_two():
    e = SplitExplorer(model="linear regression")
    assert list(_shown_errors(e)) == ["linear regression"]
    e.model.value = "ReLU MLP 2x32"
    assert list(_shown_errors(e)) == ["ReLU MLP 2x32", "linear regression"]
    assert e.result.model.config == regression.model_config("ReLU MLP 2x32")


@pytest.mark.parametrize("fraction", [0.5, 0.7, 0.95])
def test_the_fraction_sets_the_sizes(fraction):
    e = SplitExplorer(model="linear regression")
    e.fraction.value = fraction
    n_train = round(fraction * regression.N_CARS)
    assert f"{n_train} training and {regression.N_CARS - n_train} validation points" in e.summary.value


def test_noise_free_line_is_extrapolated_exactly_by_linear_regression_only():
    e = SplitExplorer(data=regression.DATASETS[2], model="tanh MLP 1x16")
    shown = _shown_errors(e)
    assert shown["linear regression"][1] < 1e-6
    assert shown["tanh MLP 1x16"][1] > 1.0
    e.set_controls((e.noise, 50.0), (e.seed, 3))
    shown = _shown_errors(e)
    assert shown["linear regression"][1] > 1000  # now the noise itself: about 50**2
    reference = regression.split_and_fit(regression.DATASETS[2], regression.model_config("tanh MLP 1x16"),
                                         "sorted", 0.8, noise=50.0, seed=3)
    assert shown["tanh MLP 1x16"][1] == pytest.approx(reference.errors.validation, rel=1e-3)


def test_displacement_data_and_every_model_run_without_a_message():
    e = SplitExplorer(data=regression.DATASETS[1])
    for label in regression_widget.MODEL_LABELS:
        e.model.value = label
        assert e.message.value == "", label
        assert label in _shown_errors(e)


def test_a_library_error_becomes_a_message(monkeypatch):
    e = SplitExplorer(model="linear regression")

    def refuse(*args, **kwargs):
        raise ValueError("train_fraction 0.95 of 3 points leaves an empty validation set")

    monkeypatch.setattr(regression, "split_and_fit", refuse)
    e.fraction.value = 0.95
    assert "empty validation set" in e.message.value
    monkeypatch.undo()
    e.fraction.value = 0.9
    assert e.message.value == ""
