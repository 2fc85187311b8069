"""dlexam.landscape and dlexam.batch_size: gradients against finite differences and torch, descents by hand."""

import math

import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from dlexam import batch_size as bs
from dlexam import landscape as ls

from . import Answer, Arg, Arr, Bool, Fixed, Fresh, Int, NpGen, Obj, Real, Size, Tol, record, spec


def _fail(result):
    raise AssertionError(f"property fails for {result!r}"[:300])


CENTRES, DEPTHS, WIDTHS = np.array([[1.1, -0.3], [-1.3, 0.6]]), np.array([2.0, 1.0]), np.array([0.8, 0.45])
WELLS = {"w": Arr(np.array([[0.0, 0.0], [1.0, 1.0]]), finite=False, empty_ok=True, ndim_ok=(1, 2, 3)),
         "centres": Arr(CENTRES), "depths": Arr(DEPTHS).with_bad(("wrong count", np.ones(3))),
         "widths": Arr(WIDTHS).with_bad(("zero", np.zeros(2))), "bowl": Real(0.3)}
points = st.lists(st.tuples(st.floats(-3, 3), st.floats(-3, 3)), min_size=1, max_size=5).map(np.array)


def torch_h(w):
    w = torch.as_tensor(w, dtype=torch.float64)
    d = w[..., None, :] - torch.tensor(CENTRES)
    bumps = torch.tensor(DEPTHS) * torch.exp(-(d**2).sum(-1) / (2 * torch.tensor(WIDTHS) ** 2))
    return 0.5 * 0.3 * (w**2).sum(-1) - bumps.sum(-1)


def torch_grad(w):
    w = torch.as_tensor(w, dtype=torch.float64).requires_grad_(True)
    torch_h(w).sum().backward()
    return w.grad.numpy()


def torch_hessian(point):
    return torch.autograd.functional.hessian(torch_h, torch.as_tensor(point, dtype=torch.float64)).numpy()


spec("landscape.well_loss", WELLS, finite=False, given=st.fixed_dictionaries({"w": points}),
     check=lambda r, w, **kw: np.allclose(r, torch_h(w).numpy()) or _fail(r))
spec("landscape.well_gradient", WELLS, finite=False, given=st.fixed_dictionaries({"w": points}),
     check=lambda r, w, **kw: np.allclose(r, torch_grad(w)) or _fail(r))
spec("landscape.well_hessian", WELLS, finite=False, given=st.fixed_dictionaries({"w": points}),
     check=lambda r, w, **kw: all(np.allclose(h, torch_hessian(p)) for h, p in zip(r, w)) or _fail(r))
OFFSETS = np.array([[0.1, 0.0], [-0.1, 0.0]])
spec("landscape.Landscape", {"centres": Arr(CENTRES), "depths": Arr(DEPTHS).with_bad(("negative", -DEPTHS)),
                             "widths": Arr(WIDTHS).with_bad(("zero", np.zeros(2))), "bowl": Real(0.3, above=0.0),
                             "offsets": Arr(OFFSETS).with_bad(("too many", np.zeros((100_001, 2))))},
     given=st.fixed_dictionaries({"offsets": st.lists(st.tuples(st.floats(-1, 1), st.floats(-1, 1)), min_size=1,
                                                      max_size=6).map(np.array)}),
     check=lambda r, offsets, **kw: np.allclose(r.loss(np.zeros(2)), torch_h(-offsets).mean().item()) or _fail(r))
spec("landscape.make_landscape",
     {"n": Size(10, 1, 100_000), "spread": Real(0.3, 0.0), "seed": Int(0, 0), "centres": Arr(CENTRES),
      "depths": Arr(DEPTHS), "widths": Arr(WIDTHS), "bowl": Real(0.3, above=0.0)},
     given=st.fixed_dictionaries({"n": st.integers(1, 50), "spread": st.floats(0, 1), "seed": st.integers(0, 99)}),
     check=lambda r, n, **kw: (r.n == n and np.allclose(r.offsets.mean(0), 0, atol=1e-12)) or _fail(r))
