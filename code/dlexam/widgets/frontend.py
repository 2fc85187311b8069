"""The explorers' front-ends: anywidgets whose JavaScript computes and draws in the browser.

Each explorer's module is ``js/common.js`` followed by ``js/<name>.js``. Jupyter, Colab and the
static site all run it (the site through anywidget's front-end, served by the site itself), so
an explorer works on a page with no kernel behind it. The JavaScript repeats a little of the
library's math; the Python view functions of each explorer write test vectors, and the browser
tests check every number the page shows against them.
"""

import functools
from pathlib import Path

import anywidget
import traitlets

JS = Path(__file__).with_name("js")


@functools.lru_cache(maxsize=None)
def module_source(name, parts=()):
    """The ES module of one explorer: the shared helpers, the shared ``parts`` it names, then its own code.

    ``parts`` are names of files in js/ that several explorers use (e.g. a 3D view of a particle
    configuration), put between js/common.js and js/<name>.js in the order given.
    """
    files = ["common", *parts, name]
    return "\n".join((JS / f"{f}.js").read_text(encoding="utf-8") for f in files)


@functools.lru_cache(maxsize=None)
def style_source():
    """The CSS all explorers share."""
    return (JS / "common.css").read_text(encoding="utf-8")


def _widget_setting(name):
    """A read-only property of an explorer: its front-end's control ``name`` (change it with ``explorer.set(...)``)."""
    return property(lambda self: getattr(self.widget, name),
                    doc=f"The {name} the explorer shows (read-only; change it with set({name}=...)).")


class BrowserWidget(anywidget.AnyWidget):
    """Base of the explorers' front-ends; ``config`` carries the library's constants to the JavaScript.

    Subclasses set ``_esm = module_source("<name>")`` and declare their controls as synced traits.
    """

    _css = traitlets.Unicode().tag(sync=True)
    config = traitlets.Dict().tag(sync=True)

    @traitlets.default("_css")
    def _default_css(self):
        return style_source()
