"""Backpropagation by hand for the network of exam question IV, one SGD step, and what it keeps in memory.

The network: ``L`` dense tanh blocks, ``z_0 = x`` and ``z_l = tanh(z_{l-1} W_l^T + b_l)`` for
``l = 1..L`` (rows are examples, as in PyTorch: ``W_l`` has shape ``(d_l, d_{l-1})`` like an
``nn.Linear`` weight). The loss of one example is ``l(z_L) = ||z_L - y||^2 / 2`` and a batch of
``B`` examples is scored by their average, ``(1/B) sum_{i=1..B} l(z_L^(i))``.

Backpropagation by hand (``backward``) keeps the activations ``z_0 .. z_L`` of the forward
pass and walks back through the blocks: with ``delta_l`` the gradient of the averaged loss
with respect to ``z_l``, ``g_l = delta_l * (1 - z_l^2)`` is the gradient at the pre-activation,
and ``dW_l = g_l^T z_{l-1}`` adds up the batch's B contributions inside one matrix product.

NaN: the forward pass and the losses are arithmetic like any PyTorch layer and pass NaN
inputs through; parameters (``StackParams``) must be finite, and the measurements, fits and
checks refuse NaN. Sizes have ceilings: tensors this module allocates hold at most
``validate.MAX_ELEMENTS`` numbers, stacks built as modules at most ``MAX_LAYERS`` blocks.
"""

from dataclasses import dataclass
import math
import numbers

import torch
from torch import nn
import torch.nn.functional as F

from . import memory, validate
from .checks import CheckResult
from ._threads import torch_threads

__all__ = [
    "StackParams",
    "Gradients",
    "exam_widths",
    "init_params",
    "make_regression_data",
    "sample_batch",
    "forward",
    "example_losses",
    "batch_loss",
    "dataset_loss",
    "backward",
    "autograd_gradients",
    "per_example_gradients",
    "sgd_update",
    "average_batch_gradient",
    "full_gradient",
    "relative_error",
    "SUBSTEPS",
    "SGDStep",
    "sgd_step",
    "HeldTensor",
    "held_in_memory",
    "GradientMemory",
    "gradient_memory",
    "ACTIVATIONS",
    "dense_stack",
    "StackMemory",
    "stack_saved_bytes",
    "saved_bytes_grid",
    "fit_activation_bytes",
    "fit_saved_bytes",
    "growth_exponents",
    "exam_prediction_bytes",
    "OPTIMIZERS",
    "MemoryBudget",
    "memory_budget",
    "BlockExercise",
    "block_exercise",
    "check_weight_gradient",
    "check_per_example_bytes",
    "check_summed_loss_learning_rate",
    "check_saved_activation_bytes",
    "check_crossover_batch",
]


# Checks shared by the functions below


MAX_LAYERS = 1000  # blocks of a stack built as nn.Modules


def _check_int(value, name, minimum=1, maximum=None):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a whole number, got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum:,}, got {value:,}")
    return int(value)


def _check_dtype(dtype, name="dtype"):
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(f"{name} must be a floating torch dtype such as torch.float32, got {dtype!r}")
    return dtype


def _check_params(params):
    if not isinstance(params, StackParams):
        raise TypeError(f"params must be a StackParams, not {type(params).__name__}")
    return params


def _check_same_dtype(params, x, name):
    if x.dtype != params.weights[0].dtype:
        raise TypeError(f"{name} is {x.dtype} but the parameters are {params.weights[0].dtype}: "
                        f"convert {name} with .to({params.weights[0].dtype})")


def _check_positive_float(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    return validate.real(value, name, above=0.0)


def _check_generator(generator):
    if not isinstance(generator, torch.Generator):
        raise TypeError(
            "generator must be a torch.Generator, such as torch.Generator().manual_seed(0), "
            f"not {type(generator).__name__}"
        )
    return generator


def _check_tensor(value, name, ndim):
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, not {type(value).__name__}")
    if value.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {tuple(value.shape)}")
    if not value.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got {value.dtype}")
    return value


# The network and its parameters


@dataclass(frozen=True)
class StackParams:
    """Weights W_l of shape (d_l, d_{l-1}) and biases b_l of shape (d_l,), for l = 1..L."""

    weights: tuple
    biases: tuple

    def __post_init__(self):
        for name in ("weights", "biases"):
            value = getattr(self, name)
            if isinstance(value, (str, bytes, torch.Tensor)) or not hasattr(value, "__iter__"):
                raise TypeError(f"{name} must be a tuple of tensors, one per block, got {type(value).__name__}")
        weights, biases = tuple(self.weights), tuple(self.biases)
        if len(weights) == 0 or len(weights) != len(biases):
            raise ValueError(
                f"weights and biases must be two equally long, non-empty lists, got {len(weights)} and {len(biases)}"
            )
        for l, (W, b) in enumerate(zip(weights, biases), start=1):
            _check_tensor(W, f"weights[{l - 1}] (W_{l})", 2)
            _check_tensor(b, f"biases[{l - 1}] (b_{l})", 1)
            for name, t in ((f"weights[{l - 1}] (W_{l})", W), (f"biases[{l - 1}] (b_{l})", b)):
                validate.tensor(t, name)
                if t.dtype != weights[0].dtype:
                    raise TypeError(f"{name} is {t.dtype} but weights[0] is {weights[0].dtype}: one dtype throughout")
            if b.shape[0] != W.shape[0]:
                raise ValueError(f"b_{l} has {b.shape[0]} entries but W_{l} has {W.shape[0]} rows")
            if l > 1 and W.shape[1] != weights[l - 2].shape[0]:
                raise ValueError(
                    f"W_{l} takes {W.shape[1]} inputs but block {l - 1} outputs {weights[l - 2].shape[0]}"
                )
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "biases", biases)

    @property
    def layers(self):
        return len(self.weights)

    @property
    def widths(self):
        """[d_0, d_1, ..., d_L]."""
        return [self.weights[0].shape[1], *(W.shape[0] for W in self.weights)]

    @property
    def nbytes(self):
        return sum(t.nelement() * t.element_size() for t in (*self.weights, *self.biases))

    def numel(self):
        return sum(t.nelement() for t in (*self.weights, *self.biases))


