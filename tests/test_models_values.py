"""dlexam.models: exact input-error messages naming each model, the work limit, and forward values against references."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlexam import models


@pytest.mark.parametrize("particles, error, message", [
    ([1.0], TypeError, "PairSum expects particles as a torch tensor, got list"),
    (torch.zeros(2, 3, 3, dtype=torch.int64), TypeError,
     "PairSum expects floating-point coordinates as particles, got torch.int64; use particles.float()"),
    (torch.zeros(4, 60), ValueError,
     "PairSum expects shape (B, m, 3): a batch of m particles in 3D, got (4, 60) (the particles)"),
    (torch.zeros(2, 3, 3, dtype=torch.float64), TypeError,
     "PairSum's weights are torch.float32 but particles are torch.float64: convert them with "
     "particles.to(torch.float32) or the model with model.to(torch.float64)"),
])
def test_pair_sum_names_itself_in_its_input_errors(particles, error, message):
    """Each wrong input to PairSum (type, dtype, shape, precision) raises the exact message naming PairSum."""
    with pytest.raises(error) as info:
        models.PairSum()(particles)
    assert str(info.value) == message


@pytest.mark.parametrize("distances, error, message", [
    ([1.0], TypeError, "Psi expects distances as a torch tensor, got list"),
    (torch.zeros(2, 1, dtype=torch.int64), TypeError, "Psi expects floating-point distances, got torch.int64"),
    (torch.zeros(2, 2), ValueError, "Psi expects distances of shape (..., 1), got (2, 2)"),
    (torch.zeros(2, 1, dtype=torch.float64), TypeError,
     "Psi's weights are torch.float32 but distances are torch.float64: convert them with "
     "distances.to(torch.float32) or the model with model.to(torch.float64)"),
])
def test_psi_names_itself_in_its_input_errors(distances, error, message):
    """Each wrong input to Psi (type, dtype, shape, precision) raises the exact message naming Psi."""
    with pytest.raises(error) as info:
        models.Psi()(distances)
    assert str(info.value) == message


# --- Exact messages of Phi, Rho, MLP, DeepSets and pair_distances ------------------------------


@pytest.mark.parametrize("module, x, error, message", [
    (models.Phi, [1.0], TypeError, "Phi expects particles as a torch tensor, got list"),
    (models.Phi, torch.zeros(2, 3, dtype=torch.int64), TypeError,
     "Phi expects floating-point particles, got torch.int64"),
    (models.Phi, torch.zeros(2, 4), ValueError, "Phi expects particles of shape (..., 3), got (2, 4)"),
    (models.Phi, torch.tensor(3.0), ValueError, "Phi expects particles of shape (..., 3), got ()"),
    (models.Phi, torch.zeros(2, 3, dtype=torch.float64), TypeError,
     "Phi's weights are torch.float32 but particles are torch.float64: convert them with "
     "particles.to(torch.float32) or the model with model.to(torch.float64)"),
    (models.Rho, (1.0,), TypeError, "Rho expects pooled as a torch tensor, got tuple"),
    (models.Rho, torch.zeros(2, 63), ValueError, "Rho expects pooled of shape (..., 64), got (2, 63)"),
    (models.Rho, torch.tensor(64.0), ValueError, "Rho expects pooled of shape (..., 64), got ()"),
    (models.Rho, torch.zeros(64, dtype=torch.float64), TypeError,
     "Rho's weights are torch.float32 but pooled are torch.float64: convert them with "
     "pooled.to(torch.float32) or the model with model.to(torch.float64)"),
    (models.Psi, torch.tensor(1.0), ValueError, "Psi expects distances of shape (..., 1), got ()"),
])
def test_phi_rho_psi_name_themselves_in_their_input_errors(module, x, error, message):
    """Each wrong input to Phi, Rho or Psi (type, dtype, width, 0-d, precision) raises the exact message."""
    with pytest.raises(error) as info:
        module()(x)
    assert str(info.value) == message


@pytest.mark.parametrize("call, error, message", [
    (lambda: models.MLP()(torch.zeros(4, 59)), ValueError,
     "MLP expects shape (B, 20, 3) or (B, 60), got (4, 59) (the inputs)"),
    (lambda: models.MLP()(torch.zeros(2, 60, dtype=torch.float64)), TypeError,
     "MLP's weights are torch.float32 but inputs are torch.float64: convert them with "
     "inputs.to(torch.float32) or the model with model.to(torch.float64)"),
    (lambda: models.DeepSets()(torch.zeros(4, 60)), ValueError,
     "DeepSets expects shape (B, m, 3): a batch of m particles in 3D, got (4, 60) (the particles)"),
    (lambda: models.DeepSets()(torch.zeros(2, 5, 3, dtype=torch.float64)), TypeError,
     "DeepSets's weights are torch.float32 but particles are torch.float64: convert them with "
     "particles.to(torch.float32) or the model with model.to(torch.float64)"),
    (lambda: models.pair_distances(torch.zeros(4, 60)), ValueError,
     "pair_distances expects shape (B, m, 3): a batch of m particles in 3D, got (4, 60) (the particles)"),
    (lambda: models.pair_distances(torch.zeros(2, 5, 3, dtype=torch.int32)), TypeError,
     "pair_distances expects floating-point coordinates as particles, got torch.int32; use particles.float()"),
])
def test_mlp_deepsets_pair_distances_name_themselves_in_their_input_errors(call, error, message):
    """MLP, DeepSets (not its inner Phi) and pair_distances raise the exact message naming themselves."""
    with pytest.raises(error) as info:
        call()
    assert str(info.value) == message


def test_pair_distances_work_limit_is_batch_times_particles_squared_times_two():
    """B * m**2 * 2 == 50,000,000 pair coordinates passes; one configuration more is refused, exactly."""
    at_limit = torch.empty(10_000, 50, 3, device="meta")  # 10,000 * 50**2 * 2 = 5e7, no memory used
    assert models.pair_distances(at_limit).shape == (10_000, 1225)
    with pytest.raises(ValueError) as info:
        models.pair_distances(torch.empty(10_001, 50, 3, device="meta"))
    assert str(info.value) == ("particles would need 50,005,000 pair coordinates, more than the limit of "
                               "50,000,000: use smaller values")


# --- Values against independent references -----------------------------------------------------


def _brute_force_pair_distances(x):
    """A double loop over the pairs i < j, in row-major order, with NumPy."""
    x = np.asarray(x, dtype=np.float64)
    return np.array([[np.sqrt(np.sum((conf[i] - conf[j]) ** 2))
                      for i in range(len(conf)) for j in range(i + 1, len(conf))] for conf in x])


def test_pair_distances_of_a_hand_configuration():
    """Three particles on a 3-4-5 right triangle: the distances of (0, 1), (0, 2), (1, 2) in that order."""
    x = torch.tensor([[[0.0, 0.0, 0.0], [3.0, 0.0, 0.0], [0.0, 4.0, 0.0]]])
    assert models.pair_distances(x).tolist() == [[3.0, 4.0, 5.0]]


@pytest.mark.parametrize("shape", [(3, 5, 3), (1, 2, 3), (2, 1, 3), (0, 4, 3)])
def test_pair_distances_match_a_brute_force_double_loop(shape):
    """pair_distances equals the NumPy double loop over i < j, same order, for several shapes."""
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    got = models.pair_distances(x)
    expected = _brute_force_pair_distances(x.numpy()).reshape(shape[0], shape[1] * (shape[1] - 1) // 2)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-12, atol=0)


def test_pair_distances_put_their_indices_on_the_particles_device():
    """With another default device (meta), CPU particles still give their true distances."""
    x = torch.tensor([[[0.0, 0.0, 0.0], [3.0, 0.0, 0.0], [0.0, 4.0, 0.0]]])
    with torch.device("meta"):
        got = models.pair_distances(x)
    assert got.device.type == "cpu"
    assert got.tolist() == [[3.0, 4.0, 5.0]]


def _linears(module):
    return [layer for layer in module.modules() if isinstance(layer, torch.nn.Linear)]


def _chain(x, linears, elu_after_last):
    """F.linear through each layer with the module's own weights, ELU after each (but the last)."""
    for k, layer in enumerate(linears):
        x = F.linear(x, layer.weight, layer.bias)
        if k < len(linears) - 1 or elu_after_last:
            x = F.elu(x)
    return x


