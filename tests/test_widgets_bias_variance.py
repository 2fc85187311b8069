"""The III(F) explorer: choose a regime and a validation frame, and read the decomposition it shows."""

import json

import pytest
import torch

from dlexam import bias_variance, training
from dlexam.widgets import bias_variance as bw
from dlexam.widgets.bias_variance import BiasVarianceExplorer


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
    assert e.shown["all-bias2"] == pytest.approx(first.bias2) and e.shown["train-mse"] == first.train_mse
    assert (e.regime, e.val_frame, e.models, e.n, e.how) == (first.regime, "random", 3, 30, "spread over P")
    assert e.ui is e.widget and e.message.value == ""


def test_controls_choose_regime_frame_models_and_configurations(results):
    e = BiasVarianceExplorer(results)
    y = training.validation_set()[1]
    e.widget.regime = bias_variance.Regime("deepsets", "both").label
    e.widget.val_frame = "canonical"
    chosen = results[3]
    assert (chosen.model, chosen.val_frame) == ("deepsets", "canonical")
    assert e.numbers["all"] == pytest.approx((chosen.mse, chosen.bias2, chosen.variance))
    e.widget.models = 2
    assert e.numbers["all"] == pytest.approx(bias_variance.decompose(chosen.predictions[:2], y))
    e.set(how="largest variance", n=10)
    picked = bias_variance.select_configurations(chosen.predictions[:2], y, 10, "largest variance")
    assert e.numbers["shown"] == pytest.approx(bias_variance.decompose(chosen.predictions[:2, picked], y[picked]))
    assert e.shown["chosen"] == ", ".join(str(int(i)) for i in picked) and e.shown["count"] == 10
    assert e.numbers["shown"][2] >= e.numbers["all"][2]  # the noisiest ten spread more than average
    e.set(regime=("mlp", "none"))
    assert e.regime == bias_variance.Regime("mlp", "none")


def test_the_random_design_regime_is_offered_with_its_label(results):
    e = BiasVarianceExplorer(results, regime=("mlp", "none", "random"))
    assert e.regime == bias_variance.Regime("mlp", "none", "random")
    assert "MLP, none, random training sets" in [text for _, text in e.widget.config["regimes"]]
    assert e.numbers["all"] == pytest.approx((results[4].mse, results[4].bias2, results[4].variance))


def test_one_frame_and_no_results(results):
    given = [r for r in results if r.val_frame == "random"]
    e = BiasVarianceExplorer(given)
    assert e.widget.config["frames"] == [["random", "as given (rotated, permuted)"]] and e.message.value == ""
    with pytest.raises(ValueError, match="measure"):
        BiasVarianceExplorer([])
    with pytest.raises(ValueError, match="regime"):
        BiasVarianceExplorer(given, regime=("deepsets", "none"))


def test_a_bad_setting_is_a_message_naming_the_control(results):
    e = BiasVarianceExplorer(results)
    for name, value, words in (("models", 9, "models used"), ("n", 7, "configurations shown"),
                               ("how", "smallest", "which"), ("val_frame", "sideways", "validation set"),
                               ("regime", "nothing", "regime")):
        e.set(**{name: value})
        assert e.message_kind == "error" and words in e.message.value and e.numbers == {}, name
        e.set(models=3, n=30, how="spread over P", val_frame="random", regime=results[0].regime.label)
        assert e.message.value == "" and e.numbers
    with pytest.raises(ValueError, match="set"):
        e.set(lr=1)


def test_the_page_gets_the_library_predictions_exactly(results):
    config = bw.bias_variance_config(results)
    json.loads(json.dumps(config))  # the page's JSON
    for i, r in enumerate(results):
        assert torch.equal(bw.config_predictions(config, i), r.predictions)
    assert torch.equal(bw.config_y(config), training.validation_set()[1])
    assert config["k"] == 3 and config["count"] == 500 and len(config["regimes"]) == 3


def test_vectors_cover_every_control(results):
    config = bw.bias_variance_config(results)
    vectors = bw.bias_variance_vectors(config, count=5)
    states = [v["state"] for v in vectors]
    assert {s["regime"] for s in states} == {label for label, _ in config["regimes"]}
    assert {s["models"] for s in states} >= {2, 3} and {s["n"] for s in states} >= {5, 100}
    assert {s["how"] for s in states} == set(bias_variance.SELECTIONS)
    for v in vectors:
        assert v["kind"] == "" and v["shown"]["count"] == v["state"]["n"]
        assert set(v["noise"]) <= set(v["shown"]) and all(0 < x < 1e-9 for x in v["noise"].values())
    view = bw.bias_variance_view(config, config["regimes"][0][0], "random", 3, 100, "largest bias")
    pointwise = bias_variance.pointwise_decomposition(results[0].predictions, training.validation_set()[1])[0]
    assert len(view["chosen"]) == 100 and min(pointwise[view["chosen"]]) >= pointwise.sort().values[-100]
