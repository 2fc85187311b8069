import inspect

import numpy as np
import pytest
import torch
from torch import nn

from dlexam import models, particles

# The exam's official solution, III(A) and III(D): widths of the Linear layers in order.
MLP_WIDTHS = [60, 128, 128, 64, 32, 1]
PHI_WIDTHS = [3, 64, 64, 64, 64]
RHO_WIDTHS = [64, 64, 32, 1]


def count(widths):
    """Weights and biases of a chain of dense layers: sum of (in + 1) * out."""
    return sum((i + 1) * o for i, o in zip(widths[:-1], widths[1:]))


def seeded(name, seed=0):
    return models.make_model(name, torch.Generator().manual_seed(seed))


def linear_widths(module):
    layers = [m for m in module.modules() if isinstance(m, nn.Linear)]
    return [layers[0].in_features] + [layer.out_features for layer in layers]


def test_widths_match_the_official_solution():
    deepsets = models.DeepSets()
    assert linear_widths(models.MLP()) == MLP_WIDTHS
    assert linear_widths(deepsets.phi) == PHI_WIDTHS
    assert linear_widths(deepsets.rho) == RHO_WIDTHS


@pytest.mark.parametrize(
    "module, expected",
    [
        (models.MLP(), count(MLP_WIDTHS)),  # 34,689
        (models.Phi(), count(PHI_WIDTHS)),
        (models.Rho(), count(RHO_WIDTHS)),
        (models.DeepSets(), count(PHI_WIDTHS) + count(RHO_WIDTHS)),  # 19,009
    ],
)
def test_parameter_counts(module, expected):
    assert sum(p.numel() for p in module.parameters()) == expected


@pytest.mark.parametrize(
    "sequential, hidden",
    [(models.MLP().layers, 4), (models.Phi().layers, 4), (models.Rho().layers, 2)],
)
def test_an_elu_follows_every_hidden_layer(sequential, hidden):
    kinds = [type(layer) for layer in sequential]
    assert kinds.count(nn.ELU) == hidden
    for i, kind in enumerate(kinds):
        if kind is nn.ELU:
            assert kinds[i - 1] is nn.Linear


def test_exam_names():
    assert models.F is models.DeepSets
    assert isinstance(models.DeepSets().phi, models.Phi) and isinstance(models.DeepSets().rho, models.Rho)
    for cls in (models.MLP, models.Phi, models.Rho, models.DeepSets):
        # the chapters show inspect.getsource(cls): it must hold the class's own forward, not an inherited one
        assert "forward" in vars(cls) and vars(cls)["forward"].__qualname__ == f"{cls.__name__}.forward"
        source = inspect.getsource(cls)
        assert source.startswith(f"class {cls.__name__}(nn.Module):")
        assert inspect.getsource(vars(cls)["forward"]) in source


