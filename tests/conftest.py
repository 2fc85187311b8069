import os

import matplotlib

# Tests never open windows; pages and widgets render into PNG bytes.
matplotlib.use("Agg")
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")


# `make test` runs the suite on several workers (pytest-xdist). The modules below share expensive
# fixtures (the built book, the student edition's executed chapters, the simulated Colab, the
# JupyterLab launch), so each goes whole to one worker, and they start first; every
# other test is a work unit of its own and fills in around them. The book itself is built once per
# run, whichever worker needs it first (tests/book.py: build_book).
HEAVY = ["test_site.py", "test_student_edition.py", "test_colab.py", "test_launch.py", "test_static_widgets.py",
         "test_accessibility.py"]


def _module(nodeid):
    return nodeid.split("::", 1)[0].rsplit("/", 1)[-1]


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(HEAVY)}
    items.sort(key=lambda item: rank.get(item.path.name, len(HEAVY)))  # stable: order within a module kept


def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    class HeavyModulesFirst(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            module = _module(nodeid)
            return module if module in HEAVY else nodeid

    config.option.loadscopereorder = False  # keep the order above
    return HeavyModulesFirst(config, log)
