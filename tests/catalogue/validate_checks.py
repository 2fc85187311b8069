"""dlexam.validate: each check accepts what it promises and refuses the rest by the name it is given."""

import numpy as np
import torch
from hypothesis import strategies as st

from dlexam import validate

from . import Arg, Arr, Fixed, Ten, spec


def _fail(result):
    raise AssertionError(f"property fails for {result!r}"[:300])


cells = st.one_of(st.integers(), st.text(alphabet="ab <&>", max_size=5), st.floats(allow_nan=False))

# --- validate: the value a function was given, named by the name it passes --------------------

NAME = Fixed("n")


def named(arg):
    return arg.named("n")


def integer_bad():
    return [("None", None), ("text", "3"), ("float", 1.5), ("bool", True), ("nan", float("nan"))]


spec("validate.got", {"value": Fixed(3)}, given=st.fixed_dictionaries({"value": st.one_of(cells, st.none())}),
     check=lambda r, value: (isinstance(r, str) and len(r) <= 120) or _fail(r))
spec("validate.integer", {"value": named(Arg(3, integer_bad() + [("below", -1), ("above", 11)])), "name": NAME,
                          "minimum": Fixed(0), "maximum": Fixed(10)},
     given=st.fixed_dictionaries({"value": st.integers(0, 10)}), check=lambda r, value, **kw: r == value or _fail(r))
spec("validate.size", {"value": named(Arg(3, integer_bad() + [("zero", 0), ("huge", 10**12)])), "name": NAME},
     given=st.fixed_dictionaries({"value": st.integers(1, validate.MAX_SIZE)}),
     check=lambda r, value, **kw: r == value or _fail(r))
REAL_BAD = [("None", None), ("text", "1"), ("bool", True), ("nan", float("nan")), ("inf", float("inf")),
            ("complex", 1j), ("huge int", 10**400)]
spec("validate.real", {"value": named(Arg(0.5, REAL_BAD + [("below", -1.0), ("above", 2.0)])), "name": NAME,
                       "minimum": Fixed(0.0), "maximum": Fixed(1.0)},
     given=st.fixed_dictionaries({"value": st.floats(0, 1)}), check=lambda r, value, **kw: r == value or _fail(r))
spec("validate.probability", {"value": named(Arg(0.5, REAL_BAD + [("above", 1.5)])), "name": NAME},
     given=st.fixed_dictionaries({"value": st.floats(0, 1)}), check=lambda r, value, **kw: r == value or _fail(r))
spec("validate.tolerance", {"value": named(Arg(0.5, REAL_BAD + [("negative", -1e-9)])), "name": NAME},
     given=st.fixed_dictionaries({"value": st.floats(0, 1e300)}), check=lambda r, value, **kw: r == value or _fail(r))
spec("validate.boolean", {"value": named(Arg(True, [("None", None), ("text", "no"), ("int", 1)])), "name": NAME},
     given=st.fixed_dictionaries({"value": st.booleans()}), check=lambda r, value, **kw: r is value or _fail(r))
spec("validate.text", {"value": named(Arg("a", [("None", None), ("number", 3), ("bytes", b"a")])), "name": NAME},
     given=st.fixed_dictionaries({"value": st.text()}), check=lambda r, value, **kw: r == value or _fail(r))
spec("validate.choice", {"value": named(Arg("a", [("None", None), ("unknown", "c"), ("unhashable", ["a"])])),
                         "name": NAME, "options": Fixed(("a", "b"))},
     given=st.fixed_dictionaries({"value": st.sampled_from("ab")}), check=lambda r, value, **kw: r == value or _fail(r))
spec("validate.names", {"value": named(Arg({"a"}, [("None", None), ("unknown", {"c"}), ("numbers", [1])])),
                        "name": NAME, "options": Fixed(("a", "b"))},
     given=st.fixed_dictionaries({"value": st.sets(st.sampled_from("ab"))}),
     check=lambda r, value, **kw: r == set(value) or _fail(r))
spec("validate.function", {"value": named(Arg(len, [("None", None), ("number", 3)])), "name": NAME},
     check=lambda r, value, **kw: r is value or _fail(r))
spec("validate.instance", {"value": named(Arg(3, [("None", None), ("text", "3")])), "name": NAME, "cls": Fixed(int)},
     check=lambda r, value, **kw: r is value or _fail(r))
spec("validate.numpy_generator", {"value": named(Arg(np.random.default_rng(0), [("None", None), ("seed", 0),
                                                                                ("torch", torch.Generator())])),
                                  "name": NAME},
     check=lambda r, value, **kw: r is value or _fail(r))
spec("validate.torch_generator", {"value": named(Arg(torch.Generator(), [("None", None), ("seed", 0),
                                                                        ("numpy", np.random.default_rng(0))])),
                                  "name": NAME},
     check=lambda r, value, **kw: r is value or _fail(r))