@dataclass(frozen=True)
class Gradients:
    """Gradients of the loss with respect to every W_l and b_l (a leading batch axis for per-example ones)."""

    weights: tuple
    biases: tuple

    @property
    def nbytes(self):
        """Bytes of all gradient tensors together: what holding them costs."""
        return sum(t.nelement() * t.element_size() for t in (*self.weights, *self.biases))

    def max_abs_difference(self, other):
        """Largest |self - other| over all entries of all gradients."""
        if not isinstance(other, Gradients):
            raise TypeError(f"other must be a Gradients, not {type(other).__name__}")
        pairs = list(zip(self.weights, other.weights)) + list(zip(self.biases, other.biases))
        if len(pairs) != 2 * len(self.weights) or any(a.shape != b.shape for a, b in pairs):
            raise ValueError("the two Gradients belong to networks of different shapes")
        return max(float((a - b).abs().max()) for a, b in pairs)

    def norms(self):
        """[||dW_1||, ..., ||dW_L||]: the Frobenius norm of every weight gradient, as floats."""
        return [float(torch.linalg.norm(W)) for W in self.weights]

    def mean_over_examples(self):
        """Per-example gradients (leading axis B) -> their average over the batch."""
        return Gradients(tuple(W.mean(0) for W in self.weights), tuple(b.mean(0) for b in self.biases))


def exam_widths(layers, width):
    """L, d -> [d] * (L + 1): the exam's network, where the input and every activation have dimension d."""
    return [_check_int(width, "width d", 1, validate.MAX_SIZE)] * (_check_int(layers, "layers L", 1, MAX_LAYERS) + 1)


def _check_widths(widths):
    if isinstance(widths, (str, bytes)) or not hasattr(widths, "__iter__"):
        raise TypeError(f"widths must be a list of layer sizes [d_0, ..., d_L], got {widths!r}")
    widths = list(widths)
    if len(widths) < 2:
        raise ValueError(f"widths needs at least two sizes (input and output of one block), got {widths!r}")
    if len(widths) > MAX_LAYERS + 1:
        raise ValueError(f"widths may list at most {MAX_LAYERS + 1} sizes, got {len(widths):,}")
    widths = [_check_int(w, f"widths[{i}]", 1, validate.MAX_SIZE) for i, w in enumerate(widths)]
    validate.work(sum(a * b for a, b in zip(widths[:-1], widths[1:])), "widths", validate.MAX_ELEMENTS, "weights")
    return widths


def init_params(widths, generator, dtype=torch.float64):
    """[d_0, ..., d_L] -> StackParams: W_l ~ N(0, 1/d_{l-1}) (LeCun normal), b_l ~ N(0, 0.1^2)."""
    widths = _check_widths(widths)
    _check_generator(generator)
    _check_dtype(dtype)
    weights, biases = [], []
    for d_in, d_out in zip(widths[:-1], widths[1:]):
        weights.append(torch.randn(d_out, d_in, generator=generator, dtype=dtype) / math.sqrt(d_in))
        biases.append(0.1 * torch.randn(d_out, generator=generator, dtype=dtype))
    return StackParams(tuple(weights), tuple(biases))


def make_regression_data(n, widths, generator, dtype=torch.float64):
    """n, [d_0, ..., d_L] -> X (n, d_0) standard normal, Y (n, d_L) = a random teacher network's output.

    The teacher is a dense tanh stack of the same widths, so the student network can fit it.
    """
    n = _check_int(n, "n (number of examples)", 1, validate.MAX_SIZE)
    widths = _check_widths(widths)
    validate.work(n * (widths[0] + widths[-1]), "n and widths", validate.MAX_ELEMENTS, "numbers")
    teacher = init_params(widths, generator, dtype)
    X = torch.randn(n, widths[0], generator=generator, dtype=dtype)  # (n, d_0)
    with torch.no_grad():
        Y = forward(teacher, 2.0 * X)[-1]  # (n, d_L); the factor 2 makes the map less linear
    return X, Y


def sample_batch(n, batch_size, generator):
    """(B,) indices drawn i.i.d. and uniformly from 0..n-1 (with replacement), as the exam's x^(1..B) ~ p_data."""
    n = _check_int(n, "n (number of examples)", 1, 2**62)
    batch_size = _check_int(batch_size, "batch_size", 1, validate.MAX_SIZE)
    _check_generator(generator)
    return torch.randint(n, (batch_size,), generator=generator)


def forward(params, x):
    """(B, d_0) -> tuple (z_0, z_1, ..., z_L), each (B, d_l): the forward pass, keeping every activation."""
    if not isinstance(params, StackParams):
        raise TypeError(f"params must be a StackParams, not {type(params).__name__}")
    _check_tensor(x, "x", 2)
    if x.shape[1] != params.widths[0]:
        raise ValueError(f"x has {x.shape[1]} features per example but W_1 expects {params.widths[0]}")
    _check_same_dtype(params, x, "x")
    activations = [x]
    for W, b in zip(params.weights, params.biases):
        activations.append(torch.tanh(F.linear(activations[-1], W, b)))  # (B, d_l)
    return tuple(activations)


