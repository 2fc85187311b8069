"""dlexam.reversible: inverses by round trip, gradients against autograd, memory and checks against formulas."""

import math

import numpy as np
import torch
from hypothesis import strategies as st
from torch import nn

from dlexam import reversible

from . import Answer, Arg, Bool, Choice, Fixed, Fresh, Func, Int, Obj, Real, Size, Ten, Tol, TorchGen, record, spec


def _fail(result):
    raise AssertionError(f"property fails for {result!r}"[:300])


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


DTYPE = Arg(torch.float64, [("integer", torch.int64), ("unknown", "float16"), ("number", 3)],
            [("None", None), ("text", "float32")])
spec("reversible.tanh_mlp", {"d_in": Size(3, 1, 4096), "d_out": Size(2, 1, 4096), "hidden": Size(5, 1, 4096),
                             "generator": TorchGen(optional=True), "gain": Real(1.0, above=0.0), "dtype": DTYPE},
     given=st.fixed_dictionaries({"d_in": st.integers(1, 6), "d_out": st.integers(1, 6), "hidden": st.integers(1, 6)}),
     check=lambda r, d_in, d_out, **kw: torch.allclose(
         r(torch.ones(2, d_in, dtype=r[0].weight.dtype)),
         torch.tanh(torch.ones(2, d_in, dtype=r[0].weight.dtype) @ r[0].weight.T + r[0].bias) @ r[2].weight.T
         + r[2].bias) or _fail(r))
MLP = reversible.tanh_mlp(3, 3, 4, gen(0), dtype=torch.float64)
spec("reversible.lipschitz_bound", {"module": Obj(MLP, ("a ReLU net", nn.Sequential(nn.Linear(2, 2), nn.ReLU())))},
     given=st.integers(0, 99).map(lambda s: {"module": reversible.tanh_mlp(3, 4, 5, gen(s), dtype=torch.float64)}),
     check=lambda r, module: math.isclose(r, np.linalg.norm(module[0].weight.detach().numpy(), 2)
                                          * np.linalg.norm(module[2].weight.detach().numpy(), 2), rel_tol=1e-9)
     or _fail(r))


def check_coupling(result, d1, d2, **kw):
    x = torch.randn(4, d1 + d2, generator=gen(3), dtype=result.mu1[0].weight.dtype)
    assert torch.allclose(result.inverse(result(x)), x, atol=1e-10)


spec("reversible.AdditiveCoupling", {"d1": Size(2, 1, 4096), "d2": Size(2, 1, 4096), "hidden": Size(3, 1, 4096),
                                     "generator": TorchGen(optional=True), "gain": Real(1.0, above=0.0),
                                     "dtype": DTYPE},
     given=st.fixed_dictionaries({"d1": st.integers(1, 5), "d2": st.integers(1, 5), "hidden": st.integers(1, 6)}),
     check=check_coupling)
spec("reversible.coupling_blocks", {"depth": Size(3, 1, 4096), "d": Size(4, 2, 4096), "hidden": Size(3, 1, 4096),
                                    "generator": TorchGen(optional=True), "gain": Real(1.0, above=0.0), "dtype": DTYPE},
     given=st.fixed_dictionaries({"depth": st.integers(1, 5), "d": st.integers(2, 8)}),
     check=lambda r, depth, d, **kw: (len(r) == depth and all(b.d == d for b in r)) or _fail(r))
record("reversible.FixedPoint", "reversible.SavedMemory", "reversible.StackMeasurement")
HALF_TANH = lambda x: 0.5 * torch.tanh(x)  # noqa: E731
Y = Fresh(lambda: torch.randn(3, 2, generator=gen(1), dtype=torch.float64))
spec("reversible.fixed_point_inverse",
     {"residual": Func(HALF_TANH), "y": Ten(Y, numpy_ok=False, empty_ok=True, ndim_ok=range(0, 5)),
      "max_iterations": Size(100, 1, 10**6), "tol": Tol(1e-10).optional().without("zero", "negative zero", "subnormal")},
     given=st.integers(0, 99).map(lambda s: {"y": torch.randn(4, 3, generator=gen(s), dtype=torch.float64)}),
     check=lambda r, residual, y, **kw: (r.converged and torch.allclose(r.x + residual(r.x), y, atol=1e-12))
     or _fail(r))


def check_contractive(result, d, hidden, lipschitz, **kw):
    x = torch.randn(3, d, generator=gen(4), dtype=result.q[0].weight.dtype)
    assert reversible.lipschitz_bound(result.q) <= lipschitz * (1 + 1e-9)
    if lipschitz < 0.95:
        assert torch.allclose(result.inverse(result(x)), x, atol=1e-8)


