"""The explorers of question III: set their controls from Python, read what they show."""

import base64
import math

import numpy as np
import pytest
import torch

from dlexam import augment, particles, rotations
from dlexam.widgets import particles as particles_widget
from dlexam.widgets.particles import (
    AugmentationExplorer,
    EmbeddingExplorer,
    LAYOUTS,
    MAX_BATCH,
    MAX_PARTICLES,
    MODEL_NAMES,
    PermutationExplorer,
    ShapeTraceExplorer,
    shape_trace_config,
    shape_trace_vectors,
    shape_trace_view,
)

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def X():
    return particles.make_dataset(30, seed=0)[0]


def test_shape_tracer_starts_on_the_exam_mlp():
    e = ShapeTraceExplorer()
    assert e.parameters == 34_689 and len(e.steps) == 12
    assert (e.shown["input"], e.shown["input-shape"], e.shown["output"]) == ("(B, 20, 3)", "(32, 20, 3)", "(B,)")
    assert e.shown["total"] == 34_689 and e.shown["parameters-2"] == "7,808"
    assert e.view["tinted"] == [1, 11]  # the reshape and the squeeze happen in forward
    assert e.widget.config == shape_trace_config()


def test_shape_tracer_deepsets_takes_any_number_of_particles():
    e = ShapeTraceExplorer(model="DeepSets")
    e.widget.n_particles = 7
    assert e.parameters == 19_009 and e.message.value == ""
    assert "sum over the 7 particles (axis 1)" in e.shown.values()
    assert e.steps[-1].shape == (32,)


def test_shape_tracer_wrong_shape_is_a_message_not_an_exception():
    e = ShapeTraceExplorer()
    e.widget.n_particles = 21
    assert "MLP expects shape (B, 20, 3) or (B, 60), got (32, 21, 3)" in e.message.value
    assert e.shown == {} and e.steps == () and e.parameters is None
    e.widget.n_particles = 20
    assert e.message.value == "" and e.parameters == 34_689


def test_shape_tracer_flat_layout():
    e = ShapeTraceExplorer()
    e.widget.input_layout = LAYOUTS[1]
    assert e.steps[0].shape == (32, 60) and e.message.value == ""
    e.widget.network = "DeepSets"
    assert "(B, m, 3)" in e.message.value


def test_shape_tracer_extremes():
    e = ShapeTraceExplorer(model="DeepSets")
    e.set(batch_size=MAX_BATCH, n_particles=MAX_PARTICLES)
    assert e.message.value == "" and e.steps[0].shape == (MAX_BATCH, MAX_PARTICLES, 3)
    e.set(batch_size=1, n_particles=1)
    assert e.message.value == "" and e.steps[-1].shape == (1,) and e.shown["output"] == "(B,)"
    with pytest.raises(ValueError, match="set\\(\\) takes"):
        e.set(model="MLP")


@pytest.mark.parametrize("B", [1, 2, 20, 64, MAX_BATCH])
def test_shape_trace_templates_put_back_any_batch_size(B):
    """The page's templates, with B put back in, are the library's trace for that B (B = m included)."""
    config = shape_trace_config()
    for network in MODEL_NAMES:
        for layout in LAYOUTS:
            for m in (1, 2, 20, 64, MAX_PARTICLES):
                view = shape_trace_view(network, layout, B, m)
                entry = config["traces"][network][layout][m - 1]
                shape = (B, m, 3) if layout == LAYOUTS[0] else (B, 3 * m)
                if isinstance(entry, int):
                    assert view["message"] == config["errors"][entry].replace(config["input_mark"], str(shape))
                    continue
                rows = [config["rows"][k] for k in entry]
                assert [(s.name, s.operation, tuple(s.shape), s.parameters, s.multiply_adds) for s in view["steps"]] == [
                    (name, operation, (B, *tail), parameters, B * macs) for name, operation, tail, parameters, macs in rows]


def test_shape_trace_view_refuses_bad_settings_with_a_message():
    assert shape_trace_view("CNN")["message"] == "network must be one of MLP, DeepSets, got 'CNN'"
    assert "input layout must be one of" in shape_trace_view(layout="(B, 60)")["message"]
    assert shape_trace_view(B=0)["message"] == "batch size B must be a whole number from 1 to 1,024, got 0"
    assert "particles m must be a whole number from 1 to 200" in shape_trace_view(m=2.5)["message"]
    assert shape_trace_view(B=True)["kind"] == "error"