def _check_targets(z, y, z_name="z_L", y_name="y"):
    _check_tensor(y, y_name, 2)
    if y.shape != z.shape:
        raise ValueError(f"{y_name} must have the shape of {z_name} (the network output) {tuple(z.shape)}, "
                         f"got {tuple(y.shape)}")
    if y.dtype != z.dtype:
        raise TypeError(f"{y_name} is {y.dtype} but {z_name} (the network output) is {z.dtype}: "
                        f"convert {y_name} with .to({z.dtype})")


def _check_data(params, X, Y, x_name="X", y_name="Y", nonempty=True):
    """X (n, d_0) and Y (n, d_L) that fit the network, in its dtype, with n >= 1 when nonempty."""
    _check_params(params)
    _check_tensor(X, x_name, 2)
    _check_tensor(Y, y_name, 2)
    if X.shape[0] != Y.shape[0]:
        raise ValueError(f"{x_name} and {y_name} must hold the same number of examples, "
                         f"got {X.shape[0]} and {Y.shape[0]}")
    if nonempty and X.shape[0] < 1:
        raise ValueError(f"{x_name} and {y_name} must hold at least one example, got none")
    if X.shape[1] != params.widths[0]:
        raise ValueError(f"{x_name} has {X.shape[1]} features per example but W_1 expects {params.widths[0]}")
    if Y.shape[1] != params.widths[-1]:
        raise ValueError(f"{y_name} has {Y.shape[1]} targets per example but the network outputs {params.widths[-1]}")
    _check_same_dtype(params, X, x_name)
    _check_same_dtype(params, Y, y_name)


def example_losses(z_L, y):
    """(B, d_L), (B, d_L) -> (B,): l(z_L^(i)) = ||z_L^(i) - y^(i)||^2 / 2 for every example."""
    _check_tensor(z_L, "z_L", 2)
    _check_targets(z_L, y)
    return 0.5 * ((z_L - y) ** 2).sum(dim=1)


def batch_loss(z_L, y):
    """(B, d_L), (B, d_L) -> scalar: the averaged loss (1/B) sum_{i=1..B} l(z_L^(i))."""
    return example_losses(z_L, y).mean()


def dataset_loss(params, X, Y):
    """The averaged loss over a whole data set (n, d_0), (n, d_L) -> float, without building a graph."""
    _check_data(params, X, Y)
    with torch.no_grad(), torch_threads():
        return float(batch_loss(forward(params, X)[-1], Y))


def backward(params, activations, y):
    """Backpropagation by hand: activations (z_0..z_L) of ``forward``, targets (B, d_L) -> Gradients.

    The gradient is that of the averaged loss ``batch_loss``. Each weight gradient is one matrix
    product over the batch, dW_l = g_l^T z_{l-1}; no per-example gradient is ever formed.
    """
    if not isinstance(params, StackParams):
        raise TypeError(f"params must be a StackParams, not {type(params).__name__}")
    if isinstance(activations, (str, bytes, torch.Tensor)) or not hasattr(activations, "__iter__"):
        raise TypeError(f"activations must be the tuple (z_0, ..., z_L) that forward returns, "
                        f"got {type(activations).__name__}")
    activations = tuple(activations)
    if len(activations) != params.layers + 1:
        raise ValueError(
            f"activations must hold z_0 .. z_L, {params.layers + 1} tensors for {params.layers} blocks; "
            f"got {len(activations)}"
        )
    for l, (z, width) in enumerate(zip(activations, params.widths)):
        _check_tensor(z, f"activations[{l}]", 2)
        if z.shape != (activations[0].shape[0], width):
            raise ValueError(f"activations[{l}] (z_{l}) must have shape ({activations[0].shape[0]}, {width}), "
                             f"got {tuple(z.shape)}")
        _check_same_dtype(params, z, f"activations[{l}]")
    z_L = activations[-1]
    _check_targets(z_L, y, "activations[-1]")
    B = z_L.shape[0]
    if B < 1:
        raise ValueError("activations hold no example: backpropagation needs a batch of at least one")
    delta = (z_L - y) / B  # (B, d_L): d(averaged loss) / d z_L
    grad_W, grad_b = [None] * params.layers, [None] * params.layers
    for l in range(params.layers, 0, -1):
        z, z_prev, W = activations[l], activations[l - 1], params.weights[l - 1]
        g = delta * (1 - z**2)  # (B, d_l): through tanh, tanh'(a) = 1 - tanh(a)^2 = 1 - z^2
        grad_W[l - 1] = g.T @ z_prev  # (d_l, d_{l-1}): sum over the batch inside one product
        grad_b[l - 1] = g.sum(dim=0)  # (d_l,)
        delta = g @ W  # (B, d_{l-1}): d(averaged loss) / d z_{l-1}
    return Gradients(tuple(grad_W), tuple(grad_b))


def autograd_gradients(params, x, y):
    """The same gradients as ``backward``, computed by PyTorch's autograd: the reference."""
    _check_data(params, x, y, "x", "y")
    leaves = [t.detach().requires_grad_(True) for t in (*params.weights, *params.biases)]
    copy = StackParams(tuple(leaves[: params.layers]), tuple(leaves[params.layers :]))
    loss = batch_loss(forward(copy, x)[-1], y)
    grads = torch.autograd.grad(loss, leaves)
    return Gradients(tuple(grads[: params.layers]), tuple(grads[params.layers :]))


