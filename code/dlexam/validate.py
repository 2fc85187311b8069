"""The argument checks every public function of dlexam uses.

Each check takes the value and the argument's name, returns the value in the form the caller
computes with, and otherwise raises a ``TypeError`` (wrong kind of thing) or ``ValueError``
(right kind, wrong value) whose message names the argument, says what it must be and shows
what it got: ``n must be at least 1, got 0``.

What NaN does, library-wide: element-wise maths (an activation, a derivative at given points)
passes NaN and infinities through as NumPy and PyTorch do; everything that returns a verdict,
a fit, a count, a size or a decomposition rejects them, because a NaN there would give a
silently wrong answer. Each module's docstring says which of its functions are element-wise.

Sizes that allocate memory or loop (counts of samples, image sides, layer widths, grid
resolutions) have a stated ceiling, so a typo such as ``10**9`` raises at once instead of
hanging or exhausting memory: ``MAX_SIZE`` for one axis or count, ``MAX_ELEMENTS`` for the
numbers an array holds or a vectorised computation touches, ``MAX_ITEMS`` for the Python
objects a returned list holds or a Python loop visits.
"""

import math
import numbers

import numpy as np

MAX_SIZE = 10**7  # one axis, one count of samples, one side of an image
MAX_ELEMENTS = 5 * 10**7  # numbers an array holds, or a vectorised computation touches, in one call
MAX_ITEMS = 10**6  # Python objects in one returned list, or Python-level loop steps
_REPR_LIMIT = 80


def got(value):
    """A short description of what was given, for a message: ``'abc' (str)``, ``array of shape (2, 3)``."""
    if isinstance(value, np.ndarray) or _is_tensor(value):
        dtype = str(value.dtype).replace("torch.", "")
        return f"an array of shape {tuple(value.shape)} and dtype {dtype}"
    text = repr(value)
    if len(text) > _REPR_LIMIT:
        text = text[: _REPR_LIMIT - 3] + "..."
    return f"{text} ({type(value).__name__})"


def _is_tensor(value):
    torch = _torch()
    return torch is not None and isinstance(value, torch.Tensor)


def _torch():
    import sys

    return sys.modules.get("torch")


def _scalar(value):
    """A 0-d NumPy array or a one-number tensor -> its Python number; anything else unchanged."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value.item()
    if _is_tensor(value) and value.ndim == 0:
        return value.item()
    return value


def _fmt(v):
    if isinstance(v, (int, np.integer)) and abs(v) >= 10_000:
        return f"{v:,}"
    return f"{v:g}" if isinstance(v, float) else str(v)


# --- Scalars ----------------------------------------------------------------------------------


def is_int(value):
    """True for an integer (Python or NumPy), False for a bool or anything else."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_finite_number(value):
    """True for a finite real number (not a bool); False for NaN, infinities and ints too large for a float."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


def integer(value, name, minimum=None, maximum=None):
    """A whole number (Python or NumPy int, not a bool) within [minimum, maximum] -> int."""
    value = _scalar(value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer (a whole number), got {got(value)}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {_fmt(minimum)}, got {_fmt(value)}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {_fmt(maximum)}, got {_fmt(value)}")
    return value


def size(value, name, minimum=1, maximum=MAX_SIZE):
    """A count or a length that allocates or loops: a whole number from minimum to a ceiling -> int."""
    return integer(value, name, minimum, maximum)


def real(value, name, minimum=None, maximum=None, *, above=None, below=None, finite=True):
    """A real number (int or float, not a bool) within the bounds -> float.

    ``minimum`` / ``maximum`` are inclusive, ``above`` / ``below`` exclusive. NaN is always
    rejected; infinities only when ``finite`` (the default).
    """
    value = _scalar(value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {got(value)}")
    try:
        number = float(value)
    except OverflowError:
        raise ValueError(f"{name} is too large for a float, got {got(value)}") from None
    if math.isnan(number) or (finite and math.isinf(number)):
        raise ValueError(f"{name} must be a {'finite ' if finite else ''}number, got {number}")
    if minimum is not None and number < minimum:
        raise ValueError(f"{name} must be at least {minimum:g}, got {number:g}")
    if maximum is not None and number > maximum:
        raise ValueError(f"{name} must be at most {maximum:g}, got {number:g}")
    if above is not None and not number > above:
        raise ValueError(f"{name} must be above {above:g}, got {number:g}")
    if below is not None and not number < below:
        raise ValueError(f"{name} must be below {below:g}, got {number:g}")
    return number


def probability(value, name):
    """A number in [0, 1] -> float."""
    return real(value, name, 0.0, 1.0)


def tolerance(value, name="tol"):
    """A tolerance: a finite number >= 0 -> float (a negative or NaN one would turn every check's verdict)."""
    return real(value, name, minimum=0.0)


def boolean(value, name):
    """True or False (a Python or NumPy bool) -> bool."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {got(value)}")
    return bool(value)


def text(value, name):
    """A str -> str."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be text (a str), got {got(value)}")
    return value


