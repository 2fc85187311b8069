"""dlexam.display: tables against their cells."""

import html
import math

import numpy as np
import torch
from hypothesis import strategies as st

from . import Arg, Arr, Bool, Fixed, Ten, Text, spec


def _fail(result):
    raise AssertionError(f"property fails for {result!r}"[:300])


words = st.text(alphabet="ab <&>\"'", max_size=5)
cells = st.one_of(st.integers(), words, st.floats(allow_nan=False))
tables = st.integers(1, 4).flatmap(lambda c: st.tuples(
    st.lists(words, min_size=c, max_size=c),
    st.lists(st.lists(cells, min_size=c, max_size=c), max_size=4)))
TABLE = {"header": Arg(["a", "b"], [("None", None), ("number", 3), ("text", "ab")]),
         "rows": Arg([[1, 2], [3, 4]], [("None", None), ("number", 3), ("row not a list", [1, 2]),
                                        ("too many cells", [[0] * 1001] * 1001)]),
         "highlight": Arg(None, [("text", "0"), ("negative", {-1}), ("float", {0.5}), ("number", 1)],
                          [("first row", {0})])}


def check_html(result, header, rows, highlight):
    assert result.count("<tr") == len(rows) + 1
    for cell in [*header, *(c for row in rows for c in row)]:
        assert html.escape(str(cell)) in result


spec("display.html_table", TABLE, given=tables.map(lambda t: {"header": t[0], "rows": t[1]}), check=check_html)
spec("display.Table", TABLE, given=tables.map(lambda t: {"header": t[0], "rows": t[1]}),
     check=lambda r, header, rows, highlight: (len(repr(r).split("\n")) == len(rows) + 1
                                               and check_html(r._repr_html_(), header, rows, highlight) is None)
     or _fail(r))
spec("display.glue", {"name": Arg("answer", [("None", None), ("number", 3), ("empty", "")]), "value": Fixed(3),
                      "display": Bool(False)},
     check=lambda r, **kw: r is None or _fail(r))