def test_shape_trace_vectors_cover_the_range():
    vectors = shape_trace_vectors(count=5)
    states = {tuple(v["state"].values()) for v in vectors}
    assert ("MLP", LAYOUTS[0], 20, 20) in states and ("DeepSets", LAYOUTS[0], MAX_BATCH, MAX_PARTICLES) in states
    assert {v["kind"] for v in vectors} == {"", "error"}
    assert all(v["shown"]["input"].startswith("(B, ") for v in vectors if not v["kind"])
    with pytest.raises(TypeError, match=r"^batch_size must be an integer \(a whole number\), got 2\.5 \(float\)$"):
        ShapeTraceExplorer(batch_size=2.5)


def test_augmentation_keeps_p_and_moves_the_picture(X):
    e = AugmentationExplorer(X=X, angle=0.0)
    assert e.energy_after == e.energy_before == pytest.approx(float(particles.target(X[:1].double())[0]), rel=1e-15)
    assert e.shown["moved"] == 0 and e.shown["verdict"] == "P unchanged"
    e.widget.angle = 90.0
    e.widget.permutation_seed = 3
    assert e.energy_after == pytest.approx(e.energy_before, rel=1e-12)
    assert rotations.check_proper_rotations(e.R, tol=1e-12)
    assert float(rotations.rotation_angles(e.R)[0]) == pytest.approx(math.pi / 2, abs=1e-12)
    assert sorted(e.permutation.tolist()) == list(range(20)) and not torch.equal(e.permutation, torch.arange(20))
    assert e.shown["moved"] == int((e.permutation != torch.arange(20)).sum()) > 0
    assert e.shown["permutation"] == "permutation seed 3" and e.shown["det"] == pytest.approx(1.0, abs=1e-12)
    assert e.shown["figure-after"] == e.shown["after"] == e.energy_after
    # the picture on the right is the stored configuration rotated, then reordered
    x = X[0].double()
    torch.testing.assert_close(e.view["moved"], (x @ e.R.T)[e.permutation], rtol=0, atol=1e-14)


def test_the_page_gets_exactly_the_configurations_python_computes_on(X):
    e = AugmentationExplorer(X=X)
    config = e.widget.config
    assert config["configurations"]["dtype"] == "float32"
    assert torch.equal(particles_widget._decode_configurations(config["configurations"]), X)
    assert len(config["permutations"]) == 99
    e.widget.permutation_seed = 3
    assert config["permutations"][2] == e.permutation.tolist()
    assert len(config["draws"]) == particles_widget.ROTATION_DRAWS
    # data of double precision is sent as it is, and computed on as it is
    X64 = X[:3].double() + 1e-9
    e64 = AugmentationExplorer(X=X64)
    assert e64.widget.config["configurations"]["dtype"] == "float64"
    assert torch.equal(particles_widget._decode_configurations(e64.widget.config["configurations"]), X64)
    assert e64.energy_before == float(particles.target(X64[:1])[0])


def test_the_default_data_is_the_books_training_set():
    X_train = particles.make_dataset(particles.N_TRAIN, seed=0)[0]
    assert torch.equal(particles_widget.augmentation_data(), X_train)


def test_random_rotation_button_sets_the_sliders(X):
    e = AugmentationExplorer(X=X, angle=0.0)
    assert e.rotation_seed == 0 and e.shown["draw-seed"] == "none yet"
    e.draw_random_rotation()
    assert e.rotation_seed == 1 and e.widget.angle != 0 and e.shown["draw-seed"] == 1
    assert float(rotations.rotation_angles(e.R)[0]) == pytest.approx(math.radians(abs(e.widget.angle)), abs=1e-9)
    for v in (e.widget.azimuth, e.widget.elevation, e.widget.angle):
        assert v % 5 == 0
    # the draw is the library's uniform rotation with seed 1, rounded to the sliders' 5° grid
    drawn = augment.random_rotations(1, torch.Generator().manual_seed(1), dtype=torch.float64)[0]
    assert float(rotations.rotation_angles(drawn)[0]) == pytest.approx(math.radians(e.widget.angle), abs=math.radians(2.5))
    axis, _ = rotations.rotation_axis_angle(drawn)
    assert float(axis @ rotations.axis_from_angles(e.widget.azimuth, e.widget.elevation)) > math.cos(math.radians(5))
    e.draw_random_rotation()
    assert e.rotation_seed == 2
    e.no_rotation()
    assert e.widget.angle == 0 and torch.allclose(e.R, torch.eye(3, dtype=torch.float64))


