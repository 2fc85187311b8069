"""dlexam.particles, invariance, models and shapes: brute-force references and the symmetries they promise."""

import itertools

import numpy as np
import torch
from hypothesis import strategies as st

from dlexam import augment, models, params, particles

from . import Answer, Arg, Arr, Bool, Choice, Fixed, Fresh, Func, Int, Obj, Real, Size, Ten, Tol, TorchGen, \
    record, spec


def _fail(result):
    raise AssertionError(f"property fails for {result!r}"[:300])


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def blob(seed=1, B=3, m=5):
    return torch.randn(B, m, 3, generator=gen(seed), dtype=torch.float64)


def brute_energy(X):
    X = np.asarray(X, float)
    return np.array([sum(np.exp(-np.sum((c[i] - c[j]) ** 2) / 2) for i, j in itertools.combinations(range(len(c)), 2))
                     for c in X])


batches = st.integers(0, 10**6).map(lambda seed: blob(seed))
X = Fresh(lambda: blob())

# --- particles ----------------------------------------------------------------------------------

record("particles.TargetScale")
spec("particles.target", {"X": Ten(X, finite=False, empty_ok=True, int_ok=True).with_bad(
    ("one particle", torch.zeros(2, 1, 3)))}, finite=False,
    given=st.fixed_dictionaries({"X": st.one_of(batches, batches.map(lambda t: t.numpy()))}),
    check=lambda r, X: np.allclose(np.asarray(r), brute_energy(X)) or _fail(r))


def same_stream(result, seed, stream):
    other = particles.stream_generator(seed, stream)
    assert torch.equal(torch.rand(5, generator=result), torch.rand(5, generator=other))


spec("particles.stream_generator", {"seed": Int(0, minimum=0), "stream": Int(0, minimum=0)},
     given=st.fixed_dictionaries({"seed": st.integers(0, 2**40), "stream": st.integers(0, 100)}), check=same_stream)


def check_canonical(result, X):
    centred = X - X.mean(dim=1, keepdim=True)
    assert torch.allclose(torch.cdist(result, result).flatten(1).sort(1).values,
                          torch.cdist(centred, centred).flatten(1).sort(1).values, atol=1e-9)
    assert torch.allclose(result.mean(dim=1), torch.zeros(3, dtype=result.dtype), atol=1e-9)
    assert bool((result[:, 1:, 0] >= result[:, :-1, 0]).all())


spec("particles.canonical_frame", {"X": Ten(X, int_ok=True, empty_ok=True).with_bad(
    ("no particles", torch.zeros(2, 0, 3)))},
    given=st.fixed_dictionaries({"X": batches}), check=check_canonical)


def check_dataset(result, n, seed, validation, frame):
    X, y = result
    assert X.shape == (n, 20, 3) and y.shape == (n,) and X.dtype == torch.float32
    assert np.allclose(y.numpy(), brute_energy(X.double()), rtol=1e-4, atol=1e-4)


spec("particles.make_dataset", {"n": Size(3), "seed": Int(0, minimum=0), "validation": Bool(False),
                                "frame": Choice("canonical")},
     given=st.fixed_dictionaries({"n": st.integers(1, 6), "seed": st.integers(0, 99), "validation": st.booleans(),
                                  "frame": st.sampled_from(particles.FRAMES)}), examples=6, check=check_dataset)
spec("particles.target_scale", {}, check=lambda r: (r.std > 0 and 0 < r.mean < 190) or _fail(r))
spec("particles.standardise", {"y": Arr(np.array([10.0, 20.0]), finite=False, empty_ok=True, ndim_ok=range(0, 3))},
     finite=False, given=st.fixed_dictionaries({"y": st.lists(st.floats(-1e3, 1e3), max_size=5).map(np.array)}),
     check=lambda r, y: np.allclose(r, (y - particles.target_scale().mean) / particles.target_scale().std)
     or _fail(r))

