"""dlexam.layer_order: the network and the four options against torch, the searches and checks by definition."""

import itertools

import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from dlexam import layer_order as lo

from . import Answer, Arg, Arr, Bool, Choice, Fixed, Func, Int, NpGen, Obj, Real, Size, record, spec


def _fail(result):
    raise AssertionError(f"property fails for {result!r}"[:300])


IMAGE = np.random.default_rng(0).random((8, 8))
KERNEL = np.array([[0.5, -1.0, 0.2], [0.3, 0.8, -0.4], [0.1, 0.0, 0.6]])
T = lambda a: torch.as_tensor(np.asarray(a, float))[None, None]  # noqa: E731


def t_conv(x, k, b, padding="valid"):
    pad = 0 if padding == "valid" else np.asarray(k).shape[0] // 2
    return F.conv2d(T(x), T(k), padding=pad) + b


def t_pool(x, pool):
    return (F.max_pool2d if pool == "max" else F.avg_pool2d)(x, 2, 2)


REFERENCES = {
    "out": lambda x, k, b, p, pad: t_pool(torch.relu(t_conv(x, k, b, pad)), p),
    "option_a": lambda x, k, b, p, pad: t_conv(t_pool(torch.relu(T(x)), p)[0, 0], k, b, pad),
    "option_b": lambda x, k, b, p, pad: t_pool(t_conv(torch.relu(T(x))[0, 0], k, b, pad), p),
    "option_c": lambda x, k, b, p, pad: torch.relu(t_pool(t_conv(x, k, b, pad), p)),
    "option_d": lambda x, k, b, p, pad: torch.relu(t_conv(t_pool(T(x), p)[0, 0], k, b, pad)),
}
ARGS = {"image": Arr(IMAGE), "kernel": Arr(KERNEL), "bias": Real(0.1), "pool": Choice("max"),
        "padding": Choice("valid")}
cases = st.tuples(st.integers(0, 10**6), st.sampled_from(["max", "avg"]), st.sampled_from(["valid", "same"]),
                  st.floats(-1, 1)).map(lambda t: {"image": np.random.default_rng(t[0]).random((10, 10)),
                                                   "kernel": np.random.default_rng(t[0] + 1).uniform(-1, 1, (3, 3)),
                                                   "pool": t[1], "padding": t[2], "bias": t[3]})
for name, reference in REFERENCES.items():
    spec(f"layer_order.{name}", ARGS, given=cases,
         check=lambda r, image, kernel, bias, pool, padding, reference=reference: np.allclose(
             r, reference(image, kernel, bias, pool, padding)[0, 0].numpy()) or _fail(r))
spec("layer_order.conv", {k: v for k, v in ARGS.items() if k != "pool"},
     given=cases.map(lambda kw: {k: v for k, v in kw.items() if k != "pool"}),
     check=lambda r, image, kernel, bias, padding: np.allclose(r, t_conv(image, kernel, bias, padding)[0, 0].numpy())
     or _fail(r))
spec("layer_order.pool_name", {"pool": Choice("max")},
     given=st.fixed_dictionaries({"pool": st.sampled_from(["max", "avg"])}),
     check=lambda r, pool: r == {"max": "MaxPool2×2", "avg": "AvgPool2×2"}[pool] or _fail(r))
record("layer_order.Option", "layer_order.Comparison", "layer_order.KernelFamily", "layer_order.OptionSummary",
       "layer_order.Counterexample", "layer_order.PoolingCommutation", "layer_order.PoolSwap",
       "layer_order.OperationCount")
OPTIONS_ARG = Arg(tuple(lo.OPTIONS), [("None", None), ("unknown", ["E"]), ("text", 3), ("unhashable", [["A"]])],
                  [("one", ["C"])])


def same_as_out(label, image, kernel, bias, pool, padding):
    mine = REFERENCES[f"option_{label.lower()}"](image, kernel, bias, pool, padding)
    ref = REFERENCES["out"](image, kernel, bias, pool, padding)
    return mine.shape == ref.shape and torch.allclose(mine, ref, atol=1e-12)


spec("layer_order.compare_options", {**ARGS, "options": OPTIONS_ARG}, given=cases, finite=False,
     check=lambda r, options, **kw: all(c.equal == same_as_out(c.label, **kw) for c in r) or _fail(r))
spec("layer_order.equal_options", ARGS, given=cases,
     check=lambda r, **kw: r == frozenset(l for l in "ABCD" if same_as_out(l, **kw)) or _fail(r))