spec("landscape.book_landscape", {}, check=lambda r: (r is ls.book_landscape() and r.n == 40) or _fail(r))
record("landscape.CriticalPoint", "landscape.Descent", "landscape.EscapeResult", "landscape.Comparison")
SURFACE = ls.make_landscape(n=10)
LAND = Obj(SURFACE)
LIMITS = Arg(((-3.0, 3.0), (-3.0, 3.0)), [("None", None), ("one pair", (-3.0, 3.0)), ("reversed", ((3, -3), (0, 1))),
                                         ("nan", ((float("nan"), 3.0), (-3.0, 3.0)))])
spec("landscape.critical_points", {"landscape": LAND, "limits": LIMITS, "starts": Size(11, 2, 100),
                                   "tol": Real(1e-10, above=0.0)},
     given=st.fixed_dictionaries({"starts": st.integers(3, 9)}),
     check=lambda r, landscape, **kw: all(np.linalg.norm(landscape.gradient(np.array(c.w))) < 1e-9 for c in r)
     or _fail(r))
spec("landscape.minima", {"landscape": LAND},
     check=lambda r, landscape: all(np.all(np.linalg.eigvalsh(landscape.hessian(m)) > 0) for m in r) or _fail(r))
spec("landscape.updates_per_epoch", {"n": Int(40, 1), "batch_size": Int(7, 1).with_bad(("larger than n", 41))},
     given=st.integers(1, 1000).flatmap(lambda n: st.fixed_dictionaries({"n": st.just(n),
                                                                         "batch_size": st.integers(1, n)})),
     check=lambda r, n, batch_size: r == math.ceil(n / batch_size) or _fail(r))
START = Arg((-1.9, 1.4), [("None", None), ("text", "here"), ("three numbers", (0, 0, 0)), ("nan", (float("nan"), 0))])
DESCENT = {"landscape": LAND, "start": START, "lr": Real(0.5, above=0.0, below=2 / 0.3),
           "batch_size": Int(5, 1, 10), "epochs": Size(2, 1, 100_000), "runs": Size(2, 1, 100_000), "seed": Int(0, 0)}


def check_descent(result, landscape, start, lr, batch_size, epochs, runs, seed):
    assert result.paths.shape == (runs, epochs * math.ceil(landscape.n / batch_size) + 1, 2)
    if batch_size == landscape.n:
        w = np.array(start, float)
        for _ in range(epochs):
            w = w - lr * landscape.gradient(w)
        assert np.allclose(result.final[0], w)


spec("landscape.descend", DESCENT,
     given=st.fixed_dictionaries({"batch_size": st.sampled_from([1, 3, 10]), "epochs": st.integers(1, 3),
                                  "lr": st.floats(0.01, 1.0)}), check=check_descent)
spec("landscape.final_minimum", {"landscape": LAND, "points": Arr(np.array([[1.0, -0.3], [-1.3, 0.6]]),
                                                                   ndim_ok=(1, 2, 3), empty_ok=True),
                                 "steps": Int(300, 0, 100_000)},
     check=lambda r, landscape, points, steps: np.array_equal(r, [0, 1]) or _fail(r))
spec("landscape.escape_fraction", {k: v for k, v in DESCENT.items()} | {"runs": Size(4, 1, 100_000)},
     given=st.fixed_dictionaries({"batch_size": st.sampled_from([1, 5, 10])}),
     check=lambda r, runs, **kw: (0 <= r.global_runs + r.unsettled_runs <= runs) or _fail(r))
spec("landscape.escape_table", {"landscape": LAND, "start": START, "lr": Real(0.5, above=0.0, below=2 / 0.3),
                                "batch_sizes": Arg([1, 10], [("None", None), ("empty", []), ("zero", [0]),
                                                             ("too large", [11]), ("text", "1, 10")]),
                                "epochs": Size(2, 1, 100_000), "runs": Size(3, 1, 100_000), "seed": Int(0, 0),
                                "scale_lr": Bool(False)},
     check=lambda r, batch_sizes, **kw: [e.batch_size for e in r] == list(batch_sizes) or _fail(r))
