"""What each explorer's constructor accepts: a bad argument is refused by name, as every function of the library does.

``Explorer.__init_subclass__`` (in ``base``) checks the arguments of every explorer listed here
with ``dlexam.validate.checked`` before the explorer is built. A value a control cannot show
(outside a slider's range, not among a dropdown's options) is refused rather than silently
moved to the nearest value the control allows. Limits that an explorer's module defines are
read from it when the explorer is built, so they cannot drift apart.
"""

import importlib

from .. import binary, models, neuron, particles, regression, reversible, saturation, training
from .. import validate as v
from ..validate import optional, rule


def _const(module, name):
    return getattr(importlib.import_module(f"dlexam.widgets.{module}"), name)


def INT(minimum=None, maximum=None):  # noqa: N802
    """A whole number in [minimum, maximum]; a maximum given as (module, NAME) is read from that module."""
    def check(value, name):
        top = _const(*maximum) if isinstance(maximum, tuple) else maximum
        return v.integer(value, name, minimum, top)
    return check


def REAL(minimum=None, maximum=None, above=None):  # noqa: N802
    return rule(v.real, minimum=minimum, maximum=maximum, above=above)


def CHOICE(options):  # noqa: N802
    """One of ``options``: a tuple, or a zero-argument function giving them (read when the explorer is built)."""
    return lambda value, name: v.choice(value, name, tuple(options() if callable(options) else options))


def VECTOR(value, name):  # noqa: N802
    v.array(value, name, ndim=1)


def PAIR_OF_REALS(value, name):  # noqa: N802
    for item in v.sequence(value, name, 2, 2):
        v.real(item, name)


def TENSOR(value, name):  # noqa: N802
    v.tensor(value, name, ndim=3)


SEED = INT(0)


def _layer_order():
    return importlib.import_module("dlexam.layer_order")


def _index_in_X(arguments):
    X = arguments.get("X")
    count = len(X) if X is not None else particles.N_TRAIN
    if arguments["index"] >= count:
        raise ValueError(f"index must be below the number of configurations in X ({count}), got {arguments['index']}")


def _batch_in_landscape(arguments):
    from .. import landscape as ls

    landscape = arguments.get("landscape")
    n = landscape.n if isinstance(landscape, ls.Landscape) else ls.book_landscape().n
    if arguments["batch_size"] > n:
        raise ValueError(f"batch_size must be at most the landscape's {n} examples, got {arguments['batch_size']}")


def MEASURED(value, name):  # noqa: N802
    """What bias_variance.measure returned: a non-empty list of BiasVariance."""
    from ..bias_variance import BiasVariance

    items = list(value) if hasattr(value, "__iter__") and not isinstance(value, (str, bytes)) else None
    if not items or not all(isinstance(r, BiasVariance) for r in items):
        raise ValueError(f"{name} must be the list of BiasVariance that bias_variance.measure returns, got {v.got(value)}")


def COVARIANCE(value, name):  # noqa: N802
    v.array(value, name, shape=(3, 3))