# --- invariance -------------------------------------------------------------------------------


def pair_multiset(X):
    return torch.cdist(X, X).flatten(-2).sort(-1).values


BATCH = Ten(X, int_ok=False)
spec("invariance.transformed_copies",
     {"X": BATCH, "n_copies": Size(2), "kind": Choice("both"), "generator": TorchGen()},
     given=st.fixed_dictionaries({"X": batches, "n_copies": st.integers(1, 4),
                                  "kind": st.sampled_from(["permutations", "rotations", "both"])}),
     check=lambda r, X, n_copies, **kw: (r.shape == (n_copies, *X.shape) and torch.allclose(
         pair_multiset(r), pair_multiset(X).expand(n_copies, *X.shape[:1], -1), atol=1e-9)) or _fail(r))
NAN_F = lambda X: torch.full((len(X),), float("nan"))  # noqa: E731
F_ARG = Func(particles.target).with_bad(("returns NaN", NAN_F), ("returns a matrix", lambda X: torch.zeros(len(X), 2)),
                                        ("returns text", lambda X: "abc"))
TRANSFORM = {"f": F_ARG, "X": BATCH, "n_copies": Size(3), "kind": Choice("both"), "generator": TorchGen()}
spec("invariance.outputs_under_transforms", TRANSFORM,
     given=st.fixed_dictionaries({"X": batches, "n_copies": st.integers(1, 4)}),
     check=lambda r, X, n_copies, **kw: (torch.allclose(r[0], torch.as_tensor(brute_energy(X)))
                                         and torch.allclose(r[1], r[0].expand(n_copies, -1), atol=1e-9)) or _fail(r))
record("invariance.InvarianceGap")
spec("invariance.invariance_gap", TRANSFORM,
     given=st.fixed_dictionaries({"X": batches, "kind": st.sampled_from(["permutations", "rotations", "both"])}),
     check=lambda r, **kw: r.max_abs_change < 1e-9 or _fail(r))
REFERENCE_POOLS = {"sum": lambda h: h.sum(1), "mean": lambda h: h.mean(1), "max": lambda h: h.max(1).values,
                   "first particle": lambda h: h[:, 0]}
spec("invariance.pool", {"features": Ten(Fresh(lambda: blob(2, 2, 4)), finite=False, empty_ok=True),
                         "how": Choice("sum")}, finite=False,
     given=st.fixed_dictionaries({"features": batches, "how": st.sampled_from(sorted(REFERENCE_POOLS))}),
     check=lambda r, features, how: torch.allclose(r, REFERENCE_POOLS[how](features)) or _fail(r))
INVARIANT = {"sum", "mean", "max", "min", "logsumexp", "product"}
spec("invariance.pooling_gap",
     {"how": Choice("sum"), "n_configurations": Size(4), "m": Size(5), "k": Size(3), "n_permutations": Size(3),
      "seed": Int(0, minimum=0)},
     given=st.fixed_dictionaries({"how": st.sampled_from(["sum", "mean", "max", "first particle"]),
                                  "m": st.integers(2, 8), "seed": st.integers(0, 99)}),
     check=lambda r, how, **kw: (r <= 1e-12) == (how in INVARIANT) or _fail(r))
spec("invariance.invariant_poolings", {"tol": Tol(1e-12)}, check=lambda r, tol: r == INVARIANT or _fail(r))
spec("invariance.check_invariant_poolings",
     {"answer": Arg({"sum"}, [("None", None), ("text", "sum"), ("unknown", {"average"}), ("number", 3)])},
     given=st.fixed_dictionaries({"answer": st.sets(st.sampled_from(sorted(INVARIANT | {"first particle"})))}),
     examples=5, check=lambda r, answer: bool(r) == (answer == INVARIANT) or _fail(r))


def permuted(X, seed):
    return augment.apply_permutations(X, augment.random_permutations(len(X), X.shape[1], gen(seed)))


