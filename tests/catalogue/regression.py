"""dlexam.regression: least squares against NumPy, splits by their partition properties, checks by definition."""

import math

import numpy as np
from hypothesis import strategies as st

from dlexam import regression as R

from . import Answer, Arg, Arr, Choice, Fixed, Int, NpGen, Obj, Real, Size, Tol, record, spec


def _fail(result):
    raise AssertionError(f"property fails for {result!r}"[:300])


X = np.array([1.0, 2.0, 4.0, 5.0, 7.0, 8.0])
Y = np.array([2.1, 3.9, 8.2, 9.8, 14.1, 16.2])
XV = Arr(X)
YV = Arr(Y).with_bad(("wrong length", Y[:3]))
xy = st.integers(3, 20).flatmap(lambda n: st.tuples(
    st.lists(st.floats(-100, 100), min_size=n, max_size=n).filter(lambda v: np.ptp(v) > 1e-3),
    st.lists(st.floats(-100, 100), min_size=n, max_size=n))).map(lambda t: {"x": np.array(t[0]), "y": np.array(t[1])})
MPG = Arr(np.array([20.0, 30.0]), ndim_ok=(0, 1)).with_bad(("zero", np.array([0.0, 1.0])))
mpgs = st.fixed_dictionaries({"mpg": st.lists(st.floats(1, 100), min_size=1, max_size=5).map(np.array)})
spec("regression.litres_per_100km", {"mpg": MPG}, given=mpgs,
     check=lambda r, mpg: np.allclose(r, 100 * 3.785411784 / (1.609344 * mpg)) or _fail(r))
spec("regression.co2_g_per_km", {"mpg": MPG, "fuel": Arg("gasoline", [("None", None), ("unknown", "coal"),
                                                                      ("number", 3), ("wrong count", ["diesel"] * 3)],
                                                         [("one per car", ["gasoline", "diesel"])])},
     given=st.tuples(mpgs, st.sampled_from(["gasoline", "diesel"])).map(lambda t: {**t[0], "fuel": t[1]}),
     check=lambda r, mpg, fuel: np.allclose(r, 100 * 3.785411784 / (1.609344 * mpg) / 100
                                            * {"gasoline": 8887.0, "diesel": 10180.0}[fuel] / 3.785411784) or _fail(r))
record("regression.Cars", "regression.LineModel", "regression.Standardiser", "regression.MLPModel",
       "regression.Errors", "regression.Run", "regression.SplitFit")
spec("regression.load_cars", {}, check=lambda r: (len(r) == 398 and np.all(r.co2_g_per_km > 0)) or _fail(r))
spec("regression.fit_line", {"x": XV.with_bad(("constant", np.ones(6))), "y": YV}, given=xy,
     check=lambda r, x, y: np.allclose(r, np.polyfit(x, y, 1), atol=1e-6) or _fail(r))
spec("regression.predict_line", {"slope": Real(2.0), "intercept": Real(0.5), "x": XV}, given=xy.map(
    lambda kw: {"x": kw["x"], "slope": 1.5, "intercept": -2.0}),
     check=lambda r, slope, intercept, x: np.allclose(r, slope * x + intercept) or _fail(r))
spec("regression.mse", {"y": Arr(Y), "prediction": Arr(Y + 1).with_bad(("wrong length", Y[:2]))},
     given=xy.map(lambda kw: {"y": kw["y"], "prediction": kw["x"]}),
     check=lambda r, y, prediction: math.isclose(r, float(np.mean((y - prediction) ** 2))) or _fail(r))
spec("regression.r_squared", {"y": Arr(Y).with_bad(("constant", np.ones(6))), "prediction": Arr(Y + 1)},
     given=xy.map(lambda kw: {"y": kw["y"], "prediction": kw["x"]}).filter(lambda kw: np.var(kw["y"]) > 0),
     check=lambda r, y, prediction: math.isclose(r, 1 - np.mean((y - prediction) ** 2) / np.var(y), rel_tol=1e-9,
                                                 abs_tol=1e-12) or _fail(r))


def poly_r2(x, y, degree):
    fitted = np.polyval(np.polyfit(x, y, degree), x)
    return 1 - np.mean((y - fitted) ** 2) / np.var(y)


