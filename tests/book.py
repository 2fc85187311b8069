"""Helpers shared by the tests of the book itself: its pages, the build, a browser."""

import contextlib
import functools
import http.server
import re
import shutil
import threading
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
HTML = BUILD / "html"
SCREENSHOTS = BUILD / "screenshots"


def toc_files():
    """Every page listed in _toc.yml, as paths relative to the book without suffix."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return files


def source(page):
    """The source file of a toc entry (.ipynb or .md)."""
    for suffix in (".ipynb", ".md"):
        path = ROOT / f"{page}{suffix}"
        if path.exists():
            return path
    raise FileNotFoundError(f"{page} is listed in _toc.yml but has no .ipynb or .md source")


def chapter_notebooks():
    """Every notebook under chapters/, listed in the toc or not."""
    return sorted((ROOT / "chapters").rglob("*.ipynb"))


def read_notebook(path):
    return nbformat.read(path, as_version=4)


def repository_url():
    return yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"].rstrip("/")


SETUP_MARKER = "# Set-up: on Colab"


def setup_cell_source(repo_url, branch="main"):
    """The first code cell of every chapter: installs dlexam on Colab, nothing elsewhere."""
    return (
        "# Set-up: on Colab, install this book's library; anywhere else this cell does nothing.\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        f'    %pip install --quiet "dlexam @ git+{repo_url}@{branch}"'
    )


def repository_branch():
    return yaml.safe_load((ROOT / "_config.yml").read_text())["repository"].get("branch", "main")


def strip_ansi(text):
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(directory):
    """Serve a folder on 127.0.0.1 on a free port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise RuntimeError("Chromium not found: install Debian's 'chromium' package (make test does)")
    return path
