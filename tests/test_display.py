"""dlexam.display: tables for pages and widgets, and glue for numbers in prose."""

import pytest

from dlexam import display


def test_table_renders_html_and_aligned_text():
    table = display.Table(["a", "bb"], [[1, 2.5], ["x", "<y>"]], highlight=[1])
    html = table._repr_html_()
    assert html.count("<tr") == 3 and "&lt;y&gt;" in html and "#fff4e5" in html
    assert repr(table).splitlines() == ["a   bb", "1  2.5", "x  <y>"]


def test_glue_records_a_value_for_myst_nb(monkeypatch):
    recorded = []
    import myst_nb

    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display: recorded.append((name, value, display)))
    display.glue("answer", 42)
    assert recorded == [("answer", 42, False)]


def test_glue_without_myst_nb_does_nothing(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_myst_nb(name, *args, **kwargs):
        if name == "myst_nb":
            raise ImportError("not installed")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_myst_nb)
    assert display.glue("answer", 42) is None


@pytest.mark.parametrize("name", ["", None, 3])
def test_glue_needs_a_name(name):
    with pytest.raises(TypeError, match="name"):
        display.glue(name, 1)
