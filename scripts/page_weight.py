"""Print the weight of every page of the built site: what a browser downloads to show it.

Each page of _toc.yml (or the pages given) is opened in headless Chromium from a local server,
and every response it loads is counted: as served (bytes) and as a web server sends it
compressed (gzip, level 6; fonts and images are already compressed and barely shrink).

A page's own weight is its HTML (text, saved widget state and the explorers' front-end modules
inside it) and its images; it must stay under 2 MiB compressed. The site's shared files (the
theme, the fonts, MathJax, RequireJS, the widget manager and anywidget under _static/, and the
search index) are loaded once and cached for every other page: they are counted once, for the
site, and listed at the end. With --details, the largest files of each page too.

    .venv/bin/python scripts/page_weight.py [--site _build/html] [--details] [page ...]
"""

import argparse
import gzip
import shutil
import sys
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from book import CHROMIUM_ARGS, serve, toc_files  # noqa: E402

BUDGET = 2 * 2**20


def is_shared(url):
    """True for the site's files that every page shares (and a browser caches), not the page's own."""
    path = urlparse(url).path
    return "/_static/" in path or path.endswith("/searchindex.js")


def weigh(browser, url):
    """{url: (bytes, gzip bytes)} of everything the page at url loads."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    loaded = {}

    def on_response(response):
        if response.url.startswith("http") and response.status < 300:
            try:
                body = response.body()
            except Exception:  # a body the browser did not keep
                return
            loaded[response.url] = (len(body), len(gzip.compress(body, 6)))

    page.on("response", on_response)
    page.route(lambda u: urlparse(u).hostname != "127.0.0.1", lambda route: route.abort())
    page.goto(url, wait_until="load")
    page.wait_for_function("() => !window.MathJax || !MathJax.startup || MathJax.startup.promise", timeout=30000)
    page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
    page.wait_for_timeout(1500)  # widgets and fonts load after the load event
    context.close()
    return loaded


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", help="pages as in _toc.yml (default: all)")
    parser.add_argument("--site", default=str(ROOT / "_build" / "html"))
    parser.add_argument("--details", action="store_true", help="list each page's largest files")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    pages = args.pages or toc_files()
    over = []
    with serve(args.site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        print(f"{'page (own files)':55} {'files':>5} {'served':>10} {'gzip':>10}")
        shared = {}
        for name in pages:
            loaded = weigh(browser, f"{base}/{name}.html")
            own = {url: sizes for url, sizes in loaded.items() if not is_shared(url)}
            shared.update({urlparse(url).path: sizes for url, sizes in loaded.items() if is_shared(url)})
            raw = sum(r for r, _ in own.values())
            packed = sum(g for _, g in own.values())
            flag = "  over 2 MiB" if packed > BUDGET else ""
            print(f"{name:55} {len(own):5} {raw / 2**20:9.2f}M {packed / 2**20:9.2f}M{flag}")
            if packed > BUDGET:
                over.append(name)
            if args.details:
                for url, (r, g) in sorted(own.items(), key=lambda item: -item[1][1])[:8]:
                    print(f"    {urlparse(url).path[-70:]:70} {r / 1024:9.0f}K {g / 1024:9.0f}K")
        browser.close()
    raw = sum(r for r, _ in shared.values())
    packed = sum(g for _, g in shared.values())
    label = "the site's shared files, loaded once"
    print(f"{label:55} {len(shared):5} {raw / 2**20:9.2f}M {packed / 2**20:9.2f}M")
    if args.details:
        for path, (r, g) in sorted(shared.items(), key=lambda item: -item[1][1])[:12]:
            print(f"    {path[-70:]:70} {r / 1024:9.0f}K {g / 1024:9.0f}K")
    if over:
        print(f"{len(over)} page(s) over {BUDGET / 2**20:g} MiB compressed: {', '.join(over)}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
