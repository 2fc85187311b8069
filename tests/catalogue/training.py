"""dlexam.training, stacked_training and bias_variance: small runs against the plain loop, the formulas of the split."""

import itertools
import math

import numpy as np
import torch
from hypothesis import strategies as st

from dlexam import bias_variance, particles, stacked_training, training

from . import Answer, Arg, Bool, Choice, Fixed, Fresh, Func, Int, Obj, Real, Size, Text, Ten, Tol, record, spec


def _fail(result):
    raise AssertionError(f"property fails for {result!r}"[:300])


SMALL = training.TrainConfig(model="mlp", epochs=1, n_train=8, batch_size=4)
CONFIG = Obj(SMALL, ("a dict", {"epochs": 1}))

spec("training.is_int", {"value": Fixed(3)},
     given=st.fixed_dictionaries({"value": st.one_of(st.integers(), st.floats(), st.booleans(), st.text(max_size=2),
                                                     st.integers().map(np.int64))}),
     check=lambda r, value: r == (isinstance(value, (int, np.integer)) and not isinstance(value, bool)) or _fail(r))
FIELDS = {"model": Choice("mlp"), "rotate": Arg(False, [("text", "yes"), ("None", None), ("number", 2)]),
          "permute": Arg(False, [("text", "yes"), ("None", None)]), "epochs": Size(1, 1, 100_000),
          "lr": Real(1e-3, above=0.0), "batch_size": Size(4, 1, 100_000), "seed": Int(0, 0),
          "data_seed": Int(0, 0), "n_train": Size(8, 1, 100_000), "frame": Choice("canonical"),
          "rotation_sampler": Choice("uniform")}
spec("training.TrainConfig", FIELDS, check=lambda r, **kw: all(getattr(r, k) == v for k, v in kw.items()) or _fail(r))
spec("training.exam_configs", {"base": CONFIG, "networks": Arg(("mlp", "deepsets"), [
    ("None", None), ("text", "mlp"), ("unknown", ("cnn",)), ("empty", ()), ("unhashable", ([1],))])},
    check=lambda r, base, networks: [(c.model, c.augmentation) for c in r] == [
        (m, a) for m in networks for a in training.AUGMENTATIONS] or _fail(r))
record("training.History")


def check_training_set(result, config):
    X, y = result
    assert X.shape == (config.n_train, 20, 3) and y.shape == (config.n_train,)
    assert torch.allclose(y, particles.standardise(particles.target(X)), atol=1e-4)


spec("training.training_set", {"config": CONFIG}, check=check_training_set)
spec("training.training_data", {"config": CONFIG},
     check=lambda r, config: (len(r) == 4 and r[2].shape == (particles.N_VALIDATION, 20, 3)) or _fail(r))
spec("training.validation_set", {"frame": Choice("random")},
     given=st.fixed_dictionaries({"frame": st.sampled_from(particles.FRAMES)}),
     check=lambda r, frame: torch.allclose(torch.pdist(r[0][0].double()),
                                           torch.pdist(training.validation_set("random")[0][0].double())
                                           .sort().values[torch.argsort(torch.argsort(torch.pdist(r[0][0].double())))]
                                           , atol=1e-4) or _fail(r))
spec("training.initial_model", {"config": CONFIG},
     check=lambda r, config: all(torch.equal(a, b) for a, b in zip(
         r.parameters(), training.initial_model(config).parameters())) or _fail(r))
spec("training.train_plain", {"config": CONFIG},
     check=lambda r, config: (len(r.train_loss) == config.epochs and len(r.val_loss) == config.epochs
                              and r.status == "completed") or _fail(r))
spec("training.regime_label", {"model": Choice("mlp"), "augmentation": Choice("none")},
     given=st.fixed_dictionaries({"model": st.sampled_from(["mlp", "deepsets", "pairsum"]),
                                  "augmentation": st.sampled_from(list(training.AUGMENTATIONS))}),
     check=lambda r, model, augmentation: r.endswith(f", {augmentation}") or _fail(r))
VALUES = {("mlp", "none"): 1.0, ("deepsets", "none"): 0.5}
spec("training.extreme_verdict",
     {"values": Arg(VALUES, [("None", None), ("empty", {}), ("nan value", {("mlp", "none"): float("nan")}),
                             ("text value", {("mlp", "none"): "1"})]),
      "answer": Arg("MLP, none", [("None", None), ("unknown", "CNN, none"), ("number", 3)],
                    [("not among them", "PairSum, none")]),
      "what": Text("final loss"), "largest": Bool(True), "rel_tol": Tol(1e-9), "among": Text("runs")},
     given=st.tuples(st.lists(st.floats(0, 10), min_size=2, max_size=2), st.booleans(), st.booleans()).map(
         lambda t: {"values": dict(zip([("mlp", "none"), ("deepsets", "none")], t[0])),
                    "answer": "MLP, none" if t[1] else "DeepSets, none", "largest": t[2]}),
     check=lambda r, values, answer, largest, **kw: bool(r) == math.isclose(
         values[("mlp", "none") if answer.startswith("MLP") else ("deepsets", "none")],
         (max if largest else min)(values.values()), rel_tol=1e-9) or _fail(r))