RULES = {
    "ActivationExplorer": dict(activation=CHOICE(saturation.EXAM_OPTIONS), w=VECTOR, b=REAL(), x=VECTOR,
                               observed=REAL()),
    "SGDStepExplorer": dict(batch_size=INT(1, ("backprop", "MAX_BATCH")), lr=REAL(0.01, 10**0.5),
                            seed=INT(0, 10_000), layers=INT(1, 12), width=INT(1, 256), n=INT(1, 100_000),
                            steps=INT(0, 10_000), substep=INT(0, 5)),
    "SavedBytesExplorer": dict(layers=INT(1, ("backprop", "MAX_LAYERS")), batch_size=INT(1, ("backprop", "MAX_BATCH_SIZE")),
                               width=INT(1, ("backprop", "MAX_WIDTH")), activation=CHOICE(("tanh", "sigmoid", "relu",
                                                                                            "gelu", "silu"))),
    "BiasVarianceExplorer": dict(results=MEASURED, val_frame=CHOICE(particles.FRAMES), n=INT(5, 100),
                                 how=CHOICE(("spread over P", "largest bias", "largest variance"))),
    "BinaryTrainingExplorer": dict(left=CHOICE(tuple(binary.HEADS)), right=CHOICE(tuple(binary.HEADS)),
                                   data=CHOICE(binary.DATASETS), epochs=INT(1, 2000), lr=REAL(maximum=10.0, above=0.0),
                                   seed=SEED, redraws=INT(1, 1000)),
    "ConvStepper": dict(stride=optional(CHOICE((1, 2))), padding=optional(CHOICE(("valid", "same"))),
                        operation=CHOICE(("cross-correlation", "convolution")), max_frames=INT(1, 400)),
    "OutputSizeExplorer": dict(n=INT(1, 1000), k=INT(1, 11), stride=INT(1, 8), padding=INT(0, 6), max_n=INT(1, 1000)),
    "LandscapeExplorer": dict(batch_size=INT(1), lr=REAL(0.01, 10**0.5), epochs=INT(1, 100), start=PAIR_OF_REALS,
                              _together=_batch_in_landscape,
                              seed=SEED, runs=INT(1, 1000)),
    "TruthTableExplorer": dict(w1=REAL(), w2=REAL(), b=REAL(), table=CHOICE(tuple(neuron.TRUTH_TABLES)),
                               limit=REAL(above=0.0, maximum=1000.0)),
    "ParameterCountExplorer": dict(height=INT(1, ("params", "MAX_SIDE")), width=INT(1, ("params", "MAX_SIDE")),
                                   channels=INT(1, ("params", "MAX_CHANNELS")), widths=v.text),
    "ShapeTraceExplorer": dict(model=CHOICE(("MLP", "DeepSets")), batch_size=INT(1, ("particles", "MAX_BATCH")),
                               n_particles=INT(1, ("particles", "MAX_PARTICLES")),
                               layout=CHOICE(("(B, m, 3)", "(B, 3m)"))),
    "AugmentationExplorer": dict(index=INT(0), azimuth=REAL(-180.0, 180.0), elevation=REAL(-90.0, 90.0),
                                 angle=REAL(-180.0, 180.0), permutation_seed=INT(0, 99), X=optional(TENSOR),
                                 _together=_index_in_X),
    "PermutationExplorer": dict(index=INT(0), seed=INT(0, ("particles", "PERMUTATION_COPIES")), rotate=v.boolean,
                                X=optional(TENSOR), _together=_index_in_X),
    "EmbeddingExplorer": dict(index=INT(0), seed=INT(0, 99), n_particles=INT(1, ("particles", "MAX_PARTICLES")),
                              X=optional(TENSOR), _together=_index_in_X),
    "CovarianceExplorer": dict(C=optional(COVARIANCE)),
    "LayerOrderExplorer": dict(preset=CHOICE(lambda: (*_const("pooling", "PRESETS"), _const("pooling", "CUSTOM"))),
                               image=CHOICE(lambda: (*_layer_order().EXAMPLE_IMAGES, _const("pooling", "FOUND"))),
                               seed=INT(0, 99), pool=CHOICE(("max", "avg"))),
    "SplitExplorer": dict(data=CHOICE(regression.DATASETS), split=CHOICE(regression.SPLITS),
                          train_fraction=REAL(0.5, 0.95), model=CHOICE(lambda: tuple(c.label for c in regression.MODELS)),
                          noise=REAL(0.0, 100.0), seed=INT(0, 4)),
    "ResidualInverseExplorer": dict(c=REAL(-3.0, 3.0), y=REAL(-3.0, 3.0), max_iterations=INT(1, 10_000)),
    "ReversibleStackExplorer": dict(depth=INT(1, 512), dtype=CHOICE(tuple(reversible.DTYPES)),
                                    mode=CHOICE(reversible.MODES)),
    "TrainingExplorer": dict(model=CHOICE(tuple(models.MODELS)), augmentation=CHOICE(tuple(training.AUGMENTATIONS)),
                             epochs=INT(1, ("training", "MAX_EPOCHS")),
                             lr=lambda value, name: v.real(value, name, above=0.0,
                                                           maximum=_const("training", "MAX_LR")),
                             batch_size=INT(1, 100_000), seed=SEED, frame=CHOICE(particles.FRAMES),
                             redraw_seconds=REAL(0.0, 3600.0)),
}


def arguments_of(cls):
    """The rules of an explorer class, or {} when it has none (only those its constructor takes)."""
    import inspect

    rules = RULES.get(cls.__name__, {})
    params = inspect.signature(cls.__init__).parameters
    return {name: check for name, check in rules.items() if name in params or name == "_together"}