def choice(value, name, options):
    """One of ``options`` (compared with ==) -> value."""
    try:
        ok = value in options
    except TypeError:  # an unhashable value looked up in a dict or set
        ok = False
    if not ok:
        listed = ", ".join(repr(o) for o in options)
        raise ValueError(f"{name} must be one of {listed}; got {got(value)}")
    return value


def names(value, name, options, example=None):
    """A set of names drawn from ``options`` (a str counts as one name) -> set."""
    if isinstance(value, str):
        value = {value}
    if isinstance(value, (bytes, dict)) or not hasattr(value, "__iter__"):
        hint = f" such as {example}" if example else ""
        raise TypeError(f"{name} must be a set of names{hint}, got {got(value)}")
    items = list(value)
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"{name} must hold names (str), got {got(item)} among them")
    unknown = sorted(set(items) - set(options))
    if unknown:
        raise ValueError(f"{name} holds unknown names {unknown}: choose from {', '.join(map(repr, options))}")
    return set(items)


def function(value, name):
    """Something callable -> value."""
    if not callable(value):
        raise TypeError(f"{name} must be a function (something callable), got {got(value)}")
    return value


def instance(value, name, cls, what=None):
    """An instance of ``cls`` (a class or a tuple of classes) -> value."""
    if not isinstance(value, cls):
        if what is None:
            classes = cls if isinstance(cls, tuple) else (cls,)
            what = " or ".join(c.__name__ for c in classes)
        raise TypeError(f"{name} must be a {what}, got {got(value)}")
    return value


def numpy_generator(value, name="generator", optional=False):
    """A numpy.random.Generator (or None when optional) -> value."""
    if value is None and optional:
        return None
    if not isinstance(value, np.random.Generator):
        raise TypeError(f"{name} must be a numpy.random.Generator such as np.random.default_rng(0), "
                        f"got {got(value)}")
    return value


def torch_generator(value, name="generator", optional=False):
    """A torch.Generator (or None when optional) -> value."""
    import torch

    if value is None and optional:
        return None
    if not isinstance(value, torch.Generator):
        raise TypeError(f"{name} must be a torch.Generator such as torch.Generator().manual_seed(0), "
                        f"got {got(value)}")
    return value


def work(amount, names_, ceiling=MAX_ELEMENTS, what="numbers"):
    """Refuse a call that would hold or compute more than ``ceiling`` ``what``; ``names_`` says which arguments to lower."""
    if amount > ceiling:
        raise ValueError(f"{names_} would need {amount:,.0f} {what}, more than the limit of {ceiling:,}: "
                         "use smaller values")


# --- Sequences --------------------------------------------------------------------------------


def sequence(value, name, min_length=0, max_length=MAX_SIZE):
    """A list, tuple or 1-D array (not a str) -> list."""
    if isinstance(value, (str, bytes, dict, set, frozenset)) or not hasattr(value, "__iter__") \
            or (isinstance(value, np.ndarray) and value.ndim != 1) or (_is_tensor(value) and value.ndim != 1):
        raise TypeError(f"{name} must be a sequence (a list or tuple), got {got(value)}")
    items = list(value)
    if len(items) < min_length:
        raise ValueError(f"{name} must hold at least {min_length} items, got {len(items)}")
    if len(items) > max_length:
        raise ValueError(f"{name} must hold at most {_fmt(max_length)} items, got {len(items)}")
    return items


