"""The explorers compute on the static site, with no kernel, and show the library's numbers.

A small book with the five pages whose explorers run in the browser is built (or the site in
DLEXAM_SITE is used) and opened in headless Chromium served from 127.0.0.1. Each explorer is
driven through its library's test vectors (``view_vectors``: states over the whole range of
every control, edge cases and bad input included, with the values the Python library computes
for them): the test sets the page's controls, reads every number the page shows (elements
tagged ``data-value``) and fails on any that differs from the library's beyond the rounding of
the digits shown. Keyboard and mouse drive each explorer too. No console error, no request to
another host; what an explorer adds to its page's weight stays small. Last, JupyterLab with a
kernel: the explorer renders through anywidget's extension and syncs with Python both ways.
"""

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

from book import CHROMIUM_ARGS, ROOT, build_book, chromium_path, serve
from dlexam.widgets import activations as activations_widget
from dlexam.widgets import conv as conv_widget
from dlexam.widgets import neuron as neuron_widget
from dlexam.widgets import params as params_widget
from dlexam.widgets import pca as pca_widget
from dlexam.widgets import pooling as pooling_widget
from dlexam.widgets import replay as replay_widget

pytestmark = pytest.mark.book

PAGES = {
    "neuron": "chapters/part1/i_a_sigmoid_truth_table",
    "activations": "chapters/part1/i_b_activation_saturation",
    "params": "chapters/part1/i_d_counting_parameters",
    "pca": "chapters/part1/i_f_pca_rank",
    "output_size": "chapters/part1/i_g_conv_output_size",
    "layer_order": "chapters/part2/ii_a_conv_relu_pool",
}


# ---- the site ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def site():
    """The built book: DLEXAM_SITE if set, else this run's build of it (tests/book.py: build_book)."""
    if os.environ.get("DLEXAM_SITE"):
        return Path(os.environ["DLEXAM_SITE"])
    code, log = build_book()
    assert code == 0, "the book did not build:\n" + log[-6000:]
    return ROOT / "_build" / "html"


@pytest.fixture(scope="module")
def base_url(site):
    with serve(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Page:
    """One page of the site in a fresh browser context, with what went wrong on it."""

    def __init__(self, browser, url, color_scheme="light"):
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=color_scheme)
        self.page = page = self.context.new_page()
        self.problems = {"console": [], "pageerror": [], "outside": [], "failed": []}
        self.bytes = {}
        page.on("console", lambda m: m.type == "error" and self.problems["console"].append(m.text))
        page.on("pageerror", lambda e: self.problems["pageerror"].append(str(e)))

        def on_request(request):
            if not request.url.startswith(("data:", "blob:", "about:")) and urlparse(request.url).hostname != "127.0.0.1":
                self.problems["outside"].append(request.url)

        def on_response(response):
            if response.status >= 400:
                self.problems["failed"].append(f"{response.url} ({response.status})")
            elif response.url.startswith("http"):
                try:
                    self.bytes[response.url] = response.body()
                except Exception:  # a redirect or an aborted body has none
                    pass

        page.on("request", on_request)
        page.on("response", on_response)
        page.on("requestfailed", lambda r: self.problems["failed"].append(f"{r.url} ({r.failure})"))
        page.route(lambda u: urlparse(u).hostname != "127.0.0.1", lambda route: route.abort())
        page.goto(url, wait_until="load")
        page.wait_for_selector(".dlx-explorer [data-value]", timeout=30000)
        self.root = page.locator(".dlx-explorer").first

    def close(self):
        self.context.close()

    def shown(self):
        """{key: text} of every number the explorer shows, and its message (text, kind)."""
        return self.page.evaluate(READ_JS)

    def drive(self, steps_list):
        """Apply each list of (control, value) steps in turn; what the explorer shows after each."""
        return self.page.evaluate(DRIVE_JS, steps_list)

    def controls(self):
        """{control name: value} as the page's controls show them."""
        return self.page.evaluate(CONTROLS_JS)


READ_JS = """() => {
  const root = document.querySelector('.dlx-explorer');
  const values = {}, digits = {};
  for (const e of root.querySelectorAll('[data-value]')) {
    values[e.dataset.value] = e.textContent;
    if (e.dataset.digits) digits[e.dataset.value] = Number(e.dataset.digits);
  }
  const m = root.querySelector('.dlx-message');
  return {values, digits, message: m ? m.textContent : '', kind: m ? (m.dataset.kind || '') : ''};
}"""

DRIVE_JS = """(stepsList) => {
  const root = document.querySelector('.dlx-explorer');
  const read = """ + READ_JS + """;
  const out = [];
  for (const steps of stepsList) {
    for (const [name, value] of steps) {
      const control = root.querySelector(`[data-control="${name}"]`);
      if (!control) throw new Error('no control ' + name);
      if (control.tagName === 'BUTTON') { control.click(); continue; }
      control.value = value;
      if (control.type === 'range') {
        if (String(Number(control.value)) !== String(Number(value))) throw new Error(`${name} cannot take ${value}`);
        control.dispatchEvent(new Event('input', {bubbles: true}));
      } else {
        if (control.value !== String(value)) throw new Error(`${name} cannot take ${JSON.stringify(value)}: it holds ${JSON.stringify(control.value)}`);
        control.dispatchEvent(new Event('change', {bubbles: true}));
      }
    }
    out.push(read());
  }
  return out;
}"""

CONTROLS_JS = """() => {
  const root = document.querySelector('.dlx-explorer');
  const state = {};
  for (const c of root.querySelectorAll('[data-control]')) {
    state[c.dataset.control] = c.tagName === 'BUTTON' ? c.getAttribute('aria-pressed') : c.value;
  }
  return state;
}"""


# ---- comparing what the page shows with the library ------------------------------------------

def parse_shown(text):
    """'1,234.50%' -> (1234.5, 0.01): the number a text shows and the place of its last digit."""
    t = text.replace(",", "").replace("%", "").replace("\u2212", "-").strip()
    mantissa, _, exponent = t.lower().partition("e")
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return float(t), 10.0 ** ((int(exponent) if exponent else 0) - decimals)


def differences(expected, shown, noise=None, digits=None):
    """Keys whose shown text differs from the library's value beyond the rounding of the digits shown.

    expected: {key: int, float or str}; shown: {key: text}; noise: {key: extra slack or None
    (not comparable)} for values that two correct computations may round differently; digits:
    {key: significant digits} where the text hides them (a "1e+06" written "1000000.0").
    """
    noise, digits = noise or {}, digits or {}
    wrong = []
    for key, value in expected.items():
        slack = noise.get(key, 0.0)
        if slack is None:
            continue
        if key not in shown:
            wrong.append(f"{key}: not shown (expected {value!r})")
            continue
        text = shown[key]
        if isinstance(value, str) or isinstance(value, bool):
            if text != value:
                wrong.append(f"{key}: shows {text!r}, expected {value!r}")
        elif isinstance(value, int):
            try:
                ok = int(text.replace(",", "").replace("\u2212", "-")) == value
            except ValueError:
                ok = False
            if not ok:
                wrong.append(f"{key}: shows {text!r}, expected {value:,}")
        else:
            try:
                number, place = parse_shown(text)
                if key in digits and number != 0:
                    place = max(place, 10.0 ** (math.floor(math.log10(abs(number))) - digits[key] + 1))
            except ValueError:
                wrong.append(f"{key}: shows {text!r}, not a number (expected {value!r})")
                continue
            if not abs(number - value) <= 0.5 * place + 1e-9 * abs(value) + slack + 1e-300:
                wrong.append(f"{key}: shows {text!r}, expected {value!r}")
    return wrong


def check_vectors(page, vectors, steps_of, noise_of=lambda v: {}, skip=lambda v: False, batch=60):
    """Drive the page through every vector; a list of everything that differed."""
    failures = []
    for start in range(0, len(vectors), batch):
        chunk = vectors[start:start + batch]
        results = page.drive([steps_of(v["state"]) for v in chunk])
        for v, got in zip(chunk, results):
            noise = noise_of(v)
            wrong = differences(v["shown"], got["values"], noise, got["digits"])
            if not v["shown"] and got["values"]:
                wrong.append(f"numbers shown next to an error: {sorted(got['values'])[:5]}")
            if not skip(v) and (got["message"], got["kind"]) != (v.get("message", ""), v.get("kind", "")):
                wrong.append(f"message {got['kind']!r} {got['message']!r}, expected {v.get('kind')!r} {v.get('message')!r}")
            if wrong:
                failures.append(f"{json.dumps(v['state'])}:\n  " + "\n  ".join(wrong[:6]))
    return failures


def assert_clean(page):
    problems = {k: v for k, v in page.problems.items() if v}
    assert not problems, json.dumps(problems, indent=1)


@pytest.fixture
def open_page(browser, base_url):
    opened = []

    def _open(name, color_scheme="light"):
        page = Page(browser, f"{base_url}/{PAGES[name]}.html", color_scheme)
        opened.append(page)
        return page

    yield _open
    for page in opened:
        page.close()


# ---- each explorer, through its vectors ------------------------------------------------------

def neuron_steps(state):
    return [["table", state["table"]], *([name, state[name]] for name in ("w1", "w2", "b"))]


def pca_steps(state):
    return [["tolerance", state["tolerance"]], *([f"entry-{k}", text] for k, text in enumerate(state["entries"]))]


def activation_steps(state):
    # the fields first (in an order that never leaves a half-typed neuron behind), then the choices
    return [["weights", state["weights"]], ["bias", state["bias"]], ["inputs", state["inputs"]],
            ["convention", state["convention"]], [f"activation-{state['activation']}", None]]


def params_steps(state):
    return [[name, state[name]] for name in ("height", "width", "channels", "widths")]


def output_size_steps(state):
    # the kernel last but one and the padding last would pass through kernels that do not fit;
    # the page must show the state reached, whatever the way there
    return [[name, state[name]] for name in ("n", "padding", "stride", "k")]


def layer_order_steps(state):
    # the nine entries as typed, then the slider, the image, the seed and a pooling button
    return [*([f"kernel-{k}", text] for k, text in enumerate(state["kernel"])), ["bias", state["bias"]],
            ["image", state["image"]], ["seed", state["seed"]], [f"pool-{state['pool']}", None]]


def pca_noise(vector):
    noise = vector["noise"]
    if noise.get("psd", 0) is None:  # PSD or not is round-off: so are the shares and the message
        noise = dict(noise, **{k: None for k in vector["shown"] if k.startswith(("share", "cumulative", "figure-share"))})
    return noise


