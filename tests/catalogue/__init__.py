"""A hostile catalogue of inputs, and one entry per public function of dlexam saying what it accepts.

Each entry (a ``Spec``) names a public callable and describes its arguments by kind: ``Size``,
``Int``, ``Real``, ``Arr``, ``Ten``, ``Choice``, ``Bool``, ``TorchGen``, ... A kind knows a valid
value and draws its bad values from one shared catalogue (wrong types, wrong shapes and
dtypes, NaN, infinities, empty, 0-d, booleans, out of range, huge). A bad value must raise
ValueError or TypeError whose message names the argument; an edge value (a huge but finite
number, a NumPy scalar, a list instead of an array) may work or raise so, but never return a
NaN or raise anything else. ``run(spec)`` feeds one function its catalogue; ``classify`` sorts
what happened.

Valid inputs: a Spec's ``given`` is a hypothesis strategy of keyword arguments from the
function's domain and ``check(result, **kwargs)`` the property or reference the result must
satisfy.

The catalogue is independent of ``dlexam.validate``: it encodes what each function promises,
so that a check missing from the library makes a test fail.
"""

from dataclasses import dataclass, field, fields, is_dataclass, replace
import contextlib
import importlib
import inspect
import math
import pkgutil
import re
import signal

import numpy as np
import torch

NAN, INF = float("nan"), float("inf")
HUGE_INT = 10**12
HANG_SECONDS = float(__import__("os").environ.get("DLEXAM_HANG_SECONDS", 20))

# dlexam.checks belongs to the grading of notebooks and has tests of its own (tests/test_checks.py).
SKIPPED_MODULES = ("checks",)


def _modules(package):
    import dlexam

    base = importlib.import_module(f"dlexam.{package}") if package else dlexam
    prefix = f"{package}." if package else ""
    return tuple(f"{prefix}{m.name}" for m in pkgutil.iter_modules(base.__path__)
                 if not m.ispkg and not m.name.startswith("_") and f"{prefix}{m.name}" not in SKIPPED_MODULES)


# Every module of the library is covered: the math modules, and the figures and widgets (their
# public functions too: a module added later is found here, and its functions need entries).
MATH_MODULES = _modules("")
SCREEN_MODULES = _modules("plots") + _modules("widgets")


def public_callables(modules=MATH_MODULES + SCREEN_MODULES):
    """{'module.name': object} for every public function and class defined in each module."""
    found = {}
    for module_name in modules:
        module = importlib.import_module(f"dlexam.{module_name}")
        for name, value in vars(module).items():
            if name.startswith("_") or not callable(value) or getattr(value, "__module__", None) != module.__name__:
                continue
            if "__mutmut_" in name:  # the mutants mutmut writes beside each function (scripts/mutation.py)
                continue
            found[f"{module_name}.{name}"] = value
    return found


def resolve(qualified):
    """'conv.conv2d' -> dlexam.conv.conv2d (imported now, so a test may swap the library in)."""
    module_name, name = qualified.rsplit(".", 1)
    return getattr(importlib.import_module(f"dlexam.{module_name}"), name)


# --- Argument kinds ---------------------------------------------------------------------------


class Fresh:
    """A factory for a valid value that must not be shared between calls (a generator, a model)."""

    def __init__(self, make):
        self.make = make

    def __call__(self):
        return self.make()


def fresh(value):
    return value() if isinstance(value, Fresh) else value


@dataclass
class Arg:
    """One argument: a valid value, bad values that must be refused, edge values that may be accepted."""

    valid: object
    bad: list = field(default_factory=list)  # (label, value)
    edge: list = field(default_factory=list)  # (label, value)
    accept: object = None  # for edge values that return: accept(result) must hold (default: finite result)
    name_in_message: str = None  # the word the message must contain, if not the argument's name

    def _copy(self, **changes):
        return replace(self, **changes)

    def with_bad(self, *pairs):
        return self._copy(bad=self.bad + list(pairs))

    def with_edge(self, *pairs):
        return self._copy(edge=self.edge + list(pairs))

    def named(self, word):
        """The message names this argument by ``word`` (e.g. "input" for conv2d's x)."""
        return self._copy(name_in_message=word)

    def optional(self, default=None):
        """None is accepted too (and is the valid value unless ``default`` is given)."""
        return self._copy(bad=[item for item in self.bad if item[0] != "None"],
                          edge=self.edge + [("the valid value", self.valid)], valid=default)

    def as_answer(self):
        """The argument is a reader's answer: a bad value may also be judged *not yet* right."""
        return self._copy(edge=self.edge + [(label, value, _not_right) for label, value in self.bad], bad=[])

    def without(self, *labels):
        return self._copy(bad=[item for item in self.bad if item[0] not in labels],
                          edge=[item for item in self.edge if item[0] not in labels])