spec("landscape.compare_batch_sizes", {**DESCENT, "runs": Size(3, 1, 100_000)},
     check=lambda r, landscape, **kw: r.full.paths.shape[0] == 1 or _fail(r))
spec("landscape.noise_factor", {"n": Int(40, 1), "batch_size": Int(4, 1).with_bad(("larger than n", 41))},
     given=st.integers(1, 500).flatmap(lambda n: st.fixed_dictionaries({"n": st.just(n),
                                                                        "batch_size": st.integers(1, n)})),
     check=lambda r, n, batch_size: math.isclose(r, (n - batch_size) / (batch_size * (n - 1)) if n > 1 else 0.0,
                                                 abs_tol=1e-15) or _fail(r))


def sampled_noise(landscape, w, batch_size):
    g = landscape.example_gradients(np.asarray(w, float))
    full = g.mean(0)
    n = landscape.n
    import itertools
    sq = [np.sum((g[list(c)].mean(0) - full) ** 2) for c in itertools.combinations(range(n), batch_size)]
    return float(np.mean(sq))


SMALL = ls.make_landscape(n=5)
spec("landscape.gradient_noise", {"landscape": Obj(SMALL), "w": Arr(np.array([0.2, 0.1]), ndim_ok=(1, 2)),
                                  "batch_size": Int(2, 1, 5)},
     given=st.fixed_dictionaries({"w": st.tuples(st.floats(-2, 2), st.floats(-2, 2)).map(np.array),
                                  "batch_size": st.integers(1, 5)}),
     check=lambda r, landscape, w, batch_size: math.isclose(r, sampled_noise(landscape, w, batch_size),
                                                            rel_tol=1e-9, abs_tol=1e-15) or _fail(r))
spec("landscape.noise_temperature", {"lr": Real(0.5, above=0.0), "n": Int(40, 1), "batch_size": Int(4, 1)},
     given=st.integers(2, 100).flatmap(lambda n: st.fixed_dictionaries(
         {"lr": st.floats(1e-3, 10), "n": st.just(n), "batch_size": st.integers(1, n)})),
     check=lambda r, lr, n, batch_size: math.isclose(r, lr * (n - batch_size) / (batch_size * (n - 1))) or _fail(r))
spec("landscape.goe_matrices", {"d": Int(3, 1, 200), "count": Int(5, 1, 10_000_000).with_bad(("too much", 10**7)),
                                "rng": NpGen()},
     given=st.fixed_dictionaries({"d": st.integers(1, 6), "count": st.integers(1, 20)}),
     check=lambda r, d, count, rng: (r.shape == (count, d, d) and np.allclose(r, np.swapaxes(r, 1, 2))) or _fail(r))
SYM = np.array([[2.0, 1.0], [1.0, -3.0]])
spec("landscape.hessian_index", {"matrices": Arr(SYM, ndim_ok=(2, 3, 4)).with_bad(
    ("not symmetric", np.array([[0.0, 1.0], [2.0, 0.0]])), ("not square", np.ones((2, 3))))},
     given=st.lists(st.floats(-5, 5), min_size=3, max_size=3).map(
         lambda v: {"matrices": np.array([[v[0], v[1]], [v[1], v[2]]])}),
     check=lambda r, matrices: r == int(np.sum(np.linalg.eigvalsh(matrices) < 0)) or _fail(r))
spec("landscape.positive_definite_fraction", {"d": Int(2, 1, 200), "count": Int(50, 1, 10_000_000), "rng": NpGen(),
                                              "shift": Real(0.0)},
     given=st.fixed_dictionaries({"d": st.integers(1, 4), "shift": st.floats(-3, 3)}),
     check=lambda r, d, count, rng, shift: (0 <= r <= 1) or _fail(r))