def integers(value, name, minimum=None, maximum=None, min_length=1, max_length=MAX_SIZE):
    """A sequence of whole numbers -> list of int; each item is named ``name[i]``."""
    items = sequence(value, name, min_length, max_length)
    return [integer(v, f"{name}[{i}]", minimum, maximum) for i, v in enumerate(items)]


def pair(value, name, minimum=None, maximum=None):
    """A pair (a, b) of whole numbers -> (int, int)."""
    items = sequence(value, name, 2, 2)
    return tuple(integer(v, name, minimum, maximum) for v in items)


def interval(value, name, finite=True):
    """A pair (low, high) of numbers with low < high -> (float, float)."""
    items = sequence(value, name, 2, 2)
    low, high = (real(v, name, finite=finite) for v in items)
    if not low < high:
        raise ValueError(f"{name} must be a pair (low, high) with low < high, got {tuple(items)!r}")
    return low, high


# --- Arrays and tensors -----------------------------------------------------------------------


def _shape_text(shape):
    letters = iter("nmkij")
    parts = [next(letters, "?") if s is None else str(s) for s in shape]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def _check_shape(shape, name, ndim, expected):
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if len(shape) not in allowed:
            words = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be a {words} array, got shape {tuple(shape)}")
    if expected is not None:
        if len(shape) != len(expected) or any(e is not None and s != e for s, e in zip(shape, expected)):
            raise ValueError(f"{name} must have shape {_shape_text(expected)}, got {tuple(shape)}")


def array(value, name, *, ndim=None, shape=None, finite=True, nonempty=True, bools=True, integral=False,
          max_elements=MAX_ELEMENTS, dtype=np.float64):
    """Array-like of real numbers -> NumPy array (float64 unless ``dtype`` says otherwise; None keeps it).

    Rejects None, text, ragged nesting, complex and object entries; NaN or infinity when
    ``finite``; empty arrays when ``nonempty``; booleans unless ``bools``; non-integer dtypes
    when ``integral``. ``ndim`` is a number of axes or a tuple of allowed ones; ``shape`` a
    tuple with None where any length goes.
    """
    if value is None or isinstance(value, (str, bytes, dict, set)):
        raise TypeError(f"{name} must be an array of numbers, got {got(value)}")
    if _is_tensor(value):
        value = value.detach().cpu().numpy()
    try:
        a = np.asarray(value)
    except (ValueError, TypeError) as err:
        raise ValueError(f"{name} must be an array of numbers with rows of equal length ({err})") from None
    if a.dtype == object:
        # Python ints beyond int64 are numbers; None, text or nested lists of unequal length are not
        if not all(isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)) for v in a.flat):
            raise TypeError(f"{name} must be an array of numbers with rows of equal length, got {got(value)}")
        try:
            a = a.astype(np.float64)
        except (ValueError, TypeError, OverflowError):
            raise TypeError(f"{name} must be an array of numbers, got {got(value)}") from None
    kind = a.dtype.kind
    if kind == "b" and not bools:
        raise TypeError(f"{name} must hold numbers, not booleans (got dtype bool)")
    if kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {a.dtype}")
    if integral and kind not in "biu":
        raise TypeError(f"{name} must hold whole numbers (an integer dtype), got dtype {a.dtype}")
    _check_shape(a.shape, name, ndim, shape)
    if nonempty and a.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {a.shape}")
    if a.size > max_elements:
        raise ValueError(f"{name} holds {a.size:,} numbers, more than the limit of {max_elements:,}")
    if dtype is not None:
        with np.errstate(over="ignore"):
            a = a.astype(dtype, copy=False)
    if finite and a.dtype.kind == "f":
        bad = ~np.isfinite(a)
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(f"{name} must hold finite numbers (no NaN or infinity); entry {list(where)} is {a[where]}")
    return a