def _one_example_loss(weights, biases, x, y):
    z = x
    for W, b in zip(weights, biases):
        z = torch.tanh(F.linear(z, W, b))
    return 0.5 * ((z - y) ** 2).sum()


def per_example_gradients(params, x, y):
    """Gradients of every example's own loss, with a leading batch axis: W_l -> (B, d_l, d_{l-1}).

    ``torch.func.vmap(torch.func.grad(...))``: B gradients materialised side by side. Their
    mean equals the gradient of the averaged loss.
    """
    _check_data(params, x, y, "x", "y")
    per_example = torch.func.vmap(torch.func.grad(_one_example_loss, argnums=(0, 1)), in_dims=(None, None, 0, 0))
    grad_W, grad_b = per_example(params.weights, params.biases, x, y)
    return Gradients(tuple(grad_W), tuple(grad_b))


def sgd_update(params, gradients, lr):
    """theta_new = theta_old - lr * gradient, for every W_l and b_l: a new StackParams."""
    _check_params(params)
    if not isinstance(gradients, Gradients):
        raise TypeError(f"gradients must be a Gradients, not {type(gradients).__name__}")
    lr = _check_positive_float(lr, "lr (learning rate)")
    if [g.shape for g in gradients.weights] != [W.shape for W in params.weights] \
            or [g.shape for g in gradients.biases] != [b.shape for b in params.biases]:
        raise ValueError("gradients must have the parameters' shapes (per-example gradients: average them first)")
    return StackParams(
        tuple(W - lr * gW for W, gW in zip(params.weights, gradients.weights)),
        tuple(b - lr * gb for b, gb in zip(params.biases, gradients.biases)),
    )


def average_batch_gradient(params, X, Y, batch_size, batches, generator):
    """The mean of ``batches`` independent batch gradients (each of ``batch_size`` i.i.d. examples) -> Gradients.

    Each batch gradient is an unbiased estimate of the gradient on all of (X, Y): their mean
    approaches it as ``batches`` grows.
    """
    _check_data(params, X, Y)
    batches = _check_int(batches, "batches")
    batch_size = _check_int(batch_size, "batch_size", 1, validate.MAX_SIZE)
    _check_generator(generator)
    validate.work(batches * batch_size * sum(params.widths), "batches and batch_size", validate.MAX_ELEMENTS,
                  "activations to compute")
    total_W = [torch.zeros_like(W) for W in params.weights]
    total_b = [torch.zeros_like(b) for b in params.biases]
    with torch_threads():
        for _ in range(batches):
            idx = sample_batch(X.shape[0], batch_size, generator)
            grads = backward(params, forward(params, X[idx]), Y[idx])
            for acc, g in zip(total_W + total_b, grads.weights + grads.biases):
                acc += g
    return Gradients(tuple(W / batches for W in total_W), tuple(b / batches for b in total_b))


def full_gradient(params, X, Y):
    """The gradient of the averaged loss over the whole data set (X, Y): what SGD estimates."""
    _check_data(params, X, Y)
    with torch_threads():
        return backward(params, forward(params, X), Y)


def relative_error(estimate, reference):
    """||estimate - reference|| / ||reference|| over all weight and bias gradients together."""
    if not isinstance(estimate, Gradients) or not isinstance(reference, Gradients):
        raise TypeError("estimate and reference must both be Gradients")
    mine, theirs = estimate.weights + estimate.biases, reference.weights + reference.biases
    if len(mine) != len(theirs) or any(a.shape != b.shape for a, b in zip(mine, theirs)):
        raise ValueError("estimate and reference must be gradients of the same network (the same shapes)")
    pairs = list(zip(mine, theirs))
    num = sum(float(((a - b) ** 2).sum()) for a, b in pairs)
    den = sum(float((b**2).sum()) for _, b in pairs)
    if not (math.isfinite(num) and math.isfinite(den)):
        raise ValueError("estimate and reference must hold finite numbers")
    if den == 0:
        raise ValueError("reference is the zero gradient: a relative error needs a non-zero reference")
    return math.sqrt(num / den)


# One SGD step, sub-step by sub-step

SUBSTEPS = (
    "sample a batch",
    "forward pass, keeping the activations",
    "average the loss",
    "backpropagate",
    "update the parameters",
)


@dataclass(frozen=True)
class SGDStep:
    """Everything one SGD step computes, in the order of ``SUBSTEPS``."""

    params: StackParams  # theta_old
    indices: torch.Tensor  # (B,) which examples were sampled
    x: torch.Tensor  # (B, d_0)
    y: torch.Tensor  # (B, d_L)
    activations: tuple  # z_0 .. z_L, each (B, d_l)
    losses: torch.Tensor  # (B,) per-example losses
    loss: float  # their average
    gradients: Gradients  # of the averaged loss, at theta_old
    new_params: StackParams  # theta_new
    lr: float

    @property
    def update_norm(self):
        """||theta_new - theta_old|| over all weights and biases: lr times the gradient's norm."""
        pairs = zip((*self.new_params.weights, *self.new_params.biases), (*self.params.weights, *self.params.biases))
        return math.sqrt(sum(float(((a - b) ** 2).sum()) for a, b in pairs))