CASES = {
    "neuron": (neuron_widget.view_vectors, neuron_steps, lambda v: {}, lambda v: False),
    "pca": (pca_widget.view_vectors, pca_steps, pca_noise, lambda v: v["noise"].get("psd", 0) is None),
    "activations": (activations_widget.view_vectors, activation_steps, lambda v: v["noise"], lambda v: False),
    "params": (params_widget.view_vectors, params_steps, lambda v: {}, lambda v: False),
    "output_size": (conv_widget.output_size_vectors, output_size_steps, lambda v: {}, lambda v: False),
    "layer_order": (pooling_widget.view_vectors, layer_order_steps, lambda v: v["noise"], lambda v: False),
}


@pytest.mark.parametrize("name", list(CASES))
def test_explorer_shows_the_library_numbers_for_every_test_vector(open_page, name):
    vectors_of, steps_of, noise_of, skip = CASES[name]
    vectors = vectors_of()
    page = open_page(name)
    failures = check_vectors(page, vectors, steps_of, noise_of, skip)
    assert not failures, f"{len(failures)} of {len(vectors)} states differ:\n" + "\n".join(failures[:8])
    assert_clean(page)


INITIAL = {
    "neuron": lambda: {"shown": neuron_widget.truth_table_view(-10.0, -10.0, 10.0, "exam")},
    "pca": lambda: pca_widget.covariance_view(pca_widget.entry_texts(pca_widget.pca.EXAM_COVARIANCE)),
    "activations": lambda: activations_widget.activation_view("sigmoid", **activations_widget.EXAM_TEXTS),
    "params": lambda: params_widget.parameter_view("28", "28", "1", "512, 10"),
    "output_size": lambda: conv_widget.output_size_view(25, 5, 2, 0),
    "layer_order": lambda: pooling_widget.layer_order_view(
        pooling_widget.kernel_texts(pooling_widget.PRESETS["positive kernel, bias < 0"][0]), -1.0, "dark, bright square"),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_explorer_opens_on_the_state_the_page_was_built_with(open_page, name):
    page = open_page(name)
    got = page.shown()
    expected = INITIAL[name]()
    assert not differences(expected["shown"], got["values"]), differences(expected["shown"], got["values"])
    assert got["kind"] == expected.get("kind", "")
    if name == "params":
        assert got["values"]["pytorch-total"] == "407,050"  # PyTorch's count, saved at build
    assert_clean(page)


# ---- keyboard and mouse ----------------------------------------------------------------------

def test_truth_table_by_keyboard_and_mouse(open_page):
    page = open_page("neuron")
    p = page.page
    p.focus('[data-control="w1"]')
    p.keyboard.press("ArrowRight")
    p.keyboard.press("ArrowRight")
    assert page.controls()["w1"] == "-9"
    assert page.controls()["option"] == neuron_widget.CUSTOM  # the sliders left exam option A
    assert not differences(neuron_widget.truth_table_view(-9.0, -10.0, 10.0), page.shown()["values"])
    p.select_option('[data-control="option"]', index=4)  # exam option D
    state = page.controls()
    assert (state["w1"], state["w2"], state["b"]) == ("10", "10", "-10")
    assert page.shown()["values"]["verdict"] == "does not reproduce"
    # a click at the left end of the b slider sets its minimum
    box = p.locator('[data-control="b"]').bounding_box()
    p.mouse.click(box["x"] + 2, box["y"] + box["height"] / 2)
    state = page.controls()
    assert float(state["b"]) == -30.0
    assert state["option"] == neuron_widget.CUSTOM
    expected = neuron_widget.truth_table_view(10.0, 10.0, -30.0, "exam")
    assert not differences(expected, page.shown()["values"])
    p.select_option('[data-control="table"]', "XOR")
    expected = neuron_widget.truth_table_view(10.0, 10.0, -30.0, "XOR")
    assert not differences(expected, page.shown()["values"])
    assert_clean(page)


def test_pca_by_keyboard(open_page):
    page = open_page("pca")
    p = page.page
    field = p.locator('[data-control="entry-1"]')  # C12
    field.fill("6")
    field.press("Enter")
    view = pca_widget.covariance_view(["2.5", "6", "0.5", "10.0", "1.0", "5.0"])
    got = page.shown()
    assert got["kind"] == "warning" and "Not positive semidefinite" in got["message"]
    assert not differences(view["shown"], got["values"], pca_widget.view_noise(view))
    assert page.controls()["preset"] == pca_widget.CUSTOM
    field.fill("5")
    field.press("Tab")  # leaving the field applies it too
    assert page.controls()["preset"].startswith("I(F)") and page.shown()["kind"] == ""
    p.select_option('[data-control="tolerance"]', index=1)  # tolerance 0: NumPy's round-off counts
    assert page.shown()["values"]["rank"] == "3"
    field.fill("two")
    field.press("Enter")
    got = page.shown()
    assert (got["values"], got["message"], got["kind"]) == ({}, "C12 must be a number such as 2.5, got 'two'", "error")
    assert_clean(page)


def test_activations_by_keyboard_and_mouse(open_page):
    page = open_page("activations")
    p = page.page
    p.click('[data-control="activation-relu"]')
    for name, text in (("weights", "1"), ("inputs", "0.5"), ("bias", "0.5")):
        p.locator(f'[data-control="{name}"]').fill(text)
        p.locator(f'[data-control="{name}"]').press("Enter")
    view = activations_widget.activation_view("relu", "1", "0.5", "0.5")
    assert not differences(view["shown"], page.shown()["values"])
    assert page.shown()["values"]["matches"] == "matches"
    p.focus('[data-control="activation-sigmoid"]')
    p.keyboard.press("Enter")
    assert page.shown()["values"]["rounded"] == "0.7"
    p.click('[data-control="reset"]')
    assert page.shown()["values"]["z"] == "1035.35"
    assert_clean(page)


def test_params_by_keyboard(open_page):
    page = open_page("params")
    p = page.page
    widths = p.locator('[data-control="widths"]')
    widths.fill("256, 128, 10")
    widths.press("Enter")
    got = page.shown()["values"]
    assert not differences(params_widget.parameter_view("28", "28", "1", "256, 128, 10")["shown"], got)
    assert "pytorch-total" not in got  # PyTorch's count of a network the page was not built with needs a kernel
    p.focus('[data-control="channels"]')
    p.keyboard.press("ArrowUp")
    p.keyboard.press("ArrowUp")
    assert page.controls()["channels"] == "3"
    assert not differences(params_widget.parameter_view("28", "28", "3", "256, 128, 10")["shown"], page.shown()["values"])
    p.select_option('[data-control="preset"]', index=1)
    got = page.shown()["values"]
    assert got["total"] == "407,050" and got["pytorch-total"] == "407,050"
    assert_clean(page)


def test_output_size_by_keyboard_and_mouse(open_page):
    page = open_page("output_size")
    p = page.page
    p.focus('[data-control="n"]')
    p.keyboard.press("ArrowRight")
    got = page.shown()["values"]
    assert got["unused"] == "25" and got["pixels"] == "51"
    box = p.locator('[data-control="k"]').bounding_box()
    p.mouse.click(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)  # the kernel's largest, 11
    p.focus('[data-control="n"]')
    p.keyboard.press("Home")  # n = 1: the kernel no longer fits
    got = page.shown()
    assert got["kind"] == "error" and "does not fit" in got["message"] and got["values"] == {}
    p.keyboard.press("End")
    state = {k: int(v) for k, v in page.controls().items()}
    assert not differences(conv_widget.output_size_view(state["n"], state["k"], state["stride"], state["padding"])["shown"],
                           page.shown()["values"])
    assert_clean(page)


def test_layer_order_by_keyboard_and_mouse(open_page):
    """II(A): type a weight, move the bias by keyboard and mouse, pick a case, a pooling, and search."""
    import numpy as np

    from dlexam import layer_order

    page = open_page("layer_order")
    p = page.page
    view, noise = pooling_widget.layer_order_view, pooling_widget.view_noise

    def check(kernel, bias, image="dark, bright square", seed=0, pool="max", found=None, report=""):
        expected = view(kernel, bias, image, seed, pool, found, report)
        got = page.shown()
        assert not differences(expected["shown"], got["values"], noise(expected))
        assert set(got["values"]) == set(expected["shown"])
        assert (got["message"], got["kind"]) == (expected["message"], expected["kind"])

    positive = pooling_widget.kernel_texts(pooling_widget.PRESETS["positive kernel, bias < 0"][0])
    field = p.locator('[data-control="kernel-4"]')  # the centre weight
    field.fill("-0.5")
    field.press("Enter")
    kernel = positive[:4] + ["-0.5"] + positive[5:]
    assert page.controls()["preset"] == pooling_widget.CUSTOM
    check(kernel, -1.0)
    field.fill("two")
    field.press("Tab")  # leaving the field applies it too
    got = page.shown()
    assert (got["values"], got["kind"]) == ({}, "error")
    assert got["message"] == "kernel row 2, column 2 must be a number such as 0.5, got 'two'"
    p.select_option('[data-control="preset"]', "positive kernel, bias < 0")
    assert page.controls()["kernel-4"] == "0.9"
    check(positive, -1.0)
    p.focus('[data-control="bias"]')
    for _ in range(14):
        p.keyboard.press("ArrowRight")  # -1.0 -> -0.3 in steps of 0.05
    assert page.controls()["bias"] == "-0.3" and page.controls()["preset"] == pooling_widget.CUSTOM
    check(positive, -0.3)
    box = p.locator('[data-control="bias"]').bounding_box()
    p.mouse.click(box["x"] + 2, box["y"] + box["height"] / 2)  # the left end: -3
    check(positive, -3.0)
    p.click('[data-control="pool-avg"]')
    assert p.get_attribute('[data-control="pool-avg"]', "aria-pressed") == "true"
    check(positive, -3.0, pool="avg")
    p.select_option('[data-control="image"]', "random pixels")
    p.focus('[data-control="seed"]')
    p.keyboard.press("End")
    check(positive, -3.0, "random pixels", 99, "avg")
    # the search, after a case where B holds on every image in [0, 1]: nothing to find
    p.select_option('[data-control="preset"]', "positive kernel, bias >= 0")
    p.click('[data-control="pool-max"]')
    p.click('[data-control="search"]')
    _, report = pooling_widget.search_result(positive, 0.2, "max", 1)
    check(positive, 0.2, "random pixels", 99, report=report)
    assert "No counterexample in 2000 random images" in report
    # a negative bias: the second press finds an image on which option B differs from out
    p.focus('[data-control="bias"]')
    for _ in range(10):
        p.keyboard.press("ArrowLeft")  # 0.2 -> -0.3
    p.click('[data-control="search"]')
    pixels = p.eval_on_selector_all("[data-pixel]", "cells => cells.map(c => Number(c.dataset.pixel))")
    image = np.array(pixels).reshape(pooling_widget.IMAGE_SHAPE)
    assert page.controls()["image"] == pooling_widget.FOUND
    # recomputed in Python from the image the page shows: a real counterexample, the library's own
    comparisons = layer_order.compare_options(image, pooling_widget.parse_kernel(positive), -0.3)
    assert image.min() >= 0 and image.max() <= 1
    assert not comparisons[1].equal and comparisons[2].equal  # B differs from out, C does not
    counterexample, report = pooling_widget.search_result(positive, -0.3, "max", 2)
    np.testing.assert_array_equal(image, counterexample.image)
    check(positive, -0.3, pooling_widget.FOUND, 99, found=pixels, report=report)
    assert report.startswith("Found after") and "option B differs" in report
    p.click('[data-control="pool-avg"]')  # moving on clears the report, the image stays
    check(positive, -0.3, pooling_widget.FOUND, 99, "avg", found=pixels)
    assert_clean(page)


# ---- the look, and the weight ----------------------------------------------------------------

@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(PAGES))
def test_explorer_screenshot(open_page, name, scheme):
    """A picture of each explorer in both colour modes, kept in _build/screenshots/ to look at."""
    page = open_page(name, scheme)
    # an element screenshot (a full-page clip can land beside the explorer: the layout may shift as
    # the page is stretched to its full height)
    page.page.evaluate("() => document.querySelector('.dlx-explorer').closest('.cell_output, .output').dataset.shot = ''")
    folder = ROOT / "_build" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.page.locator("[data-shot]").screenshot(path=str(folder / f"explorer-{name}-{scheme}.png"))
    # the figure keeps its white panel and black text in either mode
    fill = page.page.evaluate("() => getComputedStyle(document.querySelector('.dlx-figure rect')).fill")
    assert fill in ("white", "rgb(255, 255, 255)")
    assert_clean(page)