spec("landscape.check_update_count", {"answer": Answer(60), "n": Int(40, 1), "batch_size": Int(7, 1),
                                      "epochs": Int(10, 1)},
     given=st.tuples(st.integers(1, 100), st.integers(1, 100), st.integers(1, 20), st.integers(-1, 1)).map(
         lambda t: {"n": max(t[0], t[1]), "batch_size": t[1], "epochs": t[2],
                    "answer": math.ceil(max(t[0], t[1]) / t[1]) * t[2] + t[3]}),
     check=lambda r, answer, n, batch_size, epochs: bool(r) == (answer == math.ceil(n / batch_size) * epochs)
     or _fail(r))
spec("landscape.check_scaled_learning_rate", {"answer": Answer(0.8), "base_lr": Real(0.1, above=0.0),
                                              "base_batch": Real(32, above=0.0), "batch": Real(256, above=0.0)},
     given=st.tuples(st.floats(0.01, 1), st.integers(1, 64), st.integers(1, 1024), st.booleans()).map(
         lambda t: {"base_lr": t[0], "base_batch": t[1], "batch": t[2],
                    "answer": t[0] * t[2] / t[1] * (1 if t[3] else 2)}),
     check=lambda r, answer, base_lr, base_batch, batch: bool(r) == math.isclose(
         answer, base_lr * batch / base_batch, rel_tol=1e-6) or _fail(r))
spec("landscape.check_noise_factor", {"answer": Answer(0.2), "n": Int(40, 1), "batch_size": Int(4, 1),
                                      "tol": Tol(1e-4)},
     given=st.tuples(st.integers(2, 100), st.integers(1, 100), st.booleans()).map(
         lambda t: {"n": max(t[0], t[1]), "batch_size": t[1],
                    "answer": (max(t[0], t[1]) - t[1]) / (t[1] * (max(t[0], t[1]) - 1)) + (0 if t[2] else 0.5)}),
     check=lambda r, answer, n, batch_size, tol: bool(r) == (abs(answer - (n - batch_size) / (batch_size * (n - 1)))
                                                            <= tol * max(1.0, abs((n - batch_size)
                                                                                  / (batch_size * (n - 1)))))
     or _fail(r))

# --- batch_size ---------------------------------------------------------------------------------

record("batch_size.BatchHistory")
FIELDS = {"batch_size": Int(10, 1, 20), "lr": Real(0.5, above=0.0, maximum=100.0), "epochs": Int(2, 1, 100_000),
          "warmup_epochs": Real(0.0, 0.0, 2.0), "hidden": Arg((4,), [("None", None), ("zero", (0,)), ("text", "16"),
                                                                     ("float", (2.5,)), ("huge", (10**6,))]),
          "runs": Int(2, 1, 1000), "seed": Int(0, 0), "n_train": Int(20, 10, 100_000),
          "n_validation": Int(20, 2, 100_000), "noise": Real(0.2, 0.0), "data_seed": Int(0, 0),
          "record_every": Int(1, 1, 100_000)}
spec("batch_size.BatchConfig", FIELDS, check=lambda r, **kw: all(getattr(r, k) == (tuple(v) if k == "hidden" else v)
                                                                 for k, v in kw.items()) or _fail(r))
spec("batch_size.moons_data", {"n_train": Int(20, 2, 100_000), "n_validation": Int(30, 2, 100_000),
                               "noise": Real(0.2, 0.0, 1e6), "data_seed": Int(0, 0)},
     given=st.fixed_dictionaries({"n_train": st.integers(2, 50), "n_validation": st.integers(2, 50)}),
     check=lambda r, n_train, n_validation, **kw: (r[0].shape == (n_train, 2) and r[2].shape == (n_validation, 2)
                                                   and set(np.unique(r[1])) <= {0.0, 1.0}) or _fail(r))