spec("validate.work", {"amount": Arg(10, [("too much", 10**12)]), "names_": Fixed("n and m"),
                       "ceiling": Fixed(1000)}.copy() | {"amount": Arg(10, [("too much", 10**12)]).named("n")},
     given=st.fixed_dictionaries({"amount": st.integers(0, 1000)}), check=lambda r, **kw: r is None or _fail(r))
spec("validate.sequence", {"value": named(Arg([1, 2], [("None", None), ("text", "12"), ("number", 3),
                                                       ("too short", [])])), "name": NAME, "min_length": Fixed(1)},
     given=st.fixed_dictionaries({"value": st.lists(st.integers(), min_size=1)}),
     check=lambda r, value, **kw: r == list(value) or _fail(r))
spec("validate.integers", {"value": named(Arg([1, 2], [("None", None), ("floats", [1.5]), ("bools", [True]),
                                                       ("empty", [])])), "name": NAME},
     given=st.fixed_dictionaries({"value": st.lists(st.integers(), min_size=1)}),
     check=lambda r, value, **kw: r == list(value) or _fail(r))
spec("validate.pair", {"value": named(Arg((1, 2), [("None", None), ("triple", (1, 2, 3)), ("floats", (1.5, 2))])),
                       "name": NAME},
     given=st.fixed_dictionaries({"value": st.tuples(st.integers(), st.integers())}),
     check=lambda r, value, **kw: r == tuple(value) or _fail(r))
spec("validate.interval", {"value": named(Arg((0.0, 1.0), [("None", None), ("reversed", (1.0, 0.0)),
                                                           ("nan", (float("nan"), 1.0)), ("triple", (0, 1, 2))])),
                           "name": NAME},
     given=st.tuples(st.floats(-1e6, 1e6), st.floats(1e-3, 1e6)).map(lambda t: {"value": (t[0], t[0] + t[1])}),
     check=lambda r, value, **kw: r == tuple(map(float, value)) or _fail(r))
spec("validate.array", {"value": named(Arr(np.ones((2, 3)))), "name": NAME, "ndim": Fixed(2)},
     given=st.fixed_dictionaries({"value": st.lists(st.lists(st.floats(-1e9, 1e9), min_size=3, max_size=3),
                                                    min_size=1, max_size=4)}),
     check=lambda r, value, **kw: np.array_equal(r, np.array(value)) or _fail(r))
spec("validate.elementwise", {"value": named(Arr(np.ones(3), finite=False, empty_ok=True, ndim_ok=range(0, 4))),
                              "name": NAME}, finite=False,
     given=st.fixed_dictionaries({"value": st.lists(st.floats(), max_size=4)}),
     check=lambda r, value, **kw: np.array_equal(r, np.array(value, dtype=float), equal_nan=True) or _fail(r))
spec("validate.tensor", {"value": named(Ten(torch.ones(2, 3), numpy_ok=False, empty_ok=True)), "name": NAME, "ndim": Fixed(2)},
     given=st.fixed_dictionaries({"value": st.integers(1, 5).map(lambda n: torch.ones(n, 3))}),
     check=lambda r, value, **kw: r is value or _fail(r))
spec("validate.checked", {"_together": Fixed(None)}, call=lambda f, _together: f(n=validate.rule(validate.integer, minimum=1))(
    lambda n: n), check=lambda r, **kw: (r(3) == 3) or _fail(r))
spec("validate.rule", {"check": Fixed(validate.integer)}, call=lambda f, check: f(check, minimum=1),
     check=lambda r, **kw: r(2, "n") == 2 or _fail(r))
spec("validate.optional", {"check": Fixed(validate.integer)},
     check=lambda r, **kw: (r(None, "n") is None and r(2, "n") == 2) or _fail(r))
spec("validate.instances", {"cls": Fixed(int)}, check=lambda r, **kw: r([1, 2], "n") == [1, 2] or _fail(r))
spec("validate.mapping", {"check_value": Fixed(None)}, check=lambda r, **kw: r({"a": 1}, "n") == {"a": 1} or _fail(r))


# --- the two predicates: they answer True or False for anything, never raise ---------------------

def _finite_reference(value):
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, (int, np.integer)):
        return abs(int(value)) < 2**1024  # float(value) would overflow beyond
    if isinstance(value, (float, np.floating)):
        return bool(np.isfinite(value))
    return False


anything = st.one_of(st.integers(-10**400, 10**400), st.booleans(), st.floats(), st.none(), st.text(max_size=3),
                     st.sampled_from([np.int64(3), np.float64("nan"), np.float32(2.5), np.bool_(True), 1j]))
spec("validate.is_int", {"value": Fixed(3)}, given=st.fixed_dictionaries({"value": anything}),
     check=lambda r, value: r is (isinstance(value, (int, np.integer)) and not isinstance(value, bool)) or _fail(r))
spec("validate.is_finite_number", {"value": Fixed(0.5)}, given=st.fixed_dictionaries({"value": anything}),
     check=lambda r, value: r is _finite_reference(value) or _fail(r))