spec("regression.polynomial_r_squared", {"x": XV, "y": YV, "degree": Int(2, 1, 5)},
     given=st.tuples(st.integers(1, 3), st.integers(0, 99)).map(lambda t: {
         "degree": t[0], "x": np.linspace(0, 3, 12), "y": np.random.default_rng(t[1]).normal(size=12)}),
     check=lambda r, x, y, degree: math.isclose(r, poly_r2(x, y, degree), rel_tol=1e-6, abs_tol=1e-9) or _fail(r))
spec("regression.binned_residuals", {"x": XV, "residuals": YV.named("residuals"),
                                     "n_bins": Int(3, 1).with_bad(("more bins than points", 7))},
     given=st.integers(1, 6).map(lambda b: {"x": X, "residuals": Y, "n_bins": b}),
     check=lambda r, x, residuals, n_bins: (len(r[0]) == n_bins and math.isclose(
         float(np.sum(r[1] * np.bincount(R.quantile_strata(x, n_bins)))), float(residuals.sum()))) or _fail(r))
FRACTION = Real(0.5, above=0.0, below=1.0)
spec("regression.sorted_split", {"x": XV, "train_fraction": FRACTION, "validation": Choice("largest")},
     given=st.tuples(st.floats(0.1, 0.9), st.sampled_from(["largest", "smallest"])).map(
         lambda t: {"x": X, "train_fraction": t[0], "validation": t[1]}),
     check=lambda r, x, train_fraction, validation: (sorted([*r[0], *r[1]]) == list(range(len(x))) and (
         x[r[1]].min() >= x[r[0]].max() if validation == "largest" else x[r[1]].max() <= x[r[0]].min()))
     or _fail(r))
spec("regression.shuffled_split", {"n": Int(10, 2, 10**7), "train_fraction": FRACTION, "rng": NpGen()},
     given=st.fixed_dictionaries({"n": st.integers(2, 50), "train_fraction": st.floats(0.3, 0.7)}),
     check=lambda r, n, train_fraction, rng: sorted([*r[0], *r[1]]) == list(range(n)) or _fail(r))
spec("regression.split", {"kind": Choice("sorted"), "x": XV, "train_fraction": FRACTION,
                          "rng": NpGen(optional=True)},
     given=st.fixed_dictionaries({"kind": st.sampled_from(R.SPLITS)}),
     call=lambda f, kind, x, train_fraction, rng: f(kind, x, train_fraction, np.random.default_rng(0)
                                                    if kind == "shuffled" and rng is None else rng),
     check=lambda r, x, **kw: sorted([*r[0], *r[1]]) == list(range(len(x))) or _fail(r))
YEARS = np.array([1970, 1971, 1972, 1973, 1974])
spec("regression.time_split", {"year": Arr(YEARS), "last_training_year": Real(1972).with_bad(("after all", 1980))},
     given=st.fixed_dictionaries({"last_training_year": st.integers(1970, 1973)}),
     call=lambda f, year, last_training_year: f(year, last_training_year),
     check=lambda r, year, last_training_year: (np.all(year[r[0]] <= last_training_year)
                                                and np.all(year[r[1]] > last_training_year)) or _fail(r))


def every_point_once(result, n):
    validation = np.concatenate([v for _, v in result])
    assert sorted(validation) == list(range(n))
    for train, val in result:
        assert sorted([*train, *val]) == list(range(n))


spec("regression.kfold_splits", {"n": Int(10, 2, 10**7), "k": Int(3, 2, 10), "rng": NpGen(optional=True)},
     given=st.integers(2, 30).flatmap(lambda n: st.fixed_dictionaries({"n": st.just(n), "k": st.integers(2, n)})),
     check=lambda r, n, k, rng: every_point_once(r, n))
spec("regression.quantile_strata", {"x": XV, "n_strata": Int(3, 1, 6)},
     given=st.tuples(st.lists(st.floats(-10, 10), min_size=1, max_size=20), st.integers(1, 20)).map(
         lambda t: {"x": np.array(t[0]), "n_strata": min(t[1], len(t[0]))}),
     check=lambda r, x, n_strata: (np.ptp(np.bincount(r, minlength=n_strata)) <= 1
                                   and np.all(np.diff(r[np.argsort(x, kind="stable")]) >= 0)) or _fail(r))