def elementwise(value, name):
    """Numbers or an array of them for element-wise maths -> float64 array; NaN and infinities pass through."""
    return array(value, name, finite=False, nonempty=False)


def tensor(value, name, *, ndim=None, shape=None, floating=True, finite=True, nonempty=False, numpy=False,
           max_elements=MAX_ELEMENTS):
    """A torch.Tensor (or, with ``numpy``, a NumPy array, converted) -> tensor.

    ``floating``: require a floating dtype; ``finite``: reject NaN and infinities; ``nonempty``:
    reject a tensor without entries; ``ndim`` / ``shape`` as for ``array``.
    """
    import torch

    if numpy and isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise TypeError(f"{name} must hold real numbers, got dtype {value.dtype}")
        value = torch.from_numpy(np.ascontiguousarray(value))
    if not isinstance(value, torch.Tensor):
        also = " or a NumPy array" if numpy else ""
        raise TypeError(f"{name} must be a torch.Tensor{also}, got {got(value)}")
    if value.is_complex() or value.dtype == torch.bool:
        raise TypeError(f"{name} must hold real numbers, got dtype {value.dtype}")
    if floating and not value.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {value.dtype}: convert it with .float()")
    _check_shape(tuple(value.shape), name, ndim, shape)
    if nonempty and value.numel() == 0:
        raise ValueError(f"{name} must not be empty, got shape {tuple(value.shape)}")
    if value.numel() > max_elements:
        raise ValueError(f"{name} holds {value.numel():,} numbers, more than the limit of {max_elements:,}")
    if finite and value.is_floating_point() and value.device.type != "meta":
        with torch.no_grad():
            ok = bool(torch.isfinite(value).all())
        if not ok:
            raise ValueError(f"{name} must hold finite numbers (no NaN or infinity)")
    return value


# --- Declaring the checks of a function's arguments -------------------------------------------


def checked(_together=None, **rules):
    """Decorator: before each call, check the named arguments with their rules (see ``rule``).

    A rule is called as ``rule(value, name)`` and raises ValueError/TypeError naming the
    argument; ``_together(arguments)``, if given, then checks how they fit together (a dict of
    every argument, defaults filled in). The function runs with the arguments as they were given. For functions
    whose arguments are only passed on or drawn (the figures), where a check at the top keeps a
    bad value from surfacing deep inside matplotlib with a message that names nothing.
    """
    import functools
    import inspect

    def decorate(function):
        signature = inspect.signature(function)
        unknown = set(rules) - set(signature.parameters)
        if unknown:
            raise TypeError(f"{function.__name__} has no arguments {sorted(unknown)} to check")

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            for name, check in rules.items():
                check(bound.arguments[name], name)
            if _together is not None:
                _together(dict(bound.arguments))
            return function(*args, **kwargs)

        return wrapper

    return decorate


def rule(check, **options):
    """A rule for ``checked``: ``rule(integer, minimum=1)`` checks a value as integer(value, name, minimum=1)."""
    return lambda value, name: check(value, name, **options)


def optional(check):
    """A rule that also accepts None."""
    return lambda value, name: None if value is None else check(value, name)


def instances(cls, what=None, min_length=1, max_length=MAX_ITEMS):
    """A rule: a sequence of instances of ``cls`` (a single one counts as a list of one when not a sequence)."""
    def check(value, name):
        items = sequence(value, name, 0, max_length)
        kind = what or cls.__name__
        if len(items) < min_length:
            raise TypeError(f"{name} must be a list of at least {min_length} {kind}, got {len(items)}")
        for i, item in enumerate(items):
            instance(item, f"{name}[{i}]", cls, what)
        return items
    return check


def mapping(check_value=None, min_length=1):
    """A rule: a dict with text keys, each value checked by ``check_value(value, name[key])``."""
    def check(value, name):
        if not isinstance(value, dict):
            raise TypeError(f"{name} must be a dict {{label: value}}, got {got(value)}")
        if len(value) < min_length:
            raise ValueError(f"{name} must hold at least {min_length} entries, got {len(value)}")
        for key, item in value.items():
            if check_value is not None:
                check_value(item, f"{name}[{key!r}]")
        return value
    return check