spec("invariance.check_particle_permutation",
     {"X": Ten(X, int_ok=True, empty_ok=True), "X_new": Ten(Fresh(lambda: permuted(blob(), 0))).as_answer(),
      "atol": Tol(0.0), "each_its_own": Bool(False)},
     given=st.tuples(batches, st.integers(0, 99), st.booleans()).map(
         lambda t: {"X": t[0], "X_new": permuted(t[0], t[1]) if t[2] else t[0].clone()}),
     check=lambda r, X, X_new, **kw: bool(r) == (not torch.equal(X, X_new)) or _fail(r))
spec("invariance.signed_volume", {"X": Ten(X, int_ok=True, empty_ok=True).with_bad(
    ("three particles", torch.zeros(2, 3, 3)))},
    given=st.fixed_dictionaries({"X": batches}),
    check=lambda r, X: torch.allclose(r, torch.linalg.det(X[:, 1:4] - X[:, :1])) or _fail(r))

# --- models -------------------------------------------------------------------------------------

torch.manual_seed(0)
MODELS = {name: models.make_model(name, gen(0)) for name in models.MODELS}
CONFIGS = Fresh(lambda: torch.randn(2, 20, 3, generator=gen(3)))
configs32 = st.integers(0, 10**6).map(lambda seed: torch.randn(3, 20, 3, generator=gen(seed)))


def call_model(cls, **kwargs):
    model = MODELS.get(cls.__name__.lower()) or cls()
    return model(*kwargs.values())


def permutation_invariant(model):
    def check(result, inputs):
        assert result.shape == (len(inputs),)
        assert torch.allclose(model(permuted(inputs, 5)), result, atol=1e-5)
    return check


INPUTS = Ten(CONFIGS, finite=False, empty_ok=True).with_bad(("float64", torch.zeros(2, 20, 3, dtype=torch.float64)))
spec("models.MLP", {"inputs": INPUTS}, call=call_model, finite=False, given=st.fixed_dictionaries({"inputs": configs32}),
     check=lambda r, inputs: (r.shape == (len(inputs),) and torch.allclose(
         MODELS["mlp"](inputs.reshape(len(inputs), 60)), r)) or _fail(r))
spec("models.DeepSets", {"particles": INPUTS}, call=call_model, finite=False,
     given=st.fixed_dictionaries({"particles": configs32}),
     check=lambda r, particles: permutation_invariant(MODELS["deepsets"])(r, particles))
spec("models.F", {"particles": INPUTS}, call=call_model, finite=False,
     given=st.fixed_dictionaries({"particles": configs32}),
     check=lambda r, particles: permutation_invariant(MODELS["deepsets"])(r, particles))
spec("models.PairSum", {"particles": INPUTS.with_bad(("one particle", torch.zeros(2, 1, 3)))}, call=call_model,
     finite=False, given=st.fixed_dictionaries({"particles": configs32}),
     check=lambda r, particles: (permutation_invariant(MODELS["pairsum"])(r, particles) is None and torch.allclose(
         MODELS["pairsum"](augment.apply_rotations(particles, augment.random_rotations(len(particles), gen(1)))), r,
         atol=1e-4)) or _fail(r))
PHI, RHO, PSI = models.Phi(), models.Rho(), models.Psi()
spec("models.Phi", {"particles": Ten(CONFIGS, finite=False, empty_ok=True, ndim_ok=(1, 2, 3, 4))},
     call=lambda cls, particles: PHI(particles), finite=False, given=st.fixed_dictionaries({"particles": configs32}),
     check=lambda r, particles: torch.allclose(r[:, 3], PHI(particles[:, 3]), atol=1e-6) or _fail(r))
