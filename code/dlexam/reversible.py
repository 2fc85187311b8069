"""Invertible residual blocks (exam IV(C) to IV(E)): additive coupling, its inverse, and a stack
whose backward pass recomputes activations from outputs instead of storing them.

An ``AdditiveCoupling`` block splits ``x = [x1, x2]`` and computes ``y1 = x1 + mu1(x2)``,
``y2 = x2 + mu2(y1)``. It is two residual steps, each of which changes one half by a function
of the other half, so each is undone by subtracting the same function: the inverse exists for
any ``mu1``, ``mu2``. A general residual block ``x + q(x)`` needs ``q`` to be a contraction
(``ContractiveResidual``, inverted by fixed-point iteration; Behrmann et al., 2019).

``ReversibleStack(blocks, mode)`` chains blocks. ``mode="store"`` lets autograd keep every
activation (O(L B d) memory); ``"checkpoint"`` keeps about sqrt(L) segment inputs and recomputes
segments (``torch.utils.checkpoint``); ``"reversible"`` keeps only the output and, in backward,
reconstructs each block's input from its output (Gomez et al., 2017): O(B d).

NaN: the blocks, stacks and ``tanh_residual`` compute like any PyTorch layer and pass NaN
through; the inversions (``fixed_point_inverse``), the measurements (round trips, gradients,
memory, times) and the checks refuse NaN and infinite inputs. Widths, depths, repeats and
threads have ceilings (``MAX_WIDTH``, ``MAX_DEPTH``, ...), so a typo cannot hang a page.
"""

from dataclasses import dataclass
import copy
import math
import numbers
import time

import numpy as np
import torch
from torch import nn
from torch.utils.checkpoint import checkpoint_sequential

from .checks import CheckResult
from . import memory, validate
from .validate import is_finite_number as _is_number
from ._threads import torch_threads

__all__ = [
    "MODES",
    "MODE_LABELS",
    "DTYPES",
    "tanh_mlp",
    "lipschitz_bound",
    "AdditiveCoupling",
    "coupling_blocks",
    "ContractiveResidual",
    "FixedPoint",
    "fixed_point_inverse",
    "tanh_residual",
    "tanh_residual_preimages",
    "ReversibleStack",
    "cast_blocks",
    "round_trip_error",
    "round_trip_errors",
    "mean_square_loss",
    "gradient_vector",
    "relative_gradient_error",
    "gradient_errors",
    "SavedMemory",
    "saved_memory",
    "step_time",
    "step_times",
    "StackConfig",
    "StackMeasurement",
    "StackLab",
    "RELATIVE_COST",
    "activation_memory",
    "check_inverse",
    "check_tanh_threshold",
    "check_iterations",
    "check_jacobian_determinant",
    "check_error_amplification",
    "check_activation_memory",
    "check_segments",
    "check_time_ratio",
]

MODES = ("store", "checkpoint", "reversible")
MODE_LABELS = {"store": "ordinary", "checkpoint": "checkpointed", "reversible": "reversible"}
DTYPES = {"float32": torch.float32, "float64": torch.float64}

# Forward passes per step, counting a backward pass as two forwards (its two matrix products per
# layer): storing 1 + 2; checkpointing recomputes each block once more; reversible blocks reconstruct
# their input while recomputing what backward needs ("fused", RevNet's algorithm), or invert and
# then recompute the forward separately ("recompute").
RELATIVE_COST = {"store": 3, "checkpoint": 4, "reversible": 4, "reversible-recompute": 5}


MAX_WIDTH = 4096  # of a block, its halves and its hidden layers
MAX_DEPTH = 4096  # blocks in one list or stack
MAX_REPEATS = 1000  # timed runs
MAX_THREADS = 1024
MAX_ITERATIONS = 10**6  # of a fixed-point iteration


def _check_int(value, name, minimum=1, maximum=None):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a whole number of at least {minimum}, got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum:,}, got {value:,}")
    return int(value)


def _check_real(value, name, positive=False):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) \
            or isinstance(value, float) and not math.isfinite(value):
        raise TypeError(f"{name} must be a finite number, got {value!r}")
    value = validate.real(value, name)
    if positive and value <= 0:
        raise ValueError(f"{name} must be positive, got {value}")
    return value


def _check_dtype(dtype, name="dtype"):
    """A torch floating dtype from 'float32' / 'float64' / torch.float32 / torch.float64 (None: torch's default)."""
    if dtype is None:
        default = torch.get_default_dtype()
        if default not in DTYPES.values():
            raise ValueError(f"{name}=None means torch's default dtype, {default}, which is not float32 or float64: "
                             f"pass {name}='float32' or 'float64'")
        return default
    if isinstance(dtype, str) and dtype in DTYPES:
        return DTYPES[dtype]
    if dtype in DTYPES.values():
        return dtype
    raise ValueError(f"{name} must be one of {', '.join(DTYPES)} (or torch.float32 / torch.float64), got {dtype!r}")


def _check_mode(mode):
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(map(repr, MODES))}, got {mode!r}")
    return mode


def _check_generator(generator):
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator (e.g. torch.Generator().manual_seed(0)) or None, "
                        f"got {type(generator).__name__}")
    return generator


