"""Helpers shared by the tests of the book itself: its pages, the build, a browser."""

import contextlib
import fcntl
import os
import functools
import http.server
import re
import shutil
import subprocess
import sys
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


def read_notebook(path):
    return nbformat.read(path, as_version=4)


# The set-up cell and the repository settings live with the scripts that write them into the chapters.
sys.path.insert(0, str(ROOT / "scripts"))
from setup_cell import (  # noqa: E402,F401  (re-exported for the tests)
    SETUP_CELL_TEMPLATE, SETUP_MARKER, chapter_notebooks, repository_branch, repository_url, setup_cell_source,
)


def snapshot_repository(folder, branch):
    """A git repository holding this working tree as it is now (tracked and new files), on `branch`."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git = ["git", "-c", "user.name=snapshot", "-c", "user.email=snapshot@localhost", "-C", str(folder)]
    subprocess.run([*git, "init", "--quiet", "--initial-branch", branch], check=True)
    subprocess.run([*git, "add", "--all"], check=True)
    subprocess.run([*git, "commit", "--quiet", "--message", "snapshot of the working tree"], check=True)
    return folder


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


def build_book():
    """Build the book as `make book` does, once per test run: (return code, log).

    Several workers may ask at once: the first builds, the others wait for it and get its result.
    """
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid-{os.getpid()}"
    BUILD.mkdir(exist_ok=True)
    stamp, log_file = BUILD / ".built-in-run", BUILD / "build.log"
    with open(BUILD / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.exists() and stamp.read_text().split()[0] == run and log_file.exists():
            return int(stamp.read_text().split()[1]), log_file.read_text()
        result = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_book.py")],
                                capture_output=True, text=True, cwd=ROOT)
        log = strip_ansi(result.stdout + result.stderr)
        log_file.write_text(log)
        stamp.write_text(f"{run} {result.returncode}")
        return result.returncode, log
