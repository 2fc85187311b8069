"""dlexam.display: tables for pages and widgets, and glue for numbers in prose."""

import pytest

from dlexam import display


def test_table_renders_html_and_aligned_text():
    table = display.Table(["a", "bb"], [[1, 2.5], ["x", "<y>"]], highlight=[1])
    html = table._repr_html_()
    assert html.count("<tr") == 3 and "&lt;y&gt;" in html and "#fff4e5" in html
    assert repr(table).splitlines() == ["a   bb", "1  2.5", "x  <y>"]


def test_html_table_markup():
    text = display.html_table(["n", "<b>"], [[1, "a&b"], [2.5, None]], highlight={1})
    cell = "padding:2px 10px;border-bottom:1px solid #ccc;text-align:right"
    assert text.startswith('<div class="dlx-table-scroll" style="max-width:100%;overflow-x:auto"><table')
    assert text.endswith("</tbody></table></div>")
    assert f'<thead><tr><th scope="col" style="{cell}">n</th><th scope="col" style="{cell}">&lt;b&gt;</th></tr></thead>' in text
    rows = text.split("<tbody>")[1].split("</tbody>")[0]
    assert rows == (f'<tr><td style="{cell}">1</td><td style="{cell}">a&amp;b</td></tr>'
                    f'<tr style="background:#fff4e5;color:#000"><td style="{cell}">2.5</td>'
                    f'<td style="{cell}">None</td></tr>')
    assert "#fff4e5" not in display.html_table(["n"], [[1], [2]])  # no highlight: no tint
    assert display.html_table(["x"], [[float("nan")]]).count(">nan</td>") == 1


def test_table_keeps_text_and_highlight_and_matches_html_table():
    table = display.Table(("x", 2), [(1.0, "yes"), (10, "no")], highlight=(0,))
    assert table.header == ["x", "2"] and table.rows == [["1.0", "yes"], ["10", "no"]] and table.highlight == {0}
    assert table._repr_html_() == display.html_table(["x", "2"], [["1.0", "yes"], ["10", "no"]], {0})
    assert repr(table).splitlines() == ["  x    2", "1.0  yes", " 10   no"]


@pytest.mark.parametrize("highlight, error, message", [
    ("1", TypeError, "highlight must be a set of row numbers"),
    (5, TypeError, "highlight must be a set of row numbers"),
    ([-1], ValueError, "highlight"),
])
def test_tables_reject_bad_highlights(highlight, error, message):
    with pytest.raises(error, match=message):
        display.html_table(["a"], [[1]], highlight)
    with pytest.raises(error, match=message):
        display.Table(["a"], [[1]], highlight)


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