SHAPE = Arg((6, 6), [("None", None), ("text", "6x6"), ("zero", (0, 6)), ("float", (2.5, 6)), ("huge", (10**12, 6)),
                     ("triple", (1, 2, 3))])
spec("layer_order.random_image", {"generator": NpGen(), "shape": SHAPE, "low": Real(0.0), "high": Real(1.0).with_bad(
    ("below low", -1.0)), "random_brightness": Bool(False)},
     given=st.tuples(st.integers(1, 9), st.integers(1, 9), st.floats(-5, 5), st.floats(0.1, 5), st.booleans()).map(
         lambda t: {"shape": (t[0], t[1]), "low": t[2], "high": t[2] + t[3], "random_brightness": t[4]}),
     check=lambda r, shape, low, high, **kw: (r.shape == shape and r.min() >= low and r.max() <= high) or _fail(r))
spec("layer_order.evaluate_options",
     {"family": Choice("positive, bias >= 0"), "generator": NpGen(), "n_kernels": Int(2, 1, 100_000),
      "n_images": Int(2, 1, 100_000).with_bad(("too much work", 100_000)), "image_shape": SHAPE.with_bad(
          ("smaller than the kernel", (2, 2))), "pool": Choice("max"), "padding": Choice("valid"),
      "kernel_size": Int(3, 1).with_bad(("larger than the image", 7))}, finite=False,
     given=st.fixed_dictionaries({"family": st.sampled_from(sorted(lo.FAMILIES))}), examples=3,
     check=lambda r, family, **kw: all(s.verdict == "equals out" for s in r if s.label in lo.FAMILY_ANSWERS[family])
     or _fail(r))


def brute_range(kernel, bias, low, high):
    values = [bias + float(np.sum(np.array(p).reshape(kernel.shape) * kernel))
              for p in itertools.product((low, high), repeat=kernel.size)]
    return min(values), max(values)


small_kernels = st.lists(st.floats(-2, 2), min_size=4, max_size=4).map(lambda v: np.array(v).reshape(2, 2))
LOW_HIGH = {"low": Real(0.0), "high": Real(1.0).with_bad(("below low", -1.0))}
spec("layer_order.conv_range", {"kernel": Arr(KERNEL), "bias": Real(0.1), **LOW_HIGH},
     given=st.tuples(small_kernels, st.floats(-1, 1), st.floats(-2, 2), st.floats(0, 2)).map(
         lambda t: {"kernel": t[0], "bias": t[1], "low": t[2], "high": t[2] + t[3]}),
     check=lambda r, **kw: np.allclose(r, brute_range(**kw)) or _fail(r))
spec("layer_order.option_b_guaranteed", {"kernel": Arr(KERNEL), "bias": Real(0.1),
                                         "low": Real(0.0, minimum=0.0), "high": Real(1.0)},
     given=st.tuples(small_kernels, st.floats(-1, 1)).map(lambda t: {"kernel": t[0], "bias": t[1]}),
     check=lambda r, kernel, bias, low, high: r == (brute_range(kernel, bias, low, high)[0] >= 0) or _fail(r))
spec("layer_order.example_image", {"name": Choice("checkerboard").named("image"), "shape": SHAPE.with_bad(
    ("one pixel wide", (1, 6))), "seed": Int(0, 0)},
     given=st.tuples(st.sampled_from(lo.EXAMPLE_IMAGES), st.integers(2, 9), st.integers(2, 9)).map(
         lambda t: {"name": t[0], "shape": (t[1], t[2])}),
     check=lambda r, name, shape, seed: (r.shape == shape and r.min() >= 0 and r.max() <= 1) or _fail(r))
LEFT = lambda x: np.maximum(x, 0.5)  # noqa: E731
RIGHT = lambda x: x  # noqa: E731
TRIES = Int(50, 1, 100_000)


def found_differs(result, left=LEFT, right=RIGHT):
    assert result is None or not np.allclose(result.left, result.right)


spec("layer_order.find_counterexample",
     {"left": Func(LEFT), "right": Func(RIGHT), "generator": NpGen(), "shape": SHAPE, "tries": TRIES,
      "low": Real(0.0), "high": Real(1.0).with_bad(("below low", -1.0)), "random_brightness": Bool(True)},
     given=st.fixed_dictionaries({"tries": st.integers(1, 20)}),
     check=lambda r, left, right, **kw: (r is None or not np.array_equal(left(r.image), right(r.image))) or _fail(r))
