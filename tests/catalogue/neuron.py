"""dlexam.neuron: activations against torch, the neuron, truth tables, the checks against brute force."""

import itertools

import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import strategies as st

from dlexam import neuron

from . import Arg, Arr, Choice, Real, Tol, spec


def _fail(result):
    raise AssertionError(f"property fails for {result!r}"[:300])


floats = st.floats(-800, 800, allow_nan=False)
vectors = st.lists(floats, min_size=0, max_size=6).map(np.array)
Z = {"z": Arr(np.array([-1.0, 0.0, 2.0]), finite=False, empty_ok=True, ndim_ok=range(0, 5))}


def same(result, reference):
    np.testing.assert_allclose(result, reference, rtol=1e-12, atol=1e-300)


def torch_of(fn):
    return lambda z: fn(torch.tensor(np.asarray(z, dtype=float))).numpy()


spec("neuron.sigmoid", Z, finite=False, given=st.fixed_dictionaries({"z": vectors}),
     check=lambda r, z: same(r, torch_of(torch.sigmoid)(z)))
spec("neuron.tanh", Z, finite=False, given=st.fixed_dictionaries({"z": vectors}),
     check=lambda r, z: same(r, torch_of(torch.tanh)(z)))
spec("neuron.relu", Z, finite=False, given=st.fixed_dictionaries({"z": vectors}),
     check=lambda r, z: same(r, torch_of(torch.relu)(z)))
spec("neuron.leaky_relu", {**Z, "slope": Real(0.01)}, finite=False,
     given=st.fixed_dictionaries({"z": vectors, "slope": st.floats(0, 1)}),
     check=lambda r, z, slope: same(r, F.leaky_relu(torch.tensor(z, dtype=torch.float64), slope).numpy()))
spec("neuron.activation_function", {"name": Choice("sigmoid").named("activation")},
     given=st.fixed_dictionaries({"name": st.sampled_from(sorted(neuron.ACTIVATIONS))}),
     check=lambda r, name: r is neuron.ACTIVATIONS[name] or _fail(r))


@st.composite
def neuron_case(draw):
    n, d = draw(st.integers(0, 5)), draw(st.integers(1, 4))
    x = np.array(draw(st.lists(st.floats(-5, 5), min_size=n * d, max_size=n * d))).reshape(n, d)
    w = np.array(draw(st.lists(st.floats(-5, 5), min_size=d, max_size=d)))
    return {"x": x, "w": w, "b": draw(st.floats(-5, 5))}


def torch_neuron(x, w, b, activation=None):
    z = torch.tensor(x, dtype=torch.float64) @ torch.tensor(w, dtype=torch.float64) + b
    return z if activation is None else getattr(torch, activation)(z)


XWB = {"x": Arr(np.ones((2, 3)), empty_ok=True), "w": Arr(np.ones(3)), "b": Real(0.5)}
spec("neuron.pre_activation", XWB, given=neuron_case(),
     check=lambda r, **kw: np.allclose(r, torch_neuron(**kw)) or _fail(r))
spec("neuron.neuron_output", {**XWB, "activation": Choice("sigmoid")},
     given=st.tuples(neuron_case(), st.sampled_from(["sigmoid", "tanh", "relu"])).map(
         lambda t: {**t[0], "activation": t[1]}),
     check=lambda r, activation, **kw: np.allclose(r, torch_neuron(**kw, activation=activation)) or _fail(r))

CORNERS = np.array([[1, 1], [1, 0], [0, 1], [0, 0]], float)
spec("neuron.TruthTable",
     {"name": Arg("mine", [("None", None), ("number", 3)]),
      "inputs": Arr(CORNERS), "targets": Arr(np.array([0.0, 1.0, 1.0, 0.0])).with_bad(
          ("above 1", np.array([0.0, 2.0, 1.0, 0.0])), ("wrong length", np.array([0.0, 1.0])))},
     check=lambda r, name, inputs, targets: (r.name == name and np.array_equal(r.targets, targets)) or _fail(r))
TABLE = Choice("AND").named("table")
spec("neuron.truth_table", {"name": Choice("AND").named("table")},
     given=st.fixed_dictionaries({"name": st.sampled_from(sorted(neuron.TRUTH_TABLES))}),
     check=lambda r, name: r is neuron.TRUTH_TABLES[name] or _fail(r))


def torch_errors(table, w1, w2, b):
    t = neuron.TRUTH_TABLES[table]
    out = torch_neuron(t.inputs, np.array([w1, w2]), b, "sigmoid").numpy()
    return out, np.abs(out - t.targets)


weights = st.floats(-30, 30)
tables = st.sampled_from(sorted(neuron.TRUTH_TABLES))
spec("neuron.table_errors", {"w": Arr(np.array([-10.0, -10.0])).with_bad(("three weights", np.ones(3))),
                             "b": Real(10.0), "table": TABLE},
     given=st.fixed_dictionaries({"w": st.tuples(weights, weights).map(np.array), "b": weights, "table": tables}),
     check=lambda r, w, b, table: all(np.allclose(a, e) for a, e in zip(r, torch_errors(table, *w, b))) or _fail(r))
spec("neuron.check_weights", {"table": TABLE, "w1": Real(10.0), "w2": Real(10.0), "b": Real(-15.0),
                              "tol": Tol(0.05)},
     given=st.fixed_dictionaries({"table": tables, "w1": weights, "w2": weights, "b": weights,
                                  "tol": st.floats(0, 1)}),
     check=lambda r, table, w1, w2, b, tol: bool(r) == bool(torch_errors(table, w1, w2, b)[1].max() <= tol)
     or _fail(r))


def smallest_scale_truth(a, tol, step):
    def passes(s):
        return torch_errors("exam", -s, -s, s)[1].max() <= tol
    return passes(a) and not passes(a - step)


spec("neuron.check_smallest_scale", {"a": Real(2.95), "tol": Tol(0.05), "step": Real(0.01, above=0.0)},
     given=st.fixed_dictionaries({"a": st.floats(0, 10), "tol": st.floats(0.001, 0.4),
                                  "step": st.sampled_from([0.01, 0.1, 1.0])}),
     check=lambda r, **kw: bool(r) == smallest_scale_truth(**kw) or _fail(r))


def brute_best(table, values):
    best = min((torch_errors(table, w1, w2, b)[1].max(), (w1, w2, b))
               for w1, w2, b in itertools.product(values, repeat=3))
    return best[0]


spec("neuron.best_fit_on_grid",
     {"table": TABLE, "values": Arr(np.array([-10.0, 0.0, 10.0])).with_bad(("huge grid", np.zeros(10**4)))},
     given=st.fixed_dictionaries({"table": tables, "values": st.lists(st.floats(-20, 20), min_size=1, max_size=4)}),
     examples=8,
     check=lambda r, table, values: np.isclose(r[0], brute_best(table, values)) or _fail(r))