spec("reversible.ContractiveResidual", {"d": Size(3, 1, 4096), "hidden": Size(4, 1, 4096),
                                        "lipschitz": Real(0.5, above=0.0), "generator": TorchGen(optional=True),
                                        "dtype": DTYPE.with_edge(("float64", torch.float64))},
     given=st.fixed_dictionaries({"d": st.integers(1, 6), "hidden": st.integers(1, 6),
                                  "lipschitz": st.floats(0.05, 0.9), "dtype": st.just(torch.float64)}),
     check=check_contractive)
spec("reversible.tanh_residual", {"x": Arg(np.array([-1.0, 0.0, 2.0]), [("None", None), ("text", "abc"),
                                                                        ("complex", np.array([1j]))],
                                           [("tensor", torch.ones(3)), ("nan", np.array([float("nan")]))]),
                                  "c": Real(-0.5)}, finite=False,
     given=st.fixed_dictionaries({"x": st.lists(st.floats(-100, 100), max_size=5).map(np.array),
                                  "c": st.floats(-5, 5)}),
     check=lambda r, x, c: np.allclose(r, x + c * np.tanh(x)) or _fail(r))
spec("reversible.tanh_residual_preimages", {"y": Real(0.5), "c": Real(-2.0)},
     given=st.fixed_dictionaries({"y": st.floats(-10, 10), "c": st.floats(-5, 5)}),
     check=lambda r, y, c: (all(abs(x + c * math.tanh(x) - y) < 1e-9 for x in r)
                            and (c < -1 or len(r) == 1)) or _fail(r))
BLOCKS = reversible.coupling_blocks(3, 4, 3, gen(0), dtype=torch.float64)
BLOCKS_ARG = Arg(BLOCKS, [("None", None), ("empty", []), ("not invertible", [nn.Linear(4, 4)]), ("number", 3),
                          ("mixed widths", [reversible.AdditiveCoupling(2, 2, 3), reversible.AdditiveCoupling(3, 3, 3)])],
                 [("one block", BLOCKS[0])])
X = Fresh(lambda: torch.randn(5, 4, generator=gen(2), dtype=torch.float64))
x_cases = st.integers(0, 10**6).map(lambda s: torch.randn(5, 4, generator=gen(s), dtype=torch.float64))
MODE = Choice("reversible")


def check_stack(result, blocks, mode, segments, fused):
    x = torch.randn(5, 4, generator=gen(5), dtype=torch.float64)
    assert torch.allclose(result.inverse(result(x)), x, atol=1e-10)
    reference = reversible.gradient_vector(reversible.ReversibleStack(blocks, "store"), x)
    assert torch.allclose(reversible.gradient_vector(result, x), reference, atol=1e-10)


spec("reversible.ReversibleStack", {"blocks": BLOCKS_ARG, "mode": MODE,
                                    "segments": Arg(None, [("zero", 0), ("too many", 4), ("float", 1.5), ("text", "2")],
                                                    [("two", 2)]),
                                    "fused": Arg(True, [("text", "no"), ("None", None), ("number", 1)], [("False", False)])},
     given=st.fixed_dictionaries({"mode": st.sampled_from(reversible.MODES), "fused": st.booleans()}),
     check=check_stack)
XT = Ten(X, numpy_ok=False).with_bad(("wrong width", torch.zeros(2, 6, dtype=torch.float64)))
spec("reversible.round_trip_error", {"blocks": BLOCKS_ARG, "x": XT}, given=st.fixed_dictionaries({"x": x_cases}),
     check=lambda r, blocks, x: (0 <= r < 1e-10) or _fail(r))
DEPTHS = Arg([1, 3], [("None", None), ("number", 3), ("too deep", [4]), ("zero", [0]), ("float", [1.5])])
spec("reversible.round_trip_errors", {"blocks": BLOCKS_ARG.without("one block"), "x": XT, "depths": DEPTHS},
     given=st.fixed_dictionaries({"x": x_cases, "depths": st.lists(st.integers(1, 3), max_size=3)}),
     check=lambda r, blocks, x, depths: (r.shape == (len(depths),) and bool(np.all(r < 1e-10))) or _fail(r))
spec("reversible.mean_square_loss", {"y": Ten(X, finite=False, numpy_ok=False, ndim_ok=range(0, 5))}, finite=False,
     given=st.fixed_dictionaries({"y": x_cases}), check=lambda r, y: torch.allclose(r, (y * y).mean()) or _fail(r))
STACK = reversible.ReversibleStack(BLOCKS, "store")


def autograd_vector(stack, x):
    x = x.detach().requires_grad_(True)
    loss = (stack(x) ** 2).mean()
    params = [p for p in stack.parameters() if p.requires_grad]
    grads = torch.autograd.grad(loss, [x, *params])
    return torch.cat([g.reshape(-1) for g in grads])


spec("reversible.gradient_vector", {"stack": Obj(STACK), "x": XT}, given=st.fixed_dictionaries({"x": x_cases}),
     check=lambda r, stack, x: torch.allclose(r, autograd_vector(stack, x)) or _fail(r))
