"""dlexam: the companion library of the executable Deep Learning exam.

One module per concept (``neuron``, ``conv``, ``pca``, ``params``, ``particles``,
``augment``, ``models``, ``training``, ...); plotting lives in ``dlexam.plots`` and the
ipywidgets front-ends in ``dlexam.widgets``. Submodules load on first use, so
``import dlexam`` is cheap and changes nothing: no seeds, no rcParams, no downloads.
"""

import importlib

__version__ = "0.1.0"


def __getattr__(name):
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as err:
        if err.name == f"{__name__}.{name}":
            raise AttributeError(f"module 'dlexam' has no attribute {name!r}") from None
        raise