_TYPE_BAD = [("None", None), ("text", "abc"), ("object", object())]


def _in_range(x, minimum, maximum, above, below):
    return ((minimum is None or x >= minimum) and (maximum is None or x <= maximum)
            and (above is None or x > above) and (below is None or x < below))


def Int(valid, minimum=None, maximum=None, huge=False):
    """A whole number; with ``huge``, 10**12 and 10**30 are bad (a size with a ceiling)."""
    bad = _TYPE_BAD + [("float 1.5", 1.5), ("whole float", float(valid)), ("bool", True), ("nan", NAN),
                       ("inf", INF), ("complex", 1j), ("list", [valid]), ("0-d float array", np.array(1.5))]
    edge = [("numpy int", np.int64(valid)), ("0-d int array", np.array(valid))]
    if minimum is not None:
        bad += [("below the minimum", minimum - 1), ("very negative", min(minimum - 1, -HUGE_INT))]
    if maximum is not None:
        bad += [("above the maximum", maximum + 1)]
    if huge:
        bad += [("huge", HUGE_INT), ("beyond int64", 10**30)]
    elif maximum is None:
        edge += [("huge", HUGE_INT)]
    return Arg(valid, bad, edge)


def Size(valid, minimum=1, maximum=None):
    """A count or length that allocates or loops: bad below ``minimum`` and when huge."""
    return Int(valid, minimum, maximum, huge=True)


def Real(valid, minimum=None, maximum=None, above=None, below=None, nan_ok=False, inf_ok=False):
    """A real number within the bounds (inclusive minimum/maximum, exclusive above/below)."""
    bad = _TYPE_BAD + [("bool", True), ("complex", 1 + 1j), ("list", [valid]), ("1-d array", np.array([valid, valid]))]
    edge = [("numpy float", np.float64(valid)), ("float32", np.float32(valid)), ("0-d array", np.array(valid))]
    if not nan_ok:
        bad += [("nan", NAN), ("numpy nan", np.float64("nan"))]
    for label, x in (("inf", INF), ("-inf", -INF)):
        if not inf_ok or not _in_range(x, minimum, maximum, above, below):
            bad.append((label, x))
    for label, x in (("1e300", 1e300), ("-1e300", -1e300), ("tiny 1e-300", 1e-300), ("subnormal", 5e-324),
                     ("zero", 0.0), ("negative zero", -0.0), ("-1", -1.0), ("int beyond float", 10**400)):
        (edge if _in_range(float(x) if abs(x) < 1e308 else (INF if x > 0 else -INF), minimum, maximum, above, below)
         else bad).append((label, x))
    for bound, shift in ((minimum, -1.0), (above, 0.0), (maximum, 1.0), (below, 0.0)):
        if bound is not None and math.isfinite(bound):
            x = bound + shift * max(1.0, abs(bound))
            if not _in_range(x, minimum, maximum, above, below):
                bad.append((f"out of range {x:g}", x))
    return Arg(valid, bad, edge)


def Tol(valid=1e-3, name=None):
    """A tolerance: a finite number >= 0."""
    return Real(valid, minimum=0.0)


def Bool(valid=True):
    return Arg(valid, _TYPE_BAD + [("text 'no'", "no"), ("list", [valid]), ("float", 0.5)],
               [("numpy bool", np.bool_(valid)), ("int 1", 1), ("int 0", 0)])


def Choice(valid, also_bad=()):
    return Arg(valid, [("unknown", "no such option"), ("None", None), ("number", 3), ("list", [valid]),
                       ("dict", {"a": 1}), *also_bad])


