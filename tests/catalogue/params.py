"""dlexam.params and dlexam.binary: counts against torch's own, the binary heads against torch's losses."""

import math

import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import strategies as st
from torch import nn

from dlexam import binary, params

from . import Answer, Arg, Arr, Bool, Choice, Fresh, Int, Obj, Real, Seq, Size, Ten, Tol, TorchGen, \
    record, spec


def _fail(result):
    raise AssertionError(f"property fails for {result!r}"[:300])


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


widths = st.lists(st.integers(1, 50), min_size=2, max_size=5)


def torch_count(sizes):
    return sum(p.numel() for p in nn.Sequential(*[nn.Linear(a, b, device="meta")
                                                  for a, b in zip(sizes[:-1], sizes[1:])]).parameters())


SIZES = {"layer_sizes": Seq([784, 512, 10], huge=False)}
record("params.DenseLayer", "params.ExamOption", "params.ConvComparison")
spec("params.dense_layer_breakdown", SIZES, given=st.fixed_dictionaries({"layer_sizes": widths}),
     check=lambda r, layer_sizes: sum(l.total for l in r) == torch_count(layer_sizes) or _fail(r))
spec("params.dense_parameter_count", SIZES, given=st.fixed_dictionaries({"layer_sizes": widths}),
     check=lambda r, layer_sizes: r == torch_count(layer_sizes) or _fail(r))
spec("params.pytorch_dense_parameter_count", SIZES, given=st.fixed_dictionaries({"layer_sizes": widths}),
     check=lambda r, layer_sizes: r == torch_count(layer_sizes) or _fail(r))
spec("params.dense_network", {"layer_sizes": Seq([4, 3, 2]).with_bad(("too many parameters", [10**5, 10**5])),
                              "generator": TorchGen(optional=True)},
     given=st.fixed_dictionaries({"layer_sizes": widths}),
     check=lambda r, layer_sizes, generator: sum(p.numel() for p in r.parameters()) == torch_count(layer_sizes)
     or _fail(r))
KERNEL = Arg(3, [("None", None), ("zero", 0), ("float", 2.5), ("triple", (3, 3, 3)), ("text", "3"), ("bool", True)],
             [("pair", (3, 2))])


def torch_conv_count(in_channels, out_channels, kernel_size, bias=True):
    return sum(p.numel() for p in nn.Conv2d(in_channels, out_channels, kernel_size, bias=bias,
                                            device="meta").parameters())


convs = st.fixed_dictionaries({"in_channels": st.integers(1, 8), "out_channels": st.integers(1, 8),
                               "kernel_size": st.one_of(st.integers(1, 5), st.tuples(st.integers(1, 5),
                                                                                     st.integers(1, 5)))})
spec("params.conv_parameter_count", {"in_channels": Int(3, 1), "out_channels": Int(8, 1), "kernel_size": KERNEL,
                                     "bias": Bool(True)},
     given=st.tuples(convs, st.booleans()).map(lambda t: {**t[0], "bias": t[1]}),
     check=lambda r, **kw: r == torch_conv_count(**kw) or _fail(r))
spec("params.count_parameters", {"module": Obj(nn.Linear(3, 2)), "trainable_only": Bool(True)},
     given=st.tuples(widths, st.booleans()).map(
         lambda t: {"module": params.dense_network(t[0]), "trainable_only": t[1]}),
     check=lambda r, module, trainable_only: r == sum(p.numel() for p in module.parameters()) or _fail(r))
IMAGE = Arg((28, 28), [("None", None), ("text", "28x28"), ("zero side", (0, 28)), ("one number", (28,)),
                       ("float side", (2.5, 3)), ("four numbers", (1, 2, 3, 4))], [("channels", (28, 28, 3))])
images = st.tuples(st.integers(1, 40), st.integers(1, 40), st.integers(1, 4))
spec("params.image_input_size", {"image_shape": IMAGE}, given=st.fixed_dictionaries({"image_shape": images}),
     check=lambda r, image_shape: r == math.prod(image_shape) or _fail(r))
