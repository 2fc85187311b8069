"""Every built page is usable without a mouse, without sight and on a phone.

Each page is opened twice in headless Chromium: in light mode at a desktop width (1280 px) and
in dark mode at a phone width (390 px). Each time axe-core audits the book's own article (the
theme's navigation is not the book's to fix) and no critical or serious finding may remain;
nothing may stick out sideways. Every image must say what it shows: no empty alt, no file
name. On one explorer, Tab must walk from control to control, each visibly focused.

axe-core is vendored in tests/vendor/ (not part of the published site) and injected into the
page under test.
"""

import asyncio
import json
import re
import threading
from pathlib import Path

import pytest

from book import CHROMIUM_ARGS, chromium_path, toc_files
from test_site import base_url, built_site  # noqa: F401  (module fixtures shared with the site tests)

pytestmark = pytest.mark.book

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"

# (mode, viewport width): light on a desktop, dark on a phone.
MODES = {"light": 1280, "dark": 390}

WIDGET_SELECTOR = (
    ".jupyter-widgets.widget-container, .widget-container.jupyter-widgets, "
    ".jp-OutputArea .jupyter-widgets, div.jupyter-widgets, .dlx-explorer"
)
# Pages audited at the same time (each in its own tab): axe's colour checks keep a core busy.
WORKERS = 3

MATH_READY = "() => window.MathJax && MathJax.startup && MathJax.startup.promise"
VIEWS = 'script[type="application/vnd.jupyter.widget-view+json"]'
DRAWN = "([sel, n]) => document.querySelectorAll(sel).length >= n"
# Explorers draw their figures asynchronously (blob images, canvases) after the widget appears.
SETTLE_MS = 500


def wait_until_drawn(page):
    """Wait for MathJax and for every saved widget view to be drawn (Playwright's sync API)."""
    page.wait_for_function(MATH_READY, timeout=30000)
    page.evaluate("() => MathJax.startup.promise")
    n_views = page.locator(VIEWS).count()
    if n_views:
        page.wait_for_function(DRAWN, arg=[WIDGET_SELECTOR, n_views], timeout=30000)
        page.wait_for_timeout(SETTLE_MS)


AUDIT_JS = r"""async () => {
    const article = document.querySelector('article.bd-article');
    const result = await axe.run(article, {resultTypes: ['violations', 'incomplete']});
    // axe leaves text it cannot judge for review; text it measured below 4.5:1 (it calls 1:1 "maybe
    // hidden") is a failure here too.
    const unreadable = result.incomplete.filter(v => v.id === 'color-contrast').map(v => ({...v, impact: 'serious',
        nodes: v.nodes.filter(n => n.any.some(c => { const m = /has a ([\d.]+):1 contrast/.exec(c.message || '');
                                                      return m && Number(m[1]) < 4.5; }))}))
        .filter(v => v.nodes.length);
    const violations = result.violations.concat(unreadable)
        .filter(v => v.impact === 'critical' || v.impact === 'serious')
        .map(v => ({id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 160),
                                              summary: (n.failureSummary || '').slice(0, 300)}))}));
    const images = [...article.querySelectorAll('img')].map(img => ({
        src: (img.getAttribute('src') || '').slice(0, 80), alt: img.getAttribute('alt'),
        label: img.getAttribute('aria-label'), hidden: img.closest('[aria-hidden="true"]') !== null,
    }));
    const graphics = [...article.querySelectorAll('[role="img"]')].map(g => ({
        src: g.tagName.toLowerCase(), alt: g.getAttribute('aria-label'), label: null,
        hidden: g.closest('[aria-hidden="true"]') !== null,
    }));
    const describe = e => e.tagName.toLowerCase() + (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\s+/).join('.') : '');
    // Something sticks out when it reaches past the window and no box around it scrolls or clips it.
    const width = document.documentElement.clientWidth;
    const clipped = e => {
        for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
            if (getComputedStyle(p).overflowX !== 'visible') return true;
        }
        return false;
    };
    const wide = [...article.querySelectorAll('*')]
        .filter(e => { const r = e.getBoundingClientRect(); return r.right > width + 1 && r.width > 0 && r.height > 0; })
        .filter(e => !clipped(e))
        .map(e => describe(e) + ' (' + Math.round(e.getBoundingClientRect().right - width) + ' px)');
    // Display formulas must fit the column, not scroll inside it.
    const formulas = [...article.querySelectorAll('mjx-container[display]')]
        .filter(m => m.scrollWidth > m.clientWidth + 1)
        .map(m => (m.querySelector('mjx-assistive-mml') || m).textContent.slice(0, 60) + ' (' + (m.scrollWidth - m.clientWidth) + ' px)');
    return {theme: document.documentElement.dataset.theme, violations, images: images.concat(graphics),
            overflow: document.documentElement.scrollWidth - width, wide: wide.slice(0, 8), formulas};
}"""