def Text(valid):
    return Arg(valid, [("None", None), ("number", 3), ("list", [valid]), ("bytes", b"abc")])


def Func(valid):
    return Arg(valid, [("None", None), ("number", 3), ("text", "f")])


def Obj(valid, *extra_bad):
    """An object of a library type (a config, a model, a result): other types are bad."""
    return Arg(valid, _TYPE_BAD + [("number", 3), ("list", [1, 2])] + list(extra_bad))


def TorchGen(optional=False):
    bad = [("int seed", 0), ("text", "seed"), ("numpy generator", np.random.default_rng(0))]
    if not optional:
        bad.append(("None", None))
    return Arg(Fresh(lambda: torch.Generator().manual_seed(0)), bad)


def NpGen(optional=False):
    bad = [("int seed", 0), ("text", "seed"), ("torch generator", torch.Generator()),
           ("legacy RandomState", np.random.RandomState(0))]
    if not optional:
        bad.append(("None", None))
    return Arg(Fresh(lambda: np.random.default_rng(0)), bad)


def _nan_copy(a, value=NAN):
    b = np.array(a, dtype=float, copy=True)
    if b.size:
        b.flat[b.size // 2] = value
    return b


def Arr(valid, finite=True, empty_ok=False, bools_ok=True, ndim_ok=None, nan_ok=None):
    """An array-like of real numbers; ``ndim_ok``: the numbers of axes accepted (default: valid's)."""
    v = np.asarray(valid)
    ndim_ok = (v.ndim,) if ndim_ok is None else tuple(ndim_ok)
    nan_ok = (not finite) if nan_ok is None else nan_ok
    bad = [("None", None), ("text", "abc"), ("dict", {"a": 1}), ("complex", v.astype(complex) + 1j),
           ("strings", np.full(v.shape, "a")), ("object", np.full(v.shape, None, dtype=object))]
    if v.ndim >= 2:
        bad.append(("ragged", [[1.0, 2.0], [3.0]]))
    if 0 not in ndim_ok:
        bad.append(("0-d", np.float64(1.0)))
    if v.ndim + 1 not in ndim_ok and v.ndim + 1 <= 6:
        bad.append(("extra axis", v[None]))
    if v.ndim >= 1 and v.ndim - 1 not in ndim_ok and v.ndim - 1 >= 1:
        bad.append(("missing axis", v[0]))
    if finite:
        bad += [("inf entry", _nan_copy(v, INF)), ("-inf entry", _nan_copy(v, -INF))]
    if not nan_ok:
        bad.append(("nan entry", _nan_copy(v)))
    edge = [("as list", v.tolist()), ("float32", v.astype(np.float32)), ("as tensor", torch.as_tensor(v.copy()))]
    if v.ndim >= 1:
        empty = v[:0]
        (edge if empty_ok else bad).append(("empty", empty))
    if not bools_ok:
        bad.append(("booleans", v != 0))
    else:
        edge.append(("booleans", v != 0))
    if not finite:
        edge += [("inf entry", _nan_copy(v, INF))]
    if nan_ok:
        edge += [("nan entry", _nan_copy(v))]
    return Arg(v, bad, edge)


def Ten(valid, finite=True, empty_ok=False, integral=False, numpy_ok=None, ndim_ok=None, nan_ok=None, int_ok=False):
    """A torch tensor; ``valid`` is a tensor or a Fresh factory of one; ``int_ok``: integer dtypes are numbers too."""
    v = fresh(valid)
    ndim_ok = (v.ndim,) if ndim_ok is None else tuple(ndim_ok)
    nan_ok = (not finite) if nan_ok is None else nan_ok
    edge_first = []
    bad = [("None", None), ("text", "abc"), ("number", 3.0) if 0 not in ndim_ok else ("dict", {"a": 1}),
           ("complex", v.to(torch.complex128) + 1j)]
    if not integral:
        bad += [("bool dtype", v != 0)]
        (bad if not int_ok else edge_first).append(("integer dtype", v.round().long()))
    if v.ndim + 1 not in ndim_ok:
        bad.append(("extra axis", v[None]))
    if v.ndim >= 1 and v.ndim - 1 not in ndim_ok:
        bad.append(("missing axis", v[0] if v.shape[0] else v.reshape(-1)[:0]))
    if not integral:
        if finite:
            bad += [("inf entry", torch.from_numpy(_nan_copy(v.numpy(), INF)).to(v.dtype))]
        if not nan_ok:
            bad.append(("nan entry", torch.from_numpy(_nan_copy(v.numpy())).to(v.dtype)))
    edge = edge_first + [("as list", v.tolist())]
    if numpy_ok is not False:
        edge.append(("numpy", v.numpy().copy()))
    if not integral:
        edge += [("float64", v.double()), ("float32", v.float())]
        if nan_ok:
            edge.append(("nan entry", torch.from_numpy(_nan_copy(v.numpy())).to(v.dtype)))
    if v.ndim >= 1:
        (edge if empty_ok else bad).append(("empty", v[:0]))
    return Arg(valid, bad, edge)


def Answer(valid):
    """A reader's answer to a check: anything may come, and nothing but a verdict or a clean error may come back.

    A nonsense answer is either refused (ValueError/TypeError naming ``answer``) or judged
    *not yet* right: a check must never call NaN or None right.
    """
    return Arg(valid, [], [("None", None), ("text", "abc"), ("nan", NAN), ("inf", INF), ("-inf", -INF),
                           ("bool", True), ("list", [1, 2]), ("complex", 1j), ("huge", 10**30),
                           ("negative", -1)], accept=_not_right)


def _not_right(result):
    return hasattr(result, "correct") and not result.correct


def Seq(valid, minimum=1, maximum=None, huge=True, empty_ok=False, length=None):
    """A sequence of whole numbers such as layer widths."""
    bad = [("None", None), ("text", "1, 2"), ("float items", [1.5] * max(1, len(valid))),
           ("bool items", [True] * max(1, len(valid))), ("nan items", [NAN] * max(1, len(valid))),
           ("nested", [list(valid)])]
    if not empty_ok:
        bad.append(("empty", []))
    if minimum is not None:
        bad.append(("item below the minimum", [*valid[:-1], minimum - 1]))
    if maximum is not None:
        bad.append(("item above the maximum", [*valid[:-1], maximum + 1]))
    if huge:
        bad.append(("huge item", [*valid[:-1], HUGE_INT]))
    if length is not None:
        bad.append(("too long", list(valid) * (length + 1)))
    return Arg(list(valid), bad, [("tuple", tuple(valid))])


def Fixed(valid):
    """An argument the catalogue leaves alone (a callback, a result object, a figure axis)."""
    return Arg(valid)


# --- Specs ------------------------------------------------------------------------------------


@dataclass
class Spec:
    """One public callable: its arguments, how to call it, and what valid inputs must give."""

    name: str  # 'module.function'
    args: dict = field(default_factory=dict)  # argument name -> Arg
    call: object = None  # call(function, **kwargs); default function(**kwargs)
    given: object = None  # hypothesis strategy of kwargs (merged over the valid values)
    check: object = None  # check(result, **kwargs): the property; raises AssertionError if it fails
    examples: int = 10  # hypothesis max_examples
    record: bool = False  # a result type the library builds: no checks of its own
    finite: bool = True  # edge values must give a finite result
    edges: bool = True  # also try the edge values (figures and widgets skip them: each would draw)
    note: str = ""

    def function(self):
        return resolve(self.name)

    def valid_kwargs(self):
        return {name: fresh(arg.valid) for name, arg in self.args.items()}

    def invoke(self, **kwargs):
        function = self.function()
        if self.call is not None:
            return self.call(function, **kwargs)
        return function(**kwargs)


REGISTRY = {}


def spec(name, args=None, **options):
    """Register the Spec of 'module.function'."""
    if name in REGISTRY:
        raise ValueError(f"{name} has two entries in the catalogue")
    REGISTRY[name] = Spec(name, dict(args or {}), **options)
    return REGISTRY[name]


def record(*names, note="a result the library builds and returns"):
    """Register result types (dataclasses, named tuples) that hold values and check nothing themselves."""
    for name in names:
        spec(name, record=True, note=note)


# --- Running the catalogue --------------------------------------------------------------------


class Hang(Exception):
    pass


@contextlib.contextmanager
def watchdog(seconds=HANG_SECONDS):
    """Raise Hang in this thread if the block runs longer than `seconds` (a hung call fails, not blocks)."""
    def alarm(signum, frame):
        raise Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def nonfinite(value, depth=0):
    """True if a result holds a NaN or an infinity (in numbers, arrays, tensors, containers, records)."""
    if depth > 4:
        return False
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return False
    if isinstance(value, (int, np.integer)):
        return False
    if isinstance(value, (float, np.floating)):
        return not math.isfinite(value)
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "fc" and not np.all(np.isfinite(value))
    if isinstance(value, torch.Tensor):
        return value.is_floating_point() and value.device.type != "meta" and not bool(torch.isfinite(value).all())
    if isinstance(value, dict):
        return any(nonfinite(v, depth + 1) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(nonfinite(v, depth + 1) for v in value[:50])
    if is_dataclass(value) and not isinstance(value, type):
        return any(nonfinite(getattr(value, f.name), depth + 1) for f in fields(value))
    return False


def names_argument(message, name):
    """Whether the message names the argument: the name as a word (``n`` in 'n must be ...')."""
    return re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", message) is not None


@dataclass
class Outcome:
    spec: str
    argument: str
    label: str
    expected: str  # "refuse" or "edge"
    result: str  # "clean", "unnamed", "other exception", "silent", "silent nan", "hang", "accepted"
    detail: str = ""

    @property
    def ok(self):
        if self.expected == "refuse":
            return self.result == "clean"
        return self.result in ("clean", "accepted")


def attempt(spec_, kwargs, argument, label, expected, accept=None, name=None):
    """Call spec_ with kwargs and classify what happens."""
    name = name or argument
    try:
        with watchdog():
            result = spec_.invoke(**kwargs)
    except Hang as err:
        return Outcome(spec_.name, argument, label, expected, "hang", str(err))
    except MemoryError as err:
        return Outcome(spec_.name, argument, label, expected, "other exception", f"MemoryError: {err}")
    except (ValueError, TypeError) as err:
        message = str(err)
        kind = "clean" if names_argument(message, name) else "unnamed"
        return Outcome(spec_.name, argument, label, expected, kind, f"{type(err).__name__}: {message[:300]}")
    except Exception as err:  # noqa: BLE001  (classified, not hidden: the test fails on it)
        return Outcome(spec_.name, argument, label, expected, "other exception", f"{type(err).__name__}: {err}"[:300])
    finally:
        _close_figures()
    if expected == "refuse":
        kind = "silent nan" if nonfinite(result) else "silent"
        return Outcome(spec_.name, argument, label, expected, kind, repr(result)[:200])
    if accept is not None:
        ok = accept(result)
    else:
        ok = not (spec_.finite and nonfinite(result))
    return Outcome(spec_.name, argument, label, expected, "accepted" if ok else "silent nan", repr(result)[:200])


def _close_figures():
    import sys

    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")


def run(spec_):
    """Feed one function every bad and edge value of every argument, the others valid: list of Outcome."""
    outcomes = []
    for argument, arg in spec_.args.items():
        for expected, values in (("refuse", arg.bad), ("edge", arg.edge if spec_.edges else [])):
            for item in values:
                label, value = item[:2]
                accept = item[2] if len(item) > 2 else (arg.accept if expected == "edge" else None)
                kwargs = spec_.valid_kwargs()
                kwargs[argument] = fresh(value)
                outcomes.append(attempt(spec_, kwargs, argument, label, expected, accept, arg.name_in_message))
    return outcomes


def load_all(strict=True):
    """Import every spec module of the catalogue (each registers its entries).

    strict=False skips a spec module that cannot be imported (measuring another version of the
    library, which may lack some functions) and says so.
    """
    package = importlib.import_module(__name__)
    for info in pkgutil.iter_modules(package.__path__):
        try:
            importlib.import_module(f"{__name__}.{info.name}")
        except Exception as err:  # noqa: BLE001
            if strict:
                raise
            print(f"catalogue.{info.name} skipped: {type(err).__name__}: {err}")
    return REGISTRY