def sgd_step(params, X, Y, batch_size, lr, generator):
    """One SGD step on the data set (X, Y): sample, forward, average the loss, backpropagate, update."""
    _check_data(params, X, Y)
    lr = _check_positive_float(lr, "lr (learning rate)")
    indices = sample_batch(X.shape[0], batch_size, generator)  # 1. x^(1..B) i.i.d.
    x, y = X[indices], Y[indices]
    with torch_threads():
        activations = forward(params, x)  # 2. keep z_0 .. z_L for the backward pass
        losses = example_losses(activations[-1], y)  # 3. (1/B) sum_{i=1..B} l(z_L^(i))
        gradients = backward(params, activations, y)  # 4. gradient of that average at theta_old
        new_params = sgd_update(params, gradients, lr)  # 5. theta_new = theta_old - lr * gradient
    return SGDStep(params, indices, x, y, activations, losses, float(losses.mean()), gradients, new_params, lr)


@dataclass(frozen=True)
class HeldTensor:
    """A quantity held in memory after a sub-step: its name, its shapes (such as "3 × (8, 8)") and bytes."""

    name: str
    shapes: str
    bytes: int


def _describe_shapes(tensors):
    groups = []  # [shape, count], consecutive equal shapes grouped
    for t in tensors:
        shape = tuple(t.shape)
        if groups and groups[-1][0] == shape:
            groups[-1][1] += 1
        else:
            groups.append([shape, 1])
    return " + ".join(f"{n} × {shape}" if n > 1 else f"{shape}" for shape, n in groups)


def _held(name, tensors):
    tensors = list(tensors)
    return HeldTensor(name, _describe_shapes(tensors), sum(t.nelement() * t.element_size() for t in tensors))


def held_in_memory(step, substep):
    """list of HeldTensor: what an SGD step holds once sub-step ``substep`` (1..5) is done.

    Parameters throughout; the batch until backpropagation has used it; the activations from
    the forward pass until backpropagation has consumed them; the gradients until the update.
    """
    if not isinstance(step, SGDStep):
        raise TypeError(f"step must be an SGDStep, not {type(step).__name__}")
    substep = _check_int(substep, "substep")
    if substep > len(SUBSTEPS):
        raise ValueError(f"substep must be between 1 and {len(SUBSTEPS)}, got {substep}")
    L = step.params.layers
    if substep == 5:
        return [_held("θ_new: W_l, b_l", (*step.new_params.weights, *step.new_params.biases))]
    rows = [_held("θ_old: W_l, b_l", (*step.params.weights, *step.params.biases)),
            _held("batch x, y", (step.x, step.y))]
    if substep in (2, 3):
        rows.append(_held(f"activations z_1..z_{L}", step.activations[1:]))
    if substep == 3:
        rows.append(_held("losses l(z_L^(i)), their mean", (step.losses, step.losses.mean())))
    if substep == 4:
        rows.append(_held("gradients dW_l, db_l", (*step.gradients.weights, *step.gradients.biases)))
    return rows


# Per-example gradients against ordinary backpropagation: what is materialised


@dataclass(frozen=True)
class GradientMemory:
    """Bytes materialised for the gradient of one batch, measured on real tensors."""

    layers: int
    batch_size: int
    width: int
    per_example_bytes: int  # B per-example gradients from vmap(grad)
    batched_bytes: int  # the one gradient of ordinary backpropagation
    activation_bytes: int  # what autograd keeps for backward, parameters excluded
    max_abs_difference: float  # between the mean of the per-example gradients and the batch gradient

    @property
    def ratio(self):
        return self.per_example_bytes / self.batched_bytes


def gradient_memory(layers, batch_size, width, generator, dtype=torch.float32):
    """L, B, d -> GradientMemory: per-example gradients against backpropagation's one gradient, in bytes."""
    widths = exam_widths(layers, width)
    batch_size = _check_int(batch_size, "batch_size", 1, validate.MAX_SIZE)
    validate.work(batch_size * layers * (width * width + width), "layers, batch_size and width",
                  validate.MAX_ELEMENTS, "numbers in the per-example gradients")
    params = init_params(widths, generator, dtype)
    x = torch.randn(batch_size, widths[0], generator=generator, dtype=dtype)
    y = torch.randn(batch_size, widths[-1], generator=generator, dtype=dtype).clamp(-0.9, 0.9)
    leaves = [t.detach().requires_grad_(True) for t in (*params.weights, *params.biases)]
    copy = StackParams(tuple(leaves[:layers]), tuple(leaves[layers:]))
    with torch_threads():
        per_example = per_example_gradients(params, x, y)
        saved = memory.saved_tensors(lambda: batch_loss(forward(copy, x)[-1], y), exclude=leaves)
        grads = torch.autograd.grad(saved.result, leaves)
    batched = Gradients(tuple(grads[:layers]), tuple(grads[layers:]))
    difference = per_example.mean_over_examples().max_abs_difference(batched)
    return GradientMemory(layers, batch_size, width, per_example.nbytes, batched.nbytes, saved.bytes, difference)


# What autograd saves for a stack of dense blocks

ACTIVATIONS = {"tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "relu": nn.ReLU, "gelu": nn.GELU, "silu": nn.SiLU}


def _check_activation(activation):
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}; got {validate.got(activation)}")
    return activation


def dense_stack(layers, width, activation="tanh", device="cpu", dtype=torch.float32):
    """L, d -> nn.Sequential of L dense blocks (nn.Linear(d, d), then the element-wise activation).

    On ``device="meta"`` no memory is allocated and no random numbers are drawn: shapes only.
    """
    layers, width = _check_int(layers, "layers L", 1, MAX_LAYERS), _check_int(width, "width d", 1, validate.MAX_SIZE)
    _check_activation(activation)
    _check_dtype(dtype)
    if not (device in ("cpu", "meta") or isinstance(device, torch.device) and device.type in ("cpu", "meta")):
        raise ValueError(f"device must be 'cpu' or 'meta', got {device!r}")
    if torch.device(device).type != "meta":
        validate.work(layers * (width * width + width), "layers and width", validate.MAX_ELEMENTS, "parameters")
    blocks = []
    for _ in range(layers):
        blocks += [nn.Linear(width, width, device=device, dtype=dtype), ACTIVATIONS[activation]()]
    return nn.Sequential(*blocks)