async def _audit_pages(base_url, names):
    """Open every page once per mode (a few tabs at a time) and audit it: {(name, mode): result}."""
    from playwright.async_api import async_playwright

    async def refuse(route):  # nothing may be fetched from another host
        await route.abort()

    found = {}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        contexts = {}
        for mode, width in MODES.items():
            context = await browser.new_context(viewport={"width": width, "height": 900}, color_scheme=mode)
            # pydata-sphinx-theme reads the chosen mode from localStorage before it draws.
            await context.add_init_script(f"localStorage.setItem('mode', '{mode}'); localStorage.setItem('theme', '{mode}');")
            await context.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), refuse)
            contexts[mode] = context
        queue = asyncio.Queue()
        for mode in MODES:
            for name in names:
                queue.put_nowait((name, mode))

        async def worker():
            tabs = {}
            while not queue.empty():
                name, mode = queue.get_nowait()
                if mode not in tabs:
                    tabs[mode] = await contexts[mode].new_page()
                page = tabs[mode]
                await page.goto(f"{base_url}/{name}.html", wait_until="load")
                await page.wait_for_function(MATH_READY, timeout=30000)
                await page.evaluate("() => MathJax.startup.promise")
                n_views = await page.locator(VIEWS).count()
                if n_views:
                    await page.wait_for_function(DRAWN, arg=[WIDGET_SELECTOR, n_views], timeout=30000)
                    await page.wait_for_timeout(SETTLE_MS)
                await page.add_script_tag(path=str(AXE))
                found[name, mode] = await page.evaluate(AUDIT_JS)

        await asyncio.gather(*(worker() for _ in range(WORKERS)))
        await browser.close()
    return found


@pytest.fixture(scope="module")
def audits(base_url):  # noqa: F811
    """Every page, audited once per mode; run in its own thread, beside the sync browser of the other tests."""
    pytest.importorskip("playwright.async_api")
    outcome = {}

    def run():
        try:
            outcome["found"] = asyncio.run(_audit_pages(base_url, toc_files()))
        except BaseException as err:  # reported in the test thread
            outcome["error"] = err

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["found"]


@pytest.fixture(scope="module")
def browser(built_site):  # noqa: F811
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def describes(image):
    """An image is described when its alt (or aria-label) is words, not empty and not a file name."""
    if image["hidden"]:
        return True
    text = (image["label"] or image["alt"] or "").strip()
    if len(text) < 8:
        return False
    if text.rstrip(".") == "A figure of the book":  # dlexam.plots' fallback: the figure has no words at all
        return False
    return not re.search(r"(^|[\s/])[\w.-]+\.(png|jpe?g|svg|gif|webp)\b|^blob:|_images/|^\.\./", text, re.I)


def _format(violations):
    return json.dumps([{**v, "nodes": v["nodes"][:3], "count": len(v["nodes"])} for v in violations], indent=1)


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("name", toc_files())
def test_no_serious_axe_finding(audits, name, mode):
    assert audits[name, mode]["theme"] == mode, "the page did not switch to the mode under test"
    violations = audits[name, mode]["violations"]
    assert not violations, f"{name} ({mode}):\n{_format(violations)}"


@pytest.mark.parametrize("name", toc_files())
def test_every_image_is_described(audits, name):
    images = audits[name, "light"]["images"]
    undescribed = [i for i in images if not describes(i)]
    assert not undescribed, f"{name}: images without a description: {undescribed}"


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("name", toc_files())
def test_nothing_sticks_out_sideways(audits, name, mode):
    result = audits[name, mode]
    assert result["overflow"] <= 0 and not result["wide"], (
        f"{name} at {MODES[mode]} px is {result['overflow']} px wider than the window: {result['wide']}"
    )
    assert not result["formulas"], f"{name} at {MODES[mode]} px: formulas wider than the column: {result['formulas']}"


KEYBOARD_PAGE = "chapters/part1/i_a_sigmoid_truth_table"
# The I(A) explorer's controls, in the order Tab must reach them.
KEYBOARD_ORDER = ["option", "table", "w1", "w2", "b"]

FOCUSED_JS = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const s = getComputedStyle(e);
    return {
        tag: e.tagName.toLowerCase(), control: e.dataset ? (e.dataset.control || null) : null,
        in_explorer: e.closest('.dlx-truth-table') !== null, formula: e.closest('mjx-container') !== null,
        outline: s.outlineStyle === 'none' ? 0 : parseFloat(s.outlineWidth), outline_colour: s.outlineColor,
        shadow: s.boxShadow,
    };
}"""


def test_tab_walks_the_explorer_control_by_control_with_visible_focus(browser, base_url):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
    page = context.new_page()
    try:
        page.goto(f"{base_url}/{KEYBOARD_PAGE}.html", wait_until="load")
        wait_until_drawn(page)
        in_tab_order = page.evaluate("() => document.querySelectorAll('mjx-container[tabindex]:not([tabindex=\"-1\"])').length")
        assert in_tab_order == 0, f"{in_tab_order} formulas are in the tab order"
        # From the top of the page to the explorer: no formula on the way.
        page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
        before = []
        for _ in range(120):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUSED_JS)
            if focused and focused["in_explorer"]:
                break
            before.append(focused)
        else:
            pytest.fail("120 presses of Tab never reached the explorer")
        assert not [f for f in before if f and f["formula"]], "Tab stops on formulas"
        # Inside the explorer: every control in order, each with a visible focus ring.
        reached = []
        while focused and focused["in_explorer"] and len(reached) < 12:
            reached.append(focused)
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUSED_JS)
    finally:
        context.close()
    assert [f["control"] for f in reached] == KEYBOARD_ORDER
    for f in reached:
        assert f["outline"] >= 2 and f["shadow"] != "none", f"focus on {f['control']} is hardly visible: {f}"
