"""dlexam.binary: defaults, the initialisation bound, every limit of BinaryConfig and the exact error messages."""

import math
import re

import numpy as np
import pytest
import torch

from dlexam import binary


# --- Defaults, seen through what the functions return --------------------------------------------


def test_make_dataset_defaults_are_200_moons():
    """make_dataset() is make_moons(200, noise 0.2): the default name is 'moons' and n is 200."""
    X, y = binary.make_dataset(generator=torch.Generator().manual_seed(3))
    X_ref, y_ref = binary.make_moons(200, 0.2, torch.Generator().manual_seed(3))
    assert X.shape == (200, 2) and torch.equal(X, X_ref) and torch.equal(y, y_ref)


def test_binary_classifier_defaults_one_output_16_hidden_seed_0():
    """BinaryClassifier() has one output, one hidden layer of 16, and draws from a generator seeded 0."""
    model = binary.BinaryClassifier()
    assert tuple(model.body[0].weight.shape) == (16, 2) and tuple(model.output.weight.shape) == (1, 16)
    reference = binary.BinaryClassifier(1, (16,), torch.Generator().manual_seed(0))
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), reference.state_dict().values()))


def test_probability_grid_defaults_are_121_points_over_the_moons():
    """probability_grid's default grid is 121 x 121 over x in [-1.6, 2.6] and y in [-1.2, 1.7]."""
    model = binary.make_model("one_sigmoid", hidden=())
    xx, yy, p = binary.probability_grid(model, "one_sigmoid")
    assert xx.shape == yy.shape == p.shape == (121, 121)
    assert (xx[0, 0], xx[0, -1], yy[0, 0], yy[-1, 0]) == tuple(np.float32(v) for v in (-1.6, 2.6, -1.2, 1.7))
    assert xx[0, 1] - xx[0, 0] == pytest.approx(4.2 / 120, rel=1e-5)


def test_data_limits_default_margin_is_one_half():
    """data_limits(X) adds a margin of 0.5 on each side."""
    X = torch.tensor([[0.0, -1.0], [2.0, 3.0]])
    assert binary.data_limits(X) == ((-0.5, 2.5), (-1.5, 3.5))


@pytest.mark.parametrize(
    "X",
    [np.array([[0.0, -1.0], [2.0, 3.0]]), np.array([[0, -1], [2, 3]]), torch.tensor([[0, -1], [2, 3]])],
    ids=["float ndarray", "int ndarray", "int tensor"],
)
def test_data_limits_take_arrays_and_integer_coordinates(X):
    """X may be a NumPy array or hold integers: the limits are the same as for the float tensor."""
    assert binary.data_limits(X, 0.5) == ((-0.5, 2.5), (-1.5, 3.5))


def test_probability_grid_names_the_meshgrid_indexing(monkeypatch):
    """The grid does not rely on meshgrid's default indexing, which torch warns it will soon require."""
    meshgrid = torch.meshgrid

    def strict_meshgrid(*tensors, indexing=None):
        if indexing is None:
            raise TypeError("torch.meshgrid: pass the indexing argument")
        return meshgrid(*tensors, indexing=indexing)

    monkeypatch.setattr(torch, "meshgrid", strict_meshgrid)
    xx, yy, _ = binary.probability_grid(binary.make_model("one_sigmoid", hidden=()), "one_sigmoid",
                                        ((0.0, 2.0), (0.0, 1.0)), 3)
    np.testing.assert_array_equal(xx, [[0, 1, 2]] * 3)
    np.testing.assert_array_equal(yy, [[0, 0, 0], [0.5, 0.5, 0.5], [1, 1, 1]])


# --- The initialisation: U(-1/sqrt(n_in), +1/sqrt(n_in)) for weights and biases ------------------


def test_initial_weights_and_biases_fill_plus_minus_one_over_sqrt_fan_in():
    """Every layer's weights and biases lie in [-1/sqrt(n_in), 1/sqrt(n_in)] and, with many draws, reach both ends."""
    model = binary.BinaryClassifier(2, (4096, 16), torch.Generator().manual_seed(5))
    layers = [model.body[0], model.body[2], model.output]
    bounds = [2**-0.5, 1 / 64, 1 / 4]  # 1/sqrt(n_in) for n_in = 2, 4096, 16
    for layer, bound in zip(layers, bounds):
        for p in (layer.weight.detach(), layer.bias.detach()):
            assert float(p.abs().max()) <= bound
    # Enough draws to come within 1% of both ends: 8192 and 65536 weights, 4096 biases; 16 biases within half.
    for p, bound, share in [(layers[0].weight, 2**-0.5, 0.99), (layers[1].weight, 1 / 64, 0.99),
                            (layers[0].bias, 2**-0.5, 0.99), (layers[1].bias, 1 / 64, 0.5)]:
        p = p.detach()
        assert float(p.min()) < -share * bound and float(p.max()) > share * bound
    assert float(layers[0].weight.detach().mean()) == pytest.approx(0.0, abs=0.02)


# --- BinaryClassifier: the limits on hidden -------------------------------------------------------