def test_random_rotations_repeat_after_the_last_one_shipped(X):
    e = AugmentationExplorer(X=X)
    e.widget.draws = particles_widget.ROTATION_DRAWS - 1
    e.draw_random_rotation()
    assert e.rotation_seed == particles_widget.ROTATION_DRAWS
    e.draw_random_rotation()
    first = particles_widget.rotation_draws()[0]
    assert e.rotation_seed == 1 and (e.widget.azimuth, e.widget.elevation, e.widget.angle) == first


def test_augmentation_extremes_never_raise(X):
    e = AugmentationExplorer(X=X)
    for azimuth, elevation, angle in ((-180.0, 90.0, 180.0), (180.0, -90.0, -180.0), (0.0, 0.0, 0.0)):
        e.set(index=len(X) - 1, azimuth=azimuth, elevation=elevation, angle=angle, permutation_seed=99)
        assert e.message.value == "" and e.energy_after == pytest.approx(e.energy_before, rel=1e-12)
        assert rotations.check_proper_rotations(e.R, tol=1e-12)
    e.set(elevation=90.0, angle=90.0)  # the axis is z: a quarter turn in the xy plane
    torch.testing.assert_close(e.R, torch.tensor([[0.0, -1, 0], [1, 0, 0], [0, 0, 1]], dtype=torch.float64), atol=1e-15, rtol=0)


@pytest.mark.parametrize("trait, value, words", [
    ("index", 30, "configuration must be a whole number from 0 to 29, got 30"),
    ("azimuth", 400.0, "axis azimuth must be a number of degrees from -180 to 180, got 400.0"),
    ("elevation", -91.0, "axis elevation must be a number of degrees from -90 to 90, got -91.0"),
    ("angle", 181.0, "angle must be a number of degrees from -180 to 180, got 181.0"),
    ("permutation_seed", 100, "permutation seed must be a whole number from 0 to 99, got 100"),
])
def test_augmentation_refuses_settings_beyond_its_controls_with_a_message(X, trait, value, words):
    e = AugmentationExplorer(X=X)
    setattr(e.widget, trait, value)
    assert words in e.message.value and e.R is None and e.shown == {}
    setattr(e.widget, trait, 0)
    assert e.message.value == "" and e.R is not None


def test_augmentation_refuses_bad_data_by_name():
    with pytest.raises(ValueError, match="X must hold at least 2 particles"):
        AugmentationExplorer(X=torch.zeros(3, 1, 3))
    with pytest.raises(ValueError, match="X holds 20,000 configurations"):
        AugmentationExplorer(X=torch.zeros(20_000, 20, 3))
    with pytest.raises(ValueError, match="index must be below the number of configurations in X"):
        AugmentationExplorer(X=torch.zeros(3, 20, 3), index=3)


def test_augmentation_view_vectors_cover_every_control():
    vectors = particles_widget.augmentation_vectors(count=10)
    states = [v["state"] for v in vectors]
    for key, low, high in (("index", 0, particles.N_TRAIN - 1), ("azimuth", -180, 180), ("elevation", -90, 90),
                           ("angle", -180, 180), ("permutation_seed", 0, 99)):
        values = {s[key] for s in states}
        assert low in values and high in values, key
    assert 0.0 in {s["angle"] for s in states}
    assert max(s["draws"] for s in states) > particles_widget.ROTATION_DRAWS  # past the last draw shipped
    assert all(v["kind"] == "" and v["shown"]["verdict"] == "P unchanged" for v in vectors)