STRATA = np.array([0, 0, 1, 1, 2, 2, 0, 1])
spec("regression.stratified_kfold_splits",
     {"strata": Arg(STRATA, [("None", None), ("one label", [0]), ("floats", np.array([0.5] * 8)),
                             ("matrix", np.zeros((2, 4)))]), "k": Int(2, 2, 8), "rng": NpGen()},
     given=st.tuples(st.lists(st.integers(0, 3), min_size=2, max_size=20), st.integers(2, 20)).map(
         lambda t: {"strata": np.array(t[0]), "k": min(t[1], len(t[0]))}),
     check=lambda r, strata, k, rng: (every_point_once(r, len(strata)) is None
                                      and np.ptp([len(v) for _, v in r]) <= 1) or _fail(r))
spec("regression.outside_range_fraction", {"x_train": XV, "x_val": Arr(np.array([0.0, 3.0, 9.0]))},
     given=xy.map(lambda kw: {"x_train": kw["x"], "x_val": kw["y"]}),
     check=lambda r, x_train, x_val: math.isclose(r, float(np.mean((x_val < x_train.min()) | (x_val > x_train.max()))))
     or _fail(r))
CONFIG_FIELDS = {"kind": Choice("mlp"), "activation": Choice("tanh"), "width": Int(4, 1, 256), "depth": Int(1, 1, 6),
                 "steps": Int(5, 1, 100_000), "lr": Real(0.01, above=0.0, maximum=1.0)}
spec("regression.ModelConfig", CONFIG_FIELDS,
     check=lambda r, **kw: all(getattr(r, k) == v for k, v in kw.items()) or _fail(r))
spec("regression.model_config", {"label": Arg("linear regression", [("None", None), ("unknown", "forest"),
                                                                   ("number", 3), ("unhashable", ["x"])]).named("model")},
     given=st.fixed_dictionaries({"label": st.sampled_from([c.label for c in R.MODELS])}),
     check=lambda r, label: r.label == label or _fail(r))
TINY = R.ModelConfig(width=4, steps=5)
spec("regression.fit_mlps",
     {"config": Obj(TINY, ("linear", R.LINEAR)),
      "xs": Arg([X, X], [("None", None), ("number", 3), ("one too few", [X]), ("unequal lengths", [X, X[:4]])]),
      "ys": Arg([Y, Y], [("None", None), ("nan", [Y, np.full(6, np.nan)])]),
      "seeds": Arg([0, 1], [("None", None), ("negative", [0, -1]), ("text", "01"), ("too many", list(range(1001))),
                            ("number", 3)])},
     given=st.integers(1, 3).map(lambda k: {"xs": [X] * k, "ys": [Y] * k, "seeds": list(range(k))}),
     check=lambda r, config, xs, ys, seeds: (len(r) == len(seeds) and all(
         m.loss_history.shape == (config.steps,) and np.all(np.isfinite(m.predict(X))) for m in r)) or _fail(r))
spec("regression.fit", {"config": Obj(R.LINEAR), "x": XV, "y": YV, "seed": Int(0, 0)},
     given=st.sampled_from([R.LINEAR, TINY]).map(lambda c: {"config": c}),
     check=lambda r, config, x, y, seed: (config.kind != "linear" or np.allclose((r.slope, r.intercept),
                                                                                 np.polyfit(x, y, 1))) or _fail(r))
LINE = R.fit(R.LINEAR, X, Y)
spec("regression.evaluate", {"model": Obj(LINE), "x_train": XV, "y_train": YV, "x_val": XV,
                             "y_val": YV},
     check=lambda r, model, x_train, y_train, x_val, y_val: math.isclose(
         r.train, float(np.mean((model.predict(x_train) - y_train) ** 2))) or _fail(r))
spec("regression.extrapolation_slope", {"model": Obj(LINE), "x0": Real(1.0), "x1": Real(2.0).with_bad(("same", 1.0))},
     given=st.tuples(st.floats(-100, 100), st.floats(0.1, 100)).map(lambda t: {"x0": t[0], "x1": t[0] + t[1]}),
     check=lambda r, model, x0, x1: math.isclose(r, model.slope, rel_tol=1e-6) or _fail(r))