def test_binary_classifier_hidden_limits():
    """hidden may have 100 layers, each 1 to 4096 wide; 101 layers or a width of 4097 are refused."""
    deep = binary.BinaryClassifier(1, (1,) * 100, torch.Generator().manual_seed(0))
    assert deep(torch.zeros(3, 2)).shape == (3, 1)
    wide = binary.BinaryClassifier(1, (4096,), torch.Generator().manual_seed(0))
    assert tuple(wide.output.weight.shape) == (1, 4096)
    with pytest.raises(ValueError, match=r"^hidden must hold at most 100 items, got 101$"):
        binary.BinaryClassifier(1, (1,) * 101)
    with pytest.raises(ValueError, match=r"^hidden must be a sequence of layer widths from 1 to 4096, got \(4097,\)$"):
        binary.BinaryClassifier(1, (4097,))


# --- BinaryConfig: each limit accepted at its end, refused just past it, with the exact message ---


@pytest.mark.parametrize(
    "setting",
    [dict(n=4), dict(n=100_000), dict(epochs=1), dict(epochs=10_000), dict(lr=10), dict(lr=10.0),
     dict(seed=126), dict(seed=2**63 - 1), dict(data_seed=2**63 - 1), dict(hidden=(1,)), dict(hidden=(1024,)),
     dict(hidden=(1,) * 16)],
)
def test_config_accepts_the_end_of_each_range(setting):
    """Each limit of BinaryConfig is inclusive: the value at the end of the range is kept."""
    (name, value), = setting.items()
    assert getattr(binary.BinaryConfig(**setting), name) == value


@pytest.mark.parametrize(
    "setting, message",
    [
        (dict(data="circles"), "data must be one of 'moons', 'blobs', got 'circles'"),
        (dict(n=3), "n must be a whole number of points from 4 to 100000, got 3"),
        (dict(n=100_001), "n must be a whole number of points from 4 to 100000, got 100001"),
        (dict(epochs=10_001), "epochs must be a whole number from 1 to 10000, got 10001"),
        (dict(lr=10.5), "lr (learning rate) must be a number in (0, 10], got 10.5"),
        (dict(lr=11), "lr (learning rate) must be a number in (0, 10], got 11"),
        (dict(seed=2**63), "seed must be a whole number >= 0, got 9223372036854775808"),
        (dict(data_seed=2**63), "data_seed must be a whole number >= 0, got 9223372036854775808"),
        (dict(hidden=(1,) * 17), f"hidden must be layer widths from 1 to 1024, got {(1,) * 17!r}"),
        (dict(hidden=(1025,)), "hidden must be layer widths from 1 to 1024, got (1025,)"),
    ],
)
def test_config_refuses_just_past_each_range(setting, message):
    """A value just past a limit is a ValueError with the exact message."""
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        binary.BinaryConfig(**setting)


def test_config_hidden_is_stored_as_a_tuple():
    """hidden given as a list is kept as a tuple, so the config equals the tuple one and can be hashed."""
    config = binary.BinaryConfig(hidden=[8, 4])
    assert type(config.hidden) is tuple and config.hidden == (8, 4)
    assert config == binary.BinaryConfig(hidden=(8, 4)) and hash(config) == hash(binary.BinaryConfig(hidden=(8, 4)))


# --- Exact error messages ------------------------------------------------------------------------


def test_make_dataset_names_the_data_sets_and_what_it_got():
    """An unknown data set name lists the known ones and shows the name given."""
    with pytest.raises(ValueError, match=r"^data \(the name\) must be one of 'moons', 'blobs', got 'circles' \(str\)$"):
        binary.make_dataset("circles", 10, torch.Generator())


@pytest.mark.parametrize("call", [lambda m: binary.parameter_count(m), lambda m: binary.probability_grid(m, "one_sigmoid")],
                         ids=["parameter_count", "probability_grid"])
def test_a_model_that_is_not_a_module_is_refused(call):
    """A model that is not a torch.nn.Module is a TypeError that names torch.nn.Module."""
    with pytest.raises(TypeError, match=r"^model must be a torch\.nn\.Module, got 3 \(int\)$"):
        call(3)


def test_probability_grid_limits_must_be_two_pairs():
    """limits with three pairs is refused with a message that says at most 2."""
    with pytest.raises(ValueError, match=r"^limits must hold at most 2 items, got 3$"):
        binary.probability_grid(binary.make_model("one_sigmoid"), "one_sigmoid", ((0, 1), (0, 1), (0, 1)), 3)


def test_initial_history_names_the_type_it_got():
    """A config that is not a BinaryConfig is a TypeError naming the type given."""
    with pytest.raises(TypeError, match=r"^config must be a BinaryConfig, got dict$"):
        binary.initial_history({"epochs": 5})