@dataclass(frozen=True)
class StackMemory:
    """Saved bytes of one forward pass through a dense stack, split into activations and parameters."""

    layers: int
    batch_size: int
    width: int
    activation: str
    activation_bytes: int  # storages the forward pass created: inputs and activations
    parameter_bytes: int  # storages of saved weights: views of the parameters, no new memory
    tensors: int  # how many tensors autograd packed (shared storages counted each time)
    itemsize: int = 4  # bytes per number

    @property
    def total_bytes(self):
        """What ``memory.saved_bytes(model, x)`` reports: both parts."""
        return self.activation_bytes + self.parameter_bytes


def stack_saved_bytes(layers, batch_size, width, activation="tanh", dtype=torch.float32, device="meta"):
    """L, B, d -> StackMemory: what autograd saves in the forward pass of ``dense_stack`` on a (B, d) batch.

    Measured with ``memory.saved_tensors``, on the meta device by default (the same bookkeeping
    as on the CPU, without computing anything). The input does not require grad, as in training.
    """
    batch_size = _check_int(batch_size, "batch_size B", 1, validate.MAX_SIZE)
    model = dense_stack(layers, width, activation, device=device, dtype=dtype)
    if torch.device(device).type != "meta":
        validate.work(batch_size * width * (layers + 1), "layers, batch_size and width", validate.MAX_ELEMENTS,
                      "activations")
    x = torch.zeros(batch_size, width, device=device, dtype=dtype)  # (B, d)
    saved = memory.saved_tensors(model, x, exclude=model.parameters())
    return StackMemory(layers, batch_size, width, activation, saved.bytes, saved.excluded_bytes, saved.tensors,
                       x.element_size())


def _check_sizes(values, name):
    if isinstance(values, numbers.Integral):
        values = [values]
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{name} must be a list of whole numbers, got {values!r}")
    values = list(values)
    if not values:
        raise ValueError(f"{name} must not be empty")
    return [_check_int(v, f"{name}[{i}]") for i, v in enumerate(values)]


def saved_bytes_grid(layers, batch_sizes, widths, activation="tanh", dtype=torch.float32):
    """Lists of L, B, d -> list of StackMemory, one per combination (measured on the meta device)."""
    layers = _check_sizes(layers, "layers")
    batch_sizes = _check_sizes(batch_sizes, "batch_sizes")
    widths = _check_sizes(widths, "widths")
    _check_activation(activation)
    _check_dtype(dtype)
    validate.work(len(layers) * len(batch_sizes) * len(widths), "layers, batch_sizes and widths", 10_000,
                  "combinations")
    for L in layers:
        _check_int(L, "layers", 1, MAX_LAYERS)
    return [stack_saved_bytes(L, B, d, activation, dtype) for L in layers for B in batch_sizes for d in widths]


def _check_measurements(measurements):
    if isinstance(measurements, (str, bytes)) or not hasattr(measurements, "__iter__"):
        raise TypeError("measurements must be a non-empty list of StackMemory (see saved_bytes_grid)")
    measurements = list(measurements)
    if not measurements or not all(isinstance(m, StackMemory) for m in measurements):
        raise TypeError("measurements must be a non-empty list of StackMemory (see saved_bytes_grid)")
    return measurements


def fit_activation_bytes(measurements):
    """Least squares of the activation bytes on L*B*d and B*d: the constant in O(LBd), and the input's share."""
    ms = _check_measurements(measurements)
    features = [[m.layers * m.batch_size * m.width, m.batch_size * m.width] for m in ms]
    return memory.fit_linear(features, [m.activation_bytes for m in ms], ("L*B*d", "B*d"))


def fit_saved_bytes(measurements):
    """Least squares of all saved bytes (weights included) on L*B*d, B*d, L*d^2 and d^2."""
    ms = _check_measurements(measurements)
    features = [[m.layers * m.batch_size * m.width, m.batch_size * m.width, m.layers * m.width**2, m.width**2]
                for m in ms]
    return memory.fit_linear(features, [m.total_bytes for m in ms], ("L*B*d", "B*d", "L*d^2", "d^2"))


def growth_exponents(measurements, quantity="activation_bytes"):
    """{"L": PowerLaw, "B": ..., "d": ...}: log-log fits along each variable, the other two at their largest values."""
    ms = _check_measurements(measurements)
    if not isinstance(quantity, str) or quantity not in ("activation_bytes", "total_bytes"):
        raise ValueError(f"quantity must be 'activation_bytes' or 'total_bytes', got {quantity!r}")
    top = {"L": max(m.layers for m in ms), "B": max(m.batch_size for m in ms), "d": max(m.width for m in ms)}
    fits = {}
    for var in ("L", "B", "d"):
        line = [m for m in ms
                if all(getattr(m, attr) == top[other] for other, attr in
                       (("L", "layers"), ("B", "batch_size"), ("d", "width")) if other != var)]
        attr = {"L": "layers", "B": "batch_size", "d": "width"}[var]
        try:
            fits[var] = memory.fit_power_law([getattr(m, attr) for m in line], [getattr(m, quantity) for m in line])
        except ValueError as err:
            raise ValueError(f"measurements cannot give the growth along {var}: {err}") from None
    return fits


