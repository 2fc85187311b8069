"""Small fixes to the HTML that Jupyter Book 1 writes: every page loads without a console error and
is usable with a keyboard, a screen reader and a phone.

- Figures: a notebook figure's PNG carries its description (a "Description" text chunk, written
  by dlexam.plots); it becomes the image's alt text instead of the file's path.
- The "Show code cell source" toggles: myst-nb labels them "Toggle hidden content", a name that
  differs from the words on screen (axe's label-content-name-mismatch); the label is dropped, so
  the visible words are the name.
- static/book-a11y.js and .css: names and values for the widgets' controls, visible focus,
  formulas that fit a phone's width, tables that scroll inside the page (see the files).
"""

from pathlib import Path

from docutils import nodes


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    # sphinx-thebe registers its inline configuration script (`const THEBE_JS_URL = ...`)
    # twice; the second copy throws "Identifier has already been declared" on every page.
    seen, unique = set(), []
    for script in context.get("script_files", []):
        # The copies differ only in filename None vs "": compare what the tag will contain.
        key = (getattr(script, "filename", str(script)) or "", tuple(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


# Font Awesome (loaded by the theme) replaces <i> icons with <svg> elements; ipywidgets'
# Play button looks for its <i> icon and throws on click. Nesting the svg inside keeps the <i>.
FONTAWESOME_CONFIG = 'window.FontAwesomeConfig = { autoReplaceSvg: "nest" };'


STATIC = Path(__file__).with_name("static")


def _describe_images(app, doctree, docname):
    """Alt text for notebook figures from the description their PNG carries.

    myst-nb turns a notebook output into an image only when the page is resolved, so this runs
    on doctree-resolved, before the page is written.
    """
    from PIL import Image

    for node in doctree.findall(nodes.image):
        uri = node.get("candidates", {}).get("*") or node.get("uri", "")
        if node.get("alt") or not uri.lower().endswith(".png") or "://" in uri:
            continue
        found = [Path(app.env.relfn2path(uri, docname)[1]), Path(app.srcdir) / uri, Path(app.outdir) / "_images" / Path(uri).name]
        path = next((p for p in found if p.is_file()), None)
        if path is None:
            continue
        with Image.open(path) as picture:
            description = getattr(picture, "text", {}).get("Description", "")
        if description.strip():
            node["alt"] = " ".join(description.split())


TOGGLE = '<summary aria-label="Toggle hidden content">'


def _name_toggles_by_their_words(app, pagename, templatename, context, doctree):
    if "body" in context and TOGGLE in context["body"]:
        context["body"] = context["body"].replace(TOGGLE, "<summary>")


def _add_static(app):
    app.config.html_static_path.append(str(STATIC))


def setup(app):
    app.add_js_file(None, body=FONTAWESOME_CONFIG, priority=100)
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    app.connect("html-page-context", _name_toggles_by_their_words)
    app.connect("doctree-resolved", _describe_images)
    app.connect("builder-inited", _add_static)
    app.add_js_file("book-a11y.js", defer="defer")
    app.add_css_file("book-a11y.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
