"""The networks of exam question III: an MLP on flattened coordinates, DeepSets, and PairSum.

The MLP (III(A)) has neither symmetry built in, DeepSets (III(C), III(D)) is invariant to
permutations by construction, and PairSum, the book's third line of comparison in III(E),
is invariant to both rotations and permutations by construction. All three map a batch of
configurations (B, 20, 3) to one prediction per configuration, shape (B,): the same shape as
the targets y, so ``torch.nn.functional.mse_loss(model(X), y)`` never silently broadcasts a
(B, 1) output against (B,) targets into a (B, B) matrix.

Inputs must be floating-point tensors of the models' dtype (float32 unless converted with
``model.double()``); an empty batch gives an empty output. NaN coordinates pass through, as
in any PyTorch layer: the output of that configuration is NaN.
"""

import torch
from torch import nn

from dlexam import validate
from dlexam.particles import DIM, N_PARTICLES


def _check_particles(inputs, model, allow_flat=False, name="particles", dtype=None):
    """Raise ValueError unless inputs is (B, m, 3), or (B, 20, 3) / (B, 60) for the MLP; TypeError for a wrong dtype."""
    if not isinstance(inputs, torch.Tensor):
        raise TypeError(f"{model} expects {name} as a torch tensor, got {type(inputs).__name__}")
    if not inputs.is_floating_point():
        raise TypeError(f"{model} expects floating-point coordinates as {name}, got {inputs.dtype}; "
                        f"use {name}.float()")
    shape = tuple(inputs.shape)
    if allow_flat:
        if shape[1:] not in ((N_PARTICLES, DIM), (N_PARTICLES * DIM,)):
            raise ValueError(f"{model} expects shape (B, 20, 3) or (B, 60), got {shape} (the {name})")
    elif inputs.ndim != 3 or shape[-1] != DIM:
        raise ValueError(f"{model} expects shape (B, m, 3): a batch of m particles in 3D, got {shape} (the {name})")
    if dtype is not None and inputs.dtype != dtype:
        raise TypeError(f"{model}'s weights are {dtype} but {name} are {inputs.dtype}: convert them with "
                        f"{name}.to({dtype}) or the model with model.to({inputs.dtype})")


def _weight_dtype(module):
    return next(module.parameters()).dtype


def _check_features(x, model, width, name, dtype):
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{model} expects {name} as a torch tensor, got {type(x).__name__}")
    if not x.is_floating_point():
        raise TypeError(f"{model} expects floating-point {name}, got {x.dtype}")
    if x.ndim < 1 or x.shape[-1] != width:
        raise ValueError(f"{model} expects {name} of shape (..., {width}), got {tuple(x.shape)}")
    if x.dtype != dtype:
        raise TypeError(f"{model}'s weights are {dtype} but {name} are {x.dtype}: convert them with "
                        f"{name}.to({dtype}) or the model with model.to({x.dtype})")


class MLP(nn.Module):
    """(B, 20, 3) or (B, 60) -> (B,): four hidden ELU layers on the flattened coordinates."""

    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(60, 128), nn.ELU(),
            nn.Linear(128, 128), nn.ELU(),
            nn.Linear(128, 64), nn.ELU(),
            nn.Linear(64, 32), nn.ELU(),
            nn.Linear(32, 1),
        )

    def forward(self, inputs):
        _check_particles(inputs, "MLP", allow_flat=True, name="inputs", dtype=_weight_dtype(self))
        # reshape, not view: a rotated or permuted batch need not be contiguous
        x = inputs.reshape(len(inputs), N_PARTICLES * DIM)  # (B, 60)
        return self.layers(x).squeeze(-1)  # (B,)


class Phi(nn.Module):
    """(B, m, 3) -> (B, m, 64): the per-particle network phi, one copy shared by all particles."""

    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(3, 64), nn.ELU(),
            nn.Linear(64, 64), nn.ELU(),
            nn.Linear(64, 64), nn.ELU(),
            nn.Linear(64, 64), nn.ELU(),
        )

    def forward(self, particles):
        _check_features(particles, "Phi", DIM, "particles", _weight_dtype(self))
        return self.layers(particles)  # nn.Linear acts on the last axis: (B, m, 64)