def _check_batch(x, d, name="x", finite=False, dtype=None):
    """x must be a floating (B, d) tensor; with ``finite`` also non-empty with finite entries, with ``dtype`` of it."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of shape (B, {d}), got {type(x).__name__}")
    if not x.is_floating_point():
        raise TypeError(f"{name} must hold floating-point numbers, got {x.dtype}: convert it with .double() or .float()")
    if x.dim() != 2 or (d is not None and x.shape[1] != d):
        want = f"(B, {d})" if d is not None else "(B, d)"
        raise ValueError(f"{name} must have shape {want}, got {tuple(x.shape)}: one row per example"
                         + (f", {d} features" if d is not None else ""))
    if finite:
        validate.tensor(x, name, nonempty=True)
    if dtype is not None and x.dtype != dtype:
        raise TypeError(f"{name} is {x.dtype} but the blocks compute in {dtype}: convert {name} with .to({dtype})")
    return x


def _parameter_dtype(module_or_blocks):
    modules = module_or_blocks if isinstance(module_or_blocks, (list, tuple)) else [module_or_blocks]
    for module in modules:
        for p in module.parameters():
            return p.dtype
    return None


def _check_depths(depths, count):
    if isinstance(depths, (str, bytes)) or not hasattr(depths, "__iter__"):
        raise TypeError(f"depths must be a list of depths such as [1, 2, 4], got {type(depths).__name__}")
    depths = [_check_int(L, "depths", 1) for L in depths]
    if max(depths, default=0) > count:
        raise ValueError(f"depths go up to {max(depths)} but there are only {count} blocks")
    return depths


def tanh_mlp(d_in, d_out, hidden, generator=None, gain=1.0, dtype=None):
    """R^d_in -> R^d_out: Linear, tanh, Linear; weights N(0, gain^2 / fan_in), biases N(0, 0.01)."""
    d_in, d_out = _check_int(d_in, "d_in", 1, MAX_WIDTH), _check_int(d_out, "d_out", 1, MAX_WIDTH)
    hidden = _check_int(hidden, "hidden", 1, MAX_WIDTH)
    gain = _check_real(gain, "gain", positive=True)
    dtype = _check_dtype(dtype)
    _check_generator(generator)
    net = nn.Sequential(nn.Linear(d_in, hidden, dtype=dtype), nn.Tanh(), nn.Linear(hidden, d_out, dtype=dtype))
    with torch.no_grad():
        for layer in (net[0], net[2]):
            fan_in = layer.weight.shape[1]
            weight = torch.randn(layer.weight.shape, generator=generator, dtype=dtype)
            layer.weight.copy_(weight * gain / math.sqrt(fan_in))
            layer.bias.copy_(torch.randn(layer.bias.shape, generator=generator, dtype=dtype) * 0.1)
    return net


def lipschitz_bound(module):
    """An upper bound on the Lipschitz constant (2-norm) of Linear layers and tanh: the product of spectral norms."""
    if not isinstance(module, nn.Module):
        raise TypeError(f"module must be an nn.Module, got {type(module).__name__}")
    bound = 1.0
    for layer in module.modules():
        if isinstance(layer, nn.Linear):
            bound *= float(torch.linalg.matrix_norm(layer.weight.detach(), ord=2))
        elif not isinstance(layer, (nn.Sequential, nn.Tanh)):
            raise TypeError(f"module holds a {type(layer).__name__} layer: lipschitz_bound knows Linear and Tanh "
                            "layers only")
    return bound


class AdditiveCoupling(nn.Module):
    """(B, d1 + d2) -> (B, d1 + d2): y1 = x1 + mu1(x2), y2 = x2 + mu2(y1); ``inverse`` undoes it exactly.

    mu1: R^d2 -> R^d1 and mu2: R^d1 -> R^d2 are tanh MLPs with ``hidden`` units (``tanh_mlp``).
    The block is the residual step ``step1`` (z = x + [mu1(x2), 0]) followed by ``step2``
    (y = z + [0, mu2(z1)]). The weights are drawn from ``generator`` (torch's global generator
    if None: pass one for reproducible blocks) and scaled by ``gain``.
    """

    def __init__(self, d1, d2, hidden, generator=None, gain=1.0, dtype=None):
        super().__init__()
        self.d1, self.d2 = _check_int(d1, "d1", 1, MAX_WIDTH), _check_int(d2, "d2", 1, MAX_WIDTH)
        self.hidden = _check_int(hidden, "hidden", 1, MAX_WIDTH)
        self.mu1 = tanh_mlp(d2, d1, hidden, generator, gain, dtype)
        self.mu2 = tanh_mlp(d1, d2, hidden, generator, gain, dtype)

    @property
    def d(self):
        return self.d1 + self.d2

    def extra_repr(self):
        return f"d1={self.d1}, d2={self.d2}, hidden={self.hidden}"

    def split(self, x, name="x"):
        """(B, d1 + d2) -> (B, d1), (B, d2): the two halves (views, no copy)."""
        _check_batch(x, self.d, name)
        return x[:, : self.d1], x[:, self.d1:]

    def forward(self, x):
        x1, x2 = self.split(x)
        y1 = x1 + self.mu1(x2)  # (B, d1)
        y2 = x2 + self.mu2(y1)  # (B, d2)
        return torch.cat([y1, y2], dim=1)

    def inverse(self, y):
        """(B, d) -> (B, d): x2 = y2 - mu2(y1), then x1 = y1 - mu1(x2)."""
        y1, y2 = self.split(y, "y")
        x2 = y2 - self.mu2(y1)
        x1 = y1 - self.mu1(x2)
        return torch.cat([x1, x2], dim=1)

    def residual1(self, x):
        """(B, d) -> (B, d): q1(x) = [mu1(x2), 0], the residual of the first step."""
        _, x2 = self.split(x)
        return torch.cat([self.mu1(x2), torch.zeros_like(x2)], dim=1)

    def residual2(self, z):
        """(B, d) -> (B, d): q2(z) = [0, mu2(z1)], the residual of the second step."""
        z1, _ = self.split(z, "z")
        return torch.cat([torch.zeros_like(z1), self.mu2(z1)], dim=1)

    def step1(self, x):
        """(B, d) -> (B, d): z = x + [mu1(x2), 0]."""
        return x + self.residual1(x)

    def step2(self, z):
        """(B, d) -> (B, d): y = z + [0, mu2(z1)]."""
        return z + self.residual2(z)

    def reconstruct_and_backward(self, y, grad_y):
        """(B, d), (B, d) -> x, dL/dx, [dL/dp for p in parameters()]: invert and backpropagate in one pass.

        RevNet's algorithm (Gomez et al., 2017): the two MLP evaluations that reconstruct x
        from y are recorded by autograd and backpropagated at once, so the block is evaluated
        once more in total (not twice, as inverting and then recomputing the forward would).
        """
        y1, y2 = self.split(y.detach(), "y")
        gy1, gy2 = self.split(grad_y, "grad_y")
        x1, x2, gx1, gx2, pairs = self._backward_halves(y1, y2, gy1, gy2)
        return torch.cat([x1, x2], dim=1), torch.cat([gx1, gx2], dim=1), [g for _, g in pairs]

    def _backward_halves(self, y1, y2, gy1, gy2):
        """reconstruct_and_backward on halves: x1, x2, dL/dx1, dL/dx2, [(p, dL/dp) for p in parameters()]."""
        p1, p2 = list(self.mu1.parameters()), list(self.mu2.parameters())
        t1 = [p for p in p1 if p.requires_grad]
        t2 = [p for p in p2 if p.requires_grad]
        with torch.enable_grad():
            y1 = y1.detach().requires_grad_(True)
            m2 = self.mu2(y1)  # (B, d2)
            g2 = torch.autograd.grad(m2, [y1, *t2], gy2)
        x2 = y2.detach() - m2.detach()
        gx1 = gy1 + g2[0]  # y1 = x1 + mu1(x2), and y1 feeds mu2: dL/dx1 = dL/dy1 total
        with torch.enable_grad():
            x2 = x2.requires_grad_(True)
            m1 = self.mu1(x2)  # (B, d1)
            g1 = torch.autograd.grad(m1, [x2, *t1], gx1)
        x1 = y1.detach() - m1.detach()
        gx2 = gy2 + g1[0]
        grads = dict(zip(t1, g1[1:])) | dict(zip(t2, g2[1:]))
        return x1, x2.detach(), gx1, gx2, [(p, grads.get(p)) for p in p1 + p2]


def coupling_blocks(depth, d, hidden, generator, gain=1.0, dtype=None):
    """A list of ``depth`` AdditiveCoupling blocks of width d (d1 = d // 2), drawn from ``generator``."""
    depth, d = _check_int(depth, "depth", 1, MAX_DEPTH), _check_int(d, "d", 2, MAX_WIDTH)
    hidden = _check_int(hidden, "hidden", 1, MAX_WIDTH)
    validate.work(depth * 2 * d * hidden, "depth, d and hidden", validate.MAX_ELEMENTS, "weights")
    _check_generator(generator)
    return [AdditiveCoupling(d // 2, d - d // 2, hidden, generator, gain, dtype) for _ in range(depth)]


@dataclass(frozen=True)
class FixedPoint:
    """Result of fixed-point inversion: x, the residual max|x_k + q(x_k) - y| after each iteration, converged."""

    x: torch.Tensor
    residuals: np.ndarray
    converged: bool

    @property
    def iterations(self):
        return len(self.residuals)


def fixed_point_inverse(residual, y, max_iterations=100, tol=None):
    """Solve x + residual(x) = y by x_{k+1} = y - residual(x_k), from x_0 = y (i-ResNet's inverse).

    Converges whenever ``residual`` is a contraction (Lipschitz constant < 1), with the error
    shrinking at least by that factor per iteration (Banach's fixed-point theorem). Stops when
    max|x_k + residual(x_k) - y| <= tol (default: 8 machine epsilons times the largest of 1,
    max|y| and max|residual(x_k)|, the size of the terms).
    """
    if not callable(residual):
        raise TypeError(f"residual must be a function of x, got {type(residual).__name__}")
    if not isinstance(y, torch.Tensor) or not y.is_floating_point():
        raise TypeError(f"y must be a floating-point torch.Tensor, got {type(y).__name__}")
    validate.tensor(y, "y")
    max_iterations = _check_int(max_iterations, "max_iterations", 1, MAX_ITERATIONS)
    tol = None if tol is None else _check_real(tol, "tol", positive=True)
    eps = torch.finfo(y.dtype).eps
    x, residuals, converged = y.clone(), [], False
    with torch.no_grad():
        for _ in range(max_iterations):
            x = y - residual(x)
            qx = residual(x)
            residuals.append(float((x + qx - y).abs().max()) if x.numel() else 0.0)
            # Rounding leaves about eps times the size of the terms; the default asks for 8 times that.
            limit = tol if tol is not None else 8 * eps * max([1.0, *(float(t.abs().max()) for t in (y, qx) if t.numel())])
            if not math.isfinite(residuals[-1]):
                break
            if residuals[-1] <= limit:
                converged = True
                break
    return FixedPoint(x, np.array(residuals), converged)


class ContractiveResidual(nn.Module):
    """(B, d) -> (B, d): y = x + q(x), q a tanh MLP rescaled to Lipschitz constant ``lipschitz`` (an i-ResNet block).

    Each weight matrix is divided by its spectral norm and multiplied by sqrt(lipschitz), so
    Lip(q) <= lipschitz (tanh is 1-Lipschitz). With lipschitz < 1 the block is invertible and
    ``inverse`` finds x by fixed-point iteration; with lipschitz >= 1 neither is guaranteed.
    """

    def __init__(self, d, hidden, lipschitz=0.5, generator=None, dtype=None):
        super().__init__()
        self.d = _check_int(d, "d", 1, MAX_WIDTH)
        self.lipschitz = _check_real(lipschitz, "lipschitz", positive=True)
        self.q = tanh_mlp(d, d, hidden, generator, 1.0, dtype)
        with torch.no_grad():
            for layer in (self.q[0], self.q[2]):
                layer.weight.mul_(math.sqrt(self.lipschitz) / torch.linalg.matrix_norm(layer.weight, ord=2))

    def residual(self, x):
        """(B, d) -> (B, d): q(x)."""
        return self.q(_check_batch(x, self.d))

    def forward(self, x):
        return x + self.residual(x)

    def inverse(self, y, max_iterations=200, tol=None):
        """(B, d) -> (B, d): x with x + q(x) = y, by fixed-point iteration; raises if it does not converge."""
        _check_batch(y, self.d, "y")
        result = fixed_point_inverse(self.residual, y, max_iterations, tol)
        if not result.converged:
            raise ValueError(f"the fixed-point iteration did not converge in {max_iterations} iterations "
                             f"(residual {result.residuals[-1]:.1e}): it needs lipschitz < 1, this block has "
                             f"{self.lipschitz:g}; lower it or raise max_iterations")
        return result.x


def tanh_residual(x, c):
    """Elementwise f(x) = x + c tanh(x): a residual block with q(x) = c tanh(x), Lipschitz constant |c|."""
    c = _check_real(c, "c")
    if isinstance(x, torch.Tensor):
        validate.tensor(x, "x", finite=False)
        return x + c * torch.tanh(x)
    x = validate.elementwise(x, "x")
    return x + c * np.tanh(x)


def tanh_residual_preimages(y, c):
    """All real x with x + c tanh(x) = y, sorted (f is injective iff c >= -1).

    Every solution lies in [y - |c|, y + |c|] since |c tanh x| < |c|; the roots are bracketed
    on a fine grid there and refined by bisection. For c < -1 the grid also holds f's two turning
    points ±arccosh(sqrt(-c)), where f' = 1 + c sech^2 x vanishes: f is monotone between grid
    points, so each step holds at most one root and roots closer than a step are not missed.
    """
    y, c = _check_real(y, "y"), _check_real(c, "c")
    lo, hi = y - abs(c) - 1e-9, y + abs(c) + 1e-9
    grid = np.linspace(lo, hi, 4001)
    if c < -1:
        turn = float(np.arccosh(np.sqrt(-c)))
        grid = np.union1d(grid, [t for t in (-turn, turn) if lo < t < hi])
    g = tanh_residual(grid, c) - y
    roots = [float(t) for t, v in zip(grid, g) if v == 0]
    for a, b, ga, gb in zip(grid[:-1], grid[1:], g[:-1], g[1:]):
        if np.sign(ga) * np.sign(gb) < 0:  # signs, not products: no overflow for huge y or c
            for _ in range(80):
                m = 0.5 * (a + b)
                gm = tanh_residual(m, c) - y
                if gm == 0:
                    break
                a, b, ga = (m, b, gm) if np.sign(ga) == np.sign(gm) else (a, m, ga)
            roots.append(float(0.5 * (a + b)))
    return np.array(sorted(roots))


def _check_blocks(blocks):
    if isinstance(blocks, nn.Module) and not isinstance(blocks, (nn.ModuleList, nn.Sequential)):
        blocks = [blocks]
    try:
        blocks = list(blocks)
    except TypeError:
        raise TypeError(f"blocks must be a list of invertible nn.Modules, got {type(blocks).__name__}") from None
    if not blocks:
        raise ValueError("blocks is empty: give at least one invertible block, "
                         "e.g. coupling_blocks(4, d, hidden, generator)")
    for i, block in enumerate(blocks):
        if not isinstance(block, nn.Module) or not callable(getattr(block, "inverse", None)):
            raise TypeError(f"blocks[{i}] ({type(block).__name__}) is not invertible: every block must be an nn.Module "
                            "with an inverse(y) method, e.g. AdditiveCoupling")
    widths = {getattr(b, "d") for b in blocks if isinstance(getattr(b, "d", None), int)}
    if len(widths) > 1:
        raise ValueError(f"the blocks have different widths {sorted(widths)}: a stack needs one width d throughout")
    return blocks, (widths.pop() if widths else None)


def _block_backward(block, y, grad_y):
    """One block's share of the reversible backward, for any invertible block: invert, then recompute
    the forward with autograd and backpropagate. Returns its input, dL/dinput, [(p, dL/dp)]."""
    params = list(block.parameters())
    with torch.no_grad():
        x = block.inverse(y)
    trained = [p for p in params if p.requires_grad]
    with torch.enable_grad():
        x = x.detach().requires_grad_(True)
        grads = torch.autograd.grad(block(x), [x, *trained], grad_y, allow_unused=True)
    by_param = dict(zip(trained, grads[1:]))
    return x.detach(), grads[0], [(p, by_param.get(p)) for p in params]


class _Reversible(torch.autograd.Function):
    """Forward under no_grad keeping only the output; backward reconstructs inputs block by block from the top."""

    @staticmethod
    def forward(ctx, x, stack, *params):
        ctx.stack = stack
        y = x
        for block in stack.blocks:
            y = block(y)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_y):
        (y,) = ctx.saved_tensors
        stack = ctx.stack
        index = {id(p): i for i, p in enumerate(p for p in stack.parameters() if p.requires_grad)}
        grads = [None] * len(index)
        halves = None  # (y1, y2, gy1, gy2) between coupling blocks that split alike: no concatenation
        for block in reversed(stack.blocks):
            if stack.fused and isinstance(block, AdditiveCoupling):
                if halves is None or halves[0].shape[1] != block.d1:
                    if halves is not None:
                        y, grad_y = torch.cat(halves[:2], dim=1), torch.cat(halves[2:], dim=1)
                    halves = (*block.split(y.detach(), "y"), *block.split(grad_y, "grad_y"))
                *halves, pairs = block._backward_halves(*halves)
            else:
                if halves is not None:
                    y, grad_y, halves = torch.cat(halves[:2], dim=1), torch.cat(halves[2:], dim=1), None
                y, grad_y, pairs = _block_backward(block, y, grad_y)
            for p, g in pairs:
                i = index.get(id(p))
                if i is not None and g is not None:
                    grads[i] = g if grads[i] is None else grads[i] + g  # a block used twice
        if halves is not None:
            grad_y = torch.cat(halves[2:], dim=1)
        return (grad_y, None, *grads)


class ReversibleStack(nn.Module):
    """(B, d) -> (B, d): invertible blocks in a row; ``mode`` says what backward keeps.

    "store": the blocks run the ordinary way and autograd keeps their activations;
    "checkpoint": ``torch.utils.checkpoint`` with ``segments`` segments (default about sqrt(L))
    keeps the segment inputs and recomputes each segment in backward; "reversible": only the
    output is kept and backward reconstructs every block's input from its output. ``fused``
    (reversible only): coupling blocks reconstruct and backpropagate in one pass; with False,
    every block is inverted and then recomputed, as any block with an ``inverse`` can be.
    """

    def __init__(self, blocks, mode="reversible", segments=None, fused=True):
        super().__init__()
        blocks, self.d = _check_blocks(blocks)
        self.blocks = nn.ModuleList(blocks)
        self.mode = _check_mode(mode)
        if segments is None:
            segments = max(1, round(math.sqrt(len(blocks))))
        self.segments = _check_int(segments, "segments")
        if self.segments > len(blocks):
            raise ValueError(f"segments must be at most the number of blocks ({len(blocks)}), got {self.segments}")
        if not isinstance(fused, bool):
            raise TypeError(f"fused must be True or False, got {fused!r}")
        self.fused = fused

    def extra_repr(self):
        segments = f", segments={self.segments}" if self.mode == "checkpoint" else ""
        return f"mode={self.mode!r}, depth={len(self.blocks)}{segments}"

    def forward(self, x):
        _check_batch(x, self.d)
        params = [p for p in self.parameters() if p.requires_grad]
        needs_grad = torch.is_grad_enabled() and (x.requires_grad or bool(params))
        if self.mode == "checkpoint" and needs_grad:
            return checkpoint_sequential(list(self.blocks), self.segments, x, use_reentrant=False)
        if self.mode == "reversible" and needs_grad:
            return _Reversible.apply(x, self, *params)
        for block in self.blocks:  # "store", or nothing to differentiate
            x = block(x)
        return x

    def inverse(self, y):
        """(B, d) -> (B, d): the blocks' inverses from the top down."""
        _check_batch(y, self.d, "y")
        for block in reversed(self.blocks):
            y = block.inverse(y)
        return y


def _as_stack(blocks, mode="store"):
    if isinstance(blocks, ReversibleStack):
        return blocks
    return ReversibleStack(blocks, mode)


def round_trip_error(blocks, x):
    """max |x - f^-1(f(x))| for a block, a list of blocks or a stack, in x's dtype."""
    stack = _as_stack(blocks)
    _check_batch(x, stack.d, finite=True, dtype=_parameter_dtype(stack))
    with torch.no_grad():
        return float((x - stack.inverse(stack(x))).abs().max())


def round_trip_errors(blocks, x, depths):
    """max |x - f^-1(f(x))| for the first L blocks, for each L in depths -> (len(depths),) array.

    One pass up the deepest stack keeps each depth's output; each is then inverted down to x.
    """
    blocks, d = _check_blocks(blocks)
    _check_batch(x, d, finite=True, dtype=_parameter_dtype(blocks))
    depths = _check_depths(depths, len(blocks))
    outputs, y = {}, x
    with torch.no_grad(), torch_threads(1):
        for L, block in enumerate(blocks, start=1):
            y = block(y)
            outputs[L] = y
        errors = []
        for L in depths:
            z = outputs[L]
            for block in reversed(blocks[:L]):
                z = block.inverse(z)
            errors.append(float((x - z).abs().max()))
    return np.array(errors)


def mean_square_loss(y):
    """(B, d) -> scalar: the mean of y^2, the loss the gradient comparisons use."""
    validate.tensor(y, "y", finite=False, nonempty=True)
    return y.square().mean()


def gradient_vector(stack, x):
    """The gradient of mean_square_loss(stack(x)) with respect to x and every parameter, as one flat float64 vector."""
    if not isinstance(stack, nn.Module):
        raise TypeError(f"stack must be an nn.Module (e.g. a ReversibleStack), got {type(stack).__name__}")
    _check_batch(x, getattr(stack, "d", None), finite=True, dtype=_parameter_dtype(stack))
    x = x.detach().requires_grad_(True)
    params = [p for p in stack.parameters() if p.requires_grad]
    with torch.enable_grad():
        grads = torch.autograd.grad(mean_square_loss(stack(x)), [x, *params])
    return torch.cat([g.reshape(-1).double() for g in grads])


def _timed_gradient(stack, x, repeats):
    """gradient_vector(stack, x) and the median seconds it took over ``repeats`` runs."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        gradient = gradient_vector(stack, x)
        times.append(time.perf_counter() - start)
    return gradient, float(np.median(times))


def relative_gradient_error(candidate, reference):
    """||candidate - reference|| / ||reference|| of two flat gradient vectors."""
    candidate = validate.tensor(candidate, "candidate")
    reference = validate.tensor(reference, "reference")
    if candidate.shape != reference.shape:
        raise ValueError(f"candidate and reference have different shapes {tuple(candidate.shape)} and "
                         f"{tuple(reference.shape)}")
    norm = float(reference.double().norm())
    if norm == 0:
        raise ValueError("reference is the zero vector: a relative error needs a non-zero reference")
    return float((candidate.double() - reference.double()).norm()) / norm


def cast_blocks(blocks, dtype):
    """Copies of the blocks with every parameter converted to ``dtype`` (rounded, for float32)."""
    blocks, _ = _check_blocks(blocks)
    dtype = _check_dtype(dtype)
    return [copy.deepcopy(b).to(dtype) for b in blocks]


def gradient_errors(blocks, x, depths, dtype="float32", modes=("store", "reversible")):
    """{mode: (len(depths),) relative gradient errors} of the first L blocks computed in ``dtype``.

    The reference is float64 ordinary backprop of the very same function: the weights and x are
    first rounded to ``dtype``, so the errors measure the arithmetic alone.
    """
    blocks, d = _check_blocks(blocks)
    _check_batch(x, d, finite=True)
    dtype = _check_dtype(dtype)
    if isinstance(modes, (str, bytes)) or not hasattr(modes, "__iter__"):
        raise TypeError(f"modes must be a list of modes such as ('store', 'reversible'), got {modes!r}")
    modes = list(modes)
    for i, m in enumerate(modes):
        if not isinstance(m, str) or m not in MODES:
            raise ValueError(f"modes[{i}] must be one of {', '.join(map(repr, MODES))}, got {m!r}")
    depths = _check_depths(depths, len(blocks))
    low = cast_blocks(blocks, dtype)
    exact = cast_blocks(low, torch.float64)
    x_low = x.detach().to(dtype)
    errors = {m: [] for m in modes}
    with torch_threads(1):
        for L in depths:
            reference = gradient_vector(ReversibleStack(exact[:L], "store"), x_low.double())
            for m in modes:
                errors[m].append(relative_gradient_error(gradient_vector(ReversibleStack(low[:L], m), x_low), reference))
    return {m: np.array(e) for m, e in errors.items()}


@dataclass(frozen=True)
class SavedMemory:
    """Bytes autograd saved for backward in one forward pass: activations, and references to parameters."""

    activations: int  # storages the pass created: the memory backpropagation adds
    parameters: int  # saved weights (a Linear saves its weight): views of parameters, no new memory

    @property
    def total(self):
        """Everything saved, as ``memory.saved_bytes(stack, x)`` counts it."""
        return self.activations + self.parameters


def saved_memory(stack, x):
    """SavedMemory of one forward pass of ``stack`` on x (x made a leaf that requires grad).

    Measured with ``memory.saved_tensors(..., exclude=stack.parameters())``: saved storages of
    the parameters are reported apart, since they exist whether or not backward needs them.
    """
    if not isinstance(stack, nn.Module):
        raise TypeError(f"stack must be an nn.Module (e.g. a ReversibleStack), got {type(stack).__name__}")
    _check_batch(x, getattr(stack, "d", None), finite=True, dtype=_parameter_dtype(stack))
    with torch.enable_grad():
        saved = memory.saved_tensors(stack, x.detach().requires_grad_(True), exclude=stack.parameters())
    return SavedMemory(saved.bytes, saved.excluded_bytes)


def step_times(stacks, x, repeats=5, threads=None):
    """{name: median seconds of one forward + backward pass} for a dict of stacks on the same x.

    The runs are interleaved (one of each stack per round, after one warm-up round), so that a
    machine that slows down or speeds up meanwhile affects every stack alike. The loss is
    mean_square_loss; threads: torch threads during the runs (None: the current setting).
    """
    if not isinstance(stacks, dict) or not stacks:
        raise TypeError("stacks must be a non-empty dict {name: nn.Module}")
    for name, stack in stacks.items():
        if not isinstance(stack, nn.Module):
            raise TypeError(f"stacks[{name!r}] must be an nn.Module (e.g. a ReversibleStack), got {type(stack).__name__}")
    for stack in stacks.values():
        _check_batch(x, getattr(stack, "d", None), finite=True, dtype=_parameter_dtype(stack))
    repeats = _check_int(repeats, "repeats", 1, MAX_REPEATS)
    threads = None if threads is None else _check_int(threads, "threads", 1, MAX_THREADS)
    times = {name: [] for name in stacks}
    with torch_threads(threads):
        for _ in range(repeats + 1):
            for name, stack in stacks.items():
                xi = x.detach().requires_grad_(True)
                start = time.perf_counter()
                with torch.enable_grad():
                    mean_square_loss(stack(xi)).backward()
                times[name].append(time.perf_counter() - start)
                stack.zero_grad(set_to_none=True)
    return {name: float(np.median(t[1:])) for name, t in times.items()}


def step_time(stack, x, repeats=5, threads=None):
    """Median seconds of one forward + backward pass (loss mean_square_loss) over ``repeats`` runs after one warm-up."""
    return step_times({"stack": stack}, x, repeats, threads)["stack"]


@dataclass(frozen=True)
class StackConfig:
    """The stack a StackLab measures: width d, batch, hidden units, deepest depth, weight gain, seed."""

    d: int = 32
    batch: int = 32
    hidden: int = 32
    max_depth: int = 128
    gain: float = 1.0
    seed: int = 0

    def __post_init__(self):
        _check_int(self.d, "d", 2, MAX_WIDTH)
        _check_int(self.batch, "batch", 1, 100_000)
        _check_int(self.hidden, "hidden", 1, MAX_WIDTH)
        _check_int(self.max_depth, "max_depth", 1, MAX_DEPTH)
        _check_real(self.gain, "gain", positive=True)
        _check_int(self.seed, "seed", 0)
        validate.work(self.max_depth * 2 * self.d * self.hidden + self.batch * self.d,
                      "max_depth, d, hidden and batch", validate.MAX_ELEMENTS // 10, "numbers")


@dataclass(frozen=True)
class StackMeasurement:
    """One forward + backward of the first ``depth`` blocks in ``dtype`` and ``mode``: memory, time, accuracy."""

    depth: int
    dtype: str
    mode: str
    saved: SavedMemory
    seconds: float  # median time of a forward + backward pass in this mode
    ordinary_seconds: float  # the same for mode "store"
    round_trip_error: float  # max |x - f^-1(f(x))| in dtype
    gradient_error: float  # relative error of the gradient against float64 backprop of the same function

    @property
    def time_ratio(self):
        return self.seconds / self.ordinary_seconds


class StackLab:
    """One seeded stack of coupling blocks, kept in float64 and float32, measured at any depth, dtype and mode.

    The float32 blocks are the float64 ones rounded; the gradient reference for float32 is float64
    backprop through those rounded weights, so the error measures the arithmetic alone.
    """

    def __init__(self, config=None):
        config = StackConfig() if config is None else config
        if not isinstance(config, StackConfig):
            raise TypeError(f"config must be a StackConfig, got {type(config).__name__}")
        self.config = config
        generator = torch.Generator().manual_seed(_check_int(config.seed, "seed", 0))
        exact = coupling_blocks(config.max_depth, config.d, config.hidden, generator, config.gain, torch.float64)
        x = torch.randn(_check_int(config.batch, "batch"), config.d, generator=generator, dtype=torch.float64)
        low = cast_blocks(exact, torch.float32)
        self._blocks = {"float64": exact, "float32": low}
        self._reference = {"float64": exact, "float32": cast_blocks(low, torch.float64)}
        self._x = {"float64": x, "float32": x.float()}
        self._curves, self._ordinary, self._warm = {}, {}, set()

    def _check(self, depth, dtype, mode):
        depth = _check_int(depth, "depth")
        if depth > self.config.max_depth:
            raise ValueError(f"depth must be at most {self.config.max_depth} (this lab's max_depth), got {depth}")
        dtype = {v: k for k, v in DTYPES.items()}[_check_dtype(dtype)]
        return depth, dtype, _check_mode(mode)

    def stack(self, depth, dtype, mode):
        """The first ``depth`` blocks in ``dtype`` as a ReversibleStack in ``mode``."""
        depth, dtype, mode = self._check(depth, dtype, mode)
        return ReversibleStack(self._blocks[dtype][:depth], mode)

    def x(self, dtype):
        """The (batch, d) input in ``dtype``."""
        return self._x[self._check(1, dtype, "store")[1]]

    def measure(self, depth, dtype="float32", mode="reversible", repeats=2):
        """StackMeasurement of the first ``depth`` blocks (on one torch thread; ordinary runs are cached)."""
        depth, dtype, mode = self._check(depth, dtype, mode)
        repeats = _check_int(repeats, "repeats")
        stack, x = self.stack(depth, dtype, mode), self._x[dtype]
        with torch_threads(1):
            if (dtype, mode) not in self._warm:  # first calls pay one-off costs (checkpoint imports torch._dynamo)
                gradient_vector(self.stack(min(2, depth), dtype, mode), x)
                self._warm.add((dtype, mode))
            saved = saved_memory(stack, x)
            gradient, seconds = _timed_gradient(stack, x, repeats)
            key = (depth, dtype, repeats)
            if key not in self._ordinary:
                if mode == "store":
                    ordinary = seconds
                else:
                    ordinary = _timed_gradient(self.stack(depth, dtype, "store"), x, repeats)[1]
                reference = gradient_vector(ReversibleStack(self._reference[dtype][:depth], "store"), x.double())
                self._ordinary[key] = (ordinary, reference)
            ordinary, reference = self._ordinary[key]
            error = round_trip_error(stack, x)
        return StackMeasurement(depth, dtype, mode, saved, seconds, ordinary, error,
                                relative_gradient_error(gradient, reference))

    def saved_curves(self, dtype, depths):
        """{mode: (len(depths),) activation bytes saved} for every mode; cached."""
        dtype = self._check(1, dtype, "store")[1]
        depths = tuple(self._check(L, dtype, "store")[0] for L in depths)
        key = (dtype, depths)
        if key not in self._curves:
            with torch_threads(1):
                self._curves[key] = {m: np.array([saved_memory(self.stack(L, dtype, m), self._x[dtype]).activations
                                                  for L in depths]) for m in MODES}
        return self._curves[key]


def activation_memory(L, B, d, mode, segments=None):
    """Numbers kept for backward by the exam's network of L dense blocks of width d on B examples.

    "store": every activation z_1..z_L (L B d); "checkpoint" with k segments: the k segment
    inputs plus, while one segment is recomputed, its L/k activations; "reversible": the output
    plus the one block being reconstructed (about 2 B d, O(B d)).
    """
    L, B, d = _check_int(L, "L"), _check_int(B, "B"), _check_int(d, "d")
    mode = _check_mode(mode)
    if segments is not None:
        segments = _check_int(segments, "segments")
    if mode == "store":
        return L * B * d
    if mode == "checkpoint":
        k = max(1, round(math.sqrt(L))) if segments is None else _check_int(segments, "segments")
        return (k + math.ceil(L / k)) * B * d
    return 2 * B * d


def check_inverse(answer, y=(3.0, 5.0)):
    """Say whether ``answer`` = (x1, x2) is the input of the block y1 = x1 + 2 x2, y2 = x2 + y1^2 that gives y."""
    y1, y2 = (_check_real(v, "y") for v in validate.sequence(y, "y", 2, 2))
    if not math.isfinite(y2 - y1**2 if abs(y1) < 1e150 else math.inf):
        raise ValueError(f"y is too large: y1^2 overflows, got y = {tuple(y)!r}")
    x2 = y2 - y1**2
    x1 = y1 - 2 * x2
    try:
        a1, a2 = (float(v) for v in answer)
    except (TypeError, ValueError):
        return CheckResult(False, f"Not yet: give two numbers (x1, x2), got {answer!r}.")
    if math.isclose(a1, x1, abs_tol=1e-9) and math.isclose(a2, x2, abs_tol=1e-9):
        return CheckResult(True, f"Right: x2 = {y2:g} - {y1:g}^2 = {x2:g}, then x1 = {y1:g} - 2*({x2:g}) = {x1:g}.")
    if math.isclose(a2, x2, abs_tol=1e-9):
        return CheckResult(False, "Not yet: x2 is right; x1 = y1 - mu1(x2) uses the x2 you just found.")
    wrong_order = y1 - 2 * y2  # mu1 applied to y2 instead of x2
    if math.isclose(a1, wrong_order, abs_tol=1e-9):
        return CheckResult(False, "Not yet: mu1 reads x2, not y2. Undo the last step first: x2 = y2 - mu2(y1).")
    return CheckResult(False, "Not yet: start from the last step, x2 = y2 - mu2(y1); y1 is known, so mu2(y1) is too.")


def check_tanh_threshold(answer):
    """Say whether ``answer`` is the smallest c for which x + c tanh(x) is invertible on the real line."""
    if not _is_number(answer):
        return CheckResult(False, f"Not yet: give a number, got {answer!r}.")
    if math.isclose(answer, -1.0, abs_tol=1e-9):
        return CheckResult(True, "Right: f'(x) = 1 + c (1 - tanh^2 x) takes every value between 1 and 1 + c; "
                                 "for c >= -1 it is never negative, so f increases; for c < -1 it is negative near 0.")
    if math.isclose(answer, 1.0, abs_tol=1e-9):
        return CheckResult(False, "Not yet: Lipschitz < 1 is sufficient, not necessary. For c > 0, f' >= 1 "
                                  "everywhere: look at the sign of f'(0) = 1 + c.")
    return CheckResult(False, "Not yet: f is invertible exactly when f'(x) = 1 + c (1 - tanh^2 x) never changes sign; "
                              "its smallest value for c < 0 is at x = 0.")


def check_iterations(answer, lipschitz=0.5, error=1.0, tol=1e-10):
    """Say whether ``answer`` is the number of fixed-point iterations the contraction bound needs from ``error`` to ``tol``.

    That is the smallest k >= 0 with ``lipschitz**k * error <= tol``: a k whose bound lands exactly
    on ``tol`` counts, and 0 when ``error`` is already at most ``tol``.
    """
    lipschitz = _check_real(lipschitz, "lipschitz", positive=True)
    if lipschitz >= 1:
        raise ValueError(f"lipschitz must be below 1 for the bound to shrink, got {lipschitz}")
    error = _check_real(error, "error", positive=True)
    tol = _check_real(tol, "tol", positive=True)
    ratio = tol / error
    if not 0 < ratio < math.inf:
        raise ValueError(f"tol / error must be a finite positive ratio, got tol = {tol:g} and error = {error:g}")
    # The quotient of two rounded logs can land 1e-15 above a whole k whose bound equals tol exactly
    # (0.5**29 == 2**-29 gave 29.000000000000004, so ceil asked for 30): that k counts.
    expected = max(0, math.ceil(math.log(ratio) / math.log(lipschitz) - 1e-9))
    if not _is_number(answer) or answer != int(answer):
        return CheckResult(False, f"Not yet: an iteration count is a whole number, got {answer!r}.")
    if int(answer) == expected:
        return CheckResult(True, f"Right: the error after k steps is at most {lipschitz:g}^k times {error:g}; "
                                 f"{lipschitz:g}^{expected} * {error:g} = {lipschitz**expected * error:.2e} <= {tol:g}.")
    hint = "too few" if answer < expected else "more than needed"
    return CheckResult(False, f"Not yet: {int(answer)} is {hint}; solve {lipschitz:g}^k * {error:g} <= {tol:g} for the smallest k.")


def check_jacobian_determinant(answer):
    """Say whether ``answer`` is det(dy/dx) of an additive coupling block, for any mu1, mu2."""
    if not _is_number(answer):
        return CheckResult(False, f"Not yet: give a number, got {answer!r}.")
    if math.isclose(answer, 1.0, abs_tol=1e-9):
        return CheckResult(True, "Right: each residual step has a triangular Jacobian with identity blocks on the "
                                 "diagonal, so det = 1 * 1: the block preserves volume (NICE).")
    if math.isclose(answer, 0.0, abs_tol=1e-9):
        return CheckResult(False, "Not yet: a zero determinant would make the block non-invertible near x.")
    return CheckResult(False, "Not yet: write dz/dx for the first step as a 2x2 block matrix; what is on its diagonal?")


def check_error_amplification(answer, a=3.0):
    """Say whether ``answer`` is the factor by which an error delta in y1 grows in the reconstructed x1.

    The block has d1 = d2 = 1, mu1(u) = a u and mu2(u) = a u; y2 is exact. Inverting gives
    x2' = x2 - a delta, then x1' = x1 + delta - a (x2' - x2) = x1 + (1 + a^2) delta.
    """
    a = _check_real(a, "a")
    expected = 1 + a * a
    if not _is_number(answer):
        return CheckResult(False, f"Not yet: give a number, got {answer!r}.")
    if math.isclose(answer, expected, rel_tol=1e-9):
        return CheckResult(True, f"Right: x2 is off by -{a:g} delta, and x1 = y1 - mu1(x2) is off by "
                                 f"delta + {a:g} * {a:g} delta = {expected:g} delta.")
    slips = {a * a: "the error delta of y1 itself also lands in x1 = y1 - mu1(x2)",
             1 + a: "the error reaches x1 twice: directly, and through x2 = y2 - mu2(y1), which mu1 multiplies by a again",
             1.0: "x2 = y2 - mu2(y1) already carries an error, since y1 does",
             a: "follow delta through both steps: first into x2, then into x1"}
    for value, hint in slips.items():
        if math.isclose(answer, value, rel_tol=1e-9):
            return CheckResult(False, f"Not yet: {hint}.")
    return CheckResult(False, "Not yet: undo the steps in order and carry delta along: x2' = y2 - a (y1 + delta), "
                              "then x1' = (y1 + delta) - a x2'.")


def check_activation_memory(answer_mib, L, B, d, mode, bytes_per_number=4):
    """Say whether ``answer_mib`` is the activation memory (MiB) of the exam's network in ``mode`` (activation_memory)."""
    bytes_per_number = _check_int(bytes_per_number, "bytes_per_number")
    expected = activation_memory(L, B, d, mode) * bytes_per_number / 2**20
    if not _is_number(answer_mib):
        return CheckResult(False, f"Not yet: give a number of MiB, got {answer_mib!r}.")
    if math.isclose(answer_mib, expected, rel_tol=0.02):
        return CheckResult(True, f"Right: about {expected:.4g} MiB in mode {mode!r}.")
    if math.isclose(answer_mib, expected * 2**20 / 1e6, rel_tol=0.02):
        return CheckResult(False, "Not yet: that is in MB (10^6 bytes); a MiB is 2^20 = 1,048,576 bytes.")
    if math.isclose(answer_mib, expected / bytes_per_number, rel_tol=0.02):
        number = {2: "a float16 number", 4: "a float32 number", 8: "a float64 number"}.get(bytes_per_number, "each number")
        return CheckResult(False, f"Not yet: that counts numbers, not bytes; {number} takes {bytes_per_number} bytes.")
    return CheckResult(False, f"Not yet: count the numbers kept in mode {mode!r} (each activation is B x d), "
                              f"times {bytes_per_number} bytes, divided by 2^20.")


def check_segments(answer, L):
    """Say whether ``answer`` is the number of checkpoint segments k that minimises k + L/k kept activations."""
    L = _check_int(L, "L", 1, validate.MAX_ITEMS)
    if not _is_number(answer) or answer != int(answer) or answer < 1:
        return CheckResult(False, f"Not yet: a number of segments is a whole number of at least 1, got {answer!r}.")
    cost = lambda k: k + math.ceil(L / k)  # noqa: E731
    best = min(cost(k) for k in range(1, L + 1))
    if cost(int(answer)) == best:
        return CheckResult(True, f"Right: {int(answer)} segments keep {best} activations of size B x d "
                                 f"(k + L/k is smallest near k = sqrt({L}) = {math.sqrt(L):.3g}).")
    return CheckResult(False, f"Not yet: {int(answer)} segments keep {cost(int(answer))} activations; minimise k + L/k.")


def check_time_ratio(answer, fused=True):
    """Say whether ``answer`` is the reversible step's time relative to ordinary backprop (backward = 2 forwards)."""
    fused = validate.boolean(fused, "fused")
    key = "reversible" if fused else "reversible-recompute"
    expected = RELATIVE_COST[key] / RELATIVE_COST["store"]
    if not _is_number(answer):
        return CheckResult(False, f"Not yet: give a ratio, got {answer!r}.")
    if math.isclose(answer, expected, rel_tol=0.02):
        return CheckResult(True, f"Right: {RELATIVE_COST[key]} forward passes' worth of work instead of "
                                 f"{RELATIVE_COST['store']}: {expected:.3g}x.")
    return CheckResult(False, "Not yet: count forward passes: ordinary is 1 forward + a backward of 2; "
                              + ("the reversible backward adds one more forward (reconstruction)." if fused else
                                 "inverting is one forward's work, recomputing the forward another."))