SPLITS = {"sorted": R.sorted_split(X, 0.5)}
spec("regression.run_experiment",
     {"configs": Arg([R.LINEAR], [("None", None), ("text", "linear"), ("not configs", ["linear"])]),
      "x": XV, "y": YV, "splits": Arg(SPLITS, [("None", None), ("empty", {}), ("not pairs", {"a": 3}),
                                             ("out of range", {"a": (np.array([0, 99]), np.array([1]))})]),
      "seeds": Fixed((0,))},
     check=lambda r, configs, splits, **kw: len(r) == len(configs) * len(splits) or _fail(r))
RUNS = R.run_experiment([R.LINEAR], X, Y, SPLITS)
spec("regression.summarise", {"runs": Arg(RUNS, [("None", None), ("number", 3), ("not runs", [1, 2])]),
                              "split_names": Arg(None, [("number", 3)], [("sorted", ["sorted"])])},
     check=lambda r, runs, split_names: math.isclose(r["linear regression"]["sorted"][0], runs[0].errors.validation)
     or _fail(r))
spec("regression.make_data", {"data": Choice(R.DATASETS[0]), "noise": Real(0.0, 0.0, 1000.0), "seed": Int(0, 0)},
     given=st.fixed_dictionaries({"data": st.sampled_from(R.DATASETS), "noise": st.floats(0, 50)}), examples=5,
     check=lambda r, data, noise, seed: (len(r[0]) == len(r[1]) == 398 and np.all(np.isfinite(r[1]))) or _fail(r))
spec("regression.split_and_fit",
     {"data": Choice(R.DATASETS[0]), "config": Obj(R.LINEAR), "split_kind": Choice("sorted").named("split"),
      "train_fraction": FRACTION, "noise": Real(0.0, 0.0, 1000.0), "seed": Int(0, 0)},
     given=st.fixed_dictionaries({"split_kind": st.sampled_from(R.SPLITS), "train_fraction": st.floats(0.2, 0.8)}),
     examples=5,
     check=lambda r, **kw: (0 <= r.outside <= 1 and len(r.train) + len(r.validation) == 398) or _fail(r))
spec("regression.check_line", {"slope": Answer(2.0).without("huge"), "intercept": Answer(0.0).without("huge"),
                               "x": XV, "y": YV, "rel_tol": Tol(1e-6)},
     given=st.tuples(xy, st.booleans()).map(lambda t: {
         **t[0], **dict(zip(("slope", "intercept"), np.polyfit(t[0]["x"], t[0]["y"], 1) + (0 if t[1] else 1)))}),
     check=lambda r, slope, intercept, x, y, rel_tol: bool(r) == bool(np.allclose(
         (slope, intercept), np.polyfit(x, y, 1), rtol=1e-6, atol=1e-9)) or _fail(r))
spec("regression.check_outside_fraction", {"value": Answer(0.5), "x_train": XV, "x_val": Arr(np.array([0.0, 3.0])),
                                           "abs_tol": Tol(1e-3)},
     given=st.tuples(xy, st.booleans()).map(lambda t: {
         "x_train": t[0]["x"], "x_val": t[0]["y"],
         "value": float(np.mean((t[0]["y"] < t[0]["x"].min()) | (t[0]["y"] > t[0]["x"].max()))) + (0 if t[1] else 0.5)}),
     check=lambda r, value, x_train, x_val, abs_tol: bool(r) == (abs(value - float(np.mean(
         (x_val < x_train.min()) | (x_val > x_train.max())))) <= abs_tol) or _fail(r))


def line_validation_mse(x_train, y_train, x_val, y_val):
    slope, intercept = np.polyfit(x_train, y_train, 1)
    return float(np.mean((slope * x_val + intercept - y_val) ** 2))


spec("regression.check_validation_mse",
     {"value": Answer(1.0), "x_train": XV, "y_train": YV, "x_val": XV, "y_val": YV, "rel_tol": Tol(1e-3)},
     given=st.tuples(xy, st.booleans()).map(lambda t: {
         "x_train": t[0]["x"], "y_train": t[0]["y"], "x_val": t[0]["x"][::-1], "y_val": t[0]["y"] + 1,
         "value": line_validation_mse(t[0]["x"], t[0]["y"], t[0]["x"][::-1], t[0]["y"] + 1) * (1 if t[1] else 3)}),
     check=lambda r, value, rel_tol, **kw: bool(r) == math.isclose(value, line_validation_mse(**kw), rel_tol=rel_tol)
     or _fail(r))
