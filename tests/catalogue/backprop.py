"""dlexam.backprop and dlexam.memory: hand backprop against torch autograd, memory against exact byte counts."""

import math

import numpy as np
import torch
from hypothesis import strategies as st
from torch import nn

from dlexam import backprop, memory

from . import Answer, Arg, Arr, Choice, Fixed, Fresh, Func, Int, Obj, Real, Seq, Size, Ten, TorchGen, record, spec


def _fail(result):
    raise AssertionError(f"property fails for {result!r}"[:300])


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


# --- memory -------------------------------------------------------------------------------------

record("memory.SavedTensor", "memory.SavedTensors", "memory.NodeSave", "memory.PowerLaw", "memory.LinearFit")


def square_sum(t):
    return (t * t).sum()


def leaf(n):
    return torch.ones(n, requires_grad=True)


sizes = st.integers(1, 50).map(lambda n: {"args": (leaf(n),)})
FN = Func(square_sum).with_bad(("a module class", nn.Linear(3, 3).weight))
EXCLUDE = Arg((), [("number", 3), ("text", "w"), ("list with text", [torch.zeros(1), "w"])],
              [("a tensor", torch.zeros(1))])


def call_saved(f, fn, args=(), exclude=()):
    return f(fn, *args, exclude=exclude)


spec("memory.saved_tensors", {"fn": FN, "args": Fixed((leaf(5),)), "exclude": EXCLUDE}, call=call_saved,
     given=sizes, check=lambda r, fn, args, exclude: (r.bytes == args[0].numel() * 4 and r.tensors == 2
                                                      and torch.equal(r.result, square_sum(args[0]))) or _fail(r))
spec("memory.saved_bytes", {"fn": FN, "args": Fixed((leaf(5),)), "exclude": EXCLUDE}, call=call_saved,
     given=sizes, check=lambda r, fn, args, exclude: r == args[0].numel() * 4 or _fail(r))
spec("memory.saved_by_node",
     {"output": Arg(Fresh(lambda: square_sum(leaf(4))), [("None", None), ("no graph", torch.zeros(3)),
                                                         ("number", 3.0)]), "exclude": EXCLUDE},
     given=st.integers(1, 20).map(lambda n: {"output": square_sum(leaf(n)), "n": n}),
     call=lambda f, output, exclude, n=4: f(output, exclude),
     check=lambda r, output, exclude, n=4: sorted(row.attribute for row in r if row.node == "MulBackward0")
     == ["other", "self"] or _fail(r))