def test_loss_label_errors():
    """Labels of the wrong count show the batch size; labels other than 0/1 show the first five."""
    logits = torch.zeros(3, 1)
    with pytest.raises(ValueError, match=r"^y must hold one label per row of logits, shape \(3,\), got \(2,\)$"):
        binary.loss(logits, torch.tensor([0, 1]), "one_sigmoid")
    y = torch.tensor([7, 6, 5, 4, 3, 2, 1, 0])
    with pytest.raises(ValueError, match=r"^y must hold the labels 0 and 1 only, got \[0, 1, 2, 3, 4\]$"):
        binary.loss(torch.zeros(8, 1), y, "one_sigmoid")


# --- Values -------------------------------------------------------------------------------------


@pytest.mark.parametrize("label, logits", [(0, [math.log(3.0), -math.log(3.0)]), (1, [-math.log(3.0), math.log(3.0)])])
def test_two_sigmoid_loss_of_a_batch_of_one_class(label, logits):
    """A batch of one label still has two-column one-hot targets: both columns' BCE is -log(3/4) here."""
    z = torch.tensor([logits, logits], dtype=torch.float64)
    y = torch.tensor([label, label])
    assert binary.loss(z, y, "two_sigmoid").item() == pytest.approx(math.log(4 / 3), rel=1e-12)


def test_history_accuracy_is_that_of_the_model_before_each_step():
    """accuracy[k] is the share of points whose sigmoid(logit) >= 1/2 matches the label, before step k."""
    config = binary.BinaryConfig(epochs=12, seed=1)
    start = binary.initial_history(config)
    X, y = start.X, start.y

    def accuracy(model):
        with torch.no_grad():
            return ((torch.sigmoid(model(X)[:, 0]) >= 0.5).long() == y).float().mean().item()

    expected = [accuracy(start.model)]
    for history in binary.iter_training(config):
        expected.append(accuracy(history.model))
    assert history.accuracy == expected[:-1]
    assert any(a != 0.5 for a in history.accuracy)  # so the share of errors, 1 - accuracy, differs


def test_unknown_head_lists_every_head_exactly():
    """An unknown head raises listing the four heads, comma-separated, in order."""
    with pytest.raises(ValueError) as info:
        binary.make_model("three_sigmoid")
    assert str(info.value) == ("head must be one of 'one_sigmoid', 'two_softmax', 'two_sigmoid', 'one_softmax', "
                               "got 'three_sigmoid'")


@pytest.mark.parametrize("make", [binary.make_moons, binary.make_blobs])
@pytest.mark.parametrize("generator, got", [(5, "int"), (np.random.default_rng(0), "Generator"), ("seed", "str")])
def test_a_bad_generator_is_refused_naming_its_type(make, generator, got):
    """A generator that is no torch.Generator raises TypeError with the hint and the type it got."""
    with pytest.raises(TypeError) as info:
        make(10, generator=generator)
    assert str(info.value) == ("generator must be a torch.Generator, e.g. torch.Generator().manual_seed(0); "
                               f"got {got}")


# --- Infinite logits: read and scored, but not predicted ----------------------------------------------------


@pytest.mark.parametrize("head, logits, expected", [
    ("one_sigmoid", [[math.inf], [-math.inf]], [1.0, 0.0]),
    ("two_softmax", [[0.0, -math.inf], [-math.inf, 0.0]], [0.0, 1.0]),
])
def test_probability_reads_infinite_logits(head, logits, expected):
    """probability accepts infinite logits: sigmoid(+-inf) = 1, 0 and softmax(0, -inf) = (1, 0)."""
    assert binary.probability(torch.tensor(logits), head).tolist() == expected


def test_loss_scores_infinite_logits():
    """loss accepts infinite logits: softmax (0, -inf) is certain of the right label, so the loss is exactly 0."""
    z = torch.tensor([[0.0, -math.inf], [-math.inf, 0.0]])
    assert binary.loss(z, torch.tensor([0, 1]), "two_softmax").item() == 0.0


def test_predict_refuses_infinite_logits():
    """predict needs finite logits and says so."""
    with pytest.raises(ValueError, match=r"^logits must hold finite numbers \(no NaN or infinity\)$"):
        binary.predict(torch.tensor([[math.inf]]), "one_sigmoid")


# --- make_moons: its own defaults and the ceiling of noise ---------------------------------------------

def test_make_moons_defaults_are_200_points_with_noise_0_2():
    """make_moons() draws n=200 points with noise 0.2: the same draw as the explicit call."""
    X, y = binary.make_moons(generator=torch.Generator().manual_seed(3))
    X_ref, y_ref = binary.make_moons(200, 0.2, torch.Generator().manual_seed(3))
    assert X.shape == (200, 2) and y.tolist() == [0] * 100 + [1] * 100
    assert torch.equal(X, X_ref) and torch.equal(y, y_ref)


def test_make_moons_noise_ceiling_is_one_million():
    """noise = 1e6 is allowed; 1e6 + 0.5 (exact in binary) is refused naming noise."""
    X, _ = binary.make_moons(2, 1e6, torch.Generator().manual_seed(0))
    assert X.shape == (2, 2)
    with pytest.raises(ValueError, match=r"^noise must be at most 1e\+06, got 1e\+06$"):
        binary.make_moons(2, 1e6 + 0.5)