V = Fresh(lambda: torch.randn(7, generator=gen(6), dtype=torch.float64))
spec("reversible.relative_gradient_error",
     {"candidate": Ten(V, numpy_ok=False, empty_ok=True).with_bad(("longer", torch.ones(8, dtype=torch.float64))),
      "reference": Ten(V, numpy_ok=False, empty_ok=True).with_bad(("zero", torch.zeros(7, dtype=torch.float64)))},
     given=st.integers(0, 99).map(lambda s: {"candidate": torch.randn(7, generator=gen(s), dtype=torch.float64),
                                             "reference": torch.randn(7, generator=gen(s + 1), dtype=torch.float64)}),
     check=lambda r, candidate, reference: math.isclose(
         r, float(np.linalg.norm(candidate - reference) / np.linalg.norm(reference)), rel_tol=1e-9) or _fail(r))
spec("reversible.cast_blocks", {"blocks": BLOCKS_ARG, "dtype": DTYPE.without("None")},
     given=st.fixed_dictionaries({"dtype": st.sampled_from([torch.float32, torch.float64])}),
     check=lambda r, blocks, dtype: all(p.dtype == dtype for b in r for p in b.parameters()) or _fail(r))
spec("reversible.gradient_errors",
     {"blocks": BLOCKS_ARG.without("one block"), "x": XT, "depths": DEPTHS, "dtype": DTYPE.without("None"),
      "modes": Arg(("store", "reversible"), [("text", "store"), ("unknown", ("fast",)), ("None", None)])},
     given=st.fixed_dictionaries({"x": x_cases, "depths": st.lists(st.integers(1, 3), max_size=3),
                                  "modes": st.lists(st.sampled_from(reversible.MODES), min_size=1, max_size=3,
                                                    unique=True)}),
     check=lambda r, blocks, x, depths, dtype, modes: (set(r) == set(modes) and all(
         len(v) == len(depths) and np.all(v < 1e-9) for v in r.values())) or _fail(r))


def check_saved(result, stack, x):
    assert result.activations > 0 and result.total == result.activations + result.parameters


STACK_ARG = Obj(STACK, ("a module without width", nn.Tanh()))
spec("reversible.saved_memory", {"stack": Obj(STACK), "x": XT},
     given=st.fixed_dictionaries({"stack": st.sampled_from(reversible.MODES).map(
         lambda m: reversible.ReversibleStack(BLOCKS, m))}), check=check_saved)
spec("reversible.step_times",
     {"stacks": Arg({"a": STACK}, [("None", None), ("empty", {}), ("list", [STACK]), ("not modules", {"a": 3})]),
      "x": XT, "repeats": Size(1, 1, 1000), "threads": Arg(None, [("zero", 0), ("huge", 10**12), ("text", "1")],
                                                          [("one", 1)])},
     check=lambda r, stacks, **kw: (set(r) == set(stacks) and all(t > 0 for t in r.values())) or _fail(r))
spec("reversible.step_time", {"stack": Obj(STACK), "x": XT, "repeats": Size(1, 1, 1000),
                              "threads": Arg(None, [("zero", 0), ("huge", 10**12)], [("one", 1)])},
     check=lambda r, **kw: r > 0 or _fail(r))
FIELDS = {"d": Size(4, 2, 4096), "batch": Size(3, 1, 100_000), "hidden": Size(3, 1, 4096),
          "max_depth": Size(4, 1, 4096), "gain": Real(1.0, above=0.0), "seed": Int(0, 0)}
spec("reversible.StackConfig", FIELDS, check=lambda r, **kw: all(getattr(r, k) == v for k, v in kw.items())
     or _fail(r))
SMALL = reversible.StackConfig(d=4, batch=3, hidden=3, max_depth=4)
spec("reversible.StackLab", {"config": Arg(SMALL, [("a dict", {"d": 4}), ("number", 3), ("text", "small")],
                                           [("default", None)])},
     call=lambda cls, config: cls(config) if config is not SMALL or True else None,
     check=lambda r, config: r.x("float64").shape == (r.config.batch, r.config.d) or _fail(r))


def _fewest_steps(lipschitz, error, tol):
    """The smallest k >= 0 with lipschitz**k * error <= tol, by counting steps (no logarithms)."""
    k, bound = 0, error
    while bound > tol:
        k, bound = k + 1, bound * lipschitz
    return k


def reference_memory(L, B, d, mode, segments):
    if mode == "store":
        return L * B * d
    if mode == "checkpoint":
        k = max(1, round(math.sqrt(L))) if segments is None else segments
        return (k + math.ceil(L / k)) * B * d
    return 2 * B * d