def _seeded(module, seed=0):
    return models.init_parameters(module, torch.Generator().manual_seed(seed)).double()


@pytest.mark.parametrize("shape", [(3,), (4, 3), (2, 5, 3)])
def test_phi_is_four_linear_elu_layers(shape):
    """Phi (3 -> 64 -> 64 -> 64 -> 64, ELU after each) on 1-D, 2-D and 3-D inputs."""
    phi = _seeded(models.Phi())
    assert [tuple(layer.weight.shape) for layer in _linears(phi)] == [(64, 3), (64, 64), (64, 64), (64, 64)]
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    with torch.no_grad():
        torch.testing.assert_close(phi(x), _chain(x, _linears(phi), True), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape, out", [((64,), ()), ((4, 64), (4,)), ((2, 3, 64), (2, 3))])
def test_rho_is_two_elu_layers_and_a_linear_read_out(shape, out):
    """Rho (64 -> 64 -> 32 -> 1, ELU between) drops only the last axis of size 1."""
    rho = _seeded(models.Rho())
    assert [tuple(layer.weight.shape) for layer in _linears(rho)] == [(64, 64), (32, 64), (1, 32)]
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    with torch.no_grad():
        got = rho(x)
        assert got.shape == out
        torch.testing.assert_close(got, _chain(x, _linears(rho), False)[..., 0], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape", [(1,), (5, 1), (2, 3, 1)])
def test_psi_is_two_elu_layers_and_a_linear_read_out(shape):
    """Psi (1 -> 16 -> 16 -> 1) has an ELU after each hidden layer, on 1-D to 3-D inputs."""
    psi = _seeded(models.Psi())
    assert [tuple(layer.weight.shape) for layer in _linears(psi)] == [(16, 1), (16, 16), (1, 16)]
    x = 3 * torch.randn(*shape, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    with torch.no_grad():
        torch.testing.assert_close(psi(x), _chain(x, _linears(psi), False), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape", [(3, 20, 3), (3, 60)])
def test_mlp_is_its_linear_elu_chain_on_the_flat_coordinates(shape):
    """MLP output (B,) equals the hand composition of its five layers on the (B, 60) coordinates."""
    mlp = _seeded(models.MLP())
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(5), dtype=torch.float64)
    with torch.no_grad():
        got = mlp(x)
        assert got.shape == (3,)
        torch.testing.assert_close(got, _chain(x.reshape(3, 60), _linears(mlp), False)[:, 0],
                                   rtol=1e-12, atol=1e-12)


def test_deepsets_is_rho_of_the_summed_phi_by_hand():
    """DeepSets output equals the hand composition rho(sum over particles of phi(x_i))."""
    model = _seeded(models.DeepSets())
    x = torch.randn(2, 7, 3, generator=torch.Generator().manual_seed(6), dtype=torch.float64)
    with torch.no_grad():
        pooled = _chain(x, _linears(model.phi), True).sum(dim=1)
        torch.testing.assert_close(model(x), _chain(pooled, _linears(model.rho), False)[:, 0],
                                   rtol=1e-12, atol=1e-12)


# --- make_model and init_parameters: generators and type errors ----------------------------------------

@pytest.mark.parametrize("call, message", [
    (lambda: models.init_parameters(5, torch.Generator()), "model must be an nn.Module, got int"),
    (lambda: models.init_parameters(models.MLP(), 0), "generator must be a torch.Generator, got int"),
    (lambda: models.make_model("mlp", 5), "generator must be a torch.Generator or None, got int"),
    (lambda: models.make_model("mlp", np.random.default_rng(0)),
     "generator must be a torch.Generator or None, got Generator"),
])
def test_make_model_and_init_parameters_name_the_type_they_got(call, message):
    """A model or generator of the wrong type raises TypeError naming the type it got."""
    with pytest.raises(TypeError) as info:
        call()
    assert str(info.value) == message


@pytest.mark.parametrize("name, cls", [("mlp", models.MLP), ("deepsets", models.DeepSets)])
def test_make_model_without_a_generator_draws_from_the_global_state(name, cls):
    """make_model(name) (no generator) is the plain constructor, drawing from the global random state."""
    torch.manual_seed(4)
    model = models.make_model(name)
    torch.manual_seed(4)
    reference = cls()
    assert type(model) is cls
    for p, q in zip(model.parameters(), reference.parameters(), strict=True):
        assert torch.equal(p, q)


def test_make_model_with_a_generator_forks_only_the_cpu_random_state(monkeypatch):
    """A seeded make_model saves and restores the CPU random state only, never touching an accelerator's."""
    def refuse(*args, **kwargs):
        raise AssertionError("make_model touched the CUDA random state")

    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setattr(torch.cuda, "get_rng_state", refuse)
    monkeypatch.setattr(torch.cuda, "set_rng_state", refuse)
    monkeypatch.setattr(torch.accelerator, "current_accelerator", lambda *args, **kwargs: None)
    before = torch.get_rng_state()
    model = models.make_model("mlp", torch.Generator().manual_seed(0))
    assert isinstance(model, models.MLP) and torch.equal(torch.get_rng_state(), before)