def exam_prediction_bytes(layers, batch_size, width, dtype=torch.float32):
    """The official answer read literally: L activations z_1..z_L of B x d numbers each, in bytes."""
    itemsize = torch.empty((), dtype=_check_dtype(dtype)).element_size()
    L, B = _check_int(layers, "layers L"), _check_int(batch_size, "batch_size B")
    return L * B * _check_int(width, "width d") * itemsize


# A memory budget for one training step

OPTIMIZERS = {
    "SGD": lambda p: torch.optim.SGD(p, lr=0.1),
    "SGD with momentum": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
    "Adam": lambda p: torch.optim.Adam(p, lr=1e-3),
}


@dataclass(frozen=True)
class MemoryBudget:
    """Bytes of one training step of a dense stack, measured part by part."""

    layers: int
    batch_size: int
    width: int
    optimizer: str
    activations: int  # saved for backward by the forward pass (input included, parameters excluded)
    parameters: int
    gradients: int
    optimizer_state: int

    @property
    def total(self):
        return self.activations + self.parameters + self.gradients + self.optimizer_state


def memory_budget(layers, batch_size, width, optimizer="Adam", activation="tanh", dtype=torch.float32):
    """L, B, d -> MemoryBudget: one real step (forward, loss, backward, optimizer step) on the meta device.

    Every part is measured on the tensors PyTorch creates: the saved activations with
    ``memory.saved_tensors``, the parameters, their ``.grad`` and the optimizer's state.
    """
    if not isinstance(optimizer, str) or optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}; got {optimizer!r}")
    batch_size = _check_int(batch_size, "batch_size B", 1, validate.MAX_SIZE)
    model = dense_stack(layers, width, activation, device="meta", dtype=dtype)
    x = torch.zeros(batch_size, width, device="meta", dtype=dtype)
    y = torch.zeros(batch_size, width, device="meta", dtype=dtype)
    opt = OPTIMIZERS[optimizer](model.parameters())
    saved = memory.saved_tensors(model, x, exclude=model.parameters())
    batch_loss(saved.result, y).backward()
    opt.step()
    parameters = sum(p.nbytes for p in model.parameters())
    gradients = sum(p.grad.nbytes for p in model.parameters())
    state = sum(v.nbytes for s in opt.state.values() for v in s.values() if isinstance(v, torch.Tensor))
    return MemoryBudget(layers, batch_size, width, optimizer, saved.bytes, parameters, gradients, state)


# Exercises


@dataclass(frozen=True)
class BlockExercise:
    """One dense tanh block z = tanh(z_prev W^T + b) and the gradient delta = dLoss/dz arriving from above."""

    z_prev: torch.Tensor  # (B, d_in)
    W: torch.Tensor  # (d_out, d_in)
    b: torch.Tensor  # (d_out,)
    z: torch.Tensor  # (B, d_out)
    delta: torch.Tensor  # (B, d_out)


def block_exercise(generator, batch_size=5, d_in=4, d_out=3):
    """A small block with random inputs, weights and upstream gradient, in float64."""
    _check_generator(generator)
    B, d_in, d_out = (_check_int(v, name, 1, 10_000) for v, name in ((batch_size, "batch_size"), (d_in, "d_in"),
                                                                    (d_out, "d_out")))
    z_prev = torch.randn(B, d_in, generator=generator, dtype=torch.float64)
    W = torch.randn(d_out, d_in, generator=generator, dtype=torch.float64) / math.sqrt(d_in)
    b = 0.1 * torch.randn(d_out, generator=generator, dtype=torch.float64)
    delta = torch.randn(B, d_out, generator=generator, dtype=torch.float64)
    return BlockExercise(z_prev, W, b, torch.tanh(F.linear(z_prev, W, b)), delta)


def check_weight_gradient(answer, case):
    """Say whether ``answer`` is dLoss/dW for the block of ``case`` (a BlockExercise), compared with autograd."""
    if not isinstance(case, BlockExercise):
        raise TypeError(f"case must be a BlockExercise (see block_exercise), not {type(case).__name__}")
    W = case.W.detach().clone().requires_grad_(True)
    z = torch.tanh(F.linear(case.z_prev, W, case.b))
    (expected,) = torch.autograd.grad(z, W, grad_outputs=case.delta)
    if not isinstance(answer, torch.Tensor):
        return CheckResult(False, f"Not yet: the answer must be a tensor of W's shape {tuple(W.shape)}.")
    if answer.shape != expected.shape:
        hint = " (transposed? dW = g^T z_prev has W's shape)" if answer.shape == expected.T.shape else ""
        return CheckResult(False, f"Not yet: dW must have W's shape {tuple(W.shape)}, got {tuple(answer.shape)}{hint}.")
    answer = answer.to(expected.dtype)
    if torch.allclose(answer, expected, rtol=1e-10, atol=1e-12):
        return CheckResult(True, "Right: dW = (delta * (1 - z**2)).T @ z_prev, the batch summed inside one product.")
    slips = {
        "the tanh derivative is missing: multiply delta by 1 - z**2 first": case.delta.T @ case.z_prev,
        "tanh'(a) is 1 - tanh(a)**2 = 1 - z**2, not 1 - z": (case.delta * (1 - case.z)).T @ case.z_prev,
        "that is the average over the batch; the loss above already holds the 1/B, so sum": (
            (case.delta * (1 - case.z**2)).T @ case.z_prev / case.z.shape[0]),
    }
    for hint, value in slips.items():
        if torch.allclose(answer, value, rtol=1e-10, atol=1e-12):
            return CheckResult(False, f"Not yet: {hint}.")
    error = float((answer - expected).abs().max())
    return CheckResult(False, f"Not yet: the largest difference from autograd's dW is {error:.3g}.")