spec("layer_order.option_counterexample",
     {"option": Choice("B"), "kernel": Arr(KERNEL), "bias": Real(-0.5), "generator": NpGen(), "shape": SHAPE,
      "tries": TRIES, "pool": Choice("max"), "random_brightness": Bool(True)},
     given=st.fixed_dictionaries({"option": st.sampled_from("BC")}),
     check=lambda r, option, kernel, bias, pool, **kw: (r is None or not same_as_out(option, r.image, kernel, bias, pool,
                                                                                    "valid")) or _fail(r))
spec("layer_order.first_differing_option",
     {"kernel": Arr(KERNEL), "bias": Real(-0.5), "generator": NpGen(), "shape": SHAPE, "tries": TRIES,
      "pool": Choice("max"), "options": Arg(("B", "C"), [("None", None), ("unknown", ("E",)), ("never same shape",
                                                                                           ("A",))]),
      "random_brightness": Bool(True)},
     check=lambda r, kernel, bias, pool, **kw: (r is None or not same_as_out(r[0], r[1].image, kernel, bias, pool,
                                                                            "valid")) or _fail(r))
spec("layer_order.relu_conv_counterexample",
     {"kernel": Arr(KERNEL), "bias": Real(0.1), "generator": NpGen(), "shape": SHAPE, "tries": TRIES,
      "low": Real(-1.0), "high": Real(1.0).with_bad(("below low", -2.0))},
     check=lambda r, kernel, bias, **kw: (r is None or not np.allclose(r.left, r.right)) or _fail(r))
Z = {"z": Arr(np.array([-2.0, 0.0, 3.0]), finite=False, empty_ok=True, ndim_ok=range(0, 4))}
zs = st.fixed_dictionaries({"z": st.lists(st.floats(-30, 30), max_size=6).map(np.array)})
TORCH = {"gelu": F.gelu, "silu": F.silu, "softplus": F.softplus}
for name, fn in TORCH.items():
    spec(f"layer_order.{name}", Z, given=zs, finite=False,
         check=lambda r, z, fn=fn: np.allclose(r, fn(torch.as_tensor(z, dtype=torch.float64)).numpy()) or _fail(r))
spec("layer_order.elu", {**Z, "alpha": Real(1.0)}, finite=False,
     given=st.tuples(st.lists(st.floats(-30, 30), max_size=6), st.floats(0, 3)).map(
         lambda t: {"z": np.array(t[0]), "alpha": t[1]}),
     check=lambda r, z, alpha: np.allclose(r, F.elu(torch.as_tensor(z, dtype=torch.float64), alpha).numpy())
     or _fail(r))
FUNCTION = Arg("relu", [("None", None), ("unknown", "cosine"), ("number", 3), ("unhashable", ["relu"])],
               [("callable", np.tanh)])
spec("layer_order.elementwise_function", {"f": FUNCTION},
     given=st.fixed_dictionaries({"f": st.sampled_from(sorted(lo.ELEMENTWISE))}),
     check=lambda r, f: (r[0] == f and r[1] is lo.ELEMENTWISE[f]) or _fail(r))


def brute_monotone(f, low=-3.0, high=3.0, n=2001):
    values = np.asarray(lo.elementwise_function(f)[1](np.linspace(low, high, n)), float)
    return bool(np.all(np.diff(values) >= 0))


spec("layer_order.monotonicity_violation",
     {"f": FUNCTION.with_bad(("returns text", lambda z: "abc"),
                                               ("returns NaN", lambda z: np.full_like(z, np.nan))),
      "low": Real(-3.0), "high": Real(3.0).with_bad(("below low", -4.0)), "n": Int(2001, 2, 10**7)},
     given=st.fixed_dictionaries({"f": st.sampled_from(sorted(lo.ELEMENTWISE))}),
     check=lambda r, f, low, high, n: ((r is None) == brute_monotone(f) and (r is None or (
         r[0] < r[1] and lo.elementwise_function(f)[1](np.array(r[0])) > lo.elementwise_function(f)[1](np.array(r[1])))))
     or _fail(r))
spec("layer_order.max_pool_commutes_with",
     {"f": FUNCTION, "generator": NpGen(), "n_images": Int(10, 1, 100_000),
      "shape": SHAPE.with_bad(("one pixel wide", (1, 6))), "scale": Real(3.0, above=0.0)},
     given=st.fixed_dictionaries({"f": st.sampled_from(sorted(lo.ELEMENTWISE))}),
     check=lambda r, f, **kw: r.commutes == brute_monotone(f) or _fail(r))