spec("models.Rho", {"pooled": Ten(Fresh(lambda: torch.randn(2, 64, generator=gen())), finite=False, empty_ok=True,
                                  ndim_ok=(1, 2, 3))},
     call=lambda cls, pooled: RHO(pooled), finite=False,
     given=st.fixed_dictionaries({"pooled": st.integers(1, 5).map(lambda b: torch.randn(b, 64, generator=gen(b)))}),
     check=lambda r, pooled: (r.shape == pooled.shape[:-1] and torch.allclose(r[0], RHO(pooled[:1])[0]))
     or _fail(r))
spec("models.Psi", {"distances": Ten(Fresh(lambda: torch.rand(2, 5, 1, generator=gen())), finite=False,
                                     empty_ok=True, ndim_ok=(1, 2, 3, 4))},
     call=lambda cls, distances: PSI(distances), finite=False,
     given=st.fixed_dictionaries({"distances": st.integers(1, 5).map(lambda b: torch.rand(b, 1, generator=gen(b)))}),
     check=lambda r, distances: r.shape == distances.shape or _fail(r))
spec("models.pair_distances", {"particles": Ten(Fresh(lambda: blob().float()), finite=False, empty_ok=True)},
     finite=False, given=st.fixed_dictionaries({"particles": batches}),
     check=lambda r, particles: torch.allclose(r, torch.stack([torch.pdist(c) for c in particles])) or _fail(r))


def check_init(result, model, generator):
    again = models.init_parameters(models.MLP(), gen(0))
    assert all(torch.equal(a, b) for a, b in zip(result.parameters(), again.parameters()))
    for layer in result.modules():
        if isinstance(layer, torch.nn.Linear):
            assert layer.weight.abs().max() <= layer.in_features ** -0.5


spec("models.init_parameters", {"model": Obj(Fresh(models.MLP)), "generator": TorchGen()}, check=check_init)
spec("models.make_model", {"name": Choice("mlp").named("model"), "generator": TorchGen(optional=True)},
     given=st.fixed_dictionaries({"name": st.sampled_from(sorted(models.MODELS)),
                                  "generator": st.integers(0, 9).map(gen)}),
     check=lambda r, name, generator: type(r) is models.MODELS[name] or _fail(r))

# --- shapes -----------------------------------------------------------------------------------

record("shapes.ShapeStep")
spec("shapes.shape_trace",
     {"model": Obj(MODELS["mlp"]), "X": Ten(CONFIGS, finite=False, empty_ok=True)},
     finite=False,
     given=st.tuples(st.sampled_from(sorted(MODELS)), configs32).map(lambda t: {"model": MODELS[t[0]], "X": t[1]}),
     check=lambda r, model, X: (r[0].shape == tuple(X.shape) and r[-1].shape == tuple(model(X).shape)
                                and sum(s.parameters for s in r) == params.count_parameters(model)) or _fail(r))
spec("shapes.format_shape",
     {"shape": Arg((32, 20, 3), [("None", None), ("text", "32x20"), ("float", (2.5, 3)), ("negative", (-1, 3)),
                                 ("number", 3)], [("torch size", torch.Size([32, 20, 3]))]),
      "batch_size": Arg(None, [("text", "32"), ("float", 2.5), ("negative", -1), ("bool", True)], [("32", 32)])},
     given=st.fixed_dictionaries({"shape": st.lists(st.integers(0, 99), max_size=4).map(tuple),
                                  "batch_size": st.one_of(st.none(), st.integers(0, 99))}),
     check=lambda r, shape, batch_size: (r == str(shape) if batch_size is None or not shape or shape[0] != batch_size
                                         else r.startswith("(B")) or _fail(r))
spec("shapes.deepsets_mistakes", {},
     check=lambda r: all(count != params.count_parameters(models.DeepSets()) for _, count in r) or _fail(r))
spec("shapes.check_deepsets_parameter_count", {"answer": Answer(19009)},
     given=st.fixed_dictionaries({"answer": st.integers(0, 10**6) | st.just(params.count_parameters(models.DeepSets()))}),
     check=lambda r, answer: bool(r) == (answer == params.count_parameters(models.DeepSets())) or _fail(r))