def test_permutation_explorer_separates_deepsets_from_the_mlp(X):
    e = PermutationExplorer(X=X, seed=5)
    assert e.shown["unchanged"] == "P, DeepSets" and e.shown["after"] == "after permutation 5"
    assert e.changes["DeepSets"].max() < 1e-5 and e.changes["P"].max() < 1e-12
    assert e.changes["MLP"].max() > 1e-3
    before = e.outputs["MLP"][1]
    e.another_permutation()
    assert e.widget.seed == 6 and e.outputs["MLP"][1] != before
    assert e.shown["mlp-now"] == e.outputs["MLP"][1] and e.shown["after"] == "after permutation 6"


def test_rotating_breaks_deepsets_but_not_p(X):
    e = PermutationExplorer(X=X)
    e.widget.rotate = True
    assert e.shown["unchanged"] == "P" and e.shown["after"] == "after permutation and rotation 1"
    assert e.changes["DeepSets"].max() > 1e-3 and e.changes["P"].max() < 1e-12


def test_permutation_seed_zero_is_the_original(X):
    e = PermutationExplorer(X=X, seed=0)
    for original, now in e.outputs.values():
        assert original == now
    assert e.shown["after"] == "original (seed 0)" and torch.equal(torch.as_tensor(e.configuration), X[0].double())
    e.set(seed=e.N_SEEDS, rotate=True)
    e.another_permutation()
    assert e.widget.seed == 1  # wraps around


def _decode(encoded, shape):
    """The inverse of particles._encode_values: the very numbers the page holds."""
    dtype = np.dtype("<f4" if encoded["dtype"] == "float32" else "<f8")
    planes = np.frombuffer(base64.b64decode(encoded["data"]), dtype=np.uint8).reshape(dtype.itemsize, -1)
    return planes.T.copy().view(dtype).reshape(shape)


def test_the_permutation_page_gets_the_library_outputs(X):
    """What the page is sent: X itself, and the outputs of P and of the networks on copies drawn as the library draws them."""
    config = particles_widget.permutation_config(X[:4])
    S = config["copies"]
    assert S == PermutationExplorer.N_SEEDS == 30 and config["count"] == 4 and config["particles"] == 20
    assert np.array_equal(_decode(config["configurations"], (4, 20, 3)), X[:4].numpy())
    nets = particles_widget.seeded_models()
    for i in range(4):
        x = X[i].double()
        perms = [augment.random_permutations(1, 20, torch.Generator().manual_seed(k))[0] for k in range(1, S + 1)]
        rots = [augment.random_rotations(1, torch.Generator().manual_seed(1000 + k), dtype=torch.float64)[0]
                for k in range(1, S + 1)]
        assert config["permutations"] == [p.tolist() for p in perms]
        assert torch.equal(torch.tensor(config["rotations"], dtype=torch.float64), torch.stack(rots))
        copies = [x[p] for p in perms]
        batch = torch.stack([x, *copies, *(c @ R.T for c, R in zip(copies, rots))])  # (61, 20, 3)
        row = lambda label, dtype: _decode(config["outputs"][label], (4, 1 + 2 * S))[i].astype(dtype)  # noqa: E731
        assert config["outputs"]["P"]["dtype"] == "float64" and config["outputs"]["MLP"]["dtype"] == "float32"
        np.testing.assert_allclose(row("P", np.float64), particles.target(batch).numpy(), rtol=1e-13)
        with torch.no_grad():
            for label, net in nets.items():
                np.testing.assert_allclose(row(label, np.float32), net(batch.float()).numpy(), rtol=1e-5, atol=1e-6)
        # the properties the explorer shows: P unchanged by both, DeepSets by permutations only
        p, deepsets = row("P", np.float64), row("DeepSets", np.float32)
        assert np.abs(p - p[0]).max() < 1e-12 * p[0]
        assert np.abs(deepsets[1:S + 1] - deepsets[0]).max() < 1e-5
        assert np.abs(deepsets[S + 1:] - deepsets[0]).max() > 1e-4