spec("reversible.activation_memory", {"L": Int(8, 1), "B": Int(4, 1), "d": Int(5, 1), "mode": MODE,
                                      "segments": Arg(None, [("zero", 0), ("float", 1.5), ("text", "2")], [("3", 3)])},
     given=st.fixed_dictionaries({"L": st.integers(1, 100), "B": st.integers(1, 100), "d": st.integers(1, 100),
                                  "mode": st.sampled_from(reversible.MODES),
                                  "segments": st.one_of(st.none(), st.integers(1, 10))}),
     check=lambda r, **kw: r == reference_memory(**kw) or _fail(r))


def inverse_of(y):
    x2 = y[1] - y[0] ** 2
    return y[0] - 2 * x2, x2


spec("reversible.check_inverse",
     {"answer": Answer((-1.0, -4.0)), "y": Arg((3.0, 5.0), [("None", None), ("one number", (3.0,)),
                                                          ("nan", (float("nan"), 1.0)), ("text", "3, 5"),
                                                          ("huge", (1e200, 1.0))])},
     given=st.tuples(st.floats(-10, 10), st.floats(-10, 10), st.booleans()).map(
         lambda t: {"y": (t[0], t[1]), "answer": inverse_of((t[0], t[1])) if t[2] else (t[0], t[1])}),
     check=lambda r, answer, y: bool(r) == (np.allclose(answer, inverse_of(y), atol=1e-9, rtol=0)) or _fail(r))
spec("reversible.check_tanh_threshold", {"answer": Answer(-1.0).without("negative")},
     given=st.fixed_dictionaries({"answer": st.sampled_from([-1.0, 1.0, 0.0, -2.0])}),
     check=lambda r, answer: bool(r) == (answer == -1.0) or _fail(r))
spec("reversible.check_iterations",
     {"answer": Answer(34), "lipschitz": Real(0.5, above=0.0, below=1.0), "error": Real(1.0, above=0.0),
      "tol": Real(1e-10, above=0.0)},
     given=st.tuples(st.floats(0.05, 0.95), st.floats(1e-12, 1e-2), st.integers(-1, 1)).map(
         lambda t: {"lipschitz": t[0], "tol": t[1],
                    "answer": math.ceil(math.log(t[1]) / math.log(t[0])) + t[2]}),
     check=lambda r, answer, lipschitz, error, tol: bool(r) == (answer == _fewest_steps(lipschitz, error, tol)) or _fail(r))
spec("reversible.check_jacobian_determinant", {"answer": Answer(1.0)},
     given=st.fixed_dictionaries({"answer": st.floats(-3, 3) | st.just(1.0)}),
     check=lambda r, answer: bool(r) == math.isclose(answer, 1.0, abs_tol=1e-9) or _fail(r))
spec("reversible.check_error_amplification", {"answer": Answer(10.0), "a": Real(3.0)},
     given=st.tuples(st.floats(-5, 5), st.booleans()).map(lambda t: {"a": t[0], "answer": 1 + t[0] ** 2 + (0 if t[1]
                                                                                                      else 0.5)}),
     check=lambda r, answer, a: bool(r) == math.isclose(answer, 1 + a * a, rel_tol=1e-9) or _fail(r))
spec("reversible.check_activation_memory",
     {"answer_mib": Answer(1.0), "L": Int(64, 1), "B": Int(64, 1), "d": Int(64, 1), "mode": MODE,
      "bytes_per_number": Int(4, 1)},
     given=st.tuples(st.integers(1, 100), st.sampled_from(reversible.MODES), st.booleans()).map(
         lambda t: {"L": t[0], "mode": t[1], "answer_mib": reference_memory(t[0], 64, 64, t[1], None) * 4 / 2**20
                    * (1 if t[2] else 3)}),
     check=lambda r, answer_mib, L, B, d, mode, bytes_per_number: bool(r) == math.isclose(
         answer_mib, reference_memory(L, B, d, mode, None) * bytes_per_number / 2**20, rel_tol=0.02) or _fail(r))
spec("reversible.check_segments", {"answer": Answer(8), "L": Size(64, 1, 10**6)},
     given=st.tuples(st.integers(1, 200), st.integers(1, 30)).map(lambda t: {"L": t[0], "answer": t[1]}),
     check=lambda r, answer, L: bool(r) == (answer + math.ceil(L / answer) == min(
         k + math.ceil(L / k) for k in range(1, L + 1))) or _fail(r))
spec("reversible.check_time_ratio", {"answer": Answer(4 / 3), "fused": Bool(True)},
     given=st.tuples(st.sampled_from([4 / 3, 5 / 3, 1.0, 2.0]), st.booleans()).map(
         lambda t: {"answer": t[0], "fused": t[1]}),
     check=lambda r, answer, fused: bool(r) == math.isclose(answer, (4 if fused else 5) / 3, rel_tol=0.02)
     or _fail(r))
