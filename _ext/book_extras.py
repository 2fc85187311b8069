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


def setup(app):
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