EXPLORER_BUDGET = 64 * 1024  # what an explorer adds to its page, compressed


@pytest.mark.parametrize("name", list(PAGES))
def test_page_weight(open_page, name):
    """An explorer adds little to its page, and the page's own files stay under 2 MiB compressed.

    The explorer's part is its saved state (its JavaScript, CSS and settings) and anywidget's
    front-end. A page's own files are its HTML (with the saved widget state) and its images; the
    site's shared files (theme, fonts, MathJax, widget manager, anywidget: everything under
    _static/, and the search index) are loaded once for the whole site and cached, so they are
    counted for the site, not per page (scripts/page_weight.py prints both).
    """
    import gzip
    import re

    sys.path.insert(0, str(ROOT / "scripts"))
    from page_weight import BUDGET, is_shared

    page = open_page(name)
    page.page.wait_for_timeout(500)
    html = next(body for url, body in page.bytes.items() if url.endswith(f"{PAGES[name]}.html")).decode()
    state = json.loads(re.search(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', html, re.S).group(1))
    ours = json.dumps([m for m in state["state"].values() if "_esm" in m["state"]]).encode()
    front_end = next(body for url, body in page.bytes.items() if "/anywidget-" in url)
    added = len(gzip.compress(ours, 6)) + len(gzip.compress(front_end, 6))
    assert added < EXPLORER_BUDGET, f"the explorer adds {added / 1024:.0f} KiB compressed to {PAGES[name]}"
    own = {url: body for url, body in page.bytes.items() if not is_shared(url)}
    assert any(url.endswith(f"{PAGES[name]}.html") for url in own), "the page's HTML must count as its own"
    compressed = sum(len(gzip.compress(body, 6)) for body in own.values())
    assert compressed < BUDGET, f"{PAGES[name]}'s own files weigh {compressed / 2**20:.2f} MiB compressed"


# ---- with a kernel: JupyterLab ----------------------------------------------------------------

# The two front-ends a local install offers: JupyterLab and Notebook 7 (built on JupyterLab's components).
FRONT_ENDS = {"jupyterlab": ("jupyter-lab", "lab/tree/check.ipynb"), "notebook7": ("jupyter-notebook", "notebooks/check.ipynb")}




def upstream_error(front_end, error):
    """Notebook 7.6.5's keyboard-shortcut settings loader throws this as any notebook opens, one with
    no widget included (it reads .schema of a plugin missing from its settings registry): not ours."""
    return (front_end == "notebook7" and error.message == "Cannot read properties of undefined (reading 'schema')"
            and "/static/notebook/notebook_core." in (error.stack or ""))


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_jupyter_renders_the_explorers_and_syncs_both_ways(browser, tmp_path, front_end):
    """In JupyterLab and Notebook 7 (anywidget's own extension) the explorers (I(A)'s truth table, III(D)'s
    network) compute in the page, the kernel sees what the reader moved, and what Python sets shows up in the page."""
    import socket
    import time
    import urllib.request

    import nbformat

    command, url = FRONT_ENDS[front_end]
    lab = Path(sys.executable).with_name(command)
    assert lab.exists(), f"{command} is not installed: requirements.txt pins it"
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell("from dlexam.widgets.neuron import TruthTableExplorer\nexplorer = TruthTableExplorer()\nexplorer"),
        nbformat.v4.new_code_cell("print('KERNEL', explorer.widget.w1, explorer.shown['verdict'])"),
        nbformat.v4.new_code_cell("explorer.snap('A')"),
        # III(D): a network run in the page (float32, so the page's F may differ from PyTorch's in the last digit)
        nbformat.v4.new_code_cell("from dlexam.widgets.particles import EmbeddingExplorer\n"
                                  "embedding = EmbeddingExplorer(index=3, seed=2, n_particles=6)\nembedding"),
        # after F, what the kernel would say if it had refused or failed (so that a failure explains itself)
        nbformat.v4.new_code_cell("print('EMBEDDING', embedding.widget.seed, embedding.widget.n_particles, repr(embedding.output),\n"
                                  "      '|', embedding.view.get('kind'), embedding.view.get('message'), embedding.message.value)"),
        nbformat.v4.new_code_cell("embedding.set(seed=0, n_particles=20)"),
    ]
    nbformat.write(nb, tmp_path / "check.ipynb")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [str(lab), "--allow-root", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         "--IdentityProvider.token=check", f"--ServerApp.root_dir={tmp_path}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/status?token=check", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: None if upstream_error(front_end, e) else errors.append(str(e)))
        page.goto(f"{base}/{url}?token=check")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120000)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator, .jp-KernelStatus", timeout=120000)
        page.wait_for_timeout(3000)  # the kernel starts
        page.click(".jp-Cell .jp-InputArea-editor")
        page.keyboard.press("Shift+Enter")
        page.wait_for_selector(".dlx-truth-table [data-value='verdict']", timeout=120000)

        def verdict():
            return page.text_content(".dlx-truth-table [data-value='verdict']")

        assert verdict() == "reproduces"
        page.focus(".dlx-truth-table [data-control='w1']")
        page.keyboard.press("End")  # w1 = 30, computed in the page
        assert verdict() == "does not reproduce"
        page.click(".jp-Cell:nth-child(2) .jp-InputArea-editor")
        page.keyboard.press("Shift+Enter")
        page.wait_for_function("() => [...document.querySelectorAll('.jp-OutputArea-output')].some(e => e.innerText.includes('KERNEL'))",
                               timeout=120000)
        said = page.evaluate("() => [...document.querySelectorAll('.jp-OutputArea-output')].map(e => e.innerText).find(t => t.includes('KERNEL'))")
        assert said.split() == ["KERNEL", "30.0", "does", "not", "reproduce"]
        page.keyboard.press("Shift+Enter")  # explorer.snap('A'), set from Python
        page.wait_for_function("() => document.querySelector(\".dlx-truth-table [data-value='verdict']\").textContent === 'reproduces'",
                               timeout=120000)
        assert page.locator(".dlx-truth-table [data-control='w1']").input_value() == "-10"

        def run_cell(n):
            page.click(f".jp-Cell:nth-child({n}) .jp-InputArea-editor")
            page.keyboard.press("Shift+Enter")

        def page_output():
            return float(page.text_content(".dlx-embedding [data-value='output']"))

        run_cell(4)
        page.wait_for_selector(".dlx-embedding [data-value='output']", timeout=120000)
        assert page_output() == pytest.approx(embedding_view(3, 2, 6)["output"], abs=2e-7)
        page.focus(".dlx-embedding [data-control='seed']")
        page.keyboard.press("ArrowRight")  # the arrow keys reach the slider, not the notebook's shortcuts
        assert page.locator(".dlx-embedding [data-control='seed']").input_value() == "3"
        page.keyboard.press("ArrowLeft")
        page.focus(".dlx-embedding [data-control='n_particles']")
        page.keyboard.press("Home")  # one particle (F changes; a new seed alone would not move it), computed in the page
        assert page.locator(".dlx-embedding [data-control='n_particles']").input_value() == "1"
        assert page_output() == pytest.approx(embedding_view(3, 2, 1)["output"], abs=2e-7)
        page.wait_for_timeout(500)  # the slider's message reaches the kernel
        page.wait_for_function("() => [...document.querySelectorAll('.jp-Notebook-ExecutionIndicator[data-status]')]"
                               ".every(e => e.dataset.status === 'idle')", timeout=120000)  # and it is done
        run_cell(5)
        page.wait_for_function("() => [...document.querySelectorAll('.jp-OutputArea-output')].some(e => e.innerText.includes('EMBEDDING'))",
                               timeout=120000)
        said = page.evaluate("() => [...document.querySelectorAll('.jp-OutputArea-output')].map(e => e.innerText).find(t => t.includes('EMBEDDING'))")
        assert said.split()[:3] == ["EMBEDDING", "2", "1"], said  # the kernel saw what the reader moved
        assert said.split()[3] == repr(embedding_view(3, 2, 1)["output"]), said  # and computed F itself
        run_cell(6)  # set from Python: the stored order of all 20 particles
        page.wait_for_function("() => document.querySelector(\".dlx-embedding [data-control='n_particles']\").value === '20'",
                               timeout=120000)
        assert page.locator(".dlx-embedding [data-control='seed']").input_value() == "0"
        assert page_output() == pytest.approx(embedding_view(3, 0, 20)["reference_output"], abs=2e-7)
        assert not errors, errors
    finally:
        context.close()
        server.terminate()
        server.wait(timeout=30)


# ---- III(E): the replay of the runs trained as the book was built --------------------------------

REPLAY_PAGE = "chapters/part3/iii_e_training_curves"


@pytest.fixture
def replay_page(browser, site):
    opened = []

    def _open(color_scheme="light"):
        page = Page(browser, f"{base}/{REPLAY_PAGE}.html", color_scheme)
        opened.append(page)
        assert page.page.evaluate("() => document.querySelector('.dlx-explorer').classList.contains('dlx-replay')")
        return page

    with serve(site) as base:
        yield _open
        for page in opened:
            page.close()


