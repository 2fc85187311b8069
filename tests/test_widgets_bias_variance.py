"""The III(F) explorer: choose a regime and a validation frame, and read the decomposition it shows."""

import pytest

from dlexam import bias_variance, training
from dlexam.widgets.bias_variance import BiasVarianceExplorer

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def results():
    base = training.TrainConfig(epochs=2, n_train=64, batch_size=16)
    return bias_variance.measure(k=3, regimes=[("mlp", "none"), ("deepsets", "both"), ("mlp", "none", "random")],
                                 base=base)


def test_shows_the_decomposition_of_the_first_regime(results):
    e = BiasVarianceExplorer(results)
    y = training.validation_set()[1]
    first = results[0]
    assert (first.model, first.augmentation, first.train_frame, first.val_frame) == ("mlp", "none", "canonical", "random")
    assert e.numbers["all"] == pytest.approx((first.mse, first.bias2, first.variance))
    assert e.numbers["corrected"] == pytest.approx(bias_variance.corrected_decomposition(first.predictions, y))
    assert f"{first.bias2:.3g}" in e.summary.value and e.figure.value[:8] == PNG
    assert e.message.value == ""


def test_controls_choose_regime_frame_models_and_configurations(results):
    e = BiasVarianceExplorer(results)
    y = training.validation_set()[1]
    e.regime.value = bias_variance.Regime("deepsets", "both")
    e.val_frame.value = "canonical"
    chosen = results[3]
    assert (chosen.model, chosen.val_frame) == ("deepsets", "canonical")
    assert e.numbers["all"] == pytest.approx((chosen.mse, chosen.bias2, chosen.variance))
    e.models.value = 2
    assert e.numbers["all"] == pytest.approx(bias_variance.decompose(chosen.predictions[:2], y))
    e.how.value = "largest variance"
    e.n.value = 10
    picked = bias_variance.select_configurations(chosen.predictions[:2], y, 10, "largest variance")
    assert e.numbers["shown"] == pytest.approx(bias_variance.decompose(chosen.predictions[:2, picked], y[picked]))
    assert e.numbers["shown"][2] >= e.numbers["all"][2]  # the noisiest ten spread more than average


def test_the_random_design_regime_is_offered_with_its_label(results):
    e = BiasVarianceExplorer(results, regime=("mlp", "none", "random"))
    assert e.regime.value == bias_variance.Regime("mlp", "none", "random")
    assert "MLP, none, random training sets" in [label for label, _ in e.regime.options]
    assert e.numbers["all"] == pytest.approx((results[4].mse, results[4].bias2, results[4].variance))


def test_one_frame_and_no_results(results):
    given = [r for r in results if r.val_frame == "random"]
    e = BiasVarianceExplorer(given)
    assert list(e.val_frame.options) == [("as given (rotated, permuted)", "random")] and e.message.value == ""
    with pytest.raises(ValueError, match="measure"):
        BiasVarianceExplorer([])