def test_deepsets_is_rho_of_the_sum_of_phi_over_the_particles():
    model = seeded("deepsets")
    X = torch.randn(4, 20, 3, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        features = torch.stack([torch.stack([model.phi.layers(X[b, i]) for i in range(20)]) for b in range(4)])
        expected = model.rho.layers(features.sum(dim=1))[:, 0]  # (4,)
        torch.testing.assert_close(model(X), expected, rtol=1e-5, atol=1e-6)
        torch.testing.assert_close(model(X[:, torch.randperm(20, generator=torch.Generator().manual_seed(4))]),
                                   expected, rtol=1e-5, atol=1e-6)


def test_mlp_is_its_layers_on_the_flattened_particles():
    model = seeded("mlp")
    X = torch.randn(4, 20, 3, generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        torch.testing.assert_close(model(X), model.layers(X.reshape(4, 60))[:, 0])


@pytest.mark.parametrize("name", ["mlp", "deepsets", "pairsum"])
def test_output_is_one_number_per_configuration(name):
    X, _ = particles.make_dataset(5)
    assert seeded(name)(X).shape == (5,)


def test_mlp_accepts_flat_and_particle_shapes_alike():
    X, _ = particles.make_dataset(5)
    model = seeded("mlp")
    torch.testing.assert_close(model(X), model(X.reshape(5, 60)))
    model(X.transpose(0, 1).contiguous().transpose(0, 1))  # non-contiguous input works


def test_deepsets_is_the_sum_of_phi_through_rho():
    X, _ = particles.make_dataset(5)
    model = seeded("deepsets")
    pooled = sum(model.phi(X[:, i : i + 1]).squeeze(1) for i in range(20))  # one particle at a time
    torch.testing.assert_close(model(X), model.rho(pooled), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("seed", range(4))
def test_deepsets_is_permutation_invariant_and_the_mlp_is_not(seed):
    X, _ = particles.make_dataset(32, seed=seed)
    permutation = torch.randperm(20, generator=torch.Generator().manual_seed(seed))
    deepsets, mlp = seeded("deepsets", seed), seeded("mlp", seed)
    with torch.no_grad():
        assert (deepsets(X) - deepsets(X[:, permutation])).abs().max() < 1e-5
        assert (mlp(X) - mlp(X[:, permutation])).abs().max() > 1e-3


def test_pair_distances_against_a_double_loop():
    X = torch.randn(3, 6, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    expected = [[float(np.linalg.norm(x[i] - x[j])) for i in range(6) for j in range(i + 1, 6)] for x in X.numpy()]
    np.testing.assert_allclose(models.pair_distances(X).numpy(), expected, rtol=1e-12)


def test_pairsum_can_represent_P_exactly():
    # With psi(d) = exp(-d^2 / 2), the sum over pairs is P itself (the library's target).
    X, y = particles.make_dataset(6, seed=2)
    d = models.pair_distances(X.double())
    torch.testing.assert_close(torch.exp(-d**2 / 2).sum(dim=1), particles.target(X.double()))
    model = seeded("pairsum")
    with torch.no_grad():
        per_pair = model.psi(d.float()[..., None]).squeeze(-1)  # (6, 190)
    torch.testing.assert_close(model(X), per_pair.sum(dim=1) / 190)


@pytest.mark.parametrize("seed", range(3))
def test_pairsum_is_invariant_to_rotations_and_permutations(seed):
    X, _ = particles.make_dataset(16, seed=seed)
    X_random, _ = particles.make_dataset(16, seed=seed, frame="random")  # the same, rotated and permuted
    model = seeded("pairsum", seed)
    with torch.no_grad():
        torch.testing.assert_close(model(X_random), model(X), rtol=1e-4, atol=1e-5)
        assert (seeded("deepsets", seed)(X_random) - seeded("deepsets", seed)(X)).abs().max() > 1e-3


def test_pairsum_parameters():
    assert sum(p.numel() for p in models.PairSum().parameters()) == count([1, 16, 16, 1])


def test_deepsets_takes_any_number_of_particles():
    assert models.DeepSets()(torch.randn(3, 7, 3, generator=torch.Generator().manual_seed(0))).shape == (3,)


def test_seeded_models_are_reproducible_and_leave_global_state_alone():
    state = torch.random.get_rng_state()
    a, b, c = seeded("deepsets", 1), seeded("deepsets", 1), seeded("deepsets", 2)
    assert torch.equal(state, torch.random.get_rng_state())
    for pa, pb, pc in zip(a.parameters(), b.parameters(), c.parameters()):
        assert torch.equal(pa, pb) and not torch.equal(pa, pc)


def test_initialisation_follows_pytorch_default_bounds():
    for layer in seeded("mlp").modules():
        if isinstance(layer, nn.Linear):
            bound = 1 / np.sqrt(layer.in_features)
            assert layer.weight.abs().max() <= bound and layer.bias.abs().max() <= bound
            assert layer.weight.abs().max() > 0.8 * bound  # spread over the whole interval


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: models.MLP()(torch.zeros(4, 21, 3)), ValueError, "(B, 20, 3) or (B, 60)"),
        (lambda: models.MLP()(torch.zeros(4, 59)), ValueError, "got (4, 59)"),
        (lambda: models.DeepSets()(torch.zeros(4, 60)), ValueError, "(B, m, 3)"),
        (lambda: models.DeepSets()(torch.zeros(4, 20, 2)), ValueError, "got (4, 20, 2)"),
        (lambda: models.DeepSets()(np.zeros((4, 20, 3))), TypeError, "torch tensor"),
        (lambda: models.make_model("cnn"), ValueError, "['deepsets', 'mlp', 'pairsum']"),
        (lambda: models.PairSum()(torch.zeros(4, 60)), ValueError, "(B, m, 3)"),
        (lambda: models.init_parameters(models.MLP(), 0), TypeError, "torch.Generator"),
    ],
)
def test_bad_inputs_raise_clear_errors(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)


@pytest.mark.parametrize("model", [models.MLP(), models.DeepSets(), models.PairSum()])
def test_integer_coordinates_get_a_clear_message(model):
    with pytest.raises(TypeError, match="floating-point coordinates"):
        model(torch.ones(2, 20, 3, dtype=torch.long))


def test_part3_pages_show_the_library_code_not_copies():
    # A page's solution shows the library's classes through inspect.getsource, so they cannot drift.
    import json
    import pathlib
    import re

    for path in sorted((pathlib.Path(__file__).parents[1] / "chapters" / "part3").glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] == "markdown":
                text = "".join(cell["source"])
                implemented = re.search(r"^\s*class \w+\(nn\.Module\)", text, flags=re.M) and "nn.Linear(" in text
                assert not implemented, (
                    f"{path.name}: a markdown cell copies a model class; show inspect.getsource instead")
                assert not re.search(r"^\s*def (random_rotations|random_permutations)\(", text, flags=re.M), (
                    f"{path.name}: a markdown cell copies an augmentation routine; show inspect.getsource instead")