def replay_state(page):
    """The replay's widget state saved in the page at build: (config, run, epoch, the whole model)."""
    import re

    html = next(body for url, body in page.bytes.items() if url.endswith(f"{REPLAY_PAGE}.html")).decode()
    state = json.loads(re.search(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', html,
                                 re.S).group(1))
    model = next(m for m in state["state"].values() if "runs" in m["state"].get("config", {}))
    return model["state"]["config"], model["state"]["run"], model["state"]["epoch"], model


def check_replay(page, config, run, epoch):
    """The page shows run `run` at `epoch` as replay_view computes it from the saved runs."""
    view = replay_widget.replay_view(config, run, epoch)
    got = page.shown()
    wrong = differences(view["shown"], got["values"], digits=got["digits"])
    assert not wrong, f"run {config['runs'][run]['label']}, epoch {epoch}: {wrong}"
    assert (got["message"], got["kind"]) == (view["message"], view["kind"])
    controls = page.controls()
    choices = {c["name"]: c["options"][k][0] for c, k in zip(config["controls"], config["runs"][run]["choices"])}
    assert {k: controls[k] for k in choices} == choices and controls["epoch"] == str(epoch)
    figure = page.page.locator(".dlx-replay svg.dlx-figure")
    label = figure.get_attribute("aria-label")
    assert config["runs"][run]["label"] in label and f"epochs 1 to {epoch} of" in label
    assert figure.locator("title").text_content() == label
    points = page.page.evaluate("() => [...document.querySelectorAll('.dlx-replay [data-curve]')]"
                                ".map(l => l.getAttribute('points').trim().split(/\\s+/).length)")
    assert points == [epoch, epoch]  # training and validation, one point per epoch replayed


