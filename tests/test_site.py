"""The book builds with every warning an error, and every built page works in a real browser.

Building executes every chapter top to bottom on a fresh kernel (any cell error fails the
build), then each page is opened in headless Chromium served from 127.0.0.1: no request may
leave the machine, the console stays clean, all math is typeset, every widget is drawn and
every image loads. A full-page screenshot of each page is kept in _build/screenshots/.
"""

import json
from urllib.parse import urlparse

import pytest

from book import BUILD, HTML, SCREENSHOTS, build_book, CHROMIUM_ARGS, chromium_path, serve, toc_files

pytestmark = pytest.mark.book


@pytest.fixture(scope="module")
def built_site():
    """The book built as `make book` does, once per test run (cached execution keeps rebuilds quick)."""
    code, log = build_book()
    assert code == 0, "the book build failed:\n" + log[-6000:]
    return HTML


def test_build_has_no_warnings_and_no_execution_reports(built_site):
    log = (BUILD / "build.log").read_text()
    assert "build succeeded" in log
    assert "WARNING" not in log.replace("[IPKernelApp] WARNING | Kernel is running over TCP", "")
    # Failed executions would publish their tracebacks here.
    assert not (built_site / "reports").exists() or not any((built_site / "reports").iterdir())


def test_every_page_of_the_toc_is_built(built_site):
    for page in toc_files():
        assert (built_site / f"{page}.html").exists(), f"{page} is in _toc.yml but was not built"


def test_no_page_shows_an_assert(built_site):
    """Checks that guard a claim run at build out of the reader's sight (remove-cell cells or tests):
    no code on a page, shown or folded, holds an assert statement."""
    for page in toc_files():
        html = (built_site / f"{page}.html").read_text()
        assert '<span class="k">assert</span>' not in html, f"{page} shows an assert: move it to a remove-cell cell"


@pytest.fixture(scope="module")
def browser(built_site):
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def base_url(built_site):
    with serve(built_site) as url:
        yield url


def open_page(browser, url):
    """Load a page and report what happened: console errors, outside requests, failures."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    report = {"console": [], "pageerror": [], "outside": [], "failed": []}
    page.on("console", lambda m: m.type == "error" and report["console"].append(m.text))
    page.on("pageerror", lambda e: report["pageerror"].append(str(e)))

    def on_request(request):
        host = urlparse(request.url).hostname
        if request.url.startswith(("data:", "blob:", "about:")):
            return
        if host not in ("127.0.0.1",):
            report["outside"].append(request.url)

    page.on("request", on_request)
    page.on("requestfailed", lambda r: report["failed"].append(f"{r.url} ({r.failure})"))
    page.on("response", lambda r: r.status >= 400 and report["failed"].append(f"{r.url} ({r.status})"))
    # Anything not on this machine is refused, so a leak cannot hang the test.
    page.route(lambda u: urlparse(u).hostname != "127.0.0.1", lambda route: route.abort())
    page.goto(url, wait_until="load")
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=30000)
    page.evaluate("() => MathJax.startup.promise")
    return context, page, report


@pytest.mark.parametrize("page_name", toc_files())
def test_page_in_browser(browser, base_url, page_name):
    context, page, report = open_page(browser, f"{base_url}/{page_name}.html")
    try:
        n_views = page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count()
        if n_views:
            # The widget manager replaces each view script with the drawn widget.
            page.wait_for_function(
                "n => document.querySelectorAll('.jupyter-widgets.widget-container, .widget-container.jupyter-widgets, .jp-OutputArea .jupyter-widgets, div.jupyter-widgets, .dlx-explorer').length >= n",
                arg=n_views,
                timeout=30000,
            )
            page.wait_for_timeout(500)
        state = page.evaluate(
            """() => ({
                raw_math: [...document.querySelectorAll('.math')].filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 80)),
                typeset: document.querySelectorAll('mjx-container').length,
                broken_images: [...document.querySelectorAll('img')].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 120)),
                widget_views: document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length,
                drawn_widgets: document.querySelectorAll('.widget-inline-hbox, .widget-box, .widget-html, .widget-image, .widget-button, .widget-dropdown, .dlx-explorer').length,
                widget_errors: [...document.querySelectorAll('.jupyter-widgets')].filter(e => /Error|error displaying widget/i.test(e.textContent.slice(0, 200)) && e.querySelectorAll('*').length < 3).map(e => e.textContent.slice(0, 120)),
                tracebacks: document.querySelectorAll('.output.traceback, .output.error, pre.ipythontb').length,
                dollar_text: (document.querySelector('article') || document.body).innerText.match(/\\$[^$\\n]{1,60}\\$/g) || [],
            })"""
        )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / (page_name.replace("/", "__") + ".png")), full_page=True)
    finally:
        context.close()
    problems = {k: v for k, v in report.items() if v}
    assert not problems, json.dumps(problems, indent=1)
    assert not state["raw_math"], f"math left untypeset: {state['raw_math']}"
    assert not state["dollar_text"], f"raw TeX in the page text: {state['dollar_text'][:5]}"
    assert not state["broken_images"], f"images that did not load: {state['broken_images']}"
    assert not state["tracebacks"], "the page shows a traceback"
    assert not state["widget_errors"], f"widgets that failed to draw: {state['widget_errors']}"
    if n_views:
        assert state["drawn_widgets"] >= n_views, f"{n_views} widget views but {state['drawn_widgets']} drawn elements"
