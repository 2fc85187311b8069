"""Every public function of dlexam answers bad input with a clear error, and keeps its promise on valid input.

The catalogue (tests/catalogue/) holds one entry per public function and class of the math
modules, and of the plots and widgets that take values from the reader. For each entry:

- every bad value of the shared hostile catalogue (wrong types, shapes, dtypes; NaN, infinities;
  empty, 0-d, booleans; out of range; huge sizes) raises ValueError or TypeError whose message
  names the argument, within a watchdog's time (no hang, no MemoryError);
- every edge value (huge but finite numbers, NumPy scalars, lists for arrays) either works with
  a finite result or raises such an error;
- valid inputs drawn by hypothesis from the function's domain give what the function promises:
  agreement with an independent reference (PyTorch, NumPy, brute force) or a property.

A public function without an entry fails ``test_every_public_function_has_an_entry``.
"""

import pytest
from hypothesis import HealthCheck, given, settings

import catalogue

SPECS = catalogue.load_all()
HOSTILE = sorted(name for name, s in SPECS.items() if s.args)
VALID = sorted(name for name, s in SPECS.items() if not s.record)


def test_every_public_function_has_an_entry():
    public = set(catalogue.public_callables())
    missing = sorted(public - set(SPECS))
    stale = sorted(set(SPECS) - public)
    assert not missing, f"public callables without an entry in tests/catalogue/: {missing}"
    assert not stale, f"entries in tests/catalogue/ for callables that are gone: {stale}"


def test_every_entry_that_is_not_a_record_promises_something():
    vague = sorted(name for name, s in SPECS.items() if not s.record and s.check is None)
    assert not vague, f"entries without a check of what valid input gives: {vague}"


def _report(failures):
    return "\n".join(f"{o.argument} = {o.label} ({o.expected}): {o.result}: {o.detail}" for o in failures[:25])


@pytest.mark.parametrize("name", HOSTILE)
def test_bad_input_is_refused_by_name(name):
    failures = [o for o in catalogue.run(SPECS[name]) if not o.ok]
    assert not failures, f"{len(failures)} inputs answered wrongly:\n{_report(failures)}"


@pytest.mark.parametrize("name", VALID)
def test_valid_input_keeps_the_promise(name):
    entry = SPECS[name]
    if entry.given is None:
        kwargs = entry.valid_kwargs()
        entry.check(entry.invoke(**kwargs), **kwargs)
        return

    @settings(max_examples=entry.examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(entry.given)
    def holds(drawn):
        kwargs = {**entry.valid_kwargs(), **drawn}
        entry.check(entry.invoke(**kwargs), **kwargs)

    holds()


def _training():
    from dlexam.widgets.training import TrainingExplorer

    e = TrainingExplorer(epochs=2)
    return e, (lambda: setattr(e.lr, "value", float("nan"))), (lambda: setattr(e.lr, "value", 0.01)), \
        (e.status, e.figure, e.results), lambda: "learning rate 0.01" in e.status.value


def _landscape():
    from dlexam.widgets.landscape import LandscapeExplorer

    e = LandscapeExplorer(runs=3, epochs=2)
    return e, (lambda: setattr(e.seed, "value", -1)), (lambda: setattr(e.seed, "value", 2)), \
        (e.summary, e.figure), lambda: "seed 2" in e.summary.value


def _conv():
    from dlexam.widgets.conv import ConvStepper

    e = ConvStepper()
    return e, (lambda: setattr(e.kernel_text, "value", "1 x")), (lambda: setattr(e.kernel_text, "value", "1")), \
        (e.summary, e.view), lambda: e.message.value == ""


@pytest.mark.parametrize("make", [_training, _landscape, _conv], ids=["training", "landscape", "conv"])
def test_an_error_hides_what_an_explorer_showed_until_it_recovers(make):
    explorer, break_it, fix_it, results, redrawn = make()
    assert explorer.message.value == "" and not explorer.stale
    shown = [w.layout.display for w in results]
    break_it()
    assert explorer.message_kind == "error" and explorer.stale
    assert all(w.layout.display == "none" for w in results), "the results of refused settings stay visible"
    fix_it()
    assert explorer.message.value == "" and not explorer.stale and redrawn()
    assert [w.layout.display for w in results] == shown