def test_permutation_explorer_shows_its_view(X):
    e = PermutationExplorer(X=X, index=3, seed=17)
    for index, seed, rotate in ((3, 17, False), (29, 30, True), (0, 0, True), (12, 1, False)):
        e.set(index=index, seed=seed, rotate=rotate)
        view = particles_widget.permutation_view(index, seed, rotate, X)
        assert e.shown == view["shown"] and e.outputs == view["outputs"]
        assert set(e.changes) == {"P", "MLP", "DeepSets"} and all(v.shape == (30,) for v in e.changes.values())
        assert e.shown["mlp-largest"] == e.changes["MLP"].max() and e.message.value == ""
    # the copy drawn: seed 30's permutation, then its rotation (seed 1030), of configuration 29
    e.set(index=29, seed=30, rotate=True)
    perm = augment.random_permutations(1, 20, torch.Generator().manual_seed(30))[0]
    R = augment.random_rotations(1, torch.Generator().manual_seed(1030), dtype=torch.float64)[0]
    np.testing.assert_allclose(e.configuration, (X[29].double()[perm] @ R.T).numpy(), rtol=0, atol=1e-12)


@pytest.mark.parametrize("trait, value, words", [
    ("seed", 31, "permutation seed must be a whole number from 0 to 30, got 31"),
    ("index", 30, "configuration must be a whole number from 0 to 29, got 30"),
])
def test_permutation_explorer_refuses_settings_beyond_its_controls_with_a_message(X, trait, value, words):
    e = PermutationExplorer(X=X)
    setattr(e.widget, trait, value)
    assert words in e.message.value and e.shown == {} and e.outputs == {} and e.changes == {}
    setattr(e.widget, trait, 1)
    assert e.message.value == "" and e.shown["after"] == "after permutation 1"


def test_permutation_explorer_refuses_bad_arguments_by_name(X):
    with pytest.raises(ValueError, match="seed"):
        PermutationExplorer(X=X, seed=31)
    with pytest.raises(ValueError, match="X must hold configurations of 20 particles"):
        PermutationExplorer(X=X[:, :7])
    with pytest.raises(ValueError, match="X holds 1,001 configurations"):
        PermutationExplorer(X=torch.zeros(1001, 20, 3))
    with pytest.raises(ValueError, match="X must hold finite numbers"):
        PermutationExplorer(X=torch.full((2, 20, 3), float("nan")))
    with pytest.raises(ValueError, match="set\\(\\) takes index, seed, rotate, got .angle."):
        PermutationExplorer(X=X).set(angle=3)


def test_permutation_vectors_cover_every_control():
    vectors = particles_widget.permutation_vectors(count=5, seed=0)
    states = [v["state"] for v in vectors]
    n = particles.N_TRAIN
    assert {s["index"] for s in states} >= {0, n - 1} and {s["seed"] for s in states} >= {0, 1, 30}
    assert {s["rotate"] for s in states} == {False, True}
    wrapped = [v for v in vectors if v["state"]["seed"] == 30 and v["state"]["press"] == 1]
    assert wrapped and all(v["shown"]["after"].endswith(" 1") for v in wrapped)  # the button after the last seed
    assert all(v["kind"] == "" and "P" in v["shown"]["unchanged"].split(", ") for v in vectors)
    assert {v["shown"]["unchanged"] for v in vectors} == {"P", "P, DeepSets"}
    assert all(np.asarray(v["configuration"]).shape == (20, 3) for v in vectors)


def test_embeddings_sum_does_not_depend_on_the_order(X):
    e = EmbeddingExplorer(X=X, seed=0)
    pooled, output = e.pooled.copy(), e.output
    e.widget.seed = 9
    assert e.output == pytest.approx(output, abs=1e-6)
    assert abs(e.pooled - pooled).max() < 1e-5
    assert e.shown["particles"] == 20 and e.shown["verdict"] == "float32 round-off"
    assert e.shown["difference"] <= e.shown["bound"] and e.shown["order"].split(", ") != [str(i) for i in range(20)]
    assert e.reference_output == output  # F in the stored order does not depend on the seed


def test_embeddings_with_fewer_particles(X):
    e = EmbeddingExplorer(X=X)
    full = e.output
    e.widget.n_particles = 1
    assert e.message.value == "" and e.output != full and e.shown["particles"] == 1
    assert e.shown["difference"] == e.shown["bound"] == 0.0 and e.shown["order"] == "0"