def test_replay_of_the_trained_runs(replay_page):
    """III(E)'s replay on the built page: choose runs, move the epoch slider, play and pause, a diverged run."""
    import gzip

    page = replay_page()
    p = page.page
    config, run, epoch, model = replay_state(page)
    runs = config["runs"]
    labels = {r["label"] for r in runs}
    for name in ("MLP", "DeepSets"):
        for augmentation in ("none", "rotations", "permutations", "both"):
            for frame in ("canonical", "random"):
                assert f"{name}, {augmentation}, {frame} frame, lr 0.001" in labels
    diverged = next(r for r in runs if r["status"] == "diverged")
    assert len(gzip.compress(json.dumps(model).encode(), 6)) < EXPLORER_BUDGET
    check_replay(page, config, run, epoch)  # as built: the first run, at its last epoch
    assert epoch == len(runs[run]["train"]) == runs[run]["epochs"]
    for control, value in (("model", "deepsets"), ("augmentation", "rotations"), ("frame", "random")):
        p.select_option(f'[data-control="{control}"]', value)
        run, epoch = replay_widget.replay_move(config, run, epoch, control, value)
        check_replay(page, config, run, epoch)
    page.drive([[["epoch", 37]]])
    check_replay(page, config, run, 37)
    p.focus('[data-control="epoch"]')
    p.keyboard.press("ArrowLeft")
    check_replay(page, config, run, 36)
    p.keyboard.press("End")
    epoch = len(runs[run]["train"])
    check_replay(page, config, run, epoch)
    # Play from the last epoch starts again from the first; pause as soon as epoch 5 is passed
    p.click('[data-control="play"]')
    handle = p.wait_for_function("""() => {
      const e = Number(document.querySelector('.dlx-replay [data-value="epoch"]').textContent);
      if (e < 5) return false;
      const play = document.querySelector('.dlx-replay [data-control="play"]');
      const pressed = play.getAttribute('aria-pressed');
      play.click();
      return [e, pressed];
    }""", timeout=30000)
    paused_at, pressed = handle.json_value()
    assert pressed == "true" and 5 <= paused_at < epoch
    check_replay(page, config, run, paused_at)
    p.wait_for_timeout(300)
    assert page.controls()["play"] == "false" and page.shown()["values"]["epoch"] == str(paused_at)
    # the learning rate at which the MLP diverged
    lr = config["controls"][3]["options"][diverged["choices"][3]][0]
    p.select_option('[data-control="lr"]', lr)
    run, epoch = replay_widget.replay_move(config, run, paused_at, "lr", lr)
    assert runs[run] == diverged  # no other run has that learning rate: the page moves to it
    check_replay(page, config, run, epoch)
    assert page.shown()["kind"] == "warning" and "diverged" in page.shown()["message"]
    assert p.locator(".dlx-replay [data-moved]").text_content() == (
        f"No run with learning rate {lr} and the other choices was trained: now showing {diverged['label']}.")
    assert_clean(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_replay_screenshot(replay_page, scheme):
    """A picture of the replay in both colour modes (the site's own switch), kept in _build/screenshots/."""
    page = replay_page(scheme)
    p = page.page
    p.evaluate(f"() => {{ document.documentElement.dataset.theme = '{scheme}'; }}")
    p.select_option('[data-control="model"]', "deepsets")
    folder = ROOT / "_build" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    output = p.locator(".dlx-replay").locator("xpath=ancestor::div[contains(@class, 'cell_output')]")
    output.screenshot(path=str(folder / f"explorer-replay-{scheme}.png"))
    fill = p.evaluate("() => getComputedStyle(document.querySelector('.dlx-replay .dlx-figure rect')).fill")
    assert fill in ("white", "rgb(255, 255, 255)")
    assert_clean(page)


# ---- III(B): rotations and permutations of one configuration, computed in the page ----------------

from dlexam.widgets import particles as particles_widget  # noqa: E402

AUGMENTATION_PAGE = "chapters/part3/iii_b_augmentation"
# The 500 training configurations, sent exactly (float32), are most of it; the rest is ~20 KiB.
AUGMENTATION_BUDGET = 160 * 1024


def explorer_pages(browser, base_url, path, css_class):
    """Open `path` in fresh Page objects (light or dark), each holding the explorer `css_class`; closes them."""
    opened = []

    def _open(color_scheme="light"):
        page = Page(browser, f"{base_url}/{path}.html", color_scheme)
        opened.append(page)
        assert page.page.evaluate(f"() => document.querySelector('.dlx-explorer').classList.contains('{css_class}')")
        return page

    yield _open
    for page in opened:
        page.close()


def saved_model(page, path, config_key):
    """The widget state saved at build in `path` for the explorer whose config has `config_key`: (state, gzip size)."""
    import gzip
    import re

    html = next(body for url, body in page.bytes.items() if url.endswith(f"{path}.html")).decode()
    state = json.loads(re.search(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', html,
                                 re.S).group(1))
    model = next(m for m in state["state"].values() if config_key in m["state"].get("config", {}))
    return model["state"], len(gzip.compress(json.dumps(model).encode(), 6))


@pytest.fixture
def augmentation_page(browser, base_url):
    yield from explorer_pages(browser, base_url, AUGMENTATION_PAGE, "dlx-augmentation")


def augmentation_saved(page):
    """The III(B) explorer's widget state saved in the page at build, and its gzip size."""
    return saved_model(page, AUGMENTATION_PAGE, "draws")


def augmentation_steps(state):
    # "random rotation" pressed `clicks` times sets the axis and the angle to a draw; else the sliders do
    if state["clicks"]:
        return [["index", state["index"]], ["permutation", state["permutation_seed"]],
                *([["random", None]] * state["clicks"])]
    return [["index", state["index"]], ["azimuth", state["azimuth"]], ["elevation", state["elevation"]],
            ["angle", state["angle"]], ["permutation", state["permutation_seed"]]]


def check_augmentation(page, index, azimuth, elevation, angle, permutation_seed, draws):
    view = particles_widget.augmentation_view(index, azimuth, elevation, angle, permutation_seed, draws)
    got = page.shown()
    wrong = differences(view["shown"], got["values"], particles_widget.augmentation_noise(view), got["digits"])
    assert not wrong, wrong
    assert set(got["values"]) == set(view["shown"])
    assert (got["message"], got["kind"]) == ("", "")
    controls = page.controls()
    assert [float(controls[k]) for k in ("index", "azimuth", "elevation", "angle", "permutation")] == [
        index, azimuth, elevation, angle, permutation_seed]
    return view


def test_augmentation_shows_the_library_numbers_for_every_test_vector(augmentation_page):
    """Every state of augmentation_vectors, applied in order from the page as built: the library's numbers."""
    page = augmentation_page()
    saved, _ = augmentation_saved(page)
    assert saved["draws"] == 0  # the vectors' presses of "random rotation" count from here
    vectors = particles_widget.augmentation_vectors()
    failures = check_vectors(page, vectors, augmentation_steps, lambda v: v["noise"])
    assert not failures, f"{len(failures)} of {len(vectors)} states differ:\n" + "\n".join(failures[:8])
    assert_clean(page)


def test_augmentation_page_holds_exactly_the_data_python_computes_on(augmentation_page):
    """The page opens on the state it was built with, and holds the library's configurations, bit for bit,
    its permutations and its random rotations."""
    import torch

    from dlexam import particles

    page = augmentation_page()
    saved, _ = augmentation_saved(page)
    config = saved["config"]
    X_train = particles.make_dataset(particles.N_TRAIN, seed=0)[0]
    assert torch.equal(particles_widget._decode_configurations(config["configurations"]), X_train)
    assert config == json.loads(json.dumps(particles_widget.augmentation_config()))
    check_augmentation(page, saved["index"], saved["azimuth"], saved["elevation"], saved["angle"],
                       saved["permutation_seed"], saved["draws"])
    assert_clean(page)


def test_augmentation_by_keyboard_and_mouse(augmentation_page):
    """Sliders by keyboard and mouse, "random rotation" by mouse and keyboard, "no rotation"; the figure follows."""
    page = augmentation_page()
    p = page.page
    saved, _ = augmentation_saved(page)
    state = {k: saved[k] for k in ("index", "azimuth", "elevation", "angle", "permutation_seed", "draws")}

    def check():
        return check_augmentation(page, *(state[k] for k in ("index", "azimuth", "elevation", "angle",
                                                              "permutation_seed", "draws")))

    p.focus('[data-control="angle"]')
    p.keyboard.press("ArrowRight")
    state["angle"] += 5
    check()
    p.keyboard.press("End")
    state["angle"] = 180.0
    check()
    p.focus('[data-control="elevation"]')
    p.keyboard.press("Home")  # the axis along -z
    state["elevation"] = -90.0
    check()
    box = p.locator('[data-control="index"]').bounding_box()
    p.mouse.click(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)  # the last configuration
    state["index"] = particles_widget.particles.N_TRAIN - 1
    check()
    for press in ("mouse", "mouse", "Enter", " "):
        if press == "mouse":
            p.click('[data-control="random"]')
        else:
            p.focus('[data-control="random"]')
            p.keyboard.press(press)
        state["draws"] += 1
        state["azimuth"], state["elevation"], state["angle"] = particles_widget.rotation_draws()[state["draws"] - 1]
        view = check()
        assert page.shown()["values"]["draw-seed"] == str(state["draws"])
        assert view["shown"]["verdict"] == "P unchanged"
    p.focus('[data-control="permutation"]')
    p.keyboard.press("End")
    state["permutation_seed"] = 99
    check()
    p.click('[data-control="none"]')
    state["angle"] = 0.0
    view = check()
    # With no rotation, particle i of the right panel sits where particle perm[i] sits on the left,
    # and keeps the colour of its new index i: the permutation reorders the list, not the space.
    spots = p.evaluate("""() => [...document.querySelectorAll('.dlx-augmentation .dlx-configuration3d')].map(g =>
        Object.fromEntries([...g.querySelectorAll('[data-particle]')].map(c =>
          [c.dataset.particle, [Number(c.getAttribute('cx')), Number(c.getAttribute('cy')), c.getAttribute('fill')]])))""")
    left, right = spots
    perm = view["permutation"].tolist()
    assert sorted(perm) != perm
    for i, j in enumerate(perm):
        assert right[str(i)][0] == pytest.approx(left[str(j)][0], abs=0.02)  # each panel is a figure of its own
        assert right[str(i)][1] == pytest.approx(left[str(j)][1], abs=0.02)
        assert right[str(i)][2] == left[str(i)][2]  # the colour of index i
    labels = [f.get_attribute("aria-label") for f in p.locator(".dlx-augmentation svg.dlx-figure").all()]
    assert len(labels) == 2 and "as stored" in labels[0] and "rotated and permuted" in labels[1]
    assert f"P = {view['energy_after']:.6f}" in labels[1] and "colour bar" in labels[1]
    assert_clean(page)


def screenshot_explorer(page, css_class, control, name, scheme):
    """Switch the site to `scheme`, press `control`, keep a picture of the explorer's output in
    _build/screenshots/explorer-<name>-<scheme>.png; its figures stay white in both modes."""
    p = page.page
    p.evaluate(f"() => {{ document.documentElement.dataset.theme = '{scheme}'; }}")
    p.click(f'[data-control="{control}"]')
    folder = ROOT / "_build" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    output = p.locator(f".{css_class}").locator("xpath=ancestor::div[contains(@class, 'cell_output')]")
    output.screenshot(path=str(folder / f"explorer-{name}-{scheme}.png"))
    fill = p.evaluate(f"() => getComputedStyle(document.querySelector('.{css_class} .dlx-figure rect')).fill")
    assert fill in ("white", "rgb(255, 255, 255)")
    assert_clean(page)


def check_explorer_weight(page, saved, path, budget):
    """The explorer's saved state plus anywidget's front-end add under `budget` bytes compressed,
    and the page's own files stay under page_weight.BUDGET."""
    import gzip

    sys.path.insert(0, str(ROOT / "scripts"))
    from page_weight import BUDGET, is_shared

    page.page.wait_for_timeout(500)
    _, ours = saved(page)
    front_end = next(body for url, body in page.bytes.items() if "/anywidget-" in url)
    added = ours + len(gzip.compress(front_end, 6))
    assert added < budget, f"the explorer adds {added / 1024:.0f} KiB compressed to {path}"
    own = {url: body for url, body in page.bytes.items() if not is_shared(url)}
    compressed = sum(len(gzip.compress(body, 6)) for body in own.values())
    assert compressed < BUDGET, f"{path}'s own files weigh {compressed / 2**20:.2f} MiB compressed"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_augmentation_screenshot(augmentation_page, scheme):
    """A picture of the explorer in both colour modes (the site's own switch), kept in _build/screenshots/."""
    screenshot_explorer(augmentation_page(scheme), "dlx-augmentation", "random", "augmentation", scheme)


def test_augmentation_page_weight(augmentation_page):
    """The explorer (its code, its data, anywidget's front-end) adds under AUGMENTATION_BUDGET compressed,
    and the page's own files stay under 2 MiB."""
    check_explorer_weight(augmentation_page(), augmentation_saved, AUGMENTATION_PAGE, AUGMENTATION_BUDGET)


# ---- III(C): permutations (and rotations) of one configuration, and three outputs -------------------

from dlexam.widgets.particles import (  # noqa: E402
    PERMUTATION_COPIES,
    another_permutation_seed,
    permutation_config,
    permutation_view,
    permutation_vectors,
)

PERMUTATION_PAGE = "chapters/part3/iii_c_permutation_invariance"
# The library's outputs on every configuration and copy (P in float64, the networks in float32) and
# the 500 configurations, sent exactly, are nearly all of it: about 0.3 MiB compressed.
PERMUTATION_BUDGET = 600 * 1024

# As DRIVE_JS, for the permutation explorer: a checkbox is clicked until it holds the value asked for,
# and each result carries the configuration drawn (the figure box's data-configuration).
PERMUTATION_DRIVE_JS = """(stepsList) => {
  const root = document.querySelector('.dlx-permutation');
  const read = """ + READ_JS + """;
  const out = [];
  for (const steps of stepsList) {
    for (const [name, value] of steps) {
      const control = root.querySelector(`[data-control="${name}"]`);
      if (!control) throw new Error('no control ' + name);
      if (control.tagName === 'BUTTON') { control.click(); continue; }
      if (control.type === 'checkbox') { if (control.checked !== value) control.click(); continue; }
      control.value = value;
      if (String(Number(control.value)) !== String(Number(value))) throw new Error(`${name} cannot take ${value}`);
      control.dispatchEvent(new Event('input', {bubbles: true}));
    }
    const got = read();
    const box = root.querySelector('[data-configuration]');
    got.configuration = box ? JSON.parse(box.dataset.configuration) : null;
    out.push(got);
  }
  return out;
}"""


@pytest.fixture
def permutation_page(browser, base_url):
    yield from explorer_pages(browser, base_url, PERMUTATION_PAGE, "dlx-permutation")


def permutation_saved(page):
    """The III(C) explorer's widget state saved in the page at build, and its gzip size."""
    return saved_model(page, PERMUTATION_PAGE, "rotation_offset")


def permutation_steps(state):
    return [["index", state["index"]], ["seed", state["seed"]], ["rotate", state["rotate"]],
            *([["another", None]] * state["press"])]


def check_permutation_page(page, index, seed, rotate, got=None):
    """The page shows permutation_view's numbers to every digit it writes, with the controls where they should be."""
    view = permutation_view(index, seed, rotate)
    got = got or page.shown()
    wrong = differences(view["shown"], got["values"], digits=got["digits"])
    assert not wrong, f"index {index}, seed {seed}, rotate {rotate}: {wrong}"
    assert set(got["values"]) == set(view["shown"])
    assert (got["message"], got["kind"]) == ("", "")
    controls = page.page.evaluate("""() => {
      const root = document.querySelector('.dlx-permutation');
      const c = (name) => root.querySelector(`[data-control="${name}"]`);
      return [Number(c('index').value), Number(c('seed').value), c('rotate').checked];
    }""")
    assert controls == [index, seed, rotate]
    return view


def test_permutation_shows_the_library_numbers_for_every_test_vector(permutation_page):
    """Every state of permutation_vectors (both ends of each control, the button past seed 30): the library's
    numbers, to every digit shown, and the configuration the library's permutation and rotation give."""
    import numpy as np

    page = permutation_page()
    vectors = permutation_vectors()
    failures = []
    for start in range(0, len(vectors), 20):
        chunk = vectors[start:start + 20]
        results = page.page.evaluate(PERMUTATION_DRIVE_JS, [permutation_steps(v["state"]) for v in chunk])
        for v, got in zip(chunk, results):
            wrong = differences(v["shown"], got["values"], digits=got["digits"])
            if set(got["values"]) != set(v["shown"]):
                wrong.append(f"keys shown {sorted(got['values'])}")
            if (got["message"], got["kind"]) != (v["message"], v["kind"]):
                wrong.append(f"message {got['kind']!r} {got['message']!r}")
            if not np.allclose(got["configuration"], v["configuration"], rtol=0, atol=1e-12):
                wrong.append("the configuration drawn differs from the library's")
            if wrong:
                failures.append(f"{json.dumps(v['state'])}:\n  " + "\n  ".join(wrong[:6]))
    assert not failures, f"{len(failures)} of {len(vectors)} states differ:\n" + "\n".join(failures[:8])
    assert_clean(page)


def test_permutation_page_holds_the_library_outputs(permutation_page):
    """The page opens on the state it was built with, and holds what permutation_config sends, bit for bit."""
    page = permutation_page()
    saved, _ = permutation_saved(page)
    assert saved["config"] == json.loads(json.dumps(permutation_config()))
    assert (saved["index"], saved["seed"], saved["rotate"]) == (0, 7, False)  # as the chapter builds it
    check_permutation_page(page, 0, 7, False)
    figure = page.page.locator(".dlx-permutation svg.dlx-figure")
    label = figure.get_attribute("aria-label")
    assert "seed 7, permuted" in label and "log scale" in label and figure.locator("title").text_content() == label
    assert page.page.locator(".dlx-permutation [data-shown-seed='7']").count() == 1
    assert page.page.locator(".dlx-permutation [data-series]").count() == 3
    assert_clean(page)


def test_permutation_by_keyboard_and_mouse(permutation_page):
    """Sliders by keyboard and mouse, the button by mouse and keyboard (past seed 30 it wraps to 1), the checkbox
    by mouse and keyboard; every step shows the library's numbers."""
    page = permutation_page()
    p = page.page
    last = permutation_saved(page)[0]["config"]["count"] - 1
    p.focus('[data-control="seed"]')
    p.keyboard.press("ArrowRight")
    check_permutation_page(page, 0, 8, False)
    p.keyboard.press("End")
    view = check_permutation_page(page, 0, PERMUTATION_COPIES, False)
    assert view["shown"]["unchanged"] == "P, DeepSets"
    p.click('[data-control="another"]')  # past the last seed: the first
    check_permutation_page(page, 0, another_permutation_seed(PERMUTATION_COPIES), False)
    p.click('[data-control="rotate"]')
    view = check_permutation_page(page, 0, 1, True)
    assert view["shown"]["unchanged"] == "P" and page.shown()["values"]["after"] == "after permutation and rotation 1"
    p.focus('[data-control="another"]')
    p.keyboard.press("Enter")
    check_permutation_page(page, 0, 2, True)
    p.keyboard.press(" ")
    check_permutation_page(page, 0, 3, True)
    p.focus('[data-control="rotate"]')
    p.keyboard.press(" ")  # the checkbox by keyboard
    check_permutation_page(page, 0, 3, False)
    box = p.locator('[data-control="index"]').bounding_box()
    p.mouse.click(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)  # the last configuration
    check_permutation_page(page, last, 3, False)
    p.focus('[data-control="index"]')
    p.keyboard.press("ArrowLeft")
    check_permutation_page(page, last - 1, 3, False)
    box = p.locator('[data-control="seed"]').bounding_box()
    p.mouse.click(box["x"] + 2, box["y"] + box["height"] / 2)  # seed 0: the original
    view = check_permutation_page(page, last - 1, 0, False)
    assert page.shown()["values"]["after"] == "original (seed 0)"
    assert page.page.locator(".dlx-permutation [data-shown-seed]").count() == 0
    assert all(original == now for original, now in view["outputs"].values())
    assert_clean(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_permutation_screenshot(permutation_page, scheme):
    """A picture of the explorer in both colour modes (the site's own switch), kept in _build/screenshots/."""
    screenshot_explorer(permutation_page(scheme), "dlx-permutation", "rotate", "permutation", scheme)


def test_permutation_page_weight(permutation_page):
    """The explorer (its code, the library's outputs, anywidget's front-end) adds under PERMUTATION_BUDGET
    compressed, and the page's own files stay under 2 MiB."""
    check_explorer_weight(permutation_page(), permutation_saved, PERMUTATION_PAGE, PERMUTATION_BUDGET)


# ---- III(A): a batch traced through the MLP or DeepSets, computed in the page -------------------------

from dlexam.widgets.particles import (  # noqa: E402
    LAYOUTS,
    MAX_BATCH,
    MAX_PARTICLES,
    shape_trace_config,
    shape_trace_vectors,
    shape_trace_view,
)

SHAPE_TRACE_PAGE = "chapters/part3/iii_a_mlp"
# The traces of both networks for every layout and m (rows stored once) are about 15 KiB compressed;
# anywidget's front-end and the explorer's code make up the rest.
SHAPE_TRACE_BUDGET = 160 * 1024

# As DRIVE_JS, and each result also lists the tinted rows of the table (the steps inside forward).
SHAPE_TRACE_DRIVE_JS = DRIVE_JS.replace("out.push(read());", """out.push({...read(), tinted: [...root.querySelectorAll(
      '.dlx-shape-trace tbody tr')].flatMap((row, i) => row.classList.contains('dlx-highlight') ? [i] : [])});""")
assert SHAPE_TRACE_DRIVE_JS != DRIVE_JS


@pytest.fixture
def shape_trace_page(browser, base_url):
    yield from explorer_pages(browser, base_url, SHAPE_TRACE_PAGE, "dlx-shape-trace")


def shape_trace_saved(page):
    """The III(A) explorer's widget state saved in the page at build, and its gzip size."""
    return saved_model(page, SHAPE_TRACE_PAGE, "input_mark")


def shape_trace_steps(state):
    return [["network", state["network"]], ["layout", state["layout"]], ["batch_size", state["batch_size"]],
            ["n_particles", state["n_particles"]]]


def check_shape_trace(page, network, layout, B, m):
    """The page shows shape_trace_view's table and summary, tints the steps of forward, and its controls agree."""
    view = shape_trace_view(network, layout, B, m)
    got = page.page.evaluate(SHAPE_TRACE_DRIVE_JS, [[]])[0]
    wrong = differences(view["shown"], got["values"])
    assert not wrong, f"{network} {layout} B={B} m={m}: {wrong}"
    assert set(got["values"]) == set(view["shown"])
    assert (got["message"], got["kind"]) == (view["message"], view["kind"])
    assert got["tinted"] == view["tinted"]
    controls = page.controls()
    assert (controls["network"], controls["layout"], int(controls["batch_size"]), int(controls["n_particles"])) == (
        network, layout, B, m)
    return view


def test_shape_trace_shows_the_library_trace_for_every_test_vector(shape_trace_page):
    """Every state of shape_trace_vectors (both networks and layouts; B 1, 20, 1024; m 1, 20, 200; the
    models' own error messages): every shape, step, parameter count and name, as the library traces it."""
    page = shape_trace_page()
    vectors = shape_trace_vectors()
    assert {v["kind"] for v in vectors} == {"", "error"}
    failures = []
    for start in range(0, len(vectors), 20):
        chunk = vectors[start:start + 20]
        results = page.page.evaluate(SHAPE_TRACE_DRIVE_JS, [shape_trace_steps(v["state"]) for v in chunk])
        for v, got in zip(chunk, results):
            wrong = differences(v["shown"], got["values"])
            if set(got["values"]) != set(v["shown"]):
                wrong.append(f"keys shown {sorted(got['values'])[:8]}")
            if (got["message"], got["kind"]) != (v["message"], v["kind"]):
                wrong.append(f"message {got['kind']!r} {got['message']!r}, expected {v['message']!r}")
            if got["tinted"] != v["tinted"]:
                wrong.append(f"tinted rows {got['tinted']}, expected {v['tinted']}")
            if wrong:
                failures.append(f"{json.dumps(v['state'])}:\n  " + "\n  ".join(wrong[:6]))
    assert not failures, f"{len(failures)} of {len(vectors)} states differ:\n" + "\n".join(failures[:8])
    assert_clean(page)


def test_shape_trace_page_holds_the_library_traces(shape_trace_page):
    """The page opens on the state it was built with, and holds what shape_trace_config sends."""
    page = shape_trace_page()
    saved, _ = shape_trace_saved(page)
    assert saved["config"] == json.loads(json.dumps(shape_trace_config()))
    assert (saved["network"], saved["input_layout"], saved["batch_size"], saved["n_particles"]) == (
        "MLP", LAYOUTS[0], 32, 20)
    view = check_shape_trace(page, "MLP", LAYOUTS[0], 32, 20)
    assert view["shown"]["total"] == 34_689 and view["shown"]["output"] == "(B,)"
    labels = page.page.evaluate("""() => [...document.querySelectorAll('.dlx-shape-trace [data-control]')].map(
      c => document.querySelector(`label[for="${c.id}"]`).textContent)""")
    assert labels == ["network", "input layout", "batch size B", "particles m"]
    assert_clean(page)


def test_shape_trace_by_keyboard_and_mouse(shape_trace_page):
    """Sliders by keyboard and mouse, the lists by keyboard and mouse; B equal to m; the MLP's own error for 21
    particles, DeepSets' for the flat layout; every step shows the library's trace."""
    page = shape_trace_page()
    p = page.page
    p.focus('[data-control="batch_size"]')
    p.keyboard.press("ArrowRight")
    check_shape_trace(page, "MLP", LAYOUTS[0], 33, 20)
    p.keyboard.press("End")
    check_shape_trace(page, "MLP", LAYOUTS[0], MAX_BATCH, 20)
    p.focus('[data-control="n_particles"]')
    p.keyboard.press("ArrowRight")
    view = check_shape_trace(page, "MLP", LAYOUTS[0], MAX_BATCH, 21)
    assert "MLP expects shape (B, 20, 3) or (B, 60), got (1024, 21, 3)" in view["message"]
    assert p.locator(".dlx-shape-trace table").count() == 0
    p.select_option('[data-control="network"]', "DeepSets")  # the list by mouse
    view = check_shape_trace(page, "DeepSets", LAYOUTS[0], MAX_BATCH, 21)
    assert view["shown"]["step-9"] == "sum over the 21 particles (axis 1)"
    box = p.locator('[data-control="batch_size"]').bounding_box()
    p.mouse.click(box["x"] + 2, box["y"] + box["height"] / 2)  # B = 1
    view = check_shape_trace(page, "DeepSets", LAYOUTS[0], 1, 21)
    assert view["shown"]["output"] == "(B,)" and view["shown"]["input-shape"] == "(1, 21, 3)"
    box = p.locator('[data-control="n_particles"]').bounding_box()
    p.mouse.click(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)  # m = 200
    check_shape_trace(page, "DeepSets", LAYOUTS[0], 1, MAX_PARTICLES)
    p.focus('[data-control="layout"]')
    p.keyboard.press("ArrowDown")  # the list by keyboard: the flat layout
    view = check_shape_trace(page, "DeepSets", LAYOUTS[1], 1, MAX_PARTICLES)
    assert "DeepSets expects shape (B, m, 3)" in view["message"] and "got (1, 600)" in view["message"]
    p.focus('[data-control="network"]')
    p.keyboard.press("ArrowUp")  # the MLP
    check_shape_trace(page, "MLP", LAYOUTS[1], 1, MAX_PARTICLES)
    p.evaluate("""() => { const c = document.querySelector('.dlx-shape-trace [data-control="n_particles"]');
      c.value = 20; c.dispatchEvent(new Event('input', {bubbles: true})); }""")
    p.focus('[data-control="batch_size"]')
    for _ in range(19):
        p.keyboard.press("ArrowRight")  # B = m = 20: only the first axis is B
    view = check_shape_trace(page, "MLP", LAYOUTS[1], 20, 20)
    assert view["shown"]["input"] == "(B, 60)" and view["shown"]["input-shape"] == "(20, 60)"
    assert_clean(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_shape_trace_screenshot(shape_trace_page, scheme):
    """A picture of the explorer in both colour modes (the site's own switch), kept in _build/screenshots/;
    the table's text stays readable on its background in both."""
    page = shape_trace_page(scheme)
    p = page.page
    p.evaluate(f"() => {{ document.documentElement.dataset.theme = '{scheme}'; }}")
    p.select_option('[data-control="network"]', "DeepSets")
    folder = ROOT / "_build" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    output = p.locator(".dlx-shape-trace").locator("xpath=ancestor::div[contains(@class, 'cell_output')]")
    output.screenshot(path=str(folder / f"explorer-shape-trace-{scheme}.png"))
    colours = p.evaluate("""() => {
      const rgb = (s) => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
      const cell = document.querySelector('.dlx-shape-trace tr.dlx-highlight td');
      let e = cell, bg = null;
      while (e && !bg) { const c = getComputedStyle(e).backgroundColor; if (!c.includes('rgba(0, 0, 0, 0)') && c !== 'transparent') bg = c; e = e.parentElement; }
      return [rgb(getComputedStyle(cell).color), rgb(bg || 'rgb(255, 255, 255)')];
    }""")
    text, background = (sum(c) / 3 for c in colours)
    assert abs(text - background) > 100, colours
    assert_clean(page)


def test_shape_trace_page_weight(shape_trace_page):
    """The explorer (its code, the traces, anywidget's front-end) adds under SHAPE_TRACE_BUDGET compressed,
    and the page's own files stay under 2 MiB."""
    check_explorer_weight(shape_trace_page(), shape_trace_saved, SHAPE_TRACE_PAGE, SHAPE_TRACE_BUDGET)


# ---- III(D): φ embeddings inside DeepSets, the network run in the page ------------------------------

from dlexam.widgets.particles import embedding_config, embedding_noise, embedding_vectors, embedding_view  # noqa: E402

EMBEDDING_PAGE = "chapters/part3/iii_d_deepsets"
# DeepSets' 19,009 float32 weights and the 500 configurations (float32), sent exactly, are most of it.
EMBEDDING_BUDGET = 400 * 1024


@pytest.fixture
def embedding_page(browser, base_url):
    yield from explorer_pages(browser, base_url, EMBEDDING_PAGE, "dlx-embedding")


def embedding_saved(page):
    """The III(D) explorer's widget state saved in the page at build, and its gzip size."""
    return saved_model(page, EMBEDDING_PAGE, "ranks")


def embedding_steps(state):
    return [["index", state["index"]], ["seed", state["seed"]], ["n_particles", state["n_particles"]]]


def embedding_wrong(v, got):
    """What differs between a vector and what the page shows: every number within float32 round-off,
    the rows' order and the verdict exactly, and the page's own difference of the two sums below its bound."""
    wrong = differences(v["shown"], got["values"], v["noise"], got["digits"])
    if set(got["values"]) != set(v["shown"]):
        wrong.append(f"keys shown: {sorted(set(got['values']) ^ set(v['shown']))[:6]}")
    if (got["message"], got["kind"]) != (v["message"], v["kind"]):
        wrong.append(f"message {got['kind']!r} {got['message']!r}")
    if "difference" in got["values"] and not float(got["values"]["difference"]) <= float(got["values"]["bound"]):
        wrong.append(f"the two orders' sums differ by {got['values']['difference']}, beyond {got['values']['bound']}")
    return wrong


def check_embedding_page(page, index, seed, m):
    """The page shows embedding_view's numbers (within embedding_noise), with the controls where they should be."""
    view = embedding_view(index, seed, m)
    v = {"shown": view["shown"], "noise": embedding_noise(view), "message": "", "kind": ""}
    wrong = embedding_wrong(v, page.shown())
    assert not wrong, f"index {index}, seed {seed}, m {m}: {wrong[:6]}"
    controls = page.controls()
    assert [int(controls[k]) for k in ("index", "seed", "n_particles")] == [index, seed, m]
    return view


def test_embedding_shows_the_library_numbers_for_every_test_vector(embedding_page):
    """Every state of embedding_vectors (configurations 0 and 499, seeds 0, 1 and 99, 1, 2 and 20 particles, then
    random ones): F, F in the stored order, the colour bounds, every φ entry and every sum entry within float32
    round-off of PyTorch's, the rows in the library's permuted order, and the difference of the two orders' sums
    below the bound both sides state."""
    page = embedding_page()
    vectors = embedding_vectors()
    failures = []
    for start in range(0, len(vectors), 12):
        chunk = vectors[start:start + 12]
        for v, got in zip(chunk, page.drive([embedding_steps(v["state"]) for v in chunk])):
            wrong = embedding_wrong(v, got)
            if wrong:
                failures.append(f"{json.dumps(v['state'])}:\n  " + "\n  ".join(wrong[:6]))
    assert not failures, f"{len(failures)} of {len(vectors)} states differ:\n" + "\n".join(failures[:8])
    assert_clean(page)


def test_embedding_page_holds_the_library_network(embedding_page):
    """The page opens on the state it was built with, and holds what embedding_config sends, bit for bit."""
    page = embedding_page()
    saved, _ = embedding_saved(page)
    assert saved["config"] == json.loads(json.dumps(embedding_config()))
    assert (saved["index"], saved["seed"], saved["n_particles"]) == (0, 4, 20)  # as the chapter builds it
    view = check_embedding_page(page, 0, 4, 20)
    figure = page.page.locator(".dlx-embedding svg.dlx-figure")
    label = figure.get_attribute("aria-label")
    assert "RdBu_r" in label and view["shown"]["order"] in label and figure.locator("title").first.text_content() == label
    assert page.page.locator(".dlx-embedding [data-map='phi'] rect").count() == 20 * 64
    assert page.page.locator(".dlx-embedding [data-map='sum'] rect").count() == 64
    assert_clean(page)


def test_embedding_by_keyboard_and_mouse(embedding_page):
    """Sliders by keyboard and mouse; every step shows the library's numbers."""
    page = embedding_page()
    p = page.page
    p.focus('[data-control="seed"]')
    p.keyboard.press("ArrowRight")
    check_embedding_page(page, 0, 5, 20)
    p.keyboard.press("End")
    check_embedding_page(page, 0, 99, 20)
    p.focus('[data-control="n_particles"]')
    p.keyboard.press("Home")
    view = check_embedding_page(page, 0, 99, 1)
    assert view["shown"]["order"] == "0" and page.shown()["values"]["difference"] == "0.0e+00"
    p.keyboard.press("ArrowRight")
    check_embedding_page(page, 0, 99, 2)
    box = p.locator('[data-control="index"]').bounding_box()
    p.mouse.click(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)  # the last configuration
    last = embedding_saved(page)[0]["config"]["count"] - 1
    check_embedding_page(page, last, 99, 2)
    box = p.locator('[data-control="seed"]').bounding_box()
    p.mouse.click(box["x"] + 2, box["y"] + box["height"] / 2)  # seed 0: the stored order
    view = check_embedding_page(page, last, 0, 2)
    assert view["shown"]["output"] == view["shown"]["reference"] and view["shown"]["difference"] == 0.0
    assert_clean(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_embedding_screenshot(embedding_page, scheme):
    """A picture of the explorer in both colour modes (the site's own switch), kept in _build/screenshots/."""
    page = embedding_page(scheme)
    page.page.evaluate("""() => { const c = document.querySelector('.dlx-embedding [data-control="seed"]');
      c.value = 7; c.dispatchEvent(new Event('input', {bubbles: true})); }""")
    page.page.evaluate(f"() => {{ document.documentElement.dataset.theme = '{scheme}'; }}")
    folder = ROOT / "_build" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    output = page.page.locator(".dlx-embedding").locator("xpath=ancestor::div[contains(@class, 'cell_output')]")
    output.screenshot(path=str(folder / f"explorer-embedding-{scheme}.png"))
    fill = page.page.evaluate("() => getComputedStyle(document.querySelector('.dlx-embedding .dlx-figure rect')).fill")
    assert fill in ("white", "rgb(255, 255, 255)")
    assert_clean(page)


def test_embedding_page_weight(embedding_page):
    """The explorer (its code, the network's weights, the configurations, anywidget's front-end) adds under
    EMBEDDING_BUDGET compressed, and the page's own files stay under 2 MiB."""
    check_explorer_weight(embedding_page(), embedding_saved, EMBEDDING_PAGE, EMBEDDING_BUDGET)


# ---- III(F): the K models of one regime, configuration by configuration, computed in the page ------

from dlexam import bias_variance as bias_variance_lib  # noqa: E402
from dlexam.widgets import bias_variance as bias_variance_widget  # noqa: E402

BIAS_VARIANCE_PAGE = "chapters/part3/iii_f_bias_variance"
# The predictions of 5 models on 500 configurations for 12 results (float32, sent exactly) are most of it.
BIAS_VARIANCE_BUDGET = 300 * 1024
BIAS_VARIANCE_BUILT = {"regime": "MLP, none, canonical", "val_frame": "random", "models": 5, "n": 30,
                       "how": "spread over P"}  # as the chapter builds it


@pytest.fixture
def bias_variance_page(browser, base_url):
    yield from explorer_pages(browser, base_url, BIAS_VARIANCE_PAGE, "dlx-bias-variance")


def bias_variance_saved(page):
    """The III(F) explorer's widget state saved in the page at build, and its gzip size."""
    return saved_model(page, BIAS_VARIANCE_PAGE, "selections")


def bias_variance_steps(state):
    return [[name, state[name]] for name in bias_variance_widget.BIAS_VARIANCE_CONTROLS]


def bias_variance_results(config):
    """The page's own results, rebuilt from what it holds: BiasVariance with the predictions it was built with."""
    results = []
    for i, r in enumerate(config["results"]):
        predictions = bias_variance_widget.config_predictions(config, i)
        regime = next(bias_variance_lib.as_regime((m, a, f, n)) for m, a, f, n in
                      [(r["model"], r["augmentation"], r["train_frame"], n) for n in (500, 125, 250)]
                      if bias_variance_lib.Regime(m, a, f, n).label == r["regime"])
        split = bias_variance_lib.decompose(predictions, bias_variance_widget.config_y(config))
        results.append(bias_variance_lib.BiasVariance(regime, r["val_frame"], *split, r["train_mse"], predictions))
    return results


def bias_variance_wrong(v, got):
    wrong = differences(v["shown"], got["values"], v["noise"], got["digits"])
    if v["shown"] and set(got["values"]) != set(v["shown"]):
        wrong.append(f"keys shown: {sorted(set(got['values']) ^ set(v['shown']))[:6]}")
    if (got["message"], got["kind"]) != (v["message"], v["kind"]):
        wrong.append(f"message {got['kind']!r} {got['message']!r}, expected {v['kind']!r} {v['message']!r}")
    return wrong


def check_bias_variance_page(page, config, **state):
    """The page shows bias_variance_view's numbers (and configurations), with the controls where they should be."""
    view = bias_variance_widget.bias_variance_view(config, state["regime"], state["val_frame"], state["models"],
                                                   state["n"], state["how"])
    v = {"shown": view["shown"], "noise": bias_variance_widget.bias_variance_noise(view), "message": "", "kind": ""}
    wrong = bias_variance_wrong(v, page.shown())
    assert not wrong, f"{state}: {wrong[:6]}"
    controls = page.controls()
    assert {k: (int(c) if k in ("models", "n") else c) for k, c in controls.items()} == state
    return view


def test_bias_variance_shows_the_library_numbers_for_every_test_vector(bias_variance_page):
    """Every state of bias_variance_vectors (every regime and validation frame, 2 and 5 models, 5 and 100
    configurations, each selection, then random ones): the configurations shown exactly as select_configurations
    picks them, every number of the table and the figure's title as decompose and corrected_decomposition give them."""
    page = bias_variance_page()
    config = bias_variance_saved(page)[0]["config"]
    vectors = bias_variance_widget.bias_variance_vectors(config)
    assert len(vectors) > 100
    failures = []
    for start in range(0, len(vectors), 20):
        chunk = vectors[start:start + 20]
        for v, got in zip(chunk, page.drive([bias_variance_steps(v["state"]) for v in chunk])):
            wrong = bias_variance_wrong(v, got)
            if wrong:
                failures.append(f"{json.dumps(v['state'])}:\n  " + "\n  ".join(wrong[:6]))
    assert not failures, f"{len(failures)} of {len(vectors)} states differ:\n" + "\n".join(failures[:8])
    assert_clean(page)


def test_bias_variance_page_holds_exactly_the_results_it_was_built_with(bias_variance_page):
    """The saved state is bias_variance_config of the page's own results (rebuilt from what it holds: the test
    cannot retrain), bit for bit; the page opens on the state it was built with and draws every model's dots."""
    page = bias_variance_page()
    saved, _ = bias_variance_saved(page)
    config = saved["config"]
    assert config == json.loads(json.dumps(bias_variance_widget.bias_variance_config(bias_variance_results(config))))
    assert len(config["results"]) == 12 and config["k"] == 5 and config["count"] == 500
    assert {k: saved[k] for k in BIAS_VARIANCE_BUILT} == BIAS_VARIANCE_BUILT
    view = check_bias_variance_page(page, config, **BIAS_VARIANCE_BUILT)
    figure = page.page.locator(".dlx-bias-variance svg.dlx-figure")
    label = figure.get_attribute("aria-label")
    assert f"bias\u00b2 {view['shown']['all-bias2']:.3g}" in label and figure.locator("title").first.text_content() == label
    assert page.page.locator(".dlx-bias-variance [data-configuration]").count() == 30
    assert page.page.locator(".dlx-bias-variance [data-configuration] circle").count() == 30 * 6
    assert_clean(page)


def test_bias_variance_by_keyboard_and_mouse(bias_variance_page):
    """Sliders and drop-downs by keyboard and mouse; every step shows the library's numbers."""
    page = bias_variance_page()
    config = bias_variance_saved(page)[0]["config"]
    p = page.page
    state = dict(BIAS_VARIANCE_BUILT)
    p.focus('[data-control="models"]')
    p.keyboard.press("Home")
    check_bias_variance_page(page, config, **dict(state, models=2))
    p.keyboard.press("ArrowRight")
    state["models"] = 3
    check_bias_variance_page(page, config, **state)
    p.focus('[data-control="n"]')
    p.keyboard.press("End")
    state["n"] = 100
    check_bias_variance_page(page, config, **state)
    p.keyboard.press("ArrowLeft")
    state["n"] = 95
    check_bias_variance_page(page, config, **state)
    p.focus('[data-control="how"]')
    p.keyboard.press("ArrowDown")
    state["how"] = "largest bias"
    check_bias_variance_page(page, config, **state)
    p.focus('[data-control="val_frame"]')
    p.keyboard.press("ArrowUp")  # the frames in the library's order: canonical, then random
    state["val_frame"] = "canonical"
    check_bias_variance_page(page, config, **state)
    p.focus('[data-control="regime"]')
    p.keyboard.press("ArrowDown")
    state["regime"] = config["regimes"][1][0]
    check_bias_variance_page(page, config, **state)
    box = p.locator('[data-control="n"]').bounding_box()
    p.mouse.click(box["x"] + 2, box["y"] + box["height"] / 2)  # the fewest configurations
    state["n"] = 5
    check_bias_variance_page(page, config, **state)
    box = p.locator('[data-control="models"]').bounding_box()
    p.mouse.click(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)  # all five models
    state["models"] = 5
    check_bias_variance_page(page, config, **state)
    p.select_option('[data-control="how"]', "largest variance")
    state["how"] = "largest variance"
    check_bias_variance_page(page, config, **state)
    assert_clean(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_bias_variance_screenshot(bias_variance_page, scheme):
    """A picture of the explorer in both colour modes (the site's own switch), kept in _build/screenshots/."""
    page = bias_variance_page(scheme)
    page.page.evaluate("""() => { const c = document.querySelector('.dlx-bias-variance [data-control="how"]');
      c.value = 'largest variance'; c.dispatchEvent(new Event('change', {bubbles: true})); }""")
    screenshot_explorer(page, "dlx-bias-variance", "n", "bias-variance", scheme)


def test_bias_variance_page_weight(bias_variance_page):
    """The explorer (its code, the models' predictions, anywidget's front-end) adds under BIAS_VARIANCE_BUDGET
    compressed, and the page's own files stay under 2 MiB."""
    check_explorer_weight(bias_variance_page(), bias_variance_saved, BIAS_VARIANCE_PAGE, BIAS_VARIANCE_BUDGET)


# ---- IV(C): the preimages of x + c tanh(x) and the fixed-point iteration, computed in the page -----

from dlexam.widgets import reversible as reversible_widget  # noqa: E402

RESIDUAL_INVERSE_PAGE = "chapters/part4/iv_c_residual_blocks"
# The page holds only the controls and the sliders' range: the explorer's code and anywidget's front-end are all of it.
RESIDUAL_INVERSE_BUDGET = 150 * 1024
RESIDUAL_INVERSE_BUILT = {"c": -2.0, "y": 0.5, "max_iterations": 60}  # as the chapter builds it


@pytest.fixture
def residual_inverse_page(browser, base_url):
    yield from explorer_pages(browser, base_url, RESIDUAL_INVERSE_PAGE, "dlx-residual-inverse")


def residual_inverse_saved(page):
    """The IV(C) explorer's widget state saved in the page at build, and its gzip size."""
    return saved_model(page, RESIDUAL_INVERSE_PAGE, "max_iterations")


def residual_inverse_wrong(v, got):
    """What differs between a vector of residual_inverse_vectors and what the page shows (READ_JS)."""
    wrong = differences(v["shown"], got["values"], v["noise"], got["digits"])
    if set(got["values"]) != set(v["shown"]):
        wrong.append(f"keys shown: {sorted(set(got['values']) ^ set(v['shown']))[:6]}")
    if (got["message"], got["kind"]) != (v["message"], v["kind"]):
        wrong.append(f"message {got['kind']!r} {got['message']!r}, expected {v['kind']!r} {v['message']!r}")
    return wrong


def check_residual_inverse_page(page, c, y):
    """The page shows residual_inverse_view's numbers for (c, y), with the sliders there and a circle per preimage."""
    view = reversible_widget.residual_inverse_view(c, y)
    v = {"shown": view["shown"], "noise": reversible_widget.residual_inverse_noise(view), "message": "", "kind": ""}
    wrong = residual_inverse_wrong(v, page.shown())
    assert not wrong, f"c = {c}, y = {y}: {wrong[:6]}"
    assert {k: float(value) for k, value in page.controls().items()} == {"c": c, "y": y}
    assert page.page.locator(".dlx-residual-inverse [data-root]").count() == len(view["preimages"])
    return view


def test_residual_inverse_shows_the_library_numbers_for_every_test_vector(residual_inverse_page):
    """Every state of residual_inverse_vectors (c = -3, -1.1, -1, -0.9, 0, 1, 3 against y = -3, 0, 3, settings near
    the fold, then random ones of the sliders' grid): the preimages and x to 1e-9, the counts of preimages and
    iterations and the verdict exactly, the residuals where the iteration converges to 1e-6 (round-off where
    it does not: see residual_inverse_noise)."""
    page = residual_inverse_page()
    vectors = reversible_widget.residual_inverse_vectors()
    assert len(vectors) > 100
    failures = []
    for start in range(0, len(vectors), 30):
        chunk = vectors[start:start + 30]
        for v, got in zip(chunk, page.drive([[["c", v["state"]["c"]], ["y", v["state"]["y"]]] for v in chunk])):
            wrong = residual_inverse_wrong(v, got)
            if wrong:
                failures.append(f"{json.dumps(v['state'])}:\n  " + "\n  ".join(wrong[:6]))
    assert not failures, f"{len(failures)} of {len(vectors)} states differ:\n" + "\n".join(failures[:8])
    assert_clean(page)


def test_residual_inverse_opens_on_the_state_it_was_built_with(residual_inverse_page):
    """The saved state is the chapter's (c = -2, y = 0.5, 60 iterations); the page shows the library's numbers for
    it, three open circles, and a figure described by its aria-label."""
    page = residual_inverse_page()
    saved, _ = residual_inverse_saved(page)
    assert {k: saved[k] for k in RESIDUAL_INVERSE_BUILT} == RESIDUAL_INVERSE_BUILT
    assert saved["config"] == json.loads(json.dumps(reversible_widget.residual_inverse_config()))
    view = check_residual_inverse_page(page, -2.0, 0.5)
    figure = page.page.locator(".dlx-residual-inverse svg.dlx-figure")
    label = figure.get_attribute("aria-label")
    assert ", ".join(f"{x:.4f}" for x in view["preimages"]) in label and "converges to x = 2.4717" in label
    assert figure.locator("title").first.text_content() == label
    assert_clean(page)


def test_residual_inverse_by_keyboard_and_mouse(residual_inverse_page):
    """Both sliders by keyboard and mouse; every step shows the library's numbers."""
    page = residual_inverse_page()
    p = page.page
    p.focus('[data-control="c"]')
    p.keyboard.press("Home")
    check_residual_inverse_page(page, -3.0, 0.5)
    p.keyboard.press("ArrowRight")
    check_residual_inverse_page(page, -2.9, 0.5)
    p.keyboard.press("End")
    check_residual_inverse_page(page, 3.0, 0.5)
    p.keyboard.press("ArrowLeft")
    check_residual_inverse_page(page, 2.9, 0.5)
    p.focus('[data-control="y"]')
    p.keyboard.press("ArrowLeft")
    check_residual_inverse_page(page, 2.9, 0.4)
    box = p.locator('[data-control="y"]').bounding_box()
    p.mouse.click(box["x"] + 2, box["y"] + box["height"] / 2)  # the lowest target
    check_residual_inverse_page(page, 2.9, -3.0)
    box = p.locator('[data-control="c"]').bounding_box()
    p.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # the middle: c = 0
    check_residual_inverse_page(page, 0.0, -3.0)
    p.focus('[data-control="c"]')
    for _ in range(11):
        p.keyboard.press("ArrowLeft")
    check_residual_inverse_page(page, -1.1, -3.0)
    assert_clean(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_residual_inverse_screenshot(residual_inverse_page, scheme):
    """A picture of the explorer in both colour modes (the site's own switch), kept in _build/screenshots/."""
    page = residual_inverse_page(scheme)
    screenshot_explorer(page, "dlx-residual-inverse", "y", "residual-inverse", scheme)


def test_residual_inverse_page_weight(residual_inverse_page):
    """The explorer (its code, anywidget's front-end) adds under RESIDUAL_INVERSE_BUDGET compressed, and the page's
    own files stay under 2 MiB."""
    check_explorer_weight(residual_inverse_page(), residual_inverse_saved, RESIDUAL_INVERSE_PAGE, RESIDUAL_INVERSE_BUDGET)