UNITS = {"B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30}
spec("memory.format_bytes", {"n": Arg(2048, [("None", None), ("negative", -1), ("nan", float("nan")),
                                             ("text", "1"), ("inf", float("inf")), ("bool", True)])},
     given=st.fixed_dictionaries({"n": st.integers(0, 2**45)}),
     check=lambda r, n: math.isclose(float(r.split()[0].replace(",", "")) * UNITS[r.split()[1]], n,
                                     rel_tol=0.005, abs_tol=1) or _fail(r))
VECTOR = Arr(np.array([1.0, 2.0, 4.0]))
spec("memory.fit_power_law",
     {"x": VECTOR.with_bad(("one value", np.ones(3)), ("negative", np.array([-1.0, 2.0, 4.0]))),
      "y": Arr(np.array([3.0, 12.0, 48.0])).with_bad(("wrong length", np.ones(2)))},
     given=st.tuples(st.floats(0.1, 10), st.floats(-3, 3)).map(
         lambda t: {"x": np.array([1.0, 2.0, 5.0, 9.0]), "y": t[0] * np.array([1.0, 2.0, 5.0, 9.0]) ** t[1]}),
     check=lambda r, x, y: (math.isclose(r.exponent, math.log(y[1] / y[0]) / math.log(2), rel_tol=1e-9,
                                         abs_tol=1e-9) and r.max_relative_error < 1e-9) or _fail(r))
FEATURES = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
spec("memory.fit_linear",
     {"features": Arr(FEATURES).with_bad(("zero column", np.array([[1.0, 0.0], [2.0, 0.0], [3.0, 0.0]])),
                                         ("too few rows", FEATURES[:1])),
      "y": Arr(np.array([2.0, 3.0, 5.0])), "names": Arg(("a", "b"), [("None", None), ("one name", ("a",)),
                                                                    ("number", 3)])},
     given=st.tuples(st.floats(-5, 5), st.floats(-5, 5)).map(
         lambda c: {"features": FEATURES, "y": FEATURES @ np.array(c), "coefficients": c}),
     call=lambda f, features, y, names, coefficients=None: f(features, y, names),
     check=lambda r, coefficients=(2.0, 3.0), **kw: np.allclose(r.coefficients, coefficients, atol=1e-9) or _fail(r))

# --- backprop -----------------------------------------------------------------------------------

record("backprop.Gradients", "backprop.SGDStep", "backprop.HeldTensor", "backprop.GradientMemory",
       "backprop.StackMemory", "backprop.MemoryBudget", "backprop.BlockExercise")
W = [3, 4, 2]
P = backprop.init_params(W, gen(0))
DATA = backprop.make_regression_data(12, W, gen(1))
PARAMS = Obj(P)


def params_case(seed):
    return backprop.init_params(W, gen(seed))


def module_of(params):
    layers = []
    for Wl, b in zip(params.weights, params.biases):
        linear = nn.Linear(Wl.shape[1], Wl.shape[0], dtype=Wl.dtype)
        with torch.no_grad():
            linear.weight.copy_(Wl)
            linear.bias.copy_(b)
        layers += [linear, nn.Tanh()]
    return nn.Sequential(*layers)


def torch_gradients(params, x, y):
    net = module_of(params)
    loss = (0.5 * ((net(x) - y) ** 2).sum(1)).mean()
    loss.backward()
    linears = [m for m in net if isinstance(m, nn.Linear)]
    return [m.weight.grad for m in linears], [m.bias.grad for m in linears]


def same_gradients(result, params, x, y, atol=1e-10):
    gW, gb = torch_gradients(params, x, y)
    return all(torch.allclose(a, b, atol=atol) for a, b in zip((*result.weights, *result.biases), (*gW, *gb)))


TENSOR = lambda shape: Ten(Fresh(lambda: torch.randn(*shape, generator=gen(2), dtype=torch.float64)),  # noqa: E731
                           numpy_ok=False)
spec("backprop.StackParams",
     {"weights": Arg(P.weights, [("None", None), ("empty", ()), ("wrong shapes", (torch.zeros(4, 3), torch.zeros(5, 5))),
                                 ("nan", (torch.full((4, 3), float("nan"), dtype=torch.float64), P.weights[1])),
                                 ("float32", (P.weights[0].float(), P.weights[1]))]),
      "biases": Arg(P.biases, [("None", None), ("too few", P.biases[:1]), ("wrong length", (torch.zeros(3), P.biases[1]))])},
     check=lambda r, weights, biases: r.widths == W or _fail(r))
spec("backprop.exam_widths", {"layers": Size(3, 1, 1000), "width": Size(8)},
     given=st.fixed_dictionaries({"layers": st.integers(1, 20), "width": st.integers(1, 100)}),
     check=lambda r, layers, width: r == [width] * (layers + 1) or _fail(r))
WIDTHS = Seq(W, huge=True).with_bad(("too many weights", [10**5, 10**5]))
DTYPE = Arg(torch.float64, [("integer", torch.int64), ("text", "float64"), ("None", None)], [("float32", torch.float32)])
spec("backprop.init_params", {"widths": WIDTHS, "generator": TorchGen(), "dtype": DTYPE},
     given=st.fixed_dictionaries({"widths": st.lists(st.integers(1, 6), min_size=2, max_size=4)}),
     check=lambda r, widths, **kw: r.widths == list(widths) or _fail(r))
spec("backprop.make_regression_data", {"n": Size(6), "widths": WIDTHS, "generator": TorchGen(), "dtype": DTYPE},
     given=st.fixed_dictionaries({"n": st.integers(1, 20), "widths": st.lists(st.integers(1, 6), min_size=2,
                                                                                max_size=4)}),
     check=lambda r, n, widths, **kw: (r[0].shape == (n, widths[0]) and r[1].shape == (n, widths[-1])
                                       and bool((r[1].abs() < 1).all())) or _fail(r))
spec("backprop.sample_batch", {"n": Int(10, 1, 2**62), "batch_size": Size(4), "generator": TorchGen()},
     given=st.fixed_dictionaries({"n": st.integers(1, 50), "batch_size": st.integers(1, 20)}),
     check=lambda r, n, batch_size, generator: (r.shape == (batch_size,) and bool(((r >= 0) & (r < n)).all()))
     or _fail(r))
X = Fresh(lambda: DATA[0][:5].clone())
Y = Fresh(lambda: DATA[1][:5].clone())
x_cases = st.integers(0, 10**6).map(lambda s: {"params": params_case(s % 7), "x": torch.randn(
    5, 3, generator=gen(s), dtype=torch.float64)})
spec("backprop.forward", {"params": PARAMS, "x": Ten(X, finite=False, empty_ok=True, numpy_ok=False).with_bad(
    ("wrong width", torch.zeros(2, 4, dtype=torch.float64)), ("float32", torch.zeros(2, 3)))}, finite=False,
    given=x_cases, check=lambda r, params, x: torch.allclose(r[-1], module_of(params)(x)) or _fail(r))
ZY = {"z_L": Ten(Y, finite=False, empty_ok=True, numpy_ok=False),
      "y": Ten(Y, finite=False, empty_ok=True, numpy_ok=False).with_bad(("wrong shape", torch.zeros(5, 3)))}
zy = st.integers(0, 10**6).map(lambda s: {"z_L": torch.randn(4, 2, generator=gen(s), dtype=torch.float64),
                                          "y": torch.randn(4, 2, generator=gen(s + 1), dtype=torch.float64)})
spec("backprop.example_losses", ZY, finite=False, given=zy,
     check=lambda r, z_L, y: torch.allclose(r, 0.5 * ((z_L - y) ** 2).sum(1)) or _fail(r))
spec("backprop.batch_loss", ZY, finite=False, given=zy,
     check=lambda r, z_L, y: torch.allclose(r, 0.5 * ((z_L - y) ** 2).sum(1).mean()) or _fail(r))
XY = {"X": Ten(X, finite=False, numpy_ok=False), "Y": Ten(Y, finite=False, numpy_ok=False)}
xy = st.integers(0, 10**6).map(lambda s: {"params": params_case(s % 7), "X": torch.randn(6, 3, generator=gen(s),
                                                                                           dtype=torch.float64),
                                          "Y": torch.rand(6, 2, generator=gen(s), dtype=torch.float64)})
spec("backprop.dataset_loss", {"params": PARAMS, **XY}, finite=False, given=xy,
     check=lambda r, params, X, Y: math.isclose(r, float((0.5 * ((module_of(params)(X) - Y) ** 2).sum(1)).mean().detach()),
                                                rel_tol=1e-9) or _fail(r))
ACTS = Arg(Fresh(lambda: backprop.forward(P, DATA[0][:5])), [
    ("None", None), ("a tensor", torch.zeros(5, 3)), ("too few", (torch.zeros(5, 3),)),
    ("wrong shapes", (torch.zeros(5, 3), torch.zeros(5, 3), torch.zeros(5, 2)))])
spec("backprop.backward", {"params": PARAMS, "activations": ACTS, "y": Ten(Y, numpy_ok=False, finite=False)},
     finite=False, given=xy.map(lambda kw: {"params": kw["params"], "activations": backprop.forward(kw["params"], kw["X"]),
                                           "y": kw["Y"], "x": kw["X"]}),
     call=lambda f, params, activations, y, x=None: f(params, activations, y),
     check=lambda r, params, activations, y, x=None: same_gradients(r, params, activations[0], y) or _fail(r))
spec("backprop.autograd_gradients", {"params": PARAMS, "x": Ten(X, numpy_ok=False, finite=False),
                                     "y": Ten(Y, numpy_ok=False, finite=False)}, finite=False,
     given=xy.map(lambda kw: {"params": kw["params"], "x": kw["X"], "y": kw["Y"]}),
     check=lambda r, params, x, y: same_gradients(r, params, x, y) or _fail(r))


def check_per_example(result, params, x, y):
    assert result.weights[0].shape == (len(x), *params.weights[0].shape)
    assert same_gradients(result.mean_over_examples(), params, x, y)


spec("backprop.per_example_gradients", {"params": PARAMS, "x": Ten(X, numpy_ok=False, finite=False),
                                        "y": Ten(Y, numpy_ok=False, finite=False)}, finite=False,
     given=xy.map(lambda kw: {"params": kw["params"], "x": kw["X"], "y": kw["Y"]}), check=check_per_example)
G = backprop.full_gradient(P, *DATA)
GRADS = Obj(G, ("per-example", backprop.per_example_gradients(P, DATA[0][:2], DATA[1][:2])))
spec("backprop.sgd_update", {"params": PARAMS, "gradients": GRADS, "lr": Real(0.1, above=0.0)},
     given=st.fixed_dictionaries({"lr": st.floats(1e-6, 10)}),
     check=lambda r, params, gradients, lr: all(torch.allclose(a, b - lr * g) for a, b, g in zip(
         (*r.weights, *r.biases), (*params.weights, *params.biases), (*gradients.weights, *gradients.biases)))
     or _fail(r))
XY_DATA = {"X": Ten(Fresh(lambda: DATA[0].clone()), numpy_ok=False, finite=False),
           "Y": Ten(Fresh(lambda: DATA[1].clone()), numpy_ok=False, finite=False)}


def check_average(result, params, X, Y, batch_size, batches, generator):
    g = gen(0)
    total = None
    for _ in range(batches):
        idx = torch.randint(len(X), (batch_size,), generator=g)
        gW, gb = torch_gradients(params, X[idx], Y[idx])
        flat = [*gW, *gb]
        total = flat if total is None else [a + b for a, b in zip(total, flat)]
    assert all(torch.allclose(a, t / batches, atol=1e-10) for a, t in zip((*result.weights, *result.biases), total))


spec("backprop.average_batch_gradient",
     {"params": PARAMS, **XY_DATA, "batch_size": Size(4), "batches": Size(3), "generator": TorchGen()}, finite=False,
     given=st.fixed_dictionaries({"batch_size": st.integers(1, 12), "batches": st.integers(1, 5)}),
     check=check_average)
spec("backprop.full_gradient", {"params": PARAMS, **XY_DATA}, finite=False, given=xy,
     check=lambda r, params, X, Y: same_gradients(r, params, X, Y) or _fail(r))


def flat(g):
    return torch.cat([t.reshape(-1) for t in (*g.weights, *g.biases)])


spec("backprop.relative_error",
     {"estimate": GRADS, "reference": Obj(G, ("zero", backprop.Gradients(tuple(torch.zeros_like(w) for w in G.weights),
                                                                        tuple(torch.zeros_like(b) for b in G.biases))))},
     given=st.integers(1, 12).map(lambda n: {"estimate": backprop.full_gradient(P, DATA[0][:n], DATA[1][:n])}),
     check=lambda r, estimate, reference: math.isclose(r, float((flat(estimate) - flat(reference)).norm()
                                                               / flat(reference).norm()), rel_tol=1e-9) or _fail(r))


def check_step(result, params, X, Y, batch_size, lr, generator):
    idx = torch.randint(len(X), (batch_size,), generator=gen(0))
    assert torch.equal(result.indices, idx)
    gW, gb = torch_gradients(params, X[idx], Y[idx])
    assert all(torch.allclose(n, o - lr * g, atol=1e-10) for n, o, g in zip(
        (*result.new_params.weights, *result.new_params.biases), (*params.weights, *params.biases), (*gW, *gb)))


spec("backprop.sgd_step", {"params": PARAMS, **XY_DATA, "batch_size": Size(4), "lr": Real(0.5, above=0.0),
                           "generator": TorchGen()}, finite=False,
     given=st.fixed_dictionaries({"batch_size": st.integers(1, 12), "lr": st.floats(1e-3, 2)}), check=check_step)
STEP = backprop.sgd_step(P, *DATA, 4, 0.5, gen(0))
spec("backprop.held_in_memory", {"step": Obj(STEP), "substep": Size(2, 1, 5)},
     given=st.fixed_dictionaries({"substep": st.integers(1, 5)}),
     check=lambda r, step, substep: (r[0].bytes == sum(t.nelement() * t.element_size() for t in (
         *step.params.weights, *step.params.biases))) or _fail(r))


def check_gradient_memory(result, layers, batch_size, width, generator, dtype):
    itemsize = torch.finfo(dtype).bits // 8
    assert result.batched_bytes == layers * (width * width + width) * itemsize
    assert result.per_example_bytes == batch_size * result.batched_bytes
    assert result.max_abs_difference < 1e-4


spec("backprop.gradient_memory", {"layers": Size(2, 1, 1000), "batch_size": Size(3), "width": Size(4),
                                  "generator": TorchGen(), "dtype": DTYPE.with_bad(("huge", None))},
     given=st.fixed_dictionaries({"layers": st.integers(1, 4), "batch_size": st.integers(1, 6),
                                  "width": st.integers(1, 8)}), check=check_gradient_memory)
ACTIVATION = Choice("tanh")
DEVICE = Arg("meta", [("None", None), ("unknown", "gpu7"), ("number", 3)], [("cpu", "cpu")])
spec("backprop.dense_stack", {"layers": Size(3, 1, 1000), "width": Size(4), "activation": ACTIVATION,
                              "device": DEVICE, "dtype": DTYPE},
     given=st.fixed_dictionaries({"layers": st.integers(1, 6), "width": st.integers(1, 16),
                                  "activation": st.sampled_from(sorted(backprop.ACTIVATIONS))}),
     check=lambda r, layers, width, **kw: sum(p.numel() for p in r.parameters()) == layers * (width * width + width)
     or _fail(r))
spec("backprop.stack_saved_bytes", {"layers": Size(3, 1, 1000), "batch_size": Size(4), "width": Size(5),
                                    "activation": ACTIVATION, "dtype": DTYPE, "device": DEVICE},
     given=st.fixed_dictionaries({"layers": st.integers(1, 8), "batch_size": st.integers(1, 64),
                                  "width": st.integers(1, 64)}),
     check=lambda r, layers, batch_size, width, dtype, **kw: r.activation_bytes == (layers + 1) * batch_size * width
     * (torch.finfo(dtype).bits // 8) or _fail(r))
SIZES = Arg([1, 2], [("None", None), ("text", "12"), ("zero", [0]), ("float", [1.5]), ("empty", [])], [("one", 3)])
GRID = backprop.saved_bytes_grid([1, 2, 4], [1, 2, 4], [1, 2, 4])
spec("backprop.saved_bytes_grid", {"layers": SIZES, "batch_sizes": SIZES, "widths": SIZES, "activation": ACTIVATION,
                                   "dtype": DTYPE},
     given=st.fixed_dictionaries({k: st.lists(st.integers(1, 6), min_size=1, max_size=3)
                                  for k in ("layers", "batch_sizes", "widths")}),
     check=lambda r, layers, batch_sizes, widths, **kw: len(r) == len(layers) * len(batch_sizes) * len(widths)
     or _fail(r))
MEASUREMENTS = Arg(GRID, [("None", None), ("empty", []), ("text", "abc"), ("numbers", [1, 2])])
spec("backprop.fit_activation_bytes", {"measurements": MEASUREMENTS},
     check=lambda r, measurements: np.allclose(r.coefficients, (4.0, 4.0), atol=1e-6) or _fail(r))
spec("backprop.fit_saved_bytes", {"measurements": MEASUREMENTS},
     check=lambda r, measurements: (r.names == ("L*B*d", "B*d", "L*d^2", "d^2") and r.max_relative_error < 1e-6)
     or _fail(r))
spec("backprop.growth_exponents", {"measurements": MEASUREMENTS.with_bad(("one point", GRID[:1])),
                                   "quantity": Choice("activation_bytes")},
     check=lambda r, measurements, quantity: (abs(r["B"].exponent - 1) < 1e-9 and abs(r["d"].exponent - 1) < 1e-9)
     or _fail(r))
spec("backprop.exam_prediction_bytes", {"layers": Int(3, 1), "batch_size": Int(4, 1), "width": Int(5, 1),
                                        "dtype": DTYPE},
     given=st.fixed_dictionaries({"layers": st.integers(1, 10**6), "batch_size": st.integers(1, 10**6),
                                  "width": st.integers(1, 10**6)}),
     check=lambda r, layers, batch_size, width, dtype: r == layers * batch_size * width * 8 or _fail(r))


def check_budget(result, layers, batch_size, width, optimizer, activation, dtype):
    params = layers * (width * width + width) * torch.finfo(dtype).bits // 8
    assert result.parameters == params == result.gradients
    assert result.optimizer_state >= {"SGD": 0, "SGD with momentum": params, "Adam": 2 * params}[optimizer]


spec("backprop.memory_budget", {"layers": Size(3, 1, 1000), "batch_size": Size(4), "width": Size(5),
                                "optimizer": Choice("Adam"), "activation": ACTIVATION, "dtype": DTYPE},
     given=st.fixed_dictionaries({"layers": st.integers(1, 6), "batch_size": st.integers(1, 64),
                                  "width": st.integers(1, 64), "optimizer": st.sampled_from(list(backprop.OPTIMIZERS))}),
     check=check_budget)
spec("backprop.block_exercise", {"generator": TorchGen(), "batch_size": Size(5, 1, 10_000), "d_in": Size(4, 1, 10_000),
                                 "d_out": Size(3, 1, 10_000)},
     given=st.fixed_dictionaries({"batch_size": st.integers(1, 8), "d_in": st.integers(1, 8), "d_out": st.integers(1, 8)}),
     check=lambda r, **kw: torch.allclose(r.z, torch.tanh(r.z_prev @ r.W.T + r.b)) or _fail(r))
CASE = backprop.block_exercise(gen(0))


def autograd_dW(case):
    Wt = case.W.clone().requires_grad_(True)
    torch.tanh(case.z_prev @ Wt.T + case.b).backward(case.delta)
    return Wt.grad


spec("backprop.check_weight_gradient",
     {"answer": Arg(autograd_dW(CASE), [], [("None", None), ("transposed", autograd_dW(CASE).T),
                                            ("nan", torch.full((3, 4), float("nan"))), ("list", [[0.0]])],
                    accept=lambda r: not r.correct),
      "case": Obj(CASE)},
     given=st.tuples(st.integers(0, 99), st.booleans()).map(
         lambda t: {"case": backprop.block_exercise(gen(t[0])), "answer": autograd_dW(backprop.block_exercise(
             gen(t[0]))) * (1 if t[1] else 2)}),
     check=lambda r, answer, case: bool(r) == bool(torch.allclose(answer, autograd_dW(case))) or _fail(r))
LBD = {"layers": Size(3, 1, 1000), "batch_size": Size(4), "width": Size(5)}
spec("backprop.check_per_example_bytes", {"answer": Answer(1440), "layers": Int(3, 1), "batch_size": Int(4, 1),
                                         "width": Int(5, 1), "itemsize": Int(4, 1)},
     given=st.tuples(st.integers(1, 10), st.integers(1, 10), st.integers(1, 10), st.booleans()).map(
         lambda t: {"layers": t[0], "batch_size": t[1], "width": t[2],
                    "answer": t[1] * t[0] * (t[2] ** 2 + t[2]) * 4 + (0 if t[3] else 4)}),
     check=lambda r, answer, layers, batch_size, width, itemsize: bool(r) == (
         answer == batch_size * layers * (width**2 + width) * itemsize) or _fail(r))
spec("backprop.check_summed_loss_learning_rate", {"answer": Answer(0.25), "batch_size": Int(4, 1)},
     given=st.tuples(st.integers(1, 100), st.booleans()).map(
         lambda t: {"batch_size": t[0], "answer": 1 / t[0] if t[1] else 2.0 / t[0] + 1}),
     check=lambda r, answer, batch_size: bool(r) == math.isclose(answer, 1 / batch_size) or _fail(r))
spec("backprop.check_saved_activation_bytes", {"answer": Answer(320), **LBD, "activation": ACTIVATION},
     given=st.tuples(st.integers(1, 6), st.integers(1, 9), st.integers(1, 9), st.booleans()).map(
         lambda t: {"layers": t[0], "batch_size": t[1], "width": t[2],
                    "answer": (t[0] + 1) * t[1] * t[2] * 4 + (0 if t[3] else 4)}),
     check=lambda r, answer, layers, batch_size, width, activation: bool(r) == (
         answer == (layers + 1) * batch_size * width * 4) or _fail(r))


def crossover(layers, width):
    return next(B for B in range(1, 10**6) if (layers + 1) * B * width > 2 * layers * (width * width + width))


spec("backprop.check_crossover_batch", {"answer": Answer(9), "layers": Size(3, 1, 1000), "width": Size(5)},
     given=st.tuples(st.integers(1, 8), st.integers(1, 20), st.integers(-2, 2)).map(
         lambda t: {"layers": t[0], "width": t[1], "answer": crossover(t[0], t[1]) + t[2]}),
     check=lambda r, answer, layers, width: bool(r) == (answer == crossover(layers, width)) or _fail(r))
