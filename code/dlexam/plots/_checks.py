"""Rules for the arguments of the figures (see ``dlexam.validate.checked``): a bad value is refused by name
before anything is drawn, instead of failing deep inside matplotlib."""

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .. import validate as v
from ..validate import checked, instance, instances, mapping, optional, pair, rule, tensor  # noqa: F401  (for the figures)


def INT(minimum=None, maximum=None):  # noqa: N802
    return v.rule(v.integer, minimum=minimum, maximum=maximum)


REAL = v.rule(v.real)
POSITIVE = v.rule(v.real, above=0.0)
NON_NEGATIVE = v.rule(v.real, minimum=0.0)
BOOL = v.boolean
TEXT = v.text
INTERVAL = v.interval
AXES = v.optional(v.rule(v.instance, cls=Axes, what="matplotlib Axes"))
FIGURE = v.rule(v.instance, cls=Figure, what="matplotlib Figure")


def CHOICE(options):  # noqa: N802
    return v.rule(v.choice, options=tuple(options))


def ARRAY(**options):  # noqa: N802
    return v.rule(v.array, **options)


VECTOR = ARRAY(ndim=1)
MATRIX = ARRAY(ndim=2)
POINTS = ARRAY(shape=(None, 3))  # a configuration: m particles in 3D


def LIMITS(value, name):  # noqa: N802
    """((x0, x1), (y0, y1)): the ranges of a plane."""
    for item in v.sequence(value, name, 2, 2):
        v.interval(item, name)


def TEXTS(value, name):  # noqa: N802
    for i, item in enumerate(v.sequence(value, name)):
        v.text(item, f"{name}[{i}]")


def NUMBERS(value, name):  # noqa: N802
    """A non-empty sequence of finite numbers."""
    v.array(value, name, ndim=1)


def INTEGERS(minimum=None, min_length=1):  # noqa: N802
    return v.rule(v.integers, minimum=minimum, min_length=min_length)


def SIZE_PAIR(value, name):  # noqa: N802
    """(width, height) in inches, both positive."""
    for item in v.sequence(value, name, 2, 2):
        v.real(item, name, above=0.0)


def ENTRY(value, name):  # noqa: N802
    """A number, NaN included (a cell not computed yet)."""
    value = v._scalar(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__float__") \
            or isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a number, got {v.got(value)}")