def fake(model, augmentation, train, val):
    config = training.TrainConfig(model=model, rotate=augmentation in ("rotations", "both"),
                                  permute=augmentation in ("permutations", "both"))
    return training.History(config, train_loss=list(train), val_loss=list(val))


HISTORIES = [fake("mlp", "none", [1.0, 0.1], [1.0, 0.9]), fake("deepsets", "both", [1.0, 0.3], [1.0, 0.2])]
spec("training.check_run",
     {"histories": Arg(HISTORIES, [("None", None), ("number", 3), ("empty", []),
                                   ("diverged", [fake("mlp", "none", [1.0], [float("nan")])])]),
      "answer": Arg("MLP, none", [("None", None), ("unknown", "CNN, none")]),
      "question": Choice("largest gap")},
     given=st.fixed_dictionaries({"answer": st.sampled_from(["MLP, none", "DeepSets, both"]),
                                  "question": st.sampled_from(["largest gap", "lowest validation",
                                                               "highest training"])}),
     check=lambda r, answer, question, **kw: bool(r) == {
         "largest gap": answer == "MLP, none", "lowest validation": answer == "DeepSets, both",
         "highest training": answer == "DeepSets, both"}[question] or _fail(r))
spec("training.check_best_epoch",
     {"history": Arg(HISTORIES[0], [("None", None), ("untrained", fake("mlp", "none", [], [])),
                                    ("nan loss", fake("mlp", "none", [1.0], [float("nan")]))]),
      "answer": Answer(2)},
     given=st.tuples(st.lists(st.floats(0, 5), min_size=1, max_size=6), st.integers(1, 6)).map(
         lambda t: {"history": fake("mlp", "none", t[0], t[0]), "answer": t[1]}),
     check=lambda r, history, answer: bool(r) == (answer == int(np.argmin(history.val_loss)) + 1) or _fail(r))
spec("training.curve_difference",
     {"a": Arg(HISTORIES[0], [("None", None), ("list", [1.0]), ("nan", fake("mlp", "none", [float("nan")], [1.0]))]),
      "b": Arg(HISTORIES[1], [("None", None), ("no epochs", fake("mlp", "none", [], []))])},
     given=st.tuples(st.lists(st.floats(0, 5), min_size=1, max_size=4), st.lists(st.floats(0, 5), min_size=1,
                                                                                  max_size=4)).map(
         lambda t: {"a": fake("mlp", "none", t[0], t[0]), "b": fake("mlp", "none", t[1], t[1])}),
     check=lambda r, a, b: math.isclose(r, max(abs(x - y) for x, y in zip(a.train_loss, b.train_loss)))
     or _fail(r))

# --- stacked_training ---------------------------------------------------------------------------

spec("stacked_training.available_cores", {}, check=lambda r: (isinstance(r, int) and r >= 1) or _fail(r))


def check_stacked(result, configs, **kw):
    plain = training.train_plain(configs)
    assert np.allclose(result.train_loss, plain.train_loss, rtol=1e-4)
    assert np.allclose(result.val_loss, plain.val_loss, rtol=1e-4)


spec("stacked_training.train",
     {"configs": Arg(SMALL, [("None", None), ("empty", []), ("text", "mlp"), ("list of text", ["mlp"]),
                             ("a dict", {"epochs": 1})], [("a list", [SMALL])]),
      "callback": Arg(None, [("number", 3), ("text", "print")], [("returns None", lambda h: None)]),
      "validate": Arg(True, [("text", "no"), ("None", None), ("number", 1)], [("False", False)]),
      "progress": Arg(None, [("zero", 0), ("negative", -1), ("nan", float("nan")), ("inf", float("inf")),
                             ("text", "1"), ("bool", True)]),
      "workers": Arg(1, [("zero", 0), ("float", 1.5), ("huge", 10**12), ("text", "2"), ("bool", True)],
                     [("None", None)])},
     check=check_stacked)

# --- bias_variance ------------------------------------------------------------------------------

record("bias_variance.Regime", "bias_variance.BiasVariance")
spec("bias_variance.as_regime",
     {"regime": Arg(("mlp", "none"), [("None", None), ("text", "mlp"), ("unknown model", ("cnn", "none")),
                                      ("unhashable", ([1], "none")), ("too long", ("mlp", "none", "random", 5, 6)),
                                      ("zero n_train", ("mlp", "none", "random", 0)),
                                      ("huge n_train", ("mlp", "none", "random", 10**12))]).named("regime")},
     given=st.tuples(st.sampled_from(["mlp", "deepsets"]), st.sampled_from(list(training.AUGMENTATIONS)),
                     st.sampled_from(particles.FRAMES), st.integers(1, 500)).map(lambda t: {"regime": t}),
     check=lambda r, regime: tuple(r) == tuple(regime) or _fail(r))