def test_embedding_view_is_the_library_deepsets(X):
    model = particles_widget.seeded_models()["DeepSets"]
    view = particles_widget.embedding_view(5, 17, 12, X)
    perm = augment.random_permutations(1, 12, torch.Generator().manual_seed(17))[0]
    with torch.no_grad():
        features = model.phi(X[5, :12][perm][None])[0]
        np.testing.assert_array_equal(view["features"], features.numpy())
        assert view["output"] == float(model(X[5, :12][perm][None])[0])
        assert view["reference_output"] == float(model(X[5:6, :12])[0])
    assert view["shown"]["order"] == ", ".join(map(str, perm.tolist()))
    assert view["shown"]["phi-0-3"] == float(features[0, 3]) and len(view["shown"]) == 10 + 12 * 64 + 64
    noise = particles_widget.embedding_noise(view)
    assert set(noise) == set(view["shown"]) - {"particles", "verdict", "order"}


def test_embedding_config_holds_the_weights_and_every_permutation(X):
    config = particles_widget.embedding_config(X)
    weights = np.frombuffer(base64.b64decode(config["weights"]["data"]), np.uint8).reshape(4, -1).T.copy().view("<f4")
    model = particles_widget.seeded_models()["DeepSets"]
    assert weights.size == 19_009 == sum(p.numel() for p in model.parameters())
    np.testing.assert_array_equal(weights[:192].reshape(64, 3), model.phi.layers[0].weight.detach().numpy())
    assert [(l["part"], l["out"], l["in"]) for l in config["layers"]] == [
        ("phi", 64, 3), ("phi", 64, 64), ("phi", 64, 64), ("phi", 64, 64), ("rho", 64, 64), ("rho", 32, 64), ("rho", 1, 32)]
    ranks = torch.tensor(config["ranks"])
    assert ranks.shape == (99, 20)
    for seed in (1, 50, 99):  # the page orders the first m ranks: the library's permutation of m particles
        for m in (1, 2, 7, 20):
            assert torch.equal(ranks[seed - 1, :m].argsort(), particles_widget._permutation(seed, m))
    assert len(config["colormap"]) == 256 and config["colormap"][0] == "#053061"


@pytest.mark.parametrize("trait, value, words", [
    ("seed", 100, "permutation seed must be a whole number from 0 to 99, got 100"),
    ("n_particles", 21, "particles used must be a whole number from 1 to 20, got 21"),
    ("index", 30, "configuration must be a whole number from 0 to 29, got 30"),
])
def test_embedding_explorer_refuses_settings_beyond_its_controls_with_a_message(X, trait, value, words):
    e = EmbeddingExplorer(X=X)
    setattr(e.widget, trait, value)
    assert words in e.message.value and e.shown == {} and e.output is None and e.pooled is None
    setattr(e.widget, trait, 1)
    assert e.message.value == "" and e.output is not None


def test_embedding_explorer_refuses_bad_arguments_by_name(X):
    with pytest.raises(ValueError, match="n_particles must be at most the 7 particles"):
        EmbeddingExplorer(X=X[:, :7], n_particles=8)
    with pytest.raises(ValueError, match="seed"):
        EmbeddingExplorer(X=X, seed=100)
    with pytest.raises(ValueError, match="finite"):
        EmbeddingExplorer(X=torch.full((2, 20, 3), float("nan")))
    with pytest.raises(ValueError, match="set\\(\\) takes index, seed, n_particles, got .angle."):
        EmbeddingExplorer(X=X).set(angle=3)
    e = EmbeddingExplorer(X=X.double(), n_particles=3)  # float64 data go to the float32 network as float32
    assert e.X.dtype == torch.float32 and e.shown["particles"] == 3


def test_embedding_vectors_cover_every_control():
    vectors = particles_widget.embedding_vectors(count=3, seed=0)
    states = [v["state"] for v in vectors]
    assert {s["index"] for s in states} >= {0, particles.N_TRAIN - 1} and {s["seed"] for s in states} >= {0, 1, 99}
    assert {s["n_particles"] for s in states} >= {1, 2, 20}
    assert all(v["kind"] == "" and v["shown"]["verdict"] == "float32 round-off" for v in vectors)