spec("batch_size.init_params", {"widths": Arg((2, 4, 1), [("None", None), ("one width", (2,)), ("zero", (2, 0)),
                                                        ("text", "2, 1"), ("huge", (2, 10**6))]),
                                "runs": Int(3, 1, 1000), "rng": NpGen()},
     given=st.fixed_dictionaries({"widths": st.lists(st.integers(1, 6), min_size=2, max_size=4).map(tuple),
                                  "runs": st.integers(1, 4)}),
     check=lambda r, widths, runs, rng: [p.shape for p in r] == [s for a, b in zip(widths[:-1], widths[1:])
                                                                  for s in ((runs, a, b), (runs, 1, b))] or _fail(r))
PARAMS = bs.init_params((2, 4, 1), 2, np.random.default_rng(0))
PARAMS_ARG = Arg(PARAMS, [("None", None), ("too short", PARAMS[:3]), ("not arrays", [1, 2]),
                          ("mismatched", [PARAMS[0], PARAMS[3]])])
XB = Arr(np.random.default_rng(1).normal(size=(5, 2)), empty_ok=True, ndim_ok=(2, 3))


def torch_logits(params, X):
    h = torch.as_tensor(np.asarray(X, float))
    for k in range(len(params) // 2):
        h = h @ torch.as_tensor(params[2 * k]) + torch.as_tensor(params[2 * k + 1])
        if k < len(params) // 2 - 1:
            h = torch.tanh(h)
    return h[..., 0].numpy()


xs = st.integers(1, 8).map(lambda n: np.random.default_rng(n).normal(size=(n, 2)))
spec("batch_size.forward", {"params": PARAMS_ARG, "X": XB.without("nan entry", "inf entry", "-inf entry")},
     finite=False, given=st.fixed_dictionaries({"X": xs}),
     check=lambda r, params, X: np.allclose(r, torch_logits(params, X)) or _fail(r))


def torch_loss_grads(params, X, y):
    ts = [torch.tensor(p, requires_grad=True) for p in params]
    h = torch.as_tensor(np.asarray(X, float))
    for k in range(len(ts) // 2):
        h = h @ ts[2 * k] + ts[2 * k + 1]
        if k < len(ts) // 2 - 1:
            h = torch.tanh(h)
    z = h[..., 0]
    losses = F.binary_cross_entropy_with_logits(z, torch.as_tensor(y).expand_as(z), reduction="none").mean(-1)
    losses.sum().backward()
    return losses.detach().numpy(), [t.grad.numpy() for t in ts]


spec("batch_size.loss_and_gradients",
     {"params": PARAMS_ARG, "X": XB.without("empty"),
      "y": Arr(np.array([0.0, 1.0, 1.0, 0.0, 1.0])).with_bad(("label 2", np.array([2.0, 1, 1, 0, 1])),
                                                            ("too few", np.array([0.0, 1.0])))},
     given=st.integers(1, 8).map(lambda n: {"X": np.random.default_rng(n).normal(size=(n, 2)),
                                            "y": (np.arange(n) % 2).astype(float)}),
     check=lambda r, params, X, y: (np.allclose(r[0], torch_loss_grads(params, X, y)[0]) and all(
         np.allclose(a, b) for a, b in zip(r[1], torch_loss_grads(params, X, y)[1]))) or _fail(r))
spec("batch_size.parameter_count", {"widths": Arg((2, 16, 16, 1), [("None", None), ("text", "2, 1"),
                                                                    ("zero", (2, 0)), ("one width", (2,))])},
     given=st.fixed_dictionaries({"widths": st.lists(st.integers(1, 50), min_size=2, max_size=5)}),
     check=lambda r, widths: r == sum(p.numel() for p in torch.nn.Sequential(*[
         torch.nn.Linear(a, b, device="meta") for a, b in zip(widths[:-1], widths[1:])]).parameters()) or _fail(r))
TINY = bs.BatchConfig(batch_size=10, epochs=2, runs=2, n_train=20, n_validation=20, hidden=(4,))
spec("batch_size.train", {"config": Obj(TINY)},
     check=lambda r, config: (r.train_loss.shape == (config.runs, config.epochs + 1)
                              and np.all(np.isfinite(r.train_loss))) or _fail(r))
