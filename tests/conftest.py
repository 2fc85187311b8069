import os

import matplotlib

# Tests never open windows; pages and widgets render into PNG bytes.
matplotlib.use("Agg")
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")


# `make test` runs the suite on several workers (pytest-xdist), in three stages:
# 1. the test that builds the book (once per run, tests/book.py: build_book) starts first, and the
#    modules that share expensive fixtures of their own (the student edition's executed chapters,
#    the simulated Colab, the JupyterLab launch) go whole to one worker each, beside it;
# 2. the unit tests, each a work unit of its own, fill the other workers while the book builds;
# 3. the tests of the built site come last, each on its own (so that all workers share them once the
#    book is there), the slowest first; the accessibility audits share one fixture and stay together.
# A worker that reaches stage 3 before the book is built waits for it.
BUILD_TEST = "test_site.py::test_build_has_no_warnings_and_no_execution_reports"
WHOLE = ["test_student_edition.py", "test_colab.py", "test_launch.py", "test_accessibility.py"]
SITE = ["test_static_widgets.py", "test_site.py", "test_accessibility.py"]
# The slowest tests of the built site (about 90-150 s and 20-40 s here): handed out first.
SLOWEST_FIRST = ["test_static_widgets.py::test_explorer_shows_the_library_numbers_for_every_test_vector[layer_order]",
                 "test_static_widgets.py::test_explorer_shows_the_library_numbers_for_every_test_vector[neuron]"]


def _module(nodeid):
    return nodeid.split("::", 1)[0].rsplit("/", 1)[-1]


def _stage(item):
    module = item.path.name
    if item.nodeid.endswith(BUILD_TEST):
        return (0, 0)
    if module in SITE:
        short = f"{module}::{item.name}"
        first = [i for i, prefix in enumerate(SLOWEST_FIRST) if short.startswith(prefix)]
        return (3, first[0] if first else len(SLOWEST_FIRST))
    if module in WHOLE:
        return (1, WHOLE.index(module))
    return (2, 0)


def pytest_collection_modifyitems(config, items):
    items.sort(key=_stage)  # stable: the order within each stage is kept


def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    class Stages(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return _module(nodeid) if _module(nodeid) in WHOLE else nodeid

    config.option.loadscopereorder = False  # keep the order above
    return Stages(config, log)