def _check_answer_number(answer):
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real) or not math.isfinite(answer):
        return None
    return answer


def check_per_example_bytes(answer, layers, batch_size, width, itemsize=4):
    """Say whether ``answer`` is the bytes of B per-example gradients of an L-block, width-d network."""
    L, B, d = _check_int(layers, "layers L"), _check_int(batch_size, "batch_size B"), _check_int(width, "width d")
    itemsize = _check_int(itemsize, "itemsize")
    answer = _check_answer_number(answer)
    if answer is None:
        return CheckResult(False, "Not yet: the answer must be a number of bytes.")
    right = B * L * (d * d + d) * itemsize
    if answer == right:
        return CheckResult(True, f"Right: B·L·(d² + d)·{itemsize} = {right:,} bytes "
                                 f"({memory.format_bytes(right)}).")
    slips = {
        B * L * d * d * itemsize: "the biases are missing: each block has d² weights and d biases",
        L * (d * d + d) * itemsize: "that is one gradient; per-example gradients are B of them",
        B * L * (d * d + d): "that counts numbers, not bytes: multiply by the bytes per number",
        B * L * d * itemsize: "that is the size of the activations; a weight gradient has d² entries",
    }
    hint = slips.get(answer, "too high" if answer > right else "too low")
    return CheckResult(False, f"Not yet: {answer:,} bytes: {hint}.")


def check_summed_loss_learning_rate(answer, batch_size):
    """Say whether ``answer`` is the factor on the learning rate that makes a step on the summed loss
    equal a step on the averaged loss."""
    B = _check_int(batch_size, "batch_size")
    answer = _check_answer_number(answer)
    if answer is None:
        return CheckResult(False, "Not yet: the answer must be a number (a factor such as 0.5).")
    if math.isclose(answer, 1 / B, rel_tol=1e-9):
        return CheckResult(True, f"Right: the sum's gradient is B = {B} times the average's, "
                                 "so the rate shrinks by 1/B.")
    if math.isclose(answer, B, rel_tol=1e-9):
        return CheckResult(False, "Not yet: the summed loss already has the larger gradient; the rate must shrink.")
    if math.isclose(answer, 1, rel_tol=1e-9):
        return CheckResult(False, "Not yet: the two losses have different gradients: compare sum and (1/B) sum.")
    return CheckResult(False, f"Not yet: {answer:g} is not it; how do the gradients of sum and average differ?")


def check_saved_activation_bytes(answer, layers, batch_size, width, activation="tanh"):
    """Say whether ``answer`` is the activation bytes autograd saves for the float32 dense stack (measured)."""
    measured = stack_saved_bytes(layers, batch_size, width, activation)
    answer = _check_answer_number(answer)
    if answer is None:
        return CheckResult(False, "Not yet: the answer must be a number of bytes.")
    right = measured.activation_bytes
    L, B, d = measured.layers, measured.batch_size, measured.width
    if answer == right:
        return CheckResult(True, f"Right: autograd saves {right:,} bytes of activations "
                                 f"({memory.format_bytes(right)}).")
    slips = {
        L * B * d * 4: "z_1..z_L alone: the input x is saved too (the first layer needs it for dW_1)",
        (L + 1) * B * d: "that counts numbers, not bytes (float32: 4 bytes each)",
        2 * L * B * d * 4: "two tensors per block are saved, but check which of them share storage",
        (L + 1) * B * d * 4 + L * d * d * 4: "the saved weights are views of the parameters, not new memory",
    }
    hint = slips.get(answer, "too high" if answer > right else "too low")
    return CheckResult(False, f"Not yet: {answer:,} bytes: {hint}.")


def check_crossover_batch(answer, layers, width):
    """Say whether ``answer`` is the smallest batch size at which the saved activations (float32, tanh)
    exceed the parameters plus their gradients."""
    L, d = _check_int(layers, "layers L", 1, MAX_LAYERS), _check_int(width, "width d", 1, validate.MAX_SIZE)
    right = 2 * L * (d + 1) // (L + 1) + 1  # smallest B with (L + 1) B d > 2 L (d^2 + d)
    if right > validate.MAX_SIZE:
        raise ValueError(f"layers L = {L} and width d = {d:,} put the crossover at B = {right:,}, past the largest "
                         f"batch size measured ({validate.MAX_SIZE:,}); choose a smaller width d")
    answer = _check_answer_number(answer)
    if answer is None or answer != int(answer):
        return CheckResult(False, "Not yet: a batch size is a whole number.")
    answer = int(answer)
    if answer < 1:
        return CheckResult(False, "Not yet: a batch size is at least 1.")

    def activations_win(B):
        budget = memory_budget(L, B, d, optimizer="SGD")
        return budget.activations > budget.parameters + budget.gradients

    while right > 1 and activations_win(right - 1):  # guard the formula with the measurement
        right -= 1
    while not activations_win(right):
        right += 1
    if answer == right:
        return CheckResult(True, f"Right: from B = {right} on, the activations outweigh parameters and gradients.")
    # the activations grow with B and the parameters do not: they win exactly from `right` on
    return CheckResult(False, f"Not yet: at B = {answer} the activations "
                              f"{'already outweigh' if answer > right else 'are still below'} "
                              "parameters + gradients; look for the smallest B where they exceed them.")