def predictions_case(seed, K=4, n=6):
    g = torch.Generator().manual_seed(seed)
    return {"predictions": torch.randn(K, n, generator=g, dtype=torch.float64),
            "y": torch.randn(n, generator=g, dtype=torch.float64)}


def reference_split(predictions, y):
    p, t = predictions.numpy(), y.numpy()
    mean = p.mean(0)
    return np.mean((p - t) ** 2), np.mean((mean - t) ** 2), np.mean((p - mean) ** 2)


cases = st.tuples(st.integers(0, 10**6), st.integers(2, 6), st.integers(1, 8)).map(lambda t: predictions_case(*t))
PRED = {"predictions": Ten(Fresh(lambda: predictions_case(0)["predictions"]), int_ok=True, numpy_ok=False),
        "y": Ten(Fresh(lambda: predictions_case(0)["y"]), int_ok=True, numpy_ok=False).with_bad(
            ("wrong length", torch.zeros(3)))}
spec("bias_variance.decompose", PRED, given=cases,
     check=lambda r, predictions, y: np.allclose(r, reference_split(predictions, y)) or _fail(r))
spec("bias_variance.pointwise_decomposition", PRED, given=cases,
     check=lambda r, predictions, y: np.allclose([float(r[0].mean()), float(r[1].mean())],
                                                 reference_split(predictions, y)[1:]) or _fail(r))
spec("bias_variance.corrected_decomposition", PRED, given=cases,
     check=lambda r, predictions, y: np.allclose(r, (
         reference_split(predictions, y)[1] - reference_split(predictions, y)[2] / (len(predictions) - 1),
         reference_split(predictions, y)[2] * len(predictions) / (len(predictions) - 1))) or _fail(r))
spec("bias_variance.select_configurations",
     {**PRED, "n": Size(3, 1, 6), "how": Choice("spread over P")},
     given=st.tuples(cases, st.integers(1, 6), st.sampled_from(bias_variance.SELECTIONS)).map(
         lambda t: {**t[0], "n": min(t[1], len(t[0]["y"])), "how": t[2]}),
     check=lambda r, predictions, y, n, how: (len(set(r.tolist())) == n and bool(np.all(np.diff(y.numpy()[r]) >= 0)))
     or _fail(r))
BASE = training.TrainConfig(epochs=1, batch_size=4)


def check_measure(result, k, regimes, base, val_frames, progress):
    assert len(result) == len(regimes) * len(val_frames)
    for r in result:
        assert math.isclose(r.mse, r.bias2 + r.variance, rel_tol=1e-9) and r.predictions.shape[0] == k


spec("bias_variance.measure",
     {"k": Int(2, 2, 1000), "regimes": Arg([("mlp", "none", "canonical", 8)], [
         ("None", None), ("empty", []), ("text", "mlp"), ("unknown", [("mlp", "flips")])]),
      "base": Obj(BASE), "val_frames": Arg(("random",), [("text", "random"), ("unknown", ("sorted",)),
                                                          ("empty", ()), ("None", None)]),
      "progress": Arg(None, [("zero", 0), ("nan", float("nan")), ("text", "1")])},
     check=check_measure)


def check_decomposition_verdict(result, predictions, y, mse, bias2, variance, rel_tol):
    expected = reference_split(predictions, y)
    right = all(math.isclose(a, b, rel_tol=rel_tol, abs_tol=1e-9) for a, b in zip((mse, bias2, variance), expected))
    assert bool(result) == right


spec("bias_variance.check_decomposition",
     {**PRED, "mse": Answer(1.0).without("huge", "negative"), "bias2": Answer(0.5).without("huge", "negative"),
      "variance": Answer(0.5).without("huge", "negative"), "rel_tol": Tol(1e-3)},
     given=st.tuples(cases, st.booleans()).map(lambda t: {
         **t[0], **dict(zip(("mse", "bias2", "variance"),
                            [v + (0 if t[1] else 0.5) for v in reference_split(t[0]["predictions"], t[0]["y"])]))}),
     check=check_decomposition_verdict)
RESULTS = [bias_variance.BiasVariance(bias_variance.Regime(m, "none"), "random", v, v / 2, v / 2, 0.1,
                                      torch.zeros(2, 3)) for m, v in (("mlp", 1.0), ("deepsets", 0.2))]
spec("bias_variance.check_regime",
     {"results": Arg(RESULTS, [("None", None), ("number", 3), ("empty", [])]),
      "answer": Arg("MLP, none", [("None", None), ("unknown", "CNN, none"), ("not among them", "PairSum, none")]),
      "quantity": Choice("variance"), "train_frame": Choice("canonical"), "val_frame": Choice("random"),
      "largest": Bool(True), "n_train": Int(500, 1)},
     given=st.fixed_dictionaries({"answer": st.sampled_from(["MLP, none", "DeepSets, none"]),
                                  "quantity": st.sampled_from(["mse", "bias2", "variance"]),
                                  "largest": st.booleans()}),
     check=lambda r, answer, largest, **kw: bool(r) == ((answer == "MLP, none") == largest) or _fail(r))