spec("params.parameter_bytes",
     {"n_parameters": Int(10, 0), "dtype": Arg(torch.float32, [("None", None), ("text", "float32"),
                                                              ("numpy dtype", np.float32)])},
     given=st.fixed_dictionaries({"n_parameters": st.integers(0, 10**9),
                                  "dtype": st.sampled_from([torch.float32, torch.float64, torch.float16])}),
     check=lambda r, n_parameters, dtype: r == n_parameters * torch.finfo(dtype).bits // 8 or _fail(r))


@st.composite
def conv_dense_case(draw):
    h, w, c = draw(images)
    padding = draw(st.integers(0, 2))
    kh, kw = draw(st.integers(1, h + 2 * padding)), draw(st.integers(1, w + 2 * padding))
    return {"image_shape": (h, w, c), "out_channels": draw(st.integers(1, 5)), "kernel_size": (kh, kw),
            "stride": draw(st.integers(1, 3)), "padding": padding}


def check_conv_dense(result, image_shape, out_channels, kernel_size, stride, padding):
    h, w, c = image_shape
    out = F.conv2d(torch.zeros(1, c, h, w), torch.zeros(out_channels, c, *kernel_size), stride=stride,
                   padding=padding)
    assert result.output_shape == (out.shape[2], out.shape[3], out_channels)
    assert result.conv == torch_conv_count(c, out_channels, kernel_size)
    assert result.dense == (h * w * c + 1) * out.numel()


spec("params.conv_vs_dense",
     {"image_shape": IMAGE, "out_channels": Int(32, 1), "kernel_size": KERNEL.with_bad(("too large", 30)),
      "stride": Int(1, 1), "padding": Int(0, 0)},
     given=conv_dense_case(), check=check_conv_dense)
spec("params.mistaken_counts", {"layer_sizes": Seq([784, 512, 10], huge=False),
                                "image_shape": IMAGE.optional().with_bad(("does not match", (3, 3)))},
     given=st.fixed_dictionaries({"layer_sizes": widths}),
     check=lambda r, layer_sizes, image_shape: all(count != torch_count(layer_sizes) for _, count in r) or _fail(r))
spec("params.explain_count", {"layer_sizes": Seq([784, 512, 10], huge=False),
                              "count": Arg(407050, [("None", None), ("nan", float("nan")), ("text", "1"),
                                                    ("float", 1.5), ("inf", float("inf"))],
                                           [("huge", 10**30), ("negative", -1)], accept=lambda r: isinstance(r, str)),
                              "image_shape": IMAGE.optional()},
     given=st.tuples(widths, st.integers(-2, 2)).map(
         lambda t: {"layer_sizes": t[0], "count": torch_count(t[0]) + t[1]}),
     check=lambda r, layer_sizes, count, **kw: (r == "right") == (count == torch_count(layer_sizes)) or _fail(r))
spec("params.check_parameter_count", {"layer_sizes": Seq([784, 512, 10], huge=False), "answer": Answer(407050),
                                      "image_shape": IMAGE.optional()},
     given=st.tuples(widths, st.integers(-2, 2)).map(
         lambda t: {"layer_sizes": t[0], "answer": torch_count(t[0]) + t[1]}),
     check=lambda r, layer_sizes, answer, **kw: bool(r) == (answer == torch_count(layer_sizes)) or _fail(r))
spec("params.check_conv_parameter_count",
     {"in_channels": Int(3, 1), "out_channels": Int(8, 1), "kernel_size": KERNEL, "answer": Answer(224)},
     given=st.tuples(convs, st.integers(-1, 1)).map(
         lambda t: {**t[0], "answer": torch_conv_count(**t[0]) + t[1]}),
     check=lambda r, answer, **kw: bool(r) == (answer == torch_conv_count(**kw)) or _fail(r))

# --- binary -------------------------------------------------------------------------------------

record("binary.Head", "binary.History")
DATA = {"n": Size(10, 2), "generator": TorchGen()}
spec("binary.make_moons", {**DATA, "noise": Real(0.2, 0.0)},
     given=st.fixed_dictionaries({"n": st.integers(2, 50), "noise": st.floats(0, 1)}),
     check=lambda r, n, **kw: (r[0].shape == (n, 2) and r[1].tolist() == [0] * (n - n // 2) + [1] * (n // 2))
     or _fail(r))
spec("binary.make_blobs", {**DATA, "distance": Real(3.0, 0.0)},
     given=st.fixed_dictionaries({"n": st.integers(2, 50), "distance": st.floats(0, 10)}),
     check=lambda r, n, **kw: (r[0].shape == (n, 2) and int(r[1].sum()) == n // 2) or _fail(r))
spec("binary.make_dataset", {"name": Choice("moons").named("data"), **DATA},
     given=st.fixed_dictionaries({"name": st.sampled_from(binary.DATASETS), "n": st.integers(2, 30)}),
     check=lambda r, name, n, generator: r[0].shape == (n, 2) or _fail(r))
HIDDEN = Arg((16,), [("None", None), ("text", "16"), ("zero width", (0,)), ("float width", (2.5,)),
                     ("huge width", (10**7,)), ("number", 16)], [("no hidden layer", ())])
spec("binary.BinaryClassifier", {"outputs": Arg(2, [("three", 3), ("float", 1.0 + 0.5), ("bool", True), ("None", None),
                                                    ("text", "2")]),
                                 "hidden": HIDDEN, "generator": TorchGen(optional=True)},
     given=st.fixed_dictionaries({"outputs": st.sampled_from([1, 2]), "hidden": st.lists(st.integers(1, 8),
                                                                                         max_size=3).map(tuple)}),
     check=lambda r, outputs, hidden, generator: r(torch.zeros(5, 2)).shape == (5, outputs) or _fail(r))
spec("binary.make_model", {"head": Choice("two_softmax"), "hidden": HIDDEN, "generator": TorchGen(optional=True)},
     given=st.fixed_dictionaries({"head": st.sampled_from(sorted(binary.HEADS))}),
     check=lambda r, head, **kw: r.output.out_features == binary.HEADS[head].outputs or _fail(r))


def logits_for(head, seed=0, B=6):
    return torch.randn(B, binary.HEADS[head].outputs, generator=gen(seed), dtype=torch.float64) * 3


heads = st.sampled_from(sorted(binary.HEADS))
head_cases = st.tuples(heads, st.integers(0, 99)).map(lambda t: {"head": t[0], "logits": logits_for(*t)})
REFERENCE_P = {"one_sigmoid": lambda z: torch.sigmoid(z[:, 0]), "two_softmax": lambda z: torch.softmax(z, 1)[:, 1],
               "one_softmax": lambda z: torch.ones(len(z), dtype=z.dtype),
               "two_sigmoid": lambda z: torch.sigmoid(z[:, 1]) / torch.sigmoid(z).sum(1)}
LOGITS = Ten(Fresh(lambda: logits_for("two_softmax")), finite=False, empty_ok=True, numpy_ok=False)
spec("binary.probability", {"logits": LOGITS, "head": Choice("two_softmax")}, finite=False, given=head_cases,
     check=lambda r, logits, head: torch.allclose(r, REFERENCE_P[head](logits)) or _fail(r))
spec("binary.predict", {"logits": Ten(Fresh(lambda: logits_for("two_softmax")), empty_ok=True, numpy_ok=False),
                        "head": Choice("two_softmax")}, given=head_cases,
     check=lambda r, logits, head: torch.equal(r, (REFERENCE_P[head](logits) >= 0.5).long()) or _fail(r))
LABELS = Ten(torch.tensor([0, 1, 1, 0, 1, 0]), integral=True, numpy_ok=False).with_bad(
    ("label 2", torch.tensor([2, 2, 2, 0, 1, 0])), ("float labels", torch.tensor([0.0, 1, 1, 0, 1, 0])),
    ("too few", torch.tensor([0, 1])))
REFERENCE_LOSS = {
    "one_sigmoid": lambda z, y: F.binary_cross_entropy(torch.sigmoid(z[:, 0]), y.double()),
    "two_softmax": lambda z, y: F.nll_loss(torch.log_softmax(z, 1), y),
    "two_sigmoid": lambda z, y: F.binary_cross_entropy(torch.sigmoid(z), F.one_hot(y, 2).double()),
    "one_softmax": lambda z, y: F.binary_cross_entropy(torch.ones(len(z), dtype=z.dtype), y.double()),
}
spec("binary.loss", {"logits": LOGITS, "y": LABELS, "head": Choice("two_softmax")}, finite=False,
     given=head_cases.map(lambda kw: {**kw, "y": torch.tensor([0, 1, 1, 0, 1, 0])}),
     check=lambda r, logits, y, head: torch.allclose(r, REFERENCE_LOSS[head](logits, y)) or _fail(r))
spec("binary.two_logit_probability", {"z": Ten(Fresh(lambda: logits_for("two_softmax")), finite=False, empty_ok=True)},
     finite=False, given=head_cases.map(lambda kw: {"z": logits_for("two_softmax", B=4)}),
     check=lambda r, z: torch.allclose(r, torch.softmax(z, 1)[:, 1]) or _fail(r))
TWO = binary.make_model("two_softmax", (4,), gen(0))
spec("binary.collapse_two_logits", {"model": Obj(TWO, ("one output", binary.make_model("one_sigmoid")))},
     check=lambda r, model: torch.allclose(torch.sigmoid(r(torch.ones(3, 2))[:, 0]),
                                           torch.softmax(model(torch.ones(3, 2)), 1)[:, 1], atol=1e-6) or _fail(r))
spec("binary.parameter_count", {"model": Obj(TWO)},
     check=lambda r, model: r == sum(p.numel() for p in model.parameters()) or _fail(r))
CONFIG_FIELDS = {"head": Choice("one_sigmoid"), "data": Choice("moons"), "n": Size(20, 4, 100_000),
                 "hidden": HIDDEN, "epochs": Size(2, 1, 10_000), "lr": Real(0.05, above=0.0, maximum=10.0),
                 "seed": Int(0, 0, 2**63 - 1), "data_seed": Int(0, 0, 2**63 - 1)}
spec("binary.BinaryConfig", CONFIG_FIELDS, check=lambda r, **kw: all(getattr(r, k) == v for k, v in kw.items())
     or _fail(r))
SMALL = binary.BinaryConfig(n=20, epochs=2, hidden=(4,))
CONFIG = Obj(SMALL, ("a dict", {"epochs": 5}))
spec("binary.dataset", {"config": CONFIG},
     check=lambda r, config: r[0].shape == (config.n, 2) or _fail(r))
spec("binary.initial_history", {"config": CONFIG}, check=lambda r, config: r.epochs_done == 0 or _fail(r))
spec("binary.iter_training", {"config": CONFIG},
     check=lambda r, config: [h.epochs_done for h in r] == list(range(1, config.epochs + 1)) or _fail(r))
spec("binary.train", {"config": CONFIG},
     given=st.fixed_dictionaries({"config": st.sampled_from(sorted(binary.HEADS)).map(
         lambda h: binary.BinaryConfig(head=h, n=20, epochs=2, hidden=(4,)))}), examples=4,
     check=lambda r, config: (r.epochs_done == config.epochs and len(r.loss) == config.epochs) or _fail(r))
LIMITS = Arg(((-1.0, 1.0), (-1.0, 1.0)), [("None", None), ("one pair", (-1.0, 1.0)), ("reversed", ((1, -1), (0, 1))),
                                          ("nan", ((float("nan"), 1), (0, 1))), ("text", "auto")])
spec("binary.probability_grid",
     {"model": Obj(TWO), "head": Choice("two_softmax"), "limits": LIMITS,
      "resolution": Size(11, 2, 2000)},
     given=st.fixed_dictionaries({"resolution": st.integers(2, 30)}),
     check=lambda r, model, head, limits, resolution: (r[2].shape == (resolution, resolution)
                                                       and np.all((r[2] >= 0) & (r[2] <= 1))) or _fail(r))
spec("binary.data_limits", {"X": Ten(Fresh(lambda: torch.randn(5, 2, generator=gen())), int_ok=True),
                            "margin": Real(0.5, 0.0)},
     given=st.fixed_dictionaries({"X": st.integers(0, 99).map(lambda s: torch.randn(5, 2, generator=gen(s))),
                                  "margin": st.floats(0, 3)}),
     check=lambda r, X, margin: np.allclose(r, [(float(X[:, i].min()) - margin, float(X[:, i].max()) + margin)
                                                for i in (0, 1)]) or _fail(r))
spec("binary.check_two_logit_probability",
     {"z0": Real(0.0), "z1": Real(1.0), "p": Real(0.731), "tol": Tol(1e-3)},
     given=st.fixed_dictionaries({"z0": st.floats(-20, 20), "z1": st.floats(-20, 20), "p": st.floats(0, 1),
                                  "tol": st.floats(1e-6, 0.1)}),
     check=lambda r, z0, z1, p, tol: bool(r) == (abs(p - float(torch.sigmoid(torch.tensor(z1 - z0,
                                                                                          dtype=torch.float64)))) <= tol)
     or _fail(r))
W2, B2 = np.array([[1.0, -2.0], [3.0, 0.5]]), np.array([0.5, -1.0])
spec("binary.check_single_logit_layer",
     {"W2": Arr(W2), "b2": Arr(B2), "w": Arr(np.array([2.0, 2.5])).as_answer(), "b": Real(-1.5).as_answer(),
      "tol": Tol(1e-9)},
     given=st.tuples(st.lists(st.floats(-5, 5), min_size=6, max_size=6), st.booleans()).map(
         lambda t: {"W2": np.array(t[0][:4]).reshape(2, 2), "b2": np.array(t[0][4:]),
                    "w": np.array(t[0][2:4]) - np.array(t[0][:2]) + (0 if t[1] else 1),
                    "b": t[0][5] - t[0][4]}),
     check=lambda r, W2, b2, w, b, tol: bool(r) == bool(np.allclose(w, W2[1] - W2[0], atol=tol)
                                                        and abs(b - (b2[1] - b2[0])) <= tol) or _fail(r))
TRAINABLE = {h for h, s in binary.HEADS.items() if s.trainable}
spec("binary.check_trainable_heads",
     {"answer": Arg({"one_sigmoid"}, [("None", None), ("unknown", {"three"}), ("number", 3), ("unhashable", [[1]])],
                    [("one name", "one_sigmoid")])},
     given=st.fixed_dictionaries({"answer": st.sets(heads)}),
     check=lambda r, answer: bool(r) == (answer == TRAINABLE) or _fail(r))