spec("layer_order.pool_conv_swap", {"image": Arr(IMAGE), "kernel": Arr(KERNEL), "pool": Choice("avg"),
                                    "stride": Int(2, 1), "padding": Choice("valid")},
     given=cases.map(lambda kw: {"image": kw["image"], "kernel": kw["kernel"], "pool": kw["pool"],
                                 "stride": 2, "padding": "valid"}),
     check=lambda r, image, kernel, pool, **kw: np.allclose(r.conv_then_pool, t_pool(t_conv(image, kernel, 0), pool)
                                                            [0, 0].numpy()) or _fail(r))
spec("layer_order.best_kernel_after_pooling",
     {"kernel": Arr(KERNEL).with_bad(("1x1", np.ones((1, 1)))),
      "images": Arr(np.random.default_rng(0).random((3, 8, 8))), "size": Int(2, 1)},
     check=lambda r, kernel, images, size: (r[0].shape == (2, 2) and 0 <= r[1] <= 1) or _fail(r))
spec("layer_order.pool_first_is_exact", {"kernel": Arr(KERNEL), "pool": Choice("max")},
     given=st.tuples(st.integers(1, 3), st.floats(-1, 1), st.sampled_from(["max", "avg"])).map(
         lambda t: {"kernel": np.full((t[0], t[0]), t[1]), "pool": t[2]}),
     check=lambda r, kernel, pool: r == (kernel.shape == (1, 1) and (pool == "avg" or kernel[0, 0] >= 0)) or _fail(r))
COUNT_SHAPE = SHAPE.with_bad(("too small", (5, 5)))
spec("layer_order.operation_counts", {"shape": Arg((28, 28), COUNT_SHAPE.bad), "kernel_size": Int(3, 1),
                                      "pool_size": Int(2, 1)},
     given=st.tuples(st.integers(10, 40), st.integers(10, 40), st.integers(1, 3), st.integers(1, 3)).map(
         lambda t: {"shape": (t[0], t[1]), "kernel_size": t[2], "pool_size": t[3]}),
     check=lambda r, shape, kernel_size, pool_size: r["out"].multiply_adds == (shape[0] - kernel_size + 1) * (
         shape[1] - kernel_size + 1) * kernel_size**2 or _fail(r))
ANSWER_SET = Arg({"C"}, [("None", None), ("unknown", {"E"}), ("number", 3)], [("text", "C"), ("text list", "B, C")])
spec("layer_order.check_equivalent_options", {"answer": ANSWER_SET, "family": Choice("random")},
     given=st.fixed_dictionaries({"answer": st.sets(st.sampled_from("ABCD")),
                                  "family": st.sampled_from(sorted(lo.FAMILIES))}),
     check=lambda r, answer, family: bool(r) == (answer == lo.FAMILY_ANSWERS[family]) or _fail(r))
NAMES = Arg(lo.EXERCISE_FUNCTIONS, [("None", None), ("unknown", ("cosine",)), ("number", 3)], [("empty", ())])
spec("layer_order.commuting_functions", {"names": NAMES},
     given=st.fixed_dictionaries({"names": st.lists(st.sampled_from(sorted(lo.ELEMENTWISE)), max_size=4,
                                                    unique=True)}),
     check=lambda r, names: r == frozenset(n for n in names if brute_monotone(n)) or _fail(r))
spec("layer_order.check_commuting_functions",
     {"answer": Arg({"tanh"}, [("None", None), ("text", "tanh"), ("unknown", {"cosine"}), ("number", 3)]),
      "names": NAMES.without("empty")},
     given=st.fixed_dictionaries({"answer": st.sets(st.sampled_from(lo.EXERCISE_FUNCTIONS))}),
     check=lambda r, answer, names: bool(r) == (answer == {n for n in names if brute_monotone(n)}) or _fail(r))
spec("layer_order.check_multiply_adds",
     {"answer": Answer(6084), "shape": Arg((28, 28), COUNT_SHAPE.bad), "order": Choice("out"),
      "kernel_size": Int(3, 1), "pool_size": Int(2, 1)},
     given=st.tuples(st.sampled_from(["out", "A", "B", "C", "D", "folded"]), st.booleans()).map(
         lambda t: {"order": t[0], "answer": lo.operation_counts((28, 28))[t[0]].multiply_adds + (0 if t[1] else 1)}),
     check=lambda r, answer, shape, order, kernel_size, pool_size: bool(r) == (
         answer == lo.operation_counts(shape, kernel_size, pool_size)[order].multiply_adds) or _fail(r))