class Rho(nn.Module):
    """(B, 64) -> (B,): the network rho applied to the pooled features."""

    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(64, 64), nn.ELU(),
            nn.Linear(64, 32), nn.ELU(),
            nn.Linear(32, 1),
        )

    def forward(self, pooled):
        _check_features(pooled, "Rho", 64, "pooled", _weight_dtype(self))
        return self.layers(pooled).squeeze(-1)  # (B,)


class DeepSets(nn.Module):
    """(B, m, 3) -> (B,): F(X) = rho(sum_i phi(x_i)), invariant to the order of the particles."""

    def __init__(self):
        super().__init__()
        self.phi = Phi()
        self.rho = Rho()

    def forward(self, particles):
        _check_particles(particles, "DeepSets", dtype=_weight_dtype(self))
        features = self.phi(particles)  # (B, m, 64)
        pooled = features.sum(dim=1)  # (B, 64): a sum does not depend on the order
        return self.rho(pooled)  # (B,)


F = DeepSets  # the exam's name for the invariant network


def pair_distances(particles):
    """(B, m, 3) -> (B, m(m-1)/2): the distance |x_i - x_j| of every pair i < j."""
    _check_particles(particles, "pair_distances")
    validate.work(particles.shape[0] * particles.shape[1] ** 2 * 2, "particles", validate.MAX_ELEMENTS,
                  "pair coordinates")
    i, j = torch.triu_indices(particles.shape[1], particles.shape[1], offset=1, device=particles.device)
    return (particles[:, i] - particles[:, j]).norm(dim=-1)  # (B, pairs)


class Psi(nn.Module):
    """(..., 1) -> (..., 1): the pair network psi, a function of one distance."""

    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(1, 16), nn.ELU(),
            nn.Linear(16, 16), nn.ELU(),
            nn.Linear(16, 1),
        )

    def forward(self, distances):
        _check_features(distances, "Psi", 1, "distances", _weight_dtype(self))
        return self.layers(distances)


class PairSum(nn.Module):
    """(B, m, 3) -> (B,): sum over the pairs i < j of psi(|x_i - x_j|).

    Invariant to rotations (and reflections and translations), because it sees only
    distances, and to permutations, because a sum over all pairs does not depend on their
    order. Its function class contains the book's P exactly: psi(d) = exp(-d^2 / 2), up to
    the affine map of the standardised targets, which a sum over pairs absorbs into psi.
    """

    def __init__(self):
        super().__init__()
        self.psi = Psi()

    def forward(self, particles):
        _check_particles(particles, "PairSum", dtype=_weight_dtype(self))
        if particles.shape[1] < 2:
            raise ValueError(f"PairSum expects particles with at least 2 particles per configuration (a pair), "
                             f"got shape {tuple(particles.shape)}")
        distances = pair_distances(particles)  # (B, pairs)
        # The sum divided by the (fixed) number of pairs: the untrained output then starts at
        # the scale of the standardised targets instead of 190 times it.
        return self.psi(distances[..., None]).squeeze(-1).mean(dim=1)  # (B, pairs, 1) -> (B,)


MODELS = {"mlp": MLP, "deepsets": DeepSets, "pairsum": PairSum}
MODEL_NAMES = {"mlp": "MLP", "deepsets": "DeepSets", "pairsum": "PairSum"}  # as the pages write them


def init_parameters(model, generator):
    """Re-draw every nn.Linear's weight and bias from PyTorch's default U(-1/sqrt(fan_in), 1/sqrt(fan_in)).

    The same distribution nn.Linear uses, but drawn from an explicit torch.Generator, so a
    seeded model does not depend on (or change) the global random state.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be an nn.Module, got {type(model).__name__}")
    if not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator, got {type(generator).__name__}")
    with torch.no_grad():
        for layer in model.modules():
            if isinstance(layer, nn.Linear):
                bound = layer.in_features ** -0.5
                layer.weight.uniform_(-bound, bound, generator=generator)
                layer.bias.uniform_(-bound, bound, generator=generator)
    return model


def make_model(name, generator=None):
    """A fresh "mlp" or "deepsets" model; seeded through ``generator`` when one is given."""
    if not isinstance(name, str) or name not in MODELS:
        raise ValueError(f"model must be one of {sorted(MODELS)}, got {name!r}")
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {type(generator).__name__}")
    if generator is None:
        return MODELS[name]()
    # nn.Linear draws its initial weights from the global RNG: restore it afterwards.
    with torch.random.fork_rng(devices=[]):
        model = MODELS[name]()
    return init_parameters(model, generator)
