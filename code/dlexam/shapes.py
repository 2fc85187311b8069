"""A batch traced through a network: every layer's output shape, parameters and multiply-adds.

The trace records what the model really does (forward hooks on its layers), so the tables
in the book cannot drift from the code: the flattening of the MLP, the per-particle layers
and the sum of DeepSets, the final squeeze, each appear where ``forward`` performs them.

NaN: tracing runs the model as it is, so NaN coordinates pass through it as through any
PyTorch model; the check refuses an answer that is not a finite whole number.
"""

from dataclasses import dataclass
import math

import torch
from torch import nn

from . import models, params, validate
from .checks import CheckResult


@dataclass(frozen=True)
class ShapeStep:
    """One step of a forward pass: what it does, the shape it returns, its parameters."""

    name: str  # where it lives in the model, e.g. "phi.layers.0", or "forward" for tensor operations
    operation: str  # e.g. "Linear(3 → 64)", "ELU", "reshape to (B, 60)", "sum over the particles"
    shape: tuple  # output shape
    parameters: int  # trainable parameters of this step (0 for operations without weights)
    multiply_adds: int  # multiply-adds of this step for the whole batch (Linear layers only)


def _describe(module):
    if isinstance(module, nn.Linear):
        return f"Linear({module.in_features} → {module.out_features})"
    return type(module).__name__


def _between(previous, current, pooling="pool"):
    """Describe the tensor operation in forward() that turned shape `previous` into `current`."""
    previous, current = tuple(previous), tuple(current)
    if len(current) == len(previous) - 1 and previous[-1] == 1 and previous[:-1] == current:
        return "squeeze(-1): one number per configuration"
    if len(previous) >= 3 and len(current) == len(previous) - 1 and previous[:1] + previous[2:] == current:
        return f"{pooling} over the {previous[1]} particles (axis 1)"
    # a flatten keeps the batch axis and merges the others into one axis of numbers per configuration
    if len(previous) > len(current) == 2 and previous[0] == current[0] and math.prod(previous[1:]) == current[1]:
        return f"reshape: flatten each configuration to {current[-1]} numbers"
    return f"{tuple(previous)} → {tuple(current)}"


def shape_trace(model, X):
    """Run ``model`` on X (no gradients) and list every step as a ShapeStep, input first.

    Leaf modules (Linear, ELU, ...) are recorded by forward hooks; whatever ``forward`` does
    between them (reshape, pooling, squeeze) is inferred from the shapes and listed as a step
    named "forward". Raises the model's own ValueError for an input it does not accept.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not isinstance(X, torch.Tensor):
        raise TypeError(f"X must be a torch tensor, got {type(X).__name__}")
    calls = []
    names = {module: name for name, module in model.named_modules()}

    def record(module, inputs, output):
        calls.append((module, tuple(inputs[0].shape), tuple(output.shape)))

    leaves = [m for m in model.modules() if not list(m.children())]
    handles = [m.register_forward_hook(record) for m in leaves]
    try:
        with torch.no_grad():
            output = model(X)
    except (ValueError, TypeError) as err:
        raise type(err)(f"X does not suit the model: {err}") from None
    finally:
        for handle in handles:
            handle.remove()
    pooling = "sum" if isinstance(model, models.DeepSets) else "pool"
    steps = [ShapeStep("input", "a batch of configurations", tuple(X.shape), 0, 0)]
    for module, in_shape, out_shape in calls:
        if in_shape != steps[-1].shape:
            steps.append(ShapeStep("forward", _between(steps[-1].shape, in_shape, pooling), in_shape, 0, 0))
        n_params = sum(p.numel() for p in module.parameters(recurse=False))
        rows = torch.Size(in_shape[:-1]).numel()
        macs = rows * module.in_features * module.out_features if isinstance(module, nn.Linear) else 0
        steps.append(ShapeStep(names[module], _describe(module), out_shape, n_params, macs))
    if tuple(output.shape) != steps[-1].shape:
        steps.append(ShapeStep("forward", _between(steps[-1].shape, tuple(output.shape)), tuple(output.shape), 0, 0))
    return steps


def format_shape(shape, batch_size=None):
    """(32, 20, 3) -> "(B, 20, 3)" when batch_size is 32 (the first axis named B), else "(32, 20, 3)"."""
    if isinstance(shape, torch.Size):
        shape = tuple(shape)
    shape = tuple(validate.integers(shape, "shape", minimum=0, min_length=0))
    if batch_size is not None:
        batch_size = validate.integer(batch_size, "batch_size", 0)
    if batch_size is not None and shape and shape[0] == batch_size:
        return "(" + ", ".join(["B", *map(str, shape[1:])]) + (",)" if len(shape) == 1 else ")")
    return str(shape)


# The exam's official widths: III(A)'s MLP and III(D)'s phi and rho.
MLP_WIDTHS = (60, 128, 128, 64, 32, 1)
PHI_WIDTHS = (3, 64, 64, 64, 64)
RHO_WIDTHS = (64, 64, 32, 1)


def deepsets_mistakes():
    """[(description, count)]: the usual wrong parameter counts of the exam's DeepSets."""
    phi, rho = params.dense_parameter_count(PHI_WIDTHS), params.dense_parameter_count(RHO_WIDTHS)
    phi_biases, rho_biases = sum(PHI_WIDTHS[1:]), sum(RHO_WIDTHS[1:])
    return [
        (f"counts phi once per particle (20 × {phi:,}): phi is one network shared by all 20 particles",
         20 * phi + rho),
        (f"counts phi only and leaves out rho ({rho:,})", phi),
        (f"counts rho only and leaves out phi ({phi:,})", rho),
        (f"leaves out the {phi_biases + rho_biases:,} biases", phi + rho - phi_biases - rho_biases),
        (f"counts the MLP of III(A) ({params.dense_parameter_count(MLP_WIDTHS):,}) instead",
         params.dense_parameter_count(MLP_WIDTHS)),
    ]


def check_deepsets_parameter_count(answer):
    """Say whether ``answer`` is the number of trainable parameters of the exam's DeepSets, and why not."""
    if isinstance(answer, bool) or not isinstance(answer, (int, float)) or not math.isfinite(answer) \
            or answer != int(answer):
        raise TypeError(f"answer must be a whole number, got {answer!r}")
    answer = int(answer)
    right = params.count_parameters(models.DeepSets())
    if answer == right:
        return CheckResult(True, f"Right: {answer:,} parameters, phi's and rho's together.")
    for text, count in deepsets_mistakes():
        if answer == count:
            return CheckResult(False, f"Not yet: {answer:,} is the count that {text}.")
    direction = "too high" if answer > right else "too low"
    return CheckResult(False, f"Not yet: {answer:,} is {direction}. Add up (n_in + 1) × n_out over the "
                              "Linear layers of phi and of rho, each network counted once.")
