"""Small fixes to the HTML that Jupyter Book 1 writes, so every page loads without a console error."""


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


def setup(app):
    app.add_js_file(None, body=FONTAWESOME_CONFIG, priority=100)
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
